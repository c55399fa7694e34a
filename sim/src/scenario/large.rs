//! The `large` and `huge` scenarios for benchmarks, built directly (not
//! through the scheduler) so start-up stays fast.

use super::*;

/// How big a generated cluster is; every job runs five allocations.
pub(super) struct Size {
    pub jobs: usize,
    pub nodes: usize,
}

pub(super) const LARGE: Size = Size {
    jobs: 10_000,
    nodes: 2_000,
};
pub(super) const HUGE: Size = Size {
    jobs: 100_000,
    nodes: 10_000,
};

pub(super) fn generate(c: &mut Cluster, rng: &mut ChaCha8Rng, size: Size) {
    c.bump(&[Table::Nodes]);
    let mut node_ids = vec![];
    for i in 0..size.nodes {
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
    for i in 0..size.jobs {
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
        c.insert_eval(Evaluation {
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
        });
    }
    let keys: Vec<_> = c.jobs.keys().cloned().collect();
    for (ns, id) in keys {
        c.recompute_summary(&ns, &id);
    }
    debug_assert_eq!(alloc_count, size.jobs * 5);
}
