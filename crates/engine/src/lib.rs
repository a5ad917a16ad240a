//! The engine: runs an experiment for real inside a browser worker and reports its spans.
//!
//! It is built twice from this source. The plain build (no atomics) runs anywhere: the async
//! event loop, sequential runs and the process workers. The atomics build (`--features threads`)
//! adds a rayon pool over SharedArrayBuffer for the threads tool and needs a cross-origin isolated
//! page. All logic that does not need the browser lives in the `model` crate; this crate is the
//! thin edge where wasm-bindgen, timers, atomics and `unsafe` live.
#![cfg_attr(
    all(target_arch = "wasm32", target_feature = "atomics"),
    feature(stdarch_wasm_atomic_wait)
)]

mod build;
mod calibrate;
mod cancel;
mod clock;
mod event_loop;
mod process;
mod progress;
mod race;
mod run;
#[cfg_attr(feature = "threads", allow(dead_code))]
mod sequential;
mod spans;
mod tasks;
#[cfg(feature = "threads")]
mod threads;
mod worker;

pub use progress::take_progress;
pub use worker::{handle, ready_info, share_cancel_word, warm_up};

#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// Runs a cpu task of `iters` iterations on the rayon pool split in `parts`, and sequentially,
/// returning both sums: the parallel path must give the very same answer.
#[cfg(feature = "threads")]
pub fn parallel_and_sequential_sum(iters: u64, parts: u64) -> (u64, u64) {
    threads::parallel_and_sequential_sum(iters, parts)
}

/// Two pool jobs that wait for each other: `(threads seen at once, jobs finished)`.
#[cfg(feature = "threads")]
pub fn rendezvous_on_pool() -> (u32, u32) {
    threads::rendezvous_on_pool()
}
