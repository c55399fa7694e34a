//! The exec page's terminal: xterm.js, bundled from npm into the app's
//! folder as `term.js` + `term.css` (see `js/term.js`), loaded on the first
//! visit to that page only, and driven through `window.yurtTerm`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// An open terminal (the object `yurtTerm.open` returns).
    pub type Terminal;

    #[wasm_bindgen(catch, js_namespace = yurtTerm, js_name = open)]
    fn open_term(
        el: &web_sys::HtmlElement,
        on_data: &js_sys::Function,
        on_resize: &js_sys::Function,
    ) -> Result<Terminal, JsValue>;

    #[wasm_bindgen(method)]
    pub fn write(this: &Terminal, bytes: Vec<u8>);
    #[wasm_bindgen(method)]
    pub fn notice(this: &Terminal, text: &str);
    #[wasm_bindgen(method)]
    pub fn rows(this: &Terminal) -> u16;
    #[wasm_bindgen(method)]
    pub fn cols(this: &Terminal) -> u16;
    #[wasm_bindgen(method)]
    pub fn focus(this: &Terminal);
    #[wasm_bindgen(method)]
    pub fn copy(this: &Terminal) -> u32;
    #[wasm_bindgen(method)]
    pub fn paste(this: &Terminal) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    pub fn screen(this: &Terminal) -> String;
    #[wasm_bindgen(method)]
    pub fn dispose(this: &Terminal);
}

thread_local! {
    static LOADED: std::cell::RefCell<Option<js_sys::Promise>> = const { std::cell::RefCell::new(None) };
}

/// Loads xterm.js and its stylesheet, once per tab; a failed load is
/// forgotten, so the next Connect tries again.
pub async fn load() -> Result<(), String> {
    let promise = LOADED.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                let (Some(js), Some(css)) =
                    (super::app_file("term.js"), super::app_file("term.css"))
                else {
                    return js_sys::Promise::resolve(&JsValue::FALSE);
                };
                let both = js_sys::Array::of2(
                    &super::load_asset("link", &css),
                    &super::load_asset("script", &js),
                );
                js_sys::Promise::all(&both)
            })
            .clone()
    });
    let loaded = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(super::js_err)?;
    let ok = js_sys::Array::is_array(&loaded)
        && js_sys::Array::from(&loaded).every(&mut |v, _, _| v.is_truthy());
    if ok && has_term() {
        Ok(())
    } else {
        LOADED.with(|cell| cell.borrow_mut().take());
        Err(
            "the terminal (term.js) did not load: the bundle is incomplete or the network failed"
                .into(),
        )
    }
}

fn has_term() -> bool {
    super::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"yurtTerm".into()).ok())
        .is_some_and(|v| v.is_object())
}

/// Opens a terminal in `el`: keystrokes and pastes go to `on_data`, size
/// changes (rows, columns) to `on_resize`. The closures live as long as
/// the terminal: [`Handle`] drops them after disposing it.
pub fn open(
    el: &web_sys::Element,
    on_data: impl FnMut(String) + 'static,
    on_resize: impl FnMut(u16, u16) + 'static,
) -> Result<Handle, String> {
    let el: &web_sys::HtmlElement = el.dyn_ref().ok_or("not an HTML element")?;
    let data = Closure::<dyn FnMut(String)>::new(on_data);
    let resize = Closure::<dyn FnMut(u16, u16)>::new(on_resize);
    let term = open_term(
        el,
        data.as_ref().unchecked_ref(),
        resize.as_ref().unchecked_ref(),
    )
    .map_err(super::js_err)?;
    Ok(Handle {
        term,
        _on_data: data,
        _on_resize: resize,
    })
}

pub struct Handle {
    pub term: Terminal,
    _on_data: Closure<dyn FnMut(String)>,
    _on_resize: Closure<dyn FnMut(u16, u16)>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.term.dispose();
    }
}

/// Whether a terminal call's promise (`paste`) settled on `true`.
pub async fn resolved_true(p: js_sys::Promise) -> bool {
    wasm_bindgen_futures::JsFuture::from(p)
        .await
        .is_ok_and(|v| v.is_truthy())
}
