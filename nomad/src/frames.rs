//! Incremental decoder for `/v1/client/fs/logs` and `/v1/client/fs/stream`.
//!
//! The agent writes concatenated JSON frames
//! `{"File":…,"Offset":N,"Data":"<base64>"}`, `{"File":…,"FileEvent":"file truncated"}`
//! and `{}` heartbeats, in whatever chunks the network delivers. `Offset`
//! is the position in the file *after* the frame's data. The decoder takes
//! arbitrary byte chunks (a split may fall inside JSON, inside base64 or
//! inside a multi-byte UTF-8 sequence), yields decoded bytes with their
//! offsets, and never panics: garbage is reported once and skipped until
//! the next frame starts.
//!
//! [`Utf8Decoder`] turns the yielded bytes into text across chunk borders,
//! replacing invalid sequences with U+FFFD.

use base64::Engine;
use serde::Deserialize;
use std::borrow::Cow;

/// Refuse to buffer a single frame beyond this: a real frame is at most
/// 64 KiB of data (≈ 88 KiB of base64).
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamEvent {
    /// Decoded file bytes covering `[start, end)` of `file`.
    Data {
        file: String,
        start: u64,
        end: u64,
        bytes: Vec<u8>,
    },
    /// `file deleted` or `file truncated`: positions restart.
    FileEvent { file: String, event: String },
    /// `{}`: the connection is alive and nothing new was written.
    Heartbeat,
    /// Something could not be decoded; the decoder has resynchronised.
    Error(FrameError),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("{0} unexpected bytes between frames were skipped")]
    Garbage(usize),
    #[error("a frame was not valid JSON ({0}); it was skipped")]
    BadJson(String),
    #[error("a frame's data was not valid base64 ({0}); undecodable bytes are shown as \u{FFFD}")]
    BadBase64(String),
    #[error("a frame grew past {0} bytes without ending; it was dropped")]
    Oversized(usize),
    #[error("the stream ended inside a frame ({0} bytes lost)")]
    Truncated(usize),
}

#[derive(Deserialize)]
struct RawFrame<'a> {
    #[serde(rename = "File", default, borrow)]
    file: Option<Cow<'a, str>>,
    #[serde(rename = "Offset", default)]
    offset: Option<i64>,
    #[serde(rename = "Data", default, borrow)]
    data: Option<Cow<'a, str>>,
    #[serde(rename = "FileEvent", default, borrow)]
    file_event: Option<Cow<'a, str>>,
}

/// The incremental frame decoder. Feed it with [`FrameDecoder::push`].
#[derive(Debug, Default)]
pub struct FrameDecoder {
    /// Bytes of the frame being read (from its `{`), or empty between frames.
    buf: Vec<u8>,
    depth: u32,
    in_string: bool,
    escape: bool,
    /// Garbage bytes skipped since the last frame (reported once).
    garbage: usize,
    /// `Offset` of the last data frame: where a resumed stream continues.
    offset: Option<u64>,
    /// Total decoded bytes and frames, for figures.
    pub bytes_out: u64,
    pub frames: u64,
}

impl FrameDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The file position after the last data frame seen, for resuming with
    /// `offset=N&origin=start`.
    pub fn offset(&self) -> Option<u64> {
        self.offset
    }

    /// Feeds one chunk and appends the resulting events to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<StreamEvent>) {
        let mut i = 0;
        while i < chunk.len() {
            if self.depth == 0 {
                // Between frames: skip separators, report anything else.
                let b = chunk[i];
                if b == b'{' {
                    self.flush_garbage(out);
                    self.buf.clear();
                    self.buf.push(b);
                    self.depth = 1;
                    self.in_string = false;
                    self.escape = false;
                } else if !matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b',') {
                    self.garbage += 1;
                }
                i += 1;
                continue;
            }
            // Inside a frame: scan to its end, copying in one go.
            let start = i;
            let mut done = false;
            while i < chunk.len() {
                let b = chunk[i];
                i += 1;
                if self.in_string {
                    if self.escape {
                        self.escape = false;
                    } else if b == b'\\' {
                        self.escape = true;
                    } else if b == b'"' {
                        self.in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth -= 1;
                        if self.depth == 0 {
                            done = true;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            self.buf.extend_from_slice(&chunk[start..i]);
            if done {
                let frame = std::mem::take(&mut self.buf);
                self.decode_frame(&frame, out);
                self.buf = frame;
                self.buf.clear();
            } else if self.buf.len() > MAX_FRAME_BYTES {
                out.push(StreamEvent::Error(FrameError::Oversized(MAX_FRAME_BYTES)));
                self.reset();
            }
        }
    }

    /// Call when the stream ends: reports a frame cut off mid-way and any
    /// trailing garbage. The decoder can be reused afterwards (for a
    /// reconnect); its offset is kept.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        if self.depth > 0 && !self.buf.is_empty() {
            out.push(StreamEvent::Error(FrameError::Truncated(self.buf.len())));
        }
        self.flush_garbage(out);
        self.reset();
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.depth = 0;
        self.in_string = false;
        self.escape = false;
    }

    fn flush_garbage(&mut self, out: &mut Vec<StreamEvent>) {
        if self.garbage > 0 {
            out.push(StreamEvent::Error(FrameError::Garbage(self.garbage)));
            self.garbage = 0;
        }
    }

    fn decode_frame(&mut self, frame: &[u8], out: &mut Vec<StreamEvent>) {
        let raw: RawFrame = match serde_json::from_slice(frame) {
            Ok(r) => r,
            Err(e) => {
                out.push(StreamEvent::Error(FrameError::BadJson(e.to_string())));
                return;
            }
        };
        self.frames += 1;
        let file = raw.file.as_deref().unwrap_or("").to_string();
        // A file event without data moves positions (truncation, deletion);
        // the agent monitor marks its data frames `"FileEvent":"log"`.
        let has_data = raw.data.as_deref().is_some_and(|d| !d.is_empty());
        if let Some(ev) = raw
            .file_event
            .as_deref()
            .filter(|e| !e.is_empty() && !has_data)
        {
            // A truncation or deletion restarts positions at the new file's start.
            self.offset = Some(0);
            out.push(StreamEvent::FileEvent {
                file,
                event: ev.to_string(),
            });
            return;
        }
        let data = raw.data.as_deref().unwrap_or("");
        if data.is_empty() {
            if let Some(o) = raw.offset {
                self.offset = Some(o.max(0) as u64);
            }
            if raw.file.is_none() {
                out.push(StreamEvent::Heartbeat);
            }
            return;
        }
        let (bytes, err) = decode_base64_lenient(data);
        if let Some(e) = err {
            out.push(StreamEvent::Error(FrameError::BadBase64(e)));
        }
        let len = bytes.len() as u64;
        let end = match raw.offset {
            Some(o) if o >= 0 => o as u64,
            // No offset (very old agents): continue from the last position.
            _ => self.offset.unwrap_or(0) + len,
        };
        self.offset = Some(end);
        self.bytes_out += len;
        out.push(StreamEvent::Data {
            file,
            start: end.saturating_sub(len),
            end,
            bytes,
        });
    }
}

/// Decodes standard base64; on failure, decodes the longest valid prefix and
/// appends U+FFFD for the rest, returning the reason.
pub fn decode_base64_lenient(data: &str) -> (Vec<u8>, Option<String>) {
    let engine = base64::engine::general_purpose::STANDARD;
    match engine.decode(data) {
        Ok(b) => (b, None),
        Err(e) => {
            let valid = data
                .bytes()
                .position(|c| !(c.is_ascii_alphanumeric() || c == b'+' || c == b'/'))
                .unwrap_or(data.len());
            let prefix = &data[..valid - valid % 4];
            let mut bytes = engine.decode(prefix).unwrap_or_default();
            bytes.extend_from_slice("\u{FFFD}".as_bytes());
            (bytes, Some(e.to_string()))
        }
    }
}

/// Streaming UTF-8 decoder: keeps an incomplete sequence at the end of one
/// chunk for the next, replaces invalid bytes with U+FFFD and counts them.
#[derive(Debug, Default)]
pub struct Utf8Decoder {
    pending: Vec<u8>,
    pub invalid: u64,
}

impl Utf8Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes `bytes` (following whatever was pending) into `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut String) {
        let owned;
        let input: &[u8] = if self.pending.is_empty() {
            bytes
        } else {
            self.pending.extend_from_slice(bytes);
            owned = std::mem::take(&mut self.pending);
            &owned
        };
        let mut rest = input;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    out.push_str(s);
                    return;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    // SAFETY-free: `good` is valid by construction
                    out.push_str(std::str::from_utf8(good).unwrap_or_default());
                    match e.error_len() {
                        Some(n) => {
                            out.push('\u{FFFD}');
                            self.invalid += 1;
                            rest = &bad[n..];
                        }
                        None => {
                            // incomplete sequence at the end: keep for later
                            self.pending = bad.to_vec();
                            return;
                        }
                    }
                }
            }
        }
    }

    /// End of stream: an incomplete trailing sequence becomes U+FFFD.
    pub fn finish(&mut self, out: &mut String) {
        if !self.pending.is_empty() {
            self.pending.clear();
            self.invalid += 1;
            out.push('\u{FFFD}');
        }
    }

    /// Forget a pending partial sequence (after a truncation).
    pub fn reset(&mut self) {
        self.pending.clear();
    }
}

/// Encodes one frame as the agent does (used by the simulator and tests).
pub fn encode_frame(file: &str, offset: u64, data: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    format!(
        "{{\"File\":{},\"Offset\":{offset},\"Data\":\"{b64}\"}}",
        serde_json::to_string(file).unwrap_or_else(|_| "\"\"".into())
    )
}

/// Encodes a file event frame as the agent does.
pub fn encode_file_event(file: &str, event: &str) -> String {
    format!(
        "{{\"File\":{},\"FileEvent\":{}}}",
        serde_json::to_string(file).unwrap_or_else(|_| "\"\"".into()),
        serde_json::to_string(event).unwrap_or_else(|_| "\"\"".into())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(chunks: &[&[u8]]) -> Vec<StreamEvent> {
        let mut d = FrameDecoder::new();
        let mut out = vec![];
        for c in chunks {
            d.push(c, &mut out);
        }
        d.finish(&mut out);
        out
    }

    #[test]
    fn decodes_frames_and_heartbeats() {
        let s = format!(
            "{}\n{{}}\n{}",
            encode_frame("alloc/logs/web.stdout.0", 5, b"hello"),
            encode_frame("alloc/logs/web.stdout.0", 11, b" world")
        );
        let ev = decode_all(&[s.as_bytes()]);
        assert_eq!(
            ev,
            vec![
                StreamEvent::Data {
                    file: "alloc/logs/web.stdout.0".into(),
                    start: 0,
                    end: 5,
                    bytes: b"hello".to_vec()
                },
                StreamEvent::Heartbeat,
                StreamEvent::Data {
                    file: "alloc/logs/web.stdout.0".into(),
                    start: 5,
                    end: 11,
                    bytes: b" world".to_vec()
                },
            ]
        );
    }

    #[test]
    fn split_inside_json_and_base64() {
        let s = encode_frame("f", 3, b"abc");
        let bytes = s.as_bytes();
        for cut in 1..bytes.len() {
            let ev = decode_all(&[&bytes[..cut], &bytes[cut..]]);
            assert_eq!(
                ev,
                vec![StreamEvent::Data {
                    file: "f".into(),
                    start: 0,
                    end: 3,
                    bytes: b"abc".to_vec()
                }],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn monitor_frames_carry_data_under_a_file_event() {
        let mut d = FrameDecoder::new();
        let mut out = vec![];
        d.push(
            br#"{"Data":"aGkK","FileEvent":"log"}{"Offset":3,"Data":"eQo=","FileEvent":"log"}"#,
            &mut out,
        );
        let bytes: Vec<u8> = out
            .iter()
            .flat_map(|e| match e {
                StreamEvent::Data { bytes, .. } => bytes.clone(),
                _ => vec![],
            })
            .collect();
        assert_eq!(bytes, b"hi\ny\n");
    }

    #[test]
    fn file_event_resets_offset() {
        let s = format!(
            "{}{}",
            encode_frame("f", 100, b"x"),
            encode_file_event("f", "file truncated")
        );
        let mut d = FrameDecoder::new();
        let mut out = vec![];
        d.push(s.as_bytes(), &mut out);
        assert_eq!(
            out[1],
            StreamEvent::FileEvent {
                file: "f".into(),
                event: "file truncated".into()
            }
        );
        assert_eq!(d.offset(), Some(0));
    }

    #[test]
    fn garbage_is_reported_and_skipped() {
        let s = format!(
            "xx({})junk{}",
            encode_frame("f", 1, b"a"),
            encode_frame("f", 2, b"b")
        );
        let ev = decode_all(&[s.as_bytes()]);
        let data: Vec<_> = ev
            .iter()
            .filter_map(|e| {
                if let StreamEvent::Data { bytes, .. } = e {
                    Some(bytes.clone())
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(data, vec![b"a".to_vec(), b"b".to_vec()]);
        assert!(ev.contains(&StreamEvent::Error(FrameError::Garbage(3))));
        assert!(ev.contains(&StreamEvent::Error(FrameError::Garbage(5))));
    }

    #[test]
    fn bad_json_and_bad_base64_do_not_stop_the_stream() {
        let s = format!(
            "{{\"Data\": nope}}{{\"File\":\"f\",\"Offset\":9,\"Data\":\"YWJj...\"}}{}",
            encode_frame("f", 10, b"z")
        );
        let ev = decode_all(&[s.as_bytes()]);
        assert!(matches!(ev[0], StreamEvent::Error(FrameError::BadJson(_))));
        assert!(matches!(
            ev[1],
            StreamEvent::Error(FrameError::BadBase64(_))
        ));
        assert_eq!(
            ev[2],
            StreamEvent::Data {
                file: "f".into(),
                start: 3,
                end: 9,
                bytes: "abc\u{FFFD}".as_bytes().to_vec()
            }
        );
        assert_eq!(
            ev[3],
            StreamEvent::Data {
                file: "f".into(),
                start: 9,
                end: 10,
                bytes: b"z".to_vec()
            }
        );
    }

    #[test]
    fn truncated_stream_is_reported_and_offset_kept() {
        let full = encode_frame("f", 4, b"abcd");
        let partial = &encode_frame("f", 8, b"efgh")[..10];
        let mut d = FrameDecoder::new();
        let mut out = vec![];
        d.push(full.as_bytes(), &mut out);
        d.push(partial.as_bytes(), &mut out);
        d.finish(&mut out);
        assert!(matches!(
            out.last(),
            Some(StreamEvent::Error(FrameError::Truncated(10)))
        ));
        assert_eq!(d.offset(), Some(4));
    }

    #[test]
    fn oversized_frame_is_dropped() {
        let mut d = FrameDecoder::new();
        let mut out = vec![];
        d.push(b"{\"Data\":\"", &mut out);
        let junk = vec![b'A'; MAX_FRAME_BYTES + 10];
        d.push(&junk, &mut out);
        assert_eq!(
            out,
            vec![StreamEvent::Error(FrameError::Oversized(MAX_FRAME_BYTES))]
        );
    }

    #[test]
    fn utf8_across_chunks() {
        let text = "héllo → 世界 🚀";
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let mut u = Utf8Decoder::new();
            let mut s = String::new();
            u.push(&bytes[..cut], &mut s);
            u.push(&bytes[cut..], &mut s);
            u.finish(&mut s);
            assert_eq!(s, text);
            assert_eq!(u.invalid, 0);
        }
        let mut u = Utf8Decoder::new();
        let mut s = String::new();
        u.push(b"ok \xff\xfe end \xe4\xb8", &mut s);
        u.finish(&mut s);
        assert_eq!(s, "ok \u{FFFD}\u{FFFD} end \u{FFFD}");
        assert_eq!(u.invalid, 3);
    }
}
