//! The line window: only the rows in view are drawn, picked from the
//! scroll position and a fixed row height. The view follows the end while
//! the user is at the bottom and counts the lines that arrived while
//! paused; following is the URL's `follow`.

use super::prefs;
use super::shared::Shared;
use super::state::{LogViewerState, SetQuery};
use crate::components::ansi::style_attrs;
use crate::components::Rows;
use crate::interop;
use crate::pages::use_query_param;
use leptos::html;
use leptos::prelude::*;
use nomad_model::format;
use nomad_model::logs::{segments, Segment, Stream};

/// Row height in pixels; `--log-line` in the stylesheet must match.
pub const LINE_H: f64 = 18.0;
/// Rows drawn beyond each edge of the viewport, so a scroll step lands on
/// drawn rows.
const OVERSCAN: usize = 30;

/// Scroll and follow state, and the view options kept in localStorage.
#[derive(Clone, Copy)]
pub struct LineWindow {
    sh: Shared,
    set: SetQuery,
    scroller: NodeRef<html::Div>,
    scroll_top: RwSignal<f64>,
    viewport: RwSignal<f64>,
    /// the previous scroll position, to tell the user scrolling up from
    /// content growing under a programmatic scroll
    last_top: StoredValue<f64>,
    /// lines in the view (after the filter)
    view_len: Memo<usize>,
    pub following: Memo<bool>,
    /// `view_len` when following stopped
    paused_at: RwSignal<usize>,
    pub wrap: RwSignal<bool>,
    pub numbers: RwSignal<bool>,
}

pub fn use_line_window(sh: Shared, set: SetQuery) -> LineWindow {
    let follow_url = use_query_param("follow");
    let w = LineWindow {
        sh,
        set,
        scroller: NodeRef::new(),
        scroll_top: RwSignal::new(0.0),
        viewport: RwSignal::new(600.0),
        last_top: StoredValue::new(0.0),
        view_len: Memo::new(move |_| {
            sh.version.get();
            sh.store.with_value(|s| s.view_len())
        }),
        following: Memo::new(move |_| follow_url.get() != "0"),
        paused_at: RwSignal::new(0),
        wrap: RwSignal::new(prefs::flag(prefs::WRAP, false)),
        numbers: RwSignal::new(prefs::flag(prefs::NUMBERS, true)),
    };
    // stick to the end while following
    Effect::new(move |_| {
        let n = w.view_len.get();
        if w.following.get() {
            request_animation_frame(move || {
                if let Some(el) = w.scroller.try_get_untracked().flatten() {
                    let (_, h, total) = interop::scroll_metrics(&el);
                    interop::set_scroll_top(&el, total);
                    w.last_top.try_set_value((total - h).max(0.0));
                    w.scroll_top.try_set((total - h).max(0.0));
                    w.viewport.try_set(h);
                }
            });
            w.paused_at.set(n);
        }
    });
    w
}

/// The first row to draw: the scroll position may be stale for a moment
/// after the view shrank (a filter applied), so clamp it to the content.
fn first_row(top: f64, viewport: f64, n: usize) -> usize {
    let top = top.min((n as f64 * LINE_H - viewport).max(0.0));
    ((top / LINE_H) as usize).saturating_sub(OVERSCAN).min(n)
}

/// One drawn row.
#[derive(Clone, PartialEq)]
struct Row {
    id: u64,
    n: u64,
    text: String,
    segs: Vec<Segment>,
    styles: Vec<(String, String)>,
    src: u16,
    stream: Stream,
    current: bool,
}

impl LineWindow {
    fn at_bottom(self) -> bool {
        self.scroller.get_untracked().is_none_or(|el| {
            let (top, h, total) = interop::scroll_metrics(&el);
            top + h >= total - LINE_H
        })
    }

    pub fn set_follow(self, on: bool) {
        let v = if on { "" } else { "0" };
        self.set.run(vec![("follow", v.to_string())]);
    }

    /// Stops following; lines from here on count as new.
    pub fn pause(self) {
        self.paused_at.set(self.view_len.get_untracked());
        self.set_follow(false);
    }

    pub fn on_scroll(self) {
        let Some(el) = self.scroller.get_untracked() else {
            return;
        };
        let (top, h, _) = interop::scroll_metrics(&el);
        // only the user scrolling up pauses following: content growing
        // under a programmatic scroll must not
        let up = top < self.last_top.get_value() - 2.0;
        self.last_top.set_value(top);
        self.scroll_top.set(top);
        self.viewport.set(h);
        if up && self.following.get_untracked() && !self.at_bottom() {
            self.pause();
        }
    }

    /// Scrolls so that view row `pos` is mid-viewport.
    pub fn center_on(self, pos: usize) {
        if let Some(el) = self.scroller.get_untracked() {
            let (_, h, _) = interop::scroll_metrics(&el);
            interop::set_scroll_top(&el, (pos as f64 * LINE_H - h / 2.0).max(0.0));
        }
    }

    /// Lines that arrived since following stopped.
    pub fn new_lines(self) -> usize {
        self.view_len.get().saturating_sub(self.paused_at.get())
    }

    pub fn set_wrap(self, on: bool) {
        self.wrap.set(on);
        prefs::set_flag(prefs::WRAP, on);
    }

    pub fn set_numbers(self, on: bool) {
        self.numbers.set(on);
        prefs::set_flag(prefs::NUMBERS, on);
    }

    /// The full height of the view, so the scrollbar spans every line.
    pub fn canvas_style(self) -> String {
        format!("height:{}px", self.view_len.get() as f64 * LINE_H)
    }

    /// Moves the drawn rows to where they sit in the full view.
    pub fn rows_style(self) -> String {
        let first = first_row(
            self.scroll_top.get(),
            self.viewport.get(),
            self.view_len.get(),
        );
        format!("transform:translateY({}px)", first as f64 * LINE_H)
    }

    /// The rows in view, marking matches and the `current` one.
    fn rows(self, current: Option<u64>) -> Vec<Row> {
        self.sh.version.get();
        let (top, h) = (self.scroll_top.get(), self.viewport.get());
        self.sh.store.with_value(|s| {
            let n = s.view_len();
            let first = first_row(top, h, n);
            let last = (first + (h / LINE_H) as usize + 2 * OVERSCAN).min(n);
            // matches are marked in both modes (filter mode shows why a line is there)
            let matcher = s.query().matcher.as_ref();
            (first..last)
                .filter_map(|i| s.view_id(i))
                .filter_map(|id| s.line(id))
                .map(|l| {
                    let hits = matcher.map(|m| m.find_all(l.text)).unwrap_or_default();
                    let segs = segments(l.text.len(), l.spans, &hits);
                    let styles = segs
                        .iter()
                        .map(|g| g.style.map(|st| style_attrs(&st)).unwrap_or_default())
                        .collect();
                    Row {
                        id: l.id,
                        n: s.line_number(l.id),
                        text: l.text.to_string(),
                        segs,
                        styles,
                        src: l.src,
                        stream: l.stream,
                        current: current == Some(l.id),
                    }
                })
                .collect()
        })
    }
}

/// The scrolling lines.
#[component]
pub fn LogLines(state: LogViewerState) -> impl IntoView {
    let LogViewerState {
        sh,
        window: w,
        search,
        multi,
        choice,
        ..
    } = state;
    let row_view = move |r: Row| {
        let tag = multi.then(|| {
            let a = sh.alloc_of(r.src);
            let short = format::short_id(&a).to_string();
            view! { <span class=format!("log-tag {}", super::tag_class(&a)) title=a>{short}</span> }
        });
        let marker = (choice.is_both() || r.stream == Stream::Notice).then(|| {
            view! { <span class=format!("log-stream {}", r.stream.as_str())>{match r.stream { Stream::Stdout => "out", Stream::Stderr => "err", Stream::Notice => "···" }}</span> }
        });
        let text = r.text.clone();
        let body = r
            .segs
            .iter()
            .zip(r.styles.iter())
            .map(|(g, (class, css))| {
                // shown, never obeyed: NULs, bidi overrides, zero-width spaces
                let piece =
                    format::visible_controls(text.get(g.start..g.end).unwrap_or("")).into_owned();
                let class = format!("{}{}", class.trim_start(), if g.hit { " hit" } else { "" });
                view! { <span class=class prop:style=css.clone()>{piece}</span> }
            })
            .collect_view();
        // Rows are static: a row reading a long-lived signal (say, the
        // line-numbers switch) leaves a dead subscriber on it when the row
        // scrolls away, which the signal keeps until it next changes (about
        // 50 bytes per line followed); the switch is a class on the
        // scroller instead.
        view! {
            <div class="log-line" class:current=r.current class:notice=r.stream == Stream::Notice class:stderr=r.stream == Stream::Stderr data-id=r.id.to_string()>
                <span class="log-n">{r.n}</span>
                {tag}
                {marker}
                <span class="log-text">{body}</span>
            </div>
        }
    };
    view! {
        <div class="log-scroll" class:no-numbers=move || !w.numbers.get() node_ref=w.scroller on:scroll=move |_| w.on_scroll() tabindex="0" data-testid="log-scroll">
            <div class="log-canvas" prop:style=move || w.canvas_style()>
                <div class="log-rows" prop:style=move || w.rows_style()>
                    <Rows each=move || w.rows(search.current.get()) key=|r: &Row| (r.id, r.current, r.segs.len()) children=row_view/>
                </div>
            </div>
            {move || (w.view_len.get() == 0).then(|| view! { <p class="empty log-empty">{move || if search.text.with(|q| q.is_empty()) { "Waiting for log lines…" } else { "No line matches." }}</p> })}
        </div>
    }
}
