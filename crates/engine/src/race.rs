//! The race experiment's counter: `counter += 1` as Python runs it, a read then a write. Threads
//! share this one counter in shared memory; a process (its own instance) has its own.
//!
//! Without the lock each increment is a relaxed atomic load followed by a separate relaxed
//! store: no undefined behaviour, yet two threads that read the same value both write it plus
//! one, and an update is lost. With the lock the read and the write happen under one mutex.

use model::run::id::RunId;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;

/// The counter.
static COUNTER: AtomicU64 = AtomicU64::new(0);
/// `threading.Lock()`.
static LOCK: Mutex<()> = Mutex::new(());
/// The number of the run the counter counts for (a process keeps its counter between the tasks
/// of one run); no run has `u32::MAX`.
static RUN: AtomicU32 = AtomicU32::new(u32::MAX);
/// Increments between checks for Stop (and, under the GIL, for a drop request).
pub const CHUNK: u64 = 4096;

/// Starts run `run` at 0, unless the counter already counts for it.
pub fn start(run: RunId) {
    if RUN.swap(run.0, Ordering::SeqCst) != run.0 {
        COUNTER.store(0, Ordering::SeqCst);
    }
}

/// The counter as the program reads it at the end.
pub fn read() -> u64 {
    COUNTER.load(Ordering::SeqCst)
}

/// One task's increments, done a chunk at a time.
pub struct Increments {
    left: u64,
    lock: bool,
}

impl Increments {
    /// `n` increments, under the lock or not.
    pub fn new(n: u64, lock: bool) -> Self {
        Increments { left: n, lock }
    }

    /// Does up to [`CHUNK`] more; returns true once all are done.
    pub fn advance(&mut self) -> bool {
        let n = self.left.min(CHUNK);
        for _ in 0..n {
            if self.lock {
                let _held = LOCK.lock().unwrap_or_else(|e| e.into_inner());
                increment();
            } else {
                increment();
            }
        }
        self.left -= n;
        self.left == 0
    }
}

/// `counter += 1`: read, add, write, as three steps.
#[inline(never)]
fn increment() {
    let seen = COUNTER.load(Ordering::Relaxed);
    COUNTER.store(std::hint::black_box(seen) + 1, Ordering::Relaxed);
}

/// All of `n` increments on this thread; `None` when `keep_going` says stop. Returns the
/// counter after them.
pub fn run(n: u64, lock: bool, keep_going: &dyn Fn() -> bool) -> Option<u64> {
    let mut work = Increments::new(n, lock);
    while !work.advance() {
        if !keep_going() {
            return None;
        }
    }
    Some(read())
}
