//! Live CPU and memory of an allocation and of each task, from
//! `/v1/client/allocation/:id/stats`, polled every 2 s (paused while the
//! tab is hidden) into 2-minute windows, against the allocated limits.

use crate::api::{alloc_stats_path, use_watch, WatchOpts};
use crate::components::*;
use leptos::prelude::*;
use nomad_model::stats::Series;
use nomad_model::{format, AllocResourceUsage, Allocation, ResourceUsage};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub const WINDOW_MS: f64 = 120_000.0;
pub const POLL: WatchOpts = WatchOpts::polled(Duration::from_secs(2));

pub fn fmt_mhz(v: f64) -> String {
    format::mhz(v.round() as i64)
}

pub fn fmt_bytes(v: f64) -> String {
    format::bytes(v.max(0.0) as u64)
}

/// Time of a sample in ms: the agent's timestamp, else now.
pub fn sample_ms(t: nomad_model::UnixNanos) -> f64 {
    if t.is_set() {
        t.0 as f64 / 1e6
    } else {
        crate::interop::now_ms()
    }
}

#[derive(Clone, Default)]
struct Pair {
    cpu: Option<Series>,
    mem: Option<Series>,
}

#[component]
pub fn AllocUtilisation(a: Signal<Arc<Allocation>>) -> impl IntoView {
    let id = a.with_untracked(|a| a.id.clone());
    let path = alloc_stats_path(&id);
    let stats = use_watch::<AllocResourceUsage>(move || Some((path.clone(), vec![])), POLL);
    let series: RwSignal<BTreeMap<String, Pair>> = RwSignal::new(BTreeMap::new());
    let now = RwSignal::new(0.0);
    Effect::new(move |_| {
        let Some(d) = stats.data() else { return };
        let t = sample_ms(d.timestamp);
        let push = |m: &mut BTreeMap<String, Pair>, key: &str, u: &ResourceUsage| {
            let p = m.entry(key.to_string()).or_default();
            p.cpu
                .get_or_insert_with(|| Series::new(WINDOW_MS))
                .push(t, u.cpu_mhz());
            p.mem
                .get_or_insert_with(|| Series::new(WINDOW_MS))
                .push(t, u.memory_bytes() as f64);
        };
        series.update(|m| {
            if let Some(u) = &d.resource_usage {
                push(m, "", u);
            }
            for (name, tu) in &d.tasks {
                if let Some(u) = &tu.resource_usage {
                    push(m, name, u);
                }
            }
        });
        now.set(t);
    });
    let rows = Memo::new(move |_| {
        let mut v = vec![String::new()];
        v.extend(a.with(|a| a.task_names()));
        v
    });
    view! {
        <section class="card utilisation" data-testid="alloc-stats">
            {move || stats.error().map(|e| view! { <p class="banner warn" data-testid="stats-error">{format!("Utilisation unavailable: {e}")}</p> })}
            <For each=move || rows.get() key=|k: &String| k.clone() children=move |key: String| {
                let k1 = key.clone();
                let k2 = key.clone();
                let k3 = key.clone();
                let k4 = key.clone();
                let cpu = Signal::derive(move || series.with(|m| m.get(&k1).and_then(|p| p.cpu.clone()).unwrap_or_else(|| Series::new(WINDOW_MS))));
                let mem = Signal::derive(move || series.with(|m| m.get(&k2).and_then(|p| p.mem.clone()).unwrap_or_else(|| Series::new(WINDOW_MS))));
                let limits = move |k: &str| a.with(|a| if k.is_empty() { Some(a.resources_summary()) } else { a.task_resources_summary(k) }).unwrap_or_default();
                let cpu_limit = Signal::derive(move || limits(&k3).cpu_mhz as f64);
                let mem_limit = Signal::derive(move || limits(&k4).memory_mb as f64 * 1024.0 * 1024.0);
                let title = if key.is_empty() { "Allocation".to_string() } else { key.clone() };
                view! {
                    <div class="util-row" data-stats=if key.is_empty() { "alloc".to_string() } else { key.clone() }>
                        <h3>{title}</h3>
                        <MetricChart label="CPU" series=cpu limit=cpu_limit fmt=fmt_mhz now/>
                        <MetricChart label="Memory" series=mem limit=mem_limit fmt=fmt_bytes now/>
                    </div>
                }
            }/>
        </section>
    }
}
