//! The top bar's count of problems, from the same reads and rules as the
//! page, so the two always agree. It lives in the problems chunk, which
//! the top bar fetches a few seconds after the page has loaded (see
//! `shell.rs`).

use super::use_problems;
use leptos::prelude::*;

#[component]
pub fn ProblemsBadge() -> impl IntoView {
    let p = use_problems();
    let shown = Memo::new(move |_| (!p.loading.get()).then(|| p.count()).filter(|n| *n > 0));
    move || {
        shown.get().map(|n| {
            let what = format!(
                " thing{} need{} attention",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" }
            );
            let title = format!("{n}{what}");
            view! {
                <span class="nav-badge" data-testid="problems-badge" title=title>
                    {n}<span class="sr-only">{what}</span>
                </span>
            }
        })
    }
}
