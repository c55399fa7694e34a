//! Nomad's own service catalog (`provider = "nomad"`, Nomad 1.3+): the
//! services per namespace, a service's registrations, and an allocation's
//! check results.

use crate::de::{int, nd};
use serde::Deserialize;
use std::collections::BTreeMap;

/// `GET /v1/services` entry: one namespace's services.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceNamespace {
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(deserialize_with = "nd")]
    pub services: Vec<ServiceStub>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceStub {
    #[serde(deserialize_with = "nd")]
    pub service_name: String,
    #[serde(deserialize_with = "nd")]
    pub tags: Vec<String>,
}

/// `GET /v1/service/:name` entry: where one instance of the service runs.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceRegistration {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub service_name: String,
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(rename = "NodeID", deserialize_with = "nd")]
    pub node_id: String,
    #[serde(deserialize_with = "nd")]
    pub datacenter: String,
    #[serde(rename = "JobID", deserialize_with = "nd")]
    pub job_id: String,
    #[serde(rename = "AllocID", deserialize_with = "nd")]
    pub alloc_id: String,
    #[serde(deserialize_with = "nd")]
    pub tags: Vec<String>,
    #[serde(deserialize_with = "nd")]
    pub address: String,
    #[serde(deserialize_with = "int")]
    pub port: u16,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
}

impl ServiceRegistration {
    /// `address:port`, bracketing an IPv6 address.
    pub fn endpoint(&self) -> String {
        if self.address.contains(':') {
            format!("[{}]:{}", self.address, self.port)
        } else {
            format!("{}:{}", self.address, self.port)
        }
    }
}

/// `GET /v1/allocation/:id/checks`: check ID → its latest result.
pub type CheckResults = BTreeMap<String, CheckResult>;

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CheckResult {
    #[serde(deserialize_with = "nd")]
    pub check: String,
    #[serde(deserialize_with = "nd")]
    pub service: String,
    /// `success`, `failure` or `pending`.
    #[serde(deserialize_with = "nd")]
    pub status: String,
    #[serde(deserialize_with = "nd")]
    pub output: String,
    #[serde(deserialize_with = "nd")]
    pub mode: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_and_checks_decode() {
        let r: Vec<ServiceRegistration> = serde_json::from_str(
            r#"[{"ID":"x","ServiceName":"web","Address":"fd00::1","Port":8080,"Tags":null,"AllocID":"a"}]"#,
        )
        .unwrap();
        assert_eq!(r[0].endpoint(), "[fd00::1]:8080");
        assert!(r[0].tags.is_empty());
        let c: CheckResults = serde_json::from_str(
            r#"{"c1":{"Check":"alive","Service":"web","Status":"failure","Output":"connection refused","StatusCode":0}}"#,
        )
        .unwrap();
        assert_eq!(c["c1"].status, "failure");
    }
}
