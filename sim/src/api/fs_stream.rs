//! `fs/logs` and `fs/stream` with Nomad's framing: concatenated JSON frames,
//! base64 `Data`, at most 64 KiB of data per frame, `{}` heartbeats when
//! idle, `Offset` = the position after the frame's data, `origin`/`offset`,
//! `follow`, `plain=true`, and `FileEvent` on truncation.

use super::fs::{alloc_for_client, file_bytes, file_param, host_path, touch_logs};
use super::http::{err, parse_go_bool, Params};
use crate::acl::Caller;
use crate::error::{ApiError, ApiResult};
use crate::Sim;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::response::Response;
use bytes::Bytes;
use nomad_model::frames::{encode_file_event, encode_frame};
use std::time::Duration;
use tokio::sync::mpsc;

pub const FRAME_DATA_MAX: usize = 64 * 1024;
const HEARTBEAT: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(200);

/// What is being streamed.
#[derive(Clone)]
enum Source {
    Log {
        alloc: String,
        task: String,
        stdout: bool,
    },
    Static(Vec<u8>),
}

/// The file's length, its bytes from `from` on (from 0 when its generation
/// is no longer `gen_seen`: it was truncated), its generation, and whether
/// its task still runs. Copies only the part not yet sent.
fn snapshot(
    sim: &Sim,
    src: &Source,
    from: usize,
    gen_seen: Option<u64>,
) -> (usize, Vec<u8>, u64, bool) {
    let tail = |buf: &[u8], gen: u64| {
        let from = if gen_seen.is_some_and(|g| g != gen) {
            0
        } else {
            from.min(buf.len())
        };
        buf[from..].to_vec()
    };
    match src {
        Source::Static(b) => (b.len(), tail(b, 0), 0, false),
        Source::Log {
            alloc,
            task,
            stdout,
        } => sim.store.read(|c| {
            let running = c
                .allocs
                .get(alloc)
                .and_then(|a| a.task_states.get(task))
                .is_some_and(|s| s.state != "dead");
            match c.logs.get(&(alloc.clone(), task.clone())) {
                Some(l) if *stdout => (
                    l.stdout.len(),
                    tail(&l.stdout, l.stdout_gen),
                    l.stdout_gen,
                    running,
                ),
                Some(l) => (
                    l.stderr.len(),
                    tail(&l.stderr, l.stderr_gen),
                    l.stderr_gen,
                    running,
                ),
                None => (0, vec![], 0, running),
            }
        }),
    }
}

/// A boolean stream parameter; `code` is what the handler answers for a
/// bad value (400 for logs, 500 for stream).
fn flag(q: &Params, k: &str, default: bool, code: u16) -> ApiResult<bool> {
    match q.get(k) {
        None | Some("") => Ok(default),
        Some(v) => parse_go_bool(v).ok_or_else(|| {
            err(
                code,
                format!("failed to parse {k} field to boolean: strconv.ParseBool: parsing {v:?}: invalid syntax"),
            )
        }),
    }
}

/// `offset` and `origin`, with the agent's texts.
fn position(q: &Params, code: u16) -> ApiResult<(i64, bool)> {
    let offset: i64 = match q.get("offset") {
        None | Some("") => 0,
        Some(v) => v.parse().map_err(|_| {
            err(
                code,
                format!("error parsing offset: strconv.ParseInt: parsing {v:?}: invalid syntax"),
            )
        })?,
    };
    let from_end = match q.get("origin") {
        None | Some("") | Some("start") => false,
        Some("end") => true,
        Some(_) => return Err(err(400, "origin must be start or end")),
    };
    Ok((offset, from_end))
}

/// `fs/logs`: a task's stdout or stderr, `read-logs` or `read-fs`.
pub async fn fs_logs(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> Result<Response, ApiError> {
    let task = q.str("task").to_string();
    if task.is_empty() {
        return Err(err(400, "must provide task name"));
    }
    let stdout = match q.get("type") {
        Some("stdout") => true,
        Some("stderr") => false,
        _ => return Err(err(400, "must provide log type (stdout/stderr)")),
    };
    let follow = flag(&q, "follow", false, 400)?;
    let plain = flag(&q, "plain", false, 400)?;
    let (offset, from_end) = position(&q, 400)?;
    let a = alloc_for_client(&sim, &id)?;
    who.ns_any(&a.namespace, &["read-logs", "read-fs"])?;
    if !a.task_names().contains(&task) {
        return Err(err(400, format!("unknown task name {task:?}")));
    }
    let started = a
        .task_states
        .get(&task)
        .is_some_and(|s| s.started_at.is_set() || s.state != "pending");
    if !started {
        return Err(err(
            404,
            format!("task {task:?} not started yet. No logs available"),
        ));
    }
    touch_logs(&sim, &a, &task);
    let file = format!(
        "alloc/logs/{task}.{}.0",
        if stdout { "stdout" } else { "stderr" }
    );
    Ok(respond(
        sim,
        Source::Log {
            alloc: id,
            task,
            stdout,
        },
        file,
        follow,
        plain,
        offset,
        from_end,
    ))
}

/// `fs/stream`: any file, followed by default (`follow` defaults to true).
pub async fn fs_stream(
    State(sim): State<Sim>,
    who: Caller,
    Path(id): Path<String>,
    q: Params,
) -> Result<Response, ApiError> {
    let path = file_param(&q)?;
    let follow = flag(&q, "follow", true, 500)?;
    let (offset, from_end) = position(&q, 500)?;
    let plain = false;
    let clean = path.trim_start_matches('/').to_string();
    let log = clean.strip_prefix("alloc/logs/").and_then(|name| {
        let (rest, _) = name.rsplit_once('.')?;
        let (task, stream) = rest.rsplit_once('.')?;
        matches!(stream, "stdout" | "stderr").then(|| (task.to_string(), stream == "stdout"))
    });
    let a = alloc_for_client(&sim, &id)?;
    who.ns(&a.namespace, "read-fs")?;
    let src = match log {
        Some((task, stdout)) if a.task_names().contains(&task) => {
            touch_logs(&sim, &a, &task);
            Source::Log {
                alloc: id.clone(),
                task,
                stdout,
            }
        }
        Some(_) => {
            return Err(err(
                400,
                format!("stat {}: no such file or directory", host_path(&id, &path)),
            ))
        }
        None => Source::Static(file_bytes(&sim, &who, &id, &clean)?.1),
    };
    Ok(respond(sim, src, clean, follow, plain, offset, from_end))
}

fn respond(
    sim: Sim,
    src: Source,
    file: String,
    follow: bool,
    plain: bool,
    offset: i64,
    from_end: bool,
) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let drop_after = sim.opts.drop_stream_after;
    tokio::spawn(async move {
        let (len, _, mut gen, _) = snapshot(&sim, &src, usize::MAX, None);
        let mut pos: usize = if from_end {
            len.saturating_sub(offset.max(0) as usize)
        } else {
            (offset.max(0) as usize).min(len)
        };
        let mut sent_total: u64 = 0;
        let mut last_send = tokio::time::Instant::now();
        loop {
            let (len, tail, g, running) = snapshot(&sim, &src, pos, Some(gen));
            if g != gen {
                gen = g;
                pos = 0;
                if !plain {
                    let fe = encode_file_event(&file, "file truncated");
                    if tx.send(Ok(Bytes::from(fe))).await.is_err() {
                        return;
                    }
                }
            }
            if pos > len {
                pos = len;
            }
            // `tail` holds the file from `pos` on
            let base = pos;
            // under the drop fault, frames are small enough that several
            // complete ones fit before each cut, so a client resuming by
            // offset makes progress
            let frame_max = drop_after.map_or(FRAME_DATA_MAX, |d| {
                FRAME_DATA_MAX.min((d as usize / 4).max(64))
            });
            while pos < len {
                let end = (pos + frame_max).min(len);
                let chunk = &tail[pos - base..end - base];
                let out = if plain {
                    Bytes::copy_from_slice(chunk)
                } else {
                    Bytes::from(encode_frame(&file, end as u64, chunk))
                };
                let n = out.len() as u64;
                if let Some(limit) = drop_after {
                    if sent_total + n > limit {
                        // fault injection: cut the connection mid-frame
                        let cut = (limit - sent_total) as usize;
                        let _ = tx.send(Ok(out.slice(..cut.min(out.len())))).await;
                        // then reset the connection, as a failing proxy would
                        // (after a moment: a browser discards chunks it has
                        // queued but not yet handed to the page when a
                        // stream errors, and on a real network bytes arrive
                        // spread out, not all in the instant before a reset)
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        let _ = tx
                            .send(Err(std::io::Error::new(
                                std::io::ErrorKind::ConnectionReset,
                                "fault: stream dropped",
                            )))
                            .await;
                        return;
                    }
                }
                if tx.send(Ok(out)).await.is_err() {
                    return;
                }
                sent_total += n;
                pos = end;
                last_send = tokio::time::Instant::now();
            }
            if !follow {
                return;
            }
            if !running && matches!(src, Source::Static(_)) {
                // static files do not grow; keep the stream open with heartbeats
            }
            if last_send.elapsed() >= HEARTBEAT && !plain {
                if tx.send(Ok(Bytes::from_static(b"{}"))).await.is_err() {
                    return;
                }
                last_send = tokio::time::Instant::now();
            }
            tokio::time::sleep(POLL).await;
            if tx.is_closed() {
                return;
            }
        }
    });
    let mut r = Response::new(Body::from_stream(
        tokio_stream::wrappers::ReceiverStream::new(rx),
    ));
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static(if plain {
            "text/plain; charset=utf-8"
        } else {
            "application/json"
        }),
    );
    r
}
