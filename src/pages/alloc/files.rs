//! The allocation file browser: directories from `fs/ls`, files opened by
//! what they hold — text (`fs/cat` whole when small, `fs/readat` pages
//! from the head or the tail when large, `fs/stream` to follow one that
//! grows), images shown, binary files as a hex dump — and downloads. The
//! path and page are in the URL, so any view can be shared.

use super::{use_alloc_id, AllocTabs};
use crate::api::{fs_stream_path, read_stream, use_api, ApiError, StreamControl};
use crate::components::*;
use crate::interop;
use crate::pages::{use_query_param, use_query_setter};
use crate::routes::{alloc_href, files_href, href};
use base64::Engine;
use leptos::prelude::*;
use nomad_model::files::{self, FileKind, Utf8Carry};
use nomad_model::frames::StreamEvent;
use nomad_model::{format, AllocFileInfo};

#[component]
pub fn AllocFilesPage() -> impl IntoView {
    let id = use_alloc_id();
    let raw_path = use_query_param("path");
    let path = Memo::new(move |_| files::normalize(&raw_path.get()));
    let api = use_api();
    let stat = LocalResource::new(move || {
        let (id, path) = (id.get(), path.get());
        async move {
            let id = id.ok_or_else(|| ApiError::decode("no allocation in the URL", ""))?;
            api.fs_stat(&id, &path).await.map(|info| (id, path, info))
        }
    });
    view! {
        <nav class="crumbs">
            <a href=href("/allocations")>"Allocations"</a>" / "
            {move || id.get().map(|i| view! { <a href=alloc_href(&i)>{format::short_id(&i).to_string()}</a> })}
            " / files"
        </nav>
        <div class="page-head"><h1>"Files"</h1></div>
        {move || id.get().map(|i| view! { <AllocTabs id=i active="files"/> })}
        <nav class="path-crumbs" data-testid="path">
            {move || {
                let i = id.get().unwrap_or_default();
                files::crumbs(&path.get()).into_iter().map(|(label, p)| view! {
                    <a href=files_href(&i, &p)>{label}</a><span class="sep">"/"</span>
                }).collect_view()
            }}
        </nav>
        <Transition fallback=|| view! { <Spinner label="Reading…"/> }>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let (id, path, info) = stat.await?;
                    Ok::<_, ApiError>(if info.is_dir {
                        view! { <DirView id path/> }.into_any()
                    } else {
                        view! { <FileView id path info/> }.into_any()
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn DirView(id: String, path: String) -> impl IntoView {
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let (i, p) = (id.clone(), path.clone());
    let list = LocalResource::new(move || {
        reload.track();
        let (id, path) = (i.clone(), p.clone());
        async move {
            let mut v = api.fs_ls(&id, &path).await?;
            files::sort_entries(&mut v);
            Ok::<_, ApiError>(v)
        }
    });
    let up = (path != "/").then(|| files_href(&id, &files::parent(&path)));
    view! {
        <div class="toolbar">
            {up.map(|u| view! { <a class="button" href=u data-testid="up">"↑ Up"</a> })}
            <button class="button" on:click=move |_| reload.update(|n| *n += 1)>"Refresh"</button>
        </div>
        <Transition fallback=|| view! { <Spinner label="Listing…"/> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    let (id, path) = (id.clone(), path.clone());
                    Suspend::new(async move {
                        let v = list.await?;
                        let empty = v.is_empty();
                        Ok::<_, ApiError>(view! {
                            <table class="table files" data-testid="dir">
                                <thead><tr><th>"Name"</th><th class="num">"Size"</th><th>"Mode"</th><th>"Modified"</th></tr></thead>
                                <tbody>
                                    {v.into_iter().map(|f| {
                                        let url = files_href(&id, &files::join(&path, &f.name));
                                        view! {
                                            <tr data-entry=f.name.clone() class:dir=f.is_dir>
                                                <td class="name"><a href=url><span class="ficon" aria-hidden="true">{if f.is_dir { "▸" } else { "·" }}</span>{f.name.clone()}{f.is_dir.then_some("/")}</a></td>
                                                <td class="num">{if f.is_dir { "—".to_string() } else { format::bytes(f.size) }}</td>
                                                <td class="mono muted">{f.file_mode.clone()}</td>
                                                <td class="muted">{f.mod_time.unix_nanos().map(|t| view! { <RelTime at=t/> })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {empty.then(|| view! { <p class="empty">"This directory is empty."</p> })}
                        })
                    })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// What was read of a file.
#[derive(Clone)]
enum Content {
    Text { text: String, offset: u64, len: u64 },
    Image(String),
    Binary(String),
}

#[component]
fn FileView(id: String, path: String, info: AllocFileInfo) -> impl IntoView {
    let api = use_api();
    let set = use_query_setter();
    let page = use_query_param("page");
    let from = use_query_param("from");
    let follow = use_query_param("follow");
    let size = info.size;
    let paged = files::needs_paging(size);
    let name = files::file_name(&path).to_string();
    let image = files::is_image_name(&name) && size <= files::IMAGE_LIMIT;
    let (i, p) = (id.clone(), path.clone());
    let content = LocalResource::new(move || {
        let (n, end) = (page.get().parse::<u64>().unwrap_or(0), from.get() == "end");
        let (id, path) = (i.clone(), p.clone());
        async move {
            let (bytes, offset) = if paged && !image {
                let (off, lim) = files::page_range(size, n, end);
                (api.fs_readat(&id, &path, off, lim).await?, off)
            } else {
                (api.fs_cat(&id, &path).await?, 0)
            };
            let len = bytes.len() as u64;
            Ok::<_, ApiError>(match files::sniff(&bytes) {
                FileKind::Image(mime) if offset == 0 && len == size => Content::Image(format!(
                    "data:{mime};base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(&bytes)
                )),
                FileKind::Binary | FileKind::Image(_) => {
                    Content::Binary(files::hex_dump(&bytes, 512))
                }
                FileKind::Text => Content::Text {
                    text: files::page_text(&bytes, offset > 0),
                    offset,
                    len,
                },
            })
        }
    });
    let download_error = RwSignal::new(None::<ApiError>);
    let downloading = RwSignal::new(false);
    let (di, dp, dn) = (id.clone(), path.clone(), name.clone());
    let download = move |_| {
        let (id, path, name) = (di.clone(), dp.clone(), dn.clone());
        downloading.set(true);
        leptos::task::spawn_local(async move {
            let r = match api.fs_cat(&id, &path).await {
                Ok(b) => interop::download(&name, "application/octet-stream", &b)
                    .map_err(|e| ApiError::browser(format!("Download failed: {e}"), &path)),
                Err(e) => Err(e),
            };
            download_error.set(r.err());
            downloading.set(false);
        });
    };
    let pages = files::pages(size);
    let nav = {
        let set = set.clone();
        move |n: u64, end: bool| {
            let set = set.clone();
            move |_| {
                set(&[
                    ("page", if n == 0 { String::new() } else { n.to_string() }),
                    ("from", if end { "end".into() } else { String::new() }),
                    ("follow", String::new()),
                ])
            }
        }
    };
    let set_follow = set.clone();
    let following = move || follow.get() == "1";
    let cur = move || (page.get().parse::<u64>().unwrap_or(0), from.get() == "end");
    view! {
        <div class="file-head">
            <h2 class="mono" data-testid="file-name">{name.clone()}</h2>
            <span class="muted" data-testid="file-size">{format::bytes(size)}</span>
            <span class="muted mono">{info.file_mode.clone()}</span>
            {info.mod_time.unix_nanos().map(|t| view! { <span class="muted">"modified "<RelTime at=t/></span> })}
            <span class="spacer"></span>
            <a class="button" href=files_href(&id, &files::parent(&path))>"↑ Folder"</a>
            {(!image).then(|| view! {
                <button class="button" class:active=following data-action="follow"
                    on:click=move |_| set_follow(&[("follow", if following() { String::new() } else { "1".into() }), ("page", String::new()), ("from", String::new())])>
                    {move || if following() { "Stop following" } else { "Follow" }}
                </button>
            })}
            <button class="button" data-action="download" disabled=move || downloading.get() on:click=download>"Download"</button>
        </div>
        {move || download_error.get().map(|e| view! { <ErrorPanel error=e/> })}
        {(paged && !image).then(|| {
            let nav = nav.clone();
            view! {
                <div class="pager file-pager" data-testid="file-pager" class:hidden=following>
                    <span class="muted">{move || {
                        let (n, end) = cur();
                        let (off, lim) = files::page_range(size, n, end);
                        format!("Bytes {}–{} of {} ({} pages)", format::thousands(off as i64), format::thousands((off + lim) as i64), format::thousands(size as i64), pages)
                    }}</span>
                    <button class="button" data-page="head" on:click=nav(0, false)>"⇤ Head"</button>
                    <button class="button" data-page="earlier" disabled=move || { let (n, end) = cur(); if end { n + 1 >= pages } else { n == 0 } }
                        on:click={ let nav = nav.clone(); move |e| { let (n, end) = cur(); if end { nav(n + 1, true)(e) } else { nav(n.saturating_sub(1), false)(e) } } }>"‹ Earlier"</button>
                    <button class="button" data-page="later" disabled=move || { let (n, end) = cur(); if end { n == 0 } else { n + 1 >= pages } }
                        on:click={ let nav = nav.clone(); move |e| { let (n, end) = cur(); if end { nav(n.saturating_sub(1), true)(e) } else { nav(n + 1, false)(e) } } }>"Later ›"</button>
                    <button class="button" data-page="tail" on:click=nav(0, true)>"Tail ⇥"</button>
                </div>
            }
        })}
        {move || if following() {
            view! { <Follow id=id.clone() path=path.clone()/> }.into_any()
        } else {
            let name = name.clone();
            view! {
                <Transition fallback=|| view! { <Spinner label="Reading the file…"/> }>
                    <ErrorBoundary fallback=error_fallback>
                        {move || {
                            let name = name.clone();
                            Suspend::new(async move {
                            let c = content.await?;
                            Ok::<_, ApiError>(match c {
                                Content::Image(url) => view! { <div class="file-image"><img src=url alt=name.clone() data-testid="file-image"/></div> }.into_any(),
                                Content::Binary(dump) => view! {
                                    <div class="banner info" data-testid="binary">"Binary file: not shown as text. The first bytes are below; download it to inspect it."</div>
                                    <pre class="file-text hex">{dump}</pre>
                                }.into_any(),
                                Content::Text { text, offset, len } => {
                                    let partial = offset > 0 || offset + len < size;
                                    view! {
                                        {partial.then(|| view! { <p class="muted file-note">{format!("Showing bytes {}–{}.", format::thousands(offset as i64), format::thousands((offset + len) as i64))}</p> })}
                                        <pre class="file-text log-colors" data-testid="file-text"><AnsiText text/></pre>
                                    }.into_any()
                                }
                            })
                        })}}
                    </ErrorBoundary>
                </Transition>
            }.into_any()
        }}
    }
}

/// Lines kept while following a file.
const FOLLOW_CAP: usize = 5_000;

/// Follows a growing file with `fs/stream`, from its last page onwards.
#[component]
fn Follow(id: String, path: String) -> impl IntoView {
    let api = use_api();
    // (line number, text); the last line may still be growing
    let lines = RwSignal::new(std::collections::VecDeque::<(u64, String)>::new());
    let status = RwSignal::new("Connecting…".to_string());
    let error = RwSignal::new(None::<ApiError>);
    let ctl = std::rc::Rc::new(StreamControl::new());
    let stop = StoredValue::new_local(ctl.clone());
    let pre = NodeRef::<leptos::html::Pre>::new();
    let stream_path = fs_stream_path(&id);
    leptos::task::spawn_local(async move {
        let mut carry = Utf8Carry::default();
        let mut resume: Option<u64> = None;
        let mut open_line = false;
        let mut next_id = 0u64;
        let q = vec![
            ("path", path.clone()),
            ("origin", "end".to_string()),
            ("offset", files::PAGE.to_string()),
            ("follow", "true".to_string()),
        ];
        let _ = status.try_set("Following.".into());
        let r = read_stream(&api, &stream_path, &q, &ctl, &mut resume, |events| {
            let mut add = String::new();
            for ev in events.drain(..) {
                match ev {
                    StreamEvent::Data { bytes, .. } => add.push_str(&carry.push(&bytes)),
                    StreamEvent::FileEvent { event, .. } => {
                        add.push_str(&format!("\n— file {event}: reading from its start —\n"))
                    }
                    StreamEvent::Heartbeat => {}
                    StreamEvent::Error(e) => {
                        let _ = error.try_set(Some(ApiError::decode(e.to_string(), &stream_path)));
                    }
                }
            }
            if add.is_empty() {
                return;
            }
            let _ = lines.try_update(|v| {
                let mut parts = add.split('\n').peekable();
                if open_line {
                    if let (Some(first), Some(last)) = (parts.next(), v.back_mut()) {
                        last.1.push_str(first);
                    }
                }
                while let Some(p) = parts.next() {
                    // the piece after the last newline is an open line
                    if parts.peek().is_none() && p.is_empty() {
                        open_line = false;
                        break;
                    }
                    v.push_back((next_id, p.to_string()));
                    next_id += 1;
                    open_line = parts.peek().is_none();
                }
                while v.len() > FOLLOW_CAP {
                    v.pop_front();
                }
            });
            if let Some(el) = pre.get_untracked() {
                interop::set_scroll_top(&el, 1e9);
            }
        })
        .await;
        match r {
            Ok(_) => {
                let _ = status.try_set("The stream ended.".into());
            }
            Err(e) if e.kind == crate::api::ApiErrorKind::Aborted => {}
            Err(e) => {
                let _ = status.try_set("Disconnected.".into());
                let _ = error.try_set(Some(e));
            }
        }
    });
    on_cleanup(move || {
        stop.try_with_value(|c| c.abort());
    });
    view! {
        <p class="muted file-note" data-testid="follow-status">{move || status.get()}" Showing the end of the file and what is written to it."</p>
        {move || error.get().map(|e| view! { <ErrorPanel error=e/> })}
        <pre class="file-text follow log-colors" node_ref=pre data-testid="follow-text">
            <For each=move || lines.get() key=|l: &(u64, String)| (l.0, l.1.len()) children=|l: (u64, String)| view! { <AnsiText text=l.1/> }/>
        </pre>
    }
}
