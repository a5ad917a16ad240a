//! What the race experiment counted: expected against final, and what was lost; for processes,
//! each process's own counter and the parent's untouched one.

use model::experiment::config::{Lock, Tool};
use model::python::group_digits;
use model::run::record::RunRecord;
use model::run::timeline::RunStatus;
use yew::prelude::*;

/// Props of [`RaceResult`].
#[derive(Properties, PartialEq)]
pub struct RaceResultProps {
    /// A finished race run.
    pub run: std::rc::Rc<RunRecord>,
}

fn n(v: u64) -> String {
    group_digits(v, '\u{202f}')
}

/// The counts in a sentence, with the numbers large.
#[component]
pub fn RaceResult(props: &RaceResultProps) -> Html {
    let Some(c) = &props.run.counts else {
        return html! {};
    };
    let e = &props.run.experiment;
    let finished = props.run.status == RunStatus::Done;
    let body = if e.tool == Tool::Processes {
        let own: Vec<String> = c.own.iter().map(|v| n(*v)).collect();
        // What the processes reported counting, not the planned total: a stopped run did less.
        let counted: u64 = c.own.iter().sum();
        html! {
            <>
                <p><strong>{ "Each process counted in its own memory: " }</strong>{ own.join(" · ") }{ "." }</p>
                <p>{ format!("The parent's counter is still {}: the {} increments the processes reported happened in copies it cannot see. Processes share nothing unless you send it back (return values, a Queue, shared_memory).", n(c.final_count), n(counted)) }</p>
            </>
        }
    } else if !finished {
        // A stopped run made fewer increments than planned: what is missing was never done,
        // not lost, so no loss is claimed.
        html! {
            <p>{ format!("The run ended early ({}): the counter reached {} of the {} increments planned, so this run says nothing about lost updates.", props.run.status.as_str(), n(c.final_count), n(c.expected)) }</p>
        }
    } else {
        let lost = c.expected.saturating_sub(c.final_count);
        let share = if c.expected > 0 {
            lost as f64 / c.expected as f64 * 100.0
        } else {
            0.0
        };
        let why = match (e.tool, e.lock, lost) {
            (Tool::Threads, Lock::Off, 0) => "None lost this time: the threads did not interleave between a read and its write. Run it again, or with more tasks: the race is still there.",
            (Tool::Threads, Lock::Off, _) => "Two threads read the same value and both wrote it plus one: one of the two updates vanished. Nothing crashed; the number is just wrong.",
            (Tool::Threads, Lock::On, _) => "The lock lets one thread at a time read and write: nothing is lost, at the price of taking turns.",
            _ => "One thread: nothing runs between a read and its write, so nothing is lost.",
        };
        html! {
            <>
                <p class="race-numbers">
                    <span>{ "expected " }<strong data-testid="race-expected">{ n(c.expected) }</strong></span>
                    <span>{ "final " }<strong data-testid="race-final">{ n(c.final_count) }</strong></span>
                    <span class={classes!((lost > 0).then_some("lost"))}>{ "lost " }<strong>{ n(lost) }</strong>{ format!(" ({share:.1} %)") }</span>
                </p>
                <p>{ why }</p>
            </>
        }
    };
    html! {
        <div class="race-result" data-testid="race-result" aria-live="polite">{ body }</div>
    }
}
