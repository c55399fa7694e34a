//! Tasks and what hangs off them: resources, networks, services and
//! checks, templates, artifacts, Vault and identities.

use super::{
    affinity, constraint, def, def_str, defaults, each, fill, get_obj, given, int_of, overlay,
    scaling, str_of, sub, take_obj, JobCtx, Obj, SEC,
};
use serde_json::{json, Value};

/// `api.Task.Canonicalize`, `ApiTaskToStructsTask` and
/// `structs.Task.Canonicalize`. `restart` is the group's final restart
/// policy, which the task's own block overrides field by field.
pub(super) fn task(t: &mut Obj, restart: &Obj, job: &JobCtx, group: &str) {
    let name = str_of(t, "Name").to_string();
    // Tasks without resources get DefaultResources.
    def(t, "Resources", json!({}));
    sub(t, "Resources", resources);
    // api sets 5s when missing; structs also when 0.
    if int_of(t, "KillTimeout") == 0 {
        t.insert("KillTimeout".into(), json!(5 * SEC));
    }
    // DefaultLogConfig / LogConfig.Canonicalize
    def(t, "LogConfig", json!({}));
    sub(t, "LogConfig", |l| {
        defaults(
            l,
            json!({"MaxFiles": 10, "MaxFileSizeMB": 10, "Disabled": false}),
        );
        fill(l, "MaxFiles:i MaxFileSizeMB:i Disabled:b Enabled:-");
    });
    each(t, "Artifacts", artifact);
    sub(t, "Vault", |v| vault(v, &job.vault_ns));
    sub(t, "Consul", consul);
    each(t, "Templates", template);
    each(t, "Secrets", |s| {
        fill(s, "Name:s Provider:s Path:s Config:c Env:c")
    });
    each(t, "Services", |s| service(s, job, group, Some(&name)));
    each(t, "Constraints", constraint);
    each(t, "Affinities", affinity);
    if let Some(Value::Array(mounts)) = t.get_mut("VolumeMounts") {
        // apiVolumeMountsToStructs skips mounts without a volume.
        mounts.retain(|m| m.get("Volume").is_some_and(|v| !v.is_null()));
        for m in mounts.iter_mut().filter_map(Value::as_object_mut) {
            // VolumeMount.Canonicalize (api)
            def(m, "ReadOnly", json!(false));
            def(m, "PropagationMode", json!("private"));
            def(m, "SELinuxLabel", json!(""));
            fill(
                m,
                "Volume:s Destination:s ReadOnly:b PropagationMode:s SELinuxLabel:s",
            );
        }
    }
    sub(t, "CSIPluginConfig", |c| {
        // TaskCSIPluginConfig.Canonicalize (api)
        def_str(c, "MountDir", "/csi");
        def_str(c, "StagePublishBaseDir", "/local/csi");
        if int_of(c, "HealthTimeout") == 0 {
            c.insert("HealthTimeout".into(), json!(30 * SEC));
        }
        fill(
            c,
            "ID:s Type:s MountDir:s StagePublishBaseDir:s HealthTimeout:i",
        );
    });
    let rp = overlay(restart.clone(), get_obj(t, "RestartPolicy"));
    t.insert("RestartPolicy".into(), Value::Object(rp));
    sub(t, "Lifecycle", |l| fill(l, "Hook:s Sidecar:b"));
    sub(t, "DispatchPayload", |d| fill(d, "File:s"));
    each(t, "ScalingPolicies", |p| {
        scaling(p, job, group, Some(&name), 0)
    });
    each(t, "Actions", |a| fill(a, "Name:s Command:s Args:n"));
    identities(t);
    fill(t, TASK);
}

/// `structs.Task.Canonicalize`: every task has a default workload identity
/// in `Identity`; a `default` entry of `Identities` moves there.
fn identities(t: &mut Obj) {
    let mut default = take_obj(t, "Identity");
    if let Some(Value::Array(ids)) = t.get_mut("Identities") {
        ids.retain(Value::is_object);
        ids.iter_mut()
            .filter_map(Value::as_object_mut)
            .for_each(identity);
        if let Some(i) = ids.iter().position(|w| w["Name"] == "default") {
            default = super::obj(ids.remove(i));
        }
    }
    let mut id = default.unwrap_or_default();
    identity(&mut id);
    t.insert("Identity".into(), Value::Object(id));
}

/// `structs.WorkloadIdentity.Canonicalize`; the default identity is only
/// for Nomad itself, so its audience is fixed.
fn identity(w: &mut Obj) {
    def_str(w, "Name", "default");
    if str_of(w, "Name") == "default" {
        w.insert("Audience".into(), json!(["nomadproject.io"]));
    }
    upper(w, "ChangeSignal");
    fill(w, IDENTITY);
}

/// `api.Resources.Canonicalize` and `ApiResourcesToStructs`. CPU defaults
/// to 100 only when cores are not requested either; DiskMB is not carried
/// over to the stored job at all.
fn resources(r: &mut Obj) {
    if !given(r, "Cores") {
        r.insert("Cores".into(), json!(0));
        def(r, "CPU", json!(100));
    }
    def(r, "CPU", json!(0));
    def(r, "MemoryMB", json!(300));
    each(r, "Devices", |d| {
        // RequestedDevice.Canonicalize
        def(d, "Count", json!(1));
        each(d, "Constraints", constraint);
        each(d, "Affinities", affinity);
        fill(d, "Name:s Count:i Constraints:n Affinities:n");
    });
    sub(r, "NUMA", |n| {
        def_str(n, "Affinity", "none");
        fill(n, "Affinity:s Devices:c");
    });
    each(r, "Networks", network);
    fill(r, RESOURCES);
}

/// `ApiNetworkResourceToStructs` and `structs.NetworkResource.Canonicalize`:
/// ports get the `default` host network; the device is not carried over.
pub(super) fn network(n: &mut Obj) {
    for ports in ["ReservedPorts", "DynamicPorts"] {
        each(n, ports, |p| {
            def_str(p, "HostNetwork", "default");
            fill(p, "Label:s Value:i To:i HostNetwork:s IgnoreCollision:b");
        });
    }
    fill(n, NETWORK);
}

/// `api.Consul.Canonicalize`.
pub(super) fn consul(c: &mut Obj) {
    def_str(c, "Cluster", "default");
    fill(c, "Namespace:s Cluster:s Partition:s");
}

/// `api.Service.Canonicalize`, `ApiServicesToStructs` and
/// `structs.Service.Canonicalize`; `task` is `None` for group services.
pub(super) fn service(s: &mut Obj, job: &JobCtx, group: &str, task: Option<&str>) {
    if str_of(s, "Name").is_empty() {
        let name = match task {
            Some(t) => format!("{}-{group}-{t}", job.name),
            None => format!("{}-{group}", job.name),
        };
        s.insert("Name".into(), json!(name));
    }
    def_str(s, "AddressMode", "auto");
    def_str(s, "OnUpdate", "require_healthy");
    def_str(s, "Provider", "consul");
    def_str(s, "Cluster", "default");
    sub(s, "Weights", |w| {
        // ServiceWeights.Canonicalize
        for k in ["Passing", "Warning"] {
            if int_of(w, k) <= 0 {
                w.insert(k.into(), json!(1));
            }
        }
        fill(w, "Passing:i Warning:i");
    });
    // structs.Service: the task name, then ${JOB}-style interpolation.
    let task_label = task.unwrap_or("group");
    if let Some(t) = task {
        def_str(s, "TaskName", t);
    }
    let base = format!("{}-{group}-{task_label}", job.name);
    let vars = [
        ("JOB", job.name.as_str()),
        ("TASKGROUP", group),
        ("TASK", task_label),
    ];
    let name = replace_env(str_of(s, "Name"), &vars, &base);
    s.insert("Name".into(), json!(name));
    let namespace = match str_of(s, "Provider") {
        "consul" => "default",
        "nomad" => &job.namespace,
        _ => "",
    };
    s.insert("Namespace".into(), json!(namespace));

    // Checks inherit the service's check_restart, on_update and task.
    let service_cr = take_obj(s, "CheckRestart");
    let on_update = str_of(s, "OnUpdate").to_string();
    let task_name = str_of(s, "TaskName").to_string();
    each(s, "Checks", |c| {
        let own = take_obj(c, "CheckRestart");
        let cr = match (&service_cr, own) {
            (None, own) => own,
            (Some(base), own) => Some(merge_check_restart(base.clone(), own)),
        };
        if let Some(mut cr) = cr {
            def(&mut cr, "Grace", json!(SEC));
            fill(&mut cr, "Limit:i Grace:i IgnoreWarnings:b");
            c.insert("CheckRestart".into(), Value::Object(cr));
        }
        for k in [
            "SuccessBeforePassing",
            "FailuresBeforeCritical",
            "FailuresBeforeWarning",
        ] {
            if int_of(c, k) < 0 {
                c.insert(k.into(), json!(0));
            }
        }
        def_str(c, "OnUpdate", &on_update);
        if task.is_some() {
            // only group checks keep their own task
            c.remove("TaskName");
        }
        if task_name != "group" {
            def_str(c, "TaskName", &task_name);
        }
        def_str(c, "Name", &format!("service: {name:?} check"));
        if let Some(Value::Object(h)) = c.get_mut("Header") {
            for v in h.values_mut() {
                if v.as_array().is_some_and(Vec::is_empty) {
                    *v = Value::Null;
                }
            }
        }
        fill(c, CHECK);
    });
    sub(s, "Identity", |w| fill(w, IDENTITY));
    fill(s, SERVICE);
}

/// `api.CheckRestart.Merge`: a check's own limit, grace and
/// ignore_warnings override the service's when set.
fn merge_check_restart(mut base: Obj, own: Option<Obj>) -> Obj {
    let Some(own) = own else { return base };
    if int_of(&own, "Limit") > 0 {
        base.insert("Limit".into(), own["Limit"].clone());
    }
    if given(&own, "Grace") {
        base.insert("Grace".into(), own["Grace"].clone());
    }
    if own.get("IgnoreWarnings").and_then(Value::as_bool) == Some(true) {
        base.insert("IgnoreWarnings".into(), json!(true));
    }
    base
}

/// `helper/args.ReplaceEnv` as `structs.Service.Canonicalize` uses it:
/// `${NAME}` is replaced when `NAME` is known (`BASE` is job-group-task),
/// left alone otherwise, in a single pass.
fn replace_env(s: &str, vars: &[(&str, &str)], base: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').filter(|&e| {
            e > 0
                && after[..e]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        });
        let Some(end) = end else {
            out.push_str("${");
            rest = after;
            continue;
        };
        let key = &after[..end];
        let value = vars.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        match value.or((key == "BASE").then_some(base)) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[start..start + end + 3]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `api.Template.Canonicalize` and `structs.Template.Canonicalize`.
fn template(t: &mut Obj) {
    def(t, "SourcePath", json!(""));
    def(t, "DestPath", json!(""));
    def(t, "EmbeddedTmpl", json!(""));
    def(t, "ChangeMode", json!("restart"));
    let signal = if str_of(t, "ChangeMode") == "signal" {
        "SIGHUP"
    } else {
        ""
    };
    def(t, "ChangeSignal", json!(signal));
    upper(t, "ChangeSignal");
    sub(t, "ChangeScript", |c| {
        // ChangeScript.Canonicalize
        defaults(
            c,
            json!({"Command": "", "Args": [], "Timeout": 5 * SEC,
            "FailOnError": false, "RunOnFirstRender": false}),
        );
        fill(
            c,
            "Command:s Args:n Timeout:i FailOnError:b RunOnFirstRender:b",
        );
    });
    defaults(
        t,
        json!({"Once": false, "Splay": 5 * SEC, "Perms": "0644",
        "LeftDelim": "{{", "RightDelim": "}}", "Envvars": false,
        "ErrMissingKey": false, "VaultGrace": 0}),
    );
    sub(t, "Wait", |w| fill(w, "Min:n Max:n"));
    fill(t, TEMPLATE);
}

/// `api.TaskArtifact.Canonicalize`: mode `any`, and a destination of
/// `local/` (or `local/<file name>` in file mode).
fn artifact(a: &mut Obj) {
    def(a, "GetterMode", json!("any"));
    def(a, "GetterInsecure", json!(false));
    def(a, "GetterSource", json!(""));
    if !given(a, "RelativeDest") {
        let dest = if str_of(a, "GetterMode") == "file" {
            let src = str_of(a, "GetterSource");
            match src.trim_end_matches('/').rsplit('/').next().unwrap_or("") {
                "" | "." => "local".to_string(),
                ".." => ".".to_string(),
                base => format!("local/{base}"),
            }
        } else {
            "local/".to_string()
        };
        a.insert("RelativeDest".into(), json!(dest));
    }
    fill(a, ARTIFACT);
}

/// `api.Vault.Canonicalize` and `structs.Vault.Canonicalize`; the task's
/// Vault namespace falls back to the job's (`ApiTgToStructsTG`).
fn vault(v: &mut Obj, job_ns: &str) {
    def(v, "Env", json!(true));
    def(v, "DisableFile", json!(false));
    def(v, "Namespace", json!(""));
    def_str(v, "Cluster", "default");
    def_str(v, "ChangeMode", "restart");
    def(v, "ChangeSignal", json!("SIGHUP"));
    upper(v, "ChangeSignal");
    def(v, "AllowTokenExpiration", json!(false));
    def_str(v, "Namespace", job_ns);
    fill(v, VAULT);
}

fn upper(o: &mut Obj, k: &str) {
    let up = str_of(o, k).to_uppercase();
    if !up.is_empty() {
        o.insert(k.into(), json!(up));
    }
}

const TASK: &str = "Name:s Driver:s User:s Config:c Env:c Services:c Vault:n Secrets:c \
    Consul:n Templates:c Constraints:c Affinities:c Resources:n RestartPolicy:n \
    DispatchPayload:n Lifecycle:n Meta:c KillTimeout:i LogConfig:n Artifacts:c Leader:b \
    ShutdownDelay:i VolumeMounts:c ScalingPolicies:c KillSignal:s Kind:s CSIPluginConfig:n \
    Identity:n Identities:c Actions:c Schedule:n";
const RESOURCES: &str = "CPU:i Cores:i MemoryMB:i MemoryMaxMB:i DiskMB:I IOPS:i Networks:c \
    Devices:c NUMA:n SecretsMB:i";
const NETWORK: &str = "Mode:s Device:S CIDR:s IP:s Hostname:s MBits:i DNS:n ReservedPorts:c \
    DynamicPorts:c CNI:n";
const IDENTITY: &str = "Name:s Audience:n ChangeMode:s ChangeSignal:s Env:b File:b Filepath:s \
    ServiceName:s TTL:i ExtraClaims:n";
const SERVICE: &str = "Name:s TaskName:s PortLabel:s AddressMode:s Address:s \
    EnableTagOverride:b Tags:c CanaryTags:c Checks:c Connect:n Meta:c CanaryMeta:c Weights:n \
    TaggedAddresses:c Namespace:s OnUpdate:s Provider:s Cluster:s Identity:n Kind:s";
const CHECK: &str = "Name:s Type:s Command:s Args:c Path:s Protocol:s PortLabel:s Expose:b \
    AddressMode:s Interval:i Timeout:i InitialStatus:s Notes:s TLSServerName:s \
    TLSSkipVerify:b Method:s Header:c CheckRestart:n GRPCService:s GRPCUseTLS:b TaskName:s \
    SuccessBeforePassing:i FailuresBeforeCritical:i FailuresBeforeWarning:i Body:s \
    OnUpdate:s Advertise:-";
const TEMPLATE: &str = "SourcePath:s DestPath:s EmbeddedTmpl:s ChangeMode:s ChangeSignal:s \
    ChangeScript:n Once:b Splay:i Perms:s Uid:n Gid:n LeftDelim:s RightDelim:s Envvars:b \
    VaultGrace:i Wait:n ErrMissingKey:b";
const ARTIFACT: &str = "GetterSource:s GetterOptions:c GetterHeaders:c GetterMode:s \
    GetterInsecure:b RelativeDest:s Chown:b";
const VAULT: &str = "Role:s Namespace:s Cluster:s Env:b DisableFile:b ChangeMode:s \
    ChangeSignal:s AllowTokenExpiration:b Policies:-";
