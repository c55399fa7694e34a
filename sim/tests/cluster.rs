//! The endpoints a modern client reads, each against the Go source it
//! follows: job statuses, node pools, variables, status/agent/operator,
//! metrics, system GC, scaling policies, field selection on lists.

mod common;
use common::*;
use serde_json::json;

// command/agent/job_endpoint_statuses.go, nomad/job_endpoint_statuses.go
#[tokio::test]
async fn job_statuses_page_newest_first_and_answer_named_jobs() {
    let h = H::new(&[]);
    let all = h.get("/v1/jobs/statuses?namespace=*").await;
    assert_eq!(all.status, 200);
    let items = all.json();
    let items = items.as_array().unwrap();
    let mi: Vec<u64> = items
        .iter()
        .map(|j| j["ModifyIndex"].as_u64().unwrap())
        .collect();
    assert!(
        mi.windows(2).all(|w| w[0] >= w[1]),
        "newest change first: {mi:?}"
    );
    assert!(
        items.iter().all(|j| j["ParentID"] == ""),
        "children only with include_children"
    );
    let web = items.iter().find(|j| j["ID"] == "web-frontend").unwrap();
    assert_eq!(web["GroupCountSum"], 3);
    assert_eq!(web["Allocs"][0]["Group"], "web");
    assert!(web["Allocs"][0]["DeploymentStatus"].is_object());
    let periodic = items.iter().find(|j| j["ID"] == "nightly-report").unwrap();
    assert!(periodic["ChildStatuses"].is_array() && periodic["Allocs"].is_null());
    // paging by modify index
    let p1 = h.get("/v1/jobs/statuses?namespace=*&per_page=2").await;
    assert_eq!(p1.json().as_array().unwrap().len(), 2);
    let next = p1.header("x-nomad-nexttoken");
    assert_eq!(next, mi[2].to_string());
    let p2 = h
        .get(&format!(
            "/v1/jobs/statuses?namespace=*&per_page=2&next_token={next}"
        ))
        .await
        .json();
    assert_eq!(p2[0]["ModifyIndex"].as_u64(), Some(mi[2]));
    // POST names jobs across namespaces
    let r = h
        .post(
            "/v1/jobs/statuses",
            json!({"Jobs": [{"ID": "web-frontend"}, {"ID": "etl-import", "Namespace": "batch"}]}),
        )
        .await
        .json();
    let mut ids: Vec<String> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["ID"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, ["etl-import", "web-frontend"]);
    assert_eq!(
        h.post("/v1/jobs/statuses", json!({})).await.err(),
        (400, "no jobs in request".into())
    );
    let f = h
        .get("/v1/jobs/statuses?namespace=*&filter=Type%20%3D%3D%20%22batch%22")
        .await
        .json();
    assert!(f.as_array().unwrap().iter().all(|j| j["Type"] == "batch"));
    assert_eq!(
        h.put("/v1/jobs/statuses", json!({})).await.err(),
        (405, "Invalid method".into())
    );
}

// command/agent/node_pool_endpoint.go, nomad/node_pool_endpoint.go
#[tokio::test]
async fn node_pools_have_builtins_and_their_jobs_and_nodes() {
    let h = H::new(&[]);
    let pools = h.get("/v1/node/pools").await.json();
    let names: Vec<&str> = pools
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"all") && names.contains(&"default") && names.contains(&"gpu"),
        "{names:?}"
    );
    let d = h.get("/v1/node/pool/default").await.json();
    assert_eq!(d["Description"], "Default node pool.");
    assert_eq!(d["NodeIdentityTTL"], 86_400_000_000_000i64);
    assert_eq!(
        h.get("/v1/node/pool/nope").await.err(),
        (404, "node pool not found".into())
    );
    let r = h
        .put(
            "/v1/node/pool/default",
            json!({"Name": "default", "Description": "x"}),
        )
        .await;
    assert_eq!(
        r.err(),
        (400, "modifying node pool \"default\" is not allowed".into())
    );
    let r = h
        .put(
            "/v1/node/pool/edge",
            json!({"Name": "edge", "Description": "Edge sites"}),
        )
        .await;
    assert_eq!((r.status, r.body.len()), (200, 0));
    assert_eq!(
        h.get("/v1/node/pool/edge").await.json()["Description"],
        "Edge sites"
    );
    let r = h
        .put("/v1/node/pool/bad%20name", json!({"Name": "bad name"}))
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.text()
            .starts_with("invalid node pool \"bad name\": 1 error occurred:"),
        "{}",
        r.text()
    );
    let nodes = h.get("/v1/node/pool/gpu/nodes").await.json();
    assert!(!nodes.as_array().unwrap().is_empty());
    assert!(nodes
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["NodePool"] == "gpu"));
    let all = h.get("/v1/node/pool/all/nodes").await.json();
    assert_eq!(
        all.as_array().unwrap().len(),
        h.get("/v1/nodes").await.json().as_array().unwrap().len()
    );
    let jobs = h.get("/v1/node/pool/default/jobs?namespace=*").await.json();
    assert!(jobs
        .as_array()
        .unwrap()
        .iter()
        .any(|j| j["ID"] == "web-frontend"));
    assert_eq!(
        h.get("/v1/node/pool/default/jobs?prefix=x").await.err(),
        (400, "prefix argument not allowed".into())
    );
    let unknown = h.get("/v1/node/pool/nope/nodes").await;
    assert_eq!(
        (unknown.status, unknown.text(), unknown.index()),
        (200, "[]".into(), 0)
    );
    let r = h.delete("/v1/node/pool/gpu").await;
    assert_eq!(r.status, 500);
    assert!(
        r.text()
            .contains("node pool \"gpu\" has nodes in regions: [global]"),
        "{}",
        r.text()
    );
    assert_eq!(h.delete("/v1/node/pool/edge").await.status, 200);
    assert_eq!(
        h.delete("/v1/node/pool/edge").await.err(),
        (500, "node pool edge not found".into())
    );
}

// command/agent/variable_endpoint.go, nomad/variables_endpoint.go (cas)
#[tokio::test]
async fn variables_write_with_check_and_set() {
    let h = H::new(&[]);
    let r = h
        .put(
            "/v1/var/app/db",
            json!({"Items": {"user": "admin", "pass": "s3cret"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["Items"]["user"], "admin");
    let mi = v["ModifyIndex"].as_u64().unwrap();
    let got = h.get("/v1/var/app/db").await;
    assert_eq!(got.json()["Path"], "app/db");
    assert_eq!(got.index(), mi);
    let list = h.get("/v1/vars?prefix=app").await.json();
    assert_eq!(list[0]["Path"], "app/db");
    assert!(list[0].get("Items").is_none(), "lists carry metadata only");
    // a stale cas is a 409 with the current variable
    let r = h
        .put(
            &format!("/v1/var/app/db?cas={}", mi - 1),
            json!({"Items": {"user": "x"}}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["Items"]["user"], "admin");
    assert_eq!(r.index(), mi);
    let r = h
        .put(
            &format!("/v1/var/app/db?cas={mi}"),
            json!({"Items": {"user": "y"}}),
        )
        .await;
    assert_eq!(r.status, 200);
    // cas=0: create only
    assert_eq!(
        h.put("/v1/var/app/db?cas=0", json!({"Items": {"a": "b"}}))
            .await
            .status,
        409
    );
    assert_eq!(
        h.put("/v1/var/app/new?cas=0", json!({"Items": {"a": "b"}}))
            .await
            .status,
        200
    );
    assert_eq!(
        h.put("/v1/var/app/x", json!({"Items": {}})).await.err(),
        (400, "variable missing required Items object".into())
    );
    assert_eq!(
        h.put("/v1/var/app/x?cas=q", json!({"Items": {"a": "b"}}))
            .await
            .err(),
        (
            400,
            "can not parse cas: strconv.ParseUint: parsing \"q\": invalid syntax".into()
        )
    );
    assert_eq!(
        h.put("/v1/var/a%20b", json!({"Items": {"a": "b"}}))
            .await
            .err(),
        (400, "RPC Error:: 400,invalid path \"a b\"".into())
    );
    assert_eq!(
        h.send("PATCH", "/v1/var/app/db", None, None).await.err(),
        (400, "Invalid method".into())
    );
    let r = h.delete("/v1/var/app/db").await;
    assert_eq!((r.status, r.body.len()), (204, 0));
    assert_eq!(
        h.get("/v1/var/app/db").await.err(),
        (404, "variable not found".into())
    );
    assert_eq!(h.delete("/v1/var/app/db").await.status, 204);
}

// status_endpoint.go, agent_endpoint.go, operator_endpoint.go
#[tokio::test]
async fn status_agent_and_raft_describe_one_leader() {
    let h = H::new(&["--acl"]);
    assert_eq!(
        h.get("/v1/status/leader").await.json(),
        json!("127.0.0.1:4647")
    );
    assert_eq!(
        h.get("/v1/status/peers").await.json(),
        json!(["127.0.0.1:4647"])
    );
    let m = h.get_as("/v1/agent/members", READONLY_SECRET).await.json();
    assert_eq!(m["Members"][0]["Tags"]["port"], "4647");
    assert_eq!(m["Members"][0]["Tags"]["build"], "2.0.5");
    assert_eq!(
        h.get_as("/v1/agent/servers", READONLY_SECRET).await.json(),
        json!(["127.0.0.1:4647"])
    );
    assert_eq!(
        h.get_as("/v1/operator/raft/configuration", READONLY_SECRET)
            .await
            .err(),
        (403, "Permission denied".into())
    );
    let raft = h
        .get_as("/v1/operator/raft/configuration", MANAGEMENT_SECRET)
        .await
        .json();
    assert_eq!(raft["Servers"][0]["Leader"], true);
    assert_eq!(raft["Servers"][0]["Voter"], true);
    assert_eq!(
        h.get("/v1/agent/members").await.err(),
        (403, "Permission denied".into())
    );
}

// metrics_endpoint.go (no ACL), system_endpoint.go (management, PUT only)
#[tokio::test]
async fn metrics_and_system_gc() {
    let h = H::new(&["--acl"]);
    let m = h.get("/v1/metrics").await.json();
    assert!(m["Gauges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["Name"] == "nomad.nomad.job_summary.running"
            && g["Labels"]["job"] == "web-frontend"));
    assert!(m["Counters"].is_array() && m["Samples"].is_array() && m["Timestamp"].is_string());
    let p = h.get("/v1/metrics?format=prometheus").await;
    assert!(p
        .header("content-type")
        .starts_with("text/plain; version=0.0.4"));
    assert!(
        p.text().contains("nomad_client_allocations_running{"),
        "{}",
        &p.text()[..200.min(p.text().len())]
    );
    assert_eq!(
        h.send("PUT", "/v1/system/gc", Some(READONLY_SECRET), None)
            .await
            .err(),
        (403, "Permission denied".into())
    );
    let r = h
        .send("PUT", "/v1/system/gc", Some(MANAGEMENT_SECRET), None)
        .await;
    assert_eq!((r.status, r.body.len()), (200, 0));
    assert_eq!(
        h.send("POST", "/v1/system/gc", Some(MANAGEMENT_SECRET), None)
            .await
            .err(),
        (405, "Invalid method".into())
    );
}

// structs.Node.Stub / AllocListStub with NodeStubFields and AllocStubFields
#[tokio::test]
async fn lists_add_resources_when_asked() {
    let h = H::new(&[]);
    let plain = h.get("/v1/nodes").await.json();
    assert!(plain[0].get("NodeResources").is_none());
    let full = h.get("/v1/nodes?resources=true").await.json();
    assert!(
        full[0]["NodeResources"]["Memory"]["MemoryMB"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert!(full[0]["ReservedResources"].is_object());
    assert_eq!(
        h.get("/v1/nodes?resources=maybe").await.err(),
        (400, "Failed to parse node list fields: Failed to parse value of \"resources\" (maybe) as a bool: strconv.ParseBool: parsing \"maybe\": invalid syntax".into())
    );
    let a = h.get("/v1/allocations").await.json();
    assert!(a[0]["AllocatedResources"].is_null());
    let a = h
        .get("/v1/allocations?resources=true&task_states=false")
        .await
        .json();
    assert!(a[0]["AllocatedResources"]["Tasks"].is_object());
    assert!(a[0]["TaskStates"].is_null());
    assert_eq!(h.get("/v1/allocations?task_states=x").await.status, 500);
}

// scaling_endpoint.go over the jobs' scaling blocks
#[tokio::test]
async fn scaling_policies_come_from_scaling_blocks() {
    let h = H::new(&[]);
    let mut b = job("scaled", 2);
    b["Job"]["TaskGroups"][0]["Scaling"] =
        json!({"Min": 1, "Max": 5, "Policy": {"cooldown": "1m"}});
    assert_eq!(h.post("/v1/jobs", b).await.status, 200);
    let list = h.get("/v1/scaling/policies?job=scaled").await.json();
    assert_eq!(list[0]["Target"]["Group"], "g");
    assert_eq!(list[0]["Type"], "horizontal");
    let id = list[0]["ID"].as_str().unwrap();
    let p = h.get(&format!("/v1/scaling/policy/{id}")).await.json();
    assert_eq!((p["Min"].clone(), p["Max"].clone()), (json!(1), json!(5)));
    assert_eq!(
        h.get("/v1/scaling/policy/nope").await.err(),
        (404, "policy not found".into())
    );
}

// command/agent/http.go: parse(), wrap(), handleRootFallthrough
#[tokio::test]
async fn query_strings_and_routes_follow_the_agent() {
    let h = H::new(&[]);
    assert_eq!(
        h.get("/v1/jobs?per_page=x").await.err(),
        (
            400,
            "Expect a number for `per_page` query string parameter".into()
        )
    );
    assert_eq!(
        h.get("/v1/jobs?index=x").await.err(),
        (400, "Invalid index".into())
    );
    assert_eq!(
        h.get("/v1/jobs?wait=soon").await.err(),
        (400, "Invalid wait time".into())
    );
    let r = h.get("/v1/nope").await;
    assert_eq!((r.status, r.body.len()), (404, 0));
    assert_eq!(
        h.get("/v1/allocation/x/nope").await.err(),
        (404, "resource not found".into())
    );
    assert_eq!(
        h.send("DELETE", "/v1/jobs", None, None).await.err(),
        (405, "Invalid method".into())
    );
    let bad = h.get("/v1/jobs?filter=Name%20%3D%3D").await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.text()
            .starts_with("failed to create result paginator: failed to read filter expression: "),
        "{}",
        bad.text()
    );
    let f = h
        .get("/v1/jobs?namespace=*&filter=Type%20%3D%3D%20%22system%22")
        .await
        .json();
    assert!(!f.as_array().unwrap().is_empty());
    assert!(f.as_array().unwrap().iter().all(|j| j["Type"] == "system"));
    let ns = h.get("/v1/allocations?namespace=*").await.json();
    let mut seen: Vec<&str> = ns
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Namespace"].as_str().unwrap())
        .collect();
    seen.sort();
    seen.dedup();
    assert!(seen.len() > 1, "{seen:?}");
    assert_eq!(
        h.get("/v1/jobs?reverse=1").await.status,
        200,
        "reverse is compared with \"true\" alone"
    );
}

// nomad/state/paginator: an object the expression cannot be evaluated
// against ends the page with a 400.
#[tokio::test]
async fn filter_evaluation_errors_fail_the_list() {
    let h = H::new(&[]);
    let r = h
        .get("/v1/jobs?filter=TaskGroups.Name%20%3D%3D%20%22x%22")
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.text().starts_with("failed to read result page: "),
        "{}",
        r.text()
    );
}

// ACL.ListAuthMethods needs no token; Nomad's own sign-in page loads it.
#[tokio::test]
async fn auth_methods_and_roles_are_empty_lists() {
    let h = H::new(&["--acl"]);
    assert_eq!(h.get("/v1/acl/auth-methods").await.text(), "[]");
    assert_eq!(h.get("/v1/acl/roles").await.text(), "[]");
    assert_eq!(
        H::new(&[]).get("/v1/acl/auth-methods").await.err(),
        (400, "ACL support disabled".into())
    );
    assert_eq!(h.get("/v1/volumes?type=csi").await.text(), "[]");
}

// nomad/structs/variables.go reserved paths; job_endpoint.go dispatch
// payload; eval_endpoint.go evalsDeleteRequest.
#[tokio::test]
async fn reserved_variable_paths_payloads_and_eval_deletes() {
    let h = H::new(&[]);
    let r = h.put("/v1/var/nomad", json!({"Items": {"a": "b"}})).await;
    assert!(
        r.text()
            .starts_with("RPC Error:: 400,\"nomad\" is a reserved top-level directory path"),
        "{}",
        r.text()
    );
    assert_eq!(
        h.put("/v1/var/nomad/jobs/web", json!({"Items": {"a": "b"}}))
            .await
            .status,
        200
    );
    assert_eq!(
        h.put("/v1/var/nomad/jobsX", json!({"Items": {"a": "b"}}))
            .await
            .status,
        400
    );
    let p = "/v1/job/etl-import/dispatch?namespace=batch";
    let r = h
        .post(p, json!({"Meta": {"dataset": "a"}, "Payload": "%%%"}))
        .await;
    assert_eq!(r.err(), (400, "illegal base64 data at input byte 0".into()));
    assert_eq!(
        h.send("DELETE", "/v1/evaluations", None, Some(b"{}".to_vec()))
            .await
            .err(),
        (400, "evals must be deleted by either ID or filter".into())
    );
    let r = h
        .send(
            "DELETE",
            "/v1/evaluations",
            None,
            Some(br#"{"EvalIDs":["x"]}"#.to_vec()),
        )
        .await;
    assert_eq!(
        r.err(),
        (
            500,
            "eval broker is enabled; eval broker must be paused to delete evals".into()
        )
    );
    assert_eq!(h.get("/v1/job/web-frontend/actions").await.text(), "[]");
}
