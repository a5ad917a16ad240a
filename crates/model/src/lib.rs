//! The pure logic of the Concurrency Playground.
//!
//! Everything here builds and is tested natively with plain `cargo test`: the task kernels, the
//! experiment configuration and its validation, the worker protocol, timeline spans and the
//! statistics computed from them. It must not depend on wasm-bindgen, web-sys or any browser API,
//! so that the same rules apply in the UI, in every worker and in native tests.

pub mod cause;
pub mod config;
pub mod critical_path;
pub mod decision;
pub mod embed;
pub mod estimate;
pub mod explain;
pub mod fidelity;
pub mod gil;
pub mod gil_lane;
pub mod insight;
pub mod json;
pub mod kernel;
pub mod lab;
pub mod lane_account;
pub mod layout;
pub mod lesson;
pub mod notice;
pub mod params;
pub mod predict;
pub mod protocol;
pub mod python;
pub mod query;
pub mod record;
pub mod replay;
pub mod stats;
pub mod timeline;
pub mod trace;

pub use config::{Experiment, Gil, Kind, Limits, Machine, Params, Tool};
pub use notice::Notice;
pub use query::{parse_query, ParsedQuery};
pub use timeline::{Lane, RunReport, RunStatus, Span, SpanState};
