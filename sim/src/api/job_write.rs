//! Changing jobs: register and update (with `EnforceIndex` and
//! submissions), stop and purge, force evaluation, stable flags, revert,
//! periodic force-launch, dispatch and scaling (`command/agent/job_endpoint.go`,
//! `nomad/job_endpoint.go`).

use super::http::{err, json, JsonBody, Params, R};
use crate::acl::Caller;
use crate::error::{ApiError, ApiResult};
use crate::sched;
use crate::state::Cluster;
use crate::Sim;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub fn routes() -> Router<Sim> {
    Router::new()
        .route(
            "/v1/job/{id}/evaluate",
            post(job_evaluate).put(job_evaluate),
        )
        .route("/v1/job/{id}/stable", post(job_stable).put(job_stable))
        .route("/v1/job/{id}/revert", post(job_revert).put(job_revert))
        .route(
            "/v1/job/{id}/periodic/force",
            post(job_periodic_force).put(job_periodic_force),
        )
        .route(
            "/v1/job/{id}/dispatch",
            post(job_dispatch).put(job_dispatch),
        )
}

/// `structs.JobRegisterResponse` (its `QueryMeta` inlined, as Go embeds it).
fn register_json(
    eval_id: &str,
    eval_index: u64,
    job_modify_index: u64,
    warnings: &str,
) -> Response {
    json(&json!({
        "EvalID": eval_id, "EvalCreateIndex": eval_index, "JobModifyIndex": job_modify_index,
        "Warnings": warnings, "Index": eval_index.max(job_modify_index), "LastContact": 0,
        "KnownLeader": false, "NextToken": "",
    }))
}

fn register_response(o: &sched::RegisterOutcome) -> Response {
    register_json(&o.eval_id, o.eval_index, o.job_modify_index, "")
}

/// `api.JobRegisterRequest` as far as the simulator acts on it.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RegisterRequest {
    job: Option<Value>,
    enforce_index: bool,
    job_modify_index: u64,
    submission: Option<Value>,
    eval_priority: i64,
}

async fn do_register(sim: &Sim, who: &Caller, path_id: Option<&str>, body: &[u8]) -> R {
    let req: RegisterRequest = JsonBody::decode(body)?;
    let Some(job) = req.job.filter(Value::is_object) else {
        return Err(err(400, "Job must be specified"));
    };
    let Some(id) = job.get("ID").and_then(Value::as_str).map(str::to_string) else {
        return Err(err(400, "Job ID hasn't been provided"));
    };
    if path_id.is_some_and(|p| p != id) {
        return Err(err(400, "Job ID does not match name"));
    }
    if req.eval_priority != 0 && !(1..=100).contains(&req.eval_priority) {
        return Err(err(400, "Eval priority must be between 1 and 100"));
    }
    let mut job = job;
    let region = sim.store.read(|c| c.region.clone());
    crate::canon::canonicalize_job(&mut job, &region);
    let ns = job["Namespace"].as_str().unwrap_or("default").to_string();
    who.ns(&ns, "submit-job")?;
    crate::validate::job(&job).map_err(ApiError::internal)?;
    let out = sim.with_rng(|c, rng| {
        if !c.namespaces.contains_key(&ns) {
            return Err(err(
                500,
                format!("job {id:?} is in nonexistent namespace {ns:?}"),
            ));
        }
        if req.enforce_index {
            enforce_index(c, &ns, &id, req.job_modify_index)?;
        }
        let out = sched::register(c, rng, job, "job-register");
        if let Some(s) = req.submission.filter(Value::is_object) {
            c.store_submission(&ns, &id, s);
        }
        Ok(out)
    })?;
    Ok(register_response(&out))
}

/// `EnforceIndex`: register only over the job modify index the caller saw.
fn enforce_index(c: &Cluster, ns: &str, id: &str, want: u64) -> ApiResult<()> {
    let cur = c
        .job(ns, id)
        .and_then(|j| j.spec["JobModifyIndex"].as_u64());
    let msg = match (cur, want) {
        (None, 0) => return Ok(()),
        (None, want) => format!("Enforcing job modify index {want}: job does not exist"),
        (Some(_), 0) => "Enforcing job modify index 0: job already exists".to_string(),
        (Some(have), want) if have != want => format!(
            "Enforcing job modify index {want}: job exists with conflicting job modify index: {have}"
        ),
        _ => return Ok(()),
    };
    Err(err(500, msg))
}

pub async fn register_job(State(sim): State<Sim>, who: Caller, body: Bytes) -> R {
    do_register(&sim, &who, None, &body).await
}

pub async fn update_job(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> R {
    do_register(&sim, &who, Some(&id), &body).await
}

/// `DELETE /v1/job/:id`: a stop records a new version with `Stop: true`;
/// `purge` removes the job. An unknown job is not an error (the RPC
/// returns an empty answer).
pub async fn stop_job(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let ns = q.namespace();
    let purge = q.bool("purge")?;
    q.bool("global")?;
    let caps: &[&str] = if purge {
        &["submit-job", "purge-job"]
    } else {
        &["submit-job", "purge-job", "deregister-job"]
    };
    who.ns_any(&ns, caps)?;
    let out = sim.with_rng(|c, rng| {
        let Some(job) = c.job(&ns, &id).map(|j| j.spec.clone()) else {
            return (String::new(), 0, 0);
        };
        let periodic_or_param = job["Periodic"]["Enabled"].as_bool() == Some(true)
            || job["ParameterizedJob"].is_object();
        let mut stopped = job;
        stopped["Stop"] = json!(true);
        sched::store_version(c, stopped);
        let (eval_id, idx) = if periodic_or_param {
            (String::new(), c.index)
        } else {
            sched::evaluate(c, rng, &ns, &id, "job-deregister")
        };
        if purge {
            c.purge_job(&ns, &id);
        }
        (eval_id, idx, c.index)
    });
    let (eval_id, eval_index, index) = out;
    Ok(json(&json!({
        "EvalID": eval_id, "EvalCreateIndex": eval_index, "JobModifyIndex": index,
        "VolumeEvalID": "", "VolumeEvalIndex": 0,
        "Index": index, "LastContact": 0, "KnownLeader": false, "NextToken": "",
    })))
}

async fn job_evaluate(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let ns = q.namespace();
    who.ns_any(&ns, &["submit-job", "evaluate-job"])?;
    let (eid, idx) = sim.with_rng(|c, rng| {
        let j = c.job(&ns, &id).ok_or_else(|| err(500, "job not found"))?;
        if j.spec["Periodic"]["Enabled"].as_bool() == Some(true) {
            return Err(err(500, "can't evaluate periodic job"));
        }
        if j.spec["ParameterizedJob"].is_object() {
            return Err(err(500, "can't evaluate parameterized job"));
        }
        Ok(sched::evaluate(c, rng, &ns, &id, "job-eval"))
    })?;
    Ok(register_json(&eid, idx, idx, ""))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct StabilityRequest {
    job_version: u64,
    stable: bool,
}

async fn job_stable(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
    JsonBody(req): JsonBody<StabilityRequest>,
) -> R {
    let ns = q.namespace();
    who.ns_any(&ns, &["submit-job", "stable-job"])?;
    let idx = sim
        .store
        .write(|c| c.set_stable(&ns, &id, req.job_version, req.stable))?;
    Ok(json(&json!({"JobModifyIndex": idx, "Index": idx})))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RevertRequest {
    job_version: u64,
    enforce_prior_version: Option<u64>,
}

async fn job_revert(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
    JsonBody(req): JsonBody<RevertRequest>,
) -> R {
    let ns = q.namespace();
    who.ns_any(&ns, &["submit-job", "revert-job"])?;
    let out = sim.with_rng(|c, rng| {
        let j = c
            .job(&ns, &id)
            .ok_or_else(|| err(500, format!("job {id:?} not found")))?;
        let cur = j.spec["Version"].as_u64().unwrap_or(0);
        if req.job_version == cur {
            return Err(err(500, "can't revert to current version"));
        }
        let target = j.version(req.job_version).cloned().ok_or_else(|| {
            err(
                500,
                format!(
                    "job {id:?} in namespace {ns:?} at version {} not found",
                    req.job_version
                ),
            )
        })?;
        if let Some(p) = req.enforce_prior_version.filter(|p| *p != cur) {
            return Err(err(
                500,
                format!("Current job has version {cur}; enforcing version {p}"),
            ));
        }
        Ok(sched::register(c, rng, target, "job-register"))
    })?;
    Ok(register_response(&out))
}

async fn job_periodic_force(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> R {
    let ns = q.namespace();
    who.ns_any(&ns, &["dispatch-job", "submit-job", "force-periodic-job"])?;
    let out = sim.with_rng(|c, rng| {
        let j = c.job(&ns, &id).ok_or_else(|| err(500, "job not found"))?;
        if j.spec["Periodic"]["Enabled"].as_bool() != Some(true) {
            return Err(err(500, "can't force launch non-periodic job"));
        }
        sched::launch_periodic_child(c, rng, &ns, &id)
            .map(|(o, _)| o)
            .ok_or_else(|| err(500, "job not found"))
    })?;
    Ok(json(&json!({
        "EvalID": out.eval_id, "EvalCreateIndex": out.eval_index,
        "Index": out.eval_index, "LastContact": 0, "KnownLeader": false, "NextToken": "",
    })))
}

/// `structs.JobDispatchRequest` (`Payload` is `[]byte`: base64, `null` is
/// empty).
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct DispatchRequest {
    #[serde(rename = "JobID")]
    job_id: String,
    payload: String,
    meta: BTreeMap<String, String>,
    priority: i64,
    id_prefix_template: String,
}

async fn job_dispatch(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
    body: Bytes,
) -> R {
    let req: DispatchRequest = JsonBody::decode(&body)?;
    if !req.job_id.is_empty() && req.job_id != id {
        return Err(err(400, "Job ID does not match"));
    }
    let ns = q.namespace();
    who.ns(&ns, "dispatch-job")?;
    let token = q.str("idempotency_token").to_string();
    let out = sim.with_rng(|c, rng| dispatch(c, rng, &ns, &id, req, &token))?;
    Ok(json(&out))
}

fn dispatch(
    c: &mut Cluster,
    rng: &mut rand_chacha::ChaCha8Rng,
    ns: &str,
    id: &str,
    mut req: DispatchRequest,
    token: &str,
) -> ApiResult<Value> {
    let parent = c
        .job(ns, id)
        .map(|j| j.spec.clone())
        .ok_or_else(|| err(500, "parameterized job not found"))?;
    let Some(p) = parent["ParameterizedJob"].as_object().cloned() else {
        return Err(err(
            500,
            format!("Specified job {id:?} is not a parameterized job"),
        ));
    };
    if parent["Stop"].as_bool() == Some(true) {
        return Err(err(500, format!("Specified job {id:?} is stopped")));
    }
    if req.priority == 0 {
        req.priority = parent["Priority"].as_i64().unwrap_or(50);
    }
    validate_dispatch(&req, &p)?;
    if !token.is_empty() {
        if let Some(found) = c.jobs.values().find(|j| {
            j.namespace() == ns
                && j.get_str("ParentID") == id
                && j.get_str("DispatchIdempotencyToken") == token
        }) {
            // A retried request: the child already exists, so answer with it.
            return Ok(json!({
                "DispatchedJobID": found.id(), "EvalID": "", "EvalCreateIndex": 0,
                "JobCreateIndex": found.spec["CreateIndex"], "Index": found.spec["ModifyIndex"],
            }));
        }
    }
    let now = c.now();
    let suffix = format!("{}-{}", now / 1_000_000_000, &sched::uuid(rng)[..8]);
    let child_id = if req.id_prefix_template.is_empty() {
        format!("{id}/dispatch-{suffix}")
    } else {
        format!("{id}/dispatch-{}-{suffix}", req.id_prefix_template)
    };
    let mut child = parent.clone();
    child["ID"] = json!(child_id);
    child["Name"] = json!(child_id);
    child["ParentID"] = json!(id);
    child["Dispatched"] = json!(true);
    child["DispatchIdempotencyToken"] = json!(token);
    child["Priority"] = json!(req.priority);
    child["Payload"] = if req.payload.is_empty() {
        Value::Null
    } else {
        json!(req.payload)
    };
    let mut meta = child["Meta"].as_object().cloned().unwrap_or_default();
    for (k, v) in &req.meta {
        meta.insert(k.clone(), json!(v));
    }
    child["Meta"] = Value::Object(meta);
    let o = sched::register(c, rng, child, "job-register");
    c.recompute_summary(ns, id);
    Ok(json!({
        "DispatchedJobID": child_id, "EvalID": o.eval_id, "EvalCreateIndex": o.eval_index,
        "JobCreateIndex": o.job_modify_index, "Index": o.job_modify_index,
    }))
}

/// `validateDispatchRequest`, in its order and words.
fn validate_dispatch(req: &DispatchRequest, p: &Map<String, Value>) -> ApiResult<()> {
    let payload_rule = p
        .get("Payload")
        .and_then(Value::as_str)
        .unwrap_or("optional");
    let has_payload = !req.payload.is_empty();
    if payload_rule == "required" && !has_payload {
        return Err(err(
            500,
            "Payload is not provided but required by parameterized job",
        ));
    }
    if payload_rule == "forbidden" && has_payload {
        return Err(err(
            500,
            "Payload provided but forbidden by parameterized job",
        ));
    }
    let list = |k: &str| -> Vec<String> {
        p.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (required, optional) = (list("MetaRequired"), list("MetaOptional"));
    let unpermitted: Vec<&str> = req
        .meta
        .keys()
        .filter(|k| !required.contains(k) && !optional.contains(k))
        .map(String::as_str)
        .collect();
    if !unpermitted.is_empty() {
        return Err(err(
            500,
            format!(
                "Dispatch request included unpermitted metadata keys: [{}]",
                unpermitted.join(" ")
            ),
        ));
    }
    let missing: Vec<&str> = required
        .iter()
        .filter(|k| !req.meta.contains_key(*k))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(err(
            500,
            format!(
                "Dispatch did not provide required meta keys: [{}]",
                missing.join(" ")
            ),
        ));
    }
    if !(1..=100).contains(&req.priority) {
        return Err(err(500, "dispatch job priority must be between [1, 100]"));
    }
    Ok(())
}
