//! One task on the current thread of a plain or atomics build, recorded as spans: the io wait as
//! a timer the event loop can overlap, the cpu work as kernel chunks that check for Stop.

use crate::cancel;
use crate::clock::now;
use crate::spans::SpanLog;
use gloo_timers::future::TimeoutFuture;
use model::experiment::config::TaskWork;
use model::run::id::RunId;
use model::run::timeline::{SpanState, TaskRef};
use model::sim::kernel::run_cpu_task;

/// Waits `io_ms` without blocking the thread; records the wait, and any time the timer fired
/// late because the loop was busy (a cpu task that does not yield).
pub async fn io(log: &SpanLog, task: u32, lane: u32, io_ms: u32) {
    let start = now();
    crate::progress::open(lane, task, SpanState::Io, start);
    TimeoutFuture::new(io_ms).await;
    let end = now();
    let due = start + f64::from(io_ms);
    if end - due > model::run::timeline::stall_threshold_ms(io_ms) {
        log.push(task, lane, SpanState::Io, start, due);
        log.push(task, lane, SpanState::Stalled, due, end);
    } else {
        log.push(task, lane, SpanState::Io, start, end);
    }
}

/// Computes one cpu task on this thread without yielding; `None` when run `id` was stopped.
pub fn cpu(log: &SpanLog, id: RunId, task: u32, lane: u32, iters: u64) -> Option<u64> {
    let start = now();
    crate::progress::open(lane, task, SpanState::Compute, start);
    let result = run_cpu_task(iters, &|| !cancel::is_cancelled(id));
    log.push(task, lane, SpanState::Compute, start, now());
    result
}

/// `cpu_iters` increments of the race's counter on this thread (the only one using it here,
/// so nothing is lost); `None` when stopped. Returns the counter after them.
pub fn race(log: &SpanLog, id: RunId, task: u32, lane: u32, increments: u64) -> Option<u64> {
    let start = now();
    crate::progress::open(lane, task, SpanState::Compute, start);
    let result = crate::race::run(increments, false, &|| !cancel::is_cancelled(id));
    log.push(task, lane, SpanState::Compute, start, now());
    result
}

/// The batch's serial phase (Amdahl's serial part) on this thread: `None` when stopped. Nothing
/// to do (and no span) when the batch has no serial part.
pub fn serial(log: &SpanLog, id: RunId, lane: u32, iters: u64) -> Option<u64> {
    if iters == 0 {
        return Some(0);
    }
    let start = now();
    let task = TaskRef::Serial.index();
    crate::progress::open(lane, task, SpanState::Serial, start);
    let result = run_cpu_task(iters, &|| !cancel::is_cancelled(id));
    log.push(task, lane, SpanState::Serial, start, now());
    result
}

/// Runs one task of either kind; `None` when it was stopped before finishing.
pub async fn run(
    log: &SpanLog,
    id: RunId,
    task: u32,
    lane: u32,
    work: TaskWork,
    io_ms: u32,
    cpu_iters: u64,
) -> Option<u64> {
    match work {
        TaskWork::Io => {
            io(log, task, lane, io_ms).await;
            Some(0)
        }
        TaskWork::Cpu => cpu(log, id, task, lane, cpu_iters),
        TaskWork::Race => race(log, id, task, lane, cpu_iters),
    }
}
