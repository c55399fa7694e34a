//! Client nodes: every node with its status, eligibility, drain state,
//! version and running allocations; instant search, facets for every
//! column that has few values, sortable columns and paging, all in the
//! URL; live through blocking queries.

use super::allocations::allocations_request;
use super::bulk::{use_selection, BulkBar, PickAllBox, PickBox, Run};
use super::list::{
    use_list_query, use_page_rows, use_typed_text, Chips, FacetMenu, Pager, SearchBox, SortHeader,
};
use super::paged::{use_holding, Holding, HOLD_ALLOCS};
use super::{use_query_param, use_query_setter};
use crate::api::{use_live_list, Watch, WatchOpts};
use crate::components::*;
use crate::routes::node_href;
use leptos::prelude::*;
use nomad_model::lists::{
    count_by, distinct, distinct_versions, node_order, node_search_keys, running_per_node,
    select_nodes, AllocPlacement, NodeQuery,
};
use nomad_model::{format, NodeListStub};
use nomad_model::{DrainSpec, Nanos, NodeDrainRequest};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[component]
pub fn ClientsPage() -> impl IntoView {
    let purged = use_query_param("purged");
    let nodes = use_live_list::<NodeListStub>(
        move || Some((crate::api::paths::NODES.to_string(), vec![])),
        WatchOpts::default(),
    );
    // running allocations per node come from the allocations list (the
    // nodes list does not carry them); the table shows before they arrive
    // … unless there are too many to hold: then there are no counts
    let holding = use_holding("client-counts", HOLD_ALLOCS);
    let allocs = use_live_list::<AllocPlacement>(
        move || {
            let (path, q) = allocations_request("*".into(), String::new());
            holding.query(q).map(|q| (path, q))
        },
        WatchOpts {
            min_interval: Duration::from_secs(1),
            ..WatchOpts::default()
        },
    );
    holding.follow(allocs);
    view! {
        <div class="page-head">
            <h1>"Clients"</h1>
            <span class="spacer"></span>
            <a class="button" href=crate::routes::href("/pools") data-testid="pools-link">"Node pools"</a>
        </div>
        {move || {
            let p = purged.get();
            (!p.is_empty()).then(|| view! { <div class="banner ok" data-testid="purged">{format!("Client {p} was purged.")}</div> })
        }}
        <Live watch=nodes label="Loading clients…" children=move |nodes| view! { <NodesTable nodes allocs counted=holding/> }/>
    }
}

#[derive(Clone, Debug, PartialEq)]
struct NodeRow {
    node: NodeListStub,
    running: Option<u32>,
}

#[component]
fn NodesTable(
    nodes: Signal<Arc<Vec<NodeListStub>>>,
    allocs: Watch<Vec<AllocPlacement>>,
    /// whether the allocations were too many to count from
    counted: Holding,
) -> impl IntoView {
    let text = use_typed_text();
    let sort = use_query_param("sort");
    let desc = use_query_param("desc");
    let set = use_query_setter();
    let running = Memo::new(move |_| {
        if counted.paged.get() {
            return None;
        }
        allocs.data().map(|a| {
            running_per_node(
                a.iter()
                    .map(|a| (a.node_id.as_str(), a.client_status.as_str())),
            )
        })
    });
    let query = use_list_query::<NodeQuery>(text);
    let keys = Memo::new(move |_| nodes.with(|n| node_search_keys(n)));
    let order = Memo::new(move |_| {
        let (by, d) = (sort.get(), desc.get() == "1");
        let empty = HashMap::new();
        running.with(|r| nodes.with(|n| node_order(n, &by, d, r.as_ref().unwrap_or(&empty))))
    });
    let rows = Memo::new(move |_| {
        query.with(|q| keys.with(|k| order.with(|o| nodes.with(|n| select_nodes(n, k, o, q)))))
    });
    let choices = Memo::new(move |_| {
        nodes.with(|n| {
            (
                distinct(n.iter().map(|x| x.datacenter.as_str())),
                distinct(
                    n.iter()
                        .map(|x| x.node_class.as_str())
                        .filter(|c| !c.is_empty()),
                ),
                distinct(
                    n.iter()
                        .map(|x| x.node_pool.as_str())
                        .filter(|c| !c.is_empty()),
                ),
                distinct_versions(
                    n.iter()
                        .map(|x| x.version.as_str())
                        .filter(|c| !c.is_empty()),
                ),
            )
        })
    });
    let counts = Memo::new(move |_| {
        nodes.with(|n| {
            let mut m: HashMap<String, usize> = HashMap::new();
            for (k, v) in count_by(n, |x| x.status.as_str()) {
                m.insert(format!("status={k}"), v);
            }
            for (k, v) in count_by(n, |x| x.scheduling_eligibility.as_str()) {
                m.insert(format!("elig={k}"), v);
            }
            let draining = n.iter().filter(|x| x.drain).count();
            m.insert("drain=draining".into(), draining);
            m.insert("drain=not-draining".into(), n.len() - draining);
            m
        })
    });
    let count = move |key: &'static str| {
        move |v: &'static str| counts.with(|c| c.get(&format!("{key}={v}")).copied().unwrap_or(0))
    };
    let visible = use_page_rows(rows, move |idx| {
        running.with(|run| {
            nodes.with(|n| {
                idx.iter()
                    .map(|&i| NodeRow {
                        running: run.as_ref().map(|m| m.get(&n[i].id).copied().unwrap_or(0)),
                        node: n[i].clone(),
                    })
                    .collect()
            })
        })
    });
    let total = Signal::derive(move || rows.with(|r| r.len()));
    let sel = use_selection(Signal::derive(move || {
        rows.with(|r| nodes.with(|n| r.iter().map(|&i| n[i].id.clone()).collect()))
    }));
    let api = crate::api::use_api();
    let label_of = move |id: String| {
        nodes
            .with_untracked(|n| n.iter().find(|x| x.id == id).map(|x| x.name.clone()))
            .unwrap_or(id)
    };
    let run: Run = std::rc::Rc::new(move |op, id| {
        Box::pin(async move {
            let drain = |spec: Option<DrainSpec>| NodeDrainRequest {
                node_id: id.clone(),
                drain_spec: spec,
                mark_eligible: false,
                ..Default::default()
            };
            match op {
                // the drain panel's defaults: an hour, system jobs too
                "drain" => {
                    let spec = DrainSpec {
                        deadline: Nanos(3_600_000_000_000),
                        ignore_system_jobs: false,
                    };
                    api.node_drain(&id, &drain(Some(spec)))
                        .await
                        .map(|_| "drain started".to_string())
                }
                "stop-drain" => api
                    .node_drain(&id, &drain(None))
                    .await
                    .map(|_| "drain stopped; stays ineligible".to_string()),
                "eligible" => api
                    .node_eligibility(&id, true)
                    .await
                    .map(|_| "eligible".to_string()),
                _ => api
                    .node_eligibility(&id, false)
                    .await
                    .map(|_| "ineligible".to_string()),
            }
        })
    });
    let summary = Signal::derive(move || {
        let (n, all) = (rows.with(|r| r.len()), nodes.with(|l| l.len()));
        let clients = if n == all {
            format!("{} clients", format::thousands(n as i64))
        } else {
            format!(
                "{} of {} clients",
                format::thousands(n as i64),
                format::thousands(all as i64)
            )
        };
        if counted.paged.get() {
            format!(
                "{clients}; running counts are left out past {} allocations (a client's page shows its own)",
                format::thousands(counted.hold() as i64)
            )
        } else {
            clients
        }
    });
    view! {
        <div class="toolbar">
            <SearchBox set=set.clone() text placeholder="Filter by name, ID or address" testid="clients-filter"/>
            <Chips set=set.clone() key="status" options=vec![("", "Any status"), ("ready", "Ready"), ("initializing", "Initializing"), ("down", "Down"), ("disconnected", "Disconnected")] count=count("status")/>
            <Chips set=set.clone() key="elig" options=vec![("", "Any eligibility"), ("eligible", "Eligible"), ("ineligible", "Ineligible")] count=count("elig")/>
            <Chips set=set.clone() key="drain" options=vec![("", "Drain: any"), ("draining", "Draining"), ("not-draining", "Not draining")] count=count("drain")/>
        </div>
        <div class="toolbar">
            <FacetMenu set=set.clone() key="dc" label="Any datacenter" choices=Signal::derive(move || choices.with(|c| c.0.clone()))/>
            <FacetMenu set=set.clone() key="class" label="Any class" choices=Signal::derive(move || choices.with(|c| c.1.clone()))/>
            <FacetMenu set=set.clone() key="pool" label="Any pool" choices=Signal::derive(move || choices.with(|c| c.2.clone()))/>
            <FacetMenu set=set.clone() key="version" label="Any version" choices=Signal::derive(move || choices.with(|c| c.3.clone()))/>
        </div>
        <BulkBar sel noun="clients" label_of run ops=vec![
            ("drain", "Drain", "Drain (an hour's deadline, system jobs too)"),
            ("stop-drain", "Stop drain", "Stop draining"),
            ("ineligible", "Mark ineligible", "Stop placing new allocations on"),
            ("eligible", "Mark eligible", "Place new allocations again on"),
        ]/>
        <table class="table" data-testid="clients-table">
            <thead>
                <tr>
                    <PickAllBox sel/>
                    <SortHeader set=set.clone() key="name" label="Name" default=true/>
                    <th>"ID"</th>
                    <SortHeader set=set.clone() key="datacenter" label="Datacenter"/>
                    <SortHeader set=set.clone() key="pool" label="Pool"/>
                    <SortHeader set=set.clone() key="class" label="Class"/>
                    <SortHeader set=set.clone() key="status" label="Status"/>
                    <SortHeader set=set.clone() key="eligibility" label="Eligibility"/>
                    <SortHeader set=set.clone() key="drain" label="Drain"/>
                    <SortHeader set=set.clone() key="version" label="Version"/>
                    <SortHeader set=set.clone() key="running" label="Running" num=true/>
                </tr>
            </thead>
            <tbody>
                <Rows each=move || visible.get() key=|r: &NodeRow| (r.node.id.clone(), r.node.modify_index, r.running) children=move |r: NodeRow| {
                    let n = r.node;
                    view! {
                        <tr data-node=n.id.clone()>
                            <PickBox sel key=n.id.clone()/>
                            <td class="name"><a href=node_href(&n.id)>{n.name.clone()}</a></td>
                            <td><ShortId id=n.id.clone()/></td>
                            <td>{n.datacenter.clone()}</td>
                            <td>{n.node_pool.clone()}</td>
                            <td class="muted">{if n.node_class.is_empty() { "—".to_string() } else { n.node_class.clone() }}</td>
                            <td><Badge status=n.status.clone()/></td>
                            <td><Badge status=n.scheduling_eligibility.clone()/></td>
                            <td>{if n.drain { view! { <span class="tag warn">"draining"</span> }.into_any() } else { view! { <span class="muted">"—"</span> }.into_any() }}</td>
                            <td class="muted">{n.version.clone()}</td>
                            <td class="num" data-col="running">{match r.running { Some(c) => c.to_string(), None if counted.paged.get_untracked() => "—".into(), None => "…".into() }}</td>
                        </tr>
                    }
                }/>
            </tbody>
        </table>
        {move || rows.with(|r| r.is_empty()).then(|| view! {
            <p class="empty" data-testid="clients-empty">"No clients match. "
                {move || (!query.with(|q| q.is_empty())).then_some("Clear the filters to see them all.")}</p>
        })}
        <Pager set total summary testid="clients-count"/>
    }
}
