//! Exec into a task (`/allocations/:id/exec?task=`): a terminal (xterm.js,
//! loaded with this page only) on a websocket session. The command
//! defaults to `/bin/sh` and is remembered per job, group and task; the
//! session's end (exit code, refusal, dropped connection) is said in words
//! under the terminal.

use super::alloc::{use_alloc_id, AllocTabs};
use super::{use_query_param, use_query_setter};
use crate::api::exec::{open_exec, Exec, ExecEvent};
use crate::api::{paths, use_api, use_watch, WatchOpts};
use crate::components::*;
use crate::interop::{self, term};
use crate::routes::{alloc_href, href, job_href};
use leptos::html::Div;
use leptos::prelude::*;
use nomad_model::exec::Ended;
use nomad_model::{format, Allocation};
use std::sync::Arc;

#[component]
pub fn ExecPage() -> impl IntoView {
    let id = use_alloc_id();
    let alloc = use_watch::<Allocation>(
        move || id.get().map(|id| (paths::allocation(&id), vec![])),
        WatchOpts::default(),
    );
    view! {
        <nav class="crumbs">
            <a href=href("/allocations")>"Allocations"</a>" / "
            {move || alloc.data().map(|a| view! { <a href=job_href(&a.namespace, &a.job_id)>{a.job_id.clone()}</a>" / " })}
            {move || id.get().map(|i| view! { <a href=alloc_href(&i)>{format::short_id(&i).to_string()}</a> })}
            " / exec"
        </nav>
        <Live watch=alloc label="Loading allocation…" children=move |a| view! { <ExecView a/> }/>
    }
}

/// Where a session stands.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    Starting,
    Open {
        task: String,
        command: String,
    },
    Ended(Ended),
    /// The operator disconnected.
    Closed,
    Failed(String),
}

/// The remembered command of a task, keyed by what outlives allocations.
fn command_key(a: &Allocation, task: &str) -> String {
    format!(
        "yurt.exec.{}/{}/{}/{}",
        a.namespace, a.job_id, a.task_group, task
    )
}

#[component]
fn ExecView(a: Signal<Arc<Allocation>>) -> impl IntoView {
    let api = use_api();
    let set = use_query_setter();
    let task_q = use_query_param("task");
    let tasks = Memo::new(move |_| a.with(|a| a.task_names()));
    let task = Memo::new(move |_| {
        tasks.with(|ts| {
            let want = task_q.get();
            ts.iter()
                .find(|t| **t == want)
                .or(ts.first())
                .cloned()
                .unwrap_or_default()
        })
    });
    let state = Memo::new(move |_| {
        let t = task.get();
        a.with(|a| a.task_states.get(&t).map(|s| s.state.clone()))
            .unwrap_or_else(|| "pending".into())
    });
    let command = RwSignal::new(String::new());
    Effect::new(move |_| {
        let t = task.get();
        let saved = a.with_untracked(|a| interop::storage_get(&command_key(a, &t)));
        command.set(saved.unwrap_or_else(|| "/bin/sh".into()));
    });
    let phase = RwSignal::new(Phase::Idle);
    let host = NodeRef::<Div>::new();
    // the terminal and the session; dropped on leaving the page, which
    // disposes the one and closes the other
    let term_h = StoredValue::new_local(None::<term::Handle>);
    let exec_h = StoredValue::new_local(None::<Exec>);
    // bumped by Connect and Disconnect: a start still loading the terminal
    // stops if it is no longer the latest
    let generation = StoredValue::new(0u64);
    on_cleanup(move || {
        exec_h.set_value(None);
        term_h.set_value(None);
    });

    let start = move || {
        let (t, line) = (task.get_untracked(), command.get_untracked());
        let argv = match nomad_model::exec::argv(&line) {
            Ok(v) => v,
            Err(e) => return phase.set(Phase::Failed(e)),
        };
        let (id, key) = a.with_untracked(|a| (a.id.clone(), command_key(a, &t)));
        interop::storage_set(&key, Some(&line));
        exec_h.set_value(None);
        term_h.set_value(None);
        phase.set(Phase::Starting);
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        leptos::task::spawn_local(async move {
            let loaded = term::load().await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            if let Err(e) = loaded {
                phase.try_set(Phase::Failed(e));
                return;
            }
            // the page may have gone while the terminal loaded
            let Some(el) = host.try_get_untracked().flatten() else {
                return;
            };
            el.set_inner_html("");
            let on_data = move |s: String| {
                exec_h.try_with_value(|x| x.as_ref().map(|x| x.stdin(s.as_bytes())));
            };
            let on_resize = move |rows, cols| {
                exec_h.try_with_value(|x| x.as_ref().map(|x| x.resize(rows, cols)));
            };
            let handle = match term::open(&el, on_data, on_resize) {
                Ok(h) => h,
                Err(e) => {
                    phase.try_set(Phase::Failed(e));
                    return;
                }
            };
            let (rows, cols) = (handle.term.rows(), handle.term.cols());
            handle.term.focus();
            term_h.try_set_value(Some(handle));
            let on_event = move |ev: ExecEvent| match ev {
                ExecEvent::Output(b) => {
                    term_h.try_with_value(|h| h.as_ref().map(|h| h.term.write(b)));
                }
                ExecEvent::Garbled(e) => {
                    term_h.try_with_value(|h| h.as_ref().map(|h| h.term.notice(&e)));
                }
                ExecEvent::Ended(end) => {
                    exec_h.try_set_value(None);
                    phase.try_set(Phase::Ended(end));
                }
            };
            let opened = match open_exec(&api, &id, &t, &argv, on_event) {
                Ok(x) => {
                    x.resize(rows, cols);
                    exec_h.try_set_value(Some(x));
                    Phase::Open {
                        task: t,
                        command: line,
                    }
                }
                Err(e) => Phase::Failed(e.message),
            };
            phase.try_set(opened);
        });
    };
    let stop = move || {
        generation.update_value(|g| *g += 1);
        exec_h.set_value(None);
        phase.set(Phase::Closed);
    };
    let term_do = move |f: fn(&term::Terminal)| {
        term_h.with_value(|h| {
            if let Some(h) = h {
                f(&h.term);
                h.term.focus();
            }
        });
    };
    // over plain http the page may not read the clipboard: say how to paste
    let clip_note = RwSignal::new(false);
    let paste = move || {
        let p = term_h.with_value(|h| {
            h.as_ref().map(|h| {
                h.term.focus();
                h.term.paste()
            })
        });
        if let Some(p) = p {
            leptos::task::spawn_local(async move {
                clip_note.try_set(!term::resolved_true(p).await);
            });
        }
    };
    let running = move || state.get() == "running";
    let live = move || matches!(phase.get(), Phase::Open { .. } | Phase::Starting);
    let namespace = Memo::new(move |_| a.with(|a| a.namespace.clone()));

    view! {
        <div class="page-head">
            <h1 data-testid="exec-title">{move || format!("Exec · {}", a.with(|a| a.name.clone()))}</h1>
            <Badge status=Signal::derive(move || a.with(|a| a.client_status.clone()))/>
        </div>
        <AllocTabs id=a.with_untracked(|a| a.id.clone()) active="exec"/>
        <form class="toolbar exec-bar" on:submit=move |ev| { ev.prevent_default(); start(); }>
            <div class="facet" role="group" aria-label="task">
                {move || tasks.get().into_iter().map(|t| {
                    let set = set.clone();
                    let t2 = t.clone();
                    let active = { let t = t.clone(); move || task.get() == t };
                    view! {
                        <button type="button" class="chip" class:active=active data-testid="exec-task" data-task=t.clone()
                            disabled=live on:click=move |_| set(&[("task", t2.clone())])>{t.clone()}</button>
                    }
                }).collect_view()}
            </div>
            <label class="exec-command">
                <span class="muted">"Command"</span>
                <input type="text" data-testid="exec-command" spellcheck="false" autocomplete="off"
                    prop:value=command on:input=move |ev| command.set(event_target_value(&ev)) disabled=live/>
            </label>
            {move || if live() {
                view! { <button type="button" class="button" data-testid="exec-stop" on:click=move |_| stop()>"Disconnect"</button> }.into_any()
            } else {
                view! { <button type="submit" class="button primary" data-testid="exec-run" disabled=move || !running()>"Connect"</button> }.into_any()
            }}
            <span class="spacer"></span>
            <button type="button" class="button small" data-testid="exec-copy" title="Copy the selection (Ctrl+Shift+C)"
                on:click=move |_| term_do(|t| { t.copy(); })>"Copy"</button>
            <button type="button" class="button small" data-testid="exec-paste" title="Paste (Ctrl+Shift+V)"
                on:click=move |_| paste()>"Paste"</button>
            {move || clip_note.get().then(|| view! {
                <span class="muted" data-testid="exec-paste-note">"The browser lets a page read the clipboard over https only: paste with Ctrl+V in the terminal."</span>
            })}
        </form>
        {move || (!running()).then(|| view! {
            <p class="muted" data-testid="exec-not-running">{format!("Task {} is {}: exec needs a running task.", task.get(), state.get())}</p>
        })}
        <div class="exec-term" node_ref=host data-testid="exec-term">
            <p class="muted exec-hint">"Choose a task and a command, then Connect. Ctrl+C goes to the task; Ctrl+Shift+C and Ctrl+Shift+V copy and paste."</p>
        </div>
        <p class="exec-status" data-testid="exec-status" class:error=move || match phase.get() {
            Phase::Ended(e) => e.is_error(),
            Phase::Failed(_) => true,
            _ => false,
        }>
            {move || match phase.get() {
                Phase::Idle => String::new(),
                Phase::Starting => "Connecting…".into(),
                Phase::Open { task, command } => format!("Connected: {command} in {task}"),
                Phase::Closed => "Disconnected.".into(),
                Phase::Ended(e) => e.describe(&namespace.get()),
                Phase::Failed(e) => e,
            }}
        </p>
    }
}
