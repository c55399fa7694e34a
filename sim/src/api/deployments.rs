//! Deployments (`command/agent/deployment_endpoint.go`,
//! `nomad/deployment_endpoint.go`): list, read, allocations, and the
//! watcher's writes: promote, fail, pause/resume and allocation health.
//! The RPC errors are uncoded, so the agent answers them with 500.

use super::allocations::alloc_stub;
use super::http::{block, block_on, err, json_index, json_write, FilterPass, JsonBody, Params, R};
use crate::acl::Caller;
use crate::error::ApiResult;
use crate::sched;
use crate::state::{Cluster, Table};
use crate::Sim;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use nomad_model::*;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/deployments", get(list_deployments))
        .route("/v1/deployment/{id}", get(read_deployment))
        .route("/v1/deployment/allocations/{id}", get(deployment_allocs))
        .route("/v1/deployment/promote/{id}", post(promote).put(promote))
        .route("/v1/deployment/fail/{id}", post(fail).put(fail))
        .route("/v1/deployment/pause/{id}", post(pause).put(pause))
        .route(
            "/v1/deployment/allocation-health/{id}",
            post(alloc_health).put(alloc_health),
        )
}

async fn list_deployments(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    let scope = sim
        .store
        .read(|c| who.list_scope(&q, "read-job", &c.namespace_names()))?;
    let filter = FilterPass::new(q.filter()?, 400);
    let idx = block(&sim, &[Table::Deployments], &q).await?;
    let prefix = q.prefix();
    let v = sim.store.read(|c| {
        c.deployments
            .values()
            .filter(|d| scope.matches(&d.namespace) && d.id.starts_with(prefix))
            .filter(|d| filter.keep_with(|| serde_json::to_value(d).unwrap_or_default()))
            .cloned()
            .collect::<Vec<_>>()
    });
    filter.finish()?;
    Ok(json_index(&v, idx))
}

async fn read_deployment(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> R {
    let idx = block_on(&sim, &q, |c| {
        c.deployments
            .get(&id)
            .map(|d| d.modify_index)
            .unwrap_or_else(|| c.table(Table::Deployments))
    })
    .await?;
    // One in a namespace the token cannot read is answered as missing.
    let v = sim
        .store
        .read(|c| c.deployments.get(&id).cloned())
        .filter(|d| who.allow_ns(&d.namespace, "read-job"))
        .ok_or_else(|| err(404, "deployment not found"))?;
    Ok(json_index(&v, idx))
}

async fn deployment_allocs(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> R {
    let idx = block(&sim, &[Table::Allocs, Table::Deployments], &q).await?;
    let v = sim.store.read(|c| {
        c.allocs
            .values()
            .filter(|a| a.deployment_id == id && who.allow_ns(&a.namespace, "read-job"))
            .map(alloc_stub)
            .collect::<Vec<_>>()
    });
    Ok(json_index(&v, idx))
}

/// `structs.DeploymentUpdateResponse`.
fn update_response(eval_id: &str, eval_index: u64, idx: u64, reverted: Option<u64>) -> R {
    Ok(json_write(
        &json!({
            "EvalID": eval_id, "EvalCreateIndex": eval_index, "DeploymentModifyIndex": idx,
            "RevertedJobVersion": reverted, "Index": idx,
        }),
        idx,
    ))
}

/// The deployment, checked as every watcher write checks it: present,
/// writable by the caller (`submit-job` or the action's own capability),
/// and still active.
fn active(c: &Cluster, who: &Caller, id: &str, cap: &str, terminal: &str) -> ApiResult<Deployment> {
    let d = c
        .deployments
        .get(id)
        .cloned()
        .ok_or_else(|| err(500, "deployment not found"))?;
    who.ns_any(&d.namespace, &["submit-job", cap])?;
    if !d.is_active() {
        return Err(err(500, terminal));
    }
    Ok(d)
}

/// Checks the body's `DeploymentID` against the path.
fn same_id(body_id: &str, path_id: &str) -> ApiResult<()> {
    if body_id.is_empty() {
        return Err(err(400, "DeploymentID must be specified"));
    }
    if body_id != path_id {
        return Err(err(400, "Deployment ID does not match"));
    }
    Ok(())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PromoteRequest {
    #[serde(rename = "DeploymentID")]
    deployment_id: String,
    all: bool,
    groups: Vec<String>,
}

async fn promote(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PromoteRequest>,
) -> R {
    same_id(&req.deployment_id, &id)?;
    let (eid, eidx, idx) = sim.with_rng(|c, rng| {
        let d = active(
            c,
            &who,
            &id,
            "promote-deployment",
            "can't promote terminal deployment",
        )?;
        let unhealthy: Vec<String> = d
            .task_groups
            .iter()
            .filter(|(g, s)| {
                (req.all || req.groups.contains(g))
                    && s.desired_canaries > 0
                    && healthy_canaries(c, &d, g) < s.desired_canaries
            })
            .map(|(g, s)| {
                format!(
                    "Task group {g:?} has {}/{} healthy allocations",
                    healthy_canaries(c, &d, g),
                    s.desired_canaries
                )
            })
            .collect();
        if let Some(m) = crate::validate::multierror(&unhealthy) {
            return Err(err(500, m));
        }
        let idx = c.bump(&[Table::Deployments]);
        if let Some(d) = c.deployments.get_mut(&id) {
            for (g, s) in d.task_groups.iter_mut() {
                if req.all || req.groups.contains(g) {
                    s.promoted = true;
                }
            }
            if d.status == "running" {
                d.status_description = "Deployment is running".into();
            }
            d.modify_index = idx;
        }
        let (eid, eidx) = sched::evaluate(c, rng, &d.namespace, &d.job_id, "deployment-watcher");
        Ok((eid, eidx, idx))
    })?;
    update_response(&eid, eidx, idx, None)
}

fn healthy_canaries(c: &Cluster, d: &Deployment, group: &str) -> i64 {
    c.allocs
        .values()
        .filter(|a| {
            a.deployment_id == d.id
                && a.task_group == group
                && a.deployment_status
                    .as_ref()
                    .is_some_and(|s| s.canary && s.healthy == Some(true))
        })
        .count() as i64
}

/// Marks a deployment failed and, where a group asks for it, rolls back
/// to the latest stable version (`deploymentwatcher` `FailDeployment`).
fn fail_deployment(
    c: &mut Cluster,
    rng: &mut ChaCha8Rng,
    d: &Deployment,
    base: &str,
) -> (u64, Option<u64>) {
    let auto_revert = d.task_groups.values().any(|g| g.auto_revert);
    let target = auto_revert
        .then(|| {
            c.job(&d.namespace, &d.job_id).and_then(|j| {
                j.versions
                    .iter()
                    .find(|v| {
                        v["Stable"].as_bool() == Some(true)
                            && v["Version"].as_u64() != Some(d.job_version)
                    })
                    .cloned()
            })
        })
        .flatten();
    let description = match (&target, auto_revert) {
        (Some(t), _) => format!(
            "{base} - rolling back to job version {}",
            t["Version"].as_u64().unwrap_or(0)
        ),
        (None, true) => format!("{base} - no stable job version to auto revert to"),
        (None, false) => base.to_string(),
    };
    let idx = c.bump(&[Table::Deployments]);
    if let Some(dm) = c.deployments.get_mut(&d.id) {
        dm.status = "failed".into();
        dm.status_description = description;
        dm.modify_index = idx;
    }
    let reverted = target.map(|t| {
        let v = t["Version"].as_u64().unwrap_or(0);
        sched::register(c, rng, t, "rollback");
        v
    });
    (idx, reverted)
}

async fn fail(State(sim): State<Sim>, who: Caller, Path(id): Path<String>) -> R {
    let (eid, eidx, idx, reverted) = sim.with_rng(|c, rng| {
        let d = active(
            c,
            &who,
            &id,
            "fail-deployment",
            "can't fail terminal deployment",
        )?;
        let (idx, reverted) = fail_deployment(c, rng, &d, "Deployment marked as failed");
        let (eid, eidx) = sched::evaluate(c, rng, &d.namespace, &d.job_id, "deployment-watcher");
        Ok((eid, eidx, idx, reverted))
    })?;
    update_response(&eid, eidx, idx, reverted)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PauseRequest {
    #[serde(rename = "DeploymentID")]
    deployment_id: String,
    pause: bool,
}

async fn pause(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PauseRequest>,
) -> R {
    same_id(&req.deployment_id, &id)?;
    let terminal = if req.pause {
        "can't pause terminal deployment"
    } else {
        "can't resume terminal deployment"
    };
    let (eid, eidx, idx) = sim.with_rng(|c, rng| {
        let d = active(c, &who, &id, "pause-deployment", terminal)?;
        let idx = c.bump(&[Table::Deployments]);
        if let Some(d) = c.deployments.get_mut(&id) {
            (d.status, d.status_description) = if req.pause {
                ("paused".into(), "Deployment is paused".into())
            } else {
                ("running".into(), "Deployment is running".into())
            };
            d.modify_index = idx;
        }
        // Resuming creates an evaluation; pausing does not.
        let (eid, eidx) = if req.pause {
            (String::new(), 0)
        } else {
            sched::evaluate(c, rng, &d.namespace, &d.job_id, "deployment-watcher")
        };
        Ok((eid, eidx, idx))
    })?;
    update_response(&eid, eidx, idx, None)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct HealthRequest {
    #[serde(rename = "DeploymentID")]
    deployment_id: String,
    #[serde(rename = "HealthyAllocationIDs")]
    healthy: Vec<String>,
    #[serde(rename = "UnhealthyAllocationIDs")]
    unhealthy: Vec<String>,
}

async fn alloc_health(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<HealthRequest>,
) -> R {
    same_id(&req.deployment_id, &id)?;
    if req.healthy.is_empty() && req.unhealthy.is_empty() {
        return Err(err(
            500,
            "must specify at least one healthy/unhealthy allocation ID",
        ));
    }
    let (eid, eidx, idx, reverted) = sim.with_rng(|c, rng| {
        let d = active(
            c,
            &who,
            &id,
            "set-alloc-health-deployment",
            "can't set health of allocations for a terminal deployment",
        )?;
        for a in req.healthy.iter().chain(&req.unhealthy) {
            match c.allocs.get(a) {
                None => return Err(err(500, format!("unknown alloc {a:?}"))),
                Some(x) if x.deployment_id != id => {
                    return Err(err(
                        500,
                        format!("alloc {a:?} is not part of deployment {id:?}"),
                    ))
                }
                _ => {}
            }
        }
        let now = c.now();
        let idx = c.bump(&[Table::Allocs, Table::Deployments]);
        for (ids, healthy) in [(&req.healthy, true), (&req.unhealthy, false)] {
            for a in ids {
                if let Some(a) = c.allocs.get_mut(a) {
                    let s = a.deployment_status.get_or_insert_with(Default::default);
                    s.healthy = Some(healthy);
                    s.timestamp = WallTime::from_unix_nanos(now);
                    a.modify_index = idx;
                }
            }
        }
        let (idx, reverted) = if req.unhealthy.is_empty() {
            (idx, None)
        } else {
            fail_deployment(c, rng, &d, "Failed due to unhealthy allocations")
        };
        let (eid, eidx) = sched::evaluate(c, rng, &d.namespace, &d.job_id, "deployment-watcher");
        Ok((eid, eidx, idx, reverted))
    })?;
    update_response(&eid, eidx, idx, reverted)
}
