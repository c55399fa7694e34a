//! A client node: summary, drivers, events and its allocations.

use crate::api::{use_watch, WatchOpts};
use crate::components::*;
use crate::pages::job::AllocTable;
use crate::routes::{decode_param, href};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use nomad_model::{format, Allocation, Node};
use std::sync::Arc;

#[derive(Params, PartialEq, Clone, Debug)]
pub struct NodeParams {
    pub id: Option<String>,
}

#[component]
pub fn ClientPage() -> impl IntoView {
    let params = use_params::<NodeParams>();
    let id = Memo::new(move |_| {
        params.with(|p| {
            p.as_ref()
                .ok()
                .and_then(|p| p.id.as_deref().map(decode_param))
        })
    });
    let node = use_watch::<Node>(
        move || id.get().map(|id| (format!("/v1/node/{id}"), vec![])),
        WatchOpts::default(),
    );
    let allocs = use_watch::<Vec<Allocation>>(
        move || {
            id.get()
                .map(|id| (format!("/v1/node/{id}/allocations"), vec![]))
        },
        WatchOpts::default(),
    );
    view! {
        <nav class="crumbs"><a href=href("/clients")>"Clients"</a>" / "{move || id.get().map(|i| format::short_id(&i).to_string())}</nav>
        <Live watch=node label="Loading client…" children=move |n| view! { <NodeView n allocs/> }/>
    }
}

#[component]
fn NodeView(n: Signal<Arc<Node>>, allocs: crate::api::Watch<Vec<Allocation>>) -> impl IntoView {
    let get = move |f: fn(&Node) -> String| Signal::derive(move || n.with(|n| f(n)));
    let total = Memo::new(move |_| n.with(|n| n.total_resources()));
    view! {
        <div class="page-head">
            <h1 data-testid="node-title">{get(|n| n.name.clone())}</h1>
            <Badge status=get(|n| n.status.clone())/>
            <Badge status=get(|n| n.scheduling_eligibility.clone())/>
            {move || n.with(|n| n.drain_strategy.is_some()).then(|| view! { <span class="tag warn">"draining"</span> })}
        </div>
        <Facts>
            <Fact label="ID"><span class="mono">{get(|n| n.id.clone())}</span></Fact>
            <Fact label="Address">{get(|n| n.http_addr.clone())}</Fact>
            <Fact label="Datacenter">{get(|n| n.datacenter.clone())}</Fact>
            <Fact label="Node pool">{get(|n| n.node_pool.clone())}</Fact>
            <Fact label="Class">{get(|n| if n.node_class.is_empty() { "—".into() } else { n.node_class.clone() })}</Fact>
            <Fact label="Version">{get(|n| n.version().to_string())}</Fact>
            <Fact label="TLS">{get(|n| if n.tls_enabled { "enabled".into() } else { "disabled".into() })}</Fact>
            <Fact label="Resources">{move || total.with(|r| format!("{} CPU · {} memory · {} disk", format::mhz(r.cpu_mhz), format::megabytes(r.memory_mb), format::megabytes(r.disk_mb)))}</Fact>
        </Facts>
        <h2>"Allocations"</h2>
        <Live watch=allocs label="Loading allocations…" children=move |list| view! { <AllocTable list show_job=true/> }/>
        <h2>"Drivers"</h2>
        <table class="table">
            <thead><tr><th>"Driver"</th><th>"Detected"</th><th>"Healthy"</th><th>"Description"</th></tr></thead>
            <tbody>
                {move || n.with(|n| n.drivers.clone()).into_iter().map(|(name, d)| view! {
                    <tr><td class="name">{name}</td><td>{if d.detected { "yes" } else { "no" }}</td>
                        <td><Badge status=if d.healthy { "healthy".to_string() } else { "unhealthy".to_string() }/></td>
                        <td class="muted">{d.health_description.clone()}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2>"Events"</h2>
        <table class="table">
            <thead><tr><th>"Time"</th><th>"Subsystem"</th><th>"Message"</th></tr></thead>
            <tbody>
                {move || {
                    let mut ev = n.with(|n| n.events.clone());
                    ev.reverse();
                    ev.into_iter().map(|e| view! {
                        <tr><td class="muted"><RelTime at=e.timestamp.unix_nanos().unwrap_or_default()/></td><td>{e.subsystem.clone()}</td><td>{e.message.clone()}</td></tr>
                    }).collect_view()
                }}
            </tbody>
        </table>
    }
}
