//! What the page wrote with serde_json before `model::json` replaced it reads back, and is
//! written again byte for byte: exports kept by teachers still open, and a page and a worker
//! of either version understand each other. The fixtures were written by the serde version
//! (commit 3df101f) from records with every optional part present.

use model::embed::run_finished_message;
use model::protocol::{FromWorker, ToWorker};
use model::record::{parse_runs, runs_json};

const EXPORT: &str = include_str!("fixtures/runs-export.json");
const MESSAGE: &str = include_str!("fixtures/run-finished.json");
const PROTOCOL: &str = include_str!("fixtures/protocol.jsonl");

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
    assert_eq!(runs_json(&runs), EXPORT);
}

#[test]
fn an_old_run_finished_message_reads_back_as_the_same_document() {
    let runs = parse_runs(MESSAGE).unwrap();
    assert_eq!(runs.len(), 1);
    // serde_json's `json!` sorted the message's keys; the document is what must not change.
    let ours: serde_json::Value =
        serde_json::from_str(&run_finished_message(&runs[0], Some("r-1"))).unwrap();
    let theirs: serde_json::Value = serde_json::from_str(MESSAGE).unwrap();
    assert_eq!(ours, theirs);
}

#[test]
fn old_worker_messages_decode_and_encode_the_same() {
    let lines: Vec<&str> = PROTOCOL.lines().collect();
    let (to, from) = lines.split_at(7);
    for line in to {
        let message = ToWorker::decode(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(&message.encode(), line);
    }
    for line in from {
        let message = FromWorker::decode(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(&message.encode(), line);
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
