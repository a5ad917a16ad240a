//! Custom hooks, one per file.

pub mod use_history;
