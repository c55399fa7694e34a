//! One task of an allocation: state, restarts, times, resources, restart
//! and signal, links to its logs and directory, and its events with every
//! detail they carry.

use super::lifecycle::{AllocOp, AskOp};
use crate::components::*;
use crate::routes::files_href;
use leptos::prelude::*;
use nomad_model::{format, Allocation, TaskState};
use std::sync::Arc;

#[component]
pub fn TaskCard(a: Signal<Arc<Allocation>>, name: String, ask: AskOp) -> impl IntoView {
    let n = name.clone();
    let st = Memo::new(move |_| a.with(|a| a.task_states.get(&n).cloned().unwrap_or_default()));
    let n = name.clone();
    let res = Memo::new(move |_| a.with(|a| a.task_resources_summary(&n)));
    let id = a.with_untracked(|a| a.id.clone());
    let logs = crate::routes::logs_href(&id, &name);
    let dir = files_href(&id, &format!("/{name}"));
    let get = move |f: fn(&TaskState) -> String| Signal::derive(move || st.with(f));
    view! {
        <section class="card task-card" data-task=name.clone()>
            <header>
                <h3>{name.clone()}</h3>
                <Badge status=get(|s| if s.state.is_empty() { "pending".into() } else { s.state.clone() })/>
                {move || st.with(|s| s.failed).then(|| view! { <span class="tag danger">"failed"</span> })}
                <span class="spacer"></span>
                {
                    let (r, s) = (name.clone(), name.clone());
                    let running = move || st.with(|s| s.state == "running");
                    view! {
                        <button class="button small" data-testid="task-restart" disabled=move || !running()
                            title="Restart this task in place"
                            on:click=move |_| ask.0.set(Some(AllocOp::Restart { task: Some(r.clone()), all: false }))>"Restart"</button>
                        <button class="button small" data-testid="task-signal" disabled=move || !running()
                            title="Send this task a signal"
                            on:click=move |_| ask.0.set(Some(AllocOp::Signal { task: Some(s.clone()), signal: "SIGHUP".into() }))>"Signal"</button>
                    }
                }
                <a class="button small" href=dir data-testid="task-files">"Files"</a>
                <a class="button small" href=logs data-testid="task-logs">"Logs"</a>
                <a class="button small" href=crate::routes::exec_href(&id, &name) data-testid="task-exec">"Exec"</a>
            </header>
            <dl class="task-facts">
                <div><dt>"Restarts"</dt><dd data-testid="restarts">{move || st.with(|s| s.restarts)}</dd></div>
                <div><dt>"Started"</dt><dd>{move || st.with(|s| s.started_at.unix_nanos()).map(|t| view! { <RelTime at=t/> }.into_any()).unwrap_or_else(|| "—".into_any())}</dd></div>
                <div><dt>"Finished"</dt><dd>{move || st.with(|s| s.finished_at.unix_nanos()).map(|t| view! { <RelTime at=t/> }.into_any()).unwrap_or_else(|| "—".into_any())}</dd></div>
                <div><dt>"Last restart"</dt><dd>{move || st.with(|s| s.last_restart.unix_nanos()).map(|t| view! { <RelTime at=t/> }.into_any()).unwrap_or_else(|| "—".into_any())}</dd></div>
                <div><dt>"Resources"</dt><dd>{move || res.with(|r| r.as_ref().map(|r| format!("{} · {}", format::mhz(r.cpu_mhz), format::megabytes(r.memory_mb))).unwrap_or_else(|| "—".into()))}</dd></div>
            </dl>
            <ol class="timeline" data-testid="events">
                {move || {
                    let mut events = st.with(|s| s.events.clone());
                    events.reverse();
                    events.into_iter().map(|e| {
                        let facts = e.facts();
                        view! {
                            <li class:fails=e.fails_task data-event=e.event_type.clone()>
                                <span class="ev-type">{e.event_type.clone()}</span>
                                <span class="ev-msg">
                                    {e.describe()}
                                    {(!facts.is_empty()).then(|| view! {
                                        <span class="ev-facts">
                                            {facts.into_iter().map(|(k, v)| view! { <span class="ev-fact"><b>{k}</b>" "{v}</span> }).collect_view()}
                                        </span>
                                    })}
                                </span>
                                <span class="ev-time muted"><RelTime at=e.time/></span>
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
            {move || st.with(|s| s.events.is_empty()).then(|| view! { <p class="muted">"No events yet."</p> })}
        </section>
    }
}
