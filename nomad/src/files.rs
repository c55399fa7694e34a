//! The allocation file browser's pure parts: paths, what kind of file a
//! buffer holds, and which byte ranges to fetch for large files.

use crate::client::AllocFileInfo;

/// Files up to this size are read whole with `fs/cat`.
pub const CAT_LIMIT: u64 = 256 * 1024;
/// Larger files are read in pages of this size with `fs/readat`.
pub const PAGE: u64 = 64 * 1024;

/// What a file's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Text,
    Binary,
    /// An image the browser can show, with its MIME type.
    Image(&'static str),
}

/// Recognises images by their magic bytes and binary files by NUL bytes or
/// a high share of bytes that are neither UTF-8 text nor whitespace.
pub fn sniff(head: &[u8]) -> FileKind {
    const IMAGES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"BM", "image/bmp"),
        (b"\x00\x00\x01\x00", "image/x-icon"),
    ];
    for (magic, mime) in IMAGES {
        if head.starts_with(magic) {
            return FileKind::Image(mime);
        }
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return FileKind::Image("image/webp");
    }
    let sample = &head[..head.len().min(8192)];
    if sample.contains(&0) {
        return FileKind::Binary;
    }
    // a sample may end inside a character: only judge complete ones
    let text = match std::str::from_utf8(sample) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&sample[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => {
            let bad = String::from_utf8_lossy(sample)
                .chars()
                .filter(|c| *c == char::REPLACEMENT_CHARACTER)
                .count();
            return if bad * 10 > sample.len().max(1) {
                FileKind::Binary
            } else {
                FileKind::Text
            };
        }
    };
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x1b' | '\x0c'))
        .count();
    if control * 10 > text.chars().count().max(1) {
        FileKind::Binary
    } else {
        FileKind::Text
    }
}

/// Decodes a page of a text file that may start or end inside a UTF-8
/// character (a `readat` page): partial characters at the edges are
/// dropped, invalid bytes inside become U+FFFD.
pub fn page_text(bytes: &[u8], starts_mid_file: bool) -> String {
    let mut b = bytes;
    if starts_mid_file {
        let skip = b
            .iter()
            .take(3)
            .take_while(|c| (**c & 0xC0) == 0x80)
            .count();
        b = &b[skip..];
    }
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&b[..e.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// `(offset, limit)` of page `n` (0-based) of a `size`-byte file, counted
/// from the start, or from the end when `from_end`.
pub fn page_range(size: u64, n: u64, from_end: bool) -> (u64, u64) {
    let start = n.saturating_mul(PAGE);
    if start >= size {
        return (if from_end { 0 } else { size }, 0);
    }
    if from_end {
        let end = size - start;
        let off = end.saturating_sub(PAGE);
        (off, end - off)
    } else {
        (start, PAGE.min(size - start))
    }
}

/// Pages in a file of `size` bytes.
pub fn pages(size: u64) -> u64 {
    size.div_ceil(PAGE).max(1)
}

/// A clean absolute path: `/`, `/alloc/logs`; `..` and `.` resolved.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = vec![];
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

pub fn join(dir: &str, name: &str) -> String {
    normalize(&format!("{dir}/{name}"))
}

pub fn parent(path: &str) -> String {
    join(path, "..")
}

pub fn file_name(path: &str) -> &str {
    path.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

/// `(label, path)` for each step of a breadcrumb trail, root first.
pub fn crumbs(path: &str) -> Vec<(String, String)> {
    let norm = normalize(path);
    let mut out = vec![("/".to_string(), "/".to_string())];
    let mut cur = String::new();
    for p in norm.split('/').filter(|p| !p.is_empty()) {
        cur.push('/');
        cur.push_str(p);
        out.push((p.to_string(), cur.clone()));
    }
    out
}

/// Directories first, then files, each by name.
pub fn sort_entries(v: &mut [AllocFileInfo]) {
    v.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then_with(|| a.name.cmp(&b.name)));
}

/// How to open a file of this size: whole, or page by page.
pub fn needs_paging(size: u64) -> bool {
    size > CAT_LIMIT
}

/// Images up to this size are fetched whole to be shown.
pub const IMAGE_LIMIT: u64 = 8 * 1024 * 1024;

/// Whether a file name looks like an image the browser can show.
pub fn is_image_name(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("png" | "jpg" | "jpeg" | "gif" | "webp" | "bmp" | "ico")
    )
}

/// A classic hex dump (`offset  hex bytes  |ascii|`) of the first `max`
/// bytes, for binary files.
pub fn hex_dump(bytes: &[u8], max: usize) -> String {
    let mut out = String::new();
    for (i, chunk) in bytes[..bytes.len().min(max)].chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = chunk
            .iter()
            .map(|b| {
                if b.is_ascii_graphic() || *b == b' ' {
                    *b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!(
            "{:08x}  {:<47}  |{ascii}|\n",
            i * 16,
            hex.join(" ")
        ));
    }
    out
}

/// Turns a byte stream into text when chunks may split a UTF-8
/// character: an incomplete character at a chunk's end waits for the next.
#[derive(Default, Debug)]
pub struct Utf8Carry {
    pending: Vec<u8>,
    /// Invalid sequences replaced so far.
    pub invalid: usize,
}

impl Utf8Carry {
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.pending) {
                Ok(s) => {
                    out.push_str(s);
                    self.pending.clear();
                    return out;
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    out.push_str(std::str::from_utf8(&self.pending[..good]).unwrap_or(""));
                    match e.error_len() {
                        None => {
                            self.pending.drain(..good);
                            return out;
                        }
                        Some(n) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            self.invalid += 1;
                            self.pending.drain(..good + n);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0"),
            FileKind::Image("image/png")
        );
        assert_eq!(
            sniff(b"\xff\xd8\xff\xe0JFIF"),
            FileKind::Image("image/jpeg")
        );
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            FileKind::Image("image/webp")
        );
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01\0\0\0"), FileKind::Binary);
        assert_eq!(
            sniff(b"listen = 8080\n\tlog \x1b[31mred\x1b[0m\n"),
            FileKind::Text
        );
        assert_eq!(sniff("héllo wörld".as_bytes()), FileKind::Text);
        // cut inside a character: still text
        let s = "naïve".as_bytes();
        assert_eq!(sniff(&s[..3]), FileKind::Text);
        // mostly invalid UTF-8 or control bytes: binary
        assert_eq!(
            sniff(&[0xff, 0xfe, 0xfd, 0x80, 0x81, b'a']),
            FileKind::Binary
        );
        assert_eq!(sniff(&[1, 2, 3, 4, 5, 6, b'a', b'b']), FileKind::Binary);
        assert_eq!(sniff(b""), FileKind::Text);
    }

    #[test]
    fn pages_cover_the_file_from_either_end() {
        let size = PAGE * 2 + 10;
        assert_eq!(pages(size), 3);
        assert_eq!(pages(0), 1);
        assert_eq!(page_range(size, 0, false), (0, PAGE));
        assert_eq!(page_range(size, 2, false), (PAGE * 2, 10));
        assert_eq!(page_range(size, 3, false), (size, 0));
        assert_eq!(page_range(size, 0, true), (PAGE + 10, PAGE));
        assert_eq!(page_range(size, 2, true), (0, 10));
        assert_eq!(page_range(size, 9, true), (0, 0));
        assert!(needs_paging(CAT_LIMIT + 1) && !needs_paging(CAT_LIMIT));
    }

    #[test]
    fn page_text_drops_partial_characters_at_the_edges() {
        let s = "aé€b".as_bytes(); // a, é (2), € (3), b
        assert_eq!(page_text(&s[2..], true), "€b");
        assert_eq!(page_text(&s[..5], false), "aé");
        assert_eq!(page_text(b"a\xffb", false), "a\u{fffd}b");
    }

    #[test]
    fn paths() {
        assert_eq!(normalize(""), "/");
        assert_eq!(normalize("alloc//logs/"), "/alloc/logs");
        assert_eq!(normalize("/a/../../b/./c"), "/b/c");
        assert_eq!(join("/alloc", "logs"), "/alloc/logs");
        assert_eq!(parent("/alloc/logs"), "/alloc");
        assert_eq!(parent("/"), "/");
        assert_eq!(file_name("/web/local/app.conf"), "app.conf");
        let c = crumbs("/web/local");
        assert_eq!(
            c,
            vec![
                ("/".into(), "/".into()),
                ("web".into(), "/web".into()),
                ("local".into(), "/web/local".into())
            ]
        );
        let f = |n: &str, d: bool| AllocFileInfo {
            name: n.into(),
            is_dir: d,
            ..Default::default()
        };
        let mut v = vec![
            f("b.txt", false),
            f("z", true),
            f("a.txt", false),
            f("alloc", true),
        ];
        sort_entries(&mut v);
        let names: Vec<_> = v.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["alloc", "z", "a.txt", "b.txt"]);
    }

    #[test]
    fn images_hex_and_split_characters() {
        assert!(is_image_name("logo.PNG") && is_image_name("a.b.jpeg"));
        assert!(!is_image_name("notes.txt") && !is_image_name("png"));
        let d = hex_dump(b"\x7fELF\x02\x01 hello, binary world!", 20);
        assert!(d.starts_with("00000000  7f 45 4c 46 02 01 20 68"), "{d}");
        assert!(d.contains("|.ELF.. hello, bi|"), "{d}");
        assert!(
            d.lines()
                .nth(1)
                .unwrap()
                .starts_with("00000010  6e 61 72 79  "),
            "{d}"
        );
        assert!(d.ends_with("|nary|\n"), "{d}");
        let mut c = Utf8Carry::default();
        let euro = "€".as_bytes();
        assert_eq!(c.push(&[b'a', euro[0]]), "a");
        assert_eq!(c.push(&euro[1..]), "€");
        assert_eq!(c.push(b"x\xffy"), "x\u{fffd}y");
        assert_eq!(c.invalid, 1);
    }
}
