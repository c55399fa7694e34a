//! Job canonicalisation: turns the `Job` of a `PUT/POST /v1/jobs` body into
//! the job Nomad v2.0.5 stores and serves from `GET /v1/job/:id`.
//!
//! A real register goes through three stages, and this module folds them
//! into one pass over the JSON value:
//!
//! 1. `api.Job.Canonicalize` (api/jobs.go, api/tasks.go, api/resources.go,
//!    api/services.go): fills the job-type-dependent defaults and merges the
//!    job-level `update`, `reschedule` and `migrate` blocks into each group;
//! 2. `ApiJobToStructJob` and friends (command/agent/job_endpoint.go): the
//!    conversion to `structs.Job`, which drops some client-sent fields and
//!    gives every struct field its zero value;
//! 3. the server's admission mutators (nomad/job_endpoint_hooks.go):
//!    `structs.Job.Canonicalize` (nomad/structs/structs.go), the default
//!    priority and, in Nomad CE, the `default` node pool.
//!
//! Go decodes an explicit JSON `null` into a nil pointer, exactly like a
//! missing key, so every check here treats `null` as absent. The output
//! carries every field of the Go structs, zero values included (`null` for
//! nil slices, maps and pointers), so that a `nomad run -output` body full
//! of nulls and a hand-written minimal body store the same job. Fields this
//! module does not know are kept as they are.

mod task;
#[cfg(test)]
mod tests;

use serde_json::{json, Map, Value};

type Obj = Map<String, Value>;

const SEC: i64 = 1_000_000_000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;

/// Canonicalises a job register body in place into the job Nomad stores.
///
/// `default_region` is the agent's region: like `regionForJob`
/// (command/agent/job_endpoint.go), a job without a region, or with
/// `global`, lands in the agent's region, and a multiregion job is stored in
/// `global`. Server-managed fields (`Version`, `Status`, the indexes…) are
/// only given their zero values when missing; the caller sets them.
/// Calling it again on its own output changes nothing, so already stored
/// jobs (periodic and dispatched children) can be registered again.
pub fn canonicalize_job(job: &mut Value, default_region: &str) {
    let Some(j) = job.as_object_mut() else {
        return;
    };
    // api.Job.Canonicalize: scalar defaults. Nomad keeps an explicit ""
    // name or type and then fails validation; there is no validation here,
    // so "" counts as missing.
    def(j, "ID", json!(""));
    if str_of(j, "Name").is_empty() {
        let id = j["ID"].clone();
        j.insert("Name".into(), id);
    }
    def_str(j, "Type", "service");
    // regionForJob, then namespaceForJob.
    let region = match str_of(j, "Region") {
        _ if given(j, "Multiregion") => "global",
        "" | "global" => default_region,
        r => r,
    }
    .to_string();
    j.insert("Region".into(), json!(region));
    def_str(j, "Namespace", "default");
    // jobCanonicalizer.Mutate: priority 0 falls back to the server default.
    if int_of(j, "Priority") == 0 {
        j.insert("Priority".into(), json!(50));
    }
    // jobNodePoolMutatingHook.Mutate (CE).
    def_str(j, "NodePool", "default");
    // structs.Job.Canonicalize: no datacenters means all of them (2.x).
    if j.get("Datacenters")
        .and_then(Value::as_array)
        .is_none_or(|a| a.is_empty())
    {
        j.insert("Datacenters".into(), json!(["*"]));
    }

    let ty = str_of(j, "Type").to_string();
    // api.Job.Canonicalize: a job-level update is completed with the
    // defaults; service and system jobs without one get the default one.
    let update = match take_obj(j, "Update") {
        Some(mut u) => {
            defaults(&mut u, default_update());
            Some(u)
        }
        None if ty == "service" || ty == "system" => obj(default_update()),
        None => None,
    };
    let ctx = JobCtx {
        name: str_of(j, "Name").to_string(),
        id: str_of(j, "ID").to_string(),
        namespace: str_of(j, "Namespace").to_string(),
        consul_ns: str_of(j, "ConsulNamespace").to_string(),
        vault_ns: str_of(j, "VaultNamespace").to_string(),
        // structs.Job has no Reschedule or Migrate: they only live on in
        // the groups they are merged into.
        reschedule: take_obj(j, "Reschedule"),
        migrate: take_obj(j, "Migrate"),
        update,
        ty,
    };
    each(j, "TaskGroups", |g| group(g, &ctx));

    // ApiJobToStructJob keeps only stagger and max_parallel at job level,
    // and only when max_parallel is positive; otherwise the zero struct.
    let mut ju = Obj::new();
    if let Some(u) = ctx.update.as_ref().filter(|u| int_of(u, "MaxParallel") > 0) {
        ju.insert("Stagger".into(), json!(int_of(u, "Stagger")));
        ju.insert("MaxParallel".into(), json!(int_of(u, "MaxParallel")));
    }
    fill(&mut ju, UPDATE);
    j.insert("Update".into(), Value::Object(ju));

    sub(j, "Periodic", |p| {
        // PeriodicConfig.Canonicalize (api)
        def(p, "Enabled", json!(true));
        def(p, "Spec", json!(""));
        def(p, "Specs", json!([]));
        def(p, "SpecType", json!("cron"));
        def(p, "ProhibitOverlap", json!(false));
        def_str(p, "TimeZone", "UTC");
        fill(p, PERIODIC);
    });
    sub(j, "ParameterizedJob", |p| {
        // ParameterizedJobConfig.Canonicalize (structs)
        def_str(p, "Payload", "optional");
        fill(p, PARAMETERIZED);
    });
    sub(j, "Multiregion", multiregion);
    sub(j, "UI", |u| {
        // ApiJobUIConfigToStructs renames a link's URL to Url.
        each(u, "Links", |l| {
            if let Some(url) = l.remove("URL").filter(|v| !v.is_null()) {
                l.insert("Url".into(), url);
            }
            fill(l, "Label:s Url:s");
        });
        fill(u, "Description:s Links:c");
    });
    each(j, "Constraints", constraint);
    each(j, "Affinities", affinity);
    each(j, "Spreads", spread);
    fill(j, JOB);
}

/// What a group and its tasks inherit from the job.
struct JobCtx {
    ty: String,
    name: String,
    id: String,
    namespace: String,
    consul_ns: String,
    vault_ns: String,
    update: Option<Obj>,
    reschedule: Option<Obj>,
    migrate: Option<Obj>,
}

/// `api.TaskGroup.Canonicalize`, `ApiTgToStructsTG` and
/// `structs.TaskGroup.Canonicalize`.
fn group(g: &mut Obj, job: &JobCtx) {
    let ty = job.ty.as_str();
    def(g, "Name", json!(""));
    if !given(g, "Count") {
        let min = get_obj(g, "Scaling")
            .and_then(|s| s.get("Min"))
            .filter(|v| !v.is_null())
            .cloned();
        g.insert("Count".into(), min.unwrap_or(json!(1)));
    }
    let name = str_of(g, "Name").to_string();
    let count = int_of(g, "Count");
    sub(g, "Scaling", |p| scaling(p, job, &name, None, count));

    // DefaultEphemeralDisk / EphemeralDisk.Canonicalize
    def(g, "EphemeralDisk", json!({}));
    sub(g, "EphemeralDisk", |d| {
        defaults(d, json!({"Sticky": false, "Migrate": false, "SizeMB": 300}));
        fill(d, "Sticky:b SizeMB:i Migrate:b");
    });
    // Consul.MergeNamespace inherits the job's consul namespace.
    sub(g, "Consul", |c| {
        def_str(c, "Namespace", &job.consul_ns);
        task::consul(c);
    });

    // The job's update block is the base the group's own fields override;
    // a group without one inherits the job's unless it is empty.
    let update = match (&job.update, take_obj(g, "Update")) {
        (Some(ju), Some(gu)) => Some(overlay(ju.clone(), Some(&gu))),
        (Some(ju), None) if !update_empty(ju) => Some(ju.clone()),
        (_, gu) => gu,
    };
    if let Some(mut u) = update {
        defaults(&mut u, default_update());
        fill(&mut u, UPDATE);
        g.insert("Update".into(), Value::Object(u));
    }

    // Reschedule: merged from the job; defaulted except for system and
    // sysbatch jobs, which never reschedule.
    let resched = match (&job.reschedule, take_obj(g, "ReschedulePolicy")) {
        (Some(jr), gr) => Some(overlay(jr.clone(), gr.as_ref())),
        (None, gr) => gr,
    }
    .or_else(|| (ty != "system" && ty != "sysbatch").then(Obj::new));
    if let Some(mut r) = resched {
        defaults(&mut r, default_reschedule(ty));
        fill(&mut r, RESCHEDULE);
        g.insert("ReschedulePolicy".into(), Value::Object(r));
    }

    // Migrate: merged from the job; only service jobs get a default one.
    let migrate = match (&job.migrate, take_obj(g, "Migrate")) {
        (Some(jm), gm) => Some(overlay(jm.clone(), gm.as_ref())),
        (None, gm) => gm,
    }
    .or_else(|| (ty == "service").then(Obj::new));
    if let Some(mut m) = migrate {
        let d = json!({"MaxParallel": 1, "HealthCheck": "checks",
            "MinHealthyTime": 10 * SEC, "HealthyDeadline": 5 * MIN});
        defaults(&mut m, d);
        fill(&mut m, MIGRATE);
        g.insert("Migrate".into(), Value::Object(m));
    }

    // The group's restart block overrides the job type's default one.
    let mut restart = overlay(
        obj(default_restart(ty)).unwrap_or_default(),
        get_obj(g, "RestartPolicy"),
    );
    fill(&mut restart, RESTART);
    g.insert("RestartPolicy".into(), Value::Object(restart.clone()));

    each(g, "Tasks", |t| task::task(t, &restart, job, &name));
    each(g, "Constraints", constraint);
    each(g, "Affinities", affinity);
    each(g, "Spreads", spread);
    each(g, "Networks", task::network);
    each(g, "Services", |s| task::service(s, job, &name, None));
    sub(g, "Disconnect", |d| {
        // DisconnectStrategy.Canonicalize (api and structs)
        def(d, "Replace", json!(true));
        def_str(d, "Reconcile", "best_score");
        fill(d, "LostAfter:i StopOnClientAfter:n Replace:b Reconcile:s");
    });
    if let Some(Value::Object(vols)) = g.get_mut("Volumes") {
        // ApiTgToStructsTG ignores volumes of types it does not know.
        vols.retain(|_, v| matches!(v["Type"].as_str(), Some("host" | "csi")));
        for v in vols.values_mut().filter_map(Value::as_object_mut) {
            sub(v, "MountOptions", |m| fill(m, "FSType:s MountFlags:n"));
            fill(v, VOLUME);
        }
    }
    implied_constraints(g);
    fill(g, GROUP);
}

/// `jobImpliedConstraints.Mutate` (nomad/job_endpoint_hooks.go) for Vault,
/// Nomad and Consul services and bridge networks: the constraints that keep
/// such groups off clients that cannot run them. Signals, NUMA, secrets,
/// transparent proxy and task schedules are not covered.
fn implied_constraints(g: &mut Obj) {
    let list = |o: &Obj, k: &str| {
        o.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let tasks = list(g, "Tasks");
    let group_services = list(g, "Services");
    let task_services = tasks
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|t| list(t, "Services"));
    let services: Vec<Value> = group_services
        .iter()
        .cloned()
        .chain(task_services)
        .collect();
    let is_consul = |s: &Value| matches!(s["Provider"].as_str(), Some("consul" | "") | None);
    let versioned = |kind: &str, cluster: &str, min: &str| match cluster {
        "" | "default" => (format!("${{attr.{kind}.version}}"), min.to_string()),
        c => (
            format!("${{attr.{kind}.{c}.version}}"),
            ">= 1.11.0".to_string(),
        ),
    };
    for t in tasks
        .iter()
        .filter_map(|t| t.get("Vault"))
        .filter(|v| v.is_object())
    {
        let (l, r) = versioned("vault", t["Cluster"].as_str().unwrap_or(""), ">= 0.6.1");
        add_constraint(g, &l, &r, "semver", false);
    }
    let nomad: Vec<&Value> = services
        .iter()
        .filter(|s| s["Provider"] == "nomad")
        .collect();
    if !nomad.is_empty() {
        add_constraint(g, "${attr.nomad.service_discovery}", "true", "=", true);
    }
    if nomad
        .iter()
        .any(|s| s["Checks"].as_array().is_some_and(|c| !c.is_empty()))
    {
        add_constraint(g, "${attr.nomad.version}", ">= 1.4.0", "semver", true);
    }
    let consul_target = |s: &Value| {
        let (l, _) = versioned("consul", s["Cluster"].as_str().unwrap_or(""), "");
        l
    };
    if services.iter().any(is_consul) {
        for s in group_services.iter().filter(|s| is_consul(s)) {
            add_constraint(g, &consul_target(s), ">= 1.8.0", "semver", false);
        }
        each(g, "Tasks", |t| {
            for s in list(t, "Services").iter().filter(|s| is_consul(s)) {
                add_constraint(t, &consul_target(s), ">= 1.8.0", "semver", false);
            }
        });
    }
    let networks = list(g, "Networks");
    if networks.iter().any(|n| n["Mode"] == "bridge") {
        for cni in ["bridge", "firewall", "host-local", "loopback", "portmap"] {
            let l = format!("${{attr.plugins.cni.version.{cni}}}");
            add_constraint(g, &l, ">= 0.4.0", "semver", false);
        }
    }
}

/// `mutateConstraint`: appends a constraint unless one with the same
/// attribute (or, when `full`, the same attribute, value and operator) is
/// already there.
fn add_constraint(o: &mut Obj, l: &str, r: &str, op: &str, full: bool) {
    let c = json!({"LTarget": l, "RTarget": r, "Operand": op});
    if !o.get("Constraints").is_some_and(Value::is_array) {
        o.insert("Constraints".into(), json!([]));
    }
    let Some(Value::Array(list)) = o.get_mut("Constraints") else {
        return;
    };
    let fields: &[&str] = if full {
        &["LTarget", "RTarget", "Operand"]
    } else {
        &["LTarget"]
    };
    let found = list.iter().any(|x| fields.iter().all(|f| x[*f] == c[*f]));
    if !found {
        list.push(c);
    }
}

/// `api.ScalingPolicy.Canonicalize`, `ApiScalingPolicyToStructs` and
/// `structs.ScalingPolicy.Canonicalize`: enabled by default, min defaults to
/// the group count (0 for task policies), max to -1, and the target names
/// the job, group and task.
fn scaling(p: &mut Obj, job: &JobCtx, group: &str, task: Option<&str>, count: i64) {
    def(p, "Enabled", json!(true));
    def(p, "Min", json!(count));
    def(p, "Max", json!(-1));
    def_str(p, "Type", "horizontal");
    let mut target = json!({"Namespace": job.namespace, "Job": job.id, "Group": group});
    if let Some(t) = task {
        target["Task"] = json!(t);
    }
    p.insert("Target".into(), target);
    fill(
        p,
        "ID:s Type:s Target:n Policy:n Min:i Max:i Enabled:b CreateIndex:i ModifyIndex:i",
    );
}

/// `api.Multiregion.Canonicalize` and `structs.Multiregion.Canonicalize`.
fn multiregion(m: &mut Obj) {
    def(m, "Strategy", json!({}));
    sub(m, "Strategy", |s| fill(s, "MaxParallel:i OnFailure:s"));
    def(m, "Regions", json!([]));
    each(m, "Regions", |r| {
        def(r, "Count", json!(1));
        def(r, "Datacenters", json!([]));
        def(r, "Meta", json!({}));
        fill(r, "Name:s Count:i Datacenters:n NodePool:s Meta:n");
    });
}

fn constraint(c: &mut Obj) {
    fill(c, "LTarget:s RTarget:s Operand:s");
}

/// `api.Affinity.Canonicalize`: weight 50 unless given.
fn affinity(a: &mut Obj) {
    def(a, "Weight", json!(50));
    fill(a, "LTarget:s RTarget:s Operand:s Weight:i");
}

/// `api.Spread.Canonicalize`: weight 50 unless given.
fn spread(s: &mut Obj) {
    def(s, "Weight", json!(50));
    each(s, "SpreadTarget", |t| fill(t, "Value:s Percent:i"));
    fill(s, "Attribute:s Weight:i SpreadTarget:n");
}

/// `api.DefaultUpdateStrategy`.
fn default_update() -> Value {
    json!({"Stagger": 30 * SEC, "MaxParallel": 1, "HealthCheck": "checks",
        "MinHealthyTime": 10 * SEC, "HealthyDeadline": 5 * MIN,
        "ProgressDeadline": 10 * MIN, "AutoRevert": false, "Canary": 0,
        "AutoPromote": false})
}

/// `api.UpdateStrategy.Empty`: nothing but zero values.
fn update_empty(u: &Obj) -> bool {
    let ints = [
        "Stagger",
        "MaxParallel",
        "MinHealthyTime",
        "HealthyDeadline",
    ];
    ints.iter()
        .chain(&["ProgressDeadline", "Canary"])
        .all(|k| int_of(u, k) == 0)
        && str_of(u, "HealthCheck").is_empty()
        && !bool_of(u, "AutoRevert")
        && !bool_of(u, "AutoPromote")
}

/// `defaultServiceJobRestartPolicy` (service, system) and
/// `defaultBatchJobRestartPolicy` (everything else), api/tasks.go.
pub(crate) fn default_restart(ty: &str) -> Value {
    let (attempts, interval) = match ty {
        "service" | "system" => (2, 30 * MIN),
        _ => (3, 24 * HOUR),
    };
    json!({"Attempts": attempts, "Interval": interval, "Delay": 15 * SEC,
        "Mode": "fail", "RenderTemplates": false})
}

/// `api.NewDefaultReschedulePolicy`, in sync with
/// `DefaultServiceJobReschedulePolicy` and `DefaultBatchJobReschedulePolicy`.
fn default_reschedule(ty: &str) -> Value {
    let (attempts, interval, delay, func, max, unlimited) = match ty {
        "service" => (0, 0, 30 * SEC, "exponential", HOUR, true),
        "batch" => (1, 24 * HOUR, 5 * SEC, "constant", 0, false),
        _ => (0, 0, 0, "", 0, false),
    };
    json!({"Attempts": attempts, "Interval": interval, "Delay": delay,
        "DelayFunction": func, "MaxDelay": max, "Unlimited": unlimited})
}

// ------------------------------------------------------------------ helpers

/// A field is given when present and not `null`.
fn given(o: &Obj, k: &str) -> bool {
    o.get(k).is_some_and(|v| !v.is_null())
}

/// Sets `k` when it is not given (a nil Go pointer).
fn def(o: &mut Obj, k: &str, v: Value) {
    if !given(o, k) {
        o.insert(k.into(), v);
    }
}

/// Sets a string field when it is missing, `null` or empty: Go checks
/// `== ""` for these.
fn def_str(o: &mut Obj, k: &str, v: &str) {
    if str_of(o, k).is_empty() {
        o.insert(k.into(), json!(v));
    }
}

fn str_of<'a>(o: &'a Obj, k: &str) -> &'a str {
    o.get(k).and_then(Value::as_str).unwrap_or("")
}

fn int_of(o: &Obj, k: &str) -> i64 {
    o.get(k).and_then(Value::as_i64).unwrap_or(0)
}

fn bool_of(o: &Obj, k: &str) -> bool {
    o.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn obj(v: Value) -> Option<Obj> {
    match v {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn get_obj<'a>(o: &'a Obj, k: &str) -> Option<&'a Obj> {
    o.get(k).and_then(Value::as_object)
}

/// Removes an object-valued field, for blocks that get rebuilt.
fn take_obj(o: &mut Obj, k: &str) -> Option<Obj> {
    o.remove(k).and_then(obj)
}

/// The `Canonicalize` pattern: every field of `d` the object lacks.
fn defaults(o: &mut Obj, d: Value) {
    for (k, v) in obj(d).unwrap_or_default() {
        def(o, &k, v);
    }
}

/// The `Merge` pattern: the given fields of `top` override `base`.
fn overlay(mut base: Obj, top: Option<&Obj>) -> Obj {
    for (k, v) in top.into_iter().flatten() {
        if !v.is_null() {
            base.insert(k.clone(), v.clone());
        }
    }
    base
}

/// Runs `f` on an object-valued field, if it is one.
fn sub(o: &mut Obj, k: &str, f: impl FnOnce(&mut Obj)) {
    if let Some(Value::Object(m)) = o.get_mut(k) {
        f(m)
    }
}

/// Runs `f` on every object of an array-valued field.
fn each(o: &mut Obj, k: &str, mut f: impl FnMut(&mut Obj)) {
    if let Some(Value::Array(a)) = o.get_mut(k) {
        a.iter_mut()
            .filter_map(Value::as_object_mut)
            .for_each(&mut f);
    }
}

/// Gives an object every field of a Go struct, from a spec of
/// `Name:kind` items. Kinds: `s`, `i`, `b` (string, integer, bool: zero
/// when not given), `n` (pointer: `null` when not given), `c` (slice or
/// map that `Canonicalize` turns to nil when empty: `null` when not given
/// or empty). Upper case forces the zero value: the conversion drops the
/// client's value. `-` removes a field the stored struct does not have.
fn fill(o: &mut Obj, spec: &str) {
    for item in spec.split_whitespace() {
        let (k, kind) = item.split_once(':').unwrap_or((item, "n"));
        let zero = match kind.to_ascii_lowercase().as_str() {
            "-" => {
                o.remove(k);
                continue;
            }
            "s" => json!(""),
            "i" => json!(0),
            "b" => json!(false),
            _ => Value::Null,
        };
        let unset = match o.get(k) {
            None | Some(Value::Null) => true,
            Some(Value::Array(a)) => kind == "c" && a.is_empty(),
            Some(Value::Object(m)) => kind == "c" && m.is_empty(),
            _ => false,
        };
        if unset || kind.chars().all(|c| c.is_ascii_uppercase()) {
            o.insert(k.into(), zero);
        }
    }
}

// ------------------------------------------------- the structs, field by field

const JOB: &str = "Stop:b Region:s Namespace:s ID:s ParentID:s Name:s Type:s Priority:i \
    AllAtOnce:b Datacenters:n NodePool:s Constraints:c Affinities:c Spreads:c TaskGroups:c \
    Multiregion:n Periodic:n ParameterizedJob:n Dispatched:b DispatchIdempotencyToken:s \
    Payload:n Meta:c ConsulNamespace:s VaultNamespace:s NomadTokenID:s Status:s \
    StatusDescription:s Stable:b Version:i SubmitTime:i CreateIndex:i ModifyIndex:i \
    JobModifyIndex:i UI:n VersionTag:n";
const UPDATE: &str = "Stagger:i MaxParallel:i HealthCheck:s MinHealthyTime:i HealthyDeadline:i \
    ProgressDeadline:i AutoRevert:b AutoPromote:b Canary:i";
const GROUP: &str = "Name:s Count:i Update:n Migrate:n Constraints:c Scaling:n RestartPolicy:n \
    Disconnect:n Tasks:c EphemeralDisk:n Meta:c ReschedulePolicy:n Affinities:c Spreads:c \
    Networks:c Consul:n Services:c Volumes:c ShutdownDelay:n MaxRunDuration:n \
    StopAfterClientDisconnect:N MaxClientDisconnect:N PreventRescheduleOnLost:B";
const RESTART: &str = "Attempts:i Interval:i Delay:i Mode:s RenderTemplates:b";
const RESCHEDULE: &str = "Attempts:i Interval:i Delay:i DelayFunction:s MaxDelay:i Unlimited:b";
const MIGRATE: &str = "MaxParallel:i HealthCheck:s MinHealthyTime:i HealthyDeadline:i";
const VOLUME: &str = "Name:s Type:s Source:s ReadOnly:b Sticky:b AccessMode:s \
    AttachmentMode:s MountOptions:n PerAlloc:b";
const PERIODIC: &str = "Enabled:b Spec:s Specs:n SpecType:s ProhibitOverlap:b TimeZone:s";
const PARAMETERIZED: &str = "Payload:s MetaRequired:n MetaOptional:n";
