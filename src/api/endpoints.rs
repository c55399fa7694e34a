//! Typed calls for every endpoint Yurt drives. Reads that should stay live
//! go through [`super::watch`] with the same paths; these are one-shot reads
//! and every write.

use super::client::Api;
use super::error::ApiError;
use nomad_model::*;
use serde_json::Value;

type Q = Vec<(&'static str, String)>;

fn ns(namespace: &str) -> Q {
    vec![("namespace", namespace.to_string())]
}

fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// Path of a job endpoint; job IDs may contain `/` (dispatched children).
pub fn job_path(id: &str, rest: &str) -> String {
    format!("/v1/job/{}{rest}", enc(id))
}

impl Api {
    // ---- cluster
    pub async fn regions(&self) -> Result<Vec<String>, ApiError> {
        self.get("/v1/regions", &[]).await
    }
    pub async fn namespaces(&self) -> Result<Vec<Namespace>, ApiError> {
        self.get("/v1/namespaces", &[]).await
    }
    pub async fn token_self(&self) -> Result<AclToken, ApiError> {
        self.get("/v1/acl/token/self", &[]).await
    }
    pub async fn agent_self(&self) -> Result<AgentSelf, ApiError> {
        self.get("/v1/agent/self", &[]).await
    }
    pub async fn agent_members(&self) -> Result<AgentMembers, ApiError> {
        self.get("/v1/agent/members", &[]).await
    }
    pub async fn leader(&self) -> Result<String, ApiError> {
        self.get("/v1/status/leader", &[]).await
    }
    pub async fn fuzzy_search(
        &self,
        text: &str,
        context: &str,
        namespace: &str,
    ) -> Result<FuzzySearchResponse, ApiError> {
        let req = FuzzySearchRequest {
            text: text.into(),
            context: context.into(),
        };
        self.send("POST", "/v1/search/fuzzy", &ns(namespace), Some(&req))
            .await
    }
    pub async fn prefix_search(
        &self,
        prefix: &str,
        context: &str,
        namespace: &str,
    ) -> Result<SearchResponse, ApiError> {
        let req = SearchRequest {
            prefix: prefix.into(),
            context: context.into(),
        };
        self.send("POST", "/v1/search", &ns(namespace), Some(&req))
            .await
    }

    // ---- job reads
    pub async fn jobs(&self, namespace: &str, prefix: &str) -> Result<Vec<JobListStub>, ApiError> {
        let mut q = ns(namespace);
        if !prefix.is_empty() {
            q.push(("prefix", prefix.into()));
        }
        self.get("/v1/jobs", &q).await
    }
    pub async fn job(&self, id: &str, namespace: &str) -> Result<Job, ApiError> {
        self.get(&job_path(id, ""), &ns(namespace)).await
    }
    /// The job as raw JSON, to edit it without losing fields.
    pub async fn job_raw(&self, id: &str, namespace: &str) -> Result<Value, ApiError> {
        self.get(&job_path(id, ""), &ns(namespace)).await
    }
    pub async fn job_versions(
        &self,
        id: &str,
        namespace: &str,
        diffs: bool,
    ) -> Result<JobVersionsResponse, ApiError> {
        let mut q = ns(namespace);
        if diffs {
            q.push(("diffs", "true".into()));
        }
        self.get(&job_path(id, "/versions"), &q).await
    }
    /// Versions with each diffed against `diff_version` (Nomad 1.8+).
    pub async fn job_versions_against(
        &self,
        id: &str,
        namespace: &str,
        diff_version: u64,
    ) -> Result<JobVersionsResponse, ApiError> {
        let mut q = ns(namespace);
        q.push(("diffs", "true".into()));
        q.push(("diff_version", diff_version.to_string()));
        self.get(&job_path(id, "/versions"), &q).await
    }
    pub async fn job_allocations(
        &self,
        id: &str,
        namespace: &str,
        all: bool,
    ) -> Result<Vec<Allocation>, ApiError> {
        let mut q = ns(namespace);
        if all {
            q.push(("all", "true".into()));
        }
        self.get(&job_path(id, "/allocations"), &q).await
    }
    pub async fn job_evaluations(
        &self,
        id: &str,
        namespace: &str,
    ) -> Result<Vec<Evaluation>, ApiError> {
        self.get(&job_path(id, "/evaluations"), &ns(namespace))
            .await
    }
    pub async fn job_deployments(
        &self,
        id: &str,
        namespace: &str,
    ) -> Result<Vec<Deployment>, ApiError> {
        self.get(&job_path(id, "/deployments"), &ns(namespace))
            .await
    }
    /// The latest deployment; `None` when the job has none (Nomad answers `null`).
    pub async fn job_deployment(
        &self,
        id: &str,
        namespace: &str,
    ) -> Result<Option<Deployment>, ApiError> {
        self.get(&job_path(id, "/deployment"), &ns(namespace)).await
    }
    pub async fn job_summary(&self, id: &str, namespace: &str) -> Result<JobSummary, ApiError> {
        self.get(&job_path(id, "/summary"), &ns(namespace)).await
    }
    pub async fn job_scale(&self, id: &str, namespace: &str) -> Result<JobScaleStatus, ApiError> {
        self.get(&job_path(id, "/scale"), &ns(namespace)).await
    }

    // ---- job writes
    pub async fn register_job(
        &self,
        req: &JobRegisterRequest,
    ) -> Result<JobRegisterResponse, ApiError> {
        self.send("POST", "/v1/jobs", &[], Some(req)).await
    }
    pub async fn update_job(
        &self,
        id: &str,
        req: &JobRegisterRequest,
    ) -> Result<JobRegisterResponse, ApiError> {
        self.send("POST", &job_path(id, ""), &[], Some(req)).await
    }
    pub async fn plan_job(
        &self,
        id: &str,
        req: &JobPlanRequest,
    ) -> Result<JobPlanResponse, ApiError> {
        self.send("POST", &job_path(id, "/plan"), &[], Some(req))
            .await
    }
    /// HCL → JSON through the agent (`/v1/jobs/parse`), where it exists.
    pub async fn parse_hcl(&self, hcl: &str) -> Result<Value, ApiError> {
        let req = JobsParseRequest {
            job_hcl: hcl.into(),
            canonicalize: true,
        };
        self.send("POST", "/v1/jobs/parse", &[], Some(&req)).await
    }
    pub async fn stop_job(
        &self,
        id: &str,
        namespace: &str,
        purge: bool,
    ) -> Result<JobRegisterResponse, ApiError> {
        let mut q = ns(namespace);
        if purge {
            q.push(("purge", "true".into()));
        }
        self.send::<Value, _>("DELETE", &job_path(id, ""), &q, None)
            .await
    }
    pub async fn evaluate_job(
        &self,
        id: &str,
        namespace: &str,
    ) -> Result<JobRegisterResponse, ApiError> {
        self.send(
            "POST",
            &job_path(id, "/evaluate"),
            &ns(namespace),
            Some(&serde_json::json!({"JobID": id})),
        )
        .await
    }
    pub async fn periodic_force(
        &self,
        id: &str,
        namespace: &str,
    ) -> Result<PeriodicForceResponse, ApiError> {
        self.send::<Value, _>(
            "POST",
            &job_path(id, "/periodic/force"),
            &ns(namespace),
            None,
        )
        .await
    }
    pub async fn dispatch_job(
        &self,
        id: &str,
        namespace: &str,
        req: &JobDispatchRequest,
    ) -> Result<JobDispatchResponse, ApiError> {
        self.send(
            "POST",
            &job_path(id, "/dispatch"),
            &ns(namespace),
            Some(req),
        )
        .await
    }
    pub async fn revert_job(
        &self,
        id: &str,
        namespace: &str,
        req: &JobRevertRequest,
    ) -> Result<JobRegisterResponse, ApiError> {
        self.send("POST", &job_path(id, "/revert"), &ns(namespace), Some(req))
            .await
    }
    pub async fn set_job_stability(
        &self,
        id: &str,
        namespace: &str,
        req: &JobStabilityRequest,
    ) -> Result<JobStabilityResponse, ApiError> {
        self.send("POST", &job_path(id, "/stable"), &ns(namespace), Some(req))
            .await
    }

    // ---- evaluations and deployments
    pub async fn evaluations(&self, namespace: &str) -> Result<Vec<Evaluation>, ApiError> {
        self.get("/v1/evaluations", &ns(namespace)).await
    }
    pub async fn evaluation(&self, id: &str) -> Result<Evaluation, ApiError> {
        self.get(&format!("/v1/evaluation/{}", enc(id)), &[]).await
    }
    pub async fn deployments(&self, namespace: &str) -> Result<Vec<Deployment>, ApiError> {
        self.get("/v1/deployments", &ns(namespace)).await
    }
    pub async fn deployment(&self, id: &str) -> Result<Deployment, ApiError> {
        self.get(&format!("/v1/deployment/{}", enc(id)), &[]).await
    }
    pub async fn promote_deployment(
        &self,
        id: &str,
        groups: Vec<String>,
    ) -> Result<DeploymentUpdateResponse, ApiError> {
        let req = DeploymentPromoteRequest {
            deployment_id: id.into(),
            all: groups.is_empty(),
            groups,
        };
        self.send(
            "POST",
            &format!("/v1/deployment/promote/{}", enc(id)),
            &[],
            Some(&req),
        )
        .await
    }
    pub async fn fail_deployment(&self, id: &str) -> Result<DeploymentUpdateResponse, ApiError> {
        self.send::<Value, _>(
            "POST",
            &format!("/v1/deployment/fail/{}", enc(id)),
            &[],
            None,
        )
        .await
    }

    // ---- allocations
    pub async fn allocations(
        &self,
        namespace: &str,
        prefix: &str,
    ) -> Result<Vec<Allocation>, ApiError> {
        let mut q = ns(namespace);
        if !prefix.is_empty() {
            q.push(("prefix", prefix.into()));
        }
        self.get("/v1/allocations", &q).await
    }
    pub async fn allocation(&self, id: &str) -> Result<Allocation, ApiError> {
        self.get(&format!("/v1/allocation/{}", enc(id)), &[]).await
    }

    // ---- nodes
    pub async fn nodes(&self, prefix: &str) -> Result<Vec<NodeListStub>, ApiError> {
        let q: Q = if prefix.is_empty() {
            vec![]
        } else {
            vec![("prefix", prefix.into())]
        };
        self.get("/v1/nodes", &q).await
    }
    pub async fn node(&self, id: &str) -> Result<Node, ApiError> {
        self.get(&format!("/v1/node/{}", enc(id)), &[]).await
    }
    pub async fn node_allocations(&self, id: &str) -> Result<Vec<Allocation>, ApiError> {
        self.get(&format!("/v1/node/{}/allocations", enc(id)), &[])
            .await
    }
    pub async fn node_eligibility(
        &self,
        id: &str,
        eligible: bool,
    ) -> Result<NodeUpdateResponse, ApiError> {
        let req = NodeEligibilityRequest {
            node_id: id.into(),
            eligibility: if eligible { "eligible" } else { "ineligible" }.into(),
        };
        self.send(
            "POST",
            &format!("/v1/node/{}/eligibility", enc(id)),
            &[],
            Some(&req),
        )
        .await
    }
    pub async fn node_drain(
        &self,
        id: &str,
        req: &NodeDrainRequest,
    ) -> Result<NodeUpdateResponse, ApiError> {
        self.send(
            "POST",
            &format!("/v1/node/{}/drain", enc(id)),
            &[],
            Some(req),
        )
        .await
    }
    pub async fn node_purge(&self, id: &str) -> Result<NodeUpdateResponse, ApiError> {
        self.send::<Value, _>("POST", &format!("/v1/node/{}/purge", enc(id)), &[], None)
            .await
    }
    pub async fn node_evaluate(&self, id: &str) -> Result<NodeUpdateResponse, ApiError> {
        self.send::<Value, _>("POST", &format!("/v1/node/{}/evaluate", enc(id)), &[], None)
            .await
    }

    // ---- client (answered by the node, possibly through a server)
    pub async fn host_stats(&self, node_id: &str) -> Result<HostStats, ApiError> {
        self.get("/v1/client/stats", &[("node_id", node_id.to_string())])
            .await
    }
    pub async fn alloc_stats(&self, id: &str) -> Result<AllocResourceUsage, ApiError> {
        self.get(&alloc_stats_path(id), &[]).await
    }
    pub async fn gc_allocation(&self, id: &str) -> Result<Value, ApiError> {
        self.get(&format!("/v1/client/allocation/{}/gc", enc(id)), &[])
            .await
    }
    pub async fn gc_node(&self, node_id: &str) -> Result<Value, ApiError> {
        self.get("/v1/client/gc", &[("node_id", node_id.to_string())])
            .await
    }
    pub async fn fs_ls(&self, alloc: &str, path: &str) -> Result<Vec<AllocFileInfo>, ApiError> {
        self.get(
            &format!("/v1/client/fs/ls/{}", enc(alloc)),
            &[("path", path.to_string())],
        )
        .await
    }
    pub async fn fs_stat(&self, alloc: &str, path: &str) -> Result<AllocFileInfo, ApiError> {
        self.get(
            &format!("/v1/client/fs/stat/{}", enc(alloc)),
            &[("path", path.to_string())],
        )
        .await
    }
    pub async fn fs_cat(&self, alloc: &str, path: &str) -> Result<Vec<u8>, ApiError> {
        self.get_bytes(
            &format!("/v1/client/fs/cat/{}", enc(alloc)),
            &[("path", path.to_string())],
        )
        .await
    }
    pub async fn fs_readat(
        &self,
        alloc: &str,
        path: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<u8>, ApiError> {
        let q = [
            ("path", path.to_string()),
            ("offset", offset.to_string()),
            ("limit", limit.to_string()),
        ];
        self.get_bytes(&format!("/v1/client/fs/readat/{}", enc(alloc)), &q)
            .await
    }
}

/// Query of `fs/logs` for one task's stream.
pub fn logs_query(task: &str, stdout: bool, follow: bool, origin_end: bool, offset: u64) -> Q {
    vec![
        ("task", task.to_string()),
        ("type", if stdout { "stdout" } else { "stderr" }.to_string()),
        ("follow", follow.to_string()),
        (
            "origin",
            if origin_end { "end" } else { "start" }.to_string(),
        ),
        ("offset", offset.to_string()),
    ]
}

/// Path of `fs/logs` for an allocation.
pub fn logs_path(alloc: &str) -> String {
    format!("/v1/client/fs/logs/{}", enc(alloc))
}

/// Path of `fs/stream` for an allocation.
pub fn fs_stream_path(alloc: &str) -> String {
    format!("/v1/client/fs/stream/{}", enc(alloc))
}

/// Path of an allocation's resource usage (polled by the stats charts).
pub fn alloc_stats_path(alloc: &str) -> String {
    format!("/v1/client/allocation/{}/stats", enc(alloc))
}
