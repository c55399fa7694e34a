//! jobspec2's custom block decoders (`hcl_conversions.go`): constraints and
//! affinities with their shorthand arguments, job-level `vault`/`secret`/
//! `task` blocks, group `vault`/`secret`/`scaling`, and task `scaling`.

use super::convert::{to_number, to_str};
use super::decode::{Blk, Dec};
use super::schema::{Sp, SCALING, SECRET, TASK, VAULT};
use hcl::edit::Span;
use serde_json::{Map, Value};

const CONSTRAINT_ATTRS: &[&str] = &[
    "attribute",
    "value",
    "operator",
    "distinct_property",
    "distinct_hosts",
    "regexp",
    "version",
    "semver",
    "set_contains",
    "set_contains_all",
    "set_contains_any",
    "is_set",
    "is_not_set",
];

const AFFINITY_ATTRS: &[&str] = &[
    "attribute",
    "value",
    "operator",
    "weight",
    "version",
    "semver",
    "regexp",
    "set_contains",
    "set_contains_all",
    "set_contains_any",
];

impl<'a> Dec<'a> {
    /// `decodeConstraint` / `decodeAffinity`.
    pub fn constraint(&mut self, blk: &Blk<'a>, affinity: bool) -> Map<String, Value> {
        let mut names = if affinity {
            AFFINITY_ATTRS
        } else {
            CONSTRAINT_ATTRS
        }
        .to_vec();
        names.sort_unstable();
        let (attrs, blocks) = self.items(blk.body, &blk.scope);
        for b in &blocks {
            self.unsupported_block(b, &names, &[]);
        }
        let mut vals: Vec<(&str, Value)> = Vec::new();
        for at in &attrs {
            let Some(name) = names.iter().copied().find(|n| *n == at.name()) else {
                let seen: Vec<&str> = vals.iter().map(|(n, _)| *n).collect();
                let rest: Vec<&str> = names
                    .iter()
                    .copied()
                    .filter(|n| !seen.contains(n))
                    .collect();
                self.unsupported_attr(at, &rest, &[]);
                continue;
            };
            let Some(v) = self.eval(&at.attr.value, &at.scope) else {
                continue;
            };
            if v.is_null() {
                continue;
            }
            let converted = match name {
                "distinct_hosts" => super::convert::to_bool(&v).map(Value::Bool),
                "weight" => to_number(&v).map(|n| Value::from(n.trunc() as i64 as i8)),
                _ => to_str(&v).map(Value::String),
            };
            match converted {
                Ok(c) => vals.push((name, c)),
                Err(e) => self.err(
                    at.attr.value.span(),
                    "Incorrect attribute value type",
                    format!("Inappropriate value for attribute {name:?}: {e}."),
                ),
            }
        }
        let get = |n: &str| {
            vals.iter()
                .find(|(k, _)| *k == n)
                .and_then(|(_, v)| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let mut l = get("attribute");
        let mut r = get("value");
        let mut op = get("operator");
        let shorthands: &[&str] = if affinity {
            &[
                "version",
                "semver",
                "regexp",
                "set_contains_any",
                "set_contains_all",
                "set_contains",
            ]
        } else {
            &["version", "semver", "regexp", "set_contains"]
        };
        for s in shorthands {
            let v = get(s);
            if !v.is_empty() {
                op = (*s).to_string();
                r = v;
            }
        }
        if !affinity {
            if let Some((_, Value::Bool(b))) = vals.iter().find(|(k, _)| *k == "distinct_hosts") {
                op = "distinct_hosts".into();
                r = b.to_string();
            }
            let p = get("distinct_property");
            if !p.is_empty() {
                op = "distinct_property".into();
                l = p;
            }
        }
        if op.is_empty() {
            op = "=".into();
        }
        let mut out = Map::new();
        out.insert("LTarget".into(), Value::String(l));
        out.insert("RTarget".into(), Value::String(r));
        out.insert("Operand".into(), Value::String(op));
        if affinity {
            let w = vals
                .iter()
                .find(|(k, _)| *k == "weight")
                .map(|(_, v)| v.clone());
            out.insert("Weight".into(), w.unwrap_or(Value::Null));
        }
        out
    }

    /// Blocks that jobspec2 takes out of a job, group or task body before the
    /// generic decode.
    pub fn special_blocks(&mut self, sp: Sp, blocks: Vec<Blk<'a>>, out: &mut Map<String, Value>) {
        let mut vault: Option<(Value, Option<std::ops::Range<usize>>)> = None;
        let mut secrets = Vec::new();
        let mut policies: Vec<(String, Blk<'a>, Value)> = Vec::new();
        for b in blocks {
            match b.ty.as_str() {
                "vault" => {
                    if !self.check_labels(&b, &[]) {
                        continue;
                    }
                    if let (Sp::Job, Some((_, prev))) = (sp, &vault) {
                        let prev = prev.clone().map(|s| self.src.range(&s)).unwrap_or_default();
                        self.err(b.def_span.clone(), "Duplicate vault block", format!("Only one block of type \"vault\" is allowed. Previous definition was at {prev}."));
                        continue;
                    }
                    vault = Some((Value::Object(self.decode(&VAULT, &b)), b.def_span.clone()));
                }
                "secret" if self.check_labels(&b, &["name"]) => {
                    secrets.push(Value::Object(self.decode(&SECRET, &b)));
                }
                "task" if self.check_labels(&b, &["name"]) => {
                    let t = Value::Object(self.decode(&TASK, &b));
                    self.job_tasks.push(t);
                }
                "scaling" => {
                    if !self.check_labels(&b, &["name"]) {
                        continue;
                    }
                    let label = b.labels[0].0.to_lowercase();
                    let policy_type = match label.as_str() {
                        "cpu" => "vertical_cpu",
                        "mem" => "vertical_mem",
                        _ => {
                            self.err(
                                b.labels[0].1.clone(),
                                "Invalid scaling policy name",
                                "scaling policy name must be \"cpu\" or \"mem\"",
                            );
                            continue;
                        }
                    };
                    if let Some((_, prev, _)) = policies.iter().find(|(l, _, _)| *l == label) {
                        let prev = prev
                            .def_span
                            .clone()
                            .map(|s| self.src.range(&s))
                            .unwrap_or_default();
                        self.err(b.def_span.clone(), &format!("Duplicate scaling {label:?} block"), format!("Only one scaling {label} block is allowed. Another was defined at {prev}."));
                        continue;
                    }
                    let mut p = self.decode(&SCALING, &b);
                    let ty = p
                        .get("Type")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    if ty.is_empty() {
                        p.insert("Type".into(), Value::String(policy_type.into()));
                    } else if ty != policy_type {
                        // Argument order as in jobspec2.
                        self.err(
                            b.def_span.clone(),
                            "Invalid scaling policy type",
                            format!(
                                "Invalid policy type, expected {ty:?} but found {policy_type:?}"
                            ),
                        );
                        continue;
                    }
                    policies.push((label, b, Value::Object(p)));
                }
                _ => {}
            }
        }
        match sp {
            Sp::Job => {
                self.job_vault = vault.map(|v| v.0);
                self.job_secrets = secrets;
            }
            Sp::Group => {
                let Some(Value::Array(tasks)) = out.get_mut("Tasks") else {
                    return;
                };
                for t in tasks.iter_mut().filter_map(Value::as_object_mut) {
                    if let Some((v, _)) = &vault {
                        if t.get("Vault").is_none_or(Value::is_null) {
                            t.insert("Vault".into(), v.clone());
                        }
                    }
                    if secrets.is_empty() {
                        continue;
                    }
                    match t.get_mut("Secrets") {
                        Some(Value::Array(own)) if !own.is_empty() => {
                            // jobspec2 v2.0.5 appends the task's own secrets
                            // again here (not the group's); mirrored as is.
                            let copy = own.clone();
                            own.extend(copy);
                        }
                        _ => {
                            t.insert("Secrets".into(), Value::Array(secrets.clone()));
                        }
                    }
                }
            }
            Sp::Task if !policies.is_empty() => {
                let list = policies.into_iter().map(|(_, _, p)| p).collect();
                out.insert("ScalingPolicies".into(), Value::Array(list));
            }
            _ => {}
        }
    }

    /// Group `scaling`: default type and `validateGroupScalingPolicy`.
    pub fn group_scaling(&mut self, blk: &Blk<'a>, policy: &mut Map<String, Value>) {
        if policy
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            policy.insert("Type".into(), Value::String("horizontal".into()));
        }
        let ty = policy
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let has_max = policy.get("Max").is_some_and(|m| !m.is_null());
        if has_max && ty == "horizontal" {
            return;
        }
        if blk.body.get_attribute("max").is_none() {
            let span = self.missing(blk);
            self.err(
                span,
                "Missing required argument",
                "The argument \"max\" is required, but no definition was found.",
            );
        }
        if ty != "horizontal" {
            if let Some(attr) = blk.body.get_attribute("type") {
                self.err(
                    attr.value.span(),
                    "Invalid group scaling type",
                    format!("task group scaling policy had invalid type: {ty:?}"),
                );
            }
        }
    }
}
