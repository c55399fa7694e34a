//! Keeping a loaded list current from the event stream: which row an
//! event touches, rows taken straight from an event's payload where it
//! carries everything the row shows, and otherwise a small re-read of just
//! the touched rows through a `filter` expression (Nomad 1.3+). Pure, so
//! the UI's store is tested here natively.

use crate::events::Event;
use crate::lists::{AllocPlacement, AllocRow};
use crate::{JobListStub, NodeListStub};
use serde::de::DeserializeOwned;
use std::collections::{HashMap, HashSet};

/// A row a list keeps live.
pub trait LiveRow: Clone + DeserializeOwned + 'static {
    /// The topics whose events change rows of this list; by default the
    /// first is the rows' own, keyed by their ID.
    const TOPICS: &'static [&'static str];
    /// The key without building it, where the row holds it as is (its ID):
    /// lists of 50,000 rows are scanned per batch of events.
    fn key_ref(&self) -> Option<&str>;
    /// What identifies a row (jobs: namespace and ID; others: the ID).
    fn row_key(&self) -> String {
        self.key_ref().unwrap_or_default().to_string()
    }
    /// The rows `ev` changes: by default the one its key names, for an
    /// event of the rows' own topic.
    fn keys_of(ev: &Event) -> Vec<String> {
        (ev.topic == Self::TOPICS[0])
            .then(|| ev.key.clone())
            .into_iter()
            .collect()
    }
    /// The row as the event's payload carries it, when it carries all of
    /// it; `None` means the row is re-read. `old` fills what the payload
    /// leaves out.
    fn from_event(_ev: &Event, _old: Option<&Self>) -> Option<Self> {
        None
    }
    /// A `filter` expression matching exactly the rows `keys` (by ID).
    fn filter(keys: &[String]) -> String {
        keys.iter()
            .map(|k| format!("ID == {}", quote(k)))
            .collect::<Vec<_>>()
            .join(" or ")
    }
    /// Whether `ev` changes what the row shows of its object; `false`
    /// when it only moves counts the agent derives (a job's summary from
    /// its allocations), which may be re-read in batches.
    fn urgent(_ev: &Event) -> bool {
        true
    }
}

/// A string as go-bexpr reads it: double quotes, `\"` and `\\` escaped.
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

fn job_key(namespace: &str, id: &str) -> String {
    format!("{}/{id}", crate::lists::ns_of(namespace))
}

impl LiveRow for JobListStub {
    // Allocations and evaluations change a job's summary (counts, queued).
    const TOPICS: &'static [&'static str] = &["Job", "Allocation", "Evaluation"];
    fn key_ref(&self) -> Option<&str> {
        None
    }
    fn row_key(&self) -> String {
        job_key(&self.namespace, &self.id)
    }
    fn keys_of(ev: &Event) -> Vec<String> {
        match ev.topic.as_str() {
            "Job" => {
                let mut keys = vec![job_key(&ev.namespace, &ev.key)];
                // a dispatched or periodic child counts in its parent's summary
                if let Some(p) = ev.payload["Job"]["ParentID"].as_str() {
                    if !p.is_empty() {
                        keys.push(job_key(&ev.namespace, p));
                    }
                }
                keys
            }
            // both carry their job's ID first in FilterKeys
            "Allocation" | "Evaluation" => ev
                .filter_keys
                .first()
                .filter(|j| !j.is_empty())
                .map(|j| vec![job_key(&ev.namespace, j)])
                .unwrap_or_default(),
            _ => vec![],
        }
    }
    fn urgent(ev: &Event) -> bool {
        ev.topic == "Job"
    }
    fn filter(keys: &[String]) -> String {
        keys.iter()
            .filter_map(|k| k.split_once('/'))
            .map(|(ns, id)| format!("(Namespace == {} and ID == {})", quote(ns), quote(id)))
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

// The stub's version, drivers and resources are derived by the agent: its
// rows are re-read rather than rebuilt from the node in the event.
impl LiveRow for NodeListStub {
    const TOPICS: &'static [&'static str] = &["Node"];
    fn key_ref(&self) -> Option<&str> {
        Some(&self.id)
    }
}

fn alloc_payload<R: DeserializeOwned>(ev: &Event) -> Option<R> {
    (ev.topic == "Allocation")
        .then(|| R::deserialize(&ev.payload["Allocation"]).ok())
        .flatten()
}

impl LiveRow for AllocRow {
    const TOPICS: &'static [&'static str] = &["Allocation"];
    fn key_ref(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn from_event(ev: &Event, old: Option<&Self>) -> Option<Self> {
        let mut row: AllocRow = alloc_payload(ev)?;
        // events carry the allocation without its job: keep the job's type
        if row.job_type.is_empty() {
            if let Some(o) = old {
                row.job_type = o.job_type.clone();
            }
        }
        Some(row)
    }
}

impl LiveRow for crate::topology::TopoNode {
    const TOPICS: &'static [&'static str] = &["Node"];
    fn key_ref(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl LiveRow for crate::topology::TopoAlloc {
    const TOPICS: &'static [&'static str] = &["Allocation"];
    fn key_ref(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn from_event(ev: &Event, _old: Option<&Self>) -> Option<Self> {
        alloc_payload(ev)
    }
}

impl LiveRow for AllocPlacement {
    const TOPICS: &'static [&'static str] = &["Allocation"];
    fn key_ref(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn from_event(ev: &Event, _old: Option<&Self>) -> Option<Self> {
        alloc_payload(ev)
    }
}

/// What applying a run of events left to do.
#[derive(Debug, Default, PartialEq)]
pub struct Applied {
    /// Rows changed in place.
    pub changed: usize,
    /// Rows to re-read (sorted, distinct).
    pub reread: Vec<String>,
    /// Rows whose derived counts changed, not in `reread` (sorted).
    pub later: Vec<String>,
}

/// Applies `events` to `rows`: rows the payload carries are replaced or
/// appended, the keys of the others are returned for a re-read.
pub fn apply<R: LiveRow>(rows: &mut Vec<R>, events: &[&Event]) -> Applied {
    // positions of the rows these events touch, found in one scan
    let touched: HashSet<String> = events.iter().flat_map(|e| R::keys_of(e)).collect();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let hit = match r.key_ref() {
            Some(k) => touched.contains(k).then(|| k.to_string()),
            None => Some(r.row_key()).filter(|k| touched.contains(k)),
        };
        if let Some(k) = hit {
            at.insert(k, i);
        }
    }
    let mut reread = HashSet::new();
    let mut later = HashSet::new();
    let mut changed = 0;
    for ev in events {
        for key in R::keys_of(ev) {
            let old = at.get(&key).map(|&i| &rows[i]);
            match R::from_event(ev, old) {
                Some(row) if row.row_key() == key => {
                    match at.get(&key) {
                        Some(&i) => rows[i] = row,
                        None => {
                            at.insert(key, rows.len());
                            rows.push(row);
                        }
                    }
                    changed += 1;
                }
                _ if R::urgent(ev) => {
                    reread.insert(key);
                }
                _ => {
                    later.insert(key);
                }
            }
        }
    }
    let mut later: Vec<String> = later.into_iter().filter(|k| !reread.contains(k)).collect();
    later.sort_unstable();
    let mut reread: Vec<String> = reread.into_iter().collect();
    reread.sort_unstable();
    Applied {
        changed,
        reread,
        later,
    }
}

/// Merges the answer to a re-read of `keys`: rows present are replaced or
/// added, keys asked for and absent are removed (a purged job, a
/// deregistered node).
pub fn merge<R: LiveRow>(rows: &mut Vec<R>, keys: &[String], fresh: Vec<R>) {
    let asked: HashSet<&str> = keys.iter().map(String::as_str).collect();
    let mut fresh: HashMap<String, R> = fresh.into_iter().map(|r| (r.row_key(), r)).collect();
    rows.retain_mut(|r| {
        let k = r.row_key();
        match fresh.remove(&k) {
            Some(n) => {
                *r = n;
                true
            }
            None => !asked.contains(k.as_str()),
        }
    });
    // keys are unique: an unstable sort orders them the same, with less code
    let mut added: Vec<(String, R)> = fresh.into_iter().collect();
    added.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows.extend(added.into_iter().map(|(_, r)| r));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(topic: &str, key: &str, ns: &str, fk: &[&str], payload: serde_json::Value) -> Event {
        Event {
            topic: topic.into(),
            event_type: "X".into(),
            key: key.into(),
            namespace: ns.into(),
            filter_keys: fk.iter().map(|s| s.to_string()).collect(),
            index: 10,
            payload,
        }
    }

    fn alloc(id: &str, status: &str) -> serde_json::Value {
        json!({"Allocation": {"ID": id, "ClientStatus": status, "JobID": "web", "NodeID": "n1", "Job": null}})
    }

    #[test]
    fn allocations_change_and_appear_from_their_payloads() {
        let mut rows: Vec<AllocRow> = serde_json::from_value(
            json!([{"ID": "a", "ClientStatus": "pending", "JobType": "service"}]),
        )
        .unwrap();
        let e1 = ev(
            "Allocation",
            "a",
            "default",
            &["web", ""],
            alloc("a", "running"),
        );
        let e2 = ev(
            "Allocation",
            "b",
            "default",
            &["web", ""],
            alloc("b", "pending"),
        );
        let done = apply(&mut rows, &[&e1, &e2]);
        assert_eq!(
            done,
            Applied {
                changed: 2,
                reread: vec![],
                later: vec![]
            }
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].client_status.as_str(), rows[0].job_type.as_str()),
            ("running", "service")
        );
        assert_eq!(rows[1].id, "b");
    }

    #[test]
    fn job_rows_are_reread_at_once_for_their_own_events_and_later_for_their_allocations() {
        let mut rows: Vec<JobListStub> =
            serde_json::from_value(json!([{"ID": "web", "Namespace": "default"}])).unwrap();
        let events = [
            ev("Job", "web", "default", &[], json!({"Job": {"ID": "web"}})),
            ev(
                "Allocation",
                "x",
                "default",
                &["web", "d1"],
                alloc("x", "running"),
            ),
            ev(
                "Job",
                "batch/dispatch-1",
                "prod",
                &[],
                json!({"Job": {"ParentID": "batch"}}),
            ),
            ev("Evaluation", "e", "prod", &["batch", ""], json!({})),
            ev(
                "Allocation",
                "y",
                "default",
                &["api", ""],
                alloc("y", "failed"),
            ),
        ];
        let refs: Vec<&Event> = events.iter().collect();
        let done = apply(&mut rows, &refs);
        assert_eq!(done.changed, 0);
        assert_eq!(
            done.reread,
            vec!["default/web", "prod/batch", "prod/batch/dispatch-1"]
        );
        // only its summary moved: re-read with the next batch of those
        assert_eq!(done.later, vec!["default/api"]);
        assert_eq!(
            JobListStub::filter(&done.reread[..2]),
            r#"(Namespace == "default" and ID == "web") or (Namespace == "prod" and ID == "batch")"#
        );
    }

    #[test]
    fn a_reread_replaces_adds_and_removes_only_what_was_asked() {
        let mut rows: Vec<NodeListStub> = serde_json::from_value(
            json!([{"ID": "n1", "Status": "ready"}, {"ID": "n2"}, {"ID": "n3"}]),
        )
        .unwrap();
        let fresh: Vec<NodeListStub> =
            serde_json::from_value(json!([{"ID": "n1", "Status": "down"}, {"ID": "n4"}])).unwrap();
        merge(&mut rows, &["n1".into(), "n2".into(), "n4".into()], fresh);
        let ids: Vec<_> = rows
            .iter()
            .map(|r| (r.id.as_str(), r.status.as_str()))
            .collect();
        assert_eq!(ids, vec![("n1", "down"), ("n3", ""), ("n4", "")]);
    }

    #[test]
    fn filters_quote_what_go_bexpr_would_misread() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(
            AllocRow::filter(&["a".into(), "b".into()]),
            r#"ID == "a" or ID == "b""#
        );
    }

    #[test]
    fn a_payload_that_does_not_decode_is_reread() {
        let mut rows: Vec<AllocRow> = vec![];
        let bad = ev(
            "Allocation",
            "a",
            "default",
            &[],
            json!({"Allocation": {"ID": 7}}),
        );
        assert_eq!(apply(&mut rows, &[&bad]).reread, vec!["a".to_string()]);
    }
}
