//! Every version with its stable flag, submit time and change count; the
//! structured diff against its predecessor (from the agent) or against any
//! other version (computed in the browser with Nomad's diff semantics);
//! revert (with `EnforcePriorVersion`), mark/unmark stable, and tag or untag
//! a version (Nomad 1.9+; a tag names a version, keeps it from garbage
//! collection, and is offered as a base to compare with).

use super::diff::{changes_label, DiffTree};
use super::JobIdent;
use crate::api::paths;
use crate::api::watch::use_watch_with;
use crate::api::{use_api, WatchOpts};
use crate::components::*;
use crate::pages::{use_query_param, use_query_setter};
use leptos::prelude::*;
use nomad_model::diffcalc::job_diff;
use nomad_model::{Job, JobDiff, JobRevertRequest, JobStabilityRequest, TagVersionRequest};
use std::sync::Arc;

/// Versions (newest first) as typed jobs and raw JSON, with the agent's
/// consecutive diffs.
pub struct Versions {
    pub jobs: Vec<Job>,
    pub raw: Vec<serde_json::Value>,
    pub diffs: Vec<JobDiff>,
}

impl Versions {
    fn decode(b: &[u8]) -> Result<Self, String> {
        let typed: nomad_model::JobVersionsResponse =
            serde_json::from_slice(b).map_err(|e| e.to_string())?;
        let raw: serde_json::Value = serde_json::from_slice(b).map_err(|e| e.to_string())?;
        let raw = match raw {
            serde_json::Value::Array(a) => a,
            v => v
                .get("Versions")
                .and_then(|v| v.as_array())
                .cloned()
                .unwrap_or_default(),
        };
        Ok(Versions {
            jobs: typed.versions,
            raw,
            diffs: typed.diffs,
        })
    }

    /// The diff of `v` against `against`: the agent's when `against` is its
    /// predecessor, else computed here.
    fn diff(&self, v: usize, against: Option<usize>) -> (JobDiff, bool) {
        let against = against.unwrap_or(v + 1);
        if against == v + 1 {
            if let Some(d) = self.diffs.get(v) {
                return (d.clone(), false);
            }
        }
        (
            job_diff(self.raw.get(against), self.raw.get(v), false),
            true,
        )
    }
}

/// What can be done to a version.
#[derive(Clone, Debug, PartialEq)]
enum VersionAction {
    Revert,
    ToggleStable,
    /// Name the selected version: the tag's name and description.
    Tag(String, String),
    Untag(String),
}

#[component]
pub fn Versions(job: Memo<Job>) -> impl IntoView {
    let JobIdent(ident) = expect_context::<JobIdent>();
    let watch = use_watch_with::<Versions>(
        move || {
            ident.get().map(|(ns, id)| {
                (
                    paths::job(&id, "/versions"),
                    vec![("namespace", ns), ("diffs", "true".into())],
                )
            })
        },
        WatchOpts::default(),
        Versions::decode,
    );
    view! { <Live watch label="Loading versions…" children=move |vs| view! { <VersionsView vs job/> }/> }
}

#[component]
fn VersionsView(vs: Signal<Arc<Versions>>, job: Memo<Job>) -> impl IntoView {
    let api = use_api();
    let sel = use_query_param("v");
    let against = use_query_param("against");
    let set = use_query_setter();
    let show_all = RwSignal::new(false);
    let confirm_revert = RwSignal::new(false);
    let tagging = RwSignal::new(false);
    let tag_name = RwSignal::new(String::new());
    let tag_desc = RwSignal::new(String::new());
    // index into the newest-first list
    let selected = Memo::new(move |_| {
        let want = sel.get().parse::<u64>().ok();
        vs.with(|v| {
            want.and_then(|w| v.jobs.iter().position(|j| j.version == w))
                .unwrap_or(0)
        })
    });
    let against_idx = Memo::new(move |_| {
        let want = against.get().parse::<u64>().ok();
        vs.with(|v| want.and_then(|w| v.jobs.iter().position(|j| j.version == w)))
    });
    let current = Memo::new(move |_| vs.with(|v| v.jobs.first().map(|j| j.version).unwrap_or(0)));
    let shown = Memo::new(move |_| vs.with(|v| v.diff(selected.get(), against_idx.get())));
    let diff = Signal::derive(move || shown.with(|(d, _)| d.clone()));
    let sel_job =
        Memo::new(move |_| vs.with(|v| v.jobs.get(selected.get()).cloned().unwrap_or_default()));
    let set_v = set.clone();
    let set_a = set.clone();
    let action = Action::new_local(move |a: &VersionAction| {
        let a = a.clone();
        let (id, ns) = job.with_untracked(|j| j.ident());
        let (version, stable) = sel_job.with_untracked(|j| (j.version, j.stable));
        let prior = current.get_untracked();
        confirm_revert.set(false);
        tagging.set(false);
        async move {
            match a {
                VersionAction::Revert => {
                    let req = JobRevertRequest {
                        job_id: id.clone(),
                        job_version: version,
                        enforce_prior_version: Some(prior),
                    };
                    api.revert_job(&id, &ns, &req).await.map(|r| {
                        format!(
                            "Reverted to version {version}: evaluation {} created.",
                            nomad_model::format::short_id(&r.eval_id)
                        )
                    })
                }
                VersionAction::Tag(name, description) => {
                    let req = TagVersionRequest {
                        version,
                        description,
                    };
                    api.tag_job_version(&id, &ns, &name, &req)
                        .await
                        .map(|_| format!("Version {version} tagged {name}."))
                }
                VersionAction::Untag(name) => api
                    .untag_job_version(&id, &ns, &name)
                    .await
                    .map(|_| format!("Tag {name} removed from version {version}.")),
                VersionAction::ToggleStable => {
                    let req = JobStabilityRequest {
                        job_id: id.clone(),
                        job_version: version,
                        stable: !stable,
                    };
                    api.set_job_stability(&id, &ns, &req).await.map(|_| {
                        format!(
                            "Version {version} marked {}.",
                            if stable { "unstable" } else { "stable" }
                        )
                    })
                }
            }
        }
    });
    let busy = action.pending();
    view! {
        <div class="versions">
            <ol class="version-list" data-testid="version-list">
                {move || vs.with(|v| {
                    v.jobs.iter().enumerate().map(|(i, j)| {
                        let count = v.diffs.get(i).map(changes_label).unwrap_or_else(|| if i + 1 == v.jobs.len() { "first version".into() } else { String::new() });
                        let version = j.version;
                        let set = set_v.clone();
                        view! {
                            <li class:selected=move || selected.get() == i data-version=version>
                                <button class="version-item" on:click=move |_| set(&[("v", version.to_string()), ("against", String::new())])>
                                    <span class="vnum">{format!("v{version}")}</span>
                                    {j.stable.then(|| view! { <span class="badge badge-successful">"stable"</span> })}
                                    {j.version_tag.as_ref().map(|t| view! { <span class="tag" data-testid="version-tag" title=t.description.clone()>{t.name.clone()}</span> })}
                                    {(i == 0).then(|| view! { <span class="badge">"current"</span> })}
                                    <span class="muted small">{count}</span>
                                    <span class="muted small"><RelTime at=j.submit_time/></span>
                                </button>
                            </li>
                        }
                    }).collect_view()
                })}
            </ol>
            <div class="version-detail">
                <div class="version-toolbar">
                    <strong data-testid="compare-title">{move || {
                        let v = sel_job.with(|j| j.version);
                        let a = against_idx.get().map(|a| vs.with(|x| x.jobs[a].version)).or_else(|| vs.with(|x| x.jobs.get(selected.get() + 1).map(|j| j.version)));
                        match a { Some(a) => format!("Version {v} compared with version {a}"), None => format!("Version {v} (the first)") }
                    }}</strong>
                    <label class="selector-inline">"Compare with "
                        <select data-testid="compare-select" prop:value=move || against.get() on:change=move |ev| set_a(&[("against", event_target_value(&ev))])>
                            <option value="">"its predecessor"</option>
                            {move || vs.with(|v| v.jobs.iter().map(|j| {
                                let n = j.version.to_string();
                                let label = match &j.version_tag {
                                    Some(t) => format!("version {n} · {}", t.name),
                                    None => format!("version {n}"),
                                };
                                view! { <option value=n.clone()>{label}</option> }
                            }).collect_view())}
                        </select>
                    </label>
                    <label class="selector-inline"><input type="checkbox" prop:checked=move || show_all.get() on:change=move |ev| show_all.set(event_target_checked(&ev))/>" show unchanged"</label>
                    <span class="spacer"></span>
                    <button class="button" data-action="stable" disabled=move || busy.get() on:click=move |_| { action.dispatch(VersionAction::ToggleStable); }>{move || if sel_job.with(|j| j.stable) { "Unmark stable" } else { "Mark stable" }}</button>
                    {move || match sel_job.with(|j| j.version_tag.as_ref().map(|t| t.name.clone())) {
                        Some(name) => view! {
                            <button class="button" data-action="untag" disabled=move || busy.get()
                                on:click=move |_| { action.dispatch(VersionAction::Untag(name.clone())); }>"Remove tag"</button>
                        }.into_any(),
                        None => view! {
                            <button class="button" data-action="tag" on:click=move |_| { action.value().set(None); tagging.set(true) }>"Tag…"</button>
                        }.into_any(),
                    }}
                    {move || (selected.get() != 0).then(|| view! { <button class="button" data-action="revert" on:click=move |_| confirm_revert.set(true)>"Revert to this version…"</button> })}
                </div>
                {move || confirm_revert.get().then(|| view! {
                    <Confirm action="revert" label="Revert" disabled=busy
                        on_confirm=move |_| { action.dispatch(VersionAction::Revert); } on_cancel=move |_| confirm_revert.set(false)>
                        <p>{move || format!("Revert the job to version {}? This submits it again as a new version (only if the job is still at version {}).", sel_job.with(|j| j.version), current.get())}</p>
                    </Confirm>
                })}
                {move || tagging.get().then(|| view! {
                    <Confirm testid="confirm-tag" action="tag" label="Tag version" class="button primary"
                        disabled=Signal::derive(move || busy.get() || tag_name.with(|n| n.trim().is_empty()))
                        on_confirm=move |_| { action.dispatch(VersionAction::Tag(tag_name.get_untracked().trim().to_string(), tag_desc.get_untracked())); }
                        on_cancel=move |_| tagging.set(false)>
                        <p>{move || format!("Name version {}: the name stays with it, keeps it from garbage collection, and can be compared with.", sel_job.with(|j| j.version))}</p>
                        <input class="input" data-testid="tag-name" placeholder="Name, e.g. release-1.4" prop:value=move || tag_name.get() on:input=move |ev| tag_name.set(event_target_value(&ev))/>
                        <input class="input" data-testid="tag-description" placeholder="Description (optional)" prop:value=move || tag_desc.get() on:input=move |ev| tag_desc.set(event_target_value(&ev))/>
                    </Confirm>
                })}
                <ActionResult result=action.value() ok=|m: String| m/>
                {move || shown.with(|(_, local)| *local).then(|| view! { <p class="muted small">"Diff computed in the browser with Nomad's diff rules."</p> })}
                <DiffTree diff show_unchanged=Signal::derive(move || show_all.get())/>
            </div>
        </div>
    }
}
