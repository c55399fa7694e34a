#![recursion_limit = "256"]
//! Registering, stopping, dispatching and versioning jobs, against the Go
//! source each follows (command/agent/job_endpoint.go, nomad/job_endpoint.go,
//! api/jobs.go Canonicalize, nomad/structs/structs.go).

mod common;
use common::*;
use serde_json::{json, Value};

/// What differs between two registrations of the same spec.
fn without_identity(mut v: Value) -> Value {
    for k in [
        "ID",
        "Name",
        "CreateIndex",
        "ModifyIndex",
        "JobModifyIndex",
        "SubmitTime",
        "Status",
        "StatusDescription",
    ] {
        v.as_object_mut().unwrap().remove(k);
    }
    v
}

// api/jobs.go Job.Canonicalize + command/agent/job_endpoint.go ApiJobToStructJob
#[tokio::test]
async fn a_body_full_of_nulls_registers_like_a_hand_written_one() {
    let h = H::new(&[]);
    let plain = json!({"Job": {"ID": "plain", "TaskGroups": [{"Name": "g",
        "Tasks": [{"Name": "t", "Driver": "docker", "Config": {"image": "nginx"}}]}]}});
    let nulls = json!({"Job": {"ID": "nulls", "Name": null, "Namespace": null, "Region": null,
        "Priority": null, "NodePool": null, "Stop": null, "ParentID": null, "Type": null,
        "Datacenters": null, "AllAtOnce": null, "Meta": null, "Update": null, "Periodic": null,
        "Constraints": null, "Affinities": null, "Spreads": null,
        "TaskGroups": [{"Name": "g", "Count": null, "RestartPolicy": null, "ReschedulePolicy": null,
            "EphemeralDisk": null, "Migrate": null, "Update": null, "Networks": null, "Services": null,
            "Tasks": [{"Name": "t", "Driver": "docker", "Config": {"image": "nginx"}, "Resources": null,
                "LogConfig": null, "KillTimeout": null, "Env": null, "Services": null, "Templates": null}]}]},
        "EnforceIndex": null, "JobModifyIndex": null, "PolicyOverride": null});
    for b in [plain, nulls] {
        let r = h.post("/v1/jobs", b).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let a = h.get("/v1/job/plain").await.json();
    let b = h.get("/v1/job/nulls").await.json();
    assert_eq!(b["Namespace"], "default");
    assert_eq!(b["Region"], "global");
    assert_eq!(b["Priority"], 50);
    assert_eq!(b["NodePool"], "default");
    assert_eq!(b["TaskGroups"][0]["RestartPolicy"]["Attempts"], 2);
    assert_eq!(b["TaskGroups"][0]["Tasks"][0]["Resources"]["CPU"], 100);
    assert_eq!(without_identity(a), without_identity(b));
    // listed, searchable, and evaluated at the job's priority
    let jobs = h.get("/v1/jobs").await.json();
    assert!(jobs
        .as_array()
        .unwrap()
        .iter()
        .any(|j| j["ID"] == "nulls" && j["Namespace"] == "default"));
    let evals = h.get("/v1/job/nulls/evaluations").await.json();
    assert_eq!(evals[0]["Priority"], 50);
    let allocs = h.get("/v1/job/nulls/allocations").await.json();
    assert_eq!(allocs.as_array().unwrap().len(), 1);
    assert_eq!(allocs[0]["Namespace"], "default");
}

// The output of /v1/jobs/parse (api.Job with every unset field null) is
// what `nomad run -output` prints; it must register as written.
#[tokio::test]
async fn a_parsed_jobspec_registers_with_nomads_defaults() {
    let h = H::new(&[]);
    let hcl = r#"job "from-hcl" {
  group "web" {
    count = 2
    network {
      port "http" { to = 8080 }
    }
    task "server" {
      driver = "docker"
      config {
        image = "nginx:1.27"
        ports = ["http"]
      }
      env { URL = "http://${NOMAD_ADDR_http}" }
    }
  }
}"#;
    let r = h.post("/v1/jobs/parse", json!({"JobHCL": hcl})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let parsed = r.json();
    assert!(parsed["Namespace"].is_null() && parsed["Priority"].is_null());
    assert_eq!(
        parsed["TaskGroups"][0]["Tasks"][0]["Env"]["URL"],
        "http://${NOMAD_ADDR_http}"
    );
    let r = h.post("/v1/jobs", json!({"Job": parsed})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = h.get("/v1/job/from-hcl").await.json();
    assert_eq!(
        (
            j["Namespace"].clone(),
            j["Priority"].clone(),
            j["Type"].clone()
        ),
        (json!("default"), json!(50), json!("service"))
    );
    assert_eq!(j["TaskGroups"][0]["Count"], 2);
    // A service job gets a deployment on its first version (scheduler/
    // reconciler createDeployment; the default update block applies).
    let d = h.get("/v1/job/from-hcl/deployment").await.json();
    assert_eq!(d["JobVersion"], 0);
    assert_eq!(d["Status"], "running");
    // canonicalised on request
    let r = h
        .post(
            "/v1/jobs/parse",
            json!({"JobHCL": hcl, "Canonicalize": true}),
        )
        .await
        .json();
    assert_eq!(r["Priority"], 50);
    // errors (JobsParseRequest)
    let r = h.post("/v1/jobs/parse", json!({"JobHCL": ""})).await;
    assert_eq!(r.err(), (400, "Job spec is empty".into()));
    let r = h
        .post("/v1/jobs/parse", json!({"JobHCL": "job \"x\" {"}))
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.text().starts_with("Failed to parse job: input.hcl:1,"),
        "{}",
        r.text()
    );
}

// command/agent/job_endpoint.go jobUpdate, nomad/job_endpoint_hooks.go jobValidate
#[tokio::test]
async fn register_errors_match_the_agent() {
    let h = H::new(&[]);
    let r = h.send("POST", "/v1/jobs", None, None).await;
    assert_eq!(r.err(), (400, "Request body is empty".into()));
    assert_eq!(
        h.post("/v1/jobs", json!({})).await.err(),
        (400, "Job must be specified".into())
    );
    assert_eq!(
        h.post("/v1/jobs", json!({"Job": {"Name": "x"}}))
            .await
            .err(),
        (400, "Job ID hasn't been provided".into())
    );
    assert_eq!(
        h.post("/v1/job/other", job("x", 1)).await.err(),
        (400, "Job ID does not match name".into())
    );
    assert_eq!(
        h.post("/v1/jobs", json!({"Job": {"ID": "x"}})).await.err(),
        (
            500,
            "1 error occurred:\n\t* Missing job task groups\n\n".into()
        )
    );
    let mut b = job("x", 1);
    b["Job"]["Namespace"] = json!("nope");
    assert_eq!(
        h.post("/v1/jobs", b).await.err(),
        (
            500,
            "1 error occurred:\n\t* job \"x\" is in nonexistent namespace \"nope\"\n\n".into()
        )
    );
    // validate answers 200 with the problems (Job.Validate)
    let r = h
        .post("/v1/validate/job", json!({"Job": {"ID": "x"}}))
        .await
        .json();
    assert_eq!(r["ValidationErrors"], json!(["Missing job task groups"]));
    assert_eq!(
        r["Error"],
        "1 error occurred:\n\t* Missing job task groups\n\n"
    );
    let r = h.post("/v1/validate/job", job("ok", 1)).await.json();
    assert!(r["ValidationErrors"].is_null() && r["Error"] == "");
}

// nomad/job_endpoint.go Deregister, nomad/fsm.go handleJobDeregister
#[tokio::test]
async fn stopping_records_a_version_and_unknown_jobs_are_not_an_error() {
    let h = H::new(&[]);
    h.post("/v1/jobs", job("s", 1)).await;
    let r = h.delete("/v1/job/s").await.json();
    assert_eq!(r["EvalID"].as_str().unwrap().len(), 36);
    let v = h.get("/v1/job/s/versions").await.json();
    assert_eq!(v["Versions"][0]["Version"], 1);
    assert_eq!(v["Versions"][0]["Stop"], true);
    assert_eq!(v["Versions"][1]["Stop"], false);
    let r = h.delete("/v1/job/never-was").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["EvalID"], "");
    assert_eq!(r.json()["JobModifyIndex"], 0);
    // strconv.ParseBool spellings, and junk as the uncoded error (500)
    for t in ["True", "1", "t"] {
        h.post("/v1/jobs", job("p", 1)).await;
        assert_eq!(h.delete(&format!("/v1/job/p?purge={t}")).await.status, 200);
        assert_eq!(h.get("/v1/job/p").await.status, 404, "purge={t}");
    }
    assert_eq!(
        h.delete("/v1/job/s?purge=junk").await.err(),
        (500, "Failed to parse value of \"purge\" (junk) as a bool: strconv.ParseBool: parsing \"junk\": invalid syntax".into())
    );
}

// nomad/job_endpoint.go Dispatch, structs.DispatchedID
#[tokio::test]
async fn dispatch_honours_prefix_template_idempotency_and_null_payload() {
    let h = H::new(&[]);
    let p = "/v1/job/etl-import/dispatch?namespace=batch";
    let r = h
        .post(
            p,
            json!({"Meta": {"dataset": "a"}, "Payload": null, "IdPrefixTemplate": "nightly"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["DispatchedJobID"].as_str().unwrap().to_string();
    assert!(id.starts_with("etl-import/dispatch-nightly-"), "{id}");
    let tok = "/v1/job/etl-import/dispatch?namespace=batch&idempotency_token=run-7";
    let first = h.post(tok, json!({"Meta": {"dataset": "b"}})).await.json();
    let again = h.post(tok, json!({"Meta": {"dataset": "b"}})).await.json();
    assert_eq!(first["DispatchedJobID"], again["DispatchedJobID"]);
    assert_eq!(again["EvalID"], "");
    let r = h.post(p, json!({"Meta": {"dataset": "a", "x": "1"}})).await;
    assert_eq!(
        r.err(),
        (
            500,
            "Dispatch request included unpermitted metadata keys: [x]".into()
        )
    );
    let r = h.post("/v1/job/nope/dispatch", json!({})).await;
    assert_eq!(r.err(), (500, "parameterized job not found".into()));
    let r = h.post(p, json!({"JobID": "other"})).await;
    assert_eq!(r.err(), (400, "Job ID does not match".into()));
}

// nomad/job_endpoint.go TagVersion/GetJobVersions, state_store.go UpdateJobVersionTag
#[tokio::test]
async fn version_tags_name_versions_and_diff_against_them() {
    let h = H::new(&[]);
    h.post("/v1/jobs", job("t", 1)).await;
    h.post("/v1/jobs", job("t", 2)).await;
    let r = h
        .put(
            "/v1/job/t/versions/golden/tag",
            json!({"Version": 0, "Description": "known good"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["Name"], "golden");
    assert_eq!(r.header("x-nomad-index"), "");
    let v = h
        .get("/v1/job/t/versions?diffs=true&diff_tag=golden")
        .await
        .json();
    assert_eq!(v["Versions"][1]["VersionTag"]["Name"], "golden");
    assert_eq!(v["Diffs"].as_array().unwrap().len(), 2);
    assert_eq!(v["Diffs"][1]["Type"], "None");
    assert_eq!(v["Diffs"][0]["Type"], "Edited");
    let r = h
        .put("/v1/job/t/versions/golden/tag", json!({"Version": 1}))
        .await;
    assert_eq!(
        r.err(),
        (
            500,
            "tag \"golden\" already exists on a different version of job \"t\"".into()
        )
    );
    let r = h
        .put("/v1/job/t/versions/x/tag", json!({"Version": 9}))
        .await;
    assert_eq!(r.err(), (500, "job \"t\" version 9 not found".into()));
    assert_eq!(
        h.get("/v1/job/t/versions?diffs=true&diff_tag=nope")
            .await
            .err(),
        (500, "tag \"nope\" not found".into())
    );
    assert_eq!(h.delete("/v1/job/t/versions/golden/tag").await.status, 200);
    assert_eq!(
        h.delete("/v1/job/t/versions/golden/tag").await.err(),
        (500, "tag \"golden\" not found on job \"t\"".into())
    );
}

// nomad/job_endpoint.go GetJobSubmission
#[tokio::test]
async fn submissions_keep_the_source_per_version() {
    let h = H::new(&[]);
    let mut b = job("src", 1);
    b["Submission"] =
        json!({"Source": "job \"src\" {}", "Format": "hcl2", "VariableFlags": {"x": "1"}});
    assert_eq!(h.post("/v1/jobs", b).await.status, 200);
    let s = h.get("/v1/job/src/submission?version=0").await;
    assert_eq!(s.status, 200);
    assert_eq!(s.json()["Format"], "hcl2");
    assert_eq!(s.json()["JobID"], "src");
    assert_eq!(
        h.get("/v1/job/src/submission?version=5").await.err(),
        (404, "job source not found".into())
    );
    assert_eq!(
        h.get("/v1/job/src/submission").await.err(),
        (
            400,
            "Unable to parse job submission version parameter".into()
        )
    );
}

// A refused write must not bump the index and wake blocking queries.
#[tokio::test]
async fn refused_writes_leave_the_index_alone() {
    let h = H::new(&[]);
    let before = h.sim.store.read(|c| c.index);
    let r = h
        .post(
            "/v1/job/web-frontend/stable",
            json!({"JobID": "web-frontend", "JobVersion": 99, "Stable": true}),
        )
        .await;
    assert_eq!(
        r.err(),
        (
            500,
            "job \"web-frontend\" in namespace \"default\" at version 99 not found".into()
        )
    );
    let node = h.first_node_id().await;
    let r = h
        .post(
            &format!("/v1/node/{node}/eligibility"),
            json!({"Eligibility": "maybe"}),
        )
        .await;
    assert_eq!(
        r.err(),
        (500, "invalid scheduling eligibility \"maybe\"".into())
    );
    let r = h
        .post("/v1/node/nope/drain", json!({"DrainSpec": {"Deadline": 1}}))
        .await;
    assert_eq!(r.err(), (500, "node not found".into()));
    assert_eq!(h.sim.store.read(|c| c.index), before);
}

// api/jobs.go registers with PUT; nomad/job_endpoint.go doRegister only
// evaluates an unchanged spec; Scale writes a version (jobScaleAction).
#[tokio::test]
async fn put_registers_unchanged_specs_only_evaluate_and_scale_writes_a_version() {
    let h = H::new(&[]);
    let r = h.put("/v1/jobs", job("u", 1)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let jmi = r.json()["JobModifyIndex"].as_u64().unwrap();
    assert_eq!(
        r.index(),
        r.json()["Index"].as_u64().unwrap(),
        "writes carry X-Nomad-Index"
    );
    let again = h.put("/v1/jobs", job("u", 1)).await.json();
    assert_eq!(
        again["JobModifyIndex"].as_u64().unwrap(),
        jmi,
        "nothing changed"
    );
    assert_eq!(h.get("/v1/job/u").await.json()["Version"], 0);
    let r = h
        .post(
            "/v1/job/u/scale",
            json!({"Count": 3, "Target": {"Group": "g"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = h.get("/v1/job/u").await.json();
    assert_eq!(
        (j["Version"].clone(), j["TaskGroups"][0]["Count"].clone()),
        (json!(1), json!(3))
    );
    let evals = h.get("/v1/job/u/evaluations").await.json();
    assert!(evals
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["TriggeredBy"] == "job-scaling"));
    let r = h
        .post(
            "/v1/job/u/scale",
            json!({"Count": 1, "Target": {"Job": "other", "Group": "g"}}),
        )
        .await;
    assert_eq!(r.err(), (400, "job ID in payload did not match URL".into()));
    let e = h.post("/v1/job/u/evaluate", json!({})).await.json();
    let ev = h
        .get(&format!("/v1/evaluation/{}", e["EvalID"].as_str().unwrap()))
        .await
        .json();
    assert_eq!(ev["TriggeredBy"], "job-register");
}

// nomad/job_endpoint.go Revert: the new version is neither tagged nor stable.
#[tokio::test]
async fn revert_clears_the_tag_and_stable_flag_of_the_copy() {
    let h = H::new(&[]);
    h.post("/v1/jobs", job("r", 1)).await;
    h.post("/v1/jobs", job("r", 2)).await;
    h.put("/v1/job/r/versions/first/tag", json!({"Version": 0}))
        .await;
    h.post(
        "/v1/job/r/stable",
        json!({"JobID": "r", "JobVersion": 0, "Stable": true}),
    )
    .await;
    let r = h
        .post("/v1/job/r/revert", json!({"JobID": "r", "JobVersion": 0}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = h.get("/v1/job/r/versions").await.json();
    assert_eq!(v["Versions"][0]["Version"], 2);
    assert!(v["Versions"][0]["VersionTag"].is_null());
    assert_eq!(v["Versions"][0]["Stable"], false);
    assert_eq!(
        h.post("/v1/job/r/revert", json!({"JobVersion": 0}))
            .await
            .err(),
        (400, "JobID must be specified".into())
    );
}

// nomad/rpc.go blockingRPC: a query waits on the index it reports, so
// marking an old version stable wakes a watcher of /versions.
#[tokio::test]
async fn blocking_queries_wait_on_the_index_they_report() {
    let h = H::new(&[]);
    h.post("/v1/jobs", job("b", 1)).await;
    h.post("/v1/jobs", job("b", 2)).await;
    let first = h.get("/v1/job/b/versions").await;
    let idx = first.index();
    // unrelated writes do not answer the blocked query...
    h.ticks(3);
    let path = format!("/v1/job/b/versions?index={idx}&wait=50ms");
    let r = h.get(&path).await;
    assert_eq!(r.index(), idx, "timed out unchanged");
    // ...a change to one of its versions does
    h.post(
        "/v1/job/b/stable",
        json!({"JobID": "b", "JobVersion": 0, "Stable": true}),
    )
    .await;
    let r = h
        .get(&format!("/v1/job/b/versions?index={idx}&wait=5s"))
        .await;
    assert!(r.index() > idx);
    assert_eq!(r.json()["Versions"][1]["Stable"], true);
    let j = h.get("/v1/job/b").await;
    assert_eq!(
        j.index(),
        j.json()["ModifyIndex"].as_u64().unwrap(),
        "an object reports its own index"
    );
}
