//! Client nodes, their drivers, events, volumes, and node write bodies.

use crate::de::{int, nd};
use crate::resources::{NodeResources, ResourceSummary, Resources};
use crate::time::{Nanos, UnixSecs, WallTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An entry of `GET /v1/nodes`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeListStub {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub address: String,
    #[serde(deserialize_with = "nd")]
    pub datacenter: String,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub node_class: String,
    #[serde(deserialize_with = "nd")]
    pub node_pool: String,
    #[serde(deserialize_with = "nd")]
    pub version: String,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub drain: bool,
    #[serde(deserialize_with = "nd")]
    pub scheduling_eligibility: String,
    #[serde(deserialize_with = "nd")]
    pub status: String,
    #[serde(deserialize_with = "nd")]
    pub status_description: String,
    #[serde(deserialize_with = "nd")]
    pub drivers: BTreeMap<String, DriverInfo>,
    #[serde(deserialize_with = "nd")]
    pub attributes: BTreeMap<String, String>,
    pub last_drain: Option<DrainMetadata>,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
}

/// `GET /v1/node/:id`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Node {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(rename = "SecretID", deserialize_with = "nd")]
    pub secret_id: String,
    #[serde(deserialize_with = "nd")]
    pub datacenter: String,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(rename = "HTTPAddr", deserialize_with = "nd")]
    pub http_addr: String,
    #[serde(rename = "TLSEnabled", deserialize_with = "crate::de::boolish")]
    pub tls_enabled: bool,
    #[serde(deserialize_with = "nd")]
    pub attributes: BTreeMap<String, String>,
    pub node_resources: Option<NodeResources>,
    pub reserved_resources: Option<serde_json::Value>,
    /// Legacy (removed in 1.11).
    pub resources: Option<Resources>,
    /// Legacy (removed in 1.11).
    pub reserved: Option<Resources>,
    #[serde(deserialize_with = "nd")]
    pub links: BTreeMap<String, String>,
    #[serde(deserialize_with = "nd")]
    pub meta: BTreeMap<String, String>,
    #[serde(deserialize_with = "nd")]
    pub node_class: String,
    #[serde(deserialize_with = "nd")]
    pub node_pool: String,
    #[serde(deserialize_with = "nd")]
    pub computed_class: String,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub drain: bool,
    pub drain_strategy: Option<DrainStrategy>,
    #[serde(deserialize_with = "nd")]
    pub scheduling_eligibility: String,
    #[serde(deserialize_with = "nd")]
    pub status: String,
    #[serde(deserialize_with = "nd")]
    pub status_description: String,
    /// Unix seconds (unlike the nanosecond times elsewhere).
    pub status_updated_at: UnixSecs,
    #[serde(deserialize_with = "nd")]
    pub events: Vec<NodeEvent>,
    #[serde(deserialize_with = "nd")]
    pub drivers: BTreeMap<String, DriverInfo>,
    #[serde(deserialize_with = "nd")]
    pub host_volumes: BTreeMap<String, HostVolume>,
    #[serde(deserialize_with = "nd")]
    pub host_networks: BTreeMap<String, HostNetwork>,
    pub last_drain: Option<DrainMetadata>,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
}

impl Node {
    /// Total resources from `NodeResources`, or the legacy `Resources`.
    pub fn total_resources(&self) -> ResourceSummary {
        match (&self.node_resources, &self.resources) {
            (Some(nr), _) if nr.cpu.is_some() || nr.memory.is_some() => {
                ResourceSummary::from_node(nr)
            }
            (_, Some(r)) => ResourceSummary::from_legacy(r),
            _ => ResourceSummary::default(),
        }
    }
    /// Reserved resources, from `ReservedResources` or the legacy `Reserved`.
    pub fn reserved_resources_summary(&self) -> ResourceSummary {
        if let Some(v) = &self.reserved_resources {
            let g = |a: &str, b: &str| {
                v.get(a)
                    .and_then(|x| x.get(b))
                    .and_then(|x| x.as_i64())
                    .unwrap_or(0)
            };
            return ResourceSummary {
                cpu_mhz: g("Cpu", "CpuShares"),
                memory_mb: g("Memory", "MemoryMB"),
                disk_mb: g("Disk", "DiskMB"),
                ..Default::default()
            };
        }
        self.reserved
            .as_ref()
            .map(ResourceSummary::from_legacy)
            .unwrap_or_default()
    }
    pub fn version(&self) -> &str {
        self.attributes
            .get("nomad.version")
            .map(String::as_str)
            .unwrap_or("")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DriverInfo {
    #[serde(deserialize_with = "nd")]
    pub attributes: BTreeMap<String, String>,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub detected: bool,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub healthy: bool,
    #[serde(deserialize_with = "nd")]
    pub health_description: String,
    pub update_time: WallTime,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeEvent {
    #[serde(deserialize_with = "nd")]
    pub message: String,
    #[serde(deserialize_with = "nd")]
    pub subsystem: String,
    #[serde(deserialize_with = "nd")]
    pub details: BTreeMap<String, String>,
    pub timestamp: WallTime,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DrainStrategy {
    /// How long to wait; `-1` forces an immediate drain, `0` waits forever.
    pub deadline: Nanos,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub ignore_system_jobs: bool,
    pub force_deadline: WallTime,
    pub started_at: WallTime,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DrainMetadata {
    pub started_at: WallTime,
    pub updated_at: WallTime,
    #[serde(deserialize_with = "nd")]
    pub status: String,
    #[serde(rename = "AccessorID", deserialize_with = "nd")]
    pub accessor_id: String,
    #[serde(deserialize_with = "nd")]
    pub meta: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostVolume {
    #[serde(deserialize_with = "nd")]
    pub path: String,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub read_only: bool,
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostNetwork {
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(rename = "CIDR", deserialize_with = "nd")]
    pub cidr: String,
    #[serde(deserialize_with = "nd")]
    pub interface: String,
    #[serde(deserialize_with = "nd")]
    pub reserved_ports: String,
}

/// Body of `POST /v1/node/:id/drain`. A `None` spec cancels a drain.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeDrainRequest {
    #[serde(rename = "NodeID", skip_serializing_if = "String::is_empty")]
    pub node_id: String,
    pub drain_spec: Option<DrainSpec>,
    pub mark_eligible: bool,
    #[serde(deserialize_with = "nd", skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DrainSpec {
    pub deadline: Nanos,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub ignore_system_jobs: bool,
}

/// Body of `POST /v1/node/:id/eligibility`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeEligibilityRequest {
    #[serde(rename = "NodeID", skip_serializing_if = "String::is_empty")]
    pub node_id: String,
    /// `eligible` or `ineligible`.
    pub eligibility: String,
}

/// Answer of node drain, eligibility, purge and evaluate.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeUpdateResponse {
    #[serde(rename = "EvalIDs", deserialize_with = "nd")]
    pub eval_ids: Vec<String>,
    #[serde(deserialize_with = "int")]
    pub eval_create_index: u64,
    #[serde(deserialize_with = "int")]
    pub node_modify_index: u64,
    #[serde(deserialize_with = "int")]
    pub index: u64,
    #[serde(rename = "HeartbeatTTL")]
    pub heartbeat_ttl: Nanos,
}

/// Deadline choices offered when draining a node: `(label, nanoseconds)`.
/// `0` waits for allocations to migrate with no deadline (`-no-deadline`),
/// `-1` stops them at once (`-force`).
pub const DRAIN_PRESETS: &[(&str, i64)] = &[
    ("1 hour", 3_600_000_000_000),
    ("4 hours", 4 * 3_600_000_000_000),
    ("8 hours", 8 * 3_600_000_000_000),
    ("12 hours", 12 * 3_600_000_000_000),
    ("1 day", 24 * 3_600_000_000_000),
    ("No deadline", 0),
];

/// A custom drain deadline such as `90m`, `2h 30m` or `1d`.
pub fn parse_deadline(s: &str) -> Result<Nanos, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("enter a duration such as 90m or 2h30m".into());
    }
    let d = humantime::parse_duration(t).map_err(|e| format!("{t:?}: {e}"))?;
    if d.is_zero() {
        return Err("the deadline must be longer than zero".into());
    }
    i64::try_from(d.as_nanos())
        .map(Nanos)
        .map_err(|_| "that deadline is too long".into())
}

impl DrainStrategy {
    /// "forced", "no deadline" or "deadline 1h".
    pub fn describe(&self) -> String {
        let mut s = match self.deadline.0 {
            d if d < 0 => "forced: allocations stop at once".to_string(),
            0 => "no deadline: waits for allocations to migrate".to_string(),
            _ => format!("deadline {}", crate::format::duration(self.deadline)),
        };
        if self.ignore_system_jobs {
            s.push_str(", system jobs stay");
        }
        s
    }
}

/// Allocations a drain still has to move off a node: those not yet
/// terminal, without system jobs when the drain leaves them be.
pub fn drain_remaining(allocs: &[crate::Allocation], ignore_system_jobs: bool) -> usize {
    allocs
        .iter()
        .filter(|a| !a.is_terminal() && a.desired_status == "run")
        .filter(|a| !(ignore_system_jobs && a.job_type == "system"))
        .count()
}

#[cfg(test)]
mod drain_tests {
    use super::*;
    use crate::Allocation;

    #[test]
    fn deadlines_parse_and_describe() {
        assert_eq!(parse_deadline("90m"), Ok(Nanos(5_400_000_000_000)));
        assert_eq!(parse_deadline(" 2h 30m "), Ok(Nanos(9_000_000_000_000)));
        assert_eq!(parse_deadline("1d"), Ok(Nanos(86_400_000_000_000)));
        assert!(parse_deadline("soon").is_err());
        assert!(parse_deadline("").is_err());
        assert!(parse_deadline("0s").is_err());
        let mut d = DrainStrategy {
            deadline: Nanos(3_600_000_000_000),
            ..Default::default()
        };
        assert_eq!(d.describe(), "deadline 1h");
        d.deadline = Nanos(-1);
        d.ignore_system_jobs = true;
        assert_eq!(
            d.describe(),
            "forced: allocations stop at once, system jobs stay"
        );
        assert_eq!(DRAIN_PRESETS.last().map(|p| p.1), Some(0));
    }

    #[test]
    fn remaining_counts_live_allocations() {
        let a = |status: &str, desired: &str, ty: &str| Allocation {
            client_status: status.into(),
            desired_status: desired.into(),
            job_type: ty.into(),
            ..Default::default()
        };
        let v = vec![
            a("running", "run", "service"),
            a("running", "run", "system"),
            a("pending", "run", "batch"),
            a("complete", "run", "batch"),
            a("running", "stop", "service"),
        ];
        assert_eq!(drain_remaining(&v, false), 3);
        assert_eq!(drain_remaining(&v, true), 2);
    }
}

/// `GET /v1/node/pools` entry and `/v1/node/pool/:name` (Nomad 1.6+).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodePool {
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub description: String,
    #[serde(deserialize_with = "nd")]
    pub meta: BTreeMap<String, String>,
    pub scheduler_configuration: Option<PoolSchedulerConfiguration>,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
}

impl NodePool {
    /// `all` and `default` exist on every cluster and cannot be changed.
    pub fn is_builtin(&self) -> bool {
        self.name == "all" || self.name == "default"
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PoolSchedulerConfiguration {
    #[serde(deserialize_with = "nd")]
    pub scheduler_algorithm: String,
    pub memory_oversubscription_enabled: Option<bool>,
}
