//! `fs/logs` and `fs/stream` with Nomad's framing: concatenated JSON frames,
//! base64 `Data`, at most 64 KiB of data per frame, `{}` heartbeats when
//! idle, `Offset` = the position after the frame's data, `origin`/`offset`,
//! `follow`, `plain=true`, and `FileEvent` on truncation.

use crate::api::{acl, alloc_for_stream, err, fs_entry, touch_logs, ApiErr, Q};
use crate::logs::FsEntry;
use crate::Sim;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use bytes::Bytes;
use nomad_model::frames::{encode_file_event, encode_frame};
use std::collections::HashMap;
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

fn params(q: &HashMap<String, String>) -> Result<(bool, bool, i64, bool), ApiErr> {
    let follow = q.get("follow").is_some_and(|v| v == "true");
    let plain = q.get("plain").is_some_and(|v| v == "true");
    let offset: i64 = match q.get("offset") {
        None => 0,
        Some(v) => v
            .parse()
            .map_err(|_| err(400, &format!("Failed to parse offset {v:?}")))?,
    };
    let from_end = match q.get("origin").map(String::as_str) {
        None | Some("") | Some("start") => false,
        Some("end") => true,
        Some(o) => return Err(err(400, &format!("Unknown origin {o:?}"))),
    };
    Ok((follow, plain, offset, from_end))
}

pub async fn fs_logs(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    axum::extract::Query(q): Q,
) -> Result<Response, ApiErr> {
    acl(&sim, &h, false)?;
    let task = q.get("task").cloned().unwrap_or_default();
    if task.is_empty() {
        return Err(err(400, "must provide task name"));
    }
    let stdout = match q.get("type").map(String::as_str) {
        Some("stdout") => true,
        Some("stderr") => false,
        _ => return Err(err(400, "must provide log type (stdout/stderr)")),
    };
    let a = alloc_for_stream(&sim, &id)?;
    if !a.task_names().contains(&task) {
        return Err(err(400, &format!("unknown task name {task:?}")));
    }
    touch_logs(&sim, &a, &task);
    let (follow, plain, offset, from_end) = params(&q)?;
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

pub async fn fs_stream(
    State(sim): State<Sim>,
    h: HeaderMap,
    Path(id): Path<String>,
    axum::extract::Query(q): Q,
) -> Result<Response, ApiErr> {
    acl(&sim, &h, false)?;
    let path = q.get("path").cloned().unwrap_or_default();
    if path.is_empty() {
        return Err(err(400, "must provide a file path"));
    }
    // fs/stream has no `follow`: like the agent, it streams until the
    // client goes away
    let (_, plain, offset, from_end) = params(&q)?;
    let follow = true;
    let clean = path.trim_start_matches('/').to_string();
    let src = if let Some(name) = clean.strip_prefix("alloc/logs/") {
        let (rest, _) = name
            .rsplit_once('.')
            .ok_or_else(|| err(404, "file not found"))?;
        let (task, stream) = rest
            .rsplit_once('.')
            .ok_or_else(|| err(404, "file not found"))?;
        let a = alloc_for_stream(&sim, &id)?;
        if !a.task_names().iter().any(|t| t == task) || !matches!(stream, "stdout" | "stderr") {
            return Err(err(404, &format!("stat {path}: no such file or directory")));
        }
        touch_logs(&sim, &a, task);
        Source::Log {
            alloc: id.clone(),
            task: task.to_string(),
            stdout: stream == "stdout",
        }
    } else {
        match fs_entry(&sim, &id, &clean)?.1 {
            FsEntry::File(b) => Source::Static(b),
            FsEntry::Dir(_) => return Err(err(400, &format!("file {path:?} is a directory"))),
        }
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
