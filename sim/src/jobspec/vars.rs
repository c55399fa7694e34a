//! Input variables (`variable` / `variables` blocks, values from the
//! request's `Variables` content) and `locals`, after jobspec2's
//! `types.variables.go` and `types.config.go`.

use super::convert::{convert, parse_type, to_bool, Ty};
use super::diag::{Diag, Source};
use super::eval::Ctx;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Block, Body};
use hcl::edit::Span;
use serde_json::{Map, Value};
use std::ops::Range;

struct Validation<'a> {
    cond: Option<&'a Expression>,
    message: String,
    decl: Option<Range<usize>>,
}

struct Var<'a> {
    name: String,
    ty: Option<Ty>,
    /// (from, value, location of the expression that set it)
    values: Vec<(&'static str, Value, Option<String>)>,
    validations: Vec<Validation<'a>>,
}

pub(crate) struct Vars<'a> {
    src: Source<'a>,
    vars: Vec<Var<'a>>,
    pub diags: Vec<Diag>,
}

const BAD_IDENT: &str = "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.";

fn valid_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

impl<'a> Vars<'a> {
    pub fn new(src: Source<'a>) -> Self {
        Vars {
            src,
            vars: Vec::new(),
            diags: Vec::new(),
        }
    }

    fn err(&mut self, span: Option<Range<usize>>, summary: &str, detail: impl Into<String>) {
        let d = self.src.diag(span, summary, detail);
        self.diags.push(d);
    }

    fn constant(&mut self, e: &Expression) -> Option<Value> {
        match Ctx::constant(self.src).eval(e) {
            Ok(v) => Some(v),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    /// A `variable "name" { ... }` block.
    pub fn declare_block(&mut self, b: &'a Block) {
        let name = b
            .labels
            .first()
            .map(|l| l.as_str().to_string())
            .unwrap_or_default();
        if self.vars.iter().any(|v| v.name == name) {
            self.diags.push(Diag::nil(
                "Duplicate variable",
                format!("Duplicate {name} variable definition found."),
            ));
            return;
        }
        let mut v = Var {
            name: name.clone(),
            ty: None,
            values: Vec::new(),
            validations: Vec::new(),
        };
        let mut default = None;
        let mut type_expr = None;
        for st in b.body.iter() {
            if let Some(a) = st.as_attribute() {
                match a.key.as_str() {
                    "default" => default = Some(&a.value),
                    "type" => type_expr = Some(&a.value),
                    "description" => {}
                    other => {
                        let other = other.to_string();
                        let hint = super::diag::suggest(&other, ["default", "description", "type"])
                            .map(|s| format!(" Did you mean {s:?}?"))
                            .unwrap_or_default();
                        self.err(
                            a.key.span(),
                            "Unsupported argument",
                            format!("An argument named {other:?} is not expected here.{hint}"),
                        );
                    }
                }
            } else if let Some(vb) = st.as_block() {
                if vb.ident.as_str() == "validation" {
                    let mut val = Validation {
                        cond: None,
                        message: String::new(),
                        decl: vb.ident.span(),
                    };
                    for a in vb.body.attributes() {
                        match a.key.as_str() {
                            "condition" => val.cond = Some(&a.value),
                            "error_message" => {
                                if let Some(m) = self.constant(&a.value) {
                                    val.message = super::convert::to_str(&m).unwrap_or_default();
                                }
                            }
                            other => {
                                let other = other.to_string();
                                self.err(
                                    a.key.span(),
                                    "Unsupported argument",
                                    format!("An argument named {other:?} is not expected here."),
                                );
                            }
                        }
                    }
                    if val.cond.is_none() {
                        self.err(
                            vb.ident.span(),
                            "Missing required argument",
                            "The argument \"condition\" is required, but no definition was found.",
                        );
                    }
                    v.validations.push(val);
                } else {
                    let t = vb.ident.as_str().to_string();
                    self.err(
                        vb.ident.span(),
                        "Unsupported block type",
                        format!("Blocks of type {t:?} are not expected here."),
                    );
                }
            }
        }
        if !valid_ident(&name) {
            self.err(
                b.labels.first().and_then(|l| l.span()),
                "Invalid variable name",
                BAD_IDENT,
            );
        }
        if let Some(t) = type_expr {
            match parse_type(t) {
                Ok(ty) => v.ty = Some(ty),
                Err(e) => {
                    self.err(t.span(), "Invalid type specification", e);
                    return;
                }
            }
        }
        if let Some(d) = default {
            let Some(mut value) = self.constant(d) else {
                return;
            };
            if let Some(ty) = &v.ty {
                match convert(&value, ty) {
                    Ok(c) => value = c,
                    Err(e) => {
                        self.err(d.span(), "Invalid default value for variable", format!("This default value is not compatible with the variable's type constraint: {e}."));
                        value = Value::Null;
                    }
                }
            } else {
                v.ty = Some(Ty::of(&value));
            }
            let loc = self.src.loc(d.span());
            v.values.push(("default", value, loc));
        }
        self.vars.push(v);
    }

    /// A `variables { name = value ... }` block.
    pub fn declare_attrs(&mut self, b: &'a Block) {
        if let Some(nb) = b.body.blocks().next() {
            let t = nb.ident.as_str().to_string();
            self.err(
                nb.ident.span(),
                &format!("Unexpected {t:?} block"),
                "Blocks are not allowed here.",
            );
        }
        for a in b.body.attributes() {
            let name = a.key.as_str().to_string();
            if self.vars.iter().any(|v| v.name == name) {
                self.err(
                    a.key.span(),
                    "Duplicate variable",
                    format!("Duplicate {name} variable definition found."),
                );
                continue;
            }
            let Some(value) = self.constant(&a.value) else {
                continue;
            };
            let loc = self.src.loc(a.value.span());
            let ty = Some(Ty::of(&value));
            self.vars.push(Var {
                name,
                ty,
                values: vec![("default", value, loc)],
                validations: Vec::new(),
            });
        }
    }

    /// Values from the request's `Variables` (var-file content). Undefined
    /// names are warnings in jobspec2's non-strict mode, so they are ignored.
    pub fn apply_content(&mut self, body: &Body, src: Source<'_>) {
        let mut bad = false;
        for b in body.blocks() {
            let name = b.labels.first().map(|l| l.as_str()).unwrap_or("");
            let (summary, detail) = if b.ident.as_str() == "variable" {
                bad = true;
                ("Variable declaration in a .var file".to_string(), format!("A .var file is used to assign values to variables that have already been declared in job files, not to declare new variables. To declare variable {name:?}, place this block in one of your job files\n\nTo set a value for this variable in {}, use the definition syntax instead:\n    {name} = <value>", src.name))
            } else {
                (
                    format!("Unexpected {:?} block", b.ident.as_str()),
                    "Blocks are not allowed here.".to_string(),
                )
            };
            self.diags.push(src.diag(b.ident.span(), summary, detail));
        }
        if bad {
            return;
        }
        for a in body.attributes() {
            let name = a.key.as_str();
            let Some(idx) = self.vars.iter().position(|v| v.name == name) else {
                continue;
            };
            let mut v = match Ctx::constant(src).eval(&a.value) {
                Ok(v) => v,
                Err(d) => {
                    self.diags.push(d);
                    continue;
                }
            };
            if let Some(ty) = self.vars[idx].ty.clone() {
                match convert(&v, &ty) {
                    Ok(c) => v = c,
                    Err(e) => {
                        self.diags.push(src.diag(a.value.span(), "Invalid value for variable", format!("The value for {name} is not compatible with the variable's type constraint: {e}.")));
                        v = Value::Null;
                    }
                }
            }
            let loc = src.loc(a.value.span());
            self.vars[idx].values.push(("varfile", v, loc));
        }
    }

    /// The `var` object: the last value of every variable, validated.
    pub fn values(&mut self) -> Value {
        let mut out = Map::new();
        let mut diags = Vec::new();
        for v in &self.vars {
            let Some((from, value, loc)) = v.values.last() else {
                diags.push(Diag::nil(
                    format!("Unset variable {:?}", v.name),
                    "A used variable must be set or have a default value; see https://developer.hashicorp.com/nomad/docs/reference/hcl2/variables  for details.",
                ));
                out.insert(v.name.clone(), Value::Null);
                continue;
            };
            for val in &v.validations {
                let Some(cond) = val.cond else { continue };
                let mut only = Map::new();
                only.insert(v.name.clone(), value.clone());
                let base = [("var".to_string(), Value::Object(only))];
                let mut ctx = Ctx {
                    src: self.src,
                    base: &base,
                    vars: Vec::new(),
                    funcs: true,
                    literal_unknown: false,
                };
                let decl = self.src.loc(val.decl.clone()).unwrap_or_default();
                match ctx.eval(cond) {
                    Err(d) => diags.push(d),
                    Ok(Value::Null) => diags.push(self.src.diag(cond.span(), "Invalid variable validation result", "Validation condition expression must return either true or false, not null.")),
                    Ok(r) => match to_bool(&r) {
                        Err(e) => diags.push(self.src.diag(cond.span(), "Invalid variable validation result", format!("Invalid validation condition result value: {e}."))),
                        Ok(true) => {}
                        Ok(false) => diags.push(Diag::new(
                            loc.clone(),
                            format!("Invalid value for {from} variable"),
                            format!("{}\n\nThis was checked by the validation rule at {decl}.", val.message),
                        )),
                    },
                }
            }
            out.insert(v.name.clone(), value.clone());
        }
        self.diags.extend(diags);
        Value::Object(out)
    }
}

/// Evaluate `locals` (in any order of dependency, like jobspec2's retry loop).
pub(crate) fn eval_locals<'a>(
    src: Source<'a>,
    blocks: &[&'a Block],
    var_obj: Value,
    diags: &mut Vec<Diag>,
) -> Value {
    let mut pending: Vec<(&str, &Expression)> = Vec::new();
    for b in blocks {
        if let Some(nb) = b.body.blocks().next() {
            let t = nb.ident.as_str().to_string();
            diags.push(src.diag(
                nb.ident.span(),
                format!("Unexpected {t:?} block"),
                "Blocks are not allowed here.",
            ));
        }
        for a in b.body.attributes() {
            pending.push((a.key.as_str(), &a.value));
        }
    }
    let mut locals = Map::new();
    loop {
        let mut progress = false;
        let mut failed = Vec::new();
        let mut first_err = None;
        for (name, e) in pending {
            let base = [
                ("var".to_string(), var_obj.clone()),
                ("local".to_string(), Value::Object(locals.clone())),
            ];
            let mut ctx = Ctx {
                src,
                base: &base,
                vars: Vec::new(),
                funcs: true,
                literal_unknown: true,
            };
            match ctx.eval(e) {
                Ok(v) => {
                    locals.insert(name.to_string(), v);
                    progress = true;
                }
                Err(d) => {
                    first_err.get_or_insert(d);
                    failed.push((name, e));
                }
            }
        }
        pending = failed;
        if pending.is_empty() {
            break;
        }
        if !progress {
            diags.extend(first_err);
            break;
        }
    }
    Value::Object(locals)
}
