//! The cluster-level work of a tick: periodic jobs launch their children
//! at their cron times, and draining nodes hand their allocations back to
//! the scheduler.

use super::{evaluate, register, stop_alloc, RegisterOutcome};
use crate::state::{Cluster, StoredJob, Table};
use nomad_model::*;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::HashMap;

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

/// The enabled periodic jobs as of a jobs table index: found once per
/// change of the table, not by reading every job each tick.
#[derive(Clone, Debug, Default)]
pub struct PeriodicJobs {
    seen: u64,
    keys: Vec<(String, String)>,
}

/// Cluster-level work of one tick: drains migrate allocations off their
/// nodes (one at a time, all at once past the deadline or when forced), and
/// periodic jobs launch at their cron times.
pub fn tick_cluster(
    c: &mut Cluster,
    rng: &mut ChaCha8Rng,
    periodic_next: &mut HashMap<(String, String), i64>,
) -> bool {
    let now = c.now();
    let mut changed = false;
    let draining: Vec<(String, DrainStrategy)> = c
        .nodes
        .values()
        .filter_map(|n| n.drain_strategy.clone().map(|d| (n.id.clone(), d)))
        .collect();
    for (node_id, strategy) in draining {
        drain(c, rng, &node_id, &strategy, now);
        changed = true;
    }
    if c.table(Table::Jobs) > c.periodic.seen {
        c.periodic = PeriodicJobs {
            seen: c.table(Table::Jobs),
            keys: c
                .jobs
                .values()
                .filter(|j| {
                    j.spec["Periodic"]["Enabled"].as_bool() == Some(true)
                        && j.spec["Stop"].as_bool() != Some(true)
                })
                .map(StoredJob::key)
                .collect(),
        };
    }
    let periodic: Vec<(String, String, Value)> = c
        .periodic
        .keys
        .iter()
        .filter_map(|k| c.jobs.get(k))
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

/// One step of a node's drain: stops the next allocation to migrate (all
/// of them when forced) and evaluates its job, or completes the drain when
/// nothing is left to move.
fn drain(c: &mut Cluster, rng: &mut ChaCha8Rng, node_id: &str, strategy: &DrainStrategy, now: i64) {
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
        if let Some(n) = c.nodes.get_mut(node_id) {
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
        return;
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
    }
}
