//! CPython's worker and the processes of its pool (`engine=cpython`, tool processes): the JSON
//! messages between `www/python/pool.js` (in CPython's worker) and `www/python/process.js` (one
//! process), and the shared memory they work through. Jobs and replies themselves are pickles
//! written and read by the harness's two sides (`playground/pool.py`, `playground/process.py`)
//! inside that memory; only the start-up is a message, because a parent blocked in
//! `Atomics.wait` receives none.
//!
//! JavaScript repeats these declarations in `www/python/protocol.js`;
//! `crates/model/tests/cpython_contract.rs` runs that file and holds it equal to this one.

use crate::json::{json_tagged, FromJson, Json, ToJson};

/// The most processes a pool has in the page: each is a CPython of its own (~13 MB of wasm,
/// 1–2 s to start), kept warm between runs.
pub const MAX_PROCESSES: u32 = 8;

/// Bytes of one pickled job, and of one pickled reply: a process's box holds one of each, after
/// its header.
pub const BOX_BYTES: u32 = 4 * 1024 * 1024;

/// The box's header: one `Int32` word each, in this order: the job's number (the parent adds
/// one per job), the job's length, the number of the job last answered (the process copies the
/// job's number when its reply is written), the reply's length, and the bytes the job has
/// printed so far into the print area (the parent sets it to 0 when it sends a job). A process
/// is idle when the two numbers agree. Named as `protocol.js` names them (`WORD.jobLength`).
pub const HEAD_WORDS: [&str; 5] = ["job", "jobLength", "reply", "replyLength", "printed"];

/// Bytes of the header: the job starts there, the reply [`BOX_BYTES`] later, and the print area
/// [`BOX_BYTES`] after that.
pub const HEAD_BYTES: u32 = 4 * HEAD_WORDS.len() as u32;

/// Bytes of a box's print area: what a job prints, as UTF-8, written there as it prints (and
/// the pool's reply counter notified), so that the parent shows it while it waits, as a child's
/// prints reach the terminal in CPython. What does not fit comes with the reply.
pub const PRINT_BYTES: u32 = 64 * 1024;

/// What CPython's worker tells a process it starts. Posted as `[json, box, replies, interrupt]`:
/// the message, the process's box, the pool's one reply counter (an `Int32`, which every
/// process increments and notifies when it has replied or printed), the process's interrupt
/// buffer and the arena of the queues and pipes between processes (`www/python/queues.js`).
#[derive(Clone, Debug, PartialEq)]
pub enum ToProcess {
    /// Load CPython and the harness, become process `index` of the pool, then wait for jobs.
    Start {
        /// Its index in the pool (its lane on the timeline; its pid is 1001 + index).
        index: u32,
    },
}

/// What a process tells CPython's worker, once.
#[derive(Clone, Debug, PartialEq)]
pub enum FromProcess {
    /// It waits for jobs.
    Ready {
        /// Shared-clock time when it became ready (the end of its `startup` span).
        at: f64,
    },
    /// It could not start.
    Failed {
        /// Why, in a sentence.
        message: String,
    },
}

json_tagged!(ToProcess, "message", {
    Start = "start" { index },
});

json_tagged!(FromProcess, "message", {
    Ready = "ready" { at },
    Failed = "failed" { message },
});

impl ToProcess {
    /// As the text posted to the process.
    pub fn encode(&self) -> String {
        self.to_json().write()
    }

    /// From the text the worker posted; a readable error for anything else.
    pub fn decode(s: &str) -> Result<Self, String> {
        Self::from_json(&Json::parse(s)?).map_err(|e| format!("bad message to a process: {e}"))
    }
}

impl FromProcess {
    /// As the text posted to CPython's worker.
    pub fn encode(&self) -> String {
        self.to_json().write()
    }

    /// From the text a process posted; a readable error for anything else.
    pub fn decode(s: &str) -> Result<Self, String> {
        Self::from_json(&Json::parse(s)?).map_err(|e| format!("bad message from a process: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_junk_is_refused() {
        let start = ToProcess::Start { index: 2 };
        assert_eq!(start.encode(), r#"{"start":{"index":2}}"#);
        assert_eq!(ToProcess::decode(&start.encode()), Ok(start));
        let ready = FromProcess::Ready { at: 1.5 };
        assert_eq!(FromProcess::decode(&ready.encode()), Ok(ready));
        assert!(FromProcess::decode(r#"{"ready":1.5}"#).is_err());
        assert!(ToProcess::decode("\"start\"").is_err());
    }

    #[test]
    fn the_header_is_five_words() {
        assert_eq!(HEAD_BYTES, 20);
    }
}
