use super::*;
use std::collections::HashSet;

fn lines(asm: &mut LineAssembler, pos: u64, bytes: &[u8]) -> Vec<(u64, String)> {
    let mut out = vec![];
    asm.push(pos, bytes, &mut out);
    out.into_iter().map(|l| (l.pos, l.text)).collect()
}

#[test]
fn assembler_splits_lines_across_chunks_with_exact_offsets() {
    let mut a = LineAssembler::new();
    assert_eq!(lines(&mut a, 0, b"one\ntw"), [(0, "one".to_string())]);
    // "é" split across two chunks
    assert_eq!(lines(&mut a, 6, b"o \xc3"), []);
    assert_eq!(
        lines(&mut a, 9, b"\xa9\r\nthree\n"),
        [(4, "two é".to_string()), (12, "three".to_string())]
    );
    assert_eq!(a.invalid_lines, 0);
    assert_eq!(
        lines(&mut a, 18, b"bad \xff\n"),
        [(18, "bad \u{FFFD}".to_string())]
    );
    assert_eq!(a.invalid_lines, 1);
    let mut out = vec![];
    a.push(24, b"tail", &mut out);
    a.finish(&mut out);
    assert_eq!(out[0].text, "tail");
    assert_eq!(out[0].pos, 24);
}

#[test]
fn assembler_cuts_endless_lines() {
    let mut a = LineAssembler::new();
    let big = vec![b'x'; MAX_LINE_BYTES * 2 + 10];
    let mut out = vec![];
    a.push(0, &big, &mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(out[1].pos, MAX_LINE_BYTES as u64);
    assert_eq!(a.pending(), 10);
}

#[test]
fn ansi_styles_become_spans_and_never_markup() {
    let mut st = Style::default();
    let (t, s) = parse_ansi(
        "\x1b[1;31mERROR\x1b[0m <b>ok</b> \x1b[38;5;208mx\x1b[38;2;1;2;3my\x1b[m",
        &mut st,
    );
    assert_eq!(t, "ERROR <b>ok</b> xy");
    assert_eq!(s.len(), 3);
    assert_eq!((s[0].start, s[0].end), (0, 5));
    assert!(s[0].style.bold);
    assert_eq!(s[0].style.fg, Some(Color::Idx(1)));
    assert_eq!(s[1].style.fg, Some(Color::Idx(208)));
    assert_eq!(s[2].style.fg, Some(Color::Rgb(1, 2, 3)));
    assert!(st.is_plain());
    // the style carries to the next line until reset
    let (_, s) = parse_ansi("\x1b[32mgreen", &mut st);
    assert_eq!(s[0].style.fg, Some(Color::Idx(2)));
    let (t, s) = parse_ansi("still green", &mut st);
    assert_eq!(
        (t.as_str(), s[0].style.fg),
        ("still green", Some(Color::Idx(2)))
    );
    // cursor movement and other sequences are dropped
    let (t, _) = parse_ansi("a\x1b[2Kb\x1b]0;title\x07c", &mut Style::default());
    assert_eq!(t, "abc");
}

#[test]
fn segments_cut_at_styles_and_hits() {
    let st = Style {
        bold: true,
        ..Default::default()
    };
    let segs = segments(
        10,
        &[Span {
            start: 0,
            end: 4,
            style: st,
        }],
        &[(2, 6)],
    );
    let got: Vec<_> = segs
        .iter()
        .map(|s| (s.start, s.end, s.style.is_some(), s.hit))
        .collect();
    assert_eq!(
        got,
        [
            (0, 2, true, false),
            (2, 4, true, true),
            (4, 6, false, true),
            (6, 10, false, false)
        ]
    );
}

#[test]
fn matcher_text_regex_and_case() {
    let m = Matcher::new("error", false, false).unwrap().unwrap();
    assert!(m.is_match("An ERROR here"));
    assert_eq!(m.find_all("error Error"), [(0, 5), (6, 11)]);
    let m = Matcher::new("error", false, true).unwrap().unwrap();
    assert!(!m.is_match("An ERROR here"));
    let m = Matcher::new(r"status=(4|5)\d\d", true, false)
        .unwrap()
        .unwrap();
    assert!(m.is_match("GET / STATUS=503"));
    assert!(!m.is_match("status=200"));
    assert!(Matcher::new("(", true, false).is_err());
    assert!(Matcher::new("", true, false).unwrap().is_none());
    let m = Matcher::new("ÉTÉ", false, false).unwrap().unwrap();
    assert!(m.is_match("un été chaud"));
}

fn fill(s: &mut LogStore, n: usize, src: u16) {
    for i in 0..n {
        let t = format!("line {i} {}", if i % 10 == 0 { "error" } else { "ok" });
        s.append(
            src,
            Stream::Stdout,
            "alloc/logs/web.stdout.0",
            i as u64 * 20,
            &t,
            &[],
        );
    }
}

#[test]
fn store_evicts_past_the_cap_and_counts_what_it_dropped() {
    let mut s = LogStore::new(2 * 1024 * 1024);
    fill(&mut s, 200_000, 0);
    assert!(s.bytes() <= 2 * 1024 * 1024, "{}", s.bytes());
    assert!(s.dropped_lines > 0);
    assert_eq!(s.dropped_lines as usize + s.len(), 200_000);
    let last = s.line(s.end_id() - 1).unwrap();
    assert_eq!(last.text, "line 199999 ok");
    let first = s.line(s.first_id()).unwrap();
    assert_eq!(
        first.text,
        format!(
            "line {} {}",
            s.dropped_lines,
            if s.dropped_lines.is_multiple_of(10) {
                "error"
            } else {
                "ok"
            }
        )
    );
    let (file, pos) = s.earliest(0, Stream::Stdout).unwrap();
    assert_eq!(
        (file, pos),
        ("alloc/logs/web.stdout.0", s.dropped_lines * 20)
    );
    assert!(s.line(s.first_id() - 1).is_none());
}

#[test]
fn filter_view_follows_appends_and_eviction() {
    let mut s = LogStore::new(usize::MAX);
    fill(&mut s, 100, 0);
    s.set_query(ViewQuery {
        matcher: Matcher::new("error", false, false).unwrap(),
        filter: true,
        hidden: HashSet::new(),
    });
    assert_eq!(s.view_len(), 10);
    assert_eq!(s.line(s.view_id(1).unwrap()).unwrap().text, "line 10 error");
    // lines that arrive later are filtered too
    s.append(0, Stream::Stdout, "f", 0, "late error", &[]);
    s.append(0, Stream::Stdout, "f", 0, "late fine", &[]);
    assert_eq!(s.view_len(), 11);
    assert_eq!(s.hits().len(), 11);
    // highlight mode: every line shows; next/previous walk the hits
    let mut q = s.query().clone();
    q.filter = false;
    s.set_query(q);
    assert_eq!(s.view_len(), 102);
    let h0 = s.next_hit(None, true).unwrap();
    let h1 = s.next_hit(Some(h0), true).unwrap();
    assert_eq!(s.line(h1).unwrap().text, "line 10 error");
    assert_eq!(s.next_hit(Some(h0), false), s.hits().back().copied());
    // hide a source
    s.append(1, Stream::Stdout, "g", 0, "other alloc", &[]);
    let mut q = s.query().clone();
    q.hidden.insert(0);
    s.set_query(q);
    assert_eq!(s.view_len(), 1);
    s.set_cap(0);
    assert_eq!(s.len(), 1);
    assert_eq!(s.view_len(), 1);
}

#[test]
fn prepend_loads_earlier_lines_and_holds_them() {
    let mut s = LogStore::new(usize::MAX);
    s.append(0, Stream::Stdout, "a.stdout.0", 100, "current", &[]);
    let earlier = lines_of_range(80, b"tial\nline 1\nline 2\n");
    assert_eq!(
        earlier.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
        ["line 1", "line 2"]
    );
    assert_eq!(earlier[0].pos, 85);
    s.dropped_lines = 5;
    let current = s.first_id();
    assert_eq!(s.line_number(current), 6);
    s.prepend(0, Stream::Stdout, "a.stdout.0", earlier);
    assert!(s.hold);
    // numbers of lines already shown do not move; loaded-back lines fill in
    assert_eq!(
        (
            s.dropped_lines,
            s.line_number(current),
            s.line_number(s.first_id())
        ),
        (3, 6, 4)
    );
    let all: Vec<_> = (0..s.view_len())
        .map(|i| s.line(s.view_id(i).unwrap()).unwrap().text.to_string())
        .collect();
    assert_eq!(all, ["line 1", "line 2", "current"]);
    assert_eq!(s.earliest(0, Stream::Stdout), Some(("a.stdout.0", 85)));
    assert_eq!(
        s.view_text(|l| format!("[{}] ", l.stream.as_str())),
        "[stdout] line 1\n[stdout] line 2\n[stdout] current\n"
    );
}

#[test]
fn resume_offsets_count_earlier_rotated_files() {
    let files = vec![
        ("web.stdout.0".to_string(), 1000),
        ("web.stdout.1".to_string(), 500),
        ("web.stdout.2".to_string(), 10),
        ("web.stderr.0".to_string(), 77),
    ];
    assert_eq!(resume_offset("alloc/logs/web.stdout.2", 7, &files), 1507);
    assert_eq!(resume_offset("alloc/logs/web.stdout.0", 7, &files), 7);
    assert_eq!(resume_offset("alloc/logs/web.stderr.0", 7, &files), 7);
}

#[test]
fn styles_stay_with_their_lines_through_appends_loads_and_eviction() {
    let styled = |i: u32| Span {
        start: 0,
        end: 4,
        style: Style {
            bold: i.is_multiple_of(2),
            ..Style::default()
        },
    };
    let mut s = LogStore::new(1024 * 1024);
    for i in 0..30_000u32 {
        let spans: Vec<Span> = (0..i % 3).map(|_| styled(i)).collect();
        s.append(
            0,
            Stream::Stdout,
            "f",
            i as u64 * 30,
            &format!("line {i:>20}"),
            &spans,
        );
    }
    assert!(s.dropped_lines > 0, "the cap evicted the oldest lines");
    let earlier: Vec<RawLine> = (0..3u32)
        .map(|i| RawLine {
            pos: i as u64,
            text: format!("earlier {i}"),
            spans: vec![styled(i); i as usize],
            invalid_utf8: false,
        })
        .collect();
    s.prepend(0, Stream::Stdout, "f", earlier);
    for id in s.first_id()..s.end_id() {
        let l = s.line(id).unwrap();
        let i: u32 = l.text.rsplit(' ').next().unwrap().parse().unwrap();
        let want = if l.text.starts_with("earlier") {
            i
        } else {
            i % 3
        };
        assert_eq!(l.spans.len(), want as usize, "{}", l.text);
        assert!(l
            .spans
            .iter()
            .all(|sp| sp.style.bold == i.is_multiple_of(2)));
    }
}
