//! A job diff drawn as a tree: added, removed and edited fields coloured,
//! with the planner's annotations and each group's scheduler updates.

use leptos::prelude::*;
use nomad_model::{DiffRowKind, DiffType, JobDiff};

#[component]
pub fn DiffTree(
    #[prop(into)] diff: Signal<JobDiff>,
    #[prop(optional, into)] show_unchanged: Option<Signal<bool>>,
) -> impl IntoView {
    let rows = Memo::new(move |_| {
        let all = show_unchanged.map(|s| s.get()).unwrap_or(false);
        diff.with(|d| d.flatten(!all))
    });
    view! {
        <div class="diff-tree" data-testid="diff-tree">
            {move || {
                let rows = rows.get();
                if rows.len() <= 1 {
                    return view! { <p class="muted diff-empty" data-testid="diff-empty">"No changes."</p> }.into_any();
                }
                rows.into_iter()
                    .map(|r| {
                        let class = format!(
                            "diff-row {} {}",
                            match r.diff_type {
                                DiffType::Added => "added",
                                DiffType::Deleted => "deleted",
                                DiffType::Edited => "edited",
                                DiffType::None => "same",
                            },
                            match r.kind {
                                DiffRowKind::Job => "k-job",
                                DiffRowKind::Group => "k-group",
                                DiffRowKind::Task => "k-task",
                                DiffRowKind::Object => "k-object",
                                DiffRowKind::Field => "k-field",
                            }
                        );
                        let label = match r.kind {
                            DiffRowKind::Job => format!("Job \"{}\"", r.name),
                            DiffRowKind::Group => format!("Task group \"{}\"", r.name),
                            DiffRowKind::Task => format!("Task \"{}\"", r.name),
                            _ => r.name.clone(),
                        };
                        let value = (r.kind == DiffRowKind::Field).then(|| match r.diff_type {
                            DiffType::Added => view! { <span class="v new">{format!("{:?}", r.new)}</span> }.into_any(),
                            DiffType::Deleted => view! { <span class="v old">{format!("{:?}", r.old)}</span> }.into_any(),
                            DiffType::Edited => view! {
                                <span class="v old">{format!("{:?}", r.old)}</span>
                                <span class="arrow">" → "</span>
                                <span class="v new">{format!("{:?}", r.new)}</span>
                            }
                            .into_any(),
                            DiffType::None => view! { <span class="v">{format!("{:?}", r.new)}</span> }.into_any(),
                        });
                        let ann = (!r.annotations.is_empty()).then(|| {
                            r.annotations.iter().map(|a| view! { <span class="annotation">{a.clone()}</span> }).collect_view()
                        });
                        view! {
                            <div class=class prop:style=format!("padding-left:{}px", 12 + r.depth * 18)>
                                <span class="marker">{r.diff_type.marker()}</span>
                                <span class="name">{label}</span>
                                {(r.kind == DiffRowKind::Field).then_some(": ")}
                                {value}
                                {ann}
                            </div>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </div>
    }
}

/// "3 changes" with the right plural.
pub fn changes_label(d: &JobDiff) -> String {
    match d.change_count() {
        0 => "no changes".into(),
        1 => "1 change".into(),
        n => format!("{n} changes"),
    }
}
