//! Scheduling against a real `nomad-sim` process with its clock running:
//! blocking queries, placement, versions, plans, canaries, drains,
//! dispatch, periodic launches, errors and paging.

mod common;
use common::process::{job, running_alloc, start};
use nomad_model::*;
use std::time::{Duration, Instant};

#[tokio::test]
async fn blocking_queries_wake_on_change_and_time_out() {
    let sim = start(&[]);
    let (_, idx): (Vec<JobListStub>, u64) = sim.json("/v1/jobs").await;
    assert!(idx > 0);
    // nothing changes the jobs table by itself for a moment: `wait` elapses
    let t = Instant::now();
    let r = sim
        .get(&format!("/v1/jobs?index={}&wait=1s", idx + 1_000_000))
        .await;
    assert_eq!(r.status(), 200);
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_secs(3),
        "waited {waited:?}"
    );
    assert_eq!(r.headers()["x-nomad-knownleader"], "true");
    assert!(r.headers().contains_key("x-nomad-lastcontact"));

    // a write wakes a waiting query at once
    let (_, idx): (Vec<JobListStub>, u64) = sim.json("/v1/jobs").await;
    let base = sim.base.clone();
    let waiter = tokio::spawn(async move {
        let t = Instant::now();
        let r = reqwest::get(format!("{base}/v1/jobs?index={idx}&wait=30s"))
            .await
            .unwrap();
        let new_idx: u64 = r.headers()["x-nomad-index"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let jobs: Vec<JobListStub> = r.json().await.unwrap();
        (t.elapsed(), new_idx, jobs)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sim.post("/v1/jobs", job("woken", 1)).await.status(), 200);
    let (took, new_idx, jobs) = waiter.await.unwrap();
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(new_idx > idx);
    assert!(jobs.iter().any(|j| j.id == "woken"));
}

#[tokio::test]
async fn register_creates_evaluation_and_running_allocations() {
    let sim = start(&[]);
    let r: JobRegisterResponse = sim
        .post("/v1/jobs", job("hello", 2))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r.eval_id.len(), 36);
    let (ev, _): (Evaluation, u64) = sim.json(&format!("/v1/evaluation/{}", r.eval_id)).await;
    assert_eq!(ev.job_id, "hello");
    assert_eq!(ev.triggered_by, "job-register");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (allocs, _): (Vec<Allocation>, u64) = sim.json("/v1/job/hello/allocations").await;
        assert_eq!(allocs.len(), 2);
        if allocs.iter().all(|a| a.client_status == "running") {
            let (s, _): (JobSummary, u64) = sim.json("/v1/job/hello/summary").await;
            assert_eq!(s.summary["g"].running, 2);
            let (j, _): (Job, u64) = sim.json("/v1/job/hello").await;
            assert_eq!(j.status, "running");
            let events: Vec<String> = allocs[0].task_states["t"]
                .events
                .iter()
                .map(|e| e.event_type.clone())
                .collect();
            assert_eq!(events, ["Received", "Task Setup", "Driver", "Started"]);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "allocations never ran: {:?}",
            allocs.iter().map(|a| &a.client_status).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // a second register of a changed spec is version 1; EnforceIndex guards it
    let (j, _): (Job, u64) = sim.json("/v1/job/hello").await;
    let mut body = job("hello", 3);
    body["EnforceIndex"] = serde_json::json!(true);
    body["JobModifyIndex"] = serde_json::json!(j.job_modify_index + 1);
    let r = sim.post("/v1/job/hello", body.clone()).await;
    assert_eq!(r.status(), 500);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("conflicting job modify index"));
    body["JobModifyIndex"] = serde_json::json!(j.job_modify_index);
    assert_eq!(sim.post("/v1/job/hello", body).await.status(), 200);
    let (v, _): (JobVersionsResponse, u64) = sim.json("/v1/job/hello/versions").await;
    assert_eq!(
        v.versions.iter().map(|j| j.version).collect::<Vec<_>>(),
        [1, 0]
    );
}

#[tokio::test]
async fn nomad_error_answers() {
    let sim = start(&[]);
    let r = sim.get("/v1/job/nope").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), "job not found");
    let r = sim.get("/v1/allocation/nope").await;
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (404, "alloc not found".to_string())
    );
    let r = sim.get("/v1/node/nope").await;
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (404, "node not found".to_string())
    );
    let r = sim
        .http
        .delete(format!("{}/v1/jobs", sim.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (405, "Invalid method".to_string())
    );
    let r = sim
        .http
        .post(format!("{}/v1/jobs", sim.base))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // 2.x answers token/self with ACLs off (nomad/acl_endpoint.go WhoAmI)
    let r = sim.get("/v1/acl/token/self").await;
    assert_eq!(r.status(), 200);
    let t: AclToken = r.json().await.unwrap();
    assert_eq!(t.accessor_id, "acls-disabled");
    let r = sim.get("/v1/nope").await;
    assert_eq!(r.status(), 404);
    let r = sim.get("/v1/job/nope/scale").await;
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (404, "job not found".to_string())
    );
}

#[tokio::test]
async fn scale_status_and_searches() {
    let sim = start(&[]);
    let (s, _): (JobScaleStatus, u64) = sim.json("/v1/job/web-frontend/scale").await;
    assert_eq!(s.task_groups["web"].desired, 3);
    assert_eq!(s.task_groups["web"].placed, 3);
    let r: SearchResponse = sim
        .post(
            "/v1/search",
            serde_json::json!({"Prefix": "redis", "Context": "jobs"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        r.matches["jobs"].as_deref(),
        Some(&["redis-cache".to_string()][..])
    );
    let r: FuzzySearchResponse = sim
        .post(
            "/v1/search/fuzzy?namespace=*",
            serde_json::json!({"Text": "gate", "Context": "all"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(r.matches["jobs"]
        .as_ref()
        .unwrap()
        .iter()
        .any(|m| m.id == "api-gateway" && m.scope == ["default", "api-gateway"]));
    assert!(r.matches["allocs"]
        .as_ref()
        .unwrap()
        .iter()
        .any(|m| m.id.starts_with("api-gateway.gateway[")));
    let r = sim
        .post(
            "/v1/search/fuzzy",
            serde_json::json!({"Text": "g", "Context": "all"}),
        )
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn acl_mode_answers_like_nomad() {
    let sim = start(&["--acl"]);
    let r = sim.get("/v1/jobs").await;
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (403, "Permission denied".to_string())
    );
    let with = |t: &str| {
        sim.http
            .get(format!("{}/v1/jobs", sim.base))
            .header("X-Nomad-Token", t.to_string())
    };
    let r = with("00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .unwrap();
    // An unknown secret fails Authenticate: ErrPermissionDenied (nomad/auth/auth.go)
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (403, "Permission denied".to_string())
    );
    assert_eq!(
        with(nomad_sim::READONLY_SECRET)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let post = |t: &str| {
        sim.http
            .post(format!("{}/v1/jobs", sim.base))
            .header("X-Nomad-Token", t.to_string())
            .json(&job("acl-job", 1))
    };
    let r = post(nomad_sim::READONLY_SECRET).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (403, "Permission denied".to_string())
    );
    assert_eq!(
        post(nomad_sim::MANAGEMENT_SECRET)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let me: AclToken = sim
        .http
        .get(format!("{}/v1/acl/token/self", sim.base))
        .header("X-Nomad-Token", nomad_sim::MANAGEMENT_SECRET)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me.token_type, "management");
}

#[tokio::test]
async fn versions_carry_structured_diffs() {
    let sim = start(&[]);
    // web-frontend was registered twice in the demo: nginx:1.25 then nginx:1.26
    let (v, _): (JobVersionsResponse, u64) =
        sim.json("/v1/job/web-frontend/versions?diffs=true").await;
    assert_eq!(
        v.versions.iter().map(|j| j.version).collect::<Vec<_>>(),
        [1, 0]
    );
    assert_eq!(v.diffs.len(), 1);
    let d = &v.diffs[0];
    assert_eq!(d.diff_type, DiffType::Edited);
    let task = &d.task_groups[0].tasks[0];
    let cfg = task
        .objects
        .iter()
        .find(|o| o.name == "Config")
        .expect("Config object");
    let image = cfg.fields.iter().find(|f| f.name == "image").unwrap();
    assert_eq!(
        (image.old.as_str(), image.new.as_str(), image.diff_type),
        ("nginx:1.25", "nginx:1.26", DiffType::Edited)
    );
    // no diffs unless asked
    let (v, _): (JobVersionsResponse, u64) = sim.json("/v1/job/web-frontend/versions").await;
    assert!(v.diffs.is_empty());
    // api-gateway has three versions; diff every one against version 0
    let (v, _): (JobVersionsResponse, u64) = sim
        .json("/v1/job/api-gateway/versions?diffs=true&diff_version=0")
        .await;
    assert_eq!(v.diffs.len(), 3);
    assert_eq!(
        v.diffs[2].diff_type,
        DiffType::None,
        "version 0 against itself"
    );
    let count = v.diffs[0].task_groups[0]
        .fields
        .iter()
        .find(|f| f.name == "Count")
        .unwrap();
    assert_eq!((count.old.as_str(), count.new.as_str()), ("2", "3"));
}

#[tokio::test]
async fn plan_reports_diff_updates_and_failures() {
    let sim = start(&[]);
    let (mut job, _): (serde_json::Value, u64) = sim.json("/v1/job/redis-cache").await;
    job["TaskGroups"][0]["Count"] = serde_json::json!(3);
    job["TaskGroups"][0]["Tasks"][0]["Config"]["image"] = serde_json::json!("redis:7.4");
    let plan: JobPlanResponse = sim
        .post(
            "/v1/job/redis-cache/plan",
            serde_json::json!({"Job": job, "Diff": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    let (cur, _): (Job, u64) = sim.json("/v1/job/redis-cache").await;
    assert_eq!(plan.job_modify_index, cur.job_modify_index);
    let d = plan.diff.expect("diff");
    let g = &d.task_groups[0];
    assert_eq!(
        g.fields
            .iter()
            .find(|f| f.name == "Count")
            .unwrap()
            .annotations,
        ["forces create"]
    );
    assert_eq!(g.tasks[0].annotations, ["forces create/destroy update"]);
    let u = plan.annotations.unwrap().desired_tg_updates["cache"];
    assert_eq!((u.destructive_update, u.place), (1, 2), "{u:?}");
    assert!(g.updates.contains_key("create/destroy update"));
    // nothing changed by a plan
    let (after, _): (Job, u64) = sim.json("/v1/job/redis-cache").await;
    assert_eq!(after.version, cur.version);
    // a job that cannot fit explains why
    let big = serde_json::json!({"ID": "huge", "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [{"Name": "g", "Count": 2, "Tasks": [{"Name": "t", "Driver": "docker", "Resources": {"CPU": 100, "MemoryMB": 900000}}]}]});
    let plan: JobPlanResponse = sim
        .post(
            "/v1/job/huge/plan",
            serde_json::json!({"Job": big, "Diff": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan.diff.unwrap().diff_type, DiffType::Added);
    let m = &plan.failed_tg_allocs["g"];
    assert!(
        m.nodes_exhausted > 0 && m.dimension_exhausted.contains_key("memory"),
        "{m:?}"
    );
    assert_eq!(plan.created_evals.len(), 1);
    assert_eq!(plan.created_evals[0].status, "blocked");
    assert!(
        sim.get("/v1/job/huge").await.status() == 404,
        "plan registers nothing"
    );
    // periodic jobs report their next launch
    let (rep, _): (serde_json::Value, u64) =
        sim.json("/v1/job/nightly-report?namespace=batch").await;
    let plan: JobPlanResponse = sim
        .post(
            "/v1/job/nightly-report/plan",
            serde_json::json!({"Job": rep, "Diff": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    let next = plan.next_periodic_launch.unix_nanos().expect("next launch");
    assert_eq!(
        next.secs() % 86_400,
        2 * 3600,
        "0 2 * * * launches at 02:00 UTC"
    );
}

#[tokio::test]
async fn canary_deployment_waits_for_promotion() {
    let sim = start(&[]);
    // api-gateway v2 has a canary: one new allocation beside the old ones
    let deadline = Instant::now() + Duration::from_secs(15);
    let d = loop {
        let (d, _): (Option<Deployment>, u64) = sim.json("/v1/job/api-gateway/deployment").await;
        let d = d.expect("a deployment");
        if d.task_groups["gateway"].healthy_allocs >= 1 {
            break d;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(d.status, "running");
    assert!(d.needs_promotion());
    assert_eq!(d.task_groups["gateway"].placed_canaries.len(), 1);
    let (allocs, _): (Vec<Allocation>, u64) = sim.json("/v1/job/api-gateway/allocations").await;
    let running_old = allocs
        .iter()
        .filter(|a| a.desired_status == "run" && a.job_version < 2)
        .count();
    assert_eq!(
        running_old, 2,
        "old allocations keep serving during the canary phase"
    );
    let r: DeploymentUpdateResponse = sim
        .post(
            &format!("/v1/deployment/promote/{}", d.id),
            serde_json::json!({"DeploymentID": d.id, "All": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r.eval_id.len(), 36);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (d2, _): (Option<Deployment>, u64) = sim.json("/v1/job/api-gateway/deployment").await;
        let d2 = d2.unwrap();
        if d2.status == "successful" {
            assert!(d2.task_groups["gateway"].promoted);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "deployment stuck: {:?}",
            d2.task_groups
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (allocs, _): (Vec<Allocation>, u64) = sim.json("/v1/job/api-gateway/allocations").await;
    assert!(allocs
        .iter()
        .filter(|a| a.desired_status == "run")
        .all(|a| a.job_version == 2));
}

#[tokio::test]
async fn drain_migrates_allocations_and_completes() {
    let sim = start(&[]);
    let node = running_alloc(&sim).await.node_id;
    let r = sim
        .post(
            &format!("/v1/node/{node}/drain"),
            serde_json::json!({"DrainSpec": {"Deadline": -1, "IgnoreSystemJobs": false}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (n, _): (Node, u64) = sim.json(&format!("/v1/node/{node}")).await;
        if n.drain_strategy.is_none() {
            assert_eq!(n.scheduling_eligibility, "ineligible");
            assert_eq!(n.last_drain.unwrap().status, "complete");
            assert!(n.events.iter().any(|e| e.message == "Node drain complete"));
            break;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (allocs, _): (Vec<Allocation>, u64) =
        sim.json(&format!("/v1/node/{node}/allocations")).await;
    assert!(
        allocs.iter().all(|a| a.desired_status != "run"),
        "nothing left running on the drained node"
    );
    let (redis, _): (Vec<Allocation>, u64) = sim.json("/v1/job/redis-cache/allocations").await;
    assert!(
        redis
            .iter()
            .any(|a| a.desired_status == "run" && a.node_id != node),
        "redis was placed elsewhere"
    );
}

#[tokio::test]
async fn dispatch_and_periodic_force_create_children() {
    let sim = start(&[]);
    let r = sim
        .post(
            "/v1/job/etl-import/dispatch?namespace=batch",
            serde_json::json!({"Meta": {"since": "x"}}),
        )
        .await;
    // validateDispatchRequest's errors are uncoded: 500 (nomad/job_endpoint.go)
    assert_eq!(r.status(), 500, "required meta key missing");
    assert!(r.text().await.unwrap().contains("dataset"));
    let r = sim
        .post(
            "/v1/job/etl-import/dispatch?namespace=batch",
            serde_json::json!({"Meta": {"dataset": "orders", "bogus": "1"}}),
        )
        .await;
    assert_eq!(r.status(), 500, "unknown meta key");
    let d: JobDispatchResponse = sim
        .post(
            "/v1/job/etl-import/dispatch?namespace=batch",
            serde_json::json!({"Meta": {"dataset": "orders"}, "Payload": "aGVsbG8="}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(d.dispatched_job_id.starts_with("etl-import/dispatch-"));
    let child: Job = sim
        .http
        .get(format!(
            "{}/v1/job/{}?namespace=batch",
            sim.base,
            d.dispatched_job_id.replace('/', "%2F")
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(child.parent_id, "etl-import");
    assert_eq!(child.meta["dataset"], "orders");
    let f: PeriodicForceResponse = sim
        .post(
            "/v1/job/nightly-report/periodic/force?namespace=batch",
            serde_json::json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(f.eval_id.len(), 36);
    let (jobs, _): (Vec<JobListStub>, u64) = sim.json("/v1/jobs?namespace=batch").await;
    assert!(jobs.iter().any(|j| j.parent_id == "nightly-report"));
    let (s, _): (JobSummary, u64) = sim
        .json("/v1/job/nightly-report/summary?namespace=batch")
        .await;
    let c = s.children.unwrap();
    assert_eq!(c.pending + c.running + c.dead, 1);
}

#[tokio::test]
async fn jobs_list_pages_with_next_token() {
    let sim = start(&[]);
    let (all, _): (Vec<JobListStub>, u64) = sim.json("/v1/jobs?namespace=*").await;
    assert!(all.len() > 6, "demo has {} jobs", all.len());
    let mut paged = vec![];
    let mut token = String::new();
    for _ in 0..20 {
        let r = sim
            .get(&format!(
                "/v1/jobs?namespace=*&per_page=5&next_token={token}"
            ))
            .await;
        let next = r
            .headers()
            .get("x-nomad-nexttoken")
            .map(|v| v.to_str().unwrap().to_string());
        let page: Vec<JobListStub> = r.json().await.unwrap();
        assert!(page.len() <= 5);
        paged.extend(page);
        match next {
            Some(n) => token = n,
            None => break,
        }
    }
    let ids = |v: &[JobListStub]| {
        v.iter()
            .map(|j| (j.namespace.clone(), j.id.clone()))
            .collect::<Vec<_>>()
    };
    // every job once, in (namespace, ID) order, as the unpaged list
    assert_eq!(ids(&paged), ids(&all));
}

#[tokio::test]
async fn allocations_page_newest_first_with_next_token() {
    let sim = start(&[]);
    let (all, _): (Vec<Allocation>, u64) = sim.json("/v1/allocations?namespace=*").await;
    assert!(all.len() > 10, "demo has {} allocations", all.len());
    let mut paged: Vec<Allocation> = vec![];
    let mut token = String::new();
    for _ in 0..50 {
        let r = sim
            .get(&format!(
                "/v1/allocations?namespace=*&task_states=false&reverse=true&per_page=7&next_token={token}"
            ))
            .await;
        let next = r
            .headers()
            .get("x-nomad-nexttoken")
            .map(|v| v.to_str().unwrap().to_string());
        let page: Vec<Allocation> = r.json().await.unwrap();
        assert!(page.len() <= 7);
        assert!(page.iter().all(|a| a.task_states.is_empty()));
        paged.extend(page);
        match next {
            Some(n) => token = n,
            None => break,
        }
    }
    // newest first, each once, and every allocation seen before is there
    let keys: Vec<(u64, String)> = paged
        .iter()
        .map(|a| (a.create_index, a.id.clone()))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] > w[1]), "{keys:?}");
    for a in &all {
        assert!(keys.iter().any(|k| k.1 == a.id), "{} missing", a.id);
    }
}
