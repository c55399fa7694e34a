//! The simulated scheduler and client: registering jobs creates evaluations
//! and allocations on eligible nodes; a time-driven tick moves task states
//! forward the way a real client does.

use crate::state::{Cluster, StoredJob, Table};
use nomad_model::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

pub fn uuid(rng: &mut ChaCha8Rng) -> String {
    let a: u128 = rng.gen();
    let h = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A UUID-shaped ID that is the same for the same parts (for objects the
/// simulator derives rather than stores, such as scaling policies).
pub fn stable_uuid(parts: &[&str]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hex = String::new();
    for round in 0u8..2 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (round, parts).hash(&mut h);
        hex.push_str(&format!("{:016x}", h.finish()));
    }
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
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
        let (failed, queued) = reconcile(c, rng, &job, &eval.id, idx);
        eval.queued_allocations = queued;
        if !failed.is_empty() {
            let blocked = Evaluation {
                id: uuid(rng),
                status: "blocked".into(),
                status_description: "created to place remaining allocations".into(),
                triggered_by: "queued-allocs".into(),
                previous_eval: eval.id.clone(),
                ..eval.clone()
            };
            eval.blocked_eval = blocked.id.clone();
            eval.failed_tg_allocs = failed;
            c.evals.insert(blocked.id.clone(), blocked);
        }
    }
    let eid = eval.id.clone();
    c.evals.insert(eid.clone(), eval);
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

/// Brings the job's allocations in line with its spec: stops what is no
/// longer wanted, replaces allocations of older versions, places the rest.
/// Returns placement failures and queued counts per group.
fn reconcile(
    c: &mut Cluster,
    rng: &mut ChaCha8Rng,
    job: &Job,
    eval_id: &str,
    idx: u64,
) -> (
    std::collections::BTreeMap<String, AllocMetric>,
    std::collections::BTreeMap<String, i64>,
) {
    let mut failed = std::collections::BTreeMap::new();
    let mut queued = std::collections::BTreeMap::new();
    let now = c.now();
    let ns = job.namespace.clone();
    let mut deployment_id = String::new();
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
        deployment_id = d.id.clone();
    } else if needs_deployment && !job.stop {
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
        deployment_id = d.id.clone();
        c.deployments.insert(d.id.clone(), d);
    }
    let canary_phase: std::collections::BTreeMap<String, i64> = c
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
    // stop everything for a stopped job, and allocations of removed groups
    let live: Vec<String> = c
        .allocs_of_job(&ns, &job.id)
        .filter(|a| a.desired_status == "run")
        .map(|a| a.id.clone())
        .collect();
    // Which older versions can be updated in place (only in-place task
    // changes, as the planner annotates them), computed once per version.
    let mut in_place_from: std::collections::BTreeMap<u64, bool> =
        std::collections::BTreeMap::new();
    let (versions, current) = c
        .job(&ns, &job.id)
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
    if job.stop {
        return (failed, queued);
    }
    for tg in &job.task_groups {
        let have = c
            .allocs_of_job(&ns, &job.id)
            .filter(|a| {
                a.task_group == tg.name
                    && a.desired_status == "run"
                    && (job.job_type != "batch" || a.client_status != "failed")
            })
            .count() as i64;
        let batch_done = matches!(job.job_type.as_str(), "batch" | "sysbatch")
            && c.allocs_of_job(&ns, &job.id)
                .filter(|a| a.task_group == tg.name && a.client_status == "complete")
                .count() as i64
                >= tg.count;
        let nodes = eligible_nodes(c, job, tg);
        let mut used = node_usage(c);
        let want = if matches!(job.job_type.as_str(), "system" | "sysbatch") {
            nodes.len() as i64
        } else {
            tg.count
        };
        let mut missing = (want - have).max(0);
        if batch_done {
            missing = 0;
        }
        let canary_of_group = canary_phase.get(&tg.name).copied();
        if let Some(n) = canary_of_group {
            let current = c
                .allocs_of_job(&ns, &job.id)
                .filter(|a| {
                    a.task_group == tg.name
                        && a.desired_status == "run"
                        && a.job_version == job.version
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
        while missing > 0 {
            let node_id = if matches!(job.job_type.as_str(), "system" | "sysbatch") {
                let used: Vec<_> = c
                    .allocs_of_job(&ns, &job.id)
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
                failed.insert(tg.name.clone(), m);
                queued.insert(tg.name.clone(), missing);
                break;
            };
            while c.allocs_of_job(&ns, &job.id).any(|a| {
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
                eval_id,
                &deployment_id,
                slot,
                &metric,
                idx,
                now,
            );
            if canary_of_group.is_some() {
                a.deployment_status = Some(AllocDeploymentStatus {
                    canary: true,
                    ..Default::default()
                });
                if let Some(s) = c
                    .deployments
                    .get_mut(&deployment_id)
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
        queued.entry(tg.name.clone()).or_insert(0);
        if let Some(d) = c.deployments.get_mut(&deployment_id) {
            if let Some(s) = d.task_groups.get_mut(&tg.name) {
                s.placed_allocs += placed;
            }
        }
    }
    (failed, queued)
}

pub fn stop_alloc(a: &mut Allocation, why: &str, idx: u64, now: i64) {
    a.desired_status = "stop".into();
    a.desired_description = why.into();
    if !a.is_terminal() || a.client_status == "pending" || a.client_status == "running" {
        a.client_status = "complete".into();
    }
    for st in a.task_states.values_mut() {
        if st.state != "dead" {
            st.state = "dead".into();
            st.finished_at = WallTime::from_unix_nanos(now);
            st.events.push(TaskEvent {
                event_type: "Killing".into(),
                time: UnixNanos(now),
                kill_timeout: Nanos::from_secs(5),
                ..Default::default()
            });
            st.events.push(TaskEvent {
                event_type: "Killed".into(),
                time: UnixNanos(now + 1_000_000),
                ..Default::default()
            });
        }
    }
    a.modify_index = idx;
    a.alloc_modify_index = idx;
    a.modify_time = UnixNanos(now);
}

fn eligible_nodes(c: &Cluster, job: &Job, tg: &TaskGroup) -> Vec<String> {
    let drivers: Vec<&str> = tg.tasks.iter().map(|t| t.driver.as_str()).collect();
    c.nodes
        .values()
        .filter(|n| {
            n.status == "ready"
                && n.scheduling_eligibility == "eligible"
                && n.drain_strategy.is_none()
        })
        .filter(|n| {
            job.datacenters
                .iter()
                .any(|dc| dc == "*" || *dc == n.datacenter)
        })
        .filter(|n| {
            job.node_pool.is_empty() || job.node_pool == "all" || n.node_pool == job.node_pool
        })
        .filter(|n| {
            drivers
                .iter()
                .all(|d| n.drivers.get(*d).is_some_and(|i| i.detected && i.healthy))
        })
        .filter(|n| {
            job.constraints
                .iter()
                .chain(&tg.constraints)
                .all(|con| constraint_ok(n, con))
        })
        .map(|n| n.id.clone())
        .collect()
}

fn constraint_ok(n: &Node, con: &Constraint) -> bool {
    let l = if let Some(attr) = con
        .l_target
        .strip_prefix("${attr.")
        .and_then(|s| s.strip_suffix('}'))
    {
        n.attributes.get(attr).cloned().unwrap_or_default()
    } else if let Some(m) = con
        .l_target
        .strip_prefix("${meta.")
        .and_then(|s| s.strip_suffix('}'))
    {
        n.meta.get(m).cloned().unwrap_or_default()
    } else if con.l_target == "${node.class}" {
        n.node_class.clone()
    } else if con.l_target == "${node.datacenter}" {
        n.datacenter.clone()
    } else {
        con.l_target.clone()
    };
    match con.operand.as_str() {
        "=" | "==" | "is" => l == con.r_target,
        "!=" | "not" => l != con.r_target,
        "regexp" => l.contains(con.r_target.trim_matches(|c| c == '^' || c == '$')),
        "is_set" => !l.is_empty(),
        "is_not_set" => l.is_empty(),
        _ => true,
    }
}

/// CPU and memory in use per node, from live allocations (one pass).
fn node_usage(c: &Cluster) -> std::collections::HashMap<String, (i64, i64)> {
    let mut m = std::collections::HashMap::new();
    for a in c
        .allocs
        .values()
        .filter(|a| a.desired_status == "run" && !a.is_terminal())
    {
        let r = a.resources_summary();
        let e = m.entry(a.node_id.clone()).or_insert((0, 0));
        e.0 += r.cpu_mhz;
        e.1 += r.memory_mb;
    }
    m
}

/// Picks the node with the most free memory that still fits the group, and
/// books the group's resources on it.
fn pick_node(
    c: &Cluster,
    nodes: &[String],
    tg: &TaskGroup,
    used: &mut std::collections::HashMap<String, (i64, i64)>,
) -> Option<String> {
    let need_mem: i64 = tg
        .tasks
        .iter()
        .map(|t| t.resources.as_ref().map_or(300, |r| r.memory_mb))
        .sum();
    let need_cpu: i64 = tg
        .tasks
        .iter()
        .map(|t| t.resources.as_ref().map_or(100, |r| r.cpu))
        .sum();
    let best = nodes
        .iter()
        .filter_map(|id| {
            let total = c.nodes[id].total_resources();
            let u = used.get(id).copied().unwrap_or((0, 0));
            let free_mem = total.memory_mb - u.1;
            let free_cpu = total.cpu_mhz - u.0;
            (free_mem >= need_mem && free_cpu >= need_cpu).then_some((free_mem, id.clone()))
        })
        .max_by_key(|(m, id)| (*m, std::cmp::Reverse(id.clone())))
        .map(|(_, id)| id)?;
    let e = used.entry(best.clone()).or_insert((0, 0));
    e.0 += need_cpu;
    e.1 += need_mem;
    Some(best)
}

#[allow(clippy::too_many_arguments)]
fn new_alloc(
    c: &Cluster,
    rng: &mut ChaCha8Rng,
    job: &Job,
    tg: &TaskGroup,
    node_id: &str,
    eval_id: &str,
    deployment_id: &str,
    slot: usize,
    metric: &AllocMetric,
    idx: u64,
    now: i64,
) -> Allocation {
    let node = &c.nodes[node_id];
    let ip = node
        .attributes
        .get("unique.network.ip-address")
        .cloned()
        .unwrap_or_else(|| "10.0.0.1".into());
    let mut tasks = std::collections::BTreeMap::new();
    let mut legacy = std::collections::BTreeMap::new();
    let mut states = std::collections::BTreeMap::new();
    for t in &tg.tasks {
        let r = t.resources.clone().unwrap_or(Resources {
            cpu: 100,
            memory_mb: 300,
            ..Default::default()
        });
        tasks.insert(
            t.name.clone(),
            AllocatedTaskResources {
                cpu: Some(AllocatedCpu {
                    cpu_shares: r.cpu,
                    reserved_cores: vec![],
                }),
                memory: Some(AllocatedMemory {
                    memory_mb: r.memory_mb,
                    memory_max_mb: r.memory_max_mb,
                }),
                networks: vec![],
            },
        );
        legacy.insert(
            t.name.clone(),
            Resources {
                cpu: r.cpu,
                memory_mb: r.memory_mb,
                ..Default::default()
            },
        );
        states.insert(
            t.name.clone(),
            TaskState {
                state: "pending".into(),
                events: vec![TaskEvent {
                    event_type: "Received".into(),
                    time: UnixNanos(now),
                    display_message: "Task received by client".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        );
    }
    let mut ports = vec![];
    for n in &tg.networks {
        for p in n.dynamic_ports.iter() {
            ports.push(AllocatedPortMapping {
                label: p.label.clone(),
                value: rng.gen_range(20000..32000),
                to: p.to,
                host_ip: ip.clone(),
            });
        }
        for p in n.reserved_ports.iter() {
            ports.push(AllocatedPortMapping {
                label: p.label.clone(),
                value: p.value,
                to: p.to,
                host_ip: ip.clone(),
            });
        }
    }
    let mut m = metric.clone();
    let chosen = rng.gen_range(0.55..0.95);
    m.scores.insert(format!("{node_id}.binpack"), chosen);
    // the top candidates' scores, the chosen node first (as the agent sends)
    m.score_meta_data = std::iter::once(node_id.to_string())
        .chain(c.nodes.keys().filter(|k| *k != node_id).take(2).cloned())
        .enumerate()
        .map(|(i, id)| {
            let binpack = if i == 0 {
                chosen
            } else {
                chosen * rng.gen_range(0.4..0.95)
            };
            let anti = if i == 0 {
                0.0
            } else {
                -rng.gen_range(0.0..0.5)
            };
            NodeScoreMeta {
                node_id: id,
                scores: [
                    ("binpack".to_string(), binpack),
                    ("job-anti-affinity".to_string(), anti),
                ]
                .into(),
                norm_score: (binpack + anti) / 2.0,
            }
        })
        .collect();
    m.allocation_time = Nanos(rng.gen_range(20_000..90_000));
    let disk = tg.ephemeral_disk.as_ref().map_or(300, |d| d.size_mb);
    Allocation {
        id: uuid(rng),
        eval_id: eval_id.into(),
        name: format!("{}.{}[{slot}]", job.id, tg.name),
        namespace: job.namespace.clone(),
        node_id: node_id.into(),
        node_name: node.name.clone(),
        job_id: job.id.clone(),
        job_type: job.job_type.clone(),
        job_version: job.version,
        task_group: tg.name.clone(),
        allocated_resources: Some(AllocatedResources {
            tasks,
            shared: Some(AllocatedSharedResources {
                disk_mb: disk,
                networks: vec![],
                ports,
            }),
        }),
        task_resources: legacy,
        shared_resources: Some(Resources {
            disk_mb: disk,
            ..Default::default()
        }),
        metrics: Some(m),
        desired_status: "run".into(),
        client_status: "pending".into(),
        task_states: states,
        deployment_id: deployment_id.into(),
        create_index: idx,
        modify_index: idx,
        alloc_modify_index: idx,
        create_time: UnixNanos(now),
        modify_time: UnixNanos(now),
        ..Default::default()
    }
}

/// How a task of a job behaves in the simulation, from its job's meta.
fn behaviour(job: &Value) -> (&'static str, i64) {
    let meta = job.get("Meta");
    let b = meta
        .and_then(|m| m.get("sim.behaviour"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let secs = meta
        .and_then(|m| m.get("sim.runtime"))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    match b {
        "crash" => ("crash", secs),
        "fail-start" => ("fail-start", secs),
        _ => ("ok", secs),
    }
}

/// One step of the simulated clients. Returns true when anything changed.
pub fn tick(c: &mut Cluster, rng: &mut ChaCha8Rng) -> bool {
    let now = c.now();
    let mut changed_jobs = std::collections::BTreeSet::new();
    // Jobs whose running tasks change by themselves (they finish or crash);
    // running tasks of other jobs are left alone, so a 50,000-allocation
    // cluster ticks without scanning every task.
    let dynamic: std::collections::HashSet<(&str, &str)> = c
        .jobs
        .values()
        .filter(|j| {
            matches!(j.get_str("Type"), "batch" | "sysbatch") || behaviour(&j.spec).0 != "ok"
        })
        .map(|j| (j.namespace(), j.id()))
        .collect();
    let ids: Vec<String> = c
        .allocs
        .values()
        .filter(|a| a.desired_status == "run" && !a.is_terminal())
        .filter(|a| {
            a.task_states.values().any(|t| t.state != "running")
                || dynamic.contains(&(a.namespace.as_str(), a.job_id.as_str()))
        })
        .map(|a| a.id.clone())
        .collect();
    drop(dynamic);
    if ids.is_empty() {
        return false;
    }
    let idx = c.index + 1;
    for id in ids {
        let (ns, job_id) = {
            let a = &c.allocs[&id];
            (a.namespace.clone(), a.job_id.clone())
        };
        let Some(job) = c.job(&ns, &job_id) else {
            continue;
        };
        let job_type = job.get_str("Type").to_string();
        let (beh, runtime) = behaviour(&job.spec);
        let restart_attempts = 2;
        let a = c.allocs.get_mut(&id).expect("alloc");
        let age = (now - a.create_time.0) / 1_000_000_000;
        let mut changed = false;
        for st in a.task_states.values_mut() {
            let last = st.events.last().map_or(0, |e| e.time.0);
            let since = (now - last) / 1_000_000_000;
            match (
                st.state.as_str(),
                st.events.last().map(|e| e.event_type.as_str()),
            ) {
                ("pending", Some("Received")) if since >= 1 => {
                    st.events.push(TaskEvent {
                        event_type: "Task Setup".into(),
                        time: UnixNanos(now),
                        message: "Building Task Directory".into(),
                        display_message: "Building Task Directory".into(),
                        ..Default::default()
                    });
                    changed = true;
                }
                ("pending", Some("Task Setup")) if since >= 1 => {
                    st.events.push(TaskEvent {
                        event_type: "Driver".into(),
                        time: UnixNanos(now),
                        driver_message: "Downloading image".into(),
                        display_message: "Downloading image".into(),
                        ..Default::default()
                    });
                    changed = true;
                }
                ("pending", Some("Driver")) | ("pending", Some("Restarting")) if since >= 1 => {
                    if beh == "fail-start" {
                        st.events.push(TaskEvent { event_type: "Driver Failure".into(), time: UnixNanos(now), driver_error: "failed to create container: image not found: registry.internal/payments:9.9".into(), display_message: "failed to create container: image not found: registry.internal/payments:9.9".into(), fails_task: true, ..Default::default() });
                        st.events.push(TaskEvent {
                            event_type: "Not Restarting".into(),
                            time: UnixNanos(now + 1000),
                            restart_reason: "Error was unrecoverable".into(),
                            display_message: "Error was unrecoverable".into(),
                            fails_task: true,
                            ..Default::default()
                        });
                        st.state = "dead".into();
                        st.failed = true;
                        st.finished_at = WallTime::from_unix_nanos(now);
                    } else {
                        st.events.push(TaskEvent {
                            event_type: "Started".into(),
                            time: UnixNanos(now),
                            display_message: "Task started by client".into(),
                            ..Default::default()
                        });
                        st.state = "running".into();
                        st.started_at = WallTime::from_unix_nanos(now);
                    }
                    changed = true;
                }
                ("running", _)
                    if since >= runtime
                        && (matches!(job_type.as_str(), "batch" | "sysbatch")
                            || beh == "crash") =>
                {
                    let code = if beh == "crash" { 137 } else { 0 };
                    st.events.push(TaskEvent {
                        event_type: "Terminated".into(),
                        time: UnixNanos(now),
                        exit_code: code,
                        display_message: format!(
                            "Exit Code: {code}{}",
                            if code == 137 {
                                ", Exit Message: \"OOM Killed\""
                            } else {
                                ""
                            }
                        ),
                        ..Default::default()
                    });
                    if code != 0 && (st.restarts as i64) < restart_attempts {
                        st.restarts += 1;
                        st.last_restart = WallTime::from_unix_nanos(now);
                        st.events.push(TaskEvent {
                            event_type: "Restarting".into(),
                            time: UnixNanos(now + 1000),
                            restart_reason: "Restart within policy".into(),
                            start_delay: Nanos::from_secs(15),
                            display_message: "Restart within policy - Task restarting in 15s"
                                .into(),
                            ..Default::default()
                        });
                        st.state = "pending".into();
                    } else {
                        if code != 0 {
                            st.events.push(TaskEvent { event_type: "Not Restarting".into(), time: UnixNanos(now + 1000), restart_reason: "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\"".into(), display_message: "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\"".into(), fails_task: true, ..Default::default() });
                            st.failed = true;
                        }
                        st.state = "dead".into();
                        st.finished_at = WallTime::from_unix_nanos(now);
                    }
                    changed = true;
                }
                _ => {}
            }
        }
        let _ = age;
        if changed {
            let states: Vec<_> = a.task_states.values().collect();
            let new_status = if states.iter().all(|s| s.state == "dead") {
                if states.iter().any(|s| s.failed) {
                    "failed"
                } else {
                    "complete"
                }
            } else if states.iter().any(|s| s.state == "running") {
                "running"
            } else {
                "pending"
            };
            if new_status != a.client_status {
                a.client_status = new_status.into();
                a.client_description = match new_status {
                    "running" => "Tasks are running",
                    "failed" => "Failed tasks",
                    "complete" => "All tasks have completed",
                    _ => "No tasks have started",
                }
                .into();
                if new_status == "running" && !a.deployment_id.is_empty() {
                    let canary = a.deployment_status.as_ref().is_some_and(|d| d.canary);
                    a.deployment_status = Some(AllocDeploymentStatus {
                        healthy: Some(true),
                        timestamp: WallTime::from_unix_nanos(now),
                        canary,
                        modify_index: idx,
                    });
                    if let Some(d) = c.deployments.get_mut(&a.deployment_id) {
                        if let Some(s) = d.task_groups.get_mut(&a.task_group) {
                            s.healthy_allocs += 1;
                        }
                        let done = d.task_groups.values().all(|s| {
                            s.healthy_allocs >= s.desired_total
                                && (s.desired_canaries == 0 || s.promoted)
                        });
                        let awaiting = d.task_groups.values().any(|s| {
                            s.desired_canaries > 0
                                && !s.promoted
                                && s.healthy_allocs >= s.desired_canaries
                        });
                        if d.status == "running" && done {
                            d.status = "successful".into();
                            d.status_description = "Deployment completed successfully".into();
                        } else if d.status == "running" && awaiting {
                            d.status_description =
                                "Deployment is running but requires manual promotion".into();
                        }
                        d.modify_index = idx;
                        d.modify_time = UnixNanos(now);
                    }
                }
            }
            a.modify_index = idx;
            a.modify_time = UnixNanos(now);
            changed_jobs.insert((ns, job_id));
        }
    }
    if changed_jobs.is_empty() {
        return false;
    }
    c.bump(&[
        Table::Allocs,
        Table::Summaries,
        Table::Jobs,
        Table::Deployments,
    ]);
    for (ns, id) in changed_jobs {
        let status = c.derive_job_status(&ns, &id);
        let idx = c.index;
        if let Some(j) = c.jobs.get_mut(&(ns.clone(), id.clone())) {
            if j.spec["Status"] != json!(status) {
                j.spec["Status"] = json!(status);
                j.spec["ModifyIndex"] = json!(idx);
            }
        }
        c.recompute_summary(&ns, &id);
    }
    let _ = rng;
    true
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

/// The next launch of a periodic job after `after` (Unix ns), from its cron
/// `Spec` (5 fields, or 6 with seconds) in its `TimeZone` (UTC only here).
pub fn next_periodic_launch(spec: &Value, after: i64) -> Option<i64> {
    let p = spec.get("Periodic")?;
    if !p.get("Enabled").and_then(Value::as_bool).unwrap_or(false) {
        return None;
    }
    let cron = p.get("Spec").and_then(Value::as_str)?;
    let parsed = croner::Cron::new(cron)
        .with_seconds_optional()
        .parse()
        .ok()?;
    let at = chrono::DateTime::from_timestamp_nanos(after);
    let next = parsed.find_next_occurrence(&at, false).ok()?;
    next.timestamp_nanos_opt()
}

/// Launches a child of a periodic job now (the tick at its cron time, and
/// `periodic/force`). Returns the registration outcome and the child's ID.
pub fn launch_periodic_child(
    c: &mut Cluster,
    rng: &mut ChaCha8Rng,
    ns: &str,
    id: &str,
) -> Option<(RegisterOutcome, String)> {
    let parent = c.job(ns, id)?.spec.clone();
    let mut child = parent;
    let child_id = format!("{id}/periodic-{}", c.now() / 1_000_000_000);
    child["ID"] = json!(child_id);
    child["Name"] = json!(child_id);
    child["ParentID"] = json!(id);
    child["Periodic"] = Value::Null;
    let out = register(c, rng, child, "periodic-job");
    c.recompute_summary(ns, id);
    Some((out, child_id))
}

/// Cluster-level work of one tick: drains migrate allocations off their
/// nodes (one at a time, all at once past the deadline or when forced), and
/// periodic jobs launch at their cron times.
pub fn tick_cluster(
    c: &mut Cluster,
    rng: &mut ChaCha8Rng,
    periodic_next: &mut std::collections::HashMap<(String, String), i64>,
) -> bool {
    let now = c.now();
    let mut changed = false;
    // drains
    let draining: Vec<(String, DrainStrategy)> = c
        .nodes
        .values()
        .filter_map(|n| n.drain_strategy.clone().map(|d| (n.id.clone(), d)))
        .collect();
    for (node_id, strategy) in draining {
        let forced = strategy.deadline.0 < 0
            || strategy
                .force_deadline
                .unix_nanos()
                .is_some_and(|t| now >= t.0);
        let mut movable: Vec<(String, String, String, bool)> = c
            .allocs
            .values()
            .filter(|a| a.node_id == node_id && a.desired_status == "run" && !a.is_terminal())
            .map(|a| {
                (
                    a.id.clone(),
                    a.namespace.clone(),
                    a.job_id.clone(),
                    a.job_type == "system",
                )
            })
            .collect();
        // system jobs go last, or stay when ignored
        let non_system = movable.iter().any(|m| !m.3);
        movable.retain(|m| !m.3 || (!strategy.ignore_system_jobs && !non_system));
        if movable.is_empty() {
            let idx = c.bump(&[Table::Nodes]);
            if let Some(n) = c.nodes.get_mut(&node_id) {
                n.drain_strategy = None;
                if let Some(l) = n.last_drain.as_mut() {
                    l.status = "complete".into();
                    l.updated_at = WallTime::from_unix_nanos(now);
                }
                n.events.push(NodeEvent {
                    message: "Node drain complete".into(),
                    subsystem: "Drain".into(),
                    timestamp: WallTime::from_unix_nanos(now),
                    create_index: idx,
                    ..Default::default()
                });
                if n.events.len() > 10 {
                    n.events.remove(0);
                }
                n.modify_index = idx;
            }
            changed = true;
            continue;
        }
        let take = if forced { movable.len() } else { 1 };
        for (aid, ns, job, _) in movable.into_iter().take(take) {
            let idx = c.bump(&[Table::Allocs]);
            if let Some(a) = c.allocs.get_mut(&aid) {
                stop_alloc(a, "alloc is being migrated", idx, now);
                a.desired_transition = Some(DesiredTransition {
                    migrate: Some(true),
                    ..Default::default()
                });
            }
            evaluate(c, rng, &ns, &job, "node-drain");
            changed = true;
        }
    }
    // periodic launches
    let periodic: Vec<(String, String, Value)> = c
        .jobs
        .values()
        .filter(|j| {
            j.spec["Periodic"]["Enabled"].as_bool() == Some(true)
                && j.spec["Stop"].as_bool() != Some(true)
        })
        .map(|j| {
            (
                j.namespace().to_string(),
                j.id().to_string(),
                j.spec.clone(),
            )
        })
        .collect();
    for (ns, id, spec) in periodic {
        let key = (ns.clone(), id.clone());
        let next = *periodic_next
            .entry(key.clone())
            .or_insert_with(|| next_periodic_launch(&spec, now).unwrap_or(i64::MAX));
        if now >= next {
            launch_periodic_child(c, rng, &ns, &id);
            periodic_next.insert(key, next_periodic_launch(&spec, now).unwrap_or(i64::MAX));
            changed = true;
        }
    }
    changed
}
