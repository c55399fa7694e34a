//! Lists too large to hold in the tab. A list is read whole up to a
//! limit (`per_page` = limit + 1); when the agent has more, the page
//! switches for the rest of the session to pages the agent cuts and
//! filters (`per_page`, `next_token`, a go-bexpr `filter` built from the
//! URL's filters), and says so. The URL's `page` then holds the next
//! token the page starts at, so filters, which reset `page`, go back to
//! the first page as they do in a held list.

use super::list::{Setter, PAGE_SIZE};
use super::use_query_param;
use crate::api::{use_watch, Api, Watch, WatchOpts};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::collections::HashSet;
use std::time::Duration;

/// Most jobs the jobs list holds (the `large` scenario's 10,000 fit).
pub const HOLD_JOBS: usize = 20_000;
/// Most allocations the allocations list (and the clients list's
/// running counts) holds: 60,000 are ~56 MB of JSON.
pub const HOLD_ALLOCS: usize = 60_000;

thread_local! {
    /// Lists found too large this session: they go straight to pages.
    static TOO_BIG: RefCell<HashSet<&'static str>> = RefCell::default();
}

/// Whether holding the whole list or paging it on the agent, for the
/// list named `list`.
#[derive(Clone, Copy)]
pub struct Holding {
    list: &'static str,
    hold: usize,
    pub paged: RwSignal<bool>,
    /// The whole list's read is let go of, a moment after `paged`: let go
    /// at once, the held rows emptied under views still being torn down.
    released: RwSignal<bool>,
}

/// Starts holding `list` whole, unless it was found too large before.
/// `localStorage["yurt.hold"]` lowers the limit, for a browser short of
/// memory (and for the tests, on a cluster of a few thousand rows).
pub fn use_holding(list: &'static str, hold: usize) -> Holding {
    let hold = crate::interop::storage_get("yurt.hold")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .map_or(hold, |h| h.clamp(1, hold));
    let paged = TOO_BIG.with(|t| t.borrow().contains(list));
    Holding {
        list,
        hold,
        paged: RwSignal::new(paged),
        released: RwSignal::new(paged),
    }
}

impl Holding {
    /// The whole-list query, asking for one row more than is held; `None`
    /// once the list is paged (that read stops).
    pub fn query(
        &self,
        mut query: Vec<(&'static str, String)>,
    ) -> Option<Vec<(&'static str, String)>> {
        if self.released.get() {
            return None;
        }
        query.push(("per_page", (self.hold + 1).to_string()));
        Some(query)
    }

    /// Watches the whole list's read and switches to pages once it holds
    /// one row over the limit.
    pub fn follow<T: Send + Sync + 'static>(self, watch: Watch<Vec<T>>) {
        Effect::new(move |_| {
            if let Some(n) = watch.with_state(|s| s.data.as_ref().map(|d| d.len())) {
                self.check(n);
            }
        });
    }

    /// Switches to pages when `rows` came back one over the limit (an
    /// agent before 1.3 ignores `per_page` and sends everything, more
    /// than that: it cannot page either, so the list stays whole).
    fn check(&self, rows: usize) {
        if rows == self.hold + 1 && !self.paged.get_untracked() {
            let list = self.list;
            TOO_BIG.with(|t| t.borrow_mut().insert(list));
            self.paged.set(true);
            let released = self.released;
            set_timeout(move || _ = released.try_set(true), Duration::ZERO);
        }
    }

    /// Most rows held.
    pub fn hold(&self) -> usize {
        self.hold
    }

    /// What the page says about paging.
    pub fn note(&self, noun: &str) -> String {
        format!(
            "More than {} {noun}: the agent filters and pages this list",
            nomad_model::format::thousands(self.hold as i64)
        )
    }
}

/// The namespace a paged list asks for: the facet's, else the top bar's.
pub fn agent_namespace(facet: &str, api: Api) -> String {
    if facet.is_empty() {
        api.namespace.get()
    } else {
        facet.to_string()
    }
}

/// Says at the top of a paged list what changed: filters run on the
/// agent, the order is the agent's, and counts are of one page.
#[component]
pub fn PagedBanner(holding: Holding, noun: &'static str, order: &'static str) -> impl IntoView {
    view! {
        <div class="banner info" data-testid="paged">
            {format!(
                "More than {} {noun}, too many to hold in this tab: the agent filters and pages them, {order}. Sorting is off and facet counts are left out.",
                nomad_model::format::thousands(holding.hold as i64)
            )}
        </div>
    }
}

/// One page of `path` as the agent cuts it: `query` plus the URL's
/// page token. Blocking queries keep it current (a page is small, and
/// the events that touch it cannot say whether a row moves between pages).
pub fn use_agent_page<T>(
    path: &'static str,
    query: impl Fn() -> Vec<(&'static str, String)> + 'static,
) -> Watch<Vec<T>>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    let token = use_query_param("page");
    use_watch(
        move || {
            let mut q = query();
            q.retain(|(k, v)| *k != "filter" || !v.is_empty());
            q.push(("per_page", PAGE_SIZE.to_string()));
            let t = token.get();
            if !t.is_empty() {
                q.push(("next_token", t));
            }
            Some((path.to_string(), q))
        },
        WatchOpts {
            min_interval: Duration::from_secs(2),
            live: false,
            ..Default::default()
        },
    )
}

/// Previous / next through the agent's pages. Earlier tokens are kept
/// while the page lives, so "Previous" goes back one page; from a
/// shared URL it goes to the first.
#[component]
pub fn AgentPager<S: Setter, T: Send + Sync + 'static>(
    set: S,
    watch: Watch<Vec<T>>,
    #[prop(into)] summary: Signal<String>,
    testid: &'static str,
) -> impl IntoView {
    let token = use_query_param("page");
    let earlier: RwSignal<Vec<String>> = RwSignal::new(vec![]);
    // back on the first page (a filter changed): nothing is earlier
    Effect::new(move |_| {
        if token.get().is_empty() {
            earlier.set(vec![]);
        }
    });
    let next = Signal::derive(move || watch.with_state(|s| s.next_token.clone()));
    let set_prev = set.clone();
    let prev = move |_| {
        let mut back = earlier.get_untracked();
        let to = back.pop().unwrap_or_default();
        earlier.set(back);
        set_prev(&[("page", to)]);
    };
    let forward = move |_| {
        let n = next.get_untracked();
        if !n.is_empty() {
            earlier.update(|e| e.push(token.get_untracked()));
            set(&[("page", n)]);
        }
    };
    view! {
        <div class="pager">
            <span class="muted" data-testid=testid>{summary}</span>
            <button class="button" data-page="prev" disabled=move || token.get().is_empty() on:click=prev>"‹ Previous"</button>
            <button class="button" data-page="next" disabled=move || next.get().is_empty() on:click=forward>"Next ›"</button>
        </div>
    }
}
