//! One folder per area of the UI.

pub mod activity;
pub mod alloc;
pub mod allocations;
pub mod bulk;
pub mod client;
pub mod clients;
pub mod evals;
pub mod exec;
pub mod job;
pub mod jobs;
pub mod list;
pub mod logs;
pub mod paged;
pub mod palette;
pub mod pools;
pub mod problems;
pub mod servers;
pub mod services;
pub mod settings;
pub mod topology;

pub use activity::ActivityPage;
pub use alloc::{AllocFilesPage, AllocPage};
pub use allocations::AllocationsPage;
pub use client::ClientPage;
pub use clients::ClientsPage;
pub use evals::{EvalPage, EvaluationsPage};
pub use exec::ExecPage;
pub use job::{JobPage, NewJobPage};
pub use jobs::JobsPage;
pub use logs::AllocLogsPage;
pub use palette::OverlayView;
pub use pools::{PoolPage, PoolsPage};
pub use problems::ProblemsPage;
pub use servers::{AgentLogPage, ServersPage};
pub use services::{ServicePage, ServicesPage};
pub use settings::TokensPage;
pub use topology::TopologyPage;

use crate::routes::href;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;

#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    view! {
        <section class="error-panel notfound" data-testid="not-found">
            <h2>"Page not found"</h2>
            <p>"Nothing lives at " <code>{move || location.pathname.get()}</code> "."</p>
            <p><a class="button" href=href("/jobs")>"Go to jobs"</a></p>
        </section>
    }
}

/// Navigates to an absolute app URL (from [`crate::routes::href`]).
pub fn go(nav: &impl Fn(&str, NavigateOptions), url: &str) {
    nav(
        url,
        NavigateOptions {
            resolve: false,
            ..Default::default()
        },
    );
}

/// Runs an action a moment after the last of a burst of calls (the URL
/// follows typing this way: rewriting it re-runs the router).
#[derive(Clone, Copy)]
pub struct Debounce(StoredValue<u64>);

impl Debounce {
    pub fn new() -> Self {
        Debounce(StoredValue::new(0))
    }
    /// Runs `f` after `delay` unless `run` is called again before then.
    pub fn run(&self, delay: std::time::Duration, f: impl FnOnce() + 'static) {
        let n = self.0.get_value() + 1;
        self.0.set_value(n);
        let me = self.0;
        set_timeout(
            move || {
                if me.try_get_value() == Some(n) {
                    f();
                }
            },
            delay,
        );
    }
}

impl Default for Debounce {
    fn default() -> Self {
        Self::new()
    }
}

/// A query-string parameter of the current URL (tracked). Memoized, so a
/// change to another parameter does not re-run what reads this one.
pub fn use_query_param(key: &'static str) -> Signal<String> {
    let q = use_query_map();
    Memo::new(move |_| q.with(|m| m.get(key).unwrap_or_default())).into()
}

/// Returns a setter that rewrites query parameters in place (history
/// replace, no scroll), so views can be shared by URL.
pub fn use_query_setter() -> impl Fn(&[(&str, String)]) + Clone + 'static {
    let navigate = use_navigate();
    let location = use_location();
    let q = use_query_map();
    move |changes: &[(&str, String)]| {
        let mut pairs: Vec<(String, String)> = q.with_untracked(|m| {
            m.clone()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        });
        for (k, v) in changes {
            pairs.retain(|(pk, _)| pk != k);
            if !v.is_empty() {
                pairs.push((k.to_string(), v.clone()));
            }
        }
        pairs.sort_unstable();
        let qs = crate::routes::query_string(&pairs);
        let path = location.pathname.get_untracked();
        let url = if qs.is_empty() {
            path
        } else {
            format!("{path}?{qs}")
        };
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                resolve: false,
                ..Default::default()
            },
        );
    }
}
