//! Node actions: drain (deadline presets or a custom one, force, ignore
//! system jobs), cancel a drain (optionally marking the node eligible),
//! toggle eligibility, create a node evaluation, garbage-collect the
//! node's stopped allocations, and purge (confirmed by typing the node's
//! name). Each shows what happened.

use crate::api::{use_api, ApiError};
use crate::components::{ActionResult, Confirm};
use leptos::prelude::*;
use nomad_model::node::{parse_deadline, DRAIN_PRESETS};
use nomad_model::{format, DrainSpec, Nanos, Node, NodeDrainRequest};
use std::sync::Arc;

/// What can be done to a node.
#[derive(Clone, Copy, Debug, PartialEq)]
enum NodeAction {
    Drain,
    StopDrain,
    Eligibility(bool),
    Evaluate,
    Gc,
    Purge,
}

/// Which form or confirmation is open.
#[derive(Clone, Copy, PartialEq)]
enum Panel {
    None,
    Drain,
    Cancel,
    Purge,
    Gc,
}

#[component]
pub fn NodeActions(n: Signal<Arc<Node>>) -> impl IntoView {
    let api = use_api();
    let panel = RwSignal::new(Panel::None);
    // drain form
    let preset = RwSignal::new("0".to_string()); // index into DRAIN_PRESETS, or "custom"
    let custom = RwSignal::new(String::new());
    let force = RwSignal::new(false);
    let ignore_system = RwSignal::new(false);
    let mark_eligible = RwSignal::new(true);
    let navigate = StoredValue::new_local(leptos_router::hooks::use_navigate());

    let draining = Memo::new(move |_| n.with(|n| n.drain_strategy.is_some()));
    let eligible = Memo::new(move |_| n.with(|n| n.scheduling_eligibility == "eligible"));
    let name = Memo::new(move |_| n.with(|n| n.name.clone()));
    let deadline = Memo::new(move |_| -> Result<Nanos, String> {
        if force.get() {
            return Ok(Nanos(-1));
        }
        match preset.get().as_str() {
            "custom" => parse_deadline(&custom.get()),
            i => Ok(Nanos(
                DRAIN_PRESETS
                    .get(i.parse::<usize>().unwrap_or(0))
                    .map(|p| p.1)
                    .unwrap_or(0),
            )),
        }
    });

    // The navigate function is taken at dispatch: the page may be torn
    // down (its resource answering 404) before a purge's request returns.
    let action = Action::new_local(move |a: &NodeAction| {
        let a = *a;
        let id = n.with_untracked(|n| n.id.clone());
        let nav = navigate.with_value(|n| n.clone());
        let (drain_deadline, ignore, mark) = (
            deadline.get_untracked().unwrap_or(Nanos(0)),
            ignore_system.get_untracked(),
            mark_eligible.get_untracked(),
        );
        let node_name = name.get_untracked();
        async move {
            let evals = |v: &[String]| -> String {
                if v.is_empty() {
                    String::new()
                } else {
                    format!(
                        " Evaluations created: {}.",
                        v.iter()
                            .map(|e| format::short_id(e).to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            };
            let r: Result<String, ApiError> = match a {
                NodeAction::Drain => {
                    let req = NodeDrainRequest {
                        node_id: id.clone(),
                        drain_spec: Some(DrainSpec {
                            deadline: drain_deadline,
                            ignore_system_jobs: ignore,
                        }),
                        mark_eligible: false,
                        ..Default::default()
                    };
                    api.node_drain(&id, &req)
                        .await
                        .map(|r| format!("Drain started.{}", evals(&r.eval_ids)))
                }
                NodeAction::StopDrain => {
                    let req = NodeDrainRequest {
                        node_id: id.clone(),
                        drain_spec: None,
                        mark_eligible: mark,
                        ..Default::default()
                    };
                    api.node_drain(&id, &req).await.map(|_| {
                        if mark {
                            "Drain cancelled; the node is eligible for new allocations.".to_string()
                        } else {
                            "Drain cancelled; the node stays ineligible.".to_string()
                        }
                    })
                }
                NodeAction::Eligibility(eligible) => {
                    let word = if eligible { "eligible" } else { "ineligible" };
                    api.node_eligibility(&id, eligible)
                        .await
                        .map(|_| format!("The node is now {word} for scheduling."))
                }
                NodeAction::Evaluate => api.node_evaluate(&id).await.map(|r| {
                    if r.eval_ids.is_empty() {
                        "Evaluation requested; nothing to re-evaluate on this node.".to_string()
                    } else {
                        format!("Node evaluated.{}", evals(&r.eval_ids))
                    }
                }),
                NodeAction::Gc => api.gc_node(&id).await.map(|_| {
                    "Stopped allocations on this node were garbage collected.".to_string()
                }),
                NodeAction::Purge => {
                    let r = api.node_purge(&id).await;
                    if r.is_ok() {
                        let url = crate::routes::href_with("/clients", &[("purged", &node_name)]);
                        crate::pages::go(&nav, &url);
                    }
                    r.map(|_| "The node was purged.".to_string())
                }
            };
            if r.is_ok() {
                panel.set(Panel::None);
            }
            r
        }
    });
    let busy = action.pending();
    let result = action.value();
    let run = move |a: NodeAction| {
        action.dispatch(a);
    };
    let open = move |p: Panel| {
        result.set(None);
        panel.set(if panel.get_untracked() == p {
            Panel::None
        } else {
            p
        });
    };

    // the command palette's "Drain client …" opens the same panel
    // (asked once: the request leaves the URL, so a reload does not ask again)
    if crate::pages::use_query_param("do").get_untracked() == "drain" {
        if !draining.get_untracked() {
            open(Panel::Drain);
        }
        crate::pages::use_query_setter()(&[("do", String::new())]);
    }
    view! {
        <div class="actions" data-testid="node-actions">
            <Show when=move || !draining.get() fallback=move || view! {
                <button class="button" data-action="cancel-drain" disabled=move || busy.get() on:click=move |_| open(Panel::Cancel)>"Stop drain…"</button>
            }>
                <button class="button" data-action="drain" disabled=move || busy.get() on:click=move |_| open(Panel::Drain)>"Drain…"</button>
            </Show>
            <button class="button" data-action="eligibility" disabled=move || busy.get() || (draining.get() && !eligible.get())
                title=move || if draining.get() { "A draining node stays ineligible; stop the drain first" } else { "" }
                on:click=move |_| run(NodeAction::Eligibility(!eligible.get_untracked()))>
                {move || if eligible.get() { "Mark ineligible" } else { "Mark eligible" }}
            </button>
            <button class="button" data-action="evaluate" disabled=move || busy.get() on:click=move |_| run(NodeAction::Evaluate)>"Evaluate"</button>
            <button class="button" data-action="gc" disabled=move || busy.get() on:click=move |_| open(Panel::Gc)>"Collect garbage…"</button>
            <button class="button danger" data-action="purge" disabled=move || busy.get() on:click=move |_| open(Panel::Purge)>"Purge…"</button>
        </div>
        {move || match panel.get() {
            Panel::Drain => view! {
                <div class="confirm drain-form" role="dialog" data-testid="drain-form">
                    <p><strong>"Drain " {move || name.get()}</strong>" — the node becomes ineligible and its allocations migrate to other nodes."</p>
                    <label>"Deadline "
                        <select data-testid="drain-deadline" prop:value=move || preset.get() disabled=move || force.get() on:change=move |ev| preset.set(event_target_value(&ev))>
                            {DRAIN_PRESETS.iter().enumerate().map(|(i, (label, _))| view! { <option value=i.to_string()>{*label}</option> }).collect_view()}
                            <option value="custom">"Custom…"</option>
                        </select>
                    </label>
                    {move || (preset.get() == "custom" && !force.get()).then(|| view! {
                        <input class="input" type="text" placeholder="e.g. 90m or 2h30m" data-testid="drain-custom" aria-label="Custom deadline"
                            prop:value=move || custom.get() on:input=move |ev| custom.set(event_target_value(&ev))/>
                    })}
                    <label class="check"><input type="checkbox" data-testid="drain-force" prop:checked=move || force.get() on:change=move |ev| force.set(event_target_checked(&ev))/>" Force: stop allocations now (deadline -1)"</label>
                    <label class="check"><input type="checkbox" data-testid="drain-ignore-system" prop:checked=move || ignore_system.get() on:change=move |ev| ignore_system.set(event_target_checked(&ev))/>" Leave system jobs running"</label>
                    <p class="muted" data-testid="drain-summary">{move || match deadline.get() {
                        Ok(Nanos(-1)) => "Allocations stop immediately.".to_string(),
                        Ok(Nanos(0)) => "No deadline: allocations migrate as their jobs allow.".to_string(),
                        Ok(d) => format!("Allocations still running after {} are stopped.", format::duration(d)),
                        Err(e) => e,
                    }}</p>
                    <button class="button danger" data-confirm="drain" disabled=move || busy.get() || deadline.with(|d| d.is_err()) on:click=move |_| run(NodeAction::Drain)>"Start drain"</button>
                    <button class="button" on:click=move |_| panel.set(Panel::None)>"Cancel"</button>
                </div>
            }.into_any(),
            Panel::Cancel => view! {
                <Confirm testid="cancel-drain" action="cancel-drain" label="Stop drain" class="button primary" cancel_label="Keep draining"
                    disabled=busy on_confirm=move |_| run(NodeAction::StopDrain) on_cancel=move |_| panel.set(Panel::None)>
                    <p>"Stop draining " <strong>{move || name.get()}</strong>"? Allocations already moved stay where they are."</p>
                    <label class="check"><input type="checkbox" data-testid="mark-eligible" prop:checked=move || mark_eligible.get() on:change=move |ev| mark_eligible.set(event_target_checked(&ev))/>" Mark the node eligible for new allocations"</label>
                </Confirm>
            }.into_any(),
            Panel::Gc => view! {
                <Confirm testid="confirm-gc" action="gc" label="Collect garbage" disabled=busy
                    on_confirm=move |_| run(NodeAction::Gc) on_cancel=move |_| panel.set(Panel::None)>
                    <p>"Garbage collect every stopped allocation on " <strong>{move || name.get()}</strong>"? Their directories and logs are deleted from the client."</p>
                </Confirm>
            }.into_any(),
            Panel::Purge => view! {
                <Confirm testid="confirm-purge" action="purge" label="Purge node" type_to_confirm=name input_testid="purge-name" disabled=busy
                    on_confirm=move |_| run(NodeAction::Purge) on_cancel=move |_| panel.set(Panel::None)>
                    <p>"Purge " <strong>{move || name.get()}</strong>" from the cluster? Its allocations are marked lost and rescheduled. A running client registers again. Type the node's name to confirm."</p>
                </Confirm>
            }.into_any(),
            Panel::None => ().into_any(),
        }}
        <ActionResult result ok=|msg: String| msg/>
    }
}
