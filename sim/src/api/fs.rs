//! The allocation file system (`command/agent/fs_endpoint.go`,
//! `client/fs_endpoint.go`): ls, stat, cat and readat. Paths resolve under
//! the client's allocation directory, whose host path appears in the OS
//! errors as it does on a real client.

use super::http::{err, json_index, Params, R};
use crate::acl::Caller;
use crate::error::{ApiError, ApiResult};
use crate::logs::{ensure_logs, fs_lookup, FsEntry};
use crate::Sim;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use nomad_model::*;

/// Where a simulated client keeps allocation directories.
pub const ALLOC_DIR: &str = "/var/lib/nomad/alloc";

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/client/fs/ls/{id}", get(fs_ls))
        .route("/v1/client/fs/stat/{id}", get(fs_stat))
        .route("/v1/client/fs/cat/{id}", get(fs_cat))
        .route("/v1/client/fs/readat/{id}", get(fs_readat))
        .route(
            "/v1/client/fs/stream/{id}",
            get(super::fs_stream::fs_stream),
        )
        .route("/v1/client/fs/logs/{id}", get(super::fs_stream::fs_logs))
}

/// The allocation a client endpoint names: `Unknown allocation "<id>"`
/// (`structs.NewErrUnknownAllocation`) when there is none.
pub fn alloc_for_client(sim: &Sim, id: &str) -> ApiResult<Allocation> {
    sim.store
        .read(|c| c.allocs.get(id).cloned())
        .ok_or_else(|| err(404, format!("Unknown allocation {id:?}")))
}

/// The host path of `path` inside an allocation's directory.
pub fn host_path(alloc: &str, path: &str) -> String {
    let p = path.trim_start_matches('/');
    if p.is_empty() {
        format!("{ALLOC_DIR}/{alloc}")
    } else {
        format!("{ALLOC_DIR}/{alloc}/{p}")
    }
}

fn mod_time(a: &Allocation) -> WallTime {
    WallTime::from_unix_nanos(a.modify_time.0.max(a.create_time.0))
}

/// The entry at `path`, or `None`; checks `read-fs` on the allocation.
pub fn lookup(
    sim: &Sim,
    who: &Caller,
    id: &str,
    path: &str,
) -> ApiResult<(Allocation, Option<FsEntry>)> {
    let a = alloc_for_client(sim, id)?;
    who.ns(&a.namespace, "read-fs")?;
    let e = sim.store.write(|c| fs_lookup(c, &a, path));
    Ok((a, e))
}

/// `path`, required by stat, cat, readat and stream.
pub fn file_param(q: &Params) -> ApiResult<String> {
    match q.get("path") {
        None | Some("") => Err(err(400, "must provide a file name")),
        Some(p) => Ok(p.to_string()),
    }
}

/// The bytes of a regular file, with the errors the streaming RPC codes
/// as 400 (a missing file, a directory).
pub fn file_bytes(
    sim: &Sim,
    who: &Caller,
    id: &str,
    path: &str,
) -> ApiResult<(Allocation, Vec<u8>)> {
    match lookup(sim, who, id, path)? {
        (a, Some(FsEntry::File(b))) => Ok((a, b)),
        (_, Some(FsEntry::Dir(_))) => Err(err(400, format!("file {path:?} is a directory"))),
        (a, None) => Err(err(
            400,
            format!("stat {}: no such file or directory", host_path(&a.id, path)),
        )),
    }
}

fn info(
    name: String,
    is_dir: bool,
    size: u64,
    a: &Allocation,
    content_type: &str,
) -> AllocFileInfo {
    AllocFileInfo {
        name,
        is_dir,
        size,
        file_mode: if is_dir { "drwxrwxrwx" } else { "-rw-r--r--" }.into(),
        mod_time: mod_time(a),
        content_type: content_type.into(),
    }
}

async fn fs_ls(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let path = q
        .get("path")
        .filter(|p| !p.is_empty())
        .unwrap_or("/")
        .to_string();
    match lookup(&sim, &who, &id, &path)? {
        (a, Some(FsEntry::Dir(v))) => {
            let list: Vec<AllocFileInfo> = v
                .into_iter()
                .map(|(name, is_dir, size)| info(name, is_dir, size, &a, ""))
                .collect();
            Ok(json_index(&list, 0))
        }
        (a, Some(FsEntry::File(_))) => Err(err(
            500,
            format!("readdirent {}: not a directory", host_path(&a.id, &path)),
        )),
        (a, None) => Err(err(
            404,
            format!(
                "open {}: no such file or directory",
                host_path(&a.id, &path)
            ),
        )),
    }
}

async fn fs_stat(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let path = file_param(&q)?;
    let (a, e) = lookup(&sim, &who, &id, &path)?;
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string();
    let fi = match e {
        Some(FsEntry::Dir(_)) => info(name, true, 4096, &a, "application/octet-stream"),
        Some(FsEntry::File(b)) => info(name, false, b.len() as u64, &a, sniff(&b)),
        None => {
            return Err(err(
                404,
                format!(
                    "stat {}: no such file or directory",
                    host_path(&a.id, &path)
                ),
            ))
        }
    };
    Ok(json_index(&fi, 0))
}

/// `http.DetectContentType` for what the simulated files hold.
fn sniff(b: &[u8]) -> &'static str {
    if b.starts_with(b"\x89PNG") {
        "image/png"
    } else if b.starts_with(b"BM") {
        "image/bmp"
    } else if b.iter().take(512).any(|c| *c == 0) {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// Raw file bytes; `wrapUntrustedContent` never lets them be HTML.
fn raw(bytes: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

async fn fs_cat(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let path = file_param(&q)?;
    Ok(raw(file_bytes(&sim, &who, &id, &path)?.1))
}

/// `strconv.ParseInt` with the agent's wording for `offset` and `limit`.
fn int_param(q: &Params, k: &str) -> ApiResult<i64> {
    let v = q.str(k);
    v.parse::<i64>().map_err(|_| {
        ApiError::internal(format!(
            "error parsing {k}: strconv.ParseInt: parsing {v:?}: invalid syntax"
        ))
    })
}

async fn fs_readat(State(sim): State<Sim>, who: Caller, Path(id): Path<String>, q: Params) -> R {
    let path = file_param(&q)?;
    let offset = int_param(&q, "offset")?.max(0) as usize;
    // `limit` is optional: 0 reads to the end.
    let limit = if q.str("limit").is_empty() {
        0
    } else {
        int_param(&q, "limit")?
    };
    let (_, b) = file_bytes(&sim, &who, &id, &path)?;
    let start = offset.min(b.len());
    let end = if limit <= 0 {
        b.len()
    } else {
        start.saturating_add(limit as usize).min(b.len())
    };
    Ok(raw(b[start..end].to_vec()))
}

/// Makes sure a task's log buffer exists (used by the stream handlers).
pub fn touch_logs(sim: &Sim, a: &Allocation, task: &str) {
    sim.store.write(|c| {
        ensure_logs(c, a, task);
    });
}
