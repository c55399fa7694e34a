use super::*;
use serde_json::json;

const NOW: i64 = 1_780_272_000_000_000_000;

fn alloc(v: serde_json::Value) -> Allocation {
    serde_json::from_value(v).unwrap()
}

#[test]
fn allocations_failed_recently_crash_loops_oom_and_long_pendings() {
    let allocs = vec![
        alloc(
            json!({"ID": "a1", "Name": "pay.api[0]", "JobID": "pay", "ClientStatus": "failed", "ClientDescription": "Failed tasks", "ModifyTime": NOW - MINUTE}),
        ),
        alloc(
            json!({"ID": "a2", "Name": "old.api[0]", "JobID": "old", "ClientStatus": "failed", "ModifyTime": NOW - 2 * RECENT}),
        ),
        alloc(
            json!({"ID": "a3", "Name": "q.w[0]", "JobID": "q", "ClientStatus": "running", "DesiredStatus": "run", "TaskStates": {"w": {
            "State": "running", "Restarts": 9, "LastRestart": "2026-05-31T23:58:00Z",
            "Events": [
                {"Type": "Restarting", "Time": NOW - 2 * RECENT},
                {"Type": "Restarting", "Time": NOW - 20 * MINUTE},
                {"Type": "Restarting", "Time": NOW - 10 * MINUTE},
                {"Type": "Terminated", "Time": NOW - 3 * MINUTE, "Message": "OOM Killed", "Details": {"oom_killed": "true"}},
                {"Type": "Restarting", "Time": NOW - 2 * MINUTE}]}}}),
        ),
        // five restarts in its life, one this hour: no crash loop
        alloc(
            json!({"ID": "a6", "Name": "slow.w[0]", "JobID": "slow", "ClientStatus": "running", "DesiredStatus": "run", "TaskStates": {"w": {
            "State": "running", "Restarts": 5, "Events": [{"Type": "Restarting", "Time": NOW - 5 * MINUTE}]}}}),
        ),
        alloc(
            json!({"ID": "a4", "Name": "ml.t[0]", "JobID": "ml", "NodeName": "gpu-1", "ClientStatus": "pending", "DesiredStatus": "run", "CreateTime": NOW - 10 * MINUTE}),
        ),
        alloc(
            json!({"ID": "a5", "Name": "ok.w[0]", "JobID": "ok", "ClientStatus": "pending", "DesiredStatus": "run", "CreateTime": NOW - MINUTE}),
        ),
    ];
    let p = alloc_problems(&allocs, NOW);
    let kinds: Vec<(Kind, &str)> = p.iter().map(|p| (p.kind, p.subject.as_str())).collect();
    assert_eq!(
        kinds,
        vec![
            (Kind::AllocFailed, "pay.api[0]"),
            (Kind::CrashLoop, "q.w[0]"),
            (Kind::OomKilled, "q.w[0]"),
            (Kind::PendingLong, "ml.t[0]"),
        ]
    );
    assert!(p[0].detail.contains("Failed tasks"));
    assert!(
        p[1].detail
            .contains("restarted 3 times in the last hour (9 in all)"),
        "{}",
        p[1].detail
    );
    assert_eq!(p[0].target, Target::Alloc("a1".into()));
}

#[test]
fn a_job_is_unplaceable_while_its_latest_failed_placement_waits_blocked() {
    let evals: Vec<Evaluation> = serde_json::from_value(json!([
        {"ID": "e1", "JobID": "ml", "Namespace": "default", "Status": "complete", "CreateIndex": 5, "BlockedEval": "b1",
         "FailedTGAllocs": {"train": {"NodesEvaluated": 3, "ConstraintFiltered": {"${attr.gpu}": 3}, "NodesFiltered": 3}}},
        {"ID": "b1", "JobID": "ml", "Namespace": "default", "Status": "blocked", "CreateIndex": 6},
        {"ID": "b3", "JobID": "gpu", "Namespace": "default", "Status": "blocked", "CreateIndex": 9,
         "FailedTGAllocs": {"train": {"NodesEvaluated": 2}}},
        {"ID": "e2", "JobID": "web", "Namespace": "default", "Status": "complete", "CreateIndex": 5, "BlockedEval": "b2",
         "FailedTGAllocs": {"web": {"NodesEvaluated": 1}}},
        {"ID": "b2", "JobID": "web", "Namespace": "default", "Status": "complete", "CreateIndex": 7}
    ]))
    .unwrap();
    let p = eval_problems(&evals);
    // web's blocked evaluation completed (placed since); gpu's blocked
    // evaluation carries its failures itself, as Nomad 2.x writes it
    let jobs: Vec<&str> = p.iter().map(|p| p.subject.as_str()).collect();
    assert_eq!(jobs, vec!["gpu", "ml"]);
    assert_eq!(p[0].target, Target::Eval("b3".into()));
    assert!(p[1].detail.starts_with("group train: "), "{}", p[1].detail);
    assert_eq!(p[1].target, Target::Eval("e1".into()));
}

#[test]
fn deployments_failed_or_past_their_deadline_and_clients_and_leader() {
    let deps: Vec<Deployment> = serde_json::from_value(json!([
        {"ID": "d1", "JobID": "pay", "Namespace": "default", "Status": "failed", "StatusDescription": "Failed due to unhealthy allocations", "JobVersion": 3, "ModifyTime": NOW - MINUTE},
        {"ID": "d2", "JobID": "web", "Namespace": "default", "Status": "running", "JobVersion": 2,
         "TaskGroups": {"web": {"DesiredTotal": 3, "HealthyAllocs": 1, "RequireProgressBy": "2026-05-31T23:50:00Z"}}},
        {"ID": "d3", "JobID": "api", "Namespace": "default", "Status": "running",
         "TaskGroups": {"api": {"DesiredTotal": 3, "HealthyAllocs": 1, "RequireProgressBy": "2026-06-01T00:10:00Z"}}}
    ]))
    .unwrap();
    let p = deployment_problems(&deps, NOW);
    assert_eq!(
        p.iter().map(|p| p.subject.as_str()).collect::<Vec<_>>(),
        vec!["pay", "web"]
    );
    assert!(p[1]
        .detail
        .contains("past its progress deadline in group web"));
    let nodes: Vec<NodeListStub> = serde_json::from_value(json!([
        {"ID": "n1", "Name": "c1", "Status": "down", "StatusDescription": "missed heartbeats"},
        {"ID": "n2", "Name": "c2", "Status": "ready", "Drain": true, "SchedulingEligibility": "ineligible"},
        {"ID": "n3", "Name": "c3", "Status": "ready", "SchedulingEligibility": "ineligible"},
        {"ID": "n4", "Name": "c4", "Status": "ready", "SchedulingEligibility": "eligible"}
    ]))
    .unwrap();
    let kinds: Vec<Kind> = node_problems(&nodes).iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        vec![
            Kind::ClientDown,
            Kind::ClientDraining,
            Kind::ClientIneligible
        ]
    );
    assert!(leader_problem(Ok("10.0.0.1:4647"), NOW).is_none());
    assert_eq!(leader_problem(Ok(""), NOW).unwrap().kind, Kind::NoLeader);
    assert!(leader_problem(Err("No cluster leader"), NOW)
        .unwrap()
        .detail
        .contains("No cluster leader"));
    let g = grouped(node_problems(&nodes));
    assert_eq!(g[0].0, Kind::ClientDown);
}
