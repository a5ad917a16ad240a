//! Measuring the kernel in this build, after a warm-up so that the engine's tiering does not
//! distort the figure.

use crate::clock::now;
use model::kernel::sum_of_squares;
use model::stats::median;
use std::hint::black_box;

const WARM_UP_MS: f64 = 40.0;
const SAMPLE_MS: f64 = 15.0;

/// Nanoseconds per kernel iteration, the median of three samples of about 15 ms each.
pub fn ns_per_iter() -> f64 {
    let start = now();
    let mut n: u64 = 1 << 16;
    // Warm up while growing `n` until one call lasts a few ms.
    loop {
        let t = now();
        black_box(sum_of_squares(0, black_box(n)));
        let dt = now() - t;
        if now() - start >= WARM_UP_MS && dt >= 2.0 {
            n = ((n as f64) * SAMPLE_MS / dt) as u64;
            break;
        }
        if dt < 2.0 {
            n = n.saturating_mul(2);
        }
    }
    let samples: Vec<f64> = (0..3)
        .map(|_| {
            let t = now();
            black_box(sum_of_squares(0, black_box(n)));
            (now() - t) * 1e6 / n as f64
        })
        .collect();
    median(&samples).unwrap_or(1.0).max(1e-3)
}
