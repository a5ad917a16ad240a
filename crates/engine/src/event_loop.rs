//! `async`: asyncio's model, a single-threaded cooperative event loop. Every task is started in
//! order, as `asyncio.gather` does; each runs until its first await. A cpu task never awaits, so
//! while it computes no timer callback can run and every pending wait finishes late.

use crate::run::RunLog;
use crate::tasks;
use futures::future::join_all;
use model::experiment::config::Experiment;
use model::run::id::RunId;
use model::run::timeline::RunReport;

/// Runs every task of `e` concurrently on this thread (lane 0).
pub async fn run(id: RunId, e: Experiment) -> RunReport {
    let log = RunLog::start(id);
    let body = {
        let log = log.clone();
        async move {
            // The serial part runs before the batch is gathered, as code before `gather` does.
            let (serial, iters) = e.serial_split();
            match tasks::serial(&log.spans, id, 0, serial) {
                Some(result) => log.add_result(result),
                None => return,
            }
            let all = (0..e.tasks).map(|task| {
                let log = log.clone();
                async move {
                    let work = e.kind.task(task);
                    if let Some(result) =
                        tasks::run(&log.spans, id, task, 0, work, e.io_ms, iters).await
                    {
                        log.task_done(result);
                    }
                }
            });
            join_all(all).await;
        }
    };
    log.finish_with(e, body).await
}
