//! The structured job diff Nomad returns from `versions?diffs=true` and
//! `plan` with `Diff: true` (see Nomad's `nomad/structs/diff.go`), with
//! helpers to count changes and flatten the tree for display.

use crate::de::nd;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum DiffType {
    Added,
    Deleted,
    Edited,
    #[default]
    None,
}

impl DiffType {
    pub fn as_str(self) -> &'static str {
        match self {
            DiffType::Added => "Added",
            DiffType::Deleted => "Deleted",
            DiffType::Edited => "Edited",
            DiffType::None => "None",
        }
    }
    /// `+`, `-`, `+/-` or a space, as `nomad job plan` prints.
    pub fn marker(self) -> &'static str {
        match self {
            DiffType::Added => "+",
            DiffType::Deleted => "-",
            DiffType::Edited => "+/-",
            DiffType::None => " ",
        }
    }
    pub fn is_change(self) -> bool {
        self != DiffType::None
    }
}

impl<'de> Deserialize<'de> for DiffType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<String>::deserialize(d)?.as_deref() {
            Some("Added") => DiffType::Added,
            Some("Deleted") => DiffType::Deleted,
            Some("Edited") => DiffType::Edited,
            _ => DiffType::None,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobDiff {
    #[serde(rename = "Type")]
    pub diff_type: DiffType,
    #[serde(rename = "ID", deserialize_with = "nd")]
    pub id: String,
    #[serde(deserialize_with = "nd")]
    pub fields: Vec<FieldDiff>,
    #[serde(deserialize_with = "nd")]
    pub objects: Vec<ObjectDiff>,
    #[serde(deserialize_with = "nd")]
    pub task_groups: Vec<TaskGroupDiff>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TaskGroupDiff {
    #[serde(rename = "Type")]
    pub diff_type: DiffType,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub fields: Vec<FieldDiff>,
    #[serde(deserialize_with = "nd")]
    pub objects: Vec<ObjectDiff>,
    #[serde(deserialize_with = "nd")]
    pub tasks: Vec<TaskDiff>,
    /// Scheduler updates per kind (`create`, `destroy`, `in-place update`, ...).
    #[serde(deserialize_with = "nd")]
    pub updates: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TaskDiff {
    #[serde(rename = "Type")]
    pub diff_type: DiffType,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub fields: Vec<FieldDiff>,
    #[serde(deserialize_with = "nd")]
    pub objects: Vec<ObjectDiff>,
    #[serde(deserialize_with = "nd")]
    pub annotations: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ObjectDiff {
    #[serde(rename = "Type")]
    pub diff_type: DiffType,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub fields: Vec<FieldDiff>,
    #[serde(deserialize_with = "nd")]
    pub objects: Vec<ObjectDiff>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FieldDiff {
    #[serde(rename = "Type")]
    pub diff_type: DiffType,
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "nd")]
    pub old: String,
    #[serde(deserialize_with = "nd")]
    pub new: String,
    #[serde(deserialize_with = "nd")]
    pub annotations: Vec<String>,
}

fn count_fields(fields: &[FieldDiff], objects: &[ObjectDiff]) -> usize {
    fields.iter().filter(|f| f.diff_type.is_change()).count()
        + objects
            .iter()
            .map(|o| count_fields(&o.fields, &o.objects))
            .sum::<usize>()
}

impl ObjectDiff {
    pub fn change_count(&self) -> usize {
        count_fields(&self.fields, &self.objects)
    }
}

impl TaskDiff {
    pub fn change_count(&self) -> usize {
        let n = count_fields(&self.fields, &self.objects);
        // an added or removed task with no field detail is still one change
        if n == 0 && self.diff_type.is_change() {
            1
        } else {
            n
        }
    }
}

impl TaskGroupDiff {
    pub fn change_count(&self) -> usize {
        let n = count_fields(&self.fields, &self.objects)
            + self.tasks.iter().map(TaskDiff::change_count).sum::<usize>();
        if n == 0 && self.diff_type.is_change() {
            1
        } else {
            n
        }
    }
}

impl JobDiff {
    /// Number of changed fields in the whole tree (added, deleted or edited
    /// leaf fields; an added or deleted group or task without field detail
    /// counts once).
    pub fn change_count(&self) -> usize {
        count_fields(&self.fields, &self.objects)
            + self
                .task_groups
                .iter()
                .map(TaskGroupDiff::change_count)
                .sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.change_count() == 0
    }

    /// The tree as display rows, depth-first, in the order `nomad job plan`
    /// prints them. With `changes_only`, unchanged fields and objects are
    /// left out (groups and tasks that contain changes stay).
    pub fn flatten(&self, changes_only: bool) -> Vec<DiffRow> {
        let mut out = vec![];
        out.push(DiffRow {
            depth: 0,
            kind: DiffRowKind::Job,
            diff_type: self.diff_type,
            name: self.id.clone(),
            old: String::new(),
            new: String::new(),
            annotations: vec![],
        });
        push_fields(&mut out, 1, &self.fields, &self.objects, changes_only);
        for g in &self.task_groups {
            if changes_only && g.change_count() == 0 {
                continue;
            }
            let mut ann: Vec<String> = g.updates.iter().map(|(k, v)| format!("{v} {k}")).collect();
            ann.sort_unstable();
            out.push(DiffRow {
                depth: 1,
                kind: DiffRowKind::Group,
                diff_type: g.diff_type,
                name: g.name.clone(),
                old: String::new(),
                new: String::new(),
                annotations: ann,
            });
            push_fields(&mut out, 2, &g.fields, &g.objects, changes_only);
            for t in &g.tasks {
                if changes_only && t.change_count() == 0 {
                    continue;
                }
                out.push(DiffRow {
                    depth: 2,
                    kind: DiffRowKind::Task,
                    diff_type: t.diff_type,
                    name: t.name.clone(),
                    old: String::new(),
                    new: String::new(),
                    annotations: t.annotations.clone(),
                });
                push_fields(&mut out, 3, &t.fields, &t.objects, changes_only);
            }
        }
        out
    }
}

fn push_fields(
    out: &mut Vec<DiffRow>,
    depth: usize,
    fields: &[FieldDiff],
    objects: &[ObjectDiff],
    changes_only: bool,
) {
    for f in fields {
        if changes_only && !f.diff_type.is_change() {
            continue;
        }
        out.push(DiffRow {
            depth,
            kind: DiffRowKind::Field,
            diff_type: f.diff_type,
            name: f.name.clone(),
            old: f.old.clone(),
            new: f.new.clone(),
            annotations: f.annotations.clone(),
        });
    }
    for o in objects {
        if changes_only && o.change_count() == 0 && !o.diff_type.is_change() {
            continue;
        }
        out.push(DiffRow {
            depth,
            kind: DiffRowKind::Object,
            diff_type: o.diff_type,
            name: o.name.clone(),
            old: String::new(),
            new: String::new(),
            annotations: vec![],
        });
        push_fields(out, depth + 1, &o.fields, &o.objects, changes_only);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffRowKind {
    Job,
    Group,
    Task,
    Object,
    Field,
}

/// One line of a flattened diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffRow {
    pub depth: usize,
    pub kind: DiffRowKind,
    pub diff_type: DiffType,
    pub name: String,
    pub old: String,
    pub new: String,
    pub annotations: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> JobDiff {
        serde_json::from_str(
            r#"{"Type":"Edited","ID":"web","Fields":[{"Type":"Edited","Name":"Priority","Old":"50","New":"60","Annotations":null}],
            "Objects":null,
            "TaskGroups":[{"Type":"Edited","Name":"cache","Fields":null,"Objects":null,"Updates":{"create/destroy update":2},
              "Tasks":[{"Type":"Edited","Name":"redis","Annotations":["forces create/destroy update"],
                "Fields":[{"Type":"None","Name":"Driver","Old":"docker","New":"docker"}],
                "Objects":[{"Type":"Edited","Name":"Config","Objects":null,"Fields":[
                   {"Type":"Edited","Name":"image","Old":"redis:3.2","New":"redis:7"},
                   {"Type":"Added","Name":"args[0]","Old":"","New":"--save"}]}]}]},
              {"Type":"None","Name":"idle","Fields":null,"Objects":null,"Tasks":null,"Updates":null}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn counts_changes() {
        let d = sample();
        assert_eq!(d.change_count(), 3);
        assert!(!d.is_empty());
        assert_eq!(d.task_groups[1].change_count(), 0);
    }

    #[test]
    fn flattens_for_display() {
        let d = sample();
        let rows = d.flatten(true);
        let names: Vec<_> = rows
            .iter()
            .map(|r| (r.depth, r.name.as_str(), r.diff_type.marker()))
            .collect();
        assert_eq!(
            names,
            vec![
                (0, "web", "+/-"),
                (1, "Priority", "+/-"),
                (1, "cache", "+/-"),
                (2, "redis", "+/-"),
                (3, "Config", "+/-"),
                (4, "image", "+/-"),
                (4, "args[0]", "+"),
            ]
        );
        assert_eq!(
            rows[2].annotations,
            vec!["2 create/destroy update".to_string()]
        );
        // everything, unchanged included
        assert_eq!(d.flatten(false).len(), 9);
    }

    #[test]
    fn unknown_type_is_none() {
        let f: FieldDiff = serde_json::from_str(r#"{"Type":"Weird","Name":"x"}"#).unwrap();
        assert_eq!(f.diff_type, DiffType::None);
    }
}
