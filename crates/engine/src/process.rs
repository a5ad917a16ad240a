//! One "process" of the processes pool: this worker has its own wasm instance and memory; the
//! page sends it one task at a time by `postMessage` (a copy, like pickling) and it answers the
//! same way.

use crate::clock::now;
use crate::run::RunLog;
use crate::tasks;
use futures::future::{select, Either};
use model::experiment::config::TaskWork;
use model::run::id::RunId;
use model::run::timeline::SpanState;
use model::wire::worker::FromWorker;
use std::sync::atomic::{AtomicU64, Ordering};

/// A value in this worker's own memory: `Poke` writes it, `Peek` reads it, and no other
/// process worker can see it.
static PRIVATE_VALUE: AtomicU64 = AtomicU64::new(0);

/// Stores `value` in this process's memory.
pub fn poke(value: u64) {
    PRIVATE_VALUE.store(value, Ordering::Relaxed);
}

/// Reads this process's memory.
pub fn peek() -> u64 {
    PRIVATE_VALUE.load(Ordering::Relaxed)
}

/// Runs one task sent by the page at `sent_at`; the page assigns the lane.
pub async fn run_task(
    run: RunId,
    task: u32,
    work: TaskWork,
    io_ms: u32,
    cpu_iters: u64,
    sent_at: f64,
) -> FromWorker {
    let received = now();
    let log = RunLog::start(run);
    log.spans.push(task, 0, SpanState::Copy, sent_at, received);
    let body = std::pin::pin!(tasks::run(&log.spans, run, task, 0, work, io_ms, cpu_iters));
    let result = match select(body, crate::cancel::cancelled(run)).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => None,
    };
    crate::cancel::finished(run);
    FromWorker::TaskDone {
        run,
        task,
        spans: log.spans.take(),
        result: result.unwrap_or(0),
        completed: result.is_some(),
        sent_at: now(),
    }
}
