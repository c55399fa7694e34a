//! Yurt: a fast web UI for HashiCorp Nomad, written with Leptos and
//! compiled to WebAssembly. Everything here is wasm32-only; natively the
//! crate is empty (the pure logic lives in `nomad-model`).
#![cfg(target_arch = "wasm32")]

pub mod api;
pub mod app;
pub mod components;
pub mod interop;
pub mod keys;
pub mod lazy;
pub mod pages;
pub mod routes;
pub mod shell;

/// Mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    interop::expose_wasm_memory();
    leptos::mount::mount_to_body(app::App);
}
