//! Human formatting shared by the UI and the simulator.

use crate::time::{Nanos, UnixNanos};

/// `1h2m3s`, `250ms`, `1.5µs` — compact like Go's `time.Duration.String`, but
/// rounded to the two most significant units for readability.
pub fn duration(d: Nanos) -> String {
    let n = d.0;
    if n == 0 {
        return "0s".into();
    }
    let neg = n < 0;
    let n = n.unsigned_abs();
    let s = if n < 1_000 {
        format!("{n}ns")
    } else if n < 1_000_000 {
        trim_float(n, 1_000, "µs")
    } else if n < 1_000_000_000 {
        trim_float(n, 1_000_000, "ms")
    } else {
        let secs = n / 1_000_000_000;
        let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
        let parts = [(d, "d"), (h, "h"), (m, "m"), (s, "s")];
        let first = parts.iter().position(|(v, _)| *v > 0).unwrap_or(3);
        let mut out = String::new();
        for (v, u) in parts.iter().skip(first).take(2) {
            if *v > 0 || out.is_empty() {
                out.push_str(&format!("{v}{u}"));
            }
        }
        out
    };
    if neg {
        format!("-{s}")
    } else {
        s
    }
}

fn trim_float(num: u64, den: u64, unit: &str) -> String {
    let s = decimal(num, den, 1);
    let s = s.strip_suffix(".0").unwrap_or(&s);
    format!("{s}{unit}")
}

/// `num / den` with `places` decimals, rounded half up, in integer
/// arithmetic: formatting an `f64` with a precision links core's exact float
/// printer (grisu and dragon, ~7 KB) into the first load.
pub fn decimal(num: u64, den: u64, places: u32) -> String {
    let (num, den) = (u128::from(num), u128::from(den.max(1)));
    let scale = 10u128.pow(places);
    let scaled = (num * scale * 2 + den) / (2 * den);
    // Printed as u64: u128's Display is another 1.5 KB.
    let (int, frac) = ((scaled / scale) as u64, (scaled % scale) as u64);
    if places == 0 {
        format!("{int}")
    } else {
        format!("{int}.{frac:0width$}", width = places as usize)
    }
}

/// `512 B`, `1.5 KiB`, `256 MiB`, `1.2 GiB`.
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if b < 1024 {
        return format!("{b} B");
    }
    let mut unit = 1u64;
    let mut i = 0;
    while b / 1024 >= unit && i < UNITS.len() - 1 {
        unit *= 1024;
        i += 1;
    }
    if b / 100 >= unit {
        format!("{} {}", decimal(b, unit, 0), UNITS[i])
    } else {
        let s = decimal(b, unit, 1);
        format!("{} {}", s.strip_suffix(".0").unwrap_or(&s), UNITS[i])
    }
}

/// Megabytes as Nomad counts them (MiB) → `256 MiB`, `1 GiB`.
pub fn megabytes(mb: i64) -> String {
    if mb < 0 {
        return format!("{mb} MiB");
    }
    bytes((mb as u64) * 1024 * 1024)
}

/// CPU in MHz → `500 MHz`, `2.4 GHz`.
pub fn mhz(m: i64) -> String {
    if m.abs() >= 1000 {
        let sign = if m < 0 { "-" } else { "" };
        format!("{sign}{}", trim_float(m.unsigned_abs(), 1000, " GHz"))
    } else {
        format!("{m} MHz")
    }
}

/// "3m ago", "in 5s", "just now" relative to `now`.
pub fn relative(t: UnixNanos, now: UnixNanos) -> String {
    if !t.is_set() {
        return "never".into();
    }
    let diff = now.0 - t.0;
    let secs = diff.abs() / 1_000_000_000;
    if secs < 2 {
        return "just now".into();
    }
    let d = duration(Nanos::from_secs(secs));
    // keep only the first unit for a relative phrase
    let first: String = {
        let mut out = String::new();
        for c in d.chars() {
            out.push(c);
            if c.is_alphabetic() {
                break;
            }
        }
        out
    };
    if diff >= 0 {
        format!("{first} ago")
    } else {
        format!("in {first}")
    }
}

/// `2024-03-15 15:40:56` in UTC (the UI converts to local time itself when it can).
pub fn datetime_utc(t: UnixNanos) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(t.0 as i128) {
        Ok(dt) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        ),
        Err(_) => "—".into(),
    }
}

/// RFC 3339 with nanoseconds in UTC, as Go's `time.Time` marshals.
pub fn rfc3339_utc(t: UnixNanos) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(t.0 as i128) {
        Ok(dt) => {
            let ns = dt.nanosecond();
            let frac = if ns == 0 {
                String::new()
            } else {
                let s = format!(".{ns:09}");
                s.trim_end_matches('0').to_string()
            };
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{frac}Z",
                dt.year(),
                u8::from(dt.month()),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second()
            )
        }
        Err(_) => "0001-01-01T00:00:00Z".into(),
    }
}

/// First eight characters of a UUID, as Nomad's CLI shows them.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(Nanos(0)), "0s");
        assert_eq!(duration(Nanos(5_000_000_000)), "5s");
        assert_eq!(duration(Nanos(300_000_000_000)), "5m");
        assert_eq!(duration(Nanos(3_723_000_000_000)), "1h2m");
        assert_eq!(duration(Nanos(250_000_000)), "250ms");
        assert_eq!(duration(Nanos(1_500)), "1.5µs");
        assert_eq!(duration(Nanos(-1_000_000_000)), "-1s");
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(1024 * 1024 - 1), "1024 KiB");
        assert_eq!(bytes(150 * 1024 * 1024 + 600 * 1024), "151 MiB");
        assert_eq!(bytes(u64::MAX), "16384 PiB");
        assert_eq!(super::decimal(2, 3, 3), "0.667");
        assert_eq!(super::decimal(1, 0, 1), "1.0");
        assert_eq!(mhz(-2400), "-2.4 GHz");
        assert_eq!(megabytes(256), "256 MiB");
        assert_eq!(megabytes(1024), "1 GiB");
        assert_eq!(mhz(500), "500 MHz");
        assert_eq!(mhz(2400), "2.4 GHz");
    }

    #[test]
    fn relative_times() {
        let now = UnixNanos(1_700_000_000_000_000_000);
        assert_eq!(relative(UnixNanos(now.0 - 180_000_000_000), now), "3m ago");
        assert_eq!(relative(UnixNanos(now.0 + 5_000_000_000), now), "in 5s");
        assert_eq!(relative(now, now), "just now");
        assert_eq!(relative(UnixNanos(0), now), "never");
    }

    #[test]
    fn rfc3339() {
        assert_eq!(
            rfc3339_utc(UnixNanos(1_495_755_675_956_923_000)),
            "2017-05-25T23:41:15.956923Z"
        );
        assert_eq!(
            datetime_utc(UnixNanos(1_495_755_675_956_923_000)),
            "2017-05-25 23:41:15 UTC"
        );
        assert_eq!(short_id("5fc98185-17ff-26bc"), "5fc98185");
        assert_eq!(short_id("abc"), "abc");
    }
}

/// An integer with thousands separators: `1234567` → `1,234,567`.
/// A status with Nomad's description of it: `failed — Failed tasks`.
pub fn with_description(status: &str, description: &str) -> String {
    if description.is_empty() {
        status.to_string()
    } else {
        format!("{status} — {description}")
    }
}

pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod thousands_tests {
    #[test]
    fn groups_digits() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(-1234567), "-1,234,567");
    }
}

/// `s` with what would act on the display instead of showing made visible:
/// C0 control characters as their Unicode control pictures (NUL as `␀`;
/// tab stays a tab), and bidirectional overrides, embeddings, isolates and
/// marks, and zero-width spaces, as `‹U+202E›`. A log line (or any text an
/// agent reports) can then neither reorder what follows it ("Trojan
/// Source") nor hide characters. Joiners, which scripts and emoji need,
/// are left alone.
pub fn visible_controls(s: &str) -> std::borrow::Cow<'_, str> {
    fn hidden(c: char) -> bool {
        matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}')
            || matches!(
                c,
                '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{2060}' | '\u{feff}'
            )
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    }
    if !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\u{7f}' => out.push('\u{2421}'),
            '\u{0}'..='\u{1f}' if c != '\t' && c != '\n' => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'))
            }
            c if hidden(c) => out.push_str(&format!("‹U+{:04X}›", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod visible_tests {
    use super::visible_controls;

    #[test]
    fn controls_that_act_on_the_display_are_shown_instead() {
        assert_eq!(visible_controls("plain — ü 世 🚀"), "plain — ü 世 🚀");
        assert_eq!(visible_controls("a\0b\x07c\td"), "a␀b␇c\td");
        assert_eq!(
            visible_controls("rtl \u{202e}gnp.exe\u{202c}"),
            "rtl ‹U+202E›gnp.exe‹U+202C›"
        );
        assert_eq!(
            visible_controls("zero\u{200b}width\u{feff}"),
            "zero‹U+200B›width‹U+FEFF›"
        );
        // joiners build emoji and scripts: kept
        assert_eq!(visible_controls("👩\u{200d}💻"), "👩\u{200d}💻");
    }
}
