//! What needs attention now, from what the agent reports: allocations
//! failed or lost recently, crash loops, tasks killed for memory,
//! allocations pending too long, jobs that cannot be placed, deployments
//! failing or stalled, clients down, disconnected, draining or
//! ineligible, and no leader. Each problem names its object, says since
//! when, and explains itself in words.

use crate::{Allocation, Deployment, Evaluation, NodeListStub, UnixNanos};
use std::collections::HashMap;

const MINUTE: i64 = 60_000_000_000;
/// How far back "recently" reaches.
pub const RECENT: i64 = 60 * MINUTE;
/// Restarts within [`RECENT`] that make a crash loop.
pub const CRASH_RESTARTS: u64 = 3;
/// How long pending is too long.
pub const PENDING_TOO_LONG: i64 = 5 * MINUTE;

/// The agent-side filter for the allocations the rules judge: all but
/// the complete ones, which name no problem (go-bexpr has no ordering
/// operators, so "changed this hour" cannot be asked for). An agent
/// before `filter` existed sends every allocation, judged the same.
pub const ALLOC_FILTER: &str = r#"ClientStatus != "complete""#;

/// The evaluations [`eval_problems`] looks at: blocked ones, and those
/// with failed placements (an older agent's blocked evaluation may not
/// carry them itself).
pub const EVAL_FILTER: &str = r#"Status == "blocked" or FailedTGAllocs is not empty"#;

/// The deployments [`deployment_problems`] looks at: all but those that
/// ended well or were replaced.
pub const DEPLOYMENT_FILTER: &str = r#"Status != "successful" and Status != "cancelled""#;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    NoLeader,
    Unplaceable,
    DeploymentFailing,
    CrashLoop,
    OomKilled,
    AllocFailed,
    PendingLong,
    ClientDown,
    ClientDraining,
    ClientIneligible,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::NoLeader,
        Kind::Unplaceable,
        Kind::DeploymentFailing,
        Kind::CrashLoop,
        Kind::OomKilled,
        Kind::AllocFailed,
        Kind::PendingLong,
        Kind::ClientDown,
        Kind::ClientDraining,
        Kind::ClientIneligible,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Kind::NoLeader => "Servers without a leader",
            Kind::Unplaceable => "Jobs that cannot be placed",
            Kind::DeploymentFailing => "Deployments failing or stalled",
            Kind::CrashLoop => "Tasks restarting repeatedly",
            Kind::OomKilled => "Tasks killed for memory",
            Kind::AllocFailed => "Allocations failed or lost recently",
            Kind::PendingLong => "Allocations pending too long",
            Kind::ClientDown => "Clients down or disconnected",
            Kind::ClientDraining => "Clients draining",
            Kind::ClientIneligible => "Clients ineligible",
        }
    }

    /// The test ID and anchor of the group.
    pub fn key(self) -> &'static str {
        match self {
            Kind::NoLeader => "no-leader",
            Kind::Unplaceable => "unplaceable",
            Kind::DeploymentFailing => "deployments",
            Kind::CrashLoop => "crash-loops",
            Kind::OomKilled => "oom",
            Kind::AllocFailed => "failed",
            Kind::PendingLong => "pending",
            Kind::ClientDown => "clients-down",
            Kind::ClientDraining => "draining",
            Kind::ClientIneligible => "ineligible",
        }
    }
}

/// What a problem links to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Alloc(String),
    Job { namespace: String, id: String },
    Eval(String),
    Node(String),
    Servers,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: Kind,
    /// what it is about (an allocation's or client's name, a job ID)
    pub subject: String,
    /// what is wrong, in words
    pub detail: String,
    pub since: UnixNanos,
    pub target: Target,
}

fn alloc_problem(a: &Allocation, kind: Kind, detail: String, since: UnixNanos) -> Problem {
    Problem {
        kind,
        subject: a.name.clone(),
        detail,
        since,
        target: Target::Alloc(a.id.clone()),
    }
}

/// Failed and lost allocations, crash loops, OOM kills and long pendings.
pub fn alloc_problems(allocs: &[Allocation], now: i64) -> Vec<Problem> {
    let mut out = vec![];
    for a in allocs {
        let changed = a.modify_time.0.max(a.create_time.0);
        match a.client_status.as_str() {
            "failed" | "lost" if now - changed <= RECENT => out.push(alloc_problem(
                a,
                Kind::AllocFailed,
                format!(
                    "{} (job {}): {}",
                    a.client_status,
                    a.job_id,
                    if a.client_description.is_empty() {
                        "no description"
                    } else {
                        &a.client_description
                    }
                ),
                UnixNanos(changed),
            )),
            "pending" if now - a.create_time.0 > PENDING_TOO_LONG && a.desired_status == "run" => {
                out.push(alloc_problem(
                    a,
                    Kind::PendingLong,
                    format!(
                        "pending since it was placed on {} (job {})",
                        a.node_name, a.job_id
                    ),
                    a.create_time,
                ))
            }
            _ => {}
        }
        for (task, st) in &a.task_states {
            // restarts within the hour, from the task's events (its
            // `Restarts` counts the allocation's whole life)
            let recent: Vec<i64> = st
                .events
                .iter()
                .filter(|e| e.event_type == "Restarting" && now - e.time.0 <= RECENT)
                .map(|e| e.time.0)
                .collect();
            if recent.len() as u64 >= CRASH_RESTARTS && !a.is_terminal() {
                out.push(alloc_problem(
                    a,
                    Kind::CrashLoop,
                    format!(
                        "task {task} restarted {} times in the last hour ({} in all), now {}",
                        recent.len(),
                        st.restarts,
                        st.state
                    ),
                    UnixNanos(recent.iter().copied().min().unwrap_or(now)),
                ));
            }
            // a task that ended well after all is no longer a problem
            let oom = (a.client_status != "complete")
                .then(|| {
                    st.events.iter().rev().find(|e| {
                        now - e.time.0 <= RECENT
                            && (e.details.get("oom_killed").is_some_and(|v| v == "true")
                                || e.message.contains("OOM Killed"))
                    })
                })
                .flatten();
            if let Some(e) = oom {
                out.push(alloc_problem(
                    a,
                    Kind::OomKilled,
                    format!("task {task} was killed for using more memory than it was given"),
                    e.time,
                ));
            }
        }
    }
    out
}

/// The jobs whose latest placement failed and still waits, explained per
/// task group in words: a blocked evaluation carries the failed
/// placements itself (`CreateBlockedEval`); an older agent's may not, and
/// then the evaluation that created it does.
pub fn eval_problems(evals: &[Evaluation]) -> Vec<Problem> {
    let blocked: HashMap<&str, &Evaluation> = evals
        .iter()
        .filter(|e| e.status == "blocked")
        .map(|e| (e.id.as_str(), e))
        .collect();
    let waiting = |e: &Evaluation| {
        !e.failed_tg_allocs.is_empty()
            && (e.status == "blocked" || blocked.contains_key(e.blocked_eval.as_str()))
    };
    let mut latest: HashMap<(&str, &str), &Evaluation> = HashMap::new();
    for e in evals.iter().filter(|e| !e.failed_tg_allocs.is_empty()) {
        let k = (e.namespace.as_str(), e.job_id.as_str());
        if latest
            .get(&k)
            .is_none_or(|o| o.create_index < e.create_index)
        {
            latest.insert(k, e);
        }
    }
    let mut out: Vec<Problem> = latest
        .into_values()
        .filter(|e| waiting(e))
        .map(|e| {
            let why: Vec<String> = e
                .failed_tg_allocs
                .iter()
                .map(|(g, m)| format!("group {g}: {}", m.explain().join(" ")))
                .collect();
            Problem {
                kind: Kind::Unplaceable,
                subject: e.job_id.clone(),
                detail: why.join(" "),
                since: UnixNanos(e.create_time.0),
                target: Target::Eval(e.id.clone()),
            }
        })
        .collect();
    out.sort_by(|a, b| a.subject.cmp(&b.subject));
    out
}

/// Deployments that failed recently, or run past a progress deadline.
pub fn deployment_problems(deps: &[Deployment], now: i64) -> Vec<Problem> {
    let mut out = vec![];
    for d in deps {
        let job = Target::Job {
            namespace: d.namespace.clone(),
            id: d.job_id.clone(),
        };
        if d.status == "failed" && now - d.modify_time.0 <= RECENT {
            out.push(Problem {
                kind: Kind::DeploymentFailing,
                subject: d.job_id.clone(),
                detail: format!(
                    "deployment v{} failed: {}",
                    d.job_version, d.status_description
                ),
                since: d.modify_time,
                target: job,
            });
        } else if d.is_active() {
            let late = d
                .task_groups
                .iter()
                .filter_map(|(g, s)| {
                    let by = s.require_progress_by.unix_nanos()?;
                    (by.0 < now && s.healthy_allocs < s.desired_total).then_some((g, by))
                })
                .min_by_key(|(_, by)| by.0);
            if let Some((g, by)) = late {
                out.push(Problem {
                    kind: Kind::DeploymentFailing,
                    subject: d.job_id.clone(),
                    detail: format!(
                        "deployment v{} is past its progress deadline in group {g}",
                        d.job_version
                    ),
                    since: by,
                    target: job,
                });
            }
        }
    }
    out
}

/// Clients down or disconnected, draining, or ineligible.
pub fn node_problems(nodes: &[NodeListStub]) -> Vec<Problem> {
    let mut out = vec![];
    for n in nodes {
        let (kind, detail) = match n.status.as_str() {
            "down" | "disconnected" => (
                Kind::ClientDown,
                format!("{} ({})", n.status, n.status_description),
            ),
            _ if n.drain => (Kind::ClientDraining, "draining its allocations".to_string()),
            _ if n.scheduling_eligibility == "ineligible" => (
                Kind::ClientIneligible,
                "takes no new allocations".to_string(),
            ),
            _ => continue,
        };
        out.push(Problem {
            kind,
            subject: n.name.clone(),
            detail,
            since: UnixNanos(0),
            target: Target::Node(n.id.clone()),
        });
    }
    out
}

/// The agent's answer to `/v1/status/leader`: none, or an error, is a
/// region without a leader.
pub fn leader_problem(leader: Result<&str, &str>, now: i64) -> Option<Problem> {
    let detail = match leader {
        Ok(l) if !l.is_empty() => return None,
        Ok(_) => "the servers report no leader".to_string(),
        Err(e) => format!("the leader could not be read: {e}"),
    };
    Some(Problem {
        kind: Kind::NoLeader,
        subject: "servers".into(),
        detail,
        since: UnixNanos(now),
        target: Target::Servers,
    })
}

/// Problems by kind in [`Kind::ALL`]'s order, newest first within one.
pub fn grouped(mut all: Vec<Problem>) -> Vec<(Kind, Vec<Problem>)> {
    all.sort_by_key(|p| (p.kind, std::cmp::Reverse(p.since.0)));
    Kind::ALL
        .into_iter()
        .map(|k| {
            (
                k,
                all.iter()
                    .filter(|p| p.kind == k)
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests;
