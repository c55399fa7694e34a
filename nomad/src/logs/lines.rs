//! Raw stream bytes to lines that keep their file offsets.

use super::{parse_ansi, Span, Style};

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
