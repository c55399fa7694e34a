//! `dynamic` blocks, which jobspec2 expands (hcl's dynblock) inside the job.

use super::convert;
use super::decode::{Blk, Dec, Scope};
use super::eval::Ctx;
use hcl::edit::expr::Expression;
use hcl::edit::structure::Block;
use hcl::edit::Span;
use serde_json::{Map, Value};
use std::rc::Rc;

impl<'a> Dec<'a> {
    pub(crate) fn expand_dynamic(&mut self, b: &'a Block, scope: &Scope, out: &mut Vec<Blk<'a>>) {
        let Some(ty) = b.labels.first().map(|l| l.as_str().to_string()) else {
            self.err(
                b.ident.span(),
                "Missing name for dynamic",
                "All dynamic blocks must have 1 labels (name).",
            );
            return;
        };
        let mut for_each = None;
        let mut iterator = ty.clone();
        let mut labels_expr = None;
        let mut content = None;
        for st in b.body.iter() {
            if let Some(a) = st.as_attribute() {
                match a.key.as_str() {
                    "for_each" => for_each = Some(&a.value),
                    "labels" => labels_expr = Some(&a.value),
                    "iterator" => match &a.value {
                        Expression::Variable(v) => iterator = v.as_str().to_string(),
                        other => self.err(other.span(), "Invalid expression", "A single static variable reference is required: only attribute access and indexing with constant keys. No calculations, function calls, template expressions, etc are allowed here."),
                    },
                    other => {
                        let other = other.to_string();
                        self.err(a.key.span(), "Unsupported argument", format!("An argument named {other:?} is not expected here."));
                    }
                }
            } else if let Some(c) = st.as_block() {
                if c.ident.as_str() == "content" && content.is_none() {
                    content = Some(c);
                } else {
                    let t = c.ident.as_str().to_string();
                    self.err(
                        c.ident.span(),
                        "Unsupported block type",
                        format!("Blocks of type {t:?} are not expected here."),
                    );
                }
            }
        }
        let Some(for_each) = for_each else {
            self.err(
                b.ident.span(),
                "Missing required argument",
                "The argument \"for_each\" is required, but no definition was found.",
            );
            return;
        };
        let Some(content) = content else {
            self.err(b.ident.span(), "Missing content block", "A dynamic block must have a nested block of type \"content\" to describe the body of each generated block.");
            return;
        };
        let Some(coll) = self.eval(for_each, scope) else {
            return;
        };
        let items = match &coll {
            Value::Array(_) | Value::Object(_) => {
                let ctx = Ctx::constant(self.src);
                ctx.iterate(&coll, for_each.span()).unwrap_or_default()
            }
            other => {
                let t = convert::type_name(other);
                self.err(
                    for_each.span(),
                    "Invalid dynamic for_each value",
                    format!(
                        "Cannot use a {t} value in for_each. An iterable collection is required."
                    ),
                );
                return;
            }
        };
        for (k, v) in items {
            let mut vars = scope.as_ref().clone();
            let mut it = Map::new();
            it.insert("key".into(), k);
            it.insert("value".into(), v);
            vars.push((iterator.clone(), Value::Object(it)));
            let inner: Scope = Rc::new(vars);
            let mut labels = Vec::new();
            if let Some(le) = labels_expr {
                let Some(lv) = self.eval(le, &inner) else {
                    return;
                };
                match convert::to_str_list(&lv) {
                    Ok(ls) => labels = ls.into_iter().map(|l| (l, le.span())).collect(),
                    Err(e) => {
                        self.err(
                            le.span(),
                            "Invalid dynamic block label",
                            format!("Cannot use this value as a dynamic block label: {e}."),
                        );
                        return;
                    }
                }
            }
            out.push(Blk {
                ty: ty.clone(),
                ty_span: b.labels.first().and_then(|l| l.span()),
                labels,
                def_span: b.ident.span(),
                body: &content.body,
                scope: inner,
            });
        }
    }
}
