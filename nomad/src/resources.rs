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
    use serde::de::{
        self, value::MapAccessDeserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
    };
    use std::fmt;
    // Visitors rather than untagged enums, which would buffer each value
    // and compile the port decoder twice.
    struct One;
    impl<'de> Visitor<'de> for One {
        type Value = Port;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a port object or number")
        }
        fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Port, A::Error> {
            Port::deserialize(MapAccessDeserializer::new(m))
        }
        fn visit_i64<E: de::Error>(self, value: i64) -> Result<Port, E> {
            Ok(Port {
                value,
                ..Default::default()
            })
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Port, E> {
            self.visit_i64(i64::try_from(v).map_err(|_| E::custom("port out of range"))?)
        }
    }
    struct OneSeed;
    impl<'de> de::DeserializeSeed<'de> for OneSeed {
        type Value = Port;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Port, D::Error> {
            d.deserialize_any(One)
        }
    }
    struct List;
    impl<'de> Visitor<'de> for List {
        type Value = Vec<Port>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of ports")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Vec<Port>, A::Error> {
            let mut v = vec![];
            while let Some(p) = s.next_element_seed(OneSeed)? {
                v.push(p);
            }
            Ok(v)
        }
        // anything else (0.1's count of dynamic ports, null) is no list
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Vec<Port>, A::Error> {
            while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(vec![])
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Vec<Port>, E> {
            Ok(vec![])
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Vec<Port>, E> {
            Ok(vec![])
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Vec<Port>, E> {
            Ok(vec![])
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<Port>, E> {
            Ok(vec![])
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<Port>, E> {
            Ok(vec![])
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<Port>, E> {
            Ok(vec![])
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<Port>, E> {
            Ok(vec![])
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Vec<Port>, D::Error> {
            d.deserialize_any(List)
        }
    }
    d.deserialize_any(List)
}

#[cfg(test)]
mod port_tests {
    use super::NetworkResource;

    fn net(json: &str) -> NetworkResource {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn ports_in_every_shape_agents_print() {
        let n = net(
            r#"{"ReservedPorts":[{"Label":"http","Value":8080,"To":80}],"DynamicPorts":[{"Label":"rpc","Value":0}]}"#,
        );
        assert_eq!(
            (
                n.reserved_ports[0].label.as_str(),
                n.reserved_ports[0].value,
                n.reserved_ports[0].to
            ),
            ("http", 8080, 80)
        );
        assert_eq!(n.dynamic_ports[0].label, "rpc");
        // 0.1: reserved ports as bare numbers, dynamic ports as a count
        let n = net(r#"{"ReservedPorts":[22,443],"DynamicPorts":2}"#);
        assert_eq!(
            n.reserved_ports.iter().map(|p| p.value).collect::<Vec<_>>(),
            [22, 443]
        );
        assert!(n.dynamic_ports.is_empty());
        let n = net(r#"{"ReservedPorts":null,"DynamicPorts":{"odd":1}}"#);
        assert!(n.reserved_ports.is_empty() && n.dynamic_ports.is_empty());
        assert!(serde_json::from_str::<NetworkResource>(r#"{"ReservedPorts":[true]}"#).is_err());
    }
}
