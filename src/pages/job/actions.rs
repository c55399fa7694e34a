//! Job actions: stop, purge, start (re-register a stopped job), force
//! evaluate, periodic force launch and dispatch. Destructive actions ask for
//! confirmation; every result links to what it created.

use crate::api::{use_api, Api};
use crate::components::{ActionResult, Confirm};
use crate::pages::bulk::{BulkBar, Run, Selection};
use crate::routes::job_href;
use leptos::prelude::*;
use nomad_model::{format, Job, JobDispatchRequest, JobRegisterRequest};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What an action produced, for the result banner.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Eval(String, &'static str),
    Child(String, String, &'static str),
}

/// What can be done to a job.
#[derive(Clone, Debug, PartialEq)]
pub enum JobAction {
    Start,
    Stop,
    Purge,
    Evaluate,
    Force,
    Dispatch(JobDispatchRequest),
}

/// Which confirmation or form is open.
#[derive(Clone, Copy, PartialEq)]
enum Pending {
    None,
    Stop,
    Purge,
    Dispatch,
}

#[component]
pub fn JobActions(job: Memo<Job>, raw: Signal<Arc<serde_json::Value>>) -> impl IntoView {
    let api = use_api();
    let pending = RwSignal::new(Pending::None);
    // The navigate function is taken now: the page may be torn down (its
    // resource answering 404) before a purge's request returns.
    let navigate = StoredValue::new_local(leptos_router::hooks::use_navigate());
    let action = Action::new_local(move |a: &JobAction| {
        let a = a.clone();
        let (id, ns) = job.with_untracked(|j| j.ident());
        let raw = raw.get_untracked();
        let nav = navigate.with_value(|n| n.clone());
        pending.set(Pending::None);
        async move {
            let r = match a {
                JobAction::Stop => api
                    .stop_job(&id, &ns, false)
                    .await
                    .map(|r| Outcome::Eval(r.eval_id, "stop")),
                JobAction::Purge => api
                    .stop_job(&id, &ns, true)
                    .await
                    .map(|r| Outcome::Eval(r.eval_id, "purge")),
                JobAction::Evaluate => api
                    .evaluate_job(&id, &ns)
                    .await
                    .map(|r| Outcome::Eval(r.eval_id, "evaluation")),
                JobAction::Force => api
                    .periodic_force(&id, &ns)
                    .await
                    .map(|r| Outcome::Eval(r.eval_id, "periodic launch")),
                JobAction::Start => {
                    let mut spec = (*raw).clone();
                    spec["Stop"] = serde_json::json!(false);
                    let req = JobRegisterRequest {
                        job: spec,
                        ..Default::default()
                    };
                    api.register_job(&req)
                        .await
                        .map(|r| Outcome::Eval(r.eval_id, "start"))
                }
                JobAction::Dispatch(ref req) => api
                    .dispatch_job(&id, &ns, req)
                    .await
                    .map(|r| Outcome::Child(ns.clone(), r.dispatched_job_id, "dispatched job")),
            };
            // a purged job is gone: back to the list, which says so
            if matches!(a, JobAction::Purge) && r.is_ok() {
                crate::pages::go(&nav, &crate::routes::href_with("/jobs", &[("purged", &id)]));
            }
            r
        }
    });
    let busy = action.pending();
    let outcome = action.value();
    let run = move |a: JobAction| {
        action.dispatch(a);
    };

    let stopped = move || job.with(|j| j.stop);
    let periodic = move || job.with(|j| j.is_periodic());
    let parameterized = move || job.with(|j| j.is_parameterized());
    let job_id = Signal::derive(move || job.with(|j| j.id.clone()));
    let cancel = move || pending.set(Pending::None);
    view! {
        <div class="actions" data-testid="job-actions">
            <Show when=move || !stopped() fallback=move || view! {
                <button class="button primary" data-action="start" disabled=move || busy.get() on:click=move |_| run(JobAction::Start)>"Start"</button>
            }>
                <button class="button danger" data-action="stop" disabled=move || busy.get() on:click=move |_| pending.set(Pending::Stop)>"Stop…"</button>
            </Show>
            <button class="button" data-action="evaluate" disabled=move || busy.get() on:click=move |_| run(JobAction::Evaluate)>"Force evaluate"</button>
            {move || periodic().then(|| view! {
                <button class="button" data-action="force" disabled=move || busy.get() on:click=move |_| run(JobAction::Force)>"Launch now"</button>
            })}
            {move || parameterized().then(|| view! {
                <button class="button" data-action="dispatch" disabled=move || busy.get() on:click=move |_| pending.set(Pending::Dispatch)>"Dispatch…"</button>
            })}
            <button class="button danger" data-action="purge" disabled=move || busy.get() on:click=move |_| pending.set(Pending::Purge)>"Purge…"</button>
        </div>
        {move || match pending.get() {
            Pending::Stop => view! {
                <Confirm action="stop" label="Stop job" disabled=busy on_confirm=move |_| run(JobAction::Stop) on_cancel=move |_| cancel()>
                    <p>"Stop " <strong>{job_id}</strong> "? Its allocations will be stopped; the job and its history stay, and it can be started again."</p>
                </Confirm>
            }.into_any(),
            Pending::Purge => view! {
                <Confirm action="purge" label="Purge job" type_to_confirm=job_id input_testid="purge-confirm" disabled=busy
                    on_confirm=move |_| run(JobAction::Purge) on_cancel=move |_| cancel()>
                    <p>"Purge " <strong>{job_id}</strong> "? The job, its versions and its allocations are removed from Nomad. This cannot be undone. Type the job ID to confirm."</p>
                </Confirm>
            }.into_any(),
            Pending::Dispatch => view! { <DispatchForm job busy on_submit=move |req| run(JobAction::Dispatch(req)) on_done=cancel/> }.into_any(),
            Pending::None => ().into_any(),
        }}
        <ActionResult result=outcome ok=move |o| {
            let (ns, id) = job.with_untracked(|j| (j.namespace.clone(), j.id.clone()));
            view! { <ResultBanner outcome=o ns id on_close=move || outcome.set(None)/> }
        }/>
    }
}

#[component]
fn ResultBanner(
    outcome: Outcome,
    ns: String,
    id: String,
    on_close: impl Fn() + 'static + Copy + Send + Sync,
) -> impl IntoView {
    let body = match outcome {
        Outcome::Eval(eval, what) if eval.is_empty() => view! { <span>{format!("Done: {what}.")}</span> }.into_any(),
        Outcome::Eval(eval, what) => view! {
            <span>{format!("{} requested: evaluation ", capitalise(what))}
                <a href=format!("{}?tab=evaluations#eval-{}", job_href(&ns, &id), eval) class="mono">{format::short_id(&eval).to_string()}</a>
                " created."
            </span>
        }.into_any(),
        Outcome::Child(child_ns, child, what) => view! {
            <span>{format!("{} created ", capitalise(what))}<a href=job_href(&child_ns, &child) data-testid="child-link">{child.clone()}</a>"."</span>
        }.into_any(),
    };
    view! {
        {body}
        <button class="link-button" on:click=move |_| on_close()>"Dismiss"</button>
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Dispatch form: payload and meta, with required and optional keys
/// validated against the job's `ParameterizedJob` before sending.
#[component]
fn DispatchForm(
    job: Memo<Job>,
    #[prop(into)] busy: Signal<bool>,
    on_submit: impl Fn(JobDispatchRequest) + Copy + Send + Sync + 'static,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let p = job.with_untracked(|j| j.parameterized_job.clone().unwrap_or_default());
    let keys: Vec<(String, bool)> = p
        .meta_required
        .iter()
        .map(|k| (k.clone(), true))
        .chain(p.meta_optional.iter().map(|k| (k.clone(), false)))
        .collect();
    let values: RwSignal<BTreeMap<String, String>> = RwSignal::new(BTreeMap::new());
    let payload = RwSignal::new(String::new());
    let payload_rule = p.payload.clone();
    let required = p.meta_required.clone();
    let rule2 = payload_rule.clone();
    let problems = Memo::new(move |_| {
        let mut out = vec![];
        values.with(|v| {
            for k in &required {
                if v.get(k).is_none_or(|x| x.is_empty()) {
                    out.push(format!("Meta key \"{k}\" is required."));
                }
            }
        });
        let has_payload = payload.with(|p| !p.is_empty());
        if rule2 == "required" && !has_payload {
            out.push("A payload is required.".to_string());
        }
        if rule2 == "forbidden" && has_payload {
            out.push("This job does not accept a payload.".to_string());
        }
        out
    });
    let submit = move |_| {
        if !problems.with_untracked(|p| p.is_empty()) {
            return;
        }
        let meta: BTreeMap<String, String> = values
            .get_untracked()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let text = payload.get_untracked();
        let req = JobDispatchRequest {
            payload: if text.is_empty() {
                String::new()
            } else {
                base64_encode(text.as_bytes())
            },
            meta,
            ..Default::default()
        };
        on_submit(req);
    };
    view! {
        <div class="confirm dispatch" data-testid="dispatch-form">
            <h3>"Dispatch " {move || job.with(|j| j.id.clone())}</h3>
            {keys.into_iter().map(|(k, req)| {
                let k2 = k.clone();
                view! {
                    <label class="field">
                        <span>{k.clone()}{if req { " (required)" } else { " (optional)" }}</span>
                        <input class="search" data-meta=k.clone() on:input=move |ev| { let v = event_target_value(&ev); values.update(|m| { m.insert(k2.clone(), v); }) }/>
                    </label>
                }
            }).collect_view()}
            {(payload_rule != "forbidden").then(|| view! {
                <label class="field"><span>{format!("Payload ({})", if payload_rule.is_empty() { "optional".to_string() } else { payload_rule.clone() })}</span>
                    <textarea class="code-input" rows="4" data-testid="dispatch-payload" on:input=move |ev| payload.set(event_target_value(&ev))></textarea>
                </label>
            })}
            <ul class="problems">{move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            <button class="button primary" data-confirm="dispatch" disabled=move || !problems.with(|p| p.is_empty()) || busy.get() on:click=submit>"Dispatch"</button>
            <button class="button" on:click=move |_| on_done()>"Cancel"</button>
        </div>
    }
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// The jobs list's bulk bar (the list picks rows; this acts on them).
pub fn jobs_bulk_bar(sel: Selection) -> AnyView {
    let api = use_api();
    let run: Run = std::rc::Rc::new(move |op, key| bulk_op(api, op, key));
    view! {
        <BulkBar sel noun="jobs" label_of=|k: String| k run ops=vec![
            ("stop", "Stop", "Stop"),
            ("start", "Start", "Start again (their specs re-registered with Stop off)"),
            ("evaluate", "Force evaluate", "Force a new evaluation of"),
        ]/>
    }
    .into_any()
}

/// One bulk action on one job (`namespace/ID`; IDs may hold `/`,
/// namespaces not).
fn bulk_op(
    api: Api,
    op: &'static str,
    key: String,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, crate::api::ApiError>>>> {
    Box::pin(async move {
        let (ns, id) = key.split_once('/').unwrap_or(("default", &key));
        match op {
            "stop" => api
                .stop_job(id, ns, false)
                .await
                .map(|_| "stopped".to_string()),
            "start" => api.start_job(id, ns).await.map(|_| "started".to_string()),
            _ => api
                .evaluate_job(id, ns)
                .await
                .map(|r| format!("evaluation {}", format::short_id(&r.eval_id))),
        }
    })
}
