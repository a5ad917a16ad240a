//! The notebook's `cpu_task` as a real computation: a wrapping sum of `i * i`.
//!
//! Sequential runs, thread pools and process workers all call [`sum_of_squares`], the very same
//! function, so a speedup shown on the page compares like with like.

use std::hint::black_box;

/// Iterations between two checks for cancellation or a GIL hand-over: about 0.05–0.2 ms of work
/// on a current machine, far below the 1 ms the Stop button promises.
pub const CHUNK: u64 = 1 << 16;

/// Sums `i * i` for `i` in `start..end`, wrapping. The counter passes through [`black_box`] once
/// every eight iterations, so that LLVM can neither replace the loop by its closed form nor
/// carry anything from one turn to the next: every multiplication is really done (the wasm
/// build's loop holds eight `i64.mul` a turn).
#[inline(never)]
pub fn sum_of_squares(start: u64, end: u64) -> u64 {
    // Eight iterations a turn, into eight sums: the page's size-optimised module is linked with
    // LTO at a size level, where LLVM never unrolls loops, so the unrolling is written here.
    // Measured (2 cores, Chromium 156): with four sums and `black_box` on every element the
    // wasm builds ran 0.31-0.34 ns per iteration, 1.24-1.34x native; with eight sums and one
    // `black_box` a turn, 0.248 (plain) and 0.252 (threads) against 0.241-0.247 native, which
    // did not move (the multiplier bounds it). One running sum made wasm slower still (0.43).
    // Wrapping addition is associative and commutative: the total is the very same number.
    let mut sums = [0u64; 8];
    let mut i = start;
    while end.saturating_sub(i) >= 8 {
        let base = black_box(i);
        for (k, sum) in (0u64..).zip(sums.iter_mut()) {
            let x = base + k;
            *sum = sum.wrapping_add(x.wrapping_mul(x));
        }
        i += 8;
    }
    while i < end {
        let x = black_box(i);
        sums[0] = sums[0].wrapping_add(x.wrapping_mul(x));
        i += 1;
    }
    sums.iter().fold(0u64, |a, &s| a.wrapping_add(s))
}

/// The closed form of [`sum_of_squares`]`(0, n)` for `n < 2^40`, to check real runs against.
pub fn expected_sum(n: u64) -> u64 {
    assert!(n < 1 << 40, "closed form only checked for n < 2^40");
    let n = n as u128;
    // sum_{i<n} i^2 = (n-1) n (2n-1) / 6, exact in u128 for n < 2^40, then reduced mod 2^64.
    (n.saturating_sub(1) * n * (2 * n).saturating_sub(1) / 6) as u64
}

/// [`sum_of_squares`] behind a pointer the optimisers cannot see through, so that every chunk of
/// every task is a call of its own in every build. A wasm engine runs a function in a baseline
/// tier first and only swaps in optimised code for later calls (there is no on-stack
/// replacement): once the page's size-optimised module inlined the kernel into its only caller,
/// a whole task became one call, and a fresh worker's first task ran in the baseline tier from
/// start to end (2-4x slow). An indirect call every [`CHUNK`] iterations costs nothing
/// measurable.
#[inline(never)]
fn chunk() -> fn(u64, u64) -> u64 {
    black_box(sum_of_squares as fn(u64, u64) -> u64)
}

/// One cpu task in progress, advanced a chunk at a time so that callers can check a cancel flag
/// or hand over a GIL between chunks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpuTask {
    iters: u64,
    done: u64,
    total: u64,
}

impl CpuTask {
    /// A task of `iters` iterations, none done yet.
    pub fn new(iters: u64) -> Self {
        CpuTask {
            iters,
            done: 0,
            total: 0,
        }
    }

    /// Does up to `max` more iterations; returns true once the task is complete.
    pub fn advance(&mut self, max: u64) -> bool {
        let end = self.done.saturating_add(max).min(self.iters);
        self.total = self.total.wrapping_add(chunk()(self.done, end));
        self.done = end;
        self.is_done()
    }

    /// Whether every iteration has run.
    pub fn is_done(&self) -> bool {
        self.done >= self.iters
    }

    /// The result so far (the task's result once done).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Runs to completion, asking `keep_going` between chunks; `None` when it said stop.
    pub fn run(mut self, mut keep_going: impl FnMut() -> bool) -> Option<u64> {
        while !self.advance(CHUNK) {
            if !keep_going() {
                return None;
            }
        }
        Some(self.total)
    }
}

/// Runs one cpu task of `iters` iterations in chunks, asking `keep_going` between chunks. The one
/// function that every tool's cpu task and the calibration call: one machine code for all of them
/// (each caller's own copy of `CpuTask::run`, inlined with its own closure, measured up to 20 %
/// apart from the others in wasm, which made calibrated tasks miss `io_ms` by as much).
#[inline(never)]
pub fn run_cpu_task(iters: u64, keep_going: &dyn Fn() -> bool) -> Option<u64> {
    CpuTask::new(iters).run(keep_going)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_closed_form() {
        for n in [0, 1, 2, 3, 10, 1000, 2_000_000] {
            assert_eq!(sum_of_squares(0, n), expected_sum(n), "n = {n}");
        }
    }

    #[test]
    fn any_range_equals_the_one_at_a_time_sum() {
        // The four-way unrolled loop against the plain definition, every remainder and offset.
        let simple = |a: u64, b: u64| (a..b).fold(0u64, |t, i| t.wrapping_add(i.wrapping_mul(i)));
        for start in [0, 1, 2, 3, 7, 1 << 33] {
            for len in 0..20 {
                assert_eq!(
                    sum_of_squares(start, start + len),
                    simple(start, start + len)
                );
            }
        }
        assert_eq!(sum_of_squares(10, 3), 0, "an empty range sums to 0");
        assert_eq!(
            sum_of_squares(u64::MAX - 5, u64::MAX),
            simple(u64::MAX - 5, u64::MAX)
        );
    }

    #[test]
    fn notebook_value() {
        // Python: sum(i*i for i in range(2_000_000)) == 2666664666667000000
        assert_eq!(sum_of_squares(0, 2_000_000), 2_666_664_666_667_000_000);
    }

    #[test]
    fn chunked_equals_whole() {
        let whole = sum_of_squares(0, 300_001);
        let mut t = CpuTask::new(300_001);
        let mut steps = 0;
        while !t.advance(CHUNK) {
            steps += 1;
        }
        assert_eq!(t.total(), whole);
        assert_eq!(steps, 300_001 / CHUNK as usize);
        assert_eq!(CpuTask::new(300_001).run(|| true), Some(whole));
    }

    #[test]
    fn stops_when_asked() {
        let mut asked = 0;
        let r = CpuTask::new(10 * CHUNK).run(|| {
            asked += 1;
            asked < 3
        });
        assert_eq!(r, None);
        assert_eq!(asked, 3);
    }

    #[test]
    fn cost_grows_linearly() {
        // Not a timing test: the loop must not be folded, so a big n must take measurably longer
        // than a tiny one. 50M iterations take tens of ms even on a fast machine.
        let t = std::time::Instant::now();
        black_box(sum_of_squares(0, black_box(1000)));
        let small = t.elapsed();
        let t = std::time::Instant::now();
        black_box(sum_of_squares(0, black_box(50_000_000)));
        let big = t.elapsed();
        assert!(big > small * 100, "small {small:?}, big {big:?}");
    }
}
