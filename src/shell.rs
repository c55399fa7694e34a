//! The top bar: navigation, region and namespace selectors, token status.

use crate::api::client::Identity;
use crate::api::{use_api, ApiErrorKind};
use crate::routes::href;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn TopBar() -> impl IntoView {
    let api = use_api();
    let location = use_location();
    let regions = LocalResource::new(move || async move { api.regions().await });
    let namespaces = LocalResource::new(move || {
        let _ = api.token.get();
        async move { api.namespaces().await }
    });
    let who = crate::api::client::use_token_identity();
    let nav = move |path: &'static str, label: &'static str| {
        let active = move || location.pathname.with(|p| p.starts_with(&href(path)));
        view! {
            <a href=href(path) class="nav-link" class:active=active aria-current=move || active().then_some("page")>
                {label}
            </a>
        }
    };
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
                {nav("/activity", "Activity")}
            </nav>
            <div class="topbar-spacer"></div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match regions.await {
                        Ok(list) if list.len() > 1 => {
                            let current = move || api.region.get().unwrap_or_default();
                            view! {
                                <label class="selector">
                                    <span>"Region"</span>
                                    <select
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
                    match namespaces.await {
                        // Enterprise-only (501), missing (404) or refused: no selector.
                        Err(e) if matches!(e.kind, ApiErrorKind::EnterpriseOnly | ApiErrorKind::NotFound) => ().into_any(),
                        Err(_) => ().into_any(),
                        Ok(list) if list.is_empty() => ().into_any(),
                        Ok(list) => {
                            view! {
                                <label class="selector">
                                    <span>"Namespace"</span>
                                    <select
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
                        match who.await {
                            None => view! { <span class="token-anon">"Sign in"</span> }.into_any(),
                            Some(Ok(Identity::AclsDisabled)) => view! { <span class="token-anon">"ACLs off"</span> }.into_any(),
                            Some(Ok(Identity::Token(t))) => view! { <span class="token-ok" title=t.accessor_id.clone()>{t.name.clone()}</span> }.into_any(),
                            Some(Err(_)) => view! { <span class="token-bad">"Token invalid"</span> }.into_any(),
                        }
                    })}
                </Transition>
            </a>
        </header>
    }
}
