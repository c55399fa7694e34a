//! Seeded scenarios: `demo`, a small believable cluster, and for
//! benchmarks `large` (10,000 jobs, 50,000 allocations, 2,000 nodes) and
//! `huge` (100,000 jobs, 500,000 allocations, 10,000 nodes).

mod demo;
mod history;
mod large;

use crate::clock::Clock;
use crate::sched::{register, uuid};
use crate::state::{Cluster, Table};
use nomad_model::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    Demo,
    Large,
    Huge,
}

pub fn build(s: Scenario, rng: &mut ChaCha8Rng, clock: Clock) -> Cluster {
    let mut c = Cluster {
        region: "global".into(),
        clock,
        ..Default::default()
    };
    c.bump(&[Table::Namespaces]);
    for (name, desc) in [
        ("default", "Default shared namespace"),
        ("platform", "Platform team services"),
        ("batch", "Data pipelines and reports"),
    ] {
        c.namespaces.insert(
            name.into(),
            Namespace {
                name: name.into(),
                description: desc.into(),
                create_index: 1,
                modify_index: 1,
                ..Default::default()
            },
        );
    }
    match s {
        Scenario::Demo => demo::demo(&mut c, rng),
        Scenario::Large => large::generate(&mut c, rng, large::LARGE),
        Scenario::Huge => large::generate(&mut c, rng, large::HUGE),
    }
    seed_node_pools(&mut c);
    c
}

/// The built-in pools `all` and `default` (`structs.NodePoolAll`,
/// `NodePoolDefault`) plus one for every other pool a node names.
fn seed_node_pools(c: &mut Cluster) {
    let idx = c.bump(&[Table::NodePools]);
    let mut pools: Vec<(String, String)> = vec![
        (
            "all".into(),
            "Node pool with all nodes in the cluster.".into(),
        ),
        ("default".into(), "Default node pool.".into()),
    ];
    for n in c.nodes.values() {
        if !pools.iter().any(|(p, _)| p == &n.node_pool) {
            pools.push((
                n.node_pool.clone(),
                format!("Nodes of the {} pool", n.node_pool),
            ));
        }
    }
    for (name, desc) in pools {
        let v = json!({
            "Name": name, "Description": desc, "Meta": null,
            "SchedulerConfiguration": null, "CreateIndex": idx, "ModifyIndex": idx,
        });
        c.node_pools.insert(name, v);
    }
}

#[allow(clippy::too_many_arguments)] // one call per scenario; a struct would only rename them
pub fn make_node(
    rng: &mut ChaCha8Rng,
    name: &str,
    dc: &str,
    class: &str,
    pool: &str,
    version: &str,
    cpu: i64,
    mem: i64,
    i: usize,
    now: i64,
) -> Node {
    let id = uuid(rng);
    let ip = format!(
        "10.{}.{}.{}",
        if dc == "dc1" { 0 } else { 1 },
        i / 250,
        10 + i % 240
    );
    let mut attrs = BTreeMap::new();
    for (k, v) in [
        ("arch", "amd64"),
        ("cpu.arch", "amd64"),
        (
            "cpu.modelname",
            "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
        ),
        ("cpu.numcores", "8"),
        ("cpu.frequency", "2900"),
        ("kernel.name", "linux"),
        ("kernel.version", "6.1.0-26-amd64"),
        ("os.name", "debian"),
        ("os.version", "12.7"),
        ("driver.docker", "1"),
        ("driver.exec", "1"),
        ("driver.raw_exec", "1"),
        ("nomad.advertise.address", &format!("{ip}:4646")),
        ("nomad.version", version),
        ("nomad.service_discovery", "true"),
        ("plugins.cni.version.bridge", "1.6.2"),
        ("unique.hostname", name),
        ("unique.network.ip-address", &ip),
        ("unique.storage.volume", "/dev/nvme0n1p1"),
        ("unique.storage.bytestotal", "214643507200"),
        ("unique.storage.bytesfree", "160438996992"),
        ("memory.totalbytes", &(mem * 1024 * 1024).to_string()),
    ] {
        attrs.insert(k.to_string(), v.to_string());
    }
    let mut drivers = BTreeMap::new();
    for d in ["docker", "exec", "raw_exec", "java"] {
        let healthy = d != "java";
        drivers.insert(
            d.to_string(),
            DriverInfo {
                detected: healthy,
                healthy,
                health_description: if healthy {
                    "Healthy".into()
                } else {
                    "Driver not detected: no java binary found".into()
                },
                update_time: WallTime::from_unix_nanos(now),
                attributes: if d == "docker" {
                    [("driver.docker.version".to_string(), "27.3.1".to_string())].into()
                } else {
                    BTreeMap::new()
                },
            },
        );
    }
    Node {
        id,
        name: name.into(),
        datacenter: dc.into(),
        http_addr: format!("{ip}:4646"),
        tls_enabled: false,
        attributes: attrs,
        node_resources: Some(NodeResources {
            cpu: Some(NodeCpu {
                cpu_shares: cpu,
                total_cpu_cores: 8,
                reservable_cpu_cores: (0..8).collect(),
            }),
            memory: Some(NodeMemory { memory_mb: mem }),
            disk: Some(NodeDisk { disk_mb: 200_000 }),
            min_dynamic_port: 20000,
            max_dynamic_port: 32000,
            ..Default::default()
        }),
        reserved_resources: Some(
            json!({"Cpu": {"CpuShares": 200}, "Memory": {"MemoryMB": 512}, "Disk": {"DiskMB": 1024}, "Networks": {"ReservedHostPorts": "22"}}),
        ),
        meta: [
            ("rack".to_string(), format!("r{}", i % 4 + 1)),
            (
                "connect.sidecar_image".to_string(),
                "envoyproxy/envoy:v1.29".to_string(),
            ),
        ]
        .into(),
        node_class: class.into(),
        node_pool: pool.into(),
        computed_class: format!("v1:{}", rng.gen::<u64>()),
        scheduling_eligibility: "eligible".into(),
        status: "ready".into(),
        status_updated_at: UnixSecs(now / 1_000_000_000),
        events: vec![NodeEvent {
            message: "Node registered".into(),
            subsystem: "Cluster".into(),
            timestamp: WallTime::from_unix_nanos(now - 3_600_000_000_000),
            create_index: 1,
            ..Default::default()
        }],
        drivers,
        host_volumes: [(
            "scratch".to_string(),
            HostVolume {
                path: "/opt/scratch".into(),
                read_only: false,
                id: String::new(),
            },
        )]
        .into(),
        host_networks: [(
            "private".to_string(),
            HostNetwork {
                name: "private".into(),
                cidr: "10.0.0.0/8".into(),
                interface: "eth1".into(),
                reserved_ports: String::new(),
            },
        )]
        .into(),
        create_index: 2,
        modify_index: 2,
        ..Default::default()
    }
}

pub(crate) struct TaskSpec<'a> {
    pub(crate) name: &'a str,
    pub(crate) driver: &'a str,
    pub(crate) image: &'a str,
    pub(crate) cpu: i64,
    pub(crate) mem: i64,
}

pub(crate) fn task(t: &TaskSpec) -> Value {
    json!({
        "Name": t.name,
        "Driver": t.driver,
        "Config": if t.driver == "docker" { json!({"image": t.image, "ports": ["http"]}) } else { json!({"command": t.image, "args": ["-c", "run"]}) },
        "Resources": {"CPU": t.cpu, "MemoryMB": t.mem},
        "Services": null,
    })
}

pub(crate) fn group(name: &str, count: i64, tasks: &[TaskSpec], update: Option<Value>) -> Value {
    json!({
        "Name": name,
        "Count": count,
        "Tasks": tasks.iter().map(task).collect::<Vec<_>>(),
        "Networks": [{"Mode": "bridge", "DynamicPorts": [{"Label": "http", "Value": 0, "To": 8080}]}],
        "Update": update,
        "RestartPolicy": {"Attempts": 2, "Interval": 1_800_000_000_000i64, "Delay": 15_000_000_000i64, "Mode": "fail"},
    })
}

pub(crate) fn job(id: &str, ns: &str, ty: &str, dcs: &[&str], groups: Vec<Value>) -> Value {
    json!({
        "ID": id,
        "Name": id,
        "Namespace": ns,
        "Type": ty,
        "Priority": 50,
        "Datacenters": dcs,
        "TaskGroups": groups,
    })
}

pub(crate) fn update_block(canary: i64) -> Value {
    json!({"MaxParallel": 1, "HealthCheck": "checks", "MinHealthyTime": 10_000_000_000i64, "HealthyDeadline": 300_000_000_000i64, "ProgressDeadline": 600_000_000_000i64, "AutoRevert": true, "AutoPromote": false, "Canary": canary, "Stagger": 30_000_000_000i64})
}
