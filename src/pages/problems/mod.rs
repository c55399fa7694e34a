//! Problems (`/ui/problems`): one page naming what needs attention now,
//! grouped and counted, each entry linked and saying since when. Read
//! from the allocations, evaluations, deployments, clients and the leader
//! with blocking queries, so it follows the cluster as it changes; a
//! source the token may not read is named, and the rest still shows.

use crate::api::{paths, use_watch, ApiError, Watch, WatchOpts};
use crate::components::*;
use crate::routes::{alloc_href, eval_href, href, job_href, node_href};
use leptos::prelude::*;
use nomad_model::problems::{
    alloc_problems, deployment_problems, eval_problems, grouped, leader_problem, node_problems,
    Kind, Problem, Target, ALLOC_FILTER, DEPLOYMENT_FILTER, EVAL_FILTER,
};
use nomad_model::{Allocation, Deployment, Evaluation, NodeListStub};
use std::time::Duration;

mod badge;
pub use badge::ProblemsBadge;

/// What the problems page and the top bar's badge read: the same
/// watches (so on the page they share one request each), narrowed on the
/// agent to the rows the rules can judge.
#[derive(Clone, Copy)]
pub struct Problems {
    pub groups: Memo<Vec<(Kind, Vec<Problem>)>>,
    /// Allocations or clients are not read yet.
    pub loading: Signal<bool>,
    /// The sources the token may not read, each with why.
    pub unread: Signal<Vec<String>>,
}

fn query(filter: String) -> Vec<(&'static str, String)> {
    vec![("namespace", "*".to_string()), ("filter", filter)]
}

pub fn use_problems() -> Problems {
    let now = use_clock();
    let allocs: Watch<Vec<Allocation>> = use_watch(
        || Some((paths::ALLOCATIONS.into(), query(ALLOC_FILTER.into()))),
        WatchOpts::default(),
    );
    let evals: Watch<Vec<Evaluation>> = use_watch(
        || Some((paths::EVALUATIONS.into(), query(EVAL_FILTER.into()))),
        WatchOpts::default(),
    );
    let deps: Watch<Vec<Deployment>> = use_watch(
        || Some((paths::DEPLOYMENTS.into(), query(DEPLOYMENT_FILTER.into()))),
        WatchOpts::default(),
    );
    let nodes: Watch<Vec<NodeListStub>> =
        use_watch(|| Some((paths::NODES.into(), vec![])), WatchOpts::default());
    let leader: Watch<String> = use_watch(
        || Some((paths::STATUS_LEADER.into(), vec![])),
        WatchOpts::polled(Duration::from_secs(10)),
    );
    let groups = Memo::new(move |_| {
        let t = now.get();
        let mut all: Vec<Problem> = vec![];
        if let Some(a) = allocs.data() {
            all.extend(alloc_problems(&a, t));
        }
        if let Some(e) = evals.data() {
            all.extend(eval_problems(&e));
        }
        if let Some(d) = deps.data() {
            all.extend(deployment_problems(&d, t));
        }
        if let Some(n) = nodes.data() {
            all.extend(node_problems(&n));
        }
        let l = leader.data();
        let err = leader.error().map(|e| e.message);
        match (l.as_deref(), err.as_deref()) {
            (Some(l), _) => all.extend(leader_problem(Ok(l), t)),
            (None, Some(e)) => all.extend(leader_problem(Err(e), t)),
            (None, None) => {}
        }
        grouped(all)
    });
    let loading = Signal::derive(move || allocs.data().is_none() || nodes.data().is_none());
    let unread = Signal::derive(move || {
        [
            ("allocations", allocs.error()),
            ("evaluations", evals.error()),
            ("deployments", deps.error()),
            ("clients", nodes.error()),
        ]
        .into_iter()
        .filter_map(|(what, e): (&str, Option<ApiError>)| e.map(|e| format!("{what}: {e}")))
        .collect::<Vec<_>>()
    });
    Problems {
        groups,
        loading,
        unread,
    }
}

impl Problems {
    pub fn count(&self) -> usize {
        self.groups.with(|g| g.iter().map(|(_, v)| v.len()).sum())
    }
}

#[component]
pub fn ProblemsPage() -> impl IntoView {
    let p = use_problems();
    let Problems {
        groups,
        loading,
        unread,
    } = p;
    view! {
        <div class="page-head"><h1>"Problems"</h1></div>
        <p class="muted" data-testid="problems-summary">{move || {
            let n = p.count();
            if loading.get() {
                "Reading the cluster…".to_string()
            } else if n == 0 {
                "Nothing needs attention right now.".to_string()
            } else {
                format!("{n} thing{} need{} attention.", if n == 1 { "" } else { "s" }, if n == 1 { "s" } else { "" })
            }
        }}</p>
        {move || {
            let u = unread.get();
            (!u.is_empty()).then(|| view! {
                <div class="banner warn" data-testid="problems-unread">{format!("Not read, so not judged here — {}", u.join(" · "))}</div>
            })
        }}
        <nav class="problem-index">
            {move || groups.get().into_iter().map(|(k, v)| view! {
                <a class="chip" href=format!("#{}", k.key())>{k.title()}<span class="chip-count">{v.len()}</span></a>
            }).collect_view()}
        </nav>
        {move || groups.get().into_iter().map(|(k, v)| view! {
            <section class="card problem-group" id=k.key() data-testid=format!("problems-{}", k.key())>
                <h2>{k.title()}" "<span class="badge" data-testid="problem-count">{v.len()}</span></h2>
                <ul class="problem-list">
                    {v.into_iter().map(|p| view! { <ProblemRow p/> }).collect_view()}
                </ul>
            </section>
        }).collect_view()}
    }
}

#[component]
fn ProblemRow(p: Problem) -> impl IntoView {
    let link = match &p.target {
        Target::Alloc(id) => alloc_href(id),
        Target::Job { namespace, id } => job_href(namespace, id),
        Target::Eval(id) => eval_href(id),
        Target::Node(id) => node_href(id),
        Target::Servers => href("/servers"),
    };
    let since = p.since;
    view! {
        <li data-subject=p.subject.clone()>
            <a href=link class="problem-subject">{p.subject.clone()}</a>
            <span class="problem-detail">{p.detail.clone()}</span>
            <span class="muted problem-since">{since.is_set().then(|| view! { "since "<RelTime at=since/> })}</span>
        </li>
    }
}
