//! The capped line store and the view a search and hidden sources make of it.

use super::{Matcher, RawLine, Span};
use std::collections::{HashMap, HashSet, VecDeque};

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

/// One stored line: 32 bytes plus its text in a shared chunk.
#[derive(Clone, Copy, Debug)]
struct Meta {
    pos: u64,
    chunk: u32,
    start: u32,
    len: u32,
    src: u16,
    file: u16,
    stream: Stream,
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

/// The loaded lines of one viewer, with a memory cap: appending past the
/// cap evicts the oldest lines and counts them, so the UI can say what was
/// dropped and offer to load it again by offset.
#[derive(Debug)]
pub struct LogStore {
    lines: VecDeque<Meta>,
    first_id: u64,
    chunks: VecDeque<String>,
    first_chunk: u32,
    spans: HashMap<u64, Box<[Span]>>,
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
            spans: HashMap::new(),
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
    /// Memory used by the lines, their text and styles (approximately).
    pub fn bytes(&self) -> usize {
        self.bytes
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

    fn store_text(&mut self, text: &str, front: bool) -> (u32, u32) {
        if front {
            self.first_chunk -= 1;
            self.chunks.push_front(String::from(text));
            self.bytes += text.len();
            return (self.first_chunk, 0);
        }
        let need_new = self
            .chunks
            .back()
            .is_none_or(|c| c.len() + text.len() > c.capacity().max(CHUNK));
        if need_new {
            let cap = CHUNK.max(text.len());
            self.chunks.push_back(String::with_capacity(cap));
            self.bytes += cap;
        }
        let chunk = self.first_chunk + self.chunks.len() as u32 - 1;
        let c = self.chunks.back_mut().expect("a chunk exists");
        let start = c.len() as u32;
        c.push_str(text);
        (chunk, start)
    }

    /// Appends a line, evicting the oldest ones past the cap (unless held).
    pub fn append(
        &mut self,
        src: u16,
        stream: Stream,
        file: &str,
        pos: u64,
        text: &str,
        spans: Vec<Span>,
    ) {
        let file = self.file_index(file);
        let (chunk, start) = self.store_text(text, false);
        let id = self.end_id();
        self.lines.push_back(Meta {
            pos,
            chunk,
            start,
            len: text.len() as u32,
            src,
            file,
            stream,
        });
        self.bytes += META_BYTES;
        if !spans.is_empty() {
            self.bytes += spans.len() * std::mem::size_of::<Span>();
            self.spans.insert(id, spans.into_boxed_slice());
        }
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
        for l in lines.into_iter().rev() {
            let (chunk, start) = self.store_text(&l.text, true);
            self.first_id -= 1;
            let id = self.first_id;
            self.lines.push_front(Meta {
                pos: l.pos,
                chunk,
                start,
                len: l.text.len() as u32,
                src,
                file,
                stream,
            });
            self.bytes += META_BYTES;
            if !l.spans.is_empty() {
                self.spans.insert(id, l.spans.into_boxed_slice());
            }
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
            let id = self.first_id;
            self.first_id += 1;
            self.bytes -= META_BYTES;
            if let Some(s) = self.spans.remove(&id) {
                self.bytes -= s.len() * std::mem::size_of::<Span>();
            }
            self.dropped_lines += 1;
            self.dropped_bytes += m.len as u64 + 1;
            // free chunks no remaining line points into
            let keep_from = self.lines.front().map_or(u32::MAX, |f| f.chunk);
            while self.first_chunk < keep_from && self.chunks.len() > 1 {
                let c = self.chunks.pop_front().expect("not empty");
                self.bytes -= c.capacity();
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
            .get(m.start as usize..(m.start + m.len) as usize)
            .unwrap_or("");
        Some(LineRef {
            id,
            text,
            spans: self.spans.get(&id).map_or(&[], |s| s),
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
