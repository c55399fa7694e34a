//! The streaming reader: reads `fs/logs` / `fs/stream` over fetch's
//! `ReadableStream`, feeds every chunk to the `nomad-model` frame decoder and
//! hands decoded events to the caller as they arrive. It keeps the last
//! `Offset` so a caller can resume exactly where a dropped stream ended.

use super::client::Api;
use super::error::ApiError;
use crate::interop::Abort;
use nomad_model::frames::{FrameDecoder, StreamEvent};

/// Where a stream ended and why.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamEnd {
    /// File position after the last data received: resume with
    /// `offset=<this>&origin=start`.
    pub offset: Option<u64>,
    /// Bytes received on the wire.
    pub wire_bytes: u64,
}

/// A running stream that can be aborted.
pub struct StreamControl {
    abort: Option<Abort>,
}

impl StreamControl {
    pub fn new() -> Self {
        StreamControl {
            abort: Abort::new(),
        }
    }
    pub fn abort(&self) {
        if let Some(a) = &self.abort {
            a.abort();
        }
    }
    /// The signal to pass to fetch.
    pub fn signal(&self) -> Option<crate::interop::AbortSignal> {
        self.abort.as_ref().map(|a| a.signal())
    }
}

impl Default for StreamControl {
    fn default() -> Self {
        Self::new()
    }
}

/// Streams `path?query` until the server closes it, an error occurs, or it
/// is aborted through `ctl`. `on_events` receives each chunk's events.
/// A transport error after some data is reported as `Err`, but the offset
/// reached is kept in `resume_from` for the reconnect.
pub async fn read_stream(
    api: &Api,
    path: &str,
    query: &[(&str, String)],
    ctl: &StreamControl,
    resume_from: &mut Option<u64>,
    mut on_events: impl FnMut(&mut Vec<StreamEvent>),
) -> Result<StreamEnd, ApiError> {
    let signal = ctl.abort.as_ref().map(|a| a.signal());
    let reader = api.open_stream(path, query, signal.as_ref()).await?;
    let mut decoder = FrameDecoder::new();
    let mut events = Vec::with_capacity(64);
    let mut wire_bytes = 0u64;
    loop {
        match reader.next().await {
            Ok(Some(chunk)) => {
                wire_bytes += chunk.len() as u64;
                decoder.push(&chunk, &mut events);
                if let Some(o) = decoder.offset() {
                    *resume_from = Some(o);
                }
                if !events.is_empty() {
                    on_events(&mut events);
                    events.clear();
                }
            }
            Ok(None) => {
                decoder.finish(&mut events);
                if !events.is_empty() {
                    on_events(&mut events);
                }
                return Ok(StreamEnd {
                    offset: decoder.offset(),
                    wire_bytes,
                });
            }
            Err(e) => {
                reader.cancel();
                decoder.finish(&mut events);
                if !events.is_empty() {
                    on_events(&mut events);
                }
                return Err(if crate::interop::is_abort(&e) {
                    ApiError::aborted(path)
                } else {
                    ApiError::network(format!("stream dropped: {e}"), path)
                });
            }
        }
    }
}
