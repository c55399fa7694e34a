//! In-process harness: the whole app driven through `tower::ServiceExt::
//! oneshot`, no sockets, on a frozen clock. Each test file is its own
//! binary and uses what it needs.
#![allow(dead_code, unused_imports)]

pub mod process;

use axum::body::Body;
use axum::http::{Method, Request};
use clap::Parser;
use http_body_util::BodyExt;
use nomad_sim::clock::Clock;
use nomad_sim::{app, Opts, Sim};
use serde_json::Value;
use tower::ServiceExt;

pub use nomad_sim::{MANAGEMENT_SECRET, READONLY_SECRET};

/// 2026-06-01T00:00:00Z.
pub const T0: i64 = 1_780_272_000_000_000_000;

pub struct H {
    pub sim: Sim,
    app: axum::Router,
    pub token: Option<String>,
}

pub struct Resp {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text()))
    }
    pub fn index(&self) -> u64 {
        self.header("x-nomad-index").parse().unwrap_or(0)
    }
    pub fn header(&self, k: &str) -> String {
        self.headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    /// Status and body text, for asserting an error answer in one line.
    pub fn err(&self) -> (u16, String) {
        (self.status, self.text())
    }
}

impl H {
    pub fn new(args: &[&str]) -> H {
        let opts = Opts::parse_from(
            ["nomad-sim", "--listen", "127.0.0.1:0"]
                .into_iter()
                .chain(args.iter().copied()),
        );
        let sim = Sim::with_clock(opts, Clock::frozen(T0));
        let h = H {
            app: app(sim.clone()),
            sim,
            token: None,
        };
        // Let the seeded cluster start its tasks, as it would be a few
        // seconds after an agent starts.
        h.ticks(10);
        h
    }

    pub fn with_token(mut self, t: &str) -> H {
        self.token = Some(t.into());
        self
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Resp {
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path);
        if let Some(t) = token.or(self.token.as_deref()) {
            b = b.header("X-Nomad-Token", t);
        }
        let req = b
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, None, None).await
    }
    pub async fn get_as(&self, path: &str, token: &str) -> Resp {
        self.send("GET", path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send("POST", path, None, Some(serde_json::to_vec(&body).unwrap()))
            .await
    }
    pub async fn post_as(&self, path: &str, token: &str, body: Value) -> Resp {
        self.send(
            "POST",
            path,
            Some(token),
            Some(serde_json::to_vec(&body).unwrap()),
        )
        .await
    }
    pub async fn post_raw(&self, path: &str, body: &str) -> Resp {
        self.send("POST", path, None, Some(body.as_bytes().to_vec()))
            .await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send("PUT", path, None, Some(serde_json::to_vec(&body).unwrap()))
            .await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.send("DELETE", path, None, None).await
    }

    /// Moves the simulation forward `n` ticks (and the clock a second each).
    pub fn ticks(&self, n: usize) {
        let mut periodic = std::collections::HashMap::new();
        for _ in 0..n {
            self.sim.clock.advance(std::time::Duration::from_secs(1));
            self.sim.tick(&mut periodic);
        }
    }

    /// The ID of the first node the agent lists.
    pub async fn first_node_id(&self) -> String {
        self.get("/v1/nodes").await.json()[0]["ID"]
            .as_str()
            .expect("a node")
            .to_string()
    }
}

/// The name of an allocation's first task.
pub fn first_task(alloc: &Value) -> String {
    alloc["TaskStates"]
        .as_object()
        .expect("task states")
        .keys()
        .next()
        .expect("a task")
        .clone()
}

/// A minimal service job body.
pub fn job(id: &str, count: i64) -> Value {
    serde_json::json!({"Job": {"ID": id, "TaskGroups": [{"Name": "g", "Count": count,
        "Tasks": [{"Name": "t", "Driver": "docker", "Config": {"image": "nginx"}}]}]}})
}
