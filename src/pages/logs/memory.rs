//! The memory cap: lines dropped to stay under it, reading earlier bytes
//! back by offset ("Load earlier") and letting them go again ("Release").

use super::choice::StreamChoice;
use super::prefs;
use super::shared::{Level, Shared};
use super::stream::LogSource;
use crate::api::Api;
use crate::interop;
use leptos::prelude::*;
use nomad_model::{format, logs};

/// How much "load earlier" reads per click.
const EARLIER_BYTES: u64 = 256 * 1024;

#[derive(Clone, Copy)]
pub struct Memory {
    api: Api,
    sh: Shared,
    sources: Signal<Vec<LogSource>>,
    choice: StreamChoice,
    /// the cap in MB, one of [`prefs::CAPS_MB`]
    pub cap_mb: RwSignal<usize>,
    /// a "load earlier" read is under way
    pub earlier_busy: RwSignal<bool>,
}

/// What the store gave up or holds beyond the cap.
pub struct Dropped {
    pub lines: u64,
    pub bytes: u64,
    /// earlier bytes were loaded back and are not evicted
    pub hold: bool,
    pub used: usize,
}

/// `cap_mb` is the cap the store was created with.
pub fn use_memory(
    api: Api,
    sh: Shared,
    cap_mb: usize,
    sources: Signal<Vec<LogSource>>,
    choice: StreamChoice,
) -> Memory {
    let cap_mb = RwSignal::new(cap_mb);
    Effect::new(move |_| {
        let mb = cap_mb.get();
        prefs::set_cap_mb(mb);
        sh.store.update_value(|s| s.set_cap(mb << 20));
        sh.bump();
    });
    Memory {
        api,
        sh,
        sources,
        choice,
        cap_mb,
        earlier_busy: RwSignal::new(false),
    }
}

impl Memory {
    pub fn dropped(self) -> Dropped {
        self.sh.version.get();
        self.sh.store.with_value(|s| Dropped {
            lines: s.dropped_lines,
            bytes: s.dropped_bytes,
            hold: s.hold,
            used: s.bytes(),
        })
    }

    /// "N lines · X in memory", also published for the benchmark.
    pub fn stats(self) -> String {
        self.sh.version.get();
        let (n, bytes) = self.sh.store.with_value(|s| (s.len(), s.heap_bytes()));
        interop::expose_log_stats(n, bytes);
        format!(
            "{} lines · {} in memory",
            format::thousands(n as i64),
            format::bytes(bytes as u64)
        )
    }

    pub fn release(self) {
        self.sh.store.update_value(|s| s.release());
        self.sh.bump();
    }

    /// Reads the bytes before each stream's earliest held line from its
    /// file and puts them in front.
    pub fn load_earlier(self) {
        let Memory {
            api,
            sh,
            choice,
            earlier_busy,
            ..
        } = self;
        let srcs = self.sources.get_untracked();
        earlier_busy.set(true);
        leptos::task::spawn_local(async move {
            // an agent's log has no file to read back from
            for (alloc, _) in srcs.iter().filter_map(LogSource::files) {
                let idx = sh.src_of(alloc);
                for k in choice.streams() {
                    let Some((file, pos)) = sh
                        .store
                        .try_with_value(|st| st.earliest(idx, *k).map(|(f, p)| (f.to_string(), p)))
                        .flatten()
                    else {
                        continue;
                    };
                    if pos == 0 || file.is_empty() {
                        continue;
                    }
                    let start = pos.saturating_sub(EARLIER_BYTES);
                    match api.fs_readat(alloc, &file, start, pos - start).await {
                        Ok(bytes) => {
                            let lines = logs::lines_of_range(start, &bytes);
                            // read back, undecodable lines are told of too
                            let bad = lines.iter().filter(|l| l.invalid_utf8).count() as u64;
                            if bad > 0 {
                                sh.invalid_utf8.try_update(|n| *n += bad);
                            }
                            sh.store
                                .try_update_value(|st| st.prepend(idx, *k, &file, lines));
                        }
                        Err(e) => sh.set_status(
                            "earlier",
                            Level::Error,
                            format!("could not read earlier bytes: {e}"),
                        ),
                    }
                }
            }
            earlier_busy.try_set(false);
            sh.bump();
        });
    }
}

/// Says what the cap dropped, or that loaded-back bytes are held.
#[component]
pub fn DroppedBanner(memory: Memory) -> impl IntoView {
    move || {
        let Dropped {
            lines,
            bytes,
            hold,
            used,
        } = memory.dropped();
        (lines > 0 || hold).then(|| {
            view! {
                <div class="banner warn" data-testid="log-dropped">
                    {if lines > 0 { format!("{} earlier lines ({}) were dropped to stay under the {} MB memory cap. ", format::thousands(lines as i64), format::bytes(bytes), memory.cap_mb.get()) } else { String::new() }}
                    {hold.then(|| format!("Earlier bytes are loaded and held ({} in memory); new lines do not evict them. ", format::bytes(used as u64)))}
                    {memory.sources.with(|v| v.iter().any(|s| s.files().is_some())).then(|| view! {
                        <button class="button" on:click=move |_| memory.load_earlier() disabled=move || memory.earlier_busy.get() data-testid="log-load-earlier">"Load earlier"</button>
                    })}
                    {hold.then(|| view! { <button class="button" on:click=move |_| memory.release()>"Release"</button> })}
                </div>
            }
        })
    }
}
