//! A task's life on the simulated client, as a state machine: the phase
//! is read back from the task's state and last event (the allocation is
//! the only record the simulation keeps), each tick takes at most one
//! transition, and the events written are the ones Nomad's task runner
//! emits.

use super::restart::{self, Decision};
use nomad_model::*;
use serde_json::Value;

const SEC: i64 = 1_000_000_000;

/// Events that follow another in the same transition are stamped just
/// after it, so they sort after it.
const AFTER: i64 = 1_000;

/// Where a task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TaskPhase {
    /// Pending on something this client does not move forward.
    Pending,
    Received,
    Setup,
    Driver,
    /// Waiting out the delay of a restart.
    Restarting,
    Running,
    Dead,
}

impl TaskPhase {
    pub(super) fn of(st: &TaskState) -> TaskPhase {
        let last = st.events.last().map(|e| e.event_type.as_str());
        match (st.state.as_str(), last) {
            ("pending", Some("Received")) => TaskPhase::Received,
            ("pending", Some("Task Setup")) => TaskPhase::Setup,
            ("pending", Some("Driver")) => TaskPhase::Driver,
            ("pending", Some("Restarting")) => TaskPhase::Restarting,
            ("running", _) => TaskPhase::Running,
            ("dead", _) => TaskPhase::Dead,
            _ => TaskPhase::Pending,
        }
    }
}

/// How a job's tasks behave, from its `sim.behaviour` meta.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Behaviour {
    /// Runs until stopped (a batch task finishes after its runtime).
    Healthy,
    /// Killed for memory after its runtime, every time it runs.
    Crash,
    /// The driver cannot start it: an unrecoverable error.
    FailStart,
}

/// How a task of a job behaves in the simulation, from its job's meta:
/// the behaviour and the seconds a run lasts (`sim.runtime`, 20 unless
/// given).
pub(super) fn behaviour(job: &Value) -> (Behaviour, i64) {
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
    let b = match b {
        "crash" => Behaviour::Crash,
        "fail-start" => Behaviour::FailStart,
        _ => Behaviour::Healthy,
    };
    (b, secs)
}

/// What the state machine needs to know about a task's job.
pub(super) struct Task<'a> {
    pub behaviour: Behaviour,
    /// Seconds a run lasts before the task finishes or crashes.
    pub runtime: i64,
    /// Batch and sysbatch tasks finish; the others run until stopped.
    pub finishes: bool,
    /// When the allocation reached the client (the restart tracker's first
    /// interval starts there).
    pub received: i64,
    /// The task's restart policy, looked up only when it fails: most ticks
    /// touch tasks that never will.
    pub policy: &'a dyn Fn() -> RestartPolicy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transition {
    Setup,
    Driver,
    Start,
    FailStart,
    Exit { code: i64 },
}

/// A task the client has just received.
pub(super) fn received(now: i64) -> TaskState {
    TaskState {
        state: "pending".into(),
        events: vec![TaskEvent {
            event_type: "Received".into(),
            time: UnixNanos(now),
            display_message: "Task received by client".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Moves the task forward if a transition is due at `now`. Returns whether
/// it changed.
pub(super) fn step(st: &mut TaskState, task: &Task, now: i64) -> bool {
    match next(st, task, now) {
        Some(t) => {
            apply(st, task, t, now);
            true
        }
        None => false,
    }
}

fn next(st: &TaskState, task: &Task, now: i64) -> Option<Transition> {
    use Behaviour::*;
    use TaskPhase as P;
    let last = st.events.last();
    let elapsed = now - last.map_or(0, |e| e.time.0);
    // Every step takes at least a second; a restart waits out its delay.
    let since = elapsed / SEC;
    let restart_due = last.is_some_and(|e| elapsed >= e.start_delay.0.max(SEC));
    let t = match (TaskPhase::of(st), task.behaviour) {
        (P::Received, _) if since >= 1 => Transition::Setup,
        (P::Setup, _) if since >= 1 => Transition::Driver,
        (P::Driver, FailStart) if since >= 1 => Transition::FailStart,
        (P::Restarting, FailStart) if restart_due => Transition::FailStart,
        (P::Driver, _) if since >= 1 => Transition::Start,
        (P::Restarting, _) if restart_due => Transition::Start,
        (P::Running, Crash) if since >= task.runtime => Transition::Exit { code: 137 },
        (P::Running, _) if task.finishes && since >= task.runtime => Transition::Exit { code: 0 },
        _ => return None,
    };
    Some(t)
}

fn apply(st: &mut TaskState, task: &Task, t: Transition, now: i64) {
    let at = UnixNanos(now);
    match t {
        Transition::Setup => st.events.push(TaskEvent {
            event_type: "Task Setup".into(),
            time: at,
            message: "Building Task Directory".into(),
            display_message: "Building Task Directory".into(),
            ..Default::default()
        }),
        Transition::Driver => st.events.push(TaskEvent {
            event_type: "Driver".into(),
            time: at,
            driver_message: "Downloading image".into(),
            display_message: "Downloading image".into(),
            ..Default::default()
        }),
        Transition::Start => {
            st.events.push(TaskEvent {
                event_type: "Started".into(),
                time: at,
                display_message: "Task started by client".into(),
                ..Default::default()
            });
            st.state = "running".into();
            st.started_at = WallTime::from_unix_nanos(now);
        }
        Transition::FailStart => {
            let error =
                "failed to create container: image not found: registry.internal/payments:9.9";
            st.events.push(TaskEvent {
                event_type: "Driver Failure".into(),
                time: at,
                driver_error: error.into(),
                display_message: error.into(),
                fails_task: true,
                ..Default::default()
            });
            give_up(st, "Error was unrecoverable".into(), now);
        }
        Transition::Exit { code } => exit(st, task, code, now),
    }
}

/// The task's process ended with `code`: a success ends a finishing task,
/// a failure goes to the restart policy.
fn exit(st: &mut TaskState, task: &Task, code: i64, now: i64) {
    let oom = if code == 137 {
        ", Exit Message: \"OOM Killed\""
    } else {
        ""
    };
    st.events.push(TaskEvent {
        event_type: "Terminated".into(),
        time: UnixNanos(now),
        exit_code: code,
        display_message: format!("Exit Code: {code}{oom}"),
        ..Default::default()
    });
    if code == 0 {
        st.state = "dead".into();
        st.finished_at = WallTime::from_unix_nanos(now);
        return;
    }
    let at = now + AFTER;
    match restart::decide(&(task.policy)(), &st.events, task.received, at) {
        Decision::Restart { reason, delay } => {
            st.restarts += 1;
            st.last_restart = WallTime::from_unix_nanos(now);
            st.events.push(TaskEvent {
                event_type: "Restarting".into(),
                time: UnixNanos(at),
                restart_reason: reason.into(),
                start_delay: Nanos(delay),
                display_message: format!(
                    "{reason} - Task restarting in {}",
                    restart::go_duration(delay)
                ),
                ..Default::default()
            });
            st.state = "pending".into();
        }
        Decision::GiveUp { reason } => give_up(st, reason, now),
    }
}

/// The task will not run again: dead and failed, with the reason on a
/// `Not Restarting` event.
fn give_up(st: &mut TaskState, reason: String, now: i64) {
    st.events.push(TaskEvent {
        event_type: "Not Restarting".into(),
        time: UnixNanos(now + AFTER),
        restart_reason: reason.clone(),
        display_message: reason,
        fails_task: true,
        ..Default::default()
    });
    st.state = "dead".into();
    st.failed = true;
    st.finished_at = WallTime::from_unix_nanos(now);
}

/// Kills a task that is not dead yet, as stopping its allocation does.
pub(super) fn kill(st: &mut TaskState, now: i64) {
    if TaskPhase::of(st) == TaskPhase::Dead {
        return;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-06-01T00:00:00Z.
    const T0: i64 = 1_780_272_000_000_000_000;

    fn policy(attempts: i64, interval_secs: i64, delay_secs: i64, mode: &str) -> RestartPolicy {
        RestartPolicy {
            attempts,
            interval: Nanos::from_secs(interval_secs),
            delay: Nanos::from_secs(delay_secs),
            mode: mode.into(),
        }
    }

    fn task(behaviour: Behaviour, runtime: i64, policy: &dyn Fn() -> RestartPolicy) -> Task<'_> {
        Task {
            behaviour,
            runtime,
            finishes: false,
            received: T0,
            policy,
        }
    }

    /// A task received at `T0`, ticked once a second for `secs` seconds.
    fn run(task: &Task, secs: i64) -> TaskState {
        let mut st = received(T0);
        for s in 1..=secs {
            step(&mut st, task, T0 + s * SEC);
        }
        st
    }

    fn types(st: &TaskState) -> Vec<&str> {
        st.events.iter().map(|e| e.event_type.as_str()).collect()
    }

    fn secs_after_t0(e: &TaskEvent) -> f64 {
        (e.time.0 - T0) as f64 / 1e9
    }

    fn no_policy() -> RestartPolicy {
        panic!("the restart policy was consulted")
    }

    #[test]
    fn a_healthy_task_reaches_running_and_stays() {
        let t = task(Behaviour::Healthy, 20, &no_policy);
        let mut st = run(&t, 3);
        assert_eq!(st.state, "running");
        assert_eq!(TaskPhase::of(&st), TaskPhase::Running);
        assert_eq!(types(&st), ["Received", "Task Setup", "Driver", "Started"]);
        assert_eq!(st.started_at, WallTime::from_unix_nanos(T0 + 3 * SEC));
        assert!(
            !step(&mut st, &t, T0 + 3_600 * SEC),
            "a service keeps running"
        );
        assert_eq!(st.events.len(), 4);
    }

    #[test]
    fn each_step_waits_a_second() {
        let t = task(Behaviour::Healthy, 20, &no_policy);
        let mut st = received(T0);
        assert!(!step(&mut st, &t, T0 + SEC - 1));
        assert!(step(&mut st, &t, T0 + SEC));
        assert_eq!(TaskPhase::of(&st), TaskPhase::Setup);
        assert!(!step(&mut st, &t, T0 + SEC), "one transition a tick");
    }

    #[test]
    fn a_crashing_task_restarts_its_attempts_then_gives_up_in_mode_fail() {
        for attempts in [1, 2, 4] {
            let p = || policy(attempts, 1_800, 15, "fail");
            let st = run(&task(Behaviour::Crash, 25, &p), 1_000);
            assert_eq!((st.state.as_str(), st.failed), ("dead", true));
            assert_eq!(st.restarts, attempts as u64);
            let restarting: Vec<_> = st
                .events
                .iter()
                .filter(|e| e.event_type == "Restarting")
                .collect();
            assert_eq!(restarting.len(), attempts as usize);
            for e in restarting {
                assert_eq!(e.restart_reason, "Restart within policy");
                assert_eq!(e.start_delay, Nanos::from_secs(15));
                assert_eq!(
                    e.display_message,
                    "Restart within policy - Task restarting in 15s"
                );
            }
            let last = st.events.last().unwrap();
            assert_eq!(last.event_type, "Not Restarting");
            assert_eq!(
                last.restart_reason,
                format!(
                    "Exceeded allowed attempts {attempts} in interval 30m0s and mode is \"fail\""
                )
            );
            assert_eq!(last.display_message, last.restart_reason);
            assert!(last.fails_task);
        }
    }

    #[test]
    fn a_crash_loop_keeps_todays_events_and_waits_the_delay() {
        let p = || policy(2, 1_800, 15, "fail");
        let st = run(&task(Behaviour::Crash, 25, &p), 300);
        assert_eq!(
            types(&st),
            [
                "Received",
                "Task Setup",
                "Driver",
                "Started",
                "Terminated",
                "Restarting",
                "Started",
                "Terminated",
                "Restarting",
                "Started",
                "Terminated",
                "Not Restarting"
            ]
        );
        let at: Vec<f64> = st.events.iter().map(secs_after_t0).collect();
        // started at 3s, crashed after 25s, restarted 15s after the
        // `Restarting` event (the first whole second past it)
        assert_eq!(
            at,
            [0.0, 1.0, 2.0, 3.0, 28.0, 28.000001, 44.0, 69.0, 69.000001, 85.0, 110.0, 110.000001]
        );
        let term = &st.events[4];
        assert_eq!(term.exit_code, 137);
        assert_eq!(
            term.display_message,
            "Exit Code: 137, Exit Message: \"OOM Killed\""
        );
        assert_eq!(st.last_restart, WallTime::from_unix_nanos(T0 + 69 * SEC));
        assert_eq!(st.finished_at, WallTime::from_unix_nanos(T0 + 110 * SEC));
    }

    #[test]
    fn mode_delay_waits_for_the_next_interval_and_keeps_restarting() {
        let p = || policy(2, 120, 5, "delay");
        let st = run(&task(Behaviour::Crash, 10, &p), 600);
        assert_ne!(st.state, "dead");
        assert!(!st.failed);
        assert!(!types(&st).contains(&"Not Restarting"));
        let delayed = st
            .events
            .iter()
            .position(|e| e.restart_reason == restart::APPLYING_DELAY)
            .expect("a delayed restart");
        // crashes at 13s and 29s restart within policy; the third, at 45s,
        // waits until the interval that began at 0 ends
        let e = &st.events[delayed];
        assert_eq!(secs_after_t0(e), 45.000001);
        assert_eq!(e.start_delay, Nanos(120 * SEC - (45 * SEC + AFTER)));
        assert_eq!(
            e.display_message,
            "Exceeded allowed attempts, applying a delay - Task restarting in 1m14.999999s"
        );
        let started = &st.events[delayed + 1];
        assert_eq!(
            (started.event_type.as_str(), secs_after_t0(started)),
            ("Started", 120.0)
        );
        // a new interval: the next crash restarts within policy again
        assert_eq!(
            st.events[delayed + 3].restart_reason,
            "Restart within policy"
        );
        assert!(st.restarts >= 6, "restarts: {}", st.restarts);
    }

    #[test]
    fn no_attempts_means_no_restart() {
        let p = || policy(0, 1_800, 15, "fail");
        let st = run(&task(Behaviour::Crash, 5, &p), 60);
        assert_eq!(
            (st.state.as_str(), st.failed, st.restarts),
            ("dead", true, 0)
        );
        assert_eq!(
            st.events.last().unwrap().restart_reason,
            "Policy allows no restarts"
        );
    }

    #[test]
    fn a_batch_task_finishes_without_the_policy() {
        let t = Task {
            finishes: true,
            ..task(Behaviour::Healthy, 7, &no_policy)
        };
        let st = run(&t, 60);
        assert_eq!(
            (st.state.as_str(), st.failed, st.restarts),
            ("dead", false, 0)
        );
        let last = st.events.last().unwrap();
        assert_eq!(
            (last.event_type.as_str(), last.exit_code),
            ("Terminated", 0)
        );
        assert_eq!(last.display_message, "Exit Code: 0");
        assert_eq!(st.finished_at, WallTime::from_unix_nanos(T0 + 10 * SEC));
    }

    #[test]
    fn a_task_that_cannot_start_fails_unrecoverably() {
        let st = run(&task(Behaviour::FailStart, 20, &no_policy), 30);
        assert_eq!(
            types(&st),
            [
                "Received",
                "Task Setup",
                "Driver",
                "Driver Failure",
                "Not Restarting"
            ]
        );
        assert_eq!((st.state.as_str(), st.failed), ("dead", true));
        assert_eq!(st.events[4].restart_reason, "Error was unrecoverable");
        assert!(st.events[3].fails_task && st.events[4].fails_task);
    }

    #[test]
    fn a_pending_task_the_client_does_not_drive_waits() {
        let t = task(Behaviour::Healthy, 20, &no_policy);
        let mut st = received(T0);
        st.events.push(TaskEvent {
            event_type: "Signaling".into(),
            time: UnixNanos(T0),
            ..Default::default()
        });
        assert_eq!(TaskPhase::of(&st), TaskPhase::Pending);
        assert!(!step(&mut st, &t, T0 + 60 * SEC));
    }

    #[test]
    fn killing_stops_live_tasks_only() {
        let t = task(Behaviour::Healthy, 20, &no_policy);
        let mut st = run(&t, 5);
        kill(&mut st, T0 + 9 * SEC);
        assert_eq!(st.state, "dead");
        assert_eq!(&types(&st)[4..], ["Killing", "Killed"]);
        assert_eq!(st.events[4].kill_timeout, Nanos::from_secs(5));
        kill(&mut st, T0 + 10 * SEC);
        assert_eq!(st.events.len(), 6, "a dead task is not killed again");
        assert!(!step(&mut st, &t, T0 + 60 * SEC));
    }
}
