//! One allocation row, shared by the allocations list and the job and
//! client pages, and the small newest-first table those pages show.

use crate::components::*;
use crate::routes::{alloc_href, job_href, node_href};
use leptos::prelude::*;
use nomad_model::format;
use nomad_model::lists::{ns_of, AllocRow};

/// A table row: ID, name, job, client, status, desired status, version,
/// created and modified. The header must list the same columns.
#[component]
pub fn AllocRowView(
    a: AllocRow,
    #[prop(optional)] hide_job: bool,
    #[prop(optional)] hide_node: bool,
    /// a box to pick the row for a bulk action
    #[prop(optional)]
    pick: Option<crate::pages::bulk::Selection>,
) -> impl IntoView {
    view! {
        <tr data-alloc=a.id.clone()>
            {pick.map(|sel| view! { <crate::pages::bulk::PickBox sel key=a.id.clone()/> })}
            <td><a href=alloc_href(&a.id)><ShortId id=a.id.clone()/></a></td>
            <td class="name">{a.name.clone()}</td>
            {(!hide_job).then(|| view! {
                <td><a href=job_href(&a.namespace, &a.job_id)>{a.job_id.clone()}</a>{(ns_of(&a.namespace) != "default").then(|| view! { <span class="tag">{a.namespace.clone()}</span> })}</td>
            })}
            {(!hide_node).then(|| view! {
                <td><a href=node_href(&a.node_id)>{if a.node_name.is_empty() { format::short_id(&a.node_id).to_string() } else { a.node_name.clone() }}</a></td>
            })}
            <td><Badge status=a.client_status.clone()/></td>
            <td class="muted">{a.desired_status.clone()}</td>
            <td class="num">{a.job_version}</td>
            <td class="muted"><RelTime at=a.create_time/></td>
            <td class="muted"><RelTime at=a.modify_time/></td>
        </tr>
    }
}

/// A table of allocations, newest first.
#[component]
pub fn AllocTable(
    #[prop(into)] rows: Signal<Vec<AllocRow>>,
    #[prop(optional)] show_job: bool,
    /// on a client's page every row has the same client
    #[prop(optional)]
    hide_node: bool,
) -> impl IntoView {
    let sorted = Memo::new(move |_| {
        let mut v = rows.get();
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
                <For each=move || sorted.get() key=|a: &AllocRow| (a.id.clone(), a.modify_index) children=move |a: AllocRow| view! {
                    <AllocRowView a hide_job=!show_job hide_node/>
                }/>
            </tbody>
        </table>
        {move || sorted.with(|r| r.is_empty()).then(|| view! { <p class="empty">"No allocations."</p> })}
    }
}
