//! `/v1/event/stream` as `command/agent/event_endpoint.go` and
//! `nomad/event_endpoint.go` serve it: ndjson batches from the broker,
//! filtered by topic, key and namespace, a `{}` heartbeat at the start and
//! every `--event-heartbeat-ms` after.
//!
//! The agent hijacks the connection and writes `200 OK` before the RPC
//! answers, so what the RPC refuses (an unknown or expired token, a topic
//! the token may not read) is not a 403 on a real socket: the 200 arrives
//! and the connection closes with nothing in it. Only the query errors
//! (`index`, `topic`) come back coded, as they are checked first.

use super::http::{form_urlencoded, token_of, Params};
use crate::acl::{AclState, Caller};
use crate::error::ApiError;
use crate::events::Subscription;
use crate::state::Table;
use crate::Sim;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

pub fn routes() -> Router<Sim> {
    Router::new().route("/v1/event/stream", get(event_stream))
}

/// `strconv.Atoi` with its error texts.
fn parse_index(s: &str) -> Result<u64, String> {
    use std::num::IntErrorKind::*;
    match s.parse::<i64>() {
        // `uint64(args.Index)`: a negative index wraps, as Go's conversion does.
        Ok(n) => Ok(n as u64),
        Err(e) if matches!(e.kind(), PosOverflow | NegOverflow) => {
            Err(format!("strconv.Atoi: parsing {s:?}: value out of range"))
        }
        Err(_) => Err(format!("strconv.Atoi: parsing {s:?}: invalid syntax")),
    }
}

/// `parseEventTopics`: `Topic:Key`, a bare topic meaning every key, no
/// `topic` at all meaning `*:*`.
pub fn parse_topics(raw_query: &str) -> Result<HashMap<String, Vec<String>>, String> {
    let raw: Vec<String> = form_urlencoded(raw_query)
        .into_iter()
        .filter(|(k, _)| k == "topic")
        .map(|(_, v)| v)
        .collect();
    let mut topics: HashMap<String, Vec<String>> = HashMap::new();
    if raw.is_empty() {
        topics.insert("*".into(), vec!["*".into()]);
        return Ok(topics);
    }
    for t in raw {
        let parts: Vec<&str> = t.split(':').collect();
        let (k, v) = match parts.as_slice() {
            [_] => (t.as_str(), "*"),
            [k, v] => (*k, *v),
            _ => {
                return Err(format!(
                    "error parsing topics: Invalid key value pair for topic, topic: {t}"
                ))
            }
        };
        topics.entry(k.to_string()).or_default().push(v.to_string());
    }
    Ok(topics)
}

/// `validateNsOp`: what each topic needs in a namespace.
fn allowed(who: &Caller, ns: &str, topics: &HashMap<String, Vec<String>>) -> bool {
    let acl = who.acl.as_deref();
    topics.keys().all(|t| match t.as_str() {
        "Deployment" | "Evaluation" | "Allocation" | "Job" | "Service" | "CSIPlugin" => {
            who.allow_ns(ns, "read-job")
        }
        "HostVolume" => who.allow_ns(ns, "host-volume-read"),
        "CSIVolume" => who.allow_ns(ns, "csi-read-volume"),
        "Node" => who.node_read().is_ok(),
        "NodePool" => who.is_management(),
        "Operator" => who.operator_read().is_ok(),
        "Variable" => acl.is_none_or(|a| a.allow_variable_search(ns)),
        // `*` and anything unknown.
        _ => who.is_management(),
    })
}

fn stream_headers(r: &mut Response) {
    let h = r.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert("cache-control", HeaderValue::from_static("no-cache"));
    // `http.Response.Write` with no length on the hijacked connection.
    h.insert("connection", HeaderValue::from_static("close"));
}

/// What the client sees when the RPC refuses: the 200 already written,
/// then the end of the connection.
fn refused() -> Response {
    let mut r = Response::new(Body::empty());
    stream_headers(&mut r);
    r
}

/// `Authenticate`, `ResolveACL` and `validateACL`: the caller and the
/// namespaces the subscription covers, or `None` when the RPC refuses.
fn authorize(
    sim: &Sim,
    secret: Option<&str>,
    ns: &str,
    topics: &HashMap<String, Vec<String>>,
) -> Option<(Caller, Vec<String>)> {
    let now = sim.clock.now();
    let who = sim.store.read(|c| c.acl.resolve(secret, now)).ok()?;
    let namespaces = if ns == "*" {
        sim.store.read(|c| c.namespace_names())
    } else {
        vec![ns.to_string()]
    };
    namespaces
        .iter()
        .all(|n| allowed(&who, n, topics))
        .then_some((who, namespaces))
}

/// What a subscription re-checks when ACLs change.
struct Auth {
    secret: Option<String>,
    ns: String,
    who: Caller,
}

async fn event_stream(State(sim): State<Sim>, req: Request) -> Response {
    // The endpoint came with Nomad 1.0: older agents fall through to `/`.
    if super::http::version_before(&sim.opts.agent_version, (1, 0)) {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    let (parts, _) = req.into_parts();
    let raw = parts.uri.query().unwrap_or("").to_string();
    let q = Params(
        form_urlencoded(&raw)
            .into_iter()
            .rev()
            .collect::<HashMap<_, _>>(),
    );
    let index = match parse_index(q.get("index").filter(|s| !s.is_empty()).unwrap_or("0")) {
        Ok(i) => i,
        Err(e) => {
            return ApiError::bad_request(format!("Unable to parse index: {e}")).into_response()
        }
    };
    let topics = match parse_topics(&raw) {
        Ok(t) => t,
        Err(e) => {
            return ApiError::bad_request(format!("Invalid topic query: {e}")).into_response()
        }
    };
    // Another region is forwarded, and there is no server to forward to.
    let region = sim.store.read(|c| c.region.clone());
    if q.get("region")
        .is_some_and(|r| !r.is_empty() && r != region)
    {
        return refused();
    }
    let secret = token_of(&parts);
    let ns = q.namespace();
    let Some((who, namespaces)) = authorize(&sim, secret.as_deref(), &ns, &topics) else {
        return refused();
    };
    let sub = Subscription { topics, namespaces };
    let start = sim.store.events.start_seq(index);
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let auth = Auth { secret, ns, who };
    tokio::spawn(run(sim, auth, sub, start, tx));
    let mut r = Response::new(Body::from_stream(
        tokio_stream::wrappers::ReceiverStream::new(rx),
    ));
    stream_headers(&mut r);
    r
}

type Tx = mpsc::Sender<Result<Bytes, std::io::Error>>;

/// One subscriber: heartbeats and the batches it wants, until the client
/// goes, its token expires, or it falls behind the buffer.
async fn run(sim: Sim, auth: Auth, sub: Subscription, mut seq: u64, tx: Tx) {
    let broker = sim.store.events.clone();
    let mut wake = broker.watch();
    // `handleACLUpdates`: a token or policy change re-authenticates the
    // subscription, and one that fails is closed.
    let mut writes = sim.store.tx.subscribe();
    let acl_index = |sim: &Sim| sim.store.read(|c| c.table(Table::Acl));
    let mut acl_seen = acl_index(&sim);
    let period = Duration::from_millis(sim.opts.event_heartbeat_ms.max(1));
    let mut hb = tokio::time::interval(period);
    hb.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let heartbeat = || Ok(Bytes::from_static(b"{}\n"));
    // `NewJsonStream` queues a heartbeat before anything else.
    hb.tick().await;
    if tx.send(heartbeat()).await.is_err() {
        return;
    }
    let mut started = false;
    let (mut sent, mut lines) = (0u64, 0u32);
    loop {
        wake.borrow_and_update();
        // `event dropped from buffer`: the stream ends.
        let Some(items) = broker.since(seq, started) else {
            return;
        };
        for b in items {
            seq = b.seq() + 1;
            started = true;
            let Some(line) = sub.line(&b) else { continue };
            // `ErrTokenExpired` ends the stream before the next batch.
            let now = sim.clock.now();
            if auth
                .who
                .token
                .as_ref()
                .is_some_and(|t| AclState::expired(t, now))
            {
                return;
            }
            sent += line.len() as u64;
            lines += 1;
            if tx.send(Ok(Bytes::from(line))).await.is_err() {
                return;
            }
            // The fault flag: cut the stream as a flaky proxy would, but
            // after two batches at least, so that a client resuming at its
            // last index (sent again first) always gets further.
            if lines >= 2 && sim.opts.drop_stream_after.is_some_and(|n| sent >= n) {
                return;
            }
        }
        tokio::select! {
            _ = tx.closed() => return,
            _ = hb.tick() => {
                if tx.send(heartbeat()).await.is_err() {
                    return;
                }
            }
            r = wake.changed() => {
                if r.is_err() {
                    return;
                }
            }
            r = writes.changed() => {
                if r.is_err() {
                    return;
                }
                let now = acl_index(&sim);
                if now != acl_seen {
                    acl_seen = now;
                    let secret = auth.secret.as_deref();
                    if authorize(&sim, secret, &auth.ns, &sub.topics).is_none() {
                        return;
                    }
                }
            }
        }
    }
}
