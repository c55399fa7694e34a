//! Exec over a real websocket, as a browser or `nomad alloc exec` speaks it:
//! the handshake, stdin and resize frames in, base64 output and `exited`
//! out, refusals as close frames; directly and through `--proxy`.

mod common;

use base64::Engine;
use common::process::{start, Sim};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const MGMT: &str = common::MANAGEMENT_SECRET;
const READONLY: &str = common::READONLY_SECRET;

/// A running task that is not `raw_exec`, once the clients started one.
async fn running_alloc(sim: &Sim, token: Option<&str>) -> (String, String) {
    for _ in 0..100 {
        if let Some(found) = find_running(sim, token).await {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no running allocation");
}

async fn find_running(sim: &Sim, token: Option<&str>) -> Option<(String, String)> {
    let mut rb = sim
        .http
        .get(format!("{}/v1/allocations?namespace=*", sim.base));
    if let Some(t) = token {
        rb = rb.header("X-Nomad-Token", t);
    }
    let allocs: Vec<Value> = rb.send().await.unwrap().json().await.unwrap();
    for a in allocs {
        if a["ClientStatus"] != "running" {
            continue;
        }
        let states = a["TaskStates"].as_object().cloned().unwrap_or_default();
        if let Some((task, _)) = states.iter().find(|(_, s)| s["State"] == "running") {
            let id = a["ID"].as_str().unwrap().to_string();
            let full: Value = {
                let mut rb = sim.http.get(format!("{}/v1/allocation/{id}", sim.base));
                if let Some(t) = token {
                    rb = rb.header("X-Nomad-Token", t);
                }
                rb.send().await.unwrap().json().await.unwrap()
            };
            let tg = full["TaskGroup"].as_str().unwrap().to_string();
            let driver = full["Job"]["TaskGroups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["Name"] == tg.as_str())
                .and_then(|g| {
                    g["Tasks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|t| t["Name"] == task.as_str())
                })
                .map(|t| t["Driver"].as_str().unwrap_or("").to_string());
            if driver.as_deref() != Some("raw_exec") {
                return Some((id, task.clone()));
            }
        }
    }
    None
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(base: &str, id: &str, task: &str, cmd: &[&str], token: &str) -> Ws {
    let command = serde_json::to_string(cmd).unwrap();
    let url = format!(
        "{}/v1/client/allocation/{id}/exec?task={task}&tty=true&ws_handshake=true&command={}",
        base.replace("http://", "ws://"),
        urlencode(&command)
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("upgrade");
    let hs = json!({"version": 1, "auth_token": token}).to_string();
    ws.send(Message::Text(hs.into())).await.unwrap();
    ws
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn stdin(ws: &mut Ws, text: &str) {
    let data = base64::engine::general_purpose::STANDARD.encode(text);
    let f = json!({"stdin": {"data": data}}).to_string();
    ws.send(Message::Text(f.into())).await.unwrap();
}

/// Reads frames until `want` appears in stdout (or the session exits);
/// gives the output and the exit code if it exited.
async fn read_until(ws: &mut Ws, want: &str) -> (String, Option<i64>) {
    let mut out = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await {
        let Message::Text(t) = msg else {
            if let Message::Close(Some(c)) = msg {
                out.push_str(&format!("<close {} {}>", u16::from(c.code), c.reason));
            }
            continue;
        };
        let v: Value = serde_json::from_str(t.as_str()).unwrap();
        if let Some(d) = v["stdout"]["data"].as_str() {
            let b = base64::engine::general_purpose::STANDARD.decode(d).unwrap();
            out.push_str(&String::from_utf8_lossy(&b));
        }
        if v["exited"] == true {
            return (out, Some(v["result"]["exit_code"].as_i64().unwrap_or(0)));
        }
        if !want.is_empty() && out.contains(want) {
            break;
        }
    }
    (out, None)
}

async fn a_session(base: &str, sim: &Sim, token: &str) {
    let (id, task) = running_alloc(sim, Some(token)).await;
    let mut ws = open(base, &id, &task, &["/bin/sh"], token).await;
    read_until(&mut ws, "/ # ").await;
    stdin(&mut ws, "ls /alloc/logs\r").await;
    let (out, _) = read_until(&mut ws, &format!("{task}.stdout.0")).await;
    assert!(out.contains(&format!("{task}.stderr.0")), "{out:?}");
    let f = json!({"tty_size": {"height": 33, "width": 101}}).to_string();
    ws.send(Message::Text(f.into())).await.unwrap();
    stdin(&mut ws, "stty size\r").await;
    let (out, _) = read_until(&mut ws, "33 101").await;
    assert!(out.contains("33 101"), "{out:?}");
    stdin(&mut ws, "exit 7\r").await;
    let (_, code) = read_until(&mut ws, "").await;
    assert_eq!(code, Some(7));
}

#[tokio::test]
async fn a_shell_session_lists_resizes_and_exits_with_its_code() {
    let sim = start(&["--acl"]);
    a_session(&sim.base, &sim, MGMT).await;
}

#[tokio::test]
async fn exec_works_through_the_proxy() {
    let agent = start(&["--acl"]);
    let proxy = start(&["--proxy", &agent.base]);
    a_session(&proxy.base, &agent, MGMT).await;
}

#[tokio::test]
async fn a_token_without_alloc_exec_is_refused_with_a_close_frame() {
    let sim = start(&["--acl"]);
    let (id, task) = running_alloc(&sim, Some(MGMT)).await;
    let mut ws = open(&sim.base, &id, &task, &["/bin/sh"], READONLY).await;
    let (out, code) = read_until(&mut ws, "").await;
    assert_eq!(code, None);
    assert!(out.contains("<close 1011 Permission denied>"), "{out:?}");
}

#[tokio::test]
async fn an_unknown_task_and_a_bad_handshake_are_refused() {
    let sim = start(&[]);
    let (id, _) = running_alloc(&sim, None).await;
    let mut ws = open(&sim.base, &id, "nope", &["/bin/sh"], "").await;
    let (out, _) = read_until(&mut ws, "").await;
    assert!(
        out.contains("<close 1008 unknown task name \"nope\">"),
        "{out:?}"
    );
    let plain = sim
        .get(&format!(
            "/v1/client/allocation/{id}/exec?task=x&command=%5B%22sh%22%5D"
        ))
        .await;
    assert_eq!(plain.status(), 500);
    assert_eq!(
        plain.text().await.unwrap(),
        "websocket connection not found in context"
    );
}

#[tokio::test]
async fn a_one_shot_command_streams_and_exits() {
    let sim = start(&[]);
    let (id, task) = running_alloc(&sim, None).await;
    let mut ws = open(&sim.base, &id, &task, &["ping", "-c", "3", "db"], "").await;
    let (out, code) = read_until(&mut ws, "").await;
    assert!(out.contains("seq=2"), "{out:?}");
    assert!(out.contains("3 packets transmitted"), "{out:?}");
    assert_eq!(code, Some(0));
}
