//! The jobs list: every job the token can read, across namespaces, with an
//! instant text filter, facets, sortable columns and paging — all kept in
//! the URL — live through a blocking query.

use super::{query_param, query_setter};
use crate::api::{use_api, use_watch, WatchOpts};
use crate::components::*;
use crate::routes::job_href;
use leptos::prelude::*;
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
            namespace: if j.namespace.is_empty() {
                "default".into()
            } else {
                j.namespace.clone()
            },
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

/// Filters and sorts the list as the URL asks.
pub fn select(
    jobs: &[JobListStub],
    text: &str,
    status: &str,
    ty: &str,
    sort: &str,
    desc: bool,
) -> Vec<JobRow> {
    let text = text.trim().to_lowercase();
    let mut rows: Vec<JobRow> = jobs
        .iter()
        .filter(|j| j.parent_id.is_empty())
        .filter(|j| {
            text.is_empty()
                || j.id.to_lowercase().contains(&text)
                || j.name.to_lowercase().contains(&text)
        })
        .filter(|j| status.is_empty() || j.status == status)
        .filter(|j| ty.is_empty() || j.job_type == ty)
        .map(JobRow::from)
        .collect();
    match sort {
        "type" => rows.sort_by(|a, b| a.job_type.cmp(&b.job_type).then_with(|| a.id.cmp(&b.id))),
        "priority" => {
            rows.sort_by(|a, b| a.priority.cmp(&b.priority).then_with(|| a.id.cmp(&b.id)))
        }
        "status" => rows.sort_by(|a, b| a.status.cmp(&b.status).then_with(|| a.id.cmp(&b.id))),
        "namespace" => {
            rows.sort_by(|a, b| a.namespace.cmp(&b.namespace).then_with(|| a.id.cmp(&b.id)))
        }
        "submitted" => rows.sort_by(|a, b| {
            a.submit_time
                .cmp(&b.submit_time)
                .then_with(|| a.id.cmp(&b.id))
        }),
        _ => rows.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.namespace.cmp(&b.namespace))),
    }
    if desc {
        rows.reverse();
    }
    rows
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
        <Live watch label="Loading jobs…" children=move |jobs| view! { <JobsTable jobs/> }/>
    }
}

#[component]
fn JobsTable(jobs: Signal<Arc<Vec<JobListStub>>>) -> impl IntoView {
    let text = query_param("q");
    let status = query_param("status");
    let ty = query_param("type");
    let sort = query_param("sort");
    let desc = query_param("desc");
    let page = query_param("page");
    let set = query_setter();
    let rows = Memo::new(move |_| {
        jobs.with(|j| {
            select(
                j,
                &text.get(),
                &status.get(),
                &ty.get(),
                &sort.get(),
                desc.get() == "1",
            )
        })
    });
    let pages = move || rows.with(|r| r.len().div_ceil(PAGE_SIZE).max(1));
    let page_no = move || page.get().parse::<usize>().unwrap_or(1).clamp(1, pages());
    let visible = move || {
        let p = page_no();
        rows.with(|r| {
            r.iter()
                .skip((p - 1) * PAGE_SIZE)
                .take(PAGE_SIZE)
                .cloned()
                .collect::<Vec<_>>()
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
                prop:value=move || text.get()
                on:input=move |ev| set_q(&[("q", event_target_value(&ev)), ("page", String::new())])
            />
            {facet("status", status, vec![("", "Any status"), ("running", "Running"), ("pending", "Pending"), ("dead", "Dead")], |j| j.status.as_str())}
            {facet("type", ty, vec![("", "Any type"), ("service", "Service"), ("batch", "Batch"), ("system", "System"), ("sysbatch", "Sysbatch")], |j| j.job_type.as_str())}
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
                {move || (!text.get().is_empty() || !status.get().is_empty() || !ty.get().is_empty()).then(|| "Clear the filters to see all jobs.")}
            </p>
        })}
        <div class="pager">
            <span class="muted" data-testid="jobs-count">{move || format!("{} jobs", rows.with(|r| r.len()))}</span>
            <button class="button" disabled=move || { page_no() <= 1 } on:click=move |_| set_p(&[("page", (page_no() - 1).to_string())])>"‹ Previous"</button>
            <span>{move || format!("Page {} of {}", page_no(), pages())}</span>
            <button class="button" disabled=move || { page_no() >= pages() } on:click=move |_| set_n(&[("page", (page_no() + 1).to_string())])>"Next ›"</button>
        </div>
    }
}
