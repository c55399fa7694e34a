//! Small data-agnostic display pieces: badges, bars, times, key/value lists.

use crate::interop;
use leptos::prelude::*;
use nomad_model::format;
use nomad_model::UnixNanos;

/// A coloured status word (`running`, `failed`, `dead`, `ready`, ...).
#[component]
pub fn Badge(#[prop(into)] status: Signal<String>) -> impl IntoView {
    let class = move || format!("badge badge-{}", status.get().replace(' ', "-"));
    view! { <span class=class>{status}</span> }
}

/// One segment of a stacked bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub label: &'static str,
    pub class: &'static str,
    pub value: i64,
}

/// A horizontal stacked bar with a legend in its tooltip.
#[component]
pub fn StackedBar(
    #[prop(into)] segments: Signal<Vec<Segment>>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let total = move || segments.with(|s| s.iter().map(|x| x.value.max(0)).sum::<i64>());
    let title = move || {
        segments.with(|s| {
            s.iter()
                .filter(|x| x.value > 0)
                .map(|x| format!("{} {}", x.value, x.label))
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    // an image needs a name even when there is nothing to count
    let label = move || {
        Some(title())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "none".into())
    };
    view! {
        <div class=if compact { "stacked-bar compact" } else { "stacked-bar" } title=title role="img" aria-label=label>
            {move || {
                let t = total().max(1) as u64;
                segments
                    .get()
                    .into_iter()
                    .filter(|s| s.value > 0)
                    .map(|s| {
                        let w = format!("width:{}%", nomad_model::format::decimal(s.value as u64 * 100, t, 3));
                        view! { <span class=format!("seg {}", s.class) prop:style=w></span> }
                    })
                    .collect_view()
            }}
            {move || (total() == 0).then(|| view! { <span class="seg empty" prop:style="width:100%"></span> })}
        </div>
    }
}

/// Allocation-status segments from a task group summary.
pub fn alloc_segments(s: &nomad_model::TaskGroupSummary) -> Vec<Segment> {
    vec![
        Segment {
            label: "queued",
            class: "queued",
            value: s.queued,
        },
        Segment {
            label: "starting",
            class: "starting",
            value: s.starting,
        },
        Segment {
            label: "running",
            class: "running",
            value: s.running,
        },
        Segment {
            label: "complete",
            class: "complete",
            value: s.complete,
        },
        Segment {
            label: "failed",
            class: "failed",
            value: s.failed,
        },
        Segment {
            label: "lost",
            class: "lost",
            value: s.lost,
        },
        Segment {
            label: "unknown",
            class: "unknown",
            value: s.unknown,
        },
    ]
}

/// "3m ago" with the exact UTC time on hover; refreshes every 10 s.
#[component]
pub fn RelTime(#[prop(into)] at: Signal<UnixNanos>) -> impl IntoView {
    let now = use_clock();
    // The page clock lags real time by up to one tick, so what just
    // happened would read "in 3s": within a tick, the future is now.
    let text = move || {
        let (t, n) = (at.get(), now.get());
        let n = if t.0 > n && t.0 - n <= CLOCK_TICK.as_nanos() as i64 {
            t.0
        } else {
            n
        };
        format::relative(t, UnixNanos(n))
    };
    let title = move || {
        if at.get().is_set() {
            format::datetime_utc(at.get())
        } else {
            String::new()
        }
    };
    view! { <time title=title>{text}</time> }
}

/// How often the page clock ticks.
const CLOCK_TICK: std::time::Duration = std::time::Duration::from_secs(10);

/// A page-wide clock ticking every [`CLOCK_TICK`] (shared through context).
#[derive(Clone, Copy)]
pub struct Clock(pub ReadSignal<i64>);

pub fn provide_clock() {
    let (now, set_now) = signal(interop::now_nanos());
    set_interval(move || set_now.set(interop::now_nanos()), CLOCK_TICK);
    provide_context(Clock(now));
}

pub fn use_clock() -> ReadSignal<i64> {
    use_context::<Clock>()
        .map(|c| c.0)
        .unwrap_or_else(|| signal(interop::now_nanos()).0)
}

/// A definition list of label/value rows.
#[component]
pub fn Facts(children: Children) -> impl IntoView {
    view! { <dl class="facts">{children()}</dl> }
}

#[component]
pub fn Fact(#[prop(into)] label: String, children: Children) -> impl IntoView {
    view! {
        <div class="fact">
            <dt>{label}</dt>
            <dd>{children()}</dd>
        </div>
    }
}

/// Key/value chips (a job's or a pool's meta); nothing when empty.
#[component]
pub fn MetaList(
    #[prop(into)] meta: Signal<std::collections::BTreeMap<String, String>>,
) -> impl IntoView {
    move || {
        let meta = meta.get();
        (!meta.is_empty()).then(|| view! {
            <div class="meta-list">
                {meta.into_iter().map(|(k, v)| view! { <span class="kv"><span class="k">{k}</span><span class="v">{v}</span></span> }).collect_view()}
            </div>
        })
    }
}

/// A monospace short ID with the full ID on hover.
#[component]
pub fn ShortId(#[prop(into)] id: String) -> impl IntoView {
    let short = format::short_id(&id).to_string();
    view! { <span class="mono short-id" title=id>{short}</span> }
}
