//! The areas loaded on demand. Built with the `split` feature (what
//! `scripts/build-ui.sh` does), each area's code is cut into its own wasm
//! chunk by `wasm-split-cli` and fetched the first time one of its pages
//! opens; the shell, router, API layer and jobs list stay in the first
//! load. Without the feature (browser tests, `trunk build`) the same
//! routes call the pages directly.
//!
//! The pages of the areas share one stylesheet (`style/areas.css`), loaded
//! with the first of them; `style/main.css` holds the shell's and the jobs
//! list's.
//!
//! The chunks are declared `fallible`: Leptos' own `#[lazy]` panics when a
//! chunk cannot be fetched, which aborts the whole module; here the route
//! shows the error panel instead, and opening the page again retries.

use crate::api::ApiError;
use crate::components::ErrorPanel;
use crate::pages::*;
use futures_util::future::join;
use leptos::prelude::*;
use leptos_router::ChooseView;
use std::future::Future;
use std::pin::Pin;

/// A chunk that could not be fetched or instantiated.
pub struct ChunkError;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

fn chunk_failed(area: &str) -> AnyView {
    let e = ApiError::network(
        format!(
            "The {area} part of Yurt could not be loaded (the browser console has the details)."
        ),
        "",
    );
    view! { <ErrorPanel error=e/> }.into_any()
}

/// An area's view, once its chunk is in.
type AreaFuture = Pin<Box<dyn Future<Output = Result<AnyView, ChunkError>>>>;

/// A route's view that lives in a chunk. One type for every area (the
/// router compiles its view-choosing code once per view type; Leptos'
/// `Lazy<T>` would be one type, and one copy, per route).
#[derive(Clone, Copy)]
pub struct Area {
    name: &'static str,
    load: fn() -> AreaFuture,
}

impl Area {
    /// The area's view, with its chunk and the areas' stylesheet.
    pub async fn render(self) -> AnyView {
        // the areas' stylesheet comes with the first of them, fetched
        // alongside the chunk
        let (view, ()) = join((self.load)(), crate::interop::area_styles()).await;
        view.unwrap_or_else(|_| chunk_failed(self.name))
    }
}

impl ChooseView for Area {
    async fn choose(self) -> AnyView {
        self.render().await
    }

    async fn preload(&self) {}
}

/// The jobs list's bulk bar, which lives in the job chunk: its requests
/// need what the first load leaves out (`serde_json::Value`), and the
/// bar, its confirmation and its results are only wanted once a row is
/// picked.
#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(job, fallible, wasm_split_path = ::leptos::wasm_split)]
fn jobs_bulk_view(sel: crate::pages::bulk::Selection) -> Result<AnyView, ChunkError> {
    Ok(crate::pages::job::jobs_bulk_bar(sel))
}

#[cfg(not(feature = "split"))]
async fn jobs_bulk_view(sel: crate::pages::bulk::Selection) -> Result<AnyView, ChunkError> {
    Ok(crate::pages::job::jobs_bulk_bar(sel))
}

pub async fn jobs_bulk(sel: crate::pages::bulk::Selection) -> AnyView {
    jobs_bulk_view(sel)
        .await
        .unwrap_or_else(|_| chunk_failed("job"))
}

/// The top bar's problem count, which lives in the problems chunk with
/// the rules and reads it shares with the page.
#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(problems, fallible, wasm_split_path = ::leptos::wasm_split)]
fn problems_badge_view() -> Result<AnyView, ChunkError> {
    Ok(view! { <crate::pages::problems::ProblemsBadge/> }.into_any())
}

#[cfg(not(feature = "split"))]
async fn problems_badge_view() -> Result<AnyView, ChunkError> {
    Ok(view! { <crate::pages::problems::ProblemsBadge/> }.into_any())
}

/// Nothing when the chunk cannot be had: the page link still works.
pub async fn problems_badge() -> AnyView {
    problems_badge_view()
        .await
        .unwrap_or_else(|_| ().into_any())
}

/// `area!(CONST, chunk, function, "name", view)`: the [`Area`] `CONST`,
/// whose view is in chunk `chunk` (areas naming the same chunk share it).
macro_rules! area {
    ($area:ident, $chunk:ident, $f:ident, $name:literal, $view:expr) => {
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($chunk, fallible, wasm_split_path = ::leptos::wasm_split)]
        fn $f() -> Result<AnyView, ChunkError> {
            Ok($view.into_any())
        }

        #[cfg(not(feature = "split"))]
        async fn $f() -> Result<AnyView, ChunkError> {
            Ok($view.into_any())
        }

        pub const $area: Area = Area {
            name: $name,
            load: || Box::pin($f()),
        };
    };
}

area!(JOB, job, job_view, "job", view! { <JobPage/> });
area!(NEW_JOB, job, new_job_view, "job", view! { <NewJobPage/> });
area!(
    ALLOCATIONS,
    allocation,
    allocations_view,
    "allocations",
    view! { <AllocationsPage/> }
);
area!(
    ALLOCATION,
    allocation,
    alloc_view,
    "allocation",
    view! { <AllocPage/> }
);
area!(LOGS, logs, logs_view, "logs", view! { <AllocLogsPage/> });
area!(
    FILES,
    files,
    files_view,
    "files",
    view! { <AllocFilesPage/> }
);
area!(
    CLIENTS,
    clients,
    clients_view,
    "clients",
    view! { <ClientsPage/> }
);
area!(
    CLIENT,
    clients,
    client_view,
    "client",
    view! { <ClientPage/> }
);
area!(
    ACTIVITY,
    activity,
    activity_view,
    "activity",
    view! { <ActivityPage/> }
);
area!(
    TOKENS,
    settings,
    tokens_view,
    "settings",
    view! { <TokensPage/> }
);
area!(
    EVALUATIONS,
    evals,
    evaluations_view,
    "evaluations",
    view! { <EvaluationsPage/> }
);
area!(
    EVALUATION,
    evals,
    eval_view,
    "evaluation",
    view! { <EvalPage/> }
);
area!(
    SERVERS,
    servers,
    servers_view,
    "servers",
    view! { <ServersPage/> }
);
area!(
    POOLS,
    pools,
    pools_view,
    "node pools",
    view! { <PoolsPage/> }
);
area!(POOL, pools, pool_view, "node pool", view! { <PoolPage/> });
area!(
    SERVICES,
    services,
    services_view,
    "services",
    view! { <ServicesPage/> }
);
area!(
    SERVICE,
    services,
    service_view,
    "service",
    view! { <ServicePage/> }
);
area!(EXEC, exec, exec_view, "exec", view! { <ExecPage/> });
area!(
    AGENT_LOG,
    servers,
    agent_log_view,
    "agent log",
    view! { <AgentLogPage/> }
);
area!(
    TOPOLOGY,
    topology,
    topology_view,
    "topology",
    view! { <TopologyPage/> }
);
area!(
    PROBLEMS,
    problems,
    problems_view,
    "problems",
    view! { <ProblemsPage/> }
);
area!(
    PALETTE,
    palette,
    palette_view,
    "command palette",
    view! { <OverlayView/> }
);
