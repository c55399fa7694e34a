//! Request and response bodies of the job write endpoints (and `scale`).

use super::Meta;
use crate::de::{int, nd};
use crate::diff::JobDiff;
use crate::eval::{AllocMetric, Evaluation};
use crate::time::WallTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Body of `POST /v1/jobs` and `POST /v1/job/:id`. `Job` stays raw JSON so
/// nothing the UI does not model is lost.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobRegisterRequest {
    pub job: serde_json::Value,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub enforce_index: bool,
    #[serde(deserialize_with = "int")]
    pub job_modify_index: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub policy_override: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub preserve_counts: bool,
}

/// Answer of register, deregister, revert and evaluate.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobRegisterResponse {
    #[serde(rename = "EvalID", deserialize_with = "nd")]
    pub eval_id: String,
    #[serde(deserialize_with = "int")]
    pub eval_create_index: u64,
    #[serde(deserialize_with = "int")]
    pub job_modify_index: u64,
    #[serde(deserialize_with = "nd")]
    pub warnings: String,
    #[serde(deserialize_with = "int")]
    pub index: u64,
}

/// Body of `POST /v1/job/:id/plan`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobPlanRequest {
    pub job: serde_json::Value,
    pub diff: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub policy_override: bool,
}

/// Answer of `POST /v1/job/:id/plan`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobPlanResponse {
    #[serde(deserialize_with = "int")]
    pub index: u64,
    #[serde(deserialize_with = "int")]
    pub job_modify_index: u64,
    pub diff: Option<JobDiff>,
    #[serde(deserialize_with = "nd")]
    pub created_evals: Vec<Evaluation>,
    #[serde(rename = "FailedTGAllocs", deserialize_with = "nd")]
    pub failed_tg_allocs: BTreeMap<String, AllocMetric>,
    pub annotations: Option<PlanAnnotations>,
    pub next_periodic_launch: WallTime,
    #[serde(deserialize_with = "nd")]
    pub warnings: String,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PlanAnnotations {
    #[serde(rename = "DesiredTGUpdates", deserialize_with = "nd")]
    pub desired_tg_updates: BTreeMap<String, DesiredUpdates>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DesiredUpdates {
    #[serde(deserialize_with = "int")]
    pub ignore: u64,
    #[serde(deserialize_with = "int")]
    pub place: u64,
    #[serde(deserialize_with = "int")]
    pub migrate: u64,
    #[serde(deserialize_with = "int")]
    pub stop: u64,
    #[serde(deserialize_with = "int")]
    pub in_place_update: u64,
    #[serde(deserialize_with = "int")]
    pub destructive_update: u64,
    #[serde(deserialize_with = "int")]
    pub canary: u64,
    #[serde(deserialize_with = "int")]
    pub preemptions: u64,
}

/// Body of `POST /v1/job/:id/dispatch`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobDispatchRequest {
    #[serde(rename = "JobID", skip_serializing_if = "String::is_empty")]
    pub job_id: String,
    /// base64 of the payload
    #[serde(skip_serializing_if = "String::is_empty")]
    pub payload: String,
    #[serde(deserialize_with = "nd")]
    pub meta: Meta,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobDispatchResponse {
    #[serde(rename = "DispatchedJobID", deserialize_with = "nd")]
    pub dispatched_job_id: String,
    #[serde(rename = "EvalID", deserialize_with = "nd")]
    pub eval_id: String,
    #[serde(deserialize_with = "int")]
    pub eval_create_index: u64,
    #[serde(deserialize_with = "int")]
    pub job_create_index: u64,
    #[serde(deserialize_with = "int")]
    pub index: u64,
}

/// Body of `POST /v1/job/:id/revert`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobRevertRequest {
    #[serde(rename = "JobID")]
    pub job_id: String,
    #[serde(deserialize_with = "int")]
    pub job_version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce_prior_version: Option<u64>,
}

/// Body of `POST /v1/job/:id/stable`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobStabilityRequest {
    #[serde(rename = "JobID")]
    pub job_id: String,
    #[serde(deserialize_with = "int")]
    pub job_version: u64,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub stable: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobStabilityResponse {
    #[serde(deserialize_with = "int")]
    pub job_modify_index: u64,
    #[serde(deserialize_with = "int")]
    pub index: u64,
}

/// Answer of `POST /v1/job/:id/periodic/force`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PeriodicForceResponse {
    #[serde(rename = "EvalID", deserialize_with = "nd")]
    pub eval_id: String,
    #[serde(deserialize_with = "int")]
    pub eval_create_index: u64,
    #[serde(deserialize_with = "int")]
    pub index: u64,
}

/// `GET /v1/job/:id/scale`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobScaleStatus {
    #[serde(rename = "JobID", deserialize_with = "nd")]
    pub job_id: String,
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(deserialize_with = "int")]
    pub job_create_index: u64,
    #[serde(deserialize_with = "int")]
    pub job_modify_index: u64,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub job_stopped: bool,
    #[serde(deserialize_with = "nd")]
    pub task_groups: BTreeMap<String, TaskGroupScaleStatus>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TaskGroupScaleStatus {
    #[serde(deserialize_with = "int")]
    pub desired: i64,
    #[serde(deserialize_with = "int")]
    pub placed: i64,
    #[serde(deserialize_with = "int")]
    pub running: i64,
    #[serde(deserialize_with = "int")]
    pub healthy: i64,
    #[serde(deserialize_with = "int")]
    pub unhealthy: i64,
    #[serde(deserialize_with = "nd")]
    pub events: Vec<serde_json::Value>,
}

/// Body of `POST /v1/jobs/parse` (HCL → JSON).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobsParseRequest {
    #[serde(rename = "JobHCL")]
    pub job_hcl: String,
    pub canonicalize: bool,
}
