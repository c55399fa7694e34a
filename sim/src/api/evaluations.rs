//! Evaluations (`command/agent/eval_endpoint.go`, `nomad/eval_endpoint.go`):
//! the list (filter, legacy `job`/`status`, paging by create index), the
//! count, one evaluation with its related chain, and its allocations.

use super::allocations::alloc_stub;
use super::http::{block, block_on, err, json_index, page, paged, FilterPass, Params, R};
use crate::acl::Caller;
use crate::state::{Cluster, Table};
use crate::Sim;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use nomad_model::*;
use serde_json::{json, Value};
use std::collections::{BTreeSet, VecDeque};

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/evaluations", get(list_evals).delete(delete_evals))
        .route("/v1/evaluations/count", get(count_evals))
        .route("/v1/evaluation/{id}", get(read_eval))
        .route("/v1/evaluation/{id}/allocations", get(eval_allocs))
}

/// `structs.Evaluation` carries `codec:",omitempty"` on the whole struct:
/// zero and empty fields are left out of its JSON.
pub fn eval_json(e: &Evaluation) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.retain(|_, x| match x {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::String(s) => !s.is_empty() && s != "0001-01-01T00:00:00Z",
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
        });
    }
    v
}

/// `Evaluation.Stub`: every field present.
fn eval_stub(e: &Evaluation) -> Value {
    json!({
        "ID": e.id, "Namespace": e.namespace, "Priority": e.priority, "Type": e.eval_type,
        "TriggeredBy": e.triggered_by, "JobID": e.job_id, "NodeID": e.node_id,
        "DeploymentID": e.deployment_id, "Status": e.status,
        "StatusDescription": e.status_description, "WaitUntil": e.wait_until,
        "NextEval": e.next_eval, "PreviousEval": e.previous_eval, "BlockedEval": e.blocked_eval,
        "CreateIndex": e.create_index, "ModifyIndex": e.modify_index,
        "CreateTime": e.create_time, "ModifyTime": e.modify_time,
    })
}

async fn list_evals(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    let scope = sim
        .store
        .read(|c| who.list_scope(&q, "read-job", &c.namespace_names()))?;
    let filter = FilterPass::new(q.filter()?, 400);
    let (job, status) = (q.str("job").to_string(), q.str("status").to_string());
    // The legacy filters and an expression cannot be combined
    // (`structs.ErrIncompatibleFiltering`).
    if filter.is_some() && (!job.is_empty() || !status.is_empty()) {
        return Err(err(
            400,
            "Filter expression cannot be used with other filter parameters",
        ));
    }
    let per_page = q.per_page()?;
    let reverse = q.reverse();
    let prefix = q.prefix().to_string();
    let token = q.next_token().map(str::to_string);
    let idx = block(&sim, &[Table::Evals], &q).await?;
    let (bytes, next, filtered) = sim
        .store
        .read_off(move |c| {
            let mut v: Vec<&Evaluation> = c
                .evals
                .values()
                .filter(|e| scope.matches(&e.namespace) && e.id.starts_with(&prefix))
                .filter(|e| job.is_empty() || e.job_id == job)
                .filter(|e| status.is_empty() || e.status == status)
                .filter(|e| filter.keep_with(|| serde_json::to_value(e).unwrap_or_default()))
                .collect();
            // With a prefix the ID index orders (and tokens) the list;
            // otherwise create index, then ID.
            let by_id = !prefix.is_empty();
            let key = |e: &&Evaluation| {
                if by_id {
                    (0, e.id.clone())
                } else {
                    (e.create_index, e.id.clone())
                }
            };
            v.sort_by_key(key);
            if reverse {
                v.reverse();
            }
            let start = token.as_deref().and_then(|t| {
                if by_id {
                    Some((0, t.to_string()))
                } else {
                    let (i, id) = t.split_once('.')?;
                    Some((i.parse().ok()?, id.to_string()))
                }
            });
            let tok = |e: &&Evaluation| {
                if by_id {
                    e.id.clone()
                } else {
                    format!("{}.{}", e.create_index, e.id)
                }
            };
            let (v, next) = page(v, per_page, start, key, tok, reverse, |_| true);
            let out: Vec<Value> = v.into_iter().map(eval_json).collect();
            (serde_json::to_vec(&out), next, filter.finish())
        })
        .await;
    filtered?;
    paged(bytes, idx, next)
}

/// `DELETE /v1/evaluations` (`evalsDeleteRequest`, `Eval.Delete`): the
/// request is checked as the agent checks it; the broker of the simulated
/// server is never paused, so a valid request is refused as Nomad refuses
/// it then.
async fn delete_evals(who: Caller, body: axum::body::Bytes) -> R {
    if body.is_empty() {
        return Err(err(400, "Request body is empty"));
    }
    let v: Value = serde_json::from_slice(&body).map_err(|e| err(400, e.to_string()))?;
    let ids = v["EvalIDs"].as_array().map_or(0, Vec::len);
    let filter = v["Filter"].as_str().is_some_and(|f| !f.is_empty());
    match (ids > 0, filter) {
        (true, true) => return Err(err(400, "evals cannot be deleted by both ID and filter")),
        (false, false) => return Err(err(400, "evals must be deleted by either ID or filter")),
        _ if ids > 7281 => {
            return Err(err(
                400,
                format!("request includes {ids} evaluation IDs, must be 7281 or fewer"),
            ))
        }
        _ => {}
    }
    who.management()?;
    Err(err(
        500,
        "eval broker is enabled; eval broker must be paused to delete evals",
    ))
}

async fn count_evals(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    let scope = sim
        .store
        .read(|c| who.list_scope(&q, "read-job", &c.namespace_names()))?;
    let filter = FilterPass::new(q.filter().map_err(|e| err(500, e.text))?, 500);
    let idx = block(&sim, &[Table::Evals], &q).await?;
    let prefix = q.prefix();
    let n = sim.store.read(|c| {
        c.evals
            .values()
            .filter(|e| scope.matches(&e.namespace) && e.id.starts_with(prefix))
            .filter(|e| filter.keep_with(|| serde_json::to_value(e).unwrap_or_default()))
            .count()
    });
    filter.finish()?;
    Ok(json_index(
        &json!({"Count": n, "Index": idx, "KnownLeader": true, "LastContact": 0, "NextToken": ""}),
        idx,
    ))
}

/// `EvalsRelatedToID`: a breadth-first walk over next, previous and
/// blocked evaluations, without the evaluation itself.
fn related(c: &Cluster, id: &str) -> Vec<Value> {
    let mut seen = BTreeSet::from([id.to_string()]);
    let mut queue = VecDeque::from([id.to_string()]);
    let mut out = vec![];
    while let Some(cur) = queue.pop_front() {
        let Some(e) = c.evals.get(&cur) else { continue };
        if cur != id {
            out.push(eval_stub(e));
        }
        let mut links = vec![
            e.next_eval.clone(),
            e.previous_eval.clone(),
            e.blocked_eval.clone(),
        ];
        // Evaluations that name this one as their predecessor follow it.
        links.extend(
            c.evals
                .values()
                .filter(|o| o.previous_eval == cur)
                .map(|o| o.id.clone()),
        );
        for l in links {
            if !l.is_empty() && seen.insert(l.clone()) {
                queue.push_back(l);
            }
        }
    }
    out
}

async fn read_eval(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let idx = block_on(&sim, &q, |c| {
        c.evals
            .get(&id)
            .map(|e| e.modify_index)
            .unwrap_or_else(|| c.table(Table::Evals))
    })
    .await?;
    let want_related = q.get("related") == Some("true");
    let (e, rel) = sim
        .store
        .read(|c| {
            let e = c.evals.get(&id).cloned()?;
            let rel = if want_related {
                related(c, &id)
            } else {
                vec![]
            };
            Some((e, rel))
        })
        .ok_or_else(|| err(404, "eval not found"))?;
    who.ns(&e.namespace, "read-job")?;
    let mut v = eval_json(&e);
    if !rel.is_empty() {
        v["RelatedEvals"] = Value::Array(rel);
    }
    Ok(json_index(&v, idx))
}

async fn eval_allocs(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let idx = block(&sim, &[Table::Allocs], &q).await?;
    let v = sim.store.read(|c| {
        c.allocs
            .values()
            .filter(|a| a.eval_id == id && who.allow_ns(&a.namespace, "read-job"))
            .map(alloc_stub)
            .collect::<Vec<_>>()
    });
    Ok(json_index(&v, idx))
}
