//! The kernel natively, for `cargo xtask bench`: nanoseconds per iteration on one thread, and
//! the wall time of a fixed amount of work split over 1, 2, 4, … threads up to the cores (or
//! over the counts given as `1,2,4,8`). Prints JSON.

use model::sim::kernel::sum_of_squares;
use std::hint::black_box;
use std::time::Instant;

fn ns_per_iter(n: u64) -> f64 {
    let t = Instant::now();
    black_box(sum_of_squares(0, black_box(n)));
    t.elapsed().as_nanos() as f64 / n as f64
}

fn wall_ms(total: u64, threads: u64) -> f64 {
    let t = Instant::now();
    std::thread::scope(|s| {
        let part = total / threads;
        for i in 0..threads {
            s.spawn(move || black_box(sum_of_squares(i * part, (i + 1) * part)));
        }
    });
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let n = 200_000_000;
    let _ = ns_per_iter(n / 4); // warm-up
    let mut samples: Vec<f64> = (0..5).map(|_| ns_per_iter(n)).collect();
    samples.sort_by(f64::total_cmp);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let asked: Option<Vec<u64>> = std::env::args()
        .nth(1)
        .map(|list| list.split(',').filter_map(|n| n.parse().ok()).collect());
    let counts: Vec<u64> = match asked.filter(|c| !c.is_empty()) {
        Some(mut c) => {
            if c.first() != Some(&1) {
                c.insert(0, 1);
            }
            c
        }
        None => {
            let mut c: Vec<u64> = (0..7)
                .map(|i| 1u64 << i)
                .take_while(|t| *t <= cores)
                .collect();
            if c.last() != Some(&cores) {
                c.push(cores);
            }
            c
        }
    };
    let total = 8 * n;
    let base = wall_ms(total, 1);
    let scaling: Vec<String> = counts
        .iter()
        .map(|&t| {
            let w = if t == 1 { base } else { wall_ms(total, t) };
            format!(
                "{{\"threads\":{t},\"wall_ms\":{w:.1},\"speedup\":{:.3}}}",
                base / w
            )
        })
        .collect();
    println!(
        "{{\"ns_per_iter\":{:.4},\"min\":{:.4},\"max\":{:.4},\"cores\":{cores},\"scaling\":[{}]}}",
        samples[2],
        samples[0],
        samples[4],
        scaling.join(",")
    );
}
