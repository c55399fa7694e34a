//! Allocations, task states and task events.

use crate::de::{int, nd};
use crate::eval::AllocMetric;
use crate::job::Job;
use crate::resources::{AllocatedResources, ResourceSummary, Resources};
use crate::time::{Nanos, UnixNanos, WallTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A full allocation (`GET /v1/allocation/:id`) or a list stub
/// (`GET /v1/allocations`, `/v1/job/:id/allocations`,
/// `/v1/node/:id/allocations`): the stub is the same shape without `Job`,
/// `Resources` and `Metrics`, so one type serves both.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Allocation {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(rename = "EvalID", deserialize_with = "nd")]
    pub eval_id: String,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(rename = "NodeID", deserialize_with = "nd")]
    pub node_id: String,
    #[serde(deserialize_with = "nd")]
    pub node_name: String,
    #[serde(rename = "JobID", deserialize_with = "nd")]
    pub job_id: String,
    #[serde(deserialize_with = "nd")]
    pub job_type: String,
    #[serde(deserialize_with = "int")]
    pub job_version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<Box<Job>>,
    #[serde(deserialize_with = "nd")]
    pub task_group: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_resources: Option<Resources>,
    #[serde(deserialize_with = "nd", skip_serializing_if = "BTreeMap::is_empty")]
    pub task_resources: BTreeMap<String, Resources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocated_resources: Option<AllocatedResources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<AllocMetric>,
    #[serde(deserialize_with = "nd")]
    pub desired_status: String,
    #[serde(deserialize_with = "nd")]
    pub desired_description: String,
    pub desired_transition: Option<DesiredTransition>,
    #[serde(deserialize_with = "nd")]
    pub client_status: String,
    #[serde(deserialize_with = "nd")]
    pub client_description: String,
    #[serde(deserialize_with = "nd")]
    pub task_states: BTreeMap<String, TaskState>,
    #[serde(rename = "DeploymentID", deserialize_with = "nd")]
    pub deployment_id: String,
    pub deployment_status: Option<AllocDeploymentStatus>,
    pub reschedule_tracker: Option<RescheduleTracker>,
    #[serde(deserialize_with = "nd")]
    pub previous_allocation: String,
    #[serde(deserialize_with = "nd")]
    pub next_allocation: String,
    #[serde(rename = "FollowupEvalID", deserialize_with = "nd")]
    pub followup_eval_id: String,
    #[serde(deserialize_with = "nd")]
    pub preempted_allocations: Vec<String>,
    #[serde(rename = "PreemptedByAllocation", deserialize_with = "nd")]
    pub preempted_by_allocation: String,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
    #[serde(deserialize_with = "int")]
    pub alloc_modify_index: u64,
    pub create_time: UnixNanos,
    pub modify_time: UnixNanos,
}

pub type AllocListStub = Allocation;

impl Allocation {
    pub fn is_running(&self) -> bool {
        self.client_status == "running"
    }
    /// Terminal allocations can be garbage collected and never run again.
    pub fn is_terminal(&self) -> bool {
        matches!(self.client_status.as_str(), "complete" | "failed" | "lost")
            || matches!(self.desired_status.as_str(), "stop" | "evict")
    }

    /// Task names, from task states or from allocated resources.
    pub fn task_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.task_states.keys().cloned().collect();
        if names.is_empty() {
            if let Some(ar) = &self.allocated_resources {
                names = ar.tasks.keys().cloned().collect();
            } else {
                names = self.task_resources.keys().cloned().collect();
            }
        }
        names
    }

    /// Resources of one task: `AllocatedResources` when present, else the
    /// legacy `TaskResources`.
    pub fn task_resources_summary(&self, task: &str) -> Option<ResourceSummary> {
        if let Some(t) = self
            .allocated_resources
            .as_ref()
            .and_then(|a| a.tasks.get(task))
        {
            return Some(ResourceSummary::from_allocated_task(t));
        }
        self.task_resources
            .get(task)
            .map(ResourceSummary::from_legacy)
    }

    /// Resources of the whole allocation, summing the tasks and the shared
    /// disk/ports, from whichever shape the agent sent.
    pub fn resources_summary(&self) -> ResourceSummary {
        if let Some(ar) = &self.allocated_resources {
            let mut s = ResourceSummary::default();
            for t in ar.tasks.values() {
                s.add(&ResourceSummary::from_allocated_task(t));
            }
            if let Some(sh) = &ar.shared {
                s.disk_mb += sh.disk_mb;
                for p in &sh.ports {
                    s.ports
                        .push((p.label.clone(), p.value, p.to, p.host_ip.clone()));
                }
                for n in &sh.networks {
                    for p in n.reserved_ports.iter().chain(&n.dynamic_ports) {
                        s.ports.push((p.label.clone(), p.value, p.to, n.ip.clone()));
                    }
                }
            }
            return s;
        }
        if let Some(r) = &self.resources {
            return ResourceSummary::from_legacy(r);
        }
        let mut s = ResourceSummary::default();
        for r in self.task_resources.values() {
            s.add(&ResourceSummary::from_legacy(r));
        }
        if let Some(sh) = &self.shared_resources {
            s.disk_mb += sh.disk_mb;
        }
        s
    }
}

impl Allocation {
    /// The allocation's networks (mode, address, ports): the group's shared
    /// networks, else each task's, else the legacy per-task resources.
    pub fn networks(&self) -> Vec<crate::resources::NetworkResource> {
        if let Some(ar) = &self.allocated_resources {
            if let Some(sh) = ar.shared.as_ref().filter(|s| !s.networks.is_empty()) {
                return sh.networks.clone();
            }
            let v: Vec<_> = ar
                .tasks
                .values()
                .flat_map(|t| t.networks.iter().cloned())
                .collect();
            if !v.is_empty() {
                return v;
            }
        }
        self.task_resources
            .values()
            .chain(self.resources.iter())
            .flat_map(|r| r.networks.iter().cloned())
            .collect()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DesiredTransition {
    pub migrate: Option<bool>,
    pub reschedule: Option<bool>,
    pub force_reschedule: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocDeploymentStatus {
    pub healthy: Option<bool>,
    pub timestamp: WallTime,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub canary: bool,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RescheduleTracker {
    #[serde(deserialize_with = "nd")]
    pub events: Vec<RescheduleEvent>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RescheduleEvent {
    pub reschedule_time: UnixNanos,
    #[serde(rename = "PrevAllocID", deserialize_with = "nd")]
    pub prev_alloc_id: String,
    #[serde(rename = "PrevNodeID", deserialize_with = "nd")]
    pub prev_node_id: String,
    /// int64 ns on real agents; the docs print it as a string.
    pub delay: Nanos,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TaskState {
    /// `pending`, `running` or `dead`.
    #[serde(deserialize_with = "nd")]
    pub state: String,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub failed: bool,
    #[serde(deserialize_with = "int")]
    pub restarts: u64,
    pub last_restart: WallTime,
    pub started_at: WallTime,
    pub finished_at: WallTime,
    #[serde(deserialize_with = "nd")]
    pub events: Vec<TaskEvent>,
}

/// A task event. Every field the docs list is here; [`TaskEvent::describe`]
/// turns one into the sentence an operator wants to read.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TaskEvent {
    #[serde(rename = "Type", deserialize_with = "nd")]
    pub event_type: String,
    pub time: UnixNanos,
    #[serde(deserialize_with = "nd")]
    pub message: String,
    #[serde(deserialize_with = "nd")]
    pub display_message: String,
    #[serde(deserialize_with = "nd")]
    pub details: BTreeMap<String, String>,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub fails_task: bool,
    #[serde(deserialize_with = "nd")]
    pub restart_reason: String,
    #[serde(deserialize_with = "nd")]
    pub setup_error: String,
    #[serde(deserialize_with = "nd")]
    pub driver_error: String,
    #[serde(deserialize_with = "nd")]
    pub driver_message: String,
    #[serde(deserialize_with = "int")]
    pub exit_code: i64,
    #[serde(deserialize_with = "int")]
    pub signal: i64,
    pub kill_timeout: Nanos,
    #[serde(deserialize_with = "nd")]
    pub kill_error: String,
    #[serde(deserialize_with = "nd")]
    pub kill_reason: String,
    pub start_delay: Nanos,
    #[serde(deserialize_with = "nd")]
    pub download_error: String,
    #[serde(deserialize_with = "nd")]
    pub validation_error: String,
    #[serde(deserialize_with = "int")]
    pub disk_limit: i64,
    #[serde(deserialize_with = "int")]
    pub disk_size: i64,
    #[serde(deserialize_with = "nd")]
    pub failed_sibling: String,
    #[serde(deserialize_with = "nd")]
    pub vault_error: String,
    #[serde(deserialize_with = "nd")]
    pub task_signal_reason: String,
    #[serde(deserialize_with = "nd")]
    pub task_signal: String,
    #[serde(deserialize_with = "nd")]
    pub generic_source: String,
}

impl TaskEvent {
    /// The most useful one-line description of the event. Prefers the
    /// agent's `DisplayMessage` (0.7+) and otherwise builds one from the
    /// typed fields, as Nomad's own `populateDisplayMessage` does.
    pub fn describe(&self) -> String {
        if !self.display_message.is_empty() {
            return self.display_message.clone();
        }
        let d = crate::format::duration;
        let msg = match self.event_type.as_str() {
            "Setup Failure" => non_empty(&self.setup_error, "Task setup failed"),
            "Driver Failure" => non_empty(&self.driver_error, "Failed to start task"),
            "Started" => "Task started by client".into(),
            "Received" => "Task received by client".into(),
            "Failed Validation" => non_empty(&self.validation_error, "Validation of task failed"),
            "Killing" => {
                if !self.kill_reason.is_empty() {
                    self.kill_reason.clone()
                } else if self.kill_timeout.0 != 0 {
                    format!(
                        "Sent interrupt. Waiting {} before force killing",
                        d(self.kill_timeout)
                    )
                } else {
                    "Sent interrupt".into()
                }
            }
            "Killed" => non_empty(&self.kill_error, "Task successfully killed"),
            "Terminated" => {
                let mut parts = vec![format!("Exit Code: {}", self.exit_code)];
                if self.signal != 0 {
                    parts.push(format!("Signal: {}", self.signal));
                }
                if !self.message.is_empty() {
                    parts.push(format!("Exit Message: {:?}", self.message));
                }
                parts.join(", ")
            }
            "Restarting" => {
                let mut s = format!("Task restarting in {}", d(self.start_delay));
                if !self.restart_reason.is_empty() {
                    s = format!("{} - {s}", self.restart_reason);
                }
                s
            }
            "Not Restarting" => non_empty(&self.restart_reason, "Task will not restart"),
            "Downloading Artifacts" => "Client is downloading artifacts".into(),
            "Failed Artifact Download" => {
                non_empty(&self.download_error, "Failed to download artifacts")
            }
            "Sibling Task Failed" => {
                if self.failed_sibling.is_empty() {
                    "Task's sibling failed".into()
                } else {
                    format!("Task's sibling {:?} failed", self.failed_sibling)
                }
            }
            "Signaling" => {
                let sig = non_empty(&self.task_signal, "signal");
                if self.task_signal_reason.is_empty() {
                    format!("Task being sent {sig}")
                } else {
                    format!("Task being sent {sig}: {}", self.task_signal_reason)
                }
            }
            "Restart Signaled" => non_empty(&self.restart_reason, "Task signaled to restart"),
            "Disk Resources Exceeded" | "Disk Exceeded" => format!(
                "Disk resources exceeded: limit {} MB, used {} MB",
                self.disk_limit, self.disk_size
            ),
            "Leader Task Dead" => "Leader Task in Group dead".into(),
            "Driver" => self.driver_message.clone(),
            "Task Setup" => self.message.clone(),
            "Building Task Directory" => "Building Task Directory".into(),
            "Template" => self.message.clone(),
            _ => String::new(),
        };
        if msg.is_empty() {
            let mut extras = vec![];
            for v in [
                &self.message,
                &self.driver_message,
                &self.vault_error,
                &self.kill_error,
            ] {
                if !v.is_empty() {
                    extras.push(v.clone());
                }
            }
            extras.join("; ")
        } else {
            msg
        }
    }
}

impl TaskEvent {
    /// The event's typed details as `(label, value)` pairs, for the lines
    /// under its message: only fields that are set, and not the one the
    /// message already is. The free-form `Details` map follows, without
    /// keys that repeat a typed field.
    pub fn facts(&self) -> Vec<(String, String)> {
        let shown = self.describe();
        let d = crate::format::duration;
        let mut out: Vec<(String, String)> = vec![];
        let mut text = |label: &str, v: &str| {
            if !v.is_empty() && !shown.contains(v) {
                out.push((label.to_string(), v.to_string()));
            }
        };
        text("Driver message", &self.driver_message);
        text("Driver error", &self.driver_error);
        text("Setup error", &self.setup_error);
        text("Restart reason", &self.restart_reason);
        text("Kill reason", &self.kill_reason);
        text("Kill error", &self.kill_error);
        text("Download error", &self.download_error);
        text("Validation error", &self.validation_error);
        text("Vault error", &self.vault_error);
        text("Failed sibling", &self.failed_sibling);
        text("Signal sent", &self.task_signal);
        text("Signal reason", &self.task_signal_reason);
        text("Source", &self.generic_source);
        if self.event_type == "Terminated" || self.exit_code != 0 {
            out.push(("Exit code".into(), self.exit_code.to_string()));
        }
        if self.signal != 0 {
            out.push(("Signal".into(), self.signal.to_string()));
        }
        // A 2.x `Signaling` event names its signal only in Details["signal"]
        // (`SetSignalText`), where other events keep the exit signal's number.
        if let Some(s) = self
            .details
            .get("signal")
            .filter(|s| self.task_signal.is_empty() && !s.is_empty() && s.parse::<i64>().is_err())
        {
            out.push(("Signal sent".into(), s.clone()));
        }
        if self.kill_timeout.0 != 0 {
            out.push(("Kill timeout".into(), d(self.kill_timeout)));
        }
        if self.start_delay.0 != 0 {
            out.push(("Restart in".into(), d(self.start_delay)));
        }
        if self.disk_limit != 0 || self.disk_size != 0 {
            out.push((
                "Disk".into(),
                format!("{} MB used of {} MB", self.disk_size, self.disk_limit),
            ));
        }
        if !self.message.is_empty() && self.message != shown && !shown.contains(&self.message) {
            out.push(("Message".into(), self.message.clone()));
        }
        const TYPED: &[&str] = &[
            "driver_message",
            "driver_error",
            "setup_error",
            "restart_reason",
            "kill_reason",
            "kill_error",
            "download_error",
            "validation_error",
            "vault_error",
            "failed_sibling",
            "exit_code",
            "signal",
            "kill_timeout",
            "start_delay",
            "disk_limit",
            "disk_size",
            "message",
            "fails_task",
        ];
        for (k, v) in &self.details {
            if !TYPED.contains(&k.as_str()) && !v.is_empty() {
                out.push((k.clone(), v.clone()));
            }
        }
        out
    }
}

fn non_empty(s: &str, fallback: &str) -> String {
    if s.is_empty() {
        fallback.to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signaling_event_names_its_signal() {
        let e = TaskEvent {
            event_type: "Signaling".into(),
            display_message: "Task being sent a signal".into(),
            details: [("signal".to_string(), "SIGUSR1".to_string())].into(),
            ..Default::default()
        };
        assert_eq!(
            e.facts(),
            [("Signal sent".to_string(), "SIGUSR1".to_string())]
        );
        let exit = TaskEvent {
            event_type: "Terminated".into(),
            signal: 9,
            details: [("signal".to_string(), "9".to_string())].into(),
            ..Default::default()
        };
        assert!(!exit.facts().iter().any(|(k, _)| k == "Signal sent"));
    }

    #[test]
    fn event_facts_show_what_the_message_does_not() {
        let e = TaskEvent {
            event_type: "Terminated".into(),
            exit_code: 137,
            signal: 9,
            message: "OOM Killed".into(),
            display_message: "Exit Code: 137, Signal: 9, Exit Message: \"OOM Killed\"".into(),
            details: [
                ("exit_code".to_string(), "137".to_string()),
                ("oom_killed".to_string(), "true".to_string()),
            ]
            .into(),
            ..Default::default()
        };
        let f = e.facts();
        assert!(f.contains(&("Exit code".into(), "137".into())), "{f:?}");
        assert!(f.contains(&("Signal".into(), "9".into())));
        assert!(f.contains(&("oom_killed".into(), "true".into())));
        // the display message already says it
        assert!(
            !f.iter().any(|(k, _)| k == "Message" || k == "exit_code"),
            "{f:?}"
        );
        let r = TaskEvent {
            event_type: "Restarting".into(),
            restart_reason: "Restart within policy".into(),
            start_delay: Nanos(15_000_000_000),
            ..Default::default()
        };
        assert_eq!(
            r.describe(),
            "Restart within policy - Task restarting in 15s"
        );
        let f = r.facts();
        // the message already names the reason
        assert!(!f.iter().any(|(k, _)| k == "Restart reason"), "{f:?}");
        assert!(f.contains(&("Restart in".into(), "15s".into())));
        let k = TaskEvent {
            event_type: "Killing".into(),
            kill_reason: "Sent by operator".into(),
            kill_timeout: Nanos(5_000_000_000),
            ..Default::default()
        };
        assert_eq!(k.describe(), "Sent by operator");
        assert_eq!(
            k.facts(),
            vec![("Kill timeout".to_string(), "5s".to_string())]
        );
        let dr = TaskEvent {
            event_type: "Driver".into(),
            driver_message: "Downloading image redis:7".into(),
            ..Default::default()
        };
        assert!(dr.facts().is_empty());
    }
}
