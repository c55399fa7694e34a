//! Reading jobs: the list (paged, filtered), one job, its versions (with
//! diffs and tags), allocations, evaluations, deployments, summary and
//! scale status (`command/agent/job_endpoint.go`).

use super::allocations::alloc_stub;
use super::http::{block, block_on, err, json_index, paged, FilterPass, Params, R};
use crate::acl::Caller;
use crate::error::ApiError;
use crate::state::{Cluster, StoredJob, Table};
use crate::Sim;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use nomad_model::*;
use serde::Serialize;
use serde_json::{json, Value};

pub fn routes() -> Router<Sim> {
    Router::new()
        .route(
            "/v1/jobs",
            get(list_jobs)
                .post(super::job_write::register_job)
                .put(super::job_write::register_job),
        )
        .route(
            "/v1/job/{id}",
            get(read_job)
                .post(super::job_write::update_job)
                .put(super::job_write::update_job)
                .delete(super::job_write::stop_job),
        )
        .route("/v1/job/{id}/versions", get(job_versions))
        .route("/v1/job/{id}/allocations", get(job_allocations))
        .route("/v1/job/{id}/evaluations", get(job_evaluations))
        .route("/v1/job/{id}/deployments", get(job_deployments))
        .route("/v1/job/{id}/deployment", get(job_deployment))
        .route("/v1/job/{id}/summary", get(job_summary))
        .route("/v1/job/{id}/actions", get(job_actions))
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

fn stub_of<'a>(j: &'a StoredJob, summary: Option<&'a JobSummary>) -> Stub<'a> {
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

async fn list_jobs(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    let scope = sim
        .store
        .read(|c| who.list_scope(&q, "list-jobs", &c.namespace_names()))?;
    let filter = FilterPass::new(q.filter()?, 400);
    let per_page = q.per_page()?;
    let idx = block(&sim, &[Table::Jobs, Table::Summaries], &q).await?;
    let prefix = q.prefix().to_string();
    // Pagination as Nomad 1.3+ does it: `per_page` and `next_token`, the
    // token being `namespace.id` of the first job of the next page;
    // namespaces cannot contain a dot, so the token splits at the first one.
    let start = q.next_token().map(|t| match t.split_once('.') {
        Some((ns, id)) => (ns.to_string(), id.to_string()),
        None => (String::new(), t.to_string()),
    });
    let (bytes, next, filtered) = sim
        .store
        .read_off(move |c| {
            let mut next = None;
            let mut stubs: Vec<Stub> = vec![];
            for j in c.jobs.values().filter(|j| {
                scope.matches(j.namespace())
                    && j.id().starts_with(&prefix)
                    && start.as_ref().is_none_or(|(ns, id)| {
                        (j.namespace(), j.id()) >= (ns.as_str(), id.as_str())
                    })
                    && filter.keep(&j.spec)
            }) {
                if per_page.is_some_and(|n| stubs.len() == n) {
                    next = Some(format!("{}.{}", j.namespace(), j.id()));
                    break;
                }
                stubs.push(stub_of(j, c.summaries.get(&j.key())));
            }
            (serde_json::to_vec(&stubs), next, filter.finish())
        })
        .await;
    filtered?;
    paged(bytes, idx, next)
}

/// A job's list stub as JSON (node pool job lists build on it).
pub fn stub_value(c: &Cluster, j: &StoredJob) -> Value {
    serde_json::to_value(stub_of(j, c.summaries.get(&j.key()))).unwrap_or(Value::Null)
}

/// The job named by the path in the asked namespace, after checking `cap`
/// there; 404 `job not found` otherwise.
pub fn job_or_404<T>(
    sim: &Sim,
    who: &Caller,
    q: &Params,
    id: &str,
    cap: &str,
    f: impl FnOnce(&Cluster, &StoredJob) -> T,
) -> Result<T, ApiError> {
    let ns = q.namespace();
    who.ns(&ns, cap)?;
    sim.store
        .read(|c| c.job(&ns, id).map(|j| f(c, j)))
        .ok_or_else(|| err(404, "job not found"))
}

async fn read_job(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let ns = q.namespace();
    who.ns(&ns, "read-job")?;
    // The job's own modify index, the table's when it is missing (`GetJob`).
    let idx = block_on(&sim, &q, |c| {
        c.job(&ns, &id)
            .and_then(|j| j.spec["ModifyIndex"].as_u64())
            .unwrap_or_else(|| c.table(Table::Jobs))
    })
    .await?;
    let v = job_or_404(&sim, &who, &q, &id, "read-job", |_, j| j.spec.clone())?;
    Ok(json_index(&v, idx))
}

/// Versions newest first, with diffs: each against its predecessor, or
/// every one against the version named by `diff_tag` / `diff_version`.
async fn job_versions(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let ns = q.namespace();
    who.ns(&ns, "read-job")?;
    let diffs = q.bool("diffs")?;
    let diff_version = match q.get("diff_version") {
        None | Some("") => None,
        Some(v) => Some(v.parse::<u64>().map_err(|_| {
            err(
                500,
                format!("Failed to parse value of \"diff_version\" ({v}) as a uint64: strconv.ParseUint: parsing {v:?}: invalid syntax"),
            )
        })?),
    };
    let diff_tag = q.str("diff_tag").to_string();
    // Tagging or marking an old version stable must wake a blocking query,
    // so it waits on the highest modify index of any version.
    block_on(&sim, &q, |c| {
        c.job(&ns, &id)
            .and_then(|j| {
                j.versions
                    .iter()
                    .filter_map(|v| v["ModifyIndex"].as_u64())
                    .max()
            })
            .unwrap_or_else(|| c.table(Table::Jobs))
    })
    .await?;
    let versions = sim
        .store
        .read(|c| c.job(&ns, &id).map(|j| j.versions.clone()))
        .filter(|v| !v.is_empty())
        .ok_or_else(|| err(404, "job versions not found"))?;
    // Tagging an old version must wake a blocking query, so the index is
    // the highest modify index of any version.
    let idx = versions
        .iter()
        .filter_map(|v| v["ModifyIndex"].as_u64())
        .max()
        .unwrap_or(1);
    let diffs = if diffs {
        let base = if !diff_tag.is_empty() {
            Some(
                versions
                    .iter()
                    .find(|v| v["VersionTag"]["Name"] == diff_tag.as_str())
                    .ok_or_else(|| err(500, format!("tag {diff_tag:?} not found")))?,
            )
        } else if let Some(n) = diff_version {
            Some(
                versions
                    .iter()
                    .find(|v| v["Version"].as_u64() == Some(n))
                    .ok_or_else(|| err(500, format!("version {n} not found")))?,
            )
        } else {
            None
        };
        let out: Vec<_> = match base {
            Some(b) => versions
                .iter()
                .map(|v| nomad_model::diffcalc::job_diff(Some(b), Some(v), true))
                .collect(),
            None => versions
                .windows(2)
                .map(|w| nomad_model::diffcalc::job_diff(Some(&w[1]), Some(&w[0]), true))
                .collect(),
        };
        Some(out)
    } else {
        None
    };
    Ok(json_index(
        &json!({"Versions": versions, "Diffs": diffs, "Index": idx, "KnownLeader": true, "LastContact": 0, "NextToken": ""}),
        idx,
    ))
}

async fn job_allocations(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> R {
    who.ns(&q.namespace(), "read-job")?;
    let idx = block(&sim, &[Table::Allocs], &q).await?;
    let ns = q.namespace();
    // `Job.Allocations` never looks the job up (an unknown job has none),
    // and a bad `all` is ignored.
    let all = q.bool("all").unwrap_or(false);
    let v = sim.store.read(|c| {
        // Without `all`, allocations of an earlier job with the same ID
        // (created before this job was) are left out.
        let created = c
            .job(&ns, &id)
            .and_then(|j| j.spec["CreateIndex"].as_u64())
            .unwrap_or(0);
        c.allocs_of_job(&ns, &id)
            .filter(|a| all || a.create_index >= created)
            .map(alloc_stub)
            .collect::<Vec<_>>()
    });
    Ok(json_index(&v, idx))
}

async fn job_evaluations(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> R {
    who.ns(&q.namespace(), "read-job")?;
    let idx = block(&sim, &[Table::Evals], &q).await?;
    let ns = q.namespace();
    let v = sim.store.read(|c| {
        // by ID, as memdb's job index orders them
        let mut v = c.evals_of_job(&ns, &id).cloned().collect::<Vec<_>>();
        v.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        v
    });
    Ok(json_index(&v, idx))
}

/// A job's deployments, newest first.
fn deployments_of(c: &Cluster, ns: &str, id: &str) -> Vec<Deployment> {
    let mut v: Vec<Deployment> = c
        .deployments
        .values()
        .filter(|d| d.job_id == id && d.namespace == ns)
        .cloned()
        .collect();
    v.sort_by_key(|d| std::cmp::Reverse(d.create_index));
    v
}

async fn job_deployments(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> R {
    let ns = q.namespace();
    who.ns(&ns, "read-job")?;
    let idx = block(&sim, &[Table::Deployments], &q).await?;
    let v = sim.store.read(|c| deployments_of(c, &ns, &id));
    Ok(json_index(&v, idx))
}

/// The latest deployment; no deployment is 200 with `null`, as Nomad
/// answers.
async fn job_deployment(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> R {
    let ns = q.namespace();
    who.ns(&ns, "read-job")?;
    let idx = block(&sim, &[Table::Deployments], &q).await?;
    let v = sim
        .store
        .read(|c| deployments_of(c, &ns, &id).into_iter().next());
    Ok(json_index(&v, idx))
}

async fn job_summary(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    who.ns(&q.namespace(), "read-job")?;
    let ns = q.namespace();
    let idx = block_on(&sim, &q, |c| {
        c.summaries
            .get(&(ns.clone(), id.clone()))
            .map(|s| s.modify_index)
            .unwrap_or_else(|| c.table(Table::Summaries))
    })
    .await?;
    let v = sim
        .store
        .read(|c| c.summaries.get(&(ns.clone(), id.clone())).cloned())
        .ok_or_else(|| err(404, "job not found"))?;
    Ok(json_index(&v, idx))
}

/// `Job.GetActions`: the `action` blocks of the job's tasks, flattened as
/// `[{"Name","TaskName","TaskGroupName","Command","Args"}]`.
async fn job_actions(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let idx = block(&sim, &[Table::Jobs], &q).await?;
    let v = job_or_404(&sim, &who, &q, &id, "read-job", |_, j| {
        let mut out = vec![];
        for g in j.spec["TaskGroups"].as_array().into_iter().flatten() {
            for t in g["Tasks"].as_array().into_iter().flatten() {
                for a in t["Actions"].as_array().into_iter().flatten() {
                    out.push(json!({
                        "Name": a["Name"], "TaskName": t["Name"], "TaskGroupName": g["Name"],
                        "Command": a["Command"], "Args": a["Args"],
                    }));
                }
            }
        }
        out
    })?;
    Ok(json_index(&v, idx))
}

pub async fn job_scale(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> R {
    who.ns_any(&q.namespace(), &["read-job-scaling", "read-job"])?;
    let idx = block(&sim, &[Table::Jobs, Table::Allocs], &q).await?;
    let ns = q.namespace();
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
