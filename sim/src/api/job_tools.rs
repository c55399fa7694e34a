//! What surrounds a job's spec: validation, HCL parsing, the submitted
//! source, and version tags (`command/agent/job_endpoint.go`).

use super::http::{err, json, json_index, JsonBody, Params, R};
use crate::acl::Caller;
use crate::Sim;
use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/validate/job", post(validate_job).put(validate_job))
        .route("/v1/jobs/parse", post(parse_job).put(parse_job))
        .route("/v1/job/{id}/submission", get(submission))
        .route(
            "/v1/job/{id}/versions/{tag}/tag",
            put(tag_version).post(tag_version).delete(untag_version),
        )
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct JobBody {
    job: Option<Value>,
}

/// `Job.Validate`: always 200; the problems are in the answer.
async fn validate_job(State(sim): State<Sim>, who: Caller, JsonBody(req): JsonBody<JobBody>) -> R {
    let Some(mut job) = req.job.filter(Value::is_object) else {
        return Err(err(400, "Job must be specified"));
    };
    let region = sim.store.read(|c| c.region.clone());
    crate::canon::canonicalize_job(&mut job, &region);
    who.ns(job["Namespace"].as_str().unwrap_or("default"), "read-job")?;
    let errs = crate::validate::job_errors(&job);
    Ok(json(&json!({
        "DriverConfigValidated": true,
        "ValidationErrors": if errs.is_empty() { Value::Null } else { json!(errs) },
        "Error": crate::validate::multierror(&errs).unwrap_or_default(),
        "Warnings": "",
    })))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ParseRequest {
    #[serde(rename = "JobHCL")]
    job_hcl: String,
    variables: String,
    canonicalize: bool,
}

/// `JobsParseRequest`: HCL2 (or JSON) jobspec to API JSON. `HCLv1` is gone
/// in 2.x and ignored like any unknown field.
async fn parse_job(
    State(sim): State<Sim>,
    who: Caller,
    q: Params,
    JsonBody(req): JsonBody<ParseRequest>,
) -> R {
    who.ns_any(&q.namespace(), &["parse-job", "submit-job"])?;
    if req.job_hcl.trim().is_empty() {
        return Err(err(400, "Job spec is empty"));
    }
    let mut job = crate::jobspec::parse_job(&req.job_hcl, &req.variables)
        .map_err(|e| err(400, format!("Failed to parse job: {e}")))?;
    if req.canonicalize {
        let region = sim.store.read(|c| c.region.clone());
        crate::canon::canonicalize_job(&mut job, &region);
    }
    Ok(json(&job))
}

async fn submission(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let version: u64 = q
        .str("version")
        .parse()
        .map_err(|_| err(400, "Unable to parse job submission version parameter"))?;
    let ns = q.namespace();
    who.ns(&ns, "read-job")?;
    super::http::block_on(&sim, &q, |c| {
        c.submissions
            .get(&(ns.clone(), id.clone(), version))
            .and_then(|s| s["JobModifyIndex"].as_u64())
            .unwrap_or(0)
    })
    .await?;
    let s = sim
        .store
        .read(|c| {
            c.submissions
                .get(&(ns.clone(), id.clone(), version))
                .cloned()
        })
        .ok_or_else(|| err(404, "job source not found"))?;
    let idx = s["JobModifyIndex"].as_u64().unwrap_or(0);
    Ok(json_index(&s, idx))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct TagRequest {
    version: u64,
    latest: bool,
    description: String,
}

/// `structs.JobTagResponse` (no index header: the handler sets none).
fn tag_response(name: &str, description: &str, tagged: i64, idx: u64) -> R {
    Ok(json(&json!({
        "Name": name, "Description": description, "TaggedTime": tagged,
        "Index": idx, "LastContact": 0, "KnownLeader": false, "NextToken": "",
    })))
}

async fn tag_version(
    State(sim): State<Sim>,
    who: Caller,
    Path((id, tag)): Path<(String, String)>,
    q: Params,
    JsonBody(req): JsonBody<TagRequest>,
) -> R {
    let ns = q.namespace();
    who.ns_any(&ns, &["submit-job", "tag-job-version"])?;
    if req.latest && req.version != 0 {
        return Err(err(
            500,
            format!(
                "version must be zero when tagging latest, got: {}",
                req.version
            ),
        ));
    }
    let version = (!req.latest).then_some(req.version);
    let (idx, when) = sim.store.write(|c| {
        let idx = c.tag_version(&ns, &id, version, &tag, &req.description)?;
        Ok::<_, crate::error::ApiError>((idx, c.now()))
    })?;
    tag_response(&tag, &req.description, when, idx)
}

async fn untag_version(
    State(sim): State<Sim>,
    who: Caller,
    Path((id, tag)): Path<(String, String)>,
    q: Params,
) -> R {
    let ns = q.namespace();
    who.ns_any(&ns, &["submit-job", "tag-job-version"])?;
    let idx = sim.store.write(|c| c.untag_version(&ns, &id, &tag))?;
    tag_response("", "", 0, idx)
}
