//! Diagnostics shaped like HashiCorp HCL's `hcl.Diagnostic.Error()`:
//! `<file>:<line>,<col>-<endcol>: <summary>; <detail>`, or `<nil>: ...` when
//! the diagnostic has no subject range (as Go prints a nil `*hcl.Range`).

use std::ops::Range;

/// One error diagnostic. The location is rendered when the diagnostic is
/// created, because diagnostics may point into different sources (the job
/// file or the variables content).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Diag {
    pub loc: Option<String>,
    pub summary: String,
    pub detail: String,
}

impl Diag {
    pub fn new(loc: Option<String>, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diag {
            loc,
            summary: summary.into(),
            detail: detail.into(),
        }
    }

    /// A diagnostic without a subject range.
    pub fn nil(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diag::new(None, summary, detail)
    }

    pub fn render(&self) -> String {
        let loc = self.loc.as_deref().unwrap_or("<nil>");
        format!("{loc}: {}; {}", self.summary, self.detail)
    }
}

/// A named source text, used to turn byte spans into HCL-style ranges.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl<'a> Source<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Self {
        Source { name, text }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn pos(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// Render a byte span the way `hcl.Range.String()` does.
    pub fn range(&self, span: &Range<usize>) -> String {
        let (l1, c1) = self.pos(span.start);
        let (l2, c2) = self.pos(span.end.max(span.start));
        if l1 == l2 {
            format!("{}:{l1},{c1}-{c2}", self.name)
        } else {
            format!("{}:{l1},{c1}-{l2},{c2}", self.name)
        }
    }

    pub fn loc(&self, span: Option<Range<usize>>) -> Option<String> {
        span.map(|s| self.range(&s))
    }

    pub fn diag(
        &self,
        span: Option<Range<usize>>,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Diag {
        Diag::new(self.loc(span), summary, detail)
    }

    /// The source text covered by a span, if the span is valid.
    pub fn slice(&self, span: &Range<usize>) -> Option<&'a str> {
        self.text.get(span.clone())
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Join diagnostics one per line, as jobspec2's `decode` does for body errors.
pub(crate) fn join(diags: &[Diag]) -> String {
    diags
        .iter()
        .map(Diag::render)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Levenshtein distance, used for "Did you mean ...?" suggestions.
pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// hcl's `nameSuggestion`: the first candidate within distance 2.
pub(crate) fn suggest<'s>(
    given: &str,
    candidates: impl IntoIterator<Item = &'s str>,
) -> Option<&'s str> {
    candidates.into_iter().find(|c| levenshtein(given, c) < 3)
}

/// Turn an hcl-edit parse error into a Nomad-shaped syntax diagnostic.
pub(crate) fn syntax_error(name: &str, err: &hcl::edit::parser::Error) -> Diag {
    let loc = err.location();
    let (line, col) = (loc.line(), loc.column());
    let range = format!("{name}:{line},{col}-{}", col + 1);
    let message = err.message();
    if message.contains("redefined attribute") {
        let key: String = err
            .line()
            .chars()
            .skip(col.saturating_sub(1))
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        return Diag::new(
            Some(range),
            "Attribute redefined",
            format!("The argument {key:?} was already set. Each argument may be set only once."),
        );
    }
    let (summary, detail) = match message.split_once("; ") {
        Some((s, d)) => (capitalize(s), format!("{}.", capitalize(d))),
        None => (
            "Invalid HCL syntax".to_string(),
            format!("{}.", capitalize(message)),
        ),
    };
    Diag::new(Some(range), summary, detail)
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
