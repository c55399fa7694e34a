//! The viewer's controls: the toolbar (search, view options, export,
//! follow) and the footer (figures, memory cap, new lines while paused).

use super::prefs::CAPS_MB;
use super::state::LogViewerState;
use leptos::prelude::*;
use nomad_model::format;

#[component]
pub fn LogToolbar(state: LogViewerState) -> impl IntoView {
    let LogViewerState {
        search: s,
        window: w,
        export: x,
        ..
    } = state;
    view! {
        <div class="toolbar log-toolbar">
            <input class="search" type="search" placeholder="Search logs" aria-label="Search logs" data-testid="log-search"
                prop:value=move || s.text.get() on:input=move |ev| s.input(event_target_value(&ev))/>
            <button class="chip" class:active=move || s.regex.get() on:click=move |_| s.toggle_regex() data-testid="log-regex" title="Regular expression">".*"</button>
            <button class="chip" class:active=move || s.case.get() on:click=move |_| s.toggle_case() data-testid="log-case" title="Match case">"Aa"</button>
            <select class="facet-select" aria-label="Search mode" data-testid="log-mode" prop:value=move || if s.highlight.get() { "highlight" } else { "filter" }
                on:change=move |ev| s.set_highlight(event_target_value(&ev) == "highlight")>
                <option value="filter">"Only matching lines"</option>
                <option value="highlight">"Highlight matches"</option>
            </select>
            {move || s.highlight.get().then(|| view! {
                <button class="button" on:click=move |_| state.jump(false) data-testid="log-prev" title="Previous match">"↑"</button>
                <button class="button" on:click=move |_| state.jump(true) data-testid="log-next" title="Next match">"↓"</button>
            })}
            <span class="muted" data-testid="log-hits">{move || s.hit_label()}</span>
            {move || s.regex_error.get().map(|e| view! { <span class="field-error" data-testid="log-regex-error">{format!("Invalid regex: {e}")}</span> })}
            <span class="spacer"></span>
            <label class="check"><input type="checkbox" prop:checked=move || w.wrap.get() on:change=move |ev| w.set_wrap(event_target_checked(&ev))/>" Wrap"</label>
            <label class="check"><input type="checkbox" prop:checked=move || w.numbers.get() on:change=move |ev| w.set_numbers(event_target_checked(&ev))/>" Line numbers"</label>
            <button class="button" on:click=move |_| x.copy() data-testid="log-copy">{move || if x.copied.get() { "Copied" } else { "Copy" }}</button>
            <button class="button" on:click=move |_| x.download_loaded() data-testid="log-download">"Download loaded"</button>
            {move || x.has_files().then(|| view! {
                <button class="button" on:click=move |_| x.download_full() disabled=move || x.busy.get() data-testid="log-download-full" title="Every rotated log file of this task, from the agent">
                    {move || if x.busy.get() { "Downloading…" } else { "Download full log" }}
                </button>
            })}
            {move || if w.following.get() {
                view! { <button class="button" on:click=move |_| w.pause() data-testid="log-pause">"Pause"</button> }.into_any()
            } else {
                view! { <button class="button primary" on:click=move |_| w.set_follow(true) data-testid="log-follow">"Follow"</button> }.into_any()
            }}
        </div>
    }
}

#[component]
pub fn LogFoot(state: LogViewerState) -> impl IntoView {
    let LogViewerState {
        sh,
        window: w,
        memory: m,
        ..
    } = state;
    let reconnects = sh.reconnects;
    view! {
        <div class="log-foot muted">
            <span data-testid="log-stats">{move || m.stats()}</span>
            {move || (reconnects.get() > 0).then(|| format!(" · {} reconnect(s), resumed by offset", reconnects.get()))}
            <span class="spacer"></span>
            <label>"Memory cap "
                <select class="facet-select" data-testid="log-cap" prop:value=move || m.cap_mb.get().to_string() on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { m.cap_mb.set(v) } }>
                    {CAPS_MB.iter().map(|mb| view! { <option value=mb.to_string()>{if *mb >= 1024 { format!("{} GB", mb / 1024) } else { format!("{mb} MB") }}</option> }).collect_view()}
                </select>
            </label>
            {move || {
                let n = w.new_lines();
                (!w.following.get() && n > 0).then(|| view! {
                    <button class="button primary new-lines" on:click=move |_| w.set_follow(true) data-testid="log-new-lines">{format!("↓ {} new line{}", format::thousands(n as i64), if n == 1 { "" } else { "s" })}</button>
                })
            }}
        </div>
    }
}
