//! Controls shared by the big lists (jobs, allocations, clients): a search
//! box that filters at once and updates the URL after a pause, sortable
//! column headers, facet chips and menus, and a pager — all state in the
//! query string so every view can be shared by URL.

use super::{use_query_param, Debounce};
use crate::api::{use_api, Watch};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use nomad_model::lists::ListUrl;
use serde::de::DeserializeOwned;
use std::sync::Arc;

pub const PAGE_SIZE: usize = 50;

/// Rewrites query parameters (see [`super::use_query_setter`]).
pub trait Setter: Fn(&[(&str, String)]) + Clone + 'static {}
impl<T: Fn(&[(&str, String)]) + Clone + 'static> Setter for T {}

/// The filter text as typed: applied at once from this signal, while the
/// URL's `q` follows 250 ms after the last keystroke (rewriting the URL
/// re-runs the router). Navigating to a URL with another `q` resets it.
pub fn use_typed_text() -> RwSignal<String> {
    let text = use_query_param("q");
    let now = RwSignal::new(text.get_untracked());
    Effect::new(move |_| {
        let t = text.get();
        if now.get_untracked().trim() != t.trim() {
            now.set(t);
        }
    });
    now
}

#[component]
pub fn SearchBox<S: Setter>(
    set: S,
    text: RwSignal<String>,
    placeholder: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let typed = Debounce::new();
    view! {
        <input
            class="search"
            type="search"
            placeholder=placeholder
            aria-label=placeholder
            data-testid=testid
            prop:value=move || text.get()
            on:input=move |ev| {
                let v = event_target_value(&ev);
                text.set(v.clone());
                let set = set.clone();
                typed.run(std::time::Duration::from_millis(250), move || set(&[("q", v), ("page", String::new())]));
            }
        />
    }
}

/// A sortable column header. `default` is the column sorted by when the
/// URL names none.
#[component]
pub fn SortHeader<S: Setter>(
    set: S,
    key: &'static str,
    label: &'static str,
    #[prop(optional)] default: bool,
    #[prop(optional)] num: bool,
    /// the agent orders the rows (a paged list): a plain header
    #[prop(optional)]
    fixed: bool,
) -> impl IntoView {
    if fixed {
        return view! { <th class:num=num>{label}</th> }.into_any();
    }
    let sort = use_query_param("sort");
    let desc = use_query_param("desc");
    let is = move || sort.get() == key || (default && sort.get().is_empty());
    let arrow = move || match (is(), desc.get() == "1") {
        (false, _) => "",
        (true, false) => " ▴",
        (true, true) => " ▾",
    };
    view! {
        // the column header carries the sort (ARIA allows it there only)
        <th class:num=num aria-sort=move || if is() { if desc.get() == "1" { "descending" } else { "ascending" } } else { "none" }>
            <button
                class="th-sort"
                data-sort=key
                on:click=move |_| {
                    let d = if is() && desc.get_untracked() != "1" { "1" } else { "" };
                    set(&[("sort", if default { String::new() } else { key.to_string() }), ("desc", d.to_string()), ("page", String::new())])
                }
            >
                {label}
                {arrow}
            </button>
        </th>
    }
    .into_any()
}

/// One-of facet chips with counts (`count(value)`; empty value = any).
#[component]
pub fn Chips<S: Setter, C>(
    set: S,
    key: &'static str,
    options: Vec<(&'static str, &'static str)>,
    count: C,
    /// the counts would be of one page only (a paged list): none shown
    #[prop(optional)]
    uncounted: bool,
) -> impl IntoView
where
    C: Fn(&'static str) -> usize + Clone + Send + Sync + 'static,
{
    let current = use_query_param(key);
    view! {
        <div class="facet" role="group" aria-label=key>
            {options
                .into_iter()
                .map(|(value, label)| {
                    let set = set.clone();
                    let count = count.clone();
                    let active = move || current.get() == value;
                    let n = move || if value.is_empty() || uncounted { String::new() } else { format!(" {}", count(value)) };
                    view! {
                        <button class="chip" class:active=active data-facet=key data-value=value
                            on:click=move |_| set(&[(key, value.to_string()), ("page", String::new())])>
                            {label}
                            <span class="chip-count">{n}</span>
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Past this many values a facet is typed, not picked: a menu of 10,000
/// jobs is no help, and building it held the allocations page ~150 ms.
const MENU_MAX: usize = 300;

/// A facet as a menu of the values present (a text field when there are
/// too many to list).
#[component]
pub fn FacetMenu<S: Setter>(
    set: S,
    key: &'static str,
    label: &'static str,
    #[prop(into)] choices: Signal<Vec<String>>,
) -> impl IntoView {
    let current = use_query_param(key);
    let many = Memo::new(move |_| choices.with(|c| c.len() > MENU_MAX));
    let set_typed = set.clone();
    view! {
        <select class="facet-select" data-facet=key aria-label=label prop:value=move || current.get()
            style:display=move || if many.get() { "none" } else { "" }
            on:change=move |ev| set(&[(key, event_target_value(&ev)), ("page", String::new())])>
            <option value="">{label}</option>
            {move || {
                if many.get() {
                    return vec![];
                }
                let cur = current.get();
                let mut v = choices.get();
                // a value from the URL that is not (yet) present stays selectable
                if !cur.is_empty() && !v.contains(&cur) {
                    v.insert(0, cur);
                }
                v.into_iter().map(|v| view! { <option value=v.clone()>{v.clone()}</option> }).collect_view()
            }}
        </select>
        <input class="facet-select" type="search" data-facet-typed=key aria-label=label
            placeholder=label prop:value=move || current.get()
            style:display=move || if many.get() { "" } else { "none" }
            on:change=move |ev| set_typed(&[(key, event_target_value(&ev).trim().to_string()), ("page", String::new())])/>
    }
}

/// A list's filters from the URL (the text as typed, so a keystroke
/// filters at once), one memo per list.
pub fn use_list_query<Q>(text: RwSignal<String>) -> Memo<Q>
where
    Q: ListUrl + PartialEq + Send + Sync + 'static,
{
    let query = use_query_map();
    Memo::new(move |_| {
        Q::from_url(|k| {
            if k == "q" {
                text.get()
            } else {
                query.with(|m| m.get(k).unwrap_or_default())
            }
        })
    })
}

/// The first page of a big list, from a small paged request (`per_page`,
/// Nomad 1.3+), shown while `watch` loads the whole list, which may be
/// tens of megabytes. Only when the URL sets none of the list's keys
/// (`Q::url_keys`): filters, other orders and later pages need every
/// entry. An agent that ignores `per_page` answers with everything,
/// which is fine. `wanted`: false when nothing would show it (the list is
/// paged by the agent, see [`super::paged`]).
pub fn use_first_page<Q: ListUrl, T>(
    watch: Watch<Vec<T>>,
    path: String,
    mut query: Vec<(&'static str, String)>,
    wanted: bool,
) -> RwSignal<Option<Arc<Vec<T>>>>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    let page = RwSignal::new(None);
    let plain = wanted
        && use_query_map().with_untracked(|m| {
            Q::url_keys()
                .iter()
                .all(|k| m.get(k).is_none_or(|v| v.is_empty()))
        });
    if plain {
        let api = use_api();
        query.push(("per_page", PAGE_SIZE.to_string()));
        leptos::task::spawn_local(async move {
            if let Ok(list) = api.get::<Vec<T>>(&path, &query).await {
                if watch.data_untracked().is_none() {
                    let _ = page.try_set(Some(Arc::new(list)));
                }
            }
        });
    }
    page
}

/// The rows of the URL's page, built by `make` from the indices on it.
/// A memo, not a closure: a `<For>` fed by a closure over several memos
/// was seen to miss an update when only one of them changed (the clients
/// list's running counts), and a memo only re-renders when rows differ.
pub fn use_page_rows<R>(
    rows: Memo<Vec<usize>>,
    make: impl Fn(&[usize]) -> Vec<R> + Send + Sync + 'static,
) -> Memo<Vec<R>>
where
    R: PartialEq + Send + Sync + 'static,
{
    let page = use_query_param("page");
    Memo::new(move |_| {
        let (p, _) = page_bounds(&page.get(), rows.with(|r| r.len()));
        rows.with(|r| {
            let start = ((p - 1) * PAGE_SIZE).min(r.len());
            make(&r[start..(start + PAGE_SIZE).min(r.len())])
        })
    })
}

/// Page `page` (1-based, clamped) of `total` rows.
pub fn page_bounds(page: &str, total: usize) -> (usize, usize) {
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let p = page.parse::<usize>().unwrap_or(1).clamp(1, pages);
    (p, pages)
}

#[component]
pub fn Pager<S: Setter>(
    set: S,
    #[prop(into)] total: Signal<usize>,
    #[prop(into)] summary: Signal<String>,
    testid: &'static str,
) -> impl IntoView {
    let page = use_query_param("page");
    let bounds = move || page_bounds(&page.get(), total.get());
    let set_n = set.clone();
    view! {
        <div class="pager">
            <span class="muted" data-testid=testid>{summary}</span>
            <button class="button" data-page="prev" disabled=move || bounds().0 <= 1 on:click=move |_| set(&[("page", (bounds().0 - 1).to_string())])>"‹ Previous"</button>
            <span>{move || { let (p, n) = bounds(); format!("Page {p} of {n}") }}</span>
            <button class="button" data-page="next" disabled=move || { let (p, n) = bounds(); p >= n } on:click=move |_| set_n(&[("page", (bounds().0 + 1).to_string())])>"Next ›"</button>
        </div>
    }
}
