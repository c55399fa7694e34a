//! The command palette's entries and their ranking: the pages, what the
//! agent's searches find (`/v1/search/fuzzy` by name, `/v1/search` by ID
//! prefix), and the actions on each find, scored by a fuzzy match of what
//! was typed.

use crate::FuzzySearchResponse;
use std::collections::BTreeMap;

/// Where an entry leads. Actions that change something lead to the page
/// whose button does it, with `do=` asking that page to open the same
/// confirmation its button opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Goto {
    Path(String),
    Job {
        namespace: String,
        id: String,
    },
    Alloc {
        id: String,
        rest: &'static str,
        query: &'static str,
    },
    Node {
        id: String,
        query: &'static str,
    },
    Eval(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub label: String,
    /// what kind of thing, shown beside it
    pub kind: &'static str,
    pub goto: Goto,
}

/// The pages, with the words that find them.
pub const PAGES: [(&str, &str); 13] = [
    ("Jobs", "/jobs"),
    ("Run a job", "/jobs/new"),
    ("Allocations", "/allocations"),
    ("Clients", "/clients"),
    ("Topology", "/topology"),
    ("Services", "/services"),
    ("Evaluations", "/evaluations"),
    ("Servers", "/servers"),
    ("Node pools", "/pools"),
    ("Activity", "/activity"),
    ("Problems", "/problems"),
    ("ACL token", "/settings/tokens"),
    ("Agent log", "/agent/log"),
];

pub fn pages() -> Vec<Entry> {
    PAGES
        .iter()
        .map(|(label, path)| Entry {
            label: (*label).to_string(),
            kind: "page",
            goto: Goto::Path((*path).to_string()),
        })
        .collect()
}

/// A fuzzy score of `query` in `text`: every query character in order,
/// more for runs, word starts and an early start; `None` when it does not
/// match. Case-insensitive.
pub fn score(query: &str, text: &str) -> Option<u32> {
    let q: Vec<char> = query
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .collect();
    if q.is_empty() {
        return Some(0);
    }
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let (mut qi, mut total, mut run, mut first) = (0, 0u32, 0u32, None);
    for (ti, c) in t.iter().enumerate() {
        if qi < q.len() && *c == q[qi] {
            first.get_or_insert(ti);
            run += 1;
            let word_start = ti == 0 || !t[ti - 1].is_alphanumeric();
            total += 1 + run * 2 + if word_start { 6 } else { 0 };
            qi += 1;
        } else {
            run = 0;
        }
    }
    (qi == q.len()).then(|| {
        let early = 20u32.saturating_sub(first.unwrap_or(0) as u32);
        let exact = if t.len() == q.len() { 30 } else { 0 };
        total + early + exact
    })
}

/// The entries that match `query`, best first, at most `limit`.
pub fn rank(query: &str, entries: &[Entry], limit: usize) -> Vec<usize> {
    let mut scored: Vec<(u32, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| score(query, &e.label).map(|s| (s, i)))
        .collect();
    // stable: equal scores keep the order the entries came in
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    scored.into_iter().take(limit).map(|(_, i)| i).collect()
}

fn matches(resp: &FuzzySearchResponse, ctx: &str) -> Vec<(String, Vec<String>)> {
    resp.matches
        .get(ctx)
        .cloned()
        .flatten()
        .unwrap_or_default()
        .into_iter()
        .map(|m| (m.id, m.scope))
        .collect()
}

/// What to ask the agent's search for: the agent matches a substring of
/// names, so the words that name an action ("restart", "logs of", …) are
/// left out.
pub fn search_terms(query: &str) -> String {
    const VERBS: [&str; 10] = [
        "restart",
        "logs",
        "log",
        "of",
        "exec",
        "into",
        "drain",
        "client",
        "allocation",
        "open",
    ];
    query
        .split_whitespace()
        .filter(|w| !VERBS.contains(&w.to_lowercase().as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Entries for what a search found, with the actions on each.
pub fn found(resp: &FuzzySearchResponse) -> Vec<Entry> {
    let mut out = vec![];
    // a fuzzy job match is the job's name; its scope is namespace and ID
    for (name, scope) in matches(resp, "jobs") {
        let namespace = scope.first().cloned().unwrap_or_else(|| "default".into());
        let id = scope.get(1).cloned().unwrap_or_else(|| name.clone());
        out.push(Entry {
            label: name,
            kind: "job",
            goto: Goto::Job { namespace, id },
        });
    }
    // fuzzy answers name allocations (scope: namespace, ID); prefix
    // answers give the ID itself
    for (name, scope) in matches(resp, "allocs") {
        let id = scope.get(1).cloned().unwrap_or_else(|| name.clone());
        let short = crate::format::short_id(&id);
        let what = if name == id {
            short.to_string()
        } else {
            format!("{name} ({short})")
        };
        for (label, kind, rest, query) in [
            (what.clone(), "allocation", "", ""),
            (format!("Logs of {what}"), "logs", "/logs", ""),
            (format!("Exec into {what}"), "exec", "/exec", ""),
            (
                format!("Restart allocation {what}…"),
                "action",
                "",
                "do=restart",
            ),
        ] {
            out.push(Entry {
                label,
                kind,
                goto: Goto::Alloc {
                    id: id.clone(),
                    rest,
                    query,
                },
            });
        }
    }
    for (name, scope) in matches(resp, "nodes") {
        let id = scope.first().cloned().unwrap_or_else(|| name.clone());
        for (label, kind, query) in [
            (name.clone(), "client", ""),
            (format!("Drain client {name}…"), "action", "do=drain"),
        ] {
            out.push(Entry {
                label,
                kind,
                goto: Goto::Node {
                    id: id.clone(),
                    query,
                },
            });
        }
    }
    for (id, _) in matches(resp, "evals") {
        out.push(Entry {
            label: format!("Evaluation {}", crate::format::short_id(&id)),
            kind: "evaluation",
            goto: Goto::Eval(id),
        });
    }
    out
}

/// A prefix search's answer (`{"Matches": {"evals": ["<id>", …]}}`) in the
/// fuzzy answer's shape, so [`found`] reads both.
pub fn from_prefix(matches: &BTreeMap<String, Option<Vec<String>>>) -> FuzzySearchResponse {
    FuzzySearchResponse {
        matches: matches
            .iter()
            .map(|(ctx, ids)| {
                let v = ids
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|id| crate::FuzzyMatch { id, scope: vec![] })
                    .collect();
                (ctx.clone(), Some(v))
            })
            .collect(),
        truncations: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_scores_prefer_word_starts_runs_and_exact() {
        assert!(score("wf", "web-frontend").is_some());
        assert!(score("fw", "web-frontend").is_none());
        assert!(score("jobs", "Jobs") > score("jobs", "Run a job"));
        assert!(score("web", "web-frontend") > score("web", "old-dashboard-web"));
        assert_eq!(score("", "anything"), Some(0));
        let entries = pages();
        let top = rank("topo", &entries, 3);
        assert_eq!(entries[top[0]].label, "Topology");
        assert_eq!(entries[rank("evals", &entries, 1)[0]].label, "Evaluations");
    }

    #[test]
    fn a_search_answer_becomes_entries_with_their_actions() {
        let resp: FuzzySearchResponse = serde_json::from_value(serde_json::json!({
            "Matches": {
                "jobs": [{"ID": "Web frontend", "Scope": ["prod", "web"]}],
                "allocs": [{"ID": "web.web[0]", "Scope": ["prod", "0123456789abcdef"]}],
                "nodes": [{"ID": "client-1", "Scope": ["n-1"]}],
                "tasks": null
            }
        }))
        .unwrap();
        let e = found(&resp);
        assert_eq!(
            e[0].goto,
            Goto::Job {
                namespace: "prod".into(),
                id: "web".into()
            }
        );
        assert!(e
            .iter()
            .any(|x| x.label == "Restart allocation web.web[0] (01234567)…"
                && x.goto
                    == Goto::Alloc {
                        id: "0123456789abcdef".into(),
                        rest: "",
                        query: "do=restart"
                    }));
        assert!(e.iter().any(|x| x.label == "Logs of web.web[0] (01234567)"));
        assert!(e.iter().any(|x| x.label == "Drain client client-1…"
            && x.goto
                == Goto::Node {
                    id: "n-1".into(),
                    query: "do=drain"
                }));
        let mut m = BTreeMap::new();
        m.insert("evals".to_string(), Some(vec!["abcdef12-3456".to_string()]));
        let e = found(&from_prefix(&m));
        assert_eq!(e[0].label, "Evaluation abcdef12");
        assert_eq!(search_terms("Restart web.api"), "web.api");
        assert_eq!(search_terms("logs of web"), "web");
    }
}
