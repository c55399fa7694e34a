//! HCL2 jobspec parsing for `POST /v1/jobs/parse`, after Nomad v2.0.5's
//! `jobspec2` package. The HCL syntax is parsed by `hcl-rs` (its `hcl-edit`
//! parser, which keeps source spans); this module evaluates expressions and
//! decodes the body into the JSON that Nomad's `api.Job` marshals to:
//! PascalCase Go field names, durations as integer nanoseconds, unset
//! pointers/slices/maps as `null`.
//!
//! What jobspec2 does and this module mirrors:
//! - `job "id"`: the label becomes `ID` and `Name` unless set inside.
//! - Unknown arguments/blocks are `Unsupported argument`/`Unsupported block
//!   type` errors, with hcl's "Did you mean ...?" suggestions.
//! - References with an unknown root (`${NOMAD_ALLOC_ID}`, `${attr.x}`,
//!   `${node.class}`, `${meta.x}`) evaluate to their own source text, so
//!   runtime interpolations come out untouched; `$${x}` becomes `${x}`.
//! - `variable`/`variables`/`locals`, values from the `Variables` content,
//!   the jobspec2 function library (see `funcs`), `dynamic` blocks.
//! - `normalizeJob`: static ports become `ReservedPorts`, template and vault
//!   defaults, periodic `SpecType`, job-level tasks get their own group.
//!
//! Errors are hcl diagnostics, `<file>:<line>,<col>-<col>: <summary>; <detail>`,
//! one per line. Nomad's HTTP handler (`command/agent/job_endpoint.go`,
//! `JobsParseRequest`) answers 400 with `Failed to parse job: <error>`; see
//! [`parse_request`].

mod convert;
mod decode;
mod diag;
mod dynamic;
mod eval;
mod eval_ref;
mod funcs;
mod funcs_text;
mod normalize;
mod schema;
mod schema_consul;
mod special;
mod vars;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_more;

use decode::{Blk, Dec};
use diag::{join, syntax_error, Diag, Source};
use hcl::edit::parser::parse_body;
use hcl::edit::structure::Block;
use hcl::edit::Span;
use serde_json::Value;
use std::rc::Rc;

/// The file name Nomad's parse endpoint gives the job source (and the
/// variables content) in diagnostics.
pub const SOURCE_NAME: &str = "input.hcl";

/// Parse an HCL2 jobspec into Nomad's `api.Job` JSON (not canonicalized).
///
/// `variables` is HCL `name = value` content, as with `-var-file`; it may be
/// empty. On failure the error is the diagnostic text jobspec2 returns.
pub fn parse_job(hcl: &str, variables: &str) -> Result<Value, String> {
    let src = Source::new(SOURCE_NAME, hcl);
    if hcl.trim_start_matches(' ').starts_with('{') {
        return Err(Diag::new(
            Some(format!("{SOURCE_NAME}:1,1-2")),
            "Unsupported jobspec format",
            "JSON jobspecs are not supported by the nomad-sim parser; submit HCL2.",
        )
        .render());
    }
    let body = parse_body(hcl).map_err(|e| syntax_error(SOURCE_NAME, &e));
    let var_body = if variables.is_empty() {
        None
    } else {
        let b = parse_body(variables).map_err(|e| {
            format!(
                "unable to parse var content: {}",
                syntax_error(SOURCE_NAME, &e).render()
            )
        })?;
        Some(b)
    };
    let body = body.map_err(|d| d.render())?;

    // The file's top level: variables, variable, locals and job blocks only.
    const TOP: &[&str] = &["variables", "variable", "locals", "job"];
    let mut diags = Vec::new();
    let mut decls: Vec<&Block> = Vec::new();
    let mut locals: Vec<&Block> = Vec::new();
    let mut jobs: Vec<&Block> = Vec::new();
    let mut dec = Dec::new(src, &[]);
    for st in body.iter() {
        if let Some(a) = st.as_attribute() {
            let name = a.key.as_str();
            let hint = if TOP.contains(&name) {
                format!(" Did you mean to define a block of type {name:?}?")
            } else {
                String::new()
            };
            diags.push(src.diag(
                a.key.span(),
                "Unsupported argument",
                format!("An argument named {name:?} is not expected here.{hint}"),
            ));
            continue;
        }
        let Some(b) = st.as_block() else { continue };
        let blk = Blk::new(b, Rc::new(Vec::new()));
        let labels: &[&str] = match b.ident.as_str() {
            "variable" | "job" => &["name"],
            "variables" | "locals" => &[],
            _ => {
                dec.unsupported_block(&blk, &[], TOP);
                continue;
            }
        };
        if !dec.check_labels(&blk, labels) {
            continue;
        }
        match b.ident.as_str() {
            "locals" => locals.push(b),
            "job" => jobs.push(b),
            _ => decls.push(b),
        }
    }
    diags.append(&mut dec.diags);
    if !diags.is_empty() {
        return Err(join(&diags));
    }

    let mut vars = vars::Vars::new(src);
    for b in &decls {
        if b.ident.as_str() == "variable" {
            vars.declare_block(b);
        } else {
            vars.declare_attrs(b);
        }
    }
    if let Some(vb) = &var_body {
        vars.apply_content(vb, Source::new(SOURCE_NAME, variables));
    }
    let var_obj = vars.values();
    diags.append(&mut vars.diags);
    let local_obj = vars::eval_locals(src, &locals, var_obj.clone(), &mut diags);
    if !diags.is_empty() {
        return Err(join(&diags));
    }

    let Some(job_block) = jobs.first() else {
        return Err(Diag::nil("Missing job block", "A job block is required").render());
    };
    let base = vec![
        ("var".to_string(), var_obj),
        ("local".to_string(), local_obj),
    ];
    let mut dec = Dec::new(src, &base);
    let first = Blk::new(job_block, Rc::new(Vec::new()));
    for extra in jobs.iter().skip(1) {
        let b = Blk::new(extra, Rc::new(Vec::new()));
        let prev = first
            .def_span
            .clone()
            .map(|s| src.range(&s))
            .unwrap_or_default();
        dec.err(
            b.def_span,
            "Duplicate job block",
            format!(
                "Only one block of type \"job\" is allowed. Previous definition was at {prev}."
            ),
        );
    }
    let job_id = first.labels[0].0.clone();
    let mut job = dec.decode(&schema::JOB, &first);
    if !dec.diags.is_empty() {
        return Err(join(&dec.diags));
    }
    let extras = normalize::Extras {
        vault: dec.job_vault.take(),
        secrets: std::mem::take(&mut dec.job_secrets),
        tasks: std::mem::take(&mut dec.job_tasks),
    };
    normalize::normalize(&mut job, &job_id, extras);
    Ok(Value::Object(job))
}

/// `POST /v1/jobs/parse` minus canonicalization, with Nomad's failure
/// answers: `(400, "Job spec is empty")` for an empty `JobHCL`, and
/// `(400, "Failed to parse job: <error>")` when parsing fails. Nomad writes
/// these as a plain-text body.
pub fn parse_request(job_hcl: &str, variables: &str) -> Result<Value, (u16, String)> {
    if job_hcl.is_empty() {
        return Err((400, "Job spec is empty".to_string()));
    }
    parse_job(job_hcl, variables).map_err(|e| (400, format!("Failed to parse job: {e}")))
}
