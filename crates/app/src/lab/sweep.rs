//! Carries out the speedup sweep planned by `model::lab::sweep`: one run after another, each
//! point divided into its series' baseline measured in the same sweep.

use super::Lab;
use crate::state::{Action, SweepPoint};
use model::lab::sweep::{plan, Step, SweepBaseline};
use model::timeline::RunStatus;
use model::Params;
use std::collections::{HashMap, VecDeque};

/// A sweep in progress.
#[derive(Default)]
pub struct Sweep {
    steps: VecDeque<Step>,
    current: Option<(u32, Step)>,
    baselines: HashMap<SweepBaseline, f64>,
}

impl Lab {
    /// Starts a sweep of `params`' work.
    pub fn sweep(&mut self, params: Params) {
        if !self.ready || self.running.is_some() || self.sweep.is_some() {
            return;
        }
        let threads = self.atomics.is_some() && self.ns_atomics.is_some();
        // The pool may still be starting: its size is then the one asked for.
        let pool = if self.atomics_threads > 0 {
            self.atomics_threads
        } else {
            self.pool_size
        };
        self.sweep = Some(Sweep {
            steps: plan(&params, threads, pool, self.cores).into(),
            ..Sweep::default()
        });
        self.ui.dispatch(Action::Sweeping(true));
        self.next_sweep_step();
    }

    fn end_sweep(&mut self) {
        self.sweep = None;
        self.ui.dispatch(Action::Sweeping(false));
    }

    fn next_sweep_step(&mut self) {
        let Some(step) = self.sweep.as_mut().and_then(|s| s.steps.pop_front()) else {
            return self.end_sweep();
        };
        let id = self.next_id;
        self.run(step.params.clone());
        // A threads run may wait for the pool to start; it then gets this same id.
        let waiting = self.pending_run.is_some();
        match (self.running.as_ref().map(|r| r.id), self.sweep.as_mut()) {
            (Some(running), Some(sweep)) if running == id => sweep.current = Some((id, step)),
            (None, Some(sweep)) if waiting => sweep.current = Some((id, step)),
            // The run did not start (threads vanished, say): end the sweep.
            _ => self.end_sweep(),
        }
    }

    /// Records a finished run (status, wall, workers) if it belongs to the sweep, then starts
    /// the next step.
    pub(super) fn sweep_run_finished(
        &mut self,
        id: u32,
        (status, wall_ms, workers): (RunStatus, f64, u32),
    ) {
        let Some(sweep) = self.sweep.as_mut() else {
            return;
        };
        let Some((_, step)) = sweep.current.take_if(|(run, _)| *run == id) else {
            return;
        };
        if status != RunStatus::Done {
            return self.end_sweep();
        }
        if step.is_baseline {
            sweep.baselines.insert(step.baseline, wall_ms);
        }
        if let Some(series) = step.series {
            if let Some(speedup) = sweep
                .baselines
                .get(&step.baseline)
                .and_then(|b| model::stats::speedup(*b, wall_ms))
            {
                self.ui.dispatch(Action::SweepPoint(SweepPoint {
                    series,
                    workers,
                    speedup,
                }));
            }
        }
        self.next_sweep_step();
    }
}
