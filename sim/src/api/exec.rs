//! `/v1/client/allocation/:id/exec` as Nomad 2.0.5 serves it
//! (`command/agent/websockets.go`, `alloc_endpoint.go` `allocExec`,
//! `client/alloc_endpoint.go` `execImpl`): the agent upgrades first, reads
//! the `{"version":1,"auth_token":...}` handshake when `ws_handshake` is
//! set, and only then checks the request, so every refusal after the
//! upgrade is a close frame (1011 for what the agent codes 500, which
//! includes `Permission denied`; 1008 for the rest). Frames are JSON with
//! base64 data: `stdin`, `tty_size` in; `stdout`, `stderr`, `exited` out.

use super::fs::alloc_for_client;
use super::http::{token_of, Params};
use crate::error::{ApiError, ApiResult};
use crate::logs::{fs_lookup, FsEntry};
use crate::shell::{self, Context, Files, Out, Shell};
use crate::Sim;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use nomad_model::Allocation;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

pub fn routes() -> Router<Sim> {
    Router::new().route("/v1/client/allocation/{id}/exec", get(exec))
}

async fn exec(State(sim): State<Sim>, Path(id): Path<String>, q: Params, req: Request) -> Response {
    let (mut parts, _) = req.into_parts();
    let header_token = token_of(&parts);
    let Ok(ws) = WebSocketUpgrade::from_request_parts(&mut parts, &sim).await else {
        // A plain GET reaches the handler without a connection in context.
        return ApiError::internal("websocket connection not found in context").into_response();
    };
    ws.on_upgrade(move |socket| session(sim, id, q, header_token, socket))
}

/// `drivers.ExecTaskStreamingRequestMsg` as JSON.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Input {
    stdin: Option<Io>,
    tty_size: Option<Size>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Io {
    data: Option<String>,
    close: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Size {
    height: u16,
    width: u16,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Handshake {
    version: i64,
    auth_token: String,
}

async fn close(mut socket: WebSocket, e: ApiError) {
    // `toWsCode`: 500 is 1011 (internal error), anything else 1008.
    let code = if e.status.as_u16() == 500 || e.text == "Permission denied" {
        1011
    } else {
        1008
    };
    let frame = CloseFrame {
        code,
        reason: e.text.into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
    // Wait for the browser's answering close (reading what it sent in the
    // meantime): closing the TCP connection with unread input resets it,
    // and the browser then reports 1006 without the reason.
    let drain = async {
        while let Some(Ok(m)) = socket.recv().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
}

async fn session(sim: Sim, id: String, q: Params, header: Option<String>, mut socket: WebSocket) {
    let token = match handshake(&q, header, &mut socket).await {
        Ok(t) => t,
        Err(e) => return close(socket, e).await,
    };
    let (alloc, argv, tty) = match check(&sim, &id, &q, token.as_deref()) {
        Ok(x) => x,
        Err(e) => return close(socket, e).await,
    };
    let mut fs = AllocFiles(&sim, &alloc);
    let (mut sh, first) = Shell::start(context(&sim, &alloc, q.str("task")), &argv, tty, &mut fs);
    if send_all(&mut socket, first).await {
        return linger(socket).await;
    }
    let mut tick = tokio::time::interval(Duration::from_millis(shell::TICK_MS));
    tick.tick().await;
    loop {
        let out = tokio::select! {
            msg = socket.recv() => match msg {
                // `ReadJSON` takes a text or a binary message alike
                Some(Ok(m @ (Message::Text(_) | Message::Binary(_)))) => {
                    let input: Input = serde_json::from_slice(&m.into_data()).unwrap_or_default();
                    let mut fs = AllocFiles(&sim, &alloc);
                    feed(&mut sh, input, &mut fs)
                }
                Some(Ok(_)) => continue,
                // The browser went away: the exec session ends with it.
                Some(Err(_)) | None => return,
            },
            _ = tick.tick(), if sh.busy() => sh.tick(),
        };
        if send_all(&mut socket, out).await {
            return linger(socket).await;
        }
    }
}

/// After `exited` the agent drops the connection without a close frame,
/// having read everything the browser sent; reading what is in flight
/// first keeps the close from resetting the connection (a reset can lose
/// the last frames).
async fn linger(mut socket: WebSocket) {
    while let Ok(Some(Ok(_))) =
        tokio::time::timeout(Duration::from_millis(200), socket.recv()).await
    {}
}

fn feed(sh: &mut Shell, input: Input, fs: &mut dyn Files) -> Vec<Out> {
    if let Some(io) = input.stdin {
        if io.close {
            return sh.close_stdin();
        }
        let bytes = io
            .data
            .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok())
            .unwrap_or_default();
        return sh.input(&bytes, fs);
    }
    if let Some(s) = input.tty_size {
        sh.resize(s.height, s.width);
    }
    // Anything else is a heartbeat.
    vec![]
}

/// Sends the shell's output; true once the session is over (it exited or
/// the socket is gone). After `exited` the agent closes the connection
/// without a close frame.
async fn send_all(socket: &mut WebSocket, out: Vec<Out>) -> bool {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    for o in out {
        let (frame, last) = match o {
            Out::Stdout(b) => (json!({"stdout": {"data": b64(&b)}}), false),
            Out::Stderr(b) => (json!({"stderr": {"data": b64(&b)}}), false),
            Out::Exit(code) => {
                for s in ["stdout", "stderr"] {
                    let _ = socket
                        .send(Message::Text(
                            json!({s: {"close": true}}).to_string().into(),
                        ))
                        .await;
                }
                // `exit_code` is `omitempty`: a clean exit has none.
                let result = if code == 0 {
                    json!({})
                } else {
                    json!({ "exit_code": code })
                };
                (json!({"exited": true, "result": result}), true)
            }
        };
        if socket
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_err()
            || last
        {
            return true;
        }
    }
    false
}

/// `readWsHandshake`: the token the session runs with.
async fn handshake(
    q: &Params,
    header: Option<String>,
    socket: &mut WebSocket,
) -> ApiResult<Option<String>> {
    if !q.bool("ws_handshake").map_err(|_| {
        ApiError::bad_request(format!(
            "ws_handshake value is not a boolean: strconv.ParseBool: parsing {:?}: invalid syntax",
            q.str("ws_handshake")
        ))
    })? {
        return Ok(header.or_else(|| q.get("token").map(str::to_string)));
    }
    let h: Handshake = loop {
        match socket.recv().await {
            Some(Ok(Message::Text(t))) => {
                break serde_json::from_str(t.as_str())
                    .map_err(|e| ApiError::bad_request(e.to_string()))?
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            _ => return Err(ApiError::bad_request("unexpected EOF")),
        }
    };
    if header.as_ref().is_some_and(|t| *t != h.auth_token) {
        return Err(ApiError::bad_request(
            "handshake auth token mismatched auth header token",
        ));
    }
    if h.version != 1 {
        return Err(ApiError::bad_request(format!(
            "unexpected handshake value: {}",
            h.version
        )));
    }
    Ok(Some(h.auth_token).filter(|t| !t.is_empty()))
}

/// `allocExec` and `execImpl`'s checks, in their order.
fn check(
    sim: &Sim,
    id: &str,
    q: &Params,
    token: Option<&str>,
) -> ApiResult<(Allocation, Vec<String>, bool)> {
    let argv: Vec<String> = serde_json::from_str(q.str("command"))
        .map_err(|e| ApiError::internal(format!("failed to marshal command into json: {e}")))?;
    let tty = q.bool("tty")?;
    let alloc = alloc_for_client(sim, id)?;
    let now = sim.clock.now();
    let who = sim.store.read(|c| c.acl.resolve(token, now))?;
    who.ns(&alloc.namespace, "alloc-exec")?;
    let task = q.str("task");
    if task.is_empty() {
        return Err(ApiError::bad_request("must provide task name"));
    }
    if argv.is_empty() {
        return Err(ApiError::bad_request("command is not present"));
    }
    let driver = alloc
        .job
        .as_ref()
        .and_then(|j| j.task_groups.iter().find(|g| g.name == alloc.task_group))
        .and_then(|g| g.tasks.iter().find(|t| t.name == task))
        .map(|t| t.driver.clone())
        .unwrap_or_default();
    if driver == "raw_exec" {
        // No filesystem isolation: exec there is exec on the node.
        who.ns(&alloc.namespace, "alloc-node-exec")?;
    }
    let Some(state) = alloc.task_states.get(task) else {
        return Err(ApiError::bad_request(format!("unknown task name {task:?}")));
    };
    if !state.started_at.is_set() {
        return Err(ApiError::not_found(format!(
            "task {task:?} not started yet."
        )));
    }
    if state.state != "running" {
        return Err(ApiError::not_found(format!(
            "task {task:?} is not running."
        )));
    }
    Ok((alloc, argv, tty))
}

fn context(sim: &Sim, a: &Allocation, task: &str) -> Context {
    let job = a.job.as_deref();
    let spec = job
        .and_then(|j| j.task_groups.iter().find(|g| g.name == a.task_group))
        .and_then(|g| g.tasks.iter().find(|t| t.name == task));
    let main = spec
        .map(|t| {
            let s = |k: &str| {
                t.config
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let args: Vec<String> = t
                .config
                .get("args")
                .and_then(Value::as_array)
                .map(|v| {
                    v.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let head = [s("command"), s("image")]
                .into_iter()
                .find(|x| !x.is_empty());
            std::iter::once(head.unwrap_or_else(|| format!("/local/{task}")))
                .chain(args)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| format!("/local/{task}"));
    let region = sim.store.read(|c| c.region.clone());
    let mut env: Vec<(String, String)> = [
        ("HOME", "/".to_string()),
        ("PATH", "/usr/local/bin:/usr/bin:/bin".into()),
        ("TERM", "xterm".into()),
        ("PWD", "/".into()),
        ("NOMAD_ALLOC_DIR", "/alloc".into()),
        ("NOMAD_TASK_DIR", "/local".into()),
        ("NOMAD_SECRETS_DIR", "/secrets".into()),
        ("NOMAD_ALLOC_ID", a.id.clone()),
        ("NOMAD_ALLOC_NAME", a.name.clone()),
        ("NOMAD_GROUP_NAME", a.task_group.clone()),
        ("NOMAD_TASK_NAME", task.to_string()),
        ("NOMAD_JOB_ID", a.job_id.clone()),
        (
            "NOMAD_JOB_NAME",
            job.map(|j| j.name.clone()).unwrap_or_default(),
        ),
        ("NOMAD_NAMESPACE", a.namespace.clone()),
        ("NOMAD_REGION", region),
        (
            "NOMAD_DC",
            job.and_then(|j| j.datacenters.first().cloned())
                .unwrap_or_default(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(t) = spec {
        env.extend(t.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Context {
        task: task.to_string(),
        hostname: a.id.chars().take(12).collect(),
        main,
        env,
    }
}

struct AllocFiles<'a>(&'a Sim, &'a Allocation);

impl Files for AllocFiles<'_> {
    fn entry(&mut self, path: &str) -> Option<FsEntry> {
        self.0.store.write(|c| fs_lookup(c, self.1, path))
    }
}
