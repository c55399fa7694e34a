//! Where allocations go: the nodes a group may run on, what they already
//! carry, the node picked, and the allocation built for it.

use super::{tasks, uuid};
use crate::state::Cluster;
use nomad_model::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashMap};

pub(super) fn eligible_nodes(c: &Cluster, job: &Job, tg: &TaskGroup) -> Vec<String> {
    let drivers: Vec<&str> = tg.tasks.iter().map(|t| t.driver.as_str()).collect();
    c.nodes
        .values()
        .filter(|n| {
            n.status == "ready"
                && n.scheduling_eligibility == "eligible"
                && n.drain_strategy.is_none()
        })
        .filter(|n| {
            job.datacenters
                .iter()
                .any(|dc| dc == "*" || *dc == n.datacenter)
        })
        .filter(|n| {
            job.node_pool.is_empty() || job.node_pool == "all" || n.node_pool == job.node_pool
        })
        .filter(|n| {
            drivers
                .iter()
                .all(|d| n.drivers.get(*d).is_some_and(|i| i.detected && i.healthy))
        })
        .filter(|n| {
            job.constraints
                .iter()
                .chain(&tg.constraints)
                .all(|con| constraint_ok(n, con))
        })
        .map(|n| n.id.clone())
        .collect()
}

fn constraint_ok(n: &Node, con: &Constraint) -> bool {
    let l = if let Some(attr) = con
        .l_target
        .strip_prefix("${attr.")
        .and_then(|s| s.strip_suffix('}'))
    {
        n.attributes.get(attr).cloned().unwrap_or_default()
    } else if let Some(m) = con
        .l_target
        .strip_prefix("${meta.")
        .and_then(|s| s.strip_suffix('}'))
    {
        n.meta.get(m).cloned().unwrap_or_default()
    } else if con.l_target == "${node.class}" {
        n.node_class.clone()
    } else if con.l_target == "${node.datacenter}" {
        n.datacenter.clone()
    } else {
        con.l_target.clone()
    };
    match con.operand.as_str() {
        "=" | "==" | "is" => l == con.r_target,
        "!=" | "not" => l != con.r_target,
        "regexp" => l.contains(con.r_target.trim_matches(|c| c == '^' || c == '$')),
        "is_set" => !l.is_empty(),
        "is_not_set" => l.is_empty(),
        _ => true,
    }
}

/// CPU and memory in use per node, from live allocations (one pass).
pub(super) fn node_usage(c: &Cluster) -> HashMap<String, (i64, i64)> {
    let mut m = HashMap::new();
    for a in c
        .allocs
        .values()
        .filter(|a| a.desired_status == "run" && !a.is_terminal())
    {
        let r = a.resources_summary();
        let e = m.entry(a.node_id.clone()).or_insert((0, 0));
        e.0 += r.cpu_mhz;
        e.1 += r.memory_mb;
    }
    m
}

/// Picks the node with the most free memory that still fits the group, and
/// books the group's resources on it.
pub(super) fn pick_node(
    c: &Cluster,
    nodes: &[String],
    tg: &TaskGroup,
    used: &mut HashMap<String, (i64, i64)>,
) -> Option<String> {
    let need_mem: i64 = tg
        .tasks
        .iter()
        .map(|t| t.resources.as_ref().map_or(300, |r| r.memory_mb))
        .sum();
    let need_cpu: i64 = tg
        .tasks
        .iter()
        .map(|t| t.resources.as_ref().map_or(100, |r| r.cpu))
        .sum();
    let best = nodes
        .iter()
        .filter_map(|id| {
            let total = c.nodes[id].total_resources();
            let u = used.get(id).copied().unwrap_or((0, 0));
            let free_mem = total.memory_mb - u.1;
            let free_cpu = total.cpu_mhz - u.0;
            (free_mem >= need_mem && free_cpu >= need_cpu).then_some((free_mem, id.clone()))
        })
        .max_by_key(|(m, id)| (*m, std::cmp::Reverse(id.clone())))
        .map(|(_, id)| id)?;
    let e = used.entry(best.clone()).or_insert((0, 0));
    e.0 += need_cpu;
    e.1 += need_mem;
    Some(best)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn new_alloc(
    c: &Cluster,
    rng: &mut ChaCha8Rng,
    job: &Job,
    tg: &TaskGroup,
    node_id: &str,
    eval_id: &str,
    deployment_id: &str,
    slot: usize,
    metric: &AllocMetric,
    idx: u64,
    now: i64,
) -> Allocation {
    let node = &c.nodes[node_id];
    let ip = node
        .attributes
        .get("unique.network.ip-address")
        .cloned()
        .unwrap_or_else(|| "10.0.0.1".into());
    let mut tasks = BTreeMap::new();
    let mut legacy = BTreeMap::new();
    let mut states = BTreeMap::new();
    for t in &tg.tasks {
        let r = t.resources.clone().unwrap_or(Resources {
            cpu: 100,
            memory_mb: 300,
            ..Default::default()
        });
        tasks.insert(
            t.name.clone(),
            AllocatedTaskResources {
                cpu: Some(AllocatedCpu {
                    cpu_shares: r.cpu,
                    reserved_cores: vec![],
                }),
                memory: Some(AllocatedMemory {
                    memory_mb: r.memory_mb,
                    memory_max_mb: r.memory_max_mb,
                }),
                networks: vec![],
            },
        );
        legacy.insert(
            t.name.clone(),
            Resources {
                cpu: r.cpu,
                memory_mb: r.memory_mb,
                ..Default::default()
            },
        );
        states.insert(t.name.clone(), tasks::received(now));
    }
    let mut ports = vec![];
    for n in &tg.networks {
        for p in n.dynamic_ports.iter() {
            ports.push(AllocatedPortMapping {
                label: p.label.clone(),
                value: rng.gen_range(20000..32000),
                to: p.to,
                host_ip: ip.clone(),
            });
        }
        for p in n.reserved_ports.iter() {
            ports.push(AllocatedPortMapping {
                label: p.label.clone(),
                value: p.value,
                to: p.to,
                host_ip: ip.clone(),
            });
        }
    }
    let mut m = metric.clone();
    let chosen = rng.gen_range(0.55..0.95);
    m.scores.insert(format!("{node_id}.binpack"), chosen);
    // the top candidates' scores, the chosen node first (as the agent sends)
    m.score_meta_data = std::iter::once(node_id.to_string())
        .chain(c.nodes.keys().filter(|k| *k != node_id).take(2).cloned())
        .enumerate()
        .map(|(i, id)| {
            let binpack = if i == 0 {
                chosen
            } else {
                chosen * rng.gen_range(0.4..0.95)
            };
            let anti = if i == 0 {
                0.0
            } else {
                -rng.gen_range(0.0..0.5)
            };
            NodeScoreMeta {
                node_id: id,
                scores: [
                    ("binpack".to_string(), binpack),
                    ("job-anti-affinity".to_string(), anti),
                ]
                .into(),
                norm_score: (binpack + anti) / 2.0,
            }
        })
        .collect();
    m.allocation_time = Nanos(rng.gen_range(20_000..90_000));
    let disk = tg.ephemeral_disk.as_ref().map_or(300, |d| d.size_mb);
    Allocation {
        id: uuid(rng),
        eval_id: eval_id.into(),
        name: format!("{}.{}[{slot}]", job.id, tg.name),
        namespace: job.namespace.clone(),
        node_id: node_id.into(),
        node_name: node.name.clone(),
        job_id: job.id.clone(),
        job_type: job.job_type.clone(),
        job_version: job.version,
        task_group: tg.name.clone(),
        allocated_resources: Some(AllocatedResources {
            tasks,
            shared: Some(AllocatedSharedResources {
                disk_mb: disk,
                networks: vec![],
                ports,
            }),
        }),
        task_resources: legacy,
        shared_resources: Some(Resources {
            disk_mb: disk,
            ..Default::default()
        }),
        metrics: Some(m),
        desired_status: "run".into(),
        client_status: "pending".into(),
        task_states: states,
        deployment_id: deployment_id.into(),
        create_index: idx,
        modify_index: idx,
        alloc_modify_index: idx,
        create_time: UnixNanos(now),
        modify_time: UnixNanos(now),
        ..Default::default()
    }
}
