//! Activity (`/ui/activity`): the cluster's events as they happen, from
//! one `/v1/event/stream` subscription: newest first, a one-line summary of
//! what changed, filters in the URL, pause with a count of what arrived,
//! and at most [`KEEP`] events in memory.

use super::list::{use_typed_text, FacetMenu, SearchBox};
use super::{use_query_param, use_query_setter};
use crate::api::events::Liveness;
use crate::api::hub::{self, Listener, Lost};
use crate::api::{use_api, ApiError};
use crate::components::*;
use crate::interop;
use crate::routes::{alloc_href, job_href, node_href};
use leptos::prelude::*;
use nomad_model::activity::{ActivityFilter, Entry, Feed, Object};
use nomad_model::events::{Event, Subscription};
use nomad_model::{format, UnixNanos};
use std::rc::{Rc, Weak};

/// Events kept in memory; older ones fall off the end.
pub const KEEP: usize = 5_000;
/// Rows drawn (newest first).
const SHOWN: usize = 300;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let api = use_api();
    // The subscription names the top bar's namespace: a new one is a new feed.
    move || {
        api.namespace.track();
        view! { <ActivityFeed/> }
    }
}

/// What a feed is limited to: the job or the client page's object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scope {
    pub namespace: String,
    pub job: String,
    pub node: String,
}

/// The feed: the whole cluster on the activity page, or one job's or one
/// client's events (`scope`) on their pages, where the menus that the
/// scope fixes are left out.
#[component]
pub fn ActivityFeed(#[prop(optional)] scope: Option<Scope>) -> impl IntoView {
    let api = use_api();
    let scoped = scope.is_some();
    let scope = scope.unwrap_or_default();
    let selected = api.namespace.get_untracked();
    let sub = if !scope.job.is_empty() {
        Subscription::job(&scope.namespace, &scope.job)
    } else if !scope.node.is_empty() {
        Subscription::node(&selected, &scope.node)
    } else {
        Subscription::cluster(&selected)
    };
    let feed = StoredValue::new_local(Feed::new(KEEP));
    // bumped on every change of the feed; the views read it
    let version = RwSignal::new(0u64);
    let refused = RwSignal::new(None::<ApiError>);
    let tap = Rc::new(FeedTap {
        sub,
        feed,
        version,
        refused,
    });
    let registration = hub::register(api, Rc::downgrade(&tap) as Weak<dyn Listener>);
    let held = StoredValue::new_local(Some((tap, registration)));
    on_cleanup(move || {
        let _ = held.try_update_value(|h| h.take());
    });

    let text = use_typed_text();
    let set = use_query_setter();
    let (topic, kind, ns, job, node) = (
        use_query_param("topic"),
        use_query_param("type"),
        use_query_param("ns"),
        use_query_param("job"),
        use_query_param("node"),
    );
    let fixed = scope.clone();
    let filter = Memo::new(move |_| {
        let or = |fixed: &str, url: String| {
            if fixed.is_empty() {
                url
            } else {
                fixed.to_string()
            }
        };
        ActivityFilter {
            topic: topic.get(),
            event_type: kind.get(),
            namespace: or(&fixed.namespace, ns.get()),
            job: or(&fixed.job, job.get()),
            node: or(&fixed.node, node.get()),
            text: text.get(),
        }
    });
    let paused = RwSignal::new(false);
    let rows = Memo::new(move |_| {
        version.track();
        paused.track();
        filter.with(|f| {
            feed.with_value(|feed| feed.visible(f).take(SHOWN).cloned().collect::<Vec<Entry>>())
        })
    });
    let arrived = Memo::new(move |_| {
        version.track();
        filter.with(|f| feed.with_value(|feed| feed.new_since_pause(f)))
    });
    let choices = move |pick: fn(&Entry) -> &str| {
        Signal::derive(move || {
            version.track();
            feed.with_value(|f| f.distinct(pick))
        })
    };
    let toggle = move |_| {
        let now = !paused.get_untracked();
        feed.update_value(|f| if now { f.pause() } else { f.resume() });
        paused.set(now);
    };
    view! {
        <div class="page-head">
            {(!scoped).then(|| view! { <h1>"Activity"</h1> })}
            <LiveMode refused/>
        </div>
        <div class="toolbar">
            // A scoped feed shares its page's URL: it keeps to the menus
            // whose keys the page does not use.
            {(!scoped).then(|| view! { <SearchBox set=set.clone() text placeholder="Search events" testid="activity-search"/> })}
            <FacetMenu set=set.clone() key="topic" label="Any topic" choices=choices(|e| &e.topic)/>
            <FacetMenu set=set.clone() key="type" label="Any type" choices=choices(|e| &e.event_type)/>
            {(!scoped).then(|| {
                let set = set.clone();
                view! {
                    <FacetMenu set=set.clone() key="ns" label="Any namespace" choices=choices(|e| &e.namespace)/>
                    <FacetMenu set=set.clone() key="job" label="Any job" choices=choices(|e| &e.job)/>
                    <FacetMenu set key="node" label="Any node" choices=choices(|e| &e.node)/>
                }
            })}
            <button class="button" data-action="pause" aria-pressed=move || paused.get().to_string() on:click=toggle>
                {move || if paused.get() { "Resume" } else { "Pause" }}
            </button>
        </div>
        {move || (paused.get() && arrived.get() > 0).then(|| view! {
            <button class="banner info link-banner" data-testid="activity-new" on:click=toggle>
                {move || format!("↑ {} new events", arrived.get())}
            </button>
        })}
        // on a job's or client's page the feed scrolls in place, below the page's own sections
        <div class="table-wrap" class:scoped-feed=scoped>
            <table class="table" data-testid="activity-table">
                <thead><tr><th>"Received"</th><th>"Topic"</th><th>"Type"</th><th>"Object"</th><th>"Namespace"</th><th>"What changed"</th><th class="num">"Index"</th></tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|e| e.seq let:e>
                        <tr data-topic=e.topic.clone() data-type=e.event_type.clone()>
                            <td><RelTime at=UnixNanos(e.at)/></td>
                            <td>{e.topic.clone()}</td>
                            <td>{e.event_type.clone()}</td>
                            <td>{object_link(&e)}</td>
                            <td>{e.namespace.clone()}</td>
                            <td class="summary">{e.summary.clone()}</td>
                            <td class="num mono">{e.index}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
            {move || rows.with(|r| r.is_empty()).then(|| view! {
                <p class="muted empty" data-testid="activity-empty">{move || if feed.with_value(|f| f.is_empty()) {
                    "Waiting for the cluster to change…"
                } else {
                    "No event matches the filters."
                }}</p>
            })}
        </div>
    }
}

/// The object an event is about, linked where Yurt has a page for it.
fn object_link(e: &Entry) -> AnyView {
    let short = format::short_id(&e.key).to_string();
    match &e.object {
        Object::Job { namespace, id } => {
            view! { <a href=job_href(namespace, id)>{id.clone()}</a> }.into_any()
        }
        Object::Allocation(id) => {
            view! { <a class="mono" href=alloc_href(id) title=id.clone()>{short}</a> }.into_any()
        }
        Object::Node(id) => {
            view! { <a class="mono" href=node_href(id) title=id.clone()>{short}</a> }.into_any()
        }
        Object::Evaluation(id) | Object::Deployment(id) => {
            let link = (!e.job.is_empty()).then(|| job_href(&e.namespace, &e.job));
            match link {
                Some(href) => {
                    view! { <a class="mono" href=href title=id.clone()>{short}</a> }.into_any()
                }
                None => view! { <span class="mono" title=id.clone()>{short}</span> }.into_any(),
            }
        }
        Object::Other => view! { <span class="mono">{e.key.clone()}</span> }.into_any(),
    }
}

/// The feed's end of the tab's event stream.
struct FeedTap {
    sub: Subscription,
    feed: StoredValue<Feed, LocalStorage>,
    version: RwSignal<u64>,
    refused: RwSignal<Option<ApiError>>,
}

impl Listener for FeedTap {
    fn subscription(&self) -> Subscription {
        self.sub.clone()
    }
    fn deliver(&self, _index: u64, events: &[Rc<Event>]) {
        let now = interop::now_nanos();
        // the hub may deliver a batch after the feed's page went away
        let _ = self.feed.try_update_value(|f| {
            for e in events {
                f.push(e, now);
            }
        });
        let _ = self.version.try_update(|v| *v += 1);
    }
    fn wants_history(&self) -> bool {
        true
    }
    fn lost(&self, why: Lost) {
        // a gap only means older events are missing from the feed
        if let Lost::Refused(e) = why {
            let _ = self.refused.try_set(Some(e));
        }
    }
}

/// Live, reconnecting, or why the stream is not available.
#[component]
fn LiveMode(refused: RwSignal<Option<ApiError>>) -> impl IntoView {
    let status = hub::status();
    move || {
        // the hub's status is global: it can change while this feed is
        // being taken down, after `refused` is gone
        if let Some(e) = refused.try_get().flatten() {
            return view! {
                <div data-testid="live-mode-unavailable">
                    <p class="muted">"This agent does not offer the event stream to this token, so there is no activity to show."</p>
                    <ErrorPanel error=e/>
                </div>
            }
            .into_any();
        }
        match status.with(|s| s.liveness.clone()).unwrap_or(Liveness::Connecting) {
            Liveness::Live => view! { <span class="live-mode ok" data-testid="live-mode">"● Live (event stream)"</span> }.into_any(),
            Liveness::Reconnecting(n) => view! {
                <span class="live-mode warn" data-testid="live-mode">{format!("Reconnecting (attempt {n})…")}</span>
            }
            .into_any(),
            _ => view! { <span class="live-mode" data-testid="live-mode">"Connecting…"</span> }.into_any(),
        }
    }
}
