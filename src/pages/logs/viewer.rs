//! The log viewer: streams `fs/logs` for one or many allocations, decodes
//! the frames in the browser, keeps the lines in a capped
//! [`LogStore`], and draws only the rows in view.
//!
//! Streams reconnect from the last complete frame's offset (no lost or
//! repeated bytes); the view follows the end while the user is at the
//! bottom and says how many lines arrived while paused.

use crate::api::{logs_path, logs_query, use_api, Api, ApiErrorKind, StreamControl};
use crate::components::ansi::style_attrs;
use crate::interop;
use crate::pages::{query_param, query_setter};
use leptos::prelude::*;
use nomad_model::frames::StreamEvent;
use nomad_model::logs::{segments, LineAssembler, LogStore, Matcher, Stream, ViewQuery};
use nomad_model::{format, logs};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Row height in pixels; `--log-line` in the stylesheet must match.
pub const LINE_H: f64 = 18.0;
const OVERSCAN: usize = 30;
/// How far back from the end a tail starts.
pub const TAIL_BYTES: u64 = 256 * 1024;
/// How much "load earlier" reads per click.
const EARLIER_BYTES: u64 = 256 * 1024;
pub const CAPS_MB: [usize; 5] = [16, 64, 256, 1024, 4096];

/// One allocation's task to stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSource {
    pub alloc: String,
    pub task: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Level {
    Ok,
    Warn,
    Error,
}

/// State shared by the viewer and its stream tasks.
#[derive(Clone)]
struct Shared {
    api: Api,
    store: StoredValue<LogStore>,
    /// allocation ID of each source index
    allocs: StoredValue<Vec<String>>,
    version: RwSignal<u64>,
    bump_queued: Arc<AtomicBool>,
    status: RwSignal<BTreeMap<String, (Level, String)>>,
    invalid_utf8: RwSignal<u64>,
    frame_errors: RwSignal<Vec<String>>,
    reconnects: RwSignal<u64>,
    /// sources registered so far (the hide filter maps IDs through them)
    registered: RwSignal<usize>,
}

impl Shared {
    /// Re-render at most once per animation frame.
    fn bump(&self) {
        if self.bump_queued.swap(true, Ordering::Relaxed) {
            return;
        }
        let q = self.bump_queued.clone();
        let v = self.version;
        request_animation_frame(move || {
            q.store(false, Ordering::Relaxed);
            // the viewer may be gone by the next frame
            v.try_update(|n| *n += 1);
        });
    }

    fn src_of(&self, alloc: &str) -> u16 {
        let mut idx = 0;
        self.allocs.try_update_value(|a| {
            idx = match a.iter().position(|x| x == alloc) {
                Some(i) => i,
                None => {
                    a.push(alloc.to_string());
                    a.len() - 1
                }
            } as u16;
        });
        idx
    }

    fn set_status(&self, key: &str, level: Level, msg: impl Into<String>) {
        let msg = msg.into();
        self.status.try_update(|m| {
            if msg.is_empty() {
                m.remove(key);
            } else {
                m.insert(key.to_string(), (level, msg));
            }
        });
    }

    fn notice(&self, src: u16, text: String) {
        self.store
            .try_update_value(|s| s.append(src, Stream::Notice, "", 0, &text, vec![]));
        self.bump();
    }
}

/// Streams one allocation task's stdout or stderr into the store until
/// `ctl` is aborted, reconnecting after drops from the last offset.
async fn run_stream(
    sh: Shared,
    src: LogSource,
    stream: Stream,
    origin_end: bool,
    ctl: Rc<StreamControl>,
    alive: Rc<Cell<bool>>,
) {
    let stdout = stream == Stream::Stdout;
    let idx = sh.src_of(&src.alloc);
    let key = format!(
        "{} {} {}",
        format::short_id(&src.alloc),
        src.task,
        stream.as_str()
    );
    let path = logs_path(&src.alloc);
    let mut asm = LineAssembler::new();
    let mut resume: Option<u64> = None;
    let mut file = String::new();
    let mut backoff = 500u64;
    let mut got_data = false;
    while alive.get() {
        // the first connection starts at the tail (or head); later ones
        // continue exactly after the last complete frame
        let (from_end, offset) = match resume {
            None => (origin_end, if origin_end { TAIL_BYTES } else { 0 }),
            Some(o) => (false, global_offset(&sh.api, &src.alloc, &file, o).await),
        };
        let q = logs_query(&src.task, stdout, true, from_end, offset);
        let mut raw = vec![];
        let mut cut = false;
        let before = resume;
        let result = crate::api::read_stream(&sh.api, &path, &q, &ctl, &mut resume, |events| {
            for ev in events.drain(..) {
                match ev {
                    StreamEvent::Data {
                        file: f,
                        start,
                        bytes,
                        ..
                    } => {
                        asm.push(start, &bytes, &mut raw);
                        if f != file {
                            file = f;
                        }
                    }
                    StreamEvent::FileEvent { file: f, event } => {
                        asm.finish(&mut raw);
                        flush(&sh, idx, stream, &file, &mut raw);
                        asm.reset();
                        sh.notice(idx, format!("— {f}: {event}; reading from its start —"));
                    }
                    StreamEvent::Heartbeat => {}
                    // the connection ended inside a frame: a drop, resumed below
                    StreamEvent::Error(nomad_model::frames::FrameError::Truncated(_)) => cut = true,
                    StreamEvent::Error(e) => {
                        let msg = e.to_string();
                        sh.frame_errors.try_update(|v| {
                            if !v.contains(&msg) && v.len() < 5 {
                                v.push(msg);
                            }
                        });
                    }
                }
            }
            if !raw.is_empty() {
                got_data = true;
                flush(&sh, idx, stream, &file, &mut raw);
                let seen = sh.invalid_utf8.try_get_untracked().unwrap_or(0);
                sh.invalid_utf8.try_set(seen.max(asm.invalid_lines));
            }
        })
        .await;
        if !alive.get() {
            return;
        }
        let result = match result {
            Ok(_) if cut => Err(crate::api::ApiError::network(
                "the stream ended inside a frame",
                &path,
            )),
            r => r,
        };
        match result {
            Ok(_) => {
                // The agent closed a follow stream: the task's log is
                // complete (the task stopped) or the agent restarted.
                asm.finish(&mut raw);
                flush(&sh, idx, stream, &file, &mut raw);
                sh.set_status(
                    &key,
                    Level::Ok,
                    "stream closed by the agent; checking again in 5 s",
                );
                interop::sleep(Duration::from_secs(5)).await;
                sh.set_status(&key, Level::Ok, "");
            }
            Err(e) if e.kind == ApiErrorKind::Aborted => return,
            Err(e) if e.kind == ApiErrorKind::NotFound => {
                sh.set_status(
                    &key,
                    Level::Warn,
                    if got_data {
                        "the log file is gone (the allocation may have been garbage-collected)".to_string()
                    } else {
                        "no logs yet: the task may not have started, or log collection is disabled for it (disable_log_collection); retrying".to_string()
                    },
                );
                interop::sleep(Duration::from_secs(3)).await;
            }
            Err(e) if e.is_auth() => {
                sh.set_status(&key, Level::Error, format!("{e} — reading logs needs the read-logs capability in this namespace; set a token under Settings → ACL token"));
                return;
            }
            Err(e) if e.kind == ApiErrorKind::BadRequest => {
                // e.g. a task that is not in this allocation: retrying won't help
                sh.set_status(&key, Level::Error, e.to_string());
                return;
            }
            Err(e) => {
                sh.reconnects.try_update(|n| *n += 1);
                let at = resume
                    .map(|o| format!(" from offset {o}"))
                    .unwrap_or_default();
                sh.set_status(&key, Level::Warn, format!("{e}; reconnecting{at}"));
                if resume != before {
                    backoff = 500;
                }
                interop::sleep(Duration::from_millis(backoff)).await;
                backoff = (backoff * 2).min(8000);
                continue;
            }
        }
        sh.set_status(&key, Level::Ok, "");
    }
}

/// `fs/logs` counts offsets across a task's rotated files from the oldest
/// present; frames count within their own file.
async fn global_offset(api: &Api, alloc: &str, file: &str, offset: u64) -> u64 {
    let rotated = file.rsplit('.').next().is_some_and(|n| n != "0");
    if !rotated {
        return offset;
    }
    match api.fs_ls(alloc, "alloc/logs").await {
        Ok(files) => {
            let sizes: Vec<(String, u64)> = files.into_iter().map(|f| (f.name, f.size)).collect();
            logs::resume_offset(file, offset, &sizes)
        }
        Err(_) => offset,
    }
}

fn flush(sh: &Shared, idx: u16, stream: Stream, file: &str, raw: &mut Vec<logs::RawLine>) {
    if raw.is_empty() {
        return;
    }
    sh.store.try_update_value(|s| {
        for l in raw.drain(..) {
            s.append(idx, stream, file, l.pos, &l.text, l.spans);
        }
    });
    sh.bump();
}

/// One drawn row.
#[derive(Clone, PartialEq)]
struct Row {
    id: u64,
    n: u64,
    text: String,
    segs: Vec<logs::Segment>,
    styles: Vec<(String, String)>,
    src: u16,
    stream: Stream,
    current: bool,
}

/// The first row to draw: the scroll position may be stale for a moment
/// after the view shrank (a filter applied), so clamp it to the content.
fn first_row(top: f64, viewport: f64, n: usize) -> usize {
    let top = top.min((n as f64 * LINE_H - viewport).max(0.0));
    ((top / LINE_H) as usize).saturating_sub(OVERSCAN).min(n)
}

fn read_cap() -> usize {
    interop::storage_get("yurt.logs.capMB")
        .and_then(|v| v.parse().ok())
        .filter(|v| CAPS_MB.contains(v))
        .unwrap_or(256)
}

#[component]
pub fn LogViewer(
    /// the allocation tasks to stream (may change while watching)
    #[prop(into)]
    sources: Signal<Vec<LogSource>>,
    /// tag each line with its allocation
    multi: bool,
    /// "stdout", "stderr" or "both"
    stream: String,
    /// tail (true) or head (false)
    origin_end: bool,
) -> impl IntoView {
    let api = use_api();
    let cap_mb = RwSignal::new(read_cap());
    let sh = Shared {
        api,
        store: StoredValue::new(LogStore::new(cap_mb.get_untracked() << 20)),
        allocs: StoredValue::new(vec![]),
        version: RwSignal::new(0),
        bump_queued: Arc::new(AtomicBool::new(false)),
        status: RwSignal::new(BTreeMap::new()),
        invalid_utf8: RwSignal::new(0),
        frame_errors: RwSignal::new(vec![]),
        reconnects: RwSignal::new(0),
        registered: RwSignal::new(0),
    };
    let kinds: Vec<Stream> = match stream.as_str() {
        "stderr" => vec![Stream::Stderr],
        "both" => vec![Stream::Stdout, Stream::Stderr],
        _ => vec![Stream::Stdout],
    };
    let both = kinds.len() == 2;

    // ---- streams: one per (allocation, stream), started and stopped as
    // allocations join and leave
    type Running = HashMap<(String, Stream), (Rc<StreamControl>, Rc<Cell<bool>>)>;
    let running: StoredValue<Running, LocalStorage> = StoredValue::new_local(HashMap::new());
    {
        let sh = sh.clone();
        let kinds = kinds.clone();
        Effect::new(move |_| {
            let want = sources.get();
            running.update_value(|map| {
                let keep: HashSet<(String, Stream)> = want
                    .iter()
                    .flat_map(|s| kinds.iter().map(|k| (s.alloc.clone(), *k)))
                    .collect();
                map.retain(|(alloc, k), (ctl, alive)| {
                    let stay = keep.contains(&(alloc.clone(), *k));
                    if !stay {
                        alive.set(false);
                        ctl.abort();
                        if multi && *k == kinds[0] {
                            let idx = sh.src_of(alloc);
                            sh.notice(
                                idx,
                                format!("— allocation {} left the view —", format::short_id(alloc)),
                            );
                        }
                    }
                    stay
                });
                for s in &want {
                    sh.src_of(&s.alloc);
                }
                sh.registered.set(sh.allocs.with_value(|a| a.len()));
                for s in &want {
                    for k in &kinds {
                        let key = (s.alloc.clone(), *k);
                        if map.contains_key(&key) {
                            continue;
                        }
                        let ctl = Rc::new(StreamControl::new());
                        let alive = Rc::new(Cell::new(true));
                        map.insert(key, (ctl.clone(), alive.clone()));
                        leptos::task::spawn_local(run_stream(
                            sh.clone(),
                            s.clone(),
                            *k,
                            origin_end,
                            ctl,
                            alive,
                        ));
                    }
                }
            });
        });
    }
    on_cleanup(move || {
        running.try_update_value(|map| {
            for (_, (ctl, alive)) in map.drain() {
                alive.set(false);
                ctl.abort();
            }
        });
    });

    // ---- search, filter and follow state from the URL
    let set = query_setter();
    let q_url = query_param("q");
    let re = query_param("re");
    let case = query_param("case");
    let mode = query_param("mode");
    let follow_url = query_param("follow");
    let hide = query_param("hide");
    let q_now = RwSignal::new(q_url.get_untracked());
    let following = Memo::new(move |_| follow_url.get() != "0");
    let wrap = RwSignal::new(interop::storage_get("yurt.logs.wrap").as_deref() == Some("1"));
    let numbers = RwSignal::new(interop::storage_get("yurt.logs.numbers").as_deref() != Some("0"));
    let regex_error = RwSignal::new(None::<String>);
    let current_hit = RwSignal::new(None::<u64>);
    let paused_at = RwSignal::new(0usize);

    // the query applies to what is loaded and to every line that arrives
    {
        let sh = sh.clone();
        Effect::new(move |_| {
            let _ = sh.registered.get();
            let pattern = q_now.get();
            let m = Matcher::new(&pattern, re.get() == "1", case.get() == "1");
            let hidden: HashSet<u16> = hide
                .get()
                .split(',')
                .filter(|s| !s.is_empty())
                .filter_map(|short| {
                    sh.allocs.with_value(|a| {
                        a.iter()
                            .position(|x| x.starts_with(short))
                            .map(|i| i as u16)
                    })
                })
                .collect();
            let matcher = match m {
                Ok(m) => {
                    regex_error.set(None);
                    m
                }
                Err(e) => {
                    regex_error.set(Some(e));
                    None
                }
            };
            let filter = mode.get() != "highlight";
            sh.store.update_value(|s| {
                s.set_query(ViewQuery {
                    matcher,
                    filter,
                    hidden,
                })
            });
            current_hit.set(None);
            sh.bump();
        });
    }
    {
        let sh = sh.clone();
        Effect::new(move |_| {
            let mb = cap_mb.get();
            interop::storage_set("yurt.logs.capMB", Some(&mb.to_string()));
            sh.store.update_value(|s| s.set_cap(mb << 20));
            sh.bump();
        });
    }

    // ---- the scroll window
    let scroller = NodeRef::<leptos::html::Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);
    let view_len = {
        let sh = sh.clone();
        Memo::new(move |_| {
            sh.version.get();
            sh.store.with_value(|s| s.view_len())
        })
    };
    let at_bottom = move || {
        scroller.get_untracked().is_none_or(|el| {
            let (top, h, total) = interop::scroll_metrics(&el);
            top + h >= total - LINE_H
        })
    };
    let set_follow = {
        let set = set.clone();
        move |on: bool| set(&[("follow", if on { String::new() } else { "0".to_string() })])
    };
    let last_top = StoredValue::new(0.0f64);
    let on_scroll = {
        let set_follow = set_follow.clone();
        move |_| {
            let Some(el) = scroller.get_untracked() else {
                return;
            };
            let (top, h, _) = interop::scroll_metrics(&el);
            // only the user scrolling up pauses following: content growing
            // under a programmatic scroll must not
            let up = top < last_top.get_value() - 2.0;
            last_top.set_value(top);
            scroll_top.set(top);
            viewport.set(h);
            if up && following.get_untracked() && !at_bottom() {
                paused_at.set(view_len.get_untracked());
                set_follow(false);
            }
        }
    };
    // stick to the end while following
    Effect::new(move |_| {
        let n = view_len.get();
        if following.get() {
            request_animation_frame(move || {
                if let Some(el) = scroller.try_get_untracked().flatten() {
                    let (_, h, total) = interop::scroll_metrics(&el);
                    interop::set_scroll_top(&el, total);
                    last_top.try_set_value((total - h).max(0.0));
                    scroll_top.try_set((total - h).max(0.0));
                    viewport.try_set(h);
                }
            });
            paused_at.set(n);
        }
    });
    let rows = {
        let sh = sh.clone();
        move || {
            sh.version.get();
            let (top, h) = (scroll_top.get(), viewport.get());
            let cur = current_hit.get();
            sh.store.with_value(|s| {
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
                            current: cur == Some(l.id),
                        }
                    })
                    .collect::<Vec<_>>()
            })
        }
    };
    let offset_px = move || {
        let first = first_row(scroll_top.get(), viewport.get(), view_len.get());
        format!("transform:translateY({}px)", first as f64 * LINE_H)
    };
    let allocs = sh.allocs;
    let row_view = move |r: Row| {
        let tag = multi.then(|| {
            let a = allocs.with_value(|a| a.get(r.src as usize).cloned().unwrap_or_default());
            let short = format::short_id(&a).to_string();
            view! { <span class=format!("log-tag {}", super::tag_class(&a)) title=a>{short}</span> }
        });
        let marker = (both || r.stream == Stream::Notice).then(|| {
            view! { <span class=format!("log-stream {}", r.stream.as_str())>{match r.stream { Stream::Stdout => "out", Stream::Stderr => "err", Stream::Notice => "···" }}</span> }
        });
        let text = r.text.clone();
        let body = r
            .segs
            .iter()
            .zip(r.styles.iter())
            .map(|(g, (class, css))| {
                let piece = text.get(g.start..g.end).unwrap_or("").to_string();
                let class = format!("{}{}", class.trim_start(), if g.hit { " hit" } else { "" });
                view! { <span class=class style=css.clone()>{piece}</span> }
            })
            .collect_view();
        view! {
            <div class="log-line" class:current=r.current class:notice=r.stream == Stream::Notice class:stderr=r.stream == Stream::Stderr data-id=r.id.to_string()>
                {move || numbers.get().then(|| view! { <span class="log-n">{r.n}</span> })}
                {tag}
                {marker}
                <span class="log-text">{body}</span>
            </div>
        }
    };

    // ---- toolbar actions
    let typed = crate::pages::Debounce::new();
    let on_search = {
        let set = set.clone();
        move |ev| {
            let v = event_target_value(&ev);
            q_now.set(v.clone());
            let set = set.clone();
            typed.run(Duration::from_millis(300), move || set(&[("q", v)]));
        }
    };
    let toggle = {
        let set = set.clone();
        move |key: &'static str, on: Signal<String>| {
            let set = set.clone();
            move |_| {
                set(&[(
                    key,
                    if on.get_untracked() == "1" {
                        String::new()
                    } else {
                        "1".to_string()
                    },
                )])
            }
        }
    };
    let jump = {
        let sh = sh.clone();
        let set_follow = set_follow.clone();
        move |forward: bool| {
            let id = sh
                .store
                .with_value(|s| s.next_hit(current_hit.get_untracked(), forward));
            if let Some(id) = id {
                current_hit.set(Some(id));
                if following.get_untracked() {
                    paused_at.set(view_len.get_untracked());
                    set_follow(false);
                }
                let pos = sh.store.with_value(|s| s.view_position(id));
                if let Some(el) = scroller.get_untracked() {
                    let (_, h, _) = interop::scroll_metrics(&el);
                    interop::set_scroll_top(&el, (pos as f64 * LINE_H - h / 2.0).max(0.0));
                }
            }
        }
    };
    let (jump_prev, jump_next) = (jump.clone(), jump);
    let hit_label = {
        let sh = sh.clone();
        move || {
            sh.version.get();
            let cur = current_hit.get();
            sh.store.with_value(|s| {
                let n = s.hits().len();
                if s.query().matcher.is_none() {
                    String::new()
                } else {
                    match cur.and_then(|c| s.hits().iter().position(|&x| x == c)) {
                        Some(i) => format!("{} / {n} lines", i + 1),
                        None => format!("{n} matching line{}", if n == 1 { "" } else { "s" }),
                    }
                }
            })
        }
    };
    let prefix = {
        let allocs = sh.allocs;
        move |l: &logs::LineRef| -> String {
            let mut p = String::new();
            if multi {
                p.push_str(&format!(
                    "[{}] ",
                    allocs.with_value(|a| a
                        .get(l.src as usize)
                        .map(|x| format::short_id(x).to_string())
                        .unwrap_or_default())
                ));
            }
            if both {
                p.push_str(if l.stream == Stream::Stderr {
                    "err "
                } else {
                    "out "
                });
            }
            p
        }
    };
    let copy = {
        let sh = sh.clone();
        let prefix = prefix.clone();
        let copied = RwSignal::new(false);
        (copied, move |_| {
            let text = sh.store.with_value(|s| s.view_text(&prefix));
            interop::copy_to_clipboard(&text);
            copied.set(true);
            set_timeout(
                move || {
                    copied.try_set(false);
                },
                Duration::from_secs(2),
            );
        })
    };
    let (copied, on_copy) = copy;
    let download_loaded = {
        let sh = sh.clone();
        let kinds = kinds.clone();
        move |_| {
            let text = sh.store.with_value(|s| s.view_text(&prefix));
            let name = match sources.get_untracked().as_slice() {
                [one] => format!(
                    "{}-{}-{}.log",
                    one.task,
                    format::short_id(&one.alloc),
                    if kinds.len() == 2 {
                        "all"
                    } else {
                        kinds[0].as_str()
                    }
                ),
                _ => "logs.log".to_string(),
            };
            let _ = interop::download(&name, "text/plain;charset=utf-8", text.as_bytes());
        }
    };
    let full_error = RwSignal::new(None::<String>);
    let full_busy = RwSignal::new(false);
    let download_full = {
        let kinds = kinds.clone();
        move |_| {
            let srcs = sources.get_untracked();
            let kinds = kinds.clone();
            full_busy.set(true);
            full_error.set(None);
            leptos::task::spawn_local(async move {
                match whole_logs(&api, &srcs, &kinds).await {
                    Ok((name, bytes)) => {
                        let _ = interop::download(&name, "text/plain;charset=utf-8", &bytes);
                    }
                    Err(e) => {
                        full_error.try_set(Some(e));
                    }
                }
                full_busy.try_set(false);
            });
        }
    };
    let earlier_busy = RwSignal::new(false);
    let load_earlier = {
        let sh = sh.clone();
        let kinds = kinds.clone();
        move |_| {
            let sh = sh.clone();
            let kinds = kinds.clone();
            let srcs = sources.get_untracked();
            earlier_busy.set(true);
            leptos::task::spawn_local(async move {
                for s in &srcs {
                    let idx = sh.src_of(&s.alloc);
                    for k in &kinds {
                        let Some((file, pos)) = sh
                            .store
                            .try_with_value(|st| {
                                st.earliest(idx, *k).map(|(f, p)| (f.to_string(), p))
                            })
                            .flatten()
                        else {
                            continue;
                        };
                        if pos == 0 || file.is_empty() {
                            continue;
                        }
                        let start = pos.saturating_sub(EARLIER_BYTES);
                        match sh.api.fs_readat(&s.alloc, &file, start, pos - start).await {
                            Ok(bytes) => {
                                let lines = logs::lines_of_range(start, &bytes);
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
    };
    let dropped = {
        let sh = sh.clone();
        move || {
            sh.version.get();
            sh.store
                .with_value(|s| (s.dropped_lines, s.dropped_bytes, s.hold, s.bytes(), s.len()))
        }
    };
    let release = {
        let sh = sh.clone();
        move |_| {
            sh.store.update_value(|s| s.release());
            sh.bump();
        }
    };
    let resume_follow = {
        let set_follow = set_follow.clone();
        move |_| set_follow(true)
    };
    let resume_follow2 = resume_follow.clone();
    let toggle_re = toggle("re", re);
    let toggle_case = toggle("case", case);
    let set_mode = set.clone();
    let status = sh.status;
    let invalid = sh.invalid_utf8;
    let frame_errors = sh.frame_errors;
    let reconnects = sh.reconnects;
    let stats = {
        let sh = sh.clone();
        move || {
            sh.version.get();
            let (n, bytes) = sh.store.with_value(|s| (s.len(), s.bytes()));
            interop::expose_log_stats(n, bytes);
            format!(
                "{} lines · {} in memory",
                format::thousands(n as i64),
                format::bytes(bytes as u64)
            )
        }
    };

    view! {
        <div class="log-viewer" class:wrap=move || wrap.get() data-testid="log-viewer">
            <div class="toolbar log-toolbar">
                <input class="search" type="search" placeholder="Search logs" aria-label="Search logs" data-testid="log-search"
                    prop:value=move || q_now.get() on:input=on_search/>
                <button class="chip" class:active=move || re.get() == "1" on:click=toggle_re data-testid="log-regex" title="Regular expression">".*"</button>
                <button class="chip" class:active=move || case.get() == "1" on:click=toggle_case data-testid="log-case" title="Match case">"Aa"</button>
                <select class="facet-select" aria-label="Search mode" data-testid="log-mode" prop:value=move || if mode.get() == "highlight" { "highlight" } else { "filter" }
                    on:change=move |ev| { let v = event_target_value(&ev); set_mode(&[("mode", if v == "highlight" { v } else { String::new() })]) }>
                    <option value="filter">"Only matching lines"</option>
                    <option value="highlight">"Highlight matches"</option>
                </select>
                {move || (mode.get() == "highlight").then(|| {
                    let (p, n) = (jump_prev.clone(), jump_next.clone());
                    view! {
                        <button class="button" on:click=move |_| p(false) data-testid="log-prev" title="Previous match">"↑"</button>
                        <button class="button" on:click=move |_| n(true) data-testid="log-next" title="Next match">"↓"</button>
                    }
                })}
                <span class="muted" data-testid="log-hits">{hit_label}</span>
                {move || regex_error.get().map(|e| view! { <span class="field-error" data-testid="log-regex-error">{format!("Invalid regex: {e}")}</span> })}
                <span class="spacer"></span>
                <label class="check"><input type="checkbox" prop:checked=move || wrap.get() on:change=move |ev| { let on = event_target_checked(&ev); wrap.set(on); interop::storage_set("yurt.logs.wrap", Some(if on { "1" } else { "0" })); }/>" Wrap"</label>
                <label class="check"><input type="checkbox" prop:checked=move || numbers.get() on:change=move |ev| { let on = event_target_checked(&ev); numbers.set(on); interop::storage_set("yurt.logs.numbers", Some(if on { "1" } else { "0" })); }/>" Line numbers"</label>
                <button class="button" on:click=on_copy data-testid="log-copy">{move || if copied.get() { "Copied" } else { "Copy" }}</button>
                <button class="button" on:click=download_loaded data-testid="log-download">"Download loaded"</button>
                <button class="button" on:click=download_full disabled=move || full_busy.get() data-testid="log-download-full" title="Every rotated log file of this task, from the agent">
                    {move || if full_busy.get() { "Downloading…" } else { "Download full log" }}
                </button>
                {move || if following.get() {
                    let f = set_follow.clone();
                    view! { <button class="button" on:click=move |_| { paused_at.set(view_len.get_untracked()); f(false) } data-testid="log-pause">"Pause"</button> }.into_any()
                } else {
                    let f = resume_follow.clone();
                    view! { <button class="button primary" on:click=f data-testid="log-follow">"Follow"</button> }.into_any()
                }}
            </div>
            {move || full_error.get().map(|e| view! { <div class="banner error">{format!("Download failed: {e}")}</div> })}
            {move || {
                let (lines, bytes, hold, used, _) = dropped();
                (lines > 0 || hold).then(|| {
                    let load = load_earlier.clone();
                    let release = release.clone();
                    view! {
                        <div class="banner warn" data-testid="log-dropped">
                            {if lines > 0 { format!("{} earlier lines ({}) were dropped to stay under the {} MB memory cap. ", format::thousands(lines as i64), format::bytes(bytes), cap_mb.get()) } else { String::new() }}
                            {hold.then(|| format!("Earlier bytes are loaded and held ({} in memory); new lines do not evict them. ", format::bytes(used as u64)))}
                            <button class="button" on:click=load disabled=move || earlier_busy.get() data-testid="log-load-earlier">"Load earlier"</button>
                            {hold.then(|| view! { <button class="button" on:click=release>"Release"</button> })}
                        </div>
                    }
                })
            }}
            {move || (invalid.get() > 0 || !frame_errors.get().is_empty()).then(|| view! {
                <div class="banner warn" data-testid="log-decode-notice">
                    {(invalid.get() > 0).then(|| format!("{} line(s) held invalid UTF-8, shown as \u{FFFD}. ", invalid.get()))}
                    {frame_errors.get().join(" · ")}
                </div>
            })}
            {move || status.with(|m| (!m.is_empty()).then(|| view! {
                <ul class="log-status" data-testid="log-status">
                    {m.iter().map(|(k, (lvl, msg))| view! {
                        <li class=match lvl { Level::Ok => "ok", Level::Warn => "warn", Level::Error => "error" }><strong>{k.clone()}</strong>": "{msg.clone()}</li>
                    }).collect_view()}
                </ul>
            }))}
            <div class="log-scroll" node_ref=scroller on:scroll=on_scroll tabindex="0" data-testid="log-scroll">
                <div class="log-canvas" style=move || format!("height:{}px", view_len.get() as f64 * LINE_H)>
                    <div class="log-rows" style=offset_px>
                        <For each=rows key=|r: &Row| (r.id, r.current, r.segs.len()) children=row_view/>
                    </div>
                </div>
                {move || (view_len.get() == 0).then(|| view! { <p class="empty log-empty">{move || if q_now.with(|q| q.is_empty()) { "Waiting for log lines…" } else { "No line matches." }}</p> })}
            </div>
            <div class="log-foot muted">
                <span data-testid="log-stats">{stats}</span>
                {move || (reconnects.get() > 0).then(|| format!(" · {} reconnect(s), resumed by offset", reconnects.get()))}
                <span class="spacer"></span>
                <label>"Memory cap "
                    <select class="facet-select" data-testid="log-cap" prop:value=move || cap_mb.get().to_string() on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { cap_mb.set(v) } }>
                        {CAPS_MB.iter().map(|m| view! { <option value=m.to_string()>{if *m >= 1024 { format!("{} GB", m / 1024) } else { format!("{m} MB") }}</option> }).collect_view()}
                    </select>
                </label>
                {move || {
                    let n = view_len.get().saturating_sub(paused_at.get());
                    (!following.get() && n > 0).then(|| {
                        let f = resume_follow2.clone();
                        view! { <button class="button primary new-lines" on:click=f data-testid="log-new-lines">{format!("↓ {} new line{}", format::thousands(n as i64), if n == 1 { "" } else { "s" })}</button> }
                    })
                }}
            </div>
        </div>
    }
}

/// Every rotated file of each source's task streams, oldest first.
async fn whole_logs(
    api: &Api,
    srcs: &[LogSource],
    kinds: &[Stream],
) -> Result<(String, Vec<u8>), String> {
    let mut out = vec![];
    for s in srcs {
        let files = api
            .fs_ls(&s.alloc, "alloc/logs")
            .await
            .map_err(|e| e.to_string())?;
        for k in kinds {
            let prefix = format!("{}.{}.", s.task, k.as_str());
            let mut mine: Vec<(u64, String)> = files
                .iter()
                .filter_map(|f| {
                    f.name
                        .strip_prefix(&prefix)
                        .and_then(|n| n.parse().ok())
                        .map(|n| (n, f.name.clone()))
                })
                .collect();
            mine.sort();
            if mine.is_empty() {
                continue;
            }
            if srcs.len() > 1 || kinds.len() > 1 {
                out.extend_from_slice(
                    format!("==> {} {} <==\n", format::short_id(&s.alloc), k.as_str()).as_bytes(),
                );
            }
            for (_, name) in mine {
                let bytes = api
                    .fs_cat(&s.alloc, &format!("alloc/logs/{name}"))
                    .await
                    .map_err(|e| e.to_string())?;
                out.extend_from_slice(&bytes);
            }
        }
    }
    let name = match srcs {
        [one] => format!("{}-{}.log", one.task, format::short_id(&one.alloc)),
        _ => "logs.log".to_string(),
    };
    Ok((name, out))
}
