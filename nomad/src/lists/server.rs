//! A list's filters as a go-bexpr `filter` for the agent, for clusters
//! whose lists are too large to hold: the agent pages and filters, and
//! the page shows what it answers. The text search becomes a
//! case-insensitive `matches` on the fields the client-side search reads.

use super::{AllocQuery, JobQuery};
use crate::live::quote;

/// `(a matches "(?i)…" or b matches "(?i)…")`: `text` (trimmed) found in
/// any of `fields`, literally and ignoring case.
fn text_clause(fields: &[&str], text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let re = quote(&format!("(?i){}", regex_literal(text)));
    let any: Vec<String> = fields.iter().map(|f| format!("{f} matches {re}")).collect();
    Some(format!("({})", any.join(" or ")))
}

/// `text` as a Go (RE2) regular expression matching itself.
fn regex_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn eq(field: &str, value: &str) -> Option<String> {
    (!value.is_empty()).then(|| format!("{field} == {}", quote(value)))
}

fn all(clauses: impl IntoIterator<Item = Option<String>>) -> String {
    clauses
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" and ")
}

impl JobQuery {
    /// The query as the agent's `filter` over jobs (the namespace goes in
    /// `namespace`); children of periodic and parameterized jobs stay out
    /// as they do in the full list.
    pub fn server_filter(&self) -> String {
        let dc = (!self.datacenter.is_empty()).then(|| {
            format!(
                "({} in Datacenters or \"*\" in Datacenters)",
                quote(&self.datacenter)
            )
        });
        all([
            Some("ParentID == \"\"".to_string()),
            text_clause(&["ID", "Name"], &self.text),
            eq("Status", &self.status),
            eq("Type", &self.job_type),
            dc,
            eq("NodePool", &self.pool),
        ])
    }
}

/// The evaluations list's filters, all applied by the agent (which pages
/// evaluations by create index): text in the ID, job or client ID, and
/// status, trigger and type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvalQuery {
    pub text: String,
    pub status: String,
    pub triggered_by: String,
    pub eval_type: String,
}

impl EvalQuery {
    pub fn from_url(get: impl Fn(&str) -> String) -> Self {
        EvalQuery {
            text: get("q"),
            status: get("status"),
            triggered_by: get("trigger"),
            eval_type: get("type"),
        }
    }

    pub fn server_filter(&self) -> String {
        all([
            text_clause(&["ID", "JobID", "NodeID"], &self.text),
            eq("Status", &self.status),
            eq("TriggeredBy", &self.triggered_by),
            eq("Type", &self.eval_type),
        ])
    }
}

impl AllocQuery {
    /// The query as the agent's `filter` over allocations (the namespace
    /// goes in `namespace`). A client is named by its ID or its name.
    pub fn server_filter(&self) -> String {
        let node = (!self.node.is_empty())
            .then(|| format!("(NodeID == {0} or NodeName == {0})", quote(&self.node)));
        all([
            text_clause(&["ID", "Name", "NodeName"], &self.text),
            eq("ClientStatus", &self.status),
            eq("JobID", &self.job),
            eq("TaskGroup", &self.group),
            node,
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluations_filter_names_each_set_facet() {
        let q = EvalQuery::from_url(|k| match k {
            "q" => "web".into(),
            "status" => "blocked".into(),
            "trigger" => "job-register".into(),
            _ => String::new(),
        });
        assert_eq!(
            q.server_filter(),
            r#"(ID matches "(?i)web" or JobID matches "(?i)web" or NodeID matches "(?i)web") and Status == "blocked" and TriggeredBy == "job-register""#
        );
        assert_eq!(EvalQuery::default().server_filter(), "");
    }

    #[test]
    fn jobs_filter_names_each_set_facet() {
        let q = JobQuery {
            text: " web.1 ".into(),
            status: "running".into(),
            datacenter: "dc1".into(),
            pool: "gpu".into(),
            ..Default::default()
        };
        assert_eq!(
            q.server_filter(),
            r#"ParentID == "" and (ID matches "(?i)web\\.1" or Name matches "(?i)web\\.1") and Status == "running" and ("dc1" in Datacenters or "*" in Datacenters) and NodePool == "gpu""#
        );
        assert_eq!(JobQuery::default().server_filter(), r#"ParentID == """#);
    }

    #[test]
    fn allocation_filter_quotes_what_was_typed() {
        let q = AllocQuery {
            text: r#"a"b"#.into(),
            node: "client-1".into(),
            ..Default::default()
        };
        assert_eq!(
            q.server_filter(),
            r#"(ID matches "(?i)a\"b" or Name matches "(?i)a\"b" or NodeName matches "(?i)a\"b") and (NodeID == "client-1" or NodeName == "client-1")"#
        );
        assert_eq!(AllocQuery::default().server_filter(), "");
    }
}
