//! Servers: the cluster's server members as gossip sees them (name,
//! address, status, region, datacenter, version, Raft protocol) with each
//! region's leader, and the Raft peers (a management token may read them).
//! Neither endpoint blocks: both are read again every 5 s. Each server's
//! and client's own log is one click away ([`AgentLogPage`]).

mod agent_log;

pub use agent_log::AgentLogPage;

use crate::api::{paths, use_watch, Watch, WatchOpts};
use crate::components::*;
use leptos::prelude::*;
use nomad_model::{AgentMember, AgentMembers, RaftConfiguration};
use std::sync::Arc;
use std::time::Duration;

const POLLED: WatchOpts = WatchOpts::polled(Duration::from_secs(5));

#[component]
pub fn ServersPage() -> impl IntoView {
    let members = use_watch::<AgentMembers>(|| Some((paths::AGENT_MEMBERS.into(), vec![])), POLLED);
    let raft =
        use_watch::<RaftConfiguration>(|| Some((paths::RAFT_CONFIGURATION.into(), vec![])), POLLED);
    // the leader of the agent's own region (other regions' leaders are
    // read with `region=`, which the region selector in the top bar sets)
    let leader: Watch<String> = use_watch(|| Some((paths::STATUS_LEADER.into(), vec![])), POLLED);
    view! {
        <div class="page-head"><h1>"Servers"</h1></div>
        <Live watch=members label="Loading servers…" children=move |m| view! { <Members m leader/> }/>
        <h2>"Raft peers"</h2>
        <p class="muted">"Reading the Raft configuration takes a management token; other tokens are refused here."</p>
        <Live watch=raft label="Loading Raft peers…" children=move |r| view! { <Peers r/> }/>
    }
}

#[component]
fn Members(m: Signal<Arc<AgentMembers>>, leader: Watch<String>) -> impl IntoView {
    let rows = move || m.with(|m| m.members.clone());
    let is_leader = move |a: &AgentMember| {
        let addr = a.rpc_address();
        !addr.is_empty() && leader.data().is_some_and(|l| *l == addr)
    };
    view! {
        <p class="muted" data-testid="servers-summary">
            {move || m.with(|m| {
                let alive = m.members.iter().filter(|x| x.status == "alive").count();
                format!("{} of {} servers alive · this agent: {} ({}, {})", alive, m.members.len(), m.server_name, m.server_region, m.server_dc)
            })}
        </p>
        <table class="table" data-testid="servers-table">
            <thead><tr><th>"Name"</th><th>"Address"</th><th>"Status"</th><th>"Leader"</th><th>"Region"</th><th>"Datacenter"</th><th>"Version"</th><th class="num">"Raft protocol"</th><th></th></tr></thead>
            <tbody>
                <For each=rows key=|a: &AgentMember| (a.name.clone(), a.status.clone()) children=move |a: AgentMember| {
                    let tag = |k: &str| a.tags.get(k).cloned().unwrap_or_default();
                    let lead = {
                        let a = a.clone();
                        move || is_leader(&a)
                    };
                    view! {
                        <tr data-server=a.name.clone()>
                            <td class="name">{a.name.clone()}</td>
                            <td class="mono">{format!("{}:{}", a.addr, a.port)}</td>
                            <td><Badge status=a.status.clone()/></td>
                            <td>{move || lead().then(|| view! { <span class="tag ok" data-testid="leader">"leader"</span> })}</td>
                            <td>{tag("region")}</td>
                            <td>{tag("dc")}</td>
                            <td>{tag("build")}</td>
                            <td class="num">{tag("raft_vsn")}</td>
                            <td><a class="button small" href=crate::routes::agent_log_href("server", &a.name) data-testid="server-log">"Log"</a></td>
                        </tr>
                    }
                }/>
            </tbody>
        </table>
        {move || leader.data().is_some_and(|l| l.is_empty()).then(|| view! {
            <div class="banner warn" data-testid="no-leader">"This region has no leader: the servers have not elected one. Writes fail until they do."</div>
        })}
    }
}

#[component]
fn Peers(r: Signal<Arc<RaftConfiguration>>) -> impl IntoView {
    let rows = move || r.with(|r| r.servers.clone());
    view! {
        <table class="table" data-testid="raft-table">
            <thead><tr><th>"Node"</th><th>"ID"</th><th>"Address"</th><th>"Leader"</th><th>"Voter"</th><th class="num">"Raft protocol"</th></tr></thead>
            <tbody>
                <For each=rows key=|s| (s.id.clone(), s.leader, s.voter) children=|s| view! {
                    <tr data-peer=s.id.clone()>
                        <td class="name">{s.node.clone()}</td>
                        <td class="mono">{s.id.clone()}</td>
                        <td class="mono">{s.address.clone()}</td>
                        <td>{s.leader.then(|| view! { <span class="tag ok">"leader"</span> })}</td>
                        <td>{if s.voter { "voter" } else { "non-voter" }}</td>
                        <td class="num">{s.raft_protocol.clone()}</td>
                    </tr>
                }/>
            </tbody>
        </table>
    }
}
