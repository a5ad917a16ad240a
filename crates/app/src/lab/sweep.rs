//! The speedup sweep: the current work with 1, 2, 4, … workers for each tool that can
//! parallelise, each point divided into its series' baseline from the same build.

use super::Lab;
use crate::state::{Action, SweepPoint};
use model::timeline::{RunReport, RunStatus};
use model::{Gil, Params, Tool};
use std::collections::{HashMap, VecDeque};

/// The longest a sweep's tasks are made (ms), so that a whole curve takes seconds.
const SWEEP_IO_MS: u32 = 100;

/// One run of a sweep.
pub struct Step {
    params: Params,
    series: &'static str,
    /// The baseline this step measures or is compared with.
    baseline: &'static str,
    is_baseline: bool,
}

/// A sweep in progress.
#[derive(Default)]
pub struct Sweep {
    steps: VecDeque<Step>,
    current: Option<(u32, Step)>,
    baselines: HashMap<&'static str, f64>,
}

impl Lab {
    /// Starts a sweep of `params`' work.
    pub fn sweep(&mut self, params: Params) {
        if !self.ready || self.running.is_some() || self.sweep.is_some() {
            return;
        }
        // The pool may still be starting: its size is then the one asked for.
        let threads = self.atomics.is_some() && self.ns_atomics.is_some();
        let pool = if self.atomics_threads > 0 {
            self.atomics_threads
        } else {
            self.pool_size
        };
        let max_w = if threads { pool } else { self.cores }.clamp(2, 32);
        let ws = model::config::sweep_worker_counts(max_w);
        let base = Params {
            tasks: Some(params.tasks.unwrap_or(4).max(2 * max_w).min(64)),
            io_ms: Some(params.io_ms.unwrap_or(SWEEP_IO_MS).min(SWEEP_IO_MS)),
            kind: params.kind,
            cpu_iters: params.cpu_iters,
            ..Params::default()
        };
        let with = |tool, workers: Option<u32>, gil: Option<Gil>| Params {
            tool: Some(tool),
            workers,
            gil,
            ..base.clone()
        };
        let mut steps = VecDeque::new();
        if threads {
            steps.push_back(Step {
                params: with(Tool::Sequential, None, None),
                series: "",
                baseline: "sequential",
                is_baseline: true,
            });
            for (series, gil) in [("threads, GIL off", Gil::Off), ("threads, GIL on", Gil::On)] {
                for &w in &ws {
                    steps.push_back(Step {
                        params: with(Tool::Threads, Some(w), Some(gil)),
                        series,
                        baseline: "sequential",
                        is_baseline: false,
                    });
                }
            }
        }
        for &w in &ws {
            steps.push_back(Step {
                params: with(Tool::Processes, Some(w), None),
                series: "processes",
                baseline: "one process",
                is_baseline: w == 1,
            });
        }
        self.sweep = Some(Sweep {
            steps,
            ..Sweep::default()
        });
        self.ui.dispatch(Action::Sweeping(true));
        self.next_sweep_step();
    }

    fn next_sweep_step(&mut self) {
        let Some(step) = self.sweep.as_mut().and_then(|s| s.steps.pop_front()) else {
            self.sweep = None;
            self.ui.dispatch(Action::Sweeping(false));
            return;
        };
        let id = self.next_id;
        self.run(step.params.clone());
        // A threads run may wait for the pool to start; it then gets this same id.
        let waiting = self.pending_run.is_some();
        match (self.running.as_ref().map(|r| r.id), self.sweep.as_mut()) {
            (Some(running), Some(sweep)) if running == id => sweep.current = Some((id, step)),
            (None, Some(sweep)) if waiting => sweep.current = Some((id, step)),
            _ => {
                // The run did not start (threads vanished, say): end the sweep.
                self.sweep = None;
                self.ui.dispatch(Action::Sweeping(false));
            }
        }
    }

    /// Records a finished run if it belongs to the sweep, then starts the next step.
    pub(super) fn sweep_run_finished(&mut self, id: u32, report: &RunReport) {
        let Some(sweep) = self.sweep.as_mut() else {
            return;
        };
        let Some((_, step)) = sweep.current.take_if(|(run, _)| *run == id) else {
            return;
        };
        if report.status != RunStatus::Done {
            self.sweep = None;
            self.ui.dispatch(Action::Sweeping(false));
            return;
        }
        if step.is_baseline {
            sweep.baselines.insert(step.baseline, report.wall_ms);
        }
        if !step.series.is_empty() {
            if let Some(speedup) = sweep
                .baselines
                .get(step.baseline)
                .and_then(|b| model::stats::speedup(*b, report.wall_ms))
            {
                self.ui.dispatch(Action::SweepPoint(SweepPoint {
                    series: step.series,
                    workers: report.experiment.workers,
                    speedup,
                }));
            }
        }
        self.next_sweep_step();
    }
}
