//! The jobs list: every job the token can read, across namespaces, with an
//! instant text filter, facets, sortable columns and paging — all kept in
//! the URL — live through a blocking query.

use super::{query_param, query_setter};
use crate::api::{use_api, use_watch, WatchOpts};
use crate::components::*;
use crate::routes::job_href;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use nomad_model::lists::{distinct, job_order, job_search_keys, ns_of, select_jobs, JobQuery};
use nomad_model::{JobListStub, TaskGroupSummary};
use std::sync::Arc;
use std::time::Duration;

pub const PAGE_SIZE: usize = 50;

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
    let purged = query_param("purged");
    let watch = use_watch::<Vec<JobListStub>>(
        move || {
            Some((
                "/v1/jobs".to_string(),
                vec![("namespace", api.namespace.get())],
            ))
        },
        WatchOpts {
            min_interval: Duration::from_millis(500),
            ..Default::default()
        },
    );
    // The first page comes from a small paged request (`per_page`, Nomad
    // 1.3+) while the full list, which may be megabytes, is on its way; an
    // agent that ignores `per_page` answers with everything, which is fine.
    // Only for the plain view: a filtered or sorted URL needs every job.
    let text_now = RwSignal::new(query_param("q").get_untracked());
    let plain = use_query_map().with_untracked(|m| {
        ["q", "status", "type", "ns", "dc", "sort", "page"]
            .iter()
            .all(|k| m.get(k).is_none_or(|v| v.is_empty()))
    });
    let first_page: RwSignal<Option<Arc<Vec<JobListStub>>>> = RwSignal::new(None);
    if plain {
        let ns = api.namespace.get_untracked();
        leptos::task::spawn_local(async move {
            let q = [("namespace", ns), ("per_page", PAGE_SIZE.to_string())];
            if let Ok(list) = api.get::<Vec<JobListStub>>("/v1/jobs", &q).await {
                if watch.data_untracked().is_none() {
                    first_page.set(Some(Arc::new(list)));
                }
            }
        });
    }
    let pending = move || match first_page.get() {
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
        <Live watch pending=ViewFn::from(move || pending) children=move |jobs| view! { <JobsTable jobs text_now partial=false/> }/>
    }
}

#[component]
fn JobsTable(
    jobs: Signal<Arc<Vec<JobListStub>>>,
    /// the filter as typed (the URL follows it after a pause)
    text_now: RwSignal<String>,
    /// only the first page has arrived; the full list is loading
    partial: bool,
) -> impl IntoView {
    let text = query_param("q");
    let status = query_param("status");
    let ty = query_param("type");
    let sort = query_param("sort");
    let desc = query_param("desc");
    let page = query_param("page");
    let set = query_setter();
    let ns = query_param("ns");
    let dc = query_param("dc");
    // The filter applies from a local signal at once; the URL follows
    // 250 ms after the last keystroke (rewriting the URL re-runs the router).
    Effect::new(move |_| {
        let t = text.get();
        if text_now.get_untracked().trim() != t.trim() {
            text_now.set(t);
        }
    });
    let typed = StoredValue::new(0u64);
    let query = Memo::new(move |_| JobQuery {
        text: text_now.get(),
        status: status.get(),
        job_type: ty.get(),
        namespace: ns.get(),
        datacenter: dc.get(),
    });
    // per list update: search keys and the sort order; per keystroke: a
    // filter over the sorted order
    let keys = Memo::new(move |_| jobs.with(|j| job_search_keys(j)));
    let order = Memo::new(move |_| {
        let (by, d) = (sort.get(), desc.get() == "1");
        jobs.with(|j| job_order(j, &by, d))
    });
    let rows = Memo::new(move |_| {
        query.with(|q| keys.with(|k| order.with(|o| jobs.with(|j| select_jobs(j, k, o, q)))))
    });
    // the namespaces and datacenters present, for the facet menus
    let choices = Memo::new(move |_| {
        jobs.with(|j| {
            (
                distinct(j.iter().map(|x| ns_of(&x.namespace))),
                distinct(
                    j.iter()
                        .flat_map(|x| x.datacenters.iter().map(String::as_str))
                        .filter(|d| *d != "*"),
                ),
            )
        })
    });
    let menu = {
        let set = set.clone();
        move |key: &'static str,
              label: &'static str,
              current: Signal<String>,
              pick: fn(&(Vec<String>, Vec<String>)) -> &Vec<String>| {
            let set = set.clone();
            view! {
                <select class="facet-select" data-facet=key aria-label=label prop:value=move || current.get()
                    on:change=move |ev| set(&[(key, event_target_value(&ev)), ("page", String::new())])>
                    <option value="">{label}</option>
                    {move || choices.with(|c| pick(c).iter().map(|v| view! { <option value=v.clone()>{v.clone()}</option> }).collect_view())}
                </select>
            }
        }
    };
    let pages = move || rows.with(|r| r.len().div_ceil(PAGE_SIZE).max(1));
    let page_no = move || page.get().parse::<usize>().unwrap_or(1).clamp(1, pages());
    let visible = move || {
        let p = page_no();
        rows.with(|r| {
            jobs.with(|j| {
                r.iter()
                    .skip((p - 1) * PAGE_SIZE)
                    .take(PAGE_SIZE)
                    .map(|&i| JobRow::from(&j[i]))
                    .collect::<Vec<_>>()
            })
        })
    };
    let count_by = move |f: fn(&JobListStub) -> &str, v: &'static str| {
        jobs.with(|j| {
            j.iter()
                .filter(|x| x.parent_id.is_empty() && f(x) == v)
                .count()
        })
    };
    let facet = {
        let set = set.clone();
        move |key: &'static str,
              current: Signal<String>,
              options: Vec<(&'static str, &'static str)>,
              f: fn(&JobListStub) -> &str| {
            let set = set.clone();
            view! {
                <div class="facet" role="group" aria-label=key>
                    {options
                        .into_iter()
                        .map(|(value, label)| {
                            let set = set.clone();
                            let active = move || current.get() == value;
                            let count = move || if value.is_empty() { String::new() } else { format!(" {}", count_by(f, value)) };
                            view! {
                                <button
                                    class="chip"
                                    class:active=active
                                    data-facet=key
                                    data-value=value
                                    on:click=move |_| set(&[(key, value.to_string()), ("page", String::new())])
                                >
                                    {label}
                                    <span class="chip-count">{count}</span>
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            }
        }
    };
    let header = {
        let set = set.clone();
        move |key: &'static str, label: &'static str| {
            let set = set.clone();
            let is = move || sort.get() == key || (key == "name" && sort.get().is_empty());
            let arrow = move || {
                if is() {
                    if desc.get() == "1" {
                        " ▾"
                    } else {
                        " ▴"
                    }
                } else {
                    ""
                }
            };
            view! {
                <th>
                    <button
                        class="th-sort"
                        data-sort=key
                        aria-sort=move || if is() { if desc.get() == "1" { "descending" } else { "ascending" } } else { "none" }
                        on:click=move |_| {
                            let d = if is() && desc.get_untracked() != "1" { "1" } else { "" };
                            set(&[("sort", if key == "name" { String::new() } else { key.to_string() }), ("desc", d.to_string())])
                        }
                    >
                        {label}
                        {arrow}
                    </button>
                </th>
            }
        }
    };
    let set_q = set.clone();
    let set_p = set.clone();
    let set_n = set.clone();
    view! {
        <div class="toolbar">
            <input
                class="search"
                type="search"
                placeholder="Filter by name or ID"
                aria-label="Filter jobs"
                data-testid="jobs-filter"
                prop:value=move || text_now.get()
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    text_now.set(v.clone());
                    let n = typed.get_value() + 1;
                    typed.set_value(n);
                    let set_q = set_q.clone();
                    set_timeout(
                        move || {
                            if typed.get_value() == n {
                                set_q(&[("q", v), ("page", String::new())]);
                            }
                        },
                        std::time::Duration::from_millis(250),
                    );
                }
            />
            {facet("status", status, vec![("", "Any status"), ("running", "Running"), ("pending", "Pending"), ("dead", "Dead")], |j| j.status.as_str())}
            {facet("type", ty, vec![("", "Any type"), ("service", "Service"), ("batch", "Batch"), ("system", "System"), ("sysbatch", "Sysbatch")], |j| j.job_type.as_str())}
            {menu("ns", "Any namespace", ns, |c| &c.0)}
            {menu("dc", "Any datacenter", dc, |c| &c.1)}
        </div>
        <table class="table jobs-table" data-testid="jobs-table">
            <thead>
                <tr>
                    {header("name", "Name")}
                    {header("namespace", "Namespace")}
                    {header("type", "Type")}
                    {header("priority", "Priority")}
                    {header("status", "Status")}
                    <th>"Allocations"</th>
                    <th>"Datacenters / pool"</th>
                    {header("submitted", "Submitted")}
                </tr>
            </thead>
            <tbody>
                <For
                    each=visible
                    key=|r: &JobRow| (r.key.clone(), r.status.clone(), r.summary, r.submit_time)
                    children=move |r: JobRow| {
                        let segs = alloc_segments(&r.summary);
                        let kind = if r.periodic { Some("periodic") } else if r.parameterized { Some("parameterized") } else { None };
                        view! {
                            <tr data-job=r.id.clone()>
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
                {move || query.with(|q| q.text.len() + q.status.len() + q.job_type.len() + q.namespace.len() + q.datacenter.len() > 0).then(|| "Clear the filters to see all jobs.")}
            </p>
        })}
        <div class="pager">
            <span class="muted" data-testid="jobs-count">
                {move || if partial { "Loading every job…".to_string() } else { format!("{} jobs", rows.with(|r| r.len())) }}
            </span>
            <button class="button" disabled=move || { page_no() <= 1 } on:click=move |_| set_p(&[("page", (page_no() - 1).to_string())])>"‹ Previous"</button>
            <span>{move || format!("Page {} of {}", page_no(), pages())}</span>
            <button class="button" disabled=move || { page_no() >= pages() } on:click=move |_| set_n(&[("page", (page_no() + 1).to_string())])>"Next ›"</button>
        </div>
    }
}
