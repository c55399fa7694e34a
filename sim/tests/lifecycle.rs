//! Allocations, evaluations, deployments, the file system and services:
//! command/agent/alloc_endpoint.go, eval_endpoint.go, deployment_endpoint.go,
//! fs_endpoint.go, service_registration_endpoint.go, and the client's
//! allocrunner for the task events a restart or signal leaves.

mod common;
use common::*;
use serde_json::{json, Value};

async fn running_alloc(h: &H, job: &str) -> Value {
    let allocs = h.get(&format!("/v1/job/{job}/allocations")).await.json();
    allocs
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["ClientStatus"] == "running")
        .cloned()
        .expect("a running allocation")
}

fn events(a: &Value, task: &str) -> Vec<String> {
    a["TaskStates"][task]["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Type"].as_str().unwrap().to_string())
        .collect()
}

// client/client.go RestartAllocation, taskrunner/lifecycle.go restartImpl
#[tokio::test]
async fn restart_and_signal_leave_the_clients_task_events() {
    let h = H::new(&[]);
    let a = running_alloc(&h, "web-frontend").await;
    let id = a["ID"].as_str().unwrap();
    let task = first_task(&a);
    let restarts = a["TaskStates"][&task]["Restarts"].as_u64().unwrap();
    let r = h
        .post(
            &format!("/v1/client/allocation/{id}/restart"),
            json!({"TaskName": task}),
        )
        .await;
    assert_eq!((r.status, r.json()), (200, json!({"Index": 0})));
    let a = h.get(&format!("/v1/allocation/{id}")).await.json();
    let ev = events(&a, &task);
    assert_eq!(
        ev[ev.len() - 4..],
        ["Restart Signaled", "Terminated", "Restarting", "Started"]
    );
    let signaled = &a["TaskStates"][&task]["Events"].as_array().unwrap()[ev.len() - 4];
    assert_eq!(signaled["RestartReason"], "User requested task to restart");
    assert_eq!(
        a["TaskStates"][&task]["Restarts"].as_u64().unwrap(),
        restarts + 1
    );
    let r = h
        .post(
            &format!("/v1/client/allocation/{id}/signal"),
            json!({"Task": task, "Signal": "SIGHUP"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let a = h.get(&format!("/v1/allocation/{id}")).await.json();
    let last = a["TaskStates"][&task]["Events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["Type"].clone(), last["Details"]["signal"].clone()),
        (json!("Signaling"), json!("SIGHUP"))
    );
    // errors
    let p = format!("/v1/client/allocation/{id}/restart");
    assert_eq!(
        h.post(&p, json!({"TaskName": "nope"})).await.err(),
        (500, "Could not find task runner for task: nope".into())
    );
    assert_eq!(
        h.post(&p, json!({"TaskName": task, "AllTasks": true}))
            .await
            .err(),
        (
            500,
            "task name cannot be set when restarting all tasks".into()
        )
    );
    assert_eq!(
        h.post("/v1/client/allocation/nope/restart", json!({}))
            .await
            .err(),
        (404, "Unknown allocation \"nope\"".into())
    );
    let s = format!("/v1/client/allocation/{id}/signal");
    assert_eq!(
        h.send("POST", &s, None, None).await.err(),
        (400, "Failed to decode body: Request body is empty".into())
    );
    assert_eq!(
        h.post(&s, json!({"Task": "nope", "Signal": "SIGHUP"}))
            .await
            .err(),
        (500, "Task not found".into())
    );
}

// taskrunner/lifecycle.go Signal: no driver handle, ErrTaskNotRunning;
// allocrunner Signal gathers every task's refusal in a multierror
#[tokio::test]
async fn a_task_that_is_not_running_refuses_a_signal() {
    let h = H::new(&[]);
    let a = running_alloc(&h, "web-frontend").await;
    let id = a["ID"].as_str().unwrap();
    let r = h
        .post(&format!("/v1/allocation/{id}/stop"), json!({}))
        .await;
    assert_eq!(r.status, 200);
    // the stop is carried out by the client on its next tick
    let mut task = String::new();
    for _ in 0..50 {
        let a = h.get(&format!("/v1/allocation/{id}")).await.json();
        task = first_task(&a);
        if a["TaskStates"][&task]["State"] == "dead" {
            break;
        }
        h.ticks(1);
    }
    let s = format!("/v1/client/allocation/{id}/signal");
    assert_eq!(
        h.post(&s, json!({"Task": task, "Signal": "SIGHUP"}))
            .await
            .err(),
        (500, "Task not running".into())
    );
    let (status, text) = h.post(&s, json!({"Signal": "SIGHUP"})).await.err();
    assert_eq!(status, 500);
    assert!(
        text.starts_with("1 error occurred:\n\t* Failed to signal task: ")
            && text.ends_with(", err: Task not running\n\n"),
        "{text:?}"
    );
}

// command/agent/alloc_endpoint.go allocStop, nomad/alloc_endpoint.go Stop
#[tokio::test]
async fn stopping_an_allocation_replaces_it() {
    let h = H::new(&[]);
    let a = running_alloc(&h, "web-frontend").await;
    let id = a["ID"].as_str().unwrap();
    let r = h
        .post(&format!("/v1/allocation/{id}/stop"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let eval = r.json()["EvalID"].as_str().unwrap().to_string();
    let e = h.get(&format!("/v1/evaluation/{eval}")).await.json();
    assert_eq!(e["TriggeredBy"], "alloc-stop");
    let a = h.get(&format!("/v1/allocation/{id}")).await.json();
    assert_eq!(a["DesiredStatus"], "stop");
    assert_eq!(a["DesiredTransition"]["Migrate"], true);
    let live = h.get("/v1/job/web-frontend/allocations").await.json();
    let live = live
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["DesiredStatus"] == "run")
        .count();
    assert_eq!(live, 3, "the scheduler placed a replacement");
    assert_eq!(
        h.post("/v1/allocation/nope/stop", json!({})).await.err(),
        (404, "allocation not found".into())
    );
    assert_eq!(
        h.get(&format!("/v1/allocation/{id}/stop")).await.err(),
        (405, "Invalid method".into())
    );
}

// nomad/eval_endpoint.go List/GetEval (EvalsRelatedToID)/Allocations/Count
#[tokio::test]
async fn evaluations_filter_page_and_relate() {
    let h = H::new(&[]);
    let all = h.get("/v1/evaluations?namespace=*").await.json();
    let all = all.as_array().unwrap().clone();
    assert!(all.len() > 3);
    assert!(
        all.iter().all(|e| e.get("NodeID").is_none_or(|n| n != "")),
        "omitempty drops empty fields"
    );
    let p = h.get("/v1/evaluations?namespace=*&per_page=2").await;
    let tok = p.header("x-nomad-nexttoken");
    let third = &all[2];
    assert_eq!(
        tok,
        format!("{}.{}", third["CreateIndex"], third["ID"].as_str().unwrap())
    );
    let f = h
        .get("/v1/evaluations?namespace=*&filter=Status%20%3D%3D%20%22blocked%22")
        .await
        .json();
    assert!(f
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["Status"] == "blocked"));
    assert!(
        !f.as_array().unwrap().is_empty(),
        "the demo has a blocked evaluation"
    );
    assert_eq!(
        h.get("/v1/evaluations?job=x&filter=Status%20%3D%3D%20%22x%22")
            .await
            .err(),
        (
            400,
            "Filter expression cannot be used with other filter parameters".into()
        )
    );
    let blocked = &f[0];
    let chained = all
        .iter()
        .find(|e| e["BlockedEval"] == blocked["ID"])
        .expect("the eval that blocked");
    let id = chained["ID"].as_str().unwrap();
    let e = h
        .get(&format!("/v1/evaluation/{id}?related=true"))
        .await
        .json();
    let rel = e["RelatedEvals"].as_array().unwrap();
    assert!(rel.iter().any(|r| r["ID"] == blocked["ID"]));
    assert!(rel[0].get("WaitUntil").is_some(), "stubs carry every field");
    assert!(h
        .get(&format!("/v1/evaluation/{id}"))
        .await
        .json()
        .get("RelatedEvals")
        .is_none());
    let web_eval = all.iter().find(|e| e["JobID"] == "web-frontend").unwrap()["ID"]
        .as_str()
        .unwrap()
        .to_string();
    let allocs = h
        .get(&format!("/v1/evaluation/{web_eval}/allocations"))
        .await
        .json();
    assert!(allocs
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["EvalID"] == web_eval.as_str()));
    let n = h.get("/v1/evaluations/count?namespace=*").await.json();
    assert_eq!(n["Count"].as_u64().unwrap() as usize, all.len());
    assert_eq!(
        h.get("/v1/evaluation/nope").await.err(),
        (404, "eval not found".into())
    );
}

// nomad/deployment_endpoint.go Pause/Promote/Fail/SetAllocHealth, structs/deployment.go
#[tokio::test]
async fn deployments_pause_resume_fail_and_set_health() {
    let h = H::new(&[]);
    assert_eq!(h.post("/v1/jobs", job("dep", 2)).await.status, 200);
    let d = h.get("/v1/job/dep/deployment").await.json();
    let id = d["ID"].as_str().unwrap().to_string();
    let r = h
        .post(
            &format!("/v1/deployment/pause/{id}"),
            json!({"DeploymentID": id, "Pause": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["EvalID"], "");
    let d = h.get(&format!("/v1/deployment/{id}")).await.json();
    assert_eq!(
        (d["Status"].clone(), d["StatusDescription"].clone()),
        (json!("paused"), json!("Deployment is paused"))
    );
    let r = h
        .post(
            &format!("/v1/deployment/pause/{id}"),
            json!({"DeploymentID": id, "Pause": false}),
        )
        .await;
    assert_eq!(r.json()["EvalID"].as_str().unwrap().len(), 36);
    let allocs = h
        .get(&format!("/v1/deployment/allocations/{id}"))
        .await
        .json();
    let aid = allocs[0]["ID"].as_str().unwrap().to_string();
    let p = format!("/v1/deployment/allocation-health/{id}");
    assert_eq!(
        h.post(&p, json!({"DeploymentID": id})).await.err(),
        (
            500,
            "must specify at least one healthy/unhealthy allocation ID".into()
        )
    );
    assert_eq!(
        h.post(
            &p,
            json!({"DeploymentID": id, "HealthyAllocationIDs": ["nope"]})
        )
        .await
        .err(),
        (500, "unknown alloc \"nope\"".into())
    );
    assert_eq!(
        h.post(
            &p,
            json!({"DeploymentID": "other", "HealthyAllocationIDs": [aid]})
        )
        .await
        .err(),
        (400, "Deployment ID does not match".into())
    );
    let r = h
        .post(
            &p,
            json!({"DeploymentID": id, "UnhealthyAllocationIDs": [aid]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let d = h.get(&format!("/v1/deployment/{id}")).await.json();
    assert_eq!(
        (d["Status"].clone(), d["StatusDescription"].clone()),
        (
            json!("failed"),
            json!("Failed due to unhealthy allocations")
        )
    );
    let a = h.get(&format!("/v1/allocation/{aid}")).await.json();
    assert_eq!(a["DeploymentStatus"]["Healthy"], false);
    // a terminal deployment refuses every watcher write, with 500
    let body = json!({"DeploymentID": id, "All": true});
    assert_eq!(
        h.post(&format!("/v1/deployment/promote/{id}"), body)
            .await
            .err(),
        (500, "can't promote terminal deployment".into())
    );
    assert_eq!(
        h.post(&format!("/v1/deployment/fail/{id}"), json!({}))
            .await
            .err(),
        (500, "can't fail terminal deployment".into())
    );
    assert_eq!(
        h.post(
            &format!("/v1/deployment/pause/{id}"),
            json!({"DeploymentID": id, "Pause": true})
        )
        .await
        .err(),
        (500, "can't pause terminal deployment".into())
    );
    assert_eq!(
        h.post("/v1/deployment/fail/nope", json!({})).await.err(),
        (500, "deployment not found".into())
    );
    assert_eq!(h.get("/v1/deployment/allocations/nope").await.text(), "[]");
}

// command/agent/fs_endpoint.go + client/fs_endpoint.go error paths
#[tokio::test]
async fn file_system_errors_name_the_host_path() {
    let h = H::new(&[]);
    let a = running_alloc(&h, "web-frontend").await;
    let id = a["ID"].as_str().unwrap();
    let dir = format!("/var/lib/nomad/alloc/{id}");
    assert_eq!(
        h.get(&format!("/v1/client/fs/stream/{id}?path=/nope"))
            .await
            .err(),
        (400, format!("stat {dir}/nope: no such file or directory"))
    );
    assert_eq!(
        h.get(&format!("/v1/client/fs/cat/{id}?path=/alloc"))
            .await
            .err(),
        (400, "file \"/alloc\" is a directory".into())
    );
    assert_eq!(
        h.get(&format!("/v1/client/fs/stat/{id}?path=/nope"))
            .await
            .err(),
        (404, format!("stat {dir}/nope: no such file or directory"))
    );
    assert_eq!(
        h.get(&format!("/v1/client/fs/ls/{id}?path=/nope"))
            .await
            .err(),
        (404, format!("open {dir}/nope: no such file or directory"))
    );
    assert_eq!(
        h.get(&format!("/v1/client/fs/stat/{id}")).await.err(),
        (400, "must provide a file name".into())
    );
    assert_eq!(
        h.get(&format!(
            "/v1/client/fs/readat/{id}?path=/alloc/logs&limit=1"
        ))
        .await
        .err(),
        (
            500,
            "error parsing offset: strconv.ParseInt: parsing \"\": invalid syntax".into()
        )
    );
    assert_eq!(
        h.get(&format!("/v1/client/fs/stream/{id}?path=/x&origin=middle"))
            .await
            .err(),
        (400, "origin must be start or end".into())
    );
    assert_eq!(
        h.get("/v1/client/fs/ls/nope").await.err(),
        (404, "Unknown allocation \"nope\"".into())
    );
    assert_eq!(
        h.get(&format!("/v1/client/fs/logs/{id}?task=nope&type=stdout"))
            .await
            .err(),
        (400, "unknown task name \"nope\"".into())
    );
    assert_eq!(h.get(&format!("/v1/client/fs/logs/{id}?task=x&type=stdout&follow=sure")).await.err(), (400, "failed to parse follow field to boolean: strconv.ParseBool: parsing \"sure\": invalid syntax".into()));
}

// nomad/service_registration_endpoint.go and the client's check results
#[tokio::test]
async fn native_services_and_checks_follow_running_allocations() {
    let h = H::new(&[]);
    let mut b = job("svc", 2);
    b["Job"]["TaskGroups"][0]["Networks"] = json!([{"DynamicPorts": [{"Label": "http"}]}]);
    b["Job"]["TaskGroups"][0]["Services"] = json!([{"Name": "shop", "PortLabel": "http", "Provider": "nomad", "Tags": ["v1"],
        "Checks": [{"Name": "alive", "Type": "http", "Path": "/health", "Interval": 10_000_000_000i64, "Timeout": 2_000_000_000i64}]}]);
    assert_eq!(h.post("/v1/jobs", b).await.status, 200);
    for _ in 0..30 {
        h.ticks(1);
        let a = h.get("/v1/job/svc/allocations").await.json();
        if a.as_array()
            .unwrap()
            .iter()
            .filter(|a| a["ClientStatus"] == "running")
            .count()
            == 2
        {
            break;
        }
    }
    let regs = h.get("/v1/service/shop").await.json();
    assert_eq!(regs.as_array().unwrap().len(), 2, "{regs}");
    assert_eq!(regs[0]["ServiceName"], "shop");
    assert!(regs[0]["Port"].as_i64().unwrap() > 0);
    assert!(regs[0]["ID"].as_str().unwrap().starts_with("_nomad-task-"));
    let list = h.get("/v1/services").await.json();
    let shop = list[0]["Services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ServiceName"] == "shop")
        .unwrap()
        .clone();
    assert_eq!(shop["Tags"], json!(["v1"]));
    assert_eq!(
        h.get("/v1/job/svc/services")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        h.get("/v1/job/nope/services").await.err(),
        (404, "job not found".into())
    );
    let aid = regs[0]["AllocID"].as_str().unwrap();
    let checks = h
        .get(&format!("/v1/client/allocation/{aid}/checks"))
        .await
        .json();
    let c = checks.as_object().unwrap().values().next().unwrap();
    assert_eq!(
        (c["Check"].clone(), c["Status"].clone(), c["Mode"].clone()),
        (json!("alive"), json!("success"), json!("healthiness"))
    );
    let other = running_alloc(&h, "web-frontend").await;
    let none = h
        .get(&format!(
            "/v1/client/allocation/{}/checks",
            other["ID"].as_str().unwrap()
        ))
        .await;
    assert_eq!(none.text(), "null");
}
