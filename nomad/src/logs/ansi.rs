//! SGR parsing into styled spans, and cutting a line into drawable segments.

/// A terminal colour: one of the 256 indexed colours or a true colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Color {
    Idx(u8),
    Rgb(u8, u8, u8),
}

/// The SGR state that applies to a run of text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Style {
    pub fg: Option<Color>,
    pub bg: Option<Color>,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
    pub inverse: bool,
    pub strike: bool,
}

impl Style {
    pub fn is_plain(&self) -> bool {
        *self == Style::default()
    }

    /// Applies one SGR sequence's parameters (`ESC [ … m`).
    pub fn apply_sgr(&mut self, params: &[&[u16]]) {
        if params.is_empty() {
            *self = Style::default();
            return;
        }
        let mut i = 0;
        while i < params.len() {
            let p = params[i];
            let code = p.first().copied().unwrap_or(0);
            match code {
                0 => *self = Style::default(),
                1 => self.bold = true,
                2 => self.dim = true,
                3 => self.italic = true,
                4 => self.underline = true,
                7 => self.inverse = true,
                9 => self.strike = true,
                21 | 22 => {
                    self.bold = false;
                    self.dim = false;
                }
                23 => self.italic = false,
                24 => self.underline = false,
                27 => self.inverse = false,
                29 => self.strike = false,
                30..=37 => self.fg = Some(Color::Idx((code - 30) as u8)),
                39 => self.fg = None,
                40..=47 => self.bg = Some(Color::Idx((code - 40) as u8)),
                49 => self.bg = None,
                90..=97 => self.fg = Some(Color::Idx((code - 90 + 8) as u8)),
                100..=107 => self.bg = Some(Color::Idx((code - 100 + 8) as u8)),
                38 | 48 => {
                    // `38;5;n` / `38;2;r;g;b` (separate parameters) or
                    // `38:5:n` / `38:2::r:g:b` (sub-parameters)
                    let (color, used) = if p.len() > 1 {
                        (extended(&p[1..]), 0)
                    } else {
                        let rest: Vec<u16> = params[i + 1..]
                            .iter()
                            .take(4)
                            .map(|x| x.first().copied().unwrap_or(0))
                            .collect();
                        let used = match rest.first() {
                            Some(5) => 2,
                            Some(2) => 4,
                            _ => 0,
                        };
                        (extended(&rest), used)
                    };
                    if code == 38 {
                        self.fg = color;
                    } else {
                        self.bg = color;
                    }
                    i += used;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

fn extended(p: &[u16]) -> Option<Color> {
    let c = |v: u16| v.min(255) as u8;
    match p {
        [5, n, ..] => Some(Color::Idx(c(*n))),
        // `2::r:g:b` carries an (empty) colour-space ID before r
        [2, _, r, g, b, ..] if p.len() >= 6 => Some(Color::Rgb(c(*r), c(*g), c(*b))),
        [2, r, g, b, ..] => Some(Color::Rgb(c(*r), c(*g), c(*b))),
        _ => None,
    }
}

/// A styled byte range of a line's plain text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub style: Style,
}

struct AnsiPerform<'a> {
    text: String,
    spans: Vec<Span>,
    style: &'a mut Style,
}

impl AnsiPerform<'_> {
    fn mark(&mut self, before: usize) {
        if self.style.is_plain() {
            return;
        }
        let end = self.text.len() as u32;
        match self.spans.last_mut() {
            Some(s) if s.end == before as u32 && s.style == *self.style => s.end = end,
            _ => self.spans.push(Span {
                start: before as u32,
                end,
                style: *self.style,
            }),
        }
    }
}

impl vte::Perform for AnsiPerform<'_> {
    fn print(&mut self, c: char) {
        let before = self.text.len();
        self.text.push(c);
        self.mark(before);
    }
    fn execute(&mut self, byte: u8) {
        if byte == b'\t' {
            let before = self.text.len();
            self.text.push('\t');
            self.mark(before);
        }
    }
    fn csi_dispatch(&mut self, params: &vte::Params, _: &[u8], _: bool, action: char) {
        if action == 'm' {
            let p: Vec<&[u16]> = params.iter().collect();
            self.style.apply_sgr(&p);
        }
    }
}

/// Strips ANSI escape sequences from `line`, returning the plain text and
/// the styled ranges. `style` carries the SGR state from line to line, as a
/// terminal would. Lines without an ESC byte take a fast path.
pub fn parse_ansi(line: &str, style: &mut Style) -> (String, Vec<Span>) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if !line.as_bytes().contains(&0x1b) {
        let spans = if style.is_plain() || line.is_empty() {
            vec![]
        } else {
            vec![Span {
                start: 0,
                end: line.len() as u32,
                style: *style,
            }]
        };
        return (line.to_string(), spans);
    }
    let mut perf = AnsiPerform {
        text: String::with_capacity(line.len()),
        spans: vec![],
        style,
    };
    let mut parser = vte::Parser::new();
    parser.advance(&mut perf, line.as_bytes());
    (perf.text, perf.spans)
}

/// A piece of a line to draw: a byte range with its style and whether a
/// search match covers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub style: Option<Style>,
    pub hit: bool,
}

/// Cuts a line at every style and match border (both sorted, disjoint).
pub fn segments(len: usize, spans: &[Span], hits: &[(usize, usize)]) -> Vec<Segment> {
    let mut cuts: Vec<usize> = vec![0, len];
    for s in spans {
        cuts.push(s.start as usize);
        cuts.push(s.end as usize);
    }
    for &(a, b) in hits {
        cuts.push(a);
        cuts.push(b);
    }
    cuts.retain(|&c| c <= len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            Segment {
                start: a,
                end: b,
                style: spans
                    .iter()
                    .find(|s| (s.start as usize) <= a && b <= s.end as usize)
                    .map(|s| s.style),
                hit: hits.iter().any(|&(x, y)| x <= a && b <= y),
            }
        })
        .collect()
}
