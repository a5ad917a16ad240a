//! What the page shows, as one reducer: `State`, its `Action`s and how each changes it.

use model::timeline::{Build, RunReport};
use model::{Notice, Params};
use std::rc::Rc;
use yew::prelude::*;

/// One build of the engine as the page knows it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BuildInfo {
    /// Pool threads that really started (1 for the plain build).
    pub pool_threads: u32,
    /// Calibrated cost of one kernel iteration.
    pub ns_per_iter: Option<f64>,
}

/// A finished run as a row of the runs table.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    /// Its number on this page.
    pub id: u32,
    /// What the engine reported.
    pub report: Rc<RunReport>,
    /// Wall time of the matching sequential run divided by this one's.
    pub speedup: Option<f64>,
}

/// The processes isolation demo: a value written in process 0, read back from 0 and from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsolationDemo {
    /// What was written into process 0's memory.
    pub wrote: u64,
    /// What process 0 read back.
    pub read_same: Option<u64>,
    /// What process 1 read at the same address of its own memory.
    pub read_other: Option<u64>,
}

/// The page's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// The experiment being edited (what Run runs).
    pub params: Params,
    /// Compact layout for iframes.
    pub embed: bool,
    /// Messages about clamped input or missing features.
    pub notices: Vec<Notice>,
    /// `crossOriginIsolated`.
    pub isolated: bool,
    /// `navigator.hardwareConcurrency`.
    pub cores: u32,
    /// The plain build, once started.
    pub plain: Option<BuildInfo>,
    /// The atomics build, once started.
    pub atomics: Option<BuildInfo>,
    /// Engines loaded and calibrated.
    pub ready: bool,
    /// The run in progress: its id and when it started.
    pub running: Option<(u32, f64)>,
    /// Finished runs, oldest first.
    pub runs: Vec<RunRow>,
    /// The last isolation demo.
    pub isolation: Option<IsolationDemo>,
}

/// Everything that changes the state.
pub enum Action {
    /// The visitor (or the URL) changed the experiment.
    SetParams(Params),
    /// Adds one notice (features, failures).
    AddNotice(Notice),
    /// A build's worker started.
    BuildStarted(Build, u32),
    /// A build was calibrated.
    Calibrated(Build, f64),
    /// Every engine is ready.
    Ready,
    /// A run started.
    Started(u32, f64),
    /// A run ended.
    Finished(u32, RunReport),
    /// Empties the runs table.
    ClearRuns,
    /// The isolation demo progressed.
    Isolation(IsolationDemo),
}

impl State {
    /// The last sequential run whose work matches `report`'s, from the same build.
    pub fn baseline_for(&self, report: &RunReport) -> Option<&RunRow> {
        let e = &report.experiment;
        self.runs.iter().rev().find(|row| {
            let b = &row.report.experiment;
            b.tool == model::Tool::Sequential
                && row.report.status == model::RunStatus::Done
                // Waiting costs the same in every build; computing is compared within one.
                && (row.report.build == report.build || e.kind == model::Kind::Io)
                && (b.kind, b.tasks, b.io_ms, b.cpu_iters) == (e.kind, e.tasks, e.io_ms, e.cpu_iters)
        })
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetParams(p) => s.params = p,
            Action::AddNotice(n) => {
                if !s.notices.contains(&n) {
                    s.notices.push(n);
                }
            }
            Action::BuildStarted(build, pool_threads) => {
                let info = Some(BuildInfo {
                    pool_threads,
                    ns_per_iter: None,
                });
                match build {
                    Build::Plain => s.plain = info,
                    Build::Atomics => s.atomics = info,
                }
            }
            Action::Calibrated(build, ns) => {
                let slot = match build {
                    Build::Plain => &mut s.plain,
                    Build::Atomics => &mut s.atomics,
                };
                slot.get_or_insert_with(BuildInfo::default).ns_per_iter = Some(ns);
            }
            Action::Ready => s.ready = true,
            Action::Started(id, at) => s.running = Some((id, at)),
            Action::Finished(id, report) => {
                if s.running.map(|(r, _)| r) == Some(id) {
                    s.running = None;
                }
                let speedup = s
                    .baseline_for(&report)
                    .and_then(|b| model::stats::speedup(b.report.wall_ms, report.wall_ms));
                s.runs.push(RunRow {
                    id,
                    report: Rc::new(report),
                    speedup,
                });
            }
            Action::ClearRuns => s.runs.clear(),
            Action::Isolation(demo) => s.isolation = Some(demo),
        }
        Rc::new(s)
    }
}
