//! Variables (`command/agent/variable_endpoint.go`,
//! `nomad/variables_endpoint.go`): list (metadata only), read, write with
//! check-and-set, delete. Unsupported methods on `/v1/var/` are a 400.

use super::http::{err, json_index, raw_json, FilterPass, Params, R};
use crate::acl::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::{Cluster, Table};
use crate::Sim;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

pub fn routes() -> Router<Sim> {
    Router::new().route("/v1/vars", get(list_vars)).route(
        "/v1/var/{*path}",
        get(read_var)
            .put(write_var)
            .post(write_var)
            .delete(delete_var)
            .fallback(|| async { err(400, "Invalid method") }),
    )
}

/// `VariableMetadata`: everything but the items.
fn metadata(v: &Value) -> Value {
    let mut m = v.clone();
    if let Some(o) = m.as_object_mut() {
        o.remove("Items");
    }
    m
}

async fn list_vars(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    let per_page = q.per_page()?;
    let filter = FilterPass::new(q.filter()?, 400);
    let idx = super::http::block(&sim, &[Table::Vars], &q).await?;
    let ns = q.namespace();
    let prefix = q.prefix().to_string();
    let start = q.next_token().map(|t| match t.split_once('.') {
        Some((n, p)) => (n.to_string(), p.to_string()),
        None => (String::new(), t.to_string()),
    });
    let (v, next) = sim.store.read(|c| {
        let mut out = vec![];
        let mut next = None;
        for ((vns, path), var) in &c.vars {
            if (ns != "*" && *vns != ns)
                || !path.starts_with(&prefix)
                || start.as_ref().is_some_and(|s| (vns, path) < (&s.0, &s.1))
                || !who.allow_variable(vns, path, "list")
                || !filter.keep(var)
            {
                continue;
            }
            if per_page.is_some_and(|n| out.len() == n) {
                next = Some(format!("{vns}.{path}"));
                break;
            }
            out.push(metadata(var));
        }
        (out, next)
    });
    filter.finish()?;
    super::http::paged(serde_json::to_vec(&v), idx.max(1), next)
}

fn key(q: &Params, path: &str) -> (String, String) {
    (q.namespace(), path.to_string())
}

async fn read_var(State(sim): State<Sim>, who: Caller, Path(path): Path<String>, q: Params) -> R {
    let (ns, path) = key(&q, &path);
    who.variable(&ns, &path, "read")?;
    let idx = super::http::block_on(&sim, &q, |c| {
        c.vars
            .get(&(ns.clone(), path.clone()))
            .and_then(|v| v["ModifyIndex"].as_u64())
            .unwrap_or_else(|| c.table(Table::Vars))
    })
    .await?;
    let v = sim
        .store
        .read(|c| c.vars.get(&(ns.clone(), path.clone())).cloned())
        .ok_or_else(|| err(404, "variable not found"))?;
    let mi = v["ModifyIndex"].as_u64().unwrap_or(idx);
    Ok(json_index(&v, mi))
}

/// `cas`: the modify index the caller saw (0: must not exist yet).
fn cas(q: &Params) -> ApiResult<Option<u64>> {
    match q.get("cas") {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            err(
                400,
                format!("can not parse cas: strconv.ParseUint: parsing {v:?}: invalid syntax"),
            )
        }),
    }
}

/// The 409 of a failed check-and-set: the current variable (or its zero
/// value), written before the JSON so Go sniffs it as text.
fn conflict(current: Option<&Value>, ns: &str, path: &str) -> Response {
    let body = current.cloned().unwrap_or_else(|| {
        json!({"Namespace": ns, "Path": path, "CreateIndex": 0, "CreateTime": 0, "ModifyIndex": 0, "ModifyTime": 0})
    });
    let idx = body["ModifyIndex"].as_u64().unwrap_or(0);
    let mut r = raw_json(serde_json::to_vec(&body).unwrap_or_default(), idx);
    *r.status_mut() = StatusCode::CONFLICT;
    r.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn valid_path(p: &str) -> ApiResult<()> {
    let ok = !p.is_empty()
        && p.len() <= 128
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_~/".contains(&b));
    if !ok {
        return Err(err(400, format!("RPC Error:: 400,invalid path {p:?}")));
    }
    // `VariableDecrypted.Validate`: the reserved `nomad/` tree.
    let under = |root: &str| p == root || p.starts_with(&format!("{root}/"));
    if p == "nomad" {
        return Err(err(400, "RPC Error:: 400,\"nomad\" is a reserved top-level directory path, but you may write variables to \"nomad/jobs\", \"nomad/job-templates\", \"nomad/sentinel\", or below"));
    }
    if p == "nomad/job-templates" {
        return Err(err(400, "RPC Error:: 400,\"nomad/job-templates\" is a reserved directory path, but you may write variables at the level below it, for example, \"nomad/job-templates/template-name\""));
    }
    if p.starts_with("nomad/")
        && !under("nomad/jobs")
        && !under("nomad/job-templates")
        && !under("nomad/sentinel")
    {
        return Err(err(400, "RPC Error:: 400,only paths at \"nomad/jobs\" or \"nomad/job-templates\" and below are valid paths under the top-level \"nomad\" directory"));
    }
    Ok(())
}

/// Check-and-set: `Some(409 response)` when `want` does not match.
fn check(c: &Cluster, k: &(String, String), want: Option<u64>) -> Option<Response> {
    let cur = c.vars.get(k);
    let have = cur.and_then(|v| v["ModifyIndex"].as_u64()).unwrap_or(0);
    match want {
        Some(w) if w != have => Some(conflict(cur, &k.0, &k.1)),
        _ => None,
    }
}

async fn write_var(
    State(sim): State<Sim>,
    who: Caller,
    Path(path): Path<String>,
    q: Params,
    body: Bytes,
) -> R {
    if body.is_empty() {
        return Err(err(400, "Request body is empty"));
    }
    let req: Value = serde_json::from_slice(&body).map_err(|e| err(400, e.to_string()))?;
    let items: Map<String, Value> = req["Items"].as_object().cloned().unwrap_or_default();
    if items.is_empty() {
        return Err(err(400, "variable missing required Items object"));
    }
    let want = cas(&q)?;
    let ns = req["Namespace"]
        .as_str()
        .filter(|n| !n.is_empty())
        .map(String::from)
        .unwrap_or_else(|| q.namespace());
    if ns == "*" {
        return Err(err(
            400,
            "RPC Error:: 400,can not target wildcard (\"*\")namespace",
        ));
    }
    valid_path(&path)?;
    who.variable(&ns, &path, "write")?;
    let size: usize = items
        .iter()
        .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
        .sum();
    if size > 64 * 1024 {
        return Err(err(
            400,
            "RPC Error:: 400,variables are limited to 64KiB in total size",
        ));
    }
    let k = (ns.clone(), path.clone());
    let out = sim.store.write(|c| {
        if let Some(r) = check(c, &k, want) {
            return Err(Box::new(r));
        }
        let now = c.now();
        let idx = c.bump(&[Table::Vars]);
        let (ci, ct) = c
            .vars
            .get(&k)
            .map(|v| (v["CreateIndex"].clone(), v["CreateTime"].clone()))
            .unwrap_or((json!(idx), json!(now)));
        let v = json!({
            "Namespace": ns, "Path": path, "CreateIndex": ci, "CreateTime": ct,
            "ModifyIndex": idx, "ModifyTime": now, "Items": items,
        });
        c.vars.insert(k.clone(), v.clone());
        Ok((v, idx))
    });
    match out {
        Ok((v, idx)) => {
            let mut r = super::http::json(&v);
            r.headers_mut().insert("x-nomad-index", idx.into());
            Ok(r)
        }
        Err(r) => Ok(*r),
    }
}

async fn delete_var(State(sim): State<Sim>, who: Caller, Path(path): Path<String>, q: Params) -> R {
    let (ns, path) = key(&q, &path);
    let want = cas(&q)?;
    who.variable(&ns, &path, "destroy")?;
    let k = (ns, path);
    let out = sim.store.write(|c| {
        if let Some(r) = check(c, &k, want) {
            return Err(Box::new(r));
        }
        let idx = c.bump(&[Table::Vars]);
        c.vars.remove(&k);
        Ok::<u64, Box<Response>>(idx)
    });
    Ok(match out {
        Ok(idx) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            r.headers_mut().insert("x-nomad-index", idx.into());
            r
        }
        Err(r) => *r,
    })
}

impl From<ApiError> for Response {
    fn from(e: ApiError) -> Response {
        e.into_response()
    }
}
