//! URLs of the app's pages, under the configurable base path.

use std::cell::RefCell;

thread_local! {
    static BASE: RefCell<String> = RefCell::new(String::from("/ui"));
}

/// Sets the base path (from `<base href>`, `/ui` by default).
pub fn set_base(b: &str) {
    BASE.with(|x| *x.borrow_mut() = b.trim_end_matches('/').to_string());
}

pub fn base() -> String {
    BASE.with(|b| b.borrow().clone())
}

/// An absolute href for an app path such as `/jobs`.
pub fn href(path: &str) -> String {
    format!("{}{}", base(), path)
}

fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

pub fn job_href(namespace: &str, id: &str) -> String {
    href(&format!(
        "/jobs/{}/{}",
        enc(if namespace.is_empty() {
            "default"
        } else {
            namespace
        }),
        enc(id)
    ))
}

pub fn alloc_href(id: &str) -> String {
    href(&format!("/allocations/{}", enc(id)))
}

pub fn node_href(id: &str) -> String {
    href(&format!("/clients/{}", enc(id)))
}

/// Decodes a route parameter (IDs may arrive percent-encoded).
pub fn decode_param(s: &str) -> String {
    js_sys::decode_uri_component(s)
        .ok()
        .map(String::from)
        .unwrap_or_else(|| s.to_string())
}

/// The file browser of an allocation at `path`.
pub fn files_href(alloc: &str, path: &str) -> String {
    let base = href(&format!("/allocations/{}/files", enc(alloc)));
    if path.is_empty() || path == "/" {
        base
    } else {
        format!("{base}?path={}", enc(path))
    }
}
