//! A large JSON array cut into runs of whole elements, so a 47 MB list
//! can be decoded a few milliseconds at a time with input handled in
//! between, instead of in one 190 ms block. The scan only tracks strings
//! and nesting; the decoder still checks everything.

use std::ops::Range;

/// Byte ranges of `body`, a JSON array, each covering whole elements
/// (about `target` bytes of them, the commas between included), so that
/// `[` + `body[range]` + `]` is an array of those elements. `None` when
/// `body` is not one well-nested array: decode it whole, and let the
/// decoder say what is wrong.
pub fn array_chunks(body: &[u8], target: usize) -> Option<Vec<Range<usize>>> {
    let open = body.iter().position(|b| !b.is_ascii_whitespace())?;
    if body[open] != b'[' {
        return None;
    }
    let mut out = vec![];
    let mut start = open + 1;
    let (mut depth, mut in_str, mut escaped) = (1usize, false, false);
    for (i, &b) in body.iter().enumerate().skip(open + 1) {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    if body[start..i].iter().any(|b| !b.is_ascii_whitespace()) {
                        out.push(start..i);
                    }
                    let rest = &body[i + 1..];
                    return rest.iter().all(u8::is_ascii_whitespace).then_some(out);
                }
            }
            b',' if depth == 1 && i - start >= target => {
                out.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// `[` + `body[range]` + `]`.
pub fn array_of(body: &[u8], range: Range<usize>) -> Vec<u8> {
    let mut v = Vec::with_capacity(range.len() + 2);
    v.push(b'[');
    v.extend_from_slice(&body[range]);
    v.push(b']');
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn parts(body: &str, target: usize) -> Option<Vec<Value>> {
        let b = body.as_bytes();
        array_chunks(b, target).map(|rs| {
            rs.into_iter()
                .map(|r| serde_json::from_slice(&array_of(b, r)).unwrap())
                .collect()
        })
    }

    #[test]
    fn cuts_between_elements_only() {
        let body = r#" [{"a":"x,]}","b":[1,2]}, {"c":"\"]"} ,3,"s"] "#;
        let all: Value = serde_json::from_str(body).unwrap();
        for target in [0, 1, 10, 1000] {
            let got = parts(body, target).unwrap();
            let joined: Vec<Value> = got
                .iter()
                .flat_map(|p| p.as_array().unwrap().clone())
                .collect();
            assert_eq!(Value::Array(joined), all, "target {target}");
        }
        assert_eq!(parts(body, 0).unwrap().len(), 4);
        assert_eq!(parts(body, 1000).unwrap().len(), 1);
    }

    #[test]
    fn empty_arrays_and_other_bodies() {
        assert_eq!(array_chunks(b"[]", 10), Some(vec![]));
        assert_eq!(array_chunks(b" [ ] ", 10), Some(vec![]));
        assert_eq!(array_chunks(b"null", 10), None);
        assert_eq!(array_chunks(b"{\"a\":1}", 10), None);
        assert_eq!(array_chunks(b"[1,2", 10), None);
        assert_eq!(array_chunks(b"[1]]", 10), None);
        assert_eq!(array_chunks(b"", 10), None);
    }
}
