//! An agent's own log (`/ui/agent/log?server=<name>` or `?node=<id>`), at
//! a level chosen in the URL, in the log viewer (search, follow, copy,
//! download what arrived).

use crate::pages::logs::{AgentLog, LogSource, LogViewer, StreamChoice};
use crate::pages::{use_query_param, use_query_setter};
use crate::routes::{href, node_href};
use leptos::prelude::*;
use nomad_model::format;

const LEVELS: [&str; 5] = ["trace", "debug", "info", "warn", "error"];

#[component]
pub fn AgentLogPage() -> impl IntoView {
    let set = use_query_setter();
    let node = use_query_param("node");
    let server = use_query_param("server");
    let level_q = use_query_param("level");
    let level = Memo::new(move |_| {
        let l = level_q.get().to_ascii_lowercase();
        if LEVELS.contains(&l.as_str()) {
            l
        } else {
            "info".to_string()
        }
    });
    let who = move || {
        let (n, s) = (node.get(), server.get());
        if !n.is_empty() {
            format!("client {}", format::short_id(&n))
        } else if !s.is_empty() {
            format!("server {s}")
        } else {
            "this agent".to_string()
        }
    };
    let chip = move |l: &'static str| {
        let set = set.clone();
        view! {
            <button class="chip" class:active=move || level.get() == l data-testid=format!("agent-log-level-{l}")
                on:click=move |_| set(&[("level", if l == "info" { String::new() } else { l.to_string() })])>{l}</button>
        }
    };
    view! {
        <nav class="crumbs">
            {move || if node.get().is_empty() {
                view! { <a href=href("/servers")>"Servers"</a> }.into_any()
            } else {
                view! { <a href=href("/clients")>"Clients"</a>" / "<a href=node_href(&node.get())>{format::short_id(&node.get()).to_string()}</a> }.into_any()
            }}
            " / agent log"
        </nav>
        <div class="page-head">
            <h1 data-testid="agent-log-title">{move || format!("Agent log · {}", who())}</h1>
        </div>
        <div class="toolbar">
            <div class="facet" role="group" aria-label="log level">
                {LEVELS.into_iter().map(chip).collect_view()}
            </div>
            <span class="muted">"From now on, at this level and above (the agent keeps no history)."</span>
        </div>
        {move || {
            let source = LogSource::Agent(AgentLog {
                node_id: node.get(),
                server_id: server.get(),
                level: level.get(),
            });
            view! { <LogViewer sources=Signal::derive(move || vec![source.clone()]) multi=false stream=StreamChoice::Stdout origin_end=true/> }
        }}
    }
}
