//! When a failed task restarts, after Nomad's restart tracker
//! (`client/allocrunner/taskrunner/restarts`): `Attempts` failures within
//! each `Interval` restart after `Delay`; one more fails the task (`Mode:
//! fail`) or waits for the next interval (`Mode: delay`).

use crate::canon::default_restart;
use nomad_model::{RestartPolicy, TaskEvent};
use serde::Deserialize;
use serde_json::Value;

pub(super) const WITHIN_POLICY: &str = "Restart within policy";
pub(super) const APPLYING_DELAY: &str = "Exceeded allowed attempts, applying a delay";
const NO_RESTARTS: &str = "Policy allows no restarts";

/// What the tracker answers to a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Decision {
    /// Start again after `delay` ns; `reason` goes on the `Restarting` event.
    Restart { reason: &'static str, delay: i64 },
    /// Give up: the task dies failed with a `Not Restarting` event.
    GiveUp { reason: String },
}

/// The policy a task restarts by. Canonicalisation gives every task the
/// group's policy merged with its own `restart` block (Nomad's client
/// tracks the task's); the group's and the job type's default are only
/// there for jobs stored without it.
pub(super) fn policy_of(job: &Value, group: &str, task: &str) -> RestartPolicy {
    fn named<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
        list.as_array()?.iter().find(|v| v["Name"] == name)
    }
    let g = named(&job["TaskGroups"], group);
    let t = g.and_then(|g| named(&g["Tasks"], task));
    let default = default_restart(job["Type"].as_str().unwrap_or(""));
    let policy = [
        t.map(|t| &t["RestartPolicy"]),
        g.map(|g| &g["RestartPolicy"]),
        Some(&default),
    ]
    .into_iter()
    .flatten()
    .filter(|p| p.is_object())
    .find_map(|p| RestartPolicy::deserialize(p).ok());
    policy.unwrap_or_default()
}

/// The tracker's answer to a failure decided at `at` (the time its
/// `Restarting` or `Not Restarting` event carries). The simulated client
/// keeps no tracker between ticks, so the count is rebuilt from the
/// earlier decisions recorded in `events`; the first interval starts when
/// the task runner did, at `received`. Restarts the user asked for carry
/// no reason and, as in Nomad, do not count.
pub(super) fn decide(
    policy: &RestartPolicy,
    events: &[TaskEvent],
    received: i64,
    at: i64,
) -> Decision {
    if policy.attempts == 0 {
        return Decision::GiveUp {
            reason: NO_RESTARTS.into(),
        };
    }
    let interval = policy.interval.0;
    let earlier = events.iter().filter(|e| {
        e.event_type == "Restarting"
            && (e.restart_reason == WITHIN_POLICY || e.restart_reason == APPLYING_DELAY)
    });
    let (mut start, mut count) = (received, 0);
    for t in earlier.map(|e| e.time.0).chain([at]) {
        if t > start.saturating_add(interval) {
            (start, count) = (t, 0);
        }
        count += 1;
    }
    if count <= policy.attempts {
        return Decision::Restart {
            reason: WITHIN_POLICY,
            delay: policy.delay.0,
        };
    }
    // Nomad fails only on "fail"; anything else waits.
    if policy.mode == "fail" {
        Decision::GiveUp {
            reason: format!(
                "Exceeded allowed attempts {} in interval {} and mode is \"fail\"",
                policy.attempts,
                go_duration(interval)
            ),
        }
    } else {
        Decision::Restart {
            reason: APPLYING_DELAY,
            delay: start.saturating_add(interval) - at,
        }
    }
}

/// Go's `time.Duration.String` (`1h0m0s`, `1.5s`, `250ms`), as Nomad
/// formats durations in its event messages.
pub(super) fn go_duration(nanos: i64) -> String {
    fn frac(v: u64, unit: u64, digits: usize) -> String {
        let (whole, rest) = (v / unit, v % unit);
        if rest == 0 {
            return whole.to_string();
        }
        let f = format!("{rest:0digits$}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    let body = match n {
        0..=999 => format!("{n}ns"),
        1_000..=999_999 => format!("{}µs", frac(n, 1_000, 3)),
        1_000_000..=999_999_999 => format!("{}ms", frac(n, 1_000_000, 6)),
        _ => {
            let secs = n / 1_000_000_000;
            let s = frac(
                secs % 60 * 1_000_000_000 + n % 1_000_000_000,
                1_000_000_000,
                9,
            );
            match (secs / 3600, secs / 60 % 60) {
                (0, 0) => format!("{s}s"),
                (0, m) => format!("{m}m{s}s"),
                (h, m) => format!("{h}h{m}m{s}s"),
            }
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use nomad_model::{Nanos, UnixNanos};
    use serde_json::json;

    const S: i64 = 1_000_000_000;

    #[test]
    fn durations_read_as_go_prints_them() {
        let cases = [
            (0, "0s"),
            (15 * S, "15s"),
            (30 * 60 * S, "30m0s"),
            (24 * 3600 * S, "24h0m0s"),
            (90 * S + S / 2, "1m30.5s"),
            (1_799 * S - 1_000, "29m58.999999s"),
            (250_000_000, "250ms"),
            (1_500, "1.5µs"),
            (7, "7ns"),
            (-2 * S, "-2s"),
        ];
        for (n, want) in cases {
            assert_eq!(go_duration(n), want, "{n}");
        }
    }

    #[test]
    fn the_tasks_policy_wins_then_the_groups_then_the_default() {
        let job = json!({"Type": "batch", "TaskGroups": [{"Name": "g",
            "RestartPolicy": {"Attempts": 5, "Interval": 60 * S, "Delay": S, "Mode": "delay"},
            "Tasks": [{"Name": "own", "RestartPolicy": {"Attempts": 1, "Interval": 60 * S,
                "Delay": 2 * S, "Mode": "fail"}}, {"Name": "inherits"}]}]});
        assert_eq!(policy_of(&job, "g", "own").attempts, 1);
        let inherited = policy_of(&job, "g", "inherits");
        assert_eq!((inherited.attempts, inherited.mode.as_str()), (5, "delay"));
        let default = policy_of(&job, "nope", "t");
        assert_eq!(
            (default.attempts, default.interval),
            (3, Nanos(24 * 3600 * S))
        );
        assert_eq!(policy_of(&json!({"Type": "service"}), "g", "t").attempts, 2);
    }

    #[test]
    fn a_new_interval_starts_the_count_again() {
        let p = RestartPolicy {
            attempts: 1,
            interval: Nanos(60 * S),
            delay: Nanos(5 * S),
            mode: "fail".into(),
        };
        let restarted = |t: i64| TaskEvent {
            event_type: "Restarting".into(),
            time: UnixNanos(t),
            restart_reason: WITHIN_POLICY.into(),
            ..Default::default()
        };
        let within = Decision::Restart {
            reason: WITHIN_POLICY,
            delay: 5 * S,
        };
        assert_eq!(decide(&p, &[], 0, 10 * S), within);
        let once = [restarted(10 * S)];
        assert!(matches!(
            decide(&p, &once, 0, 30 * S),
            Decision::GiveUp { .. }
        ));
        assert_eq!(decide(&p, &once, 0, 61 * S), within);
        // a restart the user asked for is no failure
        let user = TaskEvent {
            restart_reason: String::new(),
            ..restarted(10 * S)
        };
        assert_eq!(decide(&p, &[user], 0, 30 * S), within);
    }
}
