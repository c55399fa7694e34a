//! The command palette (Ctrl-K / Cmd-K) and the shortcut sheet (`?`),
//! loaded on first use. The palette ranks the pages and what the agent's
//! searches find (by name, and by ID prefix for evaluations), with the
//! actions on each; an action opens its page's own
//! confirmation.

use crate::api::use_api;
use crate::keys::{use_overlay, Overlay, GOTO};
use crate::pages::{go, Debounce};
use crate::routes::{alloc_href, eval_href, href, job_href, node_href};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use nomad_model::palette::{found, from_prefix, pages, rank, search_terms, Entry, Goto};
use std::time::Duration;

const SHOWN: usize = 12;

fn url_of(g: &Goto) -> String {
    let with = |base: String, q: &str| {
        if q.is_empty() {
            base
        } else {
            format!("{base}?{q}")
        }
    };
    match g {
        Goto::Path(p) => href(p),
        Goto::Job { namespace, id } => job_href(namespace, id),
        Goto::Alloc { id, rest, query } => with(format!("{}{rest}", alloc_href(id)), query),
        Goto::Node { id, query } => with(node_href(id), query),
        Goto::Eval(id) => eval_href(id),
    }
}

/// What the overlay shows: the palette or the sheet.
#[component]
pub fn OverlayView() -> impl IntoView {
    let overlay = use_overlay().0;
    move || match overlay.get() {
        Some(Overlay::Palette) => view! { <CommandPalette/> }.into_any(),
        Some(Overlay::Keys) => view! { <KeySheet/> }.into_any(),
        None => ().into_any(),
    }
}

#[component]
fn CommandPalette() -> impl IntoView {
    let api = use_api();
    let overlay = use_overlay().0;
    let nav = use_navigate();
    let text = RwSignal::new(String::new());
    let found_entries = RwSignal::new(Vec::<Entry>::new());
    let searching = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let selected = RwSignal::new(0usize);
    let debounce = Debounce::new();
    let entries = Memo::new(move |_| {
        let mut all = pages();
        all.extend(found_entries.get());
        let q = text.get();
        rank(&q, &all, SHOWN)
            .into_iter()
            .map(|i| all[i].clone())
            .collect::<Vec<_>>()
    });
    let search = move |typed: String| {
        let q = search_terms(&typed);
        if q.chars().count() < 2 {
            found_entries.set(vec![]);
            return;
        }
        searching.set(true);
        leptos::task::spawn_local(async move {
            let (fuzzy, prefix) =
                futures_util::future::join(api.search_fuzzy(&q), api.search_prefix(&q)).await;
            let mut all = vec![];
            let mut failed = None;
            match fuzzy {
                Ok(r) => all.extend(found(&r)),
                Err(e) => failed = Some(e.to_string()),
            }
            // IDs typed: evaluations are found by prefix only
            if let Ok(r) = prefix {
                let mut m = r.matches;
                m.retain(|ctx, _| ctx == "evals");
                all.extend(found(&from_prefix(&m)));
            }
            // the palette may have closed while the agent answered
            if text.try_get_untracked().as_deref() == Some(typed.as_str()) {
                found_entries.try_set(all);
                error.try_set(failed);
                searching.try_set(false);
            }
        });
    };
    let open = move |e: &Entry| {
        overlay.set(None);
        go(&nav, &url_of(&e.goto));
    };
    let open2 = open.clone();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = entries.with_untracked(|e| e.len());
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                selected.update(|s| *s = (*s + 1).min(n.saturating_sub(1)));
            }
            "ArrowUp" => {
                ev.prevent_default();
                selected.update(|s| *s = s.saturating_sub(1));
            }
            "Enter" => {
                ev.prevent_default();
                if let Some(e) =
                    entries.with_untracked(|e| e.get(selected.get_untracked()).cloned())
                {
                    open2(&e);
                }
            }
            _ => {}
        }
    };
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(i) = input.get() {
            let _ = i.focus();
        }
    });
    view! {
        <div class="overlay" on:click=move |_| overlay.set(None)>
            <div class="palette" role="dialog" aria-modal="true" aria-label="Command palette" data-testid="palette" on:click=|ev| ev.stop_propagation()>
                <input node_ref=input class="palette-input" type="text" placeholder="Go to a page, a job, an allocation, a client… or an action"
                    aria-label="Search" data-testid="palette-input" spellcheck="false" autocomplete="off"
                    prop:value=move || text.get() on:keydown=on_key
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        text.set(v.clone());
                        selected.set(0);
                        debounce.run(Duration::from_millis(150), move || search(v));
                    }/>
                <ul class="palette-list" role="listbox" aria-label="Results" data-testid="palette-results">
                    {move || entries.get().into_iter().enumerate().map(|(i, e)| {
                        let open = open.clone();
                        let e2 = e.clone();
                        view! {
                            <li role="option" class:selected=move || selected.get() == i aria-selected=move || (selected.get() == i).to_string()
                                data-kind=e.kind on:mouseenter=move |_| selected.set(i) on:click=move |_| open(&e2)>
                                <span class="palette-label">{e.label.clone()}</span>
                                <span class="palette-kind">{e.kind}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="palette-foot muted">
                    {move || if searching.get() { "Searching the cluster…".to_string() } else { error.get().map(|e| format!("Search failed: {e}")).unwrap_or_else(|| "↑ ↓ to choose · Enter to open · Esc to close · ? for every shortcut".into()) }}
                </p>
            </div>
        </div>
    }
}

#[component]
fn KeySheet() -> impl IntoView {
    let overlay = use_overlay().0;
    let row = |k: String, what: String| view! { <tr><td><kbd>{k}</kbd></td><td>{what}</td></tr> };
    let mut rows = vec![
        row(
            "Ctrl K / ⌘ K".into(),
            "Command palette: pages, jobs, allocations, clients, evaluations and actions".into(),
        ),
        row("/".into(), "Focus the page's filter".into()),
        row("j / k".into(), "Next / previous row of the table".into()),
        row("Enter".into(), "Open the row".into()),
        row("Esc".into(), "Close the palette or this sheet".into()),
        row("?".into(), "This sheet".into()),
    ];
    rows.extend(
        GOTO.iter()
            .map(|(k, _, label)| row(format!("g {k}"), format!("Go to {label}"))),
    );
    view! {
        <div class="overlay" on:click=move |_| overlay.set(None)>
            <div class="palette keysheet" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" data-testid="keysheet" on:click=|ev| ev.stop_propagation()>
                <h2>"Keyboard shortcuts"</h2>
                <table class="table"><tbody>{rows}</tbody></table>
                <p class="muted">"Letters typed into a field or the terminal stay text."</p>
            </div>
        </div>
    }
}
