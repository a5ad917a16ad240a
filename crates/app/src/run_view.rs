//! A run drawn by the playground's own components on another page: the stepping page
//! (`www/stepping.html`, JavaScript) hands each stepped run's `finished` message to the
//! `run-view` module, which shows it as the playground shows a CPython threads run (the
//! timeline, its GIL lane with the waiters' band and the hand-overs, the replay and why each
//! wait happened). One GIL lane, however the run was scheduled.

use crate::components::replay::{RunReplay, RunReplayProps};
use model::lab::view::RunRow;
use model::run::record::RunRecord;
use model::wire::worker::FromWorker;
use std::cell::RefCell;
use std::rc::Rc;

/// The most bytes of a message this view reads: a stepped run of 10 000 picks stays far below.
const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

thread_local! {
    /// The view on the page, kept so that the next run replaces its run (a replay's speed and
    /// the page's scroll stay).
    static SHOWN: RefCell<Option<yew::AppHandle<RunReplay>>> = const { RefCell::new(None) };
}

/// Installs the crash alert (a trap of this module shows, as in the playground).
pub fn install() {
    crate::panic_hook::install();
}

/// Reads CPython's worker's `finished` message, as it posted it, as its run's record: decoded
/// as the playground decodes that worker's messages. The error says why it is not one.
fn record(message: &str) -> Result<RunRecord, String> {
    if message.len() > MAX_MESSAGE_BYTES {
        return Err(format!(
            "The run's message is {} MB; this view reads at most {} MB.",
            message.len() / 1_000_000,
            MAX_MESSAGE_BYTES / 1_000_000
        ));
    }
    match FromWorker::decode(message)? {
        FromWorker::Finished { id, report } => Ok(RunRecord::new(id, report, None)),
        _ => Err("This is not a finished run's message.".into()),
    }
}

/// Shows the run that CPython's worker's `finished` message (the text it posted) reports in
/// `host`, with `caption` over its timeline; a later call shows its run in the same view.
pub fn show(host: web_sys::Element, message: &str, caption: &str) -> Result<(), String> {
    let props = RunReplayProps {
        run: RunRow(Rc::new(record(message)?)),
        caption: caption.to_owned().into(),
    };
    SHOWN.with_borrow_mut(|shown| match shown {
        Some(view) => view.update(props),
        None => {
            *shown = Some(yew::Renderer::<RunReplay>::with_root_and_props(host, props).render());
        }
    });
    Ok(())
}
