//! "Model vs real CPython": the notebook's claims, each a figure measured twice from the
//! visitor's own runs (the Rust model's and CPython's in this browser), and why the two differ,
//! in those runs' own figures. Nothing here is estimated: a figure without its runs is absent.
//!
//! Like is compared with like: a claim's figure on one engine comes from one pair of matching
//! runs (the same tasks, and the same `io_ms` or `N`: whichever their tasks use), and a CPython run counts only when it ran the
//! experiment's own program (its `code_hash`): an edited program is the visitor's, not the
//! notebook's claim.

use crate::experiment::config::{Gil, Kind, Tool};
use crate::python::cpython::{code_hash, program};
use crate::run::id::RunId;
use crate::run::record::RunRecord;
use crate::run::timeline::{Build, RunStatus, SpanState};

/// One of the notebook's claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// 4 waits: sequential wall time ÷ asyncio's.
    Waits,
    /// 4 cpu tasks: sequential wall time ÷ processes' at W = 2.
    Processes,
    /// A cpu task's time ÷ an io task's, in a sequential run of each.
    CpuVsIo,
    /// 4 cpu tasks with the GIL: threads' wall time ÷ sequential's, at W = 2.
    ThreadsCpu,
    /// 4 waits: sequential wall time ÷ threads' at W = 4.
    ThreadsIo,
    /// Forced GIL hand-overs per second of a threads run computing 4 tasks at W = 2.
    Forced,
}

impl Claim {
    /// The table's rows, in order.
    pub const ALL: [Claim; 6] = [
        Claim::Waits,
        Claim::Processes,
        Claim::CpuVsIo,
        Claim::ThreadsCpu,
        Claim::ThreadsIo,
        Claim::Forced,
    ];

    /// The row's key (the page's `data-claim`).
    pub fn key(self) -> &'static str {
        match self {
            Claim::Waits => "waits",
            Claim::Processes => "processes",
            Claim::CpuVsIo => "cpu-vs-io",
            Claim::ThreadsCpu => "threads-cpu",
            Claim::ThreadsIo => "threads-io",
            Claim::Forced => "forced-per-second",
        }
    }

    /// What the figure divides, and the runs it takes.
    pub fn label(self) -> &'static str {
        match self {
            Claim::Waits => "4 waits: sequential ÷ asyncio",
            Claim::Processes => "4 cpu tasks: sequential ÷ processes, W = 2",
            Claim::CpuVsIo => "a cpu task ÷ an io task, sequential",
            Claim::ThreadsCpu => "4 cpu tasks with the GIL: threads ÷ sequential, W = 2",
            Claim::ThreadsIo => "4 waits: sequential ÷ threads, W = 4",
            Claim::Forced => "forced GIL hand-overs per second: threads, 4 cpu tasks, W = 2",
        }
    }

    /// The figure as the table shows it.
    pub fn show(self, value: f64) -> String {
        match self {
            Claim::Forced => format!("{value:.0}/s"),
            _ => format!("{value:.2}×"),
        }
    }

    /// Whether `r` is the run this claim is about (the pair's first).
    fn is_subject(self, r: &RunRecord) -> bool {
        let e = &r.experiment;
        match self {
            Claim::Waits => e.tool == Tool::Async && e.kind == Kind::Io,
            Claim::Processes => e.tool == Tool::Processes && e.kind == Kind::Cpu && e.workers == 2,
            Claim::CpuVsIo => e.tool == Tool::Sequential && e.kind == Kind::Cpu,
            Claim::ThreadsCpu | Claim::Forced => {
                e.tool == Tool::Threads && e.kind == Kind::Cpu && e.workers == 2 && e.gil == Gil::On
            }
            Claim::ThreadsIo => e.tool == Tool::Threads && e.kind == Kind::Io && e.workers == 4,
        }
    }

    /// The kind of the sequential run `subject` is held against (`None`: it stands alone).
    fn partner_kind(self) -> Option<Kind> {
        match self {
            Claim::Waits | Claim::ThreadsIo | Claim::CpuVsIo => Some(Kind::Io),
            Claim::Processes | Claim::ThreadsCpu => Some(Kind::Cpu),
            Claim::Forced => None,
        }
    }

    /// This claim's runs on one engine (`runs` newest first): the newest subject that has its
    /// partner (a warm pool's run first: the claim is about computing, not start-up), and the
    /// newest sequential run of the same work.
    fn pair<'a>(self, runs: &[&'a RunRecord]) -> Option<Pair<'a>> {
        let subjects = || runs.iter().copied().filter(|r| self.is_subject(r));
        let warm_first = subjects()
            .filter(|r| !r.paid_startup)
            .chain(subjects().filter(|r| r.paid_startup));
        for subject in warm_first {
            let Some(kind) = self.partner_kind() else {
                return Some(Pair {
                    subject,
                    partner: None,
                });
            };
            let (s, want) = (&subject.experiment, kind);
            // The same work: as many tasks, each the same wait or the same N (a wait's run
            // has an N too, which none of its tasks computes).
            let partner = runs.iter().copied().find(|r| {
                let e = &r.experiment;
                e.tool == Tool::Sequential
                    && e.kind == want
                    && e.tasks == s.tasks
                    && (e.io_ms == s.io_ms || want == Kind::Cpu)
                    && (e.cpu_iters == s.cpu_iters || want == Kind::Io)
            });
            if let Some(partner) = partner {
                return Some(Pair {
                    subject,
                    partner: Some(partner),
                });
            }
        }
        None
    }
}

/// The runs one engine's figure of a claim comes from.
#[derive(Clone, Copy, Debug)]
pub struct Pair<'a> {
    /// The run the claim is about (asyncio's, the pool's, the threads', a cpu run's).
    pub subject: &'a RunRecord,
    /// The sequential run of the same work it is held against; `None` for a figure of one run.
    pub partner: Option<&'a RunRecord>,
}

/// What one engine's pair measured, the figures that "why they differ" quotes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figures {
    /// The subject's wall time, ms.
    pub wall_ms: f64,
    /// The partner's wall time, ms (0 without one).
    pub partner_wall_ms: f64,
    /// One wait, ms (`io_ms`).
    pub io_ms: f64,
    /// Iterations of one cpu task (`N`).
    pub cpu_iters: u64,
    /// Share of the subject's wall its processes spent starting up.
    pub startup_share: f64,
    /// Share of the subject's wall spent copying messages between processes.
    pub copy_share: f64,
    /// The subject's longest wait behind a busy event loop, ms.
    pub late_ms: f64,
    /// GIL hand-overs per second of the subject.
    pub handovers_per_s: f64,
    /// Forced GIL hand-overs per second of the subject.
    pub forced_per_s: f64,
    /// Share of the subject's thread time spent waiting for the GIL.
    pub gil_wait_share: f64,
    /// The mean cpu task of the subject, ms (0 without one).
    pub compute_ms: f64,
    /// The mean io task of the partner, ms (0 without one).
    pub io_task_ms: f64,
}

fn mean_of(run: &RunRecord, state: SpanState) -> f64 {
    let times: Vec<f64> = run
        .spans
        .iter()
        .filter(|s| s.state == state)
        .map(|s| s.duration())
        .collect();
    if times.is_empty() {
        0.0
    } else {
        times.iter().sum::<f64>() / times.len() as f64
    }
}

/// The time a run's spans of `state` cover in all, ms.
fn total_of(run: &RunRecord, state: SpanState) -> f64 {
    run.spans
        .iter()
        .filter(|s| s.state == state)
        .map(|s| s.duration())
        .sum()
}

/// A cpu task's mean time, from its computing spans per task: a task drawn in pieces (split
/// by its waits for the GIL) counts as the sum of its pieces.
fn mean_task_compute(run: &RunRecord) -> f64 {
    let mut per_task: Vec<(u32, f64)> = Vec::new();
    for s in run.spans.iter().filter(|s| s.state == SpanState::Compute) {
        match per_task.iter_mut().find(|(t, _)| *t == s.task) {
            Some((_, ms)) => *ms += s.duration(),
            None => per_task.push((s.task, s.duration())),
        }
    }
    if per_task.is_empty() {
        return 0.0;
    }
    per_task.iter().map(|(_, ms)| ms).sum::<f64>() / per_task.len() as f64
}

impl Pair<'_> {
    /// The runs, in the order the page numbered them.
    pub fn ids(&self) -> Vec<RunId> {
        let mut ids: Vec<RunId> = std::iter::once(self.subject.id)
            .chain(self.partner.map(|p| p.id))
            .collect();
        ids.sort();
        ids
    }

    /// The claim's figure from these runs, when both are measured.
    fn value(&self, claim: Claim) -> Option<f64> {
        let positive = |v: f64| (v.is_finite() && v > 0.0).then_some(v);
        let (s, p) = (self.subject, self.partner);
        match claim {
            Claim::Waits | Claim::Processes | Claim::ThreadsIo => {
                positive(p?.wall_ms / positive(s.wall_ms)?)
            }
            Claim::ThreadsCpu => positive(s.wall_ms / positive(p?.wall_ms)?),
            Claim::CpuVsIo => {
                positive(mean_task_compute(s) / positive(mean_of(p?, SpanState::Io))?)
            }
            // A run with threads and no forced hand-over measured 0 per second: a figure too.
            Claim::Forced => s
                .gil_switches
                .map(|g| f64::from(g.forced) * 1000.0 / s.wall_ms)
                .filter(|v| v.is_finite()),
        }
    }

    /// What these runs measured.
    pub fn figures(&self) -> Figures {
        let s = self.subject;
        let wall = s.wall_ms.max(f64::MIN_POSITIVE);
        let per_s = |n: u32| f64::from(n) * 1000.0 / wall;
        let thread_time = wall * f64::from(s.experiment.workers.max(1));
        Figures {
            wall_ms: s.wall_ms,
            partner_wall_ms: self.partner.map_or(0.0, |p| p.wall_ms),
            io_ms: f64::from(s.experiment.io_ms),
            cpu_iters: s.experiment.cpu_iters,
            startup_share: total_of(s, SpanState::Startup) / wall,
            copy_share: total_of(s, SpanState::Copy) / wall,
            late_ms: s.late_ms,
            handovers_per_s: s
                .gil_switches
                .map_or(0.0, |g| per_s(g.forced + g.voluntary)),
            forced_per_s: s.gil_switches.map_or(0.0, |g| per_s(g.forced)),
            gil_wait_share: total_of(s, SpanState::GilWait) / thread_time,
            compute_ms: mean_task_compute(s),
            io_task_ms: self.partner.map_or(0.0, |p| mean_of(p, SpanState::Io)),
        }
    }
}

/// Why the model's and CPython's figures of `claim` differ, in the figures of the runs they
/// came from.
pub fn why(claim: Claim, model: &Figures, cpython: &Figures) -> String {
    // `+ 0.0`: an empty sum is -0.0, which would print as "-0 %".
    let pct = |share: f64| format!("{:.0} %", share * 100.0 + 0.0);
    let beyond = |f: &Figures| f.wall_ms - f.io_ms;
    match claim {
        Claim::Waits | Claim::ThreadsIo => format!(
            "Beyond one wait of {:.0} ms, CPython's run took {:.1} ms more and the model's {:.1} \
             ms; its latest wait ended {:.1} ms late behind a busy loop on CPython, {:.1} ms on \
             the model. The sequential runs took {:.0} and {:.0} ms.",
            cpython.io_ms,
            beyond(cpython),
            beyond(model),
            cpython.late_ms,
            model.late_ms,
            cpython.partner_wall_ms,
            model.partner_wall_ms,
        ),
        Claim::Processes => format!(
            "Starting processes took {} of CPython's pool run and {} of the model's; copying \
             calls and results between processes (pickling) {} and {}. A cpu task took {:.0} ms \
             on CPython and {:.0} ms on the model.",
            pct(cpython.startup_share),
            pct(model.startup_share),
            pct(cpython.copy_share),
            pct(model.copy_share),
            cpython.compute_ms,
            model.compute_ms,
        ),
        Claim::CpuVsIo => format!(
            "N is sized on each engine to last one wait: {} iterations took {:.0} ms on CPython \
             against a {:.0} ms wait, {} took {:.0} ms on the model against {:.0} ms. A busy \
             machine stretches computing, not waiting.",
            cpython.cpu_iters,
            cpython.compute_ms,
            cpython.io_task_ms,
            model.cpu_iters,
            model.compute_ms,
            model.io_task_ms,
        ),
        Claim::ThreadsCpu => format!(
            "CPython's threads handed the GIL over {:.0} times a second and waited for it {} of \
             their time; the model's {:.0} times and {}. Against their sequential runs ({:.0} and \
             {:.0} ms) the threads took {:+.0} ms on CPython and {:+.0} ms on the model.",
            cpython.handovers_per_s,
            pct(cpython.gil_wait_share),
            model.handovers_per_s,
            pct(model.gil_wait_share),
            cpython.partner_wall_ms,
            model.partner_wall_ms,
            cpython.wall_ms - cpython.partner_wall_ms,
            model.wall_ms - model.partner_wall_ms,
        ),
        Claim::Forced => {
            let every = |f: &Figures| {
                if f.forced_per_s > 0.0 {
                    format!("every {:.1} ms", 1000.0 / f.forced_per_s)
                } else {
                    "never".into()
                }
            };
            format!(
                "A forced hand-over came {} on CPython and {} on the model, against a switch \
                 interval of 5 ms: the rest is how long the holder took to see the request. All \
                 hand-overs: {:.0} and {:.0} a second.",
                every(cpython),
                every(model),
                cpython.handovers_per_s,
                model.handovers_per_s,
            )
        }
    }
}

/// Whether the table holds `run` against the others: the notebook's claims are about batches
/// of four tasks.
pub fn considered(run: &RunRecord) -> bool {
    run.experiment.tasks == 4
}

/// Whether `run` ran the experiment's own program: every model run does; a CPython run only
/// when its code is the program the page wrote for its experiment.
pub fn own_program(run: &RunRecord) -> bool {
    run.python
        .as_ref()
        .is_none_or(|p| p.code_hash == code_hash(&program(&run.experiment)))
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The claim.
    pub claim: Claim,
    /// The Rust model's figure.
    pub model: Option<f64>,
    /// CPython's figure, in this browser.
    pub cpython: Option<f64>,
    /// The model's runs the figure comes from (empty without one).
    pub model_runs: Vec<RunId>,
    /// CPython's runs the figure comes from.
    pub cpython_runs: Vec<RunId>,
    /// Why the two differ, when they differ by more than a quarter: in their runs' figures.
    pub why: Option<String>,
}

impl Row {
    /// Whether the two figures differ enough to say why: by more than a quarter.
    pub fn differs(&self) -> bool {
        match (self.model, self.cpython) {
            (Some(m), Some(c)) if m > 0.0 && c > 0.0 => (m / c).ln().abs() > 1.25f64.ln(),
            (Some(m), Some(c)) => m != c,
            _ => false,
        }
    }
}

/// The table from `runs` (oldest first, as the page keeps them): each claim's figure on each
/// engine from that engine's newest finished pair of runs that measures it.
pub fn rows<R: std::ops::Deref<Target = RunRecord>>(runs: &[R]) -> [Row; 6] {
    let of = |cpython: bool| -> Vec<&RunRecord> {
        runs.iter()
            .rev()
            .map(|r| &**r)
            .filter(|r| {
                r.status == RunStatus::Done
                    && (r.build == Build::Cpython) == cpython
                    && r.experiment.serial == 0
                    && considered(r)
                    && own_program(r)
            })
            .collect()
    };
    let (model, python) = (of(false), of(true));
    Claim::ALL.map(|claim| {
        let (m, c) = (claim.pair(&model), claim.pair(&python));
        let (model_value, cpython_value) = (
            m.and_then(|p| p.value(claim)),
            c.and_then(|p| p.value(claim)),
        );
        let ids = |pair: Option<Pair>, value: Option<f64>| {
            pair.filter(|_| value.is_some())
                .map(|p| p.ids())
                .unwrap_or_default()
        };
        let mut row = Row {
            claim,
            model: model_value,
            cpython: cpython_value,
            model_runs: ids(m, model_value),
            cpython_runs: ids(c, cpython_value),
            why: None,
        };
        if let (true, Some(m), Some(c)) = (row.differs(), m, c) {
            row.why = Some(why(claim, &m.figures(), &c.figures()));
        }
        row
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::{Engine, Params};
    use crate::run::record::PythonRun;
    use crate::run::timeline::{RunReport, Span, TaskRef};
    use crate::sim::gil::GilSwitches;

    fn experiment(
        tool: Tool,
        kind: Kind,
        build: Build,
        workers: u32,
        io_ms: u32,
    ) -> crate::experiment::config::Experiment {
        Params {
            tool: Some(tool),
            kind: Some(kind),
            tasks: Some(4),
            workers: Some(workers),
            io_ms: Some(io_ms),
            engine: Some(if build == Build::Cpython {
                Engine::Cpython
            } else {
                Engine::Model
            }),
            ..Params::default()
        }
        .resolve_calibrated(2, Some(50.0))
    }

    /// A finished run: four tasks of `task_ms` each, on `workers` lanes, CPython's with the
    /// experiment's own program.
    fn run(tool: Tool, kind: Kind, build: Build, wall_ms: f64, task_ms: f64) -> RunRecord {
        let workers = if tool == Tool::Threads && kind == Kind::Io {
            4
        } else {
            2
        };
        let e = experiment(tool, kind, build, workers, 100);
        let state = if kind == Kind::Io {
            SpanState::Io
        } else {
            SpanState::Compute
        };
        let spans = (0..4)
            .map(|n| Span::new(TaskRef::Task(n).index(), 0, state, 10.0, 10.0 + task_ms))
            .collect();
        let report = RunReport::finished(e, build, wall_ms, spans);
        let mut record = RunRecord::new(RunId(1), report, None);
        if build == Build::Cpython {
            record.python = Some(PythonRun {
                version: "3.14.2".into(),
                code_hash: code_hash(&program(&e)),
                load_ms: 2000.0,
                output: None,
            });
        }
        record
    }

    fn with_startup(mut r: RunRecord, ms: f64) -> RunRecord {
        let mut spans = (*r.spans).clone();
        spans.push(Span::new(
            TaskRef::Lane.index(),
            1,
            SpanState::Startup,
            0.0,
            ms,
        ));
        r.spans = spans.into();
        r
    }

    fn threads(build: Build, wall_ms: f64, forced: u32, voluntary: u32) -> RunRecord {
        let mut r = run(Tool::Threads, Kind::Cpu, build, wall_ms, 100.0);
        r.gil_switches = Some(GilSwitches {
            forced,
            voluntary,
            picked: false,
        });
        r
    }

    #[test]
    fn each_engine_has_its_own_figures_from_one_pair_of_its_own_runs() {
        let (m, c) = (Build::Plain, Build::Cpython);
        let runs = vec![
            Box::new(run(Tool::Sequential, Kind::Io, m, 400.0, 100.0)),
            Box::new(run(Tool::Async, Kind::Io, m, 100.0, 100.0)),
            Box::new(run(Tool::Sequential, Kind::Cpu, m, 400.0, 100.0)),
            Box::new(run(Tool::Processes, Kind::Cpu, m, 210.0, 100.0)),
            Box::new(threads(m, 410.0, 78, 3)),
            Box::new(run(Tool::Sequential, Kind::Io, c, 404.0, 101.0)),
            Box::new(run(Tool::Async, Kind::Io, c, 101.0, 101.0)),
            Box::new(run(Tool::Sequential, Kind::Cpu, c, 800.0, 200.0)),
            Box::new(run(Tool::Processes, Kind::Cpu, c, 500.0, 220.0)),
            Box::new(threads(c, 920.0, 150, 8)),
            Box::new(run(Tool::Threads, Kind::Io, c, 105.0, 101.0)),
        ];
        let [waits, processes, cpu, gil, io_threads, forced] = rows(&runs);
        assert_eq!((waits.model, waits.cpython), (Some(4.0), Some(4.0)));
        assert!(!waits.differs() && waits.why.is_none());
        assert_eq!(processes.model.map(|r| (r * 100.0).round()), Some(190.0));
        assert_eq!(processes.cpython, Some(1.6));
        // The sequential cpu run's task against the sequential io run's, on each engine.
        assert_eq!(cpu.model, Some(1.0));
        assert_eq!(cpu.cpython.map(|r| (r * 100.0).round()), Some(198.0));
        assert!(cpu.differs(), "a quarter apart or more says why");
        let why = cpu.why.expect("a reason");
        assert!(
            why.contains("took 200 ms on CPython against a 101 ms wait"),
            "{why}"
        );
        // Threads with the GIL: threads ÷ sequential, and their forced hand-overs per second.
        assert_eq!(gil.model.map(|r| (r * 1000.0).round()), Some(1025.0));
        assert_eq!(gil.cpython, Some(1.15));
        assert_eq!(forced.model.map(f64::round), Some(190.0));
        assert_eq!(forced.cpython.map(f64::round), Some(163.0));
        assert_eq!(forced.claim.show(forced.cpython.unwrap_or(0.0)), "163/s");
        // io × 4 on 4 threads: CPython's only; the model has no such run.
        assert_eq!(
            (io_threads.model, io_threads.cpython),
            (None, Some(404.0 / 105.0))
        );
    }

    #[test]
    fn a_pair_matches_its_work_and_an_edited_program_is_not_the_claim() {
        let c = Build::Cpython;
        let mut edited = run(Tool::Async, Kind::Io, c, 100.0, 100.0);
        if let Some(p) = edited.python.as_mut() {
            p.code_hash = code_hash("import asyncio\nprint('mine')\n");
        }
        let mut other_wait = run(Tool::Sequential, Kind::Io, c, 800.0, 200.0);
        other_wait.experiment = experiment(Tool::Sequential, Kind::Io, c, 2, 200);
        if let Some(p) = other_wait.python.as_mut() {
            p.code_hash = code_hash(&program(&other_wait.experiment));
        }
        // The newest sequential run waits 200 ms per task: not the same work as asyncio's 100.
        let runs = vec![
            Box::new(run(Tool::Sequential, Kind::Io, c, 400.0, 100.0)),
            Box::new(run(Tool::Async, Kind::Io, c, 110.0, 100.0)),
            Box::new(edited),
            Box::new(other_wait),
        ];
        let runs: Vec<Box<RunRecord>> = runs
            .into_iter()
            .zip(1..)
            .map(|(mut r, id)| {
                r.id = RunId(id);
                r
            })
            .collect();
        let [waits, ..] = rows(&runs);
        assert_eq!(
            waits.cpython,
            Some(400.0 / 110.0),
            "the edited run is left out"
        );
        assert_eq!(
            waits.cpython_runs,
            [RunId(1), RunId(2)],
            "the page can say which two"
        );
        assert_eq!(waits.model_runs, []);
        assert!(!own_program(&runs[2]));
        assert!(own_program(&runs[0]));
        // Alone, the edited run and a mismatched wait give no figure at all.
        let [waits, ..] = rows(&runs[2..]);
        assert_eq!(waits.cpython, None);
    }

    #[test]
    fn why_they_differ_quotes_the_runs_own_figures() {
        let (m, c) = (Build::Plain, Build::Cpython);
        let model = [
            run(Tool::Sequential, Kind::Cpu, m, 400.0, 100.0),
            run(Tool::Processes, Kind::Cpu, m, 210.0, 100.0),
        ];
        let reasons: Vec<String> = [(20.0, 300.0), (150.0, 600.0)]
            .into_iter()
            .map(|(startup, wall)| {
                let cpython = [
                    run(Tool::Sequential, Kind::Cpu, c, 400.0, 100.0),
                    with_startup(run(Tool::Processes, Kind::Cpu, c, wall, 100.0), startup),
                ];
                let runs: Vec<&RunRecord> = model.iter().chain(cpython.iter()).collect();
                rows(&runs)[1].why.clone().expect("they differ")
            })
            .collect();
        assert!(
            reasons[0].contains("Starting processes took 7 % of CPython's pool run and 0 %"),
            "{}",
            reasons[0]
        );
        assert!(
            reasons[1].contains("Starting processes took 25 % of CPython's pool run"),
            "{}",
            reasons[1]
        );
        assert_ne!(reasons[0], reasons[1]);
        // Threads: the hand-overs per second come from each run's own count.
        let a = threads(m, 400.0, 80, 0);
        let seq = run(Tool::Sequential, Kind::Cpu, m, 400.0, 100.0);
        let fast = [
            threads(c, 1000.0, 100, 0),
            run(Tool::Sequential, Kind::Cpu, c, 700.0, 100.0),
        ];
        let runs: Vec<&RunRecord> = [&a, &seq].into_iter().chain(fast.iter()).collect();
        let why = rows(&runs)[3].why.clone().expect("1.43 against 1.0");
        assert!(
            why.contains("handed the GIL over 100 times a second"),
            "{why}"
        );
        assert!(why.contains("the model's 200 times"), "{why}");
        let forced = rows(&runs)[5].why.clone().expect("100/s against 200/s");
        assert!(
            forced.contains("every 10.0 ms on CPython and every 5.0 ms on the model"),
            "{forced}"
        );
    }

    #[test]
    fn a_figure_needs_its_runs_finished() {
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
        let [waits, processes, cpu, ..] = rows(&runs);
        assert_eq!((waits.model, waits.cpython), (None, None));
        assert_eq!((processes.model, processes.cpython), (None, None));
        assert_eq!(cpu.cpython, None, "no cpu run");
        assert!(!waits.differs());
        assert_eq!(rows::<Box<RunRecord>>(&[])[0].claim, Claim::Waits);
    }
}
