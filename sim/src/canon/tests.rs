use super::canonicalize_job;
use serde_json::{json, Value};

const S: i64 = 1_000_000_000;

fn canon(mut job: Value) -> Value {
    canonicalize_job(&mut job, "eu-west");
    job
}

fn minimal(ty: &str) -> Value {
    json!({"ID": "web", "Type": ty, "TaskGroups": [{"Name": "g", "Tasks": [
        {"Name": "t", "Driver": "docker", "Config": {"image": "nginx"}}]}]})
}

const JOB_KEYS: &str = "Name Namespace Region Priority NodePool Datacenters AllAtOnce Stop \
    ParentID Update Reschedule Migrate Meta Constraints Affinities Spreads Periodic \
    ParameterizedJob Multiregion ConsulNamespace VaultNamespace Version Status Payload UI";
const GROUP_KEYS: &str = "Count RestartPolicy ReschedulePolicy EphemeralDisk Update Migrate \
    Networks Services Meta Constraints Scaling Volumes Consul Disconnect ShutdownDelay";
const TASK_KEYS: &str = "Resources LogConfig KillTimeout RestartPolicy Env Meta Services \
    Templates Artifacts Vault User Identity Identities Lifecycle VolumeMounts KillSignal";

/// Adds an explicit `null` for each of `keys`, as `nomad run -output` does.
fn set_nulls(v: &mut Value, keys: &str) {
    for k in keys.split_whitespace() {
        v[k] = Value::Null;
    }
}

/// Follows `api.Job.Canonicalize` / `api.TaskGroup.Canonicalize` /
/// `api.Task.Canonicalize`: a nil pointer gets the same default whether the
/// key is missing or an explicit `null` (`nomad run -output` style).
#[test]
fn explicit_nulls_equal_missing_fields() {
    for ty in ["service", "batch", "system", "sysbatch"] {
        let mut nulls = minimal(ty);
        set_nulls(&mut nulls, JOB_KEYS);
        set_nulls(&mut nulls["TaskGroups"][0], GROUP_KEYS);
        set_nulls(&mut nulls["TaskGroups"][0]["Tasks"][0], TASK_KEYS);
        assert_eq!(canon(nulls), canon(minimal(ty)), "{ty}");
    }
    // and the stored job carries the defaults, not the nulls
    let j = canon(minimal("service"));
    let t = &j["TaskGroups"][0]["Tasks"][0];
    assert_eq!(t["Resources"]["CPU"], 100);
    assert_eq!(t["Resources"]["MemoryMB"], 300);
    assert_eq!(t["KillTimeout"], 5 * S);
    assert_eq!(
        t["LogConfig"],
        json!({"MaxFiles": 10, "MaxFileSizeMB": 10, "Disabled": false})
    );
    assert_eq!(t["Identity"]["Audience"], json!(["nomadproject.io"]));
    assert!(t.as_object().unwrap().contains_key("Env") && t["Env"].is_null());
    assert_eq!(j["TaskGroups"][0]["EphemeralDisk"]["SizeMB"], 300);
}

/// Follows `regionForJob` / `namespaceForJob` (command/agent), the
/// `jobCanonicalizer` priority fallback, `jobNodePoolMutatingHook` and
/// `structs.Job.Canonicalize` (datacenters).
#[test]
fn job_level_defaults() {
    let j = canon(minimal("service"));
    assert_eq!(j["Namespace"], "default");
    assert_eq!(j["Region"], "eu-west");
    assert_eq!(j["Priority"], 50);
    assert_eq!(j["NodePool"], "default");
    assert_eq!(j["Name"], "web");
    assert_eq!(j["Datacenters"], json!(["*"]));
    assert_eq!(
        (j["Stop"].clone(), j["AllAtOnce"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(j["ParentID"], "");
    assert_eq!(j["TaskGroups"][0]["Count"], 1);
    let no_type = canon(json!({"ID": "x", "TaskGroups": []}));
    assert_eq!(no_type["Type"], "service");
    assert!(no_type["TaskGroups"].is_null());

    let mut g = minimal("service");
    g["Region"] = json!("global");
    g["Priority"] = json!(0);
    g["Namespace"] = json!("");
    g["NodePool"] = json!("");
    g["Datacenters"] = json!([]);
    let g = canon(g);
    assert_eq!(g["Region"], "eu-west");
    assert_eq!(g["Priority"], 50);
    assert_eq!(g["Namespace"], "default");
    assert_eq!(g["NodePool"], "default");
    assert_eq!(g["Datacenters"], json!(["*"]));

    let mut m = minimal("service");
    m["Region"] = json!("us-east");
    m["Multiregion"] = json!({"Regions": [{"Name": "us-east"}]});
    let m = canon(m);
    assert_eq!(m["Region"], "global");
    assert_eq!(m["Multiregion"]["Regions"][0]["Count"], 1);
    assert_eq!(
        m["Multiregion"]["Strategy"],
        json!({"MaxParallel": 0, "OnFailure": ""})
    );
}

/// Follows `api.TaskGroup.Canonicalize` with `defaultServiceJobRestartPolicy`,
/// `defaultBatchJobRestartPolicy`, `NewDefaultReschedulePolicy`,
/// `DefaultUpdateStrategy` and `DefaultMigrateStrategy`.
#[test]
fn type_dependent_group_defaults() {
    let group = |ty: &str| canon(minimal(ty))["TaskGroups"][0].clone();
    let svc = group("service");
    assert_eq!(
        svc["RestartPolicy"],
        json!({"Attempts": 2, "Interval": 1800 * S,
        "Delay": 15 * S, "Mode": "fail", "RenderTemplates": false})
    );
    assert_eq!(
        svc["ReschedulePolicy"],
        json!({"Attempts": 0, "Interval": 0,
        "Delay": 30 * S, "DelayFunction": "exponential", "MaxDelay": 3600 * S,
        "Unlimited": true})
    );
    assert_eq!(
        svc["Update"],
        json!({"Stagger": 30 * S, "MaxParallel": 1,
        "HealthCheck": "checks", "MinHealthyTime": 10 * S, "HealthyDeadline": 300 * S,
        "ProgressDeadline": 600 * S, "AutoRevert": false, "AutoPromote": false, "Canary": 0})
    );
    assert_eq!(
        svc["Migrate"],
        json!({"MaxParallel": 1, "HealthCheck": "checks",
        "MinHealthyTime": 10 * S, "HealthyDeadline": 300 * S})
    );
    // tasks inherit the group's restart policy
    assert_eq!(svc["Tasks"][0]["RestartPolicy"], svc["RestartPolicy"]);

    let batch = group("batch");
    assert_eq!(batch["RestartPolicy"]["Attempts"], 3);
    assert_eq!(batch["RestartPolicy"]["Interval"], 86400 * S);
    assert_eq!(
        batch["ReschedulePolicy"],
        json!({"Attempts": 1, "Interval": 86400 * S,
        "Delay": 5 * S, "DelayFunction": "constant", "MaxDelay": 0, "Unlimited": false})
    );
    assert!(batch["Update"].is_null() && batch["Migrate"].is_null());

    // system jobs restart like services and get the default update, but
    // never reschedule or migrate
    let sys = group("system");
    assert_eq!(sys["RestartPolicy"], svc["RestartPolicy"]);
    assert_eq!(sys["Update"], svc["Update"]);
    assert!(sys["ReschedulePolicy"].is_null() && sys["Migrate"].is_null());
    let sysbatch = group("sysbatch");
    assert_eq!(sysbatch["RestartPolicy"], batch["RestartPolicy"]);
    assert!(sysbatch["ReschedulePolicy"].is_null() && sysbatch["Update"].is_null());

    // the job-level Update struct: stagger and max_parallel only
    let job = canon(minimal("service"));
    assert_eq!(job["Update"]["MaxParallel"], 1);
    assert_eq!(job["Update"]["HealthCheck"], "");
    assert_eq!(canon(minimal("batch"))["Update"]["MaxParallel"], 0);
}

/// Follows `api.TaskGroup.Canonicalize` (`UpdateStrategy.Merge`,
/// `ReschedulePolicy.Merge`, `MigrateStrategy.Merge`) and the job-level
/// update kept by `ApiJobToStructJob`.
#[test]
fn job_level_blocks_merge_into_groups() {
    let mut j = minimal("service");
    j["Update"] = json!({"MaxParallel": 3, "Canary": 1, "Stagger": 10 * S});
    j["Reschedule"] = json!({"Attempts": 4, "Unlimited": false});
    j["Migrate"] = json!({"MaxParallel": 2});
    let second = json!({"Name": "h", "Update": {"Canary": 2, "AutoRevert": true},
        "ReschedulePolicy": {"Attempts": 9}, "Tasks": []});
    j["TaskGroups"].as_array_mut().unwrap().push(second);
    let j = canon(j);
    let (g, h) = (&j["TaskGroups"][0], &j["TaskGroups"][1]);
    assert_eq!(g["Update"]["MaxParallel"], 3);
    assert_eq!(g["Update"]["Canary"], 1);
    assert_eq!(g["Update"]["HealthCheck"], "checks");
    assert_eq!(h["Update"]["MaxParallel"], 3);
    assert_eq!(h["Update"]["Canary"], 2);
    assert_eq!(h["Update"]["AutoRevert"], true);
    assert_eq!(h["Update"]["Stagger"], 10 * S);
    assert_eq!(g["ReschedulePolicy"]["Attempts"], 4);
    assert_eq!(g["ReschedulePolicy"]["Unlimited"], false);
    assert_eq!(g["ReschedulePolicy"]["DelayFunction"], "exponential");
    assert_eq!(h["ReschedulePolicy"]["Attempts"], 9);
    assert_eq!(g["Migrate"]["MaxParallel"], 2);
    assert_eq!(g["Migrate"]["HealthCheck"], "checks");
    assert_eq!(
        j["Update"],
        json!({"Stagger": 10 * S, "MaxParallel": 3, "HealthCheck": "",
        "MinHealthyTime": 0, "HealthyDeadline": 0, "ProgressDeadline": 0,
        "AutoRevert": false, "AutoPromote": false, "Canary": 0})
    );
    let obj = j.as_object().unwrap();
    assert!(!obj.contains_key("Reschedule") && !obj.contains_key("Migrate"));

    // batch jobs have no default update, but inherit an explicit one
    let mut b = minimal("batch");
    b["Update"] = json!({"MaxParallel": 2});
    assert_eq!(canon(b)["TaskGroups"][0]["Update"]["MaxParallel"], 2);
}

/// Follows the `Canonicalize` functions' `if x == nil` guards: explicit
/// values, zeros included, are never replaced by defaults.
#[test]
fn explicit_values_are_kept() {
    let j = canon(
        json!({"ID": "api", "Name": "API", "Type": "batch", "Namespace": "ops",
        "Region": "us-east", "Priority": 70, "NodePool": "gpu", "Datacenters": ["dc2"],
        "Meta": {"team": "a"}, "Extra": 1,
        "TaskGroups": [{"Name": "g", "Count": 0, "Extra": "kept",
            "RestartPolicy": {"Attempts": 10, "Mode": "delay"},
            "ReschedulePolicy": {"Unlimited": true},
            "EphemeralDisk": {"SizeMB": 1000, "Sticky": true},
            "Tasks": [{"Name": "t", "Driver": "exec", "User": "nobody",
                "KillTimeout": 30 * S, "LogConfig": {"MaxFiles": 3},
                "Resources": {"CPU": 500, "MemoryMB": 1024, "MemoryMaxMB": 2048},
                "RestartPolicy": {"Attempts": 1}}]}]}),
    );
    assert_eq!(
        (
            &j["Name"],
            &j["Namespace"],
            &j["Region"],
            &j["Priority"],
            &j["NodePool"]
        ),
        (
            &json!("API"),
            &json!("ops"),
            &json!("us-east"),
            &json!(70),
            &json!("gpu")
        )
    );
    assert_eq!(j["Datacenters"], json!(["dc2"]));
    assert_eq!(j["Meta"], json!({"team": "a"}));
    assert_eq!(j["Extra"], 1);
    let g = &j["TaskGroups"][0];
    assert_eq!(g["Count"], 0);
    assert_eq!(g["Extra"], "kept");
    assert_eq!(g["RestartPolicy"]["Attempts"], 10);
    assert_eq!(g["RestartPolicy"]["Mode"], "delay");
    assert_eq!(g["RestartPolicy"]["Interval"], 86400 * S);
    assert_eq!(g["ReschedulePolicy"]["Unlimited"], true);
    assert_eq!(g["ReschedulePolicy"]["Attempts"], 1);
    assert_eq!(
        g["EphemeralDisk"],
        json!({"SizeMB": 1000, "Sticky": true, "Migrate": false})
    );
    let t = &g["Tasks"][0];
    assert_eq!(t["User"], "nobody");
    assert_eq!(t["KillTimeout"], 30 * S);
    assert_eq!(t["LogConfig"]["MaxFiles"], 3);
    assert_eq!(t["LogConfig"]["MaxFileSizeMB"], 10);
    assert_eq!(t["Resources"]["CPU"], 500);
    assert_eq!(t["Resources"]["MemoryMB"], 1024);
    assert_eq!(t["Resources"]["MemoryMaxMB"], 2048);
    // the task's restart block overrides the group's field by field
    assert_eq!(t["RestartPolicy"]["Attempts"], 1);
    assert_eq!(t["RestartPolicy"]["Mode"], "delay");
}

/// Follows `api.Resources.Canonicalize` (cores without cpu means cpu 0)
/// and `structs.Task.Canonicalize` (the default identity; kill timeout 0).
#[test]
fn resources_and_identity() {
    let mut j = minimal("service");
    j["TaskGroups"][0]["Tasks"][0]["Resources"] = json!({"Cores": 2});
    j["TaskGroups"][0]["Tasks"][0]["KillTimeout"] = json!(0);
    j["TaskGroups"][0]["Tasks"][0]["Identities"] =
        json!([{"Name": "default", "Env": true}, {"Name": "vault_default", "Audience": ["v"]}]);
    let j = canon(j);
    let t = &j["TaskGroups"][0]["Tasks"][0];
    assert_eq!(t["Resources"]["CPU"], 0);
    assert_eq!(t["Resources"]["Cores"], 2);
    assert_eq!(t["Resources"]["DiskMB"], 0);
    assert_eq!(t["KillTimeout"], 5 * S);
    assert_eq!(t["Identity"]["Env"], true);
    assert_eq!(t["Identity"]["Audience"], json!(["nomadproject.io"]));
    assert_eq!(t["Identities"].as_array().unwrap().len(), 1);
    assert_eq!(t["Identities"][0]["Audience"], json!(["v"]));
}

/// Follows `api.Service.Canonicalize`, `ApiServicesToStructs` and
/// `structs.Service.Canonicalize` / `structs.ServiceCheck.Canonicalize`.
#[test]
fn service_and_check_defaults() {
    let mut j = minimal("service");
    j["TaskGroups"][0]["Services"] = json!([{"Provider": "nomad", "PortLabel": "http",
        "Checks": [{"Type": "http", "Path": "/"}]}]);
    j["TaskGroups"][0]["Tasks"][0]["Services"] = json!([{"Name": "${TASK}-svc",
        "CheckRestart": {"Limit": 3}, "Tags": [], "Checks": [{"Type": "tcp",
            "OnUpdate": "ignore", "TaskName": "other"}]}]);
    let j = canon(j);
    let gs = &j["TaskGroups"][0]["Services"][0];
    assert_eq!(gs["Name"], "web-g");
    assert_eq!(gs["Namespace"], "default");
    assert_eq!(gs["AddressMode"], "auto");
    assert_eq!(gs["Cluster"], "default");
    assert_eq!(gs["Checks"][0]["Name"], "service: \"web-g\" check");
    assert_eq!(gs["Checks"][0]["OnUpdate"], "require_healthy");
    assert!(gs["Checks"][0]["CheckRestart"].is_null());
    let ts = &j["TaskGroups"][0]["Tasks"][0]["Services"][0];
    assert_eq!(ts["Name"], "t-svc");
    assert_eq!(ts["Provider"], "consul");
    assert_eq!(ts["TaskName"], "t");
    assert!(ts["Tags"].is_null());
    assert!(!ts.as_object().unwrap().contains_key("CheckRestart"));
    let c = &ts["Checks"][0];
    assert_eq!(c["OnUpdate"], "ignore");
    assert_eq!(c["TaskName"], "t");
    assert_eq!(
        c["CheckRestart"],
        json!({"Limit": 3, "Grace": S, "IgnoreWarnings": false})
    );
}

/// Follows `jobImpliedConstraints.Mutate` and `mutateConstraint`: Nomad
/// services (with checks), Consul services and bridge networks constrain
/// the group (Consul task services the task), once.
#[test]
fn implied_constraints() {
    let c = |l: &str, r: &str, op: &str| json!({"LTarget": l, "RTarget": r, "Operand": op});
    let mut j = minimal("service");
    j["TaskGroups"][0]["Services"] = json!([{"Provider": "nomad", "Checks": [{"Type": "tcp"}]}]);
    j["TaskGroups"][0]["Networks"] = json!([{"Mode": "bridge"}]);
    j["TaskGroups"][0]["Tasks"][0]["Services"] = json!([{"Name": "a"}, {"Name": "b"}]);
    let once = canon(j);
    let g = &once["TaskGroups"][0];
    let cons = g["Constraints"].as_array().unwrap();
    assert_eq!(cons.len(), 7);
    assert_eq!(cons[0], c("${attr.nomad.service_discovery}", "true", "="));
    assert_eq!(cons[1], c("${attr.nomad.version}", ">= 1.4.0", "semver"));
    assert_eq!(
        cons[2],
        c("${attr.plugins.cni.version.bridge}", ">= 0.4.0", "semver")
    );
    let task = &g["Tasks"][0]["Constraints"];
    assert_eq!(
        *task,
        json!([c("${attr.consul.version}", ">= 1.8.0", "semver")])
    );
    assert_eq!(canon(once.clone()), once);
    // a plain job gets none
    assert!(canon(minimal("batch"))["TaskGroups"][0]["Constraints"].is_null());
}

/// Follows the round trip of `ApiJobToStructJob` on a stored job: every
/// field already holds its canonical value, so nothing changes (the sim
/// registers stored periodic and dispatched children again).
#[test]
fn canonicalizing_twice_changes_nothing() {
    for ty in ["service", "batch", "system", "sysbatch"] {
        let mut j = minimal(ty);
        j["Update"] = json!({"MaxParallel": 2});
        j["Periodic"] = json!({"Spec": "*/5 * * * *"});
        j["TaskGroups"][0]["Services"] = json!([{"Checks": [{"Type": "tcp"}]}]);
        j["TaskGroups"][0]["Tasks"][0]["Templates"] = json!([{"DestPath": "local/a"}]);
        j["TaskGroups"][0]["Tasks"][0]["Artifacts"] = json!([{"GetterSource": "x"}]);
        let once = canon(j);
        assert_eq!(canon(once.clone()), once, "{ty}");
    }
}
