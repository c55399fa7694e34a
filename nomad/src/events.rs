//! The event stream (`/v1/event/stream`, Nomad 1.0+): newline-delimited
//! JSON, one batch of events per raft index, `{}` lines as heartbeats. The
//! decoder takes the body in whatever chunks the network delivers and
//! yields whole lines; a line it cannot read is reported and skipped, so
//! one bad frame never ends the stream.

use serde::Deserialize;
use serde_json::Value;

/// One event (`structs.Event`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Event {
    /// `Job`, `Allocation`, `Evaluation`, `Deployment`, `Node`, `NodePool`, ...
    #[serde(deserialize_with = "crate::de::nd")]
    pub topic: String,
    /// `JobRegistered`, `AllocationUpdated`, ...
    #[serde(rename = "Type", deserialize_with = "crate::de::nd")]
    pub event_type: String,
    #[serde(deserialize_with = "crate::de::nd")]
    pub key: String,
    #[serde(deserialize_with = "crate::de::nd")]
    pub namespace: String,
    #[serde(deserialize_with = "crate::de::nd")]
    pub filter_keys: Vec<String>,
    #[serde(deserialize_with = "crate::de::int")]
    pub index: u64,
    /// `{"Job": …}`, `{"Allocation": …}`, ...: decoded by whoever applies
    /// the event, into the slim type it keeps.
    pub payload: Value,
}

/// What one line of the stream carries.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamItem {
    /// The events of one raft index.
    Batch {
        index: u64,
        events: Vec<Event>,
    },
    Heartbeat,
    /// A line that is not an event batch, with why.
    Invalid(String),
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Line {
    #[serde(deserialize_with = "crate::de::int")]
    index: u64,
    #[serde(deserialize_with = "crate::de::nd")]
    events: Vec<Event>,
}

/// Reads ndjson from chunks; holds a partial line between chunks.
#[derive(Default)]
pub struct EventDecoder {
    pending: Vec<u8>,
    /// The index of the last batch read: where a reconnect resumes.
    last_index: u64,
}

/// A line longer than this is not an event batch Yurt can use (the agent
/// batches per index); it is dropped rather than held.
pub const MAX_LINE: usize = 64 * 1024 * 1024;

impl EventDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder whose stream resumes after `index`.
    pub fn resume_after(index: u64) -> Self {
        Self {
            pending: vec![],
            last_index: index,
        }
    }

    /// The index to resume from after a dropped connection.
    pub fn last_index(&self) -> u64 {
        self.last_index
    }

    /// Feeds a chunk; complete lines come out in order.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<StreamItem>) {
        let mut rest = chunk;
        while let Some(nl) = rest.iter().position(|b| *b == b'\n') {
            let line = if self.pending.is_empty() {
                &rest[..nl]
            } else {
                self.pending.extend_from_slice(&rest[..nl]);
                &self.pending[..]
            };
            let item = decode_line(line);
            self.pending.clear();
            if let Some(item) = item {
                if let StreamItem::Batch { index, .. } = &item {
                    self.last_index = self.last_index.max(*index);
                }
                out.push(item);
            }
            rest = &rest[nl + 1..];
        }
        if self.pending.len() + rest.len() > MAX_LINE {
            self.pending.clear();
            out.push(StreamItem::Invalid(format!(
                "a line over {} MiB was dropped",
                MAX_LINE >> 20
            )));
        } else {
            self.pending.extend_from_slice(rest);
        }
    }
}

/// One line: blank lines are nothing, `{}` a heartbeat.
fn decode_line(line: &[u8]) -> Option<StreamItem> {
    let text = match std::str::from_utf8(line) {
        Ok(t) => t.trim(),
        Err(e) => return Some(StreamItem::Invalid(format!("not UTF-8: {e}"))),
    };
    if text.is_empty() {
        return None;
    }
    if text == "{}" {
        return Some(StreamItem::Heartbeat);
    }
    Some(match serde_json::from_str::<Line>(text) {
        Ok(l) => StreamItem::Batch {
            index: l.index,
            events: l.events,
        },
        Err(e) => StreamItem::Invalid(format!("unreadable event line: {e}")),
    })
}

/// What a stream subscribes to: `topic=Topic:Key` pairs and a namespace
/// (the agent reads no `namespace` as `default`, so it is always sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub topics: Vec<(String, String)>,
    pub namespace: String,
}

const WATCHED: [&str; 5] = ["Job", "Allocation", "Evaluation", "Deployment", "Node"];

impl Subscription {
    /// Every watched topic in `namespace` (`*` for all of them).
    pub fn cluster(namespace: &str) -> Self {
        Self {
            topics: WATCHED
                .iter()
                .map(|t| (t.to_string(), "*".into()))
                .collect(),
            namespace: namespace.into(),
        }
    }

    /// One job and what hangs off it: the agent matches a key against an
    /// event's `Key` or its `FilterKeys`, and allocations, evaluations and
    /// deployments carry their job's ID there. An ID the `Topic:Key` syntax
    /// cannot carry (a `:` in it) falls back to every key.
    pub fn job(namespace: &str, id: &str) -> Self {
        Self::keyed(
            namespace,
            &["Job", "Allocation", "Evaluation", "Deployment"],
            id,
        )
    }

    /// `topics`, each with `key`: one the `Topic:Key` syntax cannot carry
    /// (a `:` in it) falls back to every key.
    pub fn keyed(namespace: &str, topics: &[&str], key: &str) -> Self {
        let key = if key.contains(':') { "*" } else { key };
        Self {
            topics: topics.iter().map(|t| (t.to_string(), key.into())).collect(),
            namespace: namespace.into(),
        }
    }

    /// One node and the allocations of `namespace`: allocation events do
    /// not name their node in `FilterKeys`, so those are filtered here.
    pub fn node(namespace: &str, id: &str) -> Self {
        Self {
            topics: vec![
                ("Node".into(), id.into()),
                ("Allocation".into(), "*".into()),
            ],
            namespace: namespace.into(),
        }
    }

    /// Whether the agent sends `ev` on this subscription: its topic and
    /// its `Key` or one of its `FilterKeys` asked for (`*` for any), in
    /// the namespace (node events have none).
    pub fn matches(&self, ev: &Event) -> bool {
        let ns = self.namespace == "*" || ev.namespace.is_empty() || ev.namespace == self.namespace;
        ns && self.topics.iter().any(|(t, k)| {
            (t == "*" || *t == ev.topic)
                && (k == "*" || *k == ev.key || ev.filter_keys.iter().any(|f| f == k))
        })
    }

    /// One subscription covering all of `subs`: each topic with every key
    /// asked for, or `*` once any asks for all; their namespace when they
    /// share one, else `*`. `None` for none.
    pub fn union<'a>(subs: impl IntoIterator<Item = &'a Subscription>) -> Option<Subscription> {
        use std::collections::{BTreeMap, BTreeSet};
        let mut topics: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut namespace: Option<&str> = None;
        let mut any = false;
        for s in subs {
            any = true;
            for (t, k) in &s.topics {
                topics.entry(t).or_default().insert(k);
            }
            // node events have no namespace: such views do not choose one
            if s.topics.iter().all(|(t, _)| t == "Node" || t == "NodePool") {
                continue;
            }
            namespace = match namespace {
                None => Some(&s.namespace),
                Some(n) if n == s.namespace => Some(n),
                Some(_) => Some("*"),
            };
        }
        if !any {
            return None;
        }
        let namespace = namespace.unwrap_or("default").to_string();
        let topics = topics
            .into_iter()
            .flat_map(|(t, keys)| {
                let keys: Vec<&str> = if keys.contains("*") {
                    vec!["*"]
                } else {
                    keys.into_iter().collect()
                };
                keys.into_iter()
                    .map(move |k| (t.to_string(), k.to_string()))
            })
            .collect();
        Some(Subscription { topics, namespace })
    }

    /// The same without `topics`.
    pub fn without(&self, topics: &[&str]) -> Subscription {
        Subscription {
            topics: self
                .topics
                .iter()
                .filter(|(t, _)| !topics.contains(&t.as_str()))
                .cloned()
                .collect(),
            namespace: self.namespace.clone(),
        }
    }

    /// The query, resuming after `index`.
    pub fn query(&self, index: u64) -> Vec<(&'static str, String)> {
        let mut q: Vec<(&'static str, String)> = self
            .topics
            .iter()
            .map(|(t, k)| ("topic", format!("{t}:{k}")))
            .collect();
        q.push(("namespace", self.namespace.clone()));
        if index > 0 {
            q.push(("index", index.to_string()));
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BATCH: &str = r#"{"Index":12,"Events":[{"Topic":"Job","Type":"JobRegistered","Key":"web","Namespace":"default","FilterKeys":null,"Index":12,"Payload":{"Job":{"ID":"web"}}}]}"#;

    fn decode_all(chunks: &[&[u8]]) -> (Vec<StreamItem>, u64) {
        let mut d = EventDecoder::new();
        let mut out = vec![];
        for c in chunks {
            d.push(c, &mut out);
        }
        (out, d.last_index())
    }

    // command/agent/event_endpoint.go writes one JSON object and "\n" per
    // batch, `{}` for heartbeats.
    #[test]
    fn batches_and_heartbeats_in_any_chunking() {
        let body = format!("{BATCH}\n{{}}\n\n{BATCH}\n");
        let whole = decode_all(&[body.as_bytes()]);
        assert_eq!(whole.0.len(), 3);
        assert_eq!(whole.0[1], StreamItem::Heartbeat);
        assert_eq!(whole.1, 12);
        let StreamItem::Batch { index, events } = &whole.0[0] else {
            panic!("{:?}", whole.0[0])
        };
        assert_eq!(
            (
                *index,
                events[0].event_type.as_str(),
                events[0].key.as_str()
            ),
            (12, "JobRegistered", "web")
        );
        assert_eq!(events[0].payload["Job"]["ID"], "web");
        assert!(events[0].filter_keys.is_empty());
        for split in 1..body.len() {
            let (a, b) = body.as_bytes().split_at(split);
            assert_eq!(decode_all(&[a, b]).0, whole.0, "split at {split}");
        }
    }

    #[test]
    fn a_bad_line_is_reported_and_the_stream_goes_on() {
        let body = format!("{{\"Index\":\n\u{ff}\n{BATCH}\n");
        let mut d = EventDecoder::new();
        let mut out = vec![];
        d.push(body.as_bytes(), &mut out);
        d.push(b"\xff\xfe\n", &mut out);
        assert!(matches!(out[0], StreamItem::Invalid(_)));
        assert!(matches!(out[2], StreamItem::Batch { index: 12, .. }));
        assert!(matches!(out[3], StreamItem::Invalid(ref m) if m.starts_with("not UTF-8")));
    }

    #[test]
    fn subscriptions_name_their_topics_namespace_and_resume_index() {
        let job = Subscription::job("prod", "web");
        assert_eq!(
            job.query(0),
            vec![
                ("topic", "Job:web".to_string()),
                ("topic", "Allocation:web".to_string()),
                ("topic", "Evaluation:web".to_string()),
                ("topic", "Deployment:web".to_string()),
                ("namespace", "prod".to_string()),
            ]
        );
        assert_eq!(
            Subscription::cluster("*").query(40).last(),
            Some(&("index", "40".to_string()))
        );
        assert!(Subscription::job("default", "a:b")
            .topics
            .iter()
            .all(|(_, k)| k == "*"));
        assert_eq!(
            Subscription::node("*", "n1").query(0)[0],
            ("topic", "Node:n1".to_string())
        );
    }

    #[test]
    fn a_union_covers_each_view_and_matches_as_the_agent_does() {
        let u = Subscription::union([
            &Subscription::job("prod", "web"),
            &Subscription::node("prod", "n1"),
            &Subscription {
                topics: vec![("Node".into(), "*".into())],
                namespace: "default".into(),
            },
        ])
        .unwrap();
        assert_eq!(u.namespace, "prod");
        assert!(u.topics.contains(&("Node".to_string(), "*".to_string())));
        assert!(!u.topics.contains(&("Node".to_string(), "n1".to_string())));
        assert!(u
            .topics
            .contains(&("Allocation".to_string(), "*".to_string())));
        assert!(u.topics.contains(&("Job".to_string(), "web".to_string())));
        let other = Subscription::union([&u, &Subscription::cluster("dev")]).unwrap();
        assert_eq!(other.namespace, "*");
        assert_eq!(Subscription::union([]), None);
        let ev = |topic: &str, key: &str, ns: &str, fk: &[&str]| Event {
            topic: topic.into(),
            key: key.into(),
            namespace: ns.into(),
            filter_keys: fk.iter().map(|s| s.to_string()).collect(),
            ..Event::default()
        };
        let job = Subscription::job("prod", "web");
        assert!(job.matches(&ev("Allocation", "a1", "prod", &["web", ""])));
        assert!(!job.matches(&ev("Allocation", "a1", "dev", &["web", ""])));
        assert!(!job.matches(&ev("Job", "api", "prod", &[])));
        assert!(Subscription::node("prod", "n1").matches(&ev("Node", "n1", "", &[])));
        assert_eq!(
            u.without(&["Node"])
                .topics
                .iter()
                .filter(|(t, _)| t == "Node")
                .count(),
            0
        );
    }
}
