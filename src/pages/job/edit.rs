//! The definition: edit a job's JSON (or HCL, through `/v1/jobs/parse` where
//! the agent supports it), plan it with `Diff: true`, read what the
//! scheduler would do, then run it with `EnforceIndex` set to the planned
//! `JobModifyIndex` so a concurrent change is reported instead of
//! overwritten. `/jobs/new` registers a new job the same way.

use super::diff::{changes_label, DiffTree};
use crate::api::{use_api, ApiError, ApiErrorKind};
use crate::components::*;
use crate::routes::{href, job_href};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use nomad_model::{format, Job, JobPlanRequest, JobPlanResponse, JobRegisterRequest};
use std::sync::Arc;

#[component]
pub fn Definition(raw: Signal<Arc<serde_json::Value>>, job: Memo<Job>) -> impl IntoView {
    let initial = raw.with_untracked(|r| serde_json::to_string_pretty(&**r).unwrap_or_default());
    let id = Signal::derive(move || job.with(|j| j.id.clone()));
    view! { <Editor initial existing=true id/> }
}

const TEMPLATE: &str = r#"{
  "ID": "hello-world",
  "Name": "hello-world",
  "Type": "service",
  "Namespace": "default",
  "Datacenters": ["dc1"],
  "TaskGroups": [
    {
      "Name": "web",
      "Count": 2,
      "Tasks": [
        {
          "Name": "server",
          "Driver": "docker",
          "Config": { "image": "nginx:1.27" },
          "Resources": { "CPU": 200, "MemoryMB": 128 }
        }
      ]
    }
  ]
}"#;

#[component]
pub fn NewJobPage() -> impl IntoView {
    view! {
        <nav class="crumbs"><a href=href("/jobs")>"Jobs"</a>" / new"</nav>
        <div class="page-head"><h1>"Run a new job"</h1></div>
        <Editor initial=TEMPLATE.to_string() existing=false id=Signal::derive(String::new)/>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Syntax {
    Json,
    Hcl,
}

#[component]
fn Editor(initial: String, existing: bool, #[prop(into)] id: Signal<String>) -> impl IntoView {
    let api = use_api();
    let navigate = use_navigate();
    let text = RwSignal::new(initial);
    let syntax = RwSignal::new(Syntax::Json);
    let plan = RwSignal::new(None::<(JobPlanResponse, serde_json::Value)>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let ran = RwSignal::new(None::<(String, String, String)>);
    // the edited spec as JSON, or why it is not valid
    let to_json = move |t: String| async move {
        match syntax.get_untracked() {
            Syntax::Json => serde_json::from_str::<serde_json::Value>(&t).map_err(|e| ApiError::decode(format!("Invalid JSON: {e}"), "editor")),
            Syntax::Hcl => api.parse_hcl(&t).await.map_err(|e| {
                if matches!(e.kind, ApiErrorKind::NotFound | ApiErrorKind::BadRequest) && e.status == 404 {
                    ApiError { message: "This agent does not offer /v1/jobs/parse; paste the job as JSON instead.".into(), ..e }
                } else {
                    e
                }
            }),
        }
        .and_then(|v| {
            // `nomad job run -output` wraps the job in {"Job": …}
            let v = if v.get("Job").is_some_and(|j| j.is_object()) { v["Job"].clone() } else { v };
            if v.get("ID").and_then(|i| i.as_str()).is_some_and(|i| !i.is_empty()) {
                Ok(v)
            } else {
                Err(ApiError::decode("The job has no \"ID\".", "editor"))
            }
        })
    };
    let do_plan = move || {
        busy.set(true);
        error.set(None);
        ran.set(None);
        let t = text.get_untracked();
        leptos::task::spawn_local(async move {
            let r = async {
                let spec = to_json(t).await?;
                let id = spec["ID"].as_str().unwrap_or_default().to_string();
                let req = JobPlanRequest {
                    job: spec.clone(),
                    diff: true,
                    ..Default::default()
                };
                let p = api.plan_job(&id, &req).await?;
                Ok::<_, ApiError>((p, spec))
            }
            .await;
            match r {
                Ok(p) => plan.set(Some(p)),
                Err(e) => {
                    plan.set(None);
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    let do_run = move || {
        let Some((p, spec)) = plan.get_untracked() else {
            return;
        };
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let req = JobRegisterRequest {
                job: spec.clone(),
                enforce_index: true,
                job_modify_index: p.job_modify_index,
                ..Default::default()
            };
            match api.register_job(&req).await {
                Ok(r) => {
                    let ns = spec["Namespace"]
                        .as_str()
                        .filter(|s| !s.is_empty())
                        .unwrap_or("default")
                        .to_string();
                    let id = spec["ID"].as_str().unwrap_or_default().to_string();
                    plan.set(None);
                    if existing {
                        ran.set(Some((ns, id, r.eval_id)));
                    } else {
                        navigate(
                            &job_href(&ns, &id),
                            leptos_router::NavigateOptions {
                                resolve: false,
                                ..Default::default()
                            },
                        );
                    }
                }
                Err(e) if e.kind == ApiErrorKind::Conflict => {
                    error.set(Some(ApiError {
                        message: format!("The job was changed by someone else after you planned ({}). Nothing was overwritten: plan again to see the current difference.", e.message),
                        kind: ApiErrorKind::Conflict,
                        ..e
                    }));
                    plan.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let do_plan2 = do_plan;
    view! {
        <div class="editor">
            <div class="editor-toolbar">
                <div class="facet" role="group" aria-label="syntax">
                    <button class="chip" class:active=move || syntax.get() == Syntax::Json on:click=move |_| syntax.set(Syntax::Json)>"JSON"</button>
                    <button class="chip" class:active=move || syntax.get() == Syntax::Hcl data-testid="syntax-hcl" on:click=move |_| syntax.set(Syntax::Hcl)>"HCL"</button>
                </div>
                <span class="muted small">{move || if existing { format!("Editing {}. Plan first; Run submits exactly what was planned.", id.get()) } else { "Paste a job (JSON, or HCL on agents that can parse it), plan it, then run it.".to_string() }}</span>
                <span class="spacer"></span>
                <button class="button primary" data-action="plan" disabled=move || busy.get() on:click=move |_| do_plan()>"Plan"</button>
                <button class="button primary" data-action="run" disabled=move || busy.get() || plan.with(|p| p.is_none()) on:click=move |_| do_run()>"Run"</button>
            </div>
            <textarea class="code-input job-editor" aria-label="Job specification" spellcheck="false" data-testid="job-editor" rows="22"
                prop:value=move || text.get() on:input=move |ev| { text.set(event_target_value(&ev)); plan.set(None); }></textarea>
            {move || error.get().map(|e| view! {
                <div data-testid="editor-error">
                    <ErrorPanel error=e.clone()/>
                    {(e.kind == ApiErrorKind::Conflict).then(|| { let p = do_plan2; view! { <button class="button" data-action="replan" on:click=move |_| p()>"Plan again"</button> } })}
                </div>
            })}
            {move || ran.get().map(|(ns, id, eval)| view! {
                <div class="banner ok" data-testid="run-result">
                    "Submitted. Evaluation " <span class="mono">{format::short_id(&eval).to_string()}</span> " created — "
                    <a href=job_href(&ns, &id)>"see the job"</a>
                </div>
            })}
            {move || plan.get().map(|(p, _)| view! { <PlanView p/> })}
        </div>
    }
}

#[component]
fn PlanView(p: JobPlanResponse) -> impl IntoView {
    let diff = p.diff.clone().unwrap_or_default();
    let label = changes_label(&diff);
    let updates = p
        .annotations
        .clone()
        .map(|a| a.desired_tg_updates)
        .unwrap_or_default();
    view! {
        <section class="plan" data-testid="plan">
            <h2>{format!("Plan: {label}")}</h2>
            <DiffTree diff=diff/>
            <h2>"What the scheduler would do"</h2>
            <table class="table" data-testid="plan-updates">
                <thead><tr><th>"Group"</th><th class="num">"Place"</th><th class="num">"Destructive"</th><th class="num">"In place"</th><th class="num">"Stop"</th><th class="num">"Migrate"</th><th class="num">"Canary"</th><th class="num">"Ignore"</th></tr></thead>
                <tbody>
                    {updates.into_iter().map(|(g, u)| view! {
                        <tr data-group=g.clone()><td class="name">{g.clone()}</td>
                            <td class="num">{u.place}</td><td class="num">{u.destructive_update}</td><td class="num">{u.in_place_update}</td>
                            <td class="num">{u.stop}</td><td class="num">{u.migrate}</td><td class="num">{u.canary}</td><td class="num">{u.ignore}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(!p.failed_tg_allocs.is_empty()).then(|| view! {
                <h2>"Placement failures"</h2>
                {p.failed_tg_allocs.iter().map(|(g, m)| view! {
                    <div class="placement-failure" data-testid="placement-failure"><strong>{format!("Group \"{g}\": ")}</strong>{m.explain().join(" ")}</div>
                }).collect_view()}
            })}
            {(!p.created_evals.is_empty()).then(|| view! {
                <p class="muted">{format!("The scheduler would also create {} evaluation(s): ", p.created_evals.len())}
                    {p.created_evals.iter().map(|e| format!("{} ({}{})", format::short_id(&e.id), e.status, if e.status_description.is_empty() { String::new() } else { format!(": {}", e.status_description) })).collect::<Vec<_>>().join(", ")}
                </p>
            })}
            {p.next_periodic_launch.unix_nanos().map(|t| view! {
                <p data-testid="next-launch">"Next periodic launch: " <strong>{format::datetime_utc(t)}</strong></p>
            })}
            <p class="muted small">{format!("Job modify index {} — Run submits with EnforceIndex so a change made meanwhile is not overwritten.", p.job_modify_index)}</p>
        </section>
    }
}
