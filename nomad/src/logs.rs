//! The log viewer's pure parts: turning decoded stream bytes into lines
//! (split on raw bytes so every line knows its file offset), ANSI styles
//! (parsed by `vte`, drawn by the UI as classes — never as markup), a
//! compact line store with a memory cap and eviction, and search (text or
//! regex, with or without case) with an incrementally maintained view for
//! filter mode and per-source hiding.

use std::collections::{HashMap, HashSet, VecDeque};

// ------------------------------------------------------------------ ANSI

/// A terminal colour: one of the 256 indexed colours or a true colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Color {
    Idx(u8),
    Rgb(u8, u8, u8),
}

/// The SGR state that applies to a run of text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Style {
    pub fg: Option<Color>,
    pub bg: Option<Color>,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
    pub inverse: bool,
    pub strike: bool,
}

impl Style {
    pub fn is_plain(&self) -> bool {
        *self == Style::default()
    }

    /// Applies one SGR sequence's parameters (`ESC [ … m`).
    pub fn apply_sgr(&mut self, params: &[&[u16]]) {
        if params.is_empty() {
            *self = Style::default();
            return;
        }
        let mut i = 0;
        while i < params.len() {
            let p = params[i];
            let code = p.first().copied().unwrap_or(0);
            match code {
                0 => *self = Style::default(),
                1 => self.bold = true,
                2 => self.dim = true,
                3 => self.italic = true,
                4 => self.underline = true,
                7 => self.inverse = true,
                9 => self.strike = true,
                21 | 22 => {
                    self.bold = false;
                    self.dim = false;
                }
                23 => self.italic = false,
                24 => self.underline = false,
                27 => self.inverse = false,
                29 => self.strike = false,
                30..=37 => self.fg = Some(Color::Idx((code - 30) as u8)),
                39 => self.fg = None,
                40..=47 => self.bg = Some(Color::Idx((code - 40) as u8)),
                49 => self.bg = None,
                90..=97 => self.fg = Some(Color::Idx((code - 90 + 8) as u8)),
                100..=107 => self.bg = Some(Color::Idx((code - 100 + 8) as u8)),
                38 | 48 => {
                    // `38;5;n` / `38;2;r;g;b` (separate parameters) or
                    // `38:5:n` / `38:2::r:g:b` (sub-parameters)
                    let (color, used) = if p.len() > 1 {
                        (extended(&p[1..]), 0)
                    } else {
                        let rest: Vec<u16> = params[i + 1..]
                            .iter()
                            .take(4)
                            .map(|x| x.first().copied().unwrap_or(0))
                            .collect();
                        let used = match rest.first() {
                            Some(5) => 2,
                            Some(2) => 4,
                            _ => 0,
                        };
                        (extended(&rest), used)
                    };
                    if code == 38 {
                        self.fg = color;
                    } else {
                        self.bg = color;
                    }
                    i += used;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

fn extended(p: &[u16]) -> Option<Color> {
    let c = |v: u16| v.min(255) as u8;
    match p {
        [5, n, ..] => Some(Color::Idx(c(*n))),
        // `2::r:g:b` carries an (empty) colour-space ID before r
        [2, _, r, g, b, ..] if p.len() >= 6 => Some(Color::Rgb(c(*r), c(*g), c(*b))),
        [2, r, g, b, ..] => Some(Color::Rgb(c(*r), c(*g), c(*b))),
        _ => None,
    }
}

/// A styled byte range of a line's plain text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub style: Style,
}

struct AnsiPerform<'a> {
    text: String,
    spans: Vec<Span>,
    style: &'a mut Style,
}

impl AnsiPerform<'_> {
    fn mark(&mut self, before: usize) {
        if self.style.is_plain() {
            return;
        }
        let end = self.text.len() as u32;
        match self.spans.last_mut() {
            Some(s) if s.end == before as u32 && s.style == *self.style => s.end = end,
            _ => self.spans.push(Span {
                start: before as u32,
                end,
                style: *self.style,
            }),
        }
    }
}

impl vte::Perform for AnsiPerform<'_> {
    fn print(&mut self, c: char) {
        let before = self.text.len();
        self.text.push(c);
        self.mark(before);
    }
    fn execute(&mut self, byte: u8) {
        if byte == b'\t' {
            let before = self.text.len();
            self.text.push('\t');
            self.mark(before);
        }
    }
    fn csi_dispatch(&mut self, params: &vte::Params, _: &[u8], _: bool, action: char) {
        if action == 'm' {
            let p: Vec<&[u16]> = params.iter().collect();
            self.style.apply_sgr(&p);
        }
    }
}

/// Strips ANSI escape sequences from `line`, returning the plain text and
/// the styled ranges. `style` carries the SGR state from line to line, as a
/// terminal would. Lines without an ESC byte take a fast path.
pub fn parse_ansi(line: &str, style: &mut Style) -> (String, Vec<Span>) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if !line.as_bytes().contains(&0x1b) {
        let spans = if style.is_plain() || line.is_empty() {
            vec![]
        } else {
            vec![Span {
                start: 0,
                end: line.len() as u32,
                style: *style,
            }]
        };
        return (line.to_string(), spans);
    }
    let mut perf = AnsiPerform {
        text: String::with_capacity(line.len()),
        spans: vec![],
        style,
    };
    let mut parser = vte::Parser::new();
    parser.advance(&mut perf, line.as_bytes());
    (perf.text, perf.spans)
}

/// A piece of a line to draw: a byte range with its style and whether a
/// search match covers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub style: Option<Style>,
    pub hit: bool,
}

/// Cuts a line at every style and match border (both sorted, disjoint).
pub fn segments(len: usize, spans: &[Span], hits: &[(usize, usize)]) -> Vec<Segment> {
    let mut cuts: Vec<usize> = vec![0, len];
    for s in spans {
        cuts.push(s.start as usize);
        cuts.push(s.end as usize);
    }
    for &(a, b) in hits {
        cuts.push(a);
        cuts.push(b);
    }
    cuts.retain(|&c| c <= len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            Segment {
                start: a,
                end: b,
                style: spans
                    .iter()
                    .find(|s| (s.start as usize) <= a && b <= s.end as usize)
                    .map(|s| s.style),
                hit: hits.iter().any(|&(x, y)| x <= a && b <= y),
            }
        })
        .collect()
}

// ------------------------------------------------------------------ lines

/// Longest line kept whole; longer ones are cut (a log that never writes a
/// newline must not grow one line without bound).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// A complete line out of [`LineAssembler`].
#[derive(Clone, Debug, PartialEq)]
pub struct RawLine {
    /// File offset of the line's first byte.
    pub pos: u64,
    pub text: String,
    pub spans: Vec<Span>,
    /// The line held invalid UTF-8 (shown as U+FFFD).
    pub invalid_utf8: bool,
}

/// Splits one stream's bytes into lines. Splitting happens on raw bytes
/// (a newline never occurs inside a UTF-8 sequence), so a line's offset in
/// the file is exact and a multi-byte character split across frames is
/// joined before it is decoded.
#[derive(Debug, Default)]
pub struct LineAssembler {
    carry: Vec<u8>,
    carry_pos: u64,
    style: Style,
    /// Lines that held invalid UTF-8, for the notice.
    pub invalid_lines: u64,
}

impl LineAssembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes that start at file offset `pos`; complete lines go to `out`.
    pub fn push(&mut self, pos: u64, bytes: &[u8], out: &mut Vec<RawLine>) {
        if self.carry.is_empty() {
            self.carry_pos = pos;
        }
        let mut rest = bytes;
        let mut at = pos;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let (line, tail) = rest.split_at(nl);
            if self.carry.is_empty() {
                self.emit(at, line, out);
            } else {
                self.carry.extend_from_slice(line);
                let carry = std::mem::take(&mut self.carry);
                self.emit(self.carry_pos, &carry, out);
            }
            at += nl as u64 + 1;
            rest = &tail[1..];
            self.carry_pos = at;
        }
        if self.carry.is_empty() {
            self.carry_pos = at;
        }
        self.carry.extend_from_slice(rest);
        while self.carry.len() > MAX_LINE_BYTES {
            // cut at a character border so both halves decode
            let mut cut = MAX_LINE_BYTES;
            while cut > 0 && (self.carry[cut] & 0xC0) == 0x80 {
                cut -= 1;
            }
            let head: Vec<u8> = self.carry.drain(..cut.max(1)).collect();
            let p = self.carry_pos;
            self.emit(p, &head, out);
            self.carry_pos += head.len() as u64;
        }
    }

    /// End of the stream (or of the file): a trailing partial line is
    /// emitted as it is.
    pub fn finish(&mut self, out: &mut Vec<RawLine>) {
        if !self.carry.is_empty() {
            let carry = std::mem::take(&mut self.carry);
            self.emit(self.carry_pos, &carry, out);
        }
    }

    /// The file was truncated or replaced: forget the partial line.
    pub fn reset(&mut self) {
        self.carry.clear();
        self.style = Style::default();
    }

    /// Bytes of an unfinished line waiting for its newline.
    pub fn pending(&self) -> usize {
        self.carry.len()
    }

    fn emit(&mut self, pos: u64, raw: &[u8], out: &mut Vec<RawLine>) {
        let (text, invalid) = match std::str::from_utf8(raw) {
            Ok(s) => (std::borrow::Cow::Borrowed(s), false),
            Err(_) => (String::from_utf8_lossy(raw), true),
        };
        if invalid {
            self.invalid_lines += 1;
        }
        let (text, spans) = parse_ansi(&text, &mut self.style);
        out.push(RawLine {
            pos,
            text,
            spans,
            invalid_utf8: invalid,
        });
    }
}

// ------------------------------------------------------------------ search

/// A compiled search: plain text or a regular expression, with or without
/// case.
#[derive(Clone, Debug)]
pub enum Matcher {
    Text { needle: String, case: bool },
    Regex(regex_lite::Regex),
}

impl Matcher {
    /// `Ok(None)` for an empty pattern; `Err` explains an invalid regex.
    pub fn new(
        pattern: &str,
        regex: bool,
        case_sensitive: bool,
    ) -> Result<Option<Matcher>, String> {
        if pattern.is_empty() {
            return Ok(None);
        }
        if regex {
            regex_lite::RegexBuilder::new(pattern)
                .case_insensitive(!case_sensitive)
                .build()
                .map(|r| Some(Matcher::Regex(r)))
                .map_err(|e| e.to_string())
        } else if case_sensitive || !pattern.is_ascii() {
            Ok(Some(Matcher::Text {
                needle: if case_sensitive {
                    pattern.to_string()
                } else {
                    pattern.to_lowercase()
                },
                case: case_sensitive,
            }))
        } else {
            Ok(Some(Matcher::Text {
                needle: pattern.to_ascii_lowercase(),
                case: false,
            }))
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Matcher::Text { needle, case: true } => text.contains(needle.as_str()),
            Matcher::Text {
                needle,
                case: false,
            } => find_ci(text, needle, 0).is_some(),
            Matcher::Regex(r) => r.is_match(text),
        }
    }

    /// Byte ranges of every match in `text`.
    pub fn find_all(&self, text: &str) -> Vec<(usize, usize)> {
        match self {
            Matcher::Text { needle, case: true } => text
                .match_indices(needle.as_str())
                .map(|(i, m)| (i, i + m.len()))
                .collect(),
            Matcher::Text {
                needle,
                case: false,
            } => {
                let mut out = vec![];
                let mut from = 0;
                while let Some(i) = find_ci(text, needle, from) {
                    out.push((i, i + needle.len()));
                    from = i + needle.len().max(1);
                }
                out
            }
            Matcher::Regex(r) => r
                .find_iter(text)
                .filter(|m| m.end() > m.start())
                .map(|m| (m.start(), m.end()))
                .collect(),
        }
    }
}

/// Case-insensitive find of a lower-cased needle (ASCII fast path; other
/// text is compared through `to_lowercase`, which may change lengths, so
/// matches are then reported on character borders of the original).
fn find_ci(text: &str, needle: &str, from: usize) -> Option<usize> {
    if needle.is_empty() || from > text.len() {
        return None;
    }
    if needle.is_ascii() {
        let (t, n) = (text.as_bytes(), needle.as_bytes());
        if n.len() > t.len() {
            return None;
        }
        let first = n[0];
        (from..=t.len() - n.len()).find(|&i| {
            t[i].to_ascii_lowercase() == first && t[i..i + n.len()].eq_ignore_ascii_case(n)
        })
    } else {
        // compare lower-cased characters as they come: no per-position
        // allocation, O(text × needle) at worst
        text.char_indices()
            .map(|(i, _)| i)
            .filter(|&i| i >= from)
            .find(|&i| {
                let mut lowered = text[i..].chars().flat_map(char::to_lowercase);
                needle.chars().all(|w| lowered.next() == Some(w))
            })
    }
}

// ------------------------------------------------------------------ store

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

/// Splits bytes read from `[start, end)` of a file (for "load earlier") into
/// lines, dropping a leading partial line unless `start` is 0. `end` is
/// where the loaded lines begin, so the last line is complete.
pub fn lines_of_range(start: u64, bytes: &[u8]) -> Vec<RawLine> {
    let mut skip = 0;
    if start > 0 {
        match bytes.iter().position(|&b| b == b'\n') {
            Some(i) => skip = i + 1,
            None => return vec![],
        }
    }
    let mut asm = LineAssembler::new();
    let mut out = vec![];
    asm.push(start + skip as u64, &bytes[skip..], &mut out);
    asm.finish(&mut out);
    out
}

/// Nomad names rotated log files `<task>.<stdout|stderr>.<n>`; `fs/logs`
/// takes an `offset` counted across all of them from the oldest present,
/// while frames carry the offset within their own file. Given the frame's
/// file and offset and the present files' sizes, returns the offset to
/// resume from.
pub fn resume_offset(frame_file: &str, frame_offset: u64, files: &[(String, u64)]) -> u64 {
    let index = |name: &str| name.rsplit('.').next().and_then(|n| n.parse::<u64>().ok());
    let base = |name: &str| {
        name.rsplit_once('.')
            .map(|(b, _)| b.rsplit('/').next().unwrap_or(b).to_string())
    };
    let (Some(n), Some(b)) = (index(frame_file), base(frame_file)) else {
        return frame_offset;
    };
    let before: u64 = files
        .iter()
        .filter(|(name, _)| {
            base(name).as_deref() == Some(b.as_str()) && index(name).is_some_and(|i| i < n)
        })
        .map(|(_, size)| size)
        .sum();
    before + frame_offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(asm: &mut LineAssembler, pos: u64, bytes: &[u8]) -> Vec<(u64, String)> {
        let mut out = vec![];
        asm.push(pos, bytes, &mut out);
        out.into_iter().map(|l| (l.pos, l.text)).collect()
    }

    #[test]
    fn assembler_splits_lines_across_chunks_with_exact_offsets() {
        let mut a = LineAssembler::new();
        assert_eq!(lines(&mut a, 0, b"one\ntw"), [(0, "one".to_string())]);
        // "é" split across two chunks
        assert_eq!(lines(&mut a, 6, b"o \xc3"), []);
        assert_eq!(
            lines(&mut a, 9, b"\xa9\r\nthree\n"),
            [(4, "two é".to_string()), (12, "three".to_string())]
        );
        assert_eq!(a.invalid_lines, 0);
        assert_eq!(
            lines(&mut a, 18, b"bad \xff\n"),
            [(18, "bad \u{FFFD}".to_string())]
        );
        assert_eq!(a.invalid_lines, 1);
        let mut out = vec![];
        a.push(24, b"tail", &mut out);
        a.finish(&mut out);
        assert_eq!(out[0].text, "tail");
        assert_eq!(out[0].pos, 24);
    }

    #[test]
    fn assembler_cuts_endless_lines() {
        let mut a = LineAssembler::new();
        let big = vec![b'x'; MAX_LINE_BYTES * 2 + 10];
        let mut out = vec![];
        a.push(0, &big, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].pos, MAX_LINE_BYTES as u64);
        assert_eq!(a.pending(), 10);
    }

    #[test]
    fn ansi_styles_become_spans_and_never_markup() {
        let mut st = Style::default();
        let (t, s) = parse_ansi(
            "\x1b[1;31mERROR\x1b[0m <b>ok</b> \x1b[38;5;208mx\x1b[38;2;1;2;3my\x1b[m",
            &mut st,
        );
        assert_eq!(t, "ERROR <b>ok</b> xy");
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].start, s[0].end), (0, 5));
        assert!(s[0].style.bold);
        assert_eq!(s[0].style.fg, Some(Color::Idx(1)));
        assert_eq!(s[1].style.fg, Some(Color::Idx(208)));
        assert_eq!(s[2].style.fg, Some(Color::Rgb(1, 2, 3)));
        assert!(st.is_plain());
        // the style carries to the next line until reset
        let (_, s) = parse_ansi("\x1b[32mgreen", &mut st);
        assert_eq!(s[0].style.fg, Some(Color::Idx(2)));
        let (t, s) = parse_ansi("still green", &mut st);
        assert_eq!(
            (t.as_str(), s[0].style.fg),
            ("still green", Some(Color::Idx(2)))
        );
        // cursor movement and other sequences are dropped
        let (t, _) = parse_ansi("a\x1b[2Kb\x1b]0;title\x07c", &mut Style::default());
        assert_eq!(t, "abc");
    }

    #[test]
    fn segments_cut_at_styles_and_hits() {
        let st = Style {
            bold: true,
            ..Default::default()
        };
        let segs = segments(
            10,
            &[Span {
                start: 0,
                end: 4,
                style: st,
            }],
            &[(2, 6)],
        );
        let got: Vec<_> = segs
            .iter()
            .map(|s| (s.start, s.end, s.style.is_some(), s.hit))
            .collect();
        assert_eq!(
            got,
            [
                (0, 2, true, false),
                (2, 4, true, true),
                (4, 6, false, true),
                (6, 10, false, false)
            ]
        );
    }

    #[test]
    fn matcher_text_regex_and_case() {
        let m = Matcher::new("error", false, false).unwrap().unwrap();
        assert!(m.is_match("An ERROR here"));
        assert_eq!(m.find_all("error Error"), [(0, 5), (6, 11)]);
        let m = Matcher::new("error", false, true).unwrap().unwrap();
        assert!(!m.is_match("An ERROR here"));
        let m = Matcher::new(r"status=(4|5)\d\d", true, false)
            .unwrap()
            .unwrap();
        assert!(m.is_match("GET / STATUS=503"));
        assert!(!m.is_match("status=200"));
        assert!(Matcher::new("(", true, false).is_err());
        assert!(Matcher::new("", true, false).unwrap().is_none());
        let m = Matcher::new("ÉTÉ", false, false).unwrap().unwrap();
        assert!(m.is_match("un été chaud"));
    }

    fn fill(s: &mut LogStore, n: usize, src: u16) {
        for i in 0..n {
            let t = format!("line {i} {}", if i % 10 == 0 { "error" } else { "ok" });
            s.append(
                src,
                Stream::Stdout,
                "alloc/logs/web.stdout.0",
                i as u64 * 20,
                &t,
                vec![],
            );
        }
    }

    #[test]
    fn store_evicts_past_the_cap_and_counts_what_it_dropped() {
        let mut s = LogStore::new(2 * 1024 * 1024);
        fill(&mut s, 200_000, 0);
        assert!(s.bytes() <= 2 * 1024 * 1024, "{}", s.bytes());
        assert!(s.dropped_lines > 0);
        assert_eq!(s.dropped_lines as usize + s.len(), 200_000);
        let last = s.line(s.end_id() - 1).unwrap();
        assert_eq!(last.text, "line 199999 ok");
        let first = s.line(s.first_id()).unwrap();
        assert_eq!(
            first.text,
            format!(
                "line {} {}",
                s.dropped_lines,
                if s.dropped_lines.is_multiple_of(10) {
                    "error"
                } else {
                    "ok"
                }
            )
        );
        let (file, pos) = s.earliest(0, Stream::Stdout).unwrap();
        assert_eq!(
            (file, pos),
            ("alloc/logs/web.stdout.0", s.dropped_lines * 20)
        );
        assert!(s.line(s.first_id() - 1).is_none());
    }

    #[test]
    fn filter_view_follows_appends_and_eviction() {
        let mut s = LogStore::new(usize::MAX);
        fill(&mut s, 100, 0);
        s.set_query(ViewQuery {
            matcher: Matcher::new("error", false, false).unwrap(),
            filter: true,
            hidden: HashSet::new(),
        });
        assert_eq!(s.view_len(), 10);
        assert_eq!(s.line(s.view_id(1).unwrap()).unwrap().text, "line 10 error");
        // lines that arrive later are filtered too
        s.append(0, Stream::Stdout, "f", 0, "late error", vec![]);
        s.append(0, Stream::Stdout, "f", 0, "late fine", vec![]);
        assert_eq!(s.view_len(), 11);
        assert_eq!(s.hits().len(), 11);
        // highlight mode: every line shows; next/previous walk the hits
        let mut q = s.query().clone();
        q.filter = false;
        s.set_query(q);
        assert_eq!(s.view_len(), 102);
        let h0 = s.next_hit(None, true).unwrap();
        let h1 = s.next_hit(Some(h0), true).unwrap();
        assert_eq!(s.line(h1).unwrap().text, "line 10 error");
        assert_eq!(s.next_hit(Some(h0), false), s.hits().back().copied());
        // hide a source
        s.append(1, Stream::Stdout, "g", 0, "other alloc", vec![]);
        let mut q = s.query().clone();
        q.hidden.insert(0);
        s.set_query(q);
        assert_eq!(s.view_len(), 1);
        s.set_cap(0);
        assert_eq!(s.len(), 1);
        assert_eq!(s.view_len(), 1);
    }

    #[test]
    fn prepend_loads_earlier_lines_and_holds_them() {
        let mut s = LogStore::new(usize::MAX);
        s.append(0, Stream::Stdout, "a.stdout.0", 100, "current", vec![]);
        let earlier = lines_of_range(80, b"tial\nline 1\nline 2\n");
        assert_eq!(
            earlier.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["line 1", "line 2"]
        );
        assert_eq!(earlier[0].pos, 85);
        s.dropped_lines = 5;
        let current = s.first_id();
        assert_eq!(s.line_number(current), 6);
        s.prepend(0, Stream::Stdout, "a.stdout.0", earlier);
        assert!(s.hold);
        // numbers of lines already shown do not move; loaded-back lines fill in
        assert_eq!(
            (
                s.dropped_lines,
                s.line_number(current),
                s.line_number(s.first_id())
            ),
            (3, 6, 4)
        );
        let all: Vec<_> = (0..s.view_len())
            .map(|i| s.line(s.view_id(i).unwrap()).unwrap().text.to_string())
            .collect();
        assert_eq!(all, ["line 1", "line 2", "current"]);
        assert_eq!(s.earliest(0, Stream::Stdout), Some(("a.stdout.0", 85)));
        assert_eq!(
            s.view_text(|l| format!("[{}] ", l.stream.as_str())),
            "[stdout] line 1\n[stdout] line 2\n[stdout] current\n"
        );
    }

    #[test]
    fn resume_offsets_count_earlier_rotated_files() {
        let files = vec![
            ("web.stdout.0".to_string(), 1000),
            ("web.stdout.1".to_string(), 500),
            ("web.stdout.2".to_string(), 10),
            ("web.stderr.0".to_string(), 77),
        ];
        assert_eq!(resume_offset("alloc/logs/web.stdout.2", 7, &files), 1507);
        assert_eq!(resume_offset("alloc/logs/web.stdout.0", 7, &files), 7);
        assert_eq!(resume_offset("alloc/logs/web.stderr.0", 7, &files), 7);
    }
}
