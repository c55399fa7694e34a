//! An allocation's lifecycle requests (restart, signal, stop), and the
//! rolling restart of a job's allocations: which ones, in what batches, and
//! when a restarted allocation counts as back.

use crate::alloc::Allocation;
use crate::de::{int, nd};
use serde::{Deserialize, Serialize};

/// Body of `POST /v1/client/allocation/:id/restart`: one task, every
/// task (`AllTasks`), or neither for the running ones.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AllocRestartRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub task_name: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub all_tasks: bool,
}

/// Body of `POST /v1/client/allocation/:id/signal`: no task signals all.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AllocSignalRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub task: String,
    pub signal: String,
}

/// Answer of `POST /v1/allocation/:id/stop`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocStopResponse {
    #[serde(rename = "EvalID", deserialize_with = "nd")]
    pub eval_id: String,
    #[serde(deserialize_with = "int")]
    pub index: u64,
}

/// Signals offered by name (Nomad passes the name to the task driver).
pub const SIGNALS: &[&str] = &[
    "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGKILL", "SIGCONT",
    "SIGSTOP", "SIGWINCH",
];

/// The allocations a rolling restart goes through, `size` at a time: those
/// meant to run and running, by name then ID (so `web[0]` goes first).
pub fn restart_batches(allocs: &[Allocation], size: usize) -> Vec<Vec<String>> {
    let mut live: Vec<&Allocation> = allocs
        .iter()
        .filter(|a| a.desired_status == "run" && a.client_status == "running")
        .collect();
    live.sort_unstable_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    live.chunks(size.max(1))
        .map(|c| c.iter().map(|a| a.id.clone()).collect())
        .collect()
}

/// Restarts counted over an allocation's tasks (a restart adds one to each
/// task it restarts).
pub fn restarts(a: &Allocation) -> u64 {
    a.task_states.values().map(|s| s.restarts).sum()
}

/// Where a restarted allocation is.
#[derive(Clone, Debug, PartialEq)]
pub enum Back {
    /// Not back yet, and why (in words).
    Waiting(String),
    /// Running again, every task, and healthy where that is known.
    Back,
    /// It will not come back by itself.
    Failed(String),
}

/// Whether `a`, restarted when its tasks had `before` restarts, is back:
/// restarted, every task running, the deployment's health (if it tracks
/// one) not unhealthy, and every check passing (`checks`: the statuses of
/// its checks, empty when it has none or the agent reports none).
pub fn back(a: &Allocation, before: u64, checks: &[String]) -> Back {
    if a.is_terminal() {
        let why = if a.client_description.is_empty() {
            a.client_status.clone()
        } else {
            format!("{}: {}", a.client_status, a.client_description)
        };
        return Back::Failed(format!("the allocation stopped ({why})"));
    }
    if let Some(false) = a.deployment_status.as_ref().and_then(|d| d.healthy) {
        return Back::Failed("the deployment marked it unhealthy".into());
    }
    if let Some((name, _)) = a.task_states.iter().find(|(_, s)| s.failed) {
        return Back::Failed(format!("task {name} failed"));
    }
    if restarts(a) <= before {
        return Back::Waiting("the restart has not reached the client yet".into());
    }
    let mut down: Vec<&str> = a
        .task_states
        .iter()
        .filter(|(_, s)| s.state != "running")
        .map(|(n, _)| n.as_str())
        .collect();
    if !a.is_running() || !down.is_empty() {
        down.sort_unstable();
        return Back::Waiting(if down.is_empty() {
            format!("the allocation is {}", a.client_status)
        } else {
            format!("waiting for {} to run", down.join(", "))
        });
    }
    let failing = checks.iter().filter(|c| *c != "success").count();
    if failing > 0 {
        return Back::Waiting(format!("{failing} of {} checks not passing", checks.len()));
    }
    Back::Back
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alloc::{AllocDeploymentStatus, TaskState};

    fn alloc(name: &str, id: &str, client: &str, tasks: &[(&str, &str, u64)]) -> Allocation {
        Allocation {
            id: id.into(),
            name: name.into(),
            desired_status: "run".into(),
            client_status: client.into(),
            task_states: tasks
                .iter()
                .map(|(n, s, r)| {
                    let st = TaskState {
                        state: (*s).into(),
                        restarts: *r,
                        ..Default::default()
                    };
                    ((*n).into(), st)
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn batches_take_the_running_allocations_in_name_order() {
        let mut stopped = alloc("web[3]", "d", "running", &[]);
        stopped.desired_status = "stop".into();
        let allocs = [
            alloc("web[2]", "c", "running", &[]),
            alloc("web[0]", "a", "running", &[]),
            alloc("web[1]", "b", "pending", &[]),
            stopped,
            alloc("web[4]", "e", "running", &[]),
        ];
        assert_eq!(restart_batches(&allocs, 2), [vec!["a", "c"], vec!["e"]]);
        assert_eq!(restart_batches(&allocs, 0).len(), 3);
        assert!(restart_batches(&[], 1).is_empty());
    }

    #[test]
    fn an_allocation_is_back_once_restarted_running_and_passing() {
        let waiting = |b: Back| matches!(b, Back::Waiting(_));
        let a = alloc(
            "web[0]",
            "a",
            "running",
            &[("app", "running", 1), ("side", "running", 1)],
        );
        assert!(waiting(back(&a, 2, &[])), "not restarted yet");
        assert_eq!(back(&a, 1, &[]), Back::Back);
        let b = alloc(
            "web[0]",
            "a",
            "running",
            &[("app", "pending", 2), ("side", "running", 1)],
        );
        assert_eq!(
            back(&b, 1, &[]),
            Back::Waiting("waiting for app to run".into())
        );
        let checks = ["success".to_string(), "pending".to_string()];
        assert_eq!(
            back(&a, 1, &checks),
            Back::Waiting("1 of 2 checks not passing".into())
        );
        let mut sick = a.clone();
        sick.deployment_status = Some(AllocDeploymentStatus {
            healthy: Some(false),
            ..Default::default()
        });
        assert!(matches!(back(&sick, 1, &[]), Back::Failed(_)));
        let mut gone = a.clone();
        gone.client_status = "failed".into();
        gone.client_description = "Failed tasks".into();
        assert_eq!(
            back(&gone, 1, &[]),
            Back::Failed("the allocation stopped (failed: Failed tasks)".into())
        );
    }

    #[test]
    fn requests_carry_only_what_is_set() {
        let all = AllocRestartRequest {
            all_tasks: true,
            ..Default::default()
        };
        assert_eq!(serde_json::to_string(&all).unwrap(), r#"{"AllTasks":true}"#);
        assert_eq!(
            serde_json::to_string(&AllocRestartRequest::default()).unwrap(),
            "{}"
        );
        let sig = AllocSignalRequest {
            task: "app".into(),
            signal: "SIGHUP".into(),
        };
        assert_eq!(
            serde_json::to_string(&sig).unwrap(),
            r#"{"Task":"app","Signal":"SIGHUP"}"#
        );
    }
}
