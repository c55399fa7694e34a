//! Computes Nomad's structured job diff from two job specs (JSON), following
//! the semantics of Nomad's `nomad/structs/diff.go`: primitive fields are
//! flattened per level (maps such as `Meta` and `Env` become `Meta[key]`
//! fields), sub-objects appear only when they changed, constraints,
//! affinities and datacenters diff as sets, task groups and tasks are
//! matched by name, and `Old`/`New` are always strings.
//!
//! Used by `nomad-sim` to answer `versions?diffs=true` and `plan`, and
//! usable by the UI to diff any two versions client-side.

use crate::diff::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Fields never diffed at the job level (they change on every submit).
const JOB_FILTER: &[&str] = &[
    "ID",
    "Status",
    "StatusDescription",
    "Version",
    "Stable",
    "CreateIndex",
    "ModifyIndex",
    "JobModifyIndex",
    "Update",
    "SubmitTime",
    "NomadTokenID",
    "VaultToken",
    "ConsulToken",
    "TaskGroups",
    "Payload",
];
/// Maps of strings that flatten into `Name[key]` fields.
const FLAT_MAPS: &[&str] = &["Meta", "Env"];

fn s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// Primitive-only flatten of one level: primitives, and string maps as `K[k]`.
fn flat_primitive(v: Option<&Value>, filter: &[&str]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(Value::Object(o)) = v {
        for (k, val) in o {
            if filter.contains(&k.as_str()) {
                continue;
            }
            match val {
                Value::Object(m) if FLAT_MAPS.contains(&k.as_str()) => {
                    for (mk, mv) in m {
                        out.insert(format!("{k}[{mk}]"), s(mv));
                    }
                }
                Value::Object(_) | Value::Array(_) => {}
                Value::Null if FLAT_MAPS.contains(&k.as_str()) => {}
                // nil pointers and empty slices are not primitives
                Value::Null => {}
                prim => {
                    out.insert(k.clone(), s(prim));
                }
            }
        }
    }
    out
}

/// Full flatten (for driver `Config`): nested keys as `a[b]`, `a[0]`.
fn flat_all(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(o) => {
            for (k, val) in o {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}[{k}]")
                };
                flat_all(&key, val, out);
            }
        }
        Value::Array(a) => {
            for (i, val) in a.iter().enumerate() {
                flat_all(&format!("{prefix}[{i}]"), val, out);
            }
        }
        prim => {
            out.insert(prefix.to_string(), s(prim));
        }
    }
}

/// Field diffs between two flat maps, sorted by name. Unchanged fields are
/// kept only when `contextual`.
fn field_diffs(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    contextual: bool,
) -> Vec<FieldDiff> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = vec![];
    for k in keys {
        let (o, n) = (old.get(k), new.get(k));
        let diff_type = match (o, n) {
            (None, Some(_)) => DiffType::Added,
            (Some(_), None) => DiffType::Deleted,
            (Some(a), Some(b)) if a != b => DiffType::Edited,
            _ => DiffType::None,
        };
        if diff_type == DiffType::None && !contextual {
            continue;
        }
        out.push(FieldDiff {
            diff_type,
            name: k.clone(),
            old: o.cloned().unwrap_or_default(),
            new: n.cloned().unwrap_or_default(),
            annotations: vec![],
        });
    }
    out
}

fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

/// A primitive object (`RestartPolicy`, `Periodic`, ...): `None` when equal.
fn object_diff(
    name: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    filter: &[&str],
    contextual: bool,
) -> Option<ObjectDiff> {
    let (old, new) = (present(old), present(new));
    if old == new {
        return None;
    }
    let diff_type = match (old, new) {
        (None, Some(_)) => DiffType::Added,
        (Some(_), None) => DiffType::Deleted,
        _ => DiffType::Edited,
    };
    let of = flat_primitive(old, filter);
    let nf = flat_primitive(new, filter);
    let mut objects = vec![];
    // nested objects and lists inside (e.g. a service's checks, network ports)
    let keys: BTreeSet<String> = [old, new]
        .iter()
        .flatten()
        .filter_map(|v| v.as_object())
        .flat_map(|o| o.keys().cloned())
        .collect();
    for k in keys {
        if filter.contains(&k.as_str()) || FLAT_MAPS.contains(&k.as_str()) {
            continue;
        }
        let (ov, nv) = (old.and_then(|o| o.get(&k)), new.and_then(|o| o.get(&k)));
        let is_obj = |v: Option<&Value>| matches!(v, Some(Value::Object(_)));
        let is_arr = |v: Option<&Value>| matches!(v, Some(Value::Array(_)));
        if is_obj(ov) || is_obj(nv) {
            objects.extend(object_diff(&k, ov, nv, &[], contextual));
        } else if is_arr(ov) || is_arr(nv) {
            objects.extend(list_diff(&k, ov, nv, contextual));
        }
    }
    Some(ObjectDiff {
        diff_type,
        name: name.to_string(),
        fields: field_diffs(&of, &nf, contextual),
        objects,
    })
}

fn singular(name: &str) -> String {
    match name {
        "Affinities" => "Affinity".into(),
        "Checks" => "Check".into(),
        n if n.ends_with('s') => n[..n.len() - 1].to_string(),
        n => n.to_string(),
    }
}

/// A list: of strings → a set object with one field per element (like
/// `Datacenters`); of objects → one object per added/removed element.
fn list_diff(
    name: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    contextual: bool,
) -> Vec<ObjectDiff> {
    let empty = vec![];
    let oa = old.and_then(Value::as_array).unwrap_or(&empty);
    let na = new.and_then(Value::as_array).unwrap_or(&empty);
    if oa.iter().chain(na).all(|v| !v.is_object()) {
        return string_set_diff(name, oa, na, contextual)
            .into_iter()
            .collect();
    }
    set_of_objects(&singular(name), oa, na, contextual)
}

fn string_set_diff(
    name: &str,
    old: &[Value],
    new: &[Value],
    contextual: bool,
) -> Option<ObjectDiff> {
    let o: BTreeSet<String> = old.iter().map(s).collect();
    let n: BTreeSet<String> = new.iter().map(s).collect();
    if o == n {
        return None;
    }
    let mut fields = vec![];
    for v in o.union(&n) {
        let t = match (o.contains(v), n.contains(v)) {
            (true, false) => DiffType::Deleted,
            (false, true) => DiffType::Added,
            _ => DiffType::None,
        };
        if t == DiffType::None && !contextual {
            continue;
        }
        let (old, new) = match t {
            DiffType::Deleted => (v.clone(), String::new()),
            DiffType::Added => (String::new(), v.clone()),
            _ => (v.clone(), v.clone()),
        };
        fields.push(FieldDiff {
            diff_type: t,
            name: name.to_string(),
            old,
            new,
            annotations: vec![],
        });
    }
    let diff_type = if o.is_empty() {
        DiffType::Added
    } else if n.is_empty() {
        DiffType::Deleted
    } else {
        DiffType::Edited
    };
    Some(ObjectDiff {
        diff_type,
        name: name.to_string(),
        fields,
        objects: vec![],
    })
}

fn set_of_objects(name: &str, old: &[Value], new: &[Value], contextual: bool) -> Vec<ObjectDiff> {
    let mut out = vec![];
    for o in old {
        if !new.contains(o) {
            out.extend(object_diff(name, Some(o), None, &[], contextual));
        }
    }
    for n in new {
        if !old.contains(n) {
            out.extend(object_diff(name, None, Some(n), &[], contextual));
        }
    }
    out
}

/// Builds the object diffs of one level from `(json key, diff name, kind)`.
enum Kind {
    Object(&'static [&'static str]),
    Set,
    StringSet,
    Config,
}

fn objects_of<'a>(
    old: Option<&'a Value>,
    new: Option<&'a Value>,
    spec: &[(&str, &str, Kind)],
    contextual: bool,
) -> Vec<ObjectDiff> {
    let mut out = vec![];
    // borrowed: diffing never copies the specs
    let get = |v: Option<&'a Value>, k: &str| v.and_then(|v| v.get(k)).filter(|v| !v.is_null());
    let arr = |v: Option<&'a Value>| {
        v.and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    };
    for (key, name, kind) in spec {
        let (o, n) = (get(old, key), get(new, key));
        match kind {
            Kind::Object(filter) => out.extend(object_diff(name, o, n, filter, contextual)),
            Kind::StringSet => out.extend(string_set_diff(name, arr(o), arr(n), contextual)),
            Kind::Set => out.extend(set_of_objects(name, arr(o), arr(n), contextual)),
            Kind::Config => {
                if o != n {
                    let mut of = BTreeMap::new();
                    let mut nf = BTreeMap::new();
                    if let Some(o) = &o {
                        flat_all("", o, &mut of);
                    }
                    if let Some(n) = &n {
                        flat_all("", n, &mut nf);
                    }
                    let diff_type = match (&o, &n) {
                        (None, Some(_)) => DiffType::Added,
                        (Some(_), None) => DiffType::Deleted,
                        _ => DiffType::Edited,
                    };
                    out.push(ObjectDiff {
                        diff_type,
                        name: name.to_string(),
                        fields: field_diffs(&of, &nf, contextual),
                        objects: vec![],
                    });
                }
            }
        }
    }
    out
}

fn by_name(list: Option<&Value>) -> BTreeMap<String, &Value> {
    list.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| Some((v.get("Name")?.as_str()?.to_string(), v)))
                .collect()
        })
        .unwrap_or_default()
}

fn level_type(old: Option<&Value>, new: Option<&Value>, changed: bool) -> DiffType {
    match (old, new) {
        (None, Some(_)) => DiffType::Added,
        (Some(_), None) => DiffType::Deleted,
        _ if changed => DiffType::Edited,
        _ => DiffType::None,
    }
}

fn task_diff(name: &str, old: Option<&Value>, new: Option<&Value>, contextual: bool) -> TaskDiff {
    let fields = field_diffs(
        &flat_primitive(old, &["Name", "Config"]),
        &flat_primitive(new, &["Name", "Config"]),
        false,
    );
    let objects = objects_of(
        old,
        new,
        &[
            ("Constraints", "Constraint", Kind::Set),
            ("Affinities", "Affinity", Kind::Set),
            ("Config", "Config", Kind::Config),
            ("Resources", "Resources", Kind::Object(&[])),
            ("LogConfig", "LogConfig", Kind::Object(&[])),
            ("DispatchPayload", "DispatchPayload", Kind::Object(&[])),
            ("Artifacts", "Artifact", Kind::Set),
            ("Services", "Service", Kind::Set),
            ("Vault", "Vault", Kind::Object(&[])),
            ("Templates", "Template", Kind::Set),
            ("Lifecycle", "TaskLifecycle", Kind::Object(&[])),
            ("Identity", "Identity", Kind::Object(&[])),
        ],
        contextual,
    );
    let changed = old != new;
    TaskDiff {
        diff_type: level_type(old, new, changed),
        name: name.to_string(),
        fields,
        objects,
        annotations: vec![],
    }
}

fn group_diff(
    name: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    contextual: bool,
) -> TaskGroupDiff {
    let fields = field_diffs(
        &flat_primitive(old, &["Name"]),
        &flat_primitive(new, &["Name"]),
        false,
    );
    let objects = objects_of(
        old,
        new,
        &[
            ("Constraints", "Constraint", Kind::Set),
            ("Affinities", "Affinity", Kind::Set),
            ("RestartPolicy", "RestartPolicy", Kind::Object(&[])),
            ("ReschedulePolicy", "ReschedulePolicy", Kind::Object(&[])),
            ("EphemeralDisk", "EphemeralDisk", Kind::Object(&[])),
            ("Consul", "Consul", Kind::Object(&[])),
            ("Update", "Update", Kind::Object(&["Stagger"])),
            ("Disconnect", "Disconnect", Kind::Object(&[])),
            ("Networks", "Network", Kind::Set),
            ("Scaling", "Scaling", Kind::Object(&[])),
            ("Services", "Service", Kind::Set),
            ("Volumes", "Volume", Kind::Object(&[])),
        ],
        contextual,
    );
    let (ot, nt) = (
        by_name(old.and_then(|g| g.get("Tasks"))),
        by_name(new.and_then(|g| g.get("Tasks"))),
    );
    let names: BTreeSet<&String> = ot.keys().chain(nt.keys()).collect();
    let tasks = names
        .into_iter()
        .map(|n| task_diff(n, ot.get(n).copied(), nt.get(n).copied(), contextual))
        .collect();
    TaskGroupDiff {
        diff_type: level_type(old, new, old != new),
        name: name.to_string(),
        fields,
        objects,
        tasks,
        updates: BTreeMap::new(),
    }
}

/// The diff of two job specs (`None` for "no job"). `contextual` keeps
/// unchanged fields inside changed objects (what `plan` asks for).
pub fn job_diff(old: Option<&Value>, new: Option<&Value>, contextual: bool) -> JobDiff {
    let (old, new) = (present(old), present(new));
    let id = new
        .or(old)
        .and_then(|j| j.get("ID"))
        .map(s)
        .unwrap_or_default();
    let fields = field_diffs(
        &flat_primitive(old, JOB_FILTER),
        &flat_primitive(new, JOB_FILTER),
        false,
    );
    let objects = objects_of(
        old,
        new,
        &[
            ("Datacenters", "Datacenters", Kind::StringSet),
            ("Constraints", "Constraint", Kind::Set),
            ("Affinities", "Affinity", Kind::Set),
            ("Spreads", "Spread", Kind::Set),
            ("Periodic", "Periodic", Kind::Object(&[])),
            ("ParameterizedJob", "ParameterizedJob", Kind::Object(&[])),
            ("Multiregion", "Multiregion", Kind::Object(&[])),
            ("UI", "UI", Kind::Object(&[])),
        ],
        contextual,
    );
    let (og, ng) = (
        by_name(old.and_then(|j| j.get("TaskGroups"))),
        by_name(new.and_then(|j| j.get("TaskGroups"))),
    );
    let names: BTreeSet<&String> = og.keys().chain(ng.keys()).collect();
    let task_groups: Vec<TaskGroupDiff> = names
        .into_iter()
        .map(|n| group_diff(n, og.get(n).copied(), ng.get(n).copied(), contextual))
        .collect();
    let changed = fields.iter().any(|f| f.diff_type.is_change())
        || objects.iter().any(|o| o.diff_type.is_change())
        || task_groups.iter().any(|g| g.diff_type.is_change());
    let diff_type = match (old, new) {
        (None, Some(_)) => DiffType::Added,
        (Some(_), None) => DiffType::Deleted,
        _ if changed => DiffType::Edited,
        _ => DiffType::None,
    };
    JobDiff {
        diff_type,
        id,
        fields,
        objects,
        task_groups,
    }
}

/// How a task change is applied: in place (only services, checks, kill
/// timeout, log settings or meta-free fields changed) or by replacing the
/// allocation. Mirrors the scheduler's `tasksUpdated` at the granularity the
/// diff exposes.
pub fn task_change_is_destructive(t: &TaskDiff) -> bool {
    const IN_PLACE_FIELDS: &[&str] = &["KillTimeout", "ShutdownDelay", "KillSignal", "Leader"];
    const IN_PLACE_OBJECTS: &[&str] = &["Service", "LogConfig"];
    t.fields
        .iter()
        .any(|f| f.diff_type.is_change() && !IN_PLACE_FIELDS.contains(&f.name.as_str()))
        || t.objects
            .iter()
            .any(|o| o.diff_type.is_change() && !IN_PLACE_OBJECTS.contains(&o.name.as_str()))
}

/// Adds the planner's annotations: tasks "forces create" / "forces destroy"
/// / "forces create/destroy update" / "forces in-place update", and `Count`
/// changes "forces create" / "forces destroy".
pub fn annotate(d: &mut JobDiff) {
    for g in &mut d.task_groups {
        for f in &mut g.fields {
            if f.name == "Count" && f.diff_type == DiffType::Edited {
                let (o, n) = (
                    f.old.parse::<i64>().unwrap_or(0),
                    f.new.parse::<i64>().unwrap_or(0),
                );
                f.annotations = vec![if n > o {
                    "forces create"
                } else {
                    "forces destroy"
                }
                .to_string()];
            }
        }
        for t in &mut g.tasks {
            t.annotations = match t.diff_type {
                DiffType::Added => vec!["forces create".into()],
                DiffType::Deleted => vec!["forces destroy".into()],
                DiffType::Edited if task_change_is_destructive(t) => {
                    vec!["forces create/destroy update".into()]
                }
                DiffType::Edited => vec!["forces in-place update".into()],
                DiffType::None => vec![],
            };
        }
    }
}

#[cfg(test)]
mod tests;
