//! Measuring the kernel in this build. The engine first runs a function in a baseline tier and
//! swaps in optimised code later (compiled in the background, which takes longer on a busy
//! 2-core machine), so we measure until the cost per iteration has settled.

use crate::clock::now;
use model::run::id::RunId;
use model::run::stats::median;
use model::sim::kernel::run_cpu_task;
use std::hint::black_box;

/// A run id no run has (ids count up from 1): its cancel check costs what a real run's does and
/// never stops the measurement. (`u32::MAX` would not do: its cancel word is 0, "no run".)
const NO_RUN: RunId = RunId(u32::MAX - 1);
/// Measure at least this long, even once the figure is stable: at page load the samples can
/// agree on the baseline tier's speed before the optimised code arrives (compiled in the
/// background, on the same busy cores). With 20 ms the plain build sometimes calibrated 25-30 %
/// slow, and its tasks then ran 150 ms for a calibrated 200.
const MIN_MS: f64 = 60.0;
/// A warm-up needs no figure, only hot code: it may stop this early.
const WARM_UP_MIN_MS: f64 = 20.0;
/// Give up waiting for stability after this long (the figure is still the best seen).
const MAX_MS: f64 = 400.0;
/// Length of one sample.
const SAMPLE_MS: f64 = 5.0;

/// Nanoseconds per kernel iteration in optimised code, and the spread of the last three samples
/// ((max − min) / median): the fastest sample, once the last three agree within 5 % (or when
/// time runs out). The fastest, not a middle one: another thread on the same core (the page's
/// first render, the engine's background compiler) only ever adds time to a sample, and at page
/// load on 2 cores three samples could agree on a speed 20-25 % below the kernel's, so that a
/// calibrated 200 ms task then ran 150 ms.
pub fn ns_per_iter() -> (f64, f64) {
    settle(MIN_MS, MAX_MS)
}

/// A fresh worker's warm-up, so that its first task runs in optimised code: the kernel until its
/// cost has settled, for at most `max_ms`.
pub fn warm_up(max_ms: f64) {
    settle(WARM_UP_MIN_MS, max_ms);
}

/// Runs the kernel for at least `min_ms` and until its cost per iteration has settled (or
/// `max_ms` passed); returns what [`ns_per_iter`] does.
fn settle(min_ms: f64, max_ms: f64) -> (f64, f64) {
    let start = now();
    let mut n: u64 = 1 << 16;
    let mut recent: Vec<f64> = Vec::new();
    let mut fastest = f64::INFINITY;
    loop {
        let t = now();
        let ns = sample(n);
        if now() - t < SAMPLE_MS / 2.0 && now() - start < max_ms {
            n = n.saturating_mul(2);
            continue;
        }
        recent.push(ns);
        fastest = fastest.min(ns);
        let last: &[f64] = &recent[recent.len().saturating_sub(3)..];
        let (lo, hi) = last.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
        let settled = last.len() == 3 && hi <= lo * 1.05;
        let elapsed = now() - start;
        if (settled && elapsed >= min_ms) || elapsed >= max_ms {
            let mid = median(last).unwrap_or(1.0).max(1e-3);
            return (fastest.max(1e-3), (hi - lo) / mid);
        }
    }
}

/// Ns per iteration of one call of the very function every cpu task runs, with the same kind of
/// check between chunks.
fn sample(n: u64) -> f64 {
    let t = now();
    black_box(run_cpu_task(black_box(n.max(1)), &|| {
        !crate::cancel::is_cancelled(NO_RUN)
    }));
    (now() - t) * 1e6 / n.max(1) as f64
}

/// Measures where the work runs: in the threads build on a lane of the pool (the same kernel
/// measured 10-18 % apart on the worker's own thread and on a pool thread), elsewhere here.
pub async fn where_work_runs() -> (f64, f64) {
    #[cfg(feature = "threads")]
    {
        let (tx, rx) = futures::channel::oneshot::channel();
        rayon::spawn(move || {
            let _ = tx.send(ns_per_iter());
        });
        if let Ok(figure) = rx.await {
            return figure;
        }
    }
    ns_per_iter()
}
