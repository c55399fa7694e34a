//! Blocking-query watchers.
//!
//! One registry per page, keyed by URL (and decoded type), so two components
//! watching the same resource share one request. Each entry long-polls with
//! `index` + `wait`, reading `X-Nomad-Index`; on errors it backs off with
//! jitter and resumes (showing a "reconnecting" state, never stopping
//! silently); it pauses while the tab is hidden; it is aborted when its last
//! watcher goes away; and at most [`MAX_LONG_POLLS`] long-polls run at once,
//! so browsers' six connections per host are never all held.

use super::client::Api;
pub use super::entry::Decoder;
use super::entry::{Entry, Store, Target};
use super::error::{ApiError, ApiErrorKind};
use super::live::{follow_loop, list_follow, object_subscription, Follow};
use crate::interop;
use futures_channel::oneshot;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// Long-polls allowed at once per page.
pub const MAX_LONG_POLLS: usize = 4;
/// Bodies above this many bytes are re-fetched at most every 5 s.
pub const LARGE_BODY: usize = 1_000_000;
/// How long one blocking query may hold.
pub const WAIT: &str = "60s";

/// What a watcher knows about its resource.
#[derive(Debug)]
pub struct WatchState<T> {
    pub data: Option<Arc<T>>,
    /// The latest error; kept next to stale data while reconnecting.
    pub error: Option<ApiError>,
    pub index: u64,
    /// A request failed and a retry is scheduled.
    pub reconnecting: bool,
    /// Milliseconds the last decode took (for figures).
    pub decode_ms: f64,
    /// Bytes of the last answer.
    pub bytes: usize,
    /// The `X-Nomad-NextToken` of the last answer: a paged list has more.
    pub next_token: String,
}

impl<T> Clone for WatchState<T> {
    fn clone(&self) -> Self {
        WatchState {
            data: self.data.clone(),
            error: self.error.clone(),
            index: self.index,
            reconnecting: self.reconnecting,
            decode_ms: self.decode_ms,
            bytes: self.bytes,
            next_token: self.next_token.clone(),
        }
    }
}

impl<T> Default for WatchState<T> {
    fn default() -> Self {
        WatchState {
            data: None,
            error: None,
            index: 0,
            reconnecting: false,
            decode_ms: 0.0,
            bytes: 0,
            next_token: String::new(),
        }
    }
}

impl<T> WatchState<T> {
    pub fn settled(&self) -> bool {
        self.data.is_some() || self.error.is_some()
    }
}

/// Options of one watched resource.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WatchOpts {
    /// Minimum time between two requests (throttles very large lists).
    pub min_interval: Duration,
    /// Use blocking queries; `false` polls every `min_interval`.
    pub blocking: bool,
    /// Follow the tab's event stream where it covers the resource (see
    /// [`super::live`]); blocking queries where it does not or is refused.
    pub live: bool,
}

impl WatchOpts {
    /// Plain reads every `every`, for endpoints that do not block (stats,
    /// members, check results).
    pub const fn polled(every: Duration) -> Self {
        WatchOpts {
            min_interval: every,
            blocking: false,
            live: false,
        }
    }
}

impl Default for WatchOpts {
    fn default() -> Self {
        WatchOpts {
            min_interval: Duration::from_millis(250),
            blocking: true,
            live: true,
        }
    }
}

/// Exponential backoff with jitter: 1 s, 2 s, 4 s … 30 s, ±50 %. Auth and
/// not-found errors wait longer: a new token or the resource reappearing
/// is what ends them.
pub(super) fn backoff(failures: u32, auth: bool) -> Duration {
    let base = if auth { 5.0 } else { 1.0 };
    let secs = (base * 2f64.powi(failures.min(5) as i32 - 1)).min(30.0);
    let jitter = 0.5 + interop::random();
    Duration::from_millis((secs * jitter * 1000.0) as u64)
}

#[derive(Default)]
struct Registry {
    entries: RefCell<HashMap<(TypeId, String), Rc<dyn Any>>>,
    long_polls: Cell<usize>,
    /// Watchers waiting for a long-poll slot, served first come, first
    /// served, so a watcher that just got its answer cannot starve one
    /// that has been waiting.
    queue: RefCell<std::collections::VecDeque<u64>>,
    tickets: Cell<u64>,
}

thread_local! {
    static REGISTRY: Registry = Registry::default();
    /// Requests the watches have started since the page loaded.
    pub(super) static REQUESTS: Cell<u64> = const { Cell::new(0) };
}

/// Requests the registry has started since the page loaded (for tests and figures).
pub fn requests_started() -> u64 {
    REQUESTS.with(Cell::get)
}

/// Entries currently watched.
pub fn active_watches() -> usize {
    REGISTRY.with(|r| r.entries.borrow().len())
}

/// A subscription; dropping the last one for a key stops its poll loop.
pub struct WatchHandle<T: 'static> {
    entry: Rc<Entry<T>>,
    key: (TypeId, String),
}

impl<T> Drop for WatchHandle<T> {
    fn drop(&mut self) {
        let core = &self.entry.core;
        let n = core.refs.get().saturating_sub(1);
        core.refs.set(n);
        if n == 0 {
            core.alive.set(false);
            if let Some(a) = core.abort.borrow_mut().take() {
                a.abort();
            }
            if let Some(f) = core.on_drop.borrow_mut().take() {
                f();
            }
            REGISTRY.with(|r| r.entries.borrow_mut().remove(&self.key));
        }
    }
}

impl<T: 'static> WatchHandle<T> {
    pub fn state(&self) -> ArcRwSignal<WatchState<T>> {
        self.entry.state.clone()
    }
    /// Resolves when the first answer (data or error) is in.
    pub fn first(&self) -> impl std::future::Future<Output = ()> + 'static {
        let rx = if self.entry.state.with_untracked(|s| s.settled()) {
            None
        } else {
            let (tx, rx) = oneshot::channel();
            self.entry.core.waiters.borrow_mut().push(tx);
            Some(rx)
        };
        async move {
            if let Some(rx) = rx {
                let _ = rx.await;
            }
        }
    }
}

/// How a watch of `path?query` follows events, if it can.
pub type MakeFollow<T> = fn(&str, &[(&'static str, String)]) -> Option<Follow<T>>;

/// Subscribes to `path?query`, starting a poll loop if nobody watches it
/// yet (or following the event stream, see [`WatchOpts::live`]).
pub fn subscribe<T>(
    api: Api,
    path: String,
    query: Vec<(&'static str, String)>,
    opts: WatchOpts,
    decode: Decoder<T>,
    follow: MakeFollow<T>,
) -> WatchHandle<T>
where
    T: Send + Sync + 'static,
{
    let url_key = api.url(&path, &query);
    let key = (TypeId::of::<T>(), url_key);
    let existing = REGISTRY.with(|r| r.entries.borrow().get(&key).cloned());
    if let Some(e) = existing.and_then(|e| e.downcast::<Entry<T>>().ok()) {
        e.core.refs.set(e.core.refs.get() + 1);
        return WatchHandle { entry: e, key };
    }
    let (sub, ops) = match opts.live.then(|| follow(&path, &query)).flatten() {
        Some(Follow::Object(sub)) => (Some(sub), None),
        Some(Follow::List(sub, ops)) => (Some(sub), Some(ops)),
        None => (None, None),
    };
    let entry = Rc::new(Entry::new(decode, ops));
    REGISTRY.with(|r| {
        r.entries
            .borrow_mut()
            .insert(key.clone(), entry.clone() as Rc<dyn Any>)
    });
    let target = Target {
        api,
        path,
        query,
        opts,
    };
    let store = entry.clone() as Rc<dyn Store>;
    match sub {
        Some(sub) => wasm_bindgen_futures::spawn_local(follow_loop(target, store, sub)),
        None => wasm_bindgen_futures::spawn_local(poll_loop(target, store, 0)),
    }
    WatchHandle { entry, key }
}

fn decode_serde<T: DeserializeOwned>(b: &[u8]) -> Result<T, String> {
    nomad_model::decode_json(b).map_err(|e| e.to_string())
}

/// Blocking queries from `index` (0: a first plain read).
pub(super) async fn poll_loop(t: Target, entry: Rc<dyn Store>, mut index: u64) {
    let core = entry.core();
    let mut failures: u32 = 0;
    while core.alive.get() {
        interop::until_visible().await;
        if !core.alive.get() {
            break;
        }
        let blocking = t.opts.blocking && index > 0;
        if blocking {
            let ticket = REGISTRY.with(|r| {
                let t = r.tickets.get() + 1;
                r.tickets.set(t);
                r.queue.borrow_mut().push_back(t);
                t
            });
            loop {
                let granted = REGISTRY.with(|r| {
                    let mut q = r.queue.borrow_mut();
                    if r.long_polls.get() < MAX_LONG_POLLS && q.front() == Some(&ticket) {
                        q.pop_front();
                        r.long_polls.set(r.long_polls.get() + 1);
                        true
                    } else {
                        false
                    }
                });
                if granted {
                    break;
                }
                if !core.alive.get() {
                    REGISTRY.with(|r| r.queue.borrow_mut().retain(|t| *t != ticket));
                    return;
                }
                interop::sleep(Duration::from_millis(50)).await;
            }
        }
        let mut q = t.query.clone();
        if blocking {
            q.push(("index", index.to_string()));
            q.push(("wait", WAIT.to_string()));
        }
        let started = interop::perf_now();
        let res = core.fetch(t.api, &t.path, &q).await;
        if blocking {
            REGISTRY.with(|r| r.long_polls.set(r.long_polls.get().saturating_sub(1)));
        }
        if !core.alive.get() {
            break;
        }
        match res {
            Ok(raw) => {
                let new_index = raw.index;
                failures = 0;
                // Nomad: if the index goes backwards, reset and re-read.
                let unchanged = new_index != 0 && new_index == index;
                if !unchanged {
                    if let Err(e) = entry.store(&t.path, &raw) {
                        entry.fail(e, false);
                    }
                } else if entry.troubled() {
                    entry.recovered();
                }
                core.wake_first();
                index = if new_index < index {
                    0
                } else {
                    new_index.max(1)
                };
                let elapsed =
                    Duration::from_millis((interop::perf_now() - started).max(0.0) as u64);
                // very large answers (a 10,000-job list is several MB) are
                // re-fetched at most every 5 s, whatever changes
                let large = raw.body.len() > LARGE_BODY;
                let min = if large {
                    t.opts.min_interval.max(Duration::from_secs(5))
                } else if t.opts.blocking && new_index > 0 {
                    t.opts.min_interval
                } else {
                    t.opts.min_interval.max(Duration::from_secs(2))
                };
                if elapsed < min {
                    interop::sleep(min - elapsed).await;
                }
            }
            Err(e) if e.kind == ApiErrorKind::Aborted => break,
            Err(e) => {
                failures += 1;
                let auth = e.is_auth() || e.kind == ApiErrorKind::NotFound;
                entry.fail(e, true);
                core.wake_first();
                interop::sleep(backoff(failures, auth)).await;
            }
        }
    }
}

/// A reactive watch: follows its request as it changes (namespace, IDs).
pub struct Watch<T: 'static> {
    current: RwSignal<Option<ArcRwSignal<WatchState<T>>>, LocalStorage>,
    handle: StoredValue<Option<WatchHandle<T>>, LocalStorage>,
}

impl<T> Clone for Watch<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Watch<T> {}

impl<T: Send + Sync + 'static> Watch<T> {
    /// The current state (tracked).
    pub fn state(&self) -> WatchState<T> {
        self.current
            .with(|c| c.as_ref().map(|s| s.get()).unwrap_or_default())
    }
    /// The latest data (tracked).
    pub fn data(&self) -> Option<Arc<T>> {
        self.current
            .with(|c| c.as_ref().and_then(|s| s.with(|s| s.data.clone())))
    }
    pub fn error(&self) -> Option<ApiError> {
        self.current
            .with(|c| c.as_ref().and_then(|s| s.with(|s| s.error.clone())))
    }
    /// Reads the state (tracked) without cloning it.
    pub fn with_state<R>(&self, f: impl FnOnce(&WatchState<T>) -> R) -> R {
        self.current.with(|c| match c {
            Some(s) => s.with(f),
            None => f(&WatchState::default()),
        })
    }
    /// The latest data, untracked; `None` too once the watch's owner is
    /// gone (tasks that outlive their page call this).
    pub fn data_untracked(&self) -> Option<Arc<T>> {
        self.current
            .try_with_untracked(|c| {
                c.as_ref()
                    .and_then(|s| s.with_untracked(|s| s.data.clone()))
            })
            .flatten()
    }
    pub fn error_untracked(&self) -> Option<ApiError> {
        self.current
            .try_with_untracked(|c| {
                c.as_ref()
                    .and_then(|s| s.with_untracked(|s| s.error.clone()))
            })
            .flatten()
    }
    pub fn reconnecting(&self) -> bool {
        self.current
            .with(|c| c.as_ref().is_some_and(|s| s.with(|s| s.reconnecting)))
    }
    /// Resolves when the current request has its first answer.
    pub fn first(&self) -> impl std::future::Future<Output = ()> + 'static {
        let f = self
            .handle
            .try_with_value(|h| h.as_ref().map(|h| h.first()))
            .flatten();
        async move {
            if let Some(f) = f {
                f.await;
            }
        }
    }
}

/// Watches `request()` — `(path, query)` or `None` for nothing — with
/// blocking queries, re-subscribing when its inputs change.
pub fn use_watch<T>(
    request: impl Fn() -> Option<(String, Vec<(&'static str, String)>)> + 'static,
    opts: WatchOpts,
) -> Watch<T>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    use_watch_with(request, opts, decode_serde::<T>)
}

/// A list kept live row by row from the event stream (see
/// [`super::live`]), blocking queries where the stream is refused.
pub fn use_live_list<R>(
    request: impl Fn() -> Option<(String, Vec<(&'static str, String)>)> + 'static,
    opts: WatchOpts,
) -> Watch<Vec<R>>
where
    R: nomad_model::live::LiveRow + Send + Sync,
{
    use_watch_follow(request, opts, decode_serde::<Vec<R>>, |_, q| {
        Some(list_follow::<R>(q))
    })
}

/// [`use_watch`] with a custom decoder (e.g. a typed view plus the raw JSON).
pub fn use_watch_with<T>(
    request: impl Fn() -> Option<(String, Vec<(&'static str, String)>)> + 'static,
    opts: WatchOpts,
    decode: Decoder<T>,
) -> Watch<T>
where
    T: Send + Sync + 'static,
{
    use_watch_follow(request, opts, decode, |p, q| {
        object_subscription(p, q).map(Follow::Object)
    })
}

fn use_watch_follow<T>(
    request: impl Fn() -> Option<(String, Vec<(&'static str, String)>)> + 'static,
    opts: WatchOpts,
    decode: Decoder<T>,
    follow: MakeFollow<T>,
) -> Watch<T>
where
    T: Send + Sync + 'static,
{
    let api = super::use_api();
    // Subscribe right away so the first answer is already on its way when
    // the view suspends on it; the effect follows later changes.
    let key_of = move |req: &Option<(String, Vec<(&'static str, String)>)>| {
        (
            req.as_ref().map(|(p, q)| api.url(p, q)),
            api.token.get_untracked(),
        )
    };
    let first = untrack(&request);
    let first_key = key_of(&first);
    let first_handle =
        first.map(|(path, query)| subscribe::<T>(api, path, query, opts, decode, follow));
    let current = RwSignal::new_local(first_handle.as_ref().map(|h| h.state()));
    let handle: StoredValue<Option<WatchHandle<T>>, LocalStorage> =
        StoredValue::new_local(first_handle);
    let last_key = StoredValue::new_local(first_key);
    Effect::new(move |_| {
        // the token and region are part of what is watched
        let _ = api.token.get();
        let _ = api.region.get();
        let req = request();
        let key = key_of(&req);
        if last_key.with_value(|k| *k == key) {
            return;
        }
        last_key.set_value(key);
        let new = req.map(|(path, query)| subscribe::<T>(api, path, query, opts, decode, follow));
        current.set(new.as_ref().map(|h| h.state()));
        // replacing drops the old subscription after the new one exists
        handle.set_value(new);
    });
    Watch { current, handle }
}
