//! What a run has done so far, so the page can draw its timeline while it runs: finished spans
//! since the last look, and the spans still open (a task waiting or computing right now).
//! Shared by every thread of the run; the worker's own thread reads it on a timer.

use crate::clock::now;
use model::run::id::RunId;
use model::run::timeline::{Span, SpanState};
use model::wire::worker::FromWorker;
use std::collections::BTreeMap;
use std::sync::Mutex;
use wasm_bindgen::prelude::*;

/// Open spans beyond this many are not sent (1000 concurrent waits would make every update
/// heavy); the page still gets every finished span.
const MAX_OPEN: usize = 200;

struct Feed {
    run: Option<RunId>,
    finished: Vec<Span>,
    open: BTreeMap<(u32, u32), (SpanState, f64)>,
}

static FEED: Mutex<Feed> = Mutex::new(Feed {
    run: None,
    finished: Vec::new(),
    open: BTreeMap::new(),
});

fn with_feed(f: impl FnOnce(&mut Feed)) {
    if let Ok(mut feed) = FEED.lock() {
        f(&mut feed);
    }
}

/// Starts feeding run `id`.
pub fn begin(id: RunId) {
    with_feed(|f| {
        f.run = Some(id);
        f.finished.clear();
        f.open.clear();
    });
}

/// Stops feeding (the run's report carries everything).
pub fn end() {
    with_feed(|f| {
        f.run = None;
        f.finished.clear();
        f.open.clear();
    });
}

/// Task `task` on `lane` entered `state` at `start`.
pub fn open(lane: u32, task: u32, state: SpanState, start: f64) {
    with_feed(|f| {
        if f.run.is_some() {
            f.open.insert((lane, task), (state, start));
        }
    });
}

/// A span ended.
pub fn close(span: Span) {
    with_feed(|f| {
        if f.run.is_some() {
            f.open.remove(&(span.lane, span.task));
            f.finished.push(span);
        }
    });
}

/// The `progress` message since the last call, or "" when there is nothing new.
#[wasm_bindgen]
pub fn take_progress() -> String {
    let mut message = String::new();
    with_feed(|f| {
        let Some(id) = f.run else { return };
        let t = now();
        let open: Vec<Span> = f
            .open
            .iter()
            .take(MAX_OPEN)
            .map(|(&(lane, task), &(state, start))| Span {
                task,
                lane,
                state,
                start,
                end: t,
            })
            .collect();
        if f.finished.is_empty() && open.is_empty() {
            return;
        }
        message = FromWorker::Progress {
            id,
            spans: std::mem::take(&mut f.finished),
            open,
        }
        .encode();
    });
    message
}
