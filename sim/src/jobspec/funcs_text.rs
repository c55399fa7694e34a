//! Helpers for the function library: `format`, encodings, `uuidv4`.

use super::convert::{num, number_string, to_bool, to_int, to_number, to_str};
use super::funcs::FnError;
use serde_json::Value;

pub(crate) fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at_start = true;
    for c in s.chars() {
        if at_start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_start = !c.is_alphanumeric();
    }
    out
}

pub(crate) fn flatten(items: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for v in items {
        match v {
            Value::Array(inner) => out.extend(flatten(inner)),
            other => out.push(other),
        }
    }
    out
}

pub(crate) fn normalize_numbers(v: Value) -> Value {
    match v {
        Value::Number(n) => n.as_f64().map_or(Value::Number(n), num),
        Value::Array(a) => Value::Array(a.into_iter().map(normalize_numbers).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, normalize_numbers(v)))
                .collect(),
        ),
        other => other,
    }
}

/// cty's `format`: a subset of Go's fmt verbs (%s %d %f %g %e %t %q %v %#v %x %X %o %b %%).
pub(crate) fn format(spec: &str, args: &[Value]) -> Result<String, FnError> {
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    let mut next_arg = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek() {
            if "-+ #0".contains(f) {
                flags.push(f);
                chars.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut prec: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            return Err(FnError::Failed("unterminated format verb".into()));
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            return Err(FnError::Failed(format!(
                "not enough arguments for %{verb} at {}",
                out.len()
            )));
        };
        next_arg += 1;
        let text = match verb {
            's' => to_str(arg)
                .map_err(|e| FnError::Failed(format!("unsupported value for %s: {e}")))?,
            'v' if flags.contains('#') => serde_json::to_string(arg).unwrap_or_default(),
            'v' => match arg {
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    to_str(arg).unwrap_or_default()
                }
                Value::Null => "null".into(),
                other => serde_json::to_string(other).unwrap_or_default(),
            },
            'q' => format!(
                "{:?}",
                to_str(arg)
                    .map_err(|e| FnError::Failed(format!("unsupported value for %q: {e}")))?
            ),
            't' => to_bool(arg)
                .map_err(|e| FnError::Failed(format!("unsupported value for %t: {e}")))?
                .to_string(),
            'd' | 'x' | 'X' | 'o' | 'b' => {
                let v = to_int(arg)
                    .map_err(|e| FnError::Failed(format!("unsupported value for %{verb}: {e}")))?;
                match verb {
                    'd' if flags.contains('+') && v >= 0 => format!("+{v}"),
                    'd' => v.to_string(),
                    'x' => format!("{v:x}"),
                    'X' => format!("{v:X}"),
                    'o' => format!("{v:o}"),
                    _ => format!("{v:b}"),
                }
            }
            'f' | 'e' | 'E' | 'g' | 'G' => {
                let v = to_number(arg)
                    .map_err(|e| FnError::Failed(format!("unsupported value for %{verb}: {e}")))?;
                match verb {
                    'f' => format!("{v:.*}", prec.unwrap_or(6)),
                    'e' => format!("{v:.*e}", prec.unwrap_or(6)),
                    'E' => format!("{v:.*E}", prec.unwrap_or(6)),
                    _ => match &arg {
                        Value::Number(n) => number_string(n),
                        _ => v.to_string(),
                    },
                }
            }
            other => {
                return Err(FnError::Failed(format!(
                    "unrecognized format character {other:?}"
                )))
            }
        };
        let text = match (prec, verb) {
            (Some(p), 's' | 'v' | 'q') => text.chars().take(p).collect(),
            _ => text,
        };
        let w: usize = width.parse().unwrap_or(0);
        let len = text.chars().count();
        if len < w {
            let pad = w - len;
            if flags.contains('-') {
                out.push_str(&text);
                out.push_str(&" ".repeat(pad));
            } else if flags.contains('0') && "dfxXob".contains(verb) {
                let (sign, digits) = text.split_at(usize::from(text.starts_with(['-', '+'])));
                out.push_str(sign);
                out.push_str(&"0".repeat(pad));
                out.push_str(digits);
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(&text);
            }
        } else {
            out.push_str(&text);
        }
    }
    if next_arg < args.len() {
        return Err(FnError::Failed(format!(
            "too many arguments; only {next_arg} used by format string"
        )));
    }
    Ok(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn uuid_v4() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut bytes = [0u8; 16];
    for half in bytes.chunks_mut(8) {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        half.copy_from_slice(&h.finish().to_le_bytes());
    }
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}
