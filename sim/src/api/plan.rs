//! `POST /v1/job/:id/plan`: a dry run of the scheduler on a copy of the
//! cluster, with the structured diff and per-group desired updates.

use super::http::{err, json_index, JsonBody, Params, R};
use crate::acl::Caller;
use crate::sched;
use crate::Sim;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::Router;
use nomad_model::*;
use serde_json::Value;
use std::collections::HashMap;

pub fn routes() -> Router<Sim> {
    Router::new().route("/v1/job/{id}/plan", post(job_plan).put(job_plan))
}

async fn job_plan(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
    body: axum::body::Bytes,
) -> R {
    let req: JobPlanRequest = JsonBody::decode(&body)?;
    let Value::Object(_) = &req.job else {
        return Err(err(400, "Job must be specified"));
    };
    let Some(job_id) = req.job.get("ID").and_then(Value::as_str) else {
        return Err(err(400, "Job must have a valid ID"));
    };
    if job_id != id {
        return Err(err(400, "Job ID does not match"));
    }
    let mut spec = req.job.clone();
    super::job_write::namespace_for_job(&q, "", &mut spec);
    let region = sim.store.read(|c| c.region.clone());
    crate::canon::canonicalize_job(&mut spec, &region);
    // Admission controllers run before the ACL check (`Job.Plan`).
    sim.store.read(|c| super::job_write::admit(c, &spec))?;
    let ns = spec["Namespace"].as_str().unwrap_or("default").to_string();
    who.ns_any(&ns, &["submit-job", "plan-job"])?;
    let plan = sim.with_rng(|c, rng| {
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
        let next = sched::next_periodic_launch(&spec, c.now())
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
