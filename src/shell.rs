//! The top bar: navigation, region and namespace selectors, token status.

use crate::api::client::{identity, Identity};
use crate::api::{use_api, Api, ApiError, ApiErrorKind};
use crate::routes::href;
use futures_util::future::join3;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use nomad_model::{AclTokenName, Namespace};

/// What the top bar shows, read in one go: one resource rather than three
/// keeps one copy of the resource machinery in the first load.
#[derive(Clone)]
struct BarFacts {
    regions: Result<Vec<String>, ApiError>,
    namespaces: Result<Vec<Namespace>, ApiError>,
    /// `None` when browsing anonymously.
    who: Option<Result<Identity<AclTokenName>, ApiError>>,
}

/// The top bar's facts, re-read when the token changes.
fn use_bar_facts(api: Api) -> LocalResource<BarFacts> {
    LocalResource::new(move || {
        let signed_in = api.token.get().is_some();
        async move {
            let who = async move {
                if signed_in {
                    Some(identity::<AclTokenName>(api).await)
                } else {
                    None
                }
            };
            let (regions, namespaces, who) = join3(api.regions(), api.namespaces(), who).await;
            BarFacts {
                regions,
                namespaces,
                who,
            }
        }
    })
}

const BADGE_AFTER: std::time::Duration = std::time::Duration::from_secs(3);

#[component]
pub fn TopBar() -> impl IntoView {
    let api = use_api();
    let location = use_location();
    let facts = use_bar_facts(api);
    let active_at =
        move |path: &'static str| move || location.pathname.with(|p| p.starts_with(&href(path)));
    let nav = move |path: &'static str, label: &'static str| {
        let active = active_at(path);
        view! {
            <a href=href(path) class="nav-link" class:active=active aria-current=move || active().then_some("page")>
                {label}
            </a>
        }
    };
    // The problem count's code and reads (tens of MB on a large cluster)
    // come once the page has had its own: a few seconds after it loads.
    let badge = RwSignal::new(false);
    set_timeout(
        move || {
            badge.try_set(true);
        },
        BADGE_AFTER,
    );
    let on_problems = active_at("/problems");
    view! {
        <header class="topbar">
            <a class="brand" href=href("/jobs") title="Yurt — a fast UI for Nomad">
                <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
                    <path d="M3 17 16 5l13 12v2H3z" fill="currentColor" opacity=".9"/>
                    <path d="M6 19h20v8H6z" fill="currentColor" opacity=".55"/>
                    <path d="M14 21h4v6h-4z" fill="var(--topbar-bg)"/>
                </svg>
                <span>"Yurt"</span>
            </a>
            <nav class="nav">
                {nav("/jobs", "Jobs")}
                {nav("/allocations", "Allocations")}
                {nav("/clients", "Clients")}
                {nav("/topology", "Topology")}
                {nav("/services", "Services")}
                {nav("/evaluations", "Evaluations")}
                {nav("/servers", "Servers")}
                {nav("/activity", "Activity")}
                <a href=href("/problems") class="nav-link" class:active=on_problems aria-current=move || on_problems().then_some("page")>
                    "Problems"
                    {move || badge.get().then(|| view! {
                        <Suspense fallback=|| ()>
                            // the chunk loader is not `Send`; the app runs on one thread
                            {Suspend::new(send_wrapper::SendWrapper::new(crate::lazy::problems_badge()))}
                        </Suspense>
                    })}
                </a>
            </nav>
            <div class="topbar-spacer"></div>
            <LiveIndicator/>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match facts.await.regions {
                        Ok(list) if list.len() > 1 => {
                            let current = move || api.region.get().unwrap_or_default();
                            view! {
                                <label class="selector">
                                    <span>"Region"</span>
                                    <select
                                        aria-label="Region"
                                        data-testid="region-select"
                                        prop:value=current
                                        on:change=move |ev| {
                                            let v = event_target_value(&ev);
                                            api.region.set((!v.is_empty()).then_some(v));
                                        }
                                    >
                                        <option value="">"(agent's own)"</option>
                                        {list.into_iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            view! { <span class="selector static" title="Region">{list.first().cloned().unwrap_or_default()}</span> }.into_any()
                        }
                        Err(_) => ().into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match facts.await.namespaces {
                        // Enterprise-only (501), missing (404) or refused: no selector.
                        Err(e) if matches!(e.kind, ApiErrorKind::EnterpriseOnly | ApiErrorKind::NotFound) => ().into_any(),
                        Err(_) => ().into_any(),
                        Ok(list) if list.is_empty() => ().into_any(),
                        Ok(list) => {
                            view! {
                                <label class="selector">
                                    <span>"Namespace"</span>
                                    <select
                                        aria-label="Namespace"
                                        data-testid="namespace-select"
                                        prop:value=move || api.namespace.get()
                                        on:change=move |ev| api.namespace.set(event_target_value(&ev))
                                    >
                                        <option value="*">"All namespaces"</option>
                                        {list
                                            .into_iter()
                                            .map(|n| view! { <option value=n.name.clone() title=n.description.clone()>{n.name.clone()}</option> })
                                            .collect_view()}
                                    </select>
                                </label>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
            <a class="token-link" href=href("/settings/tokens") data-testid="token-link">
                <Transition fallback=|| "ACL token">
                    {move || Suspend::new(async move {
                        match facts.await.who {
                            None => view! { <span class="token-anon">"Sign in"</span> }.into_any(),
                            Some(Ok(Identity::AclsDisabled)) => view! { <span class="token-anon">"ACLs off"</span> }.into_any(),
                            Some(Ok(Identity::Token(t))) => view! { <span class="token-ok" title=t.accessor_id.clone()>{t.name.clone()}</span> }.into_any(),
                            Some(Err(_)) => view! { <span class="token-bad">"Token invalid"</span> }.into_any(),
                        }
                    })}
                </Transition>
            </a>
            <ThemeSwitch/>
        </header>
        <Overlays/>
    }
}

/// Whether pages follow the event stream, are catching up after a drop,
/// or poll with blocking queries (and why).
#[component]
fn LiveIndicator() -> impl IntoView {
    use crate::api::events::Liveness;
    let status = crate::api::hub::status();
    move || {
        let s = status.get();
        let (mode, label, title) = match (&s.liveness, &s.refused) {
            (None, None) => return ().into_any(),
            (Some(Liveness::Live), None) => (
                "live",
                "● Live".to_string(),
                format!("Pages follow the agent's event stream ({} events so far).", s.events),
            ),
            (Some(Liveness::Reconnecting(n)), _) => (
                "reconnecting",
                "◌ Reconnecting…".to_string(),
                format!("The event stream dropped; attempt {n} to resume from the last event seen."),
            ),
            (Some(Liveness::Connecting), None) => ("connecting", "◌ Connecting…".to_string(), "Opening the event stream.".to_string()),
            (Some(Liveness::Live | Liveness::Connecting), Some((topics, e))) => (
                "partial",
                format!("● Live · polling {}", refused_views(topics)),
                format!("The agent refused the {} events to this token ({}): those views use blocking queries.", topics.join(", "), e.message),
            ),
            (_, refused) => (
                "polling",
                "◌ Polling".to_string(),
                match refused {
                    Some((_, e)) if e.status == 404 => "This agent has no event stream (Nomad before 1.0): pages use blocking queries.".to_string(),
                    Some((_, e)) => format!("The event stream is not available to this token ({}): pages use blocking queries.", e.message),
                    None => "Pages use blocking queries.".to_string(),
                },
            ),
        };
        let class = if matches!(mode, "live") {
            "live-mode ok"
        } else {
            "live-mode warn"
        };
        view! { <span class=class data-testid="live-indicator" data-mode=mode title=title.clone() aria-label=title>{label}</span> }.into_any()
    }
}

/// The views a refusal of `topics` sends back to polling, in words.
fn refused_views(topics: &[String]) -> &'static str {
    let node = topics.iter().any(|t| t == "Node" || t == "NodePool");
    let other = topics.iter().any(|t| t != "Node" && t != "NodePool");
    match (node, other) {
        (true, false) => "clients",
        (false, true) => "jobs",
        _ => "all",
    }
}

const THEME_KEY: &str = "yurt.theme";

/// Light, dark, or the system's (the default), remembered per browser;
/// a system change is followed while on "system".
#[component]
fn ThemeSwitch() -> impl IntoView {
    let choice = RwSignal::new(crate::interop::storage_get(THEME_KEY).unwrap_or_default());
    Effect::new(move |_| {
        let c = choice.get();
        crate::interop::storage_set(THEME_KEY, (!c.is_empty()).then_some(c.as_str()));
        crate::interop::apply_theme(&c);
    });
    crate::interop::on_system_theme(move || crate::interop::apply_theme(&choice.get_untracked()));
    let label = move || match choice.get().as_str() {
        "light" => ("\u{2600}", "Theme: light (click for dark)"),
        "dark" => ("\u{263E}", "Theme: dark (click to follow the system)"),
        _ => ("\u{25D0}", "Theme: as the system's (click for light)"),
    };
    view! {
        <button class="theme-switch" data-testid="theme-toggle" data-choice=move || choice.get()
            title=move || label().1 aria-label=move || label().1
            on:click=move |_| choice.update(|c| *c = match c.as_str() { "" => "light", "light" => "dark", _ => "" }.to_string())>
            {move || label().0}
        </button>
    }
}

/// The palette and the shortcut sheet, over the page; their code loads
/// the first time one opens.
#[component]
fn Overlays() -> impl IntoView {
    crate::keys::use_shortcuts();
    let overlay = crate::keys::use_overlay().0;
    let wanted = Memo::new(move |_| overlay.get().is_some());
    move || {
        wanted.get().then(|| {
            view! {
                <Suspense fallback=|| ()>
                    // the chunk loader is not `Send`; the app runs on one thread
                    {Suspend::new(send_wrapper::SendWrapper::new(async move { crate::lazy::PALETTE.render().await }))}
                </Suspense>
            }
        })
    }
}
