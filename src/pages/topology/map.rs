//! The map itself: groups of node cells, the tooltip under the pointer and
//! the selected node's allocations.

use crate::api::Watch;
use crate::components::Rows;
use crate::interop;
use crate::pages::{use_query_param, use_query_setter};
use crate::routes::{alloc_href, job_href, node_href};
use leptos::prelude::*;
use nomad_model::format;
use nomad_model::topology::{
    layout, percent, Bar, Group, NodeView, TopoAlloc, TopoNode, TopoQuery,
};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

const FREE: &str = "var(--topo-free)";

/// What the pointer is over: a node (by group and place) and, on a bar,
/// the segment there.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Hover {
    group: usize,
    node: usize,
    seg: Option<(Bar, usize)>,
    x: i32,
    y: i32,
}

/// The cell (group, place) a pointer or key event happened on, from the
/// `data-n="<group>:<place>"` its elements carry.
fn cell_at(ev: &leptos::ev::Event) -> Option<(usize, usize)> {
    let at = interop::event_data(ev, "n")?;
    let (g, n) = at.split_once(':')?;
    Some((g.parse().ok()?, n.parse().ok()?))
}

/// What a node cell shows, so a keyed list redraws a node only when it
/// changed.
fn signature(n: &NodeView, node: &TopoNode) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    // the node itself too: another with the same figures may take its place
    (&node.id, &node.name, n.cpu_cap, n.mem_cap, n.dim).hash(&mut h);
    (&node.status, &node.scheduling_eligibility, node.drain).hash(&mut h);
    for s in &n.segs {
        (s.hue, s.cpu, s.mem, s.dim).hash(&mut h);
    }
    h.finish()
}

#[component]
pub fn TopologyMap(
    nodes: Signal<Arc<Vec<TopoNode>>>,
    allocs: Watch<Vec<TopoAlloc>>,
    query: Memo<TopoQuery>,
    /// too many allocations to hold: the clients are drawn without them
    too_many: Signal<bool>,
) -> impl IntoView {
    let set = use_query_setter();
    let selected = use_query_param("node");
    let empty: Arc<Vec<TopoAlloc>> = Arc::new(vec![]);
    let all_allocs = Memo::new(move |_| allocs.data().unwrap_or_else(|| empty.clone()));
    let groups = Memo::new(move |_| {
        Arc::new(nodes.with(|n| all_allocs.with(|a| layout(n, a, &query.get()))))
    });
    let hover = RwSignal::new(None::<Hover>);
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let Some((group, node)) = cell_at(&ev) else {
            hover.set(None);
            return;
        };
        let bar = match interop::event_data(&ev, "bar").as_deref() {
            Some("cpu") => Some(Bar::Cpu),
            Some("mem") => Some(Bar::Mem),
            _ => None,
        };
        let seg = bar.and_then(|b| {
            let frac = interop::pointer_fraction(&ev);
            groups.with_untracked(|gs| {
                let n = gs.get(group)?.nodes.get(node)?;
                b.seg_at(n, frac).map(|i| (b, i))
            })
        });
        hover.set(Some(Hover {
            group,
            node,
            seg,
            x: ev.client_x(),
            y: ev.client_y(),
        }));
    };
    // a click, or Enter or Space on a focused cell
    let pick = move |ev: &leptos::ev::Event| {
        let Some((g, n)) = cell_at(ev) else {
            return;
        };
        let id = groups.with_untracked(|gs| {
            let i = gs.get(g)?.nodes.get(n)?.node;
            nodes.with_untracked(|ns| ns.get(i).map(|n| n.id.clone()))
        });
        if let Some(id) = id {
            let again = selected.get_untracked() == id;
            set(&[("node", if again { String::new() } else { id })]);
        }
    };
    let pick = std::rc::Rc::new(pick);
    let on_click = {
        let pick = pick.clone();
        move |ev: leptos::ev::MouseEvent| pick(&ev)
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if matches!(ev.key().as_str(), "Enter" | " ") && cell_at(&ev).is_some() {
            ev.prevent_default();
            pick(&ev);
        }
    };
    let loading = move || allocs.data().is_none() && !too_many.get();
    // a group's cells are its own keyed list: the outer one only knows
    // which groups there are
    let each_group = move || {
        groups.with(|gs| {
            gs.iter()
                .enumerate()
                .map(|(i, g)| (i, g.datacenter.clone(), g.pool.clone(), g.nodes.len()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <p class="muted" data-testid="topo-summary">{move || summary(&groups.get(), loading(), too_many.get())}</p>
        <Selected nodes all_allocs groups/>
        <div class="topo-map" data-testid="topo-map" on:mousemove=on_move on:mouseleave=move |_| hover.set(None) on:click=on_click on:keydown=on_key>
            <For each=each_group
                key=|k| k.clone()
                children=move |(gi, dc, pool, _)| view! { <GroupView gi dc pool nodes groups/> }/>
        </div>
        <Tooltip hover nodes all_allocs groups/>
    }
}

fn summary(groups: &[Group], loading: bool, too_many: bool) -> String {
    let nodes: usize = groups.iter().map(|g| g.nodes.len()).sum();
    let placed: usize = groups
        .iter()
        .flat_map(|g| &g.nodes)
        .map(|n| n.segs.len())
        .sum();
    let (cu, cc) = groups
        .iter()
        .fold((0, 0), |(u, c), g| (u + g.cpu_used, c + g.cpu_cap));
    let (mu, mc) = groups
        .iter()
        .fold((0, 0), |(u, c), g| (u + g.mem_used, c + g.mem_cap));
    let allocs = if too_many {
        "allocations not drawn".to_string()
    } else if loading {
        "loading allocations…".to_string()
    } else {
        format!("{} allocations placed", format::thousands(placed as i64))
    };
    format!(
        "{} clients · {allocs} · CPU {}% of {} · memory {}% of {}",
        format::thousands(nodes as i64),
        percent(cu, cc),
        format::mhz(cc as i64),
        percent(mu, mc),
        format::megabytes(mc as i64)
    )
}

#[component]
fn GroupView(
    gi: usize,
    dc: String,
    pool: String,
    nodes: Signal<Arc<Vec<TopoNode>>>,
    groups: Memo<Arc<Vec<Group>>>,
) -> impl IntoView {
    let head = move || {
        groups.with(|gs| {
            gs.get(gi).map(|g| {
                format!(
                    "{} · {} pool — {} clients · CPU {}% · memory {}%",
                    g.datacenter,
                    g.pool,
                    g.nodes.len(),
                    percent(g.cpu_used, g.cpu_cap),
                    percent(g.mem_used, g.mem_cap)
                )
            })
        })
    };
    let cells = move || {
        groups
            .with(|gs| gs.get(gi).map(|g| g.nodes.clone()).unwrap_or_default())
            .into_iter()
            .enumerate()
            .collect::<Vec<_>>()
    };
    view! {
        <section class="topo-group" data-testid="topo-group" data-dc=dc data-pool=pool>
            <h3>{head}</h3>
            <div class="topo-grid">
                <Rows each=cells
                    key=move |(i, n)| nodes.with_untracked(|ns| (*i, signature(n, &ns[n.node])))
                    children=move |(i, n)| nodes.with_untracked(|ns| cell(gi, i, &n, &ns[n.node]))/>
            </div>
        </section>
    }
}

fn cell(gi: usize, i: usize, n: &NodeView, node: &TopoNode) -> impl IntoView {
    let at = format!("{gi}:{i}");
    let state = if node.status != "ready" {
        "down"
    } else if node.drain {
        "draining"
    } else if node.scheduling_eligibility == "ineligible" {
        "ineligible"
    } else {
        ""
    };
    view! {
        // focusable and named, and its state in words, not colour only
        <div class=format!("topo-node {state}") class:dim=n.dim data-n=at.clone() data-testid="topo-node" data-node=node.id.clone()
            tabindex="0" role="button" aria-label=format!("{}{}{state}: its allocations", node.name, if state.is_empty() { "" } else { ", " })>
            <span class="topo-name" data-n=at.clone()>{node.name.clone()}{(!state.is_empty()).then(|| view! { <span class="topo-state">{state}</span> })}</span>
            <div class="topo-bar" data-n=at.clone() data-bar="cpu" prop:style=format!("background:{}", Bar::Cpu.gradient(n, FREE))></div>
            <div class="topo-bar" data-n=at.clone() data-bar="mem" prop:style=format!("background:{}", Bar::Mem.gradient(n, FREE))></div>
        </div>
    }
}

#[component]
fn Tooltip(
    hover: RwSignal<Option<Hover>>,
    nodes: Signal<Arc<Vec<TopoNode>>>,
    all_allocs: Memo<Arc<Vec<TopoAlloc>>>,
    groups: Memo<Arc<Vec<Group>>>,
) -> impl IntoView {
    move || {
        let h = hover.get()?;
        let (n, seg) = groups.with_untracked(|gs| {
            let n = gs.get(h.group)?.nodes.get(h.node)?.clone();
            let seg = h.seg.and_then(|(_, i)| n.segs.get(i).cloned());
            Some((n, seg))
        })?;
        let node = nodes.with_untracked(|ns| ns.get(n.node).cloned())?;
        let style = format!("left:{}px;top:{}px", h.x + 14, h.y + 14);
        let body = match seg {
            Some(s) => {
                let a = all_allocs.with_untracked(|a| a.get(s.alloc).cloned())?;
                view! {
                    <strong>{a.name.clone()}</strong>
                    <span>{format!("job {} · {} · {}", a.job_id, a.namespace, a.client_status)}</span>
                    <span>{format!("CPU {} · memory {}", format::mhz(i64::from(s.cpu)), format::megabytes(i64::from(s.mem)))}</span>
                    <span class="muted">{format!("on {}", node.name)}</span>
                }
                .into_any()
            }
            None => view! {
                <strong>{node.name.clone()}</strong>
                <span>{format!("{} · {} pool · {}", node.datacenter, node.pool(), node.status)}</span>
                <span>{format!("CPU {}% ({} of {})", percent(n.cpu_used.into(), n.cpu_cap.into()), format::mhz(n.cpu_used.into()), format::mhz(n.cpu_cap.into()))}</span>
                <span>{format!("memory {}% ({} of {})", percent(n.mem_used.into(), n.mem_cap.into()), format::megabytes(n.mem_used.into()), format::megabytes(n.mem_cap.into()))}</span>
                <span class="muted">{format!("{} allocations", n.segs.len())}</span>
            }
            .into_any(),
        };
        Some(view! { <div class="topo-tip" prop:style=style data-testid="topo-tip">{body}</div> })
    }
}

#[component]
fn Selected(
    nodes: Signal<Arc<Vec<TopoNode>>>,
    all_allocs: Memo<Arc<Vec<TopoAlloc>>>,
    groups: Memo<Arc<Vec<Group>>>,
) -> impl IntoView {
    let set = use_query_setter();
    let selected = use_query_param("node");
    move || {
        let id = selected.get();
        if id.is_empty() {
            return None;
        }
        let (node, view) = groups.with(|gs| {
            gs.iter().flat_map(|g| &g.nodes).find_map(|v| {
                nodes.with(|ns| {
                    ns.get(v.node)
                        .filter(|n| n.id == id)
                        .map(|n| (n.clone(), v.clone()))
                })
            })
        })?;
        let rows = all_allocs.with(|a| {
            view.segs
                .iter()
                .filter_map(|s| a.get(s.alloc).map(|x| (x.clone(), s.cpu, s.mem)))
                .collect::<Vec<_>>()
        });
        let set = set.clone();
        Some(view! {
            <section class="card topo-selected" data-testid="topo-selected">
                <header>
                    <h3><a href=node_href(&node.id)>{node.name.clone()}</a></h3>
                    <span class="muted">{format!("{} · {} pool · CPU {}% · memory {}%", node.datacenter, node.pool(), percent(view.cpu_used.into(), view.cpu_cap.into()), percent(view.mem_used.into(), view.mem_cap.into()))}</span>
                    <span class="spacer"></span>
                    <button class="button small" on:click=move |_| set(&[("node", String::new())])>"Close"</button>
                </header>
                <table class="table">
                    <thead><tr><th>"Allocation"</th><th>"Job"</th><th>"Status"</th><th class="num">"CPU"</th><th class="num">"Memory"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(a, cpu, mem)| view! {
                            <tr>
                                <td><a href=alloc_href(&a.id)>{a.name.clone()}</a></td>
                                <td><a href=job_href(&a.namespace, &a.job_id)>{a.job_id.clone()}</a></td>
                                <td>{a.client_status.clone()}</td>
                                <td class="num">{format::mhz(cpu.into())}</td>
                                <td class="num">{format::megabytes(mem.into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })
    }
}
