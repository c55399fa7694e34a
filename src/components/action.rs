//! The one pattern for writes: a typed Leptos `Action` per page (its input
//! an enum of what the user can do), a [`Confirm`] before anything
//! destructive, and an [`ActionResult`] for what came back.

use crate::api::ApiError;
use crate::components::ErrorPanel;
use leptos::prelude::*;

/// A confirmation before a write: what will happen (the children), the
/// confirm button (`data-confirm=action`) and a way out. With
/// `type_to_confirm`, the button waits until that text is typed.
#[component]
pub fn Confirm(
    /// `data-testid` of the dialog.
    #[prop(into, default = "confirm".to_string())]
    testid: String,
    /// `data-confirm` of the button.
    #[prop(into)]
    action: String,
    #[prop(into)] label: String,
    #[prop(into, default = "button danger".to_string())] class: String,
    #[prop(into, default = "Cancel".to_string())] cancel_label: String,
    /// Text the user must type first (a job ID, a node name).
    #[prop(optional, into)]
    type_to_confirm: Option<Signal<String>>,
    /// `data-testid` of that input.
    #[prop(optional, into)]
    input_testid: String,
    /// Anything else that keeps the button disabled (a request in flight,
    /// an invalid form).
    #[prop(optional, into)]
    disabled: Signal<bool>,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    children: Children,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let matches = move || type_to_confirm.is_none_or(|want| typed.with(|t| *t == want.get()));
    view! {
        <div class="confirm" role="dialog" data-testid=testid>
            {children()}
            {type_to_confirm.map(|want| view! {
                <input class="input" type="text" data-testid=input_testid autocomplete="off" spellcheck="false"
                    aria-label="Type to confirm" placeholder=move || want.get()
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
            })}
            <button class=class data-confirm=action disabled=move || disabled.get() || !matches()
                on:click=move |_| on_confirm.run(())>{label}</button>
            <button class="button" on:click=move |_| on_cancel.run(())>{cancel_label}</button>
        </div>
    }
}

/// What a write answered: `ok` draws a success in a status banner
/// (`data-testid`, `action-result` unless named), an error goes to the
/// error panel.
#[component]
pub fn ActionResult<T, V>(
    #[prop(into)] result: Signal<Option<Result<T, ApiError>>>,
    #[prop(into, default = "action-result".to_string())] testid: String,
    ok: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || {
        result.get().map(|r| match r {
            Ok(v) => view! { <div class="banner ok" role="status" data-testid=testid.clone()>{ok(v)}</div> }.into_any(),
            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
        })
    }
}
