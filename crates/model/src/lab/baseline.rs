//! Which run a run's speedup divides: always a real, earlier (or made-for-it) sequential run of
//! the same work. Nothing is scaled or derived: where no such run exists, there is no speedup.

use crate::experiment::config::{Experiment, Kind, Params, Tool};
use crate::run::record::RunRecord;
use crate::run::timeline::{Build, RunStatus};

/// Whether `base` is a valid baseline for `run`: a finished sequential run of the same work,
/// and `run` finished too (a stopped or failed run did less work than its baseline: no ratio).
/// Waiting costs the same in every build and for any `cpu_iters`, so io work matches on its
/// waits alone; computing is only compared within one build and one `cpu_iters`.
pub fn matches(base: &RunRecord, run: &RunRecord) -> bool {
    fn program(r: &RunRecord) -> Option<&str> {
        r.python.as_ref().map(|p| p.code_hash.as_str())
    }
    // CPython runs compare only with CPython runs of the same program; io work too.
    base.id != run.id
        && base.experiment.engine == run.experiment.engine
        && program(base) == program(run)
        && base.status == RunStatus::Done
        && run.status == RunStatus::Done
        && same_work((&base.experiment, base.build), (&run.experiment, run.build))
}

/// Whether a sequential run of `base` measures the same work as a run of `run`, each with the
/// build that runs it (see [`matches`]).
fn same_work((b, b_build): (&Experiment, Build), (r, r_build): (&Experiment, Build)) -> bool {
    // A race counts, it does not time: no speedup.
    r.kind != Kind::Race
        && b.tool == Tool::Sequential
        && (b.kind, b.tasks, b.io_ms) == (r.kind, r.tasks, r.io_ms)
        && (r.kind == Kind::Io
            || (b_build, b.cpu_iters, b.serial) == (r_build, r.cpu_iters, r.serial))
}

/// Whether `runs` hold a finished baseline for a run of `run` in `build` that has not run yet;
/// for CPython, of the program whose hash is `program`.
pub fn exists<R: AsRef<RunRecord>>(
    runs: &[R],
    run: &Experiment,
    build: Build,
    program: Option<&str>,
) -> bool {
    runs.iter().map(AsRef::as_ref).any(|b| {
        b.status == RunStatus::Done
            && b.experiment.engine == run.engine
            && b.python.as_ref().map(|p| p.code_hash.as_str()) == program
            && same_work((&b.experiment, b.build), (run, build))
    })
}

/// The sequential run of the same work as `run`: its baseline, to run in `run`'s build.
pub fn sequential_of(run: &Experiment) -> Params {
    Params {
        tool: Some(Tool::Sequential),
        kind: Some(run.kind),
        tasks: Some(run.tasks),
        io_ms: Some(run.io_ms),
        cpu_iters: Some(run.cpu_iters),
        serial: Some(run.serial),
        ..Params::default()
    }
}

/// The baseline of `run` among `runs` (oldest first): the newest matching run before it, else a
/// run the page made as its baseline.
pub fn find<'a, R: AsRef<RunRecord>>(runs: &'a [R], run: &RunRecord) -> Option<&'a RunRecord> {
    let runs = || runs.iter().map(AsRef::as_ref);
    runs()
        .rev()
        .find(|b| b.id < run.id && matches(b, run))
        .or_else(|| runs().find(|b| b.baseline_for == Some(run.id) && matches(b, run)))
}

/// The baseline the page should run for `run`, when it has none but the visitor did run
/// sequential for the same work in the other build (an isolated page runs sequential in the
/// threads build, async and processes in the plain one): the same work, sequential, in `run`'s
/// build. `None` when a baseline exists, or nobody asked for a comparison.
pub fn missing<R: AsRef<RunRecord>>(runs: &[R], run: &RunRecord) -> Option<(Params, Build)> {
    let r = &run.experiment;
    if r.tool == Tool::Sequential
        || run.build == Build::Cpython
        || run.status != RunStatus::Done
        || matches!(r.kind, Kind::Io | Kind::Race)
    {
        return None;
    }
    if find(runs, run).is_some() {
        return None;
    }
    let asked = runs.iter().map(AsRef::as_ref).any(|base| {
        let b = &base.experiment;
        b.tool == Tool::Sequential
            && base.status == RunStatus::Done
            && base.build != run.build
            && (b.kind, b.tasks, b.io_ms, b.serial) == (r.kind, r.tasks, r.io_ms, r.serial)
    });
    asked.then(|| (sequential_of(r), run.build))
}

/// Why `run` shows no speedup, for the "—" cell's tooltip.
pub fn why_none(run: &RunRecord) -> String {
    if run.status != RunStatus::Done {
        return "No speedup: the run did not finish.".into();
    }
    let e = &run.experiment;
    let work = format!("{} × {}, io_ms={}", e.kind.as_str(), e.tasks, e.io_ms);
    if e.kind == Kind::Io {
        format!("No speedup yet: run sequential with the same work ({work}) to get one.")
    } else {
        format!(
            "No speedup yet: it needs a sequential run of the same work ({work}, cpu_iters={}) \
             in the {} build.",
            e.cpu_iters,
            run.build.as_str()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::id::RunId;
    use crate::run::timeline::RunReport;

    /// A finished run of `experiment` in `build`, `wall_ms` long, with no spans: what the
    /// tests of baselines compare.
    fn record(id: u32, experiment: Experiment, build: Build, wall_ms: f64) -> RunRecord {
        let report = RunReport::finished(experiment, build, wall_ms, Vec::new());
        RunRecord::new(RunId(id), report, None)
    }

    fn rec(id: u32, tool: Tool, kind: Kind, build: Build, cpu_iters: u64) -> RunRecord {
        let experiment = Experiment {
            tool,
            kind,
            cpu_iters,
            serial: 0,
            ..Params::default().resolve_calibrated(2, Some(1.0))
        };
        record(id, experiment, build, 100.0 * f64::from(id))
    }

    #[test]
    fn io_matches_across_builds_and_calibrations() {
        let seq = rec(1, Tool::Sequential, Kind::Io, Build::Atomics, 111);
        let asy = rec(2, Tool::Async, Kind::Io, Build::Plain, 222);
        assert_eq!(
            find(&[seq.clone(), asy.clone()], &asy).map(|b| b.id),
            Some(RunId(1))
        );
    }

    #[test]
    fn cpu_matches_only_within_one_build_and_cpu_iters() {
        let seq = rec(1, Tool::Sequential, Kind::Cpu, Build::Atomics, 100);
        let proc = rec(2, Tool::Processes, Kind::Cpu, Build::Plain, 100);
        let runs = [seq.clone(), proc.clone()];
        assert!(find(&runs, &proc).is_none(), "never across builds");
        let other_iters = rec(3, Tool::Sequential, Kind::Cpu, Build::Plain, 101);
        assert!(!matches(&other_iters, &proc));
        let thr = rec(4, Tool::Threads, Kind::Cpu, Build::Atomics, 100);
        assert_eq!(
            find(&[seq, proc, thr.clone()], &thr).map(|b| b.id),
            Some(RunId(1))
        );
    }

    #[test]
    fn the_newest_earlier_run_wins_and_failed_runs_never_count() {
        let a = rec(1, Tool::Sequential, Kind::Io, Build::Plain, 1);
        let mut b = rec(2, Tool::Sequential, Kind::Io, Build::Plain, 1);
        let c = rec(3, Tool::Async, Kind::Io, Build::Plain, 1);
        assert_eq!(
            find(&[a.clone(), b.clone(), c.clone()], &c).map(|r| r.id),
            Some(RunId(2))
        );
        b.status = RunStatus::Stopped;
        assert_eq!(find(&[a, b, c.clone()], &c).map(|r| r.id), Some(RunId(1)));
        let later = rec(4, Tool::Sequential, Kind::Io, Build::Plain, 1);
        assert!(find(&[c.clone(), later], &c).is_none(), "not a later run");
    }

    #[test]
    fn a_missing_cpu_baseline_is_run_in_the_runs_build_only_when_asked_for() {
        let seq = rec(1, Tool::Sequential, Kind::Cpu, Build::Atomics, 100);
        let proc = rec(2, Tool::Processes, Kind::Cpu, Build::Plain, 90);
        assert!(
            missing(std::slice::from_ref(&proc), &proc).is_none(),
            "nobody asked"
        );
        let (params, build) = missing(&[seq.clone(), proc.clone()], &proc).expect("a baseline");
        assert_eq!(build, Build::Plain);
        assert_eq!(params.tool, Some(Tool::Sequential));
        assert_eq!(params.cpu_iters, Some(90));
        let mut made = rec(3, Tool::Sequential, Kind::Cpu, Build::Plain, 90);
        made.baseline_for = Some(RunId(2));
        let runs = [seq, proc.clone(), made];
        assert_eq!(find(&runs, &proc).map(|b| b.id), Some(RunId(3)));
        assert!(missing(&runs, &proc).is_none());
    }

    #[test]
    fn speedup_is_the_ratio_of_the_two_recorded_walls() {
        let seq = rec(4, Tool::Sequential, Kind::Io, Build::Plain, 1);
        let mut asy = rec(1, Tool::Async, Kind::Io, Build::Plain, 1);
        asy.id = RunId(5);
        asy.set_baseline(&seq);
        assert_eq!(asy.baseline_run, Some(RunId(4)));
        assert_eq!(asy.speedup, Some(4.0));
        assert!(
            why_none(&rec(6, Tool::Processes, Kind::Cpu, Build::Plain, 7)).contains("plain build")
        );
    }
}
