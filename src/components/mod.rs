//! Reusable, data-agnostic components.

pub mod chart;
pub mod live;
pub mod status;

pub use chart::MetricChart;
pub use live::{error_fallback, ErrorPanel, Live, ReconnectBanner, Spinner};
pub use status::*;
