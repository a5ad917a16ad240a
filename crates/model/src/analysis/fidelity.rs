//! "Model vs real CPython": the notebook's three claims, each a ratio measured twice from the
//! visitor's own runs (the Rust model's and CPython's in this browser), and why the two may
//! differ. Nothing here is estimated: a ratio without its two runs is absent.

use crate::experiment::config::{Kind, Tool};
use crate::run::record::RunRecord;
use crate::run::timeline::{Build, RunStatus, SpanState};

/// One of the notebook's claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// 4 waits: sequential wall time ÷ asyncio's.
    Waits,
    /// 4 cpu tasks: sequential wall time ÷ processes' at W = 2.
    Processes,
    /// A cpu task's time ÷ an io task's.
    CpuVsIo,
}

impl Claim {
    /// The table's rows, in order.
    pub const ALL: [Claim; 3] = [Claim::Waits, Claim::Processes, Claim::CpuVsIo];

    /// The row's key (the page's `data-claim`).
    pub fn key(self) -> &'static str {
        match self {
            Claim::Waits => "waits",
            Claim::Processes => "processes",
            Claim::CpuVsIo => "cpu-vs-io",
        }
    }

    /// What the ratio divides, and the runs it takes.
    pub fn label(self) -> &'static str {
        match self {
            Claim::Waits => "4 waits: sequential ÷ asyncio",
            Claim::Processes => "4 cpu tasks: sequential ÷ processes, W = 2",
            Claim::CpuVsIo => "a cpu task ÷ an io task",
        }
    }

    /// Why the model and CPython give other ratios, when they do.
    pub fn why(self) -> &'static str {
        match self {
            Claim::Waits => {
                "CPython's event loop and timers cost time per task; the model's waits cost none."
            }
            Claim::Processes => {
                "CPython's processes pickle calls and results and share the machine's cores with \
                 the page; the model's processes copy a few numbers."
            }
            Claim::CpuVsIo => {
                "N is sized on each engine to last one wait: CPython in wasm is ~3× slower per \
                 iteration than native, a calibration, not a ratio; a busy machine stretches \
                 computing, not waiting."
            }
        }
    }

    /// This claim's ratio from `runs` of one engine (newest runs first), if they have it.
    fn ratio<'a>(self, runs: &[&'a RunRecord]) -> Option<f64> {
        let find = |tool: Tool, kind: Kind, workers: Option<u32>| {
            let matching = |r: &&&'a RunRecord| {
                let e = &r.experiment;
                e.tool == tool
                    && e.kind == kind
                    && considered(r)
                    && e.serial == 0
                    && workers.is_none_or(|w| e.workers == w)
            };
            // A warm pool's run when there is one: the claim is about computing, not start-up.
            runs.iter()
                .filter(matching)
                .find(|r| !r.paid_startup)
                .or_else(|| runs.iter().find(matching))
                .copied()
        };
        let divide = |a: f64, b: f64| (a > 0.0 && b > 0.0).then(|| a / b);
        match self {
            Claim::Waits => {
                let async_run = find(Tool::Async, Kind::Io, None)?;
                let seq = runs.iter().find(|r| {
                    r.experiment.tool == Tool::Sequential
                        && r.experiment.kind == Kind::Io
                        && considered(r)
                        && r.experiment.io_ms == async_run.experiment.io_ms
                })?;
                divide(seq.wall_ms, async_run.wall_ms)
            }
            Claim::Processes => {
                let pool = find(Tool::Processes, Kind::Cpu, Some(2))?;
                let seq = runs.iter().find(|r| {
                    r.experiment.tool == Tool::Sequential
                        && r.experiment.kind == Kind::Cpu
                        && considered(r)
                        && r.experiment.serial == 0
                        && r.experiment.cpu_iters == pool.experiment.cpu_iters
                })?;
                divide(seq.wall_ms, pool.wall_ms)
            }
            Claim::CpuVsIo => {
                let mean = |state: SpanState| {
                    runs.iter().find_map(|r| {
                        let times: Vec<f64> = r
                            .spans
                            .iter()
                            .filter(|s| s.state == state)
                            .map(|s| s.end - s.start)
                            .collect();
                        (!times.is_empty()).then(|| times.iter().sum::<f64>() / times.len() as f64)
                    })
                };
                divide(mean(SpanState::Compute)?, mean(SpanState::Io)?)
            }
        }
    }
}

/// Whether the table holds `run` against the others: the notebook's claims are about batches
/// of four tasks.
pub fn considered(run: &RunRecord) -> bool {
    run.experiment.tasks == 4
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The claim.
    pub claim: Claim,
    /// The Rust model's ratio.
    pub model: Option<f64>,
    /// CPython's ratio, in this browser.
    pub cpython: Option<f64>,
}

impl Row {
    /// Whether the two ratios differ enough to say why: by more than a quarter.
    pub fn differs(&self) -> bool {
        match (self.model, self.cpython) {
            (Some(m), Some(c)) => (m / c).ln().abs() > 1.25f64.ln(),
            _ => false,
        }
    }
}

/// The table from `runs` (oldest first, as the page keeps them): each claim's ratio on each
/// engine from that engine's newest finished runs that measure it.
pub fn rows<R: std::ops::Deref<Target = RunRecord>>(runs: &[R]) -> [Row; 3] {
    let of = |cpython: bool| -> Vec<&RunRecord> {
        runs.iter()
            .rev()
            .map(|r| &**r)
            .filter(|r| r.status == RunStatus::Done && (r.build == Build::Cpython) == cpython)
            .collect()
    };
    let (model, python) = (of(false), of(true));
    Claim::ALL.map(|claim| Row {
        claim,
        model: claim.ratio(&model),
        cpython: claim.ratio(&python),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::{Engine, Params};
    use crate::run::id::RunId;
    use crate::run::timeline::{RunReport, Span, TaskRef};

    fn run(tool: Tool, kind: Kind, build: Build, wall_ms: f64, task_ms: f64) -> RunRecord {
        let experiment = Params {
            tool: Some(tool),
            kind: Some(kind),
            tasks: Some(4),
            workers: Some(2),
            io_ms: Some(100),
            engine: Some(if build == Build::Cpython {
                Engine::Cpython
            } else {
                Engine::Model
            }),
            ..Params::default()
        }
        .resolve_calibrated(2, Some(50.0));
        let state = if kind == Kind::Io {
            SpanState::Io
        } else {
            SpanState::Compute
        };
        let spans = (0..4)
            .map(|n| Span::new(TaskRef::Task(n).index(), 0, state, 10.0, 10.0 + task_ms))
            .collect();
        let report = RunReport::finished(experiment, build, wall_ms, spans);
        RunRecord::new(RunId(1), report, None)
    }

    #[test]
    fn each_engine_has_its_own_ratios_from_its_own_runs() {
        let (m, c) = (Build::Plain, Build::Cpython);
        let runs = vec![
            Box::new(run(Tool::Sequential, Kind::Io, m, 400.0, 100.0)),
            Box::new(run(Tool::Async, Kind::Io, m, 100.0, 100.0)),
            Box::new(run(Tool::Sequential, Kind::Cpu, m, 400.0, 100.0)),
            Box::new(run(Tool::Processes, Kind::Cpu, m, 210.0, 100.0)),
            Box::new(run(Tool::Sequential, Kind::Io, c, 404.0, 101.0)),
            Box::new(run(Tool::Async, Kind::Io, c, 101.0, 101.0)),
            Box::new(run(Tool::Sequential, Kind::Cpu, c, 800.0, 200.0)),
            Box::new(run(Tool::Processes, Kind::Cpu, c, 500.0, 220.0)),
        ];
        let [waits, processes, cpu] = rows(&runs);
        assert_eq!(waits.model, Some(4.0));
        assert_eq!(waits.cpython, Some(4.0));
        assert!(!waits.differs());
        assert_eq!(processes.model.map(|r| (r * 100.0).round()), Some(190.0));
        assert_eq!(processes.cpython, Some(1.6));
        assert!(!processes.differs());
        // The newest cpu run's tasks against the newest io run's, on each engine.
        assert_eq!(cpu.model, Some(1.0));
        assert_eq!(cpu.cpython.map(|r| (r * 100.0).round()), Some(218.0));
        assert!(cpu.differs(), "a quarter apart or more says why");
        assert!(cpu.claim.why().contains("calibration, not a ratio"));
    }

    #[test]
    fn a_ratio_needs_both_of_its_runs_finished() {
        let mut stopped = run(Tool::Async, Kind::Io, Build::Cpython, 100.0, 100.0);
        stopped.status = RunStatus::Stopped;
        let runs = vec![
            Box::new(run(
                Tool::Sequential,
                Kind::Io,
                Build::Cpython,
                400.0,
                100.0,
            )),
            Box::new(stopped),
        ];
        let [waits, processes, cpu] = rows(&runs);
        assert_eq!((waits.model, waits.cpython), (None, None));
        assert_eq!((processes.model, processes.cpython), (None, None));
        assert_eq!(cpu.cpython, None, "no cpu run");
        assert!(!waits.differs());
        assert_eq!(rows::<Box<RunRecord>>(&[])[0].claim, Claim::Waits);
    }
}
