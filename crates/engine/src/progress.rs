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

/// At most this many finished spans go in one progress message: every task of a 10 000-task
/// async run ends within one tick, and that batch, decoded as one message, held the page's main
/// thread 50–80 ms. The rest waits for the next message.
const MAX_SPANS: usize = 1000;

struct Feed {
    run: Option<RunId>,
    finished: Vec<Span>,
    /// Finished spans of this run handed out so far (see [`taken`]).
    taken: usize,
    open: BTreeMap<(u32, u32), (SpanState, f64)>,
}

static FEED: Mutex<Feed> = Mutex::new(Feed {
    run: None,
    finished: Vec::new(),
    taken: 0,
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
        f.taken = 0;
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
        let n = f.finished.len().min(MAX_SPANS);
        f.taken += n;
        message = FromWorker::Progress {
            id,
            spans: f.finished.drain(..n).collect(),
            open,
        }
        .encode();
    });
    message
}

/// How many finished spans of the run the page has been handed so far, in the order they were
/// recorded.
pub fn taken() -> usize {
    FEED.lock().map_or(0, |f| f.taken)
}

/// Posts every progress message still waiting once a run has ended, each a message of its own
/// (the page decodes each in a task of its own).
pub fn flush() {
    let global = js_sys::global();
    let post = js_sys::Reflect::get(&global, &"postMessage".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    // Only while finished spans wait: a span still open when the run ended (its task was
    // cut short) is in every message, and a loop on "any message" never ended.
    while let Some(post) = post.as_ref() {
        if FEED.lock().map_or(true, |f| f.finished.is_empty()) {
            break;
        }
        let message = take_progress();
        if message.is_empty() {
            break;
        }
        let _ = post.call1(&global, &message.into());
    }
}
