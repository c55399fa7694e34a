//! The log viewer: streams `fs/logs` for one or many allocations, decodes
//! the frames in the browser, keeps the lines in a capped
//! [`LogStore`](nomad_model::logs::LogStore), and draws only the rows in
//! view.
//!
//! Streams reconnect from the last complete frame's offset (no lost or
//! repeated bytes); the view follows the end while the user is at the
//! bottom and says how many lines arrived while paused. The parts live in
//! the sibling modules, tied together by [`use_log_viewer`].

use super::choice::StreamChoice;
use super::controls::{LogFoot, LogToolbar};
use super::export::ExportError;
use super::memory::DroppedBanner;
use super::state::use_log_viewer;
use super::stream::{LogSource, StreamNotices};
use super::window::LogLines;
use leptos::prelude::*;

#[component]
pub fn LogViewer(
    /// the allocation tasks to stream (may change while watching)
    #[prop(into)]
    sources: Signal<Vec<LogSource>>,
    /// tag each line with its allocation
    multi: bool,
    /// stdout, stderr or both merged
    stream: StreamChoice,
    /// tail (true) or head (false)
    origin_end: bool,
) -> impl IntoView {
    let state = use_log_viewer(sources, multi, stream, origin_end);
    let wrap = state.window.wrap;
    view! {
        <div class="log-viewer" class:wrap=move || wrap.get() data-testid="log-viewer">
            <LogToolbar state/>
            <ExportError export=state.export/>
            <DroppedBanner memory=state.memory/>
            <StreamNotices sh=state.sh/>
            <LogLines state/>
            <LogFoot state/>
        </div>
    }
}
