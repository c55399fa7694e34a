//! The allocations table shared by the job and client pages.

use crate::components::*;
use crate::routes::{alloc_href, node_href};
use leptos::prelude::*;
use nomad_model::{format, Allocation};
use std::sync::Arc;

/// A table of allocations, newest first.
#[component]
pub fn AllocTable(
    list: Signal<Arc<Vec<Allocation>>>,
    #[prop(optional)] show_job: bool,
    /// on a client's page every row has the same client
    #[prop(optional)]
    hide_node: bool,
) -> impl IntoView {
    let rows = Memo::new(move |_| {
        let mut v: Vec<Allocation> = list.with(|l| l.iter().cloned().collect());
        v.sort_by(|a, b| {
            b.create_time
                .cmp(&a.create_time)
                .then_with(|| a.name.cmp(&b.name))
        });
        v
    });
    view! {
        <table class="table" data-testid="alloc-table">
            <thead><tr><th>"ID"</th><th>"Name"</th>{show_job.then(|| view! { <th>"Job"</th> })}{(!hide_node).then(|| view! { <th>"Client"</th> })}<th>"Status"</th><th>"Desired"</th><th class="num">"Version"</th><th>"Created"</th><th>"Modified"</th></tr></thead>
            <tbody>
                <For each=move || rows.get() key=|a: &Allocation| (a.id.clone(), a.modify_index) children=move |a: Allocation| {
                    let job_href = crate::routes::job_href(&a.namespace, &a.job_id);
                    view! {
                        <tr data-alloc=a.id.clone()>
                            <td><a href=alloc_href(&a.id)><ShortId id=a.id.clone()/></a></td>
                            <td>{a.name.clone()}</td>
                            {show_job.then(|| view! { <td><a href=job_href>{a.job_id.clone()}</a></td> })}
                            {(!hide_node).then(|| view! { <td><a href=node_href(&a.node_id)>{if a.node_name.is_empty() { format::short_id(&a.node_id).to_string() } else { a.node_name.clone() }}</a></td> })}
                            <td><Badge status=a.client_status.clone()/></td>
                            <td class="muted">{a.desired_status.clone()}</td>
                            <td class="num">{a.job_version}</td>
                            <td class="muted"><RelTime at=a.create_time/></td>
                            <td class="muted"><RelTime at=a.modify_time/></td>
                        </tr>
                    }
                }/>
            </tbody>
        </table>
        {move || rows.with(|r| r.is_empty()).then(|| view! { <p class="empty">"No allocations."</p> })}
    }
}
