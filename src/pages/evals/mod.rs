//! Evaluations: every evaluation, newest first, filtered and paged by the
//! agent (the filters become a go-bexpr `filter`, the pages follow
//! `next_token`), kept current by blocking queries; and one evaluation,
//! with what it waits for in words, its placement failures, the chain of
//! evaluations it belongs to (`?related=true`) and its allocations.

use super::job::AllocTable;
use super::list::{use_typed_text, Chips, FacetMenu, SearchBox};
use super::paged::{use_agent_page, AgentPager};
use super::use_query_setter;
use crate::api::{paths, use_api, use_watch, WatchOpts};
use crate::components::*;
use crate::routes::{decode_param, eval_href, href, job_href, node_href};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::{use_params, use_query_map};
use leptos_router::params::Params;
use nomad_model::lists::{AllocRow, EvalQuery};
use nomad_model::{format, Allocation, Evaluation};
use std::sync::Arc;

/// What starts an evaluation (`structs.EvalTrigger*`).
const TRIGGERS: &[&str] = &[
    "job-register",
    "job-deregister",
    "periodic-job",
    "node-update",
    "node-drain",
    "alloc-stop",
    "scheduled",
    "rolling-update",
    "deployment-watcher",
    "failed-follow-up",
    "max-plan-attempts",
    "alloc-failure",
    "queued-allocs",
    "preemption",
    "job-scaling",
    "max-disconnect-timeout",
    "reconnect",
];

#[component]
pub fn EvaluationsPage() -> impl IntoView {
    let api = use_api();
    let url = use_query_map();
    let set = use_query_setter();
    let text_now = use_typed_text();
    let page = use_agent_page::<Evaluation>(paths::EVALUATIONS, move || {
        let q = url.with(|m| EvalQuery::from_url(|k| m.get(k).unwrap_or_default()));
        vec![
            ("namespace", api.namespace.get()),
            ("filter", q.server_filter()),
            ("reverse", "true".to_string()),
        ]
    });
    let shown = Signal::derive(move || page.with_state(|s| s.data.as_ref().map_or(0, |d| d.len())));
    let summary =
        Signal::derive(move || format!("{} evaluations on this page, newest first", shown.get()));
    let triggers = Signal::derive(|| TRIGGERS.iter().map(|t| t.to_string()).collect::<Vec<_>>());
    view! {
        <div class="page-head"><h1>"Evaluations"</h1></div>
        <div class="toolbar">
            <SearchBox set=set.clone() text=text_now placeholder="Filter by ID, job or client ID" testid="evals-filter"/>
            <Chips set=set.clone() uncounted=true key="status" count=|_| 0
                options=vec![("", "Any status"), ("blocked", "Blocked"), ("pending", "Pending"), ("complete", "Complete"), ("failed", "Failed"), ("canceled", "Canceled")]/>
            <Chips set=set.clone() uncounted=true key="type" count=|_| 0
                options=vec![("", "Any type"), ("service", "Service"), ("batch", "Batch"), ("system", "System"), ("sysbatch", "Sysbatch"), ("_core", "Core")]/>
            <FacetMenu set=set.clone() key="trigger" label="Any trigger" choices=triggers/>
        </div>
        <Live watch=page label="Loading evaluations…" children=move |list| view! { <EvalsTable list/> }/>
        <AgentPager set watch=page summary testid="evals-count"/>
    }
}

/// Why an evaluation's groups could not be placed, in one line.
fn placement(e: &Evaluation) -> String {
    match e.failed_tg_allocs.len() {
        0 if e.status == "blocked" => "waiting for capacity".into(),
        0 => String::new(),
        1 => format!(
            "group \"{}\" could not be placed",
            e.failed_tg_allocs
                .keys()
                .next()
                .cloned()
                .unwrap_or_default()
        ),
        n => format!("{n} groups could not be placed"),
    }
}

#[component]
fn EvalsTable(list: Signal<Arc<Vec<Evaluation>>>) -> impl IntoView {
    let rows = move || list.with(|l| l.to_vec());
    view! {
        <table class="table" data-testid="evals-table">
            <thead><tr><th>"ID"</th><th>"Job"</th><th>"Type"</th><th class="num">"Priority"</th><th>"Triggered by"</th><th>"Status"</th><th>"Client"</th><th>"Placement"</th><th>"Created"</th></tr></thead>
            <tbody>
                <Rows each=rows key=|e: &Evaluation| (e.id.clone(), e.modify_index) children=move |e: Evaluation| view! {
                    <tr data-eval=e.id.clone() data-status=e.status.clone()>
                        <td><a href=eval_href(&e.id) class="mono">{format::short_id(&e.id).to_string()}</a></td>
                        <td>{(!e.job_id.is_empty()).then(|| view! { <a href=job_href(&e.namespace, &e.job_id)>{e.job_id.clone()}</a> })}</td>
                        <td>{e.eval_type.clone()}</td>
                        <td class="num">{e.priority}</td>
                        <td>{e.triggered_by.clone()}</td>
                        <td><Badge status=e.status.clone()/></td>
                        <td>{(!e.node_id.is_empty()).then(|| view! { <a href=node_href(&e.node_id) class="mono">{format::short_id(&e.node_id).to_string()}</a> })}</td>
                        <td class="wrap placement-failure">{placement(&e)}</td>
                        <td class="muted"><RelTime at=e.create_time/></td>
                    </tr>
                }/>
            </tbody>
        </table>
        {move || list.with(|l| l.is_empty()).then(|| view! { <p class="empty" data-testid="evals-empty">"No evaluations match."</p> })}
    }
}

#[derive(Params, PartialEq, Clone, Debug)]
struct EvalParams {
    id: Option<String>,
}

#[component]
pub fn EvalPage() -> impl IntoView {
    let params = use_params::<EvalParams>();
    let id = Memo::new(move |_| {
        params.with(|p| {
            p.as_ref()
                .ok()
                .and_then(|p| p.id.clone())
                .map(|i| decode_param(&i))
        })
    });
    let eval = use_watch::<Evaluation>(
        move || {
            id.get().map(|id| {
                (
                    paths::evaluation(&id, ""),
                    vec![("related", "true".to_string())],
                )
            })
        },
        WatchOpts::default(),
    );
    let allocs = use_watch::<Vec<Allocation>>(
        move || {
            id.get()
                .map(|id| (paths::evaluation(&id, "/allocations"), vec![]))
        },
        WatchOpts::default(),
    );
    view! {
        <nav class="crumbs">
            <a href=href("/evaluations")>"Evaluations"</a>" / "
            {move || id.get().map(|i| format::short_id(&i).to_string())}
        </nav>
        <Live watch=eval label="Loading evaluation…" children=move |e| view! { <EvalView e/> }/>
        <h2>"Allocations"</h2>
        <Live watch=allocs label="Loading allocations…" children=move |list| view! {
            <AllocTable rows=Signal::derive(move || list.with(|l| l.iter().map(AllocRow::from).collect())) show_job=true/>
        }/>
    }
}

#[component]
fn EvalView(e: Signal<Arc<Evaluation>>) -> impl IntoView {
    let get = move |f: fn(&Evaluation) -> String| Signal::derive(move || e.with(|e| f(e)));
    view! {
        <div class="page-head">
            <h1 data-testid="eval-title">{move || format!("Evaluation {}", e.with(|e| format::short_id(&e.id).to_string()))}</h1>
            <Badge status=get(|e| e.status.clone())/>
        </div>
        <Facts>
            <Fact label="ID"><span class="mono">{get(|e| e.id.clone())}</span></Fact>
            <Fact label="Job">{move || e.with(|e| view! { <a href=job_href(&e.namespace, &e.job_id)>{e.job_id.clone()}</a> })}</Fact>
            <Fact label="Triggered by"><span data-testid="eval-trigger">{get(|e| e.triggered_by.clone())}</span></Fact>
            <Fact label="Type">{get(|e| e.eval_type.clone())}</Fact>
            <Fact label="Priority">{move || e.with(|e| e.priority)}</Fact>
            <Fact label="Status">{get(|e| format::with_description(&e.status, &e.status_description))}</Fact>
            <Fact label="Client">{move || e.with(|e| (!e.node_id.is_empty()).then(|| view! { <a href=node_href(&e.node_id) class="mono">{format::short_id(&e.node_id).to_string()}</a> }))}</Fact>
            <Fact label="Namespace">{get(|e| nomad_model::lists::ns_of(&e.namespace).to_string())}</Fact>
            <Fact label="Created"><RelTime at=Signal::derive(move || e.with(|e| e.create_time))/></Fact>
            <Fact label="Modified"><RelTime at=Signal::derive(move || e.with(|e| e.modify_time))/></Fact>
        </Facts>
        <ul class="eval-reasons" data-testid="eval-reasons">
            {move || e.with(|e| e.reasons()).into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
        </ul>
        {move || e.with(|e| e.failed_tg_allocs.iter().map(|(g, m)| (g.clone(), m.explain())).collect::<Vec<_>>()).into_iter().map(|(g, lines)| view! {
            <div class="placement-failure" data-testid="placement-failure">
                <strong>{format!("Group \"{g}\" could not be placed. ")}</strong>{lines.join(" ")}
            </div>
        }).collect_view()}
        <h2>"Related evaluations"</h2>
        <Chain e/>
    }
}

/// The evaluation among the ones linked to it, oldest first: a chain of
/// follow-ups (next/previous) and the blocked evaluation it left.
#[component]
fn Chain(e: Signal<Arc<Evaluation>>) -> impl IntoView {
    let chain = Memo::new(move |_| {
        e.with(|e| {
            let mut v: Vec<(Evaluation, &'static str)> = e
                .related_evals
                .iter()
                .map(|r| {
                    let how = if r.id == e.previous_eval {
                        "previous"
                    } else if r.id == e.next_eval {
                        "next"
                    } else if r.id == e.blocked_eval {
                        "blocked"
                    } else {
                        "related"
                    };
                    (r.clone(), how)
                })
                .collect();
            v.push(((**e).clone(), "this one"));
            // evaluations made in one write share an index: the one that
            // came first leads
            let rank = |how: &str| match how {
                "previous" => 0,
                "next" => 2,
                "blocked" => 3,
                _ => 1,
            };
            v.sort_by_key(|(r, how)| (r.create_index, rank(how), r.id.clone()));
            v
        })
    });
    view! {
        <ol class="eval-chain" data-testid="eval-chain">
            {move || chain.get().into_iter().map(|(r, how)| {
                let current = how == "this one";
                view! {
                    <li class:current=current data-eval=r.id.clone() data-relation=how>
                        <a href=eval_href(&r.id) class="mono">{format::short_id(&r.id).to_string()}</a>
                        <Badge status=r.status.clone()/>
                        <span class="muted small">{format!("{} · {how}", r.triggered_by)}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
        {move || chain.with(|c| c.len() == 1).then(|| view! { <p class="muted">"No other evaluation is linked to this one (agents before 1.5 do not say)."</p> })}
    }
}
