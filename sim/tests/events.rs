//! `/v1/event/stream`, each test against the Go source it follows:
//! command/agent/event_endpoint.go (params, errors, ndjson), nomad/stream/
//! (ndjson.go heartbeats, event_buffer.go StartAtClosest, subscription.go
//! filter), nomad/state/events.go (types, keys, payloads) and
//! nomad/event_endpoint.go (validateNsOp).

mod common;
use axum::body::Body;
use axum::http::Request;
use common::*;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::time::Duration;
use tower::ServiceExt;

/// An open stream read line by line.
struct Stream {
    body: Body,
    buf: Vec<u8>,
    status: u16,
    headers: axum::http::HeaderMap,
}

async fn open(h: &H, query: &str, token: Option<&str>) -> Stream {
    let mut b = Request::builder().uri(format!("/v1/event/stream{query}"));
    if let Some(t) = token {
        b = b.header("X-Nomad-Token", t);
    }
    let resp = nomad_sim::app(h.sim.clone())
        .oneshot(b.body(Body::empty()).unwrap())
        .await
        .unwrap();
    Stream {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.into_body(),
        buf: vec![],
    }
}

impl Stream {
    /// The next line, `None` at the end of the stream or after `wait`.
    async fn line(&mut self, wait: Duration) -> Option<String> {
        loop {
            if let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
                let l: Vec<u8> = self.buf.drain(..=i).collect();
                return Some(String::from_utf8_lossy(&l[..i]).into_owned());
            }
            match tokio::time::timeout(wait, self.body.frame()).await {
                Ok(Some(Ok(f))) => self.buf.extend_from_slice(f.data_ref()?),
                _ => return None,
            }
        }
    }
    /// Every batch (heartbeats skipped) until the stream is quiet.
    async fn batches(&mut self) -> Vec<Value> {
        let mut out = vec![];
        while let Some(l) = self.line(Duration::from_millis(300)).await {
            if l != "{}" {
                out.push(serde_json::from_str(&l).unwrap());
            }
        }
        out
    }
    /// Whether the body ends (rather than idles) within a second.
    async fn ends(&mut self) -> bool {
        matches!(
            tokio::time::timeout(Duration::from_secs(1), self.body.frame()).await,
            Ok(None)
        )
    }
}

fn events(batches: &[Value]) -> Vec<Value> {
    batches
        .iter()
        .flat_map(|b| b["Events"].as_array().unwrap().clone())
        .collect()
}

fn types(evs: &[Value]) -> Vec<String> {
    evs.iter()
        .map(|e| {
            format!(
                "{}/{}",
                e["Topic"].as_str().unwrap(),
                e["Type"].as_str().unwrap()
            )
        })
        .collect()
}

/// An `index` past everything so far: the stream sends the newest batch
/// held (`StartAtClosest` past the tail), then what happens from now on.
fn next_index(h: &H) -> (String, u64) {
    let i = h.sim.store.read(|c| c.index) + 1;
    (format!("index={i}"), i)
}

fn from(batches: Vec<Value>, i: u64) -> Vec<Value> {
    batches
        .into_iter()
        .filter(|b| b["Index"].as_u64().unwrap() >= i)
        .collect()
}

fn wait() -> Duration {
    Duration::from_secs(2)
}

// nomad/state/events.go eventFromChange (jobs, evals, allocs), nomad/structs/event.go
#[tokio::test]
async fn registering_a_job_streams_its_job_evaluation_and_allocations() {
    let h = H::new(&[]);
    let mut s = open(
        &h,
        "?topic=Job:web&topic=Evaluation:web&topic=Allocation:web",
        None,
    )
    .await;
    assert_eq!(s.status, 200);
    assert_eq!(s.headers["content-type"], "application/json");
    assert_eq!(s.headers["cache-control"], "no-cache");
    // ndjson.go: a heartbeat comes first
    assert_eq!(s.line(wait()).await.as_deref(), Some("{}"));
    assert_eq!(h.post("/v1/jobs", job("web", 2)).await.status, 200);
    let first = s.batches().await;
    let evs = events(&first);
    let job = &evs[0];
    assert_eq!(types(&evs[..1]), ["Job/JobRegistered"]);
    assert_eq!(job["Key"], "web");
    assert_eq!(job["Namespace"], "default");
    assert_eq!(job["FilterKeys"], Value::Null);
    assert_eq!(job["Payload"]["Job"]["ID"], "web");
    assert_eq!(job["Index"], first[0]["Index"]);
    assert_eq!(job["Payload"]["Job"]["Deleted"], Value::Null);
    let eval = evs.iter().find(|e| e["Topic"] == "Evaluation").unwrap();
    assert_eq!(eval["Type"], "EvaluationUpdated");
    assert_eq!(eval["Key"], eval["Payload"]["Evaluation"]["ID"]);
    assert_eq!(eval["FilterKeys"][0], "web");
    let allocs: Vec<&Value> = evs.iter().filter(|e| e["Topic"] == "Allocation").collect();
    assert_eq!(allocs.len(), 2, "{:?}", types(&evs));
    for a in &allocs {
        // the plan placed them; the payload leaves the job out
        assert_eq!(a["Type"], "PlanResult");
        assert_eq!(a["Key"], a["Payload"]["Allocation"]["ID"]);
        assert_eq!(a["Namespace"], "default");
        assert_eq!(a["FilterKeys"][0], "web");
        assert_eq!(
            a["FilterKeys"][1],
            a["Payload"]["Allocation"]["DeploymentID"]
        );
        assert!(a["Payload"]["Allocation"].get("Job").unwrap().is_null());
    }
    let idx: Vec<u64> = first.iter().map(|b| b["Index"].as_u64().unwrap()).collect();
    assert!(idx.windows(2).all(|w| w[0] < w[1]), "{idx:?}");
    // the client runs them
    h.ticks(3);
    let later = events(&s.batches().await);
    assert!(
        later
            .iter()
            .any(|e| e["Topic"] == "Allocation" && e["Type"] == "AllocationUpdated"),
        "{:?}",
        types(&later)
    );
    assert!(later
        .iter()
        .all(|e| e["FilterKeys"][0] == "web" || e["Key"] == "web"));
}

// nomad/stream/subscription.go filter, eventMatchesKey
#[tokio::test]
async fn a_topic_key_filters_events() {
    let h = H::new(&[]);
    let mut s = open(&h, "?topic=Job:web", None).await;
    h.post("/v1/jobs", job("other", 1)).await;
    h.post("/v1/jobs", job("web", 1)).await;
    h.ticks(2);
    let evs = events(&s.batches().await);
    assert!(!evs.is_empty());
    assert!(evs.iter().all(|e| e["Topic"] == "Job" && e["Key"] == "web"));
    // a bare topic is every key of it; `*` among keys matches only `*`
    let mut all = open(&h, "?topic=Job", None).await;
    let keys: Vec<Value> = events(&all.batches().await)
        .iter()
        .map(|e| e["Key"].clone())
        .collect();
    assert!(keys.contains(&json!("other")) && keys.contains(&json!("web")));
    // an event matching two keys is sent twice
    let evals = events(
        &open(&h, "?topic=Evaluation:web", None)
            .await
            .batches()
            .await,
    );
    let id = evals[0]["Key"].as_str().unwrap();
    let both = open(
        &h,
        &format!("?topic=Evaluation:web&topic=Evaluation:{id}"),
        None,
    )
    .await
    .batches()
    .await;
    let twice = both
        .iter()
        .find(|b| {
            b["Events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["Key"] == id)
        })
        .unwrap();
    let n = twice["Events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["Key"] == id)
        .count();
    assert_eq!(n, 2);
    let mut odd = open(&h, "?topic=Job:*&topic=Job:web", None).await;
    let evs = events(&odd.batches().await);
    assert!(!evs.is_empty() && evs.iter().all(|e| e["Key"] == "web"));
}

// nomad/stream/event_broker.go Subscribe, event_buffer.go StartAtClosest
#[tokio::test]
async fn index_resumes_at_it_and_an_old_index_starts_at_the_oldest_held() {
    let h = H::new(&["--event-buffer-size", "3"]);
    for i in 0..6 {
        h.post("/v1/jobs", job(&format!("j{i}"), 1)).await;
    }
    // the buffer keeps size + 1 batches once it overflowed
    let held = open(&h, "", None).await.batches().await;
    assert_eq!(held.len(), 4);
    let oldest = held[0]["Index"].as_u64().unwrap();
    let from_old = open(&h, "?index=1", None).await.batches().await;
    assert_eq!(from_old[0]["Index"].as_u64(), Some(oldest));
    assert_eq!(from_old.len(), 4);
    // an index held is sent again, then what follows it
    let third = held[2]["Index"].as_u64().unwrap();
    let resumed = open(&h, &format!("?index={third}"), None)
        .await
        .batches()
        .await;
    let got: Vec<u64> = resumed
        .iter()
        .map(|b| b["Index"].as_u64().unwrap())
        .collect();
    assert_eq!(got, [third, held[3]["Index"].as_u64().unwrap()]);
    // past the newest: the newest batch, then new ones
    let mut s = open(&h, "?index=999999", None).await;
    assert_eq!(s.batches().await.len(), 1);
    h.post("/v1/jobs", job("later", 1)).await;
    let next = s.batches().await;
    assert!(next[0]["Index"].as_u64().unwrap() > held[3]["Index"].as_u64().unwrap());
}

// nomad/stream/subscription.go filter (Namespaces), nomad/event_endpoint.go validateACL
#[tokio::test]
async fn events_are_filtered_by_namespace() {
    let h = H::new(&[]);
    let (i, n) = next_index(&h);
    let mut def = open(&h, &format!("?topic=Job&{i}"), None).await;
    let mut batch = open(&h, &format!("?topic=Job&namespace=batch&{i}"), None).await;
    let mut all = open(&h, &format!("?topic=Job&namespace=*&{i}"), None).await;
    let mut b = job("nsjob", 1);
    b["Job"]["Namespace"] = json!("batch");
    assert_eq!(h.post("/v1/jobs", b).await.status, 200);
    h.post("/v1/jobs", job("defjob", 1)).await;
    let ns = |evs: Vec<Value>| {
        let mut v: Vec<String> = evs
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["Namespace"].as_str().unwrap(),
                    e["Key"].as_str().unwrap()
                )
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(
        ns(events(&from(def.batches().await, n))),
        ["default:defjob"]
    );
    assert_eq!(ns(events(&from(batch.batches().await, n))), ["batch:nsjob"]);
    assert_eq!(
        ns(events(&from(all.batches().await, n))),
        ["batch:nsjob", "default:defjob"]
    );
}

// nomad/event_endpoint.go validateNsOp; command/agent/event_endpoint.go
// writes the 200 on the hijacked connection before the RPC answers, so a
// refusal is a stream that ends with nothing in it.
#[tokio::test]
async fn topics_need_their_acl_and_a_refusal_ends_the_stream_empty() {
    let h = H::new(&["--acl"]);
    let r = h
        .post_as(
            "/v1/acl/policy/jobs",
            MANAGEMENT_SECRET,
            json!({"Name": "jobs", "Rules": "namespace \"default\" {\n  policy = \"read\"\n}\n"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let t = h
        .post_as(
            "/v1/acl/token",
            MANAGEMENT_SECRET,
            json!({"Name": "jobs", "Type": "client", "Policies": ["jobs"]}),
        )
        .await
        .json();
    let jobs = t["SecretID"].as_str().unwrap().to_string();
    for (q, tok) in [
        ("?topic=Node", jobs.as_str()),
        ("?topic=Job&namespace=batch", jobs.as_str()),
        ("", READONLY_SECRET),
        ("?topic=NodePool", READONLY_SECRET),
        ("?topic=Job", "00000000-0000-0000-0000-000000000000"),
        // forwarded to a region there is no server for
        ("?region=elsewhere", MANAGEMENT_SECRET),
    ] {
        let mut s = open(&h, q, Some(tok)).await;
        assert_eq!(s.status, 200, "{q}");
        assert!(s.ends().await, "{q} {tok} is refused");
    }
    assert_eq!(open(&h, "?topic=Job", None).await.line(wait()).await, None);
    for (q, tok) in [
        ("?topic=Job", jobs.as_str()),
        ("?topic=Node", READONLY_SECRET),
        ("?topic=Job&namespace=*", READONLY_SECRET),
        ("", MANAGEMENT_SECRET),
    ] {
        let mut s = open(&h, q, Some(tok)).await;
        assert_eq!(s.line(wait()).await.as_deref(), Some("{}"), "{q} {tok}");
    }
    // event_broker.go handleACLUpdates: a deleted token closes its streams
    let mut s = open(&h, "?topic=Job", Some(&jobs)).await;
    assert_eq!(s.line(wait()).await.as_deref(), Some("{}"));
    let accessor = t["AccessorID"].as_str().unwrap();
    let r = h
        .send(
            "DELETE",
            &format!("/v1/acl/token/{accessor}"),
            Some(MANAGEMENT_SECRET),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(s.ends().await, "the deleted token's stream ends");
}

// command/agent/event_endpoint.go EventStream, parseTopic
#[tokio::test]
async fn bad_index_and_topic_are_400s_with_go_texts() {
    let h = H::new(&[]);
    let cases = [
        (
            "?index=abc",
            "Unable to parse index: strconv.Atoi: parsing \"abc\": invalid syntax",
        ),
        (
            "?index=99999999999999999999",
            "Unable to parse index: strconv.Atoi: parsing \"99999999999999999999\": value out of range",
        ),
        (
            "?topic=Job:a:b",
            "Invalid topic query: error parsing topics: Invalid key value pair for topic, topic: Job:a:b",
        ),
        (
            "?index=x&topic=a:b:c",
            "Unable to parse index: strconv.Atoi: parsing \"x\": invalid syntax",
        ),
    ];
    for (q, text) in cases {
        let r = h.get(&format!("/v1/event/stream{q}")).await;
        assert_eq!(r.err(), (400, text.to_string()), "{q}");
    }
    assert_eq!(
        h.send("POST", "/v1/event/stream", None, None).await.status,
        405
    );
}

// nomad/stream/ndjson.go NewJsonStream heartbeat
#[tokio::test]
async fn heartbeats_follow_the_flag() {
    let h = H::new(&["--event-heartbeat-ms", "50"]);
    let mut s = open(&h, "?topic=Job:nothing", None).await;
    for _ in 0..3 {
        assert_eq!(
            s.line(Duration::from_millis(500)).await.as_deref(),
            Some("{}")
        );
    }
    // the default is 30 s: one at the start, then quiet
    let h = H::new(&[]);
    let mut s = open(&h, "?topic=Job:nothing", None).await;
    assert_eq!(s.line(wait()).await.as_deref(), Some("{}"));
    assert_eq!(s.line(Duration::from_millis(300)).await, None);
}

// nomad/event_endpoint.go: the subscription ends when the client goes
#[tokio::test]
async fn a_dropped_body_unsubscribes() {
    let h = H::new(&[]);
    let mut s = open(&h, "", None).await;
    assert_eq!(s.line(wait()).await.as_deref(), Some("{}"));
    assert_eq!(h.sim.store.events.subscribers(), 1);
    drop(s);
    for _ in 0..50 {
        if h.sim.store.events.subscribers() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the subscriber outlived its client");
}

// nomad/state/events.go: deletions, stops, nodes and node pools
#[tokio::test]
async fn stops_purges_nodes_and_pools_have_their_types() {
    let h = H::new(&[]);
    h.post("/v1/jobs", job("web", 1)).await;
    let mut s = open(&h, "?topic=Job:web&topic=Node&topic=NodePool", None).await;
    s.batches().await;
    h.delete("/v1/job/web").await;
    h.delete("/v1/job/web?purge=true").await;
    let node = h.first_node_id().await;
    let r = h
        .post(
            &format!("/v1/node/{node}/eligibility"),
            json!({"Eligibility": "ineligible"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = h.post(&format!("/v1/node/{node}/purge"), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = h
        .post("/v1/node/pool/evpool", json!({"Name": "evpool"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = h.delete("/v1/node/pool/evpool").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let evs = events(&s.batches().await);
    let t = types(&evs);
    let pos = |x: &str| {
        t.iter()
            .position(|y| y == x)
            .unwrap_or_else(|| panic!("{x} in {t:?}"))
    };
    assert!(pos("Job/JobDeregistered") < pos("NodePool/NodePoolDeleted"));
    let deleted: Vec<&Value> = evs
        .iter()
        .filter(|e| e["Type"] == "JobDeregistered")
        .collect();
    assert_eq!(deleted.len(), 2, "{t:?}");
    assert_eq!(deleted[0]["Payload"]["Job"]["Stop"], true);
    assert_eq!(deleted[0]["Payload"].get("Deleted"), None);
    assert_eq!(deleted[1]["Payload"]["Deleted"], true);
    assert!(pos("Node/NodeEligibility") < pos("Node/NodeDeregistration"));
    let gone = &evs[pos("Node/NodeDeregistration")];
    assert_eq!(gone["Key"], node.as_str());
    assert_eq!(gone["Namespace"], "");
    assert_eq!(gone["Payload"]["Node"]["SecretID"], "");
    let pool = &evs[pos("NodePool/NodePoolUpserted")];
    assert_eq!(pool["Key"], "evpool");
    assert_eq!(pool["Payload"]["NodePool"]["Name"], "evpool");
}

/// Reads a real socket's stream until a line satisfies `want`.
async fn read_until(r: &mut reqwest::Response, want: impl Fn(&str) -> bool) -> Vec<String> {
    let mut buf = Vec::new();
    let mut lines = vec![];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let chunk = tokio::time::timeout_at(deadline, r.chunk())
            .await
            .expect("a line in time")
            .unwrap()
            .expect("the stream stays open");
        buf.extend_from_slice(&chunk);
        while let Some(i) = buf.iter().position(|b| *b == b'\n') {
            let l: Vec<u8> = buf.drain(..=i).collect();
            let l = String::from_utf8_lossy(&l[..i]).into_owned();
            let done = want(&l);
            lines.push(l);
            if done {
                return lines;
            }
        }
    }
}

// command/agent/event_endpoint.go over a socket (TestEventStream_ProtoVersion):
// the status line at once, ndjson flushed per batch, heartbeats; a refusal
// is the 200 and then the end of the connection.
#[tokio::test]
async fn over_a_socket_batches_and_heartbeats_arrive_as_they_happen() {
    use common::process::{job as pjob, start};
    let sim = start(&["--event-heartbeat-ms", "200"]);
    let mut r = sim.get("/v1/event/stream?topic=Job:sock").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["connection"], "close");
    let beats = read_until(&mut r, |l| l == "{}").await;
    assert_eq!(beats, ["{}"]);
    assert_eq!(read_until(&mut r, |l| l == "{}").await, ["{}"]);
    assert_eq!(sim.post("/v1/jobs", pjob("sock", 1)).await.status(), 200);
    let lines = read_until(&mut r, |l| l.contains("JobRegistered")).await;
    let v: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(v["Events"][0]["Key"], "sock");
    assert_eq!(v["Events"][0]["Payload"]["Job"]["ID"], "sock");
    drop(r);

    let acl = start(&["--acl"]);
    let refused = acl
        .http
        .get(format!("{}/v1/event/stream", acl.base))
        .header("X-Nomad-Token", READONLY_SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 200);
    let body = tokio::time::timeout(Duration::from_secs(5), refused.bytes())
        .await
        .expect("the connection ends")
        .unwrap();
    assert!(body.is_empty());
}

// The endpoint came with 1.0: an older agent's mux falls through to `/`.
#[tokio::test]
async fn agents_before_1_0_have_no_event_stream() {
    let h = H::new(&["--agent-version", "0.12.12"]);
    let s = open(&h, "?topic=Job", None).await;
    assert_eq!(s.status, 404);
}

// The fault flag cuts a stream after the batch that passes the limit (the
// second at the earliest, so a resume always gets further), so clients'
// resume-from-index is exercised.
#[tokio::test]
async fn drop_stream_after_cuts_the_event_stream() {
    let h = H::new(&["--drop-stream-after", "1"]);
    let mut s = open(&h, "?index=1", None).await;
    assert_eq!(s.line(wait()).await.as_deref(), Some("{}"));
    for _ in 0..2 {
        let batch = s.line(wait()).await.expect("a batch");
        assert!(batch.contains("\"Index\""), "{batch}");
    }
    assert!(s.ends().await, "the stream ends after its second batch");
}
