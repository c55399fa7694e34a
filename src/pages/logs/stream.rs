//! Stream supervision: one `fs/logs` follow stream per (allocation,
//! stream), started and stopped as allocations join and leave the view.
//! Frames are decoded in the browser; a dropped connection resumes after
//! the last complete frame's offset, so no byte is lost or repeated.

use super::choice::StreamChoice;
use super::shared::{Level, Shared};
use crate::api::{logs_path, logs_query, read_stream, Api, ApiError, ApiErrorKind, StreamControl};
use crate::interop;
use leptos::prelude::*;
use nomad_model::format;
use nomad_model::frames::{FrameError, StreamEvent};
use nomad_model::logs::{self, LineAssembler, Stream};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Duration;

/// What a viewer streams: a task's log, or an agent's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogSource {
    Task { alloc: String, task: String },
    Agent(AgentLog),
}

/// An agent's log (`/v1/agent/monitor`) at a level and above: a client's
/// (`node_id`), a server's (`server_id`), or, with neither, the agent's
/// that answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentLog {
    pub node_id: String,
    pub server_id: String,
    pub level: String,
}

impl LogSource {
    pub fn task(alloc: &str, task: &str) -> Self {
        LogSource::Task {
            alloc: alloc.to_string(),
            task: task.to_string(),
        }
    }

    /// The line store's name for the source: the allocation, or the agent.
    pub fn key(&self) -> String {
        match self {
            LogSource::Task { alloc, .. } => alloc.clone(),
            LogSource::Agent(a) => format!("agent:{}:{}", a.node_id, a.server_id),
        }
    }

    /// The allocation and task, for what reads a task's log files.
    pub fn files(&self) -> Option<(&str, &str)> {
        match self {
            LogSource::Task { alloc, task } => Some((alloc, task)),
            LogSource::Agent(_) => None,
        }
    }

    /// A download's name, without the stream and extension.
    pub fn stem(&self) -> String {
        match self {
            LogSource::Task { alloc, task } => format!("{task}-{}", format::short_id(alloc)),
            LogSource::Agent(a) if !a.node_id.is_empty() => {
                format!("client-{}", format::short_id(&a.node_id))
            }
            LogSource::Agent(a) if !a.server_id.is_empty() => format!("server-{}", a.server_id),
            LogSource::Agent(_) => "agent".into(),
        }
    }
}

/// How far back from the end a tail starts.
const TAIL_BYTES: u64 = 256 * 1024;

/// The running streams, each with its abort handle and a flag its task
/// checks between connections (an abort ends a connection in flight, not
/// a backoff sleep).
type Running = HashMap<(String, Stream), (Rc<StreamControl>, Rc<Cell<bool>>)>;

/// Keeps one stream running per wanted (allocation, stream) until the
/// viewer goes away.
pub fn use_streams(
    api: Api,
    sh: Shared,
    sources: Signal<Vec<LogSource>>,
    choice: StreamChoice,
    multi: bool,
    origin_end: bool,
) {
    let kinds = choice.streams();
    let running: StoredValue<Running, LocalStorage> = StoredValue::new_local(HashMap::new());
    Effect::new(move |_| {
        let want = sources.get();
        running.update_value(|map| {
            let keep: HashSet<(String, Stream)> = want
                .iter()
                .flat_map(|s| kinds.iter().map(|k| (s.key(), *k)))
                .collect();
            map.retain(|(alloc, k), (ctl, alive)| {
                let stay = keep.contains(&(alloc.clone(), *k));
                if !stay {
                    alive.set(false);
                    ctl.abort();
                    // one notice per allocation, not one per stream
                    if multi && *k == kinds[0] {
                        let idx = sh.src_of(alloc);
                        sh.notice(
                            idx,
                            format!("— allocation {} left the view —", format::short_id(alloc)),
                        );
                    }
                }
                stay
            });
            for s in &want {
                sh.src_of(&s.key());
            }
            sh.registered.set(sh.allocs.with_value(|a| a.len()));
            for s in &want {
                for k in kinds {
                    let key = (s.key(), *k);
                    if map.contains_key(&key) {
                        continue;
                    }
                    let ctl = Rc::new(StreamControl::new());
                    let alive = Rc::new(Cell::new(true));
                    map.insert(key, (ctl.clone(), alive.clone()));
                    match s {
                        LogSource::Task { alloc, task } => leptos::task::spawn_local(run_stream(
                            api,
                            sh,
                            (alloc.clone(), task.clone()),
                            *k,
                            origin_end,
                            ctl,
                            alive,
                        )),
                        // an agent has one log, whatever the stream choice
                        LogSource::Agent(a) if *k == kinds[0] => leptos::task::spawn_local(
                            super::monitor::run_monitor(api, sh, a.clone(), ctl, alive),
                        ),
                        LogSource::Agent(_) => {}
                    }
                }
            }
        });
    });
    on_cleanup(move || {
        running.try_update_value(|map| {
            for (_, (ctl, alive)) in map.drain() {
                alive.set(false);
                ctl.abort();
            }
        });
    });
}

/// Streams one allocation task's stdout or stderr into the store until
/// `ctl` is aborted, reconnecting after drops from the last offset.
async fn run_stream(
    api: Api,
    sh: Shared,
    (alloc, task): (String, String),
    stream: Stream,
    origin_end: bool,
    ctl: Rc<StreamControl>,
    alive: Rc<Cell<bool>>,
) {
    let stdout = stream == Stream::Stdout;
    let idx = sh.src_of(&alloc);
    let key = format!("{} {} {}", format::short_id(&alloc), task, stream.as_str());
    let path = logs_path(&alloc);
    let mut asm = LineAssembler::new();
    let mut resume: Option<u64> = None;
    let mut file = String::new();
    let mut backoff = 500u64;
    let mut got_data = false;
    while alive.get() {
        // the first connection starts at the tail (or head); later ones
        // continue exactly after the last complete frame
        let (from_end, offset) = match resume {
            None => (origin_end, if origin_end { TAIL_BYTES } else { 0 }),
            Some(o) => (false, global_offset(&api, &alloc, &file, o).await),
        };
        let q = logs_query(&task, stdout, true, from_end, offset);
        let mut raw = vec![];
        let mut cut = false;
        let before = resume;
        let result = read_stream(&api, &path, &q, &ctl, &mut resume, |events| {
            for ev in events.drain(..) {
                match ev {
                    StreamEvent::Data {
                        file: f,
                        start,
                        bytes,
                        ..
                    } => {
                        asm.push(start, &bytes, &mut raw);
                        if f != file {
                            file = f;
                        }
                    }
                    StreamEvent::FileEvent { file: f, event } => {
                        asm.finish(&mut raw);
                        sh.flush(idx, stream, &file, &mut raw);
                        asm.reset();
                        sh.notice(idx, format!("— {f}: {event}; reading from its start —"));
                    }
                    StreamEvent::Heartbeat => {}
                    // the connection ended inside a frame: a drop, resumed below
                    StreamEvent::Error(FrameError::Truncated(_)) => cut = true,
                    StreamEvent::Error(e) => sh.frame_error(e.to_string()),
                }
            }
            if !raw.is_empty() {
                got_data = true;
                sh.flush(idx, stream, &file, &mut raw);
                let seen = sh.invalid_utf8.try_get_untracked().unwrap_or(0);
                sh.invalid_utf8.try_set(seen.max(asm.invalid_lines));
            }
        })
        .await;
        if !alive.get() {
            return;
        }
        let result = match result {
            Ok(_) if cut => Err(ApiError::network("the stream ended inside a frame", &path)),
            r => r,
        };
        match result {
            Ok(_) => {
                // The agent closed a follow stream: the task's log is
                // complete (the task stopped) or the agent restarted.
                asm.finish(&mut raw);
                sh.flush(idx, stream, &file, &mut raw);
                sh.set_status(
                    &key,
                    Level::Ok,
                    "stream closed by the agent; checking again in 5 s",
                );
                interop::sleep(Duration::from_secs(5)).await;
                sh.set_status(&key, Level::Ok, "");
            }
            Err(e) if e.kind == ApiErrorKind::Aborted => return,
            Err(e) if e.kind == ApiErrorKind::NotFound => {
                sh.set_status(
                    &key,
                    Level::Warn,
                    if got_data {
                        "the log file is gone (the allocation may have been garbage-collected)".to_string()
                    } else {
                        "no logs yet: the task may not have started, or log collection is disabled for it (disable_log_collection); retrying".to_string()
                    },
                );
                interop::sleep(Duration::from_secs(3)).await;
            }
            Err(e) if e.is_auth() => {
                sh.set_status(&key, Level::Error, format!("{e} — reading logs needs the read-logs capability in this namespace; set a token under Settings → ACL token"));
                return;
            }
            Err(e) if e.kind == ApiErrorKind::BadRequest => {
                // e.g. a task that is not in this allocation: retrying won't help
                sh.set_status(&key, Level::Error, e.to_string());
                return;
            }
            Err(e) => {
                sh.reconnects.try_update(|n| *n += 1);
                let at = resume
                    .map(|o| format!(" from offset {o}"))
                    .unwrap_or_default();
                sh.set_status(&key, Level::Warn, format!("{e}; reconnecting{at}"));
                // a connection that made progress earns a quick retry
                if resume != before {
                    backoff = 500;
                }
                interop::sleep(Duration::from_millis(backoff)).await;
                backoff = (backoff * 2).min(8000);
                continue;
            }
        }
        sh.set_status(&key, Level::Ok, "");
    }
}

/// `fs/logs` counts offsets across a task's rotated files from the oldest
/// present; frames count within their own file.
async fn global_offset(api: &Api, alloc: &str, file: &str, offset: u64) -> u64 {
    let rotated = file.rsplit('.').next().is_some_and(|n| n != "0");
    if !rotated {
        return offset;
    }
    match api.fs_ls(alloc, "alloc/logs").await {
        Ok(files) => {
            let sizes: Vec<(String, u64)> = files.into_iter().map(|f| (f.name, f.size)).collect();
            logs::resume_offset(file, offset, &sizes)
        }
        // without the sizes, the frame's own offset is the best guess
        Err(_) => offset,
    }
}

/// What the streams report: undecodable bytes and frames, and each
/// stream's status.
#[component]
pub fn StreamNotices(sh: Shared) -> impl IntoView {
    let (invalid, frame_errors, status) = (sh.invalid_utf8, sh.frame_errors, sh.status);
    view! {
        {move || (invalid.get() > 0 || !frame_errors.get().is_empty()).then(|| view! {
            <div class="banner warn" data-testid="log-decode-notice">
                {(invalid.get() > 0).then(|| format!("{} line(s) held invalid UTF-8, shown as \u{FFFD}. ", invalid.get()))}
                {frame_errors.get().join(" · ")}
            </div>
        })}
        {move || status.with(|m| (!m.is_empty()).then(|| view! {
            <ul class="log-status" data-testid="log-status">
                {m.iter().map(|(k, (lvl, msg))| view! {
                    <li class=lvl.class()><strong>{k.clone()}</strong>": "{msg.clone()}</li>
                }).collect_view()}
            </ul>
        }))}
    }
}
