//! Nodes (`command/agent/node_endpoint.go`): the list (with `resources`
//! and `os` fields, `filter` and paging), one node, its allocations, and the
//! writes: eligibility, drain, purge and evaluate.

use super::http::{
    block, block_on, err, json_index, json_write, paged, FilterPass, JsonBody, Params, R,
};
use crate::acl::Caller;
use crate::error::ApiError;
use crate::sched;
use crate::state::Table;
use crate::Sim;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use nomad_model::*;
use serde_json::{json, Value};

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/nodes", get(list_nodes))
        .route("/v1/node/{id}", get(read_node))
        .route("/v1/node/{id}/allocations", get(node_allocs))
        .route(
            "/v1/node/{id}/eligibility",
            post(node_eligibility).put(node_eligibility),
        )
        .route("/v1/node/{id}/drain", post(node_drain).put(node_drain))
        .route("/v1/node/{id}/purge", post(node_purge).put(node_purge))
        .route(
            "/v1/node/{id}/evaluate",
            post(node_evaluate).put(node_evaluate),
        )
}

/// `Node.Stub`: the list entry, with `NodeResources` and
/// `ReservedResources` when asked for (`?resources=true`).
pub fn node_stub(n: &Node, resources: bool) -> Value {
    let mut v = serde_json::to_value(list_stub(n)).unwrap_or(Value::Null);
    if resources {
        v["NodeResources"] = serde_json::to_value(&n.node_resources).unwrap_or(Value::Null);
        v["ReservedResources"] = serde_json::to_value(&n.reserved_resources).unwrap_or(Value::Null);
    }
    v
}

fn list_stub(n: &Node) -> NodeListStub {
    NodeListStub {
        id: n.id.clone(),
        address: n
            .attributes
            .get("unique.network.ip-address")
            .cloned()
            .unwrap_or_default(),
        datacenter: n.datacenter.clone(),
        name: n.name.clone(),
        node_class: n.node_class.clone(),
        node_pool: n.node_pool.clone(),
        version: n.version().to_string(),
        drain: n.drain_strategy.is_some(),
        scheduling_eligibility: n.scheduling_eligibility.clone(),
        status: n.status.clone(),
        status_description: n.status_description.clone(),
        drivers: n.drivers.clone(),
        attributes: n
            .attributes
            .iter()
            .filter(|(k, _)| k.starts_with("os.") || k.starts_with("nomad."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        last_drain: n.last_drain.clone(),
        create_index: n.create_index,
        modify_index: n.modify_index,
    }
}

async fn list_nodes(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    who.node_read()?;
    let resources = q.bool("resources").and_then(|r| Ok((r, q.bool("os")?)));
    let (resources, os) = resources.map_err(|e| {
        ApiError::bad_request(format!("Failed to parse node list fields: {}", e.text))
    })?;
    let filter = FilterPass::new(q.filter()?, 400);
    let per_page = q.per_page()?;
    let idx = block(&sim, &[Table::Nodes], &q).await?;
    let prefix = q.prefix().to_string();
    let start = q.next_token().map(str::to_string);
    let (bytes, next, filtered) = sim
        .store
        .read_off(move |c| {
            let mut out = vec![];
            let mut next = None;
            for n in c
                .nodes
                .values()
                .filter(|n| n.id.starts_with(&prefix) && start.as_ref().is_none_or(|s| &n.id >= s))
            {
                if !filter.keep_with(|| serde_json::to_value(n).unwrap_or(Value::Null)) {
                    continue;
                }
                if per_page.is_some_and(|p| out.len() == p) {
                    next = Some(n.id.clone());
                    break;
                }
                let mut stub = node_stub(n, resources);
                // `NodeStubFields.OS`: the OS name, only when asked for.
                if os {
                    stub["Attributes"]["os.name"] =
                        serde_json::json!(n.attributes.get("os.name").cloned().unwrap_or_default());
                }
                out.push(stub);
            }
            (serde_json::to_vec(&out), next, filter.finish())
        })
        .await;
    filtered?;
    paged(bytes, idx, next)
}

async fn read_node(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    who.node_read()?;
    let idx = block_on(&sim, &q, |c| {
        c.nodes
            .get(&id)
            .map(|n| n.modify_index)
            .unwrap_or_else(|| c.table(Table::Nodes))
    })
    .await?;
    let mut v = sim
        .store
        .read(|c| c.nodes.get(&id).cloned())
        .ok_or_else(|| err(404, "node not found"))?;
    v.drain = v.drain_strategy.is_some();
    Ok(json_index(&v, idx))
}

/// `/v1/node/:id/allocations`: every allocation on the node, filtered to
/// the namespaces the token may read (`Node.GetAllocs`).
async fn node_allocs(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    who.node_read()?;
    let idx = block(&sim, &[Table::Allocs], &q).await?;
    let v = sim.store.read(|c| {
        c.allocs
            .values()
            .filter(|a| a.node_id == id && who.allow_ns(&a.namespace, "read-job"))
            .cloned()
            .collect::<Vec<_>>()
    });
    Ok(json_index(&v, idx))
}

fn node_update(idx: u64, eval_ids: Vec<String>, eval_index: u64) -> axum::response::Response {
    json_write(
        &json!({
            "EvalIDs": if eval_ids.is_empty() { Value::Null } else { json!(eval_ids) },
            "EvalCreateIndex": eval_index, "NodeModifyIndex": idx,
            "Index": idx, "LastContact": 0, "KnownLeader": false, "NextToken": "",
        }),
        idx,
    )
}

async fn node_eligibility(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<NodeEligibilityRequest>,
) -> R {
    who.node_write()?;
    let idx = sim
        .store
        .write(|c| c.set_eligibility(&id, &req.eligibility))?;
    Ok(node_update(idx, vec![], 0))
}

async fn node_drain(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<NodeDrainRequest>,
) -> R {
    who.node_write()?;
    let idx = sim
        .store
        .write(|c| c.set_drain(&id, req.drain_spec.as_ref(), req.mark_eligible))?;
    Ok(node_update(idx, vec![], 0))
}

async fn node_purge(State(sim): State<Sim>, who: Caller, Path(id): Path<String>) -> R {
    who.node_write()?;
    let idx = sim.store.write(|c| c.purge_node(&id))?;
    Ok(node_update(idx, vec![], 0))
}

/// `Node.Evaluate`: an evaluation for every job with allocations on the
/// node (and every system job), as a node update triggers.
async fn node_evaluate(State(sim): State<Sim>, who: Caller, Path(id): Path<String>) -> R {
    who.node_write()?;
    let (ids, idx) = sim.with_rng(|c, rng| {
        if !c.nodes.contains_key(&id) {
            return Err(err(500, "node not found"));
        }
        let jobs: std::collections::BTreeSet<(String, String)> = c
            .allocs
            .values()
            .filter(|a| a.node_id == id)
            .map(|a| (a.namespace.clone(), a.job_id.clone()))
            .collect();
        let mut ids = vec![];
        let mut idx = c.index;
        for (ns, j) in jobs {
            let (e, i) = sched::evaluate(c, rng, &ns, &j, "node-update");
            ids.push(e);
            idx = i;
        }
        Ok((ids, idx))
    })?;
    Ok(node_update(idx, ids, idx))
}
