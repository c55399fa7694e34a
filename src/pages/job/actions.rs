//! Job actions: stop, purge, start (re-register a stopped job), force
//! evaluate, periodic force launch and dispatch. Destructive actions ask for
//! confirmation; every result links to what it created.

use crate::api::{use_api, ApiError};
use crate::components::ErrorPanel;
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
    Done(&'static str),
}

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
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<Outcome, ApiError>>);
    let purge_confirm = RwSignal::new(String::new());
    let ident = move || job.with_untracked(|j| j.ident());

    let navigate = StoredValue::new_local(leptos_router::hooks::use_navigate());
    let run = move |what: &'static str| {
        let (id, ns) = ident();
        busy.set(true);
        let raw = raw.get_untracked();
        // the navigate function is taken now: the page may be torn down (its
        // resource answering 404) before the request returns
        let nav = navigate.with_value(|n| n.clone());
        leptos::task::spawn_local(async move {
            let r = match what {
                "stop" => api
                    .stop_job(&id, &ns, false)
                    .await
                    .map(|r| Outcome::Eval(r.eval_id, "stop")),
                "purge" => api
                    .stop_job(&id, &ns, true)
                    .await
                    .map(|r| Outcome::Eval(r.eval_id, "purge")),
                "evaluate" => api
                    .evaluate_job(&id, &ns)
                    .await
                    .map(|r| Outcome::Eval(r.eval_id, "evaluation")),
                "force" => api
                    .periodic_force(&id, &ns)
                    .await
                    .map(|r| Outcome::Eval(r.eval_id, "periodic launch")),
                "start" => {
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
                _ => Ok(Outcome::Done("nothing")),
            };
            // a purged job is gone: back to the list, which says so
            if what == "purge" && r.is_ok() {
                let url = crate::routes::href(&format!(
                    "/jobs?purged={}",
                    js_sys::encode_uri_component(&id)
                ));
                crate::pages::go(&nav, &url);
                return;
            }
            outcome.set(Some(r));
            busy.set(false);
            pending.set(Pending::None);
        });
    };

    let stopped = move || job.with(|j| j.stop);
    let periodic = move || job.with(|j| j.is_periodic());
    let parameterized = move || job.with(|j| j.is_parameterized());
    view! {
        <div class="actions" data-testid="job-actions">
            <Show when=move || !stopped() fallback=move || view! {
                <button class="button primary" data-action="start" disabled=move || busy.get() on:click=move |_| run("start")>"Start"</button>
            }>
                <button class="button danger" data-action="stop" disabled=move || busy.get() on:click=move |_| pending.set(Pending::Stop)>"Stop…"</button>
            </Show>
            <button class="button" data-action="evaluate" disabled=move || busy.get() on:click=move |_| run("evaluate")>"Force evaluate"</button>
            {move || periodic().then(|| view! {
                <button class="button" data-action="force" disabled=move || busy.get() on:click=move |_| run("force")>"Launch now"</button>
            })}
            {move || parameterized().then(|| view! {
                <button class="button" data-action="dispatch" disabled=move || busy.get() on:click=move |_| pending.set(Pending::Dispatch)>"Dispatch…"</button>
            })}
            <button class="button danger" data-action="purge" disabled=move || busy.get() on:click=move |_| { purge_confirm.set(String::new()); pending.set(Pending::Purge) }>"Purge…"</button>
        </div>
        {move || match pending.get() {
            Pending::Stop => view! {
                <div class="confirm" role="dialog" data-testid="confirm">
                    <p>"Stop " <strong>{job.with(|j| j.id.clone())}</strong> "? Its allocations will be stopped; the job and its history stay, and it can be started again."</p>
                    <button class="button danger" data-confirm="stop" on:click=move |_| run("stop")>"Stop job"</button>
                    <button class="button" on:click=move |_| pending.set(Pending::None)>"Cancel"</button>
                </div>
            }.into_any(),
            Pending::Purge => {
                let name = job.with(|j| j.id.clone());
                let n2 = name.clone();
                view! {
                    <div class="confirm" role="dialog" data-testid="confirm">
                        <p>"Purge " <strong>{name.clone()}</strong> "? The job, its versions and its allocations are removed from Nomad. This cannot be undone. Type the job ID to confirm."</p>
                        <input class="search" data-testid="purge-confirm" placeholder=name.clone() prop:value=move || purge_confirm.get() on:input=move |ev| purge_confirm.set(event_target_value(&ev))/>
                        <button class="button danger" data-confirm="purge" disabled=move || purge_confirm.get() != n2 on:click=move |_| run("purge")>"Purge job"</button>
                        <button class="button" on:click=move |_| pending.set(Pending::None)>"Cancel"</button>
                    </div>
                }.into_any()
            }
            Pending::Dispatch => view! { <DispatchForm job outcome busy on_done=move || pending.set(Pending::None)/> }.into_any(),
            Pending::None => ().into_any(),
        }}
        {move || outcome.get().map(|r| match r {
            Ok(o) => {
                let (ns, id) = job.with_untracked(|j| (j.namespace.clone(), j.id.clone()));
                view! { <ResultBanner outcome=o ns id on_close=move || outcome.set(None)/> }.into_any()
            }
            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
        })}
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
        Outcome::Done(what) => view! { <span>{format!("Done: {what}.")}</span> }.into_any(),
    };
    view! {
        <div class="banner ok" role="status" data-testid="action-result">
            {body}
            <button class="link-button" on:click=move |_| on_close()>"Dismiss"</button>
        </div>
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
    outcome: RwSignal<Option<Result<Outcome, ApiError>>>,
    busy: RwSignal<bool>,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let api = use_api();
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
        let (id, ns) = job.with_untracked(|j| j.ident());
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
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = api
                .dispatch_job(&id, &ns, &req)
                .await
                .map(|r| Outcome::Child(ns.clone(), r.dispatched_job_id, "dispatched job"));
            outcome.set(Some(r));
            busy.set(false);
            on_done();
        });
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
