//! Log pages: one allocation's task (`/allocations/:id/logs`) and every
//! running allocation of a job or task group at once (the job page's Logs
//! tab). Allocation, task, stream, search and follow state live in the URL.

mod choice;
mod controls;
mod export;
mod memory;
mod monitor;
mod prefs;
mod search;
mod shared;
mod state;
mod stream;
mod viewer;
mod window;

pub use choice::StreamChoice;
pub use stream::{AgentLog, LogSource};
pub use viewer::LogViewer;

use choice::use_stream_choice;

use super::{use_query_param, use_query_setter};
use crate::api::paths;
use crate::api::{use_watch, WatchOpts};
use crate::components::*;
use crate::routes::{alloc_href, decode_param, href, job_href};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use nomad_model::{format, Allocation, Job};
use std::sync::Arc;

#[derive(Params, PartialEq, Clone, Debug)]
pub struct AllocLogParams {
    pub id: Option<String>,
}

/// A colour class for an allocation's tag, stable for its ID.
pub fn tag_class(alloc: &str) -> String {
    let h = alloc
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
    format!("t{}", h % 8)
}

/// Stream and origin switches shared by both pages.
#[component]
fn StreamSwitch() -> impl IntoView {
    let set = use_query_setter();
    let stream = use_stream_choice();
    let origin = use_query_param("origin");
    let stream_chip = {
        let set = set.clone();
        move |choice: StreamChoice| {
            let set = set.clone();
            view! {
                <button class="chip" class:active=move || stream.get() == choice data-testid=format!("log-stream-{}", choice.as_str())
                    on:click=move |_| set(&[("stream", choice.query_value())])>{choice.as_str()}</button>
            }
        }
    };
    let origin_chip = move |value: &'static str, label: &'static str| {
        let set = set.clone();
        let active = move || origin.get() == value || (origin.get().is_empty() && value == "tail");
        view! {
            <button class="chip" class:active=active data-testid=format!("log-origin-{value}")
                on:click=move |_| set(&[("origin", if value == "tail" { String::new() } else { value.to_string() })])>{label}</button>
        }
    };
    view! {
        <div class="facet" role="group" aria-label="stream">
            {StreamChoice::ALL.into_iter().map(stream_chip).collect_view()}
        </div>
        <div class="facet" role="group" aria-label="origin">
            {origin_chip("tail", "Tail")}
            {origin_chip("head", "Head")}
        </div>
    }
}

/// The URL's choice when it is one of `choices`, else the first choice.
fn pick<'a>(wanted: String, mut choices: impl Iterator<Item = &'a String>) -> String {
    let mut first = None;
    for c in choices.by_ref() {
        if *c == wanted {
            return wanted;
        }
        first.get_or_insert(c);
    }
    first.cloned().unwrap_or_default()
}

#[component]
pub fn AllocLogsPage() -> impl IntoView {
    let params = use_params::<AllocLogParams>();
    let id = Memo::new(move |_| {
        params.with(|p| {
            p.as_ref()
                .ok()
                .and_then(|p| p.id.as_deref().map(decode_param))
        })
    });
    let alloc = use_watch::<Allocation>(
        move || id.get().map(|id| (paths::allocation(&id), vec![])),
        WatchOpts::default(),
    );
    view! {
        <nav class="crumbs">
            <a href=href("/jobs")>"Jobs"</a>" / "
            {move || alloc.data().map(|a| view! { <a href=job_href(&a.namespace, &a.job_id)>{a.job_id.clone()}</a>" / " })}
            {move || id.get().map(|i| view! { <a href=alloc_href(&i)>{format::short_id(&i).to_string()}</a> })}
            " / logs"
        </nav>
        <Live watch=alloc label="Loading allocation…" children=move |a| view! { <AllocLogs a/> }/>
    }
}

#[component]
fn AllocLogs(a: Signal<Arc<Allocation>>) -> impl IntoView {
    let set = use_query_setter();
    let task_q = use_query_param("task");
    let stream = use_stream_choice();
    let origin = use_query_param("origin");
    let tasks = Memo::new(move |_| a.with(|a| a.task_names()));
    let task = Memo::new(move |_| tasks.with(|ts| pick(task_q.get(), ts.iter())));
    let alloc_id = Memo::new(move |_| a.with(|a| a.id.clone()));
    let sources = Signal::derive(move || vec![LogSource::task(&alloc_id.get(), &task.get())]);
    let state_of = move |t: &str| {
        a.with(|a| {
            a.task_states
                .get(t)
                .map(|s| s.state.clone())
                .unwrap_or_else(|| "pending".into())
        })
    };
    view! {
        <div class="page-head">
            <h1 data-testid="logs-title">{move || format!("Logs · {}", a.with(|a| a.name.clone()))}</h1>
            <Badge status=Signal::derive(move || a.with(|a| a.client_status.clone()))/>
        </div>
        <div class="toolbar">
            <div class="facet" role="group" aria-label="task">
                {move || tasks.get().into_iter().map(|t| {
                    let set = set.clone();
                    let t2 = t.clone();
                    let active = { let t = t.clone(); move || task.get() == t };
                    let st = state_of(&t);
                    view! {
                        <button class="chip" class:active=active data-testid="log-task" data-task=t.clone() on:click=move |_| set(&[("task", t2.clone())])>
                            {t.clone()}<span class=format!("dot {st}") title=st.clone()></span>
                        </button>
                    }
                }).collect_view()}
            </div>
            <StreamSwitch/>
            <span class="spacer"></span>
            {move || {
                let st = state_of(&task.get());
                (st != "running").then(|| view! { <span class="muted" data-testid="task-state-note">{format!("task is {st}")}</span> })
            }}
        </div>
        {move || {
            // a new viewer for another task, stream or origin
            let (_, s, o) = (task.get(), stream.get(), origin.get());
            view! { <LogViewer sources multi=false stream=s origin_end=o != "head"/> }
        }}
    }
}

/// The job page's Logs tab: the same task of every running allocation of
/// the job (or of one task group), merged, each line tagged.
#[component]
pub fn JobLogs(job: Memo<Job>, ident: Memo<Option<(String, String)>>) -> impl IntoView {
    let set = use_query_setter();
    let group_q = use_query_param("group");
    let task_q = use_query_param("task");
    let stream = use_stream_choice();
    let origin = use_query_param("origin");
    let hide = use_query_param("hide");
    let allocs = use_watch::<Vec<Allocation>>(
        move || {
            ident
                .get()
                .map(|(ns, id)| (paths::job(&id, "/allocations"), paths::ns(&ns)))
        },
        WatchOpts::default(),
    );
    let groups = Memo::new(move |_| {
        job.with(|j| {
            j.task_groups
                .iter()
                .map(|g| {
                    (
                        g.name.clone(),
                        g.tasks.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    let group = Memo::new(move |_| groups.with(|gs| pick(group_q.get(), gs.iter().map(|g| &g.0))));
    let group_tasks = Memo::new(move |_| {
        let g = group.get();
        groups.with(|gs| {
            gs.iter()
                .find(|(n, _)| *n == g)
                .map(|x| x.1.clone())
                .unwrap_or_default()
        })
    });
    let task = Memo::new(move |_| group_tasks.with(|ts| pick(task_q.get(), ts.iter())));
    // the running allocations of the group: they join and leave the view
    let running = Memo::new(move |_| {
        let g = group.get();
        let mut v: Vec<(String, String)> = allocs
            .data()
            .map(|l| {
                l.iter()
                    .filter(|a| a.task_group == g && a.client_status == "running")
                    .map(|a| (a.id.clone(), a.name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        v
    });
    let sources = Signal::derive(move || {
        let t = task.get();
        running
            .get()
            .into_iter()
            .map(|(alloc, _)| LogSource::task(&alloc, &t))
            .collect::<Vec<_>>()
    });
    let hidden = move |short: &str| hide.with(|h| h.split(',').any(|x| x == short));
    let toggle_alloc = {
        let set = set.clone();
        move |short: String| {
            let mut v: Vec<String> = hide
                .get_untracked()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if let Some(i) = v.iter().position(|x| *x == short) {
                v.remove(i);
            } else {
                v.push(short);
            }
            set(&[("hide", v.join(","))]);
        }
    };
    let set_g = set.clone();
    let set_t = set.clone();
    view! {
        <div class="toolbar">
            <select class="facet-select" aria-label="Task group" data-testid="log-group" prop:value=move || group.get()
                on:change=move |ev| set_g(&[("group", event_target_value(&ev)), ("task", String::new()), ("hide", String::new())])>
                {move || groups.get().into_iter().map(|(g, _)| view! { <option value=g.clone()>{format!("group {g}")}</option> }).collect_view()}
            </select>
            <select class="facet-select" aria-label="Task" data-testid="log-job-task" prop:value=move || task.get()
                on:change=move |ev| set_t(&[("task", event_target_value(&ev))])>
                {move || group_tasks.get().into_iter().map(|t| view! { <option value=t.clone()>{format!("task {t}")}</option> }).collect_view()}
            </select>
            <StreamSwitch/>
        </div>
        <div class="toolbar alloc-chips" data-testid="log-allocs">
            <span class="muted">{move || format!("{} running allocation{}:", running.with(|r| r.len()), if running.with(|r| r.len()) == 1 { "" } else { "s" })}</span>
            {move || running.get().into_iter().map(|(id, name)| {
                let short = format::short_id(&id).to_string();
                let toggle = toggle_alloc.clone();
                let s2 = short.clone();
                let off = { let s = short.clone(); move || hidden(&s) };
                view! {
                    <button class=format!("chip alloc-chip {}", tag_class(&id)) class:off=off title=format!("{name} — click to hide or show its lines")
                        data-testid="log-alloc-chip" data-alloc=short.clone() on:click=move |_| toggle(s2.clone())>
                        <span class="swatch"></span>{short.clone()}
                    </button>
                }
            }).collect_view()}
        </div>
        {move || {
            let (_, _, s, o) = (group.get(), task.get(), stream.get(), origin.get());
            view! { <LogViewer sources multi=true stream=s origin_end=o != "head"/> }
        }}
    }
}
