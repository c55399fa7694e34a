//! A client node: summary, drain progress, live host utilisation, its
//! allocations, events, drivers, volumes and networks, attributes and
//! meta, resources, and the node actions (`actions.rs`).

mod actions;

use crate::api::{use_watch, Watch, WatchOpts};
use crate::components::*;
use crate::pages::alloc::stats::{fmt_bytes, sample_ms, POLL, WINDOW_MS};
use crate::pages::job::AllocTable;
use crate::routes::{decode_param, href};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use nomad_model::lists::AllocRow;
use nomad_model::node::drain_remaining;
use nomad_model::stats::Series;
use nomad_model::{format, Allocation, HostStats, Node, ResourceSummary};
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
        move || {
            id.get()
                .map(|id| (crate::api::paths::node(&id, ""), vec![]))
        },
        WatchOpts::default(),
    );
    let allocs = use_watch::<Vec<Allocation>>(
        move || {
            id.get()
                .map(|id| (crate::api::paths::node(&id, "/allocations"), vec![]))
        },
        WatchOpts::default(),
    );
    view! {
        <nav class="crumbs"><a href=href("/clients")>"Clients"</a>" / "{move || node.data().map(|n| n.name.clone()).or_else(|| id.get().map(|i| format::short_id(&i).to_string()))}</nav>
        <Live watch=node label="Loading client…" children=move |n| view! { <NodeView n allocs/> }/>
    }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "—".into()
    } else {
        s.to_string()
    }
}

#[component]
fn NodeView(n: Signal<Arc<Node>>, allocs: Watch<Vec<Allocation>>) -> impl IntoView {
    let get = move |f: fn(&Node) -> String| Signal::derive(move || n.with(|n| f(n)));
    let ready = Memo::new(move |_| n.with(|n| n.status == "ready"));
    view! {
        <div class="page-head">
            <h1 data-testid="node-title">{get(|n| n.name.clone())}</h1>
            <Badge status=get(|n| n.status.clone())/>
            <Badge status=get(|n| n.scheduling_eligibility.clone())/>
            {move || n.with(|n| n.drain_strategy.is_some()).then(|| view! { <span class="tag warn" data-testid="draining">"draining"</span> })}
            <span class="spacer"></span>
            <a class="button small" href=move || crate::routes::agent_log_href("node", &n.with(|n| n.id.clone())) data-testid="node-agent-log">"Agent log"</a>
        </div>
        <actions::NodeActions n/>
        <Facts>
            <Fact label="ID"><span class="mono">{get(|n| n.id.clone())}</span></Fact>
            <Fact label="Address"><span class="mono">{get(|n| or_dash(&n.http_addr))}</span></Fact>
            <Fact label="Datacenter">{get(|n| n.datacenter.clone())}</Fact>
            <Fact label="Node pool">{move || n.with(|n| { let p = if n.node_pool.is_empty() { "default".to_string() } else { n.node_pool.clone() }; view! { <a href=crate::routes::pool_href(&p) data-testid="node-pool">{p.clone()}</a> } })}</Fact>
            <Fact label="Class">{get(|n| or_dash(&n.node_class))}</Fact>
            <Fact label="Status"><span data-testid="node-status">{get(|n| format::with_description(&n.status, &n.status_description))}</span></Fact>
            <Fact label="Eligibility"><span data-testid="node-eligibility">{get(|n| n.scheduling_eligibility.clone())}</span></Fact>
            <Fact label="Nomad version">{get(|n| or_dash(n.version()))}</Fact>
            <Fact label="TLS">{get(|n| if n.tls_enabled { "enabled".into() } else { "disabled".into() })}</Fact>
            <Fact label="OS">{get(|n| format!("{} {}", n.attributes.get("os.name").cloned().unwrap_or_default(), n.attributes.get("os.version").cloned().unwrap_or_default()).trim().to_string())}</Fact>
        </Facts>
        <Drain n allocs/>
        {move || ready.get().then(|| view! { <h2>"Utilisation"</h2><HostUtilisation n/> })}
        <h2>"Resources"</h2>
        <NodeResources n allocs/>
        <h2>"Allocations"</h2>
        <Live watch=allocs label="Loading allocations…" children=move |list| view! { <NodeAllocs list/> }/>
        <h2>"Events"</h2>
        <NodeEvents n/>
        <h2>"Activity"</h2>
        {move || {
            let node = n.with_untracked(|n| n.id.clone());
            let scope = crate::pages::activity::Scope { node, ..Default::default() };
            view! { <crate::pages::activity::ActivityFeed scope/> }
        }}
        <h2>"Drivers"</h2>
        <Drivers n/>
        <HostVolumesAndNetworks n/>
        <h2>"Attributes and meta"</h2>
        <Attributes n/>
    }
}

/// The drain in progress (strategy, deadline, what is left to move) or
/// the last one's outcome.
#[component]
fn Drain(n: Signal<Arc<Node>>, allocs: Watch<Vec<Allocation>>) -> impl IntoView {
    move || {
        let (strategy, last) = n.with(|n| (n.drain_strategy.clone(), n.last_drain.clone()));
        match strategy {
            Some(d) => {
                let ignore = d.ignore_system_jobs;
                let remaining = move || allocs.data().map(|a| drain_remaining(&a, ignore));
                Some(view! {
                    <section class="card drain active" data-testid="drain">
                        <h3>"Draining"</h3>
                        <p data-testid="drain-strategy">{d.describe()}</p>
                        <p class="muted">
                            {d.started_at.unix_nanos().map(|t| view! { "Started " <RelTime at=t/> ". " })}
                            {d.force_deadline.unix_nanos().map(|t| view! { "Remaining allocations are stopped " <RelTime at=t/> "." })}
                        </p>
                        <p data-testid="drain-remaining"><strong>{move || remaining().map(|r| r.to_string()).unwrap_or_else(|| "…".into())}</strong>" allocations left to move"</p>
                    </section>
                }.into_any())
            }
            None => last.filter(|l| !l.status.is_empty()).map(|l| view! {
                <p class="muted" data-testid="last-drain">
                    {format!("Last drain {}", l.status)}
                    {l.updated_at.unix_nanos().map(|t| view! { " " <RelTime at=t/> })}
                    {(!l.accessor_id.is_empty()).then(|| format!(" by token {}", format::short_id(&l.accessor_id)))}
                    "."
                </p>
            }.into_any()),
        }
    }
}

#[derive(Clone)]
struct HostSeries {
    cpu: Series,
    mem: Series,
    disk: Series,
    mem_total: f64,
    disk_total: f64,
}

#[component]
fn HostUtilisation(n: Signal<Arc<Node>>) -> impl IntoView {
    let id = n.with_untracked(|n| n.id.clone());
    let stats = use_watch::<HostStats>(
        move || {
            Some((
                crate::api::paths::CLIENT_STATS.to_string(),
                vec![("node_id", id.clone())],
            ))
        },
        POLL,
    );
    let s = RwSignal::new(HostSeries {
        cpu: Series::new(WINDOW_MS),
        mem: Series::new(WINDOW_MS),
        disk: Series::new(WINDOW_MS),
        mem_total: 0.0,
        disk_total: 0.0,
    });
    let now = RwSignal::new(0.0);
    Effect::new(move |_| {
        let Some(d) = stats.data() else { return };
        let t = sample_ms(d.timestamp);
        let (mu, mt) = d.memory();
        let (du, dt) = d.disk();
        s.update(|s| {
            s.cpu.push(t, d.cpu_percent());
            s.mem.push(t, mu as f64);
            s.disk.push(t, du as f64);
            s.mem_total = mt as f64;
            s.disk_total = dt as f64;
        });
        now.set(t);
    });
    let uptime = move || {
        stats
            .data()
            .map(|d| format::duration(nomad_model::Nanos(d.uptime as i64 * 1_000_000_000)))
    };
    let cores = move || stats.data().map(|d| d.cpu.len()).unwrap_or(0);
    view! {
        <section class="card utilisation" data-testid="host-stats">
            {move || stats.error().map(|e| view! { <p class="banner warn" data-testid="stats-error">{format!("Host statistics unavailable: {e}")}</p> })}
            <div class="util-row">
                <h3>"Host"<span class="muted util-sub">{move || uptime().map(|u| format!("up {u} · {} cores", cores()))}</span></h3>
                <MetricChart label="CPU" series=Signal::derive(move || s.with(|s| s.cpu.clone())) limit=100.0 fmt=|v| format!("{v:.0}%") now/>
                <MetricChart label="Memory" series=Signal::derive(move || s.with(|s| s.mem.clone())) limit=Signal::derive(move || s.with(|s| s.mem_total)) fmt=fmt_bytes now/>
                <MetricChart label="Disk" series=Signal::derive(move || s.with(|s| s.disk.clone())) limit=Signal::derive(move || s.with(|s| s.disk_total)) fmt=fmt_bytes now/>
            </div>
        </section>
    }
}

/// Total, reserved and allocated resources, with how much is left.
#[component]
fn NodeResources(n: Signal<Arc<Node>>, allocs: Watch<Vec<Allocation>>) -> impl IntoView {
    let allocated = Memo::new(move |_| {
        allocs.data().map(|v| {
            let mut s = ResourceSummary::default();
            for a in v.iter().filter(|a| !a.is_terminal()) {
                s.add(&a.resources_summary());
            }
            s
        })
    });
    move || {
        let (total, reserved) = n.with(|n| (n.total_resources(), n.reserved_resources_summary()));
        let alloc = allocated.get();
        let row = |label: &'static str, f: fn(&ResourceSummary) -> i64, fmt: fn(i64) -> String| {
            let free = alloc.as_ref().map(|a| fmt(f(&total) - f(&reserved) - f(a)));
            view! {
                <tr>
                    <td class="name">{label}</td>
                    <td class="num">{fmt(f(&total))}</td>
                    <td class="num">{fmt(f(&reserved))}</td>
                    <td class="num">{alloc.as_ref().map(|a| fmt(f(a))).unwrap_or_else(|| "…".into())}</td>
                    <td class="num">{free.unwrap_or_else(|| "…".into())}</td>
                </tr>
            }
        };
        view! {
            <table class="table compact" data-testid="node-resources">
                <thead><tr><th></th><th class="num">"Total"</th><th class="num">"Reserved"</th><th class="num">"Allocated"</th><th class="num">"Available"</th></tr></thead>
                <tbody>
                    {row("CPU", |r| r.cpu_mhz, format::mhz)}
                    {row("Memory", |r| r.memory_mb, format::megabytes)}
                    {row("Disk", |r| r.disk_mb, format::megabytes)}
                </tbody>
            </table>
        }
    }
}

/// The node's allocations with a status filter and text search.
#[component]
fn NodeAllocs(list: Signal<Arc<Vec<Allocation>>>) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let filtered = Signal::derive(move || {
        let (s, t) = (status.get(), nomad_model::lists::fold(text.get().trim()));
        list.with(|l| {
            l.iter()
                .filter(|a| s.is_empty() || a.client_status == s)
                .filter(|a| {
                    t.is_empty()
                        || nomad_model::lists::fold(&a.name).contains(&t)
                        || a.id.starts_with(&t)
                        || nomad_model::lists::fold(&a.job_id).contains(&t)
                })
                .map(AllocRow::from)
                .collect::<Vec<_>>()
        })
    });
    let count = move |s: &str| list.with(|l| l.iter().filter(|a| a.client_status == s).count());
    view! {
        <div class="toolbar">
            <input class="search" type="search" placeholder="Filter by name, job or ID" aria-label="Filter allocations" data-testid="node-allocs-filter"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
            <div class="facet" role="group" aria-label="status">
                {["", "running", "pending", "complete", "failed", "lost"].into_iter().map(|s| view! {
                    <button class="chip" class:active=move || status.get() == s data-facet="node-status" data-value=s on:click=move |_| status.set(s.to_string())>
                        {if s.is_empty() { "Any status".to_string() } else { s.to_string() }}
                        <span class="chip-count">{move || if s.is_empty() { String::new() } else { format!(" {}", count(s)) }}</span>
                    </button>
                }).collect_view()}
            </div>
        </div>
        <AllocTable rows=filtered show_job=true hide_node=true/>
    }
}

#[component]
fn NodeEvents(n: Signal<Arc<Node>>) -> impl IntoView {
    view! {
        <table class="table compact" data-testid="node-events">
            <thead><tr><th>"Time"</th><th>"Subsystem"</th><th>"Message"</th><th>"Details"</th></tr></thead>
            <tbody>
                {move || {
                    let mut ev = n.with(|n| n.events.clone());
                    ev.reverse();
                    ev.into_iter().map(|e| view! {
                        <tr>
                            <td class="muted nowrap">{e.timestamp.unix_nanos().map(|t| view! { <RelTime at=t/> })}</td>
                            <td>{e.subsystem.clone()}</td>
                            <td>{e.message.clone()}</td>
                            <td class="muted">{e.details.iter().map(|(k, v)| view! { <span class="kv"><b>{k.clone()}</b>" "{v.clone()}</span> }).collect_view()}</td>
                        </tr>
                    }).collect_view()
                }}
            </tbody>
        </table>
    }
}

#[component]
fn Drivers(n: Signal<Arc<Node>>) -> impl IntoView {
    view! {
        <table class="table compact" data-testid="drivers">
            <thead><tr><th>"Driver"</th><th>"Detected"</th><th>"Health"</th><th>"Description"</th><th>"Attributes"</th><th>"Updated"</th></tr></thead>
            <tbody>
                {move || n.with(|n| n.drivers.clone()).into_iter().map(|(name, d)| {
                    let attrs = d.attributes.clone();
                    let key = name.clone();
                    view! {
                        <tr data-driver=key>
                            <td class="name">{name}</td>
                            <td>{if d.detected { "yes" } else { "no" }}</td>
                            <td><Badge status=if !d.detected { "undetected".to_string() } else if d.healthy { "healthy".to_string() } else { "unhealthy".to_string() }/></td>
                            <td class="muted">{d.health_description.clone()}</td>
                            <td class="muted">{if attrs.is_empty() { view! { "—" }.into_any() } else { view! {
                                <details><summary>{format!("{} attribute{}", attrs.len(), if attrs.len() == 1 { "" } else { "s" })}</summary>
                                    {attrs.into_iter().map(|(k, v)| view! { <div class="kv"><b>{k}</b>" "{v}</div> }).collect_view()}
                                </details>
                            }.into_any() }}</td>
                            <td class="muted nowrap">{d.update_time.unix_nanos().map(|t| view! { <RelTime at=t/> })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn HostVolumesAndNetworks(n: Signal<Arc<Node>>) -> impl IntoView {
    move || {
        let (vols, nets) = n.with(|n| (n.host_volumes.clone(), n.host_networks.clone()));
        view! {
            <div class="two-col">
                <div>
                    <h2>"Host volumes"</h2>
                    {if vols.is_empty() { view! { <p class="muted">"None."</p> }.into_any() } else { view! {
                        <table class="table compact" data-testid="host-volumes">
                            <thead><tr><th>"Name"</th><th>"Path"</th><th>"Access"</th></tr></thead>
                            <tbody>{vols.into_iter().map(|(k, v)| view! { <tr><td class="name">{k}</td><td class="mono">{v.path}</td><td>{if v.read_only { "read-only" } else { "read/write" }}</td></tr> }).collect_view()}</tbody>
                        </table>
                    }.into_any() }}
                </div>
                <div>
                    <h2>"Host networks"</h2>
                    {if nets.is_empty() { view! { <p class="muted">"None."</p> }.into_any() } else { view! {
                        <table class="table compact" data-testid="host-networks">
                            <thead><tr><th>"Name"</th><th>"CIDR"</th><th>"Interface"</th><th>"Reserved ports"</th></tr></thead>
                            <tbody>{nets.into_iter().map(|(k, v)| view! { <tr><td class="name">{k}</td><td class="mono">{v.cidr}</td><td class="mono">{or_dash(&v.interface)}</td><td>{or_dash(&v.reserved_ports)}</td></tr> }).collect_view()}</tbody>
                        </table>
                    }.into_any() }}
                </div>
            </div>
        }
    }
}

/// Attributes and meta in one searchable table.
#[component]
fn Attributes(n: Signal<Arc<Node>>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let rows = Memo::new(move |_| {
        let t = nomad_model::lists::fold(text.get().trim());
        n.with(|n| {
            n.attributes
                .iter()
                .map(|(k, v)| ("attribute", k.clone(), v.clone()))
                .chain(n.meta.iter().map(|(k, v)| ("meta", k.clone(), v.clone())))
                .filter(|(_, k, v)| {
                    t.is_empty()
                        || nomad_model::lists::fold(k).contains(&t)
                        || nomad_model::lists::fold(v).contains(&t)
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <div class="toolbar">
            <input class="search" type="search" placeholder="Search attributes and meta" aria-label="Search attributes and meta" data-testid="attrs-filter"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
            <span class="muted">{move || format!("{} shown", rows.with(|r| r.len()))}</span>
        </div>
        <table class="table compact attrs" data-testid="attributes">
            <thead><tr><th>"Key"</th><th>"Value"</th><th>"Kind"</th></tr></thead>
            <tbody>
                {move || rows.get().into_iter().map(|(kind, k, v)| { let key = k.clone(); view! {
                    <tr data-key=key><td class="mono">{k}</td><td class="mono">{v}</td><td class="muted">{kind}</td></tr>
                }}).collect_view()}
            </tbody>
        </table>
    }
}
