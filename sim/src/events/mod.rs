//! The event broker of `nomad/stream/`: a bounded buffer of event batches
//! (one per raft index, `event_buffer.go`), subscriptions that start where
//! `StartAtClosest` starts them and filter as `subscription.go` filters,
//! and the publisher (`publish.rs`) that turns state changes into the
//! events `nomad/state/events.go` emits.

mod publish;

pub use publish::{Publisher, Removed};

use parking_lot::Mutex;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::sync::watch;

/// `event_buffer_size` of the server config.
pub const DEFAULT_BUFFER_SIZE: usize = 100;

/// `structs.Event`, serialised once when published.
#[derive(Debug)]
pub struct Event {
    pub topic: &'static str,
    pub key: String,
    pub namespace: String,
    pub filter_keys: Option<Vec<String>>,
    /// The whole event as the stream writes it.
    pub json: Vec<u8>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EventHead<'a> {
    topic: &'a str,
    #[serde(rename = "Type")]
    ty: &'a str,
    key: &'a str,
    namespace: &'a str,
    filter_keys: &'a Option<Vec<String>>,
    index: u64,
}

impl Event {
    /// `payload` is the JSON of the payload object (`{"Job": …}`).
    pub fn new(
        topic: &'static str,
        ty: &str,
        key: String,
        namespace: String,
        filter_keys: Option<Vec<String>>,
        index: u64,
        payload: &[u8],
    ) -> Event {
        let mut json = serde_json::to_vec(&EventHead {
            topic,
            ty,
            key: &key,
            namespace: &namespace,
            filter_keys: &filter_keys,
            index,
        })
        .unwrap_or_default();
        json.pop();
        json.extend_from_slice(b",\"Payload\":");
        json.extend_from_slice(payload);
        json.push(b'}');
        Event {
            topic,
            key,
            namespace,
            filter_keys,
            json,
        }
    }
}

/// `structs.Events`: the events of one raft index.
#[derive(Debug)]
pub struct Batch {
    pub index: u64,
    pub events: Vec<Event>,
    /// Position in the buffer's history, to notice what was dropped.
    seq: u64,
}

impl Batch {
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

struct Buffer {
    /// The items held. Before the first overflow the front is the empty
    /// item at index 0 that `newEventBuffer` starts with; the buffer then
    /// keeps `max + 1` items, as `appendItem`/`advanceHead` do.
    items: VecDeque<Arc<Batch>>,
    max: usize,
    next_seq: u64,
}

/// The broker: the buffer and a wake-up for subscribers.
pub struct Broker {
    buf: Mutex<Buffer>,
    tx: watch::Sender<u64>,
    pub publisher: Mutex<Publisher>,
}

impl Broker {
    pub fn new(c: &crate::state::Cluster) -> Broker {
        let mut items = VecDeque::new();
        items.push_back(Arc::new(Batch {
            index: 0,
            events: vec![],
            seq: 0,
        }));
        Broker {
            buf: Mutex::new(Buffer {
                items,
                max: DEFAULT_BUFFER_SIZE,
                next_seq: 1,
            }),
            tx: watch::channel(0).0,
            publisher: Mutex::new(Publisher::new(c)),
        }
    }

    pub fn set_max(&self, max: usize) {
        self.buf.lock().max = max.max(1);
    }

    /// Publishes what changed in `c` since the last call (under the write
    /// lock, so batches go out in index order).
    pub fn publish(&self, c: &mut crate::state::Cluster) {
        let batches = self.publisher.lock().collect(c);
        if batches.is_empty() {
            return;
        }
        let mut b = self.buf.lock();
        for (index, events) in batches {
            let seq = b.next_seq;
            b.next_seq += 1;
            b.items.push_back(Arc::new(Batch { index, events, seq }));
            while b.items.len() - 1 > b.max {
                b.items.pop_front();
            }
        }
        let last = b.next_seq;
        drop(b);
        self.tx.send_replace(last);
    }

    /// Streams subscribed right now.
    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }

    pub fn watch(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }

    /// `Subscribe` with `StartAtClosest`: index 0 starts at the head; any
    /// other starts at the first item at or after it, at the head when it
    /// is older than the buffer, and at the tail when it is newer than all.
    pub fn start_seq(&self, index: u64) -> u64 {
        let b = self.buf.lock();
        let head = &b.items[0];
        if index == 0 || index <= head.index {
            return head.seq;
        }
        b.items
            .iter()
            .find(|i| i.index >= index)
            .or(b.items.back())
            .map(|i| i.seq)
            .unwrap_or(0)
    }

    /// The items from `seq` on; `None` when the subscriber's current item
    /// (`seq - 1`, once it has one) was dropped (`event dropped from buffer`).
    pub fn since(&self, seq: u64, started: bool) -> Option<Vec<Arc<Batch>>> {
        let b = self.buf.lock();
        let front = b.items[0].seq;
        if started && seq.saturating_sub(1) < front {
            return None;
        }
        Some(b.items.iter().filter(|i| i.seq >= seq).cloned().collect())
    }
}

/// What a subscription asked for (`SubscribeRequest`).
pub struct Subscription {
    pub topics: HashMap<String, Vec<String>>,
    pub namespaces: Vec<String>,
}

impl Subscription {
    /// `filter` of `subscription.go`, quirks included: an event matching
    /// several keys is sent once per key, and `*` among other keys of a
    /// topic matches only a key that is literally `*`.
    pub fn filter<'a>(&self, events: &'a [Event]) -> Vec<&'a Event> {
        let all = self.topics.get("*").cloned().unwrap_or_default();
        let mut out = vec![];
        for e in events {
            if !e.namespace.is_empty() && !self.namespaces.contains(&e.namespace) {
                continue;
            }
            if all.len() == 1 && all[0] == "*" {
                out.push(e);
                continue;
            }
            let mut keys = all.clone();
            if let Some(k) = self.topics.get(e.topic) {
                keys.extend(k.iter().cloned());
            }
            if keys.len() == 1 && keys[0] == "*" {
                out.push(e);
                continue;
            }
            for k in &keys {
                let by_filter = e.filter_keys.as_ref().is_some_and(|f| f.contains(k));
                if e.key == *k || by_filter {
                    out.push(e);
                }
            }
        }
        out
    }

    /// One ndjson line for the events of a batch this subscription wants.
    pub fn line(&self, b: &Batch) -> Option<Vec<u8>> {
        let events = self.filter(&b.events);
        if events.is_empty() {
            return None;
        }
        let mut out = format!("{{\"Index\":{},\"Events\":[", b.index).into_bytes();
        for (i, e) in events.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&e.json);
        }
        out.extend_from_slice(b"]}\n");
        Some(out)
    }
}
