//! Reusable, data-agnostic components.

pub mod action;
pub mod ansi;
pub mod chart;
pub mod live;
pub mod rows;
pub mod status;

pub use action::{ActionResult, Confirm};
pub use ansi::AnsiText;
pub use chart::MetricChart;
pub use live::{error_fallback, ErrorPanel, Live, ReconnectBanner, Spinner};
pub use rows::Rows;
pub use status::*;
