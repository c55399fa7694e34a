//! ACLs as Nomad 2.0.5 answers them: command/agent/acl_endpoint.go,
//! nomad/acl_endpoint.go (WhoAmI, Bootstrap, UpsertTokens, UpsertPolicies),
//! nomad/structs/acl.go (ACLsDisabledToken), acl/policy.go and acl/acl.go
//! (capabilities), nomad/auth/auth.go (token resolution).

mod common;
use common::*;
use serde_json::json;

// nomad/acl_endpoint.go: WhoAmI works with ACLs off; everything else is aclDisabled.
#[tokio::test]
async fn with_acls_off_token_self_is_the_builtin_token_and_the_rest_400() {
    let h = H::new(&[]);
    let r = h.get("/v1/acl/token/self").await;
    assert_eq!(r.status, 200);
    let t = r.json();
    assert_eq!(t["AccessorID"], "acls-disabled");
    assert_eq!(t["Name"], "ACLs disabled token");
    assert_eq!(t["Type"], "client");
    assert_eq!(t["Global"], false);
    for p in [
        "/v1/acl/policies",
        "/v1/acl/tokens",
        "/v1/acl/policy/x",
        "/v1/acl/token/x",
    ] {
        assert_eq!(
            h.get(p).await.err(),
            (400, "ACL support disabled".into()),
            "{p}"
        );
    }
    assert_eq!(
        h.post("/v1/acl/bootstrap", json!({})).await.err(),
        (400, "ACL support disabled".into())
    );
    assert_eq!(
        h.send("DELETE", "/v1/acl/tokens", None, None).await.err(),
        (405, "Invalid method".into())
    );
}

// nomad/acl_endpoint.go Bootstrap: once, then "already done" with the reset index.
#[tokio::test]
async fn bootstrap_works_once() {
    let h = H::new(&["--acl-fresh"]);
    assert_eq!(
        h.get("/v1/jobs").await.err(),
        (403, "Permission denied".into())
    );
    let r = h.send("POST", "/v1/acl/bootstrap", None, None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.json();
    assert_eq!(t["Type"], "management");
    assert_eq!(t["Name"], "Bootstrap Token");
    let secret = t["SecretID"].as_str().unwrap().to_string();
    assert_eq!(h.get_as("/v1/jobs", &secret).await.status, 200);
    let r = h.send("POST", "/v1/acl/bootstrap", None, None).await;
    let idx = t["CreateIndex"].as_u64().unwrap();
    assert_eq!(
        r.err(),
        (
            400,
            format!("ACL bootstrap already done (reset index: {idx})")
        )
    );
    let r = h
        .post(
            "/v1/acl/bootstrap",
            json!({"BootstrapSecret": "not-a-uuid"}),
        )
        .await;
    assert_eq!(r.err(), (400, "invalid acl token".into()));
}

/// Creates a policy and a client token holding it; returns the secret.
async fn token_with(h: &H, name: &str, rules: &str) -> String {
    let r = h
        .post_as(
            &format!("/v1/acl/policy/{name}"),
            MANAGEMENT_SECRET,
            json!({"Name": name, "Rules": rules}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = h
        .post_as(
            "/v1/acl/token",
            MANAGEMENT_SECRET,
            json!({"Name": name, "Type": "client", "Policies": [name]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["SecretID"].as_str().unwrap().to_string()
}

// acl/acl.go AllowNsOp, nomad/job_endpoint.go List (allowedNSes), nomad/client_fs_endpoint.go
#[tokio::test]
async fn a_tokens_policies_decide_every_answer() {
    let h = H::new(&["--acl"]);
    let reader = token_with(
        &h,
        "reader",
        "namespace \"default\" {\n  policy = \"read\"\n}\n",
    )
    .await;
    assert_eq!(h.get_as("/v1/jobs", &reader).await.status, 200);
    assert_eq!(
        h.get_as("/v1/jobs?namespace=batch", &reader).await.err(),
        (403, "Permission denied".into())
    );
    let all = h.get_as("/v1/jobs?namespace=*", &reader).await.json();
    assert!(!all.as_array().unwrap().is_empty());
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .all(|j| j["Namespace"] == "default"));
    let r = h.post_as("/v1/jobs", &reader, job("nope", 1)).await;
    assert_eq!(r.err(), (403, "Permission denied".into()));
    // read does not include read-logs; nodes need a node rule
    let allocs = h.get_as("/v1/allocations", &reader).await.json();
    let a = allocs
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["ClientStatus"] == "running")
        .unwrap();
    let task = first_task(a);
    let logs = format!(
        "/v1/client/fs/logs/{}?task={task}&type=stdout",
        a["ID"].as_str().unwrap()
    );
    assert_eq!(h.get_as(&logs, &reader).await.status, 403);
    assert_eq!(h.get_as("/v1/nodes", &reader).await.status, 403);
    let ops = token_with(
        &h,
        "ops",
        "namespace \"*\" {\n  capabilities = [\"read-job\", \"read-logs\", \"list-jobs\"]\n}\nnode {\n  policy = \"read\"\n}\n",
    )
    .await;
    assert_eq!(
        h.get_as(&format!("{logs}&plain=true&follow=false"), &ops)
            .await
            .status,
        200
    );
    assert_eq!(h.get_as("/v1/nodes", &ops).await.status, 200);
    let node = h.get_as("/v1/nodes", &ops).await.json()[0]["ID"]
        .as_str()
        .unwrap()
        .to_string();
    let r = h
        .post_as(
            &format!("/v1/node/{node}/eligibility"),
            &ops,
            json!({"Eligibility": "ineligible"}),
        )
        .await;
    assert_eq!(r.err(), (403, "Permission denied".into()));
    // an allocation the token may not read is answered as unknown (Alloc.GetAlloc)
    let batch = h
        .get_as("/v1/allocations?namespace=batch", MANAGEMENT_SECRET)
        .await
        .json();
    let bid = batch[0]["ID"].as_str().unwrap();
    assert_eq!(
        h.get_as(&format!("/v1/allocation/{bid}"), &reader)
            .await
            .err(),
        (500, format!("Unknown allocation {bid:?}"))
    );
    // an unknown secret fails authentication (nomad/auth/auth.go)
    let r = h
        .get_as("/v1/jobs", "00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(r.err(), (403, "Permission denied".into()));
    // the anonymous policy applies to requests without a token
    assert_eq!(h.get("/v1/jobs").await.status, 403);
    token_with(
        &h,
        "anonymous",
        "namespace \"default\" {\n  policy = \"read\"\n}\n",
    )
    .await;
    assert_eq!(h.get("/v1/jobs").await.status, 200);
    let me = h.get("/v1/acl/token/self").await.json();
    assert_eq!(me["AccessorID"], "anonymous");
}

// command/agent/acl_endpoint.go token and policy CRUD, structs ACLToken.Validate
#[tokio::test]
async fn tokens_and_policies_are_created_read_listed_updated_and_deleted() {
    let h = H::new(&["--acl"]).with_token(MANAGEMENT_SECRET);
    let r = h
        .post("/v1/acl/policy/dev", json!({"Name": "other", "Rules": ""}))
        .await;
    assert_eq!(
        r.err(),
        (400, "ACL policy name does not match request path".into())
    );
    let r = h
        .post(
            "/v1/acl/policy/dev",
            json!({"Name": "dev", "Rules": "namespace \"default\" { policy = \"bogus\" }"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().starts_with("policy 0 invalid: "), "{}", r.text());
    let r = h.post("/v1/acl/policy/dev", json!({"Name": "dev", "Description": "developers", "Rules": "namespace \"default\" {\n  policy = \"write\"\n}\n"})).await;
    assert_eq!((r.status, r.body.len()), (200, 0));
    let p = h.get("/v1/acl/policy/dev").await.json();
    assert_eq!(p["Description"], "developers");
    assert!(p["RulesJSON"]["Namespaces"][0]["Capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "submit-job"));
    assert!(h
        .get("/v1/acl/policies")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["Name"] == "dev"));
    let r = h
        .post("/v1/acl/token", json!({"Name": "ci", "Type": "client"}))
        .await;
    assert_eq!(
        r.err(),
        (
            400,
            "token 0 invalid: 1 error occurred:\n\t* client token missing policies or roles\n\n"
                .into()
        )
    );
    let t = h
        .post(
            "/v1/acl/token",
            json!({"Name": "ci", "Type": "client", "Policies": ["dev"]}),
        )
        .await
        .json();
    let accessor = t["AccessorID"].as_str().unwrap().to_string();
    let secret = t["SecretID"].as_str().unwrap().to_string();
    // a token may read itself, not others
    assert_eq!(
        h.get_as(&format!("/v1/acl/token/{accessor}"), &secret)
            .await
            .status,
        200
    );
    assert_eq!(
        h.get_as("/v1/acl/tokens", &secret).await.err(),
        (403, "Permission denied".into())
    );
    let list = h.get("/v1/acl/tokens").await.json();
    let stub = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["AccessorID"] == accessor.as_str())
        .unwrap();
    assert!(stub.get("SecretID").is_none(), "stubs carry no secret");
    let r = h
        .post(
            &format!("/v1/acl/token/{accessor}"),
            json!({"AccessorID": accessor, "Name": "ci-2", "Type": "client", "Policies": ["dev"]}),
        )
        .await;
    assert_eq!(r.json()["Name"], "ci-2");
    let r = h
        .post(
            &format!("/v1/acl/token/{accessor}"),
            json!({"AccessorID": "other", "Name": "x", "Type": "client", "Policies": ["dev"]}),
        )
        .await;
    assert_eq!(
        r.err(),
        (400, "ACL token accessor does not match request path".into())
    );
    assert_eq!(
        h.delete(&format!("/v1/acl/token/{accessor}")).await.status,
        200
    );
    assert_eq!(h.get_as("/v1/jobs", &secret).await.status, 403);
    assert_eq!(
        h.delete("/v1/acl/token/gone").await.err(),
        (400, "Cannot delete nonexistent tokens: gone".into())
    );
    assert_eq!(
        h.get("/v1/acl/token/gone").await.err(),
        (404, "ACL token not found".into())
    );
    assert_eq!(h.delete("/v1/acl/policy/dev").await.status, 200);
    assert_eq!(
        h.get("/v1/acl/policy/dev").await.err(),
        (404, "ACL policy not found".into())
    );
}

// command/agent/operator_endpoint_ce.go LicenseRequest: community edition.
#[tokio::test]
async fn the_license_endpoint_answers_as_community_edition() {
    let h = H::new(&["--acl"]);
    let r = h.get("/v1/operator/license").await;
    assert_eq!((r.status, r.body.len()), (204, 0));
    assert_eq!(
        h.put("/v1/operator/license", json!({})).await.err(),
        (501, "Nomad Enterprise only endpoint".into())
    );
}

// Before 1.11 token/self went through ACL.GetToken, which refuses with ACLs off.
#[tokio::test]
async fn older_agents_refuse_token_self_with_acls_off() {
    let h = H::new(&["--agent-version", "1.10.5"]);
    assert_eq!(
        h.get("/v1/acl/token/self").await.err(),
        (400, "ACL support disabled".into())
    );
    let me = h.get("/v1/agent/self").await.json();
    assert_eq!(me["config"]["Version"]["Version"], "1.10.5");
}
