//! The `demo` scenario: a small believable cluster with every kind of job.

use super::history::{preempted_history, rescheduled_history};
use super::*;

pub(super) fn demo(c: &mut Cluster, rng: &mut ChaCha8Rng) {
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
    // a service in Nomad's own catalog (`provider = "nomad"`), one
    // registration per client, with an HTTP check
    let mut agent_group = group(
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
    );
    agent_group["Services"] = json!([{
        "Name": "node-metrics", "PortLabel": "http", "Provider": "nomad",
        "Tags": ["prometheus", "metrics"],
        "Checks": [{"Name": "metrics", "Type": "http", "Path": "/metrics",
            "Interval": 10_000_000_000i64, "Timeout": 2_000_000_000i64}],
    }]);
    register(
        c,
        rng,
        job(
            "metrics-agent",
            "platform",
            "system",
            &["dc1", "dc2"],
            vec![agent_group],
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
