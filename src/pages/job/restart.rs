//! Restarting every allocation of a job, a chosen number at a time (Nomad
//! issue #20330): each batch is restarted in place, and the next waits
//! until the batch is back (restarted, every task running, its deployment
//! health and checks passing). Progress per allocation; pause, resume and
//! cancel; a batch that fails or is not back within five minutes pauses the
//! run for the operator to decide.

use crate::api::{paths, use_api, Api, ApiError};
use crate::components::Confirm;
use crate::interop;
use crate::routes::alloc_href;
use leptos::prelude::*;
use nomad_model::lifecycle::{back, restart_batches, restarts, AllocRestartRequest, Back};
use nomad_model::{format, Allocation};
use std::sync::Arc;
use std::time::Duration;

/// How long a batch may take to be back before the run pauses.
const BATCH_TIMEOUT: Duration = Duration::from_secs(300);
const POLL: Duration = Duration::from_secs(1);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Step {
    Queued,
    Restarting,
    Waiting(String),
    Back,
    Failed(String),
}

impl Step {
    /// The step's name, for tests and styles (`data-step`).
    fn name(&self) -> &'static str {
        match self {
            Step::Queued => "queued",
            Step::Restarting => "restarting",
            Step::Waiting(_) => "waiting",
            Step::Back => "back",
            Step::Failed(_) => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Row {
    id: String,
    name: String,
    step: Step,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Run {
    Idle,
    Asking,
    Running,
    Paused,
    Cancelled,
    Done,
}

/// The run's state, shared by the loop and the view.
#[derive(Clone, Copy)]
struct Rolling {
    run: RwSignal<Run>,
    rows: RwSignal<Vec<Row>>,
    batch: RwSignal<(usize, usize)>,
    note: RwSignal<Option<String>>,
}

#[component]
pub fn RollingRestart(allocs: Signal<Option<Arc<Vec<Allocation>>>>) -> impl IntoView {
    let api = use_api();
    let size = RwSignal::new("1".to_string());
    let st = Rolling {
        run: RwSignal::new(Run::Idle),
        rows: RwSignal::new(vec![]),
        batch: RwSignal::new((0, 0)),
        note: RwSignal::new(None),
    };
    let live = Memo::new(move |_| {
        allocs.with(|a| a.as_ref().map(|a| restart_batches(a, 1).len()).unwrap_or(0))
    });
    let per = move || size.with(|s| s.trim().parse::<usize>().unwrap_or(1).max(1));
    let start = move || {
        let Some(list) = allocs.get_untracked() else {
            return;
        };
        let batches = restart_batches(&list, per());
        let name_of = |id: &str| {
            list.iter()
                .find(|a| a.id == id)
                .map(|a| a.name.clone())
                .unwrap_or_default()
        };
        st.rows.set(
            batches
                .iter()
                .flatten()
                .map(|id| Row {
                    id: id.clone(),
                    name: name_of(id),
                    step: Step::Queued,
                })
                .collect(),
        );
        st.note.set(None);
        st.run.set(Run::Running);
        leptos::task::spawn_local(drive(api, st, batches));
    };
    let running = move || matches!(st.run.get(), Run::Running | Run::Paused);
    view! {
        <div class="actions" data-testid="rolling-restart">
            <button class="button" data-action="rolling-restart" disabled=move || running() || live.get() == 0
                title=move || if live.get() == 0 { "No running allocations" } else { "" }
                on:click=move |_| st.run.set(Run::Asking)>"Restart allocations…"</button>
        </div>
        {move || (st.run.get() == Run::Asking).then(|| view! {
            <Confirm testid="confirm-rolling" action="rolling-restart" label="Start restarting" class="button primary"
                on_confirm=move |_| start() on_cancel=move |_| st.run.set(Run::Idle)>
                <p>"Restart the " {move || live.get()} " running allocations of this job in place, a batch at a time; each batch waits for the one before it to be running again (and healthy, where the deployment or checks say)."</p>
                <label>"At a time "
                    <input class="input" type="number" min="1" max=move || live.get().to_string() data-testid="rolling-size"
                        prop:value=move || size.get() on:input=move |ev| size.set(event_target_value(&ev))/>
                </label>
            </Confirm>
        })}
        {move || (st.run.get() != Run::Idle && st.run.get() != Run::Asking).then(|| view! { <Progress st/> })}
    }
}

#[component]
fn Progress(st: Rolling) -> impl IntoView {
    let done = move || {
        st.rows
            .with(|r| r.iter().filter(|r| r.step == Step::Back).count())
    };
    let total = move || st.rows.with(|r| r.len());
    let summary = move || {
        let (b, n) = st.batch.get();
        match st.run.get() {
            Run::Running => format!(
                "Batch {b} of {n}: {} of {} allocations back",
                done(),
                total()
            ),
            Run::Paused => format!("Paused at batch {b} of {n}: {} of {} back", done(), total()),
            Run::Cancelled => format!("Cancelled: {} of {} allocations restarted", done(), total()),
            Run::Done => format!("Done: all {} allocations restarted and back", total()),
            Run::Idle | Run::Asking => String::new(),
        }
    };
    let class = move || match st.run.get() {
        Run::Done => "banner ok",
        Run::Paused | Run::Cancelled => "banner warn",
        _ => "banner info",
    };
    view! {
        <div class=class role="status" data-testid="rolling-progress" data-run=move || format!("{:?}", st.run.get()).to_lowercase()>
            <span data-testid="rolling-summary">{summary}</span>
            {move || st.note.get().map(|n| view! { <span data-testid="rolling-note">" — "{n}</span> })}
            <span class="spacer"></span>
            {move || match st.run.get() {
                Run::Running => view! {
                    <button class="button small" data-action="rolling-pause" on:click=move |_| st.run.set(Run::Paused)>"Pause"</button>
                    <button class="button small" data-action="rolling-cancel" on:click=move |_| st.run.set(Run::Cancelled)>"Cancel"</button>
                }.into_any(),
                Run::Paused => view! {
                    <button class="button small" data-action="rolling-resume" on:click=move |_| { st.note.set(None); st.run.set(Run::Running) }>"Resume"</button>
                    <button class="button small" data-action="rolling-cancel" on:click=move |_| st.run.set(Run::Cancelled)>"Cancel"</button>
                }.into_any(),
                _ => view! {
                    <button class="button small" data-action="rolling-close" on:click=move |_| st.run.set(Run::Idle)>"Close"</button>
                }.into_any(),
            }}
        </div>
        <table class="table compact" data-testid="rolling-rows">
            <tbody>
                <For each=move || st.rows.get() key=|r: &Row| (r.id.clone(), r.step.clone()) children=move |r: Row| {
                    let (label, class) = match &r.step {
                        Step::Queued => ("queued".to_string(), "muted"),
                        Step::Restarting => ("restarting…".to_string(), ""),
                        Step::Waiting(w) => (w.clone(), ""),
                        Step::Back => ("back".to_string(), "ok"),
                        Step::Failed(f) => (f.clone(), "danger"),
                    };
                    view! {
                        <tr data-alloc=r.id.clone() data-step=r.step.name()>
                            <td><a href=alloc_href(&r.id)>{r.name.clone()}</a></td>
                            <td class="mono">{format::short_id(&r.id).to_string()}</td>
                            <td class=class>{label}</td>
                        </tr>
                    }
                }/>
            </tbody>
        </table>
    }
}

/// Sets a row's step; `false` once the page is gone.
fn set_step(st: Rolling, id: &str, step: Step) -> bool {
    st.rows
        .try_update(|rows| {
            if let Some(r) = rows.iter_mut().find(|r| r.id == id) {
                r.step = step;
            }
        })
        .is_some()
}

/// Waits while paused; `false` when cancelled or the page is gone.
async fn go_on(st: Rolling) -> bool {
    loop {
        match st.run.try_get_untracked() {
            Some(Run::Running) => return true,
            Some(Run::Paused) => interop::sleep(Duration::from_millis(300)).await,
            _ => return false,
        }
    }
}

async fn read(api: Api, id: &str) -> Result<Allocation, ApiError> {
    api.get(&paths::allocation(id), &[]).await
}

async fn drive(api: Api, st: Rolling, batches: Vec<Vec<String>>) {
    let n = batches.len();
    for (i, batch) in batches.into_iter().enumerate() {
        if st.batch.try_set((i + 1, n)).is_some() || !go_on(st).await {
            return;
        }
        // restart the batch, remembering each allocation's restarts before
        let mut before = vec![];
        for id in &batch {
            set_step(st, id, Step::Restarting);
            let r = match read(api, id).await {
                Ok(a) => {
                    let n0 = restarts(&a);
                    api.restart_allocation(id, &AllocRestartRequest::default())
                        .await
                        .map(|_| n0)
                }
                Err(e) => Err(e),
            };
            match r {
                Ok(n0) => before.push((id.clone(), n0)),
                Err(e) => {
                    set_step(st, id, Step::Failed(e.message.clone()));
                }
            }
        }
        // wait for it to be back (a restart takes the client a moment)
        let started = interop::now_ms();
        loop {
            interop::sleep(POLL).await;
            if !go_on(st).await {
                return;
            }
            let mut all_back = true;
            let mut failed = false;
            for (id, n0) in &before {
                let step = match read(api, id).await {
                    Ok(a) => {
                        let checks: Vec<String> = api
                            .alloc_checks(id)
                            .await
                            .unwrap_or_default()
                            .into_values()
                            .map(|c| c.status)
                            .collect();
                        match back(&a, *n0, &checks) {
                            Back::Back => Step::Back,
                            Back::Waiting(w) => Step::Waiting(w),
                            Back::Failed(f) => Step::Failed(f),
                        }
                    }
                    Err(e) => Step::Waiting(format!("could not read it: {}", e.message)),
                };
                all_back &= step == Step::Back;
                failed |= matches!(step, Step::Failed(_));
                if !set_step(st, id, step) {
                    return;
                }
            }
            failed |= before.len() < batch.len();
            if failed {
                let _ = st.note.try_set(Some(
                    "an allocation of this batch failed; resume to go on, or cancel".into(),
                ));
                let _ = st.run.try_set(Run::Paused);
                if !go_on(st).await {
                    return;
                }
                break;
            }
            if all_back {
                break;
            }
            if interop::now_ms() - started > BATCH_TIMEOUT.as_millis() as f64 {
                let _ = st.note.try_set(Some(
                    "this batch is not back after 5 minutes; resume to wait on, or cancel".into(),
                ));
                let _ = st.run.try_set(Run::Paused);
            }
        }
    }
    let _ = st.run.try_update(|r| {
        if *r == Run::Running {
            *r = Run::Done;
        }
    });
}
