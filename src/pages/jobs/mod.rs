//! The jobs list: every job the token can read, across namespaces, with an
//! instant text filter, facets, sortable columns and paging — all kept in
//! the URL — live from the event stream; paged and filtered by the agent
//! when there are too many jobs to hold (see [`super::paged`]).

use super::bulk::{use_selection, PickAllBox, PickBox};
use super::list::{
    use_first_page, use_list_query, use_page_rows, use_typed_text, Chips, FacetMenu, Pager,
    SearchBox, SortHeader,
};
use super::paged::{
    agent_namespace, use_agent_page, use_holding, AgentPager, Holding, PagedBanner, HOLD_JOBS,
};
use super::{use_query_param, use_query_setter};
use crate::api::{use_api, use_live_list, Watch, WatchOpts};
use crate::components::*;
use crate::routes::job_href;
use leptos::prelude::*;
use nomad_model::lists::{
    distinct, job_order, job_search_keys, ns_of, pool_of, select_jobs, JobQuery, ListUrl,
};
use nomad_model::{JobListStub, TaskGroupSummary};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub struct JobRow {
    pub key: String,
    pub id: String,
    pub name: String,
    pub namespace: String,
    pub job_type: String,
    pub priority: i64,
    pub status: String,
    pub summary: TaskGroupSummary,
    pub datacenters: String,
    pub node_pool: String,
    pub submit_time: nomad_model::UnixNanos,
    pub periodic: bool,
    pub parameterized: bool,
    pub children: bool,
}

impl JobRow {
    fn from(j: &JobListStub) -> Self {
        JobRow {
            key: format!("{}/{}", j.namespace, j.id),
            id: j.id.clone(),
            name: j.name.clone(),
            namespace: ns_of(&j.namespace).to_string(),
            job_type: j.job_type.clone(),
            priority: j.priority,
            status: j.status.clone(),
            summary: j
                .job_summary
                .as_ref()
                .map(|s| s.totals())
                .unwrap_or_default(),
            datacenters: j.datacenters.join(", "),
            node_pool: j.node_pool.clone(),
            submit_time: j.submit_time,
            periodic: j.periodic,
            parameterized: j.parameterized_job,
            children: j
                .job_summary
                .as_ref()
                .and_then(|s| s.children)
                .is_some_and(|c| c.pending + c.running + c.dead > 0),
        }
    }
}

#[component]
pub fn JobsPage() -> impl IntoView {
    let api = use_api();
    let purged = use_query_param("purged");
    let holding = use_holding("jobs", HOLD_JOBS);
    let watch = use_live_list::<JobListStub>(
        move || {
            holding
                .query(vec![("namespace", api.namespace.get())])
                .map(|q| (crate::api::paths::JOBS.to_string(), q))
        },
        WatchOpts {
            min_interval: Duration::from_millis(500),
            ..Default::default()
        },
    );
    holding.follow(watch);
    let text_now = use_typed_text();
    let first = use_first_page::<JobQuery, _>(
        watch,
        crate::api::paths::JOBS.into(),
        vec![("namespace", api.namespace.get_untracked())],
        !holding.paged.get_untracked(),
    );
    let pending = move || match first.get() {
        Some(list) => {
            view! { <JobsTable jobs=Signal::stored(list) text_now partial=true/> }.into_any()
        }
        None => view! { <Spinner label="Loading jobs…"/> }.into_any(),
    };
    view! {
        <div class="page-head">
            <h1>"Jobs"</h1>
            <span class="spacer"></span>
            <a class="button primary" href=crate::routes::href("/jobs/new") data-testid="run-job">"Run a job"</a>
        </div>
        {move || {
            let p = purged.get();
            (!p.is_empty()).then(|| view! { <div class="banner ok" data-testid="purged">{format!("Job {p} was purged.")}</div> })
        }}
        {move || if holding.paged.get() {
            view! { <AgentJobs holding text_now/> }.into_any()
        } else {
            view! { <Live watch pending=ViewFn::from(move || pending) children=move |jobs| view! { <JobsTable jobs text_now partial=false/> }/> }.into_any()
        }}
    }
}

/// The jobs list as the agent pages and filters it.
#[component]
fn AgentJobs(holding: Holding, text_now: RwSignal<String>) -> impl IntoView {
    let api = use_api();
    let url = leptos_router::hooks::use_query_map();
    let page = use_agent_page::<JobListStub>(crate::api::paths::JOBS, move || {
        // the URL's text, not the typed one: a request per keystroke is
        // one too many
        let q = url.with(|m| JobQuery::from_url(|k| m.get(k).unwrap_or_default()));
        let ns = agent_namespace(&q.namespace, api);
        vec![("namespace", ns), ("filter", q.server_filter())]
    });
    let note = holding.note("jobs");
    view! {
        <PagedBanner holding noun="jobs" order="by namespace and ID"/>
        <Live watch=page label="Loading jobs…" children=move |jobs| view! {
            <JobsTable jobs text_now partial=false agent=(page, note.clone())/>
        }/>
    }
}

#[component]
fn JobsTable(
    jobs: Signal<Arc<Vec<JobListStub>>>,
    /// the filter as typed (the URL follows it after a pause)
    text_now: RwSignal<String>,
    /// only the first page has arrived; the full list is loading
    partial: bool,
    /// a page the agent cut and filtered, and what to say about it
    #[prop(optional)]
    agent: Option<(Watch<Vec<JobListStub>>, String)>,
) -> impl IntoView {
    let paged = agent.is_some();
    let sort = use_query_param("sort");
    let desc = use_query_param("desc");
    let set = use_query_setter();
    let query = use_list_query::<JobQuery>(text_now);
    // per list update: search keys and the sort order; per keystroke: a
    // filter over the sorted order
    let keys = Memo::new(move |_| jobs.with(|j| job_search_keys(j)));
    let order = Memo::new(move |_| {
        let (by, d) = (sort.get(), desc.get() == "1");
        jobs.with(|j| job_order(j, &by, d))
    });
    let rows = Memo::new(move |_| {
        if paged {
            // the agent filtered and ordered the page
            return jobs.with(|j| (0..j.len()).collect());
        }
        query.with(|q| keys.with(|k| order.with(|o| jobs.with(|j| select_jobs(j, k, o, q)))))
    });
    // the namespaces, datacenters and node pools present, for the facet menus
    let choices = Memo::new(move |_| {
        jobs.with(|j| {
            (
                distinct(j.iter().map(|x| ns_of(&x.namespace))),
                distinct(
                    j.iter()
                        .flat_map(|x| x.datacenters.iter().map(String::as_str))
                        .filter(|d| *d != "*"),
                ),
                distinct(j.iter().map(|x| pool_of(&x.node_pool))),
            )
        })
    });
    let total = Signal::derive(move || rows.with(|r| r.len()));
    let note = agent.as_ref().map(|(_, n)| n.clone());
    let summary = Signal::derive(move || {
        if let Some(n) = &note {
            format!("{n}; {} on this page", rows.with(|r| r.len()))
        } else if partial {
            "Loading every job…".to_string()
        } else {
            format!("{} jobs", rows.with(|r| r.len()))
        }
    });
    let visible = use_page_rows(rows, move |idx| {
        jobs.with(|j| idx.iter().map(|&i| JobRow::from(&j[i])).collect())
    });
    let sel = use_selection(Signal::derive(move || {
        rows.with(|r| {
            jobs.with(|j| {
                r.iter()
                    .map(|&i| format!("{}/{}", j[i].namespace, j[i].id))
                    .collect()
            })
        })
    }));
    // (a memo: the bar is made once when the first row is picked, not per tick)
    let any_picked = Memo::new(move |_| sel.count() > 0);
    let count_by = move |f: fn(&JobListStub) -> &str, v: &'static str| {
        jobs.with(|j| {
            j.iter()
                .filter(|x| x.parent_id.is_empty() && f(x) == v)
                .count()
        })
    };
    view! {
        <div class="toolbar">
            <SearchBox set=set.clone() text=text_now placeholder="Filter by name or ID" testid="jobs-filter"/>
            <Chips set=set.clone() uncounted=paged key="status" options=vec![("", "Any status"), ("running", "Running"), ("pending", "Pending"), ("dead", "Dead")] count=move |v| count_by(|j| j.status.as_str(), v)/>
            <Chips set=set.clone() uncounted=paged key="type" options=vec![("", "Any type"), ("service", "Service"), ("batch", "Batch"), ("system", "System"), ("sysbatch", "Sysbatch")] count=move |v| count_by(|j| j.job_type.as_str(), v)/>
            <FacetMenu set=set.clone() key="ns" label="Any namespace" choices=Signal::derive(move || choices.with(|c| c.0.clone()))/>
            <FacetMenu set=set.clone() key="dc" label="Any datacenter" choices=Signal::derive(move || choices.with(|c| c.1.clone()))/>
            <FacetMenu set=set.clone() key="pool" label="Any node pool" choices=Signal::derive(move || choices.with(|c| c.2.clone()))/>
        </div>
        // the bar loads with the job chunk once a row is picked
        {move || any_picked.get().then(|| view! {
            <Suspense fallback=|| ()>
                {Suspend::new(send_wrapper::SendWrapper::new(async move { crate::lazy::jobs_bulk(sel).await }))}
            </Suspense>
        })}
        <table class="table jobs-table" data-testid="jobs-table">
            <thead>
                <tr>
                    <PickAllBox sel/>
                    <SortHeader set=set.clone() fixed=paged key="name" label="Name" default=true/>
                    <SortHeader set=set.clone() fixed=paged key="namespace" label="Namespace"/>
                    <SortHeader set=set.clone() fixed=paged key="type" label="Type"/>
                    <SortHeader set=set.clone() fixed=paged key="priority" label="Priority"/>
                    <SortHeader set=set.clone() fixed=paged key="status" label="Status"/>
                    <th>"Allocations"</th>
                    <th>"Datacenters / pool"</th>
                    <SortHeader set=set.clone() fixed=paged key="submitted" label="Submitted"/>
                </tr>
            </thead>
            <tbody>
                <Rows
                    each=move || visible.get()
                    key=|r: &JobRow| (r.key.clone(), r.status.clone(), r.summary, r.submit_time)
                    children=move |r: JobRow| {
                        let segs = alloc_segments(&r.summary);
                        let kind = if r.periodic { Some("periodic") } else if r.parameterized { Some("parameterized") } else { None };
                        view! {
                            <tr data-job=r.id.clone()>
                                <PickBox sel key=r.key.clone()/>
                                <td class="name">
                                    <a href=job_href(&r.namespace, &r.id)>{r.name.clone()}</a>
                                    {kind.map(|k| view! { <span class="tag">{k}</span> })}
                                </td>
                                <td>{r.namespace.clone()}</td>
                                <td>{r.job_type.clone()}</td>
                                <td class="num">{r.priority}</td>
                                <td><Badge status=r.status.clone()/></td>
                                <td class="bar-cell"><StackedBar segments=segs compact=true/></td>
                                <td class="muted">
                                    {if r.node_pool.is_empty() || r.node_pool == "default" { r.datacenters.clone() } else { format!("{} · {}", r.datacenters, r.node_pool) }}
                                </td>
                                <td class="muted"><RelTime at=r.submit_time/></td>
                            </tr>
                        }
                    }
                />
            </tbody>
        </table>
        {move || rows.with(|r| r.is_empty()).then(|| view! {
            <p class="empty" data-testid="jobs-empty">"No jobs match. "
                {move || query.with(|q| q.text.len() + q.status.len() + q.job_type.len() + q.namespace.len() + q.datacenter.len() + q.pool.len() > 0).then_some("Clear the filters to see all jobs.")}
            </p>
        })}
        {match agent {
            Some((page, _)) => view! { <AgentPager set watch=page summary testid="jobs-count"/> }.into_any(),
            None => view! { <Pager set total summary testid="jobs-count"/> }.into_any(),
        }}
    }
}
