//! Node pools (`command/agent/node_pool_endpoint.go`,
//! `nomad/node_pool_endpoint.go`): the built-in `all` and `default` plus
//! user pools; list, read, upsert, delete, and a pool's jobs and nodes.

use super::http::{block, block_on, err, json_index, FilterPass, JsonBody, Params, R};
use super::nodes::node_stub;
use crate::acl::Caller;
use crate::error::ApiError;
use crate::state::Table;
use crate::Sim;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

const BUILTIN: [&str; 2] = ["all", "default"];
const IDENTITY_TTL: i64 = 86_400_000_000_000;

pub fn routes() -> Router<Sim> {
    Router::new()
        .route(
            "/v1/node/pools",
            get(list_pools).post(upsert_body).put(upsert_body),
        )
        .route(
            "/v1/node/pool/{name}",
            get(read_pool)
                .post(upsert_path)
                .put(upsert_path)
                .delete(delete_pool),
        )
        .route("/v1/node/pool/{name}/jobs", get(pool_jobs))
        .route("/v1/node/pool/{name}/nodes", get(pool_nodes))
}

/// A stored pool as the API shows it (`NodeIdentityTTL` in nanoseconds).
pub fn shown(p: &Value) -> Value {
    let mut p = p.clone();
    if let Some(o) = p.as_object_mut() {
        o.entry("NodeIdentityTTL").or_insert(json!(IDENTITY_TTL));
        o.entry("Hash").or_insert(Value::Null);
    }
    p
}

async fn list_pools(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    let filter = FilterPass::new(q.filter()?, 400);
    let idx = block(&sim, &[Table::NodePools], &q).await?;
    let prefix = q.prefix();
    let v: Vec<Value> = sim.store.read(|c| {
        c.node_pools
            .iter()
            .filter(|(n, _)| n.starts_with(prefix) && who.node_pool(n, "read").is_ok())
            .map(|(_, p)| shown(p))
            .filter(|p| filter.keep(p))
            .collect()
    });
    filter.finish()?;
    Ok(json_index(&v, idx.max(1)))
}

async fn read_pool(State(sim): State<Sim>, who: Caller, Path(name): Path<String>, q: Params) -> R {
    who.node_pool(&name, "read")?;
    let idx = block_on(&sim, &q, |c| {
        c.node_pools
            .get(&name)
            .and_then(|p| p["ModifyIndex"].as_u64())
            .unwrap_or_else(|| c.table(Table::NodePools))
    })
    .await?;
    let p = sim
        .store
        .read(|c| c.node_pools.get(&name).map(shown))
        .ok_or_else(|| err(404, "node pool not found"))?;
    let mi = p["ModifyIndex"].as_u64().unwrap_or(idx);
    Ok(json_index(&p, mi))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PoolRequest {
    name: String,
    description: String,
    meta: Option<Value>,
    scheduler_configuration: Option<Value>,
}

async fn upsert_body(
    State(sim): State<Sim>,
    who: Caller,
    JsonBody(req): JsonBody<PoolRequest>,
) -> R {
    upsert(&sim, &who, None, req)
}

async fn upsert_path(
    State(sim): State<Sim>,
    who: Caller,
    Path(name): Path<String>,
    JsonBody(req): JsonBody<PoolRequest>,
) -> R {
    upsert(&sim, &who, Some(name), req)
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 128
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn upsert(sim: &Sim, who: &Caller, path: Option<String>, req: PoolRequest) -> R {
    if path.as_ref().is_some_and(|p| *p != req.name) {
        return Err(err(400, "Node pool name does not match request path"));
    }
    if req.scheduler_configuration.is_some() {
        return Err(err(500, "Feature \"Node Pools Governance\" is unlicensed"));
    }
    let mut errs = vec![];
    if !valid_name(&req.name) {
        errs.push(format!(
            "invalid name {:?}, must match regex ^[a-zA-Z0-9-_]{{1,128}}$",
            req.name
        ));
    }
    if req.description.len() > 256 {
        errs.push("description longer than 256".to_string());
    }
    if let Some(m) = crate::validate::multierror(&errs) {
        return Err(err(400, format!("invalid node pool {:?}: {m}", req.name)));
    }
    who.node_pool(&req.name, "write")?;
    if BUILTIN.contains(&req.name.as_str()) {
        return Err(err(
            400,
            format!("modifying node pool {:?} is not allowed", req.name),
        ));
    }
    let idx = sim.store.write(|c| {
        let idx = c.bump(&[Table::NodePools]);
        let create = c
            .node_pools
            .get(&req.name)
            .map_or(json!(idx), |p| p["CreateIndex"].clone());
        let hash = crate::sched::stable_uuid(&[&req.name, &req.description]);
        c.node_pools.insert(
            req.name.clone(),
            json!({
                "Name": req.name, "Description": req.description, "Meta": req.meta,
                "SchedulerConfiguration": null, "NodeIdentityTTL": IDENTITY_TTL,
                "Hash": hash, "CreateIndex": create, "ModifyIndex": idx,
            }),
        );
        idx
    });
    let mut r = StatusCode::OK.into_response();
    r.headers_mut().insert("x-nomad-index", idx.into());
    Ok(r)
}

async fn delete_pool(State(sim): State<Sim>, who: Caller, Path(name): Path<String>) -> R {
    who.node_pool(&name, "delete")?;
    let idx = sim.store.write(|c| {
        let mut errs = vec![];
        if name != "all" && c.nodes.values().any(|n| n.node_pool == name) {
            errs.push(format!(
                "node pool {name:?} has nodes in regions: [{}]",
                c.region
            ));
        }
        if c.jobs.values().any(|j| {
            j.get_str("NodePool") == name && c.derive_job_status(j.namespace(), j.id()) != "dead"
        }) {
            errs.push(format!(
                "node pool {name:?} has non-terminal jobs in regions: [{}]",
                c.region
            ));
        }
        if let Some(m) = crate::validate::multierror(&errs) {
            return Err(err(500, m));
        }
        if BUILTIN.contains(&name.as_str()) {
            return Err(err(
                500,
                format!("deleting node pool {name:?} is not allowed"),
            ));
        }
        if !c.node_pools.contains_key(&name) {
            return Err(err(500, format!("node pool {name} not found")));
        }
        let idx = c.bump(&[Table::NodePools]);
        if let Some(p) = c.node_pools.remove(&name) {
            c.removed.push(crate::events::Removed::NodePool(p));
        }
        Ok::<_, ApiError>(idx)
    })?;
    let mut r = StatusCode::OK.into_response();
    r.headers_mut().insert("x-nomad-index", idx.into());
    Ok(r)
}

async fn pool_jobs(State(sim): State<Sim>, who: Caller, Path(name): Path<String>, q: Params) -> R {
    if !q.prefix().is_empty() {
        return Err(err(400, "prefix argument not allowed"));
    }
    who.node_pool(&name, "read")?;
    let scope = sim
        .store
        .read(|c| who.list_scope(&q, "list-jobs", &c.namespace_names()))?;
    let filter = FilterPass::new(q.filter()?, 400);
    let idx = block(&sim, &[Table::Jobs, Table::Summaries], &q).await?;
    let (v, known) = sim.store.read(|c| {
        let v: Vec<Value> = c
            .jobs
            .values()
            .filter(|j| {
                (name == "all" || j.get_str("NodePool") == name) && scope.matches(j.namespace())
            })
            .filter(|j| filter.keep(&j.spec))
            .map(|j| super::jobs::stub_value(c, j))
            .collect();
        (v, c.node_pools.contains_key(&name))
    });
    filter.finish()?;
    Ok(json_index(&v, if known { idx } else { 0 }))
}

async fn pool_nodes(State(sim): State<Sim>, who: Caller, Path(name): Path<String>, q: Params) -> R {
    if !q.prefix().is_empty() {
        return Err(err(400, "prefix argument not allowed"));
    }
    who.node_read()?;
    who.node_pool(&name, "read")?;
    let resources = q
        .bool("resources")
        .and_then(|r| q.bool("os").map(|_| r))
        .map_err(|e| err(400, format!("Failed to parse node list fields: {}", e.text)))?;
    let filter = FilterPass::new(q.filter()?, 400);
    let idx = block(&sim, &[Table::Nodes], &q).await?;
    let (v, known) = sim.store.read(|c| {
        let v: Vec<Value> = c
            .nodes
            .values()
            .filter(|n| name == "all" || n.node_pool == name)
            .filter(|n| filter.keep_with(|| serde_json::to_value(n).unwrap_or(Value::Null)))
            .map(|n| node_stub(n, resources))
            .collect();
        (v, c.node_pools.contains_key(&name))
    });
    filter.finish()?;
    Ok(json_index(&v, if known { idx.max(1) } else { 0 }))
}
