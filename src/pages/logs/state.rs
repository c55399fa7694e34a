//! The log viewer's state, made in one place: [`use_log_viewer`] starts
//! the streams and creates each part's reactive state, and returns the
//! handles the view reads. Every part is `Copy`, so views capture them
//! freely.

use super::choice::StreamChoice;
use super::export::{use_export, Export};
use super::memory::{use_memory, Memory};
use super::prefs;
use super::search::{use_search, Search};
use super::shared::{use_shared, Shared};
use super::stream::{use_streams, LogSource};
use super::window::{use_line_window, LineWindow};
use crate::api::use_api;
use crate::pages::use_query_setter;
use leptos::prelude::*;

/// [`use_query_setter`] as a `Copy` handle: rewrites the given URL parameters
/// (an empty value removes one).
pub type SetQuery = Callback<Vec<(&'static str, String)>>;

#[derive(Clone, Copy)]
pub struct LogViewerState {
    /// tag each line with its allocation
    pub multi: bool,
    pub choice: StreamChoice,
    /// the line store and what the streams report
    pub sh: Shared,
    pub memory: Memory,
    pub search: Search,
    pub window: LineWindow,
    pub export: Export,
}

/// Starts streaming `sources` and creates the viewer's state; the streams
/// stop when the calling component goes away.
pub fn use_log_viewer(
    sources: Signal<Vec<LogSource>>,
    multi: bool,
    choice: StreamChoice,
    origin_end: bool,
) -> LogViewerState {
    let api = use_api();
    let set = use_query_setter();
    let set: SetQuery = Callback::new(move |changes: Vec<(&'static str, String)>| set(&changes));
    let cap_mb = prefs::cap_mb();
    let sh = use_shared(cap_mb);
    use_streams(api, sh, sources, choice, multi, origin_end);
    let search = use_search(sh, set);
    let memory = use_memory(api, sh, cap_mb, sources, choice);
    let window = use_line_window(sh, set);
    let export = use_export(api, sh, sources, choice, multi);
    LogViewerState {
        multi,
        choice,
        sh,
        memory,
        search,
        window,
        export,
    }
}

impl LogViewerState {
    /// Steps to the next (or previous) match and brings it into view;
    /// following stops, or the end would pull the view away from it.
    pub fn jump(self, forward: bool) {
        let Some(pos) = self.search.step(forward) else {
            return;
        };
        if self.window.following.get_untracked() {
            self.window.pause();
        }
        self.window.center_on(pos);
    }
}
