//! A `nomad-sim` process on a free port, started the way tests and
//! benchmarks start it: `nomad-sim --listen 127.0.0.1:0 …`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Sim {
    child: Child,
    pub base: String,
    pub http: reqwest::Client,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(extra: &[&str]) -> Sim {
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
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }
    pub async fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> (T, u64) {
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
    pub async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

pub fn job(id: &str, count: i64) -> serde_json::Value {
    serde_json::json!({"Job": {"ID": id, "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [
        {"Name": "g", "Count": count, "Tasks": [{"Name": "t", "Driver": "docker", "Config": {"image": "nginx"}, "Resources": {"CPU": 100, "MemoryMB": 64}}]}]}})
}

/// A running allocation of the demo cluster.
pub async fn running_alloc(sim: &Sim) -> nomad_model::Allocation {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (allocs, _): (Vec<nomad_model::Allocation>, u64) =
            sim.json("/v1/job/redis-cache/allocations").await;
        if let Some(a) = allocs.into_iter().find(|a| a.client_status == "running") {
            return a;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
