//! Small live charts: one metric over a rolling window, drawn as an SVG
//! area under a line, with the value now against its limit.

use leptos::prelude::*;
use nomad_model::stats::{percent, Series};

const W: f64 = 240.0;
const H: f64 = 48.0;

/// A metric chart. `limit` (0 when unknown) tops the scale and sets the
/// colour: amber above 80 %, red above 95 %.
#[component]
pub fn MetricChart(
    #[prop(into)] label: String,
    #[prop(into)] series: Signal<Series>,
    #[prop(into)] limit: Signal<f64>,
    /// formats a value of the series
    fmt: fn(f64) -> String,
    /// end of the window (the newest sample's time), in ms
    #[prop(into)]
    now: Signal<f64>,
) -> impl IntoView {
    let top = move || {
        let l = limit.get();
        let m = series.with(|s| s.max());
        if l > 0.0 {
            l.max(m)
        } else {
            (m * 1.25).max(1.0)
        }
    };
    let paths = Memo::new(move |_| series.with(|s| s.paths(now.get(), W, H, top())));
    let current = move || series.with(|s| s.last());
    let pct = move || current().map(|c| percent(c, limit.get()));
    let level = move || match pct() {
        Some(p) if p > 95.0 => "metric danger",
        Some(p) if p > 80.0 => "metric warn",
        _ => "metric",
    };
    let value = move || match current() {
        None => "—".to_string(),
        Some(c) if limit.get() > 0.0 => format!("{} / {}", fmt(c), fmt(limit.get())),
        Some(c) => fmt(c),
    };
    let title = label.clone();
    let key = label.clone();
    view! {
        <figure class=level data-metric=key>
            <figcaption>
                <span class="metric-label">{label}</span>
                <span class="metric-value" data-testid="metric-value">{value}</span>
                <span class="metric-pct">{move || pct().filter(|_| limit.get() > 0.0).map(|p| format!("{p:.0}%"))}</span>
            </figcaption>
            <svg class="spark" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img" aria-label=title>
                <path class="spark-area" d=move || paths.with(|p| p.1.clone())></path>
                <path class="spark-line" d=move || paths.with(|p| p.0.clone()) vector-effect="non-scaling-stroke"></path>
            </svg>
        </figure>
    }
}
