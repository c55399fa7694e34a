//! `/v1/agent/monitor` as Nomad 2.0.5 serves it (`command/agent/
//! agent_endpoint.go` `AgentMonitor`, `nomad/client_agent_endpoint.go`
//! `monitor`): the agent's log from now on at `log_level` and above, as
//! stream frames (`{"Offset":N,"Data":"<base64>","FileEvent":"log"}`,
//! batched every 200 ms, `{}` heartbeats each second) or, with `plain`,
//! as bare text. `node_id` reads that client's log, `server_id` a server's.

use super::http::{Params, R};
use crate::acl::Caller;
use crate::agent_log::{Level, Line, Session, Target};
use crate::error::ApiError;
use crate::Sim;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use base64::Engine;
use bytes::Bytes;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

pub fn routes() -> Router<Sim> {
    Router::new().route("/v1/agent/monitor", get(monitor))
}

struct Opts {
    level: Level,
    json: bool,
    plain: bool,
}

fn bool_param(q: &Params, k: &str, what: &str) -> Result<bool, ApiError> {
    match q.get(k) {
        None | Some("") => Ok(false),
        Some(v) => crate::api::http::parse_go_bool(v).ok_or_else(|| {
            ApiError::bad_request(format!(
                "Unknown option for {what}: strconv.ParseBool: parsing {v:?}: invalid syntax"
            ))
        }),
    }
}

async fn monitor(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    let level_s = q
        .get("log_level")
        .filter(|l| !l.is_empty())
        .unwrap_or("INFO");
    let level = Level::parse(level_s)
        .ok_or_else(|| ApiError::bad_request(format!("Unknown log level: {level_s}")))?;
    let opts = Opts {
        level,
        json: bool_param(&q, "log_json", "log json")?,
        plain: bool_param(&q, "plain", "plain")?,
    };
    bool_param(&q, "log_include_location", "log_include_location")?;
    let (node, server) = (q.str("node_id"), q.str("server_id"));
    if !node.is_empty() && !server.is_empty() {
        return Err(ApiError::bad_request(
            "Cannot target node and server simultaneously",
        ));
    }
    who.agent_read()?;
    let target = if node.is_empty() {
        let ours = [
            "leader",
            super::operator::SERVER_ID,
            &super::operator::server_name(&sim),
        ];
        if !server.is_empty() && !ours.contains(&server) {
            return Err(ApiError::bad_request(format!(
                "unknown nomad server {server}"
            )));
        }
        Target::Server
    } else {
        if !sim.store.read(|c| c.nodes.contains_key(node)) {
            return Err(ApiError::not_found(format!("Unknown node {node:?}")));
        }
        Target::Client(node.to_string())
    };
    let ct = if opts.plain {
        "text/plain"
    } else {
        "application/json"
    };
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    tokio::spawn(run(sim, target, opts, tx));
    let mut r = Response::new(Body::from_stream(
        tokio_stream::wrappers::ReceiverStream::new(rx),
    ));
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static(ct));
    Ok(r)
}

type Tx = mpsc::Sender<Result<Bytes, std::io::Error>>;

async fn run(sim: Sim, target: Target, o: Opts, tx: Tx) {
    let broker = sim.store.events.clone();
    let mut wake = broker.watch();
    let mut seq = broker.start_seq(u64::MAX) + 1;
    let mut http = sim.http_log.subscribe();
    let worker = format!("{:08x}-sim-worker", sim.opts.seed);
    let mut session = Session::new(target.clone(), sim.clock.now(), worker);
    let mut pending = String::new();
    let mut offset = 0u64;
    let mut flush = tokio::time::interval(Duration::from_millis(200));
    let mut beat = tokio::time::interval(Duration::from_secs(1));
    let mut quiet = true;
    let keep = |l: &Line| l.level >= o.level && o.level != Level::Off;
    loop {
        tokio::select! {
            _ = tx.closed() => return,
            r = wake.changed() => {
                if r.is_err() {
                    return;
                }
                wake.borrow_and_update();
                let now = sim.clock.now();
                for b in broker.since(seq, false).unwrap_or_default() {
                    seq = b.seq() + 1;
                    for ev in &b.events {
                        for l in session.lines(&ev.json, now).iter().filter(|l| keep(l)) {
                            pending.push_str(&l.render(o.json));
                        }
                    }
                }
            }
            r = http.recv(), if target == Target::Server => match r {
                Ok(l) if keep(&l) => pending.push_str(&l.render(o.json)),
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = flush.tick() => {
                if pending.is_empty() {
                    continue;
                }
                let data = std::mem::take(&mut pending);
                let len = data.len() as u64;
                let chunk = if o.plain { data.into_bytes() } else { frame(&data, offset) };
                offset += len;
                quiet = false;
                if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                    return;
                }
            }
            _ = beat.tick() => {
                // the framer's heartbeat: a frame with nothing in it
                if quiet && !o.plain && tx.send(Ok(Bytes::from_static(b"{}"))).await.is_err() {
                    return;
                }
                quiet = true;
            }
        }
    }
}

/// A `StreamFrame` of log data (`Offset` is `omitempty`).
fn frame(data: &str, offset: u64) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    let off = if offset > 0 {
        format!("\"Offset\":{offset},")
    } else {
        String::new()
    };
    format!("{{{off}\"Data\":\"{b64}\",\"FileEvent\":\"log\"}}").into_bytes()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_frame_is_what_the_framer_encodes() {
        assert_eq!(
            String::from_utf8(super::frame("hi\n", 0)).unwrap(),
            r#"{"Data":"aGkK","FileEvent":"log"}"#
        );
        assert!(String::from_utf8(super::frame("x", 9))
            .unwrap()
            .starts_with(r#"{"Offset":9,"#));
    }
}
