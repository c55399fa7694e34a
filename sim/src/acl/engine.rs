//! The compiled ACL (Nomad v2.0.5 `acl/acl.go`): several parsed policies
//! merged into what one token may do. Part of `policy.rs` (declared there
//! with `#[path]`); see that file for the wildcard-namespace notes.

use super::Policy;
use std::collections::{BTreeMap, BTreeSet};

type Caps = BTreeSet<String>;
type Tree = BTreeMap<String, Caps>; // ordered like Nomad's iradix trees

/// What a token may do: several policies merged (`acl.ACL`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acl {
    management: bool,
    namespaces: Tree,
    wildcard_namespaces: Tree,
    node_pools: Tree,
    wildcard_node_pools: Tree,
    host_volumes: Tree,
    wildcard_host_volumes: Tree,
    variables: Tree, // key: "<ns>\0<path>"
    wildcard_variables: Tree,
    agent: String,
    node: String,
    operator: String,
    sentinel: String,
    quota: String,
    plugin: String,
    operator_caps: Caps,
    sentinel_caps: Caps,
}

/// `maxPrivilege`: deny > write > read > list; anything else (e.g. `scale`) is "".
fn max_privilege(a: &str, b: &str) -> String {
    ["deny", "write", "read", "list"]
        .into_iter()
        .find(|l| a == *l || b == *l)
        .unwrap_or("")
        .to_string()
}

/// Adds capabilities to a set; a `deny` clears it and then blocks all later additions.
fn add_caps(set: &mut Caps, caps: &[String]) {
    if set.contains("deny") {
        return;
    }
    for c in caps {
        if c == "deny" {
            set.clear();
            set.insert(c.clone());
            return;
        }
        set.insert(c.clone());
    }
}

fn entry<'a>(exact: &'a mut Tree, wild: &'a mut Tree, name: &str, glob: bool) -> &'a mut Caps {
    if glob { wild } else { exact }
        .entry(name.to_string())
        .or_default()
}

/// `github.com/ryanuber/go-glob`: `*` matches any run of characters.
pub fn glob_match(pattern: &str, subj: &str) -> bool {
    if pattern.is_empty() || !pattern.contains('*') {
        return subj == pattern;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (last, init) = parts.split_last().expect("split yields at least one part");
    let mut rest = subj;
    for (i, part) in init.iter().enumerate() {
        match rest.find(part) {
            Some(idx) if i > 0 || idx == 0 => rest = &rest[idx + part.len()..],
            _ => return false,
        }
    }
    pattern.ends_with('*') || rest.ends_with(last)
}

/// `findClosestMatchingGlob`: of all matching globs the one with the smallest
/// `len(name) - len(glob) + count(glob, "*")`; ties go to the later key in
/// tree order, as Nomad's `sort.SliceStable` with a `<=` comparator does.
fn closest_glob<'a>(tree: &'a Tree, name: &str) -> Option<&'a Caps> {
    let mut best: Option<(i64, &Caps)> = None;
    for (k, v) in tree.iter().filter(|(k, _)| glob_match(k, name)) {
        let d = name.len() as i64 - k.len() as i64 + k.matches('*').count() as i64;
        if best.is_none_or(|(b, _)| d <= b) {
            best = Some((d, v));
        }
    }
    best.map(|(_, v)| v)
}

fn lookup<'a>(exact: &'a Tree, wild: &'a Tree, name: &str) -> Option<&'a Caps> {
    exact.get(name).or_else(|| closest_glob(wild, name))
}

fn usable(c: &Caps) -> bool {
    !c.is_empty() && !c.contains("deny")
}

impl Acl {
    /// A management token's ACL: everything allowed.
    pub fn management() -> Acl {
        Acl {
            management: true,
            ..Acl::default()
        }
    }

    /// `NewACL(false, policies)`.
    pub fn from_policies(policies: &[Policy]) -> Acl {
        let mut a = Acl::default();
        for p in policies {
            for ns in &p.namespaces {
                let glob = ns.name.contains('*');
                for (path, caps) in ns.variables.iter().flatten() {
                    let key = format!("{}\0{path}", ns.name);
                    let set = entry(
                        &mut a.variables,
                        &mut a.wildcard_variables,
                        &key,
                        glob || path.contains('*'),
                    );
                    set.extend(caps.iter().cloned()); // plain union: no deny override here
                }
                add_caps(
                    entry(
                        &mut a.namespaces,
                        &mut a.wildcard_namespaces,
                        &ns.name,
                        glob,
                    ),
                    &ns.capabilities,
                );
            }
            for np in &p.node_pools {
                let set = entry(
                    &mut a.node_pools,
                    &mut a.wildcard_node_pools,
                    &np.name,
                    np.name.contains('*'),
                );
                add_caps(set, &np.capabilities);
            }
            for hv in &p.host_volumes {
                let set = entry(
                    &mut a.host_volumes,
                    &mut a.wildcard_host_volumes,
                    &hv.name,
                    hv.name.contains('*'),
                );
                add_caps(set, &hv.capabilities);
            }
            let levels = [
                (&mut a.agent, p.agent.as_deref()),
                (&mut a.node, p.node.as_deref()),
                (&mut a.quota, p.quota.as_deref()),
                (&mut a.plugin, p.plugin.as_deref()),
                (
                    &mut a.operator,
                    p.operator.as_ref().map(|o| o.policy.as_str()),
                ),
                (
                    &mut a.sentinel,
                    p.sentinel.as_ref().map(|o| o.policy.as_str()),
                ),
            ];
            for (slot, level) in levels {
                if let Some(level) = level {
                    *slot = max_privilege(slot, level);
                }
            }
            if let Some(o) = &p.operator {
                add_caps(&mut a.operator_caps, &o.capabilities);
            }
            if let Some(s) = &p.sentinel {
                add_caps(&mut a.sentinel_caps, &s.capabilities);
            }
        }
        a
    }

    pub fn is_management(&self) -> bool {
        self.management
    }

    /// `AllowNamespaceOperation`. `ns == "*"` passes if any namespace rule grants `op`.
    pub fn allow_ns_op(&self, ns: &str, op: &str) -> bool {
        if self.management || (ns == "*" && self.any_namespace(|c| c.contains(op))) {
            return true;
        }
        lookup(&self.namespaces, &self.wildcard_namespaces, ns).is_some_and(|c| c.contains(op))
    }

    /// `NamespaceValidator` / `AllowNsOpAnyOf`: any of `ops` allowed.
    pub fn allow_ns_op_any(&self, ns: &str, ops: &[&str]) -> bool {
        ops.iter().any(|op| self.allow_ns_op(ns, op))
    }

    /// `AllowNamespace`: any non-deny capability in `ns` (namespace list/read).
    pub fn allow_namespace(&self, ns: &str) -> bool {
        if self.management || (ns == "*" && self.any_namespace(usable)) {
            return true;
        }
        lookup(&self.namespaces, &self.wildcard_namespaces, ns).is_some_and(usable)
    }

    fn any_namespace(&self, f: impl Fn(&Caps) -> bool) -> bool {
        self.namespaces
            .values()
            .chain(self.wildcard_namespaces.values())
            .any(f)
    }

    /// `allowedNSes` (nomad/job_endpoint.go): which of the existing namespaces
    /// a list request may show. `None` = management, no filtering. An empty set
    /// means the endpoint answers an empty list (not 403). Callers first gate
    /// with `allow_ns_op(requested_ns, cap)` (403 when false).
    pub fn allowed_namespaces<'a>(
        &self,
        cap: &str,
        existing: impl IntoIterator<Item = &'a str>,
    ) -> Option<BTreeSet<String>> {
        if self.management {
            return None;
        }
        Some(
            existing
                .into_iter()
                .filter(|ns| self.allow_ns_op(ns, cap))
                .map(String::from)
                .collect(),
        )
    }

    pub fn allow_node_pool_op(&self, pool: &str, op: &str) -> bool {
        self.management
            || lookup(&self.node_pools, &self.wildcard_node_pools, pool)
                .is_some_and(|c| c.contains(op))
    }

    /// `AllowNodePool`: any non-deny capability on the pool.
    pub fn allow_node_pool(&self, pool: &str) -> bool {
        self.management
            || lookup(&self.node_pools, &self.wildcard_node_pools, pool).is_some_and(usable)
    }

    /// `AllowNodePoolSearch`: some pool rule without deny.
    pub fn allow_node_pool_search(&self) -> bool {
        self.management
            || self
                .node_pools
                .values()
                .chain(self.wildcard_node_pools.values())
                .any(|c| !c.contains("deny"))
    }

    pub fn allow_host_volume_op(&self, name: &str, op: &str) -> bool {
        self.management
            || lookup(&self.host_volumes, &self.wildcard_host_volumes, name)
                .is_some_and(|c| c.contains(op))
    }

    /// `AllowVariableOperation` without a workload-identity claim.
    pub fn allow_variable_op(&self, ns: &str, path: &str, op: &str) -> bool {
        self.management
            || lookup(
                &self.variables,
                &self.wildcard_variables,
                &format!("{ns}\0{path}"),
            )
            .is_some_and(|c| c.contains(op))
    }

    /// `AllowVariableSearch`: any variables rule whose key starts with `ns`
    /// (a byte prefix, as Nomad's radix seek); `"*"` = any variables rule at all.
    pub fn allow_variable_search(&self, ns: &str) -> bool {
        let mut keys = self.variables.keys().chain(self.wildcard_variables.keys());
        self.management
            || if ns == "*" {
                keys.next().is_some()
            } else {
                keys.any(|k| k.starts_with(ns))
            }
    }

    fn level_allows(&self, level: &str, ok: &[&str]) -> bool {
        self.management || ok.contains(&level)
    }
    pub fn allow_agent_read(&self) -> bool {
        self.level_allows(&self.agent, &["read", "write"])
    }
    pub fn allow_agent_write(&self) -> bool {
        self.level_allows(&self.agent, &["write"])
    }
    pub fn allow_node_read(&self) -> bool {
        self.level_allows(&self.node, &["read", "write"])
    }
    pub fn allow_node_write(&self) -> bool {
        self.level_allows(&self.node, &["write"])
    }
    pub fn allow_operator_read(&self) -> bool {
        self.level_allows(&self.operator, &["read", "write"])
    }
    pub fn allow_operator_write(&self) -> bool {
        self.level_allows(&self.operator, &["write"])
    }
    /// `AllowOperatorOperation`: operator write, or the fine-grained capability.
    pub fn allow_operator_op(&self, cap: &str) -> bool {
        self.level_allows(&self.operator, &["write"]) || self.operator_caps.contains(cap)
    }
    pub fn allow_sentinel_op(&self, cap: &str) -> bool {
        self.level_allows(&self.sentinel, &["write"]) || self.sentinel_caps.contains(cap)
    }
    pub fn allow_quota_read(&self) -> bool {
        self.level_allows(&self.quota, &["read", "write"])
    }
    pub fn allow_quota_write(&self) -> bool {
        self.level_allows(&self.quota, &["write"])
    }
    /// `AllowPluginRead`: only `read` (Nomad does not let `write` imply it).
    pub fn allow_plugin_read(&self) -> bool {
        self.level_allows(&self.plugin, &["read"])
    }
    pub fn allow_plugin_list(&self) -> bool {
        self.level_allows(&self.plugin, &["read", "list"])
    }
}
