//! The machinery of the pigeon-generated parser that go-bexpr v0.1.16 ships
//! (`grammar/grammar.go`), as far as it shows in results and error texts:
//!
//! * every terminal that fails to match at the farthest offset reached is
//!   remembered (inside `!`, a terminal that matches, as `!want`); when the
//!   parse fails with no other error the answer is `L:C (OFFSET): no match
//!   found, expected: <sorted wants>` (`!.` is shown as a trailing `EOF`);
//! * the grammar's code blocks raise `L:C (OFFSET): rule "<display name>":
//!   <message>`, kept even if parsing goes on, deduplicated and joined by
//!   newlines.
//!
//! Lines count from 1, columns in characters from 1, the offset in bytes.

use super::{go_quote, Op};
use std::collections::BTreeSet;

const WS: &str = "[ \\t\\r\\n]";

#[derive(Clone, Copy)]
pub(super) enum Tok {
    Ws,
    WsOpt,
    L(&'static str),
}

pub(super) type OpTable = [(Op, &'static [Tok])];

pub(super) struct Parser<'s> {
    pub(super) src: &'s str,
    pub(super) pos: usize,
    fail_pos: usize,
    expected: Vec<String>,
    invert: bool,
    errors: Vec<String>,
    pub(super) depth: usize,
}

impl<'s> Parser<'s> {
    pub(super) fn new(src: &'s str) -> Self {
        Parser {
            src,
            pos: 0,
            fail_pos: 0,
            expected: Vec::new(),
            invert: false,
            errors: Vec::new(),
            depth: 0,
        }
    }

    /// The parse result as go-bexpr reports it: any raised error wins.
    pub(super) fn finish<T>(self, result: Option<T>) -> Result<T, String> {
        if !self.errors.is_empty() {
            return Err(self.errors.join("\n"));
        }
        result.ok_or_else(|| self.no_match())
    }

    pub(super) fn position(&self, off: usize) -> String {
        let (mut line, mut col) = (1, 0);
        for (i, c) in self.src.char_indices() {
            if i > off {
                break;
            }
            col += 1;
            if c == '\n' {
                line += 1;
                col = 0;
            }
        }
        if off >= self.src.len() {
            col += 1;
        }
        format!("{line}:{col} ({off})")
    }

    fn no_match(&self) -> String {
        let mut set: BTreeSet<&str> = self.expected.iter().map(String::as_str).collect();
        let eof = set.remove("!.");
        let mut list: Vec<&str> = set.into_iter().collect();
        if eof {
            list.push("EOF");
        }
        let joined = match list.split_last() {
            None => String::new(),
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        };
        format!(
            "{}: no match found, expected: {joined}",
            self.position(self.fail_pos)
        )
    }

    /// pigeon's `failAt`: remembers `want` at `pos` when a terminal failed
    /// (or, under `!`, matched) at or beyond the farthest offset so far.
    pub(super) fn fail_at(&mut self, matched: bool, pos: usize, want: impl FnOnce() -> String) {
        if matched != self.invert || pos < self.fail_pos {
            return;
        }
        if pos > self.fail_pos {
            self.fail_pos = pos;
            self.expected.clear();
        }
        let w = want();
        self.expected
            .push(if self.invert { format!("!{w}") } else { w });
    }

    pub(super) fn error(&mut self, pos: usize, rule: &str, msg: &str) {
        let m = format!("{}: rule {rule}: {msg}", self.position(pos));
        self.push_error(m);
    }

    pub(super) fn push_error(&mut self, m: String) {
        if !self.errors.contains(&m) {
            self.errors.push(m);
        }
    }

    pub(super) fn lit(&mut self, s: &'static str) -> bool {
        let start = self.pos;
        let ok = self.src[start..].starts_with(s);
        if ok {
            self.pos += s.len();
        }
        self.fail_at(ok, start, || go_quote(s));
        ok
    }

    pub(super) fn class(&mut self, name: &'static str, pred: fn(char) -> bool) -> bool {
        let start = self.pos;
        let c = self.src[start..].chars().next().filter(|&c| pred(c));
        if let Some(c) = c {
            self.pos += c.len_utf8();
        }
        self.fail_at(c.is_some(), start, || name.to_string());
        c.is_some()
    }

    pub(super) fn any(&mut self) -> bool {
        self.class(".", |_| true)
    }

    /// `!e`
    pub(super) fn not(&mut self, f: impl FnOnce(&mut Self) -> bool) -> bool {
        let start = self.pos;
        self.invert = !self.invert;
        let ok = f(self);
        self.invert = !self.invert;
        self.pos = start;
        !ok
    }

    pub(super) fn eof(&mut self) -> bool {
        self.not(|p| p.any())
    }

    /// `_` (`[ \t\r\n]+`); `_?` is `ws()` with the result ignored.
    pub(super) fn ws(&mut self) -> bool {
        let is_ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
        if !self.class(WS, is_ws) {
            return false;
        }
        while self.class(WS, is_ws) {}
        true
    }

    /// A sequence: on failure the position goes back to where it started.
    pub(super) fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let start = self.pos;
        let r = f(self);
        if r.is_none() {
            self.pos = start;
        }
        r
    }

    pub(super) fn seq(&mut self, f: impl FnOnce(&mut Self) -> bool) -> bool {
        self.attempt(|p| f(p).then_some(())).is_some()
    }

    pub(super) fn toks(&mut self, toks: &[Tok]) -> bool {
        self.seq(|p| {
            toks.iter().all(|t| match *t {
                Tok::Ws => p.ws(),
                Tok::WsOpt => {
                    p.ws();
                    true
                }
                Tok::L(s) => p.lit(s),
            })
        })
    }

    pub(super) fn ops(&mut self, table: &OpTable) -> Option<Op> {
        for (op, toks) in table {
            if self.toks(toks) {
                return Some(*op);
            }
        }
        None
    }
}
