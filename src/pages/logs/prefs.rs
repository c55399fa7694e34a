//! The viewer's settings kept in localStorage across visits. Every key
//! the log pages use is here: the e2e tests and the log benchmark set
//! [`CAP_MB`] before the page loads, so renaming one breaks them.

use crate::interop;

/// The memory cap in MB, one of [`CAPS_MB`].
pub const CAP_MB: &str = "yurt.logs.capMB";
/// `1` wraps long lines; anything else scrolls them sideways.
pub const WRAP: &str = "yurt.logs.wrap";
/// `0` hides line numbers; anything else shows them.
pub const NUMBERS: &str = "yurt.logs.numbers";

/// The memory caps offered, in MB.
pub const CAPS_MB: [usize; 5] = [16, 64, 256, 1024, 4096];
const DEFAULT_CAP_MB: usize = 256;

/// The stored cap, or the default when it is missing or not one offered.
pub fn cap_mb() -> usize {
    interop::storage_get(CAP_MB)
        .and_then(|v| v.parse().ok())
        .filter(|v| CAPS_MB.contains(v))
        .unwrap_or(DEFAULT_CAP_MB)
}

pub fn set_cap_mb(mb: usize) {
    interop::storage_set(CAP_MB, Some(&mb.to_string()));
}

/// An on/off setting stored as `1`/`0`; `default` for any other value.
pub fn flag(key: &str, default: bool) -> bool {
    match interop::storage_get(key).as_deref() {
        Some("1") => true,
        Some("0") => false,
        _ => default,
    }
}

pub fn set_flag(key: &str, on: bool) {
    interop::storage_set(key, Some(if on { "1" } else { "0" }));
}
