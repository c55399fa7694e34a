//! Everything that talks HTTP to the Nomad agent.

pub mod client;
pub mod endpoints;
mod entry;
pub mod error;
pub mod events;
pub mod exec;
pub mod hub;
pub mod live;
pub mod paths;
pub mod stream;
pub mod watch;

pub use client::{provide_api, use_api, Api};
pub use error::{ApiError, ApiErrorKind};
pub use paths::{alloc_stats_path, fs_stream_path, logs_path, logs_query};
pub use stream::{read_stream, StreamControl};
pub use watch::{use_live_list, use_watch, Watch, WatchOpts, WatchState};
