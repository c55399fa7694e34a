//! Value helpers and cty-like conversions. Values are `serde_json::Value`;
//! numbers are kept as integers whenever they are whole (as jobspec2's
//! `smallestNumber` does when it turns cty numbers into Go values).

use hcl::edit::expr::{Expression, ObjectKey};
use serde_json::{Map, Value};

/// Build a number value, preferring an integer representation.
pub(crate) fn num(f: f64) -> Value {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// cty's friendly type name for diagnostics.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "tuple",
        Value::Object(_) => "object",
    }
}

/// Format a number the way cty converts numbers to strings.
pub(crate) fn number_string(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        let f = n.as_f64().unwrap_or(0.0);
        if f.fract() == 0.0 && f.abs() < 1e21 {
            format!("{f:.0}")
        } else {
            f.to_string()
        }
    }
}

/// Convert to a string: strings, numbers and bools convert.
pub(crate) fn to_str(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(number_string(n)),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err("string required".into()),
    }
}

pub(crate) fn to_number(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => Ok(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| "a number is required".to_string()),
        _ => Err("number required".into()),
    }
}

pub(crate) fn to_bool(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        Value::String(_) => Err("a bool is required".into()),
        _ => Err("bool required".into()),
    }
}

/// Convert to a whole number, as gocty does for Go integer fields.
pub(crate) fn to_int(v: &Value) -> Result<i64, String> {
    let f = to_number(v)?;
    if f.fract() != 0.0 || f.abs() > 9.2e18 {
        return Err(
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
                .into(),
        );
    }
    Ok(f as i64)
}

pub(crate) fn to_str_list(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| to_str(i).map_err(|_| "list of string required".to_string()))
            .collect(),
        _ => Err("list of string required".into()),
    }
}

pub(crate) fn to_str_map(v: &Value) -> Result<Map<String, Value>, String> {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, i)| {
                to_str(i)
                    .map(|s| (k.clone(), Value::String(s)))
                    .map_err(|_| "map of string required".to_string())
            })
            .collect(),
        _ => Err("map of string required".into()),
    }
}

/// Go's `time.ParseDuration`, returning nanoseconds.
pub(crate) fn parse_go_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        neg = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..digits];
        s = &s[digits..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &rest[..n];
            s = &rest[n..];
            if int_part.is_empty() && frac_part.is_empty() {
                return Err(invalid());
            }
        } else if int_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {}", go_quote(orig)));
        }
        let scale: f64 = match unit {
            "ns" => 1.0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(unit),
                    go_quote(orig)
                ))
            }
        };
        let value: f64 = format!("0{int_part}.{frac_part}0").parse().unwrap_or(0.0);
        total += value * scale;
        if total > 9.223_372_036_854_775e18 {
            return Err(invalid());
        }
    }
    let ns = total.round() as i64;
    Ok(if neg { -ns } else { ns })
}

fn go_quote(s: &str) -> String {
    format!("{s:?}")
}

/// A variable type constraint (`type = ...` in a `variable` block).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Any,
    String,
    Number,
    Bool,
    List(Box<Ty>),
    Map(Box<Ty>),
    Tuple(Vec<Ty>),
    Object(Vec<(String, Ty)>),
}

impl Ty {
    /// The implied type of a default value (only primitives are tracked).
    pub fn of(v: &Value) -> Ty {
        match v {
            Value::String(_) => Ty::String,
            Value::Number(_) => Ty::Number,
            Value::Bool(_) => Ty::Bool,
            _ => Ty::Any,
        }
    }
}

/// Parse a type expression such as `list(string)` or `object({a = number})`.
pub(crate) fn parse_type(expr: &Expression) -> Result<Ty, String> {
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "string" => Ok(Ty::String),
            "number" => Ok(Ty::Number),
            "bool" => Ok(Ty::Bool),
            "any" => Ok(Ty::Any),
            "list" | "set" | "map" | "tuple" | "object" => Err(format!(
                "The {:?} type constructor requires one argument specifying the element type.",
                v.as_str()
            )),
            other => Err(format!("The keyword {other:?} is not a valid type specification.")),
        },
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let args: Vec<&Expression> = call.args.iter().collect();
            if args.len() != 1 {
                return Err(format!(
                    "The {name} type constructor requires one argument specifying the element type."
                ));
            }
            match (name, args[0]) {
                ("list" | "set", arg) => Ok(Ty::List(Box::new(parse_type(arg)?))),
                ("map", arg) => Ok(Ty::Map(Box::new(parse_type(arg)?))),
                ("tuple", Expression::Array(items)) => Ok(Ty::Tuple(
                    items.iter().map(parse_type).collect::<Result<_, _>>()?,
                )),
                ("object", Expression::Object(obj)) => {
                    let mut attrs = Vec::new();
                    for (k, v) in obj.iter() {
                        let key = match k {
                            ObjectKey::Ident(i) => i.as_str().to_string(),
                            ObjectKey::Expression(Expression::String(s)) => s.as_str().to_string(),
                            _ => return Err("Object constructor map keys must be attribute names.".into()),
                        };
                        attrs.push((key, parse_type(v.expr())?));
                    }
                    Ok(Ty::Object(attrs))
                }
                ("tuple", _) => Err("The tuple type constructor requires a list of element types.".into()),
                ("object", _) => Err("The object type constructor requires one argument specifying the attribute types as a map.".into()),
                _ => Err(format!("Keyword {name:?} is not a valid type constructor.")),
            }
        }
        _ => Err("A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).".into()),
    }
}

/// Convert a value to a type constraint, like cty's `convert.Convert`.
pub(crate) fn convert(v: &Value, ty: &Ty) -> Result<Value, String> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Ty::Any => Ok(v.clone()),
        Ty::String => to_str(v).map(Value::String),
        Ty::Number => to_number(v).map(num),
        Ty::Bool => to_bool(v).map(Value::Bool),
        Ty::List(elem) => match v {
            Value::Array(items) => items
                .iter()
                .map(|i| convert(i, elem))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            _ => Err("list required".into()),
        },
        Ty::Map(elem) => match v {
            Value::Object(m) => m
                .iter()
                .map(|(k, i)| convert(i, elem).map(|c| (k.clone(), c)))
                .collect::<Result<Map<_, _>, _>>()
                .map(Value::Object),
            _ => Err("map required".into()),
        },
        Ty::Tuple(tys) => match v {
            Value::Array(items) if items.len() == tys.len() => items
                .iter()
                .zip(tys)
                .map(|(i, t)| convert(i, t))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Array(_) => Err(format!("tuple required with {} elements", tys.len())),
            _ => Err("tuple required".into()),
        },
        Ty::Object(attrs) => match v {
            Value::Object(m) => {
                let mut out = Map::new();
                for (name, t) in attrs {
                    let Some(item) = m.get(name) else {
                        return Err(format!("attribute {name:?} is required"));
                    };
                    out.insert(name.clone(), convert(item, t)?);
                }
                Ok(Value::Object(out))
            }
            _ => Err("object required".into()),
        },
    }
}
