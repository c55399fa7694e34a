//! Reconciling a job's allocations with its spec: deployments and their
//! canaries, stopping or updating in place what is outdated, placing what
//! is missing.

use super::placement::{eligible_nodes, new_alloc, node_usage, pick_node};
use super::{tasks, uuid};
use crate::state::Cluster;
use nomad_model::*;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::collections::BTreeMap;

/// What one scheduler pass over a job works with.
struct Pass<'a> {
    job: &'a Job,
    eval_id: &'a str,
    deployment_id: String,
    idx: u64,
    now: i64,
}

/// Brings the job's allocations in line with its spec: stops what is no
/// longer wanted, replaces allocations of older versions, places the rest.
/// Returns placement failures and queued counts per group.
pub(super) fn reconcile(
    c: &mut Cluster,
    rng: &mut ChaCha8Rng,
    job: &Job,
    eval_id: &str,
    idx: u64,
) -> (BTreeMap<String, AllocMetric>, BTreeMap<String, i64>) {
    let mut failed = BTreeMap::new();
    let mut queued = BTreeMap::new();
    let now = c.now();
    let deployment_id = deployment(c, rng, job, idx, now);
    let canary_phase: BTreeMap<String, i64> = c
        .deployments
        .get(&deployment_id)
        .map(|d| {
            d.task_groups
                .iter()
                .filter(|(_, s)| s.desired_canaries > 0 && !s.promoted)
                .map(|(g, s)| (g.clone(), s.desired_canaries))
                .collect()
        })
        .unwrap_or_default();
    let pass = Pass {
        job,
        eval_id,
        deployment_id,
        idx,
        now,
    };
    update_live(c, &pass, &canary_phase);
    if job.stop {
        return (failed, queued);
    }
    for tg in &job.task_groups {
        let canary = canary_phase.get(&tg.name).copied();
        if let Some((m, missing)) = place_group(c, rng, &pass, tg, canary) {
            failed.insert(tg.name.clone(), m);
            queued.insert(tg.name.clone(), missing);
        }
        queued.entry(tg.name.clone()).or_insert(0);
    }
    (failed, queued)
}

/// The ID of the deployment this pass places into (empty for none): the
/// running one of this version, or a new one when the version needs it.
fn deployment(c: &mut Cluster, rng: &mut ChaCha8Rng, job: &Job, idx: u64, now: i64) -> String {
    let ns = job.namespace.clone();
    // `createDeployment` (scheduler/reconciler): a service job whose
    // groups have an update strategy gets a deployment for each version,
    // the first included, unless one exists for the version already or the
    // allocations already run it (an evaluation of an unchanged job).
    let needs_deployment = job.job_type == "service"
        && job.task_groups.iter().any(|g| {
            g.count > 0
                && g.update
                    .as_ref()
                    .or(job.update.as_ref())
                    .is_some_and(|u| u.max_parallel > 0)
        })
        && !c
            .deployments
            .values()
            .any(|d| d.job_id == job.id && d.namespace == ns && d.job_version == job.version)
        && !c
            .allocs_of_job(&ns, &job.id)
            .any(|a| a.job_version == job.version && !a.is_terminal());
    // the deployment of this version, if one is already running
    if let Some(d) = c
        .deployments
        .values()
        .filter(|d| {
            d.job_id == job.id && d.namespace == ns && d.job_version == job.version && d.is_active()
        })
        .max_by_key(|d| d.create_index)
    {
        return d.id.clone();
    }
    if !needs_deployment || job.stop {
        return String::new();
    }
    // Canaries only stand in for allocations that need a destructive
    // update; a first version has none to replace.
    let replaces_old = c
        .allocs_of_job(&ns, &job.id)
        .any(|a| !a.is_terminal() && a.job_version != job.version);
    let d = Deployment {
        id: uuid(rng),
        namespace: ns.clone(),
        job_id: job.id.clone(),
        job_version: job.version,
        job_modify_index: job.job_modify_index,
        job_spec_modify_index: job.job_modify_index,
        job_create_index: job.create_index,
        task_groups: job
            .task_groups
            .iter()
            .map(|g| {
                let canary = if replaces_old {
                    g.update
                        .as_ref()
                        .or(job.update.as_ref())
                        .map_or(0, |u| u.canary)
                } else {
                    0
                };
                (
                    g.name.clone(),
                    DeploymentState {
                        desired_total: g.count,
                        desired_canaries: canary,
                        auto_revert: g.update.as_ref().is_some_and(|u| u.auto_revert),
                        progress_deadline: Nanos::from_secs(600),
                        ..Default::default()
                    },
                )
            })
            .collect(),
        status: "running".into(),
        status_description: "Deployment is running".into(),
        create_index: idx,
        modify_index: idx,
        create_time: UnixNanos(now),
        modify_time: UnixNanos(now),
    };
    // cancel older active deployments
    for od in c
        .deployments
        .values_mut()
        .filter(|d| d.job_id == job.id && d.namespace == ns && d.is_active())
    {
        od.status = "cancelled".into();
        od.status_description = "Cancelled due to newer version of job".into();
        od.modify_index = idx;
    }
    // canaries of a superseded deployment are stopped
    let stale: Vec<String> = c
        .allocs_of_job(&ns, &job.id)
        .filter(|a| {
            a.desired_status == "run"
                && a.job_version != job.version
                && a.deployment_status.as_ref().is_some_and(|d| d.canary)
        })
        .map(|a| a.id.clone())
        .collect();
    for aid in stale {
        if let Some(a) = c.allocs.get_mut(&aid) {
            stop_alloc(a, "canary of a cancelled deployment", idx, now);
        }
    }
    let id = d.id.clone();
    c.deployments.insert(d.id.clone(), d);
    id
}

/// Stops everything for a stopped job and allocations of removed groups,
/// and moves outdated allocations to the new version: in place when only
/// in-place changes separate them, by stopping them otherwise (they stay
/// while the group's canaries are out).
fn update_live(c: &mut Cluster, pass: &Pass, canary_phase: &BTreeMap<String, i64>) {
    let (job, idx, now) = (pass.job, pass.idx, pass.now);
    let ns = job.namespace.as_str();
    let live: Vec<String> = c
        .allocs_of_job(ns, &job.id)
        .filter(|a| a.desired_status == "run")
        .map(|a| a.id.clone())
        .collect();
    // Which older versions can be updated in place (only in-place task
    // changes, as the planner annotates them), computed once per version.
    let mut in_place_from: BTreeMap<u64, bool> = BTreeMap::new();
    let (versions, current) = c
        .job(ns, &job.id)
        .map(|j| (j.versions.clone(), j.spec.clone()))
        .unwrap_or_default();
    for aid in live {
        let version = c.allocs[&aid].job_version;
        let in_place = *in_place_from.entry(version).or_insert_with(|| {
            versions
                .iter()
                .find(|v| v["Version"].as_u64() == Some(version))
                .is_some_and(|old| is_in_place(old, &current))
        });
        let a = c.allocs.get_mut(&aid).expect("alloc exists");
        let group_exists = job.task_groups.iter().any(|g| g.name == a.task_group);
        let outdated = a.job_version != job.version && job.job_type != "batch";
        if outdated && canary_phase.contains_key(&a.task_group) && !job.stop {
            continue;
        }
        if outdated && in_place && !job.stop && group_exists {
            a.job_version = job.version;
            a.modify_index = idx;
            a.alloc_modify_index = idx;
            a.modify_time = UnixNanos(now);
            continue;
        }
        if job.stop || !group_exists || outdated {
            stop_alloc(
                a,
                if job.stop {
                    "alloc not needed due to job update"
                } else {
                    "alloc is being updated due to job update"
                },
                idx,
                now,
            );
        }
    }
}

/// Places the group's missing allocations (only its canaries while
/// `canary` is set). Returns the failure metric and how many stay queued
/// when the cluster has no room for all of them.
fn place_group(
    c: &mut Cluster,
    rng: &mut ChaCha8Rng,
    pass: &Pass,
    tg: &TaskGroup,
    canary: Option<i64>,
) -> Option<(AllocMetric, i64)> {
    let job = pass.job;
    let ns = job.namespace.as_str();
    let system = matches!(job.job_type.as_str(), "system" | "sysbatch");
    let have = c
        .allocs_of_job(ns, &job.id)
        .filter(|a| {
            a.task_group == tg.name
                && a.desired_status == "run"
                && (job.job_type != "batch" || a.client_status != "failed")
        })
        .count() as i64;
    let batch_done = matches!(job.job_type.as_str(), "batch" | "sysbatch")
        && c.allocs_of_job(ns, &job.id)
            .filter(|a| a.task_group == tg.name && a.client_status == "complete")
            .count() as i64
            >= tg.count;
    let nodes = eligible_nodes(c, job, tg);
    let mut used = node_usage(c);
    let want = if system { nodes.len() as i64 } else { tg.count };
    let mut missing = (want - have).max(0);
    if batch_done {
        missing = 0;
    }
    if let Some(n) = canary {
        let current = c
            .allocs_of_job(ns, &job.id)
            .filter(|a| {
                a.task_group == tg.name && a.desired_status == "run" && a.job_version == job.version
            })
            .count() as i64;
        missing = (n - current).max(0);
    }
    let mut metric = AllocMetric {
        nodes_evaluated: nodes.len() as i64,
        nodes_in_pool: c.nodes.len() as i64,
        ..Default::default()
    };
    for dc in &job.datacenters {
        metric.nodes_available.insert(
            dc.clone(),
            nodes
                .iter()
                .filter(|n| &c.nodes[*n].datacenter == dc)
                .count() as i64,
        );
    }
    let mut placed = 0;
    let mut slot = 0;
    let mut failure = None;
    while missing > 0 {
        let node_id = if system {
            let used: Vec<_> = c
                .allocs_of_job(ns, &job.id)
                .filter(|a| a.task_group == tg.name && a.desired_status == "run")
                .map(|a| a.node_id.clone())
                .collect();
            nodes.iter().find(|n| !used.contains(n)).cloned()
        } else {
            pick_node(c, &nodes, tg, &mut used)
        };
        let Some(node_id) = node_id else {
            let mut m = metric.clone();
            if nodes.is_empty() {
                for con in job.constraints.iter().chain(&tg.constraints) {
                    m.constraint_filtered
                        .insert(con.to_string(), c.nodes.len() as i64);
                }
                m.nodes_filtered = c.nodes.len() as i64;
            } else {
                m.nodes_exhausted = nodes.len() as i64;
                m.dimension_exhausted
                    .insert("memory".into(), nodes.len() as i64);
            }
            m.coalesced_failures = missing - 1;
            failure = Some((m, missing));
            break;
        };
        while c.allocs_of_job(ns, &job.id).any(|a| {
            a.name == format!("{}.{}[{slot}]", job.id, tg.name) && a.desired_status == "run"
        }) {
            slot += 1;
        }
        let mut a = new_alloc(
            c,
            rng,
            job,
            tg,
            &node_id,
            pass.eval_id,
            &pass.deployment_id,
            slot,
            &metric,
            pass.idx,
            pass.now,
        );
        if canary.is_some() {
            a.deployment_status = Some(AllocDeploymentStatus {
                canary: true,
                ..Default::default()
            });
            if let Some(s) = c
                .deployments
                .get_mut(&pass.deployment_id)
                .and_then(|d| d.task_groups.get_mut(&tg.name))
            {
                s.placed_canaries.push(a.id.clone());
            }
        }
        c.insert_alloc(a);
        slot += 1;
        placed += 1;
        missing -= 1;
    }
    if let Some(d) = c.deployments.get_mut(&pass.deployment_id) {
        if let Some(s) = d.task_groups.get_mut(&tg.name) {
            s.placed_allocs += placed;
        }
    }
    failure
}

pub fn stop_alloc(a: &mut Allocation, why: &str, idx: u64, now: i64) {
    a.desired_status = "stop".into();
    a.desired_description = why.into();
    if !a.is_terminal() || a.client_status == "pending" || a.client_status == "running" {
        a.client_status = "complete".into();
    }
    for st in a.task_states.values_mut() {
        tasks::kill(st, now);
    }
    a.modify_index = idx;
    a.alloc_modify_index = idx;
    a.modify_time = UnixNanos(now);
}

/// True when going from `old` to `new` only needs in-place updates: no job-
/// or group-level change and every edited task is annotated in-place.
pub fn is_in_place(old: &Value, new: &Value) -> bool {
    let mut d = nomad_model::diffcalc::job_diff(Some(old), Some(new), false);
    nomad_model::diffcalc::annotate(&mut d);
    d.fields.iter().all(|f| !f.diff_type.is_change())
        && d.objects.iter().all(|o| !o.diff_type.is_change())
        && d.task_groups.iter().all(|g| {
            g.diff_type != DiffType::Added
                && g.diff_type != DiffType::Deleted
                && g.fields.iter().all(|f| !f.diff_type.is_change())
                && g.objects.iter().all(|o| !o.diff_type.is_change())
                && g.tasks.iter().all(|t| {
                    t.annotations.is_empty() || t.annotations == ["forces in-place update"]
                })
        })
}
