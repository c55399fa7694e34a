//! `--proxy URL`: forwards `/v1/` to a real agent, streaming responses
//! through unbuffered (log streams and blocking queries pass as they come),
//! and websocket upgrades (exec) as a byte tunnel once both sides switched.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use futures_util::TryStreamExt;

#[derive(Clone)]
struct Proxy {
    target: String,
    client: reqwest::Client,
}

pub fn routes(target: String, insecure: bool) -> Router {
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(insecure)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client");
    let p = Proxy {
        target: target.trim_end_matches('/').to_string(),
        client,
    };
    Router::new()
        .route("/v1/{*rest}", any(forward))
        .with_state(p)
}

const HOP: [&str; 6] = [
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

async fn forward(State(p): State<Proxy>, mut req: Request) -> Response {
    let upgrade = req.headers().contains_key("upgrade");
    let downstream = upgrade.then(|| hyper::upgrade::on(&mut req));
    let pq = req
        .uri()
        .path_and_query()
        .map(|x| x.as_str().to_string())
        .unwrap_or_default();
    let url = format!("{}{pq}", p.target);
    let method = req.method().clone();
    let mut rb = p.client.request(method, &url);
    for (k, v) in req.headers() {
        // An upgrade must carry `Connection` and `Upgrade` to the agent.
        let hop = HOP.contains(&k.as_str())
            && !(upgrade && matches!(k.as_str(), "connection" | "upgrade"));
        if !hop {
            rb = rb.header(k, v);
        }
    }
    let body = req.into_body().into_data_stream();
    rb = rb.body(reqwest::Body::wrap_stream(body));
    match rb.send().await {
        Ok(resp) => {
            let status = resp.status();
            let switching = status == reqwest::StatusCode::SWITCHING_PROTOCOLS;
            let mut out = Response::builder().status(status.as_u16());
            for (k, v) in resp.headers() {
                if !HOP.contains(&k.as_str())
                    || (switching && matches!(k.as_str(), "connection" | "upgrade"))
                {
                    if let Ok(name) = HeaderName::from_bytes(k.as_str().as_bytes()) {
                        out = out.header(name, v.as_bytes());
                    }
                }
            }
            if let (true, Some(down)) = (switching, downstream) {
                tokio::spawn(tunnel(resp, down));
                return out
                    .body(Body::empty())
                    .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response());
            }
            let stream = resp.bytes_stream().map_err(std::io::Error::other);
            out.body(Body::from_stream(stream))
                .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
        }
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            format!("nomad-sim proxy: cannot reach {}: {e}", p.target),
        )
            .into_response(),
    }
}

/// Copies bytes both ways between the browser's upgraded connection and the
/// agent's until either side closes.
async fn tunnel(resp: reqwest::Response, down: hyper::upgrade::OnUpgrade) {
    let (Ok(mut up), Ok(down)) = (resp.upgrade().await, down.await) else {
        return;
    };
    let mut down = hyper_util::rt::TokioIo::new(down);
    let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
}
