//! The `/v1/` HTTP API with Nomad 2.0.5's shapes, status codes, plain-text
//! errors and blocking-query headers, one module per resource. What every
//! handler shares (query parsing, the caller's ACL, bodies, responses) is
//! in [`http`].

pub mod acl;
pub mod allocations;
pub mod client;
pub mod deployments;
pub mod evaluations;
pub mod events;
pub mod exec;
pub mod fs;
pub mod fs_stream;
pub mod http;
pub mod job_tools;
pub mod job_write;
pub mod jobs;
pub mod monitor;
pub mod nodes;
pub mod operator;
pub mod plan;
pub mod pools;
pub mod search;
pub mod services;
pub mod statuses;
pub mod vars;

use crate::error::ApiError;
use crate::Sim;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

pub fn routes() -> Router<Sim> {
    Router::new()
        .merge(jobs::routes())
        .merge(job_write::routes())
        .merge(job_tools::routes())
        .merge(plan::routes())
        .merge(statuses::routes())
        .merge(allocations::routes())
        .merge(client::routes())
        .merge(fs::routes())
        .merge(exec::routes())
        .merge(evaluations::routes())
        .merge(deployments::routes())
        .merge(events::routes())
        .merge(nodes::routes())
        .merge(pools::routes())
        .merge(operator::routes())
        .merge(monitor::routes())
        .merge(acl::routes())
        .merge(vars::routes())
        .merge(search::routes())
        .merge(services::routes())
        .method_not_allowed_fallback(|| async { ApiError::invalid_method() })
}

/// A path no handler takes. The agent's mux has a `/` handler
/// (`handleRootFallthrough`), so unknown paths get a bare 404; the prefix
/// handlers answer their own sub-paths (`resource not found` under
/// allocations, `job not found` for a job ID that swallowed the rest).
pub async fn not_found(req: axum::extract::Request) -> Response {
    let path = req.uri().path();
    let text = if path.starts_with("/v1/allocation/") || path.starts_with("/v1/client/allocation/")
    {
        "resource not found"
    } else if path.starts_with("/v1/job/") && req.method() == axum::http::Method::GET {
        "job not found"
    } else if path.starts_with("/v1/deployment/") && req.method() == axum::http::Method::GET {
        "deployment not found"
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut r = (StatusCode::NOT_FOUND, text).into_response();
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}
