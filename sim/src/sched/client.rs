//! The simulated clients: each tick moves the tasks of live allocations
//! through their lifecycle (`tasks`), then settles what that means for the
//! allocation, its deployment and its job.

use super::restart::policy_of;
use super::tasks::{self, Behaviour, Task};
use crate::state::{Cluster, Table};
use nomad_model::*;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The allocations the clients may move on their own (live, and with a
/// task not yet running or a job whose tasks finish or crash), kept
/// between ticks. An allocation only joins through a write, and every
/// write bumps its modify index, so a tick looks at those written since
/// the last one instead of reading every allocation: the `huge` scenario's
/// quiet ticks went from ~450 ms to a few.
#[derive(Clone, Debug, Default)]
pub struct Awake {
    /// The cluster index the set is current to.
    seen: u64,
    ids: BTreeSet<String>,
}

/// Whether the clients can move `a` by themselves.
fn moves<'a>(
    c: &'a Cluster,
    a: &'a Allocation,
    dynamic: &mut HashMap<(&'a str, &'a str), bool>,
) -> bool {
    if a.desired_status != "run" || a.is_terminal() {
        return false;
    }
    if a.task_states.values().any(|t| t.state != "running") {
        return true;
    }
    *dynamic
        .entry((a.namespace.as_str(), a.job_id.as_str()))
        .or_insert_with(|| {
            c.job(&a.namespace, &a.job_id).is_some_and(|j| {
                matches!(j.get_str("Type"), "batch" | "sysbatch")
                    || tasks::behaviour(&j.spec).0 != Behaviour::Healthy
            })
        })
}

/// One step of the simulated clients. Returns true when anything changed.
pub fn tick(c: &mut Cluster, _rng: &mut ChaCha8Rng) -> bool {
    let now = c.now();
    let mut changed_jobs = BTreeSet::new();
    let mut awake = std::mem::take(&mut c.awake);
    let mut dynamic = HashMap::new();
    if c.index > awake.seen {
        for a in c.allocs.values().filter(|a| a.modify_index > awake.seen) {
            if moves(c, a, &mut dynamic) {
                awake.ids.insert(a.id.clone());
            }
        }
        awake.seen = c.index;
    }
    awake
        .ids
        .retain(|id| c.allocs.get(id).is_some_and(|a| moves(c, a, &mut dynamic)));
    let ids: Vec<String> = awake.ids.iter().cloned().collect();
    c.awake = awake;
    if ids.is_empty() {
        return false;
    }
    let idx = c.index + 1;
    for id in ids {
        let key = {
            let a = &c.allocs[&id];
            (a.namespace.clone(), a.job_id.clone())
        };
        let Some(job) = c.jobs.get(&key) else {
            continue;
        };
        let (behaviour, runtime) = tasks::behaviour(&job.spec);
        let finishes = matches!(job.get_str("Type"), "batch" | "sysbatch");
        let a = c.allocs.get_mut(&id).expect("alloc");
        let received = a.create_time.0;
        let group = &a.task_group;
        let mut changed = false;
        for (name, st) in a.task_states.iter_mut() {
            let policy = || policy_of(&job.spec, group, name);
            let task = Task {
                behaviour,
                runtime,
                finishes,
                received,
                policy: &policy,
            };
            changed |= tasks::step(st, &task, now);
        }
        if changed {
            settle(a, &mut c.deployments, idx, now);
            changed_jobs.insert(key);
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
    true
}

/// The allocation's client status after its tasks moved; a deployment's
/// allocation that starts running counts as healthy.
fn settle(a: &mut Allocation, deployments: &mut BTreeMap<String, Deployment>, idx: u64, now: i64) {
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
            if let Some(d) = deployments.get_mut(&a.deployment_id) {
                count_healthy(d, &a.task_group, idx, now);
            }
        }
    }
    a.modify_index = idx;
    a.modify_time = UnixNanos(now);
}

/// One more healthy allocation of `group`: the deployment succeeds when
/// every group has its healthy allocations (and promoted canaries), and
/// says so when it waits for a promotion.
fn count_healthy(d: &mut Deployment, group: &str, idx: u64, now: i64) {
    if let Some(s) = d.task_groups.get_mut(group) {
        s.healthy_allocs += 1;
    }
    let done = d
        .task_groups
        .values()
        .all(|s| s.healthy_allocs >= s.desired_total && (s.desired_canaries == 0 || s.promoted));
    let awaiting = d
        .task_groups
        .values()
        .any(|s| s.desired_canaries > 0 && !s.promoted && s.healthy_allocs >= s.desired_canaries);
    if d.status == "running" && done {
        d.status = "successful".into();
        d.status_description = "Deployment completed successfully".into();
    } else if d.status == "running" && awaiting {
        d.status_description = "Deployment is running but requires manual promotion".into();
    }
    d.modify_index = idx;
    d.modify_time = UnixNanos(now);
}

#[cfg(test)]
mod tests {
    use crate::clock::Clock;
    use crate::scenario::{build, Scenario};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::time::Duration;

    /// The demo's crash-looping service shows its restarts and then gives
    /// up within two minutes, as the demo promises.
    #[test]
    fn the_demo_crash_loop_gives_up_within_two_minutes() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut c = build(
            Scenario::Demo,
            &mut rng,
            Clock::frozen(1_780_272_000_000_000_000),
        );
        let mut periodic = std::collections::HashMap::new();
        let live = |c: &crate::state::Cluster| -> Vec<String> {
            c.allocs_of_job("platform", "queue-worker")
                .filter(|a| a.next_allocation.is_empty())
                .map(|a| a.id.clone())
                .collect()
        };
        let ids = live(&c);
        assert_eq!(ids.len(), 2);
        for _ in 0..120 {
            c.clock.advance(Duration::from_secs(1));
            super::super::tick_cluster(&mut c, &mut rng, &mut periodic);
            super::tick(&mut c, &mut rng);
        }
        for id in ids {
            let a = &c.allocs[&id];
            assert_eq!(a.client_status, "failed");
            let st = &a.task_states["worker"];
            assert_eq!((st.restarts, st.failed), (2, true));
            let last = st.events.last().unwrap();
            assert_eq!(last.event_type, "Not Restarting");
            assert_eq!(
                last.restart_reason,
                "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\""
            );
        }
    }
}
