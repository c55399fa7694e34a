//! Search over the held lines: text or regex, matching case or not, only
//! matching lines or every line with the matches highlighted, and stepping
//! through the matches. The query lives in the URL (`q`, `re`, `case`,
//! `mode`) so a view can be shared; it applies to what is loaded and to
//! every line that arrives.

use super::shared::Shared;
use super::state::SetQuery;
use crate::pages::{use_query_param, Debounce};
use leptos::prelude::*;
use nomad_model::logs::{Matcher, ViewQuery};
use std::collections::HashSet;
use std::time::Duration;

#[derive(Clone, Copy)]
pub struct Search {
    sh: Shared,
    set: SetQuery,
    typed: Debounce,
    /// the search box, ahead of the URL's `q` while typing
    pub text: RwSignal<String>,
    pub regex: Memo<bool>,
    pub case: Memo<bool>,
    /// every line shown with matches marked, rather than only matching ones
    pub highlight: Memo<bool>,
    pub regex_error: RwSignal<Option<String>>,
    /// the match stepped to with next/previous
    pub current: RwSignal<Option<u64>>,
}

pub fn use_search(sh: Shared, set: SetQuery) -> Search {
    let q_url = use_query_param("q");
    let re = use_query_param("re");
    let case = use_query_param("case");
    let mode = use_query_param("mode");
    let hide = use_query_param("hide");
    let s = Search {
        sh,
        set,
        typed: Debounce::new(),
        text: RwSignal::new(q_url.get_untracked()),
        regex: Memo::new(move |_| re.get() == "1"),
        case: Memo::new(move |_| case.get() == "1"),
        highlight: Memo::new(move |_| mode.get() == "highlight"),
        regex_error: RwSignal::new(None),
        current: RwSignal::new(None),
    };
    Effect::new(move |_| {
        // a source registered late may be one the URL hides
        let _ = sh.registered.get();
        let m = Matcher::new(&s.text.get(), s.regex.get(), s.case.get());
        let hidden: HashSet<u16> = hide
            .get()
            .split(',')
            .filter(|short| !short.is_empty())
            .filter_map(|short| {
                sh.allocs.with_value(|a| {
                    a.iter()
                        .position(|x| x.starts_with(short))
                        .map(|i| i as u16)
                })
            })
            .collect();
        let matcher = match m {
            Ok(m) => {
                s.regex_error.set(None);
                m
            }
            Err(e) => {
                s.regex_error.set(Some(e));
                None
            }
        };
        let filter = !s.highlight.get();
        sh.store.update_value(|st| {
            st.set_query(ViewQuery {
                matcher,
                filter,
                hidden,
            })
        });
        s.current.set(None);
        sh.bump();
    });
    s
}

/// A URL flag: `1`, or left out when off.
fn flag(on: bool) -> String {
    if on { "1" } else { "" }.to_string()
}

impl Search {
    /// Searches as the user types; the URL follows a moment later, since
    /// rewriting it re-runs the router.
    pub fn input(self, v: String) {
        self.text.set(v.clone());
        let set = self.set;
        self.typed
            .run(Duration::from_millis(300), move || set.run(vec![("q", v)]));
    }

    pub fn toggle_regex(self) {
        self.set
            .run(vec![("re", flag(!self.regex.get_untracked()))]);
    }

    pub fn toggle_case(self) {
        self.set
            .run(vec![("case", flag(!self.case.get_untracked()))]);
    }

    pub fn set_highlight(self, on: bool) {
        let mode = if on { "highlight" } else { "" };
        self.set.run(vec![("mode", mode.to_string())]);
    }

    /// Makes the next (or previous) match current and returns its
    /// position in the view.
    pub fn step(self, forward: bool) -> Option<usize> {
        let id = self
            .sh
            .store
            .with_value(|s| s.next_hit(self.current.get_untracked(), forward))?;
        self.current.set(Some(id));
        Some(self.sh.store.with_value(|s| s.view_position(id)))
    }

    /// "N matching lines", or "i / N lines" once stepping; empty with no query.
    pub fn hit_label(self) -> String {
        self.sh.version.get();
        let cur = self.current.get();
        self.sh.store.with_value(|s| {
            let n = s.hits().len();
            if s.query().matcher.is_none() {
                String::new()
            } else {
                match cur.and_then(|c| s.hits().iter().position(|&x| x == c)) {
                    Some(i) => format!("{} / {n} lines", i + 1),
                    None => format!("{n} matching line{}", if n == 1 { "" } else { "s" }),
                }
            }
        })
    }
}
