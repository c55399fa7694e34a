//! Jobs: list stubs, full job specs, summaries, versions, plan and the
//! request/response bodies of every job write endpoint.

use crate::de::{int, nd};
use crate::diff::JobDiff;
use crate::resources::{NetworkResource, Resources};
use crate::time::{Nanos, UnixNanos};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod requests;
pub use requests::*;

pub type Meta = BTreeMap<String, String>;

/// An entry of `GET /v1/jobs`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobListStub {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(rename = "ParentID", deserialize_with = "nd")]
    pub parent_id: String,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(deserialize_with = "nd")]
    pub datacenters: Vec<String>,
    #[serde(deserialize_with = "nd")]
    pub node_pool: String,
    #[serde(rename = "Type", deserialize_with = "nd")]
    pub job_type: String,
    #[serde(deserialize_with = "int")]
    pub priority: i64,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub periodic: bool,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub parameterized_job: bool,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub stop: bool,
    #[serde(deserialize_with = "nd")]
    pub status: String,
    #[serde(deserialize_with = "nd")]
    pub status_description: String,
    pub job_summary: Option<JobSummary>,
    #[serde(deserialize_with = "nd")]
    pub meta: Meta,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
    #[serde(deserialize_with = "int")]
    pub job_modify_index: u64,
    pub submit_time: UnixNanos,
}

impl JobListStub {
    /// The key that identifies a job across namespaces.
    pub fn key(&self) -> (String, String) {
        (self.namespace.clone(), self.id.clone())
    }
}

/// `GET /v1/job/:id/summary` and the embedded `JobSummary` of list stubs.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobSummary {
    #[serde(rename = "JobID", deserialize_with = "nd")]
    pub job_id: String,
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(deserialize_with = "nd")]
    pub summary: BTreeMap<String, TaskGroupSummary>,
    pub children: Option<JobChildrenSummary>,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
}

impl JobSummary {
    /// All task groups added up.
    pub fn totals(&self) -> TaskGroupSummary {
        let mut t = TaskGroupSummary::default();
        for s in self.summary.values() {
            t.queued += s.queued;
            t.complete += s.complete;
            t.failed += s.failed;
            t.running += s.running;
            t.starting += s.starting;
            t.lost += s.lost;
            t.unknown += s.unknown;
        }
        t
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TaskGroupSummary {
    #[serde(deserialize_with = "int")]
    pub queued: i64,
    #[serde(deserialize_with = "int")]
    pub complete: i64,
    #[serde(deserialize_with = "int")]
    pub failed: i64,
    #[serde(deserialize_with = "int")]
    pub running: i64,
    #[serde(deserialize_with = "int")]
    pub starting: i64,
    #[serde(deserialize_with = "int")]
    pub lost: i64,
    #[serde(deserialize_with = "int")]
    pub unknown: i64,
}

impl TaskGroupSummary {
    pub fn total(&self) -> i64 {
        self.queued
            + self.complete
            + self.failed
            + self.running
            + self.starting
            + self.lost
            + self.unknown
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobChildrenSummary {
    #[serde(deserialize_with = "int")]
    pub pending: i64,
    #[serde(deserialize_with = "int")]
    pub running: i64,
    #[serde(deserialize_with = "int")]
    pub dead: i64,
}

/// A full job, as `GET /v1/job/:id` returns and `POST /v1/jobs` accepts.
/// Fields the UI does not model are not kept here; the UI keeps the raw JSON
/// next to it when it must round-trip a job (edit → plan → run).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Job {
    #[serde(deserialize_with = "nd")]
    pub region: String,
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(rename = "ParentID", deserialize_with = "nd")]
    pub parent_id: String,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(rename = "Type", deserialize_with = "nd")]
    pub job_type: String,
    #[serde(deserialize_with = "int")]
    pub priority: i64,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub all_at_once: bool,
    #[serde(deserialize_with = "nd")]
    pub datacenters: Vec<String>,
    #[serde(deserialize_with = "nd")]
    pub node_pool: String,
    #[serde(deserialize_with = "nd")]
    pub constraints: Vec<Constraint>,
    #[serde(deserialize_with = "nd")]
    pub affinities: Vec<Affinity>,
    #[serde(deserialize_with = "nd")]
    pub spreads: Vec<Spread>,
    #[serde(deserialize_with = "nd")]
    pub task_groups: Vec<TaskGroup>,
    pub update: Option<UpdateStrategy>,
    pub periodic: Option<PeriodicConfig>,
    pub parameterized_job: Option<ParameterizedJobConfig>,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub dispatched: bool,
    pub payload: Option<String>,
    #[serde(deserialize_with = "nd")]
    pub meta: Meta,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub stop: bool,
    #[serde(deserialize_with = "nd")]
    pub status: String,
    #[serde(deserialize_with = "nd")]
    pub status_description: String,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub stable: bool,
    /// A name given to this version (Nomad 1.9+), kept from garbage
    /// collection and usable as a diff base.
    pub version_tag: Option<JobVersionTag>,
    #[serde(deserialize_with = "int")]
    pub version: u64,
    pub submit_time: UnixNanos,
    #[serde(deserialize_with = "int")]
    pub create_index: u64,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
    #[serde(deserialize_with = "int")]
    pub job_modify_index: u64,
}

impl Job {
    /// The job's namespace, `default` when the agent left it out.
    pub fn namespace_or_default(&self) -> &str {
        if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }
    /// `(ID, namespace)`, what every job endpoint is addressed by.
    pub fn ident(&self) -> (String, String) {
        (self.id.clone(), self.namespace_or_default().to_string())
    }
    pub fn is_periodic(&self) -> bool {
        self.periodic.as_ref().is_some_and(|p| p.enabled)
    }
    pub fn is_parameterized(&self) -> bool {
        self.parameterized_job.is_some()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Constraint {
    #[serde(rename = "LTarget", deserialize_with = "nd")]
    pub l_target: String,
    #[serde(rename = "RTarget", deserialize_with = "nd")]
    pub r_target: String,
    #[serde(deserialize_with = "nd")]
    pub operand: String,
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{} {} {}", self.l_target, self.operand, self.r_target)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Affinity {
    #[serde(rename = "LTarget", deserialize_with = "nd")]
    pub l_target: String,
    #[serde(rename = "RTarget", deserialize_with = "nd")]
    pub r_target: String,
    #[serde(deserialize_with = "nd")]
    pub operand: String,
    #[serde(deserialize_with = "int")]
    pub weight: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Spread {
    #[serde(deserialize_with = "nd")]
    pub attribute: String,
    #[serde(deserialize_with = "int")]
    pub weight: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TaskGroup {
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "int")]
    pub count: i64,
    #[serde(deserialize_with = "nd")]
    pub constraints: Vec<Constraint>,
    #[serde(deserialize_with = "nd")]
    pub affinities: Vec<Affinity>,
    #[serde(deserialize_with = "nd")]
    pub spreads: Vec<Spread>,
    pub restart_policy: Option<RestartPolicy>,
    pub reschedule_policy: Option<ReschedulePolicy>,
    pub ephemeral_disk: Option<EphemeralDisk>,
    pub update: Option<UpdateStrategy>,
    #[serde(deserialize_with = "nd")]
    pub networks: Vec<NetworkResource>,
    #[serde(deserialize_with = "nd")]
    pub services: Vec<Service>,
    #[serde(deserialize_with = "nd")]
    pub tasks: Vec<Task>,
    #[serde(deserialize_with = "nd")]
    pub meta: Meta,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RestartPolicy {
    #[serde(deserialize_with = "int")]
    pub attempts: i64,
    pub interval: Nanos,
    pub delay: Nanos,
    #[serde(deserialize_with = "nd")]
    pub mode: String,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReschedulePolicy {
    #[serde(deserialize_with = "int")]
    pub attempts: i64,
    pub interval: Nanos,
    pub delay: Nanos,
    #[serde(deserialize_with = "nd")]
    pub delay_function: String,
    pub max_delay: Nanos,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub unlimited: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EphemeralDisk {
    #[serde(deserialize_with = "crate::de::boolish")]
    pub sticky: bool,
    #[serde(rename = "SizeMB", deserialize_with = "int")]
    pub size_mb: i64,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub migrate: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UpdateStrategy {
    pub stagger: Nanos,
    #[serde(deserialize_with = "int")]
    pub max_parallel: i64,
    #[serde(deserialize_with = "nd")]
    pub health_check: String,
    pub min_healthy_time: Nanos,
    pub healthy_deadline: Nanos,
    pub progress_deadline: Nanos,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub auto_revert: bool,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub auto_promote: bool,
    #[serde(deserialize_with = "int")]
    pub canary: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PeriodicConfig {
    #[serde(deserialize_with = "crate::de::boolish")]
    pub enabled: bool,
    #[serde(deserialize_with = "nd")]
    pub spec: String,
    #[serde(deserialize_with = "nd")]
    pub specs: Vec<String>,
    #[serde(deserialize_with = "nd")]
    pub spec_type: String,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub prohibit_overlap: bool,
    #[serde(deserialize_with = "nd")]
    pub time_zone: String,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ParameterizedJobConfig {
    /// `optional`, `required` or `forbidden`.
    #[serde(deserialize_with = "nd")]
    pub payload: String,
    #[serde(deserialize_with = "nd")]
    pub meta_required: Vec<String>,
    #[serde(deserialize_with = "nd")]
    pub meta_optional: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Task {
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub driver: String,
    #[serde(deserialize_with = "nd")]
    pub user: String,
    /// Driver configuration is free-form.
    #[serde(deserialize_with = "nd")]
    pub config: serde_json::Map<String, serde_json::Value>,
    #[serde(deserialize_with = "nd")]
    pub env: Meta,
    #[serde(deserialize_with = "nd")]
    pub services: Vec<Service>,
    #[serde(deserialize_with = "nd")]
    pub constraints: Vec<Constraint>,
    pub resources: Option<Resources>,
    #[serde(deserialize_with = "nd")]
    pub meta: Meta,
    pub kill_timeout: Nanos,
    pub log_config: Option<LogConfig>,
    #[serde(deserialize_with = "nd")]
    pub artifacts: Vec<serde_json::Value>,
    #[serde(deserialize_with = "nd")]
    pub templates: Vec<serde_json::Value>,
    pub lifecycle: Option<Lifecycle>,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub leader: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Lifecycle {
    #[serde(deserialize_with = "nd")]
    pub hook: String,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub sidecar: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LogConfig {
    #[serde(deserialize_with = "int")]
    pub max_files: i64,
    #[serde(rename = "MaxFileSizeMB", deserialize_with = "int")]
    pub max_file_size_mb: i64,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub disabled: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Service {
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub port_label: String,
    #[serde(deserialize_with = "nd")]
    pub tags: Vec<String>,
    #[serde(deserialize_with = "nd")]
    pub provider: String,
    #[serde(deserialize_with = "nd")]
    pub checks: Vec<serde_json::Value>,
}

/// `GET /v1/job/:id/versions`. Real agents answer `{Versions, Diffs}`; the
/// 0.6–0.12 docs print a bare array. Both decode.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobVersionsResponse {
    pub versions: Vec<Job>,
    pub diffs: Vec<JobDiff>,
}

impl<'de> Deserialize<'de> for JobVersionsResponse {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Obj {
            #[serde(default, deserialize_with = "nd")]
            versions: Vec<Job>,
            #[serde(default, deserialize_with = "nd")]
            diffs: Vec<JobDiff>,
        }
        // A visitor on the shape, not an untagged enum: that would buffer
        // the whole answer and compile the job decoder a second time.
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = JobVersionsResponse;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object with Versions and Diffs, or an array of versions")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                m: A,
            ) -> Result<Self::Value, A::Error> {
                let o = Obj::deserialize(serde::de::value::MapAccessDeserializer::new(m))?;
                Ok(JobVersionsResponse {
                    versions: o.versions,
                    diffs: o.diffs,
                })
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                s: A,
            ) -> Result<Self::Value, A::Error> {
                Ok(JobVersionsResponse {
                    versions: Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(s))?,
                    diffs: vec![],
                })
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(JobVersionsResponse {
                    versions: vec![],
                    diffs: vec![],
                })
            }
        }
        d.deserialize_any(Shape)
    }
}

#[cfg(test)]
mod versions_tests {
    use super::JobVersionsResponse;

    #[test]
    fn versions_as_object_or_bare_array() {
        let o: JobVersionsResponse = serde_json::from_str(
            r#"{"Versions":[{"ID":"a","Version":1},{"ID":"a","Version":0}],"Diffs":null}"#,
        )
        .unwrap();
        assert_eq!(o.versions.len(), 2);
        assert!(o.diffs.is_empty());
        // some older agents answer with the array alone
        let a: JobVersionsResponse = serde_json::from_str(r#"[{"ID":"a","Version":3}]"#).unwrap();
        assert_eq!((a.versions.len(), a.versions[0].version), (1, 3));
        let n: JobVersionsResponse = serde_json::from_str("null").unwrap();
        assert!(n.versions.is_empty());
        assert!(serde_json::from_str::<JobVersionsResponse>("7").is_err());
    }
}

/// `Job.VersionTag`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobVersionTag {
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub description: String,
    pub tagged_time: UnixNanos,
}

/// Body of `PUT /v1/job/:id/versions/:name/tag`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagVersionRequest {
    pub version: u64,
    pub description: String,
}
