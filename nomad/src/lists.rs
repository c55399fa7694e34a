//! Client-side filtering and sorting of large lists (jobs, allocations,
//! nodes). Work is split so a keystroke only filters: the sort order and
//! the lower-cased search keys are computed once per list update, and a
//! filter walks the sorted order keeping matches (so results stay sorted).

use crate::de::{int, nd};
use crate::time::UnixNanos;
use crate::{JobListStub, NodeListStub};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// Every entry's lower-cased search key in one string, so a filter runs
/// one substring search over the whole list instead of one per entry
/// (at 50,000 entries the per-entry setup dominated a keystroke).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchIndex {
    hay: String,
    /// Where each entry's key starts in `hay`; keys end with a `\n`.
    starts: Vec<usize>,
}

impl SearchIndex {
    pub fn new(keys: impl Iterator<Item = String>) -> Self {
        let mut hay = String::new();
        let mut starts = vec![];
        for k in keys {
            starts.push(hay.len());
            // a newline cannot be typed into the search box: it separates
            hay.extend(k.chars().map(|c| if c == '\n' { ' ' } else { c }));
            hay.push('\n');
        }
        SearchIndex { hay, starts }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Which entries contain `needle` (lower-cased, not empty).
    pub fn matches(&self, needle: &str) -> Vec<bool> {
        let mut hit = vec![false; self.starts.len()];
        if needle.is_empty() || needle.contains('\n') {
            return hit;
        }
        let mut entry = 0;
        let mut pos = 0;
        while let Some(off) = self.hay[pos..].find(needle) {
            let at = pos + off;
            // the entry holding `at`: the last start at or before it
            entry += self.starts[entry..].partition_point(|&s| s <= at) - 1;
            hit[entry] = true;
            // go on from the next entry
            match self.starts.get(entry + 1) {
                Some(&next) => pos = next,
                None => break,
            }
        }
        hit
    }

    /// The entries of `order` that contain `text` (trimmed, any case), all
    /// of them when it is empty.
    fn filter<'a>(&'a self, text: &str) -> impl Fn(usize) -> bool + 'a {
        let t = text.trim().to_lowercase();
        let hits = (!t.is_empty()).then(|| self.matches(&t));
        move |i| {
            hits.as_ref()
                .is_none_or(|h| h.get(i).copied().unwrap_or(false))
        }
    }
}

/// A list's filters as the URL holds them. With [`VIEW_KEYS`] these are
/// all the keys a list reads from its query string, so what asks for the
/// small first page (only when none is set) cannot drift from the table.
pub trait ListUrl: Sized {
    /// The query-string key of each filter, `q` (the text) first.
    const FILTER_KEYS: &'static [&'static str];
    /// The filters from the URL's value of each key (`""` when absent).
    fn from_url(get: impl Fn(&str) -> String) -> Self;
    /// Every key of the list: its filters, then order and page.
    fn url_keys() -> Vec<&'static str> {
        Self::FILTER_KEYS
            .iter()
            .chain(VIEW_KEYS.iter())
            .copied()
            .collect()
    }
}

/// The order and page every list keeps in the URL.
pub const VIEW_KEYS: [&str; 3] = ["sort", "desc", "page"];

/// What the URL asks the jobs list to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobQuery {
    pub text: String,
    pub status: String,
    pub job_type: String,
    pub namespace: String,
    pub datacenter: String,
}

impl ListUrl for JobQuery {
    const FILTER_KEYS: &'static [&'static str] = &["q", "status", "type", "ns", "dc"];
    fn from_url(get: impl Fn(&str) -> String) -> Self {
        JobQuery {
            text: get("q"),
            status: get("status"),
            job_type: get("type"),
            namespace: get("ns"),
            datacenter: get("dc"),
        }
    }
}

/// Lower-cased IDs and names, one per job, for the text filter.
pub fn job_search_keys(jobs: &[JobListStub]) -> SearchIndex {
    SearchIndex::new(jobs.iter().map(|j| {
        if j.name == j.id {
            j.id.to_lowercase()
        } else {
            format!("{} {}", j.id, j.name).to_lowercase()
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
        })
        .collect()
}

/// A namespace as shown: agents before namespaces send none.
pub fn ns_of(ns: &str) -> &str {
    if ns.is_empty() {
        "default"
    } else {
        ns
    }
}

/// Distinct values, sorted, for a facet menu.
pub fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut v: Vec<&str> = values.collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter().map(str::to_string).collect()
}

// ------------------------------------------------------------------ allocations

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
            .map(|a| format!("{} {} {}", a.id, a.name, a.node_name).to_lowercase()),
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

// ------------------------------------------------------------------ nodes

/// What the URL asks the clients list to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeQuery {
    pub text: String,
    pub status: String,
    /// `eligible` or `ineligible`
    pub eligibility: String,
    /// `draining` or `not-draining`
    pub drain: String,
    pub datacenter: String,
    pub class: String,
    pub pool: String,
    pub version: String,
}

impl ListUrl for NodeQuery {
    const FILTER_KEYS: &'static [&'static str] = &[
        "q", "status", "elig", "drain", "dc", "class", "pool", "version",
    ];
    fn from_url(get: impl Fn(&str) -> String) -> Self {
        NodeQuery {
            text: get("q"),
            status: get("status"),
            eligibility: get("elig"),
            drain: get("drain"),
            datacenter: get("dc"),
            class: get("class"),
            pool: get("pool"),
            version: get("version"),
        }
    }
}

impl NodeQuery {
    pub fn is_empty(&self) -> bool {
        *self == NodeQuery::default()
    }
}

/// Lower-cased search keys: name, ID and address.
pub fn node_search_keys(nodes: &[NodeListStub]) -> SearchIndex {
    SearchIndex::new(
        nodes
            .iter()
            .map(|n| format!("{} {} {}", n.name, n.id, n.address).to_lowercase()),
    )
}

/// Indices of `nodes` by the column `sort` names (`name` by default);
/// `running` sorts by the running-allocation counts given.
pub fn node_order(
    nodes: &[NodeListStub],
    sort: &str,
    desc: bool,
    running: &HashMap<String, u32>,
) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..nodes.len()).collect();
    let run = |n: &NodeListStub| running.get(&n.id).copied().unwrap_or(0);
    idx.sort_unstable_by(|&a, &b| {
        let (a, b) = (&nodes[a], &nodes[b]);
        let k = match sort {
            "datacenter" => a.datacenter.cmp(&b.datacenter),
            "pool" => a.node_pool.cmp(&b.node_pool),
            "class" => a.node_class.cmp(&b.node_class),
            "status" => a.status.cmp(&b.status),
            "eligibility" => a.scheduling_eligibility.cmp(&b.scheduling_eligibility),
            "drain" => a.drain.cmp(&b.drain),
            "version" => version_cmp(&a.version, &b.version),
            "running" => run(a).cmp(&run(b)),
            _ => Ordering::Equal,
        };
        k.then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
    if desc {
        idx.reverse();
    }
    idx
}

/// Compares dotted versions numerically (`1.10.0` after `1.9.3`).
pub fn version_cmp(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| -> Vec<(u64, String)> {
        s.split(['.', '-', '+'])
            .map(|p| {
                let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
                (digits.parse().unwrap_or(0), p[digits.len()..].to_string())
            })
            .collect()
    };
    parts(a).cmp(&parts(b))
}

pub fn select_nodes(
    nodes: &[NodeListStub],
    keys: &SearchIndex,
    order: &[usize],
    q: &NodeQuery,
) -> Vec<usize> {
    let text = keys.filter(&q.text);
    order
        .iter()
        .copied()
        .filter(|&i| {
            let n = &nodes[i];
            text(i)
                && (q.status.is_empty() || n.status == q.status)
                && (q.eligibility.is_empty() || n.scheduling_eligibility == q.eligibility)
                && match q.drain.as_str() {
                    "draining" => n.drain,
                    "not-draining" => !n.drain,
                    _ => true,
                }
                && (q.datacenter.is_empty() || n.datacenter == q.datacenter)
                && (q.class.is_empty() || n.node_class == q.class)
                && (q.pool.is_empty() || n.node_pool == q.pool)
                && (q.version.is_empty() || n.version == q.version)
        })
        .collect()
}

/// Distinct values sorted as versions, newest first.
pub fn distinct_versions<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut v = distinct(values);
    v.sort_by(|a, b| version_cmp(b, a));
    v
}

#[cfg(test)]
mod tests {
    use super::{AllocQuery, JobQuery, ListUrl, NodeQuery};

    // The first page is asked for only when the URL sets none of a list's
    // keys; a key missing here (as `desc` once was for jobs) shows the
    // wrong rows while the full list loads.
    #[test]
    fn every_list_reads_its_filters_order_and_page_from_the_url() {
        for keys in [
            JobQuery::url_keys(),
            AllocQuery::url_keys(),
            NodeQuery::url_keys(),
        ] {
            for k in ["q", "sort", "desc", "page"] {
                assert!(keys.contains(&k), "{k} missing from {keys:?}");
            }
        }
        let url = |k: &str| format!("<{k}>");
        let j = JobQuery::from_url(url);
        assert_eq!(
            (j.text.as_str(), j.job_type.as_str(), j.datacenter.as_str()),
            ("<q>", "<type>", "<dc>")
        );
        let n = NodeQuery::from_url(url);
        assert_eq!(n.eligibility, "<elig>");
        assert!(AllocQuery::url_keys().contains(&"prefix"));
    }

    use super::*;

    fn job(id: &str, ns: &str, status: &str, ty: &str, prio: i64) -> JobListStub {
        JobListStub {
            id: id.into(),
            name: id.into(),
            namespace: ns.into(),
            status: status.into(),
            job_type: ty.into(),
            priority: prio,
            datacenters: vec!["dc1".into()],
            ..Default::default()
        }
    }

    fn ids(jobs: &[JobListStub], idx: &[usize]) -> Vec<String> {
        idx.iter().map(|&i| jobs[i].id.clone()).collect()
    }

    #[test]
    fn filters_keep_sorted_order_and_combine() {
        let mut jobs = vec![
            job("web", "default", "running", "service", 50),
            job("api", "prod", "running", "service", 70),
            job("cron", "default", "dead", "batch", 20),
            job("api-worker", "default", "pending", "service", 50),
        ];
        jobs.push(JobListStub {
            parent_id: "cron".into(),
            ..job("cron/periodic-1", "default", "dead", "batch", 20)
        });
        let keys = job_search_keys(&jobs);
        let order = job_order(&jobs, "", false);
        let all = select_jobs(&jobs, &keys, &order, &JobQuery::default());
        assert_eq!(ids(&jobs, &all), ["api", "api-worker", "cron", "web"]);
        let q = JobQuery {
            text: " API".into(),
            ..Default::default()
        };
        assert_eq!(
            ids(&jobs, &select_jobs(&jobs, &keys, &order, &q)),
            ["api", "api-worker"]
        );
        let q = JobQuery {
            text: "api".into(),
            namespace: "default".into(),
            ..Default::default()
        };
        assert_eq!(
            ids(&jobs, &select_jobs(&jobs, &keys, &order, &q)),
            ["api-worker"]
        );
        let q = JobQuery {
            status: "dead".into(),
            job_type: "batch".into(),
            ..Default::default()
        };
        assert_eq!(ids(&jobs, &select_jobs(&jobs, &keys, &order, &q)), ["cron"]);
        let by_prio = job_order(&jobs, "priority", true);
        let all = select_jobs(&jobs, &keys, &by_prio, &JobQuery::default());
        assert_eq!(ids(&jobs, &all), ["api", "web", "api-worker", "cron"]);
    }

    #[test]
    fn name_is_searched_as_well_as_id() {
        let jobs = vec![JobListStub {
            name: "Billing Gateway".into(),
            ..job("bg-1", "", "running", "service", 50)
        }];
        let keys = job_search_keys(&jobs);
        let order = job_order(&jobs, "name", false);
        let q = JobQuery {
            text: "gateway".into(),
            namespace: "default".into(),
            ..Default::default()
        };
        assert_eq!(select_jobs(&jobs, &keys, &order, &q), [0]);
        assert_eq!(distinct(["b", "a", "b"].into_iter()), ["a", "b"]);
    }

    fn alloc(id: &str, job: &str, group: &str, node: &str, status: &str, created: i64) -> AllocRow {
        AllocRow {
            id: id.into(),
            name: format!("{job}.{group}[0]"),
            namespace: String::new(),
            node_id: format!("node-{node}"),
            node_name: node.into(),
            job_id: job.into(),
            task_group: group.into(),
            client_status: status.into(),
            create_time: UnixNanos(created),
            ..Default::default()
        }
    }

    #[test]
    fn allocations_filter_by_every_facet_and_sort_newest_first() {
        let allocs = vec![
            alloc("aaaa1111", "web", "frontend", "c1", "running", 10),
            alloc("bbbb2222", "web", "frontend", "c2", "failed", 30),
            alloc("cccc3333", "api", "main", "c1", "running", 20),
            alloc("dddd4444", "api", "worker", "c3", "complete", 40),
        ];
        let keys = alloc_search_keys(&allocs);
        let order = alloc_order(&allocs, "", false);
        let ids = |v: Vec<usize>| {
            v.into_iter()
                .map(|i| allocs[i].id[..4].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(select_allocs(
                &allocs,
                &keys,
                &order,
                &AllocQuery::default()
            )),
            ["dddd", "bbbb", "cccc", "aaaa"]
        );
        let q = |f: fn(&mut AllocQuery)| {
            let mut q = AllocQuery::default();
            f(&mut q);
            ids(select_allocs(&allocs, &keys, &order, &q))
        };
        assert_eq!(q(|q| q.status = "running".into()), ["cccc", "aaaa"]);
        assert_eq!(q(|q| q.job = "api".into()), ["dddd", "cccc"]);
        assert_eq!(
            q(|q| {
                q.job = "api".into();
                q.group = "main".into()
            }),
            ["cccc"]
        );
        assert_eq!(q(|q| q.node = "node-c1".into()), ["cccc", "aaaa"]);
        assert_eq!(q(|q| q.node = "c3".into()), ["dddd"]);
        assert_eq!(
            q(|q| q.namespace = "default".into()),
            ["dddd", "bbbb", "cccc", "aaaa"]
        );
        assert_eq!(q(|q| q.namespace = "prod".into()), Vec::<String>::new());
        assert_eq!(q(|q| q.text = "BBBB".into()), ["bbbb"]);
        assert_eq!(q(|q| q.text = "frontend".into()), ["bbbb", "aaaa"]);
        assert_eq!(q(|q| q.text = "c2".into()), ["bbbb"]);
        // the "created" header reversed shows oldest first
        let old_first = alloc_order(&allocs, "", true);
        assert_eq!(
            ids(select_allocs(
                &allocs,
                &keys,
                &old_first,
                &AllocQuery::default()
            )),
            ["aaaa", "cccc", "bbbb", "dddd"]
        );
        let by_job = alloc_order(&allocs, "job", false);
        assert_eq!(ids(by_job), ["cccc", "dddd", "aaaa", "bbbb"]);
        let run = running_per_node(
            allocs
                .iter()
                .map(|a| (a.node_id.as_str(), a.client_status.as_str())),
        );
        assert_eq!(run.get("node-c1"), Some(&2));
        assert_eq!(run.get("node-c2"), None);
        assert_eq!(
            count_by(&allocs, |a| a.client_status.as_str()).get("running"),
            Some(&2)
        );
    }

    #[test]
    fn allocation_rows_decode_from_full_stubs_and_nulls() {
        let rows: Vec<AllocRow> = serde_json::from_str(
            r#"[{"ID":"x","Name":"j.g[0]","JobID":"j","TaskGroup":"g","NodeName":null,"ClientStatus":"running",
                "TaskStates":{"t":{"State":"running"}},"AllocatedResources":{"Tasks":{}},"CreateTime":5,"Extra":[1]}]"#,
        )
        .unwrap();
        assert_eq!(rows[0].client_status, "running");
        assert_eq!(rows[0].node_name, "");
        assert_eq!(rows[0].create_time, UnixNanos(5));
    }

    fn node(
        name: &str,
        dc: &str,
        status: &str,
        elig: &str,
        drain: bool,
        version: &str,
    ) -> NodeListStub {
        NodeListStub {
            id: format!("{name}-id"),
            name: name.into(),
            datacenter: dc.into(),
            status: status.into(),
            scheduling_eligibility: elig.into(),
            drain,
            version: version.into(),
            node_pool: "default".into(),
            node_class: if dc == "dc1" {
                "compute".into()
            } else {
                String::new()
            },
            ..Default::default()
        }
    }

    #[test]
    fn nodes_filter_sort_and_count() {
        let nodes = vec![
            node("c-3", "dc1", "ready", "eligible", false, "1.9.3"),
            node("c-1", "dc2", "down", "ineligible", false, "1.10.0"),
            node("c-2", "dc1", "ready", "ineligible", true, "1.10.0"),
        ];
        let keys = node_search_keys(&nodes);
        let none = HashMap::new();
        let order = node_order(&nodes, "", false, &none);
        let names = |v: Vec<usize>| {
            v.into_iter()
                .map(|i| nodes[i].name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(select_nodes(&nodes, &keys, &order, &NodeQuery::default())),
            ["c-1", "c-2", "c-3"]
        );
        let q = |f: fn(&mut NodeQuery)| {
            let mut q = NodeQuery::default();
            f(&mut q);
            names(select_nodes(&nodes, &keys, &order, &q))
        };
        assert_eq!(q(|q| q.status = "ready".into()), ["c-2", "c-3"]);
        assert_eq!(q(|q| q.eligibility = "ineligible".into()), ["c-1", "c-2"]);
        assert_eq!(q(|q| q.drain = "draining".into()), ["c-2"]);
        assert_eq!(q(|q| q.drain = "not-draining".into()), ["c-1", "c-3"]);
        assert_eq!(q(|q| q.datacenter = "dc1".into()), ["c-2", "c-3"]);
        assert_eq!(q(|q| q.class = "compute".into()), ["c-2", "c-3"]);
        assert_eq!(q(|q| q.version = "1.10.0".into()), ["c-1", "c-2"]);
        assert_eq!(q(|q| q.text = "C-3-ID".into()), ["c-3"]);
        assert_eq!(q(|q| q.pool = "gpu".into()), Vec::<String>::new());
        // versions sort numerically, not as text
        assert_eq!(
            names(node_order(&nodes, "version", false, &none)),
            ["c-3", "c-1", "c-2"]
        );
        assert_eq!(
            distinct_versions(nodes.iter().map(|n| n.version.as_str())),
            ["1.10.0", "1.9.3"]
        );
        let running: HashMap<String, u32> =
            [("c-3-id".to_string(), 7), ("c-1-id".to_string(), 2)].into();
        assert_eq!(
            names(node_order(&nodes, "running", true, &running)),
            ["c-3", "c-1", "c-2"]
        );
    }

    #[test]
    fn search_index_matches_within_entries_only() {
        let idx = SearchIndex::new(
            ["alpha", "beta", "gamma", "", "alphabet"]
                .iter()
                .map(|s| s.to_string()),
        );
        assert_eq!(idx.len(), 5);
        assert_eq!(idx.matches("a"), [true, true, true, false, true]);
        assert_eq!(idx.matches("ta"), [false, true, false, false, false]);
        // never across the separator between two keys
        assert_eq!(idx.matches("ab"), [false, false, false, false, true]);
        assert_eq!(idx.matches("ag"), [false; 5]);
        assert_eq!(idx.matches("a\ng"), [false; 5]);
        assert_eq!(idx.matches("mm"), [false, false, true, false, false]);
        assert_eq!(idx.matches("alphabet"), [false, false, false, false, true]);
        assert_eq!(idx.matches(""), [false; 5]);
        let f = idx.filter("  BET ");
        assert_eq!(
            (0..5).map(&f).collect::<Vec<_>>(),
            [false, true, false, false, true]
        );
        let all = idx.filter("");
        assert!((0..5).all(all));
        assert!(SearchIndex::default().matches("x").is_empty());
    }
}
