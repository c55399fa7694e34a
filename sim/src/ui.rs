//! Serves the built Yurt bundle at `/ui/` like the agent does: `/` redirects
//! there, and unknown paths under `/ui/` get `index.html` so deep links work.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use std::path::{Component, PathBuf};

/// The content security policy the bundle is served with, here and in
/// `deploy/nginx.conf` (a test keeps the two the same): no inline script
/// or style, no `eval`, only WebAssembly's compile; requests to this
/// origin only; never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; font-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The security headers of every file of the bundle.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

pub fn routes(dir: Option<PathBuf>) -> Router {
    let r = Router::new().route("/", get(|| async { Redirect::temporary("/ui/") }));
    match dir {
        None => r.route(
            "/ui/",
            get(|| async {
                (
                    StatusCode::NOT_FOUND,
                    "nomad-sim was started without --ui DIR",
                )
            }),
        ),
        Some(dir) => {
            let d2 = dir.clone();
            r.route("/ui", get(|| async { Redirect::permanent("/ui/") }))
                .route("/ui/", get(move |uri: Uri| serve(dir.clone(), uri)))
                .route("/ui/{*rest}", get(move |uri: Uri| serve(d2.clone(), uri)))
        }
    }
}

async fn serve(dir: PathBuf, uri: Uri) -> Response {
    let rel = uri.path().trim_start_matches("/ui").trim_start_matches('/');
    let mut path = dir.clone();
    for c in std::path::Path::new(rel).components() {
        if let Component::Normal(p) = c {
            path.push(p);
        }
    }
    // a missing module of the bundle is a 404, not the app's page: the
    // chunk loader must see a failed fetch, not HTML it cannot instantiate
    if rel.starts_with("app-") && !path.is_file() {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let (path, is_index) = if rel.is_empty() || !path.is_file() {
        (dir.join("index.html"), true)
    } else {
        (path, false)
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            let mut r = Response::new(Body::from(bytes));
            if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            let cache = if is_index {
                "no-cache"
            } else {
                "public, max-age=31536000, immutable"
            };
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            for (k, v) in SECURITY_HEADERS {
                r.headers_mut().insert(k, HeaderValue::from_static(v));
            }
            r
        }
        Err(_) => (
            StatusCode::NOT_FOUND,
            "UI bundle not found; build it with scripts/build-ui.sh",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    /// The shipped nginx config sends the same policy and headers.
    #[test]
    fn deploy_nginx_conf_sends_the_same_security_headers() {
        let conf = include_str!("../../deploy/nginx.conf").to_lowercase();
        for (k, v) in super::SECURITY_HEADERS {
            let line = format!("add_header {k} \"{}\" always;", v.to_lowercase());
            assert!(conf.contains(&line), "deploy/nginx.conf lacks {line}");
        }
    }
}
