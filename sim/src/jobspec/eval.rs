//! Evaluation of HCL expressions and templates (hcl-edit AST) into JSON
//! values, with jobspec2's rule for unknown variable roots: a reference such
//! as `${attr.kernel.name}` or `${NOMAD_ALLOC_ID}` evaluates to its own
//! source text, so runtime interpolations survive parsing untouched.

use super::convert::{self, num, to_str, type_name};
use super::diag::{levenshtein, Diag, Source};
use super::funcs::{self, FnError};
use hcl::edit::expr::{BinaryOperator, Expression, ObjectKey, UnaryOperator};
use hcl::edit::Span;
use serde_json::{Map, Value};
use std::ops::Range;

pub(crate) type R = Result<Value, Diag>;

/// Evaluation context.
pub(crate) struct Ctx<'a> {
    pub src: Source<'a>,
    /// Root variables (`var`, `local`).
    pub base: &'a [(String, Value)],
    /// Scoped variables (for-expressions, dynamic iterators), searched from
    /// the end (inner scopes are pushed last) before `base`.
    pub vars: Vec<(String, Value)>,
    /// Whether function calls are allowed (false for constant-only contexts).
    pub funcs: bool,
    /// Whether unknown variable roots evaluate to their own text (jobspec2's
    /// `UndefinedVariable` hook) instead of failing.
    pub literal_unknown: bool,
}

impl<'a> Ctx<'a> {
    /// A context that allows only constant expressions (hcl's nil context).
    pub fn constant(src: Source<'a>) -> Self {
        Ctx {
            src,
            base: &[],
            vars: Vec::new(),
            funcs: false,
            literal_unknown: false,
        }
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<&Value> {
        self.vars
            .iter()
            .rev()
            .chain(self.base.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    pub(crate) fn diag(
        &self,
        span: Option<Range<usize>>,
        summary: &str,
        detail: impl Into<String>,
    ) -> Diag {
        self.src.diag(span, summary, detail)
    }

    pub fn eval(&mut self, expr: &Expression) -> R {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => {
                let n = n.value();
                Ok(n.as_i64()
                    .map(Value::from)
                    .unwrap_or_else(|| num(n.as_f64().unwrap_or(0.0))))
            }
            Expression::String(s) => Ok(Value::String(s.value().clone())),
            Expression::Array(items) => items
                .iter()
                .map(|e| self.eval(e))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Expression::Object(obj) => {
                let mut out = Map::new();
                for (k, v) in obj.iter() {
                    let key = self.object_key(k)?;
                    out.insert(key, self.eval(v.expr())?);
                }
                Ok(Value::Object(out))
            }
            Expression::StringTemplate(t) => self.template(t, true),
            Expression::HeredocTemplate(h) => self.template(&h.template, false),
            Expression::Parenthesis(p) => self.eval(p.inner()),
            Expression::Variable(_) | Expression::Traversal(_) => self.traversal(expr),
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr)?;
                match cond {
                    Value::Null => Err(self.diag(
                        c.cond_expr.span(),
                        "Null condition",
                        "The condition value is null. Conditions must either be true or false.",
                    )),
                    v => match convert::to_bool(&v) {
                        Ok(true) => self.eval(&c.true_expr),
                        Ok(false) => self.eval(&c.false_expr),
                        Err(_) => Err(self.diag(
                            c.cond_expr.span(),
                            "Incorrect condition type",
                            "The condition expression must be of type bool.",
                        )),
                    },
                }
            }
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr)?;
                match op.operator.value() {
                    UnaryOperator::Neg => {
                        let n = self.operand(&v, &op.expr, "operand", convert::to_number)?;
                        Ok(num(-n))
                    }
                    UnaryOperator::Not => {
                        let b = self.operand(&v, &op.expr, "operand", convert::to_bool)?;
                        Ok(Value::Bool(!b))
                    }
                }
            }
            Expression::BinaryOp(op) => {
                self.binary(&op.lhs_expr, *op.operator.value(), &op.rhs_expr)
            }
            Expression::ForExpr(f) => self.for_expr(f),
            Expression::FuncCall(call) => self.call(call, expr.span()),
        }
    }

    fn object_key(&mut self, k: &ObjectKey) -> Result<String, Diag> {
        match k {
            ObjectKey::Ident(i) => Ok(i.as_str().to_string()),
            ObjectKey::Expression(e) => {
                let v = self.eval(e)?;
                if v.is_null() {
                    return Err(self.diag(
                        e.span(),
                        "Null value as key",
                        "Can't use a null value as a key.",
                    ));
                }
                to_str(&v).map_err(|err| {
                    self.diag(
                        e.span(),
                        "Incorrect key type",
                        format!("Can't use this value as a key: {err}."),
                    )
                })
            }
        }
    }

    fn operand<T>(
        &self,
        v: &Value,
        e: &Expression,
        side: &str,
        f: fn(&Value) -> Result<T, String>,
    ) -> Result<T, Diag> {
        f(v).map_err(|err| {
            self.diag(
                e.span(),
                "Invalid operand",
                format!("Unsuitable value for {side}: {err}."),
            )
        })
    }

    fn binary(&mut self, lhs: &Expression, op: BinaryOperator, rhs: &Expression) -> R {
        use BinaryOperator as B;
        let l = self.eval(lhs)?;
        if matches!(op, B::And | B::Or) {
            let lb = self.operand(&l, lhs, "left operand", convert::to_bool)?;
            let r = self.eval(rhs)?;
            let rb = self.operand(&r, rhs, "right operand", convert::to_bool)?;
            return Ok(Value::Bool(if op == B::And { lb && rb } else { lb || rb }));
        }
        let r = self.eval(rhs)?;
        match op {
            B::Eq => Ok(Value::Bool(values_equal(&l, &r))),
            B::NotEq => Ok(Value::Bool(!values_equal(&l, &r))),
            _ => {
                let a = self.operand(&l, lhs, "left operand", convert::to_number)?;
                let b = self.operand(&r, rhs, "right operand", convert::to_number)?;
                Ok(match op {
                    B::Less => Value::Bool(a < b),
                    B::LessEq => Value::Bool(a <= b),
                    B::Greater => Value::Bool(a > b),
                    B::GreaterEq => Value::Bool(a >= b),
                    B::Plus => num(a + b),
                    B::Minus => num(a - b),
                    B::Mul => num(a * b),
                    B::Div | B::Mod if b == 0.0 => {
                        return Err(self.diag(
                            rhs.span(),
                            "Error in function call",
                            "Call to function \"divide\" failed: can't divide by zero.",
                        ))
                    }
                    B::Div => num(a / b),
                    B::Mod => num(a % b),
                    _ => Value::Null,
                })
            }
        }
    }

    fn for_expr(&mut self, f: &hcl::edit::expr::ForExpr) -> R {
        let coll = self.eval(&f.intro.collection_expr)?;
        let items = self.iterate(&coll, f.intro.collection_expr.span())?;
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let value_var = f.intro.value_var.as_str().to_string();
        let depth = self.vars.len();
        let mut list = Vec::new();
        let mut obj = Map::new();
        let result = (|| {
            for (k, v) in items {
                self.vars.truncate(depth);
                if let Some(kv) = &key_var {
                    self.vars.push((kv.clone(), k));
                }
                self.vars.push((value_var.clone(), v));
                if let Some(cond) = &f.cond {
                    let c = self.eval(&cond.expr)?;
                    let keep = convert::to_bool(&c).map_err(|e| {
                        self.diag(
                            cond.expr.span(),
                            "Invalid 'for' condition",
                            format!("The 'if' clause value is invalid: {e}."),
                        )
                    })?;
                    if !keep {
                        continue;
                    }
                }
                let value = self.eval(&f.value_expr)?;
                match &f.key_expr {
                    None => list.push(value),
                    Some(ke) => {
                        let key = self.eval(ke)?;
                        let key = to_str(&key).map_err(|e| {
                            self.diag(
                                ke.span(),
                                "Invalid object key",
                                format!("The key expression produced an invalid result: {e}."),
                            )
                        })?;
                        if f.grouping {
                            let slot = obj.entry(key).or_insert_with(|| Value::Array(Vec::new()));
                            if let Value::Array(a) = slot {
                                a.push(value);
                            }
                        } else if obj.contains_key(&key) {
                            return Err(self.diag(
                                ke.span(),
                                "Duplicate object key",
                                format!("Two different items produced the key {key:?} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key."),
                            ));
                        } else {
                            obj.insert(key, value);
                        }
                    }
                }
            }
            Ok(())
        })();
        self.vars.truncate(depth);
        result?;
        Ok(if f.key_expr.is_some() {
            Value::Object(obj)
        } else {
            Value::Array(list)
        })
    }

    /// Key/value pairs of a collection (objects iterate in key order, as cty does).
    pub fn iterate(
        &self,
        coll: &Value,
        span: Option<Range<usize>>,
    ) -> Result<Vec<(Value, Value)>, Diag> {
        match coll {
            Value::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::from(i as i64), v.clone()))
                .collect()),
            Value::Object(m) => Ok(m
                .iter()
                .map(|(k, v)| (Value::String(k.clone()), v.clone()))
                .collect()),
            Value::Null => Err(self.diag(
                span,
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
            )),
            other => Err(self.diag(
                span,
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    type_name(other)
                ),
            )),
        }
    }

    fn call(&mut self, call: &hcl::edit::expr::FuncCall, span: Option<Range<usize>>) -> R {
        let name = call.name.name.as_str();
        if !self.funcs {
            return Err(self.diag(
                span,
                "Function calls not allowed",
                "Functions may not be called here.",
            ));
        }
        if call.name.is_namespaced() || !funcs::exists(name) {
            // Go picks among close names in map order; take the closest.
            let best = funcs::NAMES
                .iter()
                .map(|n| (levenshtein(name, n), *n))
                .filter(|(d, _)| *d < 3)
                .min_by_key(|(d, _)| *d);
            let hint = best
                .map(|(_, s)| format!(" Did you mean {s:?}?"))
                .unwrap_or_default();
            return Err(self.diag(
                call.name.name.span(),
                "Call to unknown function",
                format!("There is no function named {name:?}.{hint}"),
            ));
        }
        let arg_exprs: Vec<&Expression> = call.args.iter().collect();
        if name == "try" || name == "can" {
            let mut errors = Vec::new();
            for e in &arg_exprs {
                match self.eval(e) {
                    Ok(v) if name == "try" => return Ok(v),
                    Ok(_) => return Ok(Value::Bool(true)),
                    Err(d) => errors.push(d),
                }
            }
            if name == "can" {
                return Ok(Value::Bool(false));
            }
            let list: Vec<String> = errors.iter().map(|d| format!("- {}", d.render())).collect();
            return Err(self.diag(
                span,
                "Error in function call",
                format!(
                    "Call to function \"try\" failed: no expression succeeded:\n{}.",
                    list.join("\n")
                ),
            ));
        }
        let mut args = Vec::with_capacity(arg_exprs.len());
        for e in &arg_exprs {
            args.push(self.eval(e)?);
        }
        if call.args.expand_final() {
            match args.pop() {
                Some(Value::Array(rest)) => args.extend(rest),
                _ => {
                    return Err(self.diag(
                        span,
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                    ))
                }
            }
        }
        funcs::call(name, &args).map_err(|err| match err {
            FnError::Arity(summary, detail) => self.diag(span, summary, detail),
            FnError::Arg(i, detail) => {
                let sub = arg_exprs.get(i).and_then(|e| e.span()).or(span.clone());
                self.diag(sub, "Invalid function argument", detail)
            }
            FnError::Failed(detail) => self.diag(
                call_start(call),
                "Error in function call",
                format!("Call to function {name:?} failed: {detail}."),
            ),
        })
    }
}

pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

/// The start of a function call: its name and opening parenthesis.
fn call_start(call: &hcl::edit::expr::FuncCall) -> Option<Range<usize>> {
    call.name.name.span().map(|s| s.start..s.end + 1)
}

/// hcl's `Expression.StartRange()`: the first token of an expression (for a
/// quoted string, its content without the quotes).
pub(crate) fn start_span(e: &Expression) -> Option<Range<usize>> {
    let span = e.span()?;
    let first = span.start..span.start + 1;
    Some(match e {
        Expression::String(_) if span.len() >= 2 => span.start + 1..span.end - 1,
        Expression::StringTemplate(t) => match t.iter().next().and_then(Span::span) {
            Some(s) => s,
            None => span,
        },
        Expression::Array(_)
        | Expression::Object(_)
        | Expression::Parenthesis(_)
        | Expression::ForExpr(_) => first,
        Expression::FuncCall(c) => return call_start(c),
        Expression::BinaryOp(op) => return start_span(&op.lhs_expr),
        Expression::Conditional(c) => return start_span(&c.cond_expr),
        Expression::UnaryOp(op) => return op.operator.span(),
        _ => span,
    })
}
