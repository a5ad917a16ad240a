//! `sequential`: one task after another on this worker's one thread.

use crate::run::RunLog;
use crate::tasks;
use model::experiment::config::Experiment;
use model::run::id::RunId;
use model::run::timeline::RunReport;

/// Runs `e` one task at a time on lane 0.
pub async fn run(id: RunId, e: Experiment) -> RunReport {
    let log = RunLog::start(id);
    let body = {
        let log = log.clone();
        async move {
            let (serial, iters) = e.serial_split();
            match tasks::serial(&log.spans, id, 0, serial) {
                Some(result) => log.add_result(result),
                None => return,
            }
            for task in 0..e.tasks {
                let work = e.kind.task(task);
                match tasks::run(&log.spans, id, task, 0, work, e.io_ms, iters).await {
                    Some(result) => log.task_done(result),
                    None => return,
                }
            }
        }
    };
    log.finish_with(e, body).await
}
