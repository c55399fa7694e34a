//! Typed calls for the endpoints Yurt uses. Reads that should stay live go
//! through [`super::watch`]; these are one-shot reads and every write.

use super::client::Api;
use super::error::ApiError;
use nomad_model::*;
use serde_json::Value;

fn ns(namespace: &str) -> Vec<(&'static str, String)> {
    vec![("namespace", namespace.to_string())]
}

/// Path of a job endpoint; job IDs may contain `/` (dispatched children).
pub fn job_path(id: &str, rest: &str) -> String {
    format!(
        "/v1/job/{}{rest}",
        String::from(js_sys::encode_uri_component(id))
    )
}

impl Api {
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
    pub async fn leader(&self) -> Result<String, ApiError> {
        self.get("/v1/status/leader", &[]).await
    }

    // ---- job writes
    pub async fn register_job(
        &self,
        req: &JobRegisterRequest,
    ) -> Result<JobRegisterResponse, ApiError> {
        self.send("POST", "/v1/jobs", &[], Some(req)).await
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
        self.send(
            "POST",
            &format!("/v1/node/{id}/eligibility"),
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
        self.send("POST", &format!("/v1/node/{id}/drain"), &[], Some(req))
            .await
    }

    // ---- client
    pub async fn alloc_stats(&self, id: &str) -> Result<AllocResourceUsage, ApiError> {
        self.get(&format!("/v1/client/allocation/{id}/stats"), &[])
            .await
    }
    pub async fn host_stats(&self, node_id: &str) -> Result<HostStats, ApiError> {
        self.get("/v1/client/stats", &[("node_id", node_id.to_string())])
            .await
    }
}
