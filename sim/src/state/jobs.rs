//! Jobs in the state store and the writes on them that are not scheduling:
//! stable flags, version tags, submissions and purges. Each validates
//! before it bumps the index, so a refused write wakes no blocking query.

use super::{Cluster, Table};
use crate::error::{ApiError, ApiResult};
use nomad_model::Job;
use serde_json::{json, Value};

/// A job as stored: its full spec as JSON (so nothing submitted is lost)
/// plus its versions, newest first.
#[derive(Clone, Debug)]
pub struct StoredJob {
    pub spec: Value,
    pub versions: Vec<Value>,
}

impl StoredJob {
    pub fn get_str(&self, k: &str) -> &str {
        self.spec.get(k).and_then(Value::as_str).unwrap_or("")
    }
    pub fn id(&self) -> &str {
        self.get_str("ID")
    }
    pub fn namespace(&self) -> &str {
        self.get_str("Namespace")
    }
    pub fn key(&self) -> (String, String) {
        (self.namespace().to_string(), self.id().to_string())
    }
    pub fn typed(&self) -> Job {
        serde_json::from_value(self.spec.clone()).unwrap_or_default()
    }
    pub fn version(&self, n: u64) -> Option<&Value> {
        self.versions
            .iter()
            .find(|v| v["Version"].as_u64() == Some(n))
    }
    /// The version carrying the tag `name`.
    pub fn tagged(&self, name: &str) -> Option<&Value> {
        self.versions
            .iter()
            .find(|v| v["VersionTag"]["Name"].as_str() == Some(name))
    }
}

impl Cluster {
    fn job_mut(&mut self, ns: &str, id: &str) -> Option<&mut StoredJob> {
        self.jobs.get_mut(&(ns.to_string(), id.to_string()))
    }

    /// `Job.Stable`: sets a version's stable flag.
    pub fn set_stable(&mut self, ns: &str, id: &str, version: u64, stable: bool) -> ApiResult<u64> {
        let missing = || {
            ApiError::internal(format!(
                "job {id:?} in namespace {ns:?} at version {version} not found"
            ))
        };
        if self.job(ns, id).and_then(|j| j.version(version)).is_none() {
            return Err(missing());
        }
        let idx = self.bump(&[Table::Jobs]);
        let j = self.job_mut(ns, id).ok_or_else(missing)?;
        for v in j
            .versions
            .iter_mut()
            .filter(|v| v["Version"].as_u64() == Some(version))
        {
            // The version row is rewritten at the new index; the job row
            // only when it is the current version (`updateJobStabilityImpl`).
            v["Stable"] = json!(stable);
            v["ModifyIndex"] = json!(idx);
        }
        if j.spec["Version"].as_u64() == Some(version) {
            j.spec["Stable"] = json!(stable);
            j.spec["ModifyIndex"] = json!(idx);
        }
        Ok(idx)
    }

    /// `Job.TagVersion`: names a version (`VersionTag`), unique per job.
    pub fn tag_version(
        &mut self,
        ns: &str,
        id: &str,
        version: Option<u64>,
        name: &str,
        description: &str,
    ) -> ApiResult<u64> {
        let j = self.job(ns, id).ok_or_else(|| {
            ApiError::internal(format!(
                "job {id:?} version {} not found",
                version.unwrap_or(0)
            ))
        })?;
        let version = version.unwrap_or_else(|| j.spec["Version"].as_u64().unwrap_or(0));
        if j.version(version).is_none() {
            return Err(ApiError::internal(format!(
                "job {id:?} version {version} not found"
            )));
        }
        if let Some(other) = j.tagged(name) {
            if other["Version"].as_u64() != Some(version) {
                return Err(ApiError::internal(format!(
                    "tag {name:?} already exists on a different version of job {id:?}"
                )));
            }
        }
        let now = self.now();
        let idx = self.bump(&[Table::Jobs]);
        let tag = json!({"Name": name, "Description": description, "TaggedTime": now});
        if let Some(j) = self.job_mut(ns, id) {
            for v in j
                .versions
                .iter_mut()
                .filter(|v| v["Version"].as_u64() == Some(version))
            {
                v["VersionTag"] = tag.clone();
                v["ModifyIndex"] = json!(idx);
            }
            if j.spec["Version"].as_u64() == Some(version) {
                j.spec["VersionTag"] = tag;
                j.spec["ModifyIndex"] = json!(idx);
            }
        }
        Ok(idx)
    }

    /// `Job.UntagVersion`: removes a tag by name.
    pub fn untag_version(&mut self, ns: &str, id: &str, name: &str) -> ApiResult<u64> {
        let j = self
            .job(ns, id)
            .ok_or_else(|| ApiError::internal(format!("tag {name:?} not found on job {id:?}")))?;
        if j.tagged(name).is_none() {
            return Err(ApiError::internal(format!(
                "tag {name:?} not found on job {id:?}"
            )));
        }
        let idx = self.bump(&[Table::Jobs]);
        if let Some(j) = self.job_mut(ns, id) {
            for v in j
                .versions
                .iter_mut()
                .chain(std::iter::once(&mut j.spec))
                .filter(|v| v["VersionTag"]["Name"].as_str() == Some(name))
            {
                v["VersionTag"] = Value::Null;
                v["ModifyIndex"] = json!(idx);
            }
        }
        Ok(idx)
    }

    /// Keeps the source a job was registered from (`Submission`), for the
    /// job's current version.
    pub fn store_submission(&mut self, ns: &str, id: &str, mut s: Value) {
        let Some(j) = self.job(ns, id) else { return };
        let version = j.spec["Version"].as_u64().unwrap_or(0);
        let jmi = j.spec["JobModifyIndex"].clone();
        if let Some(o) = s.as_object_mut() {
            o.insert("Namespace".into(), json!(ns));
            o.insert("JobID".into(), json!(id));
            o.insert("Version".into(), json!(version));
            o.insert("JobModifyIndex".into(), jmi);
            for k in ["Source", "Format"] {
                o.entry(k).or_insert(json!(""));
            }
            o.entry("VariableFlags").or_insert(Value::Null);
            o.entry("Variables").or_insert(json!(""));
        }
        self.submissions
            .insert((ns.to_string(), id.to_string(), version), s);
    }

    /// Removes a job with its summary and submissions (`purge=true`).
    pub fn purge_job(&mut self, ns: &str, id: &str) {
        let key = (ns.to_string(), id.to_string());
        if let Some(j) = self.jobs.remove(&key) {
            self.removed.push(crate::events::Removed::Job(j.spec));
        }
        self.summaries.remove(&key);
        self.submissions
            .retain(|(n, j, _), _| !(n == ns && j == id));
        self.bump(&[Table::Jobs, Table::Summaries]);
    }
}
