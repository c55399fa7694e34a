//! A watched resource's entry, and the one view of it the loops use.
//!
//! The blocking-query loop ([`super::watch::poll_loop`]) and the event
//! stream's ([`super::live::follow_loop`]) take an `Rc<dyn Store>`, so each
//! is compiled once, not once per decoded type (fourteen copies of each,
//! ~200 KB before wasm-opt). What depends on the type (decoding, applying
//! events to rows) sits behind the trait's few methods.

use super::client::{Api, Raw};
use super::error::ApiError;
use super::live::ListOps;
use super::watch::{WatchOpts, WatchState, REQUESTS};
use crate::interop;
use futures_channel::oneshot;
use leptos::prelude::*;
use nomad_model::events::Event;
use nomad_model::live::Applied;
use std::cell::{Cell, RefCell};
use std::sync::Arc;

/// What a loop watches: where, and how often.
pub(super) struct Target {
    pub api: Api,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub opts: WatchOpts,
}

/// How a watched body becomes `T` (straight from the bytes).
pub type Decoder<T> = fn(&[u8]) -> Result<T, String>;

/// The part of an entry that does not depend on its data's type.
#[derive(Default)]
pub(super) struct Core {
    pub refs: Cell<usize>,
    pub alive: Cell<bool>,
    pub abort: RefCell<Option<interop::Abort>>,
    pub waiters: RefCell<Vec<oneshot::Sender<()>>>,
    /// Run when the last watcher goes (ends a wait for events).
    pub on_drop: RefCell<Option<Box<dyn FnOnce()>>>,
}

impl Core {
    /// Resolves everyone waiting for the first answer.
    pub fn wake_first(&self) {
        for w in self.waiters.borrow_mut().drain(..) {
            let _ = w.send(());
        }
    }

    /// GETs `path?query`, abortable through the entry (dropping the last
    /// watcher aborts it), counted for tests and figures.
    pub async fn fetch(
        &self,
        api: Api,
        path: &str,
        query: &[(&'static str, String)],
    ) -> Result<Raw, ApiError> {
        let abort = interop::Abort::new();
        let signal = abort.as_ref().map(|a| a.signal());
        *self.abort.borrow_mut() = abort;
        REQUESTS.with(|r| r.set(r.get() + 1));
        let res = api.get_raw(path, query, signal.as_ref()).await;
        self.abort.borrow_mut().take();
        res
    }
}

/// What is known besides the data, as the loops change it.
pub(super) struct Status<'a> {
    pub error: &'a mut Option<ApiError>,
    pub reconnecting: &'a mut bool,
    pub index: &'a mut u64,
}

/// An entry as the loops see it, whatever its data's type.
pub(super) trait Store {
    fn core(&self) -> &Core;
    /// Decodes a whole answer into the data.
    fn store(&self, path: &str, raw: &Raw) -> Result<(), ApiError>;
    /// Changes the status and tells the views.
    fn update(&self, f: &mut dyn FnMut(Status<'_>));
    /// The data is marked stale or an error is shown.
    fn troubled(&self) -> bool;
    /// A list whose rows events change (else events mean a re-read).
    fn is_list(&self) -> bool;
    /// Decodes a part of a list's first read (an array of some rows) and
    /// holds it until [`Store::finish_parts`].
    fn add_part(&self, part: &[u8]) -> Result<(), String>;
    /// The parts held become the data, decoded from `raw` in `ms`.
    fn finish_parts(&self, path: &str, raw: &Raw, ms: f64);
    /// Applies events to the rows in place; `None` before there are rows.
    fn apply(&self, events: &[&Event]) -> Option<Applied>;
    /// The filter that re-reads just `keys`.
    fn filter(&self, keys: &[String]) -> String;
    /// Merges a re-read of `keys`; `true` when it replaced every row.
    fn merge(&self, keys: &[String], body: &[u8]) -> Option<Result<bool, String>>;
}

impl dyn Store {
    /// A failed request: the error shown next to the data kept.
    pub fn fail(&self, e: ApiError, reconnecting: bool) {
        let mut e = Some(e);
        self.update(&mut |s| {
            *s.error = e.take();
            *s.reconnecting = reconnecting;
        });
    }

    /// Back in step: no error, nothing stale.
    pub fn recovered(&self) {
        self.update(&mut |s| {
            *s.error = None;
            *s.reconnecting = false;
        });
    }
}

pub(super) struct Entry<T> {
    pub core: Core,
    pub state: ArcRwSignal<WatchState<T>>,
    decode: Decoder<T>,
    ops: Option<ListOps<T>>,
    /// The parts of a first read decoded so far.
    parts: RefCell<Option<T>>,
}

impl<T: Send + Sync + 'static> Entry<T> {
    pub fn new(decode: Decoder<T>, ops: Option<ListOps<T>>) -> Self {
        let core = Core::default();
        core.refs.set(1);
        core.alive.set(true);
        Entry {
            core,
            state: ArcRwSignal::new(WatchState::default()),
            decode,
            ops,
            parts: RefCell::new(None),
        }
    }

    /// Sets the data, decoded from `raw` in `decode_ms`.
    fn put(&self, path: &str, v: T, raw: &Raw, decode_ms: f64) {
        interop::record_update(path, raw.body.len(), decode_ms);
        self.state.update(|s| {
            s.data = Some(Arc::new(v));
            s.error = None;
            s.reconnecting = false;
            s.index = raw.index;
            s.decode_ms = decode_ms;
            s.bytes = raw.body.len();
            s.next_token.clone_from(&raw.next_token);
        });
    }

    /// Runs `f` on the rows and notifies their views. The rows are taken
    /// out and changed where they are when no view still holds them
    /// (copying 50,000 rows per batch of events cost a frame), copied when
    /// one does; nothing awaits in between, so no view sees them missing.
    fn in_place<R>(&self, ops: &ListOps<T>, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let arc = self.state.update_untracked(|s| s.data.take())?;
        let mut rows = Arc::try_unwrap(arc).unwrap_or_else(|shared| (ops.copy)(&shared));
        let out = f(&mut rows);
        self.state.update(|s| {
            s.data = Some(Arc::new(rows));
            s.error = None;
        });
        Some(out)
    }
}

impl<T: Send + Sync + 'static> Store for Entry<T> {
    fn core(&self) -> &Core {
        &self.core
    }

    fn store(&self, path: &str, raw: &Raw) -> Result<(), ApiError> {
        let t0 = interop::perf_now();
        let v = (self.decode)(&raw.body).map_err(|e| ApiError::decode(e, path))?;
        self.put(path, v, raw, interop::perf_now() - t0);
        Ok(())
    }

    fn update(&self, f: &mut dyn FnMut(Status<'_>)) {
        self.state.update(|s| {
            f(Status {
                error: &mut s.error,
                reconnecting: &mut s.reconnecting,
                index: &mut s.index,
            })
        });
    }

    fn troubled(&self) -> bool {
        self.state
            .with_untracked(|s| s.reconnecting || s.error.is_some())
    }

    fn is_list(&self) -> bool {
        self.ops.is_some()
    }

    fn add_part(&self, part: &[u8]) -> Result<(), String> {
        let (Some(ops), rows) = (&self.ops, (self.decode)(part)?) else {
            return Ok(());
        };
        let mut held = self.parts.borrow_mut();
        match held.as_mut() {
            Some(all) => (ops.extend)(all, rows),
            None => *held = Some(rows),
        }
        Ok(())
    }

    fn finish_parts(&self, path: &str, raw: &Raw, ms: f64) {
        if let Some(v) = self.parts.borrow_mut().take() {
            self.put(path, v, raw, ms);
        }
    }

    fn apply(&self, events: &[&Event]) -> Option<Applied> {
        let ops = self.ops.as_ref()?;
        self.in_place(ops, |rows| (ops.apply)(rows, events))
    }

    fn filter(&self, keys: &[String]) -> String {
        self.ops
            .as_ref()
            .map(|o| (o.filter)(keys))
            .unwrap_or_default()
    }

    fn merge(&self, keys: &[String], body: &[u8]) -> Option<Result<bool, String>> {
        let ops = self.ops.as_ref()?;
        self.in_place(ops, |rows| (ops.merge)(rows, keys, body))
    }
}
