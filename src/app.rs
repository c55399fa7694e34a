//! Providers and the router.

use crate::api::{provide_api, Api};
use crate::components::provide_clock;
use crate::lazy::*;
use crate::pages::{JobsPage, NotFound};
use crate::shell::TopBar;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use leptos_router::Lazy;

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
                    <Route path=path!("/jobs/new") view={Lazy::<NewJobRoute>::new()}/>
                    <Route path=path!("/jobs/:namespace/:id") view={Lazy::<JobRoute>::new()}/>
                    <Route path=path!("/allocations") view={Lazy::<AllocationsRoute>::new()}/>
                    <Route path=path!("/allocations/:id") view={Lazy::<AllocRoute>::new()}/>
                    <Route path=path!("/allocations/:id/logs") view={Lazy::<LogsRoute>::new()}/>
                    <Route path=path!("/allocations/:id/files") view={Lazy::<FilesRoute>::new()}/>
                    <Route path=path!("/clients") view={Lazy::<ClientsRoute>::new()}/>
                    <Route path=path!("/clients/:id") view={Lazy::<ClientRoute>::new()}/>
                    <Route path=path!("/activity") view={Lazy::<ActivityRoute>::new()}/>
                    <Route path=path!("/settings/tokens") view={Lazy::<TokensRoute>::new()}/>
                </Routes>
            </main>
        </Router>
    }
}
