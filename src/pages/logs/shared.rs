//! What the viewer and its stream tasks share: the capped line store and
//! the signals the streams report through. Every handle is `Copy`; the
//! tasks use the `try_` accessors because a task can still be finishing
//! a step after the viewer is gone.

use leptos::prelude::*;
use nomad_model::logs::{self, LogStore, Stream};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub enum Level {
    Ok,
    Warn,
    Error,
}

impl Level {
    pub fn class(&self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// State shared by the viewer and its stream tasks.
#[derive(Clone, Copy)]
pub struct Shared {
    pub store: StoredValue<LogStore>,
    /// allocation ID of each source index
    pub allocs: StoredValue<Vec<String>>,
    /// changes (at most once per animation frame) when the store did
    pub version: RwSignal<u64>,
    bump_queued: StoredValue<bool>,
    /// one message per stream (`<alloc> <task> <stream>`) that needs saying
    pub status: RwSignal<BTreeMap<String, (Level, String)>>,
    /// lines that held invalid UTF-8, the most any one stream saw
    pub invalid_utf8: RwSignal<u64>,
    /// distinct frame decoding errors, the first few
    pub frame_errors: RwSignal<Vec<String>>,
    pub reconnects: RwSignal<u64>,
    /// sources registered so far (the hide filter maps IDs through them)
    pub registered: RwSignal<usize>,
}

pub fn use_shared(cap_mb: usize) -> Shared {
    Shared {
        store: StoredValue::new(LogStore::new(cap_mb << 20)),
        allocs: StoredValue::new(vec![]),
        version: RwSignal::new(0),
        bump_queued: StoredValue::new(false),
        status: RwSignal::new(BTreeMap::new()),
        invalid_utf8: RwSignal::new(0),
        frame_errors: RwSignal::new(vec![]),
        reconnects: RwSignal::new(0),
        registered: RwSignal::new(0),
    }
}

impl Shared {
    /// Re-render at most once per animation frame.
    pub fn bump(self) {
        let queued = self
            .bump_queued
            .try_update_value(|q| std::mem::replace(q, true));
        if queued != Some(false) {
            return;
        }
        let (q, v) = (self.bump_queued, self.version);
        request_animation_frame(move || {
            // the viewer may be gone by the next frame
            q.try_set_value(false);
            v.try_update(|n| *n += 1);
        });
    }

    /// The source index of `alloc`, registering it on first sight.
    pub fn src_of(self, alloc: &str) -> u16 {
        let mut idx = 0;
        self.allocs.try_update_value(|a| {
            idx = match a.iter().position(|x| x == alloc) {
                Some(i) => i,
                None => {
                    a.push(alloc.to_string());
                    a.len() - 1
                }
            } as u16;
        });
        idx
    }

    /// The allocation ID of source `src` (empty if unknown).
    pub fn alloc_of(self, src: u16) -> String {
        self.allocs
            .with_value(|a| a.get(src as usize).cloned().unwrap_or_default())
    }

    /// Sets or, with an empty message, clears a stream's status.
    pub fn set_status(self, key: &str, level: Level, msg: impl Into<String>) {
        let msg = msg.into();
        self.status.try_update(|m| {
            if msg.is_empty() {
                m.remove(key);
            } else {
                m.insert(key.to_string(), (level, msg));
            }
        });
    }

    /// A line of the viewer's own among the log lines.
    /// An undecodable frame, reported once (the first five kinds).
    pub fn frame_error(self, msg: String) {
        self.frame_errors.try_update(|v| {
            if !v.contains(&msg) && v.len() < 5 {
                v.push(msg);
            }
        });
    }

    pub fn notice(self, src: u16, text: String) {
        self.store
            .try_update_value(|s| s.append(src, Stream::Notice, "", 0, &text, &[]));
        self.bump();
    }

    /// Moves assembled lines into the store.
    pub fn flush(self, idx: u16, stream: Stream, file: &str, raw: &mut Vec<logs::RawLine>) {
        if raw.is_empty() {
            return;
        }
        self.store.try_update_value(|s| {
            for l in raw.drain(..) {
                s.append(idx, stream, file, l.pos, &l.text, &l.spans);
            }
        });
        self.bump();
    }
}
