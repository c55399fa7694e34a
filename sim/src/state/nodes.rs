//! Writes on nodes (`nomad/node_endpoint.go`): eligibility, drain and
//! purge. Each validates before it bumps the index, in the RPC's order and
//! with its words (uncoded errors, which the agent answers with 500).

use super::{Cluster, Table};
use crate::error::{ApiError, ApiResult};
use nomad_model::*;

pub const ELIGIBLE_EVENT: &str = "Node marked as eligible for scheduling";
pub const INELIGIBLE_EVENT: &str = "Node marked as ineligible for scheduling";
pub const DRAIN_SET_EVENT: &str = "Node drain strategy set";
pub const DRAIN_UPDATED_EVENT: &str = "Node drain strategy updated";
pub const DRAIN_DISABLED_EVENT: &str = "Node drain disabled";

/// Appends a node event, keeping the last ten as the state store does.
pub fn node_event(n: &mut Node, subsystem: &str, msg: &str, idx: u64, now: i64) {
    n.events.push(NodeEvent {
        message: msg.into(),
        subsystem: subsystem.into(),
        timestamp: WallTime::from_unix_nanos(now),
        create_index: idx,
        ..Default::default()
    });
    if n.events.len() > 10 {
        n.events.remove(0);
    }
}

fn unknown_node() -> ApiError {
    ApiError::internal("node not found")
}

impl Cluster {
    /// `Node.UpdateEligibility`.
    pub fn set_eligibility(&mut self, id: &str, eligibility: &str) -> ApiResult<u64> {
        if !matches!(eligibility, "eligible" | "ineligible") {
            return Err(ApiError::internal(format!(
                "invalid scheduling eligibility {eligibility:?}"
            )));
        }
        let n = self.nodes.get(id).ok_or_else(unknown_node)?;
        if n.drain_strategy.is_some() && eligibility == "eligible" {
            return Err(ApiError::internal(
                "can not set node's scheduling eligibility to eligible while it is draining",
            ));
        }
        // Setting what the node already has is a no-op answered with zero
        // indexes (`Node.UpdateEligibility`).
        if n.scheduling_eligibility == eligibility {
            return Ok(0);
        }
        let now = self.now();
        let idx = self.bump(&[Table::Nodes]);
        let n = self.nodes.get_mut(id).ok_or_else(unknown_node)?;
        {
            let msg = if eligibility == "eligible" {
                ELIGIBLE_EVENT
            } else {
                INELIGIBLE_EVENT
            };
            node_event(n, "Cluster", msg, idx, now);
        }
        n.scheduling_eligibility = eligibility.into();
        n.modify_index = idx;
        Ok(idx)
    }

    /// `Node.UpdateDrain`: a strategy starts (or changes) a drain and makes
    /// the node ineligible; none stops it, optionally marking it eligible.
    pub fn set_drain(
        &mut self,
        id: &str,
        spec: Option<&DrainSpec>,
        mark_eligible: bool,
    ) -> ApiResult<u64> {
        if !self.nodes.contains_key(id) {
            return Err(unknown_node());
        }
        let now = self.now();
        let idx = self.bump(&[Table::Nodes]);
        let n = self.nodes.get_mut(id).ok_or_else(unknown_node)?;
        match spec {
            Some(spec) => {
                let force = if spec.deadline.0 > 0 {
                    WallTime::from_unix_nanos(now + spec.deadline.0)
                } else {
                    WallTime(None)
                };
                let msg = if n.drain_strategy.is_some() {
                    DRAIN_UPDATED_EVENT
                } else {
                    DRAIN_SET_EVENT
                };
                n.drain_strategy = Some(DrainStrategy {
                    deadline: spec.deadline,
                    ignore_system_jobs: spec.ignore_system_jobs,
                    force_deadline: force,
                    started_at: WallTime::from_unix_nanos(now),
                });
                n.scheduling_eligibility = "ineligible".into();
                n.last_drain = Some(DrainMetadata {
                    started_at: WallTime::from_unix_nanos(now),
                    updated_at: WallTime::from_unix_nanos(now),
                    status: "draining".into(),
                    ..Default::default()
                });
                node_event(n, "Drain", msg, idx, now);
            }
            None => {
                n.drain_strategy = None;
                if mark_eligible {
                    n.scheduling_eligibility = "eligible".into();
                }
                if let Some(l) = n.last_drain.as_mut() {
                    l.status = "canceled".into();
                    l.updated_at = WallTime::from_unix_nanos(now);
                }
                node_event(n, "Drain", DRAIN_DISABLED_EVENT, idx, now);
            }
        }
        n.modify_index = idx;
        Ok(idx)
    }

    /// `Node.Deregister`: the node goes, its live allocations are lost.
    pub fn purge_node(&mut self, id: &str) -> ApiResult<u64> {
        if !self.nodes.contains_key(id) {
            return Err(unknown_node());
        }
        let now = self.now();
        if let Some(n) = self.nodes.remove(id) {
            self.removed.push(crate::events::Removed::Node(Box::new(n)));
        }
        let idx = self.bump(&[Table::Nodes, Table::Allocs]);
        for a in self
            .allocs
            .values_mut()
            .filter(|a| a.node_id == id && !a.is_terminal())
        {
            a.client_status = "lost".into();
            a.desired_status = "stop".into();
            a.desired_description = "alloc is lost since its node is down".into();
            a.modify_index = idx;
            a.modify_time = UnixNanos(now);
        }
        Ok(idx)
    }
}
