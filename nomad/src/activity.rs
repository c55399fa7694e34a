//! The activity feed: the cluster's events as they arrive, newest first,
//! with a one-line summary of what changed, filters, a pause that counts
//! what arrived meanwhile, and a bounded memory.

use crate::events::Event;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};

/// What an entry links to.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    Job { namespace: String, id: String },
    Allocation(String),
    Node(String),
    Evaluation(String),
    Deployment(String),
    Other,
}

/// One row of the feed.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Arrival order, for keyed rows.
    pub seq: u64,
    pub index: u64,
    /// When the browser received it (Unix nanoseconds).
    pub at: i64,
    pub topic: String,
    pub event_type: String,
    pub key: String,
    pub namespace: String,
    pub object: Object,
    /// The job an allocation, evaluation or deployment belongs to.
    pub job: String,
    /// The node an allocation runs on.
    pub node: String,
    pub summary: String,
}

/// The filters of the feed (the URL's `topic`, `type`, `ns`, `job`,
/// `node`, `q`); empty matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActivityFilter {
    pub topic: String,
    pub event_type: String,
    pub namespace: String,
    pub job: String,
    pub node: String,
    pub text: String,
}

impl ActivityFilter {
    pub fn matches(&self, e: &Entry) -> bool {
        let eq = |want: &str, have: &str| want.is_empty() || want == have;
        eq(&self.topic, &e.topic)
            && eq(&self.event_type, &e.event_type)
            && eq(&self.namespace, &e.namespace)
            && eq(&self.job, &e.job)
            && eq(&self.node, &e.node)
            && (self.text.is_empty() || {
                let t = crate::lists::fold(&self.text);
                [&e.key, &e.summary, &e.event_type, &e.job]
                    .iter()
                    .any(|s| crate::lists::fold(s).contains(&t))
            })
    }
}

/// The feed's memory: at most `cap` entries, newest first.
pub struct Feed {
    entries: VecDeque<Entry>,
    cap: usize,
    seq: u64,
    /// Entries that arrived since the pause, when paused.
    paused_since: Option<u64>,
    /// The last client status seen per allocation, for "pending → running".
    alloc_status: HashMap<String, String>,
}

/// Allocation statuses remembered for transitions; past this the oldest
/// knowledge is dropped (a summary then shows the status alone).
const STATUS_MEMORY: usize = 50_000;

impl Feed {
    pub fn new(cap: usize) -> Self {
        Feed {
            entries: VecDeque::new(),
            cap: cap.max(1),
            seq: 0,
            paused_since: None,
            alloc_status: HashMap::new(),
        }
    }

    pub fn push(&mut self, ev: &Event, at: i64) {
        self.seq += 1;
        let entry = self.entry(ev, at);
        self.entries.push_front(entry);
        self.entries.truncate(self.cap);
    }

    fn entry(&mut self, ev: &Event, at: i64) -> Entry {
        let p = &ev.payload;
        let (object, job, node, summary) = match ev.topic.as_str() {
            "Job" => {
                let j = &p["Job"];
                let object = Object::Job {
                    namespace: ev.namespace.clone(),
                    id: ev.key.clone(),
                };
                (
                    object,
                    ev.key.clone(),
                    String::new(),
                    job_summary(&ev.event_type, j),
                )
            }
            "Allocation" => {
                let a = &p["Allocation"];
                let status = str_of(a, "ClientStatus").to_string();
                let before = self.alloc_status.insert(ev.key.clone(), status.clone());
                if self.alloc_status.len() > STATUS_MEMORY {
                    self.alloc_status.clear();
                }
                let transition = match before {
                    Some(b) if b != status => format!("{b} → {status}"),
                    _ => status,
                };
                let desired = str_of(a, "DesiredStatus");
                let summary = if desired.is_empty() || desired == "run" {
                    format!("{} {transition}", str_of(a, "Name"))
                } else {
                    format!("{} {transition} (desired {desired})", str_of(a, "Name"))
                };
                let job = first_nonempty(str_of(a, "JobID"), ev.filter_keys.first());
                (
                    Object::Allocation(ev.key.clone()),
                    job,
                    str_of(a, "NodeID").into(),
                    summary,
                )
            }
            "Evaluation" => {
                let e = &p["Evaluation"];
                let summary = format!("{} · {}", str_of(e, "TriggeredBy"), str_of(e, "Status"));
                let job = first_nonempty(str_of(e, "JobID"), ev.filter_keys.first());
                (
                    Object::Evaluation(ev.key.clone()),
                    job,
                    str_of(e, "NodeID").into(),
                    summary,
                )
            }
            "Deployment" => {
                let d = &p["Deployment"];
                let summary = format!(
                    "{} · {}",
                    str_of(d, "Status"),
                    str_of(d, "StatusDescription")
                );
                let job = first_nonempty(str_of(d, "JobID"), ev.filter_keys.first());
                (
                    Object::Deployment(ev.key.clone()),
                    job,
                    String::new(),
                    summary,
                )
            }
            "Node" => {
                let n = &p["Node"];
                let drain = if n["DrainStrategy"].is_object() {
                    "draining"
                } else {
                    "not draining"
                };
                let summary = format!(
                    "{} · {} · {} · {drain}",
                    str_of(n, "Name"),
                    str_of(n, "Status"),
                    str_of(n, "SchedulingEligibility")
                );
                (
                    Object::Node(ev.key.clone()),
                    String::new(),
                    ev.key.clone(),
                    summary,
                )
            }
            _ => (
                Object::Other,
                String::new(),
                String::new(),
                ev.event_type.clone(),
            ),
        };
        Entry {
            seq: self.seq,
            index: ev.index,
            at,
            topic: ev.topic.clone(),
            event_type: ev.event_type.clone(),
            key: ev.key.clone(),
            namespace: ev.namespace.clone(),
            object,
            job,
            node,
            summary,
        }
    }

    /// Entries shown: while paused, those that had arrived at the pause.
    pub fn visible<'a>(
        &'a self,
        filter: &'a ActivityFilter,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        let until = self.paused_since.unwrap_or(u64::MAX);
        self.entries
            .iter()
            .filter(move |e| e.seq <= until && filter.matches(e))
    }

    pub fn pause(&mut self) {
        self.paused_since = Some(self.seq);
    }
    pub fn resume(&mut self) {
        self.paused_since = None;
    }
    pub fn paused(&self) -> bool {
        self.paused_since.is_some()
    }
    /// How many matching entries arrived since the pause.
    pub fn new_since_pause(&self, filter: &ActivityFilter) -> usize {
        match self.paused_since {
            None => 0,
            Some(s) => self
                .entries
                .iter()
                .take_while(|e| e.seq > s)
                .filter(|e| filter.matches(e))
                .count(),
        }
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Values seen, for the filter menus.
    pub fn distinct(&self, f: impl Fn(&Entry) -> &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .entries
            .iter()
            .map(|e| f(e).to_string())
            .filter(|s| !s.is_empty())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn first_nonempty(a: &str, b: Option<&String>) -> String {
    if a.is_empty() {
        b.cloned().unwrap_or_default()
    } else {
        a.to_string()
    }
}

fn job_summary(kind: &str, j: &Value) -> String {
    let version = j.get("Version").and_then(Value::as_u64).unwrap_or(0);
    let status = str_of(j, "Status");
    match kind {
        "JobDeregistered" => "deregistered".to_string(),
        _ if j.get("Stop").and_then(Value::as_bool) == Some(true) => {
            format!("version {version} · stopped")
        }
        _ if status.is_empty() => format!("version {version}"),
        _ => format!("version {version} · {status}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(topic: &str, kind: &str, key: &str, payload: Value) -> Event {
        Event {
            topic: topic.into(),
            event_type: kind.into(),
            key: key.into(),
            namespace: "default".into(),
            filter_keys: vec!["web".into()],
            index: 7,
            payload,
        }
    }

    #[test]
    fn summaries_say_what_changed() {
        let mut f = Feed::new(10);
        f.push(
            &ev(
                "Job",
                "JobRegistered",
                "web",
                json!({"Job": {"Version": 3, "Status": "running"}}),
            ),
            1,
        );
        let alloc = |s: &str| json!({"Allocation": {"Name": "web.web[0]", "ClientStatus": s, "DesiredStatus": "run", "JobID": "web", "NodeID": "n1"}});
        f.push(
            &ev("Allocation", "AllocationUpdated", "a1", alloc("pending")),
            2,
        );
        f.push(
            &ev("Allocation", "AllocationUpdated", "a1", alloc("running")),
            3,
        );
        f.push(&ev("Node", "NodeEligibility", "n1", json!({"Node": {"Name": "c1", "Status": "ready", "SchedulingEligibility": "ineligible"}})), 4);
        let all = ActivityFilter::default();
        let rows: Vec<&str> = f.visible(&all).map(|e| e.summary.as_str()).collect();
        assert_eq!(
            rows,
            [
                "c1 · ready · ineligible · not draining",
                "web.web[0] pending → running",
                "web.web[0] pending",
                "version 3 · running"
            ]
        );
        let e = f.visible(&all).nth(1).unwrap();
        assert_eq!((e.job.as_str(), e.node.as_str()), ("web", "n1"));
        assert_eq!(e.object, Object::Allocation("a1".into()));
    }

    #[test]
    fn filters_pause_and_bounded_memory() {
        let mut f = Feed::new(3);
        for i in 0..5 {
            f.push(&ev("Evaluation", "EvaluationUpdated", &format!("e{i}"), json!({"Evaluation": {"TriggeredBy": "job-register", "Status": "complete", "JobID": "web"}})), i);
        }
        assert_eq!(f.len(), 3, "only the newest are kept");
        f.pause();
        f.push(&ev("Job", "JobRegistered", "api", json!({"Job": {}})), 9);
        let all = ActivityFilter::default();
        assert_eq!(f.visible(&all).count(), 2, "paused: the view stands still");
        assert_eq!(f.new_since_pause(&all), 1);
        let jobs = ActivityFilter {
            topic: "Job".into(),
            ..Default::default()
        };
        assert_eq!(f.new_since_pause(&jobs), 1);
        f.resume();
        assert_eq!(f.visible(&jobs).count(), 1);
        let text = ActivityFilter {
            text: "E4".into(),
            ..Default::default()
        };
        assert_eq!(f.visible(&text).count(), 1);
        assert_eq!(f.distinct(|e| &e.topic), ["Evaluation", "Job"]);
    }
}
