//! Client-side filtering and sorting of large lists (jobs, allocations,
//! nodes). Work is split so a keystroke only filters: the sort order and
//! the lower-cased search keys are computed once per list update, and a
//! filter walks the sorted order keeping matches (so results stay sorted).

mod allocs;
mod jobs;
mod nodes;
mod server;
pub use server::EvalQuery;

pub use allocs::*;
pub use jobs::*;
pub use nodes::*;

/// Every entry's lower-cased search key in one string, so a filter runs
/// one substring search over the whole list instead of one per entry
/// (at 50,000 entries the per-entry setup dominated a keystroke).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchIndex {
    hay: String,
    /// Where each entry's key starts in `hay`; keys end with a `\n`.
    starts: Vec<usize>,
}

impl SearchIndex {
    pub fn new(keys: impl Iterator<Item = String>) -> Self {
        let mut hay = String::new();
        let mut starts = vec![];
        for k in keys {
            starts.push(hay.len());
            // a newline cannot be typed into the search box: it separates
            hay.extend(k.chars().map(|c| if c == '\n' { ' ' } else { c }));
            hay.push('\n');
        }
        SearchIndex { hay, starts }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Which entries contain `needle` (lower-cased, not empty).
    pub fn matches(&self, needle: &str) -> Vec<bool> {
        let mut hit = vec![false; self.starts.len()];
        if needle.is_empty() || needle.contains('\n') {
            return hit;
        }
        let mut entry = 0;
        let mut pos = 0;
        while let Some(off) = self.hay[pos..].find(needle) {
            let at = pos + off;
            // the entry holding `at`: the last start at or before it
            entry += self.starts[entry..].partition_point(|&s| s <= at) - 1;
            hit[entry] = true;
            // go on from the next entry
            match self.starts.get(entry + 1) {
                Some(&next) => pos = next,
                None => break,
            }
        }
        hit
    }

    /// The entries of `order` that contain `text` (trimmed, any case), all
    /// of them when it is empty.
    fn filter<'a>(&'a self, text: &str) -> impl Fn(usize) -> bool + 'a {
        let t = fold(text.trim());
        let hits = (!t.is_empty()).then(|| self.matches(&t));
        move |i| {
            hits.as_ref()
                .is_none_or(|h| h.get(i).copied().unwrap_or(false))
        }
    }
}

/// `s` lower-cased for searching, one character at a time. Unlike
/// `str::to_lowercase` it has no final-sigma rule, so a word matches the
/// same wherever it stands; and it leaves that function's context tables
/// out of the first load.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.chars().flat_map(char::to_lowercase).collect()
    }
}

/// A list's filters as the URL holds them. With [`VIEW_KEYS`] these are
/// all the keys a list reads from its query string, so what asks for the
/// small first page (only when none is set) cannot drift from the table.
pub trait ListUrl: Sized {
    /// The query-string key of each filter, `q` (the text) first.
    const FILTER_KEYS: &'static [&'static str];
    /// The filters from the URL's value of each key (`""` when absent).
    fn from_url(get: impl Fn(&str) -> String) -> Self;
    /// Every key of the list: its filters, then order and page.
    fn url_keys() -> Vec<&'static str> {
        Self::FILTER_KEYS
            .iter()
            .chain(VIEW_KEYS.iter())
            .copied()
            .collect()
    }
}

/// The order and page every list keeps in the URL.
pub const VIEW_KEYS: [&str; 3] = ["sort", "desc", "page"];

/// A namespace as shown: agents before namespaces send none.
pub fn ns_of(ns: &str) -> &str {
    if ns.is_empty() {
        "default"
    } else {
        ns
    }
}

/// Distinct values, sorted, for a facet menu.
pub fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut v: Vec<&str> = values.collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests;
