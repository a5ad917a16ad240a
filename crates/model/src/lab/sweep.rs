//! The speedup sweep's plan: the current work with 1, 2, 4, … workers for each tool that can
//! parallelise, each point divided into its series' baseline measured in the same sweep.

use super::{Lab, RunRequest, Update};
use crate::experiment::config::{sweep_worker_counts, Gil, Kind, Params, Tool};
use crate::run::timeline::RunStatus;
use std::collections::VecDeque;

/// The longest a sweep's waits are made (ms), so that a whole curve takes seconds.
pub const SWEEP_IO_MS: u32 = 100;

/// A curve of the speedup chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Series {
    /// Threads with the GIL off (free-threaded), against sequential.
    ThreadsGilOff,
    /// Threads with the GIL on, against sequential.
    ThreadsGilOn,
    /// Processes, against one process.
    Processes,
}

impl Series {
    /// The name shown in the chart and in `data-series`.
    pub fn as_str(self) -> &'static str {
        match self {
            Series::ThreadsGilOff => "threads, GIL off",
            Series::ThreadsGilOn => "threads, GIL on",
            Series::Processes => "processes",
        }
    }
}

/// The run a series' speedups divide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SweepBaseline {
    /// A sequential run in the threads build (one pool lane).
    Sequential,
    /// Processes with one worker.
    OneProcess,
}

/// One run of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// What to run.
    pub params: Params,
    /// The curve it adds a point to (`None` for a baseline only).
    pub series: Option<Series>,
    /// The baseline it is divided into, or that it measures.
    pub baseline: SweepBaseline,
    /// This step measures its baseline.
    pub is_baseline: bool,
}

/// The sweep of `params`' work: threads (GIL off, then on) when the threads build runs here,
/// with a pool of `pool` threads, and processes up to `cores`.
pub fn plan(params: &Params, threads: bool, pool: u32, cores: u32) -> Vec<Step> {
    let max_w = if threads { pool } else { cores }.clamp(2, 32);
    let ws = sweep_worker_counts(max_w);
    let base = Params {
        tasks: Some(params.tasks.unwrap_or(4).max(2 * max_w).min(64)),
        io_ms: Some(params.io_ms.unwrap_or(SWEEP_IO_MS).min(SWEEP_IO_MS)),
        kind: params.kind,
        cpu_iters: params.cpu_iters,
        // The curve of this work, its serial part included (Amdahl's curve is drawn beside it).
        serial: params.serial,
        ..Params::default()
    };
    let with = |tool, workers: Option<u32>, gil: Option<Gil>| Params {
        tool: Some(tool),
        workers,
        gil,
        ..base.clone()
    };
    let mut steps = Vec::new();
    if threads {
        // The first run of a code path may run in the engine's baseline tier (WebKit runs a
        // fresh page's first cpu run ~3× slower than its next ones): one unplotted run first,
        // so that the baseline every threads point divides is a warm one.
        steps.push(Step {
            params: with(Tool::Sequential, None, None),
            series: None,
            baseline: SweepBaseline::Sequential,
            is_baseline: false,
        });
        steps.push(Step {
            params: with(Tool::Sequential, None, None),
            series: None,
            baseline: SweepBaseline::Sequential,
            is_baseline: true,
        });
        for (series, gil) in [
            (Series::ThreadsGilOff, Gil::Off),
            (Series::ThreadsGilOn, Gil::On),
        ] {
            for &w in &ws {
                steps.push(Step {
                    params: with(Tool::Threads, Some(w), Some(gil)),
                    series: Some(series),
                    baseline: SweepBaseline::Sequential,
                    is_baseline: false,
                });
            }
        }
    }
    // Processes start lazily and a run that starts them pays for it: one unplotted run first
    // starts the whole pool, so that no point (least of all the one-process baseline) includes
    // a start-up.
    steps.push(Step {
        params: with(Tool::Processes, ws.last().copied(), None),
        series: None,
        baseline: SweepBaseline::OneProcess,
        is_baseline: false,
    });
    // Then the baseline's own process alone, unplotted: in the pool's run it shared the cores
    // with every other process, and an engine that optimises late (WebKit) still ran part of
    // the one-process baseline unoptimised, which made processes look faster than the cores
    // allow (2.1x at W = 2 on 2 cores).
    steps.push(Step {
        params: with(Tool::Processes, Some(1), None),
        series: None,
        baseline: SweepBaseline::OneProcess,
        is_baseline: false,
    });
    for &w in &ws {
        steps.push(Step {
            params: with(Tool::Processes, Some(w), None),
            series: Some(Series::Processes),
            baseline: SweepBaseline::OneProcess,
            is_baseline: w == 1,
        });
    }
    steps
}

/// A sweep in progress.
#[derive(Debug, Default)]
pub(super) struct Sweep {
    steps: VecDeque<Step>,
    /// The step whose run is in flight (or waits to start).
    current: Option<Step>,
    // A handful of entries: a list costs the page's module less than a hash map's code.
    baselines: Vec<(SweepBaseline, f64)>,
}

impl Lab {
    /// Starts a sweep of `params`' work (when ready and idle).
    pub(super) fn start_sweep(&mut self, now: f64, params: Params) {
        if !self.view.ready || self.running.is_some() || self.sweep.is_some() {
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
        // Amdahl's curve beside the points is drawn for the serial part of the work measured.
        self.view.sweep_serial = match params.kind {
            Some(Kind::Cpu | Kind::Mixed) => params.serial.unwrap_or(0),
            _ => 0,
        };
        self.show(Update::Sweeping(true));
        self.next_sweep_step(now);
    }

    fn end_sweep(&mut self) {
        self.sweep = None;
        self.show(Update::Sweeping(false));
    }

    fn next_sweep_step(&mut self, now: f64) {
        let Some(step) = self.sweep.as_mut().and_then(|s| s.steps.pop_front()) else {
            return self.end_sweep();
        };
        let mut request = RunRequest::visitor(step.params.clone());
        request.sweep_step = true;
        self.begin(now, request, false);
        // A threads run may wait for the pool to start: it is begun later, still a step.
        let started = self.running.as_ref().is_some_and(|r| r.sweep_step);
        let waiting = self.running.is_none() && self.pending.as_ref().is_some_and(|r| r.sweep_step);
        match self.sweep.as_mut() {
            Some(sweep) if started || waiting => sweep.current = Some(step),
            // The run did not start (threads vanished, say): end the sweep.
            _ => self.end_sweep(),
        }
    }

    /// Records the finished run of the current step (if the sweep is still on), then starts the
    /// next step.
    pub(super) fn sweep_step_finished(
        &mut self,
        now: f64,
        status: RunStatus,
        wall_ms: f64,
        workers: u32,
    ) {
        let Some(sweep) = self.sweep.as_mut() else {
            return;
        };
        let Some(step) = sweep.current.take() else {
            return;
        };
        if status != RunStatus::Done {
            return self.end_sweep();
        }
        if step.is_baseline {
            sweep.baselines.retain(|(b, _)| *b != step.baseline);
            sweep.baselines.push((step.baseline, wall_ms));
        }
        let point = step.series.zip(
            sweep
                .baselines
                .iter()
                .find(|(b, _)| *b == step.baseline)
                .and_then(|(_, b)| crate::run::stats::speedup(*b, wall_ms)),
        );
        let cpu = step.params.kind == Some(Kind::Cpu);
        if let Some((series, speedup)) = point {
            self.show(Update::SweepPoint(series, workers, speedup, cpu));
        }
        self.next_sweep_step(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_then_processes_each_with_a_warm_baseline_first() {
        let steps = plan(&Params::default(), true, 6, 2);
        // A warm-up run, unplotted and not a baseline, then the baseline itself.
        assert!(!steps[0].is_baseline && steps[0].series.is_none());
        assert!(steps[1].is_baseline && steps[1].params.tool == Some(Tool::Sequential));
        assert_eq!(steps[0].params, steps[1].params);
        let ws = |s: Series| -> Vec<u32> {
            steps
                .iter()
                .filter(|x| x.series == Some(s))
                .filter_map(|x| x.params.workers)
                .collect()
        };
        assert_eq!(ws(Series::ThreadsGilOff), [1, 2, 4, 6]);
        assert_eq!(ws(Series::ThreadsGilOn), [1, 2, 4, 6]);
        assert_eq!(ws(Series::Processes), [1, 2, 4, 6]);
        let first_process = steps
            .iter()
            .position(|s| s.series == Some(Series::Processes))
            .unwrap();
        assert!(
            steps[first_process].is_baseline,
            "one process is measured before the others"
        );
        assert!(steps
            .iter()
            .all(|s| s.params.tasks == Some(12) && s.params.io_ms == Some(100)));
    }

    #[test]
    fn without_threads_only_processes_up_to_the_cores() {
        let steps = plan(
            &Params {
                io_ms: Some(30),
                ..Params::default()
            },
            false,
            0,
            4,
        );
        assert_eq!(steps[0].series, None, "a warm-up run starts the pool");
        assert_eq!(steps[0].params.workers, Some(4));
        assert_eq!(
            (steps[1].series, steps[1].params.workers),
            (None, Some(1)),
            "then the baseline's process warms up alone"
        );
        assert!(steps[2..]
            .iter()
            .all(|s| s.series == Some(Series::Processes)));
        assert_eq!(steps.len(), 5);
        assert_eq!(steps[0].params.io_ms, Some(30));
        let serial = plan(
            &Params {
                serial: Some(40),
                ..Params::default()
            },
            true,
            0,
            4,
        );
        assert!(serial.iter().all(|s| s.params.serial == Some(40)));
    }
}
