//! Providers and the router.

use crate::api::{provide_api, Api};
use crate::components::provide_clock;
use crate::lazy::{
    ACTIVITY, AGENT_LOG, ALLOCATION, ALLOCATIONS, CLIENT, CLIENTS, EVALUATION, EVALUATIONS, EXEC,
    FILES, JOB, LOGS, NEW_JOB, POOL, POOLS, PROBLEMS, SERVERS, SERVICE, SERVICES, TOKENS, TOPOLOGY,
};
use crate::pages::{JobsPage, NotFound};
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
                    <Route path=path!("/jobs/new") view=NEW_JOB/>
                    <Route path=path!("/jobs/:namespace/:id") view=JOB/>
                    <Route path=path!("/allocations") view=ALLOCATIONS/>
                    <Route path=path!("/allocations/:id") view=ALLOCATION/>
                    <Route path=path!("/allocations/:id/logs") view=LOGS/>
                    <Route path=path!("/allocations/:id/files") view=FILES/>
                    <Route path=path!("/allocations/:id/exec") view=EXEC/>
                    <Route path=path!("/clients") view=CLIENTS/>
                    <Route path=path!("/clients/:id") view=CLIENT/>
                    <Route path=path!("/evaluations") view=EVALUATIONS/>
                    <Route path=path!("/evaluations/:id") view=EVALUATION/>
                    <Route path=path!("/servers") view=SERVERS/>
                    <Route path=path!("/agent/log") view=AGENT_LOG/>
                    <Route path=path!("/services") view=SERVICES/>
                    <Route path=path!("/services/:namespace/:name") view=SERVICE/>
                    <Route path=path!("/pools") view=POOLS/>
                    <Route path=path!("/pools/:name") view=POOL/>
                    <Route path=path!("/topology") view=TOPOLOGY/>
                    <Route path=path!("/problems") view=PROBLEMS/>
                    <Route path=path!("/activity") view=ACTIVITY/>
                    <Route path=path!("/settings/tokens") view=TOKENS/>
                </Routes>
            </main>
        </Router>
    }
}
