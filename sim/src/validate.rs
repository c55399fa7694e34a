//! Job validation as the server's admission controllers run it
//! (`nomad/job_endpoint_hooks.go` `jobValidate`, `structs.Job.Validate`,
//! `TaskGroup.Validate`, `Task.Validate`), with go-multierror's text.

use serde_json::Value;

/// go-multierror's `ListFormatFunc`; `None` when there is nothing wrong.
pub fn multierror(errs: &[String]) -> Option<String> {
    match errs.len() {
        0 => None,
        1 => Some(format!("1 error occurred:\n\t* {}\n\n", errs[0])),
        n => Some(format!(
            "{n} errors occurred:\n{}\n\n",
            errs.iter()
                .map(|e| format!("\t* {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        )),
    }
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn arr<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The top-level problems of a canonicalised job, one string each.
pub fn job_errors(job: &Value) -> Vec<String> {
    let mut errs = vec![];
    if str_of(job, "Region").is_empty() {
        errs.push("Missing job region".into());
    }
    let id = str_of(job, "ID");
    if id.is_empty() {
        errs.push("Missing job ID".into());
    } else if id.contains(' ') {
        errs.push("Job ID contains a space".into());
    } else if id.contains('\0') {
        errs.push("Job ID contains a null character".into());
    }
    if str_of(job, "Name").is_empty() {
        errs.push("Missing job name".into());
    }
    if str_of(job, "Namespace").is_empty() {
        errs.push("Job must be in a namespace".into());
    }
    let ty = str_of(job, "Type");
    match ty {
        "" => errs.push("Missing job type".into()),
        "service" | "batch" | "system" | "sysbatch" => {}
        other => errs.push(format!("Invalid job type: {other:?}")),
    }
    if arr(job, "Datacenters").is_empty() {
        errs.push("Missing job datacenters".into());
    }
    let priority = job.get("Priority").and_then(Value::as_i64).unwrap_or(0);
    if !(1..=100).contains(&priority) {
        errs.push("job priority must be between [1, 100]".into());
    }
    let groups = arr(job, "TaskGroups");
    if groups.is_empty() {
        errs.push("Missing job task groups".into());
    }
    let mut seen: Vec<&str> = vec![];
    for (i, g) in groups.iter().enumerate() {
        let name = str_of(g, "Name");
        if name.is_empty() {
            errs.push(format!("Job task group {} missing name", i + 1));
        } else if let Some(p) = seen.iter().position(|n| *n == name) {
            errs.push(format!(
                "Job task group {} redefines '{name}' from group {}",
                i + 1,
                p + 1
            ));
        }
        seen.push(name);
        if ty == "system" && g.get("Count").and_then(Value::as_i64).unwrap_or(1) > 1 {
            errs.push(format!(
                "Job task group {name} has count {}. Count cannot exceed 1 with system scheduler",
                g["Count"]
            ));
        }
        if let Some(m) = multierror(&group_errors(g)) {
            errs.push(format!("Task group {name} validation failed: {m}"));
        }
    }
    errs
}

fn group_errors(g: &Value) -> Vec<String> {
    let mut errs = vec![];
    if g.get("Count").and_then(Value::as_i64).unwrap_or(0) < 0 {
        errs.push("Task group count can't be negative".into());
    }
    let tasks = arr(g, "Tasks");
    if tasks.is_empty() {
        errs.push("Missing tasks for task group".into());
    }
    let mut seen: Vec<&str> = vec![];
    for (i, t) in tasks.iter().enumerate() {
        let name = str_of(t, "Name");
        if name.is_empty() {
            errs.push(format!("Task {} missing name", i + 1));
        } else if let Some(p) = seen.iter().position(|n| *n == name) {
            errs.push(format!(
                "Task {} redefines '{name}' from task {}",
                i + 1,
                p + 1
            ));
        }
        seen.push(name);
        let mut terrs = vec![];
        if str_of(t, "Driver").is_empty() {
            terrs.push("Missing task driver".to_string());
        }
        if let Some(m) = multierror(&terrs) {
            errs.push(format!("Task {name} validation failed: {m}"));
        }
    }
    errs
}

/// The whole validation as register and plan answer it (500 with the
/// multierror text).
pub fn job(job: &Value) -> Result<(), String> {
    match multierror(&job_errors(job)) {
        None => Ok(()),
        Some(m) => Err(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Follows structs.Job.Validate and go-multierror's list format.
    #[test]
    fn multierror_texts_match_go() {
        let j = json!({"ID": "x", "Name": "x", "Region": "global", "Namespace": "default",
            "Type": "service", "Datacenters": ["*"], "Priority": 50});
        assert_eq!(
            job(&j).unwrap_err(),
            "1 error occurred:\n\t* Missing job task groups\n\n"
        );
        let j = json!({"ID": "x", "Name": "x", "Region": "global", "Namespace": "default",
            "Type": "service", "Datacenters": ["*"], "Priority": 50,
            "TaskGroups": [{"Name": "web", "Count": 1, "Tasks": []}]});
        assert_eq!(
            job(&j).unwrap_err(),
            "1 error occurred:\n\t* Task group web validation failed: 1 error occurred:\n\t* Missing tasks for task group\n\n\n\n"
        );
        let j = json!({"ID": "a b", "Type": "nope"});
        let e = job(&j).unwrap_err();
        assert!(
            e.starts_with(
                "8 errors occurred:\n\t* Missing job region\n\t* Job ID contains a space"
            ),
            "{e}"
        );
    }
}
