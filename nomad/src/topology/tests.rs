use super::*;

fn node(id: &str, dc: &str, pool: &str) -> TopoNode {
    serde_json::from_value(serde_json::json!({
        "ID": id, "Name": format!("client-{id}"), "Datacenter": dc, "NodePool": pool, "Status": "ready",
        "NodeResources": {"Cpu": {"CpuShares": 4000}, "Memory": {"MemoryMB": 8192}},
        "ReservedResources": {"Cpu": {"CpuShares": 200}, "Memory": {"MemoryMB": 192}},
    }))
    .unwrap()
}

fn alloc(id: &str, node: &str, job: &str, status: &str, cpu: u32, mem: u32) -> TopoAlloc {
    serde_json::from_value(serde_json::json!({
        "ID": id, "Name": format!("{job}.g[0]"), "Namespace": "default", "NodeID": node, "JobID": job,
        "TaskGroup": "g", "ClientStatus": status,
        "AllocatedResources": {"Tasks": {"a": {"Cpu": {"CpuShares": cpu}, "Memory": {"MemoryMB": mem}}, "b": {"Cpu": {"CpuShares": 0}, "Memory": {"MemoryMB": 0}}}},
    }))
    .unwrap()
}

#[test]
fn capacity_is_resources_less_reserved_from_either_shape() {
    assert_eq!(node("1", "dc1", "").capacity(), (3800, 8000));
    let old: TopoNode = serde_json::from_value(serde_json::json!({
        "ID": "o", "Resources": {"CPU": 2000, "MemoryMB": 4096}, "Reserved": {"CPU": 100, "MemoryMB": 96},
        "NodeResources": null, "Unknown": 1,
    }))
    .unwrap();
    assert_eq!(old.capacity(), (1900, 4000));
    assert_eq!(old.pool(), "default");
    let legacy: TopoAlloc = serde_json::from_value(
        serde_json::json!({"ID": "x", "Resources": {"CPU": 250, "MemoryMB": 64}}),
    )
    .unwrap();
    assert_eq!(legacy.usage(), (250, 64));
}

#[test]
fn nodes_group_by_datacenter_and_pool_with_their_placed_allocations() {
    let nodes = vec![
        node("2", "dc2", "gpu"),
        node("1", "dc1", "default"),
        node("3", "dc1", "default"),
    ];
    let allocs = vec![
        alloc("a", "1", "web", "running", 500, 1000),
        alloc("b", "1", "api", "pending", 300, 500),
        alloc("c", "1", "web", "complete", 999, 999),
        alloc("d", "2", "db", "running", 1000, 2000),
    ];
    let g = layout(&nodes, &allocs, &TopoQuery::default());
    assert_eq!(g.len(), 2);
    assert_eq!(
        (g[0].datacenter.as_str(), g[0].pool.as_str()),
        ("dc1", "default")
    );
    assert_eq!(g[0].nodes.len(), 2);
    let n1 = &g[0].nodes[0];
    assert_eq!(nodes[n1.node].id, "1");
    assert_eq!(
        (n1.cpu_used, n1.mem_used),
        (800, 1500),
        "the complete allocation holds nothing"
    );
    let jobs: Vec<&str> = n1
        .segs
        .iter()
        .map(|s| allocs[s.alloc].job_id.as_str())
        .collect();
    assert_eq!(jobs, vec!["api", "web"]);
    assert_eq!(g[0].cpu_cap, 7600);
    let only = layout(
        &nodes,
        &allocs,
        &TopoQuery {
            pool: "gpu".into(),
            ..Default::default()
        },
    );
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].nodes.len(), 1);
}

#[test]
fn a_job_filter_dims_the_rest_and_the_nodes_without_it() {
    let nodes = vec![node("1", "dc1", ""), node("2", "dc1", "")];
    let allocs = vec![
        alloc("a", "1", "web", "running", 100, 100),
        alloc("b", "2", "db", "running", 100, 100),
    ];
    let g = layout(
        &nodes,
        &allocs,
        &TopoQuery {
            job: "we".into(),
            ..Default::default()
        },
    );
    assert!(!g[0].nodes[0].dim);
    assert!(!g[0].nodes[0].segs[0].dim);
    assert!(g[0].nodes[1].dim);
    assert!(g[0].nodes[1].segs[0].dim);
}

#[test]
fn a_bar_draws_its_segments_and_finds_the_one_under_the_pointer() {
    let nodes = vec![node("1", "dc1", "")];
    let allocs = vec![
        alloc("a", "1", "api", "running", 950, 100),
        alloc("b", "1", "web", "running", 950, 100),
        alloc("c", "1", "web", "running", 950, 100),
    ];
    let g = layout(&nodes, &allocs, &TopoQuery::default());
    let n = &g[0].nodes[0];
    let css = Bar::Cpu.gradient(n, "var(--free)");
    // two jobs: api's stop pair, web's two allocations merged into one
    assert_eq!(css.matches("hsl(").count(), 2, "{css}");
    assert!(css.ends_with(",var(--free) 75.00% 100%)"), "{css}");
    assert_eq!(Bar::Cpu.seg_at(n, 0.1), Some(0));
    assert_eq!(Bar::Cpu.seg_at(n, 0.3), Some(1));
    assert_eq!(Bar::Cpu.seg_at(n, 0.6), Some(2));
    assert_eq!(Bar::Cpu.seg_at(n, 0.9), None, "free capacity");
    assert_eq!(percent(1, 3), 33);
    assert_eq!(percent(5, 0), 0);
}

#[test]
fn job_hues_are_stable_and_spread() {
    assert_eq!(job_hue("default", "web"), job_hue("default", "web"));
    let hues: std::collections::HashSet<u16> = (0..50)
        .map(|i| job_hue("default", &format!("job-{i}")))
        .collect();
    assert!(hues.len() > 40);
    assert!(hues.iter().all(|h| *h < 360));
}
