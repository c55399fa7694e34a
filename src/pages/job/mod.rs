//! A job: overview (status, groups, deployment, allocations, evaluations,
//! children, actions), versions with diffs, and the definition with
//! edit → plan → run. Everything live.

mod actions;
mod alloc_table;
mod diff;
mod edit;
mod restart;
mod versions;

pub use actions::jobs_bulk_bar;
pub use alloc_table::{AllocRowView, AllocTable};
pub use diff::DiffTree;
pub use edit::NewJobPage;

use crate::api::paths;
use crate::api::watch::use_watch_with;
use crate::api::{use_api, use_watch, Watch, WatchOpts};
use crate::components::*;
use crate::pages::use_query_param;
use crate::routes::{decode_param, href, job_href};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use nomad_model::lists::AllocRow;
use nomad_model::{format, Allocation, Deployment, Evaluation, Job, JobListStub, JobSummary};
use std::sync::Arc;

#[derive(Params, PartialEq, Clone, Debug)]
pub struct JobParams {
    pub namespace: Option<String>,
    pub id: Option<String>,
}

/// A job as typed fields plus its full JSON (for the definition view and
/// for editing without losing fields the model does not know).
pub struct JobWithRaw {
    pub job: Job,
    pub raw: Arc<serde_json::Value>,
}

impl JobWithRaw {
    fn decode(b: &[u8]) -> Result<Self, String> {
        Ok(JobWithRaw {
            job: serde_json::from_slice(b).map_err(|e| e.to_string())?,
            raw: Arc::new(serde_json::from_slice(b).map_err(|e| e.to_string())?),
        })
    }
}

/// The namespace and ID of the job page being shown.
#[derive(Clone, Copy)]
pub struct JobIdent(pub Memo<Option<(String, String)>>);

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
    provide_context(JobIdent(ident));
    let req = move |rest: &'static str| {
        move || {
            ident
                .get()
                .map(|(ns, id)| (paths::job(&id, rest), vec![("namespace", ns)]))
        }
    };
    let job = use_watch_with::<JobWithRaw>(req(""), WatchOpts::default(), JobWithRaw::decode);
    let tab = use_query_param("tab");
    let tab_link = move |t: &'static str, label: &'static str| {
        let active = move || tab.get() == t || (t == "overview" && tab.get().is_empty());
        let url = move || {
            ident
                .get()
                .map(|(ns, id)| {
                    if t == "overview" {
                        job_href(&ns, &id)
                    } else {
                        format!("{}?tab={t}", job_href(&ns, &id))
                    }
                })
                .unwrap_or_default()
        };
        view! { <a class="tab" class:active=active href=url data-tab=t>{label}</a> }
    };
    view! {
        <nav class="crumbs"><a href=href("/jobs")>"Jobs"</a>" / "{move || ident.get().map(|(ns, id)| format!("{ns} / {id}"))}</nav>
        <Live watch=job label="Loading job…" children=move |data| {
            let job = Memo::new(move |_| data.with(|v| v.job.clone()));
            let raw = Signal::derive(move || data.with(|v| v.raw.clone()));
            view! {
                <JobHeader job/>
                <nav class="tabs">
                    {tab_link("overview", "Overview")}
                    {tab_link("versions", "Versions")}
                    {tab_link("definition", "Definition")}
                    {tab_link("logs", "Logs")}
                    {tab_link("activity", "Activity")}
                </nav>
                {move || match tab.get().as_str() {
                    "versions" => view! { <versions::Versions job/> }.into_any(),
                    "definition" => view! { <edit::Definition raw job/> }.into_any(),
                    "logs" => view! { <crate::pages::logs::JobLogs job ident/> }.into_any(),
                    "activity" => {
                        let (namespace, id) = job.with_untracked(|j| (j.namespace.clone(), j.id.clone()));
                        let scope = crate::pages::activity::Scope { namespace, job: id, node: String::new() };
                        view! { <crate::pages::activity::ActivityFeed scope/> }.into_any()
                    }
                    _ => view! { <Overview job raw ident/> }.into_any(),
                }}
            }
        }/>
    }
}

#[component]
fn JobHeader(job: Memo<Job>) -> impl IntoView {
    let status = Signal::derive(move || job.with(|j| j.status.clone()));
    view! {
        <div class="page-head">
            <h1 data-testid="job-title">{move || job.with(|j| j.name.clone())}</h1>
            <Badge status/>
            {move || job.with(|j| j.stop).then(|| view! { <span class="tag warn" data-testid="stopped-tag">"stopped"</span> })}
            {move || job.with(|j| j.is_periodic()).then(|| view! { <span class="tag">"periodic"</span> })}
            {move || job.with(|j| j.is_parameterized()).then(|| view! { <span class="tag">"parameterized"</span> })}
        </div>
    }
}

#[component]
fn Overview(
    job: Memo<Job>,
    raw: Signal<Arc<serde_json::Value>>,
    ident: Memo<Option<(String, String)>>,
) -> impl IntoView {
    let req = move |rest: &'static str| {
        move || {
            ident
                .get()
                .map(|(ns, id)| (paths::job(&id, rest), vec![("namespace", ns)]))
        }
    };
    let summary = use_watch::<JobSummary>(req("/summary"), WatchOpts::default());
    let allocs = use_watch::<Vec<Allocation>>(req("/allocations"), WatchOpts::default());
    let deployment = use_watch::<Option<Deployment>>(req("/deployment"), WatchOpts::default());
    let evals = use_watch::<Vec<Evaluation>>(req("/evaluations"), WatchOpts::default());
    let has_children = move || job.with(|j| j.is_periodic() || j.is_parameterized());
    // one panel per deployment, updated in place as it progresses
    let dep = Memo::new(move |_| {
        deployment
            .data()
            .and_then(|d| (*d).clone())
            .unwrap_or_default()
    });
    let dep_id = Memo::new(move |_| {
        deployment
            .data()
            .and_then(|d| d.as_ref().as_ref().map(|d| d.id.clone()))
    });
    view! {
        <actions::JobActions job raw/>
        <Facts>
            <Fact label="Type">{move || job.with(|j| j.job_type.clone())}</Fact>
            <Fact label="Priority">{move || job.with(|j| j.priority)}</Fact>
            <Fact label="Namespace">{move || job.with(|j| j.namespace.clone())}</Fact>
            <Fact label="Datacenters">{move || job.with(|j| j.datacenters.join(", "))}</Fact>
            <Fact label="Node pool">{move || job.with(|j| if j.node_pool.is_empty() { "default".to_string() } else { j.node_pool.clone() })}</Fact>
            <Fact label="Version">{move || job.with(|j| format!("v{}{}", j.version, if j.stable { " (stable)" } else { "" }))}</Fact>
            <Fact label="Submitted"><RelTime at=Signal::derive(move || job.with(|j| j.submit_time))/></Fact>
            {move || job.with(|j| (!j.parent_id.is_empty()).then(|| j.parent_id.clone())).map(|p| {
                let ns = job.with(|j| j.namespace.clone());
                view! { <Fact label="Parent"><a href=job_href(&ns, &p)>{p.clone()}</a></Fact> }
            })}
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
        <MetaList meta=Signal::derive(move || job.with(|j| j.meta.clone()))/>
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
                            <tr data-group=name.clone()>
                                <td class="name">{name.clone()}</td>
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
        {move || dep_id.get().map(|_| view! { <DeploymentPanel dep/> })}
        {move || has_children().then(|| view! { <Children job/> })}
        <h2>"Allocations"</h2>
        <restart::RollingRestart allocs=Signal::derive(move || allocs.data())/>
        <Live watch=allocs label="Loading allocations…" children=move |list| view! { <AllocTable rows=Signal::derive(move || list.with(|l| l.iter().map(AllocRow::from).collect())) show_job=false/> }/>
        <JobServices ident/>
        <h2 id="evaluations">"Evaluations"</h2>
        <Live watch=evals label="Loading evaluations…" children=move |list| view! { <EvalTable list/> }/>
    }
}

/// The latest deployment with per-group progress, and promote/fail where
/// Nomad allows them.
#[component]
fn DeploymentPanel(dep: Memo<Deployment>) -> impl IntoView {
    let api = use_api();
    // `true` promotes the canaries, `false` fails the deployment.
    let action = Action::new_local(move |promote: &bool| {
        let promote = *promote;
        let id = dep.with_untracked(|d| d.id.clone());
        async move {
            if promote {
                api.promote_deployment(&id, vec![]).await.map(|r| {
                    format!(
                        "Promoted; evaluation {} created.",
                        format::short_id(&r.eval_id)
                    )
                })
            } else {
                api.fail_deployment(&id).await.map(|r| {
                    format!(
                        "Marked failed{}.",
                        r.reverted_job_version
                            .map(|v| format!("; reverted to version {v}"))
                            .unwrap_or_default()
                    )
                })
            }
        }
    });
    let busy = action.pending();
    let act = move |promote: bool| {
        action.dispatch(promote);
    };
    let status = Signal::derive(move || dep.with(|d| d.status.clone()));
    view! {
        <h2>"Latest deployment"</h2>
        <section class="card deployment" data-testid="deployment">
            <header class="deployment-head">
                {move || view! { <ShortId id=dep.with(|d| d.id.clone())/> }}
                <Badge status/>
                <span class="muted">{move || dep.with(|d| format!("version {} · {}", d.job_version, d.status_description))}</span>
                <span class="spacer"></span>
                {move || dep.with(|d| d.needs_promotion()).then(|| {
                    // Nomad refuses a promotion until the canaries are healthy.
                    let health = move || dep.with(|d| d.canary_health()).unwrap_or((0, 0));
                    let ready = move || { let (h, w) = health(); h >= w };
                    view! {
                        <span class="muted small" data-testid="canary-health">{move || { let (h, w) = health(); format!("{h}/{w} canaries healthy") }}</span>
                        <button class="button primary" data-action="promote" disabled=move || busy.get() || !ready()
                            title=move || (!ready()).then_some("Promotion waits until every canary is healthy")
                            on:click=move |_| act(true)>"Promote canaries"</button>
                    }
                })}
                {move || dep.with(|d| d.is_active()).then(|| view! {
                    <button class="button danger" data-action="fail" disabled=move || busy.get() on:click=move |_| act(false)>"Fail deployment"</button>
                })}
            </header>
            <table class="table flat">
                <thead><tr><th>"Group"</th><th>"Progress"</th><th class="num">"Desired"</th><th class="num">"Placed"</th><th class="num">"Healthy"</th><th class="num">"Unhealthy"</th><th class="num">"Canaries"</th><th>"Promoted"</th></tr></thead>
                <tbody>
                    {move || dep.with(|d| d.task_groups.clone()).into_iter().map(|(g, s)| {
                        let segs = vec![
                            Segment { label: "healthy", class: "running", value: s.healthy_allocs },
                            Segment { label: "unhealthy", class: "failed", value: s.unhealthy_allocs },
                            Segment { label: "placed, not yet healthy", class: "starting", value: (s.placed_allocs - s.healthy_allocs - s.unhealthy_allocs).max(0) },
                            Segment { label: "not placed", class: "queued", value: (s.desired_total - s.placed_allocs).max(0) },
                        ];
                        view! {
                            <tr data-group=g.clone()>
                                <td class="name">{g.clone()}</td>
                                <td class="bar-cell"><StackedBar segments=segs/></td>
                                <td class="num">{s.desired_total}</td><td class="num">{s.placed_allocs}</td><td class="num">{s.healthy_allocs}</td>
                                <td class="num">{s.unhealthy_allocs}</td>
                                <td class="num">{format!("{}/{}", s.placed_canaries.len(), s.desired_canaries)}</td>
                                <td>{if s.desired_canaries == 0 { "—" } else if s.promoted { "yes" } else { "no" }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <ActionResult result=action.value() testid="deployment-result" ok=|m: String| m/>
        </section>
    }
}

/// Evaluations, newest first, with placement failures explained in words.
#[component]
fn EvalTable(list: Signal<Arc<Vec<Evaluation>>>) -> impl IntoView {
    let rows = Memo::new(move |_| {
        let mut v: Vec<Evaluation> = list.with(|l| l.iter().cloned().collect());
        v.sort_by_key(|d| std::cmp::Reverse(d.create_index));
        v
    });
    view! {
        <table class="table" data-testid="eval-table">
            <thead><tr><th>"ID"</th><th>"Triggered by"</th><th>"Status"</th><th>"Placement"</th><th>"Created"</th></tr></thead>
            <tbody>
                <For each=move || rows.get() key=|e: &Evaluation| (e.id.clone(), e.modify_index) children=move |e: Evaluation| {
                    let failures: Vec<(String, Vec<String>)> = e.failed_tg_allocs.iter().map(|(g, m)| (g.clone(), m.explain())).collect();
                    view! {
                        <tr id=format!("eval-{}", e.id) data-eval=e.id.clone()>
                            <td><ShortId id=e.id.clone()/></td>
                            <td>{e.triggered_by.clone()}</td>
                            <td><Badge status=e.status.clone()/>{(!e.status_description.is_empty()).then(|| view! { <div class="muted small">{e.status_description.clone()}</div> })}</td>
                            <td class="wrap">
                                {if failures.is_empty() && e.status == "blocked" {
                                    view! { <span class="muted">"waiting for capacity: retried when nodes or resources change"</span> }.into_any()
                                } else if failures.is_empty() {
                                    view! { <span class="muted">"placed"</span> }.into_any()
                                } else {
                                    failures.into_iter().map(|(g, lines)| view! {
                                        <div class="placement-failure" data-testid="placement-failure">
                                            <strong>{format!("Group \"{g}\" could not be placed. ")}</strong>
                                            {lines.join(" ")}
                                        </div>
                                    }).collect_view().into_any()
                                }}
                            </td>
                            <td class="muted"><RelTime at=e.create_time/></td>
                        </tr>
                    }
                }/>
            </tbody>
        </table>
        {move || rows.with(|r| r.is_empty()).then(|| view! { <p class="empty">"No evaluations."</p> })}
    }
}

/// Children of a periodic or parameterized job.
#[component]
fn Children(job: Memo<Job>) -> impl IntoView {
    let watch: Watch<Vec<JobListStub>> = use_watch(
        move || {
            let (ns, id) = job.with(|j| (j.namespace.clone(), j.id.clone()));
            Some((
                paths::JOBS.to_string(),
                vec![("namespace", ns), ("prefix", format!("{id}/"))],
            ))
        },
        WatchOpts::default(),
    );
    view! {
        <h2>"Children"</h2>
        <Live watch label="Loading children…" children=move |list| {
            let rows = Memo::new(move |_| {
                let id = job.with(|j| j.id.clone());
                let mut v: Vec<JobListStub> = list.with(|l| l.iter().filter(|c| c.parent_id == id).cloned().collect());
                v.sort_by_key(|j| std::cmp::Reverse(j.submit_time));
                v
            });
            view! {
                <table class="table" data-testid="children-table">
                    <thead><tr><th>"Job"</th><th>"Status"</th><th>"Allocations"</th><th>"Submitted"</th></tr></thead>
                    <tbody>
                        <For each=move || rows.get() key=|c: &JobListStub| (c.id.clone(), c.modify_index) children=move |c: JobListStub| {
                            let s = c.job_summary.as_ref().map(|s| s.totals()).unwrap_or_default();
                            view! {
                                <tr data-job=c.id.clone()>
                                    <td class="name"><a href=job_href(&c.namespace, &c.id)>{c.id.clone()}</a></td>
                                    <td><Badge status=c.status.clone()/></td>
                                    <td class="bar-cell"><StackedBar segments=alloc_segments(&s) compact=true/></td>
                                    <td class="muted"><RelTime at=c.submit_time/></td>
                                </tr>
                            }
                        }/>
                    </tbody>
                </table>
                {move || rows.with(|r| r.is_empty()).then(|| view! { <p class="empty">"No children yet."</p> })}
            }
        }/>
    }
}

/// The job's services in Nomad's catalog, shown when it has any.
#[component]
fn JobServices(ident: Memo<Option<(String, String)>>) -> impl IntoView {
    let regs = use_watch::<Vec<nomad_model::services::ServiceRegistration>>(
        move || {
            ident
                .get()
                .map(|(ns, id)| (paths::job(&id, "/services"), vec![("namespace", ns)]))
        },
        WatchOpts::default(),
    );
    // a memo, so the section is rebuilt when it appears or goes, not on
    // every answer (rebuilding a live view under itself disposes it)
    let any = Memo::new(move |_| regs.data().is_some_and(|r| !r.is_empty()));
    move || {
        any.get().then(|| {
            view! {
                <h2 id="services">"Services"</h2>
                <Live watch=regs children=move |list| view! { <crate::pages::services::Registrations list show_name=true/> }/>
            }
        })
    }
}
