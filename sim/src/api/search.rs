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

/// The namespace searched: the query's, else the body's
/// (`parseNamespace` keeps a decoded body's value), else `default`.
fn searched_ns(q: &Params, body: &[u8]) -> String {
    if let Some(ns) = q.get("namespace").filter(|n| !n.is_empty()) {
        return ns.to_string();
    }
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["Namespace"].as_str().map(String::from))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".into())
}

/// Whether a namespaced object is searchable for the caller.
fn ns_ok(want: &str, who: &Caller, ns: &str) -> bool {
    (want == "*" || want == ns) && who.allow_ns(ns, "read-job")
}

async fn search_fuzzy(
    State(sim): State<Sim>,
    who: Caller,
    q: Params,
    body: axum::body::Bytes,
) -> R {
    let req: FuzzySearchRequest = JsonBody::decode(&body)?;
    let want_ns = searched_ns(&q, &body);
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
        // `fuzzyMatchesJob`: jobs by name, scoped [namespace, job ID];
        // groups [namespace, job]; tasks [namespace, job, group].
        let jobs: Vec<_> = c
            .jobs
            .values()
            .filter(|j| ns_ok(&want_ns, &who, j.namespace()))
            .collect();
        if want("jobs") {
            add(
                "jobs",
                jobs.iter()
                    .filter(|j| j.get_str("Name").to_lowercase().contains(&text))
                    .map(|j| FuzzyMatch {
                        id: j.get_str("Name").into(),
                        scope: vec![j.namespace().into(), j.id().into()],
                    })
                    .collect(),
            );
        }
        let groups = || {
            jobs.iter().flat_map(|j| {
                j.spec["TaskGroups"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |g| (*j, g))
            })
        };
        if want("groups") {
            add(
                "groups",
                groups()
                    .filter(|(_, g)| {
                        g["Name"]
                            .as_str()
                            .unwrap_or("")
                            .to_lowercase()
                            .contains(&text)
                    })
                    .map(|(j, g)| FuzzyMatch {
                        id: g["Name"].as_str().unwrap_or("").into(),
                        scope: vec![j.namespace().into(), j.id().into()],
                    })
                    .collect(),
            );
        }
        if want("tasks") {
            add(
                "tasks",
                groups()
                    .flat_map(|(j, g)| {
                        g["Tasks"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(move |t| (j, g, t))
                    })
                    .filter(|(_, _, t)| {
                        t["Name"]
                            .as_str()
                            .unwrap_or("")
                            .to_lowercase()
                            .contains(&text)
                    })
                    .map(|(j, g, t)| FuzzyMatch {
                        id: t["Name"].as_str().unwrap_or("").into(),
                        scope: vec![
                            j.namespace().into(),
                            j.id().into(),
                            g["Name"].as_str().unwrap_or("").into(),
                        ],
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
                        ns_ok(&want_ns, &who, &a.namespace) && a.name.to_lowercase().contains(&text)
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
    let want_ns = searched_ns(&q, &body);
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
        // The namespaced contexts: (namespace, ID) of each object.
        let ids = |items: &mut dyn Iterator<Item = (&str, &str)>| -> Vec<String> {
            items
                .filter(|(ns, id)| ns_ok(&want_ns, &who, ns) && id.starts_with(&p))
                .map(|(_, id)| id.to_string())
                .collect()
        };
        if want("jobs") {
            add(
                "jobs",
                ids(&mut c.jobs.values().map(|j| (j.namespace(), j.id()))),
            );
        }
        if want("allocs") {
            add(
                "allocs",
                ids(&mut c
                    .allocs
                    .values()
                    .map(|a| (a.namespace.as_str(), a.id.as_str()))),
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
                ids(&mut c
                    .evals
                    .values()
                    .map(|e| (e.namespace.as_str(), e.id.as_str()))),
            );
        }
        if want("deployment") {
            add(
                "deployment",
                ids(&mut c
                    .deployments
                    .values()
                    .map(|d| (d.namespace.as_str(), d.id.as_str()))),
            );
        }
        SearchResponse {
            matches,
            truncations: trunc,
        }
    });
    Ok(json_index(&res, 0))
}
