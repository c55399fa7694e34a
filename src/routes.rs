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

use crate::interop::encode_uri_component as enc;

/// `k=v&…` with every value encoded.
pub fn query_string<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", k.as_ref(), enc(v.as_ref())))
        .collect::<Vec<_>>()
        .join("&")
}

/// An absolute href for an app path with a query.
pub fn href_with(path: &str, pairs: &[(&str, &str)]) -> String {
    format!("{}?{}", href(path), query_string(pairs))
}

/// The log viewer of one task of an allocation.
pub fn logs_href(alloc: &str, task: &str) -> String {
    href_with(
        &format!("/allocations/{}/logs", enc(alloc)),
        &[("task", task)],
    )
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

/// The exec page of an allocation, on `task` (or its first task).
pub fn exec_href(alloc: &str, task: &str) -> String {
    let path = format!("/allocations/{}/exec", enc(alloc));
    if task.is_empty() {
        href(&path)
    } else {
        href_with(&path, &[("task", task)])
    }
}

pub fn alloc_href(id: &str) -> String {
    href(&format!("/allocations/{}", enc(id)))
}

pub fn service_href(namespace: &str, name: &str) -> String {
    href(&format!("/services/{}/{}", enc(namespace), enc(name)))
}

pub fn pool_href(name: &str) -> String {
    href(&format!("/pools/{}", enc(name)))
}

pub fn eval_href(id: &str) -> String {
    href(&format!("/evaluations/{}", enc(id)))
}

pub fn node_href(id: &str) -> String {
    href(&format!("/clients/{}", enc(id)))
}

/// An agent's own log: `who` is `"server"` (a server's name) or `"node"`
/// (a client's node ID).
pub fn agent_log_href(who: &str, id: &str) -> String {
    href_with("/agent/log", &[(who, id)])
}

/// Decodes a route parameter (IDs may arrive percent-encoded).
pub fn decode_param(s: &str) -> String {
    crate::interop::decode_uri_component(s).unwrap_or_else(|| s.to_string())
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
