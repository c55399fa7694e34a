//! ACLs as Nomad 2.x keeps them: tokens and policies in the state store,
//! resolved on every request into what the caller may do
//! (`nomad/acl.go` `ResolveACL`, `acl/acl.go`). With ACLs off every request
//! may do everything, and `token/self` answers `structs.ACLsDisabledToken`.

pub mod policy;

use crate::api::http::Params;
use crate::error::{ApiError, ApiResult};
use base64::Engine;
use policy::Acl;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The secret of the management token seeded in `--acl` mode.
pub const MANAGEMENT_SECRET: &str = "3f4b1c2d-5e6f-4a70-8b91-c2d3e4f5a6b7";
/// The secret of the read-only token seeded in `--acl` mode.
pub const READONLY_SECRET: &str = "7e9a5d10-2b3c-4d4e-9f50-61728394a5b6";

/// `structs.ACLToken` as the API marshals it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct Token {
    #[serde(rename = "AccessorID")]
    pub accessor_id: String,
    #[serde(rename = "SecretID")]
    pub secret_id: String,
    pub name: String,
    #[serde(rename = "Type")]
    pub token_type: String,
    pub policies: Option<Vec<String>>,
    pub roles: Option<Vec<serde_json::Value>>,
    pub global: bool,
    /// `[]byte`, base64 in JSON.
    pub hash: Option<String>,
    pub create_time: String,
    pub expiration_time: Option<String>,
    #[serde(rename = "ExpirationTTL")]
    pub expiration_ttl: i64,
    pub create_index: u64,
    pub modify_index: u64,
}

impl Token {
    /// `ACLToken.Stub`: the token without its secret.
    pub fn stub(&self) -> serde_json::Value {
        serde_json::json!({
            "AccessorID": self.accessor_id, "Name": self.name, "Type": self.token_type,
            "Policies": self.policies, "Roles": self.roles, "Global": self.global,
            "Hash": self.hash, "CreateTime": self.create_time,
            "ExpirationTime": self.expiration_time,
            "CreateIndex": self.create_index, "ModifyIndex": self.modify_index,
        })
    }
    pub fn is_management(&self) -> bool {
        self.token_type == "management"
    }
    pub fn set_hash(&mut self) {
        self.hash = Some(hash_of(&[
            &self.name,
            &self.token_type,
            &self.policies.clone().unwrap_or_default().join(","),
            if self.global { "g" } else { "l" },
        ]));
    }
}

/// `structs.ACLPolicy`: the rules as written plus what they parse into.
#[derive(Clone, Debug)]
pub struct StoredPolicy {
    pub name: String,
    pub description: String,
    pub rules: String,
    pub parsed: policy::Policy,
    pub create_index: u64,
    pub modify_index: u64,
}

impl StoredPolicy {
    pub fn hash(&self) -> String {
        hash_of(&[&self.name, &self.description, &self.rules])
    }
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "Name": self.name, "Description": self.description, "Rules": self.rules,
            "RulesJSON": rules_json(&self.parsed), "JobACL": null, "Hash": self.hash(),
            "CreateIndex": self.create_index, "ModifyIndex": self.modify_index,
        })
    }
    pub fn stub(&self) -> serde_json::Value {
        serde_json::json!({
            "Name": self.name, "Description": self.description, "JobACL": null,
            "Hash": self.hash(), "CreateIndex": self.create_index, "ModifyIndex": self.modify_index,
        })
    }
}

/// `acl.Policy` as JSON (`RulesJSON`), in the parsed form Nomad returns.
fn rules_json(p: &policy::Policy) -> serde_json::Value {
    use serde_json::json;
    let named = |n: &policy::NamedPolicy| json!({"Name": n.name, "Policy": n.policy, "Capabilities": n.capabilities});
    json!({
        "Namespaces": p.namespaces.iter().map(|n| json!({
            "Name": n.name, "Policy": n.policy, "Capabilities": n.capabilities,
            "Variables": n.variables.as_ref().map(|v| json!({"Paths": v.iter().map(|(path, caps)| json!({"PathSpec": path, "Capabilities": caps})).collect::<Vec<_>>()})),
        })).collect::<Vec<_>>(),
        "NodePools": p.node_pools.iter().map(named).collect::<Vec<_>>(),
        "HostVolumes": p.host_volumes.iter().map(named).collect::<Vec<_>>(),
        "Agent": p.agent.as_ref().map(|x| json!({"Policy": x})),
        "Node": p.node.as_ref().map(|x| json!({"Policy": x})),
        "Operator": p.operator.as_ref().map(named),
        "Quota": p.quota.as_ref().map(|x| json!({"Policy": x})),
        "Plugin": p.plugin.as_ref().map(|x| json!({"Policy": x})),
    })
}

/// A 32-byte digest in base64, standing in for Nomad's BLAKE2b: clients
/// only compare it.
fn hash_of(parts: &[&str]) -> String {
    let mut out = Vec::with_capacity(32);
    for round in 0u8..4 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        round.hash(&mut h);
        parts.hash(&mut h);
        out.extend_from_slice(&h.finish().to_be_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(out)
}

/// The ACL tables of the state store.
#[derive(Clone, Debug, Default)]
pub struct AclState {
    pub enabled: bool,
    /// The raft index of the bootstrap, once done.
    pub bootstrap_index: Option<u64>,
    /// Tokens by accessor ID.
    pub tokens: BTreeMap<String, Token>,
    pub policies: BTreeMap<String, StoredPolicy>,
}

/// Who is asking, and what they may do. `acl: None` means ACLs are off.
#[derive(Clone, Debug)]
pub struct Caller {
    pub acl: Option<Arc<Acl>>,
    pub token: Option<Token>,
}

impl AclState {
    /// `--acl`: ACLs on and already bootstrapped, with a management token
    /// and a read-only one whose secrets the banner prints.
    pub fn seeded(created: &str) -> Self {
        let mut s = AclState {
            enabled: true,
            bootstrap_index: Some(5),
            ..Default::default()
        };
        let rules = "namespace \"*\" {\n  policy = \"read\"\n}\nnode {\n  policy = \"read\"\n}\nagent {\n  policy = \"read\"\n}\noperator {\n  policy = \"read\"\n}\nnode_pool \"*\" {\n  policy = \"read\"\n}\n";
        if let Ok(parsed) = policy::parse_lenient(rules) {
            s.policies.insert(
                "readonly".into(),
                StoredPolicy {
                    name: "readonly".into(),
                    description: "Read everything, change nothing".into(),
                    rules: rules.into(),
                    parsed,
                    create_index: 6,
                    modify_index: 6,
                },
            );
        }
        let mk = |accessor: &str,
                  secret: &str,
                  name: &str,
                  ty: &str,
                  policies: Option<Vec<String>>,
                  idx| {
            let mut t = Token {
                accessor_id: accessor.into(),
                secret_id: secret.into(),
                name: name.into(),
                token_type: ty.into(),
                policies,
                global: ty == "management",
                create_time: created.into(),
                create_index: idx,
                modify_index: idx,
                ..Default::default()
            };
            t.set_hash();
            t
        };
        for t in [
            mk(
                "b1a0c3e2-1111-4c5d-8e9f-0a1b2c3d4e5f",
                MANAGEMENT_SECRET,
                "Bootstrap Token",
                "management",
                None,
                5,
            ),
            mk(
                "c2b1d4f3-2222-4d6e-9fa0-1b2c3d4e5f60",
                READONLY_SECRET,
                "Read-only operator",
                "client",
                Some(vec!["readonly".into()]),
                7,
            ),
        ] {
            s.tokens.insert(t.accessor_id.clone(), t);
        }
        s
    }

    /// `--acl-fresh`: ACLs on, nothing bootstrapped yet.
    pub fn fresh() -> Self {
        AclState {
            enabled: true,
            ..Default::default()
        }
    }

    pub fn by_secret(&self, secret: &str) -> Option<&Token> {
        self.tokens.values().find(|t| t.secret_id == secret)
    }

    /// Whether a token's expiration time has passed.
    pub fn expired(t: &Token, now_nanos: i64) -> bool {
        t.expiration_time
            .as_deref()
            .and_then(|t| nomad_model::WallTime::parse(t).ok()?.unix_nanos())
            .is_some_and(|exp| exp.0 <= now_nanos)
    }

    /// `ResolveToken`: no token is the anonymous token (the `anonymous`
    /// policy, if anyone wrote one); an unknown secret is refused outright.
    pub fn resolve(&self, secret: Option<&str>, now_nanos: i64) -> ApiResult<Caller> {
        if !self.enabled {
            return Ok(Caller {
                acl: None,
                token: None,
            });
        }
        let Some(secret) = secret else {
            return Ok(Caller {
                acl: Some(Arc::new(self.acl_of(&["anonymous".to_string()]))),
                token: None,
            });
        };
        // An unknown secret fails `Authenticate`, which most RPCs answer
        // with `ErrPermissionDenied`.
        let t = self
            .by_secret(secret)
            .ok_or_else(ApiError::permission_denied)?;
        if Self::expired(t, now_nanos) {
            return Err(ApiError::permission_denied());
        }
        let acl = if t.is_management() {
            Acl::management()
        } else {
            self.acl_of(t.policies.as_deref().unwrap_or_default())
        };
        Ok(Caller {
            acl: Some(Arc::new(acl)),
            token: Some(t.clone()),
        })
    }

    fn acl_of(&self, names: &[String]) -> Acl {
        let ps: Vec<policy::Policy> = names
            .iter()
            .filter_map(|n| self.policies.get(n).map(|p| p.parsed.clone()))
            .collect();
        Acl::from_policies(&ps)
    }
}

/// Which namespaces a list answers for.
pub enum NsScope {
    One(String),
    /// `namespace=*`: every namespace, or only these.
    All(Option<BTreeSet<String>>),
}

impl NsScope {
    pub fn matches(&self, ns: &str) -> bool {
        match self {
            NsScope::One(n) => n == ns,
            NsScope::All(None) => true,
            NsScope::All(Some(set)) => set.contains(ns),
        }
    }
}

impl Caller {
    pub fn acls_enabled(&self) -> bool {
        self.acl.is_some()
    }
    fn allows(&self, f: impl FnOnce(&Acl) -> bool) -> bool {
        self.acl.as_deref().is_none_or(f)
    }
    fn require(&self, ok: bool) -> ApiResult<()> {
        if ok {
            Ok(())
        } else {
            Err(ApiError::permission_denied())
        }
    }
    pub fn is_management(&self) -> bool {
        self.allows(Acl::is_management)
    }
    /// Any capability in the namespace (`AllowNamespace`), for listing it.
    pub fn allow_namespace(&self, ns: &str) -> bool {
        self.allows(|a| a.allow_namespace(ns))
    }
    pub fn allow_ns(&self, ns: &str, cap: &str) -> bool {
        self.allows(|a| a.allow_ns_op(ns, cap))
    }
    /// A namespace capability, or 403 `Permission denied`.
    pub fn ns(&self, ns: &str, cap: &str) -> ApiResult<()> {
        self.require(self.allow_ns(ns, cap))
    }
    /// Any one of several namespace capabilities (`AllowNsOpFunc` with a
    /// list, as the read-logs/read-fs pair).
    pub fn ns_any(&self, ns: &str, caps: &[&str]) -> ApiResult<()> {
        self.require(caps.iter().any(|c| self.allow_ns(ns, c)))
    }
    pub fn management(&self) -> ApiResult<()> {
        self.require(self.is_management())
    }
    pub fn node_read(&self) -> ApiResult<()> {
        self.require(self.allows(Acl::allow_node_read))
    }
    pub fn node_write(&self) -> ApiResult<()> {
        self.require(self.allows(Acl::allow_node_write))
    }
    pub fn agent_read(&self) -> ApiResult<()> {
        self.require(self.allows(Acl::allow_agent_read))
    }
    pub fn agent_write(&self) -> ApiResult<()> {
        self.require(self.allows(Acl::allow_agent_write))
    }
    pub fn operator_read(&self) -> ApiResult<()> {
        self.require(self.allows(Acl::allow_operator_read))
    }
    pub fn operator_write(&self) -> ApiResult<()> {
        self.require(self.allows(Acl::allow_operator_write))
    }
    pub fn node_pool(&self, pool: &str, cap: &str) -> ApiResult<()> {
        self.require(self.allows(|a| a.allow_node_pool_op(pool, cap)))
    }
    pub fn allow_variable(&self, ns: &str, path: &str, op: &str) -> bool {
        self.allows(|a| a.allow_variable_op(ns, path, op))
    }
    pub fn variable(&self, ns: &str, path: &str, op: &str) -> ApiResult<()> {
        self.require(self.allow_variable(ns, path, op))
    }

    /// The namespaces a list request covers: one namespace needs `cap` in
    /// it; `*` needs `cap` in some namespace and then covers those the
    /// token has it in (`allowedNSes`), so a list is filtered, not refused.
    pub fn list_scope(&self, q: &Params, cap: &str, all: &[String]) -> ApiResult<NsScope> {
        let ns = q.namespace();
        self.ns(&ns, cap)?;
        if ns != "*" {
            return Ok(NsScope::One(ns));
        }
        Ok(NsScope::All(self.acl.as_deref().and_then(|a| {
            a.allowed_namespaces(cap, all.iter().map(String::as_str))
        })))
    }
}
