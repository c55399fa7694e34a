//! Every allocation in the cluster (`/v1/allocations`): instant text
//! search, facets for status, namespace, job, task group and client,
//! sortable columns and paging, all in the URL; live from the event
//! stream; paged and filtered by the agent past [`HOLD_ALLOCS`]. Built
//! for 50,000 allocations: rows decode into a slim type, the sort order
//! is computed once per update and a keystroke only filters.

use super::bulk::{use_selection, BulkBar, PickAllBox, Run};
use super::list::{
    use_first_page, use_list_query, use_page_rows, use_typed_text, Chips, FacetMenu, Pager,
    SearchBox, SortHeader,
};
use super::paged::{
    agent_namespace, use_agent_page, use_holding, AgentPager, Holding, PagedBanner, HOLD_ALLOCS,
};
use super::{use_query_param, use_query_setter};
use crate::api::{use_api, use_live_list, Watch, WatchOpts};
use crate::components::*;
use crate::pages::job::AllocRowView;
use leptos::prelude::*;
use nomad_model::format;
use nomad_model::lists::{
    alloc_order, alloc_search_keys, count_by, distinct, ns_of, select_allocs, AllocQuery, AllocRow,
    ListUrl,
};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// The allocations list query for the current namespace (shared with the
/// clients list, which counts running allocations per node from it).
pub fn allocations_request(
    namespace: String,
    prefix: String,
) -> (String, Vec<(&'static str, String)>) {
    let mut q = vec![
        ("namespace", namespace),
        ("task_states", "false".to_string()),
    ];
    if !prefix.is_empty() {
        q.push(("prefix", prefix));
    }
    (crate::api::paths::ALLOCATIONS.to_string(), q)
}

pub const LIST_OPTS: WatchOpts = WatchOpts {
    min_interval: Duration::from_millis(500),
    blocking: true,
    live: true,
};

#[component]
pub fn AllocationsPage() -> impl IntoView {
    let api = use_api();
    let prefix = use_query_param("prefix");
    let holding = use_holding("allocations", HOLD_ALLOCS);
    let watch = use_live_list::<AllocRow>(
        move || {
            let (path, q) = allocations_request(api.namespace.get(), prefix.get());
            holding.query(q).map(|q| (path, q))
        },
        LIST_OPTS,
    );
    holding.follow(watch);
    let set = use_query_setter();
    let text = use_typed_text();
    // the newest page first (`reverse`: by create index, newest first)
    let (path, mut q) = allocations_request(api.namespace.get_untracked(), String::new());
    q.push(("reverse", "true".to_string()));
    let first = use_first_page::<AllocQuery, _>(watch, path, q, !holding.paged.get_untracked());
    let pending = move || match first.get() {
        Some(list) => {
            view! { <AllocationsTable list=Signal::stored(list) text partial=true/> }.into_any()
        }
        None => view! { <Spinner label="Loading allocations…"/> }.into_any(),
    };
    view! {
        <div class="page-head"><h1>"Allocations"</h1></div>
        {super::alloc::collected_banner()}
        {move || {
            let p = prefix.get();
            let set = set.clone();
            (!p.is_empty()).then(|| view! {
                <div class="banner info" data-testid="prefix">
                    "Allocations whose ID starts with " <code>{p}</code> " (asked of the agent). "
                    <button class="link" on:click=move |_| set(&[("prefix", String::new())])>"Show all"</button>
                </div>
            })
        }}
        {move || if holding.paged.get() {
            view! { <AgentAllocations holding text/> }.into_any()
        } else {
            view! { <Live watch pending=ViewFn::from(move || pending) children=move |list| view! { <AllocationsTable list text partial=false/> }/> }.into_any()
        }}
    }
}

/// The allocations as the agent pages (newest first) and filters them.
#[component]
fn AgentAllocations(holding: Holding, text: RwSignal<String>) -> impl IntoView {
    let api = use_api();
    let url = leptos_router::hooks::use_query_map();
    let page = use_agent_page::<AllocRow>(crate::api::paths::ALLOCATIONS, move || {
        let (q, prefix) = url.with(|m| {
            (
                AllocQuery::from_url(|k| m.get(k).unwrap_or_default()),
                m.get("prefix").unwrap_or_default(),
            )
        });
        let ns = agent_namespace(&q.namespace, api);
        let (_, mut query) = allocations_request(ns, prefix);
        query.push(("reverse", "true".to_string()));
        query.push(("filter", q.server_filter()));
        query
    });
    let note = holding.note("allocations");
    view! {
        <PagedBanner holding noun="allocations" order="newest first"/>
        <Live watch=page label="Loading allocations…" children=move |list| view! {
            <AllocationsTable list text partial=false agent=(page, note.clone())/>
        }/>
    }
}

#[component]
fn AllocationsTable(
    list: Signal<Arc<Vec<AllocRow>>>,
    /// the filter as typed (the URL follows it after a pause)
    text: RwSignal<String>,
    /// only the newest page has arrived; the full list is loading
    partial: bool,
    /// a page the agent cut and filtered, and what to say about it
    #[prop(optional)]
    agent: Option<(Watch<Vec<AllocRow>>, String)>,
) -> impl IntoView {
    let paged = agent.is_some();
    let job = use_query_param("job");
    let sort = use_query_param("sort");
    let desc = use_query_param("desc");
    let set = use_query_setter();
    let query = use_list_query::<AllocQuery>(text);
    let keys = Memo::new(move |_| list.with(|l| alloc_search_keys(l)));
    let order = Memo::new(move |_| {
        let (by, d) = (sort.get(), desc.get() == "1");
        list.with(|l| alloc_order(l, &by, d))
    });
    let rows = Memo::new(move |_| {
        if paged {
            // the agent filtered and ordered the page
            return list.with(|l| (0..l.len()).collect());
        }
        query.with(|q| keys.with(|k| order.with(|o| list.with(|l| select_allocs(l, k, o, q)))))
    });
    // facet menus list the values present; groups of the chosen job only
    let choices = Memo::new(move |_| {
        let j = job.get();
        list.with(|l| {
            (
                distinct(l.iter().map(|a| ns_of(&a.namespace))),
                distinct(l.iter().map(|a| a.job_id.as_str())),
                distinct(
                    l.iter()
                        .filter(|a| j.is_empty() || a.job_id == j)
                        .map(|a| a.task_group.as_str()),
                ),
                distinct(l.iter().map(|a| {
                    if a.node_name.is_empty() {
                        a.node_id.as_str()
                    } else {
                        a.node_name.as_str()
                    }
                })),
            )
        })
    });
    let counts = Memo::new(move |_| {
        list.with(|l| {
            count_by(l, |a| a.client_status.as_str())
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<std::collections::HashMap<_, _>>()
        })
    });
    let visible = use_page_rows(rows, move |idx| {
        list.with(|l| idx.iter().map(|&i| l[i].clone()).collect())
    });
    let total = Signal::derive(move || rows.with(|r| r.len()));
    let sel = use_selection(Signal::derive(move || {
        rows.with(|r| list.with(|l| r.iter().map(|&i| l[i].id.clone()).collect()))
    }));
    let api = use_api();
    let label_of = move |id: String| {
        list.with_untracked(|l| {
            l.iter()
                .find(|a| a.id == id)
                .map(|a| format!("{} ({})", a.name, format::short_id(&a.id)))
        })
        .unwrap_or(id)
    };
    let run: Run = Rc::new(move |op, id| {
        Box::pin(async move {
            match op {
                "restart" => api
                    .restart_allocation(&id, &Default::default())
                    .await
                    .map(|_| "restart requested".to_string()),
                _ => api
                    .stop_allocation(&id)
                    .await
                    .map(|_| "stopped; a replacement will be placed".to_string()),
            }
        })
    });
    let note = agent.as_ref().map(|(_, n)| n.clone());
    let summary = Signal::derive(move || {
        let (n, all) = (rows.with(|r| r.len()), list.with(|l| l.len()));
        if let Some(note) = &note {
            format!("{note}; {n} on this page")
        } else if partial {
            "Loading every allocation…".to_string()
        } else if n == all {
            format!("{} allocations", format::thousands(n as i64))
        } else {
            format!(
                "{} of {} allocations",
                format::thousands(n as i64),
                format::thousands(all as i64)
            )
        }
    });
    let statuses = vec![
        ("", "Any status"),
        ("pending", "Pending"),
        ("running", "Running"),
        ("complete", "Complete"),
        ("failed", "Failed"),
        ("lost", "Lost"),
        ("unknown", "Unknown"),
    ];
    view! {
        <div class="toolbar">
            <SearchBox set=set.clone() text placeholder="Filter by ID, name or client" testid="allocs-filter"/>
            <Chips set=set.clone() uncounted=paged key="status" options=statuses count=move |v| counts.with(|c| c.get(v).copied().unwrap_or(0))/>
            <FacetMenu set=set.clone() key="ns" label="Any namespace" choices=Signal::derive(move || choices.with(|c| c.0.clone()))/>
            <FacetMenu set=set.clone() key="job" label="Any job" choices=Signal::derive(move || choices.with(|c| c.1.clone()))/>
            <FacetMenu set=set.clone() key="group" label="Any group" choices=Signal::derive(move || choices.with(|c| c.2.clone()))/>
            <FacetMenu set=set.clone() key="node" label="Any client" choices=Signal::derive(move || choices.with(|c| c.3.clone()))/>
        </div>
        <BulkBar sel noun="allocations" label_of run
            ops=vec![("restart", "Restart", "Restart the running tasks of"), ("stop", "Stop", "Stop (the scheduler replaces)")]/>
        <table class="table" data-testid="allocs-table">
            <thead>
                <tr>
                    <PickAllBox sel/>
                    <SortHeader set=set.clone() fixed=paged key="id" label="ID"/>
                    <SortHeader set=set.clone() fixed=paged key="name" label="Name"/>
                    <SortHeader set=set.clone() fixed=paged key="job" label="Job"/>
                    <SortHeader set=set.clone() fixed=paged key="node" label="Client"/>
                    <SortHeader set=set.clone() fixed=paged key="status" label="Status"/>
                    <th>"Desired"</th>
                    <SortHeader set=set.clone() fixed=paged key="version" label="Version" num=true/>
                    <SortHeader set=set.clone() fixed=paged key="created" label="Created" default=true/>
                    <SortHeader set=set.clone() fixed=paged key="modified" label="Modified"/>
                </tr>
            </thead>
            <tbody>
                <Rows each=move || visible.get() key=|a: &AllocRow| (a.id.clone(), a.modify_index) children=move |a: AllocRow| view! { <AllocRowView a pick=sel/> }/>
            </tbody>
        </table>
        {move || rows.with(|r| r.is_empty()).then(|| view! {
            <p class="empty" data-testid="allocs-empty">"No allocations match. "
                {move || (!query.with(|q| q.is_empty())).then_some("Clear the filters to see them all.")}</p>
        })}
        {match agent {
            Some((page, _)) => view! { <AgentPager set watch=page summary testid="allocs-count"/> }.into_any(),
            None => view! { <Pager set total summary testid="allocs-count"/> }.into_any(),
        }}
    }
}
