//! An allocation's actions: restart (the running tasks, every task, or one),
//! signal (every task or one), stop (the scheduler places a replacement)
//! and garbage collection. Each is confirmed, shows what came back, and the
//! task events it causes arrive on the page live.

use crate::api::use_api;
use crate::components::{ActionResult, Confirm};
use leptos::prelude::*;
use nomad_model::lifecycle::{AllocRestartRequest, AllocSignalRequest, SIGNALS};
use nomad_model::{format, Allocation};
use std::sync::Arc;

/// What can be done to an allocation (`task: None` is every task).
#[derive(Clone, Debug, PartialEq)]
pub enum AllocOp {
    /// `all`: finished tasks (prestart, poststop) too, not only running ones.
    Restart {
        task: Option<String>,
        all: bool,
    },
    Signal {
        task: Option<String>,
        signal: String,
    },
    Stop,
    Gc,
}

impl AllocOp {
    fn testid(&self) -> &'static str {
        match self {
            AllocOp::Restart { .. } => "restart",
            AllocOp::Signal { .. } => "signal",
            AllocOp::Stop => "stop",
            AllocOp::Gc => "gc",
        }
    }
}

/// The operation waiting for confirmation, shared by the page's buttons
/// and each task card's.
#[derive(Clone, Copy)]
pub struct AskOp(pub RwSignal<Option<AllocOp>>);

#[component]
pub fn AllocActions(a: Signal<Arc<Allocation>>, ask: AskOp) -> impl IntoView {
    let api = use_api();
    let terminal = Memo::new(move |_| a.with(|a| a.is_terminal()));
    // The navigate function is taken at dispatch: the page may be torn
    // down (its resource answering 404) before the request returns.
    let navigate = StoredValue::new_local(leptos_router::hooks::use_navigate());
    let run = Action::new_local(move |op: &AllocOp| {
        let op = op.clone();
        let id = a.with_untracked(|a| a.id.clone());
        let nav = navigate.with_value(|n| n.clone());
        async move {
            let r = match &op {
                AllocOp::Restart { task, all } => {
                    let req = AllocRestartRequest {
                        task_name: task.clone().unwrap_or_default(),
                        all_tasks: *all && task.is_none(),
                    };
                    api.restart_allocation(&id, &req).await.map(|_| match task {
                        Some(t) => format!("Restart of {t} requested: its events follow below."),
                        None => "Restart requested: the tasks' events follow below.".to_string(),
                    })
                }
                AllocOp::Signal { task, signal } => {
                    let req = AllocSignalRequest {
                        task: task.clone().unwrap_or_default(),
                        signal: signal.clone(),
                    };
                    api.signal_allocation(&id, &req).await.map(|_| {
                        format!("{signal} sent to {}.", task.as_deref().unwrap_or("every task"))
                    })
                }
                AllocOp::Stop => api.stop_allocation(&id).await.map(|r| {
                    format!(
                        "Stopped. The scheduler places a replacement (evaluation {}); the job's page lists it.",
                        format::short_id(&r.eval_id)
                    )
                }),
                AllocOp::Gc => api.gc_allocation(&id).await.map(|_| {
                    crate::pages::go(
                        &nav,
                        &crate::routes::href_with("/allocations", &[("collected", &id)]),
                    );
                    "Garbage collected.".to_string()
                }),
            };
            ask.0.set(None);
            r
        }
    });
    let busy = run.pending();
    // a new question (from here or a task card) clears the last answer
    Effect::new(move |_| {
        if ask.0.with(Option::is_some) {
            run.value().set(None);
        }
    });
    let open = move |op: AllocOp| ask.0.set(Some(op));
    let live_title = move |what: &'static str| {
        move || {
            if terminal.get() {
                format!("A stopped allocation cannot be {what}")
            } else {
                String::new()
            }
        }
    };
    view! {
        <div class="actions inline" data-testid="alloc-actions">
            <button class="button" data-action="restart" disabled=move || terminal.get() || busy.get() title=live_title("restarted")
                on:click=move |_| open(AllocOp::Restart { task: None, all: false })>"Restart…"</button>
            <button class="button" data-action="signal" disabled=move || terminal.get() || busy.get() title=live_title("signalled")
                on:click=move |_| open(AllocOp::Signal { task: None, signal: "SIGHUP".into() })>"Signal…"</button>
            <button class="button" data-action="stop" disabled=move || terminal.get() || busy.get() title=live_title("stopped")
                on:click=move |_| open(AllocOp::Stop)>"Stop…"</button>
            <button class="button" data-action="gc" disabled=move || !terminal.get() || busy.get()
                title=move || if terminal.get() { "Remove this stopped allocation and its files from the client" } else { "Only stopped allocations can be garbage collected" }
                on:click=move |_| open(AllocOp::Gc)>"Garbage collect…"</button>
        </div>
        {move || ask.0.get().map(|op| view! { <ConfirmOp a op ask busy on_confirm=move |op| { run.dispatch(op); }/> })}
        <ActionResult result=run.value() ok=|m: String| m/>
    }
}

/// The confirmation of `op`, with its choices (which tasks, which signal).
#[component]
fn ConfirmOp(
    a: Signal<Arc<Allocation>>,
    op: AllocOp,
    ask: AskOp,
    busy: Memo<bool>,
    #[prop(into)] on_confirm: Callback<AllocOp>,
) -> impl IntoView {
    let name = a.with_untracked(|a| a.name.clone());
    let tasks = a.with_untracked(|a| a.task_names());
    let testid = op.testid();
    let choice = RwSignal::new(op.clone());
    let task_label = |t: &Option<String>| match t {
        Some(t) => format!("task {t}"),
        None => "every task".to_string(),
    };
    let body = match &op {
        AllocOp::Restart { task: Some(t), .. } => view! {
            <p>"Restart task " <strong>{t.clone()}</strong> " of " <strong>{name.clone()}</strong> "? The client stops it and starts it again in place; the restart does not count against the restart policy."</p>
        }.into_any(),
        AllocOp::Restart { task: None, .. } => view! {
            <p>"Restart " <strong>{name.clone()}</strong> " in place? The client stops its tasks and starts them again."</p>
            <label class="check">
                <input type="checkbox" data-testid="restart-all"
                    prop:checked=move || matches!(choice.get(), AllocOp::Restart { all: true, .. })
                    on:change=move |ev| choice.set(AllocOp::Restart { task: None, all: event_target_checked(&ev) })/>
                "Also tasks that have finished (prestart and poststop tasks)"
            </label>
        }.into_any(),
        AllocOp::Signal { task, .. } => {
            let fixed = task.clone();
            view! {
                <p>"Send a signal to " {task_label(task)} " of " <strong>{name.clone()}</strong> "? The task driver delivers it to the task's process."</p>
                <label>"Signal "
                    <select data-testid="signal-name" on:change=move |ev| {
                        let signal = event_target_value(&ev);
                        choice.update(|c| if let AllocOp::Signal { signal: s, .. } = c { *s = signal });
                    }>
                        {SIGNALS.iter().map(|s| view! { <option value=*s>{*s}</option> }).collect_view()}
                    </select>
                </label>
                {fixed.is_none().then(|| view! {
                    <label>"Task "
                        <select data-testid="signal-task" on:change=move |ev| {
                            let t = event_target_value(&ev);
                            choice.update(|c| if let AllocOp::Signal { task, .. } = c { *task = (!t.is_empty()).then_some(t) });
                        }>
                            <option value="">"Every task"</option>
                            {tasks.iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                })}
            }.into_any()
        }
        AllocOp::Stop => view! {
            <p>"Stop " <strong>{name.clone()}</strong> "? Its tasks are killed and the scheduler places a replacement, possibly on another client."</p>
        }.into_any(),
        AllocOp::Gc => view! {
            <p>"Garbage collect " <strong>{name.clone()}</strong> "? The client deletes its directory, logs included. This cannot be undone."</p>
        }.into_any(),
    };
    let label = match &op {
        AllocOp::Restart { .. } => "Restart",
        AllocOp::Signal { .. } => "Send signal",
        AllocOp::Stop => "Stop allocation",
        AllocOp::Gc => "Garbage collect",
    };
    let class = match &op {
        AllocOp::Signal { .. } | AllocOp::Restart { .. } => "button primary",
        _ => "button danger",
    };
    view! {
        <Confirm testid=format!("confirm-{testid}") action=testid label class disabled=busy
            on_confirm=move |_| on_confirm.run(choice.get_untracked()) on_cancel=move |_| ask.0.set(None)>
            {body}
        </Confirm>
    }
}
