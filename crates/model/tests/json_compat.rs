//! What the page wrote with serde_json before `model::json` replaced it reads back, and is
//! written again byte for byte: exports kept by teachers still open, and a page and a worker
//! of either version understand each other. The fixtures were written by the serde version
//! (commit 3df101f) from records with every optional part present. What the page writes since
//! then adds keys only ([`without_additions`]), never changes or drops one.

use model::run::record::{parse_runs, runs_json};
use model::wire::host::run_finished_message;
use model::wire::worker::{FromWorker, ToWorker};

const EXPORT: &str = include_str!("fixtures/runs-export.json");
const MESSAGE: &str = include_str!("fixtures/run-finished.json");
const PROTOCOL: &str = include_str!("fixtures/protocol.jsonl");

/// `written` without the keys added since the fixtures were made, at their values for what the
/// fixtures hold (a model run, no CPython): `engine: "model"`, and CPython's `python_version`,
/// `code_hash` and `load_ms` as null.
fn without_additions(written: &str) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if map.get("engine").and_then(|e| e.as_str()) == Some("model") {
                    map.remove("engine");
                }
                for key in ["python_version", "code_hash", "load_ms"] {
                    if map.get(key).is_some_and(|v| v.is_null()) {
                        map.remove(key);
                    }
                }
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_str(written).unwrap();
    strip(&mut value);
    value
}

fn document(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn an_old_export_reads_back_and_is_written_the_same() {
    let runs = parse_runs(EXPORT).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1].checksum, u64::MAX);
    assert_eq!(
        runs[1].counts.as_ref().map(|c| c.own.clone()),
        Some(vec![1, 2])
    );
    assert_eq!(runs[1].gil_events.len(), 3);
    assert_eq!(without_additions(&runs_json(&runs)), document(EXPORT));
}

#[test]
fn an_old_run_finished_message_reads_back_as_the_same_document() {
    let runs = parse_runs(MESSAGE).unwrap();
    assert_eq!(runs.len(), 1);
    // serde_json's `json!` sorted the message's keys; the document is what must not change.
    let ours = without_additions(&run_finished_message(&runs[0], Some("r-1")));
    assert_eq!(ours, document(MESSAGE));
}

#[test]
fn old_worker_messages_decode_and_encode_the_same() {
    let lines: Vec<&str> = PROTOCOL.lines().collect();
    let (to, from) = lines.split_at(7);
    for line in to {
        let message = ToWorker::decode(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(without_additions(&message.encode()), document(line));
    }
    for line in from {
        let message = FromWorker::decode(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(without_additions(&message.encode()), document(line));
    }
}

/// The test builds' trap message exists only with the `test-hooks` feature: the release build
/// refuses it like any unknown message.
#[test]
fn the_trap_message_is_a_test_builds_only() {
    let read = ToWorker::decode("\"trap\"");
    #[cfg(feature = "test-hooks")]
    assert_eq!(read, Ok(ToWorker::Trap));
    #[cfg(not(feature = "test-hooks"))]
    assert_eq!(
        read,
        Err("bad request to worker: unknown message `trap`".to_string())
    );
}

/// A CPython run's record carries what its program printed (`output`, `output_cut`) and reads
/// back; a CPython record written before it did still reads, and is written as it was.
#[test]
fn a_cpython_records_output_travels_and_older_records_read_without_it() {
    use model::run::record::{Output, PythonRun};
    let mut run = parse_runs(EXPORT).unwrap().remove(0);
    let output = Output {
        text: "squares: 285\n\"quoted\", é, 😀\n".into(),
        cut: true,
    };
    run.python = Some(PythonRun {
        version: "3.14.2".into(),
        code_hash: "0123456789abcdef".into(),
        load_ms: 2000.0,
        output: Some(output.clone()),
    });
    let message = document(&run_finished_message(&run, Some("r-1")));
    assert_eq!(message["run"]["output"], output.text.as_str());
    assert_eq!(message["run"]["output_cut"], true);
    let written = runs_json(std::slice::from_ref(&run));
    assert_eq!(parse_runs(&written).unwrap(), vec![run.clone()]);

    if let Some(python) = run.python.as_mut() {
        python.output = None;
    }
    let older = runs_json(std::slice::from_ref(&run));
    assert!(!older.contains("\"output"), "no output keys: {older}");
    assert_eq!(parse_runs(&older).unwrap(), vec![run]);
}
