//! Compiled searches over line text.

/// A compiled search: plain text or a regular expression, with or without
/// case.
#[derive(Clone, Debug)]
pub enum Matcher {
    Text { needle: String, case: bool },
    Regex(regex_lite::Regex),
}

impl Matcher {
    /// `Ok(None)` for an empty pattern; `Err` explains an invalid regex.
    pub fn new(
        pattern: &str,
        regex: bool,
        case_sensitive: bool,
    ) -> Result<Option<Matcher>, String> {
        if pattern.is_empty() {
            return Ok(None);
        }
        if regex {
            regex_lite::RegexBuilder::new(pattern)
                .case_insensitive(!case_sensitive)
                .build()
                .map(|r| Some(Matcher::Regex(r)))
                .map_err(|e| e.to_string())
        } else if case_sensitive || !pattern.is_ascii() {
            Ok(Some(Matcher::Text {
                needle: if case_sensitive {
                    pattern.to_string()
                } else {
                    pattern.to_lowercase()
                },
                case: case_sensitive,
            }))
        } else {
            Ok(Some(Matcher::Text {
                needle: pattern.to_ascii_lowercase(),
                case: false,
            }))
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Matcher::Text { needle, case: true } => text.contains(needle.as_str()),
            Matcher::Text {
                needle,
                case: false,
            } => find_ci(text, needle, 0).is_some(),
            Matcher::Regex(r) => r.is_match(text),
        }
    }

    /// Byte ranges of every match in `text`.
    pub fn find_all(&self, text: &str) -> Vec<(usize, usize)> {
        match self {
            Matcher::Text { needle, case: true } => text
                .match_indices(needle.as_str())
                .map(|(i, m)| (i, i + m.len()))
                .collect(),
            Matcher::Text {
                needle,
                case: false,
            } => {
                let mut out = vec![];
                let mut from = 0;
                while let Some(i) = find_ci(text, needle, from) {
                    out.push((i, i + needle.len()));
                    from = i + needle.len().max(1);
                }
                out
            }
            Matcher::Regex(r) => r
                .find_iter(text)
                .filter(|m| m.end() > m.start())
                .map(|m| (m.start(), m.end()))
                .collect(),
        }
    }
}

/// Case-insensitive find of a lower-cased needle (ASCII fast path; other
/// text is compared through `to_lowercase`, which may change lengths, so
/// matches are then reported on character borders of the original).
fn find_ci(text: &str, needle: &str, from: usize) -> Option<usize> {
    if needle.is_empty() || from > text.len() {
        return None;
    }
    if needle.is_ascii() {
        let (t, n) = (text.as_bytes(), needle.as_bytes());
        if n.len() > t.len() {
            return None;
        }
        let first = n[0];
        (from..=t.len() - n.len()).find(|&i| {
            t[i].to_ascii_lowercase() == first && t[i..i + n.len()].eq_ignore_ascii_case(n)
        })
    } else {
        // compare lower-cased characters as they come: no per-position
        // allocation, O(text × needle) at worst
        text.char_indices()
            .map(|(i, _)| i)
            .filter(|&i| i >= from)
            .find(|&i| {
                let mut lowered = text[i..].chars().flat_map(char::to_lowercase);
                needle.chars().all(|w| lowered.next() == Some(w))
            })
    }
}
