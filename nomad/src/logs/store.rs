//! The capped line store and the view a search and hidden sources make of it.

use super::{Matcher, RawLine, Span};
use std::collections::{HashSet, VecDeque};

/// Which stream a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Stream {
    Stdout = 0,
    Stderr = 1,
    /// A line the viewer wrote itself (truncation, reconnects, …).
    Notice = 2,
}

impl Stream {
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
            Stream::Notice => "notice",
        }
    }
}

/// One stored line: 32 bytes plus its text and styles in a shared chunk.
#[derive(Clone, Copy, Debug)]
struct Meta {
    pos: u64,
    chunk: u32,
    start: u32,
    len: u32,
    spans_at: u32,
    src: u16,
    file: u16,
    spans_len: u16,
    stream: Stream,
}

/// The text and styles of consecutive lines. Keeping a line's styles
/// beside its text, instead of one boxed slice per line in a map, saves
/// about 40 bytes and an allocation per line, and they are freed together
/// when the chunk's last line is evicted.
#[derive(Debug, Default)]
struct Chunk {
    text: String,
    spans: Vec<Span>,
}

impl Chunk {
    fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.spans.capacity() * SPAN_BYTES
    }
}

/// A line as read from the store.
#[derive(Clone, Copy, Debug)]
pub struct LineRef<'a> {
    /// Stable identity: grows with every appended line, shrinks for lines
    /// loaded from earlier in the file.
    pub id: u64,
    pub text: &'a str,
    pub spans: &'a [Span],
    pub src: u16,
    pub stream: Stream,
    pub file: &'a str,
    pub pos: u64,
}

/// What the view shows: the search, its mode, and hidden sources.
#[derive(Clone, Debug, Default)]
pub struct ViewQuery {
    pub matcher: Option<Matcher>,
    /// Only lines that match (otherwise matches are highlighted).
    pub filter: bool,
    pub hidden: HashSet<u16>,
}

const CHUNK: usize = 256 * 1024;
const FIRST_ID: u64 = 1 << 40;
const META_BYTES: usize = std::mem::size_of::<Meta>();
const SPAN_BYTES: usize = std::mem::size_of::<Span>();

/// A line's styles as stored: its count is a `u16` (a 64 KiB line holds
/// far fewer, since each style change takes an escape sequence).
fn capped(spans: &[Span]) -> &[Span] {
    &spans[..spans.len().min(u16::MAX as usize)]
}

/// The loaded lines of one viewer, with a memory cap: appending past the
/// cap evicts the oldest lines and counts them, so the UI can say what was
/// dropped and offer to load it again by offset.
#[derive(Debug)]
pub struct LogStore {
    lines: VecDeque<Meta>,
    first_id: u64,
    chunks: VecDeque<Chunk>,
    first_chunk: u32,
    files: Vec<String>,
    pub cap_bytes: usize,
    bytes: usize,
    pub dropped_lines: u64,
    pub dropped_bytes: u64,
    /// Earlier bytes were loaded on request: do not evict until released.
    pub hold: bool,
    query: ViewQuery,
    /// Lines the view shows when a filter or hidden sources apply.
    view: Option<VecDeque<u64>>,
    /// Lines with at least one match (highlight mode's next/previous).
    hits: VecDeque<u64>,
}

impl LogStore {
    pub fn new(cap_bytes: usize) -> Self {
        LogStore {
            lines: VecDeque::new(),
            first_id: FIRST_ID,
            chunks: VecDeque::new(),
            first_chunk: 1 << 30,
            files: vec![],
            cap_bytes,
            bytes: 0,
            dropped_lines: 0,
            dropped_bytes: 0,
            hold: false,
            query: ViewQuery::default(),
            view: None,
            hits: VecDeque::new(),
        }
    }

    /// Lines held.
    pub fn len(&self) -> usize {
        self.lines.len()
    }
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
    /// Memory used by the lines, their text and styles: what the cap
    /// bounds.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
    /// [`bytes`](Self::bytes) and the room the line list has grown for
    /// (never given back, so the cap does not count it: a cap reached with
    /// short lines would otherwise evict nearly everything).
    pub fn heap_bytes(&self) -> usize {
        self.bytes + (self.lines.capacity() - self.lines.len()) * META_BYTES
    }
    pub fn first_id(&self) -> u64 {
        self.first_id
    }
    /// A line's number among all lines read (dropped ones included), from 1.
    pub fn line_number(&self, id: u64) -> u64 {
        (id + 1 + self.dropped_lines).saturating_sub(self.first_id)
    }
    pub fn end_id(&self) -> u64 {
        self.first_id + self.lines.len() as u64
    }

    fn file_index(&mut self, file: &str) -> u16 {
        match self.files.iter().position(|f| f == file) {
            Some(i) => i as u16,
            None => {
                self.files.push(file.to_string());
                (self.files.len() - 1) as u16
            }
        }
    }

    /// Stores a line's text and styles at the end of the last chunk (or
    /// of a new one), returning the chunk and where the line starts in it.
    fn store_back(&mut self, text: &str, spans: &[Span]) -> (u32, u32, u32) {
        let need_new = self
            .chunks
            .back()
            .is_none_or(|c| c.text.len() + text.len() > c.text.capacity().max(CHUNK));
        if need_new {
            if let Some(full) = self.chunks.back_mut() {
                // a chunk is never appended to again once left
                let before = full.heap_bytes();
                full.spans.shrink_to_fit();
                self.bytes -= before - full.heap_bytes();
            }
            let c = Chunk {
                text: String::with_capacity(CHUNK.max(text.len())),
                spans: vec![],
            };
            self.bytes += c.heap_bytes();
            self.chunks.push_back(c);
        }
        let chunk = self.first_chunk + self.chunks.len() as u32 - 1;
        let c = self.chunks.back_mut().expect("a chunk exists");
        let (start, spans_at) = (c.text.len() as u32, c.spans.len() as u32);
        let before = c.spans.capacity();
        c.text.push_str(text);
        c.spans.extend_from_slice(spans);
        self.bytes += (c.spans.capacity() - before) * SPAN_BYTES;
        (chunk, start, spans_at)
    }

    /// Appends a line, evicting the oldest ones past the cap (unless held).
    pub fn append(
        &mut self,
        src: u16,
        stream: Stream,
        file: &str,
        pos: u64,
        text: &str,
        spans: &[Span],
    ) {
        let file = self.file_index(file);
        let spans = capped(spans);
        let (chunk, start, spans_at) = self.store_back(text, spans);
        let id = self.end_id();
        self.lines.push_back(Meta {
            pos,
            chunk,
            start,
            len: text.len() as u32,
            spans_at,
            src,
            file,
            spans_len: spans.len() as u16,
            stream,
        });
        self.bytes += META_BYTES;
        self.index_new(id);
        if !self.hold {
            self.evict();
        }
    }

    /// Inserts lines read from earlier in a file before everything loaded
    /// (oldest first in `lines`), and holds them against eviction.
    pub fn prepend(&mut self, src: u16, stream: Stream, file: &str, lines: Vec<RawLine>) {
        let file = self.file_index(file);
        // lines loaded back are no longer missing
        self.dropped_lines = self.dropped_lines.saturating_sub(lines.len() as u64);
        let back: u64 = lines.iter().map(|l| l.text.len() as u64 + 1).sum();
        self.dropped_bytes = self.dropped_bytes.saturating_sub(back);
        if lines.is_empty() {
            self.hold = true;
            return;
        }
        // the batch becomes one chunk of its own before the first
        let mut c = Chunk {
            text: String::with_capacity(lines.iter().map(|l| l.text.len()).sum()),
            spans: Vec::with_capacity(lines.iter().map(|l| l.spans.len()).sum()),
        };
        self.first_chunk -= 1;
        let mut metas = Vec::with_capacity(lines.len());
        for l in &lines {
            let spans = capped(&l.spans);
            metas.push(Meta {
                pos: l.pos,
                chunk: self.first_chunk,
                start: c.text.len() as u32,
                len: l.text.len() as u32,
                spans_at: c.spans.len() as u32,
                src,
                file,
                spans_len: spans.len() as u16,
                stream,
            });
            c.text.push_str(&l.text);
            c.spans.extend_from_slice(spans);
        }
        self.bytes += c.heap_bytes() + metas.len() * META_BYTES;
        self.chunks.push_front(c);
        self.first_id -= metas.len() as u64;
        for m in metas.into_iter().rev() {
            self.lines.push_front(m);
        }
        self.hold = true;
        self.rebuild();
    }

    /// Releases a hold and evicts down to the cap again.
    pub fn release(&mut self) {
        self.hold = false;
        self.evict();
    }

    fn evict(&mut self) {
        while self.bytes > self.cap_bytes && self.lines.len() > 1 {
            let m = self.lines.pop_front().expect("not empty");
            self.first_id += 1;
            self.bytes -= META_BYTES;
            self.dropped_lines += 1;
            self.dropped_bytes += m.len as u64 + 1;
            // free chunks no remaining line points into
            let keep_from = self.lines.front().map_or(u32::MAX, |f| f.chunk);
            while self.first_chunk < keep_from && self.chunks.len() > 1 {
                let c = self.chunks.pop_front().expect("not empty");
                self.bytes -= c.heap_bytes();
                self.first_chunk += 1;
            }
        }
        while self
            .view
            .as_ref()
            .and_then(|v| v.front())
            .is_some_and(|&id| id < self.first_id)
        {
            self.view.as_mut().map(|v| v.pop_front());
        }
        while self.hits.front().is_some_and(|&id| id < self.first_id) {
            self.hits.pop_front();
        }
    }

    /// Changes the cap; lowering it evicts at once.
    pub fn set_cap(&mut self, cap: usize) {
        self.cap_bytes = cap;
        if !self.hold {
            self.evict();
        }
    }

    pub fn line(&self, id: u64) -> Option<LineRef<'_>> {
        let i = id.checked_sub(self.first_id)? as usize;
        let m = self.lines.get(i)?;
        let chunk = self.chunks.get((m.chunk - self.first_chunk) as usize)?;
        let text = chunk
            .text
            .get(m.start as usize..(m.start + m.len) as usize)
            .unwrap_or("");
        let spans_at = m.spans_at as usize;
        let spans = chunk
            .spans
            .get(spans_at..spans_at + m.spans_len as usize)
            .unwrap_or(&[]);
        Some(LineRef {
            id,
            text,
            spans,
            src: m.src,
            stream: m.stream,
            file: self.files.get(m.file as usize).map_or("", |f| f),
            pos: m.pos,
        })
    }

    // ---- the view

    fn shows(&self, l: &LineRef) -> bool {
        !self.query.hidden.contains(&l.src)
            && (!self.query.filter
                || l.stream == Stream::Notice
                || self
                    .query
                    .matcher
                    .as_ref()
                    .is_none_or(|m| m.is_match(l.text)))
    }

    fn index_new(&mut self, id: u64) {
        let Some(l) = self.line(id) else { return };
        let hit = self
            .query
            .matcher
            .as_ref()
            .is_some_and(|m| m.is_match(l.text));
        let shows = self.view.is_some() && self.shows(&l);
        if hit {
            self.hits.push_back(id);
        }
        if shows {
            if let Some(v) = self.view.as_mut() {
                v.push_back(id);
            }
        }
    }

    fn rebuild(&mut self) {
        let filtered =
            self.query.filter && self.query.matcher.is_some() || !self.query.hidden.is_empty();
        let mut view = filtered.then(VecDeque::new);
        let mut hits = VecDeque::new();
        for id in self.first_id..self.end_id() {
            let Some(l) = self.line(id) else { continue };
            if self
                .query
                .matcher
                .as_ref()
                .is_some_and(|m| m.is_match(l.text))
            {
                hits.push_back(id);
            }
            if let Some(v) = view.as_mut() {
                if self.shows(&l) {
                    v.push_back(id);
                }
            }
        }
        self.view = view;
        self.hits = hits;
    }

    /// Sets the search and hidden sources, recomputing the view.
    pub fn set_query(&mut self, q: ViewQuery) {
        self.query = q;
        self.rebuild();
    }
    pub fn query(&self) -> &ViewQuery {
        &self.query
    }

    /// Lines in the view.
    pub fn view_len(&self) -> usize {
        match &self.view {
            Some(v) => v.len(),
            None => self.lines.len(),
        }
    }

    /// The id of the `i`-th line of the view.
    pub fn view_id(&self, i: usize) -> Option<u64> {
        match &self.view {
            Some(v) => v.get(i).copied(),
            None => (i < self.lines.len()).then(|| self.first_id + i as u64),
        }
    }

    /// Where line `id` sits in the view (or the next line that does).
    pub fn view_position(&self, id: u64) -> usize {
        match &self.view {
            Some(v) => v.partition_point(|&x| x < id),
            None => id.saturating_sub(self.first_id) as usize,
        }
    }

    /// Lines with a match, in order (for the count and next/previous).
    pub fn hits(&self) -> &VecDeque<u64> {
        &self.hits
    }

    /// The next (or previous) line with a match after (before) `id`.
    pub fn next_hit(&self, id: Option<u64>, forward: bool) -> Option<u64> {
        let h = &self.hits;
        match (id, forward) {
            (None, true) => h.front().copied(),
            (None, false) => h.back().copied(),
            (Some(id), true) => {
                let i = h.partition_point(|&x| x <= id);
                h.get(i).or(h.front()).copied()
            }
            (Some(id), false) => {
                let i = h.partition_point(|&x| x < id);
                if i == 0 { h.back() } else { h.get(i - 1) }.copied()
            }
        }
    }

    /// The view's text (what copy and "download loaded" give), with an
    /// optional per-line prefix such as an allocation tag.
    pub fn view_text(&self, prefix: impl Fn(&LineRef) -> String) -> String {
        let mut out = String::new();
        for i in 0..self.view_len() {
            if let Some(l) = self.view_id(i).and_then(|id| self.line(id)) {
                out.push_str(&prefix(&l));
                out.push_str(l.text);
                out.push('\n');
            }
        }
        out
    }

    /// The earliest line held of `src`/`stream`: its file and offset, from
    /// where "load earlier" reads backwards.
    pub fn earliest(&self, src: u16, stream: Stream) -> Option<(&str, u64)> {
        self.lines
            .iter()
            .find(|m| m.src == src && m.stream == stream)
            .map(|m| {
                (
                    self.files.get(m.file as usize).map_or("", |f| f.as_str()),
                    m.pos,
                )
            })
    }
}
