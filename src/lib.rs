//! Yurt UI (being written)
