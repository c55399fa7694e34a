//! Events from state changes, as `nomad/state/events.go` derives them from
//! a raft entry's memdb changes. The simulator's writes are not typed raft
//! messages, so after each write the publisher looks at what moved: only
//! tables whose index passed the last published index are scanned, and in
//! them the objects whose `ModifyIndex` did; deletions come from the
//! tombstones the removing writes leave (`Cluster::removed`). Each changed
//! object is one event in the batch of its modify index, typed after the
//! message Nomad would have applied (`MsgTypeEvents`).

use super::Event;
use crate::state::{Cluster, Table};
use nomad_model::{Allocation, Deployment, Node};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A removed object, recorded by the write that removed it.
#[derive(Clone, Debug)]
pub enum Removed {
    Job(serde_json::Value),
    Node(Box<Node>),
    NodePool(serde_json::Value),
}

/// What the publisher remembers to tell one kind of change from another.
pub struct Publisher {
    last: u64,
    tables: HashMap<Table, u64>,
    /// Allocation ID → (desired status, desired transition).
    allocs: HashMap<String, (String, String)>,
    /// Node ID → (eligibility, draining).
    nodes: HashMap<String, (String, bool)>,
    /// Deployment ID → (status, promoted groups).
    deployments: HashMap<String, (String, usize)>,
}

const TABLES: [Table; 6] = [
    Table::Jobs,
    Table::Evals,
    Table::Deployments,
    Table::Allocs,
    Table::Nodes,
    Table::NodePools,
];

fn alloc_state(a: &Allocation) -> (String, String) {
    let t = a
        .desired_transition
        .as_ref()
        .map(|t| format!("{:?}", t))
        .unwrap_or_default();
    (a.desired_status.clone(), t)
}

fn node_state(n: &Node) -> (String, bool) {
    (n.scheduling_eligibility.clone(), n.drain_strategy.is_some())
}

fn deployment_state(d: &Deployment) -> (String, usize) {
    let promoted = d.task_groups.values().filter(|g| g.promoted).count();
    (d.status.clone(), promoted)
}

/// `{"<name>": <object>}`, the payload structs of `structs/event.go`.
fn wrap<T: Serialize + ?Sized>(name: &str, v: &T, extra: &str) -> Vec<u8> {
    let mut out = format!("{{\"{name}\":").into_bytes();
    out.extend(serde_json::to_vec(v).unwrap_or_else(|_| b"null".to_vec()));
    out.extend_from_slice(extra.as_bytes());
    out.push(b'}');
    out
}

/// One change before its type is known: (topic order, event type or
/// `None` for "whatever the entry's message was", the event's parts).
struct Pending {
    order: u8,
    ty: Option<&'static str>,
    topic: &'static str,
    key: String,
    namespace: String,
    filter_keys: Option<Vec<String>>,
    payload: Vec<u8>,
}

fn node_payload(n: &Node) -> Vec<u8> {
    // `Node.Sanitize` drops the secret; `Drain` is derived as the API does.
    let mut n = n.clone();
    n.secret_id = String::new();
    n.drain = n.drain_strategy.is_some();
    wrap("Node", &n, "")
}

impl Publisher {
    /// Starts after what the cluster holds: a new agent's buffer is empty.
    pub fn new(c: &Cluster) -> Publisher {
        Publisher {
            last: c.index,
            tables: TABLES.iter().map(|t| (*t, c.table(*t))).collect(),
            allocs: c
                .allocs
                .values()
                .map(|a| (a.id.clone(), alloc_state(a)))
                .collect(),
            nodes: c
                .nodes
                .values()
                .map(|n| (n.id.clone(), node_state(n)))
                .collect(),
            deployments: c
                .deployments
                .values()
                .map(|d| (d.id.clone(), deployment_state(d)))
                .collect(),
        }
    }

    fn moved(&self, c: &Cluster, t: Table) -> bool {
        c.table(t) > self.tables.get(&t).copied().unwrap_or(0)
    }

    /// The batches (index, events) of everything changed since the last call.
    pub fn collect(&mut self, c: &mut Cluster) -> Vec<(u64, Vec<Event>)> {
        if c.index <= self.last && c.removed.is_empty() {
            return vec![];
        }
        let last = self.last;
        let mut by: BTreeMap<u64, Vec<Pending>> = BTreeMap::new();
        let mut put = |idx: u64, p: Pending| by.entry(idx).or_default().push(p);

        if self.moved(c, Table::Jobs) {
            for j in c.jobs.values() {
                let mi = j.spec["ModifyIndex"].as_u64().unwrap_or(0);
                if mi <= last {
                    continue;
                }
                let jmi = j.spec["JobModifyIndex"].as_u64().unwrap_or(0);
                let stop = j.spec["Stop"].as_bool() == Some(true);
                let registration = if stop {
                    "JobDeregistered"
                } else {
                    "JobRegistered"
                };
                let job = |ty, spec: &serde_json::Value| Pending {
                    order: 0,
                    ty,
                    topic: "Job",
                    key: j.id().to_string(),
                    namespace: j.namespace().to_string(),
                    filter_keys: None,
                    payload: wrap("Job", spec, ""),
                };
                if jmi == mi {
                    put(mi, job(Some(registration), &j.spec));
                    continue;
                }
                if jmi > last {
                    // Registered and then moved by its evaluation in the
                    // same write: the registration as it was applied.
                    let mut at = j.spec.clone();
                    at["ModifyIndex"] = serde_json::json!(jmi);
                    at["Status"] = serde_json::json!("pending");
                    put(jmi, job(Some(registration), &at));
                }
                // A status change rides on another message.
                put(mi, job(None, &j.spec));
            }
        }
        if self.moved(c, Table::Evals) {
            for e in c.evals.values().filter(|e| e.modify_index > last) {
                put(
                    e.modify_index,
                    Pending {
                        order: 1,
                        ty: None,
                        topic: "Evaluation",
                        key: e.id.clone(),
                        namespace: e.namespace.clone(),
                        filter_keys: Some(vec![e.job_id.clone(), e.deployment_id.clone()]),
                        payload: wrap("Evaluation", &crate::api::evaluations::eval_json(e), ""),
                    },
                );
            }
        }
        if self.moved(c, Table::Deployments) {
            for d in c.deployments.values().filter(|d| d.modify_index > last) {
                let now = deployment_state(d);
                let ty = match self.deployments.insert(d.id.clone(), now.clone()) {
                    _ if d.create_index == d.modify_index => Some("PlanResult"),
                    None => Some("PlanResult"),
                    Some(before) if now.1 > before.1 => Some("DeploymentPromotion"),
                    Some(before) if now.0 != before.0 => Some("DeploymentStatusUpdate"),
                    Some(_) => None,
                };
                put(
                    d.modify_index,
                    Pending {
                        order: 2,
                        ty,
                        topic: "Deployment",
                        key: d.id.clone(),
                        namespace: d.namespace.clone(),
                        filter_keys: Some(vec![d.job_id.clone()]),
                        payload: wrap("Deployment", d, ""),
                    },
                );
            }
        }
        if self.moved(c, Table::Allocs) {
            for a in c.allocs.values().filter(|a| a.modify_index > last) {
                let now = alloc_state(a);
                let ty = match self.allocs.insert(a.id.clone(), now.clone()) {
                    _ if a.create_index == a.modify_index => "PlanResult",
                    None => "PlanResult",
                    Some(before) if before.0 != now.0 => "PlanResult",
                    Some(before) if before.1 != now.1 => "AllocationUpdateDesiredStatus",
                    Some(_) => "AllocationUpdated",
                };
                // `Allocation.Sanitize` with the job left out.
                let mut payload = wrap("Allocation", a, "");
                if a.job.is_none() && payload.ends_with(b"}}") {
                    payload.truncate(payload.len() - 2);
                    payload.extend_from_slice(b",\"Job\":null}}");
                }
                put(
                    a.modify_index,
                    Pending {
                        order: 3,
                        ty: Some(ty),
                        topic: "Allocation",
                        key: a.id.clone(),
                        namespace: a.namespace.clone(),
                        filter_keys: Some(vec![a.job_id.clone(), a.deployment_id.clone()]),
                        payload,
                    },
                );
            }
        }
        if self.moved(c, Table::Nodes) {
            for n in c.nodes.values().filter(|n| n.modify_index > last) {
                let now = node_state(n);
                let ty = match self.nodes.insert(n.id.clone(), now.clone()) {
                    None => "NodeRegistration",
                    _ if n.create_index == n.modify_index => "NodeRegistration",
                    Some(before) if before.1 != now.1 => "NodeDrain",
                    Some(before) if before.0 != now.0 => "NodeEligibility",
                    Some(_) => "NodeStreamEvent",
                };
                put(
                    n.modify_index,
                    Pending {
                        order: 4,
                        ty: Some(ty),
                        topic: "Node",
                        key: n.id.clone(),
                        namespace: String::new(),
                        filter_keys: None,
                        payload: node_payload(n),
                    },
                );
            }
        }
        if self.moved(c, Table::NodePools) {
            for p in c.node_pools.values() {
                let mi = p["ModifyIndex"].as_u64().unwrap_or(0);
                if mi <= last {
                    continue;
                }
                put(
                    mi,
                    Pending {
                        order: 5,
                        ty: Some("NodePoolUpserted"),
                        topic: "NodePool",
                        key: p["Name"].as_str().unwrap_or("").to_string(),
                        namespace: String::new(),
                        filter_keys: None,
                        payload: wrap("NodePool", &crate::api::pools::shown(p), ""),
                    },
                );
            }
        }
        let at = c.index.max(last + 1);
        for r in std::mem::take(&mut c.removed) {
            let p = match r {
                Removed::Job(j) => Pending {
                    order: 0,
                    ty: Some("JobDeregistered"),
                    topic: "Job",
                    key: j["ID"].as_str().unwrap_or("").to_string(),
                    namespace: j["Namespace"].as_str().unwrap_or("").to_string(),
                    filter_keys: None,
                    payload: wrap("Job", &j, ",\"Deleted\":true"),
                },
                Removed::Node(n) => {
                    self.nodes.remove(&n.id);
                    Pending {
                        order: 4,
                        ty: Some("NodeDeregistration"),
                        topic: "Node",
                        key: n.id.clone(),
                        namespace: String::new(),
                        filter_keys: None,
                        payload: node_payload(&n),
                    }
                }
                Removed::NodePool(p) => Pending {
                    order: 5,
                    ty: Some("NodePoolDeleted"),
                    topic: "NodePool",
                    key: p["Name"].as_str().unwrap_or("").to_string(),
                    namespace: String::new(),
                    filter_keys: None,
                    payload: wrap("NodePool", &crate::api::pools::shown(&p), ""),
                },
            };
            put(at, p);
        }
        // Allocations are dropped by GC and purges without an event.
        if c.allocs.len() < self.allocs.len() {
            self.allocs.retain(|id, _| c.allocs.contains_key(id));
        }
        if c.deployments.len() < self.deployments.len() {
            self.deployments
                .retain(|id, _| c.deployments.contains_key(id));
        }
        for t in TABLES {
            self.tables.insert(t, c.table(t));
        }
        self.last = c.index.max(last);
        by.into_iter()
            .map(|(idx, mut ps)| {
                ps.sort_by_key(|p| p.order);
                let entry = entry_type(&ps);
                let job_ty = ps
                    .iter()
                    .find(|p| p.topic == "Job" && p.ty.is_some())
                    .and_then(|p| p.ty);
                let events = ps
                    .into_iter()
                    .map(|p| {
                        let ty = p.ty.unwrap_or(match p.topic {
                            "Evaluation" => job_ty.unwrap_or("EvaluationUpdated"),
                            "Job" => entry,
                            _ => entry_or(entry, "DeploymentStatusUpdate"),
                        });
                        Event::new(
                            p.topic,
                            ty,
                            p.key,
                            p.namespace,
                            p.filter_keys,
                            idx,
                            &p.payload,
                        )
                    })
                    .collect();
                (idx, events)
            })
            .collect()
    }
}

/// The message type of a raft entry, from the changes in it: a job
/// registration or deregistration carries its evaluation; a plan or a
/// client update carries allocations; otherwise an evaluation update.
fn entry_type(ps: &[Pending]) -> &'static str {
    let typed = |topic: &str| {
        ps.iter()
            .find(|p| p.topic == topic && p.ty.is_some())
            .and_then(|p| p.ty)
    };
    typed("Job")
        .or_else(|| typed("Allocation"))
        .or_else(|| typed("Deployment"))
        .unwrap_or("EvaluationUpdated")
}

fn entry_or(entry: &'static str, other: &'static str) -> &'static str {
    if entry == "EvaluationUpdated" {
        other
    } else {
        entry
    }
}
