//! Native tests against a running `nomad-sim` on a free port, started the
//! way tests and benchmarks start it: `nomad-sim --listen 127.0.0.1:0 …`.

use nomad_model::frames::{FrameDecoder, StreamEvent};
use nomad_model::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Sim {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Sim {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nomad-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--scenario",
            "demo",
            "--tick-ms",
            "200",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start nomad-sim");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).unwrap();
    // keep draining the banner so the agent never writes into a closed pipe
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let base = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(
        base.starts_with("http://127.0.0.1:"),
        "unexpected banner {line:?}"
    );
    Sim {
        child,
        base,
        http: reqwest::Client::new(),
    }
}

impl Sim {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }
    async fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> (T, u64) {
        let r = self.get(path).await;
        assert!(r.status().is_success(), "{path}: {}", r.status());
        let idx = r
            .headers()
            .get("x-nomad-index")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        (r.json().await.unwrap(), idx)
    }
    async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

fn job(id: &str, count: i64) -> serde_json::Value {
    serde_json::json!({"Job": {"ID": id, "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [
        {"Name": "g", "Count": count, "Tasks": [{"Name": "t", "Driver": "docker", "Config": {"image": "nginx"}, "Resources": {"CPU": 100, "MemoryMB": 64}}]}]}})
}

#[tokio::test]
async fn blocking_queries_wake_on_change_and_time_out() {
    let sim = start(&[]);
    let (_, idx): (Vec<JobListStub>, u64) = sim.json("/v1/jobs").await;
    assert!(idx > 0);
    // nothing changes the jobs table by itself for a moment: `wait` elapses
    let t = Instant::now();
    let r = sim
        .get(&format!("/v1/jobs?index={}&wait=1s", idx + 1_000_000))
        .await;
    assert_eq!(r.status(), 200);
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_secs(3),
        "waited {waited:?}"
    );
    assert_eq!(r.headers()["x-nomad-knownleader"], "true");
    assert!(r.headers().contains_key("x-nomad-lastcontact"));

    // a write wakes a waiting query at once
    let (_, idx): (Vec<JobListStub>, u64) = sim.json("/v1/jobs").await;
    let base = sim.base.clone();
    let waiter = tokio::spawn(async move {
        let t = Instant::now();
        let r = reqwest::get(format!("{base}/v1/jobs?index={idx}&wait=30s"))
            .await
            .unwrap();
        let new_idx: u64 = r.headers()["x-nomad-index"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let jobs: Vec<JobListStub> = r.json().await.unwrap();
        (t.elapsed(), new_idx, jobs)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sim.post("/v1/jobs", job("woken", 1)).await.status(), 200);
    let (took, new_idx, jobs) = waiter.await.unwrap();
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(new_idx > idx);
    assert!(jobs.iter().any(|j| j.id == "woken"));
}

#[tokio::test]
async fn register_creates_evaluation_and_running_allocations() {
    let sim = start(&[]);
    let r: JobRegisterResponse = sim
        .post("/v1/jobs", job("hello", 2))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r.eval_id.len(), 36);
    let (ev, _): (Evaluation, u64) = sim.json(&format!("/v1/evaluation/{}", r.eval_id)).await;
    assert_eq!(ev.job_id, "hello");
    assert_eq!(ev.triggered_by, "job-register");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (allocs, _): (Vec<Allocation>, u64) = sim.json("/v1/job/hello/allocations").await;
        assert_eq!(allocs.len(), 2);
        if allocs.iter().all(|a| a.client_status == "running") {
            let (s, _): (JobSummary, u64) = sim.json("/v1/job/hello/summary").await;
            assert_eq!(s.summary["g"].running, 2);
            let (j, _): (Job, u64) = sim.json("/v1/job/hello").await;
            assert_eq!(j.status, "running");
            let events: Vec<String> = allocs[0].task_states["t"]
                .events
                .iter()
                .map(|e| e.event_type.clone())
                .collect();
            assert_eq!(events, ["Received", "Task Setup", "Driver", "Started"]);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "allocations never ran: {:?}",
            allocs.iter().map(|a| &a.client_status).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // a second register of a changed spec is version 1; EnforceIndex guards it
    let (j, _): (Job, u64) = sim.json("/v1/job/hello").await;
    let mut body = job("hello", 3);
    body["EnforceIndex"] = serde_json::json!(true);
    body["JobModifyIndex"] = serde_json::json!(j.job_modify_index + 1);
    let r = sim.post("/v1/job/hello", body.clone()).await;
    assert_eq!(r.status(), 500);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("conflicting job modify index"));
    body["JobModifyIndex"] = serde_json::json!(j.job_modify_index);
    assert_eq!(sim.post("/v1/job/hello", body).await.status(), 200);
    let (v, _): (JobVersionsResponse, u64) = sim.json("/v1/job/hello/versions").await;
    assert_eq!(
        v.versions.iter().map(|j| j.version).collect::<Vec<_>>(),
        [1, 0]
    );
}

async fn running_alloc(sim: &Sim) -> Allocation {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (allocs, _): (Vec<Allocation>, u64) = sim.json("/v1/job/redis-cache/allocations").await;
        if let Some(a) = allocs.into_iter().find(|a| a.client_status == "running") {
            return a;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn decode(bytes: &[u8]) -> Vec<StreamEvent> {
    let mut d = FrameDecoder::new();
    let mut out = vec![];
    d.push(bytes, &mut out);
    d.finish(&mut out);
    out
}

#[tokio::test]
async fn log_framing_offsets_and_resume() {
    let sim = start(&[]);
    let a = running_alloc(&sim).await;
    let logs = format!("/v1/client/fs/logs/{}?task=redis&type=stdout", a.id);
    // the whole file, framed
    let framed = sim
        .get(&format!("{logs}&origin=start&offset=0"))
        .await
        .bytes()
        .await
        .unwrap();
    let cat = sim
        .get(&format!(
            "/v1/client/fs/cat/{}?path=alloc/logs/redis.stdout.0",
            a.id
        ))
        .await
        .bytes()
        .await
        .unwrap();
    let events = decode(&framed);
    let mut joined = vec![];
    let mut pos = 0;
    for e in &events {
        match e {
            StreamEvent::Data {
                file,
                start,
                end,
                bytes,
            } => {
                assert_eq!(file, "alloc/logs/redis.stdout.0");
                assert!(bytes.len() <= 64 * 1024, "frame of {} bytes", bytes.len());
                assert_eq!(*start, pos, "frames are contiguous");
                assert_eq!(
                    *end,
                    start + bytes.len() as u64,
                    "Offset is the position after the data"
                );
                pos = *end;
                joined.extend_from_slice(bytes);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(joined.len() > 1000);
    assert_eq!(
        &cat[..joined.len()],
        &joined[..],
        "decoded frames equal the file"
    );
    // resume from an offset
    let n = joined.len() / 2;
    let rest = decode(
        &sim.get(&format!("{logs}&origin=start&offset={n}"))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    let mut tail = vec![];
    for e in rest {
        if let StreamEvent::Data { start, bytes, .. } = e {
            if tail.is_empty() {
                assert_eq!(start, n as u64);
            }
            tail.extend(bytes);
        }
    }
    assert_eq!(&tail[..joined.len() - n], &joined[n..]);
    // origin=end
    let last = decode(
        &sim.get(&format!("{logs}&origin=end&offset=100"))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    let total: usize = last
        .iter()
        .map(|e| {
            if let StreamEvent::Data { bytes, .. } = e {
                bytes.len()
            } else {
                0
            }
        })
        .sum();
    assert!(
        total >= 100,
        "origin=end gives the last bytes (and what was written since)"
    );
    // plain=true is the raw text
    let plain = sim
        .get(&format!("{logs}&origin=start&offset=0&plain=true"))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(&plain[..joined.len()], &joined[..]);
    // follow on a file that does not grow: heartbeats
    let mut r = sim
        .get(&format!(
            "/v1/client/fs/stream/{}?path=redis/local/app.conf&follow=true&offset=0",
            a.id
        ))
        .await;
    let mut got = vec![];
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(4) {
        match tokio::time::timeout(Duration::from_secs(3), r.chunk()).await {
            Ok(Ok(Some(c))) => {
                got.extend_from_slice(&c);
                if decode(&got).contains(&StreamEvent::Heartbeat) {
                    break;
                }
            }
            _ => break,
        }
    }
    let ev = decode(&got);
    assert!(matches!(ev[0], StreamEvent::Data { .. }));
    assert!(ev.contains(&StreamEvent::Heartbeat), "{ev:?}");
    // bad parameters
    assert_eq!(
        sim.get(&format!("/v1/client/fs/logs/{}?type=stdout", a.id))
            .await
            .status(),
        400
    );
    let r = sim
        .get("/v1/client/fs/logs/5fc98185-17ff-26bc-a802-0c74fa471c99?task=x&type=stdout")
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.text().await.unwrap(),
        "Unknown allocation \"5fc98185-17ff-26bc-a802-0c74fa471c99\""
    );
}

#[tokio::test]
async fn dropped_streams_fault() {
    let sim = start(&["--drop-stream-after", "5000"]);
    let a = running_alloc(&sim).await;
    let body = sim
        .get(&format!(
            "/v1/client/fs/logs/{}?task=redis&type=stdout&origin=start&offset=0",
            a.id
        ))
        .await
        .bytes()
        .await
        .unwrap_or_default();
    assert_eq!(
        body.len(),
        5000,
        "the stream is cut mid-frame at the configured byte"
    );
}

#[tokio::test]
async fn nomad_error_answers() {
    let sim = start(&[]);
    let r = sim.get("/v1/job/nope").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), "job not found");
    let r = sim.get("/v1/allocation/nope").await;
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (404, "alloc not found".to_string())
    );
    let r = sim.get("/v1/node/nope").await;
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (404, "node not found".to_string())
    );
    let r = sim
        .http
        .delete(format!("{}/v1/jobs", sim.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (405, "Invalid method".to_string())
    );
    let r = sim
        .http
        .post(format!("{}/v1/jobs", sim.base))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = sim.get("/v1/acl/token/self").await;
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (400, "ACL support disabled".to_string())
    );
    let r = sim.get("/v1/nope").await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn acl_mode_answers_like_nomad() {
    let sim = start(&["--acl"]);
    let r = sim.get("/v1/jobs").await;
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (403, "Permission denied".to_string())
    );
    let with = |t: &str| {
        sim.http
            .get(format!("{}/v1/jobs", sim.base))
            .header("X-Nomad-Token", t.to_string())
    };
    let r = with("00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (403, "ACL token not found".to_string())
    );
    assert_eq!(
        with(nomad_sim::READONLY_SECRET)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let post = |t: &str| {
        sim.http
            .post(format!("{}/v1/jobs", sim.base))
            .header("X-Nomad-Token", t.to_string())
            .json(&job("acl-job", 1))
    };
    let r = post(nomad_sim::READONLY_SECRET).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (403, "Permission denied".to_string())
    );
    assert_eq!(
        post(nomad_sim::MANAGEMENT_SECRET)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let me: AclToken = sim
        .http
        .get(format!("{}/v1/acl/token/self", sim.base))
        .header("X-Nomad-Token", nomad_sim::MANAGEMENT_SECRET)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me.token_type, "management");
}

#[tokio::test]
async fn serves_the_ui_with_deep_links() {
    let dir = std::env::temp_dir().join(format!("yurt-ui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>yurt</html>").unwrap();
    std::fs::write(dir.join("app.js"), "console.log(1)").unwrap();
    let sim = start(&["--ui", dir.to_str().unwrap()]);
    let r = sim.http.get(format!("{}/", sim.base)).send().await.unwrap();
    assert_eq!(r.url().path(), "/ui/", "/ redirects to the UI");
    assert_eq!(
        sim.get("/ui/jobs/default/web").await.text().await.unwrap(),
        "<html>yurt</html>"
    );
    let js = sim.get("/ui/app.js").await;
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    let pre = sim
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/v1/jobs", sim.base))
        .send()
        .await
        .unwrap();
    assert_eq!(pre.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn proxy_mode_forwards_and_streams_unbuffered() {
    let agent = start(&[]);
    let proxy = start(&["--proxy", &agent.base]);
    let a = running_alloc(&agent).await;
    // plain reads, status codes and headers pass through
    let r = proxy.get("/v1/job/nope").await;
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (404, "job not found".to_string())
    );
    let r = proxy.get("/v1/jobs").await;
    assert!(r.headers().contains_key("x-nomad-index"));
    // a follow stream delivers its first frame while the stream is still open
    let t = Instant::now();
    let mut r = proxy
        .get(&format!(
            "/v1/client/fs/logs/{}?task=redis&type=stdout&follow=true&origin=end&offset=50",
            a.id
        ))
        .await;
    let first = tokio::time::timeout(Duration::from_secs(5), r.chunk())
        .await
        .expect("a chunk before the stream ends")
        .unwrap()
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(matches!(decode(&first)[0], StreamEvent::Data { .. }));
}
