//! Typed one-shot calls and every write. Live reads go through
//! [`super::watch`]; both take their paths from [`super::paths`].

use super::client::Api;
use super::error::{ApiError, ApiErrorKind};
use super::paths::{self, ns};
use nomad_model::lifecycle::{self, AllocStopResponse};
use nomad_model::services::CheckResults;
use nomad_model::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

impl Api {
    // ---- cluster
    pub async fn regions(&self) -> Result<Vec<String>, ApiError> {
        self.get(paths::REGIONS, &[]).await
    }
    pub async fn namespaces(&self) -> Result<Vec<Namespace>, ApiError> {
        self.get(paths::NAMESPACES, &[]).await
    }
    pub async fn token_self<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.get(paths::TOKEN_SELF, &[]).await
    }

    // ---- search (every namespace the token may read)
    pub async fn search_fuzzy(&self, text: &str) -> Result<FuzzySearchResponse, ApiError> {
        let req = FuzzySearchRequest {
            text: text.into(),
            context: "all".into(),
        };
        self.send("POST", paths::SEARCH_FUZZY, &ns("*"), Some(&req))
            .await
    }
    pub async fn search_prefix(&self, prefix: &str) -> Result<SearchResponse, ApiError> {
        let req = SearchRequest {
            prefix: prefix.into(),
            context: "all".into(),
        };
        self.send("POST", paths::SEARCH, &ns("*"), Some(&req)).await
    }

    // ---- job reads

    // ---- job writes
    pub async fn register_job(
        &self,
        req: &JobRegisterRequest,
    ) -> Result<JobRegisterResponse, ApiError> {
        self.send("POST", paths::JOBS, &[], Some(req)).await
    }
    pub async fn plan_job(
        &self,
        id: &str,
        req: &JobPlanRequest,
    ) -> Result<JobPlanResponse, ApiError> {
        self.send("POST", &paths::job(id, "/plan"), &[], Some(req))
            .await
    }
    /// HCL → JSON through the agent (`/v1/jobs/parse`), where it exists.
    pub async fn parse_hcl(&self, hcl: &str) -> Result<Value, ApiError> {
        let req = JobsParseRequest {
            job_hcl: hcl.into(),
            canonicalize: true,
        };
        self.send("POST", paths::JOBS_PARSE, &[], Some(&req)).await
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
        self.send::<Value, _>("DELETE", &paths::job(id, ""), &q, None)
            .await
    }
    /// Starts a stopped job again: its spec re-registered with `Stop` off.
    pub async fn start_job(
        &self,
        id: &str,
        namespace: &str,
    ) -> Result<JobRegisterResponse, ApiError> {
        let mut spec: Value = self.get(&paths::job(id, ""), &ns(namespace)).await?;
        spec["Stop"] = Value::Bool(false);
        let req = JobRegisterRequest {
            job: spec,
            ..Default::default()
        };
        self.register_job(&req).await
    }
    pub async fn evaluate_job(
        &self,
        id: &str,
        namespace: &str,
    ) -> Result<JobRegisterResponse, ApiError> {
        self.send(
            "POST",
            &paths::job(id, "/evaluate"),
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
            &paths::job(id, "/periodic/force"),
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
            &paths::job(id, "/dispatch"),
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
        self.send(
            "POST",
            &paths::job(id, "/revert"),
            &ns(namespace),
            Some(req),
        )
        .await
    }
    /// Names a version (`version_tag`), moving nothing else.
    pub async fn tag_job_version(
        &self,
        id: &str,
        namespace: &str,
        name: &str,
        req: &TagVersionRequest,
    ) -> Result<Value, ApiError> {
        self.send(
            "PUT",
            &paths::job_version_tag(id, name),
            &ns(namespace),
            Some(req),
        )
        .await
    }
    pub async fn untag_job_version(
        &self,
        id: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, ApiError> {
        self.send::<Value, _>(
            "DELETE",
            &paths::job_version_tag(id, name),
            &ns(namespace),
            None,
        )
        .await
    }
    pub async fn set_job_stability(
        &self,
        id: &str,
        namespace: &str,
        req: &JobStabilityRequest,
    ) -> Result<JobStabilityResponse, ApiError> {
        self.send(
            "POST",
            &paths::job(id, "/stable"),
            &ns(namespace),
            Some(req),
        )
        .await
    }

    // ---- evaluations and deployments
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
            &paths::deployment_action("promote", id),
            &[],
            Some(&req),
        )
        .await
    }
    pub async fn fail_deployment(&self, id: &str) -> Result<DeploymentUpdateResponse, ApiError> {
        self.send::<Value, _>("POST", &paths::deployment_action("fail", id), &[], None)
            .await
    }

    // ---- allocations
    /// Stops an allocation; the scheduler places a replacement.
    pub async fn stop_allocation(&self, id: &str) -> Result<AllocStopResponse, ApiError> {
        self.send::<Value, _>(
            "POST",
            &format!("{}/stop", paths::allocation(id)),
            &[],
            None,
        )
        .await
    }
    /// Restarts one task (`task`), every task (`all`), or the running ones.
    pub async fn restart_allocation(
        &self,
        id: &str,
        req: &lifecycle::AllocRestartRequest,
    ) -> Result<Value, ApiError> {
        self.send(
            "POST",
            &paths::client_allocation(id, "restart"),
            &[],
            Some(req),
        )
        .await
    }
    pub async fn signal_allocation(
        &self,
        id: &str,
        req: &lifecycle::AllocSignalRequest,
    ) -> Result<Value, ApiError> {
        self.send(
            "POST",
            &paths::client_allocation(id, "signal"),
            &[],
            Some(req),
        )
        .await
    }
    /// An allocation's check results (Nomad services, 1.4+); none where
    /// the agent has no such endpoint.
    pub async fn alloc_checks(&self, id: &str) -> Result<CheckResults, ApiError> {
        match self.get(&paths::alloc_checks(id), &[]).await {
            Err(e) if e.kind == ApiErrorKind::NotFound => Ok(CheckResults::new()),
            r => r,
        }
    }

    // ---- nodes
    pub async fn node_eligibility(
        &self,
        id: &str,
        eligible: bool,
    ) -> Result<NodeUpdateResponse, ApiError> {
        let req = NodeEligibilityRequest {
            node_id: id.into(),
            eligibility: if eligible { "eligible" } else { "ineligible" }.into(),
        };
        self.send("POST", &paths::node(id, "/eligibility"), &[], Some(&req))
            .await
    }
    pub async fn node_drain(
        &self,
        id: &str,
        req: &NodeDrainRequest,
    ) -> Result<NodeUpdateResponse, ApiError> {
        self.send("POST", &paths::node(id, "/drain"), &[], Some(req))
            .await
    }
    pub async fn node_purge(&self, id: &str) -> Result<NodeUpdateResponse, ApiError> {
        self.send::<Value, _>("POST", &paths::node(id, "/purge"), &[], None)
            .await
    }
    pub async fn node_evaluate(&self, id: &str) -> Result<NodeUpdateResponse, ApiError> {
        self.send::<Value, _>("POST", &paths::node(id, "/evaluate"), &[], None)
            .await
    }

    // ---- client (answered by the node, possibly through a server)
    pub async fn gc_allocation(&self, id: &str) -> Result<Value, ApiError> {
        self.get(&paths::client_allocation(id, "gc"), &[]).await
    }
    pub async fn gc_node(&self, node_id: &str) -> Result<Value, ApiError> {
        self.get(paths::CLIENT_GC, &[("node_id", node_id.to_string())])
            .await
    }
    pub async fn fs_ls(&self, alloc: &str, path: &str) -> Result<Vec<AllocFileInfo>, ApiError> {
        self.get(&paths::fs("ls", alloc), &[("path", path.to_string())])
            .await
    }
    pub async fn fs_stat(&self, alloc: &str, path: &str) -> Result<AllocFileInfo, ApiError> {
        self.get(&paths::fs("stat", alloc), &[("path", path.to_string())])
            .await
    }
    pub async fn fs_cat(&self, alloc: &str, path: &str) -> Result<Vec<u8>, ApiError> {
        self.get_bytes(&paths::fs("cat", alloc), &[("path", path.to_string())])
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
        self.get_bytes(&paths::fs("readat", alloc), &q).await
    }
}
