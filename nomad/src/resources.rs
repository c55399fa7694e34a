//! Resources in both shapes Nomad has used: the legacy `Resources` /
//! `TaskResources` (still emitted, deprecated) and the newer
//! `AllocatedResources` / `NodeResources` (0.9+). [`ResourceSummary`] is the
//! one view the UI reads; it prefers the newer shape and falls back.

use crate::de::{int, nd};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Legacy resources (jobs, allocations, nodes before 1.11).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Resources {
    #[serde(rename = "CPU", deserialize_with = "int")]
    pub cpu: i64,
    #[serde(deserialize_with = "int")]
    pub cores: i64,
    #[serde(rename = "MemoryMB", deserialize_with = "int")]
    pub memory_mb: i64,
    #[serde(rename = "MemoryMaxMB", deserialize_with = "int")]
    pub memory_max_mb: i64,
    #[serde(rename = "DiskMB", deserialize_with = "int")]
    pub disk_mb: i64,
    #[serde(rename = "IOPS", deserialize_with = "int")]
    pub iops: i64,
    #[serde(deserialize_with = "nd")]
    pub networks: Vec<NetworkResource>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkResource {
    #[serde(deserialize_with = "nd")]
    pub mode: String,
    #[serde(deserialize_with = "nd")]
    pub device: String,
    #[serde(rename = "CIDR", deserialize_with = "nd")]
    pub cidr: String,
    #[serde(rename = "IP", deserialize_with = "nd")]
    pub ip: String,
    #[serde(rename = "MBits", deserialize_with = "int")]
    pub mbits: i64,
    #[serde(deserialize_with = "ports")]
    pub reserved_ports: Vec<Port>,
    #[serde(deserialize_with = "ports")]
    pub dynamic_ports: Vec<Port>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Port {
    #[serde(deserialize_with = "nd")]
    pub label: String,
    #[serde(deserialize_with = "int")]
    pub value: i64,
    #[serde(deserialize_with = "int")]
    pub to: i64,
    #[serde(deserialize_with = "nd")]
    pub host_network: String,
}

/// `Allocation.AllocatedResources` (0.9+).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocatedResources {
    #[serde(deserialize_with = "nd")]
    pub tasks: BTreeMap<String, AllocatedTaskResources>,
    pub shared: Option<AllocatedSharedResources>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocatedTaskResources {
    pub cpu: Option<AllocatedCpu>,
    pub memory: Option<AllocatedMemory>,
    #[serde(deserialize_with = "nd")]
    pub networks: Vec<NetworkResource>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocatedCpu {
    #[serde(deserialize_with = "int")]
    pub cpu_shares: i64,
    #[serde(deserialize_with = "nd")]
    pub reserved_cores: Vec<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocatedMemory {
    #[serde(rename = "MemoryMB", deserialize_with = "int")]
    pub memory_mb: i64,
    #[serde(rename = "MemoryMaxMB", deserialize_with = "int")]
    pub memory_max_mb: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocatedSharedResources {
    #[serde(rename = "DiskMB", deserialize_with = "int")]
    pub disk_mb: i64,
    #[serde(deserialize_with = "nd")]
    pub networks: Vec<NetworkResource>,
    #[serde(deserialize_with = "nd")]
    pub ports: Vec<AllocatedPortMapping>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocatedPortMapping {
    #[serde(deserialize_with = "nd")]
    pub label: String,
    #[serde(deserialize_with = "int")]
    pub value: i64,
    #[serde(deserialize_with = "int")]
    pub to: i64,
    #[serde(rename = "HostIP", deserialize_with = "nd")]
    pub host_ip: String,
}

/// `Node.NodeResources` / `Node.ReservedResources` (0.9+).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeResources {
    pub cpu: Option<NodeCpu>,
    pub memory: Option<NodeMemory>,
    pub disk: Option<NodeDisk>,
    #[serde(deserialize_with = "nd")]
    pub networks: Vec<NetworkResource>,
    #[serde(deserialize_with = "nd")]
    pub devices: Vec<serde_json::Value>,
    #[serde(deserialize_with = "int")]
    pub min_dynamic_port: i64,
    #[serde(deserialize_with = "int")]
    pub max_dynamic_port: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeCpu {
    #[serde(deserialize_with = "int")]
    pub cpu_shares: i64,
    #[serde(deserialize_with = "int")]
    pub total_cpu_cores: i64,
    #[serde(deserialize_with = "nd")]
    pub reservable_cpu_cores: Vec<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeMemory {
    #[serde(rename = "MemoryMB", deserialize_with = "int")]
    pub memory_mb: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeDisk {
    #[serde(rename = "DiskMB", deserialize_with = "int")]
    pub disk_mb: i64,
}

/// The resources the UI shows, whichever shape the agent sent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceSummary {
    pub cpu_mhz: i64,
    pub cores: i64,
    pub memory_mb: i64,
    /// 0 when no oversubscription limit is set.
    pub memory_max_mb: i64,
    pub disk_mb: i64,
    /// `(label, host value, mapped to, host IP)` for every port.
    pub ports: Vec<(String, i64, i64, String)>,
}

impl ResourceSummary {
    pub fn from_legacy(r: &Resources) -> Self {
        let mut s = ResourceSummary {
            cpu_mhz: r.cpu,
            cores: r.cores,
            memory_mb: r.memory_mb,
            memory_max_mb: r.memory_max_mb,
            disk_mb: r.disk_mb,
            ports: vec![],
        };
        s.add_networks(&r.networks);
        s
    }

    pub fn from_allocated_task(t: &AllocatedTaskResources) -> Self {
        let mut s = ResourceSummary {
            cpu_mhz: t.cpu.as_ref().map_or(0, |c| c.cpu_shares),
            cores: t.cpu.as_ref().map_or(0, |c| c.reserved_cores.len() as i64),
            memory_mb: t.memory.as_ref().map_or(0, |m| m.memory_mb),
            memory_max_mb: t.memory.as_ref().map_or(0, |m| m.memory_max_mb),
            ..Default::default()
        };
        s.add_networks(&t.networks);
        s
    }

    pub fn from_node(r: &NodeResources) -> Self {
        let mut s = ResourceSummary {
            cpu_mhz: r.cpu.as_ref().map_or(0, |c| c.cpu_shares),
            cores: r.cpu.as_ref().map_or(0, |c| c.total_cpu_cores),
            memory_mb: r.memory.as_ref().map_or(0, |m| m.memory_mb),
            disk_mb: r.disk.as_ref().map_or(0, |d| d.disk_mb),
            ..Default::default()
        };
        s.add_networks(&r.networks);
        s
    }

    fn add_networks(&mut self, nets: &[NetworkResource]) {
        for n in nets {
            for p in n.reserved_ports.iter().chain(&n.dynamic_ports) {
                self.ports
                    .push((p.label.clone(), p.value, p.to, n.ip.clone()));
            }
        }
    }

    pub fn add(&mut self, o: &ResourceSummary) {
        self.cpu_mhz += o.cpu_mhz;
        self.cores += o.cores;
        self.memory_mb += o.memory_mb;
        self.memory_max_mb += o.memory_max_mb;
        self.disk_mb += o.disk_mb;
        self.ports.extend(o.ports.iter().cloned());
    }
}

/// Port lists: objects on modern agents; 0.1 printed `DynamicPorts` as a
/// count and `ReservedPorts` as bare numbers. `null` is empty.
fn ports<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Port>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum P {
        Obj(Port),
        Num(i64),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum L {
        List(Vec<P>),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<L>::deserialize(d)? {
        None | Some(L::Other(_)) => vec![],
        Some(L::List(v)) => v
            .into_iter()
            .map(|p| match p {
                P::Obj(p) => p,
                P::Num(n) => Port {
                    value: n,
                    ..Default::default()
                },
            })
            .collect(),
    })
}
