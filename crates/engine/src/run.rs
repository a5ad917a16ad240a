//! What every whole-run tool shares: the clock, the span log, counters and the race against a
//! cancel message.

use crate::build::BUILD;
use crate::cancel;
use crate::clock::now;
use crate::spans::SpanLog;
use futures::future::{select, Either};
use model::experiment::config::{Experiment, Kind};
use model::run::id::RunId;
use model::run::timeline::{Counts, RunReport, RunStatus};
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

/// A run in progress on this worker's thread.
#[derive(Clone)]
pub struct RunLog {
    /// Its id.
    pub id: RunId,
    /// When it started, shared clock.
    pub started_at: f64,
    /// Spans so far.
    pub spans: SpanLog,
    done: Rc<Cell<u32>>,
    checksum: Rc<Cell<u64>>,
}

impl RunLog {
    /// Starts the clock of run `id`.
    pub fn start(id: RunId) -> Self {
        crate::race::start(id);
        RunLog {
            id,
            started_at: now(),
            spans: SpanLog::default(),
            done: Rc::default(),
            checksum: Rc::default(),
        }
    }

    /// Counts a finished task and its result.
    pub fn task_done(&self, result: u64) {
        self.done.set(self.done.get() + 1);
        self.checksum.set(self.checksum.get().wrapping_add(result));
    }

    /// Adds the serial phase's result to the checksum (it is no task).
    pub fn add_result(&self, result: u64) {
        self.checksum.set(self.checksum.get().wrapping_add(result));
    }

    /// Runs `body`, stopping it early when a cancel message for this run arrives; then reports.
    pub async fn finish_with(
        self,
        experiment: Experiment,
        body: impl Future<Output = ()>,
    ) -> RunReport {
        let body = std::pin::pin!(body);
        let stopped = match select(body, cancel::cancelled(self.id)).await {
            Either::Left(_) => cancel::is_cancelled(self.id),
            Either::Right((_, _)) => true,
        };
        let status = if stopped || self.done.get() < experiment.tasks {
            RunStatus::Stopped
        } else {
            RunStatus::Done
        };
        // The race's counter, as the program reads it at the end.
        let counts = (experiment.kind == Kind::Race).then(|| Counts {
            expected: u64::from(experiment.tasks) * experiment.cpu_iters,
            final_count: crate::race::read(),
            own: Vec::new(),
        });
        RunReport {
            streamed: 0,
            experiment,
            status,
            build: BUILD,
            started_at: self.started_at,
            wall_ms: now() - self.started_at,
            spans: self.spans.take(),
            pool_threads: 1,
            paid_startup: false,
            tasks_done: self.done.get(),
            checksum: self.checksum.get(),
            message: None,
            gil_switches: None,
            gil_events: Vec::new(),
            counts,
        }
    }
}
