//! Searches (`command/agent/search_endpoint.go`, `nomad/search_endpoint.go`):
//! prefix search by ID and fuzzy search by name, per context, limited to
//! 20 matches each and filtered to what the token may read.

use super::http::{err, json_index, JsonBody, Params, R};
use crate::acl::Caller;
use crate::Sim;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use nomad_model::*;

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/search/fuzzy", post(search_fuzzy).put(search_fuzzy))
        .route("/v1/search", post(search_prefix).put(search_prefix))
}

/// Whether a namespaced object is searchable for the caller.
fn ns_ok(q: &Params, who: &Caller, ns: &str) -> bool {
    let want = q.namespace();
    (want == "*" || want == ns) && who.allow_ns(ns, "read-job")
}

async fn search_fuzzy(
    State(sim): State<Sim>,
    who: Caller,
    q: Params,
    body: axum::body::Bytes,
) -> R {
    let req: FuzzySearchRequest = JsonBody::decode(&body)?;
    if req.text.len() < 2 {
        return Err(err(
            400,
            "fuzzy search query must be at least 2 characters, got 1",
        ));
    }
    let text = req.text.to_lowercase();
    let ctx = if req.context.is_empty() {
        "all".to_string()
    } else {
        req.context.clone()
    };
    let want = |c: &str| ctx == "all" || ctx == c;
    const LIMIT: usize = 20;
    let res = sim.store.read(|c| {
        let mut matches: std::collections::BTreeMap<String, Option<Vec<FuzzyMatch>>> =
            std::collections::BTreeMap::new();
        let mut trunc = std::collections::BTreeMap::new();
        let mut add = |k: &str, items: Vec<FuzzyMatch>| {
            trunc.insert(k.to_string(), items.len() > LIMIT);
            matches.insert(k.to_string(), Some(items.into_iter().take(LIMIT).collect()));
        };
        if want("jobs") {
            add(
                "jobs",
                c.jobs
                    .values()
                    .filter(|j| {
                        ns_ok(&q, &who, j.namespace()) && j.id().to_lowercase().contains(&text)
                    })
                    .map(|j| FuzzyMatch {
                        id: j.id().into(),
                        scope: vec![j.namespace().into()],
                    })
                    .collect(),
            );
        }
        if want("nodes") && who.node_read().is_ok() {
            add(
                "nodes",
                c.nodes
                    .values()
                    .filter(|n| n.name.to_lowercase().contains(&text))
                    .map(|n| FuzzyMatch {
                        id: n.name.clone(),
                        scope: vec![n.id.clone()],
                    })
                    .collect(),
            );
        }
        if want("allocs") {
            add(
                "allocs",
                c.allocs
                    .values()
                    .filter(|a| {
                        ns_ok(&q, &who, &a.namespace) && a.name.to_lowercase().contains(&text)
                    })
                    .map(|a| FuzzyMatch {
                        id: a.name.clone(),
                        scope: vec![a.namespace.clone(), a.id.clone()],
                    })
                    .collect(),
            );
        }
        FuzzySearchResponse {
            matches,
            truncations: trunc,
        }
    });
    Ok(json_index(&res, 0))
}

async fn search_prefix(
    State(sim): State<Sim>,
    who: Caller,
    q: Params,
    body: axum::body::Bytes,
) -> R {
    let req: SearchRequest = JsonBody::decode(&body)?;
    let ctx = if req.context.is_empty() {
        "all".to_string()
    } else {
        req.context.clone()
    };
    let want = |c: &str| ctx == "all" || ctx == c;
    const LIMIT: usize = 20;
    let p = req.prefix.clone();
    let res = sim.store.read(|c| {
        let mut matches = std::collections::BTreeMap::new();
        let mut trunc = std::collections::BTreeMap::new();
        let mut add = |k: &str, ids: Vec<String>| {
            trunc.insert(k.to_string(), ids.len() > LIMIT);
            matches.insert(
                k.to_string(),
                if ids.is_empty() {
                    None
                } else {
                    Some(ids.into_iter().take(LIMIT).collect())
                },
            );
        };
        if want("jobs") {
            add(
                "jobs",
                c.jobs
                    .values()
                    .filter(|j| ns_ok(&q, &who, j.namespace()) && j.id().starts_with(&p))
                    .map(|j| j.id().to_string())
                    .collect(),
            );
        }
        if want("allocs") {
            add(
                "allocs",
                c.allocs
                    .values()
                    .filter(|a| ns_ok(&q, &who, &a.namespace) && a.id.starts_with(&p))
                    .map(|a| a.id.clone())
                    .collect(),
            );
        }
        if want("nodes") && who.node_read().is_ok() {
            add(
                "nodes",
                c.nodes
                    .values()
                    .filter(|n| n.id.starts_with(&p))
                    .map(|n| n.id.clone())
                    .collect(),
            );
        }
        if want("evals") {
            add(
                "evals",
                c.evals
                    .values()
                    .filter(|e| ns_ok(&q, &who, &e.namespace) && e.id.starts_with(&p))
                    .map(|e| e.id.clone())
                    .collect(),
            );
        }
        if want("deployment") {
            add(
                "deployment",
                c.deployments
                    .values()
                    .filter(|d| ns_ok(&q, &who, &d.namespace) && d.id.starts_with(&p))
                    .map(|d| d.id.clone())
                    .collect(),
            );
        }
        SearchResponse {
            matches,
            truncations: trunc,
        }
    });
    Ok(json_index(&res, 0))
}
