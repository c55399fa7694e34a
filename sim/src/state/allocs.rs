//! What a client does to a running allocation on request
//! (`client/allocrunner`): restart tasks and deliver signals, recorded as
//! the task events Nomad's task runner emits.

use super::{Cluster, Table};
use crate::error::{ApiError, ApiResult};
use nomad_model::*;

fn event(kind: &str, at: i64) -> TaskEvent {
    TaskEvent {
        event_type: kind.into(),
        time: UnixNanos(at),
        ..Default::default()
    }
}

fn unknown_alloc(id: &str) -> ApiError {
    ApiError::not_found(format!("Unknown allocation {id:?}"))
}

impl Cluster {
    /// `RestartAllocation`: one task, all tasks, or (neither named) the
    /// running ones. A restarted task records `Restart Signaled`,
    /// `Terminated`, `Restarting` and `Started`, and counts a restart.
    pub fn restart_tasks(&mut self, id: &str, task: &str, all: bool) -> ApiResult<u64> {
        if all && !task.is_empty() {
            return Err(ApiError::internal(
                "task name cannot be set when restarting all tasks",
            ));
        }
        let a = self.allocs.get(id).ok_or_else(|| unknown_alloc(id))?;
        if !task.is_empty() {
            let st = a.task_states.get(task).ok_or_else(|| {
                ApiError::internal(format!("Could not find task runner for task: {task}"))
            })?;
            if st.state != "running" {
                return Err(ApiError::internal("Task not running"));
            }
        } else if a.is_terminal() {
            return Err(ApiError::internal(
                "restart of an alloc that should not run",
            ));
        }
        let reason = if !task.is_empty() {
            "User requested task to restart"
        } else if all {
            "User requested all tasks to restart"
        } else {
            "User requested running tasks to restart"
        };
        let now = self.now();
        let idx = self.bump(&[Table::Allocs]);
        let a = self.allocs.get_mut(id).ok_or_else(|| unknown_alloc(id))?;
        for (name, st) in a.task_states.iter_mut() {
            let chosen = if task.is_empty() {
                all || st.state == "running"
            } else {
                name == task
            };
            if !chosen {
                continue;
            }
            let mut signaled = event("Restart Signaled", now);
            signaled.restart_reason = reason.into();
            signaled.display_message = reason.into();
            signaled
                .details
                .insert("restart_reason".into(), reason.into());
            let mut terminated = event("Terminated", now + 1_000_000);
            terminated.display_message = "Exit Code: 0".into();
            terminated.details.insert("exit_code".into(), "0".into());
            let mut restarting = event("Restarting", now + 2_000_000);
            // A requested restart skips the policy: no delay, no reason.
            restarting.display_message = "Task restarting in 0s".into();
            restarting
                .details
                .insert("restart_reason".into(), String::new());
            restarting.details.insert("start_delay".into(), "0".into());
            let mut started = event("Started", now + 3_000_000);
            started.display_message = "Task started by client".into();
            st.events
                .extend([signaled, terminated, restarting, started]);
            let keep = st.events.len().saturating_sub(10);
            st.events.drain(..keep);
            st.restarts += 1;
            st.last_restart = WallTime::from_unix_nanos(now);
            st.state = "running".into();
        }
        a.modify_index = idx;
        a.modify_time = UnixNanos(now);
        Ok(idx)
    }

    /// `allocRunner.Signal`: a `Signaling` event carrying the signal, on
    /// the named task or every task. A task that is not running refuses
    /// (`ErrTaskNotRunning`); signalling every task collects those refusals
    /// as Go's `multierror` prints them, and the running ones still get it.
    pub fn signal_tasks(&mut self, id: &str, task: &str, signal: &str) -> ApiResult<u64> {
        let a = self.allocs.get(id).ok_or_else(|| unknown_alloc(id))?;
        if !task.is_empty() {
            let st = a
                .task_states
                .get(task)
                .ok_or_else(|| ApiError::internal("Task not found"))?;
            if st.state != "running" {
                return Err(ApiError::internal("Task not running"));
            }
        }
        let now = self.now();
        let idx = self.bump(&[Table::Allocs]);
        let a = self.allocs.get_mut(id).ok_or_else(|| unknown_alloc(id))?;
        let mut refused = vec![];
        for (name, st) in a.task_states.iter_mut() {
            if !task.is_empty() && name != task {
                continue;
            }
            if st.state != "running" {
                refused.push(format!(
                    "Failed to signal task: {name}, err: Task not running"
                ));
                continue;
            }
            let mut e = event("Signaling", now);
            e.details.insert("signal".into(), signal.into());
            e.display_message = "Task being sent a signal".into();
            st.events.push(e);
            let keep = st.events.len().saturating_sub(10);
            st.events.drain(..keep);
        }
        a.modify_index = idx;
        a.modify_time = UnixNanos(now);
        if refused.is_empty() {
            return Ok(idx);
        }
        let n = refused.len();
        let head = if n == 1 {
            "1 error occurred:".to_string()
        } else {
            format!("{n} errors occurred:")
        };
        let list: String = refused.iter().map(|r| format!("\n\t* {r}")).collect();
        Err(ApiError::internal(format!("{head}{list}\n\n")))
    }
}
