//! Measuring the kernel in this build. The engine first runs a function in a baseline tier and
//! swaps in optimised code later (compiled in the background, which takes longer on a busy
//! 2-core machine), so we measure until the cost per iteration has settled.

use crate::clock::now;
use model::kernel::sum_of_squares;
use model::stats::median;
use std::hint::black_box;

/// Stop once this long has passed and the figure is stable.
const MIN_MS: f64 = 20.0;
/// Give up waiting for stability after this long (the figure is still the best seen).
const MAX_MS: f64 = 400.0;
/// Length of one sample.
const SAMPLE_MS: f64 = 5.0;

/// Nanoseconds per kernel iteration in optimised code: the median of the last three samples
/// once they agree within 5 % (or of the last three when time runs out).
pub fn ns_per_iter() -> f64 {
    let start = now();
    let mut n: u64 = 1 << 16;
    let mut recent: Vec<f64> = Vec::new();
    loop {
        let t = now();
        black_box(sum_of_squares(0, black_box(n)));
        let dt = now() - t;
        if dt < SAMPLE_MS / 2.0 {
            n = n.saturating_mul(2);
            continue;
        }
        recent.push(dt * 1e6 / n as f64);
        let last: &[f64] = &recent[recent.len().saturating_sub(3)..];
        let (lo, hi) = last.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
        let settled = last.len() == 3 && hi <= lo * 1.05;
        let elapsed = now() - start;
        if (settled && elapsed >= MIN_MS) || elapsed >= MAX_MS {
            return median(last).unwrap_or(1.0).max(1e-3);
        }
    }
}
