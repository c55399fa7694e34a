//! `/v1/agent/monitor` over a real connection: frames of the agent's log
//! from now on, plain text, the level filter, and the agent's refusals.

mod common;

use base64::Engine;
use common::process::start;
use futures_util::StreamExt;
use std::time::Duration;

/// Reads the response body until `want` shows up (or `secs` pass).
async fn read_until(resp: reqwest::Response, want: &str, secs: u64) -> String {
    let mut body = resp.bytes_stream();
    let mut got = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, body.next()).await {
        got.push_str(&String::from_utf8_lossy(&chunk));
        if got.contains(want) {
            break;
        }
    }
    got
}

#[tokio::test]
async fn a_debug_monitor_streams_the_requests_the_agent_answers_as_frames() {
    let sim = start(&[]);
    let resp = sim.get("/v1/agent/monitor?log_level=debug").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    tokio::time::sleep(Duration::from_millis(300)).await;
    sim.get("/v1/jobs?prefix=probe").await;
    let raw = read_until(resp, "\"FileEvent\":\"log\"", 10).await;
    let start = raw.find("{\"").unwrap();
    let frame: serde_json::Value = serde_json::Deserializer::from_str(&raw[start..])
        .into_iter::<serde_json::Value>()
        .filter_map(Result::ok)
        .find(|v| v["FileEvent"] == "log")
        .expect("a log frame");
    let data = base64::engine::general_purpose::STANDARD
        .decode(frame["Data"].as_str().unwrap())
        .unwrap();
    let text = String::from_utf8(data).unwrap();
    assert!(
        text.contains(
            "[DEBUG] http: request complete: method=GET path=/v1/jobs?prefix=probe duration="
        ),
        "{text}"
    );
}

#[tokio::test]
async fn plain_text_at_info_leaves_debug_lines_out() {
    let sim = start(&[]);
    let resp = sim.get("/v1/agent/monitor?plain=true").await;
    assert_eq!(resp.headers()["content-type"], "text/plain");
    sim.get("/v1/jobs").await;
    let got = read_until(resp, "request complete", 2).await;
    assert!(!got.contains("request complete"), "{got}");
    assert!(!got.contains("{}"), "no heartbeats in plain text: {got:?}");
}

#[tokio::test]
async fn the_agent_refuses_bad_levels_targets_and_tokens() {
    let sim = start(&["--acl"]);
    let check = |path: &'static str| {
        let sim = &sim;
        async move {
            let r = sim
                .http
                .get(format!("{}{path}", sim.base))
                .header("X-Nomad-Token", common::MANAGEMENT_SECRET)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(
        check("/v1/agent/monitor?log_level=loud").await,
        (400, "Unknown log level: loud".into())
    );
    assert_eq!(
        check("/v1/agent/monitor?node_id=a&server_id=b").await,
        (400, "Cannot target node and server simultaneously".into())
    );
    assert_eq!(
        check("/v1/agent/monitor?node_id=nope").await,
        (404, "Unknown node \"nope\"".into())
    );
    assert_eq!(
        check("/v1/agent/monitor?server_id=other").await,
        (400, "unknown nomad server other".into())
    );
    let anon = sim.get("/v1/agent/monitor").await;
    assert_eq!(anon.status(), 403);
    assert_eq!(anon.text().await.unwrap(), "Permission denied");
}
