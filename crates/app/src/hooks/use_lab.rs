//! Hosts the lab (`model::lab::Lab`, a pure state machine): feeds it events and carries out its
//! effects (workers, timers, the confirmation, the embedding page, the view). It decides
//! nothing itself.

use crate::browser;
use crate::state::{Action, State};
use crate::worker_link::{WorkerEvent, WorkerLink};
use gloo_timers::callback::Timeout;
use model::experiment::config::Params;
use model::lab::view::LabView;
use model::lab::{Effect, Event, Lab, Update, WorkerId};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use yew::prelude::*;

/// The lab and the browser things its effects made.
struct Host {
    lab: RefCell<Lab>,
    /// The live workers: a few dozen at most, so a list (a hash map's code cost the page's
    /// module more than the lookups save).
    workers: RefCell<Vec<(WorkerId, WorkerLink)>>,
    ui: UseReducerDispatcher<State>,
    queue: RefCell<VecDeque<Event>>,
    handling: Cell<bool>,
    /// Progress not drawn yet (a flush is due while there is some).
    progress: Cell<bool>,
    /// What waits for a finished run's own task, in order: while it waits, later updates and
    /// snapshots wait behind it, so that an older snapshot never lands on a newer one.
    later: RefCell<Vec<Action>>,
    this: Weak<Host>,
}

/// How often a run's progress is drawn (ms). Every worker message used to re-render the page:
/// with many processes, each finishing a task every few tens of ms, the main thread spent its
/// time rendering instead of handing out the next tasks, and a 16-core sweep's processes
/// flattened at ~4.7×. Progress is now gathered and drawn in one render at most this often,
/// the cadence at which the workers themselves report progress; the measured times are the
/// lab's (worker clocks), not the render's. (33 ms here: processes 1.65× at W = 2 on 2 cores;
/// 100 ms: 1.71–1.72×, `page_curve.py`, 7 repetitions each.)
const PROGRESS_MS: u32 = 100;

/// What components hold: sends events to the lab.
#[derive(Clone)]
pub struct LabHandle(Rc<Host>);

impl PartialEq for LabHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl LabHandle {
    /// Hands `event` to the lab and carries out what it asks. Events raised while effects are
    /// carried out (a worker that cannot start, a confirmation) are handled in order after.
    pub fn send(&self, event: Event) {
        self.0.send(event);
    }
}

impl Host {
    fn send(&self, event: Event) {
        self.queue.borrow_mut().push_back(event);
        if self.handling.replace(true) {
            return;
        }
        loop {
            let Some(event) = self.queue.borrow_mut().pop_front() else {
                break;
            };
            let effects = self.lab.borrow_mut().handle(browser::now(), event);
            for effect in effects {
                self.perform(effect);
            }
        }
        self.handling.set(false);
    }

    fn later(&self, event: Event) {
        self.queue.borrow_mut().push_back(event);
    }

    fn perform(&self, effect: Effect) {
        match effect {
            Effect::Spawn { worker, role } => {
                let host = self.this.clone();
                let link = WorkerLink::spawn(role, move |e| {
                    if let Some(host) = host.upgrade() {
                        host.send(match e {
                            WorkerEvent::Message(m) => Event::Message(worker, m),
                            WorkerEvent::Crashed(why) => Event::Crashed(worker, why),
                        });
                    }
                });
                match link {
                    Ok(link) => {
                        self.workers.borrow_mut().push((worker, link));
                    }
                    Err(why) => self.later(Event::Crashed(worker, why)),
                }
            }
            // Dropping a link terminates its worker.
            Effect::Terminate(worker) => self.workers.borrow_mut().retain(|(w, _)| *w != worker),
            Effect::Post(worker, message) => {
                if let Some((_, link)) = self.workers.borrow().iter().find(|(w, _)| *w == worker) {
                    link.send(&message);
                }
            }
            Effect::Cancel(worker, run) => {
                if let Some((_, link)) = self.workers.borrow().iter().find(|(w, _)| *w == worker) {
                    link.cancel(run);
                }
            }
            Effect::StartTimer(timer, ms) => {
                let host = self.this.clone();
                Timeout::new(ms, move || {
                    if let Some(host) = host.upgrade() {
                        host.send(Event::Timer(timer));
                    }
                })
                .forget();
            }
            Effect::Confirm { estimate_ms } => self.later(Event::Confirmed(confirm(estimate_ms))),
            Effect::ToHost(answer) => {
                // Serialising ten thousand spans is not free: only for an embedding page.
                if browser::in_frame() {
                    browser::post_to_parent(&answer.json());
                }
            }
            Effect::Show(Update::Progress(..)) => self.show_soon(),
            Effect::Show(update) => {
                // The snapshot holds the progress so far: none is left to draw.
                self.progress.set(false);
                let finished = matches!(update, Update::RunAdded(_));
                self.dispatch(
                    Action::Lab(Some(Box::new(update)), self.snapshot()),
                    finished,
                );
            }
        }
    }

    /// The lab's view as it is now, for the page to hold.
    fn snapshot(&self) -> Rc<LabView> {
        Rc::new(self.lab.borrow().view().clone())
    }

    fn show_soon(&self) {
        if self.progress.replace(true) {
            return;
        }
        let host = self.this.clone();
        Timeout::new(PROGRESS_MS, move || {
            if let Some(host) = host.upgrade() {
                host.flush_progress();
            }
        })
        .forget();
    }

    /// Draws the progress gathered since the last snapshot (yew renders once after it).
    fn flush_progress(&self) {
        if self.progress.replace(false) {
            self.dispatch(Action::Lab(None, self.snapshot()), false);
        }
    }

    /// Hands `action` to the page now, or after the finished run's own task when one waits.
    /// `own_task`: a finished run, drawn in a task of its own: yew renders in a microtask of the
    /// task that dispatched, so the worker's last message, the lab's account of the run and the
    /// drawing of its ten thousand spans were one main-thread task (54-65 ms at 10 000 tasks);
    /// apart, each stays short.
    fn dispatch(&self, action: Action, own_task: bool) {
        let mut later = self.later.borrow_mut();
        if later.is_empty() && !own_task {
            drop(later);
            self.ui.dispatch(action);
            return;
        }
        later.push(action);
        if later.len() > 1 {
            return;
        }
        drop(later);
        let host = self.this.clone();
        Timeout::new(0, move || {
            if let Some(host) = host.upgrade() {
                for action in host.later.take() {
                    host.ui.dispatch(action);
                }
            }
        })
        .forget();
    }
}

fn confirm(estimate_ms: f64) -> bool {
    let text = format!(
        "This run should take about {:.0} s and will keep your processor busy. Run it anyway?",
        estimate_ms / 1000.0
    );
    web_sys::window()
        .and_then(|w| w.confirm_with_message(&text).ok())
        .unwrap_or(false)
}

/// The page's lab, started once; `run_on_ready` runs when the engines are ready (`run=1`);
/// `compact`: the compact view's runs bring their baseline.
#[hook]
pub fn use_lab(
    ui: UseReducerDispatcher<State>,
    run_on_ready: Option<Params>,
    compact: bool,
) -> LabHandle {
    let handle = use_memo((), move |_| {
        LabHandle(Rc::new_cyclic(|this| Host {
            lab: RefCell::new(Lab::new(browser::cores(), run_on_ready)),
            workers: RefCell::default(),
            ui,
            queue: RefCell::default(),
            handling: Cell::new(false),
            progress: Cell::new(false),
            later: RefCell::default(),
            this: this.clone(),
        }))
    });
    {
        let handle = (*handle).clone();
        use_effect_with((), move |_| {
            handle.send(Event::Start {
                isolated: browser::threads_possible(),
                compact,
            });
        });
    }
    (*handle).clone()
}
