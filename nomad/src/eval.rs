//! Evaluations, placement metrics and deployments.

use crate::de::{int, nd};
use crate::time::{Nanos, UnixNanos, WallTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Evaluation {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(deserialize_with = "int")]
    pub priority: i64,
    #[serde(rename = "Type", deserialize_with = "nd")]
    pub eval_type: String,
    #[serde(deserialize_with = "nd")]
    pub triggered_by: String,
    #[serde(rename = "JobID", deserialize_with = "nd")]
    pub job_id: String,
    #[serde(deserialize_with = "int")]
    pub job_modify_index: u64,
    #[serde(rename = "NodeID", deserialize_with = "nd")]
    pub node_id: String,
    #[serde(deserialize_with = "int")]
    pub node_modify_index: u64,
    #[serde(rename = "DeploymentID", deserialize_with = "nd")]
    pub deployment_id: String,
    #[serde(deserialize_with = "nd")]
    pub status: String,
    #[serde(deserialize_with = "nd")]
    pub status_description: String,
    pub wait: Nanos,
    pub wait_until: WallTime,
    #[serde(deserialize_with = "nd")]
    pub next_eval: String,
    #[serde(deserialize_with = "nd")]
    pub previous_eval: String,
    #[serde(deserialize_with = "nd")]
    pub blocked_eval: String,
    #[serde(rename = "FailedTGAllocs", deserialize_with = "nd")]
    pub failed_tg_allocs: BTreeMap<String, AllocMetric>,
    #[serde(deserialize_with = "nd")]
    pub class_eligibility: BTreeMap<String, bool>,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub escaped_computed_class: bool,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub annotate_plan: bool,
    #[serde(deserialize_with = "nd")]
    pub queued_allocations: BTreeMap<String, i64>,
    #[serde(deserialize_with = "int")]
    pub snapshot_index: u64,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
    pub create_time: UnixNanos,
    pub modify_time: UnixNanos,
    /// With `?related=true` (Nomad 1.5+): the evaluations linked to this
    /// one through next, previous and blocked, as stubs. Never written
    /// (the simulator adds it to its answer itself).
    #[serde(deserialize_with = "nd", skip_serializing)]
    pub related_evals: Vec<Evaluation>,
}

impl Evaluation {
    /// What the evaluation is waiting for or why it is where it is, in
    /// words, one sentence each (placement failures are explained per
    /// group by [`AllocMetric::explain`]).
    pub fn reasons(&self) -> Vec<String> {
        let mut out = vec![];
        match self.status.as_str() {
            "blocked" => {
                out.push(
                    "Blocked: some allocations could not be placed, and Nomad retries this evaluation when nodes or resources change."
                        .into(),
                );
                if self.escaped_computed_class {
                    out.push("Its constraints name node attributes outside computed classes, so any node change unblocks it.".into());
                } else {
                    let (yes, no): (Vec<_>, Vec<_>) =
                        self.class_eligibility.iter().partition(|(_, ok)| **ok);
                    let names = |v: Vec<(&String, &bool)>| {
                        v.into_iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", ")
                    };
                    if !yes.is_empty() {
                        out.push(format!("Node classes that could take it: {}.", names(yes)));
                    }
                    if !no.is_empty() {
                        out.push(format!("Node classes that cannot: {}.", names(no)));
                    }
                }
            }
            "pending" if self.wait_until.is_set() || self.wait.0 > 0 => {
                out.push("Pending: it waits before it is processed (a reschedule or a stagger delay).".into());
            }
            "pending" => out.push("Pending: queued for a scheduler worker.".into()),
            "failed" => out.push(
                "Failed: the scheduler gave up on it (too many attempts, or a plan it could not apply).".into(),
            ),
            "canceled" => out.push(
                "Canceled: a newer evaluation for the same job made it unnecessary.".into(),
            ),
            _ => {}
        }
        let queued: Vec<String> = self
            .queued_allocations
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(g, n)| format!("{n} of group \"{g}\""))
            .collect();
        if !queued.is_empty() {
            out.push(format!(
                "Allocations queued for placement: {}.",
                queued.join(", ")
            ));
        }
        if !self.blocked_eval.is_empty() {
            out.push(
                "What it could not place waits in a blocked evaluation (linked below).".into(),
            );
        }
        out
    }
}

/// Placement metrics (`AllocMetric`): why a task group could or could not
/// be placed.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocMetric {
    #[serde(deserialize_with = "int")]
    pub nodes_evaluated: i64,
    #[serde(deserialize_with = "int")]
    pub nodes_filtered: i64,
    #[serde(deserialize_with = "int")]
    pub nodes_in_pool: i64,
    #[serde(deserialize_with = "nd")]
    pub nodes_available: BTreeMap<String, i64>,
    #[serde(deserialize_with = "nd")]
    pub class_filtered: BTreeMap<String, i64>,
    #[serde(deserialize_with = "nd")]
    pub constraint_filtered: BTreeMap<String, i64>,
    #[serde(deserialize_with = "int")]
    pub nodes_exhausted: i64,
    #[serde(deserialize_with = "nd")]
    pub class_exhausted: BTreeMap<String, i64>,
    #[serde(deserialize_with = "nd")]
    pub dimension_exhausted: BTreeMap<String, i64>,
    #[serde(deserialize_with = "nd")]
    pub quota_exhausted: Vec<String>,
    #[serde(deserialize_with = "nd")]
    pub scores: BTreeMap<String, f64>,
    #[serde(deserialize_with = "nd")]
    pub score_meta_data: Vec<NodeScoreMeta>,
    pub allocation_time: Nanos,
    #[serde(deserialize_with = "int")]
    pub coalesced_failures: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeScoreMeta {
    #[serde(rename = "NodeID", deserialize_with = "nd")]
    pub node_id: String,
    #[serde(deserialize_with = "nd")]
    pub scores: BTreeMap<String, f64>,
    #[serde(deserialize_with = "crate::de::float")]
    pub norm_score: f64,
}

impl AllocMetric {
    /// Plain-language explanation of a placement failure, one sentence per
    /// cause, in the order an operator should read them.
    pub fn explain(&self) -> Vec<String> {
        let mut out = vec![];
        let plural = |n: i64, w: &str| {
            if n == 1 {
                format!("1 {w}")
            } else {
                format!("{n} {w}s")
            }
        };
        if self.nodes_evaluated == 0 && self.nodes_available.values().all(|v| *v == 0) {
            out.push("No nodes were eligible for evaluation (check datacenters, node pool and node status).".into());
        } else {
            out.push(format!(
                "{} evaluated.",
                plural(self.nodes_evaluated, "node")
            ));
        }
        for (dc, n) in &self.nodes_available {
            if *n == 0 {
                out.push(format!("No nodes are available in datacenter {dc:?}."));
            }
        }
        for (c, n) in &self.class_filtered {
            out.push(format!("Class {c:?} filtered {}.", plural(*n, "node")));
        }
        for (c, n) in &self.constraint_filtered {
            out.push(format!(
                "Constraint \"{c}\" filtered {}.",
                plural(*n, "node")
            ));
        }
        if self.nodes_exhausted > 0 {
            out.push(format!(
                "Resources exhausted on {}.",
                plural(self.nodes_exhausted, "node")
            ));
        }
        for (c, n) in &self.class_exhausted {
            out.push(format!("Class {c:?} exhausted on {}.", plural(*n, "node")));
        }
        for (dim, n) in &self.dimension_exhausted {
            let dim = dim.trim_end_matches(" exhausted");
            out.push(format!(
                "Dimension \"{dim}\" exhausted on {}.",
                plural(*n, "node")
            ));
        }
        for q in &self.quota_exhausted {
            out.push(format!("Quota limit hit: {q}."));
        }
        if self.coalesced_failures > 0 {
            out.push(format!(
                "{} more identical placement failures coalesced.",
                self.coalesced_failures
            ));
        }
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Deployment {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(rename = "JobID", deserialize_with = "nd")]
    pub job_id: String,
    #[serde(deserialize_with = "int")]
    pub job_version: u64,
    #[serde(deserialize_with = "int")]
    pub job_modify_index: u64,
    #[serde(deserialize_with = "int")]
    pub job_spec_modify_index: u64,
    #[serde(deserialize_with = "int")]
    pub job_create_index: u64,
    #[serde(deserialize_with = "nd")]
    pub task_groups: BTreeMap<String, DeploymentState>,
    #[serde(deserialize_with = "nd")]
    pub status: String,
    #[serde(deserialize_with = "nd")]
    pub status_description: String,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
    pub create_time: UnixNanos,
    pub modify_time: UnixNanos,
}

impl Deployment {
    pub fn is_active(&self) -> bool {
        matches!(
            self.status.as_str(),
            "running" | "paused" | "pending" | "blocked" | "unblocking"
        )
    }
    /// Canaries are placed and waiting for promotion.
    pub fn needs_promotion(&self) -> bool {
        self.is_active()
            && self
                .task_groups
                .values()
                .any(|g| g.desired_canaries > 0 && !g.promoted)
    }

    /// Healthy and wanted canaries over the groups awaiting promotion, or
    /// `None` when none await it. Nomad refuses a promotion until every
    /// such group has all its canaries healthy.
    pub fn canary_health(&self) -> Option<(i64, i64)> {
        let waiting: Vec<_> = self
            .task_groups
            .values()
            .filter(|g| g.desired_canaries > 0 && !g.promoted)
            .collect();
        (!waiting.is_empty()).then(|| {
            waiting.iter().fold((0, 0), |(h, w), g| {
                (
                    h + g.healthy_allocs.min(g.desired_canaries),
                    w + g.desired_canaries,
                )
            })
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeploymentState {
    #[serde(deserialize_with = "crate::de::boolish")]
    pub auto_revert: bool,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub auto_promote: bool,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub promoted: bool,
    #[serde(deserialize_with = "nd")]
    pub placed_canaries: Vec<String>,
    #[serde(deserialize_with = "int")]
    pub desired_canaries: i64,
    #[serde(deserialize_with = "int")]
    pub desired_total: i64,
    #[serde(deserialize_with = "int")]
    pub placed_allocs: i64,
    #[serde(deserialize_with = "int")]
    pub healthy_allocs: i64,
    #[serde(deserialize_with = "int")]
    pub unhealthy_allocs: i64,
    pub progress_deadline: Nanos,
    pub require_progress_by: WallTime,
}

/// Body of `POST /v1/deployment/promote/:id`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeploymentPromoteRequest {
    #[serde(rename = "DeploymentID")]
    pub deployment_id: String,
    pub all: bool,
    #[serde(deserialize_with = "nd", skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// Answer of deployment promote/fail/pause.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeploymentUpdateResponse {
    #[serde(rename = "EvalID", deserialize_with = "nd")]
    pub eval_id: String,
    #[serde(deserialize_with = "int")]
    pub eval_create_index: u64,
    #[serde(deserialize_with = "int")]
    pub deployment_modify_index: u64,
    #[serde(rename = "RevertedJobVersion")]
    pub reverted_job_version: Option<u64>,
    #[serde(deserialize_with = "int")]
    pub index: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_say_what_an_evaluation_waits_for() {
        let e = Evaluation {
            status: "blocked".into(),
            class_eligibility: [("v1:123".to_string(), true), ("v1:456".to_string(), false)].into(),
            queued_allocations: [("web".to_string(), 2), ("db".to_string(), 0)].into(),
            ..Default::default()
        };
        let r = e.reasons();
        assert!(r[0].starts_with("Blocked:"));
        assert_eq!(r[1], "Node classes that could take it: v1:123.");
        assert_eq!(r[2], "Node classes that cannot: v1:456.");
        assert_eq!(
            r[3],
            "Allocations queued for placement: 2 of group \"web\"."
        );
        let done = Evaluation {
            status: "complete".into(),
            ..Default::default()
        };
        assert!(done.reasons().is_empty());
        let related: Evaluation =
            serde_json::from_str(r#"{"ID":"a","RelatedEvals":[{"ID":"b","Status":"blocked"}]}"#)
                .unwrap();
        assert_eq!(related.related_evals[0].status, "blocked");
        assert!(!serde_json::to_string(&related)
            .unwrap()
            .contains("RelatedEvals"));
    }
}
