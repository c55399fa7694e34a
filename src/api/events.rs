//! Following `/v1/event/stream`: ndjson read over fetch's stream, decoded
//! by `nomad-model`, reconnected with backoff from the last index after a
//! drop. A refusal ends the subscription with an error, so the caller can
//! say so and fall back: an agent without the endpoint (before 1.0) answers
//! 404; a token without the topics' capability gets 403 where the agent
//! can still code it, but over plain HTTP/1.1 Nomad 2.x has already
//! answered 200 and closes the stream empty (`command/agent/
//! event_endpoint.go` takes over the connection first), so a stream that
//! ends without a single byte is read as that refusal.

use super::client::Api;
use super::error::{ApiError, ApiErrorKind};
use super::paths;
use super::stream::StreamControl;
use crate::interop;
use nomad_model::events::{EventDecoder, StreamItem, Subscription};
use std::time::Duration;

/// How a subscription is doing, for the live-mode indicator.
#[derive(Clone, Debug, PartialEq)]
pub enum Liveness {
    Connecting,
    Live,
    /// Dropped; reconnecting from the last index.
    Reconnecting(u32),
    /// Refused or absent: the error says why.
    Unavailable(ApiError),
}

/// Streams `sub` from `from` (0: what the agent holds) until aborted
/// through `ctl` or refused; `on_items` gets each chunk's lines,
/// `on_state` every change of liveness.
pub async fn follow_events(
    api: Api,
    sub: Subscription,
    from: u64,
    ctl: &StreamControl,
    mut on_items: impl FnMut(Vec<StreamItem>),
    mut on_state: impl FnMut(Liveness),
) {
    let mut decoder = EventDecoder::resume_after(from);
    let mut failures = 0u32;
    let mut first = true;
    loop {
        // The agent starts at the first batch at or after the index asked
        // for: the first connection asks for the one after `from` (the
        // caller has its effects, and a batch can be megabytes), a resume
        // for the last one seen, whose coming again shows no gap opened.
        let at = decoder.last_index();
        let q = sub.query(if first && at > 0 { at + 1 } else { at });
        first = false;
        on_state(if failures == 0 {
            Liveness::Connecting
        } else {
            Liveness::Reconnecting(failures)
        });
        let signal = ctl.signal();
        match api
            .open_stream(paths::EVENT_STREAM, &q, signal.as_ref())
            .await
        {
            Ok(reader) => {
                on_state(Liveness::Live);
                let mut received = 0usize;
                loop {
                    match reader.next().await {
                        Ok(Some(chunk)) => {
                            received += chunk.len();
                            failures = 0;
                            let mut out = vec![];
                            decoder.push(&chunk, &mut out);
                            if !out.is_empty() {
                                on_items(out);
                            }
                        }
                        Ok(None) if received == 0 => {
                            on_state(Liveness::Unavailable(refused()));
                            return;
                        }
                        Ok(None) => break,
                        Err(e) if interop::is_abort(&e) => return,
                        Err(_) => break,
                    }
                }
            }
            Err(e) if e.kind == ApiErrorKind::Aborted => return,
            Err(e)
                if e.is_auth()
                    || matches!(e.kind, ApiErrorKind::NotFound | ApiErrorKind::BadRequest) =>
            {
                on_state(Liveness::Unavailable(e));
                return;
            }
            Err(_) => {}
        }
        failures += 1;
        // 1 s, 2 s, 4 s … capped at 30 s between attempts.
        let wait = Duration::from_secs(1u64 << failures.min(5)).min(Duration::from_secs(30));
        interop::sleep(wait).await;
    }
}

/// How Nomad 2.x refuses a stream over HTTP/1.1: 200, then nothing.
fn refused() -> ApiError {
    ApiError {
        kind: ApiErrorKind::Forbidden,
        status: 200,
        message: "The agent closed the event stream without sending anything: this token may not read these topics.".into(),
        path: paths::EVENT_STREAM.into(),
    }
}
