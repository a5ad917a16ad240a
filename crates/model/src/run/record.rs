//! `RunRecord`: the one record of a finished run. The runs table's `data-*` attributes, the
//! `run-finished` message to an embedding page, the JSON export and the CSV export are all made
//! from it, so they carry the same fields with the same precision.

use crate::experiment::config::Experiment;
use crate::experiment::params::Field;
use crate::json::{Fields, FromJson, Json, ToJson};
use crate::run::id::RunId;
use crate::run::prediction::Prediction;
use crate::run::timeline::{Build, Counts, RunReport, RunStatus, Span};
use crate::sim::gil::{GilEvent, GilSwitches};
use std::rc::Rc;

/// A finished run, as every consumer sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    /// Its number on this page.
    pub id: RunId,
    /// What ran (its fields sit at the top level of the JSON, as the message contract has them).
    pub experiment: Experiment,
    /// Wall time, ms, to the µs.
    pub wall_ms: f64,
    /// How it ended.
    pub status: RunStatus,
    /// Which build ran it.
    pub build: Build,
    /// Threads of the pool that really ran (1 without a pool).
    pub pool_threads: u32,
    /// The baseline's wall over this run's (both as recorded here), when a baseline exists.
    pub speedup: Option<f64>,
    /// The run whose wall `speedup` divides: a sequential run of the same work.
    pub baseline_run: Option<RunId>,
    /// Set when this run is a baseline the page ran for that run.
    pub baseline_for: Option<RunId>,
    /// Tasks that finished.
    pub tasks_done: u32,
    /// Wrapping sum of every cpu task's result, as a string (it may exceed 2^53).
    pub checksum: u64,
    /// Whether the run paid for starting its workers (processes).
    pub paid_startup: bool,
    /// Sum of every task's own duration, ms.
    pub task_time_ms: f64,
    /// Longest stall of a wait behind a busy event loop, ms.
    pub late_ms: f64,
    /// Lanes that ran something.
    pub lanes: u32,
    /// GIL hand-overs with a waiter (threads, GIL on).
    pub gil_switches: Option<GilSwitches>,
    /// Shared-clock start, ms.
    pub started_at: f64,
    /// Why it ended as it did, or a remark.
    pub message: Option<String>,
    /// Every span, shared with the timeline (ten thousand spans are not copied per render).
    pub spans: Rc<Vec<Span>>,
    /// Every GIL acquire, release and forced drop, in time order (threads with the GIL on).
    pub gil_events: Rc<Vec<GilEvent>>,
    /// The race experiment's counters (`kind=race`).
    pub counts: Option<Counts>,
    /// What ran it when CPython did (`engine=cpython`).
    pub python: Option<PythonRun>,
    /// The learner's guess of the speedup and what it met, when they guessed.
    pub prediction: Option<Prediction>,
}

/// What a CPython run adds to its record: which interpreter ran which code.
#[derive(Clone, Debug, PartialEq)]
pub struct PythonRun {
    /// `sys.version` of the interpreter, e.g. `3.14.2`.
    pub version: String,
    /// The program's hash ([`crate::python::cpython::code_hash`]): runs compare only with runs
    /// of the same program.
    pub code_hash: String,
    /// How long the interpreter took to load, ms (from its worker's start to ready).
    pub load_ms: f64,
    /// What the program printed (stdout and stderr, its traceback included), as the page's
    /// output panel keeps it; `None` in records written before runs carried it.
    pub output: Option<Output>,
}

/// What a CPython run's program printed, as the page keeps it: at most 64 K characters (the
/// page's cap), and whether the rest was cut.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    /// The text.
    pub text: String,
    /// Whether the program printed more than the text (cut by the page, or by CPython's worker,
    /// whose last piece then ends with the line `[output cut at 64 KB]`).
    pub cut: bool,
}

/// So that code over records takes them shared (`Rc`) or not alike.
impl AsRef<RunRecord> for RunRecord {
    fn as_ref(&self) -> &RunRecord {
        self
    }
}

/// Rounds to the µs: the one precision of every time in a record.
fn micros(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

impl RunRecord {
    /// The lane of the program's main thread in a CPython run that started threads: the one
    /// after its threads' lanes, where the harness puts it (the model's threads runs have no
    /// main thread on the timeline). `None` elsewhere.
    pub fn main_thread_lane(&self) -> Option<u32> {
        if self.build != Build::Cpython || self.gil_switches.is_none() {
            return None;
        }
        self.gil_events.iter().map(|e| e.lane).max()
    }

    /// The record of run `id` from its report, with figures computed once from the spans.
    pub fn new(id: RunId, report: RunReport, baseline_for: Option<RunId>) -> Self {
        let task_time = crate::run::stats::task_time_sum(&report.spans);
        RunRecord {
            id,
            experiment: report.experiment,
            wall_ms: micros(report.wall_ms),
            status: report.status,
            build: report.build,
            pool_threads: report.pool_threads,
            speedup: None,
            baseline_run: None,
            baseline_for,
            tasks_done: report.tasks_done,
            checksum: report.checksum,
            paid_startup: report.paid_startup,
            task_time_ms: micros(task_time),
            late_ms: micros(crate::run::stats::max_lateness(&report.spans)),
            lanes: crate::run::stats::lanes_used(&report.spans) as u32,
            gil_switches: report.gil_switches,
            started_at: report.started_at,
            message: report.message,
            spans: Rc::new(report.spans),
            gil_events: Rc::new(report.gil_events),
            counts: report.counts,
            python: None,
            prediction: None,
        }
    }

    /// Names this run's baseline and sets the speedup from the two recorded walls.
    pub fn set_baseline(&mut self, baseline: &RunRecord) {
        self.baseline_run = Some(baseline.id);
        self.speedup = crate::run::stats::speedup(baseline.wall_ms, self.wall_ms)
            .map(|s| (s * 1e4).round() / 1e4);
        if let Some(p) = self.prediction.as_mut() {
            p.measure(self.speedup);
        }
    }

    /// Task time over wall time: how many tasks ran at once on average.
    pub fn overlap(&self) -> f64 {
        if self.wall_ms > 0.0 {
            self.task_time_ms / self.wall_ms
        } else {
            0.0
        }
    }

    /// Every field but the spans, as (CSV column, `data-*` attribute, text), in one order and
    /// one precision. Absent values are empty.
    pub fn fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let opt = |v: Option<String>| v.unwrap_or_default();
        let e = &self.experiment;
        let switches = self.gil_switches;
        let mut fields = vec![("id", "data-run-id", self.id.to_string())];
        fields.extend(
            Field::SHOWN.map(|f| (f.json_key(), f.row_attribute(), e.value(f).to_string())),
        );
        fields.extend([
            ("wall_ms", "data-wall-ms", format!("{:.3}", self.wall_ms)),
            ("status", "data-status", self.status.as_str().into()),
            ("build", "data-build", self.build.as_str().into()),
            (
                "pool_threads",
                "data-pool-threads",
                self.pool_threads.to_string(),
            ),
            (
                "speedup",
                "data-speedup",
                opt(self.speedup.map(|s| format!("{s:.4}"))),
            ),
            (
                "baseline_run",
                "data-baseline-run",
                opt(self.baseline_run.map(|r| r.to_string())),
            ),
            (
                "baseline_for",
                "data-baseline-for",
                opt(self.baseline_for.map(|r| r.to_string())),
            ),
            ("tasks_done", "data-tasks-done", self.tasks_done.to_string()),
            ("checksum", "data-checksum", self.checksum.to_string()),
            (
                "paid_startup",
                "data-paid-startup",
                self.paid_startup.to_string(),
            ),
            (
                "task_time_ms",
                "data-task-time-ms",
                format!("{:.3}", self.task_time_ms),
            ),
            ("late_ms", "data-late-ms", format!("{:.3}", self.late_ms)),
            ("lanes", "data-lanes", self.lanes.to_string()),
            (
                "gil_forced",
                "data-gil-forced",
                // `0` where nothing was handed over: the GIL off, or a tool without one.
                switches.map_or(0, |s| s.forced).to_string(),
            ),
            (
                "gil_voluntary",
                "data-gil-voluntary",
                switches.map_or(0, |s| s.voluntary).to_string(),
            ),
            (
                "expected_count",
                "data-expected-count",
                opt(self.counts.as_ref().map(|c| c.expected.to_string())),
            ),
            (
                "final_count",
                "data-final-count",
                opt(self.counts.as_ref().map(|c| c.final_count.to_string())),
            ),
            (
                "own_counts",
                "data-own-counts",
                self.counts
                    .as_ref()
                    .map(|c| {
                        let own: Vec<String> = c.own.iter().map(u64::to_string).collect();
                        own.join(" ")
                    })
                    .unwrap_or_default(),
            ),
            (
                "python_version",
                "data-python-version",
                opt(self.python.as_ref().map(|p| p.version.clone())),
            ),
            (
                "code_hash",
                "data-code-hash",
                opt(self.python.as_ref().map(|p| p.code_hash.clone())),
            ),
            (
                "load_ms",
                "data-load-ms",
                opt(self.python.as_ref().map(|p| format!("{:.3}", p.load_ms))),
            ),
            (
                "prediction_guess",
                "data-prediction-guess",
                opt(self.prediction.map(|p| p.guess.to_string())),
            ),
            (
                "prediction_error",
                "data-prediction-error",
                opt(self
                    .prediction
                    .and_then(|p| p.error)
                    .map(|e| format!("{e:.4}"))),
            ),
            // Last: the one free text, as every CSV before the guesses had it.
            ("message", "data-message", opt(self.message.clone())),
        ]);
        fields
    }
}

/// Every run as a JSON array (spans included): the export, in the message's shape.
pub fn runs_json(runs: &[RunRecord]) -> String {
    runs.to_json().write_pretty()
}

/// The largest run file "Open a run" reads: a 10 000-task run's export is about 2 MB.
pub const MAX_RUN_FILE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Reads runs from a file: the JSON export (an array of runs), one run, or a `run-finished`
/// message (`{run}`). Says what is wrong otherwise.
pub fn parse_runs(text: &str) -> Result<Vec<RunRecord>, String> {
    let not_json = |e: String| format!("This is not JSON ({e}).");
    let not_a_run = |e: String| format!("This is not a run exported by the playground ({e}).");
    let runs = if text.trim_start().starts_with('[') {
        // An export, read a run at a time: a file of many runs is never one tree in memory.
        let mut runs = Vec::new();
        let mut wrong = None;
        // A wrong run stops the reading; its error is kept apart from the reader's own.
        let read = Json::parse_each(text, |value| match RunRecord::from_json(&value) {
            Ok(run) => {
                runs.push(run);
                Ok(())
            }
            Err(e) => {
                wrong = Some(format!("[{}]: {e}", runs.len()));
                Err(String::new())
            }
        });
        match (read, wrong) {
            (_, Some(e)) => return Err(not_a_run(e)),
            (Err(e), None) => return Err(not_json(e)),
            (Ok(()), None) => runs,
        }
    } else {
        let value = Json::parse(text).map_err(not_json)?;
        let run = value.get("run").unwrap_or(&value);
        vec![RunRecord::from_json(run).map_err(not_a_run)?]
    };
    if runs.is_empty() {
        return Err("The file holds no runs.".into());
    }
    if let Some(bad) = runs.iter().find(|r| {
        r.spans
            .iter()
            .any(|s| !(s.start.is_finite() && s.end.is_finite() && s.end >= s.start))
    }) {
        return Err(format!(
            "Run {} has a span that ends before it starts.",
            bad.id
        ));
    }
    Ok(runs)
}

impl ToJson for RunRecord {
    fn to_json(&self) -> Json {
        // The experiment's fields sit at the top level, as the message contract has them.
        let mut fields = vec![("id".to_string(), self.id.to_json())];
        fields.extend(self.experiment.json_fields());
        let mut record = Json::Obj(fields);
        for (key, value) in [
            ("wall_ms", self.wall_ms.to_json()),
            ("status", self.status.to_json()),
            ("build", self.build.to_json()),
            ("pool_threads", self.pool_threads.to_json()),
            ("speedup", self.speedup.to_json()),
            ("baseline_run", self.baseline_run.to_json()),
            ("baseline_for", self.baseline_for.to_json()),
            ("tasks_done", self.tasks_done.to_json()),
            // As a string: it may exceed 2^53, where a page's JavaScript would round it.
            ("checksum", self.checksum.to_string().to_json()),
            ("paid_startup", self.paid_startup.to_json()),
            ("task_time_ms", self.task_time_ms.to_json()),
            ("late_ms", self.late_ms.to_json()),
            ("lanes", self.lanes.to_json()),
            ("gil_switches", self.gil_switches.to_json()),
            ("started_at", self.started_at.to_json()),
            ("message", self.message.to_json()),
            ("spans", self.spans.to_json()),
            ("gil_events", self.gil_events.to_json()),
            ("counts", self.counts.to_json()),
            (
                "python_version",
                self.python.as_ref().map(|p| p.version.clone()).to_json(),
            ),
            (
                "code_hash",
                self.python.as_ref().map(|p| p.code_hash.clone()).to_json(),
            ),
            ("load_ms", self.python.as_ref().map(|p| p.load_ms).to_json()),
        ] {
            record.push(key, value);
        }
        // Only for CPython runs: exports of the model's runs stay as they were, byte for byte.
        if let Some(output) = self.python.as_ref().and_then(|p| p.output.as_ref()) {
            record.push("output", output.text.to_json());
            record.push("output_cut", output.cut.to_json());
        }
        // Only when predicted: exports of runs without a guess stay as they were, byte for byte.
        if let Some(p) = &self.prediction {
            record.push("prediction", p.to_json());
        }
        record
    }
}

impl FromJson for RunRecord {
    fn from_json(value: &Json) -> Result<Self, String> {
        let f = Fields::of(value, "a run")?;
        let checksum: String = f.req("checksum")?;
        Ok(RunRecord {
            id: f.req("id")?,
            experiment: Experiment::from_fields(&f)?,
            wall_ms: f.req("wall_ms")?,
            status: f.req("status")?,
            build: f.req("build")?,
            pool_threads: f.req("pool_threads")?,
            speedup: f.req("speedup")?,
            baseline_run: f.req("baseline_run")?,
            baseline_for: f.req("baseline_for")?,
            tasks_done: f.req("tasks_done")?,
            checksum: checksum
                .parse()
                // Quoted as JSON writes it: Rust's `{:?}` of a string would bring its escaping
                // tables into the page's module (1 KB) for this one message.
                .map_err(|_| {
                    let given = Json::Str(checksum.clone()).write();
                    format!("`checksum`: {given} is not a whole number")
                })?,
            paid_startup: f.req("paid_startup")?,
            task_time_ms: f.req("task_time_ms")?,
            late_ms: f.req("late_ms")?,
            lanes: f.req("lanes")?,
            gil_switches: f.req("gil_switches")?,
            started_at: f.req("started_at")?,
            message: f.req("message")?,
            spans: f.req("spans")?,
            gil_events: f.or_default("gil_events")?,
            counts: f.req("counts")?,
            python: {
                let version: Option<String> = f.or_default("python_version")?;
                match version {
                    Some(version) => Some(PythonRun {
                        version,
                        code_hash: f.req("code_hash")?,
                        load_ms: f.req("load_ms")?,
                        output: {
                            let text: Option<String> = f.or_default("output")?;
                            match text {
                                Some(text) => Some(Output {
                                    text,
                                    cut: f.or_default("output_cut")?,
                                }),
                                None => None,
                            }
                        },
                    }),
                    None => None,
                }
            },
            prediction: f.req("prediction")?,
        })
    }
}

/// Every run as CSV, one line per run, without spans.
pub fn runs_csv(runs: &[RunRecord]) -> String {
    let mut out = String::new();
    let columns: Vec<&str> = match runs.first() {
        Some(r) => r.fields().iter().map(|(c, _, _)| *c).collect(),
        None => return "id\n".into(),
    };
    out.push_str(&columns.join(","));
    out.push('\n');
    for r in runs {
        let cells: Vec<String> = r
            .fields()
            .into_iter()
            .map(|(_, _, v)| csv_cell(&v))
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// Quotes a cell that holds a comma, quote or line break.
fn csv_cell(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::{Kind, Params, Tool};
    use crate::run::timeline::SpanState;

    fn report(tool: Tool, kind: Kind, build: Build, wall_ms: f64) -> RunReport {
        let experiment = Experiment {
            tool,
            kind,
            ..Params::default().resolve_calibrated(2, Some(1.0))
        };
        RunReport {
            streamed: 0,
            experiment,
            status: RunStatus::Done,
            build,
            started_at: 1000.0,
            wall_ms,
            spans: vec![Span::new(0, 0, SpanState::Io, 1000.0, 1200.0)],
            pool_threads: 1,
            paid_startup: false,
            tasks_done: 4,
            checksum: u64::MAX,
            message: Some("a, \"quoted\" remark".into()),
            gil_switches: None,
            gil_events: Vec::new(),
            counts: None,
        }
    }

    #[test]
    fn one_record_for_attributes_message_json_and_csv() {
        let seq = RunRecord::new(
            RunId(1),
            report(Tool::Sequential, Kind::Io, Build::Plain, 800.0004),
            None,
        );
        let mut run = RunRecord::new(
            RunId(2),
            report(Tool::Async, Kind::Io, Build::Plain, 200.1236),
            None,
        );
        run.set_baseline(&seq);
        assert_eq!(run.wall_ms, 200.124);
        assert_eq!(run.speedup, Some(3.9975));
        assert_eq!(run.baseline_run, Some(RunId(1)));
        let attrs = run.fields();
        let get = |k: &str| attrs.iter().find(|(c, _, _)| *c == k).unwrap().2.clone();
        assert_eq!(get("wall_ms"), "200.124");
        assert_eq!(get("baseline_run"), "1");
        assert_eq!(get("checksum"), u64::MAX.to_string());
        let message: serde_json::Value =
            serde_json::from_str(&crate::wire::host::run_finished_message(&run, None)).unwrap();
        assert_eq!(message["type"], "run-finished");
        assert_eq!(message["run"]["wall_ms"], 200.124);
        assert_eq!(message["run"]["tool"], "async");
        assert_eq!(message["run"]["checksum"], u64::MAX.to_string());
        assert_eq!(message["run"]["spans"][0]["state"], "io");
        let export: serde_json::Value =
            serde_json::from_str(&runs_json(&[seq.clone(), run.clone()])).unwrap();
        assert_eq!(export[1]["checksum"], u64::MAX.to_string());
        assert_eq!(export[1]["baseline_run"], 1);
        let from_file = parse_runs(&runs_json(&[seq.clone(), run.clone()])).unwrap();
        assert_eq!(from_file, vec![seq.clone(), run.clone()]);
        let message = crate::wire::host::run_finished_message(&run, None);
        assert_eq!(parse_runs(&message).unwrap(), vec![run.clone()]);
        assert!(parse_runs("[]").unwrap_err().contains("no runs"));
        assert!(parse_runs("{\"id\": 1}").unwrap_err().contains("not a run"));
        assert!(parse_runs("nope").unwrap_err().contains("not JSON"));
        assert!(parse_runs("[{\"id\": 1}, 2]")
            .unwrap_err()
            .contains("not a run"));
        let mut bad_sum = Json::parse(&message).unwrap();
        if let Some(Json::Obj(fields)) = bad_sum.get("run").cloned().map(|mut r| {
            if let Json::Obj(f) = &mut r {
                f.retain(|(k, _)| k != "checksum");
                f.push(("checksum".into(), "12x".to_json()));
            }
            r
        }) {
            bad_sum = Json::Obj(vec![("run".into(), Json::Obj(fields))]);
        }
        assert!(parse_runs(&bad_sum.write())
            .unwrap_err()
            .contains("`checksum`: \"12x\" is not a whole number"));
        let csv = runs_csv(&[seq, run]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("id,tool,kind,tasks"));
        assert!(lines[2].contains(",200.124,"));
        assert!(lines[2].ends_with("\"a, \"\"quoted\"\" remark\""));
    }
}
