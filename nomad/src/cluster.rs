//! Cluster-wide endpoints: agent, members, regions, namespaces, ACL token,
//! leader and search.

use crate::de::{int, nd};
use crate::time::{Nanos, WallTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GET /v1/agent/self`. `config` is free-form; the helpers read what the
/// UI needs from it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct AgentSelf {
    #[serde(deserialize_with = "nd")]
    pub config: serde_json::Value,
    pub member: Option<AgentMember>,
    #[serde(deserialize_with = "nd")]
    pub stats: serde_json::Value,
}

impl AgentSelf {
    /// The agent's Nomad version: `config.Version` is a string in old docs
    /// and `{Version, VersionPrerelease, Revision}` since 0.6.1.
    pub fn version(&self) -> String {
        match self.config.get("Version") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Object(o)) => {
                let v = o.get("Version").and_then(|v| v.as_str()).unwrap_or("");
                let pre = o
                    .get("VersionPrerelease")
                    .and_then(|v| v.as_str())
                    .unwrap_or("");
                if pre.is_empty() {
                    v.to_string()
                } else {
                    format!("{v}-{pre}")
                }
            }
            _ => self
                .member
                .as_ref()
                .and_then(|m| m.tags.get("build").cloned())
                .unwrap_or_default(),
        }
    }
    pub fn region(&self) -> String {
        self.config
            .get("Region")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    }
    pub fn datacenter(&self) -> String {
        self.config
            .get("Datacenter")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    }
    pub fn acl_enabled(&self) -> bool {
        self.config
            .get("ACL")
            .and_then(|a| a.get("Enabled"))
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }
}

/// `GET /v1/agent/members`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AgentMembers {
    #[serde(deserialize_with = "nd")]
    pub server_name: String,
    #[serde(deserialize_with = "nd")]
    pub server_region: String,
    #[serde(rename = "ServerDC", deserialize_with = "nd")]
    pub server_dc: String,
    #[serde(deserialize_with = "nd")]
    pub members: Vec<AgentMember>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AgentMember {
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub addr: String,
    #[serde(deserialize_with = "int")]
    pub port: u16,
    #[serde(deserialize_with = "nd")]
    pub tags: BTreeMap<String, String>,
    #[serde(deserialize_with = "nd")]
    pub status: String,
    #[serde(deserialize_with = "int")]
    pub protocol_min: i64,
    #[serde(deserialize_with = "int")]
    pub protocol_max: i64,
    #[serde(deserialize_with = "int")]
    pub protocol_cur: i64,
    #[serde(deserialize_with = "int")]
    pub delegate_min: i64,
    #[serde(deserialize_with = "int")]
    pub delegate_max: i64,
    #[serde(deserialize_with = "int")]
    pub delegate_cur: i64,
}

impl AgentMember {
    /// `rpc_addr:port` from the gossip tags: what `/v1/status/leader`
    /// names the leader by.
    pub fn rpc_address(&self) -> String {
        let tag = |k: &str| self.tags.get(k).cloned().unwrap_or_default();
        let addr = tag("rpc_addr");
        if addr.is_empty() {
            return String::new();
        }
        let port = tag("port");
        if addr.contains(':') && !addr.starts_with('[') {
            format!("[{addr}]:{port}")
        } else {
            format!("{addr}:{port}")
        }
    }
}

/// `GET /v1/operator/raft/configuration` (a management token).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RaftConfiguration {
    #[serde(deserialize_with = "nd")]
    pub servers: Vec<RaftServer>,
    #[serde(deserialize_with = "int")]
    pub index: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RaftServer {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub node: String,
    #[serde(deserialize_with = "nd")]
    pub address: String,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub leader: bool,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub voter: bool,
    #[serde(deserialize_with = "nd")]
    pub raft_protocol: String,
}

/// `GET /v1/namespaces` entry.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Namespace {
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub description: String,
    #[serde(deserialize_with = "nd")]
    pub quota: String,
    #[serde(deserialize_with = "nd")]
    pub meta: BTreeMap<String, String>,
    #[serde(deserialize_with = "nd")]
    pub capabilities: serde_json::Value,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
}

/// `GET /v1/acl/token/self`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclToken {
    #[serde(rename = "AccessorID", deserialize_with = "nd")]
    pub accessor_id: String,
    #[serde(rename = "SecretID", deserialize_with = "nd")]
    pub secret_id: String,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    /// `client` or `management`.
    #[serde(rename = "Type", deserialize_with = "nd")]
    pub token_type: String,
    #[serde(deserialize_with = "nd")]
    pub policies: Vec<String>,
    #[serde(deserialize_with = "nd")]
    pub roles: Vec<AclTokenRoleLink>,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub global: bool,
    pub create_time: WallTime,
    pub expiration_time: WallTime,
    #[serde(rename = "ExpirationTTL")]
    pub expiration_ttl: Nanos,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
}

/// The part of `GET /v1/acl/token/self` the top bar shows. Decoding only
/// these fields keeps the rest of the token (and its time parsing) out of
/// the first load; the token page reads the whole [`AclToken`].
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AclTokenName {
    #[serde(rename = "AccessorID", deserialize_with = "nd")]
    pub accessor_id: String,
    #[serde(rename = "Name", deserialize_with = "nd")]
    pub name: String,
}

/// What `token/self` answers, whole or in part.
pub trait TokenSelf {
    fn accessor(&self) -> &str;

    /// The built-in token Nomad 2.x answers `token/self` with when ACLs are
    /// off (`structs.ACLsDisabledToken`).
    fn is_acls_disabled(&self) -> bool {
        self.accessor() == "acls-disabled"
    }
}

impl TokenSelf for AclToken {
    fn accessor(&self) -> &str {
        &self.accessor_id
    }
}

impl TokenSelf for AclTokenName {
    fn accessor(&self) -> &str {
        &self.accessor_id
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclTokenRoleLink {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub name: String,
}

/// Body of `POST /v1/search`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SearchRequest {
    pub prefix: String,
    pub context: String,
}

/// Answer of `POST /v1/search`: ids per context.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SearchResponse {
    #[serde(deserialize_with = "nd")]
    pub matches: BTreeMap<String, Option<Vec<String>>>,
    #[serde(deserialize_with = "truncations")]
    pub truncations: BTreeMap<String, bool>,
}

/// Body of `POST /v1/search/fuzzy`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FuzzySearchRequest {
    pub text: String,
    pub context: String,
}

/// Answer of `POST /v1/search/fuzzy`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FuzzySearchResponse {
    #[serde(deserialize_with = "nd")]
    pub matches: BTreeMap<String, Option<Vec<FuzzyMatch>>>,
    #[serde(deserialize_with = "truncations")]
    pub truncations: BTreeMap<String, bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FuzzyMatch {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub scope: Vec<String>,
}

/// Truncations are booleans, but the docs print them as `"false"`.
fn truncations<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, bool>, D::Error> {
    #[derive(Deserialize)]
    struct B(#[serde(deserialize_with = "crate::de::boolish")] bool);
    let m: Option<BTreeMap<String, B>> = Option::deserialize(d)?;
    Ok(m.unwrap_or_default()
        .into_iter()
        .map(|(k, B(b))| (k, b))
        .collect())
}
