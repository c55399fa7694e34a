//! Variable references (with jobspec2's unknown-root rule) and templates.

use super::convert::{self, to_str, type_name};
use super::diag::{suggest, Diag};
use super::eval::{Ctx, R};
use hcl::edit::expr::{Expression, TraversalOperator};
use hcl::edit::template::{Directive, Element, Template};
use hcl::edit::Span;
use serde_json::Value;
use std::ops::Range;

impl Ctx<'_> {
    /// Evaluate a variable reference or traversal.
    pub(crate) fn traversal(&mut self, expr: &Expression) -> R {
        let (root, ops): (&Expression, &[_]) = match expr {
            Expression::Traversal(t) => (&t.expr, &t.operators),
            other => (other, &[]),
        };
        let mut value;
        let mut rest = ops;
        if let Expression::Variable(name) = root {
            match self.lookup(name.as_str()) {
                Some(v) => value = v.clone(),
                None if self.literal_unknown => {
                    let n_static = ops.iter().take_while(|op| is_static(op.value())).count();
                    let (stat, remain) = ops.split_at(n_static);
                    // Nomad wraps the reference text in `${...}`.
                    value = Value::String(format!("${{{}}}", self.static_text(root, stat)));
                    rest = remain;
                }
                None if self.vars.is_empty() && self.base.is_empty() => {
                    return Err(self.diag(
                        name.span(),
                        "Variables not allowed",
                        "Variables may not be used here.",
                    ))
                }
                None => {
                    let hint = suggest(
                        name.as_str(),
                        self.vars.iter().chain(self.base).map(|(k, _)| k.as_str()),
                    )
                    .map(|s| format!(" Did you mean {s:?}?"))
                    .unwrap_or_default();
                    return Err(self.diag(
                        name.span(),
                        "Unknown variable",
                        format!("There is no variable named {:?}.{hint}", name.as_str()),
                    ));
                }
            }
        } else {
            value = self.eval(root)?;
        }
        let mut splat = false;
        for op in rest {
            let span = op.span();
            match op.value() {
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    value = match value {
                        Value::Array(a) => Value::Array(a),
                        Value::Null => Value::Array(Vec::new()),
                        other => Value::Array(vec![other]),
                    };
                    splat = true;
                }
                other => {
                    if splat {
                        let Value::Array(items) = value else {
                            unreachable!()
                        };
                        let mut out = Vec::with_capacity(items.len());
                        for item in items {
                            out.push(self.step(item, other, span.clone())?);
                        }
                        value = Value::Array(out);
                    } else {
                        value = self.step(value, other, span)?;
                    }
                }
            }
        }
        Ok(value)
    }

    /// Text for a reference with an unknown root, as written in the source.
    fn static_text(
        &self,
        root: &Expression,
        ops: &[hcl::edit::Decorated<TraversalOperator>],
    ) -> String {
        let start = root.span().map(|s| s.start);
        let end = ops
            .last()
            .and_then(|o| o.span())
            .or_else(|| root.span())
            .map(|s| s.end);
        if let (Some(s), Some(e)) = (start, end) {
            if let Some(text) = self.src.slice(&(s..e)) {
                return text.to_string();
            }
        }
        let mut text = root
            .as_variable()
            .map(|v| v.as_str().to_string())
            .unwrap_or_default();
        for op in ops {
            match op.value() {
                TraversalOperator::GetAttr(i) => text.push_str(&format!(".{}", i.as_str())),
                TraversalOperator::LegacyIndex(n) => text.push_str(&format!(".{}", n.value())),
                TraversalOperator::Index(Expression::String(s)) => {
                    text.push_str(&format!("[{:?}]", s.as_str()))
                }
                TraversalOperator::Index(Expression::Number(n)) => {
                    text.push_str(&format!("[{}]", n.value()))
                }
                _ => {}
            }
        }
        text
    }

    fn step(&mut self, value: Value, op: &TraversalOperator, span: Option<Range<usize>>) -> R {
        match op {
            TraversalOperator::GetAttr(name) => {
                get_attr(&value, name.as_str()).map_err(|(s, d)| self.diag(span, s, d))
            }
            TraversalOperator::LegacyIndex(n) => index(&value, &Value::from(*n.value()))
                .map_err(|d| self.diag(span, "Invalid index", d)),
            TraversalOperator::Index(e) => {
                let key = self.eval(e)?;
                index(&value, &key).map_err(|d| self.diag(span, "Invalid index", d))
            }
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => Ok(value),
        }
    }

    /// Evaluate a template. A quoted template consisting of one interpolation
    /// yields the interpolated value itself, unconverted (HCL's template unwrap).
    pub fn template(&mut self, t: &Template, quoted: bool) -> R {
        let elems: Vec<&Element> = t.iter().collect();
        if quoted && elems.len() == 1 {
            if let Element::Interpolation(i) = elems[0] {
                return self.interp_value(i);
            }
        }
        let mut out = String::new();
        self.render(t, &mut out, false, false)?;
        Ok(Value::String(out))
    }

    fn interp_value(&mut self, i: &hcl::edit::template::Interpolation) -> R {
        // An unknown reference that is the whole `${ ... }` keeps its exact
        // text, spacing included (what jobspec2's source scan produces).
        if i.strip == hcl::edit::template::Strip::None && self.is_unknown_static(&i.expr) {
            if let Some(text) = i.span().and_then(|s| self.src.slice(&s)) {
                return Ok(Value::String(text.to_string()));
            }
        }
        self.eval(&i.expr)
    }

    fn is_unknown_static(&self, e: &Expression) -> bool {
        let (root, ops): (&Expression, &[_]) = match e {
            Expression::Traversal(t) => (&t.expr, &t.operators),
            other => (other, &[]),
        };
        self.literal_unknown
            && matches!(root, Expression::Variable(v) if self.lookup(v.as_str()).is_none())
            && ops.iter().all(|op| is_static(op.value()))
    }

    fn render(
        &mut self,
        t: &Template,
        out: &mut String,
        lead: bool,
        trail: bool,
    ) -> Result<(), Diag> {
        let elems: Vec<&Element> = t.iter().collect();
        for (i, el) in elems.iter().enumerate() {
            let prev_strips = if i == 0 {
                lead
            } else {
                closing_strip(elems[i - 1])
            };
            let next_strips = if i + 1 == elems.len() {
                trail
            } else {
                opening_strip(elems[i + 1])
            };
            match el {
                Element::Literal(l) => {
                    let mut s: &str = l.value();
                    if prev_strips {
                        s = s.trim_start();
                    }
                    if next_strips {
                        s = s.trim_end();
                    }
                    out.push_str(s);
                }
                Element::Interpolation(interp) => {
                    let v = self.interp_value(interp)?;
                    out.push_str(&self.interp_string(&v, interp.span())?);
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(dir) => {
                        let c = self.eval(&dir.if_expr.cond_expr)?;
                        let cond = convert::to_bool(&c).map_err(|_| {
                            self.diag(
                                dir.if_expr.cond_expr.span(),
                                "Invalid 'if' condition",
                                "The 'if' condition must be a bool value.",
                            )
                        })?;
                        let endif = dir.endif_expr.strip.strip_start();
                        if cond {
                            let tr = dir
                                .else_expr
                                .as_ref()
                                .map_or(endif, |e| e.strip.strip_start());
                            self.render(
                                &dir.if_expr.template,
                                out,
                                dir.if_expr.strip.strip_end(),
                                tr,
                            )?;
                        } else if let Some(e) = &dir.else_expr {
                            self.render(&e.template, out, e.strip.strip_end(), endif)?;
                        }
                    }
                    Directive::For(dir) => {
                        let fe = &dir.for_expr;
                        let coll = self.eval(&fe.collection_expr)?;
                        let items = self.iterate(&coll, fe.collection_expr.span())?;
                        let depth = self.vars.len();
                        for (k, v) in items {
                            self.vars.truncate(depth);
                            if let Some(kv) = &fe.key_var {
                                self.vars.push((kv.as_str().to_string(), k));
                            }
                            self.vars.push((fe.value_var.as_str().to_string(), v));
                            let r = self.render(
                                &fe.template,
                                out,
                                fe.strip.strip_end(),
                                dir.endfor_expr.strip.strip_start(),
                            );
                            if r.is_err() {
                                self.vars.truncate(depth);
                                return r;
                            }
                        }
                        self.vars.truncate(depth);
                    }
                },
            }
        }
        Ok(())
    }

    fn interp_string(&self, v: &Value, span: Option<Range<usize>>) -> Result<String, Diag> {
        if v.is_null() {
            return Err(self.diag(
                span,
                "Invalid template interpolation value",
                "The expression result is null. Cannot include a null value in a string template.",
            ));
        }
        to_str(v).map_err(|e| {
            self.diag(
                span,
                "Invalid template interpolation value",
                format!("Cannot include the given value in a string template: {e}."),
            )
        })
    }
}

fn opening_strip(el: &Element) -> bool {
    match el {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_start(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => d.if_expr.strip.strip_start(),
            Directive::For(d) => d.for_expr.strip.strip_start(),
        },
    }
}

fn closing_strip(el: &Element) -> bool {
    match el {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_end(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => d.endif_expr.strip.strip_end(),
            Directive::For(d) => d.endfor_expr.strip.strip_end(),
        },
    }
}

fn is_static(op: &TraversalOperator) -> bool {
    match op {
        TraversalOperator::GetAttr(_) | TraversalOperator::LegacyIndex(_) => true,
        TraversalOperator::Index(e) => matches!(e, Expression::String(_) | Expression::Number(_)),
        _ => false,
    }
}

fn get_attr(v: &Value, name: &str) -> Result<Value, (&'static str, String)> {
    match v {
        Value::Object(m) => m.get(name).cloned().ok_or((
            "Unsupported attribute",
            format!("This object does not have an attribute named {name:?}."),
        )),
        Value::Null => Err((
            "Attempt to get attribute from null value",
            "This value is null, so it does not have any attributes.".into(),
        )),
        Value::Array(_) => Err((
            "Unsupported attribute",
            "Can't access attributes on a list of objects. Did you mean to access an attribute for a specific element of the list, or across all elements of the list?".into(),
        )),
        other => Err((
            "Unsupported attribute",
            format!("Can't access attributes on a primitive-typed value ({}).", type_name(other)),
        )),
    }
}

fn index(v: &Value, key: &Value) -> Result<Value, String> {
    const NO_ELEM: &str = "The given key does not identify an element in this collection value";
    match v {
        Value::Array(items) => {
            let n = convert::to_number(key).map_err(|e| format!("{NO_ELEM}: {e}."))?;
            if n.fract() != 0.0 {
                return Err(format!("{NO_ELEM}: indexing a sequence requires a whole number, but the given index has a fractional part."));
            }
            if n < 0.0 {
                return Err(format!(
                    "{NO_ELEM}: a negative number is not a valid index for a sequence."
                ));
            }
            items.get(n as usize).cloned().ok_or_else(|| {
                format!("{NO_ELEM}: the given index is greater than or equal to the length of the collection.")
            })
        }
        Value::Object(m) => {
            let k = to_str(key).map_err(|e| format!("{NO_ELEM}: {e}."))?;
            m.get(&k).cloned().ok_or_else(|| format!("{NO_ELEM}."))
        }
        Value::Null => Err("This value is null, so it does not have any indices.".into()),
        _ => Err("This value does not have any indices.".into()),
    }
}
