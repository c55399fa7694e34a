use super::*;
use serde_json::json;

fn job(image: &str, count: i64, dcs: &[&str], env: Value) -> Value {
    json!({"ID": "web", "Name": "web", "Type": "service", "Priority": 50, "Datacenters": dcs, "Version": 3, "SubmitTime": 123,
           "Meta": {"team": "a"},
           "Constraints": [{"LTarget": "${attr.kernel.name}", "RTarget": "linux", "Operand": "="}],
           "TaskGroups": [{"Name": "g", "Count": count, "RestartPolicy": {"Attempts": 2, "Mode": "fail"},
             "Tasks": [{"Name": "t", "Driver": "docker", "KillTimeout": 5000000000i64, "Env": env,
                        "Config": {"image": image, "args": ["-p", "80"]}, "Resources": {"CPU": 100, "MemoryMB": 64}}]}]})
}

#[test]
fn identical_jobs_have_no_diff() {
    let a = job("nginx:1", 2, &["dc1"], Value::Null);
    let d = job_diff(Some(&a), Some(&a), false);
    assert_eq!(d.diff_type, DiffType::None);
    assert_eq!(d.change_count(), 0);
    // bookkeeping fields never count
    let mut b = a.clone();
    b["Version"] = json!(4);
    b["SubmitTime"] = json!(999);
    assert_eq!(
        job_diff(Some(&a), Some(&b), false).diff_type,
        DiffType::None
    );
}

#[test]
fn edits_are_found_where_nomad_puts_them() {
    let a = job("nginx:1", 2, &["dc1"], Value::Null);
    let mut b = job("nginx:2", 3, &["dc1", "dc2"], json!({"foo": "bar"}));
    b["Priority"] = json!(70);
    b["Meta"] = json!({"team": "b"});
    let mut d = job_diff(Some(&a), Some(&b), false);
    annotate(&mut d);
    assert_eq!(d.diff_type, DiffType::Edited);
    let f: Vec<_> = d
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.old.as_str(), f.new.as_str()))
        .collect();
    assert_eq!(f, [("Meta[team]", "a", "b"), ("Priority", "50", "70")]);
    let dc = &d.objects[0];
    assert_eq!(
        (dc.name.as_str(), dc.diff_type),
        ("Datacenters", DiffType::Edited)
    );
    assert_eq!(dc.fields.len(), 1);
    assert_eq!(
        (dc.fields[0].diff_type, dc.fields[0].new.as_str()),
        (DiffType::Added, "dc2")
    );
    let g = &d.task_groups[0];
    assert_eq!(g.fields[0].name, "Count");
    assert_eq!(g.fields[0].annotations, ["forces create"]);
    let t = &g.tasks[0];
    assert_eq!(
        t.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["Env[foo]"]
    );
    assert_eq!(t.fields[0].diff_type, DiffType::Added);
    let cfg = t.objects.iter().find(|o| o.name == "Config").unwrap();
    assert_eq!(
        cfg.fields
            .iter()
            .map(|f| (f.name.as_str(), f.new.as_str()))
            .collect::<Vec<_>>(),
        [("image", "nginx:2")]
    );
    assert_eq!(t.annotations, ["forces create/destroy update"]);
    assert_eq!(d.change_count(), 6);
}

#[test]
fn contextual_keeps_unchanged_fields_of_changed_objects() {
    let a = job("nginx:1", 2, &["dc1"], Value::Null);
    let b = job("nginx:2", 2, &["dc1"], Value::Null);
    let d = job_diff(Some(&a), Some(&b), true);
    let cfg = d.task_groups[0].tasks[0]
        .objects
        .iter()
        .find(|o| o.name == "Config")
        .unwrap();
    assert_eq!(
        cfg.fields.len(),
        3,
        "args[0], args[1] unchanged but shown, image edited"
    );
    assert!(cfg
        .fields
        .iter()
        .any(|f| f.name == "args[0]" && f.diff_type == DiffType::None));
}

#[test]
fn added_and_removed_groups_tasks_and_constraints() {
    let a = job("nginx:1", 1, &["dc1"], Value::Null);
    let mut b = a.clone();
    b["Constraints"] = json!([]);
    b["TaskGroups"][0]["Tasks"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Name": "sidecar", "Driver": "exec"}));
    b["TaskGroups"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Name": "new", "Count": 1, "Tasks": []}));
    let mut d = job_diff(Some(&a), Some(&b), false);
    annotate(&mut d);
    assert_eq!(d.objects[0].name, "Constraint");
    assert_eq!(d.objects[0].diff_type, DiffType::Deleted);
    assert_eq!(
        d.objects[0]
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["LTarget", "Operand", "RTarget"]
    );
    let names: Vec<_> = d
        .task_groups
        .iter()
        .map(|g| (g.name.as_str(), g.diff_type))
        .collect();
    assert_eq!(names, [("g", DiffType::Edited), ("new", DiffType::Added)]);
    let side = d.task_groups[0]
        .tasks
        .iter()
        .find(|t| t.name == "sidecar")
        .unwrap();
    assert_eq!(
        (side.diff_type, side.annotations.clone()),
        (DiffType::Added, vec!["forces create".to_string()])
    );
    // a brand-new job
    let d = job_diff(None, Some(&a), false);
    assert_eq!(d.diff_type, DiffType::Added);
    assert_eq!(d.task_groups[0].diff_type, DiffType::Added);
    assert!(d.fields.iter().all(|f| f.diff_type == DiffType::Added));
}

#[test]
fn in_place_changes_are_annotated_so() {
    let a = job("nginx:1", 1, &["dc1"], Value::Null);
    let mut b = a.clone();
    b["TaskGroups"][0]["Tasks"][0]["KillTimeout"] = json!(10000000000i64);
    let mut d = job_diff(Some(&a), Some(&b), false);
    annotate(&mut d);
    assert_eq!(
        d.task_groups[0].tasks[0].annotations,
        ["forces in-place update"]
    );
    assert_eq!(d.task_groups[0].tasks[0].fields[0].old, "5000000000");
}
