//! Getting lines out: copying or downloading what is loaded, and
//! downloading a task's whole log (every rotated file, via `fs/ls` and
//! `fs/cat`). A failed download is kept in `error` and shown above the
//! lines; nothing is dropped silently.

use super::choice::StreamChoice;
use super::shared::Shared;
use super::stream::LogSource;
use crate::api::{Api, ApiError, ApiErrorKind};
use crate::components::ErrorPanel;
use crate::interop;
use leptos::prelude::*;
use nomad_model::format;
use nomad_model::logs::{LineRef, Stream};
use std::time::Duration;

const MIME: &str = "text/plain;charset=utf-8";

#[derive(Clone, Copy)]
pub struct Export {
    api: Api,
    sh: Shared,
    sources: Signal<Vec<LogSource>>,
    choice: StreamChoice,
    multi: bool,
    /// a copy just happened (the button says so for a moment)
    pub copied: RwSignal<bool>,
    /// the full log is being fetched
    pub busy: RwSignal<bool>,
    /// why the last download failed
    pub error: RwSignal<Option<ApiError>>,
}

pub fn use_export(
    api: Api,
    sh: Shared,
    sources: Signal<Vec<LogSource>>,
    choice: StreamChoice,
    multi: bool,
) -> Export {
    Export {
        api,
        sh,
        sources,
        choice,
        multi,
        copied: RwSignal::new(false),
        busy: RwSignal::new(false),
        error: RwSignal::new(None),
    }
}

impl Export {
    /// What the view shows left of a line's text, as text: the
    /// allocation's tag and the stream marker.
    fn prefix(self, l: &LineRef) -> String {
        let mut p = String::new();
        if self.multi {
            p.push_str(&format!(
                "[{}] ",
                format::short_id(&self.sh.alloc_of(l.src))
            ));
        }
        if self.choice.is_both() {
            p.push_str(if l.stream == Stream::Stderr {
                "err "
            } else {
                "out "
            });
        }
        p
    }

    /// The lines in the view (the filter applies), prefixed.
    fn loaded_text(self) -> String {
        self.sh
            .store
            .with_value(|s| s.view_text(|l| self.prefix(l)))
    }

    pub fn copy(self) {
        interop::copy_to_clipboard(&self.loaded_text());
        let copied = self.copied;
        copied.set(true);
        set_timeout(
            move || {
                copied.try_set(false);
            },
            Duration::from_secs(2),
        );
    }

    pub fn download_loaded(self) {
        self.error.set(None);
        let name = match self.sources.get_untracked().as_slice() {
            [one @ LogSource::Task { .. }] => {
                format!("{}-{}.log", one.stem(), self.choice.file_label())
            }
            [one] => format!("{}.log", one.stem()),
            _ => "logs.log".to_string(),
        };
        if let Err(e) = interop::download(&name, MIME, self.loaded_text().as_bytes()) {
            self.error.set(Some(ApiError::browser(
                format!("Download failed: {e}"),
                &name,
            )));
        }
    }

    /// Some source has log files to download whole (an agent's log has
    /// none: what arrived is what there is).
    pub fn has_files(self) -> bool {
        self.sources.with(|v| v.iter().any(|s| s.files().is_some()))
    }

    pub fn download_full(self) {
        let Export {
            api,
            choice,
            busy,
            error,
            ..
        } = self;
        let srcs = self.sources.get_untracked();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let saved =
                whole_logs(&api, &srcs, choice.streams())
                    .await
                    .and_then(|(name, bytes)| {
                        interop::download(&name, MIME, &bytes)
                            .map_err(|e| ApiError::browser(format!("Download failed: {e}"), &name))
                    });
            if let Err(e) = saved {
                error.try_set(Some(e));
            }
            busy.try_set(false);
        });
    }
}

/// Every rotated file of each source's task streams, oldest first.
async fn whole_logs(
    api: &Api,
    srcs: &[LogSource],
    kinds: &[Stream],
) -> Result<(String, Vec<u8>), ApiError> {
    let mut out = vec![];
    let mut found = false;
    let tasks: Vec<(&str, &str)> = srcs.iter().filter_map(LogSource::files).collect();
    for &(alloc, task) in &tasks {
        let files = api.fs_ls(alloc, "alloc/logs").await?;
        for k in kinds {
            let prefix = format!("{task}.{}.", k.as_str());
            let mut mine: Vec<(u64, String)> = files
                .iter()
                .filter_map(|f| {
                    f.name
                        .strip_prefix(&prefix)
                        .and_then(|n| n.parse().ok())
                        .map(|n| (n, f.name.clone()))
                })
                .collect();
            mine.sort_unstable();
            if mine.is_empty() {
                continue;
            }
            found = true;
            if tasks.len() > 1 || kinds.len() > 1 {
                out.extend_from_slice(
                    format!("==> {} {} <==\n", format::short_id(alloc), k.as_str()).as_bytes(),
                );
            }
            for (_, name) in mine {
                let bytes = api.fs_cat(alloc, &format!("alloc/logs/{name}")).await?;
                out.extend_from_slice(&bytes);
            }
        }
    }
    // an empty file would look like a task that logged nothing
    if !found {
        return Err(ApiError {
            kind: ApiErrorKind::NotFound,
            status: 0,
            message: "no log files of this task found under alloc/logs".into(),
            path: "alloc/logs".into(),
        });
    }
    let name = match srcs {
        [one] => format!("{}.log", one.stem()),
        _ => "logs.log".to_string(),
    };
    Ok((name, out))
}

/// Why the last download failed.
#[component]
pub fn ExportError(export: Export) -> impl IntoView {
    move || {
        export.error.get().map(|e| {
            view! { <div data-testid="log-download-error"><ErrorPanel error=e/></div> }
        })
    }
}
