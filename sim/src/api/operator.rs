//! The cluster around the jobs: regions, namespaces, status, agent, raft,
//! license, metrics, system GC and scaling policies (`command/agent/`
//! `status_endpoint.go`, `agent_endpoint.go`, `operator_endpoint*.go`,
//! `metrics_endpoint.go`, `system_endpoint.go`, `scaling_endpoint.go`).

use super::http::{block, err, json, json_index, Params, R};
use crate::acl::Caller;
use crate::state::{Cluster, Table};
use crate::Sim;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, put};
use axum::Router;
use serde_json::{json, Value};

/// The version the simulated agent reports.
pub const VERSION: &str = "2.0.5";
pub const SERVER_ID: &str = "5e1c3a9b-7d2f-4e8a-9b6c-0d1e2f3a4b5c";
const RPC_ADDR: &str = "127.0.0.1:4647";

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/regions", get(regions))
        .route("/v1/namespaces", get(namespaces))
        .route("/v1/namespace/{name}", get(namespace))
        .route("/v1/status/leader", get(leader))
        .route("/v1/status/peers", get(peers))
        .route("/v1/agent/self", get(agent_self))
        .route("/v1/agent/members", get(agent_members))
        .route("/v1/agent/servers", get(agent_servers))
        .route(
            "/v1/operator/raft/configuration",
            get(raft_configuration).fallback(|| async { StatusCode::METHOD_NOT_ALLOWED }),
        )
        .route("/v1/volumes", get(no_volumes))
        .route("/v1/plugins", get(no_volumes))
        .route(
            "/v1/operator/license",
            get(license).put(|| async { err(501, "Nomad Enterprise only endpoint") }),
        )
        .route("/v1/metrics", get(metrics))
        .route("/v1/system/gc", put(system_gc))
        .route("/v1/system/reconcile/summaries", put(reconcile_summaries))
        .route("/v1/scaling/policies", get(scaling_policies))
        .route("/v1/scaling/policy/{id}", get(scaling_policy))
}

async fn regions(State(sim): State<Sim>) -> R {
    Ok(json_index(&sim.opts_regions(), 1))
}

async fn namespaces(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    if sim.opts.no_namespaces {
        return Err(err(501, "Nomad Enterprise only endpoint"));
    }
    let idx = block(&sim, &[Table::Namespaces], &q).await?;
    let prefix = q.prefix();
    let v = sim.store.read(|c| {
        c.namespaces
            .values()
            .filter(|n| n.name.starts_with(prefix) && who.allow_namespace(&n.name))
            .cloned()
            .collect::<Vec<_>>()
    });
    Ok(json_index(&v, idx))
}

async fn namespace(State(sim): State<Sim>, who: Caller, Path(name): Path<String>, q: Params) -> R {
    if sim.opts.no_namespaces {
        return Err(err(501, "Nomad Enterprise only endpoint"));
    }
    if !who.allow_namespace(&name) {
        return Err(crate::error::ApiError::permission_denied());
    }
    let idx = block(&sim, &[Table::Namespaces], &q).await?;
    let v = sim
        .store
        .read(|c| c.namespaces.get(&name).cloned())
        .ok_or_else(|| err(404, "Namespace not found"))?;
    Ok(json_index(&v, idx))
}

async fn leader() -> R {
    Ok(json(&RPC_ADDR))
}

async fn peers() -> R {
    Ok(json(&[RPC_ADDR]))
}

/// The one server's gossip name (`<node>.<region>`).
pub fn server_name(sim: &Sim) -> String {
    format!("nomad-sim.{}", sim.opts_regions()[0])
}

fn member(sim: &Sim) -> Value {
    let region = &sim.opts_regions()[0];
    json!({
        "Name": server_name(sim), "Addr": "127.0.0.1", "Port": 4648,
        "Status": "alive", "ProtocolMin": 1, "ProtocolMax": 5, "ProtocolCur": 2,
        "DelegateMin": 2, "DelegateMax": 5, "DelegateCur": 4,
        "Tags": {
            "bootstrap": "1", "build": sim.opts.agent_version, "dc": "dc1", "expect": "1", "id": SERVER_ID,
            "port": "4647", "raft_vsn": "3", "region": region, "revision": "nomad-sim",
            "role": "nomad", "rpc_addr": "127.0.0.1", "vsn": "1",
        },
    })
}

async fn agent_self(State(sim): State<Sim>, who: Caller) -> R {
    who.agent_read()?;
    let node_count = sim.store.read(|c| c.nodes.len());
    let v = json!({
        "config": {
            "Region": "global", "Datacenter": "dc1", "NodeName": "nomad-sim",
            "DataDir": "/var/lib/nomad", "LogLevel": "INFO", "BindAddr": "127.0.0.1",
            "Ports": {"HTTP": 4646, "RPC": 4647, "Serf": 4648},
            "Version": {"Version": sim.opts.agent_version, "VersionPrerelease": "", "VersionMetadata": "", "Revision": "nomad-sim", "BuildDate": "2026-01-01T00:00:00Z"},
            "ACL": {"Enabled": sim.store.read(|c| c.acl.enabled), "ReplicationToken": "<redacted>"},
            "Server": {"Enabled": true, "BootstrapExpect": 1},
            "Client": {"Enabled": false},
        },
        "member": member(&sim),
        "stats": {
            "nomad": {"bootstrap": "true", "known_regions": "1", "leader": "true", "leader_addr": RPC_ADDR, "server": "true"},
            "runtime": {"arch": "amd64", "cpu_count": "2", "goroutines": "120", "kernel.name": "linux", "max_procs": "2", "version": "go1.26"},
            "raft": {"state": "Leader", "num_peers": "0", "last_log_index": "1"},
            "serf": {"members": "1", "health_score": "0"},
            "client": {"known_servers": RPC_ADDR, "num_allocations": node_count.to_string()},
        },
    });
    Ok(json(&v))
}

async fn agent_members(State(sim): State<Sim>, who: Caller) -> R {
    who.node_read()?;
    let v = json!({"ServerName": "nomad-sim", "ServerRegion": "global", "ServerDC": "dc1", "Members": [member(&sim)]});
    Ok(json(&v))
}

async fn agent_servers(who: Caller) -> R {
    who.agent_read()?;
    Ok(json(&[RPC_ADDR]))
}

async fn raft_configuration(State(sim): State<Sim>, who: Caller) -> R {
    who.management()?;
    let region = &sim.opts_regions()[0];
    Ok(json(&json!({
        "Index": 1,
        "Servers": [{"Address": RPC_ADDR, "ID": SERVER_ID, "Leader": true,
            "Node": format!("nomad-sim.{region}"), "RaftProtocol": "3", "Voter": true}],
    })))
}

/// CSI and dynamic host volumes and plugins: none in the simulated cluster.
async fn no_volumes(State(sim): State<Sim>) -> R {
    Ok(json_index(
        &Vec::<Value>::new(),
        sim.store.read(|c| c.index),
    ))
}

/// Community edition: 204 with nothing, and no ACL check.
async fn license() -> axum::response::Response {
    StatusCode::NO_CONTENT.into_response()
}

/// The server's and clients' gauges as go-metrics' in-memory sink shows
/// them, or in Prometheus' text format.
async fn metrics(State(sim): State<Sim>, q: Params) -> R {
    let gauges = sim.store.read(gauges);
    if q.get("format") == Some("prometheus") {
        let mut out = String::new();
        for (name, labels, value) in &gauges {
            let prom = name.replace(['.', '-'], "_");
            let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
            out.push_str(&format!(
                "# TYPE {prom} gauge\n{prom}{{{}}} {value}\n",
                l.join(",")
            ));
        }
        let mut r = out.into_response();
        r.headers_mut().insert(
            "content-type",
            HeaderValue::from_static(
                "text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
            ),
        );
        return Ok(r);
    }
    let now = nomad_model::format::rfc3339_utc(nomad_model::UnixNanos(sim.clock.now()));
    let g: Vec<Value> = gauges
        .into_iter()
        .map(|(name, labels, value)| {
            let labels: serde_json::Map<String, Value> = labels
                .into_iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            json!({"Name": name, "Value": value, "Labels": labels})
        })
        .collect();
    Ok(json(&json!({
        "Timestamp": now, "Gauges": g, "Points": [], "PrecisionGauges": [],
        "Counters": [], "Samples": [],
    })))
}

type Gauge = (String, Vec<(&'static str, String)>, f64);

fn gauges(c: &Cluster) -> Vec<Gauge> {
    let mut out: Vec<Gauge> = vec![];
    for s in c.summaries.values() {
        for (g, t) in &s.summary {
            let labels = vec![
                ("job", s.job_id.clone()),
                ("namespace", s.namespace.clone()),
                ("task_group", g.clone()),
            ];
            for (k, v) in [
                ("running", t.running),
                ("queued", t.queued),
                ("failed", t.failed),
                ("complete", t.complete),
                ("lost", t.lost),
                ("starting", t.starting),
            ] {
                out.push((
                    format!("nomad.nomad.job_summary.{k}"),
                    labels.clone(),
                    v as f64,
                ));
            }
        }
    }
    let mut per_node: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
    for a in c.allocs.values() {
        let e = per_node.entry(a.node_id.as_str()).or_default();
        match a.client_status.as_str() {
            "running" => e.0 += 1,
            "pending" => e.1 += 1,
            _ => {}
        }
    }
    for n in c.nodes.values() {
        let (running, pending) = per_node.get(n.id.as_str()).copied().unwrap_or_default();
        let class = if n.node_class.is_empty() {
            "none".to_string()
        } else {
            n.node_class.clone()
        };
        let labels = vec![
            ("datacenter", n.datacenter.clone()),
            ("node_class", class),
            ("node_id", n.id.clone()),
            ("node_pool", n.node_pool.clone()),
        ];
        out.push((
            "nomad.client.allocations.running".into(),
            labels.clone(),
            running as f64,
        ));
        out.push((
            "nomad.client.allocations.pending".into(),
            labels,
            pending as f64,
        ));
    }
    out.push((
        "nomad.nomad.broker.total_blocked".into(),
        vec![],
        c.evals.values().filter(|e| e.status == "blocked").count() as f64,
    ));
    out
}

/// `System.GarbageCollect`: terminal allocations of dead jobs go.
async fn system_gc(State(sim): State<Sim>, who: Caller) -> R {
    who.management()?;
    sim.store.write(|c| {
        let gone: Vec<String> = c
            .allocs
            .values()
            .filter(|a| a.is_terminal() && c.derive_job_status(&a.namespace, &a.job_id) == "dead")
            .map(|a| a.id.clone())
            .collect();
        if !gone.is_empty() {
            for id in &gone {
                c.remove_alloc(id);
            }
            c.bump(&[Table::Allocs]);
        }
    });
    Ok(StatusCode::OK.into_response())
}

async fn reconcile_summaries(State(sim): State<Sim>, who: Caller) -> R {
    who.management()?;
    sim.store.write(|c| {
        let keys: Vec<(String, String)> = c.jobs.keys().cloned().collect();
        c.bump(&[Table::Summaries]);
        for (ns, id) in keys {
            c.recompute_summary(&ns, &id);
        }
    });
    Ok(StatusCode::OK.into_response())
}

/// Scaling policies from the jobs' groups (`scaling` blocks), with IDs
/// derived from their target so they stay put.
fn scaling(c: &Cluster) -> Vec<Value> {
    let mut out = vec![];
    for j in c.jobs.values() {
        for g in j.spec["TaskGroups"].as_array().into_iter().flatten() {
            let Some(s) = g.get("Scaling").filter(|s| s.is_object()) else {
                continue;
            };
            let target = json!({"Namespace": j.namespace(), "Job": j.id(), "Group": g["Name"]});
            let id = crate::sched::stable_uuid(&[
                j.namespace(),
                j.id(),
                g["Name"].as_str().unwrap_or(""),
            ]);
            out.push(json!({
                "ID": id, "Type": s.get("Type").and_then(Value::as_str).filter(|t| !t.is_empty()).unwrap_or("horizontal"),
                "Target": target, "Policy": s.get("Policy").cloned().unwrap_or(Value::Null),
                "Min": s.get("Min"), "Max": s.get("Max"),
                "Enabled": s.get("Enabled").and_then(Value::as_bool).unwrap_or(true),
                "CreateIndex": j.spec["CreateIndex"], "ModifyIndex": j.spec["ModifyIndex"],
            }));
        }
    }
    out
}

async fn scaling_policies(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    let scope = sim
        .store
        .read(|c| who.list_scope(&q, "read-job", &c.namespace_names()))?;
    let idx = block(&sim, &[Table::Jobs], &q).await?;
    let (job, ty) = (q.str("job"), q.str("type"));
    let v: Vec<Value> = sim.store.read(scaling)
        .into_iter()
        .filter(|p| scope.matches(p["Target"]["Namespace"].as_str().unwrap_or("")))
        .filter(|p| job.is_empty() || p["Target"]["Job"] == job)
        .filter(|p| {
            let t = p["Type"].as_str().unwrap_or("");
            if job.is_empty() { t.starts_with(ty) } else { ty.is_empty() || t == ty }
        })
        .map(|p| json!({"ID": p["ID"], "Enabled": p["Enabled"], "Type": p["Type"], "Target": p["Target"], "CreateIndex": p["CreateIndex"], "ModifyIndex": p["ModifyIndex"]}))
        .collect();
    Ok(json_index(&v, idx.max(1)))
}

async fn scaling_policy(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> R {
    let idx = block(&sim, &[Table::Jobs], &q).await?;
    let p = sim
        .store
        .read(scaling)
        .into_iter()
        .find(|p| p["ID"] == id.as_str())
        .ok_or_else(|| err(404, "policy not found"))?;
    who.ns_any(
        p["Target"]["Namespace"].as_str().unwrap_or(""),
        &["read-scaling-policy", "read-job"],
    )?;
    Ok(json_index(&p, idx.max(1)))
}
