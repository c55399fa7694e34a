//! Allocation histories the scheduler would leave behind: a rescheduled
//! failure and a preemption.

use super::*;

/// Gives the first allocation of `job` a failed predecessor that was
/// rescheduled into it (with the tracker, links both ways and the failed
/// task's events), as Nomad records after a crash loop.
pub(super) fn rescheduled_history(c: &mut Cluster, rng: &mut ChaCha8Rng, job: &str) {
    let Some(cur_id) = c
        .allocs
        .values()
        .filter(|a| a.job_id == job)
        .map(|a| a.id.clone())
        .min()
    else {
        return;
    };
    let now = c.now();
    let mut prev = c.allocs[&cur_id].clone();
    prev.id = uuid(rng);
    prev.client_status = "failed".into();
    prev.client_description = "Failed tasks".into();
    prev.desired_status = "run".into();
    prev.next_allocation = cur_id.clone();
    prev.create_time = UnixNanos(now - 900_000_000_000);
    prev.modify_time = UnixNanos(now - 300_000_000_000);
    let t0 = now - 900_000_000_000;
    for st in prev.task_states.values_mut() {
        let ev = |ty: &str, dt: i64, f: &dyn Fn(&mut TaskEvent)| {
            let mut e = TaskEvent {
                event_type: ty.into(),
                time: UnixNanos(t0 + dt * 1_000_000_000),
                ..Default::default()
            };
            f(&mut e);
            e
        };
        st.state = "dead".into();
        st.failed = true;
        st.restarts = 2;
        st.started_at = WallTime::from_unix_nanos(t0 + 5_000_000_000);
        st.finished_at = WallTime::from_unix_nanos(now - 300_000_000_000);
        st.last_restart = WallTime::from_unix_nanos(t0 + 300_000_000_000);
        st.events = vec![
            ev("Received", 0, &|e| {
                e.display_message = "Task received by client".into()
            }),
            ev("Task Setup", 1, &|e| {
                e.message = "Building Task Directory".into();
                e.display_message = "Building Task Directory".into();
            }),
            ev("Driver", 2, &|e| {
                e.driver_message = "Downloading image".into();
                e.display_message = "Downloading image".into();
            }),
            ev("Started", 5, &|e| {
                e.display_message = "Task started by client".into()
            }),
            ev("Terminated", 280, &|e| {
                e.exit_code = 137;
                e.signal = 9;
                e.message = "OOM Killed".into();
                e.display_message =
                    "Exit Code: 137, Signal: 9, Exit Message: \"OOM Killed\"".into();
                e.details = [("oom_killed".to_string(), "true".to_string())].into();
            }),
            ev("Restarting", 281, &|e| {
                e.restart_reason = "Restart within policy".into();
                e.start_delay = Nanos::from_secs(15);
                e.display_message = "Restart within policy - Task restarting in 15s".into();
            }),
            ev("Killing", 590, &|e| {
                e.kill_reason = "Sent interrupt by the client".into();
                e.kill_timeout = Nanos::from_secs(5);
                e.display_message = "Sent interrupt by the client".into();
            }),
            ev("Not Restarting", 600, &|e| {
                e.restart_reason =
                    "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\"".into();
                e.display_message = e.restart_reason.clone();
                e.fails_task = true;
            }),
        ];
    }
    let prev_node = prev.node_id.clone();
    let prev_id = prev.id.clone();
    if let Some(cur) = c.allocs.get_mut(&cur_id) {
        cur.previous_allocation = prev_id.clone();
        cur.reschedule_tracker = Some(RescheduleTracker {
            events: vec![RescheduleEvent {
                reschedule_time: UnixNanos(now - 290_000_000_000),
                prev_alloc_id: prev_id,
                prev_node_id: prev_node,
                delay: Nanos::from_secs(30),
            }],
        });
    }
    c.insert_alloc(prev);
}

/// Records that the first allocation of system job `by` preempted an
/// allocation of batch job `victim` on its node, as the scheduler does when
/// a higher-priority job needs the room.
pub(super) fn preempted_history(c: &mut Cluster, rng: &mut ChaCha8Rng, by: &str, victim: &str) {
    let Some(by_id) = c
        .allocs
        .values()
        .filter(|a| a.job_id == by)
        .map(|a| a.id.clone())
        .min()
    else {
        return;
    };
    let Some(mut v) = c.allocs.values().find(|a| a.job_id == victim).cloned() else {
        return;
    };
    let now = c.now();
    let node = c.allocs[&by_id].node_id.clone();
    v.id = uuid(rng);
    v.node_id = node.clone();
    v.node_name = c
        .nodes
        .get(&node)
        .map(|n| n.name.clone())
        .unwrap_or_default();
    v.desired_status = "evict".into();
    v.desired_description = format!("Preempted by alloc ID {by_id}");
    v.client_status = "complete".into();
    v.client_description = "All tasks have completed".into();
    v.preempted_by_allocation = by_id.clone();
    v.create_time = UnixNanos(now - 1_800_000_000_000);
    v.modify_time = UnixNanos(now - 600_000_000_000);
    for st in v.task_states.values_mut() {
        st.state = "dead".into();
        st.finished_at = WallTime::from_unix_nanos(now - 600_000_000_000);
        for (i, e) in st.events.iter_mut().enumerate() {
            e.time = UnixNanos(now - 1_800_000_000_000 + i as i64 * 2_000_000_000);
        }
        st.events.push(TaskEvent {
            event_type: "Killing".into(),
            time: UnixNanos(now - 601_000_000_000),
            kill_reason: format!("Preempted by alloc ID {by_id}"),
            kill_timeout: Nanos::from_secs(5),
            display_message: format!("Preempted by alloc ID {by_id}"),
            ..Default::default()
        });
        st.events.push(TaskEvent {
            event_type: "Killed".into(),
            time: UnixNanos(now - 600_000_000_000),
            display_message: "Task successfully killed".into(),
            ..Default::default()
        });
    }
    let vid = v.id.clone();
    if let Some(b) = c.allocs.get_mut(&by_id) {
        b.preempted_allocations = vec![vid];
    }
    c.insert_alloc(v);
}
