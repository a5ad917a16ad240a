//! A run drawn by the playground's own components on another page: the stepping page
//! (`www/stepping.html`, JavaScript) hands each stepped run's report to the
//! `run-view` module, which shows it as the playground shows a CPython threads run (the
//! timeline, its GIL lane with the waiters' band and the hand-overs, the replay and why each
//! wait happened). One GIL lane, however the run was scheduled.

use crate::components::replay::{RunReplay, RunReplayProps};
use model::json::{FromJson, Json};
use model::lab::view::RunRow;
use model::run::id::RunId;
use model::run::record::RunRecord;
use model::run::timeline::RunReport;
use std::cell::RefCell;
use std::rc::Rc;

/// The most bytes of a report this view reads: a stepped run of 10 000 picks stays far below.
const MAX_REPORT_BYTES: usize = 16 * 1024 * 1024;

thread_local! {
    /// The view on the page, kept so that the next run replaces its run (a replay's speed and
    /// the page's scroll stay).
    static SHOWN: RefCell<Option<yew::AppHandle<RunReplay>>> = const { RefCell::new(None) };
}

/// Installs the crash alert (a trap of this module shows, as in the playground).
pub fn install() {
    crate::panic_hook::install();
}

/// Reads a CPython worker's report (`finished.report`, JSON) as run `id`'s record; the error says
/// why it is not one.
fn record(id: u32, report: &str) -> Result<RunRecord, String> {
    if report.len() > MAX_REPORT_BYTES {
        return Err(format!(
            "The run's report is {} MB; this view reads at most {} MB.",
            report.len() / 1_000_000,
            MAX_REPORT_BYTES / 1_000_000
        ));
    }
    let value = Json::parse(report).map_err(|e| format!("The run's report is not JSON ({e})."))?;
    let report =
        RunReport::from_json(&value).map_err(|e| format!("This is not a run's report ({e})."))?;
    Ok(RunRecord::new(RunId(id), report, None))
}

/// Shows run `id` (its report as CPython's worker wrote it) in `host`, with `caption` over its
/// timeline; a later call shows its run in the same view.
pub fn show(host: web_sys::Element, id: u32, report: &str, caption: &str) -> Result<(), String> {
    let props = RunReplayProps {
        run: RunRow(Rc::new(record(id, report)?)),
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
