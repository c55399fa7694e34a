//! The simulated scheduler and client: registering jobs creates evaluations
//! and allocations on eligible nodes; a time-driven tick moves task states
//! forward the way a real client does.
//!
//! This module holds the entry points (register, store a version,
//! evaluate); `reconcile` decides what should run, `placement` where,
//! `client` and `tasks` what the clients then do with it (`restart` when a
//! failed task runs again), and `periodic` the cluster-level work of a
//! tick (drains, periodic launches).

mod client;
mod periodic;
mod placement;
mod reconcile;
mod restart;
mod tasks;

pub use client::{tick, Awake};
pub use periodic::{launch_periodic_child, next_periodic_launch, tick_cluster, PeriodicJobs};
pub use reconcile::{is_in_place, stop_alloc};

use crate::state::{Cluster, StoredJob, Table};
use nomad_model::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

pub fn uuid(rng: &mut ChaCha8Rng) -> String {
    uuid::Uuid::from_u128(rng.gen()).to_string()
}

/// A UUID-shaped ID that is the same for the same parts (for objects the
/// simulator derives rather than stores, such as scaling policies).
pub fn stable_uuid(parts: &[&str]) -> String {
    use std::hash::{Hash, Hasher};
    let half = |round: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (round, parts).hash(&mut h);
        h.finish() as u128
    };
    uuid::Uuid::from_u128(half(0) << 64 | half(1)).to_string()
}

pub struct RegisterOutcome {
    pub eval_id: String,
    pub eval_index: u64,
    pub job_modify_index: u64,
    /// Whether a new version was written (an unchanged spec only evaluates).
    pub changed: bool,
}

/// Registers (creates or updates) a job: stores a new version when the spec
/// changed, creates an evaluation, places allocations.
pub fn register(
    c: &mut Cluster,
    rng: &mut ChaCha8Rng,
    spec: Value,
    triggered_by: &str,
) -> RegisterOutcome {
    let (ns, id, idx, changed) = store_version(c, spec);
    let out = evaluate(c, rng, &ns, &id, triggered_by);
    RegisterOutcome {
        eval_id: out.0,
        eval_index: out.1,
        job_modify_index: idx,
        changed,
    }
}

/// Upserts a job as the state store does (`upsertJobImpl`): canonicalised,
/// a new version when its spec changed (not tagged, not stable), the last
/// six versions kept; an unchanged spec leaves the job as it is
/// (`doRegister` only evaluates). Returns its namespace, ID, job modify
/// index and whether it changed.
pub fn store_version(c: &mut Cluster, mut spec: Value) -> (String, String, u64, bool) {
    let region = c.region.clone();
    crate::canon::canonicalize_job(&mut spec, &region);
    let ns = spec["Namespace"].as_str().unwrap_or("default").to_string();
    let id = spec["ID"].as_str().unwrap_or("").to_string();
    let key = (ns.clone(), id.clone());
    if let Some(prev) = c.jobs.get(&key) {
        if strip_meta(&prev.spec) == strip_meta(&spec) {
            let jmi = prev.spec["JobModifyIndex"].as_u64().unwrap_or(0);
            return (ns, id, jmi, false);
        }
    }
    let now = c.now();
    let idx = c.bump(&[Table::Jobs, Table::Summaries]);
    let (version, create_index, mut versions) = match c.jobs.get(&key) {
        Some(prev) => (
            prev.spec["Version"].as_u64().unwrap_or(0) + 1,
            prev.spec["CreateIndex"].as_u64().unwrap_or(idx),
            prev.versions.clone(),
        ),
        None => (0, idx, vec![]),
    };
    if let Some(o) = spec.as_object_mut() {
        o.insert("Version".into(), json!(version));
        o.insert("Stable".into(), json!(false));
        o.insert("VersionTag".into(), Value::Null);
        o.insert("SubmitTime".into(), json!(now));
        o.insert("CreateIndex".into(), json!(create_index));
        o.insert("ModifyIndex".into(), json!(idx));
        o.insert("JobModifyIndex".into(), json!(idx));
        o.insert("Status".into(), json!("pending"));
        o.insert("StatusDescription".into(), json!(""));
    }
    versions.retain(|v| v["Version"].as_u64() != Some(version));
    versions.insert(0, spec.clone());
    versions.truncate(6);
    c.jobs.insert(key, StoredJob { spec, versions });
    (ns, id, idx, true)
}

fn strip_meta(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        for k in [
            "Version",
            "Stable",
            "SubmitTime",
            "CreateIndex",
            "ModifyIndex",
            "JobModifyIndex",
            "Status",
            "StatusDescription",
            "VersionTag",
        ] {
            o.remove(k);
        }
    }
    v
}

/// Creates an evaluation for the job and runs the scheduler on it.
pub fn evaluate(
    c: &mut Cluster,
    rng: &mut ChaCha8Rng,
    ns: &str,
    id: &str,
    triggered_by: &str,
) -> (String, u64) {
    let idx = c.bump(&[
        Table::Evals,
        Table::Allocs,
        Table::Summaries,
        Table::Deployments,
    ]);
    let now = c.now();
    let job = match c.job(ns, id) {
        Some(j) => j.typed(),
        None => return (String::new(), idx),
    };
    let mut eval = Evaluation {
        id: uuid(rng),
        namespace: ns.into(),
        priority: job.priority,
        eval_type: job.job_type.clone(),
        triggered_by: triggered_by.into(),
        job_id: id.into(),
        job_modify_index: job.job_modify_index,
        status: "complete".into(),
        snapshot_index: idx,
        create_index: idx,
        modify_index: idx,
        create_time: UnixNanos(now),
        modify_time: UnixNanos(now),
        ..Default::default()
    };
    if !(job.is_periodic() || job.is_parameterized()) {
        let (failed, queued) = reconcile::reconcile(c, rng, &job, &eval.id, idx);
        eval.queued_allocations = queued;
        if !failed.is_empty() {
            let blocked = Evaluation {
                id: uuid(rng),
                status: "blocked".into(),
                status_description: "created to place remaining allocations".into(),
                triggered_by: "queued-allocs".into(),
                previous_eval: eval.id.clone(),
                // `CreateBlockedEval` copies the failed placements onto it
                failed_tg_allocs: failed.clone(),
                ..eval.clone()
            };
            eval.blocked_eval = blocked.id.clone();
            eval.failed_tg_allocs = failed;
            c.insert_eval(blocked);
        }
    }
    let eid = eval.id.clone();
    c.insert_eval(eval);
    // The job row changes only when its status does (`setJobStatus`).
    let status = c.derive_job_status(ns, id);
    let mut status_changed = false;
    if let Some(j) = c.jobs.get_mut(&(ns.to_string(), id.to_string())) {
        if j.spec["Status"] != status {
            j.spec["Status"] = json!(status);
            j.spec["ModifyIndex"] = json!(idx);
            status_changed = true;
        }
    }
    if status_changed {
        c.table_index.insert(Table::Jobs, idx);
    }
    c.recompute_summary(ns, id);
    (eid, idx)
}
