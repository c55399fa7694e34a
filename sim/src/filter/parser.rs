//! A PEG parser following go-bexpr v0.1.16 `grammar/grammar.peg` rule by rule
//! (see `peg` for how failures become error texts). Right-recursive
//! `or`/`and` chains and repeated `not` are parsed by loops that try the same
//! terminals at the same offsets as the recursive rules, so the remembered
//! failures, and thus the messages, are the same.

use super::peg::{OpTable, Parser, Tok};
use super::{go_unquote, Binding, Expr, MatchValue, Op, Selector};
use Tok::{Ws, WsOpt, L};

const ALPHA: &str = "[a-zA-Z]";
const IDENT: &str = "[a-zA-Z0-9_/]";
const DIGIT: &str = "[0-9]";
const NZDIGIT: &str = "[1-9]";
const PTR: &str = "[\\pL\\pN-_.~:|]";
const MAX_DEPTH: usize = 64;

/// `MatchSelectorOpValue` operators, in the grammar's order.
const SEL_VALUE_OPS: &OpTable = &[
    (Op::Eq, &[WsOpt, L("=="), WsOpt]),
    (Op::Ne, &[WsOpt, L("!="), WsOpt]),
    (Op::In, &[Ws, L("contains"), Ws]),
    (Op::NotIn, &[Ws, L("not"), Ws, L("contains"), Ws]),
    (Op::Matches, &[Ws, L("matches"), Ws]),
    (Op::NotMatches, &[Ws, L("not"), Ws, L("matches"), Ws]),
];
/// `MatchSelectorOp` operators.
const SEL_OPS: &OpTable = &[
    (Op::Empty, &[Ws, L("is"), Ws, L("empty")]),
    (Op::NotEmpty, &[Ws, L("is"), Ws, L("not"), Ws, L("empty")]),
    (Op::Nil, &[Ws, L("is"), Ws, L("nil")]),
    (Op::NotNil, &[Ws, L("is"), Ws, L("not"), Ws, L("nil")]),
];
/// `MatchValueOpSelector` operators.
const IN_OPS: &OpTable = &[
    (Op::In, &[Ws, L("in"), Ws]),
    (Op::NotIn, &[Ws, L("not"), Ws, L("in"), Ws]),
];

pub(super) fn parse(src: &str) -> Result<Expr, String> {
    let mut p = Parser::new(src);
    let result = p.input();
    p.finish(result)
}

impl Parser<'_> {
    // ---- the grammar --------------------------------------------------------

    /// `Input <- _? "(" _? OrExpression _? ")" _? EOF / _? OrExpression _? EOF`
    fn input(&mut self) -> Option<Expr> {
        let paren = self.attempt(|p| {
            p.ws();
            if !p.lit("(") {
                return None;
            }
            p.ws();
            let e = p.or_expr()?;
            p.ws();
            if !p.lit(")") {
                return None;
            }
            p.ws();
            p.eof().then_some(e)
        });
        paren.or_else(|| {
            self.attempt(|p| {
                p.ws();
                let e = p.or_expr()?;
                p.ws();
                p.eof().then_some(e)
            })
        })
    }

    /// `OrExpression <- AndExpression _ "or" _ OrExpression / AndExpression
    /// / CollectionExpression`
    fn or_expr(&mut self) -> Option<Expr> {
        if self.depth >= MAX_DEPTH {
            let m = format!(
                "{}: max number of expressions parsed",
                self.position(self.pos)
            );
            self.push_error(m);
            return None;
        }
        self.depth += 1;
        let mut items = Vec::new();
        let mut resume = self.pos;
        loop {
            let at = self.pos;
            let operand = match self.and_expr() {
                Some(e) => Some((e, true)),
                None => {
                    self.pos = at;
                    self.collection_expr().map(|e| (e, false))
                }
            };
            let Some((e, chainable)) = operand else {
                self.pos = resume;
                break;
            };
            items.push(e);
            resume = self.pos;
            if !chainable || !self.toks(&[Ws, L("or"), Ws]) {
                break;
            }
        }
        self.depth -= 1;
        match items.len() {
            0 => None,
            1 => items.pop(),
            _ => Some(Expr::Or(items)),
        }
    }

    /// `AndExpression <- NotExpression _ "and" _ AndExpression / NotExpression`
    fn and_expr(&mut self) -> Option<Expr> {
        let mut items = Vec::new();
        let mut resume = self.pos;
        loop {
            let Some(e) = self.not_expr() else {
                self.pos = resume;
                break;
            };
            items.push(e);
            resume = self.pos;
            if !self.toks(&[Ws, L("and"), Ws]) {
                break;
            }
        }
        match items.len() {
            0 => None,
            1 => items.pop(),
            _ => Some(Expr::And(items)),
        }
    }

    /// `NotExpression <- "not" _ NotExpression / ParenthesizedExpression`
    fn not_expr(&mut self) -> Option<Expr> {
        let mut nots = Vec::new();
        loop {
            let at = self.pos;
            if !self.toks(&[L("not"), Ws]) {
                break;
            }
            nots.push(at);
        }
        loop {
            if let Some(e) = self.paren_expr() {
                // `not not x` is `x`
                return Some(if nots.len() % 2 == 1 {
                    Expr::Not(Box::new(e))
                } else {
                    e
                });
            }
            // the last `not` was not a keyword: try it as a selector
            self.pos = nots.pop()?;
        }
    }

    /// `ParenthesizedExpression "grouping" <- "(" _? OrExpression _? ")"
    /// / MatchExpression / "(" _? OrExpression _? !")" &{Unmatched parentheses}`
    fn paren_expr(&mut self) -> Option<Expr> {
        let start = self.pos;
        let mut unclosed = None;
        if self.lit("(") {
            self.ws();
            if let Some(e) = self.or_expr() {
                self.ws();
                let at = self.pos;
                if self.lit(")") {
                    return Some(e);
                }
                unclosed = Some(at);
            }
        }
        self.pos = start;
        if let Some(e) = self.match_expr() {
            return Some(e);
        }
        if let Some(at) = unclosed {
            self.pos = at;
            if self.not(|p| p.lit(")")) {
                self.error(at, "\"grouping\"", "Unmatched parentheses");
            }
        }
        self.pos = start;
        None
    }

    /// `MatchExpression "match" <- MatchSelectorOpValue / MatchSelectorOp
    /// / MatchValueOpSelector`
    fn match_expr(&mut self) -> Option<Expr> {
        let new = |sel, op, raw: Option<String>| Expr::Match {
            sel,
            op,
            value: raw.map(|raw| MatchValue::new(raw, op)),
        };
        let e = self.attempt(|p| {
            let sel = p.selector()?;
            let op = p.ops(SEL_VALUE_OPS)?;
            Some(new(sel, op, Some(p.value()?)))
        });
        let e = e.or_else(|| {
            self.attempt(|p| {
                let sel = p.selector()?;
                Some(new(sel, p.ops(SEL_OPS)?, None))
            })
        });
        let e = e.or_else(|| {
            self.attempt(|p| {
                let raw = p.value()?;
                let op = p.ops(IN_OPS)?;
                Some(new(p.selector()?, op, Some(raw)))
            })
        });
        e.or_else(|| {
            self.attempt(|p| {
                p.value()?;
                p.ops(IN_OPS)?;
                if p.not(|p| p.selector().is_some()) {
                    let at = p.pos;
                    p.error(at, "\"match\"", "Invalid selector");
                }
                None
            })
        })
    }

    /// `Selector "selector" <- Identifier SelectorOrIndex*
    /// / '"' JsonPointerSegment* '"'`
    fn selector(&mut self) -> Option<Selector> {
        if let Some(first) = self.identifier() {
            let mut path = vec![first];
            while let Some(part) = self.selector_part() {
                path.push(part);
            }
            return Some(Selector {
                pointer: false,
                path,
            });
        }
        self.attempt(|p| {
            if !p.lit("\"") {
                return None;
            }
            let mut segs = Vec::new();
            while let Some(seg) = p.attempt(|p| {
                let start = p.pos + 1;
                let ok = p.lit("/") && p.class(PTR, is_ptr_char);
                while ok && p.class(PTR, is_ptr_char) {}
                ok.then(|| p.src[start..p.pos].to_string())
            }) {
                segs.push(seg);
            }
            if !p.lit("\"") {
                return None;
            }
            // pointerstructure.Parse("/" + segments): "/" alone is one empty part
            let path = if segs.is_empty() {
                vec![String::new()]
            } else {
                segs.iter()
                    .map(|s| s.replace("~1", "/").replace("~0", "~"))
                    .collect()
            };
            Some(Selector {
                pointer: true,
                path,
            })
        })
    }

    /// `Identifier <- [a-zA-Z] [a-zA-Z0-9_/]*`
    fn identifier(&mut self) -> Option<String> {
        let start = self.pos;
        if !self.class(ALPHA, |c| c.is_ascii_alphabetic()) {
            return None;
        }
        while self.class(IDENT, |c| c.is_ascii_alphanumeric() || c == '_' || c == '/') {}
        Some(self.src[start..self.pos].to_string())
    }

    /// `SelectorOrIndex <- "." Identifier / IndexExpression / "." [0-9]+`
    fn selector_part(&mut self) -> Option<String> {
        self.attempt(|p| if p.lit(".") { p.identifier() } else { None })
            .or_else(|| self.index_expr())
            .or_else(|| {
                self.attempt(|p| {
                    let start = p.pos + 1;
                    let ok = p.lit(".") && p.class(DIGIT, is_digit);
                    while ok && p.class(DIGIT, is_digit) {}
                    ok.then(|| p.src[start..p.pos].to_string())
                })
            })
    }

    /// `IndexExpression "index" <- "[" _? StringLiteral _? "]"
    /// / "[" _? !StringLiteral &{Invalid index}
    /// / "[" _? StringLiteral _? !"]" &{Unclosed index expression}`
    fn index_expr(&mut self) -> Option<String> {
        let found = self.attempt(|p| {
            if !p.lit("[") {
                return None;
            }
            p.ws();
            let s = p.string_lit()?;
            p.ws();
            p.lit("]").then_some(s)
        });
        if found.is_some() {
            return found;
        }
        self.seq(|p| {
            if p.lit("[") {
                p.ws();
                if p.not(|p| p.string_lit().is_some()) {
                    let at = p.pos;
                    p.error(at, "\"index\"", "Invalid index");
                }
            }
            false
        });
        self.seq(|p| {
            if p.lit("[") {
                p.ws();
                if p.string_lit().is_some() {
                    p.ws();
                    if p.not(|p| p.lit("]")) {
                        let at = p.pos;
                        p.error(at, "\"index\"", "Unclosed index expression");
                    }
                }
            }
            false
        });
        None
    }

    /// `Value "value" <- Selector / NumberLiteral / StringLiteral`; a
    /// selector stands for its `String()`.
    fn value(&mut self) -> Option<String> {
        self.selector()
            .map(|s| s.display())
            .or_else(|| self.number_lit())
            .or_else(|| self.string_lit())
    }

    /// `NumberLiteral "number" <- "-"? IntegerOrFloat &AfterNumbers
    /// / "-"? IntegerOrFloat !AfterNumbers &{Invalid number literal}`
    fn number_lit(&mut self) -> Option<String> {
        let start = self.pos;
        let ok = self.seq(|p| {
            p.lit("-");
            p.int_or_float() && {
                let at = p.pos;
                let after = p.after_numbers();
                p.pos = at;
                after
            }
        });
        if ok {
            return Some(self.src[start..self.pos].to_string());
        }
        self.seq(|p| {
            p.lit("-");
            if p.int_or_float() && p.not(|p| p.after_numbers()) {
                let at = p.pos;
                p.error(at, "\"number\"", "Invalid number literal");
            }
            false
        });
        None
    }

    /// `AfterNumbers <- &(_ / EOF / ")")`
    fn after_numbers(&mut self) -> bool {
        let at = self.pos;
        let ok = self.ws() || self.eof() || self.lit(")");
        self.pos = at;
        ok
    }

    /// `IntegerOrFloat <- ("0" / [1-9][0-9]*) ("." [0-9]+)?`
    fn int_or_float(&mut self) -> bool {
        if !self.lit("0") {
            if !self.class(NZDIGIT, |c| ('1'..='9').contains(&c)) {
                return false;
            }
            while self.class(DIGIT, is_digit) {}
        }
        self.seq(|p| {
            let ok = p.lit(".") && p.class(DIGIT, is_digit);
            while ok && p.class(DIGIT, is_digit) {}
            ok
        });
        true
    }

    /// `StringLiteral "string" <- ('`' RawStringChar* '`' / '"' DoubleStringChar* '"')
    /// / ('`' RawStringChar* / '"' DoubleStringChar*) EOF &{Unterminated string literal}`
    fn string_lit(&mut self) -> Option<String> {
        let start = self.pos;
        let closed = |p: &mut Self, q| {
            p.seq(|p| {
                p.lit(q) && {
                    while p.string_char(q) {}
                    p.lit(q)
                }
            })
        };
        if closed(self, "`") || closed(self, "\"") {
            let src = self.src;
            return Some(go_unquote(&src[start..self.pos]).unwrap_or_else(|| {
                self.error(start, "\"string\"", "invalid syntax");
                String::new()
            }));
        }
        let open = |p: &mut Self, q| {
            p.seq(|p| {
                p.lit(q) && {
                    while p.string_char(q) {}
                    true
                }
            })
        };
        self.seq(|p| {
            if (open(p, "`") || open(p, "\"")) && p.eof() {
                let at = p.pos;
                p.error(at, "\"string\"", "Unterminated string literal");
            }
            false
        });
        None
    }

    /// `RawStringChar <- !'`' .` and `DoubleStringChar <- !'"' .`
    fn string_char(&mut self, quote: &'static str) -> bool {
        self.seq(|p| p.not(|p| p.lit(quote)) && p.any())
    }

    /// `CollectionExpression <- ("any" _ / "all" _) Selector _ "as" _
    /// CollectionIdentifiers _? "{" _? OrExpression _? "}"`
    fn collection_expr(&mut self) -> Option<Expr> {
        self.attempt(|p| {
            let all = if p.toks(&[L("any"), Ws]) {
                false
            } else if p.toks(&[L("all"), Ws]) {
                true
            } else {
                return None;
            };
            let sel = p.selector()?;
            if !p.toks(&[Ws, L("as"), Ws]) {
                return None;
            }
            let bind = p.collection_idents()?;
            if !p.toks(&[WsOpt, L("{"), WsOpt]) {
                return None;
            }
            let inner = Box::new(p.or_expr()?);
            p.toks(&[WsOpt, L("}")]).then_some(Expr::Coll {
                all,
                sel,
                bind,
                inner,
            })
        })
    }

    /// `CollectionIdentifiers "collection-identifiers" <- Identifier _? "," _?
    /// Identifier / Identifier _? "," _? "_" / "_" _? "," _? Identifier / Identifier`
    fn collection_idents(&mut self) -> Option<Binding> {
        let comma = |p: &mut Self| p.toks(&[WsOpt, L(","), WsOpt]);
        self.attempt(|p| {
            let i = p.identifier()?;
            comma(p).then_some(())?;
            Some(Binding::Both(i, p.identifier()?))
        })
        .or_else(|| {
            self.attempt(|p| {
                let i = p.identifier()?;
                (comma(p) && p.lit("_")).then_some(Binding::Index(i))
            })
        })
        .or_else(|| {
            self.attempt(|p| {
                (p.lit("_") && comma(p)).then_some(())?;
                Some(Binding::Value(p.identifier()?))
            })
        })
        .or_else(|| self.identifier().map(Binding::Default))
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

/// `[\pL\pN-_.~:|]`
fn is_ptr_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | ':' | '|')
}

impl MatchValue {
    fn new(raw: String, op: Op) -> MatchValue {
        let regex =
            matches!(op, Op::Matches | Op::NotMatches).then(|| super::eval::compile_re2(&raw));
        MatchValue { raw, regex }
    }
}
