//! `/v1/jobs/statuses` (Nomad 1.8+, `command/agent/job_endpoint_statuses.go`,
//! `nomad/job_endpoint_statuses.go`): jobs with their allocations, child
//! statuses and latest deployment, newest change first; the POST form asks
//! for named jobs.

use super::http::{block_on, err, paged, FilterPass, Params, R};
use crate::acl::Caller;
use crate::state::{Cluster, StoredJob};
use crate::Sim;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<Sim> {
    Router::new().route("/v1/jobs/statuses", get(statuses).post(statuses))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Wanted {
    #[serde(rename = "ID")]
    id: String,
    namespace: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct StatusesRequest {
    jobs: Vec<Wanted>,
    include_children: bool,
}

/// `JobStatusesJob` for one job; the second value is the highest modify
/// index it carries (jobs, allocations, children, deployment).
fn item(c: &Cluster, j: &StoredJob) -> (Value, u64) {
    let s = &j.spec;
    let mut max = s["ModifyIndex"].as_u64().unwrap_or(0);
    let group_count: i64 = s["TaskGroups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| g["Count"].as_i64().unwrap_or(0))
        .sum();
    let parent =
        s["Periodic"]["Enabled"].as_bool() == Some(true) || s["ParameterizedJob"].is_object();
    let (mut allocs, mut children, mut latest) = (Value::Null, Value::Null, Value::Null);
    if parent {
        let kids: Vec<Value> = c
            .jobs
            .values()
            .filter(|k| k.namespace() == j.namespace() && k.get_str("ParentID") == j.id())
            .map(|k| {
                max = max.max(k.spec["ModifyIndex"].as_u64().unwrap_or(0));
                json!(c.derive_job_status(k.namespace(), k.id()))
            })
            .collect();
        children = Value::Array(kids);
    } else {
        let list: Vec<Value> = c
            .allocs_of_job(j.namespace(), j.id())
            .map(|a| {
                max = max.max(a.modify_index);
                let ds = a.deployment_status.as_ref();
                json!({
                    "ID": a.id, "Group": a.task_group, "ClientStatus": a.client_status,
                    "NodeID": a.node_id,
                    "DeploymentStatus": {"Canary": ds.is_some_and(|d| d.canary), "Healthy": ds.and_then(|d| d.healthy)},
                    "JobVersion": a.job_version, "FollowupEvalID": a.followup_eval_id,
                    "HasPausedTask": false,
                })
            })
            .collect();
        if !list.is_empty() {
            allocs = Value::Array(list);
        }
        if let Some(d) = c
            .deployments
            .values()
            .filter(|d| d.namespace == j.namespace() && d.job_id == j.id())
            .max_by_key(|d| d.create_index)
        {
            max = max.max(d.modify_index);
            let requires = d
                .task_groups
                .values()
                .any(|g| g.desired_canaries > 0 && !g.promoted);
            latest = json!({
                "ID": d.id, "IsActive": d.is_active(), "JobVersion": d.job_version,
                "Status": d.status, "StatusDescription": d.status_description,
                "AllAutoPromote": !d.task_groups.is_empty() && d.task_groups.values().all(|g| g.auto_promote),
                "RequiresPromotion": requires,
            });
        }
    }
    let v = json!({
        "ID": s["ID"], "Namespace": s["Namespace"], "Name": s["Name"], "Type": s["Type"],
        "NodePool": s["NodePool"], "Datacenters": s["Datacenters"], "Priority": s["Priority"],
        "Version": s["Version"], "SubmitTime": s["SubmitTime"], "ModifyIndex": s["ModifyIndex"],
        "Allocs": allocs, "GroupCountSum": group_count, "ChildStatuses": children,
        "ParentID": s["ParentID"], "LatestDeployment": latest, "Stop": s["Stop"],
        "IsPack": s["Meta"].get("pack.name").is_some(),
        "Status": c.derive_job_status(j.namespace(), j.id()),
    });
    (v, max)
}

async fn statuses(State(sim): State<Sim>, who: Caller, q: Params, body: Bytes) -> R {
    let per_page = q.per_page()?;
    let mut include_children = q.bool("include_children").map_err(|e| err(400, e.text))?;
    let mut wanted: Option<Vec<(String, String)>> = None;
    if !body.is_empty() {
        let req: StatusesRequest = serde_json::from_slice(&body)
            .map_err(|e| err(400, format!("error decoding request: {e}")))?;
        if req.jobs.is_empty() {
            return Err(err(400, "no jobs in request"));
        }
        include_children |= req.include_children;
        wanted = Some(
            req.jobs
                .into_iter()
                .map(|w| {
                    let ns = if w.namespace.is_empty() {
                        "default".into()
                    } else {
                        w.namespace
                    };
                    (ns, w.id)
                })
                .collect(),
        );
    }
    // A body asks across namespaces (the query's `default` becomes `*`).
    let mut q = q;
    if wanted.is_some() && q.namespace() == "default" {
        q.0.insert("namespace".into(), "*".into());
    }
    let scope = sim
        .store
        .read(|c| who.list_scope(&q, "read-job", &c.namespace_names()))?;
    // A bad expression is a 500 here (the RPC does not code it).
    let filter = q.filter().map_err(|e| err(500, e.text))?;
    let reverse = q.reverse();
    let start: Option<u64> = q.next_token().and_then(|t| t.parse().ok());
    let per_page = wanted.as_ref().map(Vec::len).or(per_page);
    let filter = FilterPass::new(filter, 500);
    let page = |c: &Cluster| {
        let mut jobs: Vec<&StoredJob> = c
            .jobs
            .values()
            .filter(|j| scope.matches(j.namespace()))
            .filter(|j| include_children || j.get_str("ParentID").is_empty())
            .filter(|j| wanted.as_ref().is_none_or(|w| w.contains(&j.key())))
            .filter(|j| filter.keep(&j.spec))
            .collect();
        let mi = |j: &&StoredJob| j.spec["ModifyIndex"].as_u64().unwrap_or(0);
        // Newest change first by default; `reverse` gives oldest first.
        jobs.sort_by_key(|j| std::cmp::Reverse(mi(j)));
        if reverse {
            jobs.reverse();
        }
        if let Some(s) = start {
            jobs.retain(|j| if reverse { mi(j) >= s } else { mi(j) <= s });
        }
        let mut next = None;
        if let Some(n) = per_page {
            if jobs.len() > n {
                next = Some(mi(&jobs[n]).to_string());
                jobs.truncate(n);
            }
        }
        // The index is the highest modify index on the page (jobs, their
        // allocations, children and deployments), so a client blocking
        // with it wakes when anything it shows changes.
        let mut idx = 0;
        let items: Vec<Value> = jobs
            .into_iter()
            .map(|j| {
                let (v, m) = item(c, j);
                idx = idx.max(m);
                v
            })
            .collect();
        (items, idx, next)
    };
    block_on(&sim, &q, |c| page(c).1).await?;
    let (items, idx, next) = sim.store.read(page);
    filter.finish()?;
    paged(serde_json::to_vec(&items), idx, next)
}
