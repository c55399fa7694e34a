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
