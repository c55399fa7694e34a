//! The client's own endpoints (`command/agent/alloc_endpoint.go`,
//! `stats_endpoint.go`): host and allocation stats, allocation restart,
//! signal and garbage collection, and client GC.

use super::fs::alloc_for_client;
use super::http::{err, json_index, JsonBody, Params, R};
use crate::acl::Caller;
use crate::state::Table;
use crate::Sim;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use nomad_model::*;
use serde::Deserialize;

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/client/stats", get(client_stats))
        .route("/v1/client/allocation/{id}/stats", get(alloc_stats))
        .route(
            "/v1/client/allocation/{id}/gc",
            get(alloc_gc).post(alloc_gc).put(alloc_gc),
        )
        .route(
            "/v1/client/allocation/{id}/restart",
            axum::routing::any(alloc_restart),
        )
        .route(
            "/v1/client/allocation/{id}/signal",
            post(alloc_signal).put(alloc_signal),
        )
        .route(
            "/v1/client/allocation/{id}/checks",
            get(super::services::alloc_checks),
        )
        .route(
            "/v1/client/gc",
            get(client_gc).post(client_gc).put(client_gc),
        )
}

fn wave(seed: &str, t: f64, lo: f64, hi: f64) -> f64 {
    let s = seed
        .bytes()
        .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32)) as f64;
    let x = (t / 7.0 + s).sin() * 0.5 + (t / 2.3 + s * 1.7).sin() * 0.3 + (t / 0.9 + s).sin() * 0.2;
    lo + (hi - lo) * (x * 0.5 + 0.5)
}

async fn client_stats(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    who.node_read()?;
    let id = q.str("node_id").to_string();
    let node = sim
        .store
        .read(|c| {
            if id.is_empty() {
                c.nodes.values().next().cloned()
            } else {
                c.nodes.get(&id).cloned()
            }
        })
        .ok_or_else(|| err(404, format!("Unknown node {id:?}")))?;
    let now = sim.clock.now();
    let t = now as f64 / 1e9;
    let total_mem = node.total_resources().memory_mb.max(1) as u64 * 1024 * 1024;
    let used = (wave(&node.id, t, 0.25, 0.7) * total_mem as f64) as u64;
    let cpus: Vec<HostCpuStats> = (0..8)
        .map(|i| {
            let total = wave(&format!("{}{i}", node.id), t, 2.0, 85.0);
            HostCpuStats {
                cpu: format!("cpu{i}"),
                user: total * 0.7,
                system: total * 0.3,
                idle: 100.0 - total,
                total,
            }
        })
        .collect();
    let disk = HostDiskStats {
        device: "/dev/nvme0n1p1".into(),
        mountpoint: "/".into(),
        size: 214_643_507_200,
        used: 54_204_510_208,
        available: 160_438_996_992,
        used_percent: 25.25,
        inodes_used_percent: 3.1,
    };
    let v = HostStats {
        memory: Some(HostMemoryStats {
            total: total_mem,
            available: total_mem - used,
            used,
            free: (total_mem - used) / 2,
        }),
        cpu_ticks_consumed: cpus.iter().map(|c| c.total).sum::<f64>() * 29.0,
        cpu: cpus,
        disk_stats: vec![disk.clone()],
        alloc_dir_stats: Some(HostDiskStats {
            device: String::new(),
            mountpoint: String::new(),
            ..disk
        }),
        uptime: 864_000 + (now / 1_000_000_000 % 100_000) as u64,
        timestamp: UnixNanos(now),
    };
    Ok(json_index(&v, 0))
}

async fn alloc_stats(State(sim): State<Sim>, who: Caller, Path(id): Path<String>) -> R {
    let a = alloc_for_client(&sim, &id)?;
    who.ns(&a.namespace, "read-job")?;
    if a.client_status != "running" {
        return Err(err(500, "rpc error: Allocation not running"));
    }
    let now = sim.clock.now();
    let t = now as f64 / 1e9;
    let mut tasks = std::collections::BTreeMap::new();
    let mut tot_rss = 0;
    let mut tot_pct = 0.0;
    let mut tot_ticks = 0.0;
    for name in a.task_names() {
        let r = a.task_resources_summary(&name).unwrap_or_default();
        let rss = (wave(&format!("{id}{name}m"), t, 0.3, 0.85)
            * r.memory_mb.max(1) as f64
            * 1024.0
            * 1024.0) as u64;
        let ticks = wave(&format!("{id}{name}c"), t, 0.05, 0.9) * r.cpu_mhz.max(1) as f64;
        let pct = ticks / 29.0;
        tot_rss += rss;
        tot_pct += pct;
        tot_ticks += ticks;
        tasks.insert(
            name,
            TaskResourceUsage {
                resource_usage: Some(ResourceUsage {
                    memory_stats: Some(MemoryStats {
                        rss,
                        cache: rss / 10,
                        usage: rss + rss / 10,
                        max_usage: rss + rss / 5,
                        measured: vec![
                            "RSS".into(),
                            "Cache".into(),
                            "Swap".into(),
                            "Usage".into(),
                            "Max Usage".into(),
                        ],
                        ..Default::default()
                    }),
                    cpu_stats: Some(CpuStats {
                        percent: pct,
                        total_ticks: ticks,
                        system_mode: pct * 0.3,
                        user_mode: pct * 0.7,
                        measured: vec![
                            "Throttled Periods".into(),
                            "Throttled Time".into(),
                            "Percent".into(),
                        ],
                        ..Default::default()
                    }),
                }),
                timestamp: UnixNanos(now),
                pids: Default::default(),
            },
        );
    }
    let v = AllocResourceUsage {
        resource_usage: Some(ResourceUsage {
            memory_stats: Some(MemoryStats {
                rss: tot_rss,
                usage: tot_rss,
                measured: vec!["RSS".into()],
                ..Default::default()
            }),
            cpu_stats: Some(CpuStats {
                percent: tot_pct,
                total_ticks: tot_ticks,
                measured: vec!["Percent".into()],
                ..Default::default()
            }),
        }),
        tasks,
        timestamp: UnixNanos(now),
    };
    Ok(json_index(&v, 0))
}

async fn alloc_gc(State(sim): State<Sim>, who: Caller, Path(id): Path<String>) -> R {
    let a = alloc_for_client(&sim, &id)?;
    who.ns_any(&a.namespace, &["submit-job", "gc-allocation"])?;
    if !a.is_terminal() {
        return Err(err(
            500,
            "No such allocation on client, or allocation not eligible for GC",
        ));
    }
    sim.store.write(|c| {
        c.remove_alloc(&id);
        c.logs.retain(|(aid, _), _| aid != &id);
        c.bump(&[Table::Allocs, Table::Summaries]);
        c.recompute_summary(&a.namespace, &a.job_id);
    });
    // `allocGC` returns nothing: 200 with an empty body.
    Ok(axum::http::StatusCode::OK.into_response())
}

async fn client_gc(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    who.node_write()?;
    let node = q.str("node_id").to_string();
    sim.store.write(|c| {
        if !node.is_empty() && !c.nodes.contains_key(&node) {
            return Err(err(404, format!("Unknown node {node:?}")));
        }
        let ids: Vec<(String, String, String)> = c
            .allocs
            .values()
            .filter(|a| a.is_terminal() && (node.is_empty() || a.node_id == node))
            .map(|a| (a.id.clone(), a.namespace.clone(), a.job_id.clone()))
            .collect();
        for (id, _, _) in &ids {
            c.remove_alloc(id);
        }
        c.bump(&[Table::Allocs, Table::Summaries]);
        for (_, ns, j) in ids {
            c.recompute_summary(&ns, &j);
        }
        Ok(())
    })?;
    Ok(axum::http::StatusCode::OK.into_response())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RestartRequest {
    task_name: String,
    all_tasks: bool,
}

/// `Allocations.Restart` on the client: the task (or every running task,
/// or all of them) gets a `Restart Signaled` event and starts again.
async fn alloc_restart(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> R {
    // Decoded with `json.Decoder`: an empty body is fine, bad JSON is the
    // raw (uncoded, so 500) decoder error.
    let req: RestartRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RestartRequest::default()
    } else {
        JsonBody::decode(&body).map_err(|e| err(500, e.text))?
    };
    let a = alloc_for_client(&sim, &id)?;
    who.ns(&a.namespace, "alloc-lifecycle")?;
    sim.store
        .write(|c| c.restart_tasks(&id, &req.task_name, req.all_tasks))?;
    Ok(json_index(&serde_json::json!({"Index": 0}), 0))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct SignalRequest {
    task: String,
    signal: String,
}

/// `Allocations.Signal`: a `Signaling` event on the task (or every task).
async fn alloc_signal(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> R {
    let req: SignalRequest = JsonBody::decode(&body)
        .map_err(|e| err(400, format!("Failed to decode body: {}", e.text)))?;
    let a = alloc_for_client(&sim, &id)?;
    who.ns(&a.namespace, "alloc-lifecycle")?;
    sim.store
        .write(|c| c.signal_tasks(&id, &req.task, &req.signal))?;
    Ok(json_index(&serde_json::json!({"Index": 0}), 0))
}
