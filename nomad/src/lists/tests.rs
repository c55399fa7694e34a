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
use crate::time::UnixNanos;
use crate::{JobListStub, NodeListStub};
use std::collections::HashMap;

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
    // no node pool (an agent before 1.6) is the default pool
    let q = JobQuery {
        pool: "default".into(),
        ..Default::default()
    };
    assert_eq!(
        ids(&jobs, &select_jobs(&jobs, &keys, &order, &q)),
        ["api", "api-worker", "cron", "web"]
    );
    let q = JobQuery {
        pool: "gpu".into(),
        ..Default::default()
    };
    assert!(select_jobs(&jobs, &keys, &order, &q).is_empty());
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

#[test]
fn search_folds_case_one_character_at_a_time() {
    assert_eq!(super::fold("Web-API"), "web-api");
    assert_eq!(super::fold("ÄRGER İx"), "ärger i\u{307}x");
    // no final-sigma rule: a word reads the same at the end of a key and in
    // the middle of a query
    assert_eq!(super::fold("ΟΔΟΣ"), "οδοσ");
    let idx = SearchIndex::new([super::fold("ΟΔΟΣ web")].into_iter());
    let f = idx.filter("οδοσ ");
    assert!(f(0));
}
