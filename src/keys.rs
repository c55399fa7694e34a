//! Keyboard shortcuts, everywhere: Ctrl-K / Cmd-K opens the command
//! palette, `?` the shortcut sheet, `/` focuses the page's filter,
//! `g` then a letter goes to a list, `j`/`k` move through a table's rows
//! and Enter opens one, Esc closes what is open. Letters typed into a
//! field (or the terminal) stay text.

use crate::interop::{self, Key};
use crate::pages::go;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use std::cell::Cell;
use std::rc::Rc;

/// What covers the page: the palette or the shortcut sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    Palette,
    Keys,
}

/// The overlay shown (none: the page itself).
#[derive(Clone, Copy)]
pub struct OverlayState(pub RwSignal<Option<Overlay>>);

pub fn use_overlay() -> OverlayState {
    use_context::<OverlayState>().unwrap_or_else(|| {
        let s = OverlayState(RwSignal::new(None));
        provide_context(s);
        s
    })
}

/// `g` and the second key: where it goes.
pub const GOTO: [(&str, &str, &str); 8] = [
    ("j", "/jobs", "Jobs"),
    ("a", "/allocations", "Allocations"),
    ("c", "/clients", "Clients"),
    ("e", "/evaluations", "Evaluations"),
    ("t", "/topology", "Topology"),
    ("s", "/services", "Services"),
    ("p", "/problems", "Problems"),
    ("v", "/servers", "Servers"),
];

/// Installs the shortcuts for the tab (once, from the top bar).
pub fn use_shortcuts() {
    let overlay = use_overlay().0;
    let nav = use_navigate();
    // `g` was pressed, waiting for the second key until this time (ms)
    let pending_g = Rc::new(Cell::new(0.0f64));
    interop::on_keydown(move |k: Key| {
        if k.command && k.key.eq_ignore_ascii_case("k") {
            overlay.update(|o| {
                *o = if *o == Some(Overlay::Palette) {
                    None
                } else {
                    Some(Overlay::Palette)
                }
            });
            return true;
        }
        if k.key == "Escape" {
            let open = overlay.get_untracked().is_some();
            overlay.set(None);
            return open;
        }
        if k.in_field || k.command || k.alt || overlay.get_untracked().is_some() {
            return false;
        }
        let now = interop::now_ms();
        if pending_g.get() > now {
            pending_g.set(0.0);
            if let Some((_, path, _)) = GOTO.iter().find(|(key, _, _)| *key == k.key) {
                go(&nav, &crate::routes::href(path));
                return true;
            }
        }
        match k.key.as_str() {
            "g" => {
                pending_g.set(now + 1500.0);
                true
            }
            "/" => interop::focus_search(),
            "?" => {
                overlay.set(Some(Overlay::Keys));
                true
            }
            "j" => {
                interop::row_step(1);
                true
            }
            "k" => {
                interop::row_step(-1);
                true
            }
            "Enter" if !k.on_control => interop::row_open(),
            _ => false,
        }
    });
}
