//! Tests for `policy.rs` and its `decode`/`engine` parts.

use super::*;

fn acl(rules: &[&str]) -> Acl {
    Acl::from_policies(&rules.iter().map(|r| parse(r).unwrap()).collect::<Vec<_>>())
}

fn err(rules: &str) -> String {
    parse(rules).unwrap_err()
}

#[test]
fn shorthand_expansion() {
    let p = parse(r#"namespace "default" { policy = "read" }"#).unwrap();
    assert_eq!(p.namespaces[0].capabilities, NS_READ);
    let w = expand_namespace_policy("write");
    assert!(w.len() == 20 && w.contains(&"submit-job".into()) && w.contains(&"alloc-exec".into()));
    assert!(!w.contains(&"alloc-node-exec".into()) && !w.contains(&"sentinel-override".into()));
    assert_eq!(expand_namespace_policy("scale"), NS_SCALE);
    assert_eq!(expand_namespace_policy("deny"), ["deny"]);
    let a = acl(&[r#"namespace "s" { policy = "scale" }"#]);
    assert!(a.allow_ns_op("s", "scale-job") && a.allow_ns_op("s", "read-job"));
    assert!(!a.allow_ns_op("s", "list-jobs") && !a.allow_ns_op("s", "submit-job"));
    // `list` is only a plugin level; namespaces reject it like Nomad.
    assert!(err(r#"namespace "x" { policy = "list" }"#).starts_with("Invalid namespace policy"));
    let a = acl(&[r#"plugin { policy = "list" }"#]);
    assert!(a.allow_plugin_list() && !a.allow_plugin_read());
    assert!(!acl(&[r#"plugin { policy = "write" }"#]).allow_plugin_read());
}

#[test]
fn explicit_capabilities_and_implied_host_volume_caps() {
    let a = acl(&[r#"namespace "dev" { capabilities = ["read-logs", "host-volume-register"] }"#]);
    assert!(a.allow_ns_op("dev", "read-logs") && a.allow_ns_op("dev", "host-volume-create"));
    assert!(
        a.allow_ns_op("dev", "host-volume-read") && !a.allow_ns_op("dev", "host-volume-delete")
    );
    assert!(!a.allow_ns_op("dev", "read-job") && !a.allow_ns_op("default", "read-logs"));
    let a = acl(&[r#"namespace "dev" {
        policy = "read"
        capabilities = ["alloc-node-exec"]
    }"#]);
    assert!(a.allow_ns_op("dev", "alloc-node-exec") && a.allow_ns_op("dev", "list-jobs"));
}

#[test]
fn deny_overrides_across_policies() {
    let w = r#"namespace "default" { policy = "write" }"#;
    let d = r#"namespace "default" { capabilities = ["deny"] }"#;
    for a in [acl(&[w, d]), acl(&[d, w])] {
        assert!(!a.allow_ns_op("default", "read-job") && !a.allow_namespace("default"));
    }
    let a = acl(&[r#"namespace "default" { capabilities = ["deny", "read-job"] }"#]);
    assert!(!a.allow_ns_op("default", "read-job"));
    let a = acl(&[
        "agent { policy = \"write\" }",
        "agent { policy = \"deny\" }",
        "node { policy = \"read\" }",
    ]);
    assert!(!a.allow_agent_read() && a.allow_node_read() && !a.allow_node_write());
}

#[test]
fn glob_namespaces_closest_match() {
    let a = acl(&[r#"
namespace "*" { policy = "read" }
namespace "prod-*" { policy = "deny" }
namespace "prod-api-*" { policy = "write" }
namespace "prod-db" { capabilities = ["list-jobs"] }
"#]);
    assert!(a.allow_ns_op("anything", "read-job") && !a.allow_ns_op("anything", "submit-job"));
    assert!(!a.allow_ns_op("prod-web", "read-job"));
    assert!(a.allow_ns_op("prod-api-1", "submit-job"));
    assert!(a.allow_ns_op("prod-db", "list-jobs") && !a.allow_ns_op("prod-db", "read-job"));
    assert!(glob_match("a*c*e", "abcde") && glob_match("*", "") && !glob_match("a*", "ba"));
    assert!(
        glob_match("*-api", "x-api")
            && !glob_match("*-api", "x-apis")
            && !glob_match("abc", "abcd")
    );
    // Equal distance: the later glob in key order wins.
    let a = acl(&[r#"
namespace "a*" { capabilities = ["read-job"] }
namespace "*b" { capabilities = ["list-jobs"] }
"#]);
    assert!(a.allow_ns_op("ab", "read-job") && !a.allow_ns_op("ab", "list-jobs"));
}

#[test]
fn wildcard_namespace_requests() {
    let a = acl(&[r#"namespace "web" { policy = "read" }
namespace "ops" { capabilities = ["deny"] }"#]);
    assert!(a.allow_ns_op("*", "list-jobs") && !a.allow_ns_op("*", "submit-job"));
    let existing = ["default", "web", "ops"];
    let got = a.allowed_namespaces("list-jobs", existing).unwrap();
    assert_eq!(got.into_iter().collect::<Vec<_>>(), ["web"]);
    assert!(a.allow_namespace("*") && a.allow_namespace("web") && !a.allow_namespace("ops"));
    let gone = acl(&[r#"namespace "gone" { policy = "read" }"#]);
    assert!(
        gone.allow_ns_op("*", "read-job")
            && gone
                .allowed_namespaces("read-job", existing)
                .unwrap()
                .is_empty()
    );
    assert!(!Acl::default().allow_ns_op("*", "read-job") && !Acl::default().allow_namespace("*"));
    let m = Acl::management();
    assert!(m.is_management() && m.allowed_namespaces("read-job", existing).is_none());
    assert!(
        m.allow_ns_op("x", "alloc-exec")
            && m.allow_operator_write()
            && m.allow_variable_op("x", "y", "destroy")
    );
}

#[test]
fn node_agent_operator_and_node_pool_rules() {
    let a = acl(&[r#"
node { policy = "write" }
agent { policy = "read" }
operator { policy = "read" }
node_pool "prod-*" { policy = "read" }
node_pool "prod-gpu" { capabilities = ["write"] }
node_pool "dev" { policy = "write" }
"#]);
    assert!(a.allow_node_read() && a.allow_node_write());
    assert!(a.allow_agent_read() && !a.allow_agent_write());
    assert!(a.allow_operator_read() && !a.allow_operator_write());
    assert!(a.allow_operator_op("keyring-read") && !a.allow_operator_op("snapshot-save"));
    assert!(a.allow_node_pool_op("prod-x", "read") && !a.allow_node_pool_op("prod-x", "write"));
    assert!(a.allow_node_pool_op("prod-gpu", "write") && !a.allow_node_pool_op("prod-gpu", "read"));
    assert!(a.allow_node_pool_op("dev", "delete") && !a.allow_node_pool_op("default", "read"));
    assert!(a.allow_node_pool_search() && !Acl::default().allow_node_pool_search());
    let e = Acl::default();
    assert!(!e.allow_node_read() && !e.allow_agent_read() && !e.allow_operator_read());
    let a = acl(&[r#"operator { capabilities = ["snapshot-save"] }"#]);
    assert!(a.allow_operator_op("snapshot-save") && !a.allow_operator_read());
    assert!(!acl(&["agent { policy = \"scale\" }"]).allow_agent_read());
}

#[test]
fn variables_paths() {
    let a = acl(&[r#"
namespace "dev" {
  variables {
path "project/*" { capabilities = ["read"] }
path "project/secret" { capabilities = ["deny"] }
path "*" { capabilities = ["list"] }
  }
}
namespace "*" {
  variables {
path "shared" { capabilities = ["write"] }
  }
}"#]);
    assert!(
        a.allow_variable_op("dev", "project/a", "read")
            && a.allow_variable_op("dev", "project/a", "list")
    );
    assert!(!a.allow_variable_op("dev", "project/a", "write"));
    assert!(!a.allow_variable_op("dev", "project/secret", "read"));
    assert!(
        a.allow_variable_op("dev", "other", "list") && !a.allow_variable_op("dev", "other", "read")
    );
    assert!(
        a.allow_variable_op("prod", "shared", "write") && !a.allow_variable_op("prod", "x", "list")
    );
    assert!(a.allow_variable_search("dev") && a.allow_variable_search("*"));
    assert!(!Acl::default().allow_variable_search("*"));
    // A namespace block with only variables still pins an (empty) exact entry.
    let a = acl(&[
        r#"namespace "*" { policy = "read" }"#,
        "namespace \"dev\" {\n variables {\n path \"a\" { capabilities = [\"read\"] }\n }\n}",
    ]);
    assert!(!a.allow_ns_op("dev", "read-job") && a.allow_ns_op("prod", "read-job"));
    let p =
        parse(r#"namespace "d" { variables { path "a" { capabilities = ["read", "deny"] } } }"#)
            .unwrap();
    assert_eq!(
        p.namespaces[0].variables,
        Some(vec![("a".into(), vec!["deny".into()])])
    );
}

#[test]
fn one_line_nested_blocks_like_hcl1() {
    let a = acl(&[r#"namespace "ns" { variables { path "a/*" { capabilities = ["read"] }}} # {"#]);
    assert!(a.allow_variable_op("ns", "a/b", "list") && !a.allow_variable_op("ns", "b", "list"));
    let e = err(r#"namespace "ns" { variables { path "a" { capabilities = ["read"] }}"#);
    assert!(e.starts_with("Failed to parse ACL Policy: At 1:"), "{e}");
}

#[test]
fn merging_two_policies() {
    let a = acl(&[
        r#"namespace "default" { policy = "read" }
agent { policy = "read" }"#,
        r#"namespace "default" { capabilities = ["submit-job"] }
agent { policy = "write" }
quota { policy = "read" }"#,
    ]);
    assert!(a.allow_ns_op("default", "read-job") && a.allow_ns_op("default", "submit-job"));
    assert!(
        !a.allow_ns_op("default", "alloc-exec") && a.allow_agent_write() && a.allow_quota_read()
    );
    assert!(!a.allow_quota_write() && !a.is_management());
}

#[test]
fn json_rules() {
    let j = r#"{
  "namespace": {"default": {"policy": "write"}, "ops-*": [{"capabilities": ["read-job"]}]},
  "node": {"policy": "read"},
  "node_pool": [{"all": {"policy": "read"}}],
  "Agent": [{"policy": "read"}]
}"#;
    let a = acl(&[j]);
    assert!(a.allow_ns_op("default", "submit-job") && a.allow_ns_op("ops-1", "read-job"));
    assert!(!a.allow_ns_op("ops-1", "list-jobs") && a.allow_node_read() && a.allow_agent_read());
    assert!(a.allow_node_pool_op("all", "read"));
    let v = r#"{"namespace": {"d": {"variables": {"path": {"x/*": {"capabilities": ["read"]}}}}}}"#;
    assert!(acl(&[v]).allow_variable_op("d", "x/y", "list"));
    assert_eq!(
        err(r#"{"namespace": [{"": {"policy": "read"}}]}"#)
            .split(':')
            .next(),
        Some("Invalid namespace name")
    );
}

#[test]
fn error_texts() {
    let raw = r#"{"Name": "p", "Rules": "anything"}"#;
    assert_eq!(err(raw), format!("Invalid policy: {raw}"));
    assert!(err("this is not hcl").starts_with("Failed to parse ACL Policy: "));
    assert!(err("{ not json").starts_with("Failed to parse ACL Policy: "));
    assert_eq!(
        err(r#"namespace "default" { policy = "foo" }"#),
        r#"Invalid namespace policy: &acl.NamespacePolicy{Name:"default", Policy:"foo", Capabilities:[]string(nil), Variables:(*acl.VariablesPolicy)(nil)}"#
    );
    assert_eq!(
        err(r#"namespace "default" { capabilities = ["deny", "foo"] }"#),
        r#"Invalid namespace capability 'foo': &acl.NamespacePolicy{Name:"default", Policy:"", Capabilities:[]string{"deny", "foo"}, Variables:(*acl.VariablesPolicy)(nil)}"#
    );
    assert!(err(r#"namespace "has space" { policy = "read" }"#)
        .starts_with("Invalid namespace name: &acl.NamespacePolicy{Name:\"has space\""));
    assert!(err(r#"namespace { policy = "read" }"#)
        .starts_with("Invalid namespace name: &acl.NamespacePolicy{Name:\"\""));
    assert_eq!(err("namespace {}"), "Failed to parse ACL Policy: invalid acl policy: runtime error: index out of range [0] with length 0");
    assert_eq!(
        err(r#"agent { policy = "foo" }"#),
        r#"Invalid agent policy: &acl.AgentPolicy{Policy:"foo"}"#
    );
    assert_eq!(
        err("node {}"),
        r#"Invalid node policy: &acl.NodePolicy{Policy:""}"#
    );
    assert_eq!(
        err(r#"operator { policy = "x" }"#),
        r#"Invalid operator policy: &acl.OperatorPolicy{Policy:"x", Capabilities:[]string(nil)}"#
    );
    assert_eq!(
        err(r#"operator { capabilities = ["nope"] }"#),
        "Invalid operator capability 'nope'"
    );
    assert_eq!(
        err(r#"plugin { policy = "reader" }"#),
        r#"Invalid plugin policy: &acl.PluginPolicy{Policy:"reader"}"#
    );
    assert_eq!(
        err(r#"node_pool "my-pool" { capabilities = ["read", "invalid"] }"#),
        "Invalid node pool capability 'invalid' for 'my-pool'"
    );
    assert_eq!(err(r#"node_pool "p%" {}"#), "Invalid node pool name 'p%'");
    assert_eq!(
        err(r#"node_pool "p" { policy = "scale-x" }"#),
        "Invalid node pool policy 'scale-x' for 'p'"
    );
    assert!(err(r#"host_volume "v" { capabilities = ["x"] }"#)
        .starts_with("Invalid host volume capability 'x': &acl.HostVolumePolicy{Name:\"v\""));
    let vars = |body: &str| {
        err(&format!(
            "namespace \"dev\" {{\n variables {{\n{body}\n}}\n}}"
        ))
    };
    assert_eq!(
        vars(""),
        "Invalid variable policy: no variable paths in namespace dev"
    );
    assert_eq!(
        vars(r#"path "/nomad/job" { capabilities = ["read"] }"#),
        "Invalid variable path \"/nomad/job\" in namespace dev: cannot start with a leading '/'`"
    );
    assert_eq!(
        vars(r#"path "a" { capabilities = ["peek"] }"#),
        "Invalid variable capability 'peek' in namespace dev"
    );
    assert_eq!(
        vars("path {}\npath \"a\" {}"),
        "Invalid missing variable path in namespace dev"
    );
    assert!(err(r#"namespace "d" { policy = ["read"] }"#)
        .contains("unknown type for string *ast.ListType"));
    assert_eq!(
        validate_acl_policy("ok", "", "node { policy = \"read\" }"),
        Ok(())
    );
    let v = validate_acl_policy("bad name", "", "node {}").unwrap_err();
    assert!(v.starts_with("2 errors occurred:\n\t* invalid name 'bad name'\n\t* failed to parse rules: Invalid node policy"));
}

#[test]
fn strict_extra_keys() {
    let rules = r#"
namespace "foo" { policy = "write" }
namespace "bar" { policy = "read" }
bogus { policy = "read" }
node { policy = "read" }
node { policy = "write" }
agent { policy = "read" }
agent { policy = "write" }
node_pool "a" { policy = "read" }
node_pool "b" { policy = "read" }
"#;
    assert_eq!(
        err(rules),
        "Invalid or duplicate policy keys: agent, bogus, node"
    );
    let a = Acl::from_policies(&[parse_lenient(rules).unwrap()]);
    assert!(a.allow_node_write() && a.allow_agent_write() && a.allow_ns_op("bar", "read-job"));
    assert!(parse("").unwrap().namespaces.is_empty());
}
