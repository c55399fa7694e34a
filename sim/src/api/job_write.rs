//! Changing jobs: register and update (with `EnforceIndex` and
//! submissions), stop and purge, force evaluation, stable flags, revert,
//! periodic force-launch, dispatch and scaling (`command/agent/job_endpoint.go`,
//! `nomad/job_endpoint.go`).

use super::http::{err, json_write, JsonBody, Params, R};
use crate::acl::Caller;
use crate::error::ApiResult;
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
        .route(
            "/v1/job/{id}/scale",
            axum::routing::get(super::jobs::job_scale)
                .post(job_scale)
                .put(job_scale),
        )
}

/// `structs.JobRegisterResponse` (its `QueryMeta` inlined, as Go embeds it).
fn register_json(
    eval_id: &str,
    eval_index: u64,
    job_modify_index: u64,
    warnings: &str,
) -> Response {
    let idx = eval_index.max(job_modify_index);
    json_write(
        &json!({
            "EvalID": eval_id, "EvalCreateIndex": eval_index, "JobModifyIndex": job_modify_index,
            "Warnings": warnings, "Index": idx, "LastContact": 0,
            "KnownLeader": false, "NextToken": "",
        }),
        idx,
    )
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
    namespace: String,
}

/// `namespaceForJob`: the query's namespace, else the request's, else the
/// job's own.
pub fn namespace_for_job(q: &Params, body_ns: &str, job: &mut Value) {
    let ns = q
        .get("namespace")
        .filter(|n| !n.is_empty())
        .or(Some(body_ns).filter(|n| !n.is_empty()));
    if let Some(ns) = ns {
        job["Namespace"] = json!(ns);
    }
}

/// The admission validators (`admissionValidators`): the namespace and
/// node pool must exist, then `Job.Validate`; all in one multierror.
pub fn admit(c: &Cluster, job: &Value) -> ApiResult<()> {
    let id = job["ID"].as_str().unwrap_or("");
    let mut errs = vec![];
    let ns = job["Namespace"].as_str().unwrap_or("default");
    if !c.namespaces.contains_key(ns) {
        errs.push(format!("job {id:?} is in nonexistent namespace {ns:?}"));
    }
    let pool = job["NodePool"].as_str().unwrap_or("default");
    if !c.node_pools.contains_key(pool) {
        errs.push(format!("job {id:?} is in nonexistent node pool {pool:?}"));
    }
    errs.extend(crate::validate::job_errors(job));
    match crate::validate::multierror(&errs) {
        None => Ok(()),
        Some(m) => Err(err(500, m)),
    }
}

async fn do_register(sim: &Sim, who: &Caller, q: &Params, path_id: Option<&str>, body: &[u8]) -> R {
    let req: RegisterRequest = JsonBody::decode(body)?;
    let Some(mut job) = req.job.filter(Value::is_object) else {
        return Err(err(400, "Job must be specified"));
    };
    let Some(id) = job.get("ID").and_then(Value::as_str).map(str::to_string) else {
        return Err(err(400, "Job ID hasn't been provided"));
    };
    if path_id.is_some_and(|p| p != id) {
        return Err(err(400, "Job ID does not match name"));
    }
    let system_scaling = job["Type"] == "system"
        && job["TaskGroups"]
            .as_array()
            .is_some_and(|gs| gs.iter().any(|g| g["Scaling"].is_object()));
    if system_scaling {
        return Err(err(
            400,
            "Task groups with job type system do not support scaling blocks",
        ));
    }
    if req.eval_priority != 0 && !(1..=100).contains(&req.eval_priority) {
        return Err(err(
            400,
            "Eval priority must be between 1 and 100 inclusively",
        ));
    }
    namespace_for_job(q, &req.namespace, &mut job);
    let region = sim.store.read(|c| c.region.clone());
    crate::canon::canonicalize_job(&mut job, &region);
    let ns = job["Namespace"].as_str().unwrap_or("default").to_string();
    // Admission controllers run before the ACL check (`Job.Register`).
    sim.store.read(|c| admit(c, &job))?;
    who.ns_any(&ns, &["submit-job", "register-job"])?;
    let out = sim.with_rng(|c, rng| {
        if req.enforce_index {
            enforce_index(c, &ns, &id, req.job_modify_index)?;
        }
        let out = sched::register(c, rng, job, "job-register");
        if out.changed {
            if let Some(s) = req.submission.filter(Value::is_object) {
                c.store_submission(&ns, &id, s);
            }
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

pub async fn register_job(State(sim): State<Sim>, who: Caller, q: Params, body: Bytes) -> R {
    do_register(&sim, &who, &q, None, &body).await
}

pub async fn update_job(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
    body: Bytes,
) -> R {
    do_register(&sim, &who, &q, Some(&id), &body).await
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
        let periodic_or_param = job["Periodic"].is_object() || job["ParameterizedJob"].is_object();
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
    Ok(json_write(
        &json!({
            "EvalID": eval_id, "EvalCreateIndex": eval_index, "JobModifyIndex": index,
            "VolumeEvalID": "", "VolumeEvalIndex": 0,
            "Index": index, "LastContact": 0, "KnownLeader": false, "NextToken": "",
        }),
        index,
    ))
}

async fn job_evaluate(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let ns = q.namespace();
    who.ns_any(&ns, &["submit-job", "evaluate-job"])?;
    let (eid, idx, jmi) = sim.with_rng(|c, rng| {
        let j = c.job(&ns, &id).ok_or_else(|| err(500, "job not found"))?;
        if j.spec["Periodic"].is_object() {
            return Err(err(500, "can't evaluate periodic job"));
        }
        if j.spec["ParameterizedJob"].is_object() {
            return Err(err(500, "can't evaluate parameterized job"));
        }
        let jmi = j.spec["ModifyIndex"].as_u64().unwrap_or(0);
        let (eid, idx) = sched::evaluate(c, rng, &ns, &id, "job-register");
        Ok((eid, idx, jmi))
    })?;
    Ok(register_json(&eid, idx, jmi, ""))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct StabilityRequest {
    #[serde(rename = "JobID")]
    job_id: String,
    job_version: u64,
    stable: bool,
}

/// Stable and revert name their job in the body too.
fn body_job_id(body_id: &str, path_id: &str) -> ApiResult<()> {
    if body_id.is_empty() {
        return Err(err(400, "JobID must be specified"));
    }
    if body_id != path_id {
        return Err(err(400, "Job ID does not match"));
    }
    Ok(())
}

async fn job_stable(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
    JsonBody(req): JsonBody<StabilityRequest>,
) -> R {
    body_job_id(&req.job_id, &id)?;
    let ns = q.namespace();
    who.ns_any(&ns, &["submit-job", "stable-job"])?;
    let idx = sim
        .store
        .write(|c| c.set_stable(&ns, &id, req.job_version, req.stable))?;
    Ok(json_write(&json!({"Index": idx}), idx))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RevertRequest {
    #[serde(rename = "JobID")]
    job_id: String,
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
    body_job_id(&req.job_id, &id)?;
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
        if !j.spec["Periodic"].is_object() {
            return Err(err(500, "can't force launch non-periodic job"));
        }
        sched::launch_periodic_child(c, rng, &ns, &id)
            .map(|(o, _)| o)
            .ok_or_else(|| err(500, "job not found"))
    })?;
    Ok(json_write(
        &json!({
            "EvalID": out.eval_id, "EvalCreateIndex": out.eval_index,
            "Index": out.eval_index, "LastContact": 0, "KnownLeader": false, "NextToken": "",
        }),
        out.eval_index,
    ))
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
    let idx = out["Index"].as_u64().unwrap_or(0);
    Ok(json_write(&out, idx))
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
    // `Payload` is `[]byte`: base64 on the wire, at most 16 KiB decoded.
    if !req.payload.is_empty() {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&req.payload)
            .map_err(|e| {
                let at = match e {
                    base64::DecodeError::InvalidByte(i, _) => i,
                    _ => req.payload.len(),
                };
                err(400, format!("illegal base64 data at input byte {at}"))
            })?;
        if bytes.len() > 16 * 1024 {
            return Err(err(
                500,
                format!("Payload exceeds maximum size; {} > 16384", bytes.len()),
            ));
        }
    }
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

/// `api.ScalingRequest`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ScaleRequest {
    count: Option<i64>,
    target: std::collections::BTreeMap<String, String>,
    message: String,
}

/// `Job.Scale`: sets a group's count (a new version) and evaluates.
async fn job_scale(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
    JsonBody(req): JsonBody<ScaleRequest>,
) -> R {
    if req.target.get("Job").is_some_and(|j| *j != id) {
        return Err(err(400, "job ID in payload did not match URL"));
    }
    let ns = q.namespace();
    who.ns_any(&ns, &["scale-job", "submit-job"])?;
    let group = req.target.get("Group").cloned().unwrap_or_default();
    let out = sim.with_rng(|c, rng| {
        let mut spec = c
            .job(&ns, &id)
            .map(|j| j.spec.clone())
            .ok_or_else(|| err(500, format!("job {id:?} not found")))?;
        let g = spec["TaskGroups"]
            .as_array_mut()
            .and_then(|gs| gs.iter_mut().find(|g| g["Name"] == group.as_str()))
            .ok_or_else(|| {
                err(
                    400,
                    format!("task group {group:?} specified for scaling does not exist in job"),
                )
            })?;
        let Some(count) = req.count else {
            // A scaling event without a count changes nothing.
            return Ok(None);
        };
        if count < 0 {
            return Err(err(400, "scaling action count can't be negative"));
        }
        g["Count"] = json!(count);
        let _ = &req.message;
        Ok(Some(sched::register(c, rng, spec, "job-scaling")))
    })?;
    match out {
        Some(o) => Ok(register_response(&o)),
        None => Ok(register_json("", 0, 0, "")),
    }
}
