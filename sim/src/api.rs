//! The `/v1/` HTTP API with Nomad's shapes, status codes, plain-text errors
//! and blocking-query headers.

use crate::logs::{ensure_logs, fs_lookup, FsEntry};
use crate::sched;
use crate::state::{now_nanos, Store, Table};
use crate::Sim;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use nomad_model::*;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

pub type Q = Query<HashMap<String, String>>;

/// An error answered as Nomad does: status code and bare text.
pub struct ApiErr(pub StatusCode, pub String);

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let mut r = (self.0, self.1).into_response();
        r.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r
    }
}

pub fn err(code: u16, msg: &str) -> ApiErr {
    ApiErr(
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        msg.to_string(),
    )
}

type R = Result<Response, ApiErr>;

fn invalid_method() -> MethodRouter<Sim> {
    MethodRouter::new().fallback(|| async { err(405, "Invalid method") })
}

fn with_fallback(m: MethodRouter<Sim>) -> MethodRouter<Sim> {
    m.fallback(|| async { err(405, "Invalid method") })
}

pub fn routes() -> Router<Sim> {
    let _ = invalid_method;
    Router::new()
        .route("/v1/jobs", with_fallback(get(list_jobs).post(register_job)))
        .route(
            "/v1/job/{id}",
            with_fallback(get(read_job).post(update_job).delete(stop_job)),
        )
        .route("/v1/job/{id}/versions", with_fallback(get(job_versions)))
        .route(
            "/v1/job/{id}/allocations",
            with_fallback(get(job_allocations)),
        )
        .route(
            "/v1/job/{id}/evaluations",
            with_fallback(get(job_evaluations)),
        )
        .route(
            "/v1/job/{id}/deployments",
            with_fallback(get(job_deployments)),
        )
        .route(
            "/v1/job/{id}/deployment",
            with_fallback(get(job_deployment)),
        )
        .route("/v1/job/{id}/summary", with_fallback(get(job_summary)))
        .route("/v1/job/{id}/evaluate", with_fallback(post(job_evaluate)))
        .route("/v1/job/{id}/stable", with_fallback(post(job_stable)))
        .route("/v1/job/{id}/revert", with_fallback(post(job_revert)))
        .route(
            "/v1/job/{id}/periodic/force",
            with_fallback(post(job_periodic_force)),
        )
        .route("/v1/job/{id}/dispatch", with_fallback(post(job_dispatch)))
        .route("/v1/job/{id}/plan", with_fallback(post(job_plan)))
        .route(
            "/v1/deployment/promote/{id}",
            with_fallback(post(deployment_promote)),
        )
        .route(
            "/v1/deployment/fail/{id}",
            with_fallback(post(deployment_fail)),
        )
        .route("/v1/search/fuzzy", with_fallback(post(search_fuzzy)))
        .route("/v1/search", with_fallback(post(search_prefix)))
        .route("/v1/job/{id}/scale", with_fallback(get(job_scale)))
        .route("/v1/allocations", with_fallback(get(list_allocs)))
        .route("/v1/allocation/{id}", with_fallback(get(read_alloc)))
        .route("/v1/evaluations", with_fallback(get(list_evals)))
        .route("/v1/evaluation/{id}", with_fallback(get(read_eval)))
        .route("/v1/deployments", with_fallback(get(list_deployments)))
        .route("/v1/deployment/{id}", with_fallback(get(read_deployment)))
        .route("/v1/nodes", with_fallback(get(list_nodes)))
        .route("/v1/node/{id}", with_fallback(get(read_node)))
        .route("/v1/node/{id}/allocations", with_fallback(get(node_allocs)))
        .route(
            "/v1/node/{id}/eligibility",
            with_fallback(post(node_eligibility)),
        )
        .route("/v1/node/{id}/drain", with_fallback(post(node_drain)))
        .route("/v1/node/{id}/purge", with_fallback(post(node_purge)))
        .route("/v1/node/{id}/evaluate", with_fallback(post(node_evaluate)))
        .route("/v1/regions", with_fallback(get(regions)))
        .route("/v1/namespaces", with_fallback(get(namespaces)))
        .route("/v1/status/leader", with_fallback(get(leader)))
        .route("/v1/agent/self", with_fallback(get(agent_self)))
        .route("/v1/agent/members", with_fallback(get(agent_members)))
        .route("/v1/acl/token/self", with_fallback(get(token_self)))
        .route("/v1/client/stats", with_fallback(get(client_stats)))
        .route(
            "/v1/client/allocation/{id}/stats",
            with_fallback(get(alloc_stats)),
        )
        .route(
            "/v1/client/allocation/{id}/gc",
            with_fallback(get(alloc_gc).post(alloc_gc)),
        )
        .route(
            "/v1/client/gc",
            with_fallback(get(client_gc).post(client_gc)),
        )
        .route("/v1/client/fs/ls/{id}", with_fallback(get(fs_ls)))
        .route("/v1/client/fs/stat/{id}", with_fallback(get(fs_stat)))
        .route("/v1/client/fs/cat/{id}", with_fallback(get(fs_cat)))
        .route("/v1/client/fs/readat/{id}", with_fallback(get(fs_readat)))
        .route(
            "/v1/client/fs/stream/{id}",
            with_fallback(get(crate::stream::fs_stream)),
        )
        .route(
            "/v1/client/fs/logs/{id}",
            with_fallback(get(crate::stream::fs_logs)),
        )
}

// ---------------------------------------------------------------- helpers

/// Parses `wait` like Go's `time.ParseDuration` (`5m`, `30s`, `100ms`);
/// default 5 minutes, capped at 10, plus up to 1/16 jitter as Nomad adds.
pub fn parse_wait(q: &HashMap<String, String>) -> Duration {
    let raw = q.get("wait").map(String::as_str).unwrap_or("");
    let d = parse_go_duration(raw)
        .unwrap_or(Duration::from_secs(300))
        .min(Duration::from_secs(600));
    let jitter_ms = (now_nanos() as u64 / 1000) % (d.as_millis() as u64 / 16 + 1);
    d + Duration::from_millis(jitter_ms)
}

pub fn parse_go_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch.is_ascii_digit() || ch == '.' {
            num.push(ch);
            continue;
        }
        let mut unit = ch.to_string();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() || n == 'µ' {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let v: f64 = num.parse().ok()?;
        num.clear();
        total += v * match unit.as_str() {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
    }
    if !num.is_empty() {
        return None;
    }
    Some(Duration::from_secs_f64(total))
}

fn min_index(q: &HashMap<String, String>) -> u64 {
    q.get("index").and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn ns_param(q: &HashMap<String, String>) -> String {
    q.get("namespace")
        .filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| "default".into())
}

fn ns_match(q: &HashMap<String, String>, ns: &str) -> bool {
    let want = ns_param(q);
    want == "*" || want == ns
}

/// Already-serialised JSON with the blocking-query headers.
fn raw_json(body: Vec<u8>, index: u64) -> Response {
    let mut r = Response::new(Body::from(body));
    let h = r.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert("x-nomad-index", HeaderValue::from(index));
    h.insert("x-nomad-knownleader", HeaderValue::from_static("true"));
    h.insert("x-nomad-lastcontact", HeaderValue::from_static("0"));
    r
}

/// JSON with the blocking-query headers Nomad sends.
pub fn json_index<T: Serialize + ?Sized>(v: &T, index: u64) -> Response {
    let body = match serde_json::to_vec(v) {
        Ok(b) => b,
        Err(e) => return err(500, &e.to_string()).into_response(),
    };
    let mut r = Response::new(Body::from(body));
    let h = r.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert("x-nomad-index", HeaderValue::from(index));
    h.insert("x-nomad-knownleader", HeaderValue::from_static("true"));
    h.insert("x-nomad-lastcontact", HeaderValue::from_static("0"));
    r
}

async fn blocking(s: &Store, tables: &[Table], q: &HashMap<String, String>) -> u64 {
    s.block(tables, min_index(q), parse_wait(q)).await
}

/// ACL check: `write` for mutations. Returns Nomad's exact 403 texts.
pub fn acl(sim: &Sim, headers: &HeaderMap, write: bool) -> Result<(), ApiErr> {
    if !sim.opts.acl {
        return Ok(());
    }
    let token = headers
        .get("x-nomad-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match crate::acl_token(token) {
        None if token.is_empty() => Err(err(403, "Permission denied")),
        None => Err(err(403, "ACL token not found")),
        Some(t) if write && t.token_type != "management" => Err(err(403, "Permission denied")),
        Some(_) => Ok(()),
    }
}

/// A job list stub serialised straight from the stored spec (borrowed, in
/// Nomad's field order), so a 10,000-job list costs no intermediate maps.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Stub<'a> {
    #[serde(rename = "ID")]
    id: &'a Value,
    #[serde(rename = "ParentID")]
    parent_id: &'a Value,
    name: &'a Value,
    namespace: &'a Value,
    datacenters: &'a Value,
    node_pool: &'a Value,
    multiregion: Option<()>,
    #[serde(rename = "Type")]
    job_type: &'a Value,
    priority: &'a Value,
    periodic: bool,
    parameterized_job: bool,
    stop: &'a Value,
    status: &'a Value,
    status_description: &'a Value,
    job_summary: Option<&'a JobSummary>,
    create_index: &'a Value,
    modify_index: &'a Value,
    job_modify_index: &'a Value,
    submit_time: &'a Value,
}

fn stub_of<'a>(j: &'a crate::state::StoredJob, summary: Option<&'a JobSummary>) -> Stub<'a> {
    let s = &j.spec;
    Stub {
        id: &s["ID"],
        parent_id: &s["ParentID"],
        name: &s["Name"],
        namespace: &s["Namespace"],
        datacenters: &s["Datacenters"],
        node_pool: &s["NodePool"],
        multiregion: None,
        job_type: &s["Type"],
        priority: &s["Priority"],
        periodic: s["Periodic"]["Enabled"].as_bool().unwrap_or(false),
        parameterized_job: s["ParameterizedJob"].is_object(),
        stop: &s["Stop"],
        status: &s["Status"],
        status_description: &s["StatusDescription"],
        job_summary: summary,
        create_index: &s["CreateIndex"],
        modify_index: &s["ModifyIndex"],
        job_modify_index: &s["JobModifyIndex"],
        submit_time: &s["SubmitTime"],
    }
}

fn alloc_stub(a: &Allocation) -> Allocation {
    Allocation {
        job: None,
        resources: None,
        shared_resources: None,
        task_resources: Default::default(),
        metrics: None,
        ..a.clone()
    }
}

fn body_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiErr> {
    serde_json::from_slice(body)
        .map_err(|e| err(400, &format!("Failed to decode request body: {e}")))
}

// ---------------------------------------------------------------- jobs

/// A list answer, with `X-Nomad-NextToken` when a page follows.
fn paged_json(body: serde_json::Result<Vec<u8>>, idx: u64, next: Option<String>) -> R {
    let body = body.map_err(|e| err(500, &e.to_string()))?;
    let mut resp = raw_json(body, idx);
    if let Some(v) = next.and_then(|n| HeaderValue::from_str(&n).ok()) {
        resp.headers_mut().insert("x-nomad-nexttoken", v);
    }
    Ok(resp)
}

async fn list_jobs(State(sim): State<Sim>, h: HeaderMap, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Jobs, Table::Summaries], &q).await;
    let prefix = q.get("prefix").cloned().unwrap_or_default();
    // Pagination as Nomad 1.3+ does it: `per_page` and `next_token`, the
    // token being `namespace.id` of the first job of the next page.
    let per_page = q
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0);
    // namespaces cannot contain a dot, so the token splits at the first one
    let start = q.get("next_token").map(|t| match t.split_once('.') {
        Some((ns, id)) => (ns.to_string(), id.to_string()),
        None => (String::new(), t.clone()),
    });
    let (bytes, next) = sim
        .store
        .read_off(move |c| {
            let mut next = None;
            let mut stubs: Vec<Stub> = vec![];
            for j in c.jobs.values().filter(|j| {
                ns_match(&q, j.namespace())
                    && j.id().starts_with(&prefix)
                    && start.as_ref().is_none_or(|(ns, id)| {
                        (j.namespace(), j.id()) >= (ns.as_str(), id.as_str())
                    })
            }) {
                if per_page.is_some_and(|n| stubs.len() == n) {
                    next = Some(format!("{}.{}", j.namespace(), j.id()));
                    break;
                }
                stubs.push(stub_of(
                    j,
                    c.summaries
                        .get(&(j.namespace().to_string(), j.id().to_string())),
                ));
            }
            (serde_json::to_vec(&stubs), next)
        })
        .await;
    paged_json(bytes, idx, next)
}

fn job_or_404<T>(
    sim: &Sim,
    q: &HashMap<String, String>,
    id: &str,
    f: impl FnOnce(&crate::state::Cluster, &crate::state::StoredJob) -> T,
) -> Result<T, ApiErr> {
    let ns = ns_param(q);
    sim.store
        .read(|c| c.job(&ns, id).map(|j| f(c, j)))
        .ok_or_else(|| err(404, "job not found"))
}

async fn read_job(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Jobs], &q).await;
    let v = job_or_404(&sim, &q, &id, |_, j| j.spec.clone())?;
    Ok(json_index(&v, idx))
}

async fn job_versions(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Jobs], &q).await;
    let ns = ns_param(&q);
    let versions = sim
        .store
        .read(|c| c.job(&ns, &id).map(|j| j.versions.clone()))
        .ok_or_else(|| err(404, "job versions not found"))?;
    let diffs = if q.get("diffs").is_some_and(|v| v == "true") {
        let against = q.get("diff_version").and_then(|v| v.parse::<u64>().ok());
        let mut out = vec![];
        match against {
            // every version diffed against the one asked for
            Some(n) => {
                let base = versions
                    .iter()
                    .find(|v| v["Version"].as_u64() == Some(n))
                    .ok_or_else(|| err(400, &format!("version {n} not found")))?;
                for v in &versions {
                    out.push(nomad_model::diffcalc::job_diff(Some(base), Some(v), false));
                }
            }
            // each version against its predecessor (newest first)
            None => {
                for w in versions.windows(2) {
                    out.push(nomad_model::diffcalc::job_diff(
                        Some(&w[1]),
                        Some(&w[0]),
                        false,
                    ));
                }
            }
        }
        Some(out)
    } else {
        None
    };
    Ok(json_index(
        &json!({"Versions": versions, "Diffs": diffs, "Index": idx, "KnownLeader": true, "LastContact": 0}),
        idx,
    ))
}

async fn job_allocations(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Allocs], &q).await;
    let ns = ns_param(&q);
    let all = q.get("all").is_some_and(|v| v == "true");
    let v = job_or_404(&sim, &q, &id, |c, _| {
        let _ = all;
        c.allocs_of_job(&ns, &id)
            .map(alloc_stub)
            .collect::<Vec<_>>()
    })?;
    Ok(json_index(&v, idx))
}

async fn job_evaluations(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Evals], &q).await;
    let ns = ns_param(&q);
    let v = sim.store.read(|c| {
        c.evals
            .values()
            .filter(|e| e.job_id == id && e.namespace == ns)
            .cloned()
            .collect::<Vec<_>>()
    });
    Ok(json_index(&v, idx))
}

async fn job_deployments(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Deployments], &q).await;
    let ns = ns_param(&q);
    let mut v = sim.store.read(|c| {
        c.deployments
            .values()
            .filter(|d| d.job_id == id && d.namespace == ns)
            .cloned()
            .collect::<Vec<_>>()
    });
    v.sort_by_key(|d| std::cmp::Reverse(d.create_index));
    Ok(json_index(&v, idx))
}

async fn job_deployment(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Deployments], &q).await;
    let ns = ns_param(&q);
    let v = sim.store.read(|c| {
        c.deployments
            .values()
            .filter(|d| d.job_id == id && d.namespace == ns)
            .max_by_key(|d| d.create_index)
            .cloned()
    });
    // no deployment: 200 with `null`, as Nomad answers
    Ok(json_index(&v, idx))
}

async fn job_summary(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Summaries], &q).await;
    let ns = ns_param(&q);
    let v = sim
        .store
        .read(|c| c.summaries.get(&(ns.clone(), id.clone())).cloned())
        .ok_or_else(|| err(404, "job not found"))?;
    Ok(json_index(&v, idx))
}

fn register_response(o: &sched::RegisterOutcome) -> Response {
    json_index(
        &JobRegisterResponse {
            eval_id: o.eval_id.clone(),
            eval_create_index: o.eval_index,
            job_modify_index: o.job_modify_index,
            index: o.eval_index,
            warnings: String::new(),
        },
        o.eval_index,
    )
}

async fn do_register(sim: &Sim, path_id: Option<&str>, body: &[u8]) -> R {
    let req: JobRegisterRequest = body_json(body)?;
    let Value::Object(_) = &req.job else {
        return Err(err(400, "Job must be specified"));
    };
    let id = req
        .job
        .get("ID")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if id.is_empty() {
        return Err(err(400, "1 error occurred:\n\t* Missing job ID\n\n"));
    }
    if let Some(p) = path_id {
        if p != id {
            return Err(err(400, "Job ID does not match name"));
        }
    }
    if req
        .job
        .get("TaskGroups")
        .and_then(Value::as_array)
        .is_none_or(|g| g.is_empty())
    {
        return Err(err(
            500,
            "1 error occurred:\n\t* Missing job task groups\n\n",
        ));
    }
    let ns = req
        .job
        .get("Namespace")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
        .to_string();
    let out = sim.with_rng(|c, rng| {
        if req.enforce_index {
            let cur = c.job(&ns, &id).and_then(|j| j.spec["JobModifyIndex"].as_u64());
            match (cur, req.job_modify_index) {
                (None, 0) => {}
                (None, want) => return Err(err(500, &format!("Enforcing job modify index {want}: job does not exist"))),
                (Some(_), 0) => return Err(err(500, "Enforcing job modify index 0: job already exists")),
                (Some(have), want) if have != want => {
                    return Err(err(500, &format!("Enforcing job modify index {want}: job exists with conflicting job modify index: {have}")))
                }
                _ => {}
            }
        }
        Ok(sched::register(c, rng, req.job.clone(), "job-register"))
    })?;
    Ok(register_response(&out))
}

async fn register_job(State(sim): State<Sim>, h: HeaderMap, body: axum::body::Bytes) -> R {
    acl(&sim, &h, true)?;
    do_register(&sim, None, &body).await
}

async fn update_job(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> R {
    acl(&sim, &h, true)?;
    do_register(&sim, Some(&id), &body).await
}

async fn stop_job(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>, Query(q): Q) -> R {
    acl(&sim, &h, true)?;
    let ns = ns_param(&q);
    let purge = q.get("purge").is_some_and(|v| v == "true");
    let out = sim.with_rng(|c, rng| {
        let key = (ns.clone(), id.clone());
        let j = c
            .jobs
            .get_mut(&key)
            .ok_or_else(|| err(404, "job not found"))?;
        j.spec["Stop"] = json!(true);
        let (eval_id, idx) = sched::evaluate(c, rng, &ns, &id, "job-deregister");
        if purge {
            c.jobs.remove(&key);
            c.summaries.remove(&key);
            c.bump(&[Table::Jobs, Table::Summaries]);
        }
        Ok::<_, ApiErr>((eval_id, idx))
    })?;
    Ok(json_index(
        &JobRegisterResponse {
            eval_id: out.0,
            eval_create_index: out.1,
            job_modify_index: out.1,
            index: out.1,
            ..Default::default()
        },
        out.1,
    ))
}

async fn job_evaluate(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, true)?;
    let ns = ns_param(&q);
    let (eid, idx) = sim.with_rng(|c, rng| {
        if c.job(&ns, &id).is_none() {
            return Err(err(404, "job not found"));
        }
        Ok(sched::evaluate(c, rng, &ns, &id, "job-eval"))
    })?;
    Ok(json_index(
        &JobRegisterResponse {
            eval_id: eid,
            eval_create_index: idx,
            job_modify_index: idx,
            index: idx,
            ..Default::default()
        },
        idx,
    ))
}

async fn job_stable(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
    body: axum::body::Bytes,
) -> R {
    acl(&sim, &h, true)?;
    let req: JobStabilityRequest = body_json(&body)?;
    let ns = ns_param(&q);
    let idx = sim.store.write(|c| {
        let idx = c.bump(&[Table::Jobs]);
        let j = c
            .jobs
            .get_mut(&(ns.clone(), id.clone()))
            .ok_or_else(|| err(404, "job not found"))?;
        let v = j
            .versions
            .iter_mut()
            .find(|v| v["Version"].as_u64() == Some(req.job_version))
            .ok_or_else(|| {
                err(
                    404,
                    &format!("job {id:?} at version {} not found", req.job_version),
                )
            })?;
        v["Stable"] = json!(req.stable);
        if j.spec["Version"].as_u64() == Some(req.job_version) {
            j.spec["Stable"] = json!(req.stable);
        }
        j.spec["ModifyIndex"] = json!(idx);
        Ok::<_, ApiErr>(idx)
    })?;
    Ok(json_index(
        &JobStabilityResponse {
            job_modify_index: idx,
            index: idx,
        },
        idx,
    ))
}

async fn job_revert(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
    body: axum::body::Bytes,
) -> R {
    acl(&sim, &h, true)?;
    let req: JobRevertRequest = body_json(&body)?;
    let ns = ns_param(&q);
    let out = sim.with_rng(|c, rng| {
        let j = c.job(&ns, &id).ok_or_else(|| err(404, "job not found"))?;
        let cur = j.spec["Version"].as_u64().unwrap_or(0);
        if let Some(p) = req.enforce_prior_version {
            if p != cur {
                return Err(err(
                    500,
                    &format!("Current job has version {cur}; enforcing version {p}"),
                ));
            }
        }
        if req.job_version == cur {
            return Err(err(500, &format!("can't revert to current version {cur}")));
        }
        let target = j
            .versions
            .iter()
            .find(|v| v["Version"].as_u64() == Some(req.job_version))
            .cloned()
            .ok_or_else(|| {
                err(
                    500,
                    &format!(
                        "job {id:?} in namespace {ns:?} at version {} not found",
                        req.job_version
                    ),
                )
            })?;
        Ok(sched::register(c, rng, target, "job-register"))
    })?;
    Ok(register_response(&out))
}

async fn job_periodic_force(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, true)?;
    let ns = ns_param(&q);
    let out = sim.with_rng(|c, rng| {
        let j = c.job(&ns, &id).ok_or_else(|| err(404, "job not found"))?;
        if !j.typed().is_periodic() {
            return Err(err(400, "can't force launch non-periodic job"));
        }
        sched::launch_periodic_child(c, rng, &ns, &id)
            .map(|(o, _)| o)
            .ok_or_else(|| err(404, "job not found"))
    })?;
    Ok(json_index(
        &PeriodicForceResponse {
            eval_id: out.eval_id,
            eval_create_index: out.eval_index,
            index: out.eval_index,
        },
        out.eval_index,
    ))
}

async fn job_dispatch(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
    body: axum::body::Bytes,
) -> R {
    acl(&sim, &h, true)?;
    let req: JobDispatchRequest = if body.is_empty() {
        JobDispatchRequest::default()
    } else {
        body_json(&body)?
    };
    let ns = ns_param(&q);
    let out = sim.with_rng(|c, rng| {
        let j = c.job(&ns, &id).ok_or_else(|| err(404, "job not found"))?;
        let typed = j.typed();
        let p = typed
            .parameterized_job
            .clone()
            .ok_or_else(|| err(400, "Specified job is not a parameterized job"))?;
        let missing: Vec<_> = p
            .meta_required
            .iter()
            .filter(|k| !req.meta.contains_key(*k))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(err(
                400,
                &format!("Dispatch did not provide required meta keys: {missing:?}"),
            ));
        }
        let unknown: Vec<_> = req
            .meta
            .keys()
            .filter(|k| !p.meta_required.contains(k) && !p.meta_optional.contains(k))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(err(
                400,
                &format!("Dispatch provided unpermitted meta keys: {unknown:?}"),
            ));
        }
        if p.payload == "required" && req.payload.is_empty() {
            return Err(err(
                400,
                "Payload is not provided but required by parameterized job",
            ));
        }
        if p.payload == "forbidden" && !req.payload.is_empty() {
            return Err(err(
                400,
                "Payload provided but forbidden by parameterized job",
            ));
        }
        let mut child = j.spec.clone();
        let child_id = format!(
            "{id}/dispatch-{}-{:08x}",
            now_nanos() / 1_000_000_000,
            rand::Rng::gen::<u32>(rng)
        );
        child["ID"] = json!(child_id);
        child["Name"] = json!(child_id);
        child["ParentID"] = json!(id);
        child["ParameterizedJob"] = Value::Null;
        child["Dispatched"] = json!(true);
        child["Payload"] = if req.payload.is_empty() {
            Value::Null
        } else {
            json!(req.payload)
        };
        let mut meta = child["Meta"].as_object().cloned().unwrap_or_default();
        for (k, v) in &req.meta {
            meta.insert(k.clone(), json!(v));
        }
        child["Meta"] = Value::Object(meta);
        let out = sched::register(c, rng, child, "job-register");
        c.recompute_summary(&ns, &id);
        Ok((child_id, out))
    })?;
    let (child_id, o) = out;
    Ok(json_index(
        &JobDispatchResponse {
            dispatched_job_id: child_id,
            eval_id: o.eval_id,
            eval_create_index: o.eval_index,
            job_create_index: o.job_modify_index,
            index: o.eval_index,
        },
        o.eval_index,
    ))
}

// ---------------------------------------------------------------- allocations, evals, deployments

async fn list_allocs(State(sim): State<Sim>, h: HeaderMap, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Allocs], &q).await;
    let prefix = q.get("prefix").cloned().unwrap_or_default();
    let task_states = q.get("task_states").is_none_or(|v| v != "false");
    // Pagination as Nomad 1.3+ does it for allocations: ordered by create
    // index (`reverse=true`: newest first), `per_page` entries, and a
    // `next_token` of `<create index>.<id>` naming the next page's first.
    let per_page = q
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0);
    let reverse = q.get("reverse").is_some_and(|v| v == "true");
    let start: Option<(u64, String)> = q.get("next_token").and_then(|t| {
        let (i, id) = t.split_once('.')?;
        Some((i.parse().ok()?, id.to_string()))
    });
    let (bytes, next) = sim
        .store
        .read_off(move |c| {
            let mut v: Vec<&Allocation> = c
                .allocs
                .values()
                .filter(|a| ns_match(&q, &a.namespace) && a.id.starts_with(&prefix))
                .collect();
            let mut next = None;
            if per_page.is_some() || start.is_some() || reverse {
                v.sort_unstable_by(|a, b| (a.create_index, &a.id).cmp(&(b.create_index, &b.id)));
                if reverse {
                    v.reverse();
                }
                if let Some((i, id)) = &start {
                    let key = (*i, id.as_str());
                    v.retain(|a| {
                        let k = (a.create_index, a.id.as_str());
                        if reverse {
                            k <= key
                        } else {
                            k >= key
                        }
                    });
                }
                if let Some(n) = per_page {
                    if v.len() > n {
                        next = Some(format!("{}.{}", v[n].create_index, v[n].id));
                        v.truncate(n);
                    }
                }
            }
            let v = v
                .into_iter()
                .map(|a| {
                    let mut s = alloc_stub(a);
                    if !task_states {
                        s.task_states.clear();
                    }
                    s
                })
                .collect::<Vec<_>>();
            (serde_json::to_vec(&v), next)
        })
        .await;
    paged_json(bytes, idx, next)
}

async fn read_alloc(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Allocs], &q).await;
    let v = sim
        .store
        .read(|c| {
            c.allocs.get(&id).map(|a| {
                let mut a = a.clone();
                a.job = c.job(&a.namespace, &a.job_id).and_then(|j| {
                    j.versions
                        .iter()
                        .find(|v| v["Version"].as_u64() == Some(a.job_version))
                        .or(Some(&j.spec))
                        .and_then(|v| serde_json::from_value(v.clone()).ok())
                });
                a
            })
        })
        .ok_or_else(|| err(404, "alloc not found"))?;
    Ok(json_index(&v, idx))
}

async fn list_evals(State(sim): State<Sim>, h: HeaderMap, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Evals], &q).await;
    let prefix = q.get("prefix").cloned().unwrap_or_default();
    let v = sim.store.read(|c| {
        c.evals
            .values()
            .filter(|e| ns_match(&q, &e.namespace) && e.id.starts_with(&prefix))
            .cloned()
            .collect::<Vec<_>>()
    });
    Ok(json_index(&v, idx))
}

async fn read_eval(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Evals], &q).await;
    let v = sim
        .store
        .read(|c| c.evals.get(&id).cloned())
        .ok_or_else(|| err(404, "eval not found"))?;
    Ok(json_index(&v, idx))
}

async fn list_deployments(State(sim): State<Sim>, h: HeaderMap, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Deployments], &q).await;
    let v = sim.store.read(|c| {
        c.deployments
            .values()
            .filter(|d| ns_match(&q, &d.namespace))
            .cloned()
            .collect::<Vec<_>>()
    });
    Ok(json_index(&v, idx))
}

async fn read_deployment(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Deployments], &q).await;
    let v = sim
        .store
        .read(|c| c.deployments.get(&id).cloned())
        .ok_or_else(|| err(404, "deployment not found"))?;
    Ok(json_index(&v, idx))
}

// ---------------------------------------------------------------- nodes

fn node_stub(n: &Node) -> NodeListStub {
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

async fn list_nodes(State(sim): State<Sim>, h: HeaderMap, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Nodes], &q).await;
    let prefix = q.get("prefix").cloned().unwrap_or_default();
    let v = sim
        .store
        .read_off(move |c| {
            let v = c
                .nodes
                .values()
                .filter(|n| n.id.starts_with(&prefix))
                .map(node_stub)
                .collect::<Vec<_>>();
            serde_json::to_vec(&v)
        })
        .await;
    let body = v.map_err(|e| err(500, &e.to_string()))?;
    Ok(raw_json(body, idx))
}

async fn read_node(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Nodes], &q).await;
    let mut v = sim
        .store
        .read(|c| c.nodes.get(&id).cloned())
        .ok_or_else(|| err(404, "node not found"))?;
    v.drain = v.drain_strategy.is_some();
    Ok(json_index(&v, idx))
}

async fn node_allocs(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Allocs], &q).await;
    let v = sim.store.read(|c| {
        c.nodes.contains_key(&id).then(|| {
            c.allocs
                .values()
                .filter(|a| a.node_id == id)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    Ok(json_index(&v.unwrap_or_default(), idx))
}

fn node_event(n: &mut Node, subsystem: &str, msg: &str, idx: u64) {
    n.events.push(NodeEvent {
        message: msg.into(),
        subsystem: subsystem.into(),
        timestamp: WallTime::from_unix_nanos(now_nanos()),
        create_index: idx,
        ..Default::default()
    });
    if n.events.len() > 10 {
        n.events.remove(0);
    }
}

async fn node_eligibility(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> R {
    acl(&sim, &h, true)?;
    let req: NodeEligibilityRequest = body_json(&body)?;
    if !matches!(req.eligibility.as_str(), "eligible" | "ineligible") {
        return Err(err(
            400,
            &format!("invalid scheduling eligibility {:?}", req.eligibility),
        ));
    }
    let idx = sim.store.write(|c| {
        let idx = c.bump(&[Table::Nodes]);
        let n = c
            .nodes
            .get_mut(&id)
            .ok_or_else(|| err(404, "node not found"))?;
        if n.drain_strategy.is_some() && req.eligibility == "eligible" {
            return Err(err(
                400,
                "can not set node's scheduling eligibility to eligible while it is draining",
            ));
        }
        n.scheduling_eligibility = req.eligibility.clone();
        n.modify_index = idx;
        node_event(
            n,
            "Cluster",
            &format!("Node marked as {}", req.eligibility),
            idx,
        );
        Ok::<_, ApiErr>(idx)
    })?;
    Ok(json_index(
        &NodeUpdateResponse {
            node_modify_index: idx,
            index: idx,
            ..Default::default()
        },
        idx,
    ))
}

async fn node_drain(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> R {
    acl(&sim, &h, true)?;
    let req: NodeDrainRequest = body_json(&body)?;
    let idx = sim.store.write(|c| {
        let idx = c.bump(&[Table::Nodes]);
        let now = now_nanos();
        let n = c
            .nodes
            .get_mut(&id)
            .ok_or_else(|| err(404, "node not found"))?;
        match &req.drain_spec {
            Some(spec) => {
                let force = if spec.deadline.0 > 0 {
                    WallTime::from_unix_nanos(now + spec.deadline.0)
                } else {
                    WallTime(None)
                };
                n.drain_strategy = Some(DrainStrategy {
                    deadline: spec.deadline,
                    ignore_system_jobs: spec.ignore_system_jobs,
                    force_deadline: force,
                    started_at: WallTime::from_unix_nanos(now),
                });
                n.scheduling_eligibility = "ineligible".into();
                n.last_drain = Some(DrainMetadata {
                    started_at: WallTime::from_unix_nanos(now),
                    updated_at: WallTime::from_unix_nanos(now),
                    status: "draining".into(),
                    ..Default::default()
                });
                node_event(n, "Drain", "Node drain strategy set", idx);
            }
            None => {
                n.drain_strategy = None;
                if req.mark_eligible {
                    n.scheduling_eligibility = "eligible".into();
                }
                if let Some(l) = n.last_drain.as_mut() {
                    l.status = "canceled".into();
                    l.updated_at = WallTime::from_unix_nanos(now);
                }
                node_event(n, "Drain", "Node drain strategy cancelled", idx);
            }
        }
        n.modify_index = idx;
        Ok::<_, ApiErr>(idx)
    })?;
    Ok(json_index(
        &NodeUpdateResponse {
            node_modify_index: idx,
            index: idx,
            ..Default::default()
        },
        idx,
    ))
}

async fn node_purge(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>) -> R {
    acl(&sim, &h, true)?;
    let idx = sim.store.write(|c| {
        c.nodes
            .remove(&id)
            .ok_or_else(|| err(404, "node not found"))?;
        let idx = c.bump(&[Table::Nodes, Table::Allocs]);
        let now = now_nanos();
        for a in c
            .allocs
            .values_mut()
            .filter(|a| a.node_id == id && !a.is_terminal())
        {
            a.client_status = "lost".into();
            a.desired_status = "stop".into();
            a.desired_description = "alloc is lost since its node is down".into();
            a.modify_index = idx;
            a.modify_time = UnixNanos(now);
        }
        Ok::<_, ApiErr>(idx)
    })?;
    Ok(json_index(
        &NodeUpdateResponse {
            node_modify_index: idx,
            index: idx,
            ..Default::default()
        },
        idx,
    ))
}

async fn node_evaluate(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>) -> R {
    acl(&sim, &h, true)?;
    let (ids, idx) = sim.with_rng(|c, rng| {
        if !c.nodes.contains_key(&id) {
            return Err(err(404, "node not found"));
        }
        let jobs: Vec<(String, String)> = c
            .allocs
            .values()
            .filter(|a| a.node_id == id)
            .map(|a| (a.namespace.clone(), a.job_id.clone()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
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
    Ok(json_index(
        &NodeUpdateResponse {
            eval_ids: ids,
            eval_create_index: idx,
            node_modify_index: idx,
            index: idx,
            ..Default::default()
        },
        idx,
    ))
}

// ---------------------------------------------------------------- cluster

async fn regions(State(sim): State<Sim>) -> R {
    Ok(json_index(&sim.opts_regions(), 1))
}

async fn namespaces(State(sim): State<Sim>, h: HeaderMap, Query(q): Q) -> R {
    if sim.opts.no_namespaces {
        return Err(err(501, "Nomad Enterprise only endpoint"));
    }
    let anonymous = sim.opts.acl && acl(&sim, &h, false).is_err();
    let idx = blocking(&sim.store, &[Table::Namespaces], &q).await;
    let v = sim.store.read(|c| {
        if anonymous {
            vec![]
        } else {
            c.namespaces.values().cloned().collect::<Vec<_>>()
        }
    });
    Ok(json_index(&v, idx))
}

async fn leader() -> R {
    Ok(json_index("127.0.0.1:4647", 1))
}

async fn agent_self(State(sim): State<Sim>, h: HeaderMap) -> R {
    acl(&sim, &h, false)?;
    let v = json!({
        "config": {"Region": "global", "Datacenter": "dc1", "NodeName": "nomad-sim", "Version": {"Version": "1.11.3", "VersionPrerelease": "", "Revision": "nomad-sim"}, "ACL": {"Enabled": sim.opts.acl}, "Server": {"Enabled": true}, "Client": {"Enabled": false}},
        "member": {"Name": "nomad-sim.global", "Addr": "127.0.0.1", "Port": 4648, "Status": "alive", "Tags": {"region": "global", "dc": "dc1", "build": "1.11.3", "role": "nomad"}},
        "stats": {"nomad": {"leader": "true", "server": "true"}},
    });
    Ok(json_index(&v, 1))
}

async fn agent_members(State(sim): State<Sim>, h: HeaderMap) -> R {
    acl(&sim, &h, false)?;
    let v = json!({"ServerName": "nomad-sim", "ServerRegion": "global", "ServerDC": "dc1", "Members": [
        {"Name": "nomad-sim.global", "Addr": "127.0.0.1", "Port": 4648, "Status": "alive", "Tags": {"region": "global", "dc": "dc1", "build": "1.11.3", "role": "nomad", "leader": "true"}, "ProtocolMin": 1, "ProtocolMax": 5, "ProtocolCur": 2, "DelegateMin": 2, "DelegateMax": 5, "DelegateCur": 4}]});
    Ok(json_index(&v, 1))
}

async fn token_self(State(sim): State<Sim>, h: HeaderMap) -> R {
    if !sim.opts.acl {
        return Err(err(400, "ACL support disabled"));
    }
    let token = h
        .get("x-nomad-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match crate::acl_token(token) {
        Some(t) => Ok(json_index(&t, 1)),
        None if token.is_empty() => Err(err(403, "Permission denied")),
        None => Err(err(403, "ACL token not found")),
    }
}

// ---------------------------------------------------------------- client

fn alloc_for_client(sim: &Sim, id: &str) -> Result<Allocation, ApiErr> {
    sim.store
        .read(|c| c.allocs.get(id).cloned())
        .ok_or_else(|| err(404, &format!("Unknown allocation {id:?}")))
}

fn wave(seed: &str, t: f64, lo: f64, hi: f64) -> f64 {
    let s = seed
        .bytes()
        .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32)) as f64;
    let x = (t / 7.0 + s).sin() * 0.5 + (t / 2.3 + s * 1.7).sin() * 0.3 + (t / 0.9 + s).sin() * 0.2;
    lo + (hi - lo) * (x * 0.5 + 0.5)
}

async fn client_stats(State(sim): State<Sim>, h: HeaderMap, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let id = q.get("node_id").cloned().unwrap_or_default();
    let node = sim
        .store
        .read(|c| {
            if id.is_empty() {
                c.nodes.values().next().cloned()
            } else {
                c.nodes.get(&id).cloned()
            }
        })
        .ok_or_else(|| err(404, "Unknown node"))?;
    let now = now_nanos();
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

async fn alloc_stats(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>) -> R {
    acl(&sim, &h, false)?;
    let a = alloc_for_client(&sim, &id)?;
    if a.client_status != "running" {
        return Err(err(500, "rpc error: Allocation not running"));
    }
    let now = now_nanos();
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

async fn alloc_gc(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>) -> R {
    acl(&sim, &h, true)?;
    let a = alloc_for_client(&sim, &id)?;
    if !a.is_terminal() {
        return Err(err(500, "rpc error: Allocation is not terminal"));
    }
    sim.store.write(|c| {
        c.remove_alloc(&id);
        c.logs.retain(|(aid, _), _| aid != &id);
        c.bump(&[Table::Allocs, Table::Summaries]);
        c.recompute_summary(&a.namespace, &a.job_id);
    });
    Ok(json_index(&Value::Null, 0))
}

async fn client_gc(State(sim): State<Sim>, h: HeaderMap, Query(q): Q) -> R {
    acl(&sim, &h, true)?;
    let node = q.get("node_id").cloned().unwrap_or_default();
    sim.store.write(|c| {
        if !node.is_empty() && !c.nodes.contains_key(&node) {
            return Err(err(404, "Unknown node"));
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
    Ok(json_index(&Value::Null, 0))
}

fn fs_path(q: &HashMap<String, String>) -> String {
    q.get("path").cloned().unwrap_or_else(|| "/".into())
}

fn mod_time(a: &Allocation) -> WallTime {
    WallTime::from_unix_nanos(a.modify_time.0.max(a.create_time.0))
}

pub fn fs_entry(sim: &Sim, id: &str, path: &str) -> Result<(Allocation, FsEntry), ApiErr> {
    let a = alloc_for_client(sim, id)?;
    let e = sim
        .store
        .write(|c| fs_lookup(c, &a, path))
        .ok_or_else(|| err(404, &format!("stat {path}: no such file or directory")))?;
    Ok((a, e))
}

async fn fs_ls(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let path = fs_path(&q);
    let (a, e) = fs_entry(&sim, &id, &path)?;
    match e {
        FsEntry::Dir(v) => {
            let list: Vec<AllocFileInfo> = v
                .into_iter()
                .map(|(name, is_dir, size)| AllocFileInfo {
                    name,
                    is_dir,
                    size,
                    file_mode: if is_dir {
                        "drwxrwxrwx".into()
                    } else {
                        "-rw-r--r--".into()
                    },
                    mod_time: mod_time(&a),
                    content_type: String::new(),
                })
                .collect();
            Ok(json_index(&list, 0))
        }
        FsEntry::File(_) => Err(err(400, &format!("{path:?} is a file"))),
    }
}

async fn fs_stat(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let path = fs_path(&q);
    let (a, e) = fs_entry(&sim, &id, &path)?;
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string();
    let (is_dir, size, ct) = match &e {
        FsEntry::Dir(_) => (true, 4096, String::new()),
        FsEntry::File(b) => (false, b.len() as u64, sniff(b).to_string()),
    };
    Ok(json_index(
        &AllocFileInfo {
            name,
            is_dir,
            size,
            file_mode: if is_dir {
                "drwxrwxrwx".into()
            } else {
                "-rw-r--r--".into()
            },
            mod_time: mod_time(&a),
            content_type: ct,
        },
        0,
    ))
}

fn sniff(b: &[u8]) -> &'static str {
    if b.starts_with(b"\x89PNG") {
        "image/png"
    } else if b.iter().take(512).any(|c| *c == 0) {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

fn raw(bytes: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

async fn fs_cat(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let path = fs_path(&q);
    match fs_entry(&sim, &id, &path)?.1 {
        FsEntry::File(b) => Ok(raw(b)),
        FsEntry::Dir(_) => Err(err(400, &format!("file {path:?} is a directory"))),
    }
}

async fn fs_readat(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let path = fs_path(&q);
    let offset: usize = q
        .get("offset")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| err(400, "must provide numeric offset"))?;
    let limit: usize = q
        .get("limit")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| err(400, "must provide numeric limit"))?;
    match fs_entry(&sim, &id, &path)?.1 {
        FsEntry::File(b) => {
            let start = offset.min(b.len());
            let end = start.saturating_add(limit).min(b.len());
            Ok(raw(b[start..end].to_vec()))
        }
        FsEntry::Dir(_) => Err(err(400, &format!("file {path:?} is a directory"))),
    }
}

/// Makes sure a task's log buffer exists (used by the stream handlers).
pub fn touch_logs(sim: &Sim, a: &Allocation, task: &str) {
    sim.store.write(|c| {
        ensure_logs(c, a, task);
    });
}

pub fn alloc_for_stream(sim: &Sim, id: &str) -> Result<Allocation, ApiErr> {
    alloc_for_client(sim, id)
}

// ---------------------------------------------------------------- plan

async fn job_plan(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> R {
    acl(&sim, &h, true)?;
    let req: JobPlanRequest = body_json(&body)?;
    let Value::Object(_) = &req.job else {
        return Err(err(400, "Job must be specified"));
    };
    if req.job.get("ID").and_then(Value::as_str) != Some(id.as_str()) {
        return Err(err(400, "Job ID does not match"));
    }
    let plan = sim.with_rng(|c, rng| {
        let mut spec = req.job.clone();
        sched::canonicalize(&mut spec, &c.region);
        let ns = spec["Namespace"].as_str().unwrap_or("default").to_string();
        let current = c.job(&ns, &id).map(|j| j.spec.clone());
        let mut diff = nomad_model::diffcalc::job_diff(current.as_ref(), Some(&spec), true);
        nomad_model::diffcalc::annotate(&mut diff);
        // Dry run on a copy of the cluster: what would the scheduler do?
        let mut dry = c.dry_clone();
        let mut dry_rng = rng.clone();
        let before: HashMap<String, (String, u64, bool)> = dry
            .allocs_of_job(&ns, &id)
            .map(|a| {
                (
                    a.id.clone(),
                    (
                        a.task_group.clone(),
                        a.job_version,
                        a.desired_status == "run" && !a.is_terminal(),
                    ),
                )
            })
            .collect();
        let out = sched::register(&mut dry, &mut dry_rng, spec.clone(), "job-register");
        let mut updates: std::collections::BTreeMap<String, DesiredUpdates> =
            std::collections::BTreeMap::new();
        let groups: Vec<String> = spec["TaskGroups"]
            .as_array()
            .map(|g| {
                g.iter()
                    .filter_map(|g| g["Name"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        for g in &groups {
            updates.entry(g.clone()).or_default();
        }
        let mut stopped: HashMap<String, u64> = HashMap::new();
        for a in dry.allocs_of_job(&ns, &id) {
            match before.get(&a.id) {
                None => updates.entry(a.task_group.clone()).or_default().place += 1,
                Some((g, version, true)) => {
                    let u = updates.entry(g.clone()).or_default();
                    if a.desired_status != "run" {
                        *stopped.entry(g.clone()).or_default() += 1;
                    } else if a.job_version != *version {
                        u.in_place_update += 1;
                    } else {
                        u.ignore += 1;
                    }
                }
                Some(_) => {}
            }
        }
        for (g, n) in stopped {
            let u = updates.entry(g).or_default();
            let replaced = n.min(u.place);
            u.destructive_update += replaced;
            u.place -= replaced;
            u.stop += n - replaced;
        }
        for g in &mut diff.task_groups {
            if let Some(u) = updates.get(&g.name) {
                for (k, v) in [
                    ("create", u.place),
                    ("destroy", u.stop),
                    ("in-place update", u.in_place_update),
                    ("create/destroy update", u.destructive_update),
                    ("ignore", u.ignore),
                ] {
                    if v > 0 {
                        g.updates.insert(k.to_string(), v);
                    }
                }
            }
        }
        let eval = dry.evals.get(&out.eval_id).cloned().unwrap_or_default();
        let created: Vec<Evaluation> = dry
            .evals
            .get(&eval.blocked_eval)
            .cloned()
            .into_iter()
            .collect();
        let next = sched::next_periodic_launch(&spec, now_nanos())
            .map(WallTime::from_unix_nanos)
            .unwrap_or_default();
        JobPlanResponse {
            index: c.index,
            job_modify_index: current
                .as_ref()
                .and_then(|j| j["JobModifyIndex"].as_u64())
                .unwrap_or(0),
            diff: req.diff.then_some(diff),
            created_evals: created,
            failed_tg_allocs: eval.failed_tg_allocs,
            annotations: Some(PlanAnnotations {
                desired_tg_updates: updates,
            }),
            next_periodic_launch: next,
            warnings: String::new(),
        }
    });
    Ok(json_index(&plan, plan.index))
}

// ---------------------------------------------------------------- deployments

async fn deployment_promote(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> R {
    acl(&sim, &h, true)?;
    let req: DeploymentPromoteRequest = if body.is_empty() {
        DeploymentPromoteRequest {
            all: true,
            ..Default::default()
        }
    } else {
        body_json(&body)?
    };
    let out = sim.with_rng(|c, rng| {
        let d = c
            .deployments
            .get(&id)
            .cloned()
            .ok_or_else(|| err(404, "deployment not found"))?;
        if !d.is_active() {
            return Err(err(
                400,
                &format!(
                    "can't promote terminal deployment with status {:?}",
                    d.status
                ),
            ));
        }
        if !d.task_groups.values().any(|g| g.desired_canaries > 0) {
            return Err(err(400, "no canaries to promote"));
        }
        let idx = c.bump(&[Table::Deployments]);
        if let Some(d) = c.deployments.get_mut(&id) {
            for (g, s) in d.task_groups.iter_mut() {
                if req.all || req.groups.contains(g) {
                    s.promoted = true;
                }
            }
            d.status_description = "Deployment is running".into();
            d.modify_index = idx;
        }
        let (eid, eidx) = sched::evaluate(c, rng, &d.namespace, &d.job_id, "deployment-watcher");
        Ok((eid, eidx))
    })?;
    Ok(json_index(
        &DeploymentUpdateResponse {
            eval_id: out.0,
            eval_create_index: out.1,
            deployment_modify_index: out.1,
            index: out.1,
            ..Default::default()
        },
        out.1,
    ))
}

async fn deployment_fail(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>) -> R {
    acl(&sim, &h, true)?;
    let out = sim.with_rng(|c, rng| {
        let d = c
            .deployments
            .get(&id)
            .cloned()
            .ok_or_else(|| err(404, "deployment not found"))?;
        if !d.is_active() {
            return Err(err(
                400,
                &format!("can't fail terminal deployment with status {:?}", d.status),
            ));
        }
        let idx = c.bump(&[Table::Deployments]);
        let auto_revert = d.task_groups.values().any(|g| g.auto_revert);
        if let Some(d) = c.deployments.get_mut(&id) {
            d.status = "failed".into();
            d.status_description = "Deployment marked as failed".into();
            d.modify_index = idx;
        }
        // auto-revert to the latest stable version, as Nomad does
        let mut reverted = None;
        if auto_revert {
            let target = c.job(&d.namespace, &d.job_id).and_then(|j| {
                j.versions
                    .iter()
                    .find(|v| {
                        v["Stable"].as_bool() == Some(true)
                            && v["Version"].as_u64() != Some(d.job_version)
                    })
                    .cloned()
            });
            if let Some(t) = target {
                reverted = t["Version"].as_u64();
                sched::register(c, rng, t, "rollback");
            }
        }
        let (eid, eidx) = sched::evaluate(c, rng, &d.namespace, &d.job_id, "deployment-watcher");
        Ok((eid, eidx, reverted))
    })?;
    Ok(json_index(
        &DeploymentUpdateResponse {
            eval_id: out.0,
            eval_create_index: out.1,
            deployment_modify_index: out.1,
            reverted_job_version: out.2,
            index: out.1,
        },
        out.1,
    ))
}

// ---------------------------------------------------------------- search

async fn search_fuzzy(
    State(sim): State<Sim>,
    h: HeaderMap,
    Query(q): Q,
    body: axum::body::Bytes,
) -> R {
    acl(&sim, &h, false)?;
    let req: FuzzySearchRequest = body_json(&body)?;
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
                        ns_match(&q, j.namespace()) && j.id().to_lowercase().contains(&text)
                    })
                    .map(|j| FuzzyMatch {
                        id: j.id().into(),
                        scope: vec![j.namespace().into()],
                    })
                    .collect(),
            );
        }
        if want("nodes") {
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
                    .filter(|a| ns_match(&q, &a.namespace) && a.name.to_lowercase().contains(&text))
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
    h: HeaderMap,
    Query(q): Q,
    body: axum::body::Bytes,
) -> R {
    acl(&sim, &h, false)?;
    let req: SearchRequest = body_json(&body)?;
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
                    .filter(|j| ns_match(&q, j.namespace()) && j.id().starts_with(&p))
                    .map(|j| j.id().to_string())
                    .collect(),
            );
        }
        if want("allocs") {
            add(
                "allocs",
                c.allocs
                    .values()
                    .filter(|a| ns_match(&q, &a.namespace) && a.id.starts_with(&p))
                    .map(|a| a.id.clone())
                    .collect(),
            );
        }
        if want("nodes") {
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
                    .filter(|e| ns_match(&q, &e.namespace) && e.id.starts_with(&p))
                    .map(|e| e.id.clone())
                    .collect(),
            );
        }
        if want("deployment") {
            add(
                "deployment",
                c.deployments
                    .values()
                    .filter(|d| ns_match(&q, &d.namespace) && d.id.starts_with(&p))
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

async fn job_scale(State(sim): State<Sim>, h: HeaderMap, Path(id): Path<String>, Query(q): Q) -> R {
    acl(&sim, &h, false)?;
    let idx = blocking(&sim.store, &[Table::Jobs, Table::Allocs], &q).await;
    let ns = ns_param(&q);
    let v = sim
        .store
        .read(|c| {
            let j = c.job(&ns, &id)?;
            let typed = j.typed();
            let mut groups = std::collections::BTreeMap::new();
            for tg in &typed.task_groups {
                let mut s = TaskGroupScaleStatus {
                    desired: tg.count,
                    ..Default::default()
                };
                for a in c.allocs_of_job(&ns, &id).filter(|a| {
                    a.task_group == tg.name
                        && a.desired_status == "run"
                        && a.job_version == typed.version
                }) {
                    s.placed += 1;
                    if a.client_status == "running" {
                        s.running += 1;
                    }
                    match a.deployment_status.as_ref().and_then(|d| d.healthy) {
                        Some(true) => s.healthy += 1,
                        Some(false) => s.unhealthy += 1,
                        None => {}
                    }
                }
                groups.insert(tg.name.clone(), s);
            }
            Some(JobScaleStatus {
                job_id: id.clone(),
                namespace: ns.clone(),
                job_create_index: typed.create_index,
                job_modify_index: typed.job_modify_index,
                job_stopped: typed.stop,
                task_groups: groups,
            })
        })
        .ok_or_else(|| err(404, "job not found"))?;
    Ok(json_index(&v, idx))
}
