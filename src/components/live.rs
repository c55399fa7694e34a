//! The one loading-and-error pattern every page uses: `<Transition>` +
//! `<ErrorBoundary>` around a watched resource. The first answer suspends
//! (spinner); an error before any data shows an [`ErrorPanel`]; later
//! errors keep the data on screen with a "reconnecting" banner.

use crate::api::{ApiError, ApiErrorKind, Watch};
use crate::routes::href;
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn Spinner(#[prop(optional, into)] label: Option<String>) -> impl IntoView {
    view! {
        <div class="spinner" role="status" aria-live="polite">
            <span class="spinner-dot"></span>
            <span>{label.unwrap_or_else(|| "Loading…".into())}</span>
        </div>
    }
}

/// A readable panel for an API error, with what to do about it.
#[component]
pub fn ErrorPanel(error: ApiError) -> impl IntoView {
    let auth = error.is_auth();
    let class = match error.kind {
        ApiErrorKind::NotFound => "error-panel notfound",
        ApiErrorKind::Network | ApiErrorKind::NoLeader | ApiErrorKind::Server => {
            "error-panel outage"
        }
        _ => "error-panel",
    };
    let status = (error.status > 0).then(|| format!("HTTP {}", error.status));
    view! {
        <section class=class role="alert" data-error-kind=format!("{:?}", error.kind)>
            <h2>{error.title()}</h2>
            <p class="error-message"><code>{error.message.clone()}</code></p>
            <p class="error-advice">{error.advice()}</p>
            <p class="error-meta">{status}" "<span class="mono">{error.path.clone()}</span></p>
            {auth.then(|| view! { <a class="button primary" href=href("/settings/tokens")>"Sign in with an ACL token"</a> })}
        </section>
    }
}

/// Turns whatever an `ErrorBoundary` caught into panels.
pub fn error_fallback(errors: ArcRwSignal<Errors>) -> impl IntoView {
    move || {
        errors
            .get()
            .into_iter()
            .map(|(_, e)| {
                let api = (**e)
                    .downcast_ref::<ApiError>()
                    .cloned()
                    .unwrap_or_else(|| ApiError::decode(e.to_string(), ""));
                view! { <ErrorPanel error=api/> }
            })
            .collect_view()
    }
}

/// Shown above live content when a refresh failed and a retry is scheduled.
#[component]
pub fn ReconnectBanner(
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(into)] reconnecting: Signal<bool>,
) -> impl IntoView {
    move || {
        (reconnecting.get()).then(|| {
            let e = error.get();
            view! {
                <div class="banner warn" role="status" data-testid="reconnecting">
                    <strong>"Reconnecting… "</strong>
                    {e.map(|e| e.to_string())}
                    " — showing the last data received."
                </div>
            }
        })
    }
}

/// Renders `children` with the watched data once it has arrived.
#[component]
pub fn Live<T, V, F>(
    watch: Watch<T>,
    children: F,
    #[prop(optional, into)] label: Option<String>,
    /// shown until the first answer instead of a spinner
    #[prop(optional)]
    pending: Option<ViewFn>,
) -> impl IntoView
where
    T: Send + Sync + 'static,
    F: Fn(Signal<Arc<T>>) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    // An error replaces the view when there is no data yet, or when it is
    // not transient (the resource is gone, or the token no longer allows
    // it); transient errors keep the last data under a banner.
    let failed = Memo::new(move |_| {
        watch.with_state(|s| {
            s.error
                .as_ref()
                .is_some_and(|e| s.data.is_none() || !e.is_transient())
        })
    });
    let error = Signal::derive(move || watch.error());
    let reconnecting = Signal::derive(move || {
        watch.reconnecting()
            && watch.data().is_some()
            && watch.error().is_some_and(|e| e.is_transient())
    });
    view! {
        <Transition fallback=move || match pending.clone() {
            Some(p) => p.run(),
            None => view! { <Spinner label=label.clone().unwrap_or_default()/> }.into_any(),
        }>
            <ErrorBoundary fallback=error_fallback>
                <ReconnectBanner error reconnecting/>
                {
                    let children = children.clone();
                    move || {
                        let children = children.clone();
                        let _ = failed.get();
                        Suspend::new(async move {
                            watch.first().await;
                            if let Some(e) = watch.error_untracked().filter(|e| !e.is_transient()) {
                                return Err(e);
                            }
                            match watch.data_untracked() {
                                Some(initial) => {
                                    let data = Signal::derive(move || watch.data().unwrap_or_else(|| initial.clone()));
                                    Ok(children(data).into_any())
                                }
                                None => Err(watch.error_untracked().unwrap_or_else(|| ApiError::network("no answer", ""))),
                            }
                        })
                    }
                }
            </ErrorBoundary>
        </Transition>
    }
}
