//! The cluster's topology: nodes grouped by datacenter and pool, each with
//! the CPU and memory its allocations take against what it can give, the
//! allocations as segments coloured by job. Slim row types keep 2,000
//! nodes and 50,000 allocations small; [`layout`] does the grouping and
//! sums once per update, and [`Bar`] turns a node's segments into one CSS
//! gradient and finds the segment under the pointer.

use crate::de::{int, nd};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Cpu {
    #[serde(deserialize_with = "int")]
    cpu_shares: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Memory {
    #[serde(rename = "MemoryMB", deserialize_with = "int")]
    memory_mb: u32,
}

/// The CPU and memory parts of `NodeResources`, `ReservedResources` and
/// an allocated task.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Amounts {
    cpu: Option<Cpu>,
    memory: Option<Memory>,
}

impl Amounts {
    fn cpu(&self) -> u32 {
        self.cpu.as_ref().map_or(0, |c| c.cpu_shares)
    }
    fn mem(&self) -> u32 {
        self.memory.as_ref().map_or(0, |m| m.memory_mb)
    }
}

/// Pre-0.9 `Resources` (`CPU`, `MemoryMB`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
struct Legacy {
    #[serde(rename = "CPU", deserialize_with = "int")]
    cpu: u32,
    #[serde(rename = "MemoryMB", deserialize_with = "int")]
    memory_mb: u32,
}

/// A node of `/v1/nodes?resources=true`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TopoNode {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub datacenter: String,
    #[serde(deserialize_with = "nd")]
    pub node_pool: String,
    #[serde(deserialize_with = "nd")]
    pub status: String,
    #[serde(deserialize_with = "nd")]
    pub scheduling_eligibility: String,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub drain: bool,
    node_resources: Option<Amounts>,
    reserved_resources: Option<Amounts>,
    resources: Option<Legacy>,
    reserved: Option<Legacy>,
}

impl TopoNode {
    /// What the node offers allocations: its resources less the reserved.
    pub fn capacity(&self) -> (u32, u32) {
        let (cpu, mem) = match (&self.node_resources, &self.resources) {
            (Some(r), _) if r.cpu() > 0 || r.mem() > 0 => (r.cpu(), r.mem()),
            (_, Some(l)) => (l.cpu, l.memory_mb),
            _ => (0, 0),
        };
        let (rc, rm) = match (&self.reserved_resources, &self.reserved) {
            (Some(r), _) => (r.cpu(), r.mem()),
            (_, Some(l)) => (l.cpu, l.memory_mb),
            _ => (0, 0),
        };
        (cpu.saturating_sub(rc), mem.saturating_sub(rm))
    }

    pub fn pool(&self) -> &str {
        if self.node_pool.is_empty() {
            "default"
        } else {
            &self.node_pool
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Allocated {
    #[serde(deserialize_with = "nd")]
    tasks: BTreeMap<String, Amounts>,
}

/// An allocation of `/v1/allocations?resources=true&task_states=false`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TopoAlloc {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(rename = "NodeID", deserialize_with = "nd")]
    pub node_id: String,
    #[serde(rename = "JobID", deserialize_with = "nd")]
    pub job_id: String,
    #[serde(deserialize_with = "nd")]
    pub task_group: String,
    #[serde(deserialize_with = "nd")]
    pub client_status: String,
    allocated_resources: Option<Allocated>,
    resources: Option<Legacy>,
}

impl TopoAlloc {
    /// CPU (MHz) and memory (MB) of all its tasks.
    pub fn usage(&self) -> (u32, u32) {
        match (&self.allocated_resources, &self.resources) {
            (Some(a), _) if !a.tasks.is_empty() => a
                .tasks
                .values()
                .fold((0, 0), |(c, m), t| (c + t.cpu(), m + t.mem())),
            (_, Some(l)) => (l.cpu, l.memory_mb),
            _ => (0, 0),
        }
    }

    /// Whether it holds resources on its node (pending or running).
    pub fn placed(&self) -> bool {
        matches!(self.client_status.as_str(), "running" | "pending")
    }
}

/// What the URL narrows the view to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TopoQuery {
    pub namespace: String,
    /// a job ID, or the start of one
    pub job: String,
    pub pool: String,
    pub datacenter: String,
}

impl TopoQuery {
    fn marks(&self, a: &TopoAlloc) -> bool {
        (self.namespace.is_empty() || a.namespace == self.namespace)
            && (self.job.is_empty() || a.job_id.starts_with(&self.job))
    }
    fn narrows_allocs(&self) -> bool {
        !self.namespace.is_empty() || !self.job.is_empty()
    }
}

/// One allocation drawn on a node.
#[derive(Clone, Debug, PartialEq)]
pub struct Seg {
    pub alloc: usize,
    pub cpu: u32,
    pub mem: u32,
    pub hue: u16,
    /// outside the job or namespace filter: drawn grey
    pub dim: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub node: usize,
    pub cpu_cap: u32,
    pub mem_cap: u32,
    pub cpu_used: u32,
    pub mem_used: u32,
    /// ordered by job, so a job's allocations sit together
    pub segs: Vec<Seg>,
    /// none of its allocations match the job or namespace filter
    pub dim: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub datacenter: String,
    pub pool: String,
    pub nodes: Vec<NodeView>,
    pub cpu_cap: u64,
    pub mem_cap: u64,
    pub cpu_used: u64,
    pub mem_used: u64,
}

/// A stable hue for a job (namespace and ID), spread over the wheel.
pub fn job_hue(namespace: &str, job: &str) -> u16 {
    let h = namespace
        .bytes()
        .chain([0])
        .chain(job.bytes())
        .fold(2166136261u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(16777619)
        });
    // golden-angle steps keep neighbouring hashes apart
    ((h % 360) as f32 * 137.508 % 360.0) as u16
}

/// Nodes grouped by datacenter and pool (in that order, by name), each
/// with its placed allocations; `q` keeps the datacenter and pool asked
/// for and dims what is outside the job and namespace asked for.
pub fn layout(nodes: &[TopoNode], allocs: &[TopoAlloc], q: &TopoQuery) -> Vec<Group> {
    let mut on: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in allocs.iter().enumerate() {
        if a.placed() {
            on.entry(a.node_id.as_str()).or_default().push(i);
        }
    }
    let mut groups: BTreeMap<(&str, &str), Group> = BTreeMap::new();
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_unstable_by(|&a, &b| nodes[a].name.cmp(&nodes[b].name));
    for i in order {
        let n = &nodes[i];
        if (!q.datacenter.is_empty() && n.datacenter != q.datacenter)
            || (!q.pool.is_empty() && n.pool() != q.pool)
        {
            continue;
        }
        let (cpu_cap, mem_cap) = n.capacity();
        let mut segs: Vec<Seg> = on
            .get(n.id.as_str())
            .into_iter()
            .flatten()
            .map(|&ai| {
                let a = &allocs[ai];
                let (cpu, mem) = a.usage();
                Seg {
                    alloc: ai,
                    cpu,
                    mem,
                    hue: job_hue(&a.namespace, &a.job_id),
                    dim: !q.marks(a),
                }
            })
            .collect();
        segs.sort_unstable_by(|x, y| {
            let (a, b) = (&allocs[x.alloc], &allocs[y.alloc]);
            (&a.namespace, &a.job_id, &a.name).cmp(&(&b.namespace, &b.job_id, &b.name))
        });
        let cpu_used = segs.iter().map(|s| s.cpu).sum();
        let mem_used = segs.iter().map(|s| s.mem).sum();
        let dim = q.narrows_allocs() && segs.iter().all(|s| s.dim);
        let g = groups
            .entry((n.datacenter.as_str(), n.pool()))
            .or_insert_with(|| Group {
                datacenter: n.datacenter.clone(),
                pool: n.pool().to_string(),
                nodes: vec![],
                cpu_cap: 0,
                mem_cap: 0,
                cpu_used: 0,
                mem_used: 0,
            });
        g.cpu_cap += u64::from(cpu_cap);
        g.mem_cap += u64::from(mem_cap);
        g.cpu_used += u64::from(cpu_used);
        g.mem_used += u64::from(mem_used);
        g.nodes.push(NodeView {
            node: i,
            cpu_cap,
            mem_cap,
            cpu_used,
            mem_used,
            segs,
            dim,
        });
    }
    groups.into_values().collect()
}

/// One of a node's two bars: CPU or memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bar {
    Cpu,
    Mem,
}

impl Bar {
    fn amount(self, s: &Seg) -> u32 {
        match self {
            Bar::Cpu => s.cpu,
            Bar::Mem => s.mem,
        }
    }

    fn cap(self, n: &NodeView) -> u32 {
        let (cap, used) = match self {
            Bar::Cpu => (n.cpu_cap, n.cpu_used),
            Bar::Mem => (n.mem_cap, n.mem_used),
        };
        // an over-committed node draws against what is used
        cap.max(used).max(1)
    }

    /// The bar as one `linear-gradient` (a job's neighbouring allocations
    /// merge into one stop pair; the free rest is `free`).
    pub fn gradient(self, n: &NodeView, free: &str) -> String {
        let cap = f64::from(self.cap(n));
        let mut out = String::from("linear-gradient(90deg");
        let mut at = 0u64;
        let mut i = 0;
        while i < n.segs.len() {
            let (hue, dim) = (n.segs[i].hue, n.segs[i].dim);
            let mut end = at;
            while i < n.segs.len() && n.segs[i].hue == hue && n.segs[i].dim == dim {
                end += u64::from(self.amount(&n.segs[i]));
                i += 1;
            }
            let (p0, p1) = (at as f64 * 100.0 / cap, end as f64 * 100.0 / cap);
            let colour = if dim {
                "var(--topo-dim)".to_string()
            } else {
                format!("hsl({hue} 62% 52%)")
            };
            out.push_str(&format!(",{colour} {p0:.2}% {p1:.2}%"));
            at = end;
        }
        let p = at as f64 * 100.0 / cap;
        out.push_str(&format!(",{free} {p:.2}% 100%)"));
        out
    }

    /// The segment under `frac` (0 at the bar's left, 1 at its right).
    pub fn seg_at(self, n: &NodeView, frac: f64) -> Option<usize> {
        let x = frac * f64::from(self.cap(n));
        let mut at = 0.0;
        for (i, s) in n.segs.iter().enumerate() {
            at += f64::from(self.amount(s));
            if x < at {
                return Some(i);
            }
        }
        None
    }
}

/// Percent of `cap` that `used` is, for labels.
pub fn percent(used: u64, cap: u64) -> u64 {
    (used * 100 + cap / 2).checked_div(cap).unwrap_or(0)
}

#[cfg(test)]
mod tests;
