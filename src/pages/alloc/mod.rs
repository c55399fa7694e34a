//! An allocation: placement, status, resources, live utilisation, each
//! task's state and events, placement metrics, rescheduling and
//! preemption, and actions — live through a blocking query. The file
//! browser is its own page (`files.rs`).

mod files;
mod lifecycle;
pub mod stats;
mod tasks;

pub use files::AllocFilesPage;

use crate::api::{use_watch, WatchOpts};
use crate::components::*;
use crate::pages::use_query_param;
use crate::routes::{alloc_href, decode_param, files_href, href, job_href, node_href};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use nomad_model::{format, Allocation};
use std::sync::Arc;

#[derive(Params, PartialEq, Clone, Debug)]
pub struct AllocParams {
    pub id: Option<String>,
}

/// The allocation ID of the current route.
pub fn use_alloc_id() -> Memo<Option<String>> {
    let params = use_params::<AllocParams>();
    Memo::new(move |_| {
        params.with(|p| {
            p.as_ref()
                .ok()
                .and_then(|p| p.id.as_deref().map(decode_param))
        })
    })
}

/// Tabs shared by the allocation's pages.
#[component]
pub fn AllocTabs(id: String, active: &'static str) -> impl IntoView {
    let tab = |key: &'static str, label: &'static str, url: String| {
        view! { <a href=url class="tab" class:active=active == key aria-current=if active == key { "page" } else { "false" } data-tab=key>{label}</a> }
    };
    view! {
        <nav class="tabs">
            {tab("overview", "Overview", alloc_href(&id))}
            {tab("files", "Files", files_href(&id, "/"))}
            {tab("logs", "Logs", format!("{}/logs", alloc_href(&id)))}
            {tab("exec", "Exec", crate::routes::exec_href(&id, ""))}
        </nav>
    }
}

#[component]
pub fn AllocPage() -> impl IntoView {
    let id = use_alloc_id();
    let alloc = use_watch::<Allocation>(
        move || {
            id.get()
                .map(|id| (crate::api::paths::allocation(&id), vec![]))
        },
        WatchOpts::default(),
    );
    view! {
        <nav class="crumbs">
            <a href=href("/allocations")>"Allocations"</a>" / "
            {move || alloc.data().map(|a| view! { <a href=job_href(&a.namespace, &a.job_id)>{a.job_id.clone()}</a>" / " })}
            {move || id.get().map(|i| format::short_id(&i).to_string())}
        </nav>
        <Live watch=alloc label="Loading allocation…" children=move |a| view! { <AllocView a/> }/>
    }
}

fn alloc_link(id: &str) -> impl IntoView + use<> {
    view! { <a href=alloc_href(id) class="mono">{format::short_id(id).to_string()}</a> }
}

fn node_link(id: &str) -> impl IntoView + use<> {
    view! { <a href=node_href(id) class="mono">{format::short_id(id).to_string()}</a> }
}

#[component]
fn AllocView(a: Signal<Arc<Allocation>>) -> impl IntoView {
    let get = move |f: fn(&Allocation) -> String| Signal::derive(move || a.with(|a| f(a)));
    let id = a.with_untracked(|a| a.id.clone());
    let res = Memo::new(move |_| a.with(|a| a.resources_summary()));
    let running = Memo::new(move |_| a.with(|a| a.is_running()));
    let tasks = Memo::new(move |_| a.with(|a| a.task_names()));
    let ask = lifecycle::AskOp(RwSignal::new(None));
    // the command palette's "Restart allocation …" opens the same confirmation
    // (asked once: the request leaves the URL, so a reload does not ask again)
    if crate::pages::use_query_param("do").get_untracked() == "restart" {
        ask.0.set(Some(lifecycle::AllocOp::Restart {
            task: None,
            all: false,
        }));
        crate::pages::use_query_setter()(&[("do", String::new())]);
    }
    view! {
        <div class="page-head">
            <h1 data-testid="alloc-title">{get(|a| a.name.clone())}</h1>
            <Badge status=get(|a| a.client_status.clone())/>
            {move || a.with(|a| a.deployment_status.as_ref().map(|d| (d.canary, d.healthy))).map(|(canary, healthy)| view! {
                {canary.then(|| view! { <span class="tag">"canary"</span> })}
                {healthy.map(|h| view! { <span class=if h { "tag ok" } else { "tag danger" }>{if h { "healthy" } else { "unhealthy" }}</span> })}
            })}
            <span class="spacer"></span>
            <lifecycle::AllocActions a ask/>
        </div>
        <AllocTabs id=id.clone() active="overview"/>
        <Facts>
            <Fact label="ID"><span class="mono" data-testid="alloc-id">{get(|a| a.id.clone())}</span></Fact>
            <Fact label="Job">{move || a.with(|a| view! { <a href=job_href(&a.namespace, &a.job_id) data-testid="alloc-job">{a.job_id.clone()}</a> " v" {a.job_version} })}</Fact>
            <Fact label="Task group">{move || a.with(|a| view! { <a href=format!("{}?group={}", job_href(&a.namespace, &a.job_id), a.task_group) data-testid="alloc-group">{a.task_group.clone()}</a> })}</Fact>
            <Fact label="Client">{move || a.with(|a| view! { <a href=node_href(&a.node_id) data-testid="alloc-node">{if a.node_name.is_empty() { a.node_id.clone() } else { a.node_name.clone() }}</a> })}</Fact>
            <Fact label="Client status"><span data-testid="client-status">{get(|a| format::with_description(&a.client_status, &a.client_description))}</span></Fact>
            <Fact label="Desired status"><span data-testid="desired-status">{get(|a| format::with_description(&a.desired_status, &a.desired_description))}</span></Fact>
            <Fact label="Created"><RelTime at=Signal::derive(move || a.with(|a| a.create_time))/></Fact>
            <Fact label="Modified"><RelTime at=Signal::derive(move || a.with(|a| a.modify_time))/></Fact>
            <Fact label="Evaluation">{move || a.with(|a| view! { <a class="mono" href=format!("{}?tab=evaluations#eval-{}", job_href(&a.namespace, &a.job_id), a.eval_id)>{format::short_id(&a.eval_id).to_string()}</a> })}</Fact>
            <Fact label="Namespace">{get(|a| nomad_model::lists::ns_of(&a.namespace).to_string())}</Fact>
        </Facts>
        <Lineage a/>
        {move || running.get().then(|| view! {
            <h2>"Utilisation"</h2>
            <stats::AllocUtilisation a/>
        })}
        <h2>"Tasks"</h2>
        <div class="tasks">
            <For each=move || tasks.get() key=|t: &String| t.clone() children=move |name: String| view! { <tasks::TaskCard a name ask/> }/>
        </div>
        <h2>"Resources"</h2>
        <Resources a/>
        <p class="muted res-total" data-testid="alloc-resources">{move || res.with(|r| format!("Total: {} CPU · {} memory{} · {} disk", format::mhz(r.cpu_mhz), format::megabytes(r.memory_mb), if r.memory_max_mb > 0 { format!(" (max {})", format::megabytes(r.memory_max_mb)) } else { String::new() }, format::megabytes(r.disk_mb)))}</p>
        <Placement a/>
    }
}

/// Previous/next allocation, rescheduling and preemption.
#[component]
fn Lineage(a: Signal<Arc<Allocation>>) -> impl IntoView {
    move || {
        a.with(|a| {
            let events = a.reschedule_tracker.as_ref().map(|t| t.events.clone()).unwrap_or_default();
            let any = !a.previous_allocation.is_empty()
                || !a.next_allocation.is_empty()
                || !events.is_empty()
                || !a.preempted_allocations.is_empty()
                || !a.preempted_by_allocation.is_empty()
                || !a.followup_eval_id.is_empty()
                || a.desired_transition.as_ref().is_some_and(|t| t.migrate == Some(true) || t.reschedule == Some(true) || t.force_reschedule == Some(true));
            any.then(|| {
                let transition = a.desired_transition.as_ref().map(|t| {
                    let mut v = vec![];
                    if t.migrate == Some(true) { v.push("migrate"); }
                    if t.reschedule == Some(true) { v.push("reschedule"); }
                    if t.force_reschedule == Some(true) { v.push("force reschedule"); }
                    v.join(", ")
                }).filter(|s| !s.is_empty());
                let (prev, next, followup) = (a.previous_allocation.clone(), a.next_allocation.clone(), a.followup_eval_id.clone());
                let (by, preempted) = (a.preempted_by_allocation.clone(), a.preempted_allocations.clone());
                view! {
                    <section class="lineage" data-testid="lineage">
                        <Facts>
                            {(!prev.is_empty()).then(move || view! { <Fact label="Previous allocation"><span data-testid="prev-alloc">{alloc_link(&prev)}</span></Fact> })}
                            {(!next.is_empty()).then(move || view! { <Fact label="Replaced by"><span data-testid="next-alloc">{alloc_link(&next)}</span></Fact> })}
                            {(!followup.is_empty()).then(move || view! { <Fact label="Follow-up evaluation"><span class="mono">{format::short_id(&followup).to_string()}</span></Fact> })}
                            {transition.map(|t| view! { <Fact label="Pending transition">{t}</Fact> })}
                            {(!by.is_empty()).then(move || view! { <Fact label="Preempted by"><span data-testid="preempted-by">{alloc_link(&by)}</span></Fact> })}
                            {(!preempted.is_empty()).then(move || view! { <Fact label="Preempted"><span data-testid="preempted">{preempted.iter().map(|p| view! { {alloc_link(p)}" " }).collect_view()}</span></Fact> })}
                        </Facts>
                        {(!events.is_empty()).then(|| view! {
                            <h3>"Reschedule attempts"</h3>
                            <table class="table compact" data-testid="reschedule-events">
                                <thead><tr><th>"When"</th><th>"Previous allocation"</th><th>"Previous client"</th><th>"Delay"</th></tr></thead>
                                <tbody>
                                    {events.iter().rev().map(|e| view! {
                                        <tr>
                                            <td><RelTime at=e.reschedule_time/></td>
                                            <td>{alloc_link(&e.prev_alloc_id)}</td>
                                            <td>{node_link(&e.prev_node_id)}</td>
                                            <td>{format::duration(e.delay)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })}
                    </section>
                }
            })
        })
    }
}

/// Per-task CPU and memory, the shared disk, and every network with its
/// ports, from `AllocatedResources` or the legacy fields.
#[component]
fn Resources(a: Signal<Arc<Allocation>>) -> impl IntoView {
    move || {
        a.with(|a| {
            let tasks: Vec<_> = a
                .task_names()
                .into_iter()
                .map(|t| (a.task_resources_summary(&t).unwrap_or_default(), t))
                .collect();
            let nets = a.networks();
            let ports = a.resources_summary().ports;
            view! {
                <table class="table compact" data-testid="resources">
                    <thead><tr><th>"Task"</th><th class="num">"CPU"</th><th class="num">"Cores"</th><th class="num">"Memory"</th><th class="num">"Memory max"</th></tr></thead>
                    <tbody>
                        {tasks.into_iter().map(|(r, t)| view! {
                            <tr><td class="name">{t}</td><td class="num">{format::mhz(r.cpu_mhz)}</td><td class="num">{if r.cores > 0 { r.cores.to_string() } else { "—".into() }}</td>
                                <td class="num">{format::megabytes(r.memory_mb)}</td><td class="num">{if r.memory_max_mb > 0 { format::megabytes(r.memory_max_mb) } else { "—".into() }}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {(!nets.is_empty() || !ports.is_empty()).then(|| view! {
                    <table class="table compact" data-testid="networks">
                        <thead><tr><th>"Network"</th><th>"Address"</th><th>"Port"</th><th class="num">"Host port"</th><th class="num">"Maps to"</th><th>"Host network"</th></tr></thead>
                        <tbody>
                            {nets.iter().flat_map(|n| {
                                let mode = if n.mode.is_empty() { "host".to_string() } else { n.mode.clone() };
                                let ip = n.ip.clone();
                                n.reserved_ports.iter().map(|p| (p.clone(), true)).chain(n.dynamic_ports.iter().map(|p| (p.clone(), false))).map(move |(p, reserved)| view! {
                                    <tr><td>{mode.clone()}</td><td class="mono">{ip.clone()}</td><td>{p.label.clone()}{reserved.then(|| view! { <span class="tag">"static"</span> })}</td>
                                        <td class="num">{p.value}</td><td class="num">{if p.to > 0 { p.to.to_string() } else { "—".into() }}</td><td>{if p.host_network.is_empty() { "default".to_string() } else { p.host_network.clone() }}</td></tr>
                                }).collect::<Vec<_>>()
                            }).collect_view()}
                            {nets.is_empty().then(|| ports.iter().map(|(l, v, to, ip)| view! {
                                <tr><td>"host"</td><td class="mono">{ip.clone()}</td><td>{l.clone()}</td><td class="num">{*v}</td><td class="num">{if *to > 0 { to.to_string() } else { "—".into() }}</td><td>"default"</td></tr>
                            }).collect_view())}
                        </tbody>
                    </table>
                })}
            }
        })
    }
}

/// How the scheduler placed the allocation.
#[component]
fn Placement(a: Signal<Arc<Allocation>>) -> impl IntoView {
    move || {
        a.with(|a| a.metrics.clone()).map(|m| {
            let mut scores = m.score_meta_data.clone();
            scores.sort_by(|a, b| b.norm_score.total_cmp(&a.norm_score));
            let node_id = a.with(|a| a.node_id.clone());
            let explain = m.explain();
            view! {
                <h2>"Placement"</h2>
                <section class="card placement" data-testid="placement">
                    <div class="stat-row">
                        <div class="stat"><span class="stat-num" data-testid="nodes-evaluated">{m.nodes_evaluated}</span><span class="stat-label">"evaluated"</span></div>
                        <div class="stat"><span class="stat-num">{m.nodes_filtered}</span><span class="stat-label">"filtered"</span></div>
                        <div class="stat"><span class="stat-num">{m.nodes_exhausted}</span><span class="stat-label">"exhausted"</span></div>
                        {(m.nodes_in_pool > 0).then(|| view! { <div class="stat"><span class="stat-num">{m.nodes_in_pool}</span><span class="stat-label">"in pool"</span></div> })}
                        {(m.allocation_time.0 > 0).then(|| view! { <div class="stat"><span class="stat-num">{format::duration(m.allocation_time)}</span><span class="stat-label">"to place"</span></div> })}
                    </div>
                    <ul class="explain">{explain.into_iter().skip(1).map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                    {(!scores.is_empty()).then(|| {
                        let keys: Vec<String> = {
                            let mut k: Vec<String> = scores.iter().flat_map(|s| s.scores.keys().cloned()).collect();
                            k.sort_unstable();
                            k.dedup();
                            k
                        };
                        view! {
                            <table class="table compact" data-testid="scores">
                                <thead><tr><th>"Client"</th>{keys.iter().map(|k| view! { <th class="num">{k.clone()}</th> }).collect_view()}<th class="num">"Final score"</th></tr></thead>
                                <tbody>
                                    {scores.into_iter().map(|s| {
                                        let chosen = s.node_id == node_id;
                                        view! {
                                            <tr class:chosen=chosen>
                                                <td>{node_link(&s.node_id)}{chosen.then(|| view! { <span class="tag ok">"chosen"</span> })}</td>
                                                {keys.iter().map(|k| view! { <td class="num">{s.scores.get(k).map(|v| format!("{v:.3}")).unwrap_or_else(|| "—".into())}</td> }).collect_view()}
                                                <td class="num"><strong>{format!("{:.3}", s.norm_score)}</strong></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }
                    })}
                </section>
            }
        })
    }
}

/// A banner on the allocations list after a garbage collection.
pub fn collected_banner() -> impl IntoView {
    let collected = use_query_param("collected");
    move || {
        let c = collected.get();
        (!c.is_empty()).then(|| view! { <div class="banner ok" data-testid="collected">{format!("Allocation {} was garbage collected.", format::short_id(&c))}</div> })
    }
}
