//! Reusable, data-agnostic components.

pub mod live;
pub mod status;

pub use live::{error_fallback, ErrorPanel, Live, ReconnectBanner, Spinner};
pub use status::*;
