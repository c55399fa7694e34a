//! The areas loaded on demand. Built with the `split` feature (what
//! `scripts/build-ui.sh` does), each area's code is cut into its own wasm
//! chunk by `wasm-split-cli` and fetched the first time one of its pages
//! opens; the shell, router, API layer and jobs list stay in the first
//! load. Without the feature (browser tests, `trunk build`) the same
//! routes call the pages directly.
//!
//! The chunks are declared `fallible`: Leptos' own `#[lazy]` panics when a
//! chunk cannot be fetched, which aborts the whole module; here the route
//! shows the error panel instead, and opening the page again retries.

use crate::api::ApiError;
use crate::components::ErrorPanel;
use crate::pages::*;
use leptos::prelude::*;
use leptos_router::LazyRoute;

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

/// `area!(Route, chunk, function, "name", view)`: a route whose view is
/// in chunk `chunk` (routes naming the same chunk share it).
macro_rules! area {
    ($route:ident, $chunk:ident, $f:ident, $name:literal, $view:expr) => {
        pub struct $route;

        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($chunk, fallible, wasm_split_path = ::leptos::wasm_split)]
        fn $f() -> Result<AnyView, ChunkError> {
            Ok($view.into_any())
        }

        #[cfg(not(feature = "split"))]
        async fn $f() -> Result<AnyView, ChunkError> {
            Ok($view.into_any())
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            async fn view(_: Self) -> AnyView {
                $f().await.unwrap_or_else(|_| chunk_failed($name))
            }
        }
    };
}

area!(JobRoute, job, job_view, "job", view! { <JobPage/> });
area!(
    NewJobRoute,
    job,
    new_job_view,
    "job",
    view! { <NewJobPage/> }
);
area!(
    AllocationsRoute,
    allocation,
    allocations_view,
    "allocations",
    view! { <AllocationsPage/> }
);
area!(
    AllocRoute,
    allocation,
    alloc_view,
    "allocation",
    view! { <AllocPage/> }
);
area!(
    LogsRoute,
    logs,
    logs_view,
    "logs",
    view! { <AllocLogsPage/> }
);
area!(
    FilesRoute,
    files,
    files_view,
    "files",
    view! { <AllocFilesPage/> }
);
area!(
    ClientsRoute,
    clients,
    clients_view,
    "clients",
    view! { <ClientsPage/> }
);
area!(
    ClientRoute,
    clients,
    client_view,
    "client",
    view! { <ClientPage/> }
);
area!(
    ActivityRoute,
    activity,
    activity_view,
    "activity",
    view! { <ActivityPage/> }
);
area!(
    TokensRoute,
    settings,
    tokens_view,
    "settings",
    view! { <TokensPage/> }
);
