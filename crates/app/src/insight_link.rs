//! The insight worker as seen from the page: one per page, started on first use (after a run,
//! never during the first load), asked to explain a run or to write the trace; its answers go,
//! in the order of the requests, to whoever asked. A worker that fails is replaced on the next
//! request, and its pending answers are dropped.

use model::wire::insight::FromInsight;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

type Waiting = Rc<RefCell<Vec<Box<dyn FnOnce(FromInsight)>>>>;

struct Link {
    worker: Worker,
    waiting: Waiting,
    /// Set by the error handler; the link is replaced outside its own handlers.
    failed: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

thread_local! {
    static LINK: RefCell<Option<Link>> = const { RefCell::new(None) };
}

fn spawn() -> Option<Link> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options("./insight-worker.js", &options).ok()?;
    let waiting: Waiting = Rc::default();
    let failed = Rc::new(Cell::new(false));
    let on_message = {
        let waiting = waiting.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let answer = e
                .data()
                .as_string()
                .map_or(Err(String::new()), |text| FromInsight::decode(&text))
                .unwrap_or_else(|message| FromInsight::Failed { message });
            let asked = {
                let mut waiting = waiting.borrow_mut();
                (!waiting.is_empty()).then(|| waiting.remove(0))
            };
            if let Some(asked) = asked {
                asked(answer);
            }
        })
    };
    let on_error = {
        let failed = failed.clone();
        Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |_| failed.set(true))
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Some(Link {
        worker,
        waiting,
        failed,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Sends `request` (a [`model::wire::insight::ToInsight`] as text); `on_answer` gets the answer
/// (not at all if the worker fails first).
pub fn ask(request: String, on_answer: impl FnOnce(FromInsight) + 'static) {
    LINK.with(|link| {
        let mut link = link.borrow_mut();
        if link.as_ref().is_none_or(|l| l.failed.get()) {
            if let Some(old) = link.take() {
                old.worker.terminate();
            }
            *link = spawn();
        }
        if let Some(l) = link.as_ref() {
            if l.worker.post_message(&request.into()).is_ok() {
                l.waiting.borrow_mut().push(Box::new(on_answer));
            }
        }
    });
}
