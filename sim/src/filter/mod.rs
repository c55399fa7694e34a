//! go-bexpr filter expressions, as Nomad's list endpoints take them in `?filter=`.
//!
//! Nomad v2.0.5 vendors `github.com/hashicorp/go-bexpr` v0.1.16 and evaluates
//! the expression against each full object as stored (the Go struct, e.g.
//! `*structs.Job`, not the list stub). We hold the same object as its JSON
//! [`serde_json::Value`], whose keys are the Go field names, so a selector part
//! is an exact key lookup. `parser` follows go-bexpr's `grammar/grammar.peg`
//! rule by rule, error texts included; `eval` follows its `evaluate.go` over
//! mitchellh/pointerstructure v1.2.1.
//!
//! # What Nomad answers (read from the v2.0.5 source)
//!
//! * Bad expression: `nomad/state/paginator/paginator.go` `NewPaginator` wraps
//!   the go-bexpr error as `failed to read filter expression: <err>`; every list
//!   RPC (`Job.List`, `Alloc.List`, `Eval.List`, `Deployment.List`,
//!   `Node.List`, ...) wraps that in `structs.NewErrRPCCodedf(400, "failed to
//!   create result paginator: %v")` (`structs.ErrResultPaginatorCreation`), and
//!   `command/agent/http.go` `wrap` turns the coded RPC error into HTTP 400 with
//!   the bare message as a `text/plain` body.
//! * Evaluation error (an unknown field, a value that cannot be coerced, ...):
//!   the object is not skipped. `Paginator.next` keeps the error as `pageErr` and
//!   ends the page, and the RPC answers `NewErrRPCCodedf(400, "failed to read
//!   result page: %v")`: the whole request fails with 400 as soon as one object
//!   that reaches the filter fails to evaluate (Nomad's own test
//!   `nomad/job_endpoint_test.go` "test10 go-bexpr invalid field" expects
//!   `error finding value in datum`). Objects skipped before the filter runs
//!   (those before `next_token`) never error; the filter runs before the
//!   namespace/ACL selector. An empty `filter` means no filter at all (Nomad
//!   checks `Filter != ""`), callers must not call [`Filter::parse`] for it.
//!
//! # Where JSON cannot say what the Go type was
//!
//! go-bexpr coerces the literal to the Go field's type. From JSON we infer:
//! an integral number is an `int` (a literal that is not an integer but is a
//! float compares as a float, where Go would fail for an `int` field), a
//! fractional number a `float64`, `null` a nil slice or map (`is empty` and
//! `is nil` are true, `in` is false, `==` fails as in Go). Below the top level a
//! JSON object is taken for a map: a missing last key is "not present" (`==` is
//! false, `!=` true, ...) where Go fails for a struct field; a missing field of
//! the top-level object fails as Go does (`error finding value in datum: /X at
//! part 0: couldn't find key: struct field with name "X"`). A selector through
//! a `null` (nil pointer in Go, e.g. `Periodic.Enabled`) is "not present" where
//! Go fails with `invalid value kind: invalid`. `in` over a list skips elements
//! the literal does not parse as (go-bexpr's rule for `[]interface{}`), where a
//! typed Go slice would fail; over an empty list it is false even where Go
//! would fail for a slice of structs.
//!
//! Not reproduced: pigeon's budget of 2,000,000 parse steps (we cap nesting of
//! parentheses and `any`/`all` at 64 instead, with the same message `max number
//! of expressions parsed`); Go's regexp syntax is approximated with the `regex`
//! crate (`\d \w \s \b` are made ASCII as in RE2, `\Q..\E` and `\C` are not
//! supported, compile error texts are Go-like but not exact); a `\x80`..`\xff`
//! or octal byte escape in a string literal becomes U+FFFD.

mod eval;
mod parser;
mod peg;
#[cfg(test)]
mod tests;

use std::fmt;

/// A parsed go-bexpr expression.
#[derive(Debug, Clone)]
pub struct Filter {
    expr: Expr,
    source: String,
}

impl Filter {
    /// Parses `expr` like `bexpr.CreateEvaluator`. The error's [`Display`] is
    /// the body Nomad sends with its 400.
    ///
    /// [`Display`]: fmt::Display
    pub fn parse(expr: &str) -> Result<Filter, FilterError> {
        let parsed = parser::parse(expr).map_err(FilterError::Parse)?;
        Ok(Filter {
            expr: parsed,
            source: expr.to_string(),
        })
    }

    /// Evaluates the filter against one stored object, like
    /// `Evaluator.Evaluate`. An error fails the whole list request (see the
    /// module docs).
    pub fn matches(&self, v: &serde_json::Value) -> Result<bool, FilterError> {
        eval::eval(&self.expr, v, &mut Vec::new()).map_err(FilterError::Eval)
    }

    /// The expression as given.
    /// Whether `v` passes; an object the expression cannot be evaluated
    /// against is left out (Nomad would end the page with a 400 instead).
    pub fn keeps(&self, v: &serde_json::Value) -> bool {
        self.matches(v).unwrap_or(false)
    }

    pub fn expression(&self) -> &str {
        &self.source
    }
}

/// Why a filter could not be used; both kinds are HTTP 400 in Nomad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    /// go-bexpr's parser error, e.g. `1:4 (3): no match found, expected: ...`.
    Parse(String),
    /// go-bexpr's evaluation error, e.g. `error finding value in datum: ...`.
    Eval(String),
}

impl FilterError {
    /// The HTTP status Nomad answers with.
    pub fn status(&self) -> u16 {
        400
    }

    /// The go-bexpr error alone, without Nomad's prefixes.
    pub fn bexpr_message(&self) -> &str {
        match self {
            FilterError::Parse(m) | FilterError::Eval(m) => m,
        }
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::Parse(m) => write!(
                f,
                "failed to create result paginator: failed to read filter expression: {m}"
            ),
            FilterError::Eval(m) => write!(f, "failed to read result page: {m}"),
        }
    }
}

impl std::error::Error for FilterError {}

#[derive(Debug, Clone)]
enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Match {
        sel: Selector,
        op: Op,
        value: Option<MatchValue>,
    },
    Coll {
        all: bool,
        sel: Selector,
        bind: Binding,
        inner: Box<Expr>,
    },
}

#[derive(Debug, Clone)]
struct Selector {
    /// Written as a quoted JSON pointer (`"/Meta/my-key"`).
    pointer: bool,
    path: Vec<String>,
}

impl Selector {
    /// go-bexpr's `Selector.String()`: parts joined by `.`, or by `/` (without
    /// a leading slash) for a JSON pointer.
    fn display(&self) -> String {
        self.path.join(if self.pointer { "/" } else { "." })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    In,
    NotIn,
    Empty,
    NotEmpty,
    Matches,
    NotMatches,
    Nil,
    NotNil,
}

impl Op {
    /// go-bexpr's `NotPresentDisposition`: the answer for a missing map key.
    fn not_present(self) -> bool {
        matches!(
            self,
            Op::Ne | Op::NotIn | Op::Empty | Op::NotMatches | Op::Nil
        )
    }

    fn negated(self) -> bool {
        matches!(
            self,
            Op::Ne | Op::NotIn | Op::NotEmpty | Op::NotMatches | Op::NotNil
        )
    }
}

#[derive(Debug, Clone)]
struct MatchValue {
    raw: String,
    /// For `matches`: compiled up front, but like Go a bad pattern only fails
    /// when an object's string value reaches it.
    regex: Option<Result<regex::Regex, String>>,
}

#[derive(Debug, Clone)]
enum Binding {
    /// `as x`: the element of a list, the key of a map.
    Default(String),
    /// `as i, _`
    Index(String),
    /// `as _, v`
    Value(String),
    /// `as i, v`
    Both(String, String),
}

/// Go's `strconv.Quote` (close enough: non-printable means control here).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x80 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.Unquote` for a complete `"..."` or `` `...` `` literal;
/// `None` is Go's `invalid syntax`.
fn go_unquote(text: &str) -> Option<String> {
    let body = &text[1..text.len() - 1];
    if text.starts_with('`') {
        return Some(body.replace('\r', ""));
    }
    if body.contains('\n') {
        return None;
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let esc = chars.next()?;
        let ch = match esc {
            'a' => '\x07',
            'b' => '\x08',
            'f' => '\x0c',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\x0b',
            '\\' => '\\',
            '"' => '"',
            'x' => byte_char(digits(&take(&mut chars, 2), 2, 16)?),
            'u' => char::from_u32(digits(&take(&mut chars, 4), 4, 16)?)?,
            'U' => char::from_u32(digits(&take(&mut chars, 8), 8, 16)?)?,
            '0'..='7' => {
                let v = digits(&format!("{esc}{}", take(&mut chars, 2)), 3, 8)?;
                if v > 255 {
                    return None;
                }
                byte_char(v)
            }
            _ => return None,
        };
        out.push(ch);
    }
    Some(out)
}

fn take(chars: &mut std::str::Chars<'_>, n: usize) -> String {
    chars.by_ref().take(n).collect()
}

/// Exactly `n` digits of `radix`.
fn digits(s: &str, n: usize, radix: u32) -> Option<u32> {
    if s.chars().count() != n || !s.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(s, radix).ok()
}

fn byte_char(v: u32) -> char {
    if v < 0x80 {
        char::from(v as u8)
    } else {
        char::REPLACEMENT_CHARACTER
    }
}
