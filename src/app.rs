//! Providers and the router.

use crate::api::{provide_api, Api};
use crate::components::provide_clock;
use crate::pages::*;
use crate::shell::TopBar;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    crate::routes::set_base(&crate::interop::base_path());
    provide_api(Api::from_storage());
    provide_clock();
    view! {
        <Router base=crate::routes::base()>
            <TopBar/>
            <main class="page">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=JobsPage/>
                    <Route path=path!("/jobs") view=JobsPage/>
                    <Route path=path!("/jobs/new") view=NewJobPage/>
                    <Route path=path!("/jobs/:namespace/:id") view=JobPage/>
                    <Route path=path!("/allocations") view=AllocationsPage/>
                    <Route path=path!("/allocations/:id") view=AllocPage/>
                    <Route path=path!("/allocations/:id/logs") view=AllocLogsPage/>
                    <Route path=path!("/allocations/:id/files") view=AllocFilesPage/>
                    <Route path=path!("/clients") view=ClientsPage/>
                    <Route path=path!("/clients/:id") view=ClientPage/>
                    <Route path=path!("/activity") view=ActivityPage/>
                    <Route path=path!("/settings/tokens") view=TokensPage/>
                </Routes>
            </main>
        </Router>
    }
}
