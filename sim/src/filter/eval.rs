//! Evaluation, following go-bexpr v0.1.16 `evaluate.go` and `coerce.go` and
//! the lookups of mitchellh/pointerstructure v1.2.1 `get.go`, with the Go
//! types inferred from JSON as the module docs describe.

use super::{go_quote, Binding, Expr, MatchValue, Op, Selector};
use serde_json::{Number, Value};
use std::borrow::Cow;

/// A name bound by `any`/`all`: an alias of a path, or a known key or index.
pub(super) struct Var<'e> {
    name: &'e str,
    local: Local,
}

enum Local {
    Path(Vec<String>),
    Key(String),
    Index(usize),
}

pub(super) fn eval<'e>(e: &'e Expr, root: &Value, vars: &mut Vec<Var<'e>>) -> Result<bool, String> {
    match e {
        Expr::And(items) => {
            for item in items {
                if !eval(item, root, vars)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Expr::Or(items) => {
            for item in items {
                if eval(item, root, vars)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Expr::Not(inner) => eval(inner, root, vars).map(|b| !b),
        Expr::Match { sel, op, value } => {
            let Some(v) = lookup(root, &sel.path, vars)? else {
                return Ok(op.not_present());
            };
            let raw = value.as_ref().map_or("", |m| m.raw.as_str());
            let r = match op {
                Op::Eq | Op::Ne => equal(raw, &v)?,
                Op::In | Op::NotIn => contains(raw, &v, sel)?,
                Op::Empty | Op::NotEmpty => is_empty(&v, sel)?,
                Op::Nil | Op::NotNil => is_nil(&v, sel)?,
                Op::Matches | Op::NotMatches => regex_match(value.as_ref(), &v)?,
            };
            Ok(r != op.negated())
        }
        Expr::Coll {
            all,
            sel,
            bind,
            inner,
        } => collection(*all, sel, bind, inner, root, vars),
    }
}

fn collection<'e>(
    all: bool,
    sel: &'e Selector,
    bind: &'e Binding,
    inner: &'e Expr,
    root: &Value,
    vars: &mut Vec<Var<'e>>,
) -> Result<bool, String> {
    let Some(v) = lookup(root, &sel.path, vars)? else {
        return Ok(all);
    };
    let entries: Vec<(Local, String)> = match &*v {
        Value::Array(a) => (0..a.len())
            .map(|i| (Local::Index(i), i.to_string()))
            .collect(),
        Value::Object(m) => m
            .keys()
            .map(|k| (Local::Key(k.clone()), k.clone()))
            .collect(),
        // a nil slice or map: nothing to iterate
        Value::Null => Vec::new(),
        _ => return Err(format!("{} is not a list or a map", sel.display())),
    };
    let is_map = v.is_object();
    for (key, part) in entries {
        let mut elem = sel.path.clone();
        elem.push(part);
        let before = vars.len();
        let mut bind_var = |name: &'e String, local| {
            vars.push(Var {
                name: name.as_str(),
                local,
            })
        };
        match bind {
            Binding::Both(i, v) if i == v => {
                return Err(format!(
                    "{} cannot be used as a placeholder for both the index and the value",
                    go_quote(i)
                ))
            }
            Binding::Default(n) if is_map => bind_var(n, key),
            Binding::Default(n) | Binding::Value(n) => bind_var(n, Local::Path(elem)),
            Binding::Index(n) => bind_var(n, key),
            Binding::Both(i, v) => {
                bind_var(i, key);
                bind_var(v, Local::Path(elem));
            }
        }
        let r = eval(inner, root, vars);
        vars.truncate(before);
        let r = r?;
        if r != all {
            return Ok(r);
        }
    }
    Ok(all)
}

/// go-bexpr `getValue`: `Ok(None)` is a missing key of a map (the operator's
/// not-present answer applies).
fn lookup<'v>(
    root: &'v Value,
    sel: &[String],
    vars: &[Var],
) -> Result<Option<Cow<'v, Value>>, String> {
    let mut path = Cow::Borrowed(sel);
    for var in vars.iter().rev() {
        if path[0] != var.name {
            continue;
        }
        let known = match &var.local {
            Local::Path(prefix) => {
                path.to_mut().splice(0..1, prefix.iter().cloned());
                continue;
            }
            Local::Key(k) => (Value::from(k.as_str()), "string"),
            Local::Index(i) => (Value::from(*i), "int"),
        };
        if path.len() > 1 {
            return Err(format!(
                "{} references a {} so {} is invalid",
                pointer(&path[..1]),
                known.1,
                pointer(&path)
            ));
        }
        return Ok(Some(Cow::Owned(known.0)));
    }
    walk(root, &path)
}

/// pointerstructure `Pointer.Get`, plus go-bexpr's `evaluateNotPresent`.
fn walk<'v>(root: &'v Value, path: &[String]) -> Result<Option<Cow<'v, Value>>, String> {
    let at_part = |i: usize, why: String| {
        format!(
            "error finding value in datum: {} at part {i}: {why}",
            pointer(path)
        )
    };
    let last = path.len().saturating_sub(1);
    let mut cur = root;
    for (i, part) in path.iter().enumerate() {
        cur = match cur {
            Value::Object(m) => match m.get(part) {
                Some(next) => next,
                None if i == last && i > 0 => return Ok(None),
                // the top-level object is the Go struct itself
                None if i == 0 => {
                    let why = format!(
                        "couldn't find key: struct field with name {}",
                        go_quote(part)
                    );
                    return Err(at_part(i, why));
                }
                None => return Err(at_part(i, format!("couldn't find key {}", go_quote(part)))),
            },
            // taken for a nil map
            Value::Null if i == last && i > 0 => return Ok(None),
            Value::Null => return Err(at_part(i, format!("couldn't find key {}", go_quote(part)))),
            Value::Array(items) => {
                let idx =
                    parse_int(if part.is_empty() { "0" } else { part }, false).map_err(|_| {
                        at_part(
                            i,
                            format!("couldn't convert value {} to type int", go_quote(part)),
                        )
                    })?;
                match usize::try_from(idx).ok().and_then(|u| items.get(u)) {
                    Some(next) => next,
                    None => {
                        let why = format!("index {idx} is out of range (length = {})", items.len());
                        return Err(at_part(i, why));
                    }
                }
            }
            scalar => {
                return Err(format!(
                    "error finding value in datum: {}: at part {i}, invalid value kind: {}",
                    pointer(path),
                    kind(scalar)
                ))
            }
        };
    }
    Ok(Some(Cow::Borrowed(cur)))
}

/// pointerstructure `Pointer.String`.
fn pointer(path: &[String]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|p| p.replace('~', "~0").replace('/', "~1"))
        .collect();
    format!("/{}", parts.join("/"))
}

/// The Go `reflect.Kind` we take a JSON value for.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "ptr",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() => "int",
        Value::Number(n) if n.is_u64() => "uint64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

fn match_value_err(e: String) -> String {
    format!("error getting match value in expression: {e}")
}

/// `doMatchEqual`
fn equal(raw: &str, v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(parse_bool(raw).map_err(match_value_err)? == *b),
        Value::Number(n) => num_equal(raw, n).map_err(match_value_err),
        Value::String(s) => Ok(s == raw),
        _ => Err("unable to find suitable primitive comparison function for matching".into()),
    }
}

/// `CoerceInt64`/`CoerceUint64`/`CoerceFloat64` and compare. An integral JSON
/// number may have been a Go float: a float literal is still compared.
fn num_equal(raw: &str, n: &Number) -> Result<bool, String> {
    if let Some(i) = n.as_i64() {
        match parse_int(raw, false) {
            Ok(x) => Ok(i128::from(i) == x),
            Err(e) => float_fallback(raw, e).map(|f| f == i as f64),
        }
    } else if let Some(u) = n.as_u64() {
        match parse_int(raw, true) {
            Ok(x) => Ok(i128::from(u) == x),
            Err(e) => float_fallback(raw, e).map(|f| f == u as f64),
        }
    } else {
        let f = n.as_f64().unwrap_or(f64::NAN);
        parse_float(raw).map(|x| x == f)
    }
}

/// A literal that is no integer but a float (not one out of range).
fn float_fallback(raw: &str, int_err: String) -> Result<f64, String> {
    if !int_err.ends_with("invalid syntax") {
        return Err(int_err);
    }
    parse_float(raw).map_err(|_| int_err)
}

/// `doMatchIn`
fn contains(raw: &str, v: &Value, sel: &Selector) -> Result<bool, String> {
    match v {
        Value::Null => Ok(false),
        Value::Object(m) => Ok(m.contains_key(raw)),
        Value::String(s) => Ok(s.contains(raw)),
        Value::Array(items) => {
            for item in items {
                // elements whose type the literal does not parse as are
                // skipped, as go-bexpr does for []interface{}
                let hit = match item {
                    Value::String(s) => s == raw,
                    Value::Bool(b) => parse_bool(raw).is_ok_and(|x| x == *b),
                    Value::Number(n) => num_equal(raw, n).unwrap_or(false),
                    Value::Null => false,
                    _ => {
                        return Err("unable to find suitable primitive comparison function \
                                    for \"in\" comparison"
                            .into())
                    }
                };
                if hit {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Bool(_) | Value::Number(_) => {
            // Go coerces the literal to the field's type first
            equal(raw, v)?;
            Err(format!(
                "cannot perform in/contains operations on type {} for selector: {}",
                kind(v),
                go_quote(&sel.display())
            ))
        }
    }
}

/// `doMatchIsEmpty`
fn is_empty(v: &Value, sel: &Selector) -> Result<bool, String> {
    match v {
        Value::Null => Ok(true),
        Value::String(s) => Ok(s.is_empty()),
        Value::Array(a) => Ok(a.is_empty()),
        Value::Object(m) => Ok(m.is_empty()),
        _ => Err(format!(
            "cannot perform is-empty operations on type {} for selector: {}",
            kind(v),
            go_quote(&sel.display())
        )),
    }
}

/// `doMatchIsNil`
fn is_nil(v: &Value, sel: &Selector) -> Result<bool, String> {
    match v {
        Value::Null => Ok(true),
        Value::Array(_) | Value::Object(_) => Ok(false),
        _ => Err(format!(
            "cannot perform is-nil operations on type {} for selector: {}",
            kind(v),
            go_quote(&sel.display())
        )),
    }
}

/// `doMatchMatches`
fn regex_match(m: Option<&MatchValue>, v: &Value) -> Result<bool, String> {
    let Value::String(s) = v else {
        let ty = match v {
            Value::Null => "<nil>",
            Value::Array(_) => "[]interface {}",
            Value::Object(_) => "map[string]interface {}",
            other => kind(other),
        };
        return Err(format!("value of type {ty} is not convertible to []byte"));
    };
    match m.and_then(|m| m.regex.as_ref().map(|r| (m, r))) {
        Some((_, Ok(re))) => Ok(re.is_match(s)),
        Some((m, Err(e))) => Err(format!(
            "failed to compile regular expression {}: {e}",
            go_quote(&m.raw)
        )),
        None => Err("invalid match operation".into()),
    }
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "strconv.ParseBool: parsing {}: invalid syntax",
            go_quote(s)
        )),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, or `ParseUint` when `unsigned`: base
/// prefixes `0x`/`0o`/`0b`, a leading `0` for octal, `_` between digits.
fn parse_int(s: &str, unsigned: bool) -> Result<i128, String> {
    let func = if unsigned { "ParseUint" } else { "ParseInt" };
    let err = |why| format!("strconv.{func}: parsing {}: {why}", go_quote(s));
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+' | b'-') if !unsigned => (s.starts_with('-'), &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = match lower.as_bytes() {
        [b'0', b'x', _, ..] => (16, &lower[2..]),
        [b'0', b'o', _, ..] => (8, &lower[2..]),
        [b'0', b'b', _, ..] => (2, &lower[2..]),
        [b'0', ..] => (8, &lower[1..]),
        _ => (10, &lower[..]),
    };
    if body.is_empty() || !underscores_ok(&lower, radix == 16) {
        return Err(err("invalid syntax"));
    }
    let mut n: u128 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let d = c.to_digit(radix).ok_or_else(|| err("invalid syntax"))?;
        n = n * u128::from(radix) + u128::from(d);
        if n > u128::from(u64::MAX) {
            return Err(err("value out of range"));
        }
    }
    let v = if neg { -(n as i128) } else { n as i128 };
    let (min, max) = if unsigned {
        (0, i128::from(u64::MAX))
    } else {
        (i128::from(i64::MIN), i128::from(i64::MAX))
    };
    if v < min || v > max {
        return Err(err("value out of range"));
    }
    Ok(v)
}

/// Go's `underscoreOK`: `_` only between digits or after a base prefix.
fn underscores_ok(s: &str, hex: bool) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    // 0 = start, 1 = digit or prefix, 2 = underscore, 3 = other
    let mut saw = 0;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1], b'b' | b'o' | b'x') {
        i = 2;
        saw = 1;
    }
    for &c in &b[i..] {
        saw = match c {
            b'0'..=b'9' => 1,
            b'a'..=b'f' if hex => 1,
            b'_' if saw != 1 => return false,
            b'_' => 2,
            _ if saw == 2 => return false,
            _ => 3,
        };
    }
    saw != 2
}

/// Go's `strconv.ParseFloat(s, 64)` (hexadecimal floats are not accepted).
fn parse_float(s: &str) -> Result<f64, String> {
    let err = |why| format!("strconv.ParseFloat: parsing {}: {why}", go_quote(s));
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let is_inf = matches!(unsigned.to_ascii_lowercase().as_str(), "inf" | "infinity");
    match s.parse::<f64>() {
        Ok(f) if f.is_infinite() && !is_inf => Err(err("value out of range")),
        Ok(f) => Ok(f),
        Err(_) => Err(err("invalid syntax")),
    }
}

/// Compiles a go-bexpr `matches` pattern (Go RE2 syntax) with `regex`;
/// the error reads like Go's `regexp.Compile`.
pub(super) fn compile_re2(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(&ascii_classes(pattern)).map_err(|e| {
        let text = e.to_string();
        let detail = text
            .lines()
            .last()
            .unwrap_or("")
            .trim_start_matches("error: ");
        let code = match detail {
            "unclosed group" => "missing closing )",
            "unopened group" => "unexpected )",
            "unclosed character class" => "missing closing ]",
            "repetition operator missing expression" => "missing argument to repetition operator",
            "unrecognized escape sequence" => "invalid escape sequence",
            "invalid character class range, the start must be <= the end" => {
                "invalid character class range"
            }
            "invalid repetition count range, the start must be <= the end" => {
                "invalid repeat count"
            }
            d if d.starts_with("incomplete escape sequence") => {
                "trailing backslash at end of expression"
            }
            d => d,
        };
        format!("error parsing regexp: {code}: `{pattern}`")
    })
}

/// RE2's `\d \w \s \b` are ASCII-only where `regex` is Unicode-aware, and a
/// `[` inside a class is a literal in RE2 but a nested class in `regex`.
fn ascii_classes(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 16);
    let mut chars = p.chars().peekable();
    let mut in_class = false;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        let was_start = std::mem::take(&mut class_start);
        match c {
            '\\' => match chars.next() {
                Some(e @ ('d' | 'D' | 'w' | 'W' | 's' | 'S')) => {
                    let name = match e.to_ascii_lowercase() {
                        'd' => "digit",
                        'w' => "word",
                        _ => "space",
                    };
                    let neg = if e.is_ascii_uppercase() { "^" } else { "" };
                    let class = format!("[:{neg}{name}:]");
                    out.push_str(&if in_class {
                        class
                    } else {
                        format!("[{class}]")
                    });
                }
                Some(e @ ('b' | 'B')) if !in_class => out.push_str(&format!("(?-u:\\{e})")),
                Some(e) => {
                    out.push('\\');
                    out.push(e);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                class_start = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap_or('^'));
                }
            }
            '[' if chars.peek() == Some(&':') => {
                // a POSIX class such as [:alpha:], copied through
                out.push('[');
                for c in chars.by_ref() {
                    out.push(c);
                    if c == ']' {
                        break;
                    }
                }
            }
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            ']' if in_class && !was_start => {
                in_class = false;
                out.push(']');
            }
            ']' if in_class => out.push_str("\\]"),
            c => out.push(c),
        }
    }
    out
}
