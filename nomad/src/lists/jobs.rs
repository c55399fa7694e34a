//! The jobs list.

use super::{ns_of, ListUrl, SearchIndex};
use crate::JobListStub;
use std::cmp::Ordering;

/// What the URL asks the jobs list to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobQuery {
    pub text: String,
    pub status: String,
    pub job_type: String,
    pub namespace: String,
    pub datacenter: String,
    /// a node pool (Nomad 1.6+; jobs without one run in `default`)
    pub pool: String,
}

impl ListUrl for JobQuery {
    const FILTER_KEYS: &'static [&'static str] = &["q", "status", "type", "ns", "dc", "pool"];
    fn from_url(get: impl Fn(&str) -> String) -> Self {
        JobQuery {
            text: get("q"),
            status: get("status"),
            job_type: get("type"),
            namespace: get("ns"),
            datacenter: get("dc"),
            pool: get("pool"),
        }
    }
}

/// A job's node pool as the agent names it: none (an agent before 1.6)
/// is `default`.
pub fn pool_of(pool: &str) -> &str {
    if pool.is_empty() {
        "default"
    } else {
        pool
    }
}

/// Lower-cased IDs and names, one per job, for the text filter.
pub fn job_search_keys(jobs: &[JobListStub]) -> SearchIndex {
    SearchIndex::new(jobs.iter().map(|j| {
        if j.name == j.id {
            super::fold(&j.id)
        } else {
            super::fold(&format!("{} {}", j.id, j.name))
        }
    }))
}

/// Indices of `jobs` sorted by the column `sort` names (`name` when empty
/// or unknown), ties broken by ID then namespace so the order is total.
pub fn job_order(jobs: &[JobListStub], sort: &str, desc: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..jobs.len()).collect();
    let tie = |a: &JobListStub, b: &JobListStub| {
        a.id.cmp(&b.id).then_with(|| a.namespace.cmp(&b.namespace))
    };
    let key: fn(&JobListStub, &JobListStub) -> Ordering = match sort {
        "type" => |a, b| a.job_type.cmp(&b.job_type),
        "priority" => |a, b| a.priority.cmp(&b.priority),
        "status" => |a, b| a.status.cmp(&b.status),
        "namespace" => |a, b| a.namespace.cmp(&b.namespace),
        "submitted" => |a, b| a.submit_time.cmp(&b.submit_time),
        _ => |_, _| Ordering::Equal,
    };
    idx.sort_unstable_by(|&a, &b| {
        let (a, b) = (&jobs[a], &jobs[b]);
        key(a, b).then_with(|| tie(a, b))
    });
    if desc {
        idx.reverse();
    }
    idx
}

/// The jobs of `order` the query keeps (child jobs of periodic and
/// parameterized parents are listed under their parent, not here).
pub fn select_jobs(
    jobs: &[JobListStub],
    keys: &SearchIndex,
    order: &[usize],
    q: &JobQuery,
) -> Vec<usize> {
    let text = keys.filter(&q.text);
    order
        .iter()
        .copied()
        .filter(|&i| {
            let j = &jobs[i];
            j.parent_id.is_empty()
                && text(i)
                && (q.status.is_empty() || j.status == q.status)
                && (q.job_type.is_empty() || j.job_type == q.job_type)
                && (q.namespace.is_empty() || ns_of(&j.namespace) == q.namespace)
                && (q.datacenter.is_empty()
                    || j.datacenters.iter().any(|d| *d == q.datacenter || d == "*"))
                && (q.pool.is_empty() || pool_of(&j.node_pool) == q.pool)
        })
        .collect()
}
