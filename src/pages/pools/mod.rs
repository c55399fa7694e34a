//! Node pools (Nomad 1.6+): every pool with its description, scheduler
//! settings and how many clients it has (and how many are ready); and one
//! pool with its meta, its clients and the jobs that run in it. Live through
//! blocking queries.

use crate::api::{paths, use_watch, Watch, WatchOpts};
use crate::components::*;
use crate::routes::{decode_param, href, job_href, node_href, pool_href};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use nomad_model::{JobListStub, NodeListStub, NodePool};
use std::sync::Arc;

fn scheduler(p: &NodePool) -> String {
    match &p.scheduler_configuration {
        None => "cluster default".into(),
        Some(c) => {
            let alg = if c.scheduler_algorithm.is_empty() {
                "cluster default"
            } else {
                &c.scheduler_algorithm
            };
            match c.memory_oversubscription_enabled {
                Some(true) => format!("{alg}, memory oversubscription"),
                _ => alg.to_string(),
            }
        }
    }
}

#[component]
pub fn PoolsPage() -> impl IntoView {
    let pools = use_watch::<Vec<NodePool>>(
        || Some((paths::NODE_POOLS.into(), vec![])),
        WatchOpts::default(),
    );
    let nodes: Watch<Vec<NodeListStub>> =
        use_watch(|| Some((paths::NODES.into(), vec![])), WatchOpts::default());
    let count = move |pool: &str| {
        nodes.data().map(|n| {
            let mine: Vec<&NodeListStub> = n
                .iter()
                .filter(|x| pool == "all" || x.node_pool == pool)
                .collect();
            let ready = mine.iter().filter(|x| x.status == "ready").count();
            (mine.len(), ready)
        })
    };
    view! {
        <div class="page-head"><h1>"Node pools"</h1></div>
        <Live watch=pools label="Loading node pools…" children=move |list| view! {
            <table class="table" data-testid="pools-table">
                <thead><tr><th>"Name"</th><th>"Description"</th><th>"Scheduler"</th><th class="num">"Clients"</th><th class="num">"Ready"</th></tr></thead>
                <tbody>
                    <For each=move || list.with(|l| l.to_vec()) key=|p: &NodePool| (p.name.clone(), p.modify_index) children=move |p: NodePool| {
                        let name = p.name.clone();
                        let n = Signal::derive(move || count(&name));
                        view! {
                            <tr data-pool=p.name.clone()>
                                <td class="name"><a href=pool_href(&p.name)>{p.name.clone()}</a>{p.is_builtin().then(|| view! { <span class="tag">"built-in"</span> })}</td>
                                <td class="wrap">{p.description.clone()}</td>
                                <td>{scheduler(&p)}</td>
                                <td class="num" data-testid="pool-clients">{move || n.get().map(|c| c.0.to_string()).unwrap_or_else(|| "…".into())}</td>
                                <td class="num">{move || n.get().map(|c| c.1.to_string()).unwrap_or_else(|| "…".into())}</td>
                            </tr>
                        }
                    }/>
                </tbody>
            </table>
        }/>
    }
}

#[derive(Params, PartialEq, Clone, Debug)]
struct PoolParams {
    name: Option<String>,
}

#[component]
pub fn PoolPage() -> impl IntoView {
    let params = use_params::<PoolParams>();
    let name = Memo::new(move |_| {
        params.with(|p| {
            p.as_ref()
                .ok()
                .and_then(|p| p.name.clone())
                .map(|n| decode_param(&n))
        })
    });
    let req =
        move |rest: &'static str| move || name.get().map(|n| (paths::node_pool(&n, rest), vec![]));
    let pool = use_watch::<NodePool>(req(""), WatchOpts::default());
    let nodes = use_watch::<Vec<NodeListStub>>(req("/nodes"), WatchOpts::default());
    // every namespace's jobs in the pool
    let jobs = use_watch::<Vec<JobListStub>>(
        move || {
            name.get().map(|n| {
                (
                    paths::node_pool(&n, "/jobs"),
                    vec![("namespace", "*".to_string())],
                )
            })
        },
        WatchOpts::default(),
    );
    view! {
        <nav class="crumbs"><a href=href("/pools")>"Node pools"</a>" / "{move || name.get()}</nav>
        <Live watch=pool label="Loading node pool…" children=move |p| view! { <PoolFacts p/> }/>
        <h2>"Clients"</h2>
        <Live watch=nodes label="Loading clients…" children=move |list| view! {
            <table class="table" data-testid="pool-nodes">
                <thead><tr><th>"Name"</th><th>"Datacenter"</th><th>"Status"</th><th>"Eligibility"</th></tr></thead>
                <tbody>
                    <For each=move || list.with(|l| l.to_vec()) key=|n: &NodeListStub| (n.id.clone(), n.modify_index) children=|n: NodeListStub| view! {
                        <tr data-node=n.id.clone()>
                            <td class="name"><a href=node_href(&n.id)>{n.name.clone()}</a></td>
                            <td>{n.datacenter.clone()}</td>
                            <td><Badge status=n.status.clone()/></td>
                            <td class="muted">{n.scheduling_eligibility.clone()}</td>
                        </tr>
                    }/>
                </tbody>
            </table>
            {move || list.with(|l| l.is_empty()).then(|| view! { <p class="empty">"No clients in this pool."</p> })}
        }/>
        <h2>"Jobs"</h2>
        <Live watch=jobs label="Loading jobs…" children=move |list| view! {
            <table class="table" data-testid="pool-jobs">
                <thead><tr><th>"Name"</th><th>"Namespace"</th><th>"Type"</th><th>"Status"</th></tr></thead>
                <tbody>
                    <For each=move || list.with(|l| l.to_vec()) key=|j: &JobListStub| (j.namespace.clone(), j.id.clone(), j.modify_index) children=|j: JobListStub| view! {
                        <tr data-job=j.id.clone()>
                            <td class="name"><a href=job_href(&j.namespace, &j.id)>{j.name.clone()}</a></td>
                            <td>{j.namespace.clone()}</td>
                            <td>{j.job_type.clone()}</td>
                            <td><Badge status=j.status.clone()/></td>
                        </tr>
                    }/>
                </tbody>
            </table>
            {move || list.with(|l| l.is_empty()).then(|| view! { <p class="empty">"No jobs run in this pool."</p> })}
        }/>
    }
}

#[component]
fn PoolFacts(p: Signal<Arc<NodePool>>) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1 data-testid="pool-title">{move || p.with(|p| p.name.clone())}</h1>
            {move || p.with(|p| p.is_builtin()).then(|| view! { <span class="tag">"built-in"</span> })}
        </div>
        <Facts>
            <Fact label="Description">{move || p.with(|p| p.description.clone())}</Fact>
            <Fact label="Scheduler">{move || p.with(|p| scheduler(p))}</Fact>
        </Facts>
        <MetaList meta=Signal::derive(move || p.with(|p| p.meta.clone()))/>
    }
}
