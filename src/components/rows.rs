//! `<For>` for lists that stay open and change all day.
//!
//! Leptos 0.8's `<For>` gives each row an owner that it registers, as a weak
//! reference, with the owner around the `<For>`. A row that goes away leaves
//! that entry, and the entry keeps the row owner's allocation (about 80
//! bytes), until the outer owner is cleaned up. A followed log, a live list
//! or the topology map creates rows for as long as the page is open, so
//! [`Rows`] builds its `<For>` in a reactive scope of its own and rebuilds
//! it after every [`RENEW_AFTER`] rows, which frees them. reactive_graph
//! 0.3 prunes dead children itself; this can go when Yurt moves to it.

use leptos::prelude::*;
use std::hash::Hash;

/// Rows created before the `<For>` is rebuilt: a rebuild redraws the rows
/// in view once, so this keeps it rare while bounding what dead rows hold
/// to about 100 KB.
pub const RENEW_AFTER: usize = 1024;

#[component]
pub fn Rows<IF, I, T, EF, N, KF, K>(
    /// Items over which to iterate.
    each: IF,
    /// A key for each item.
    key: KF,
    /// The view of an item.
    children: EF,
) -> impl IntoView
where
    IF: Fn() -> I + Send + Sync + Clone + 'static,
    I: IntoIterator<Item = T> + Send + 'static,
    EF: Fn(T) -> N + Send + Sync + Clone + 'static,
    N: IntoView + 'static,
    KF: Fn(&T) -> K + Send + Sync + Clone + 'static,
    K: Eq + Hash + 'static,
    T: Send + 'static,
{
    let epoch = RwSignal::new(0u64);
    let made = StoredValue::new(0usize);
    let children = move |item: T| {
        let n = made.get_value() + 1;
        made.set_value(n);
        if n == RENEW_AFTER {
            // after the update that is building this row, not during it
            leptos::task::spawn_local(async move {
                epoch.try_update(|e| *e += 1);
            });
        }
        children(item)
    };
    move || {
        epoch.track();
        made.set_value(0);
        view! { <For each=each.clone() key=key.clone() children=children.clone()/> }
    }
}
