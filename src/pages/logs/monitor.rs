//! An agent's own log (`/v1/agent/monitor`) in the log viewer: the same
//! frames as `fs/logs` (`"FileEvent":"log"` on each), but no file and no
//! offsets to resume from, so a dropped connection reconnects and says
//! that the lines in between are gone.

use super::shared::{Level, Shared};
use super::stream::AgentLog;
use crate::api::{paths, read_stream, Api, ApiErrorKind, StreamControl};
use crate::interop;
use leptos::prelude::*;
use nomad_model::frames::{FrameError, StreamEvent};
use nomad_model::logs::{LineAssembler, Stream};
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

fn query(a: &AgentLog) -> Vec<(&'static str, String)> {
    let mut q = vec![("log_level", a.level.clone())];
    if !a.node_id.is_empty() {
        q.push(("node_id", a.node_id.clone()));
    } else if !a.server_id.is_empty() {
        q.push(("server_id", a.server_id.clone()));
    }
    q
}

pub async fn run_monitor(
    api: Api,
    sh: Shared,
    a: AgentLog,
    ctl: Rc<StreamControl>,
    alive: Rc<Cell<bool>>,
) {
    let key = super::stream::LogSource::Agent(a.clone()).key();
    let idx = sh.src_of(&key);
    let q = query(&a);
    let mut backoff = 500u64;
    let mut connections = 0u32;
    while alive.get() {
        let mut asm = LineAssembler::new();
        let mut raw = vec![];
        let mut resume = None;
        if connections > 0 {
            sh.notice(
                idx,
                "— reconnected: lines logged while disconnected are not shown —".into(),
            );
        }
        connections += 1;
        let result = read_stream(
            &api,
            paths::AGENT_MONITOR,
            &q,
            &ctl,
            &mut resume,
            |events| {
                for ev in events.drain(..) {
                    match ev {
                        StreamEvent::Data { start, bytes, .. } => asm.push(start, &bytes, &mut raw),
                        StreamEvent::FileEvent { .. } | StreamEvent::Heartbeat => {}
                        StreamEvent::Error(FrameError::Truncated(_)) => {}
                        StreamEvent::Error(e) => sh.frame_error(e.to_string()),
                    }
                }
                if !raw.is_empty() {
                    backoff = 500;
                    sh.flush(idx, Stream::Stdout, "", &mut raw);
                }
            },
        )
        .await;
        asm.finish(&mut raw);
        sh.flush(idx, Stream::Stdout, "", &mut raw);
        if !alive.get() {
            return;
        }
        match result {
            Err(e) if e.kind == ApiErrorKind::Aborted => return,
            Err(e) if e.is_auth() => {
                sh.set_status(
                    "agent log",
                    Level::Error,
                    format!("{e} — an agent's log needs a token with agent:read"),
                );
                return;
            }
            Err(e) if matches!(e.kind, ApiErrorKind::BadRequest | ApiErrorKind::NotFound) => {
                sh.set_status("agent log", Level::Error, e.to_string());
                return;
            }
            Err(e) => {
                sh.reconnects.try_update(|n| *n += 1);
                sh.set_status("agent log", Level::Warn, format!("{e}; reconnecting"));
            }
            Ok(_) => sh.set_status(
                "agent log",
                Level::Warn,
                "the agent closed the stream; reconnecting",
            ),
        }
        interop::sleep(Duration::from_millis(backoff)).await;
        backoff = (backoff * 2).min(8000);
        sh.set_status("agent log", Level::Ok, "");
    }
}
