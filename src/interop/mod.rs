//! The one thin module that touches `web_sys` / `js_sys` directly: storage,
//! time, timers, page visibility, abort controllers and the base path;
//! [`term`] binds the exec page's terminal.

mod heap;
pub mod term;

use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Milliseconds since the epoch from the browser clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Nanoseconds since the epoch (millisecond precision), for relative times.
pub fn now_nanos() -> i64 {
    (js_sys::Date::now() as i64).saturating_mul(1_000_000)
}

/// High-resolution monotonic milliseconds (for measurements).
pub fn perf_now() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(now_ms)
}

/// A uniformly random number in [0, 1).
pub fn random() -> f64 {
    js_sys::Math::random()
}

pub fn storage_get(key: &str) -> Option<String> {
    window()?.local_storage().ok()??.get_item(key).ok()?
}

pub fn storage_set(key: &str, value: Option<&str>) {
    store_set(
        window().and_then(|w| w.local_storage().ok().flatten()),
        key,
        value,
    );
}

/// This tab's storage (`sessionStorage`): gone when the tab closes.
pub fn tab_storage_get(key: &str) -> Option<String> {
    window()?.session_storage().ok()??.get_item(key).ok()?
}

pub fn tab_storage_set(key: &str, value: Option<&str>) {
    store_set(
        window().and_then(|w| w.session_storage().ok().flatten()),
        key,
        value,
    );
}

fn store_set(store: Option<web_sys::Storage>, key: &str, value: Option<&str>) {
    if let Some(s) = store {
        let _ = match value {
            Some(v) => s.set_item(key, v),
            None => s.remove_item(key),
        };
    }
}

/// True while the tab is hidden (blocking queries pause then).
pub fn page_hidden() -> bool {
    window()
        .and_then(|w| w.document())
        .map(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
        .unwrap_or(false)
}

/// Resolves after `d` (a `setTimeout` wrapped in a promise).
pub async fn sleep(d: Duration) {
    let ms = d.as_millis().min(i32::MAX as u128) as i32;
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// Resolves once the page is visible again (checks every 500 ms).
pub async fn until_visible() {
    while page_hidden() {
        sleep(Duration::from_millis(500)).await;
    }
}

/// The signal of an [`Abort`], as fetch takes it.
pub type AbortSignal = web_sys::AbortSignal;

/// Whether an error text from fetch or a stream read is the browser's
/// report of a request we aborted (`AbortError`, "The user aborted ...").
pub fn is_abort(message: &str) -> bool {
    message.contains("AbortError") || message.contains("abort")
}

/// `encodeURIComponent`.
pub fn encode_uri_component(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// `decodeURIComponent`; `None` for a malformed escape.
pub fn decode_uri_component(s: &str) -> Option<String> {
    js_sys::decode_uri_component(s).ok().map(String::from)
}

/// An `AbortController` whose signal is passed to fetch.
pub struct Abort(web_sys::AbortController);

impl Abort {
    pub fn new() -> Option<Self> {
        web_sys::AbortController::new().ok().map(Abort)
    }
    pub fn signal(&self) -> AbortSignal {
        self.0.signal()
    }
    pub fn abort(&self) {
        self.0.abort();
    }
}

/// The app's base path from `<base href>` (trunk's `--public-url`), without
/// a trailing slash: `/ui` by default, `` at the root.
pub fn base_path() -> String {
    let href = window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("base").ok().flatten())
        .and_then(|b| b.get_attribute("href"))
        .unwrap_or_else(|| "/ui/".into());
    let p = href.trim_end_matches('/');
    if p.is_empty() || p == "." {
        String::new()
    } else if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}

/// The API address: same origin unless `<meta name="yurt-api" content="…">` says otherwise.
pub fn api_origin() -> String {
    window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name=yurt-api]").ok().flatten())
        .and_then(|m| m.get_attribute("content"))
        .map(|s| s.trim_end_matches('/').to_string())
        .unwrap_or_default()
}

thread_local! {
    /// Settles once the on-demand stylesheet has loaded (or failed to).
    static AREA_STYLES: std::cell::OnceCell<js_sys::Promise> = const { std::cell::OnceCell::new() };
}

/// Where the on-demand stylesheet is, from `<meta name="yurt-area-styles"
/// content="…">`; the app's other on-demand files sit beside it.
fn area_styles_href() -> Option<String> {
    window()?
        .document()?
        .query_selector("meta[name=yurt-area-styles]")
        .ok()??
        .get_attribute("content")
}

/// The URL of a file in the app's folder (next to the on-demand styles).
pub fn app_file(name: &str) -> Option<String> {
    let href = area_styles_href()?;
    Some(match href.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{name}"),
        None => name.to_string(),
    })
}

/// Appends a `<link rel=stylesheet>` or `<script type=module>` to the head;
/// the promise settles when it has loaded or failed (a failure is `false`).
pub fn load_asset(tag: &str, url: &str) -> js_sys::Promise {
    let doc = window().and_then(|w| w.document());
    let el = doc
        .as_ref()
        .and_then(|d| d.create_element(tag).ok())
        .and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok());
    let (Some(doc), Some(el)) = (doc, el) else {
        return js_sys::Promise::resolve(&JsValue::FALSE);
    };
    if tag == "link" {
        let _ = el.set_attribute("rel", "stylesheet");
        let _ = el.set_attribute("href", url);
    } else {
        let _ = el.set_attribute("type", "module");
        let _ = el.set_attribute("src", url);
    }
    let promise = js_sys::Promise::new(&mut |done, _| {
        let ok = done.clone();
        let loaded = Closure::once_into_js(move || ok.call1(&JsValue::NULL, &JsValue::TRUE));
        let failed = Closure::once_into_js(move || done.call1(&JsValue::NULL, &JsValue::FALSE));
        el.set_onload(Some(loaded.unchecked_ref()));
        el.set_onerror(Some(failed.unchecked_ref()));
    });
    if let Some(head) = doc.head() {
        let _ = head.append_child(&el);
    }
    promise
}

/// Loads the stylesheet of the pages that load on demand once per tab;
/// resolves when it has loaded, so an area's page never paints unstyled.
/// A missing meta or a failed load resolves too: the page still works.
pub async fn area_styles() {
    let promise = AREA_STYLES.with(|cell| {
        cell.get_or_init(|| match area_styles_href() {
            Some(href) => load_asset("link", &href),
            None => js_sys::Promise::resolve(&JsValue::UNDEFINED),
        })
        .clone()
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Copies text to the clipboard (best effort).
pub fn copy_to_clipboard(text: &str) {
    if let Some(w) = window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Records a named performance mark (read by the benchmarks).
pub fn mark(name: &str) {
    if let Some(p) = window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(s: &str);
}

pub fn warn(s: &str) {
    console_warn(s);
}

/// Reads a `ReadableStream` chunk by chunk (the streaming reader's input).
pub struct StreamReader(web_sys::ReadableStreamDefaultReader);

impl StreamReader {
    pub fn new(stream: &web_sys::ReadableStream) -> Option<Self> {
        stream
            .get_reader()
            .dyn_into::<web_sys::ReadableStreamDefaultReader>()
            .ok()
            .map(StreamReader)
    }

    /// Next chunk; `Ok(None)` at the end of the stream.
    pub async fn next(&self) -> Result<Option<Vec<u8>>, String> {
        let r = wasm_bindgen_futures::JsFuture::from(self.0.read())
            .await
            .map_err(js_err)?;
        let done = js_sys::Reflect::get(&r, &"done".into())
            .map(|v| v.is_truthy())
            .unwrap_or(true);
        if done {
            return Ok(None);
        }
        let v = js_sys::Reflect::get(&r, &"value".into()).map_err(js_err)?;
        Ok(Some(js_sys::Uint8Array::new(&v).to_vec()))
    }

    pub fn cancel(&self) {
        // cancelling an aborted stream rejects: handle it, or the page
        // reports an unhandled rejection
        let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
        let _ = self.0.cancel().catch(&ignore);
        ignore.forget();
    }
}

pub fn js_err(v: JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_else(|| format!("{v:?}"))
}

/// Appends one watcher update's cost to `window.__yurtUpdates` (read by the
/// browser benchmarks): path, bytes received, milliseconds to decode.
pub fn record_update(path: &str, bytes: usize, decode_ms: f64) {
    let Some(w) = window() else { return };
    let key = JsValue::from_str("__yurtUpdates");
    let arr = match js_sys::Reflect::get(&w, &key) {
        Ok(v) if v.is_object() => v.unchecked_into::<js_sys::Array>(),
        _ => {
            let a = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&w, &key, &a);
            a
        }
    };
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"path".into(), &path.into());
    let _ = js_sys::Reflect::set(&o, &"bytes".into(), &(bytes as f64).into());
    let _ = js_sys::Reflect::set(&o, &"decodeMs".into(), &decode_ms.into());
    arr.push(&o);
    // pages live for days: keep the latest figures only
    if arr.length() > 1000 {
        arr.shift();
    }
}

/// Offers `bytes` as a file download named `name` (through a Blob URL, so
/// content fetched with the ACL token can be saved).
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let w = window().ok_or("no window")?;
    let doc = w.document().ok_or("no document")?;
    let parts = js_sys::Array::new();
    parts.push(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(js_err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_err)?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(js_err)?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // revoke once the click has been handled
    let u = url.clone();
    let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&u);
    });
    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 10_000);
    Ok(())
}

/// Scroll geometry of an element: (scrollTop, clientHeight, scrollHeight).
pub fn scroll_metrics(el: &web_sys::Element) -> (f64, f64, f64) {
    (
        el.scroll_top() as f64,
        el.client_height() as f64,
        el.scroll_height() as f64,
    )
}

pub fn set_scroll_top(el: &web_sys::Element, top: f64) {
    el.set_scroll_top(top as i32);
}

/// Bytes the wasm heap holds now (allocated and not freed).
pub fn wasm_live_bytes() -> usize {
    heap::live_bytes()
}

/// Puts the module's linear memory on `window.__yurtWasmMemory` and its
/// live heap bytes behind `window.__yurtWasmLive()`, so the benchmarks can
/// count the wasm heap beside the JS one.
pub fn expose_wasm_memory() {
    if let Some(w) = window() {
        let _ = js_sys::Reflect::set(&w, &"__yurtWasmMemory".into(), &wasm_bindgen::memory());
        let live = Closure::<dyn Fn() -> f64>::new(|| heap::live_bytes() as f64);
        let _ = js_sys::Reflect::set(&w, &"__yurtWasmLive".into(), &live.into_js_value());
    }
}

/// Publishes the log viewer's figures on `window.__yurtLogs` (read by the
/// browser benchmark): lines held and the store's own byte count (the
/// wasm heap is on `__yurtWasmMemory`).
pub fn expose_log_stats(lines: usize, store_bytes: usize) {
    let Some(w) = window() else { return };
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"lines".into(), &(lines as f64).into());
    let _ = js_sys::Reflect::set(&o, &"storeBytes".into(), &(store_bytes as f64).into());
    let _ = js_sys::Reflect::set(&o, &"at".into(), &now_ms().into());
    let _ = js_sys::Reflect::set(&w, &"__yurtLogs".into(), &o);
}

/// The websocket URL of an API URL (absolute, or relative to the page):
/// `http` becomes `ws`, `https` becomes `wss`.
pub fn ws_url(url: &str) -> Option<String> {
    let page = window()?.location().href().ok()?;
    let u = web_sys::Url::new_with_base(url, &page).ok()?;
    let proto = if u.protocol() == "https:" {
        "wss:"
    } else {
        "ws:"
    };
    u.set_protocol(proto);
    Some(u.href())
}

/// A `data-*` attribute of the element an event happened on (for one
/// handler on a container of many small elements).
pub fn event_data(ev: &web_sys::Event, key: &str) -> Option<String> {
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .get_attribute(&format!("data-{key}"))
}

/// Where the pointer is across the element under it, 0 (left) to 1.
pub fn pointer_fraction(ev: &web_sys::MouseEvent) -> f64 {
    let width = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map_or(0, |e| e.client_width());
    if width <= 0 {
        return 0.0;
    }
    (f64::from(ev.offset_x()) / f64::from(width)).clamp(0.0, 1.0)
}

fn dark_query() -> Option<web_sys::MediaQueryList> {
    window()?
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
}

/// Sets `<html data-theme>`: `light`, `dark`, or (for any other choice)
/// what the system prefers.
pub fn apply_theme(choice: &str) {
    let theme = match choice {
        "light" | "dark" => choice,
        _ if dark_query().is_some_and(|q| q.matches()) => "dark",
        _ => "light",
    };
    if let Some(root) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// Calls `f` whenever the system's light/dark preference changes (for the
/// tab's life).
pub fn on_system_theme(f: impl Fn() + 'static) {
    if let Some(q) = dark_query() {
        let cb = Closure::<dyn Fn()>::new(f);
        let _ = q.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
        cb.forget();
    }
}

/// A key pressed anywhere in the page, as the shortcuts read it.
pub struct Key {
    pub key: String,
    /// Ctrl, or Cmd on a Mac
    pub command: bool,
    pub alt: bool,
    /// typed into a field (or the terminal), where letters are text
    pub in_field: bool,
    /// pressed on a link or button, which Enter activates itself
    pub on_control: bool,
}

/// Calls `f` for every key pressed in the page; when it returns true the
/// browser's own handling of the key is stopped.
pub fn on_keydown(f: impl Fn(Key) -> bool + 'static) {
    let Some(doc) = window().and_then(|w| w.document()) else {
        return;
    };
    let cb = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let in_field = target.as_ref().is_some_and(|t| {
            matches!(t.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || t.closest(".xterm, [contenteditable]")
                    .ok()
                    .flatten()
                    .is_some()
        });
        let on_control = target
            .as_ref()
            .is_some_and(|t| matches!(t.tag_name().as_str(), "A" | "BUTTON" | "SUMMARY"));
        let key = Key {
            key: ev.key(),
            command: ev.ctrl_key() || ev.meta_key(),
            alt: ev.alt_key(),
            in_field,
            on_control,
        };
        if f(key) {
            ev.prevent_default();
        }
    });
    let _ = doc.add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
    cb.forget();
}

fn query(sel: &str) -> Option<web_sys::Element> {
    window()?.document()?.query_selector(sel).ok()?
}

/// Focuses the page's filter (its first search field); false when it has
/// none.
pub fn focus_search() -> bool {
    match query("main input.search").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        Some(e) => e.focus().is_ok(),
        None => false,
    }
}

const ROWS: &str = "main table.table tbody tr";

/// Moves the keyboard's row (`data-kbd`) in the page's first table by
/// `delta`, bringing it into view.
pub fn row_step(delta: i32) {
    let Some(doc) = window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(rows) = doc.query_selector_all(ROWS) else {
        return;
    };
    let n = rows.length() as i32;
    if n == 0 {
        return;
    }
    let rows: Vec<web_sys::Element> = (0..rows.length())
        .filter_map(|i| rows.item(i)?.dyn_into::<web_sys::Element>().ok())
        .collect();
    let at = rows.iter().position(|r| r.has_attribute("data-kbd"));
    let next = match at {
        Some(i) => (i as i32 + delta).clamp(0, n - 1) as usize,
        None if delta > 0 => 0,
        None => (n - 1) as usize,
    };
    if let Some(i) = at {
        let _ = rows[i].remove_attribute("data-kbd");
    }
    let _ = rows[next].set_attribute("data-kbd", "");
    rows[next].scroll_into_view_with_bool(false);
}

/// Opens the keyboard's row (its first link); false when there is none.
pub fn row_open() -> bool {
    match query(&format!("{ROWS}[data-kbd] a"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        Some(a) => {
            a.click();
            true
        }
        None => false,
    }
}
