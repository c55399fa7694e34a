//! Nomad's native service discovery (`command/agent/
//! service_registration_endpoint.go`): the registrations of running
//! allocations whose services use `provider = "nomad"`, and their checks.
//! Registrations are derived from allocations rather than stored, so they
//! appear and go with the allocations, as a client registers them.

use super::fs::alloc_for_client;
use super::http::{block, err, json_index, Params, R};
use crate::acl::Caller;
use crate::state::{Cluster, Table};
use crate::Sim;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use nomad_model::Allocation;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/services", get(list_services))
        .route("/v1/service/{name}", get(read_service))
        .route("/v1/job/{id}/services", get(job_services))
}

/// The services a group declares (its own and its tasks'), with the task
/// they belong to (`""` for group services).
fn declared(c: &Cluster, a: &Allocation) -> Vec<(String, Value)> {
    let Some(j) = c.job(&a.namespace, &a.job_id) else {
        return vec![];
    };
    let spec = j.version(a.job_version).unwrap_or(&j.spec);
    let Some(g) = spec["TaskGroups"]
        .as_array()
        .and_then(|gs| gs.iter().find(|g| g["Name"] == a.task_group.as_str()))
    else {
        return vec![];
    };
    let mut out: Vec<(String, Value)> = g["Services"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| (String::new(), s.clone()))
        .collect();
    for t in g["Tasks"].as_array().into_iter().flatten() {
        let task = t["Name"].as_str().unwrap_or("").to_string();
        for s in t["Services"].as_array().into_iter().flatten() {
            out.push((task.clone(), s.clone()));
        }
    }
    out.retain(|(_, s)| s["Provider"] == "nomad");
    out
}

/// `structs.ServiceRegistration`s of one allocation.
fn registrations(c: &Cluster, a: &Allocation) -> Vec<Value> {
    if a.client_status != "running" {
        return vec![];
    }
    declared(c, a)
        .into_iter()
        .map(|(task, s)| {
            let label = s["PortLabel"].as_str().unwrap_or("");
            let shared = a.allocated_resources.as_ref().and_then(|r| r.shared.as_ref());
            let mapped = shared
                .and_then(|sh| sh.ports.iter().find(|p| p.label == label))
                .map(|p| (p.host_ip.clone(), p.value));
            let (ip, port) = mapped
                .or_else(|| a.networks().iter().find_map(|n| {
                    n.dynamic_ports
                        .iter()
                        .chain(&n.reserved_ports)
                        .find(|p| p.label == label)
                        .map(|p| (n.ip.clone(), p.value))
                }))
                .unwrap_or_default();
            let name = s["Name"].as_str().unwrap_or("");
            let owner = if task.is_empty() {
                format!("group-{}", a.task_group)
            } else {
                task
            };
            let tags = s["Tags"].as_array().filter(|t| !t.is_empty()).cloned();
            json!({
                "ID": format!("_nomad-task-{}-{owner}-{name}-{label}", a.id),
                "ServiceName": name, "Namespace": a.namespace, "NodeID": a.node_id,
                "Datacenter": c.nodes.get(&a.node_id).map(|n| n.datacenter.clone()).unwrap_or_default(),
                "JobID": a.job_id, "AllocID": a.id, "Tags": tags, "Address": ip, "Port": port,
                "CreateIndex": a.create_index, "ModifyIndex": a.modify_index,
            })
        })
        .collect()
}

fn all_registrations<'a>(
    c: &'a Cluster,
    ns: &'a dyn Fn(&str) -> bool,
) -> impl Iterator<Item = Value> + 'a {
    c.allocs
        .values()
        .filter(move |a| ns(&a.namespace))
        .flat_map(move |a| registrations(c, a))
}

async fn list_services(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    let scope = sim
        .store
        .read(|c| who.list_scope(&q, "read-job", &c.namespace_names()))?;
    let idx = block(&sim, &[Table::Allocs], &q).await?;
    let v = sim.store.read(|c| {
        let mut by_ns: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        let matches = |ns: &str| scope.matches(ns);
        for r in all_registrations(c, &matches) {
            let tags = r["Tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(String::from));
            by_ns
                .entry(r["Namespace"].as_str().unwrap_or("").into())
                .or_default()
                .entry(r["ServiceName"].as_str().unwrap_or("").into())
                .or_default()
                .extend(tags);
        }
        by_ns
            .into_iter()
            .map(|(ns, svcs)| {
                let services: Vec<Value> = svcs
                    .into_iter()
                    .map(|(n, t)| json!({"ServiceName": n, "Tags": t}))
                    .collect();
                json!({"Namespace": ns, "Services": services})
            })
            .collect::<Vec<_>>()
    });
    Ok(json_index(&v, idx))
}

async fn read_service(
    State(sim): State<Sim>,
    who: Caller,
    Path(name): Path<String>,
    q: Params,
) -> R {
    let ns = q.namespace();
    who.ns(&ns, "read-job")?;
    let idx = block(&sim, &[Table::Allocs], &q).await?;
    let v: Vec<Value> = sim.store.read(|c| {
        let same = |n: &str| n == ns;
        all_registrations(c, &same)
            .filter(|r| r["ServiceName"] == name.as_str())
            .collect()
    });
    Ok(json_index(&v, idx))
}

async fn job_services(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let ns = q.namespace();
    who.ns(&ns, "read-job")?;
    let idx = block(&sim, &[Table::Allocs], &q).await?;
    let v = sim
        .store
        .read(|c| {
            c.job(&ns, &id)?;
            Some(
                c.allocs_of_job(&ns, &id)
                    .flat_map(|a| registrations(c, a))
                    .collect::<Vec<_>>(),
            )
        })
        .ok_or_else(|| err(404, "job not found"))?;
    Ok(json_index(&v, idx))
}

/// `/v1/allocation/:id/services`.
pub async fn alloc_services(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> R {
    let idx = block(&sim, &[Table::Allocs], &q).await?;
    let (ns, v) = sim
        .store
        .read(|c| {
            c.allocs
                .get(&id)
                .map(|a| (a.namespace.clone(), registrations(c, a)))
        })
        .ok_or_else(|| err(404, "allocation not found"))?;
    who.ns(&ns, "read-job")?;
    Ok(json_index(&v, idx))
}

/// The client's check results (`Allocations.Checks`), keyed by check ID;
/// `null` for an allocation without Nomad service checks.
pub async fn alloc_checks(State(sim): State<Sim>, who: Caller, Path(id): Path<String>) -> R {
    let a = alloc_for_client(&sim, &id)?;
    who.ns(&a.namespace, "read-job")?;
    let now_secs = sim.clock.now() / 1_000_000_000;
    let v = sim.store.read(|c| {
        let mut m = serde_json::Map::new();
        for (task, s) in declared(c, &a) {
            for chk in s["Checks"].as_array().into_iter().flatten() {
                let cname = chk["Name"].as_str().unwrap_or("");
                let sname = s["Name"].as_str().unwrap_or("");
                let cid = crate::sched::stable_uuid(&[&a.id, &task, sname, cname]).replace('-', "");
                let (status, code, output) = match a.client_status.as_str() {
                    "running" => ("success", 200, "HTTP/1.1 200 OK"),
                    "pending" => ("pending", 0, "nomad: waiting to run"),
                    _ => ("failure", 0, "nomad: allocation is not running"),
                };
                let mut r = json!({
                    "ID": cid, "Check": cname, "Group": format!("{}.{}", a.job_id, a.task_group),
                    "Mode": if chk["OnUpdate"] == "ignore" { "readiness" } else { "healthiness" },
                    "Output": output, "Service": sname, "Status": status, "Timestamp": now_secs,
                });
                if code != 0 {
                    r["StatusCode"] = json!(code);
                }
                if !task.is_empty() {
                    r["Task"] = json!(task);
                }
                m.insert(cid, r);
            }
        }
        if m.is_empty() {
            Value::Null
        } else {
            Value::Object(m)
        }
    });
    Ok(json_index(&v, 0))
}
