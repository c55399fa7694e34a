//! Decodes every applicable sample under `../shared/nomad-samples/` (real
//! response bodies from Nomad 0.1 to 1.11) into the typed model and asserts
//! on key fields of each. Files that cannot apply are listed with a reason.
//! Run with `--nocapture` to see the per-endpoint counts.

use nomad_model::errors::{classify, ErrorKind};
use nomad_model::frames::{FrameDecoder, StreamEvent};
use nomad_model::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn samples_dir() -> PathBuf {
    if let Ok(p) = std::env::var("NOMAD_SAMPLES") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/nomad-samples")
}

/// Samples that cannot apply to a typed decoder, with the reason. Every
/// `.raw.txt` without a repaired `.json` sibling must be listed here.
const NOT_APPLICABLE: &[(&str, &str)] = &[
    (
        "v1-jobs/0.1.2.raw.txt",
        "docs elide list items with a bare `...` line",
    ),
    (
        "v1-job-allocations/0.1.2.raw.txt",
        "docs elide list items with a bare `...` line",
    ),
    (
        "v1-job-evaluations/0.1.2.raw.txt",
        "docs elide list items with a bare `...` line",
    ),
    (
        "v1-allocations/0.1.2.raw.txt",
        "docs elide list items with a bare `...` line",
    ),
    (
        "v1-allocations/0.2.3.raw.txt",
        "docs elide list items with a bare `...` line",
    ),
    (
        "v1-evaluations/0.1.2.raw.txt",
        "docs elide list items with a bare `...` line",
    ),
    (
        "v1-nodes/0.1.2.raw.txt",
        "docs elide list items with a bare `...` line",
    ),
    (
        "v1-agent-members/0.1.2.raw.txt",
        "docs elide members with `...`",
    ),
    (
        "v1-agent-members/0.4.1.raw.txt",
        "docs elide members with `...`",
    ),
    (
        "v1-node-allocations/0.1.2.raw.txt",
        "docs elide list items with `...`",
    ),
    (
        "v1-node-allocations/0.2.3.raw.txt",
        "docs elide list items with `...`",
    ),
    (
        "v1-node-allocations/0.3.2.raw.txt",
        "docs elide list items with `...`",
    ),
    (
        "v1-node-allocations/0.6.3.raw.txt",
        "docs elide list items with `...`",
    ),
    (
        "v1-node-allocations/0.7.1.raw.txt",
        "docs elide list items with `...`",
    ),
];

struct Tally {
    per_endpoint: BTreeMap<String, usize>,
    skipped: Vec<String>,
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn decode<T: serde::de::DeserializeOwned>(p: &Path, text: &str) -> T {
    nomad_model::decode_json_lenient(text.as_bytes())
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", p.display()))
}

/// The docs' plan samples use the string "..." as a placeholder element
/// inside Fields/Objects arrays; drop those placeholders before decoding.
fn strip_placeholders(v: &mut serde_json::Value) -> usize {
    let mut n = 0;
    match v {
        serde_json::Value::Array(a) => {
            let before = a.len();
            a.retain(|x| x.as_str() != Some("..."));
            n += before - a.len();
            for x in a {
                n += strip_placeholders(x);
            }
        }
        serde_json::Value::Object(o) => {
            for x in o.values_mut() {
                n += strip_placeholders(x);
            }
        }
        _ => {}
    }
    n
}

fn check_alloc(p: &Path, a: &Allocation, full: bool) {
    assert_eq!(a.id.len(), 36, "{}: alloc ID", p.display());
    assert!(
        !a.job_id.is_empty() && !a.task_group.is_empty(),
        "{}",
        p.display()
    );
    assert!(
        !a.client_status.is_empty() && !a.desired_status.is_empty(),
        "{}",
        p.display()
    );
    for (name, st) in &a.task_states {
        assert!(!st.state.is_empty(), "{}: task {name} state", p.display());
        for ev in &st.events {
            assert!(!ev.event_type.is_empty(), "{}: event type", p.display());
            assert!(
                ev.time.0 > 1_400_000_000_000_000_000,
                "{}: event time is ns",
                p.display()
            );
        }
    }
    if full {
        assert!(a.job.is_some(), "{}: full alloc has its job", p.display());
        let r = a.resources_summary();
        assert!(
            r.cpu_mhz > 0 || r.memory_mb > 0,
            "{}: resources",
            p.display()
        );
    }
}

fn check_job(p: &Path, j: &Job) {
    assert!(!j.id.is_empty(), "{}: job ID", p.display());
    assert!(!j.task_groups.is_empty(), "{}: task groups", p.display());
    for tg in &j.task_groups {
        assert!(tg.count >= 0 && !tg.name.is_empty());
        for t in &tg.tasks {
            assert!(
                !t.name.is_empty() && !t.driver.is_empty(),
                "{}: task",
                p.display()
            );
        }
    }
}

fn check_file(root: &Path, rel: &str, t: &mut Tally) {
    let p = root.join(rel);
    let (endpoint, file) = rel.split_once('/').unwrap();
    let is_raw = file.ends_with(".raw.txt");
    let stream = endpoint == "v1-client-fs-logs" || endpoint == "v1-client-fs-stream";

    if endpoint.starts_with("error-") {
        let status: u16 = endpoint[6..9].parse().unwrap();
        let body = read(&p);
        let kind = classify(status, &body);
        let want = match endpoint {
            "error-400-acl-disabled" | "error-500-acl-disabled-legacy" => ErrorKind::AclDisabled,
            "error-403-acl-token-not-found" => ErrorKind::TokenNotFound,
            "error-403-permission-denied" => ErrorKind::PermissionDenied,
            "error-405-invalid-method" => ErrorKind::InvalidMethod,
            "error-500-no-cluster-leader" => ErrorKind::NoLeader,
            "error-501-enterprise-only" => ErrorKind::EnterpriseOnly,
            e if e.starts_with("error-404") => ErrorKind::NotFound,
            e => panic!("unknown error sample {e}"),
        };
        assert_eq!(kind, want, "{rel}");
        *t.per_endpoint.entry("errors".into()).or_default() += 1;
        return;
    }

    if stream {
        // Raw docs text (with its stray parentheses, commas and `...`) is
        // exactly the kind of input the decoder must survive.
        let text = read(&p);
        let mut d = FrameDecoder::new();
        let mut out = vec![];
        for chunk in text.as_bytes().chunks(7) {
            d.push(chunk, &mut out);
        }
        d.finish(&mut out);
        let data: Vec<_> = out
            .iter()
            .filter_map(|e| {
                if let StreamEvent::Data { bytes, end, .. } = e {
                    Some((bytes.clone(), *end))
                } else {
                    None
                }
            })
            .collect();
        if data.is_empty() {
            // 0.4.1's docs forgot a comma inside the frame: reported, skipped.
            assert!(
                out.iter().any(|e| matches!(
                    e,
                    StreamEvent::Error(nomad_model::frames::FrameError::BadJson(_))
                )),
                "{rel}"
            );
        } else {
            assert_eq!(data.len(), 1, "{rel}: one data frame");
            assert!(
                data[0].0.starts_with(b"531932\n531933\n531934\n531"),
                "{rel}: decoded text"
            );
            assert_eq!(data[0].1, 3_604_480, "{rel}: offset");
        }
        assert!(
            out.iter().any(
                |e| matches!(e, StreamEvent::FileEvent { event, .. } if event == "file deleted")
            ),
            "{rel}: file event"
        );
        *t.per_endpoint.entry(endpoint.into()).or_default() += 1;
        return;
    }

    if is_raw {
        let sibling = p.with_file_name(file.replace(".raw.txt", ".json"));
        if sibling.exists() {
            t.skipped.push(format!(
                "{rel}: repaired copy {} decoded instead",
                sibling.file_name().unwrap().to_string_lossy()
            ));
        } else {
            let reason = NOT_APPLICABLE
                .iter()
                .find(|(f, _)| *f == rel)
                .map(|(_, r)| *r)
                .unwrap_or_else(|| panic!("{rel}: raw sample without a repaired copy must be listed in NOT_APPLICABLE"));
            t.skipped.push(format!("{rel}: {reason}"));
        }
        return;
    }
    if !file.ends_with(".json") {
        return;
    }
    let text = read(&p);
    match endpoint {
        "v1-jobs" => {
            let v: Vec<JobListStub> = decode(&p, &text);
            assert!(!v.is_empty());
            for j in &v {
                assert!(
                    !j.id.is_empty() && !j.job_type.is_empty() && !j.status.is_empty(),
                    "{rel}"
                );
                let s = j
                    .job_summary
                    .as_ref()
                    .expect("0.6+ stubs carry a JobSummary");
                assert!(!s.summary.is_empty(), "{rel}: summary groups");
            }
        }
        "v1-job" => check_job(&p, &decode::<Job>(&p, &text)),
        "v1-job-versions" => {
            let v: JobVersionsResponse = decode(&p, &text);
            assert!(!v.versions.is_empty(), "{rel}");
            for j in &v.versions {
                check_job(&p, j);
            }
            if file.contains(".diffs.") {
                assert!(!v.diffs.is_empty(), "{rel}: diffs");
                let total: usize = v.diffs.iter().map(JobDiff::change_count).sum();
                assert!(total > 0, "{rel}: a diff has changes");
                assert!(v.diffs[0].flatten(true).len() > 1, "{rel}: flattened rows");
            }
        }
        "v1-job-allocations" | "v1-allocations" | "v1-node-allocations" => {
            let v: Vec<Allocation> = decode(&p, &text);
            assert!(!v.is_empty());
            for a in &v {
                check_alloc(&p, a, endpoint == "v1-node-allocations" && a.job.is_some());
            }
        }
        "v1-allocation" => check_alloc(&p, &decode::<Allocation>(&p, &text), true),
        "v1-job-evaluations" | "v1-evaluations" => {
            let v: Vec<Evaluation> = decode(&p, &text);
            assert!(!v.is_empty());
            for e in &v {
                assert_eq!(e.id.len(), 36, "{rel}");
                assert!(!e.status.is_empty() && !e.triggered_by.is_empty(), "{rel}");
            }
        }
        "v1-evaluation" => {
            let e: Evaluation = decode(&p, &text);
            assert_eq!(e.id.len(), 36, "{rel}");
            assert!(!e.status.is_empty(), "{rel}");
            for m in e.failed_tg_allocs.values() {
                assert!(!m.explain().is_empty());
            }
        }
        "v1-job-deployments" | "v1-deployments" => {
            let v: Vec<Deployment> = decode(&p, &text);
            assert!(!v.is_empty());
            for d in &v {
                assert!(
                    !d.id.is_empty() && !d.task_groups.is_empty() && !d.status.is_empty(),
                    "{rel}"
                );
            }
        }
        "v1-job-deployment" | "v1-deployment" => {
            let d: Deployment = decode(&p, &text);
            assert!(!d.id.is_empty() && !d.task_groups.is_empty(), "{rel}");
            let g = d.task_groups.values().next().unwrap();
            assert!(g.desired_total > 0, "{rel}");
        }
        "v1-job-summary" => {
            let s: JobSummary = decode(&p, &text);
            assert!(!s.job_id.is_empty() && !s.summary.is_empty(), "{rel}");
        }
        "v1-job-scale" => {
            let s: JobScaleStatus = decode(&p, &text);
            assert!(!s.job_id.is_empty() && !s.task_groups.is_empty(), "{rel}");
        }
        "v1-job-plan" => {
            let mut v: serde_json::Value = decode(&p, &text);
            let n = strip_placeholders(&mut v);
            assert!(
                n > 0,
                "{rel}: the docs' plan samples carry \"...\" placeholders"
            );
            let plan: JobPlanResponse =
                serde_json::from_value(v).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let diff = plan.diff.as_ref().expect("plan with Diff: true has a diff");
            assert_eq!(diff.id, "example", "{rel}");
            assert!(diff.change_count() > 0, "{rel}");
            let ann = plan.annotations.as_ref().unwrap();
            assert!(ann.desired_tg_updates["cache"].place > 0, "{rel}");
            assert!(
                !plan.failed_tg_allocs.is_empty() && !plan.created_evals.is_empty(),
                "{rel}"
            );
            assert!(
                !plan.next_periodic_launch.is_set(),
                "{rel}: zero time is unset"
            );
        }
        "v1-nodes" => {
            let v: Vec<NodeListStub> = decode(&p, &text);
            assert!(!v.is_empty());
            for n in &v {
                assert_eq!(n.id.len(), 36, "{rel}");
                assert!(!n.datacenter.is_empty() && !n.status.is_empty(), "{rel}");
            }
        }
        "v1-node" => {
            let n: Node = decode(&p, &text);
            assert_eq!(n.id.len(), 36, "{rel}");
            assert!(!n.attributes.is_empty() && !n.status.is_empty(), "{rel}");
            let r = n.total_resources();
            assert!(
                r.cpu_mhz > 0 && r.memory_mb > 0,
                "{rel}: total resources from either shape"
            );
            if n.status_updated_at.0 != 0 {
                assert!(
                    n.status_updated_at.0 < 10_000_000_000,
                    "{rel}: StatusUpdatedAt is seconds"
                );
            }
        }
        "v1-node-drain" | "v1-node-eligibility" => {
            let r: NodeUpdateResponse = decode(&p, &text);
            assert!(r.node_modify_index > 0, "{rel}");
        }
        "v1-client-stats" => {
            let s: HostStats = decode(&p, &text);
            assert!(
                !s.cpu.is_empty() && s.memory.as_ref().unwrap().total > 0,
                "{rel}"
            );
            assert!(s.timestamp.0 > 1_400_000_000_000_000_000, "{rel}");
        }
        "v1-client-allocation-stats" => {
            let s: AllocResourceUsage = decode(&p, &text);
            assert!(!s.tasks.is_empty(), "{rel}");
            let mem = s
                .resource_usage
                .as_ref()
                .unwrap()
                .memory_stats
                .as_ref()
                .unwrap();
            assert!(mem.rss > 0, "{rel}");
        }
        "v1-client-fs-ls" => {
            let v: Vec<AllocFileInfo> = decode(&p, &text);
            assert!(
                v.iter().all(|f| !f.name.is_empty() && f.mod_time.is_set()),
                "{rel}"
            );
        }
        "v1-client-fs-stat" => {
            let f: AllocFileInfo = decode(&p, &text);
            assert!(
                !f.name.is_empty() && f.size > 0 && f.mod_time.0.unwrap().offset_secs == -7 * 3600,
                "{rel}"
            );
        }
        "v1-regions" => {
            let v: Vec<String> = decode(&p, &text);
            assert!(!v.is_empty());
        }
        "v1-namespaces" => {
            let v: Vec<Namespace> = decode(&p, &text);
            assert!(v.iter().any(|n| n.name == "default"), "{rel}");
        }
        "v1-acl-token-self" => {
            let tok: AclToken = decode(&p, &text);
            assert_eq!(tok.accessor_id.len(), 36, "{rel}");
            assert!(
                tok.create_time.is_set() && !tok.policies.is_empty(),
                "{rel}"
            );
        }
        "v1-agent-self" => {
            let a: AgentSelf = decode(&p, &text);
            assert!(
                !a.version().is_empty(),
                "{rel}: version from string or object"
            );
        }
        "v1-agent-members" => {
            let m: AgentMembers = decode(&p, &text);
            assert!(
                !m.members.is_empty() && !m.members[0].name.is_empty(),
                "{rel}"
            );
        }
        "v1-status-leader" => {
            let l: String = decode(&p, &text);
            assert!(l.contains(':'), "{rel}");
        }
        "v1-search" => {
            let s: SearchResponse = decode(&p, &text);
            assert!(!s.matches.is_empty(), "{rel}");
            assert!(
                s.truncations.values().all(|t| !t),
                "{rel}: \"false\" strings read as false"
            );
        }
        "v1-search-fuzzy" => {
            let s: FuzzySearchResponse = decode(&p, &text);
            assert!(
                s.matches
                    .values()
                    .flatten()
                    .flatten()
                    .any(|m| !m.id.is_empty()),
                "{rel}"
            );
        }
        other => panic!("{rel}: no decoder for endpoint {other}; add one"),
    }
    *t.per_endpoint.entry(endpoint.into()).or_default() += 1;
}

#[test]
fn every_applicable_sample_decodes() {
    let root = samples_dir();
    assert!(
        root.join("MANIFEST.md").exists(),
        "samples not found at {} (set NOMAD_SAMPLES)",
        root.display()
    );
    let mut files = vec![];
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let rel = format!(
                "{}/{}",
                dir.file_name().unwrap().to_string_lossy(),
                f.file_name().unwrap().to_string_lossy()
            );
            files.push(rel);
        }
    }
    files.sort();
    let mut t = Tally {
        per_endpoint: BTreeMap::new(),
        skipped: vec![],
    };
    for rel in &files {
        check_file(&root, rel, &mut t);
    }
    let decoded: usize = t.per_endpoint.values().sum();
    println!("decoded {decoded} of {} sample files:", files.len());
    for (e, n) in &t.per_endpoint {
        println!("  {e:32} {n}");
    }
    println!("not decoded ({}):", t.skipped.len());
    for s in &t.skipped {
        println!("  {s}");
    }
    assert_eq!(files.len(), 183, "the corpus has 183 files");
    assert_eq!(decoded + t.skipped.len(), files.len());
    assert!(decoded >= 150, "decoded only {decoded}");
}
