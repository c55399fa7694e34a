//! ACL policy engine modelled on Nomad v2.0.5: `acl/policy.go` (parsing,
//! validation, shorthand expansion) and `acl/acl.go` (merging policies into
//! one [`Acl`] and answering "may this token do X").
//!
//! Wildcard namespace list requests (`?namespace=*`), as `nomad/job_endpoint.go`
//! `Job.List` (and `Alloc.List`, `Eval.List`, `Deployment.List`, ...) do it:
//! 1. Gate: `AllowNsOp("*", cap)`. For `ns == "*"` this is true when *any*
//!    namespace rule (exact or glob) grants `cap`, else the closest glob
//!    matching the literal string `"*"` decides. Gate fails -> 403
//!    `Permission denied`.
//! 2. Filter: `allowedNSes` walks the namespaces that exist in state and keeps
//!    those where `AllowNsOp(ns, cap)` holds. Management -> no filter (`nil`).
//!    Nothing kept -> not a 403: the list answers `[]`.
//!
//! [`Acl::allowed_namespaces`] is step 2 and [`Acl::allow_ns_op`] with `"*"` is step 1.
//! Namespace listing itself uses `AllowNamespace` (any non-deny capability)
//! per namespace, see [`Acl::allow_namespace`].
//!
//! Rules text is HCL (parsed with `hcl-rs`) or JSON (first non-blank char `{`,
//! as HCL1 does). Error texts follow Nomad; HCL syntax errors read
//! `At L:C: <hcl-rs message>` rather than HCL1's wording.
//!
//! Layout: this file (types, validation), `decode.rs` (rules text -> blocks),
//! `engine.rs` (the compiled [`Acl`]), `policy_tests.rs`; the three are
//! child modules declared here with `#[path]`, so `acl/mod.rs` only needs
//! `pub mod policy;`.

#[path = "decode.rs"]
mod decode;
#[path = "engine.rs"]
mod engine;
#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;

use decode::{decode, go_quote, go_struct, valid_name, Raw};
pub use engine::{glob_match, Acl};

/// The `namespace` shorthand levels (`policy = "..."`); plugins also take `list`.
pub const POLICY_LEVELS: [&str; 4] = ["deny", "read", "write", "scale"];

#[rustfmt::skip]
const NS_CAPS: &[&str] = &[
    "deny", "list-jobs", "parse-job", "read-job", "submit-job", "dispatch-job", "read-logs",
    "read-fs", "alloc-exec", "alloc-node-exec", "alloc-lifecycle", "csi-register-plugin",
    "csi-write-volume", "csi-read-volume", "csi-list-volume", "csi-mount-volume",
    "host-volume-create", "host-volume-register", "host-volume-read", "host-volume-write",
    "host-volume-delete", "list-scaling-policies", "read-scaling-policy", "read-job-scaling",
    "scale-job", "register-job", "revert-job", "deregister-job", "purge-job", "evaluate-job",
    "plan-job", "tag-job-version", "stable-job", "fail-deployment", "pause-deployment",
    "promote-deployment", "unblock-deployment", "cancel-deployment",
    "set-alloc-health-deployment", "gc-allocation", "pause-allocation", "force-periodic-job",
    "delete-service-registration", "sentinel-override", "submit-recommendation",
];
#[rustfmt::skip]
const NS_READ: &[&str] = &[
    "list-jobs", "parse-job", "read-job", "csi-list-volume", "csi-read-volume",
    "read-job-scaling", "list-scaling-policies", "read-scaling-policy", "host-volume-read",
];
#[rustfmt::skip]
const NS_WRITE_EXTRA: &[&str] = &[
    "scale-job", "submit-job", "dispatch-job", "read-logs", "read-fs", "alloc-exec",
    "alloc-lifecycle", "csi-mount-volume", "csi-write-volume", "submit-recommendation",
    "host-volume-create",
];
#[rustfmt::skip]
const NS_SCALE: &[&str] = &[
    "list-scaling-policies", "read-scaling-policy", "read-job-scaling", "scale-job", "read-job",
    "submit-recommendation",
];
const VAR_CAPS: &[&str] = &["write", "read", "list", "destroy", "deny"];
const POOL_CAPS: &[&str] = &["delete", "read", "write", "deny"];
const HV_CAPS: &[&str] = &["deny", "mount-readonly", "mount-readwrite"];
#[rustfmt::skip]
const OP_CAPS: &[&str] = &[
    "deny", "snapshot-save", "keyring-rotate", "keyring-read", "keyring-delete", "license-read",
];
#[rustfmt::skip]
const SENTINEL_CAPS: &[&str] = &[
    "deny", "sentinel-read", "sentinel-submit", "sentinel-delete",
];

/// Expands a `namespace` shorthand policy (`expandNamespacePolicy`).
pub fn expand_namespace_policy(policy: &str) -> Vec<String> {
    let caps: Vec<&str> = match policy {
        "deny" => vec!["deny"],
        "read" => NS_READ.to_vec(),
        "write" => NS_READ.iter().chain(NS_WRITE_EXTRA).copied().collect(),
        "scale" => NS_SCALE.to_vec(),
        _ => vec![],
    };
    caps.into_iter().map(String::from).collect()
}

#[rustfmt::skip]
fn expand_other(kind: &str, policy: &str) -> &'static [&'static str] {
    match (kind, policy) {
        (_, "deny") => &["deny"],
        ("node_pool", "read") => &["read"],
        ("node_pool", "write") => &["delete", "read", "write"],
        ("host_volume", "read") => &["mount-readonly"],
        ("host_volume", "write") => &["mount-readonly", "mount-readwrite"],
        ("operator", "read") => &["license-read", "keyring-read"],
        ("operator", "write") => &[
            "snapshot-save",
            "license-read",
            "keyring-rotate",
            "keyring-read",
            "keyring-delete",
        ],
        ("sentinel", "read") => &["sentinel-read"],
        ("sentinel", "write") => &["sentinel-read", "sentinel-submit", "sentinel-delete"],
        _ => &[],
    }
}

/// One parsed policy (`acl.Policy`), shorthands already expanded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    pub namespaces: Vec<NamespacePolicy>,
    pub node_pools: Vec<NamedPolicy>,
    pub host_volumes: Vec<NamedPolicy>,
    pub agent: Option<String>,
    pub node: Option<String>,
    pub operator: Option<NamedPolicy>,
    pub sentinel: Option<NamedPolicy>,
    pub quota: Option<String>,
    pub plugin: Option<String>,
    pub raw: String,
}

/// A `namespace "name" { ... }` rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespacePolicy {
    pub name: String,
    pub policy: String,
    pub capabilities: Vec<String>,
    /// `variables { path "spec" { capabilities = [...] } }`: (path spec, capabilities).
    pub variables: Option<Vec<(String, Vec<String>)>>,
}

/// `node_pool`, `host_volume` (named) and `operator`/`sentinel` (name empty) rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedPolicy {
    pub name: String,
    pub policy: String,
    pub capabilities: Vec<String>,
}

/// Parses rules in strict mode (`acl.Parse(rules, PolicyParseStrict)`), as
/// Nomad does when a policy is created or updated.
pub fn parse(rules: &str) -> Result<Policy, String> {
    parse_with(rules, true)
}

/// Lenient mode (`PolicyParseLenient`): unknown/duplicate top-level keys are
/// ignored. Nomad uses this when compiling stored policies for a token.
pub fn parse_lenient(rules: &str) -> Result<Policy, String> {
    parse_with(rules, false)
}

fn parse_with(rules: &str, strict: bool) -> Result<Policy, String> {
    let mut p = Policy {
        raw: rules.to_string(),
        ..Policy::default()
    };
    if rules.is_empty() {
        return Ok(p);
    }
    let (ns, np, hv, singles, mut extra) =
        decode(rules).map_err(|e| format!("Failed to parse ACL Policy: {e}"))?;
    let [agent, node, operator, sentinel, quota, plugin] = singles;
    if ns.is_empty()
        && np.is_empty()
        && hv.is_empty()
        && [&agent, &node, &operator, &sentinel, &quota, &plugin]
            .iter()
            .all(|s| s.is_none())
    {
        return Err(format!("Invalid policy: {rules}"));
    }
    let mut forget = |name: &str| {
        if let Some(i) = extra.iter().position(|k| k == name) {
            extra.remove(i);
        }
    };
    for r in &ns {
        let (name, dbg) = (
            r.label.clone().unwrap_or_default(),
            go_struct("NamespacePolicy", r, true, true, true),
        );
        if !valid_name(&name, "") {
            return Err(format!("Invalid namespace name: {dbg}"));
        }
        if !r.policy.is_empty() && !POLICY_LEVELS.contains(&r.policy.as_str()) {
            return Err(format!("Invalid namespace policy: {dbg}"));
        }
        let mut caps = r.caps.clone().unwrap_or_default();
        if let Some(c) = caps.iter().find(|c| !NS_CAPS.contains(&c.as_str())) {
            return Err(format!("Invalid namespace capability '{c}': {dbg}"));
        }
        caps.extend(expand_namespace_policy(&r.policy));
        let mut implied = vec![];
        for c in &caps {
            implied.extend_from_slice(match c.as_str() {
                "host-volume-write" => &[
                    "host-volume-register",
                    "host-volume-create",
                    "host-volume-delete",
                    "host-volume-read",
                ][..],
                "host-volume-register" => &["host-volume-create", "host-volume-read"][..],
                "host-volume-create" => &["host-volume-read"][..],
                _ => &[][..],
            });
        }
        caps.extend(implied.into_iter().map(String::from));
        let mut variables = None;
        if let Some(paths) = &r.vars {
            if paths.is_empty() {
                return Err(format!(
                    "Invalid variable policy: no variable paths in namespace {name}"
                ));
            }
            let mut out = vec![];
            for path in paths {
                let spec = path.label.clone().unwrap_or_default();
                if spec.is_empty() {
                    return Err(format!("Invalid missing variable path in namespace {name}"));
                }
                if spec.starts_with('/') {
                    return Err(format!("Invalid variable path {} in namespace {name}: cannot start with a leading '/'`", go_quote(&spec)));
                }
                let mut vc = path.caps.clone().unwrap_or_default();
                if let Some(c) = vc.iter().find(|c| !VAR_CAPS.contains(&c.as_str())) {
                    return Err(format!(
                        "Invalid variable capability '{c}' in namespace {name}"
                    ));
                }
                if vc.iter().any(|c| c == "deny") {
                    vc = vec!["deny".into()];
                } else if vc.iter().any(|c| c == "read") && !vc.iter().any(|c| c == "list") {
                    vc.push("list".into());
                }
                out.push((spec, vc));
            }
            variables = Some(out);
        }
        forget(&name);
        p.namespaces.push(NamespacePolicy {
            name,
            policy: r.policy.clone(),
            capabilities: caps,
            variables,
        });
    }
    for r in &np {
        let name = r.label.clone().unwrap_or_default();
        if !valid_name(&name, "_") {
            return Err(format!("Invalid node pool name '{name}'"));
        }
        if !r.policy.is_empty() && !POLICY_LEVELS.contains(&r.policy.as_str()) {
            return Err(format!(
                "Invalid node pool policy '{}' for '{name}'",
                r.policy
            ));
        }
        let mut caps = r.caps.clone().unwrap_or_default();
        if let Some(c) = caps.iter().find(|c| !POOL_CAPS.contains(&c.as_str())) {
            return Err(format!("Invalid node pool capability '{c}' for '{name}'"));
        }
        caps.extend(
            expand_other("node_pool", &r.policy)
                .iter()
                .map(|s| s.to_string()),
        );
        forget(&name);
        p.node_pools.push(NamedPolicy {
            name,
            policy: r.policy.clone(),
            capabilities: caps,
        });
    }
    for r in &hv {
        let (name, dbg) = (
            r.label.clone().unwrap_or_default(),
            go_struct("HostVolumePolicy", r, true, true, false),
        );
        if !valid_name(&name, "") {
            return Err(format!("Invalid host volume name: {dbg}"));
        }
        if !r.policy.is_empty() && !POLICY_LEVELS.contains(&r.policy.as_str()) {
            return Err(format!("Invalid host volume policy: {dbg}"));
        }
        let mut caps = r.caps.clone().unwrap_or_default();
        if let Some(c) = caps.iter().find(|c| !HV_CAPS.contains(&c.as_str())) {
            return Err(format!("Invalid host volume capability '{c}': {dbg}"));
        }
        caps.extend(
            expand_other("host_volume", &r.policy)
                .iter()
                .map(|s| s.to_string()),
        );
        forget(&name);
        p.host_volumes.push(NamedPolicy {
            name,
            policy: r.policy.clone(),
            capabilities: caps,
        });
    }
    if strict && !extra.is_empty() {
        return Err(format!(
            "Invalid or duplicate policy keys: {}",
            extra.join(", ")
        ));
    }
    let level = |kind: &str, ty: &str, r: Option<Raw>, ok: &[&str]| match r {
        Some(r) if !ok.contains(&r.policy.as_str()) => Err(format!(
            "Invalid {kind} policy: {}",
            go_struct(ty, &r, false, false, false)
        )),
        r => Ok(r.map(|r| r.policy)),
    };
    p.agent = level("agent", "AgentPolicy", agent, &POLICY_LEVELS)?;
    p.node = level("node", "NodePolicy", node, &POLICY_LEVELS)?;
    for (kind, ty, r, valid, slot) in [
        (
            "operator",
            "OperatorPolicy",
            operator,
            OP_CAPS,
            &mut p.operator,
        ),
        (
            "sentinel",
            "SentinelPolicy",
            sentinel,
            SENTINEL_CAPS,
            &mut p.sentinel,
        ),
    ] {
        let Some(r) = r else { continue };
        if !r.policy.is_empty() && !POLICY_LEVELS.contains(&r.policy.as_str()) {
            return Err(format!(
                "Invalid {kind} policy: {}",
                go_struct(ty, &r, false, true, false)
            ));
        }
        let mut caps = r.caps.clone().unwrap_or_default();
        if let Some(c) = caps.iter().find(|c| !valid.contains(&c.as_str())) {
            return Err(format!("Invalid {kind} capability '{c}'"));
        }
        caps.extend(expand_other(kind, &r.policy).iter().map(|s| s.to_string()));
        *slot = Some(NamedPolicy {
            name: String::new(),
            policy: r.policy,
            capabilities: caps,
        });
    }
    p.quota = level("quota", "QuotaPolicy", quota, &POLICY_LEVELS)?;
    p.plugin = level(
        "plugin",
        "PluginPolicy",
        plugin,
        &["deny", "read", "list", "write"],
    )?;
    Ok(p)
}

/// `ACLPolicy.Validate()` (nomad/structs/acl.go) as a go-multierror text. The
/// upsert endpoint answers 400 `policy {idx} invalid: {this}`.
pub fn validate_acl_policy(name: &str, description: &str, rules: &str) -> Result<(), String> {
    let mut errs = vec![];
    if !valid_name(name, "") || name.contains('*') {
        errs.push(format!("invalid name '{name}'"));
    }
    if let Err(e) = parse(rules) {
        errs.push(format!("failed to parse rules: {e}"));
    }
    if description.len() > 256 {
        errs.push("description longer than 256".to_string());
    }
    match errs.len() {
        0 => Ok(()),
        1 => Err(format!("1 error occurred:\n\t* {}\n\n", errs[0])),
        n => Err(format!(
            "{n} errors occurred:\n\t* {}\n\n",
            errs.join("\n\t* ")
        )),
    }
}
