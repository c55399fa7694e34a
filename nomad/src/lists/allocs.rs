//! The allocations list, and the per-node counts the clients list takes
//! from it.

use super::{ns_of, ListUrl, SearchIndex};
use crate::de::{int, nd};
use crate::time::UnixNanos;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// One row of the allocations list: only the fields the list shows, so a
/// 50,000-entry `/v1/allocations` answer decodes quickly and stays small
/// (serde skips everything else in the stub).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocRow {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub namespace: String,
    #[serde(rename = "NodeID", deserialize_with = "nd")]
    pub node_id: String,
    #[serde(deserialize_with = "nd")]
    pub node_name: String,
    #[serde(rename = "JobID", deserialize_with = "nd")]
    pub job_id: String,
    #[serde(deserialize_with = "nd")]
    pub job_type: String,
    #[serde(deserialize_with = "int")]
    pub job_version: u64,
    #[serde(deserialize_with = "nd")]
    pub task_group: String,
    #[serde(deserialize_with = "nd")]
    pub desired_status: String,
    #[serde(deserialize_with = "nd")]
    pub client_status: String,
    #[serde(deserialize_with = "int")]
    pub modify_index: u64,
    pub create_time: UnixNanos,
    pub modify_time: UnixNanos,
}

impl From<&crate::Allocation> for AllocRow {
    fn from(a: &crate::Allocation) -> Self {
        AllocRow {
            id: a.id.clone(),
            name: a.name.clone(),
            namespace: a.namespace.clone(),
            node_id: a.node_id.clone(),
            node_name: a.node_name.clone(),
            job_id: a.job_id.clone(),
            job_type: a.job_type.clone(),
            job_version: a.job_version,
            task_group: a.task_group.clone(),
            desired_status: a.desired_status.clone(),
            client_status: a.client_status.clone(),
            modify_index: a.modify_index,
            create_time: a.create_time,
            modify_time: a.modify_time,
        }
    }
}

/// What the URL asks the allocations list to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AllocQuery {
    pub text: String,
    pub status: String,
    pub job: String,
    pub group: String,
    pub node: String,
    pub namespace: String,
}

impl ListUrl for AllocQuery {
    /// `prefix` is no filter of the table: the agent applies it.
    const FILTER_KEYS: &'static [&'static str] =
        &["q", "status", "job", "group", "node", "ns", "prefix"];
    fn from_url(get: impl Fn(&str) -> String) -> Self {
        AllocQuery {
            text: get("q"),
            status: get("status"),
            job: get("job"),
            group: get("group"),
            node: get("node"),
            namespace: get("ns"),
        }
    }
}

impl AllocQuery {
    pub fn is_empty(&self) -> bool {
        *self == AllocQuery::default()
    }
}

/// Lower-cased search keys, one per allocation: ID, name (which holds the
/// job and group), and node name.
pub fn alloc_search_keys(allocs: &[AllocRow]) -> SearchIndex {
    SearchIndex::new(
        allocs
            .iter()
            .map(|a| super::fold(&format!("{} {} {}", a.id, a.name, a.node_name))),
    )
}

/// Indices of `allocs` by the column `sort` names; the default (`""` or
/// unknown) is newest first. Ties break on ID so the order is total.
pub fn alloc_order(allocs: &[AllocRow], sort: &str, desc: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..allocs.len()).collect();
    let key: fn(&AllocRow, &AllocRow) -> Ordering = match sort {
        "id" => |_, _| Ordering::Equal,
        "name" => |a, b| a.name.cmp(&b.name),
        "job" => |a, b| a.job_id.cmp(&b.job_id).then_with(|| a.name.cmp(&b.name)),
        "node" => |a, b| a.node_name.cmp(&b.node_name),
        "status" => |a, b| a.client_status.cmp(&b.client_status),
        "version" => |a, b| a.job_version.cmp(&b.job_version),
        "modified" => |a, b| a.modify_time.cmp(&b.modify_time),
        // newest first reads best, so "created" ascending is the reverse
        _ => |a, b| b.create_time.cmp(&a.create_time),
    };
    idx.sort_unstable_by(|&a, &b| {
        let (a, b) = (&allocs[a], &allocs[b]);
        key(a, b).then_with(|| a.id.cmp(&b.id))
    });
    if desc {
        idx.reverse();
    }
    idx
}

/// The allocations of `order` the query keeps. `node` matches a node ID or
/// a node name; the text matches a substring of ID, name or node name.
pub fn select_allocs(
    allocs: &[AllocRow],
    keys: &SearchIndex,
    order: &[usize],
    q: &AllocQuery,
) -> Vec<usize> {
    let text = keys.filter(&q.text);
    order
        .iter()
        .copied()
        .filter(|&i| {
            let a = &allocs[i];
            text(i)
                && (q.status.is_empty() || a.client_status == q.status)
                && (q.job.is_empty() || a.job_id == q.job)
                && (q.group.is_empty() || a.task_group == q.group)
                && (q.node.is_empty() || a.node_id == q.node || a.node_name == q.node)
                && (q.namespace.is_empty() || ns_of(&a.namespace) == q.namespace)
        })
        .collect()
}

/// Where an allocation runs and in what state: all the clients list
/// needs of the allocations list (it decodes faster than a row).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocPlacement {
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(rename = "NodeID", deserialize_with = "nd")]
    pub node_id: String,
    #[serde(deserialize_with = "nd")]
    pub client_status: String,
}

/// Running allocations per node ID, from `(node ID, client status)` pairs.
pub fn running_per_node<'a>(
    allocs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> HashMap<String, u32> {
    let mut m = HashMap::new();
    for (node, _) in allocs.into_iter().filter(|(_, s)| *s == "running") {
        *m.entry(node.to_string()).or_insert(0) += 1;
    }
    m
}

/// How many allocations of each client status (for the facet counts).
pub fn count_by<'a, T>(items: &'a [T], f: impl Fn(&'a T) -> &'a str) -> HashMap<&'a str, usize> {
    let mut m = HashMap::new();
    for x in items {
        *m.entry(f(x)).or_insert(0) += 1;
    }
    m
}
