//! Text with ANSI colours (SGR) drawn as CSS classes and inline colours —
//! never as HTML — shared by the log viewer and the file browser.

use leptos::prelude::*;
use nomad_model::logs::{parse_ansi, segments, Color, Style};

/// CSS for a style: classes for the 16 basic colours, inline colours for
/// the 256 and true colours (numbers only, so nothing can be injected).
pub fn style_attrs(st: &Style) -> (String, String) {
    let mut class = String::new();
    let mut css = String::new();
    let (fg, bg) = if st.inverse {
        (st.bg, st.fg)
    } else {
        (st.fg, st.bg)
    };
    let mut put = |c: Option<Color>, prop: &str, cls: &str| match c {
        Some(Color::Idx(n)) if n < 16 => class.push_str(&format!(" {cls}{n}")),
        Some(Color::Idx(n)) => css.push_str(&format!("{prop}:{};", xterm(n))),
        Some(Color::Rgb(r, g, b)) => css.push_str(&format!("{prop}:rgb({r},{g},{b});")),
        None => {}
    };
    put(fg, "color", "fg");
    put(bg, "background", "bg");
    for (on, c) in [
        (st.bold, " b"),
        (st.dim, " dim"),
        (st.italic, " i"),
        (st.underline, " u"),
        (st.strike, " s"),
    ] {
        if on {
            class.push_str(c);
        }
    }
    (class, css)
}

/// The xterm 256-colour palette above the first 16.
fn xterm(n: u8) -> String {
    if n >= 232 {
        let v = 8 + (n - 232) as u32 * 10;
        return format!("rgb({v},{v},{v})");
    }
    let n = n as u32 - 16;
    let lvl = |x: u32| if x == 0 { 0 } else { 55 + x * 40 };
    format!("rgb({},{},{})", lvl(n / 36), lvl((n / 6) % 6), lvl(n % 6))
}

/// Multi-line text with its ANSI styles applied (styles carry across
/// lines, as in a terminal).
#[component]
pub fn AnsiText(text: String) -> impl IntoView {
    let mut style = Style::default();
    text.split('\n')
        .map(|line| {
            let (clean, spans) = parse_ansi(line, &mut style);
            if spans.is_empty() {
                let clean = nomad_model::format::visible_controls(&clean).into_owned();
                return view! { <span class="ln">{clean}"\n"</span> }.into_any();
            }
            let segs = segments(clean.len(), &spans, &[]);
            let parts = segs
                .into_iter()
                .map(|g| {
                    let (class, css) = g.style.map(|st| style_attrs(&st)).unwrap_or_default();
                    let piece = nomad_model::format::visible_controls(
                        clean.get(g.start..g.end).unwrap_or(""),
                    )
                    .into_owned();
                    view! { <span class=class prop:style=css>{piece}</span> }
                })
                .collect_view();
            view! { <span class="ln">{parts}"\n"</span> }.into_any()
        })
        .collect_view()
}
