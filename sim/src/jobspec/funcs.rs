//! The HCL function library jobspec2 registers (`jobspec2/functions.go`).
//! Common string, number, collection and encoding functions are implemented;
//! filesystem functions fail as they do in the parse API (`AllowFS: false`);
//! the remaining (crypto, cidr, time, yaml/csv) report that the simulator
//! does not support them.

use super::convert::{num, to_int, to_number, to_str, type_name};
use super::eval::values_equal;
use super::funcs_text::{
    base64_decode, base64_encode, flatten, format, normalize_numbers, title, urlencode, uuid_v4,
};
use serde_json::{Map, Value};

pub(crate) enum FnError {
    /// Wrong argument count: (summary, detail).
    Arity(&'static str, String),
    /// A bad argument: (argument index, detail).
    Arg(usize, String),
    /// The call failed: detail (the caller adds `Call to function ... failed:`).
    Failed(String),
}

type Res = Result<Value, FnError>;

/// Every function name jobspec2 registers.
pub(crate) const NAMES: &[&str] = &[
    "abs",
    "base64decode",
    "base64encode",
    "bcrypt",
    "can",
    "ceil",
    "chomp",
    "chunklist",
    "cidrhost",
    "cidrnetmask",
    "cidrsubnet",
    "cidrsubnets",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "convert",
    "csvdecode",
    "distinct",
    "element",
    "flatten",
    "floor",
    "format",
    "formatdate",
    "formatlist",
    "indent",
    "index",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "log",
    "lookup",
    "lower",
    "max",
    "merge",
    "min",
    "parseint",
    "pow",
    "range",
    "reverse",
    "replace",
    "regex_replace",
    "rsadecrypt",
    "setintersection",
    "setproduct",
    "setunion",
    "sha256",
    "sha512",
    "signum",
    "slice",
    "sort",
    "split",
    "strlen",
    "strrev",
    "substr",
    "timeadd",
    "title",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "upper",
    "urlencode",
    "uuidv4",
    "uuidv5",
    "values",
    "yamldecode",
    "yamlencode",
    "zipmap",
    "abspath",
    "basename",
    "dirname",
    "file",
    "filebase64",
    "fileexists",
    "fileset",
    "pathexpand",
    "md5",
    "sha1",
];

const FS: &[&str] = &[
    "abspath",
    "basename",
    "dirname",
    "file",
    "filebase64",
    "fileexists",
    "fileset",
    "pathexpand",
];

/// Parameter names and an optional variadic parameter, for arity checks.
fn params(name: &str) -> Option<(&'static [&'static str], Option<&'static str>)> {
    Some(match name {
        "abs" | "ceil" | "floor" | "signum" => (&["num"], None),
        "log" => (&["num", "base"], None),
        "pow" => (&["num", "power"], None),
        "max" | "min" => (&[], Some("numbers")),
        "parseint" => (&["number", "base"], None),
        "chomp" | "lower" | "upper" | "strrev" | "strlen" | "title" | "trimspace" => {
            (&["str"], None)
        }
        "base64encode" | "base64decode" | "urlencode" => (&["str"], None),
        "format" => (&["format"], Some("args")),
        "formatlist" => (&["format"], Some("args")),
        "indent" => (&["spaces", "str"], None),
        "join" => (&["separator"], Some("lists")),
        "replace" => (&["str", "substr", "replace"], None),
        "split" => (&["separator", "str"], None),
        "substr" => (&["str", "offset", "length"], None),
        "trim" => (&["str", "cutset"], None),
        "trimprefix" => (&["str", "prefix"], None),
        "trimsuffix" => (&["str", "suffix"], None),
        "chunklist" => (&["list", "size"], None),
        "coalesce" | "coalescelist" => (&[], Some("vals")),
        "compact" | "distinct" | "flatten" | "reverse" | "sort" => (&["list"], None),
        "concat" => (&[], Some("seqs")),
        "contains" => (&["list", "value"], None),
        "element" | "index" => (&["list", "value"], None),
        "keys" | "values" => (&["inputMap"], None),
        "length" => (&["value"], None),
        "lookup" => (&["inputMap", "key"], Some("default")),
        "merge" => (&[], Some("maps")),
        "range" => (&[], Some("params")),
        "setintersection" | "setunion" => (&["first_set"], Some("other_sets")),
        "slice" => (&["list", "start_index", "end_index"], None),
        "zipmap" => (&["keys", "values"], None),
        "jsonencode" | "jsondecode" => (&["val"], None),
        "uuidv4" => (&[], None),
        _ => return None,
    })
}

pub(crate) fn exists(name: &str) -> bool {
    NAMES.contains(&name)
}

pub(crate) fn call(name: &str, args: &[Value]) -> Res {
    if FS.contains(&name) {
        return Err(FnError::Failed("filesystem function disabled".into()));
    }
    let Some((ps, var)) = params(name) else {
        return Err(FnError::Failed(
            "this function is not supported by the nomad-sim job parser".into(),
        ));
    };
    if args.len() < ps.len() {
        let qual = if var.is_some() { " at least" } else { "" };
        return Err(FnError::Arity(
            "Not enough function arguments",
            format!(
                "Function {name:?} expects{qual} {} argument(s). Missing value for {:?}.",
                ps.len(),
                ps[args.len()]
            ),
        ));
    }
    if var.is_none() && args.len() > ps.len() {
        return Err(FnError::Arity(
            "Too many function arguments",
            format!("Function {name:?} expects only {} argument(s).", ps.len()),
        ));
    }
    let pname = |i: usize| ps.get(i).copied().or(var).unwrap_or("arg");
    let s = |i: usize| to_str(&args[i]).map_err(|e| bad(i, pname(i), &e));
    let n = |i: usize| to_number(&args[i]).map_err(|e| bad(i, pname(i), &e));
    let int = |i: usize| to_int(&args[i]).map_err(|e| bad(i, pname(i), &e));
    let list = |i: usize| match &args[i] {
        Value::Array(a) => Ok(a.clone()),
        _ => Err(bad(i, pname(i), "list of any single type required")),
    };
    let obj = |i: usize| match &args[i] {
        Value::Object(m) => Ok(m.clone()),
        _ => Err(bad(i, pname(i), "map of any single type required")),
    };
    let string = |v: String| Ok(Value::String(v));
    match name {
        "abs" => Ok(num(n(0)?.abs())),
        "ceil" => Ok(num(n(0)?.ceil())),
        "floor" => Ok(num(n(0)?.floor())),
        "signum" => Ok(num(n(0)?.signum() * f64::from(u8::from(n(0)? != 0.0)))),
        "log" => Ok(num(n(0)?.ln() / n(1)?.ln())),
        "pow" => Ok(num(n(0)?.powf(n(1)?))),
        "max" | "min" => {
            if args.is_empty() {
                return Err(FnError::Failed("must pass at least one number".into()));
            }
            let mut best = n(0)?;
            for i in 1..args.len() {
                let v = n(i)?;
                best = if name == "max" {
                    best.max(v)
                } else {
                    best.min(v)
                };
            }
            Ok(num(best))
        }
        "parseint" => {
            let base = int(1)?;
            if !(2..=62).contains(&base) {
                return Err(bad(
                    1,
                    "base",
                    "base must be a whole number between 2 and 62 inclusive",
                ));
            }
            let text = s(0)?;
            i64::from_str_radix(&text, base as u32)
                .map(Value::from)
                .map_err(|_| {
                    FnError::Failed(format!("cannot parse {text:?} as a base {base} integer"))
                })
        }
        "chomp" => string(s(0)?.trim_end_matches(['\n', '\r']).to_string()),
        "lower" => string(s(0)?.to_lowercase()),
        "upper" => string(s(0)?.to_uppercase()),
        "strrev" => string(s(0)?.chars().rev().collect()),
        "strlen" => Ok(Value::from(s(0)?.chars().count() as i64)),
        "title" => string(title(&s(0)?)),
        "trimspace" => string(s(0)?.trim().to_string()),
        "trim" => {
            let cut: Vec<char> = s(1)?.chars().collect();
            string(s(0)?.trim_matches(|c| cut.contains(&c)).to_string())
        }
        "trimprefix" => {
            let (v, p) = (s(0)?, s(1)?);
            string(v.strip_prefix(p.as_str()).unwrap_or(&v).to_string())
        }
        "trimsuffix" => {
            let (v, p) = (s(0)?, s(1)?);
            string(v.strip_suffix(p.as_str()).unwrap_or(&v).to_string())
        }
        "indent" => {
            let pad = " ".repeat(int(0)?.max(0) as usize);
            string(s(1)?.replace('\n', &format!("\n{pad}")))
        }
        "replace" => string(s(0)?.replace(&s(1)?, &s(2)?)),
        "split" => {
            let (sep, v) = (s(0)?, s(1)?);
            Ok(Value::Array(
                v.split(sep.as_str())
                    .map(|p| Value::String(p.into()))
                    .collect(),
            ))
        }
        "substr" => {
            let chars: Vec<char> = s(0)?.chars().collect();
            let len = chars.len() as i64;
            let mut off = int(1)?;
            if off < 0 {
                off = (len + off).max(0);
            }
            let off = off.min(len) as usize;
            let want = int(2)?;
            let end = if want < 0 {
                chars.len()
            } else {
                (off + want as usize).min(chars.len())
            };
            string(chars[off..end.max(off)].iter().collect())
        }
        "join" => {
            let sep = s(0)?;
            let mut parts = Vec::new();
            for i in 1..args.len() {
                for item in list(i)? {
                    parts.push(to_str(&item).map_err(|e| bad(i, "lists", &e))?);
                }
            }
            string(parts.join(&sep))
        }
        "format" => string(format(&s(0)?, &args[1..])?),
        "formatlist" => {
            let len = args[1..]
                .iter()
                .filter_map(|a| a.as_array().map(Vec::len))
                .max();
            let Some(len) = len else {
                return Ok(Value::Array(vec![Value::String(format(
                    &s(0)?,
                    &args[1..],
                )?)]));
            };
            let mut out = Vec::new();
            for row in 0..len {
                let row_args: Vec<Value> = args[1..]
                    .iter()
                    .map(|a| match a {
                        Value::Array(items) => items.get(row).cloned().unwrap_or(Value::Null),
                        other => other.clone(),
                    })
                    .collect();
                out.push(Value::String(format(&s(0)?, &row_args)?));
            }
            Ok(Value::Array(out))
        }
        "base64encode" => string(base64_encode(s(0)?.as_bytes())),
        "base64decode" => {
            let bytes = base64_decode(&s(0)?)
                .ok_or_else(|| FnError::Failed("failed to decode base64 data".into()))?;
            String::from_utf8(bytes).map(Value::String).map_err(|_| {
                FnError::Failed(
                    "the result of decoding the provided string is not valid UTF-8".into(),
                )
            })
        }
        "urlencode" => string(urlencode(&s(0)?)),
        "jsonencode" => string(serde_json::to_string(&args[0]).unwrap_or_default()),
        "jsondecode" => serde_json::from_str::<Value>(&s(0)?)
            .map(normalize_numbers)
            .map_err(|e| FnError::Failed(e.to_string())),
        "chunklist" => {
            let size = int(1)?.max(0) as usize;
            let items = list(0)?;
            if size == 0 {
                return Ok(Value::Array(vec![Value::Array(items)]));
            }
            Ok(Value::Array(
                items
                    .chunks(size)
                    .map(|c| Value::Array(c.to_vec()))
                    .collect(),
            ))
        }
        "coalesce" => args
            .iter()
            .find(|v| !v.is_null() && v.as_str() != Some(""))
            .cloned()
            .ok_or_else(|| FnError::Failed("no non-null, non-empty-string arguments".into())),
        "coalescelist" => Ok(args
            .iter()
            .find(|v| v.as_array().is_some_and(|a| !a.is_empty()))
            .cloned()
            .unwrap_or(Value::Array(Vec::new()))),
        "compact" => Ok(Value::Array(
            list(0)?
                .into_iter()
                .filter(|v| !v.is_null() && v.as_str() != Some(""))
                .collect(),
        )),
        "concat" => {
            let mut out = Vec::new();
            for i in 0..args.len() {
                out.extend(list(i)?);
            }
            Ok(Value::Array(out))
        }
        "contains" => Ok(Value::Bool(
            list(0)?.iter().any(|v| values_equal(v, &args[1])),
        )),
        "distinct" => {
            let mut out: Vec<Value> = Vec::new();
            for v in list(0)? {
                if !out.iter().any(|o| values_equal(o, &v)) {
                    out.push(v);
                }
            }
            Ok(Value::Array(out))
        }
        "element" => {
            let items = list(0)?;
            if items.is_empty() {
                return Err(FnError::Failed(
                    "cannot use element function with an empty list".into(),
                ));
            }
            let i = int(1)?;
            if i < 0 {
                return Err(FnError::Failed(
                    "cannot use element function with a negative index".into(),
                ));
            }
            Ok(items[i as usize % items.len()].clone())
        }
        "index" => list(0)?
            .iter()
            .position(|v| values_equal(v, &args[1]))
            .map(|i| Value::from(i as i64))
            .ok_or_else(|| FnError::Failed("item not found".into())),
        "flatten" => Ok(Value::Array(flatten(list(0)?))),
        "reverse" => Ok(Value::Array(list(0)?.into_iter().rev().collect())),
        "sort" => {
            let mut items = Vec::new();
            for v in list(0)? {
                items.push(to_str(&v).map_err(|_| bad(0, "list", "list of string required"))?);
            }
            items.sort();
            Ok(Value::Array(items.into_iter().map(Value::String).collect()))
        }
        "keys" => Ok(Value::Array(
            obj(0)?.keys().map(|k| Value::String(k.clone())).collect(),
        )),
        "values" => Ok(Value::Array(obj(0)?.values().cloned().collect())),
        "length" => match &args[0] {
            Value::String(v) => Ok(Value::from(v.chars().count() as i64)),
            Value::Array(a) => Ok(Value::from(a.len() as i64)),
            Value::Object(m) => Ok(Value::from(m.len() as i64)),
            other => Err(bad(
                0,
                "value",
                &format!(
                    "collection must be a list, a map or a tuple, not {}",
                    type_name(other)
                ),
            )),
        },
        "lookup" => {
            let (m, key) = (obj(0)?, s(1)?);
            if args.len() > 3 {
                return Err(FnError::Arity(
                    "Too many function arguments",
                    "Function \"lookup\" expects only 3 argument(s).".into(),
                ));
            }
            match (m.get(&key), args.get(2)) {
                (Some(v), _) => Ok(v.clone()),
                (None, Some(d)) => Ok(d.clone()),
                (None, None) => Err(FnError::Failed(format!(
                    "lookup failed to find key {key:?}"
                ))),
            }
        }
        "merge" => {
            let mut out = Map::new();
            for (i, a) in args.iter().enumerate() {
                match a {
                    Value::Null => {}
                    Value::Object(m) => out.extend(m.clone()),
                    _ => return Err(bad(i, "maps", "map or object required")),
                }
            }
            Ok(Value::Object(out))
        }
        "range" => {
            let nums: Vec<f64> = (0..args.len()).map(n).collect::<Result<_, _>>()?;
            let (start, end, step) = match nums.as_slice() {
                [e] => (0.0, *e, 1.0),
                [s0, e] => (*s0, *e, if s0 <= e { 1.0 } else { -1.0 }),
                [s0, e, st] => (*s0, *e, *st),
                _ => {
                    return Err(FnError::Failed(
                        "must have one, two, or three arguments".into(),
                    ))
                }
            };
            if step == 0.0 {
                return Err(FnError::Failed("step must not be zero".into()));
            }
            let mut out = Vec::new();
            let mut v = start;
            while (step > 0.0 && v < end) || (step < 0.0 && v > end) {
                out.push(num(v));
                v += step;
                if out.len() > 1024 {
                    return Err(FnError::Failed(
                        "more than 1024 values were generated".into(),
                    ));
                }
            }
            Ok(Value::Array(out))
        }
        "setunion" | "setintersection" => {
            let mut acc = list(0)?;
            for i in 1..args.len() {
                let other = list(i)?;
                if name == "setunion" {
                    acc.extend(other);
                } else {
                    acc.retain(|v| other.iter().any(|o| values_equal(o, v)));
                }
            }
            call("distinct", &[Value::Array(acc)])
        }
        "slice" => {
            let items = list(0)?;
            let (a, b) = (int(1)?, int(2)?);
            if a < 0 || b > items.len() as i64 || a > b {
                return Err(FnError::Failed(
                    "the start and end indices must be within the list bounds, with start <= end"
                        .into(),
                ));
            }
            Ok(Value::Array(items[a as usize..b as usize].to_vec()))
        }
        "zipmap" => {
            let (ks, vs) = (list(0)?, list(1)?);
            if ks.len() != vs.len() {
                return Err(FnError::Failed(format!(
                    "number of keys ({}) does not match number of values ({})",
                    ks.len(),
                    vs.len()
                )));
            }
            let mut out = Map::new();
            for (k, v) in ks.iter().zip(vs) {
                out.insert(to_str(k).map_err(|e| bad(0, "keys", &e))?, v);
            }
            Ok(Value::Object(out))
        }
        "uuidv4" => string(uuid_v4()),
        _ => Err(FnError::Failed(
            "this function is not supported by the nomad-sim job parser".into(),
        )),
    }
}

fn bad(i: usize, param: &str, msg: &str) -> FnError {
    FnError::Arg(i, format!("Invalid value for {param:?} parameter: {msg}."))
}
