//! The log viewer's pure parts: turning decoded stream bytes into lines
//! (split on raw bytes so every line knows its file offset), ANSI styles
//! (parsed by `vte`, drawn by the UI as classes — never as markup), a
//! compact line store with a memory cap and eviction, and search (text or
//! regex, with or without case) with an incrementally maintained view for
//! filter mode and per-source hiding.

mod ansi;
mod lines;
mod search;
mod store;

pub use ansi::*;
pub use lines::*;
pub use search::*;
pub use store::*;

#[cfg(test)]
mod tests;
