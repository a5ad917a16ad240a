//! The worker's entry points, called by `www/engine-worker.js`: a few lines each that route a
//! message to the code that runs it.

use crate::build::{pool_threads, BUILD};
use crate::{calibrate, cancel, clock, event_loop, process};
use model::experiment::config::{Experiment, Tool};
use model::run::id::RunId;
use model::run::timeline::{Build, RunReport};
use model::wire::worker::{FromWorker, ToWorker};
use wasm_bindgen::prelude::*;
#[cfg(feature = "threads")]
use wasm_bindgen::JsCast;

/// The `ready` message once the module started; `started_at` is when the worker's script
/// began, on the shared clock. The atomics build reports 0 threads: its pool starts when the
/// page asks (asking rayon before would make it start a one-thread pool of its own).
#[wasm_bindgen]
pub fn ready_info(started_at: f64) -> String {
    ready(started_at, BUILD == Build::Plain, None).encode()
}

fn ready(started_at: f64, pool_started: bool, cancel_word: Option<u32>) -> FromWorker {
    FromWorker::Ready {
        build: BUILD,
        pool_threads: if pool_started { pool_threads() } else { 0 },
        started_at,
        ready_at: clock::now(),
        cancel_word,
        python_version: None,
    }
}

/// The longest a process's kernel warm-up may take: start-up, warm-up included, stays within
/// 150 ms a process on 2 cores.
const WARM_UP_MAX_MS: f64 = 80.0;

/// Warms this worker's kernel up before it says it is ready (a process of the processes pool):
/// the engine swaps optimised code in only for later calls, so without it a fresh process ran
/// its first task 2-4x slower than the calibrated speed. The time is part of the process's
/// start-up, which the page measures and draws (spawn to ready).
#[wasm_bindgen]
pub fn warm_up() {
    calibrate::warm_up(WARM_UP_MAX_MS);
}

/// Takes the page's cancel word (a `SharedArrayBuffer`, isolated pages): a plain-build worker
/// busy computing reads it between kernel chunks, so Stop does not have to terminate it.
#[wasm_bindgen]
pub fn share_cancel_word(buffer: JsValue) {
    cancel::share_word(&buffer);
}

/// Handles one JSON message from the page; returns the reply for the script to post as it is:
/// a JSON string, `[json, memory.buffer]` when the reply shares memory, or `undefined`.
#[wasm_bindgen]
pub async fn handle(message: String) -> JsValue {
    let reply = match ToWorker::decode(&message) {
        Err(message) => Some(FromWorker::Failed { id: None, message }),
        Ok(ToWorker::StartPool { threads }) => return start_pool(threads).await,
        Ok(request) => answer(request).await,
    };
    reply.map_or(JsValue::UNDEFINED, |r| JsValue::from(r.encode()))
}

/// Starts the rayon pool and answers `Ready` with the threads that started, beside this module's
/// shared memory, whose cancel word the page then writes to stop a run.
#[cfg(feature = "threads")]
async fn start_pool(threads: u32) -> JsValue {
    let started = wasm_bindgen_futures::JsFuture::from(wasm_bindgen_rayon::init_thread_pool(
        threads.clamp(1, 64) as usize,
    ))
    .await;
    if let Err(e) = started {
        let message = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| format!("{e:?}"));
        return FromWorker::Failed {
            id: None,
            message: format!("the thread pool did not start: {message}"),
        }
        .encode()
        .into();
    }
    let ready = ready(clock::now(), true, Some(cancel::flag_address() / 4));
    let buffer = js_sys::Reflect::get(&wasm_bindgen::memory(), &"buffer".into())
        .unwrap_or(JsValue::UNDEFINED);
    js_sys::Array::of2(&ready.encode().into(), &buffer).into()
}

#[cfg(not(feature = "threads"))]
async fn start_pool(_: u32) -> JsValue {
    JsValue::from(
        FromWorker::Failed {
            id: None,
            message: "the plain build has no thread pool".into(),
        }
        .encode(),
    )
}

async fn answer(request: ToWorker) -> Option<FromWorker> {
    Some(match request {
        ToWorker::Calibrate => {
            let (ns_per_iter, spread) = calibrate::where_work_runs().await;
            FromWorker::Calibrated {
                ns_per_iter,
                spread,
            }
        }
        ToWorker::Run { id, experiment } => {
            crate::progress::begin(id);
            // The event loop records its spans in one log, in the order it streams them: the
            // page has the streamed ones already, and the report leaves them out.
            let streams_all = experiment.tool == Tool::Async;
            let result = run(id, experiment).await;
            if streams_all {
                crate::progress::flush();
            }
            let streamed = crate::progress::taken();
            crate::progress::end();
            let reply = match result {
                Ok(mut report) => {
                    if streams_all {
                        let n = streamed.min(report.spans.len());
                        report.spans.drain(..n);
                        report.streamed = n as u32;
                    }
                    FromWorker::Finished { id, report }
                }
                Err(message) => FromWorker::Failed {
                    id: Some(id),
                    message,
                },
            };
            cancel::finished(id);
            reply
        }
        ToWorker::Task {
            run,
            task,
            work,
            io_ms,
            cpu_iters,
            sent_at,
        } => process::run_task(run, task, work, io_ms, cpu_iters, sent_at).await,
        // Answered by `handle`, which may share memory in its reply.
        ToWorker::StartPool { .. } => return None,
        ToWorker::Cancel { id } => {
            cancel::cancel(id);
            return None;
        }
        ToWorker::Poke { value } => {
            process::poke(value);
            return None;
        }
        #[cfg(feature = "test-hooks")]
        ToWorker::Trap => panic!("trap requested by a test"),
        ToWorker::Peek => FromWorker::Peeked {
            value: process::peek(),
        },
        // Python is CPython's worker's, never this engine's.
        ToWorker::RunCode { id, .. } => FromWorker::Failed {
            id: Some(id),
            message: "this engine runs no Python program".into(),
        },
    })
}

async fn run(id: RunId, e: Experiment) -> Result<RunReport, String> {
    match e.tool {
        // In the atomics build the sequential baseline runs as one lane of the pool: threads run
        // on pool threads, and the same kernel measured ~10-18 % slower on the worker's own
        // thread than on a pool thread, which would have flattered every speedup.
        #[cfg(feature = "threads")]
        Tool::Sequential => {
            let one_lane = Experiment {
                workers: 1,
                gil: model::experiment::config::Gil::Off,
                ..e
            };
            let mut report = crate::threads::run(id, one_lane).await?;
            report.experiment = e;
            report.pool_threads = 1;
            Ok(report)
        }
        #[cfg(not(feature = "threads"))]
        Tool::Sequential => Ok(crate::sequential::run(id, e).await),
        Tool::Async => Ok(event_loop::run(id, e).await),
        #[cfg(feature = "threads")]
        Tool::Threads => crate::threads::run(id, e).await,
        #[cfg(not(feature = "threads"))]
        Tool::Threads => Err("threads need the atomics build of the engine".into()),
        Tool::Processes => Err("processes are dispatched by the page, one task at a time".into()),
    }
}
