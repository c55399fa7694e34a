//! An allocation: placement, status, and each task's state and events.

use crate::api::{use_watch, WatchOpts};
use crate::components::*;
use crate::routes::{decode_param, href, job_href, node_href};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use nomad_model::{format, Allocation, TaskState};
use std::sync::Arc;

#[derive(Params, PartialEq, Clone, Debug)]
pub struct AllocParams {
    pub id: Option<String>,
}

#[component]
pub fn AllocPage() -> impl IntoView {
    let params = use_params::<AllocParams>();
    let id = Memo::new(move |_| {
        params.with(|p| {
            p.as_ref()
                .ok()
                .and_then(|p| p.id.as_deref().map(decode_param))
        })
    });
    let alloc = use_watch::<Allocation>(
        move || id.get().map(|id| (format!("/v1/allocation/{id}"), vec![])),
        WatchOpts::default(),
    );
    view! {
        <nav class="crumbs"><a href=href("/jobs")>"Jobs"</a>" / allocation "{move || id.get().map(|i| format::short_id(&i).to_string())}</nav>
        <Live watch=alloc label="Loading allocation…" children=move |a| view! { <AllocView a/> }/>
    }
}

#[component]
fn AllocView(a: Signal<Arc<Allocation>>) -> impl IntoView {
    let get = move |f: fn(&Allocation) -> String| Signal::derive(move || a.with(|a| f(a)));
    let res = Memo::new(move |_| a.with(|a| a.resources_summary()));
    view! {
        <div class="page-head">
            <h1 data-testid="alloc-title">{get(|a| a.name.clone())}</h1>
            <Badge status=get(|a| a.client_status.clone())/>
        </div>
        <Facts>
            <Fact label="ID"><span class="mono">{get(|a| a.id.clone())}</span></Fact>
            <Fact label="Job">{move || a.with(|a| view! { <a href=job_href(&a.namespace, &a.job_id)>{a.job_id.clone()}</a> " v" {a.job_version} })}</Fact>
            <Fact label="Task group">{get(|a| a.task_group.clone())}</Fact>
            <Fact label="Client">{move || a.with(|a| view! { <a href=node_href(&a.node_id)>{if a.node_name.is_empty() { a.node_id.clone() } else { a.node_name.clone() }}</a> })}</Fact>
            <Fact label="Client status">{get(|a| format!("{}{}", a.client_status, if a.client_description.is_empty() { String::new() } else { format!(" — {}", a.client_description) }))}</Fact>
            <Fact label="Desired">{get(|a| format!("{}{}", a.desired_status, if a.desired_description.is_empty() { String::new() } else { format!(" — {}", a.desired_description) }))}</Fact>
            <Fact label="Created"><RelTime at=Signal::derive(move || a.with(|a| a.create_time))/></Fact>
            <Fact label="Modified"><RelTime at=Signal::derive(move || a.with(|a| a.modify_time))/></Fact>
            <Fact label="Resources">{move || res.with(|r| format!("{} CPU · {} memory{} · {} disk", format::mhz(r.cpu_mhz), format::megabytes(r.memory_mb), if r.memory_max_mb > 0 { format!(" (max {})", format::megabytes(r.memory_max_mb)) } else { String::new() }, format::megabytes(r.disk_mb)))}</Fact>
            <Fact label="Ports">{move || res.with(|r| if r.ports.is_empty() { "—".to_string() } else { r.ports.iter().map(|(l, v, to, ip)| format!("{l} {ip}:{v}{}", if *to > 0 { format!(" → {to}") } else { String::new() })).collect::<Vec<_>>().join(", ") })}</Fact>
        </Facts>
        <h2>"Tasks"</h2>
        <div class="tasks">
            {move || { let id = a.with(|a| a.id.clone()); a.with(|a| a.task_states.clone()).into_iter().map(|(name, st)| view! { <TaskCard alloc=id.clone() name st/> }).collect_view() }}
        </div>
    }
}

#[component]
fn TaskCard(alloc: String, name: String, st: TaskState) -> impl IntoView {
    let logs = format!(
        "{}/logs?task={}",
        crate::routes::alloc_href(&alloc),
        String::from(js_sys::encode_uri_component(&name))
    );
    let mut events = st.events.clone();
    events.reverse();
    view! {
        <section class="card task-card" data-task=name.clone()>
            <header>
                <h3>{name.clone()}</h3>
                <Badge status=st.state.clone()/>
                {st.failed.then(|| view! { <span class="tag danger">"failed"</span> })}
                <span class="muted">{format!("{} restart{}", st.restarts, if st.restarts == 1 { "" } else { "s" })}</span>
                <span class="spacer"></span>
                <a class="button" href=logs data-testid="task-logs">"Logs"</a>
            </header>
            <ol class="timeline">
                {events.into_iter().map(|e| view! {
                    <li class:fails=e.fails_task>
                        <span class="ev-type">{e.event_type.clone()}</span>
                        <span class="ev-msg">{e.describe()}</span>
                        <span class="ev-time muted"><RelTime at=e.time/></span>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
