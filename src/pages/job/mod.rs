//! A job: its status and details, task groups with their allocation
//! summary, allocations, and the definition — all live.

use crate::api::endpoints::job_path;
use crate::api::watch::use_watch_with;
use crate::api::{use_watch, WatchOpts};
use crate::components::*;
use crate::routes::{alloc_href, decode_param, href, node_href};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use nomad_model::{format, Allocation, Job, JobSummary};
use std::sync::Arc;

#[derive(Params, PartialEq, Clone, Debug)]
pub struct JobParams {
    pub namespace: Option<String>,
    pub id: Option<String>,
}

#[component]
pub fn JobPage() -> impl IntoView {
    let params = use_params::<JobParams>();
    let ident = Memo::new(move |_| {
        params.with(|p| {
            p.as_ref().ok().and_then(|p| {
                Some((
                    decode_param(p.namespace.as_deref().unwrap_or("default")),
                    decode_param(p.id.as_deref()?),
                ))
            })
        })
    });
    let req = move |rest: &'static str| {
        move || {
            ident
                .get()
                .map(|(ns, id)| (job_path(&id, rest), vec![("namespace", ns)]))
        }
    };
    let job = use_watch_with::<JobWithRaw>(req(""), WatchOpts::default(), JobWithRaw::decode);
    let summary = use_watch::<JobSummary>(req("/summary"), WatchOpts::default());
    let allocs = use_watch::<Vec<Allocation>>(req("/allocations"), WatchOpts::default());
    view! {
        <nav class="crumbs"><a href=href("/jobs")>"Jobs"</a>" / "{move || ident.get().map(|(ns, id)| format!("{ns} / {id}"))}</nav>
        <Live watch=job label="Loading job…" children=move |raw| view! { <JobView raw summary allocs/> }/>
    }
}

/// A job as typed fields plus its full JSON (for the definition view and
/// for editing without losing fields the model does not know).
pub struct JobWithRaw {
    pub job: Job,
    pub raw: serde_json::Value,
}

impl JobWithRaw {
    fn decode(b: &[u8]) -> Result<Self, String> {
        Ok(JobWithRaw {
            job: serde_json::from_slice(b).map_err(|e| e.to_string())?,
            raw: serde_json::from_slice(b).map_err(|e| e.to_string())?,
        })
    }
}

#[component]
fn JobView(
    raw: Signal<Arc<JobWithRaw>>,
    summary: crate::api::Watch<JobSummary>,
    allocs: crate::api::Watch<Vec<Allocation>>,
) -> impl IntoView {
    let job = Memo::new(move |_| raw.with(|v| v.job.clone()));
    let status = Signal::derive(move || job.with(|j| j.status.clone()));
    let definition =
        Memo::new(move |_| raw.with(|v| serde_json::to_string_pretty(&v.raw).unwrap_or_default()));
    view! {
        <div class="page-head">
            <h1 data-testid="job-title">{move || job.with(|j| j.name.clone())}</h1>
            <Badge status/>
            {move || job.with(|j| j.stop).then(|| view! { <span class="tag warn">"stopped"</span> })}
        </div>
        <Facts>
            <Fact label="Type">{move || job.with(|j| j.job_type.clone())}</Fact>
            <Fact label="Priority">{move || job.with(|j| j.priority)}</Fact>
            <Fact label="Namespace">{move || job.with(|j| j.namespace.clone())}</Fact>
            <Fact label="Datacenters">{move || job.with(|j| j.datacenters.join(", "))}</Fact>
            <Fact label="Node pool">{move || job.with(|j| if j.node_pool.is_empty() { "default".to_string() } else { j.node_pool.clone() })}</Fact>
            <Fact label="Version">{move || job.with(|j| format!("v{}{}", j.version, if j.stable { " (stable)" } else { "" }))}</Fact>
            <Fact label="Submitted"><RelTime at=Signal::derive(move || job.with(|j| j.submit_time))/></Fact>
            {move || job.with(|j| j.periodic.clone()).filter(|p| p.enabled).map(|p| view! {
                <Fact label="Periodic"><code>{p.spec.clone()}</code>{(!p.time_zone.is_empty()).then(|| format!(" ({})", p.time_zone))}{p.prohibit_overlap.then_some(", no overlap")}</Fact>
            })}
            {move || job.with(|j| j.parameterized_job.clone()).map(|p| view! {
                <Fact label="Parameterized">"payload "{p.payload.clone()}
                    {(!p.meta_required.is_empty()).then(|| format!(" · required meta: {}", p.meta_required.join(", ")))}
                    {(!p.meta_optional.is_empty()).then(|| format!(" · optional meta: {}", p.meta_optional.join(", ")))}
                </Fact>
            })}
        </Facts>
        {move || {
            let meta = job.with(|j| j.meta.clone());
            (!meta.is_empty()).then(|| view! {
                <div class="meta-list">
                    {meta.into_iter().map(|(k, v)| view! { <span class="kv"><span class="k">{k}</span><span class="v">{v}</span></span> }).collect_view()}
                </div>
            })
        }}
        <h2>"Task groups"</h2>
        <table class="table" data-testid="task-groups">
            <thead><tr><th>"Group"</th><th class="num">"Count"</th><th>"Allocations"</th><th class="num">"Queued"</th><th class="num">"Starting"</th><th class="num">"Running"</th><th class="num">"Complete"</th><th class="num">"Failed"</th><th class="num">"Lost"</th></tr></thead>
            <tbody>
                {move || {
                    let groups = job.with(|j| j.task_groups.iter().map(|g| (g.name.clone(), g.count)).collect::<Vec<_>>());
                    let sums = summary.data();
                    groups.into_iter().map(|(name, count)| {
                        let s = sums.as_ref().and_then(|s| s.summary.get(&name).copied()).unwrap_or_default();
                        view! {
                            <tr>
                                <td class="name">{name}</td>
                                <td class="num">{count}</td>
                                <td class="bar-cell"><StackedBar segments=alloc_segments(&s)/></td>
                                <td class="num">{s.queued}</td><td class="num">{s.starting}</td><td class="num">{s.running}</td>
                                <td class="num">{s.complete}</td><td class="num">{s.failed}</td><td class="num">{s.lost}</td>
                            </tr>
                        }
                    }).collect_view()
                }}
            </tbody>
        </table>
        <h2>"Allocations"</h2>
        <Live watch=allocs label="Loading allocations…" children=move |list| view! { <AllocTable list show_job=false/> }/>
        <details class="definition">
            <summary>"Definition (JSON)"</summary>
            <pre class="code" data-testid="job-definition">{definition}</pre>
        </details>
    }
}

/// A table of allocations, newest first.
#[component]
pub fn AllocTable(
    list: Signal<Arc<Vec<Allocation>>>,
    #[prop(optional)] show_job: bool,
) -> impl IntoView {
    let rows = Memo::new(move |_| {
        let mut v: Vec<Allocation> = list.with(|l| l.iter().cloned().collect());
        v.sort_by(|a, b| {
            b.create_time
                .cmp(&a.create_time)
                .then_with(|| a.name.cmp(&b.name))
        });
        v
    });
    view! {
        <table class="table" data-testid="alloc-table">
            <thead><tr><th>"ID"</th><th>"Name"</th>{show_job.then(|| view! { <th>"Job"</th> })}<th>"Client"</th><th>"Status"</th><th>"Desired"</th><th class="num">"Version"</th><th>"Created"</th><th>"Modified"</th></tr></thead>
            <tbody>
                <For each=move || rows.get() key=|a: &Allocation| (a.id.clone(), a.modify_index) children=move |a: Allocation| {
                    let job_href = crate::routes::job_href(&a.namespace, &a.job_id);
                    view! {
                        <tr data-alloc=a.id.clone()>
                            <td><a href=alloc_href(&a.id)><ShortId id=a.id.clone()/></a></td>
                            <td>{a.name.clone()}</td>
                            {show_job.then(|| view! { <td><a href=job_href>{a.job_id.clone()}</a></td> })}
                            <td><a href=node_href(&a.node_id)>{if a.node_name.is_empty() { format::short_id(&a.node_id).to_string() } else { a.node_name.clone() }}</a></td>
                            <td><Badge status=a.client_status.clone()/></td>
                            <td class="muted">{a.desired_status.clone()}</td>
                            <td class="num">{a.job_version}</td>
                            <td class="muted"><RelTime at=a.create_time/></td>
                            <td class="muted"><RelTime at=a.modify_time/></td>
                        </tr>
                    }
                }/>
            </tbody>
        </table>
        {move || rows.with(|r| r.is_empty()).then(|| view! { <p class="empty">"No allocations."</p> })}
    }
}
