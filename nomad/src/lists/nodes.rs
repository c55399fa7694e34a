//! The clients (nodes) list.

use super::{distinct, ListUrl, SearchIndex};
use crate::NodeListStub;
use std::cmp::Ordering;
use std::collections::HashMap;

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
            .map(|n| super::fold(&format!("{} {} {}", n.name, n.id, n.address))),
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
