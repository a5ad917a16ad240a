//! The pure logic of the Concurrency Playground.
//!
//! Everything here builds and is tested natively with plain `cargo test`: the experiment and the
//! page's contract, the simulated CPython, the run data, the analyses, the messages and the lab.
//! It must not depend on wasm-bindgen, web-sys or any browser API, so that the same rules apply in
//! the UI, in every worker and in native tests.
//!
//! Each module below is one layer, declared in the layers' order: a layer uses only those declared
//! before it (the order `docs/architecture.md` writes down and `tests/layers.rs` keeps).

// The model's own JSON.
pub mod json;

// The page's contract.
pub mod experiment;

// The experiment as a Python program.
pub mod python;

// CPython's rules.
pub mod sim;

// What a run did and its record.
pub mod run;

// What the page works out of finished runs.
pub mod analysis;

// What the page does to teach.
pub mod teaching;

// The messages.
pub mod wire;

// A run's whole life.
pub mod lab;
