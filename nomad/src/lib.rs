//! `nomad-model`: typed, tolerant serde models of the Nomad HTTP API, plus
//! the pure logic Yurt needs (stream frame decoding, diff trees,
//! formatting). No web dependencies: tested natively.
//!
//! Every field is optional or defaulted, unknown fields are ignored, and
//! `null` reads as empty, because real agents and their docs disagree across
//! versions (see `../shared/nomad-samples/MANIFEST.md`).

pub mod activity;
pub mod alloc;
pub mod chunks;
pub mod client;
pub mod cluster;
pub mod de;
pub mod diff;
pub mod diffcalc;
pub mod errors;
pub mod eval;
pub mod events;
pub mod exec;
pub mod files;
pub mod format;
pub mod frames;
pub mod job;
pub mod lifecycle;
pub mod lists;
pub mod live;
pub mod logs;
pub mod node;
pub mod palette;
pub mod problems;
pub mod resources;
pub mod services;
pub mod stats;
pub mod time;
pub mod topology;

pub use alloc::*;
pub use client::*;
pub use cluster::*;
pub use diff::*;
pub use eval::*;
pub use job::*;
pub use node::*;
pub use resources::*;
pub use time::*;

/// Decodes a response body straight into `T` (what the UI uses: one pass,
/// no intermediate tree).
pub fn decode_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(body)
}

/// Like [`decode_json`], but a body with a duplicated key (some docs samples
/// have one; serde's derive refuses it) is decoded through
/// `serde_json::Value`, where the last occurrence wins as in Go's decoder.
/// Real agents never send duplicates, so the UI does not pay for this path.
pub fn decode_json_lenient<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<T, serde_json::Error> {
    match serde_json::from_slice(body) {
        Ok(v) => Ok(v),
        Err(e) if e.to_string().starts_with("duplicate field") => {
            let v: serde_json::Value = serde_json::from_slice(body)?;
            serde_json::from_value(v)
        }
        Err(e) => Err(e),
    }
}
