//! Topology (`/ui/topology`): the cluster's capacity at a glance. Every
//! node, grouped by datacenter and pool, draws the CPU (upper bar) and
//! memory (lower bar) its allocations hold against what it offers, each
//! allocation a segment in its job's colour. Hover names what is under
//! the pointer; a click opens the node's allocations. Job, namespace,
//! pool and datacenter filters live in the URL. Nodes and allocations are
//! kept live from the event stream.
//!
//! Built for 2,000 nodes and 50,000 allocations: a node is one element
//! with two bars whose segments are one CSS gradient each, keyed so an
//! update redraws only the nodes it changed, and one pointer handler
//! serves the whole map.

mod map;

use super::list::{use_typed_text, FacetMenu, SearchBox};
use super::paged::{use_holding, HOLD_ALLOCS};
use super::{use_query_param, use_query_setter};
use crate::api::{paths, use_live_list, WatchOpts};
use crate::components::*;
use leptos::prelude::*;
use map::TopologyMap;
use nomad_model::lists::distinct;
use nomad_model::topology::{TopoAlloc, TopoNode, TopoQuery};
use std::time::Duration;

const OPTS: WatchOpts = WatchOpts {
    min_interval: Duration::from_secs(1),
    blocking: true,
    live: true,
};

#[component]
pub fn TopologyPage() -> impl IntoView {
    let nodes = use_live_list::<TopoNode>(
        || Some((paths::NODES.into(), vec![("resources", "true".into())])),
        OPTS,
    );
    let holding = use_holding("topology", HOLD_ALLOCS);
    let allocs = use_live_list::<TopoAlloc>(
        move || {
            let q = vec![
                ("namespace", "*".to_string()),
                ("task_states", "false".into()),
                ("resources", "true".into()),
            ];
            holding
                .query(q)
                .map(|q| (paths::ALLOCATIONS.to_string(), q))
        },
        OPTS,
    );
    holding.follow(allocs);
    view! {
        <div class="page-head"><h1>"Topology"</h1></div>
        {move || holding.paged.get().then(|| view! {
            <div class="banner info" data-testid="topo-too-many">
                {format!("More than {} allocations: too many to draw in this tab, so the clients are shown without them.", nomad_model::format::thousands(HOLD_ALLOCS as i64))}
            </div>
        })}
        <Live watch=nodes label="Loading clients…" children=move |nodes| view! { <Topology nodes allocs too_many=holding.paged.into()/> }/>
    }
}

#[component]
fn Topology(
    nodes: Signal<std::sync::Arc<Vec<TopoNode>>>,
    allocs: crate::api::Watch<Vec<TopoAlloc>>,
    too_many: Signal<bool>,
) -> impl IntoView {
    let set = use_query_setter();
    let (ns, pool, dc) = (
        use_query_param("ns"),
        use_query_param("pool"),
        use_query_param("dc"),
    );
    // the job filter applies as typed; the URL's `q` follows
    let job = use_typed_text();
    let query = Memo::new(move |_| TopoQuery {
        namespace: ns.get(),
        job: job.get().trim().to_string(),
        pool: pool.get(),
        datacenter: dc.get(),
    });
    let pools = Memo::new(move |_| nodes.with(|n| distinct(n.iter().map(|n| n.pool()))));
    let dcs = Memo::new(move |_| nodes.with(|n| distinct(n.iter().map(|n| n.datacenter.as_str()))));
    let namespaces = Memo::new(move |_| {
        allocs
            .data()
            .map(|a| distinct(a.iter().map(|a| a.namespace.as_str())))
            .unwrap_or_default()
    });
    view! {
        <div class="toolbar">
            <SearchBox set=set.clone() text=job placeholder="Job ID (or its start)" testid="topo-job"/>
            <FacetMenu set=set.clone() key="ns" label="Any namespace" choices=namespaces/>
            <FacetMenu set=set.clone() key="pool" label="Any node pool" choices=pools/>
            <FacetMenu set=set key="dc" label="Any datacenter" choices=dcs/>
            <span class="spacer"></span>
            <span class="muted topo-legend">"Each client: CPU above, memory below; a colour per job."</span>
        </div>
        <TopologyMap nodes allocs query too_many/>
    }
}
