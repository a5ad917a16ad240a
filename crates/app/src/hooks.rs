//! Custom hooks, one per file.

pub mod use_code_sync;
pub mod use_frame_height;
pub mod use_history;
pub mod use_host_requests;
pub mod use_lab;
pub mod use_page_attributes;
pub mod use_parent_messages;
