//! `threads`: `ThreadPoolExecutor` on a rayon pool over SharedArrayBuffer. Each lane is a pool
//! thread pulling the next task from a shared counter, as the executor's workers pull from its
//! queue. With the GIL on, computing requires holding one lock in shared memory, released while
//! sleeping on io and handed over every switch interval, as CPython does.

use crate::build::BUILD;
use crate::cancel::{blocking_sleep, is_cancelled};
use crate::clock::now;
use futures::channel::oneshot;
use model::experiment::config::{Experiment, Gil, Kind, Lock, TaskWork};
use model::run::id::RunId;
use model::run::timeline::{Counts, RunReport, RunStatus, Span, SpanState, TaskRef};
use model::sim::gil::{GilEvent, GilEventKind, GilLock, HandOver, Park};
use model::sim::kernel::{run_cpu_task, sum_of_squares, CpuTask, CHUNK};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;

/// The one GIL of this "interpreter", in shared memory.
static GIL: GilLock = GilLock::new();

/// Sleeps on a word of shared memory with `memory.atomic.wait32` (`Atomics.wait`).
struct WasmPark;

impl Park for WasmPark {
    fn wait(word: &AtomicU32, expected: u32, timeout_ms: f64) {
        // SAFETY: a live u32 of shared memory; the wait returns on notify, value change or
        // timeout.
        unsafe {
            core::arch::wasm32::memory_atomic_wait32(
                word.as_ptr() as *mut i32,
                expected as i32,
                (timeout_ms.max(0.0) * 1e6) as i64,
            );
        }
    }
    fn now_ms() -> f64 {
        now()
    }
    fn wake_all(word: &AtomicU32) {
        // SAFETY: as above; notify only uses the address.
        unsafe {
            core::arch::wasm32::memory_atomic_notify(word.as_ptr() as *mut i32, u32::MAX);
        }
    }
}

/// Runs `e` on the pool without blocking this (the worker's own) thread.
pub async fn run(id: RunId, e: Experiment) -> Result<RunReport, String> {
    let (tx, rx) = oneshot::channel();
    rayon::spawn(move || {
        let _ = tx.send(run_on_pool(id, e));
    });
    rx.await
        .map_err(|_| "the thread pool dropped the run (a worker thread crashed)".to_string())
}

/// One lane's record, merged at the end so that threads never contend on a shared vector.
#[derive(Default)]
struct LaneLog {
    spans: Vec<Span>,
    /// GIL events with their place in the GIL's own order (see [`GIL_ORDER`]).
    gil: Vec<(u64, GilEvent)>,
}

/// The order of GIL events as the lock saw them. Each thread's clock is coarsened (5 µs or
/// more, with jitter), so a drop on one thread can read a later time than the acquire it made
/// possible on another; this counter, taken while the event's thread holds (or has just got)
/// the GIL, cannot.
static GIL_ORDER: AtomicU64 = AtomicU64::new(0);

impl LaneLog {
    fn push(&mut self, task: u32, lane: u32, state: SpanState, start: f64, end: f64) {
        // Sub-10 µs spans are clock noise, not a state (GIL waits are kept by `take_gil`).
        if end - start > 0.01 {
            let span = Span::new(task, lane, state, start, end);
            crate::progress::close(span);
            self.spans.push(span);
        }
    }

    fn gil(&mut self, task: u32, lane: u32, kind: GilEventKind, at: f64) {
        let order = GIL_ORDER.fetch_add(1, Ordering::SeqCst);
        self.gil.push((order, GilEvent::new(at, lane, task, kind)));
    }
}

/// Lets the GIL go and logs how.
fn drop_gil(log: &mut LaneLog, task: u32, lane: u32, how: HandOver) {
    let kind = match how {
        HandOver::Forced => GilEventKind::ForcedDrop,
        HandOver::Voluntary => GilEventKind::Release,
    };
    // Logged before the release: the next holder's acquire is never earlier than this drop.
    log.gil(task, lane, kind, now());
    GIL.release::<WasmPark>(how);
}

fn run_on_pool(id: RunId, e: Experiment) -> RunReport {
    let started_at = now();
    let next = AtomicU32::new(0);
    let done = AtomicU32::new(0);
    let checksum = AtomicU64::new(0);
    let all_spans = Mutex::new(Vec::new());
    let all_gil = Mutex::new(Vec::new());
    let gil = e.gil == Gil::On;
    // A new count for this run.
    GIL.take_switches();
    crate::race::start(id);
    // Amdahl's serial part: this pool thread computes it alone before the batch spreads.
    let (serial, iters) = e.serial_split();
    if serial > 0 {
        let lane = rayon::current_thread_index().unwrap_or(0) as u32;
        let mut log = LaneLog::default();
        let task = TaskRef::Serial.index();
        if gil {
            take_gil(&mut log, task, lane);
        }
        let start = now();
        crate::progress::open(lane, task, SpanState::Serial, start);
        let result = run_cpu_task(serial, &|| !is_cancelled(id));
        log.push(task, lane, SpanState::Serial, start, now());
        if gil {
            drop_gil(&mut log, task, lane, HandOver::Voluntary);
        }
        checksum.fetch_add(result.unwrap_or(0), Ordering::Relaxed);
        if let Ok(mut all) = all_spans.lock() {
            all.extend(log.spans);
        }
        if let Ok(mut all) = all_gil.lock() {
            all.extend(log.gil);
        }
    }
    rayon::scope(|s| {
        for _ in 0..e.lanes() {
            s.spawn(|_| {
                let lane = rayon::current_thread_index().unwrap_or(0) as u32;
                let mut log = LaneLog::default();
                while !is_cancelled(id) {
                    let task = next.fetch_add(1, Ordering::Relaxed);
                    if task >= e.tasks {
                        break;
                    }
                    let result = match e.kind.task(task) {
                        TaskWork::Io => io_task(&mut log, id, task, lane, e.io_ms, gil),
                        TaskWork::Cpu if gil => cpu_task_with_gil(&mut log, id, task, lane, iters),
                        TaskWork::Cpu => cpu_task(&mut log, id, task, lane, iters),
                        TaskWork::Race => race_task(&mut log, id, &e, task, lane),
                    };
                    if let Some(r) = result {
                        done.fetch_add(1, Ordering::Relaxed);
                        checksum.fetch_add(r, Ordering::Relaxed);
                    }
                }
                if let Ok(mut all) = all_spans.lock() {
                    all.extend(log.spans);
                }
                if let Ok(mut all) = all_gil.lock() {
                    all.extend(log.gil);
                }
            });
        }
    });
    let tasks_done = done.load(Ordering::Relaxed);
    let switches = GIL.take_switches();
    let mut ordered = all_gil.into_inner().unwrap_or_default();
    ordered.sort_by_key(|(order, _)| *order);
    // In the lock's order, a time never goes back (a later event's coarse clock may read a
    // few µs earlier).
    let mut latest = f64::MIN;
    let gil_events: Vec<GilEvent> = ordered
        .into_iter()
        .map(|(_, mut e)| {
            latest = latest.max(e.at);
            e.at = latest;
            e
        })
        .collect();
    RunReport {
        streamed: 0,
        experiment: e,
        status: if tasks_done == e.tasks {
            RunStatus::Done
        } else {
            RunStatus::Stopped
        },
        build: BUILD,
        started_at,
        wall_ms: now() - started_at,
        spans: all_spans.into_inner().unwrap_or_default(),
        pool_threads: rayon::current_num_threads() as u32,
        paid_startup: false,
        tasks_done,
        checksum: checksum.load(Ordering::Relaxed),
        message: None,
        gil_switches: gil.then_some(switches),
        gil_events,
        counts: (e.kind == Kind::Race).then(|| Counts {
            expected: u64::from(e.tasks) * e.cpu_iters,
            final_count: crate::race::read(),
            own: Vec::new(),
        }),
    }
}

/// Acquires the GIL, recording the wait when there was one: a free GIL is no wait (however
/// long the coarse clock says the acquire took), and a wait behind a holder is drawn even when
/// it is shorter than the clock can tell, so that every counted hand-over has its wait span.
fn take_gil(log: &mut LaneLog, task: u32, lane: u32) -> f64 {
    let asked = now();
    crate::progress::open(lane, task, SpanState::GilWait, asked);
    let handed_over = GIL.acquire::<WasmPark>();
    let got = now();
    if handed_over.is_some() {
        let span = Span::new(task, lane, SpanState::GilWait, asked, got.max(asked));
        crate::progress::close(span);
        log.spans.push(span);
    }
    log.gil(task, lane, GilEventKind::Acquire, got);
    got
}

/// `time.sleep(io_ms)` in a thread: a blocking sleep that releases the GIL while it waits,
/// and must take it back to return to Python code.
fn io_task(
    log: &mut LaneLog,
    id: RunId,
    task: u32,
    lane: u32,
    io_ms: u32,
    gil: bool,
) -> Option<u64> {
    if gil {
        take_gil(log, task, lane);
        drop_gil(log, task, lane, HandOver::Voluntary);
    }
    let start = now();
    crate::progress::open(lane, task, SpanState::Io, start);
    let slept = blocking_sleep(id, f64::from(io_ms));
    log.push(task, lane, SpanState::Io, start, now());
    if gil && slept {
        take_gil(log, task, lane);
        drop_gil(log, task, lane, HandOver::Voluntary);
    }
    slept.then_some(0)
}

fn cpu_task(log: &mut LaneLog, id: RunId, task: u32, lane: u32, iters: u64) -> Option<u64> {
    let start = now();
    crate::progress::open(lane, task, SpanState::Compute, start);
    let result = run_cpu_task(iters, &|| !is_cancelled(id));
    log.push(task, lane, SpanState::Compute, start, now());
    result
}

/// Computes while holding the GIL, dropping it when a waiter has asked for it (a switch interval
/// on the waiter's clock without a switch), exactly as CPython's eval loop does.
fn cpu_task_with_gil(
    log: &mut LaneLog,
    id: RunId,
    task: u32,
    lane: u32,
    iters: u64,
) -> Option<u64> {
    let mut work = CpuTask::new(iters);
    holding_gil(log, id, task, lane, || work.advance(CHUNK)).then(|| work.total())
}

/// The race's increments on a thread: with the GIL on they run under it and it changes hands
/// only between chunks of whole increments, as CPython 3.10+ checks its eval breaker between
/// whole `counter += 1` statements in such a loop; with it off, threads really overlap.
fn race_task(log: &mut LaneLog, id: RunId, e: &Experiment, task: u32, lane: u32) -> Option<u64> {
    let (gil, lock) = (e.gil == Gil::On, e.lock == Lock::On);
    let mut work = crate::race::Increments::new(e.cpu_iters, lock);
    if gil {
        return holding_gil(log, id, task, lane, || work.advance()).then(crate::race::read);
    }
    let start = now();
    crate::progress::open(lane, task, SpanState::Compute, start);
    let mut finished = false;
    while !finished && !is_cancelled(id) {
        finished = work.advance();
    }
    log.push(task, lane, SpanState::Compute, start, now());
    finished.then(crate::race::read)
}

/// Runs `advance` (true once the work is done) holding the GIL, handing it over when asked;
/// true when the work finished, false when run `id` was stopped.
fn holding_gil(
    log: &mut LaneLog,
    id: RunId,
    task: u32,
    lane: u32,
    mut advance: impl FnMut() -> bool,
) -> bool {
    loop {
        let held_from = take_gil(log, task, lane);
        crate::progress::open(lane, task, SpanState::Compute, held_from);
        let mut finished = false;
        let mut asked = false;
        while !finished && !is_cancelled(id) {
            finished = advance();
            if GIL.drop_requested() {
                asked = true;
                break;
            }
        }
        log.push(task, lane, SpanState::Compute, held_from, now());
        let how = if asked && !finished {
            HandOver::Forced
        } else {
            HandOver::Voluntary
        };
        drop_gil(log, task, lane, how);
        if finished {
            return true;
        }
        if is_cancelled(id) {
            return false;
        }
    }
}

/// The sum of `0..iters` split into `parts` on the pool, and the same sum on this thread.
pub fn parallel_and_sequential_sum(iters: u64, parts: u64) -> (u64, u64) {
    let chunk = iters.div_ceil(parts.max(1));
    let parallel = (0..parts)
        .into_par_iter()
        .map(|p| sum_of_squares(p * chunk, ((p + 1) * chunk).min(iters)))
        .reduce(|| 0, u64::wrapping_add);
    (parallel, sum_of_squares(0, iters))
}

/// Two pool jobs that each wait (up to 10 s) until the other has started: returns (the most
/// jobs that were inside at once, jobs finished). The peak is 2 only if the pool really runs two
/// threads in parallel; `inside` goes down as a job leaves, so the peak is the jobs that overlapped, not the
/// jobs that ran.
pub fn rendezvous_on_pool() -> (u32, u32) {
    let arrived = AtomicU32::new(0);
    let inside = AtomicU32::new(0);
    let peak = AtomicU32::new(0);
    let finished = AtomicU32::new(0);
    rayon::scope(|s| {
        for _ in 0..2 {
            s.spawn(|_| {
                let together = inside.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(together, Ordering::SeqCst);
                arrived.fetch_add(1, Ordering::SeqCst);
                // Bounded: a pool that runs one thread at a time must fail the test, not hang it.
                let deadline = now() + 10_000.0;
                while arrived.load(Ordering::SeqCst) < 2 && now() < deadline {
                    std::hint::spin_loop();
                }
                peak.fetch_max(inside.load(Ordering::SeqCst), Ordering::SeqCst);
                inside.fetch_sub(1, Ordering::SeqCst);
                finished.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    (peak.load(Ordering::SeqCst), finished.load(Ordering::SeqCst))
}
