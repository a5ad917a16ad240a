//! The speedup sweep's plan: the current work with 1, 2, 4, … workers for each tool that can
//! parallelise, each point divided into its series' baseline measured in the same sweep.

use crate::config::{sweep_worker_counts, Gil, Params, Tool};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_then_processes_each_with_its_baseline_first() {
        let steps = plan(&Params::default(), true, 6, 2);
        assert!(steps[0].is_baseline && steps[0].params.tool == Some(Tool::Sequential));
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
        assert!(steps.iter().all(|s| s.series == Some(Series::Processes)));
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].params.io_ms, Some(30));
    }
}
