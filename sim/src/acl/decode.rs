//! Rules text -> decoded blocks, shared by HCL (`hcl-rs`) and JSON input,
//! reproducing HCL1's decoding quirks that Nomad's `acl.Parse` relies on, and
//! the Go `%#v` rendering used in Nomad's validation errors. Part of
//! `policy.rs` (declared there with `#[path]`).

// ---- generic decoded tree, shared by HCL and JSON input ----

enum Val {
    Str(String),
    List(Vec<Val>),
    Obj(Vec<Item>),
    Bad(&'static str),
}

struct Item {
    key: String,
    labels: Vec<String>,
    val: Val,
}

/// A decoded block before validation; `caps: None` mirrors Go's nil slice.
#[derive(Default)]
pub(super) struct Raw {
    pub(super) label: Option<String>,
    pub(super) policy: String,
    pub(super) caps: Option<Vec<String>>,
    pub(super) vars: Option<Vec<Raw>>,
}

fn hcl_items(body: hcl::Body) -> Vec<Item> {
    let item = |s| match s {
        hcl::Structure::Attribute(a) => Item {
            key: a.key.to_string(),
            labels: vec![],
            val: hcl_val(a.expr),
        },
        hcl::Structure::Block(b) => Item {
            key: b.identifier.to_string(),
            labels: b.labels.into_iter().map(|l| l.into_inner()).collect(),
            val: Val::Obj(hcl_items(b.body)),
        },
    };
    body.into_inner().into_iter().map(item).collect()
}

fn hcl_val(e: hcl::Expression) -> Val {
    use hcl::Expression as E;
    match e {
        E::String(s) => Val::Str(s),
        E::Number(n) => Val::Str(n.to_string()),
        E::Bool(b) => Val::Str(b.to_string()),
        E::TemplateExpr(t) => Val::Str(t.to_string()),
        E::Array(a) => Val::List(a.into_iter().map(hcl_val).collect()),
        E::Object(o) => Val::Obj(
            o.into_iter()
                .map(|(k, v)| Item {
                    key: k.to_string(),
                    labels: vec![],
                    val: hcl_val(v),
                })
                .collect(),
        ),
        _ => Val::Bad("*ast.LiteralType"),
    }
}

const LABELED: [&str; 4] = ["namespace", "node_pool", "host_volume", "path"];

/// JSON -> tree. Labeled blocks are `{"namespace": {"name": {...}}}`, each
/// level optionally wrapped in arrays, as HCL1's JSON decoding accepts.
fn json_items(map: serde_json::Map<String, serde_json::Value>) -> Vec<Item> {
    let mut out = vec![];
    for (k, v) in map {
        json_push(&mut out, &k, v);
    }
    out
}

fn json_push(out: &mut Vec<Item>, key: &str, v: serde_json::Value) {
    use serde_json::Value as J;
    match v {
        J::Array(a) if !a.is_empty() && a.iter().all(J::is_object) => {
            a.into_iter().for_each(|e| json_push(out, key, e));
        }
        J::Object(m) if LABELED.iter().any(|l| l.eq_ignore_ascii_case(key)) => {
            for (label, body) in m {
                let bodies = match body {
                    J::Array(a) => a,
                    b => vec![b],
                };
                for b in bodies {
                    out.push(Item {
                        key: key.into(),
                        labels: vec![label.clone()],
                        val: json_val(b),
                    });
                }
            }
        }
        v => out.push(Item {
            key: key.into(),
            labels: vec![],
            val: json_val(v),
        }),
    }
}

fn json_val(v: serde_json::Value) -> Val {
    use serde_json::Value as J;
    match v {
        J::String(s) => Val::Str(s),
        J::Number(n) => Val::Str(n.to_string()),
        J::Bool(b) => Val::Str(b.to_string()),
        J::Null => Val::Bad("*ast.LiteralType"),
        J::Array(a) => Val::List(a.into_iter().map(json_val).collect()),
        J::Object(m) => Val::Obj(json_items(m)),
    }
}

fn ast_type(v: &Val) -> &'static str {
    match v {
        Val::Str(_) => "*ast.LiteralType",
        Val::List(_) => "*ast.ListType",
        Val::Obj(_) => "*ast.ObjectType",
        Val::Bad(t) => t,
    }
}

fn matching<'a>(items: &'a [Item], key: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
    items
        .iter()
        .filter(move |i| i.key.eq_ignore_ascii_case(key))
}

/// HCL1 accepts blocks nested on one line (`a { b { c = 1 } }`); HCL2 does
/// not. For a retry, put a newline after each `{` and before each `}` that is
/// outside strings and comments.
fn unfold(rules: &str) -> String {
    let (mut out, mut chars) = (String::new(), rules.chars().peekable());
    let (mut quoted, mut line_comment, mut block_comment) = (false, false, false);
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match c {
            _ if line_comment => line_comment = c != '\n',
            '*' if block_comment && next == Some('/') => block_comment = false,
            _ if block_comment => {}
            '\\' if quoted => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
                continue;
            }
            '"' => quoted = !quoted,
            _ if quoted => {}
            '#' => line_comment = true,
            '/' if next == Some('/') => line_comment = true,
            '/' if next == Some('*') => block_comment = true,
            '{' => {
                out.push_str("{\n");
                continue;
            }
            '}' => out.push('\n'),
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Decodes one block body into `r` (repeated blocks accumulate like HCL1).
fn decode_body(name: &str, val: &Val, r: &mut Raw, with_vars: bool) -> Result<(), String> {
    let items = match val {
        Val::Obj(items) => items,
        Val::Str(_) => return Ok(()), // HCL1 decodes `agent = "x"` to an empty struct
        v => {
            return Err(format!(
                "{name}: not an object type for struct ({})",
                ast_type(v)
            ))
        }
    };
    for it in matching(items, "policy") {
        match &it.val {
            Val::Str(s) => r.policy = s.clone(),
            v => {
                return Err(format!(
                    "{name}.Policy: unknown type for string {}",
                    ast_type(v)
                ))
            }
        }
    }
    for it in matching(items, "capabilities") {
        let Val::List(list) = &it.val else {
            return Err(format!("unknown slice type: {}", ast_type(&it.val)));
        };
        let caps = r.caps.get_or_insert_with(Vec::new);
        for (i, v) in list.iter().enumerate() {
            match v {
                Val::Str(s) => caps.push(s.clone()),
                v => {
                    return Err(format!(
                        "{name}.Capabilities[{i}]: unknown type for string {}",
                        ast_type(v)
                    ))
                }
            }
        }
    }
    if with_vars {
        for it in matching(items, "variables") {
            let paths = r.vars.get_or_insert_with(Vec::new);
            let Val::Obj(vitems) = &it.val else { continue };
            for (j, p) in matching(vitems, "path").enumerate() {
                let mut raw = Raw {
                    label: p.labels.first().cloned(),
                    ..Raw::default()
                };
                decode_body(
                    &format!("{name}.variables.path[{j}]"),
                    &p.val,
                    &mut raw,
                    false,
                )?;
                paths.push(raw);
            }
        }
    }
    Ok(())
}

/// Decodes `namespace`/`node_pool`/`host_volume` blocks like HCL1: labeled
/// blocks first, then unlabeled ones (an empty one decodes to nothing). Nomad
/// then blanks `decoded[i].Name` for the i-th block (source order) without a
/// label, panicking when `i` is past the end.
fn decode_labeled(items: &[Item], key: &str) -> Result<Vec<Raw>, String> {
    let all: Vec<&Item> = matching(items, key).collect();
    let (labeled, bare): (Vec<&Item>, Vec<&Item>) = all.iter().partition(|i| !i.labels.is_empty());
    let mut out = vec![];
    for (i, it) in labeled.iter().chain(&bare).enumerate() {
        if it.labels.is_empty() && matches!(&it.val, Val::Obj(v) if v.is_empty()) {
            continue;
        }
        let mut raw = Raw {
            label: it.labels.first().cloned(),
            ..Raw::default()
        };
        decode_body(
            &format!("root.{key}[{i}]"),
            &it.val,
            &mut raw,
            key == "namespace",
        )?;
        out.push(raw);
    }
    for (i, _) in all
        .iter()
        .enumerate()
        .filter(|(_, it)| it.labels.is_empty())
    {
        let n = out.len();
        let Some(r) = out.get_mut(i) else {
            return Err(format!(
                "invalid acl policy: runtime error: index out of range [{i}] with length {n}"
            ));
        };
        r.label = None;
    }
    Ok(out)
}

fn decode_single(items: &[Item], key: &str) -> Result<Option<Raw>, String> {
    let mut out: Option<Raw> = None;
    for it in matching(items, key) {
        decode_body(
            &format!("root.{key}"),
            &it.val,
            out.get_or_insert_with(Raw::default),
            false,
        )?;
    }
    Ok(out)
}

pub(super) fn go_quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\r' => q.push_str("\\r"),
            '\t' => q.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\x7f' => q.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => q.push_str(&format!("\\u{:04x}", c as u32)),
            c => q.push(c),
        }
    }
    q + "\""
}

/// Go `%#v` of a block struct, as Nomad's validation errors print it.
pub(super) fn go_struct(ty: &str, r: &Raw, name: bool, caps: bool, vars: bool) -> String {
    let mut f = vec![];
    if name {
        f.push(format!(
            "Name:{}",
            go_quote(r.label.as_deref().unwrap_or(""))
        ));
    }
    f.push(format!("Policy:{}", go_quote(&r.policy)));
    if caps {
        f.push(match &r.caps {
            None => "Capabilities:[]string(nil)".into(),
            Some(c) => format!(
                "Capabilities:[]string{{{}}}",
                c.iter().map(|s| go_quote(s)).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    if vars {
        let ptr = if r.vars.is_some() {
            "0xc0000a6018"
        } else {
            "nil"
        };
        f.push(format!("Variables:(*acl.VariablesPolicy)({ptr})"));
    }
    format!("&acl.{ty}{{{}}}", f.join(", "))
}

pub(super) fn valid_name(name: &str, extra: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*' || extra.contains(c))
}

pub(super) type Decoded = (Vec<Raw>, Vec<Raw>, Vec<Raw>, [Option<Raw>; 6], Vec<String>);

pub(super) fn decode(rules: &str) -> Result<Decoded, String> {
    let items = if rules.trim_start().starts_with('{') {
        match serde_json::from_str::<serde_json::Value>(rules).map_err(|e| e.to_string())? {
            serde_json::Value::Object(m) => json_items(m),
            _ => return Err("error parsing: root should be an object".into()),
        }
    } else {
        let body = hcl::parse(rules).or_else(|e| hcl::parse(&unfold(rules)).map_err(|_| e));
        hcl_items(body.map_err(|e| match e {
            // One line, in HCL1's `At line:col: message` shape.
            hcl::Error::Parse(e) => {
                let at = e.location();
                format!("At {}:{}: {}", at.line(), at.column(), e.message())
            }
            e => e.to_string(),
        })?)
    };
    let ns = decode_labeled(&items, "namespace")?;
    let np = decode_labeled(&items, "node_pool")?;
    let hv = decode_labeled(&items, "host_volume")?;
    let singles = ["agent", "node", "operator", "sentinel", "quota", "plugin"];
    let mut s: [Option<Raw>; 6] = Default::default();
    for (slot, key) in s.iter_mut().zip(singles) {
        *slot = decode_single(&items, key)?;
    }
    // HCL1 `unusedKeys`: every key and label, minus one per decoded field.
    let mut extra: Vec<String> = items
        .iter()
        .flat_map(|i| std::iter::once(&i.key).chain(&i.labels).cloned())
        .collect();
    for field in ["namespace", "node_pool", "host_volume"]
        .iter()
        .chain(&singles)
    {
        let n = matching(&items, field).count();
        let drop = if LABELED.contains(field) { n } else { n.min(1) };
        for _ in 0..drop {
            if let Some(i) = extra.iter().position(|k| k.eq_ignore_ascii_case(field)) {
                extra.remove(i);
            }
        }
    }
    extra.sort();
    Ok((ns, np, hv, s, extra))
}
