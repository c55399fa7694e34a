//! jobspec2's `normalizeJob` (`parse_job.go`), applied to the JSON job.

use super::decode::defaults;
use super::schema::GROUP;
use serde_json::{Map, Value};

const FIVE_SECONDS: i64 = 5_000_000_000;

pub(crate) struct Extras {
    pub vault: Option<Value>,
    pub secrets: Vec<Value>,
    pub tasks: Vec<Value>,
}

fn is_null(m: &Map<String, Value>, k: &str) -> bool {
    m.get(k).is_none_or(Value::is_null)
}

fn set_default(m: &mut Map<String, Value>, k: &str, v: Value) {
    if is_null(m, k) {
        m.insert(k.into(), v);
    }
}

pub(crate) fn normalize(job: &mut Map<String, Value>, job_id: &str, mut extras: Extras) {
    set_default(job, "Name", Value::String(job_id.into()));
    set_default(job, "ID", Value::String(job_id.into()));

    if let Some(Value::Object(p)) = job.get_mut("Periodic") {
        if !is_null(p, "Spec") || !is_null(p, "Specs") {
            p.insert("SpecType".into(), Value::String("cron".into()));
        }
    }

    if let Some(Value::Object(v)) = extras.vault.as_mut() {
        normalize_vault(v);
    }

    if !extras.tasks.is_empty() {
        let mut groups: Vec<Value> = extras
            .tasks
            .drain(..)
            .map(|t| {
                let mut g = defaults(&GROUP);
                g.insert("Name".into(), t.get("Name").cloned().unwrap_or(Value::Null));
                g.insert("Tasks".into(), Value::Array(vec![t]));
                Value::Object(g)
            })
            .collect();
        if let Some(Value::Array(existing)) = job.get("TaskGroups") {
            groups.extend(existing.iter().cloned());
        }
        job.insert("TaskGroups".into(), Value::Array(groups));
    }

    let Some(Value::Array(groups)) = job.get_mut("TaskGroups") else {
        return;
    };
    for g in groups.iter_mut().filter_map(Value::as_object_mut) {
        normalize_ports(g.get_mut("Networks"));
        let Some(Value::Array(tasks)) = g.get_mut("Tasks") else {
            continue;
        };
        for t in tasks.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(Value::Object(r)) = t.get_mut("Resources") {
                normalize_ports(r.get_mut("Networks"));
            }
            if let Some(Value::Array(tpls)) = t.get_mut("Templates") {
                tpls.iter_mut()
                    .filter_map(Value::as_object_mut)
                    .for_each(normalize_template);
            }
            if let Some(Value::Object(v)) = t.get_mut("Vault") {
                normalize_vault(v);
            }
            if is_null(t, "Vault") {
                t.insert("Vault".into(), extras.vault.clone().unwrap_or(Value::Null));
            }
            match t.get_mut("Secrets") {
                Some(Value::Array(own)) if !own.is_empty() => {
                    own.extend(extras.secrets.iter().cloned())
                }
                _ if !extras.secrets.is_empty() => {
                    t.insert("Secrets".into(), Value::Array(extras.secrets.clone()));
                }
                _ => {}
            }
            // COMPAT (pre-1.7 agents): the default identity moves to Task.Identity.
            if let Some(Value::Array(ids)) = t.get_mut("Identities") {
                let pos = ids.iter().position(|w| {
                    matches!(w.get("Name").and_then(Value::as_str), Some("" | "default"))
                });
                if let Some(i) = pos {
                    let id = ids.remove(i);
                    t.insert("Identity".into(), id);
                }
            }
        }
    }
}

fn normalize_vault(v: &mut Map<String, Value>) {
    set_default(v, "Env", Value::Bool(true));
    set_default(v, "DisableFile", Value::Bool(false));
    set_default(v, "ChangeMode", Value::String("restart".into()));
}

/// Ports with a static value are reserved; the rest stay dynamic.
fn normalize_ports(networks: Option<&mut Value>) {
    let Some(Value::Array(networks)) = networks else {
        return;
    };
    for n in networks.iter_mut().filter_map(Value::as_object_mut) {
        let Some(Value::Array(ports)) = n.get("DynamicPorts") else {
            continue;
        };
        if ports.is_empty() {
            continue;
        }
        let (reserved, dynamic): (Vec<Value>, Vec<Value>) = ports
            .iter()
            .cloned()
            .partition(|p| p.get("Value").and_then(Value::as_i64).unwrap_or(0) > 0);
        let arr = |v: Vec<Value>| {
            if v.is_empty() {
                Value::Null
            } else {
                Value::Array(v)
            }
        };
        n.insert("DynamicPorts".into(), arr(dynamic));
        n.insert("ReservedPorts".into(), arr(reserved));
    }
}

fn normalize_template(t: &mut Map<String, Value>) {
    set_default(t, "ChangeMode", Value::String("restart".into()));
    set_default(t, "Perms", Value::String("0644".into()));
    set_default(t, "Splay", Value::from(FIVE_SECONDS));
    set_default(t, "ErrMissingKey", Value::Bool(false));
    if let Some(Value::Object(cs)) = t.get_mut("ChangeScript") {
        set_default(cs, "Args", Value::Array(Vec::new()));
        set_default(cs, "Timeout", Value::from(FIVE_SECONDS));
        set_default(cs, "FailOnError", Value::Bool(false));
        set_default(cs, "RunOnFirstRender", Value::Bool(false));
    }
}
