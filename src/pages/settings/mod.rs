//! ACL token: paste a secret, see who it is, sign out.

use crate::api::client::Identity;
use crate::api::{use_api, ApiErrorKind};
use crate::components::*;
use leptos::prelude::*;

#[component]
pub fn TokensPage() -> impl IntoView {
    let api = use_api();
    let draft = RwSignal::new(String::new());
    let who = crate::api::client::use_token_identity();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let v = draft.get_untracked().trim().to_string();
        if !v.is_empty() {
            api.token.set(Some(v));
            draft.set(String::new());
        }
    };
    view! {
        <div class="page-head"><h1>"ACL token"</h1></div>
        <div class="card narrow">
            <Transition fallback=|| view! { <Spinner/> }>
                {move || Suspend::new(async move {
                    match who.await {
                        None => view! { <p data-testid="token-status">"You are browsing anonymously. Paste an ACL token's secret ID to sign in."</p> }.into_any(),
                        Some(Ok(Identity::Token(t))) => view! {
                            <div data-testid="token-status" class="token-info">
                                <p>"Signed in as " <strong data-testid="token-name">{t.name.clone()}</strong></p>
                                <Facts>
                                    <Fact label="Type">{t.token_type.clone()}</Fact>
                                    <Fact label="Accessor ID"><span class="mono">{t.accessor_id.clone()}</span></Fact>
                                    <Fact label="Policies">{if t.policies.is_empty() { "—".to_string() } else { t.policies.join(", ") }}</Fact>
                                    <Fact label="Global">{if t.global { "yes" } else { "no" }}</Fact>
                                    <Fact label="Expires">{if t.expiration_time.is_set() { nomad_model::format::datetime_utc(t.expiration_time.unix_nanos().unwrap_or_default()) } else { "never".to_string() }}</Fact>
                                </Facts>
                            </div>
                        }.into_any(),
                        Some(Ok(Identity::AclsDisabled)) => view! {
                            <p data-testid="token-status">"ACLs are disabled on this cluster: no token is needed. Yurt will still send the one you saved."</p>
                        }.into_any(),
                        // 2.x refuses an unknown secret with `Permission denied`,
                        // older agents with `ACL token not found`.
                        Some(Err(e)) if matches!(e.kind, ApiErrorKind::Forbidden | ApiErrorKind::TokenNotFound | ApiErrorKind::TokenExpired) => view! {
                            <div data-testid="token-status" class="token-info">
                                <p><strong>"The agent did not accept this token."</strong>" It may be mistyped, deleted or expired."</p>
                                <p class="muted small">{format!("The agent answered: {}", e.message)}</p>
                            </div>
                        }.into_any(),
                        Some(Err(e)) => view! { <div data-testid="token-status"><ErrorPanel error=e/></div> }.into_any(),
                    }
                })}
            </Transition>
            <form class="token-form" on:submit=save>
                <label for="token-input">"Secret ID"</label>
                <input id="token-input" type="password" autocomplete="off" spellcheck="false" placeholder="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
                    data-testid="token-input" prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))/>
                <label class="check">
                    <input type="checkbox" data-testid="token-tab-only" prop:checked=move || api.tab_only.get()
                        on:change=move |ev| api.tab_only.set(event_target_checked(&ev))/>
                    " Keep for this tab only"
                </label>
                <button class="button primary" type="submit" data-testid="token-save">"Sign in"</button>
                {move || api.token.get().is_some().then(|| view! {
                    <button class="button" type="button" data-testid="token-clear" on:click=move |_| api.token.set(None)>"Sign out"</button>
                })}
            </form>
            <p class="muted small">{move || if api.tab_only.get() {
                "The token is kept in this tab's session storage, gone when the tab closes, and sent only as the X-Nomad-Token header (and in exec's first frame), never in a URL."
            } else {
                "The token is kept in this browser's local storage, for every tab, and sent only as the X-Nomad-Token header (and in exec's first frame), never in a URL."
            }}</p>
        </div>
    }
}
