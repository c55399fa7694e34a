//! Watches kept current by the tab's event stream instead of blocking
//! queries. A watch reads its resource once, then waits for the events of
//! its subscription: a list applies them in place (rows from the payload,
//! or a re-read of just the touched rows through `filter`), an object is
//! re-read when one of its events arrives. Events at or before the index
//! the data was read at are already in it. A gap re-reads everything; a
//! refusal hands the watch back to blocking queries from where it is.

use super::entry::{Store, Target};
use super::error::{ApiError, ApiErrorKind};
use super::hub::{self, Listener, Lost};
use super::paths;
use super::watch::poll_loop;
use crate::interop;
use futures_channel::oneshot;
use nomad_model::chunks::{array_chunks, array_of};
use nomad_model::events::{Event, Subscription};
use nomad_model::live::{self as rows, Applied, LiveRow};
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::{Rc, Weak};
use std::time::Duration;

/// More events than this waiting for one watch: re-read it instead.
const MAX_INBOX: usize = 20_000;
/// A first read larger than twice this is decoded in parts of about this
/// many bytes (~4 ms each), so input is not held for the whole decode
/// (~190 ms for `large`'s 47 MB of allocations).
const PART_BYTES: usize = 1_000_000;
/// Rows re-read per request (keeps URLs short).
const REREAD_CHUNK: usize = 40;
/// Rows whose derived counts moved (a job's summary) are re-read together
/// at most this often: on a busy cluster every allocation event touches a
/// job, and re-reading each at once cost ~100 MB/min on `large`.
const LATER_EVERY: Duration = Duration::from_secs(5);

/// How a watch follows the stream.
pub enum Follow<T> {
    /// Re-read the whole resource on any of its events.
    Object(Subscription),
    /// Apply events to the rows.
    List(Subscription, ListOps<T>),
}

/// A list's row logic, erased to function pointers so the loop is not
/// compiled again per row type beyond these.
pub struct ListOps<T> {
    /// Applies events to the rows in place; what is left to re-read.
    pub(super) apply: fn(&mut T, &[&Event]) -> Applied,
    /// A copy, when the rows are shared with a view still holding them.
    pub(super) copy: fn(&T) -> T,
    /// Merges a re-read of some keys; `true` when it replaced every row.
    pub(super) merge: Merge<T>,
    pub(super) filter: fn(&[String]) -> String,
    /// Appends rows decoded from a part of the list (a large first read
    /// is decoded in parts by the watch's own decoder, each part an array
    /// of some of the rows, with input let in between).
    pub(super) extend: fn(&mut T, T),
}

type Merge<T> = fn(&mut T, &[String], &[u8]) -> Result<bool, String>;

/// The list operations of rows `R`.
pub fn list_ops<R: LiveRow>() -> ListOps<Vec<R>> {
    ListOps {
        apply: |rows, events| rows::apply(rows, events),
        copy: |rows| rows.clone(),
        merge: |rows, keys, body| {
            let fresh: Vec<R> = nomad_model::decode_json(body).map_err(|e| e.to_string())?;
            // more rows than asked for: an agent before 1.3 ignored `filter`
            if fresh.len() > keys.len() {
                *rows = fresh;
                return Ok(true);
            }
            rows::merge(rows, keys, fresh);
            Ok(false)
        },
        filter: R::filter,
        extend: |rows, more| rows.extend(more),
    }
}

/// The subscription a watched path needs, if it is one the stream covers.
pub fn object_subscription(path: &str, query: &[(&'static str, String)]) -> Option<Subscription> {
    let ns = namespace_of(query);
    match paths::parse(path)? {
        paths::Parsed::Job(id, rest) => {
            let ts: &[&str] = match rest.as_str() {
                // `/versions` is not followed: stability and tags of older
                // versions change no table the agent makes events from
                "" => &["Job"],
                "/summary" => &["Job", "Allocation", "Evaluation"],
                "/allocations" => &["Allocation"],
                "/deployment" | "/deployments" => &["Deployment", "Job"],
                "/evaluations" => &["Evaluation"],
                _ => return None,
            };
            Some(Subscription::keyed(&ns, ts, &id))
        }
        paths::Parsed::Allocation(id) => Some(Subscription::keyed(&ns, &["Allocation"], &id)),
        paths::Parsed::Node(id, rest) => match rest.as_str() {
            "" => Some(Subscription::keyed(&ns, &["Node"], &id)),
            // allocation events do not name their node: every one is
            // looked at, and re-reads happen for this node's only
            "/allocations" => Some(Subscription::keyed("*", &["Allocation"], "*")),
            _ => None,
        },
    }
}

/// How a list of rows `R` read with `query` follows the stream: every key
/// of the rows' topics in the list's namespace.
pub fn list_follow<R: LiveRow>(query: &[(&'static str, String)]) -> Follow<Vec<R>> {
    Follow::List(
        Subscription::keyed(&namespace_of(query), R::TOPICS, "*"),
        list_ops::<R>(),
    )
}

/// The namespace a request names (the agent reads none as `default`).
fn namespace_of(query: &[(&'static str, String)]) -> String {
    query
        .iter()
        .find(|(k, _)| *k == "namespace")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "default".into())
}

#[derive(Default)]
struct Inbox {
    events: Vec<Rc<Event>>,
    gap: bool,
    refused: Option<ApiError>,
    /// The stream dropped (`Some(why)`) or came back (`None` after one).
    dropped: Option<Option<ApiError>>,
}

/// The watch's end of the hub.
struct Tap {
    sub: Subscription,
    /// Only allocations on this node count (a node's allocations).
    node: Option<String>,
    inbox: RefCell<Inbox>,
    wake: RefCell<Option<oneshot::Sender<()>>>,
    loaded: Cell<Option<u64>>,
}

impl Tap {
    fn notify(&self) {
        if let Some(w) = self.wake.borrow_mut().take() {
            let _ = w.send(());
        }
    }

    /// The next events or notice; after `within` at the latest (then empty).
    async fn next(self: &Rc<Self>, within: Option<Duration>) -> Inbox {
        if let Some(d) = within {
            let me = Rc::downgrade(self);
            leptos::task::spawn_local(async move {
                interop::sleep(d).await;
                if let Some(t) = me.upgrade() {
                    t.notify();
                }
            });
        }
        loop {
            {
                let mut i = self.inbox.borrow_mut();
                if !i.events.is_empty() || i.gap || i.refused.is_some() || i.dropped.is_some() {
                    return std::mem::take(&mut *i);
                }
            }
            let (tx, rx) = oneshot::channel();
            *self.wake.borrow_mut() = Some(tx);
            // a dropped sender (the watch went away) or the deadline ends
            // the wait too
            if rx.await.is_err() || within.is_some() {
                return std::mem::take(&mut *self.inbox.borrow_mut());
            }
        }
    }
}

impl Listener for Tap {
    fn subscription(&self) -> Subscription {
        self.sub.clone()
    }
    fn deliver(&self, _index: u64, events: &[Rc<Event>]) {
        let mut i = self.inbox.borrow_mut();
        let on_node = |e: &&Rc<Event>| match &self.node {
            Some(n) => e.payload["Allocation"]["NodeID"].as_str() == Some(n),
            None => true,
        };
        i.events.extend(events.iter().filter(on_node).cloned());
        if i.events.len() > MAX_INBOX {
            i.events.clear();
            i.gap = true;
        }
        drop(i);
        self.notify();
    }
    fn lost(&self, why: Lost) {
        match why {
            Lost::Gap => self.inbox.borrow_mut().gap = true,
            Lost::Refused(e) => self.inbox.borrow_mut().refused = Some(e),
            Lost::Dropped(e) => self.inbox.borrow_mut().dropped = Some(Some(e)),
            Lost::Resumed => self.inbox.borrow_mut().dropped = Some(None),
        }
        self.notify();
    }
    fn loaded_at(&self) -> Option<u64> {
        self.loaded.get().filter(|i| *i > 0)
    }
    fn loading(&self) -> bool {
        self.loaded.get().is_none()
    }
}

/// The node whose allocations `path` lists, if it is such a path.
fn node_of(path: &str) -> Option<String> {
    match paths::parse(path)? {
        paths::Parsed::Node(id, rest) if rest == "/allocations" => Some(id),
        _ => None,
    }
}

/// Reads the whole resource into the entry; the index it was read at.
async fn read_all(t: &Target, entry: &dyn Store) -> Result<u64, ApiError> {
    let core = entry.core();
    let raw = core.fetch(t.api, &t.path, &t.query).await?;
    let parts = (entry.is_list() && raw.body.len() > 2 * PART_BYTES)
        .then(|| array_chunks(&raw.body, PART_BYTES))
        .flatten()
        .filter(|r| !r.is_empty());
    match parts {
        Some(ranges) => {
            let mut ms = 0.0;
            for r in ranges {
                let t0 = interop::perf_now();
                entry
                    .add_part(&array_of(&raw.body, r))
                    .map_err(|e| ApiError::decode(e, &t.path))?;
                ms += interop::perf_now() - t0;
                // a keystroke or a click waiting is handled before the next part
                interop::sleep(Duration::ZERO).await;
                if !core.alive.get() {
                    return Err(ApiError::aborted(&t.path));
                }
            }
            entry.finish_parts(&t.path, &raw, ms);
        }
        None => entry.store(&t.path, &raw)?,
    }
    core.wake_first();
    Ok(raw.index)
}

/// The list query narrowed to `keys`, keeping a filter the list has.
fn narrowed(query: &[(&'static str, String)], filter: String) -> Vec<(&'static str, String)> {
    let mut q: Vec<(&'static str, String)> = query
        .iter()
        .filter(|(k, _)| *k != "filter")
        .cloned()
        .collect();
    let f = match query.iter().find(|(k, _)| *k == "filter") {
        Some((_, old)) => format!("({old}) and ({filter})"),
        None => filter,
    };
    q.push(("filter", f));
    q
}

/// Follows `sub` for the entry until it is dropped.
pub(super) async fn follow_loop(t: Target, entry: Rc<dyn Store>, sub: Subscription) {
    let core = entry.core();
    let tap = Rc::new(Tap {
        sub,
        node: node_of(&t.path),
        inbox: RefCell::new(Inbox::default()),
        wake: RefCell::new(None),
        loaded: Cell::new(None),
    });
    {
        let weak = Rc::downgrade(&tap);
        *core.on_drop.borrow_mut() = Some(Box::new(move || {
            if let Some(t) = weak.upgrade() {
                t.wake.borrow_mut().take();
            }
        }));
    }
    let api = t.api;
    let registration = hub::register(api, Rc::downgrade(&tap) as Weak<dyn Listener>);
    let mut failures = 0u32;
    'load: while core.alive.get() {
        let mut applied = match read_all(&t, &*entry).await {
            Ok(i) => i,
            Err(e) if e.kind == ApiErrorKind::Aborted => return,
            Err(e) => {
                failures += 1;
                // a failing read must not hold the stream back for others
                if tap.loaded.get().is_none() {
                    tap.loaded.set(Some(0));
                    hub::schedule(api);
                }
                entry.fail(e, true);
                core.wake_first();
                interop::sleep(super::watch::backoff(failures, false)).await;
                continue;
            }
        };
        failures = 0;
        tap.loaded.set(Some(applied));
        hub::schedule(api);
        // rows whose counts moved, and when they are next re-read
        let mut later: BTreeSet<String> = BTreeSet::new();
        let mut due = interop::perf_now();
        loop {
            let wait = (!later.is_empty())
                .then(|| Duration::from_millis((due - interop::perf_now()).max(0.0) as u64));
            let inbox = tap.next(wait).await;
            if !core.alive.get() {
                return;
            }
            if let Some(err) = inbox.refused {
                drop(registration);
                entry.update(&mut |s| *s.error = None);
                interop::warn(&format!(
                    "event stream refused, polling {}: {}",
                    t.path, err.message
                ));
                return poll_loop(t, entry, applied).await;
            }
            // shown as for a failed blocking query: the data is kept, and
            // marked as possibly stale until the stream is back
            match inbox.dropped {
                Some(Some(e)) => entry.fail(e, true),
                Some(None) => entry.recovered(),
                None => {}
            }
            if inbox.gap {
                continue 'load;
            }
            let events: Vec<&Event> = inbox
                .events
                .iter()
                .filter(|e| e.index > applied)
                .map(|e| &**e)
                .collect();
            let flush = !later.is_empty() && interop::perf_now() >= due;
            if events.is_empty() && !flush {
                continue;
            }
            let ok = if entry.is_list() {
                let now: Vec<String> = if flush {
                    due = interop::perf_now() + LATER_EVERY.as_millis() as f64;
                    std::mem::take(&mut later).into_iter().collect()
                } else {
                    vec![]
                };
                apply_list(&t, &*entry, &events, now)
                    .await
                    .map(|more| later.extend(more))
            } else {
                read_all(&t, &*entry)
                    .await
                    .map(|i| applied = applied.max(i))
            };
            match ok {
                Err(e) if e.kind == ApiErrorKind::Aborted => return,
                // the next events or a re-read bring it back in step
                Err(e) => {
                    let mut e = Some(e);
                    entry.update(&mut |s| *s.error = e.take());
                    continue 'load;
                }
                Ok(()) => {}
            }
            // let a burst of events land together
            interop::sleep(t.opts.min_interval.max(Duration::from_millis(100))).await;
        }
    }
}

async fn apply_list(
    t: &Target,
    entry: &dyn Store,
    events: &[&Event],
    also: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    let t0 = interop::perf_now();
    let Some(mut done) = entry.apply(events) else {
        return Ok(vec![]);
    };
    interop::record_update(&format!("apply {}", t.path), 0, interop::perf_now() - t0);
    let max = events.iter().map(|e| e.index).max().unwrap_or(0);
    entry.update(&mut |s| *s.index = (*s.index).max(max));
    if !also.is_empty() {
        done.reread.extend(also);
        done.reread.sort_unstable();
        done.reread.dedup();
    }
    for keys in done.reread.chunks(REREAD_CHUNK) {
        let q = narrowed(&t.query, entry.filter(keys));
        let raw = entry.core().fetch(t.api, &t.path, &q).await?;
        match entry.merge(keys, &raw.body) {
            Some(Ok(true)) | None => break,
            Some(Ok(false)) => {}
            Some(Err(e)) => return Err(ApiError::decode(e, &t.path)),
        }
    }
    Ok(done.later)
}
