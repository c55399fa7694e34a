//! Client nodes: every node with its status, eligibility and drain state.

use super::{query_param, query_setter};
use crate::api::{use_watch, WatchOpts};
use crate::components::*;
use crate::routes::node_href;
use leptos::prelude::*;
use nomad_model::NodeListStub;
use std::sync::Arc;

#[component]
pub fn ClientsPage() -> impl IntoView {
    let nodes = use_watch::<Vec<NodeListStub>>(
        move || Some(("/v1/nodes".to_string(), vec![])),
        WatchOpts::default(),
    );
    view! {
        <div class="page-head"><h1>"Clients"</h1></div>
        <Live watch=nodes label="Loading clients…" children=move |nodes| view! { <NodesTable nodes/> }/>
    }
}

#[component]
fn NodesTable(nodes: Signal<Arc<Vec<NodeListStub>>>) -> impl IntoView {
    let text = query_param("q");
    let set = query_setter();
    let rows = Memo::new(move |_| {
        let t = text.get().to_lowercase();
        let mut v: Vec<NodeListStub> = nodes.with(|n| {
            n.iter()
                .filter(|n| {
                    t.is_empty() || n.name.to_lowercase().contains(&t) || n.id.starts_with(&t)
                })
                .cloned()
                .collect()
        });
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    });
    view! {
        <div class="toolbar">
            <input class="search" type="search" placeholder="Filter by name or ID" aria-label="Filter clients" data-testid="clients-filter"
                prop:value=move || text.get() on:input=move |ev| set(&[("q", event_target_value(&ev))])/>
        </div>
        <table class="table" data-testid="clients-table">
            <thead><tr><th>"Name"</th><th>"ID"</th><th>"Datacenter"</th><th>"Pool"</th><th>"Class"</th><th>"Status"</th><th>"Eligibility"</th><th>"Drain"</th><th>"Version"</th></tr></thead>
            <tbody>
                <For each=move || rows.get() key=|n: &NodeListStub| (n.id.clone(), n.modify_index) children=move |n: NodeListStub| view! {
                    <tr data-node=n.id.clone()>
                        <td class="name"><a href=node_href(&n.id)>{n.name.clone()}</a></td>
                        <td><ShortId id=n.id.clone()/></td>
                        <td>{n.datacenter.clone()}</td>
                        <td>{n.node_pool.clone()}</td>
                        <td class="muted">{n.node_class.clone()}</td>
                        <td><Badge status=n.status.clone()/></td>
                        <td><Badge status=n.scheduling_eligibility.clone()/></td>
                        <td>{if n.drain { "draining" } else { "—" }}</td>
                        <td class="muted">{n.version.clone()}</td>
                    </tr>
                }/>
            </tbody>
        </table>
        <p class="muted" data-testid="clients-count">{move || format!("{} clients", rows.with(|r| r.len()))}</p>
    }
}
