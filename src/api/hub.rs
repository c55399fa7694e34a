//! The tab's one event stream, shared by every view. Views register a
//! [`Listener`] with the [`Subscription`] they need; the hub subscribes to
//! the union of them (resubscribing from the last index when it changes)
//! and hands each listener the events it asked for.
//!
//! A dropped stream reconnects from the last index. Nomad starts a resumed
//! stream at the first held batch at or after that index, so a resume that
//! does not begin with the batch already seen means events fell out of the
//! agent's buffer while away: every listener is told to re-read what it
//! shows. A refusal (403, 404 from an agent before 1.0, or Nomad 2.x's
//! empty 200) is told to the listeners, which go back to blocking queries;
//! when a subscription mixing node and job topics is refused, the hub tries
//! once more without the node topics (a token may read jobs and not nodes).

use super::client::Api;
use super::error::ApiError;
use super::events::{follow_events, Liveness};
use super::stream::StreamControl;
use leptos::prelude::*;
use nomad_model::events::{Event, StreamItem, Subscription};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

/// Why a listener can no longer rely on the events it was sent.
#[derive(Clone, Debug)]
pub enum Lost {
    /// Events may be missing (buffer overrun, region or token switch):
    /// re-read what is shown.
    Gap,
    /// The agent will not stream these topics: fall back to polling.
    Refused(ApiError),
    /// The stream dropped (the error why); events resume after a reconnect.
    Dropped(ApiError),
    /// The stream is back after a drop.
    Resumed,
}

/// A view following events.
pub trait Listener {
    fn subscription(&self) -> Subscription;
    /// A batch's events this listener's subscription matches, shared
    /// with the other listeners (a batch can be megabytes).
    fn deliver(&self, index: u64, events: &[Rc<Event>]);
    fn lost(&self, why: Lost);
    /// The index its data was read at, once read; the stream starts no
    /// earlier than the lowest of these, so no old buffer is replayed.
    fn loaded_at(&self) -> Option<u64> {
        None
    }
    /// Wants what the agent's buffer still holds when it registers (a
    /// feed of recent events); other listeners start from now.
    fn wants_history(&self) -> bool {
        false
    }
    /// Still reading its data: the stream waits for it, so that it can
    /// start after what was read instead of replaying the agent's buffer.
    fn loading(&self) -> bool {
        false
    }
}

/// What the live-mode indicator shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HubStatus {
    /// `None` while nothing listens.
    pub liveness: Option<Liveness>,
    /// Topics refused to this token or agent, with why.
    pub refused: Option<(Vec<String>, ApiError)>,
    /// Events delivered since the page loaded.
    pub events: u64,
}

/// The last index a listener was given.
type Seen = Rc<Cell<u64>>;

/// A registered listener: its id, itself, the last index it was given.
type Reg = (u64, Weak<dyn Listener>, Seen);

/// A subscription with the token and region it streams for.
type Streaming = (Subscription, Option<String>, Option<String>);

struct Hub {
    /// Each listener with the last index it was given.
    listeners: RefCell<Vec<Reg>>,
    next_id: Cell<u64>,
    /// The subscription streaming now, and for which token and region.
    current: RefCell<Option<Streaming>>,
    ctl: RefCell<Option<Rc<StreamControl>>>,
    generation: Cell<u64>,
    last_index: Cell<u64>,
    scheduled: Cell<bool>,
    /// The token and region last streamed for.
    auth: RefCell<Option<(Option<String>, Option<String>)>>,
    status: ArcRwSignal<HubStatus>,
}

thread_local! {
    static HUB: Hub = Hub {
        listeners: RefCell::new(vec![]),
        next_id: Cell::new(1),
        current: RefCell::new(None),
        ctl: RefCell::new(None),
        generation: Cell::new(0),
        last_index: Cell::new(0),
        scheduled: Cell::new(false),
        auth: RefCell::new(None),
        status: ArcRwSignal::new(HubStatus::default()),
    };
}

/// The hub's state (tracked), for the indicator.
pub fn status() -> ArcRwSignal<HubStatus> {
    HUB.with(|h| h.status.clone())
}

/// Keeps a listener registered; dropping it unregisters.
pub struct Registration {
    id: u64,
    api: Api,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let id = self.id;
        HUB.with(|h| h.listeners.borrow_mut().retain(|(i, _, _)| *i != id));
        schedule(self.api);
    }
}

/// Registers `l`; topics the agent already refused are told at once.
pub fn register(api: Api, l: Weak<dyn Listener>) -> Registration {
    let id = HUB.with(|h| {
        let id = h.next_id.get();
        h.next_id.set(id + 1);
        let history = l.upgrade().is_some_and(|l| l.wants_history());
        let seen = if history { 0 } else { h.last_index.get() };
        h.listeners
            .borrow_mut()
            .push((id, l.clone(), Rc::new(Cell::new(seen))));
        id
    });
    let refusal = HUB.with(|h| h.status.with_untracked(|s| s.refused.clone()));
    if let (Some((topics, err)), Some(l)) = (refusal, l.upgrade()) {
        if touches(&l.subscription(), &topics) {
            l.lost(Lost::Refused(err));
        }
    }
    schedule(api);
    Registration { id, api }
}

/// Asks for a reconcile once the current task yields (a page registers
/// several listeners in a row), or when a listener's data has loaded.
pub fn schedule(api: Api) {
    if HUB.with(|h| h.scheduled.replace(true)) {
        return;
    }
    leptos::task::spawn_local(async move {
        HUB.with(|h| h.scheduled.set(false));
        reconcile(api);
    });
}

fn live_listeners() -> Vec<Rc<dyn Listener>> {
    with_seen().into_iter().map(|(l, _)| l).collect()
}

fn with_seen() -> Vec<(Rc<dyn Listener>, Seen)> {
    HUB.with(|h| {
        let mut ls = h.listeners.borrow_mut();
        ls.retain(|(_, l, _)| l.strong_count() > 0);
        ls.iter()
            .filter_map(|(_, l, seen)| Some((l.upgrade()?, seen.clone())))
            .collect()
    })
}

/// Topics the agent refused, left out of later subscriptions (the
/// indicator's list is the one record of them).
fn refused_topics() -> Vec<String> {
    HUB.with(|h| {
        h.status
            .with_untracked(|s| s.refused.as_ref().map(|r| r.0.clone()))
    })
    .unwrap_or_default()
}

/// Whether `sub` asks for any of `topics`.
fn touches(sub: &Subscription, topics: &[String]) -> bool {
    sub.topics.iter().any(|(t, _)| topics.contains(t))
}

/// Starts, restarts or stops the stream to match what listeners need.
fn reconcile(api: Api) {
    let listeners = live_listeners();
    let refused = refused_topics();
    let blocked: Vec<&str> = refused.iter().map(String::as_str).collect();
    let subs: Vec<Subscription> = listeners
        .iter()
        .map(|l| l.subscription().without(&blocked))
        .filter(|s| !s.topics.is_empty())
        .collect();
    let want = Subscription::union(subs.iter())
        .map(|s| (s, api.token.get_untracked(), api.region.get_untracked()));
    let idle = HUB.with(|h| h.current.borrow().is_none());
    if idle && listeners.iter().any(|l| l.loading()) {
        // started once every view has read its data (see `loading`)
        return;
    }
    let same = HUB.with(|h| *h.current.borrow() == want);
    if same {
        return;
    }
    let auth = (api.token.get_untracked(), api.region.get_untracked());
    let switched = HUB.with(|h| {
        h.auth
            .replace(Some(auth.clone()))
            .is_some_and(|a| a != auth)
    });
    stop();
    let Some(want) = want else {
        HUB.with(|h| h.status.update(|s| s.liveness = None));
        return;
    };
    if switched {
        // another token or region: nothing seen or refused so far carries over
        HUB.with(|h| {
            h.last_index.set(0);
            h.status.update(|s| s.refused = None);
        });
        tell(&listeners, Lost::Gap);
    }
    // from where the furthest-behind listener is: its data's index or the
    // last event it was given (a feed that wants history: the buffer)
    let from = with_seen()
        .iter()
        .map(|(l, seen)| seen.get().max(l.loaded_at().unwrap_or(0)))
        .min()
        .unwrap_or(0);
    HUB.with(|h| h.last_index.set(from));
    start(api, want, from);
}

fn stop() {
    HUB.with(|h| {
        if let Some(c) = h.ctl.borrow_mut().take() {
            c.abort();
        }
        h.current.borrow_mut().take();
        h.generation.set(h.generation.get() + 1);
    });
}

fn tell(listeners: &[Rc<dyn Listener>], why: Lost) {
    for l in listeners {
        l.lost(why.clone());
    }
}

fn start(api: Api, want: Streaming, from: u64) {
    let ctl = Rc::new(StreamControl::new());
    let generation = HUB.with(|h| {
        *h.current.borrow_mut() = Some(want.clone());
        *h.ctl.borrow_mut() = Some(ctl.clone());
        h.generation.get()
    });
    let sub = want.0;
    leptos::task::spawn_local(async move {
        let current = move || HUB.with(|h| h.generation.get()) == generation;
        // `Some(i)`: reconnected after `i`, the first batch tells if a gap opened
        let resumed: Cell<Option<u64>> = Cell::new(None);
        let refusal: RefCell<Option<ApiError>> = RefCell::new(None);
        follow_events(
            api,
            sub.clone(),
            from,
            &ctl,
            |items| {
                if current() {
                    dispatch(items, &resumed);
                }
            },
            |state| {
                if !current() {
                    return;
                }
                match &state {
                    Liveness::Reconnecting(_) if resumed.get().is_none() => {
                        resumed.set(Some(HUB.with(|h| h.last_index.get())));
                        let why = ApiError::network(
                            "The event stream to the agent dropped; reconnecting from the last event seen.",
                            super::paths::EVENT_STREAM,
                        );
                        tell(&live_listeners(), Lost::Dropped(why));
                    }
                    Liveness::Live if resumed.get().is_some() => tell(&live_listeners(), Lost::Resumed),
                    _ => {}
                }
                if let Liveness::Unavailable(e) = &state {
                    *refusal.borrow_mut() = Some(e.clone());
                }
                HUB.with(|h| h.status.update(|s| s.liveness = Some(state)));
            },
        )
        .await;
        let Some(err) = refusal.into_inner() else {
            return;
        };
        if !current() {
            return;
        }
        refuse(api, &sub, err);
    });
}

/// A refusal: the node topics alone first when mixed with others, else all.
fn refuse(api: Api, sub: &Subscription, err: ApiError) {
    let node_topics = vec!["Node".to_string(), "NodePool".to_string()];
    let has_other = sub.topics.iter().any(|(t, _)| !node_topics.contains(t));
    let topics = if touches(sub, &node_topics) && has_other && err.status != 404 {
        node_topics
    } else {
        sub.topics.iter().map(|(t, _)| t.clone()).collect()
    };
    HUB.with(|h| {
        h.current.borrow_mut().take();
        h.status.update(|s| {
            let mut all = s.refused.take().map(|r| r.0).unwrap_or_default();
            all.extend(topics.iter().cloned());
            all.sort_unstable();
            all.dedup();
            s.refused = Some((all, err.clone()));
        })
    });
    for l in live_listeners() {
        if touches(&l.subscription(), &topics) {
            l.lost(Lost::Refused(err.clone()));
        }
    }
    reconcile(api);
}

fn dispatch(items: Vec<StreamItem>, resumed: &Cell<Option<u64>>) {
    let listeners = with_seen();
    let subs: Vec<Subscription> = listeners.iter().map(|(l, _)| l.subscription()).collect();
    for item in items {
        let StreamItem::Batch { index, events } = item else {
            continue;
        };
        if let Some(after) = resumed.take() {
            if after > 0 && index != after {
                let ls: Vec<_> = listeners.iter().map(|(l, _)| l.clone()).collect();
                tell(&ls, Lost::Gap);
            }
        }
        let events: Vec<Rc<Event>> = events.into_iter().map(Rc::new).collect();
        HUB.with(|h| {
            if index > h.last_index.get() {
                h.last_index.set(index);
                h.status.update(|s| s.events += events.len() as u64);
            }
        });
        for ((l, seen), sub) in listeners.iter().zip(&subs) {
            // a restart from an earlier index sends some batches again
            if index <= seen.get() {
                continue;
            }
            seen.set(index);
            let mine: Vec<Rc<Event>> = events.iter().filter(|e| sub.matches(e)).cloned().collect();
            if !mine.is_empty() {
                l.deliver(index, &mine);
            }
        }
    }
}
