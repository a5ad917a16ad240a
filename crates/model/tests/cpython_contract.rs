//! What CPython in the page writes in JavaScript (`www/python/protocol.js`, used by its worker,
//! its pool and its processes) and in Python (the harness, `www/python/playground/`), held to what
//! Rust declares (`model::wire::worker`, `model::wire::cpython`, `model::run::timeline`):
//!
//! - every JSON message CPython's worker and its processes write or read is in
//!   `fixtures/cpython-messages.json`, which Rust's decoder reads and writes back unchanged;
//! - `protocol.js`, run in Node.js, and the harness, run in the machine's `python3`, write exactly
//!   those documents, and `protocol.js` reads each message it receives as it stands there;
//! - the harness runs the experiment's program at home and Rust reads its report;
//! - every number and name JavaScript or Python repeats equals Rust's (a test changes one in a
//!   copy of the files and sees it named).
//!
//! Node.js and python3 are prerequisites of the project (docs/testing.md).

use model::experiment::config::{Engine, Kind, Params, Tool};
use model::json::ToJson;
use model::python::cpython::program;
use model::run::timeline::{Build, RunStatus, SpanState, TaskRef};
use model::wire::cpython::{
    FromProcess, ToProcess, BOX_BYTES, HEAD_BYTES, HEAD_WORDS, MAX_PROCESSES, PRINT_BYTES,
};
use model::wire::worker::{FromWorker, ToWorker, MAX_OUTPUT_CHARS};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: &str = include_str!("fixtures/cpython-messages.json");

fn fixtures_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cpython-messages.json")
}

/// `www/python` of this checkout.
fn www_python() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/python")
}

/// The fixtures, by name: "<who> to <whom>: <what>".
fn fixtures() -> serde_json::Map<String, Value> {
    match serde_json::from_str(FIXTURES).expect("the fixtures are JSON") {
        Value::Object(map) => map,
        _ => panic!("the fixtures are an object of messages"),
    }
}

/// Reads `text` with the Rust type its sender and receiver speak, and writes it again.
fn through_rust(name: &str, text: &str) -> Result<String, String> {
    match name.split(':').next().unwrap_or_default() {
        "page to worker" => ToWorker::decode(text).map(|m| m.encode()),
        "worker to page" | "harness to page" => FromWorker::decode(text).map(|m| m.encode()),
        "worker to process" => ToProcess::decode(text).map(|m| m.encode()),
        "process to worker" => FromProcess::decode(text).map(|m| m.encode()),
        other => Err(format!("no sender and receiver named `{other}`")),
    }
}

/// The messages JavaScript writes, and those it reads.
fn written_by_js(name: &str) -> bool {
    name.starts_with("worker to ") || name.starts_with("process to ")
}
fn read_by_js(name: &str) -> bool {
    [
        "page to worker:",
        "worker to process:",
        "process to worker:",
    ]
    .iter()
    .any(|to| name.starts_with(to))
}

/// The same document with every number as a float: JavaScript writes `0.0` as `0`, Python
/// writes `0` for an int, and Rust reads either into its field's type.
fn numbers_as_floats(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.iter().map(numbers_as_floats).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), numbers_as_floats(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Runs `command`, which must succeed; its standard output.
fn output_of(mut command: Command, what: &str) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{what} could not start ({e}): a prerequisite is missing"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What Node.js makes of `protocol.js` in `dir`: `written` (each message it writes, by fixture
/// name), `read` (what its reader makes of each fixture it receives) and `numbers`.
const NODE_SCRIPT: &str = r#"
import { readFileSync } from "node:fs";
const m = await import(process.env.PROTOCOL);
const fixtures = JSON.parse(readFileSync(process.env.FIXTURES, "utf8"));
const written = {
  "worker to page: loading": m.loading(0, 13034567),
  "worker to page: ready": m.ready(1764172800001.25, 1764172802500.5, "3.14.2"),
  "worker to page: output": m.output(3, "waited 0\n\"é\" 😀\t\u0001\n"),
  "worker to page: output cut": m.output(3, `x${m.OUTPUT_CUT}`),
  "worker to page: failed (a run)": m.failed(3, "the harness failed: boom"),
  "worker to page: failed (the interpreter)": m.failed(null, "CPython did not load: no network"),
  "worker to process: start": m.start(1),
  "process to worker: ready": m.processReady(1764172802600.5),
  "process to worker: failed": m.processFailed("CPython did not load: no network"),
};
const read = {};
for (const [name, doc] of Object.entries(fixtures)) read[name] = m.read(JSON.stringify(doc));
const { MAX_OUTPUT, MAX_PROCESSES, BOX, HEAD, WORD, PRINTS } = m;
console.log(JSON.stringify({ written, read, numbers: { MAX_OUTPUT, MAX_PROCESSES, BOX, HEAD, WORD, PRINTS } }));
"#;

/// What python3 makes of the harness (the package `playground` under `dir`): `written` (each
/// message it writes, by fixture name) and `numbers`.
const PYTHON_SCRIPT: &str = r#"
import json, os
from playground import harness

fixtures = json.load(open(os.environ["FIXTURES"], encoding="utf-8"))
report = fixtures["harness to page: finished"]["finished"]["report"]
state = harness.STATE_OF_KIND
t = 1764172800000
drawn = [
    (harness.TASK_LANE, 1, harness.STARTUP, t + 100.5, t + 300.25),
    (harness.SERIAL_TASK, 0, state["serial"], t + 300.25, t + 400.5),
    (0, 1, harness.COPY, t + 400.5, t + 401.75),
    (0, 1, state["cpu"], t + 401.75, t + 600.5),
    (1, 0, state["io"], t + 401.5, t + 601.5),
]
written = {
    "harness to page: calibrated": harness.calibrated_message([2.5, 2.0, 3.875, 2.5, 2.25]),
    "harness to page: finished": harness.finished_message(
        3, report["experiment"], "error", report["message"], t + 100.5, 812.25, drawn, True, 3
    ),
}
numbers = {
    "SERIAL_TASK": harness.SERIAL_TASK,
    "TASK_LANE": harness.TASK_LANE,
    "states": sorted(set(state.values()) | {harness.STARTUP, harness.COPY}),
}
print(json.dumps({"written": written, "numbers": numbers}))
"#;

/// Runs `protocol.js` of `dir` in Node.js.
fn run_js(dir: &Path) -> Value {
    let protocol = dir.join("protocol.js").canonicalize().unwrap();
    let mut node = Command::new("node");
    node.args(["--input-type=module", "-e", NODE_SCRIPT])
        .env("PROTOCOL", format!("file://{}", protocol.display()))
        .env("FIXTURES", fixtures_path());
    parse(&output_of(node, "node (www/python/protocol.js)"))
}

/// Runs the harness of `dir` in python3.
fn run_python(dir: &Path) -> Value {
    let mut python = Command::new("python3");
    python
        .args(["-c", PYTHON_SCRIPT])
        .env("PYTHONPATH", dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("FIXTURES", fixtures_path());
    parse(&output_of(python, "python3 (www/python/playground)"))
}

#[test]
fn every_message_of_cpythons_worker_and_its_processes_reads_back_the_same() {
    let fixtures = fixtures();
    for (name, document) in &fixtures {
        let text = document.to_string();
        let again = through_rust(name, &text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parse(&again), *document, "{name}");
    }
    // Each message CPython's side speaks is there: every variant its worker sends or receives.
    let names: Vec<&str> = fixtures.keys().map(String::as_str).collect();
    for wanted in [
        "page to worker: calibrate",
        "page to worker: run-code",
        "page to worker: cancel",
        "worker to page: loading",
        "worker to page: ready",
        "worker to page: output",
        "worker to page: failed (a run)",
        "harness to page: calibrated",
        "harness to page: finished",
        "worker to process: start",
        "process to worker: ready",
        "process to worker: failed",
    ] {
        assert!(names.contains(&wanted), "no fixture `{wanted}`");
    }
}

#[test]
fn protocol_js_writes_and_reads_the_fixtures() {
    let fixtures = fixtures();
    let js = run_js(&www_python());
    let written = js["written"].as_object().unwrap();
    for (name, document) in &fixtures {
        if written_by_js(name) {
            let text = written[name]
                .as_str()
                .unwrap_or_else(|| panic!("protocol.js writes no `{name}`"));
            // Rust reads what JavaScript wrote.
            through_rust(name, text).unwrap_or_else(|e| panic!("{name}: {e}: {text}"));
            assert_eq!(
                numbers_as_floats(&parse(text)),
                numbers_as_floats(document),
                "{name}"
            );
        }
        if read_by_js(name) {
            let (tag, fields) = match document {
                Value::String(tag) => (tag.clone(), json!({})),
                Value::Object(map) => {
                    let (tag, fields) = map.iter().next().unwrap();
                    (tag.clone(), fields.clone())
                }
                _ => unreachable!(),
            };
            assert_eq!(
                numbers_as_floats(&js["read"][name]),
                numbers_as_floats(&json!([tag, fields])),
                "{name}"
            );
        }
    }
    for name in written.keys() {
        assert!(fixtures.contains_key(name), "`{name}` has no fixture");
    }
}

#[test]
fn the_harness_writes_the_fixtures_report_and_calibration() {
    let fixtures = fixtures();
    let python = run_python(&www_python());
    let written = python["written"].as_object().unwrap();
    for (name, document) in fixtures.iter().filter(|(n, _)| n.starts_with("harness")) {
        let text = written[name]
            .as_str()
            .unwrap_or_else(|| panic!("the harness writes no `{name}`"));
        through_rust(name, text).unwrap_or_else(|e| panic!("{name}: {e}: {text}"));
        assert_eq!(
            numbers_as_floats(&parse(text)),
            numbers_as_floats(document),
            "{name}"
        );
    }
}

/// The harness runs the experiment's own program in the machine's CPython (its clock stood in
/// for by a `js` module of the test's), and Rust reads its report as the page would.
#[test]
fn the_harness_runs_the_experiments_program_and_rust_reads_its_report() {
    const RUN: &str = r#"
import asyncio, json, os, sys, time, types

js = types.ModuleType("js")
js.performance = types.SimpleNamespace(timeOrigin=1764172800000.0, now=lambda: time.perf_counter() * 1000)
sys.modules["js"] = js
from playground import harness

print(asyncio.run(harness.run(7, os.environ["CODE"], os.environ["EXPERIMENT"])))
"#;
    let cases = [
        (Tool::Sequential, Kind::Io, 0),
        (Tool::Async, Kind::Io, 0),
        (Tool::Threads, Kind::Mixed, 0),
        (Tool::Sequential, Kind::Cpu, 50),
    ];
    for (tool, kind, serial) in cases {
        let mut e = Params {
            tool: Some(tool),
            kind: Some(kind),
            engine: Some(Engine::Cpython),
            ..Params::default()
        }
        .resolve_calibrated(2, Some(50.0));
        (e.tasks, e.workers, e.io_ms, e.cpu_iters, e.serial) = (4, 2, 5, 20_000, serial);
        let mut python = Command::new("python3");
        python
            .args(["-c", RUN])
            .env("PYTHONPATH", www_python())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("CODE", program(&e))
            .env("EXPERIMENT", e.to_json().write());
        let out = output_of(python, "python3 (the harness runs the program)");
        let last = out.lines().last().unwrap_or_default();
        let Ok(FromWorker::Finished { id, report }) = FromWorker::decode(last) else {
            panic!("{tool} {kind}: not a `finished` message: {out}");
        };
        assert_eq!(id.0, 7);
        assert_eq!(report.status, RunStatus::Done, "{:?}", report.message);
        assert_eq!((report.build, report.experiment), (Build::Cpython, e));
        let tasks: Vec<_> = report
            .spans
            .iter()
            .filter(|s| s.task_ref().is_task())
            .collect();
        assert_eq!(tasks.len(), 4, "{tool} {kind}: one span per task");
        assert_eq!(report.tasks_done, 4 + u32::from(serial > 0));
        let serial_spans = report
            .spans
            .iter()
            .filter(|s| s.task_ref() == TaskRef::Serial);
        assert!(serial_spans
            .map(|s| s.state)
            .eq((serial > 0).then_some(SpanState::Serial)));
        for s in &report.spans {
            let want = match (kind, s.task % 2) {
                _ if s.task_ref() == TaskRef::Serial => SpanState::Serial,
                (Kind::Io, _) | (Kind::Mixed, 0) => SpanState::Io,
                _ => SpanState::Compute,
            };
            assert_eq!(s.state, want, "{tool} {kind}: {s:?}");
            assert!(s.start >= report.started_at && s.end >= s.start);
        }
        assert!(out.contains(&format!(
            "{}: 4 {} tasks done",
            tool.as_str(),
            kind.as_str()
        )));
    }
}

/// Each number or name JavaScript or Python repeats, where it says it, and Rust's: a list of
/// what differs, empty when all agree.
fn disagreements(js: &Value, python: &Value) -> Vec<String> {
    let words: serde_json::Map<String, Value> = HEAD_WORDS
        .iter()
        .enumerate()
        .map(|(i, w)| (w.to_string(), json!(i)))
        .collect();
    let states: Vec<&str> = SpanState::ALL.iter().map(|s| s.as_str()).collect();
    let expected = [
        // protocol.js; Rust: wire/worker.rs
        (
            "protocol.js MAX_OUTPUT",
            &js["numbers"]["MAX_OUTPUT"],
            json!(MAX_OUTPUT_CHARS),
        ),
        // protocol.js; Rust: wire/cpython.rs
        (
            "protocol.js MAX_PROCESSES",
            &js["numbers"]["MAX_PROCESSES"],
            json!(MAX_PROCESSES),
        ),
        ("protocol.js BOX", &js["numbers"]["BOX"], json!(BOX_BYTES)),
        (
            "protocol.js PRINTS",
            &js["numbers"]["PRINTS"],
            json!(PRINT_BYTES),
        ),
        (
            "protocol.js HEAD",
            &js["numbers"]["HEAD"],
            json!(HEAD_BYTES),
        ),
        (
            "protocol.js WORD",
            &js["numbers"]["WORD"],
            Value::Object(words),
        ),
        // playground/harness.py; Rust: run/timeline.rs
        (
            "harness.py SERIAL_TASK",
            &python["numbers"]["SERIAL_TASK"],
            json!(TaskRef::Serial.index()),
        ),
        (
            "harness.py TASK_LANE",
            &python["numbers"]["TASK_LANE"],
            json!(TaskRef::Lane.index()),
        ),
    ];
    let mut wrong: Vec<String> = expected
        .into_iter()
        .filter(|(_, theirs, ours)| *theirs != ours)
        .map(|(name, theirs, ours)| format!("{name} is {theirs}, Rust's is {ours}"))
        .collect();
    // The harness's span states are names of Rust's `SpanState`.
    for state in python["numbers"]["states"].as_array().into_iter().flatten() {
        if !states.contains(&state.as_str().unwrap_or_default()) {
            wrong.push(format!(
                "harness.py draws the state {state}, which Rust does not know"
            ));
        }
    }
    wrong
}

#[test]
fn javascript_and_python_repeat_rusts_numbers_and_names() {
    let dir = www_python();
    assert_eq!(
        disagreements(&run_js(&dir), &run_python(&dir)),
        Vec::<String>::new()
    );
}

/// A copy of `www/python` whose protocol.js says a box is 2 MB and whose harness numbers the
/// serial part otherwise: both are named.
#[test]
fn a_number_changed_on_one_side_is_named() {
    let dir = std::env::temp_dir().join(format!("cp-contract-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("playground")).unwrap();
    let src = www_python();
    let change = |from: &str, old: &str, new: &str| {
        let text = std::fs::read_to_string(src.join(from)).unwrap();
        assert!(text.contains(old), "{from} has no `{old}`");
        std::fs::write(dir.join(from), text.replacen(old, new, 1)).unwrap();
    };
    // Every module of the package as it is, but the harness changed below.
    for entry in std::fs::read_dir(src.join("playground")).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".py") && name != "harness.py" {
            let from = Path::new("playground").join(name.as_ref());
            std::fs::copy(src.join(&from), dir.join(&from)).unwrap();
        }
    }
    change(
        "protocol.js",
        "BOX = 4 * 1024 * 1024",
        "BOX = 2 * 1024 * 1024",
    );
    change(
        "playground/harness.py",
        "SERIAL_TASK = 2**32 - 2",
        "SERIAL_TASK = 2**32 - 3",
    );
    let wrong = disagreements(&run_js(&dir), &run_python(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(wrong.len(), 2, "{wrong:?}");
    assert!(wrong[0].starts_with("protocol.js BOX is 2097152, Rust's is 4194304"));
    assert!(wrong[1].starts_with("harness.py SERIAL_TASK is 4294967293"));
}
