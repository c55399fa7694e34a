//! Seeded scenarios: `demo`, a small believable cluster, and `large`, for
//! benchmarks (10,000 jobs, 50,000 allocations, 2,000 nodes).

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
        Scenario::Demo => demo(&mut c, rng),
        Scenario::Large => large(&mut c, rng),
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

struct TaskSpec<'a> {
    name: &'a str,
    driver: &'a str,
    image: &'a str,
    cpu: i64,
    mem: i64,
}

fn task(t: &TaskSpec) -> Value {
    json!({
        "Name": t.name,
        "Driver": t.driver,
        "Config": if t.driver == "docker" { json!({"image": t.image, "ports": ["http"]}) } else { json!({"command": t.image, "args": ["-c", "run"]}) },
        "Resources": {"CPU": t.cpu, "MemoryMB": t.mem},
        "Services": null,
    })
}

fn group(name: &str, count: i64, tasks: &[TaskSpec], update: Option<Value>) -> Value {
    json!({
        "Name": name,
        "Count": count,
        "Tasks": tasks.iter().map(task).collect::<Vec<_>>(),
        "Networks": [{"Mode": "bridge", "DynamicPorts": [{"Label": "http", "Value": 0, "To": 8080}]}],
        "Update": update,
        "RestartPolicy": {"Attempts": 2, "Interval": 1_800_000_000_000i64, "Delay": 15_000_000_000i64, "Mode": "fail"},
    })
}

fn job(id: &str, ns: &str, ty: &str, dcs: &[&str], groups: Vec<Value>) -> Value {
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

fn update_block(canary: i64) -> Value {
    json!({"MaxParallel": 1, "HealthCheck": "checks", "MinHealthyTime": 10_000_000_000i64, "HealthyDeadline": 300_000_000_000i64, "ProgressDeadline": 600_000_000_000i64, "AutoRevert": true, "AutoPromote": false, "Canary": canary, "Stagger": 30_000_000_000i64})
}

fn demo(c: &mut Cluster, rng: &mut ChaCha8Rng) {
    let nodes = [
        ("nomad-client-a1", "dc1", "compute", "default", "1.11.3"),
        ("nomad-client-a2", "dc1", "compute", "default", "1.11.3"),
        ("nomad-client-a3", "dc1", "storage", "default", "1.10.5"),
        ("nomad-client-b1", "dc2", "compute", "default", "1.11.3"),
        ("nomad-client-b2", "dc2", "gpu", "gpu", "1.11.3"),
    ];
    c.bump(&[Table::Nodes]);
    for (i, (name, dc, class, pool, v)) in nodes.iter().enumerate() {
        let n = make_node(rng, name, dc, class, pool, v, 23200, 32768, i, c.now());
        c.nodes.insert(n.id.clone(), n);
    }
    let web = |img: &str, count: i64, canary: i64| {
        let mut j = job(
            "web-frontend",
            "default",
            "service",
            &["dc1", "dc2"],
            vec![group(
                "web",
                count,
                &[TaskSpec {
                    name: "nginx",
                    driver: "docker",
                    image: img,
                    cpu: 500,
                    mem: 256,
                }],
                Some(update_block(canary)),
            )],
        );
        j["Meta"] = json!({"team": "storefront", "owner": "ops@example.com"});
        j
    };
    register(c, rng, web("nginx:1.25", 3, 0), "job-register");
    register(c, rng, web("nginx:1.26", 3, 0), "job-register");
    let api = |img: &str, count: i64| {
        job(
            "api-gateway",
            "default",
            "service",
            &["dc1"],
            vec![group(
                "gateway",
                count,
                &[
                    TaskSpec {
                        name: "envoy",
                        driver: "docker",
                        image: img,
                        cpu: 1000,
                        mem: 512,
                    },
                    TaskSpec {
                        name: "config-sync",
                        driver: "exec",
                        image: "/usr/local/bin/sync",
                        cpu: 100,
                        mem: 64,
                    },
                ],
                Some(update_block(1)),
            )],
        )
    };
    register(c, rng, api("envoyproxy/envoy:v1.28", 2), "job-register");
    register(c, rng, api("envoyproxy/envoy:v1.29", 2), "job-register");
    register(c, rng, api("envoyproxy/envoy:v1.30", 3), "job-register");
    register(
        c,
        rng,
        job(
            "redis-cache",
            "default",
            "service",
            &["dc1"],
            vec![group(
                "cache",
                1,
                &[TaskSpec {
                    name: "redis",
                    driver: "docker",
                    image: "redis:7.2",
                    cpu: 500,
                    mem: 1024,
                }],
                None,
            )],
        ),
        "job-register",
    );
    let mut pay = job(
        "payments",
        "platform",
        "service",
        &["dc2"],
        vec![group(
            "api",
            2,
            &[TaskSpec {
                name: "server",
                driver: "docker",
                image: "registry.internal/payments:9.9",
                cpu: 800,
                mem: 512,
            }],
            None,
        )],
    );
    pay["Meta"] = json!({"sim.behaviour": "fail-start"});
    register(c, rng, pay, "job-register");
    let mut worker = job(
        "queue-worker",
        "platform",
        "service",
        &["dc1", "dc2"],
        vec![group(
            "worker",
            2,
            &[TaskSpec {
                name: "worker",
                driver: "docker",
                image: "python:3.12-slim",
                cpu: 400,
                mem: 384,
            }],
            None,
        )],
    );
    worker["Meta"] = json!({"sim.behaviour": "crash", "sim.runtime": "25"});
    register(c, rng, worker, "job-register");
    rescheduled_history(c, rng, "queue-worker");
    register(
        c,
        rng,
        job(
            "metrics-agent",
            "platform",
            "system",
            &["dc1", "dc2"],
            vec![group(
                "agent",
                1,
                &[TaskSpec {
                    name: "node-exporter",
                    driver: "docker",
                    image: "prom/node-exporter:v1.8.2",
                    cpu: 100,
                    mem: 64,
                }],
                None,
            )],
        ),
        "job-register",
    );
    register(
        c,
        rng,
        job(
            "log-shipper",
            "default",
            "system",
            &["dc1"],
            vec![group(
                "shipper",
                1,
                &[TaskSpec {
                    name: "vector",
                    driver: "docker",
                    image: "timberio/vector:0.41",
                    cpu: 200,
                    mem: 256,
                }],
                None,
            )],
        ),
        "job-register",
    );
    let mut report = job(
        "nightly-report",
        "batch",
        "batch",
        &["dc1"],
        vec![group(
            "report",
            1,
            &[TaskSpec {
                name: "report",
                driver: "exec",
                image: "/opt/report/run.sh",
                cpu: 500,
                mem: 512,
            }],
            None,
        )],
    );
    report["Periodic"] = json!({"Enabled": true, "Spec": "0 2 * * *", "SpecType": "cron", "ProhibitOverlap": true, "TimeZone": "UTC"});
    register(c, rng, report, "job-register");
    let mut etl = job(
        "etl-import",
        "batch",
        "batch",
        &["dc1", "dc2"],
        vec![group(
            "import",
            1,
            &[TaskSpec {
                name: "import",
                driver: "docker",
                image: "registry.internal/etl:2.4",
                cpu: 1000,
                mem: 2048,
            }],
            None,
        )],
    );
    etl["ParameterizedJob"] = json!({"Payload": "optional", "MetaRequired": ["dataset"], "MetaOptional": ["since", "dry_run"]});
    register(c, rng, etl, "job-register");
    let mut mig = job(
        "db-migrate",
        "default",
        "batch",
        &["dc1"],
        vec![group(
            "migrate",
            1,
            &[TaskSpec {
                name: "migrate",
                driver: "docker",
                image: "registry.internal/migrate:41",
                cpu: 300,
                mem: 256,
            }],
            None,
        )],
    );
    mig["Meta"] = json!({"sim.runtime": "8"});
    register(c, rng, mig, "job-register");
    let mut bf = job(
        "backfill",
        "batch",
        "batch",
        &["dc2"],
        vec![group(
            "backfill",
            3,
            &[TaskSpec {
                name: "backfill",
                driver: "docker",
                image: "registry.internal/backfill:7",
                cpu: 700,
                mem: 1024,
            }],
            None,
        )],
    );
    bf["Meta"] = json!({"sim.runtime": "600"});
    register(c, rng, bf, "job-register");
    preempted_history(c, rng, "metrics-agent", "backfill");
    let mut cleanup = job(
        "node-cleanup",
        "platform",
        "sysbatch",
        &["dc1", "dc2"],
        vec![group(
            "cleanup",
            1,
            &[TaskSpec {
                name: "gc",
                driver: "exec",
                image: "/usr/local/bin/docker-gc",
                cpu: 100,
                mem: 64,
            }],
            None,
        )],
    );
    cleanup["Meta"] = json!({"sim.runtime": "15"});
    register(c, rng, cleanup, "job-register");
    // does not fit anywhere: a placement failure to explain
    register(
        c,
        rng,
        job(
            "ml-training",
            "default",
            "batch",
            &["dc2"],
            vec![group(
                "train",
                2,
                &[TaskSpec {
                    name: "trainer",
                    driver: "docker",
                    image: "pytorch/pytorch:2.4",
                    cpu: 4000,
                    mem: 65536,
                }],
                None,
            )],
        ),
        "job-register",
    );
    let mut legacy = job(
        "legacy-billing",
        "default",
        "service",
        &["dc1"],
        vec![group(
            "billing",
            1,
            &[TaskSpec {
                name: "billing",
                driver: "java",
                image: "billing.jar",
                cpu: 500,
                mem: 1024,
            }],
            None,
        )],
    );
    legacy["Constraints"] =
        json!([{"LTarget": "${attr.kernel.name}", "RTarget": "linux", "Operand": "="}]);
    register(c, rng, legacy, "job-register");
    let mut stopped = job(
        "old-dashboard",
        "default",
        "service",
        &["dc1"],
        vec![group(
            "ui",
            1,
            &[TaskSpec {
                name: "grafana",
                driver: "docker",
                image: "grafana/grafana:10.4",
                cpu: 300,
                mem: 256,
            }],
            None,
        )],
    );
    register(c, rng, stopped.clone(), "job-register");
    stopped["Stop"] = json!(true);
    register(c, rng, stopped, "job-deregister");
}

fn large(c: &mut Cluster, rng: &mut ChaCha8Rng) {
    // Built directly (not through the scheduler) so start-up stays fast.
    c.bump(&[Table::Nodes]);
    let mut node_ids = vec![];
    for i in 0..2000 {
        let dc = ["dc1", "dc2", "dc3", "dc4"][i % 4];
        let n = make_node(
            rng,
            &format!("client-{i:04}"),
            dc,
            ["compute", "storage", "gpu"][i % 3],
            if i % 10 == 0 { "gpu" } else { "default" },
            ["1.11.3", "1.10.5", "1.9.7"][i % 3],
            46400,
            131072,
            i,
            c.now(),
        );
        node_ids.push((n.id.clone(), n.name.clone()));
        c.nodes.insert(n.id.clone(), n);
    }
    let now = c.now();
    let idx = c.bump(&[Table::Jobs, Table::Allocs, Table::Evals, Table::Summaries]);
    let types = ["service", "service", "service", "batch", "system"];
    let statuses = ["running", "running", "running", "pending", "dead"];
    let namespaces = ["default", "platform", "batch"];
    let words = [
        "api", "web", "cache", "queue", "worker", "ingest", "billing", "search", "auth", "mailer",
        "report", "sync",
    ];
    let mut alloc_count = 0usize;
    for i in 0..10_000usize {
        let ty = types[i % types.len()];
        let ns = namespaces[i % 3];
        let id = format!(
            "{}-{}-{i:05}",
            words[i % words.len()],
            words[(i / 12) % words.len()]
        );
        let dc = ["dc1", "dc2", "dc3", "dc4"][i % 4];
        let mut spec = job(
            &id,
            ns,
            ty,
            &[dc],
            vec![group(
                "main",
                5,
                &[TaskSpec {
                    name: "app",
                    driver: "docker",
                    image: "registry.internal/app:1",
                    cpu: 100,
                    mem: 128,
                }],
                None,
            )],
        );
        crate::canon::canonicalize_job(&mut spec, "global");
        let status = statuses[i % statuses.len()];
        let o = spec.as_object_mut().expect("object");
        o.insert("Status".into(), json!(status));
        o.insert("Version".into(), json!(i % 4));
        o.insert(
            "SubmitTime".into(),
            json!(now - (i as i64) * 60_000_000_000),
        );
        o.insert("CreateIndex".into(), json!(idx));
        o.insert("ModifyIndex".into(), json!(idx));
        o.insert("JobModifyIndex".into(), json!(idx));
        o.insert("Stable".into(), json!(true));
        let key = (ns.to_string(), id.clone());
        c.jobs.insert(
            key,
            crate::state::StoredJob {
                versions: vec![spec.clone()],
                spec,
            },
        );
        let eval_id = uuid(rng);
        for k in 0..5 {
            let (nid, nname) = &node_ids[(i * 5 + k) % node_ids.len()];
            let cs = match (status, k) {
                ("dead", _) => "complete",
                ("pending", 0) => "pending",
                (_, 4) if i % 7 == 0 => "failed",
                _ => "running",
            };
            let aid = uuid(rng);
            let mut states = BTreeMap::new();
            states.insert(
                "app".to_string(),
                TaskState {
                    state: if cs == "running" {
                        "running".into()
                    } else if cs == "pending" {
                        "pending".into()
                    } else {
                        "dead".into()
                    },
                    failed: cs == "failed",
                    events: vec![TaskEvent {
                        event_type: "Received".into(),
                        time: UnixNanos(now),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            );
            c.insert_alloc(Allocation {
                id: aid,
                eval_id: eval_id.clone(),
                name: format!("{id}.main[{k}]"),
                namespace: ns.into(),
                node_id: nid.clone(),
                node_name: nname.clone(),
                job_id: id.clone(),
                job_type: ty.into(),
                job_version: (i % 4) as u64,
                task_group: "main".into(),
                desired_status: if status == "dead" {
                    "stop".into()
                } else {
                    "run".into()
                },
                client_status: cs.into(),
                task_states: states,
                allocated_resources: Some(AllocatedResources {
                    tasks: [(
                        "app".to_string(),
                        AllocatedTaskResources {
                            cpu: Some(AllocatedCpu {
                                cpu_shares: 100,
                                reserved_cores: vec![],
                            }),
                            memory: Some(AllocatedMemory {
                                memory_mb: 128,
                                memory_max_mb: 0,
                            }),
                            networks: vec![],
                        },
                    )]
                    .into(),
                    shared: Some(AllocatedSharedResources {
                        disk_mb: 300,
                        ..Default::default()
                    }),
                }),
                create_index: idx,
                modify_index: idx,
                alloc_modify_index: idx,
                create_time: UnixNanos(now - (i as i64) * 1_000_000_000),
                modify_time: UnixNanos(now),
                ..Default::default()
            });
            alloc_count += 1;
        }
        c.evals.insert(
            eval_id.clone(),
            Evaluation {
                id: eval_id,
                namespace: ns.into(),
                job_id: id.clone(),
                eval_type: ty.into(),
                triggered_by: "job-register".into(),
                status: "complete".into(),
                priority: 50,
                create_index: idx,
                modify_index: idx,
                create_time: UnixNanos(now),
                modify_time: UnixNanos(now),
                ..Default::default()
            },
        );
    }
    let keys: Vec<_> = c.jobs.keys().cloned().collect();
    for (ns, id) in keys {
        c.recompute_summary(&ns, &id);
    }
    debug_assert_eq!(alloc_count, 50_000);
}

/// Gives the first allocation of `job` a failed predecessor that was
/// rescheduled into it (with the tracker, links both ways and the failed
/// task's events), as Nomad records after a crash loop.
fn rescheduled_history(c: &mut Cluster, rng: &mut ChaCha8Rng, job: &str) {
    let Some(cur_id) = c
        .allocs
        .values()
        .filter(|a| a.job_id == job)
        .map(|a| a.id.clone())
        .min()
    else {
        return;
    };
    let now = c.now();
    let mut prev = c.allocs[&cur_id].clone();
    prev.id = uuid(rng);
    prev.client_status = "failed".into();
    prev.client_description = "Failed tasks".into();
    prev.desired_status = "run".into();
    prev.next_allocation = cur_id.clone();
    prev.create_time = UnixNanos(now - 900_000_000_000);
    prev.modify_time = UnixNanos(now - 300_000_000_000);
    let t0 = now - 900_000_000_000;
    for st in prev.task_states.values_mut() {
        let ev = |ty: &str, dt: i64, f: &dyn Fn(&mut TaskEvent)| {
            let mut e = TaskEvent {
                event_type: ty.into(),
                time: UnixNanos(t0 + dt * 1_000_000_000),
                ..Default::default()
            };
            f(&mut e);
            e
        };
        st.state = "dead".into();
        st.failed = true;
        st.restarts = 2;
        st.started_at = WallTime::from_unix_nanos(t0 + 5_000_000_000);
        st.finished_at = WallTime::from_unix_nanos(now - 300_000_000_000);
        st.last_restart = WallTime::from_unix_nanos(t0 + 300_000_000_000);
        st.events = vec![
            ev("Received", 0, &|e| {
                e.display_message = "Task received by client".into()
            }),
            ev("Task Setup", 1, &|e| {
                e.message = "Building Task Directory".into();
                e.display_message = "Building Task Directory".into();
            }),
            ev("Driver", 2, &|e| {
                e.driver_message = "Downloading image".into();
                e.display_message = "Downloading image".into();
            }),
            ev("Started", 5, &|e| {
                e.display_message = "Task started by client".into()
            }),
            ev("Terminated", 280, &|e| {
                e.exit_code = 137;
                e.signal = 9;
                e.message = "OOM Killed".into();
                e.display_message =
                    "Exit Code: 137, Signal: 9, Exit Message: \"OOM Killed\"".into();
                e.details = [("oom_killed".to_string(), "true".to_string())].into();
            }),
            ev("Restarting", 281, &|e| {
                e.restart_reason = "Restart within policy".into();
                e.start_delay = Nanos::from_secs(15);
                e.display_message = "Restart within policy - Task restarting in 15s".into();
            }),
            ev("Killing", 590, &|e| {
                e.kill_reason = "Sent interrupt by the client".into();
                e.kill_timeout = Nanos::from_secs(5);
                e.display_message = "Sent interrupt by the client".into();
            }),
            ev("Not Restarting", 600, &|e| {
                e.restart_reason =
                    "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\"".into();
                e.display_message = e.restart_reason.clone();
                e.fails_task = true;
            }),
        ];
    }
    let prev_node = prev.node_id.clone();
    let prev_id = prev.id.clone();
    if let Some(cur) = c.allocs.get_mut(&cur_id) {
        cur.previous_allocation = prev_id.clone();
        cur.reschedule_tracker = Some(RescheduleTracker {
            events: vec![RescheduleEvent {
                reschedule_time: UnixNanos(now - 290_000_000_000),
                prev_alloc_id: prev_id,
                prev_node_id: prev_node,
                delay: Nanos::from_secs(30),
            }],
        });
    }
    c.insert_alloc(prev);
}

/// Records that the first allocation of system job `by` preempted an
/// allocation of batch job `victim` on its node, as the scheduler does when
/// a higher-priority job needs the room.
fn preempted_history(c: &mut Cluster, rng: &mut ChaCha8Rng, by: &str, victim: &str) {
    let Some(by_id) = c
        .allocs
        .values()
        .filter(|a| a.job_id == by)
        .map(|a| a.id.clone())
        .min()
    else {
        return;
    };
    let Some(mut v) = c.allocs.values().find(|a| a.job_id == victim).cloned() else {
        return;
    };
    let now = c.now();
    let node = c.allocs[&by_id].node_id.clone();
    v.id = uuid(rng);
    v.node_id = node.clone();
    v.node_name = c
        .nodes
        .get(&node)
        .map(|n| n.name.clone())
        .unwrap_or_default();
    v.desired_status = "evict".into();
    v.desired_description = format!("Preempted by alloc ID {by_id}");
    v.client_status = "complete".into();
    v.client_description = "All tasks have completed".into();
    v.preempted_by_allocation = by_id.clone();
    v.create_time = UnixNanos(now - 1_800_000_000_000);
    v.modify_time = UnixNanos(now - 600_000_000_000);
    for st in v.task_states.values_mut() {
        st.state = "dead".into();
        st.finished_at = WallTime::from_unix_nanos(now - 600_000_000_000);
        for (i, e) in st.events.iter_mut().enumerate() {
            e.time = UnixNanos(now - 1_800_000_000_000 + i as i64 * 2_000_000_000);
        }
        st.events.push(TaskEvent {
            event_type: "Killing".into(),
            time: UnixNanos(now - 601_000_000_000),
            kill_reason: format!("Preempted by alloc ID {by_id}"),
            kill_timeout: Nanos::from_secs(5),
            display_message: format!("Preempted by alloc ID {by_id}"),
            ..Default::default()
        });
        st.events.push(TaskEvent {
            event_type: "Killed".into(),
            time: UnixNanos(now - 600_000_000_000),
            display_message: "Task successfully killed".into(),
            ..Default::default()
        });
    }
    let vid = v.id.clone();
    if let Some(b) = c.allocs.get_mut(&by_id) {
        b.preempted_allocations = vec![vid];
    }
    c.insert_alloc(v);
}
