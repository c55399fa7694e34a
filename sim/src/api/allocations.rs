//! Allocations (`command/agent/alloc_endpoint.go`): the list (paged by
//! create index, filtered, with `resources` and `task_states` fields), one
//! allocation, and stop.

use super::http::{
    block, block_on, err, json_index, json_write, page, paged, FilterPass, Params, R,
};
use crate::acl::Caller;
use crate::sched;
use crate::state::Table;
use crate::Sim;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use nomad_model::*;
use serde_json::{json, Value};

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/allocations", get(list_allocs))
        .route("/v1/allocation/{id}", get(read_alloc))
        .route("/v1/allocation/{id}/stop", post(stop_alloc).put(stop_alloc))
        .route(
            "/v1/allocation/{id}/services",
            get(super::services::alloc_services),
        )
        .route(
            "/v1/allocation/{id}/checks",
            get(super::services::alloc_checks),
        )
}

/// `Allocation.Stub`: the list entry, without the job and resources.
pub fn alloc_stub(a: &Allocation) -> Allocation {
    Allocation {
        job: None,
        resources: None,
        shared_resources: None,
        task_resources: Default::default(),
        metrics: None,
        ..a.clone()
    }
}

async fn list_allocs(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    let scope = sim
        .store
        .read(|c| who.list_scope(&q, "read-job", &c.namespace_names()))?;
    let resources = q.bool("resources")?;
    // Absent or empty is the default (task states included).
    let task_states = q.str("task_states").is_empty() || q.bool("task_states")?;
    let filter = FilterPass::new(q.filter()?, 400);
    let per_page = q.per_page()?;
    let reverse = q.reverse();
    let idx = block(&sim, &[Table::Allocs], &q).await?;
    let prefix = q.prefix().to_string();
    // Paged by create index as Nomad 1.3+ does for allocations
    // (`reverse=true`: newest first), the token `<create index>.<id>`.
    let start: Option<(u64, String)> = q.next_token().and_then(|t| {
        let (i, id) = t.split_once('.')?;
        Some((i.parse().ok()?, id.to_string()))
    });
    let (bytes, next, filtered) = sim
        .store
        .read_off(move |c| {
            let keep = |a: &&Allocation| {
                filter.keep_with(|| serde_json::to_value(a).unwrap_or(Value::Null))
            };
            let mut v: Vec<&Allocation> = c
                .allocs
                .values()
                .filter(|a| scope.matches(&a.namespace) && a.id.starts_with(&prefix))
                .collect();
            let mut next = None;
            if per_page.is_some() || start.is_some() || reverse {
                v.sort_unstable_by(|a, b| (a.create_index, &a.id).cmp(&(b.create_index, &b.id)));
                if reverse {
                    v.reverse();
                }
                let key = |a: &&Allocation| (a.create_index, a.id.clone());
                let token = |a: &&Allocation| format!("{}.{}", a.create_index, a.id);
                (v, next) = page(v, per_page, start, key, token, reverse, keep);
            } else {
                v.retain(keep);
            }
            let v = v
                .into_iter()
                .map(|a| {
                    let mut s = alloc_stub(a);
                    if !task_states {
                        s.task_states.clear();
                    }
                    let mut j = serde_json::to_value(s).unwrap_or(Value::Null);
                    // `AllocStubFields.Resources`: only when asked for.
                    if !resources {
                        j["AllocatedResources"] = Value::Null;
                    }
                    if !task_states {
                        j["TaskStates"] = Value::Null;
                    }
                    j
                })
                .collect::<Vec<_>>();
            (serde_json::to_vec(&v), next, filter.finish())
        })
        .await;
    filtered?;
    paged(bytes, idx, next)
}

/// One allocation with the job version it runs embedded.
async fn read_alloc(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let idx = block_on(&sim, &q, |c| {
        c.allocs
            .get(&id)
            .map(|a| a.modify_index)
            .unwrap_or_else(|| c.table(Table::Allocs))
    })
    .await?;
    let v = sim
        .store
        .read(|c| {
            c.allocs.get(&id).map(|a| {
                let mut a = a.clone();
                a.job = c.job(&a.namespace, &a.job_id).and_then(|j| {
                    j.version(a.job_version)
                        .or(Some(&j.spec))
                        .and_then(|v| serde_json::from_value(v.clone()).ok())
                });
                a
            })
        })
        .ok_or_else(|| err(404, "alloc not found"))?;
    // A denied read is answered as unknown (`Alloc.GetAlloc`).
    if !who.allow_ns(&v.namespace, "read-job") {
        return Err(err(500, format!("Unknown allocation {id:?}")));
    }
    Ok(json_index(&v, idx))
}

/// `Alloc.Stop`: the allocation is marked to migrate and an evaluation
/// (`alloc-stop`) replaces it.
async fn stop_alloc(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    q.bool("no_shutdown_delay")?;
    q.bool("reschedule")?;
    let a = sim
        .store
        .read(|c| c.allocs.get(&id).cloned())
        .ok_or_else(|| err(404, "allocation not found"))?;
    who.ns(&a.namespace, "alloc-lifecycle")?;
    let (eval_id, idx) = sim.with_rng(|c, rng| {
        let now = c.now();
        let idx = c.bump(&[Table::Allocs]);
        if let Some(a) = c.allocs.get_mut(&id) {
            if !a.is_terminal() {
                sched::stop_alloc(a, "alloc is being migrated", idx, now);
            }
            a.desired_transition = Some(DesiredTransition {
                migrate: Some(true),
                ..Default::default()
            });
        }
        sched::evaluate(c, rng, &a.namespace, &a.job_id, "alloc-stop")
    });
    Ok(json_write(&json!({"EvalID": eval_id, "Index": idx}), idx))
}
