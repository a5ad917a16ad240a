//! The worker's entry points, called by `www/engine-worker.js`: a few lines each that route a
//! message to the code that runs it.

use crate::{calibrate, cancel, clock, event_loop, process};
use model::protocol::{FromWorker, ToWorker};
use model::timeline::{Build, RunReport};
use model::{Experiment, Tool};
use wasm_bindgen::prelude::*;

/// The build this module was compiled as.
pub const BUILD: Build = if cfg!(feature = "threads") {
    Build::Atomics
} else {
    Build::Plain
};

/// Threads in the rayon pool that really run (1 when it never started).
pub fn pool_threads() -> u32 {
    #[cfg(feature = "threads")]
    {
        rayon::current_num_threads() as u32
    }
    #[cfg(not(feature = "threads"))]
    {
        1
    }
}

/// The `ready` message once the module started (`pool_started` false: no pool yet, reported as
/// 0 threads) and again once its pool started; `started_at` is when the worker's script began,
/// on the shared clock. Asking rayon before the pool exists would make it start a one-thread
/// pool of its own, so it is not asked.
#[wasm_bindgen]
pub fn ready_info(started_at: f64, pool_started: bool) -> String {
    FromWorker::Ready {
        build: BUILD,
        pool_threads: if pool_started { pool_threads() } else { 0 },
        started_at,
        ready_at: clock::now(),
    }
    .to_json()
}

/// The byte address of the cancel flag, for a page that shares this module's memory.
#[wasm_bindgen]
pub fn cancel_flag_address() -> u32 {
    cancel::flag_address()
}

/// Handles one JSON message from the page and returns the JSON reply ("" for none).
#[wasm_bindgen]
pub async fn handle(message: String) -> String {
    let reply = match ToWorker::from_json(&message) {
        Err(message) => Some(FromWorker::Failed { id: None, message }),
        Ok(request) => answer(request).await,
    };
    reply.map(|r| r.to_json()).unwrap_or_default()
}

async fn answer(request: ToWorker) -> Option<FromWorker> {
    Some(match request {
        ToWorker::Calibrate => FromWorker::Calibrated {
            ns_per_iter: calibrate::ns_per_iter(),
        },
        ToWorker::Run { id, experiment } => {
            crate::progress::begin(id);
            let result = run(id, experiment).await;
            crate::progress::end();
            let reply = match result {
                Ok(report) => FromWorker::Finished { id, report },
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
        // The worker's script starts the pool itself; nothing to do here.
        ToWorker::StartPool => return None,
        ToWorker::Cancel { id } => {
            cancel::cancel(id);
            return None;
        }
        ToWorker::Poke { value } => {
            process::poke(value);
            return None;
        }
        ToWorker::Peek => FromWorker::Peeked {
            value: process::peek(),
        },
    })
}

async fn run(id: u32, e: Experiment) -> Result<RunReport, String> {
    match e.tool {
        // In the atomics build the sequential baseline runs as one lane of the pool: threads run
        // on pool threads, and the same kernel measured ~10-18 % slower on the worker's own
        // thread than on a pool thread, which would have flattered every speedup.
        #[cfg(feature = "threads")]
        Tool::Sequential => {
            let one_lane = Experiment {
                workers: 1,
                gil: model::Gil::Off,
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
