//! One engine worker as seen from the page: spawning it, sending it requests, receiving its
//! replies, and the shared cancel word of the atomics build (or CPython's interrupt buffer).

use crate::browser;
use model::lab::Role;
use model::run::timeline::Build;
use model::wire::worker::{FromWorker, ToWorker};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// What a worker told the page.
pub enum WorkerEvent {
    /// A protocol message.
    Message(FromWorker),
    /// The worker's script failed: it did not load, or its engine trapped.
    Crashed(String),
}

/// A live worker and the closures that keep its handlers alive.
pub struct WorkerLink {
    worker: Worker,
    /// Where the worker reads its cancel word: the atomics build's memory once shared, or the
    /// word given to a plain-build worker on an isolated page.
    cancel_word: Rc<RefCell<Option<(js_sys::Int32Array, u32)>>>,
    /// CPython's worker: Stop writes SIGINT (2) into its interrupt buffer, which CPython reads
    /// between bytecodes, rather than a run's cancel word.
    interrupts: bool,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl WorkerLink {
    /// Starts the worker of `role` (its script names its build).
    pub fn spawn(role: Role, on_event: impl Fn(WorkerEvent) + 'static) -> Result<Self, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let query = role.script();
        // The plain engine is this page's own module: the worker is told where it is.
        let plain = role.runs_page_module();
        let interrupts = role == Role::Engine(Build::Cpython);
        let url = if plain {
            let (glue, wasm) = browser::own_module()
                .ok_or("this page does not name its own module (a <link rel=preload>)")?;
            let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
            format!(
                "{query}&glue={}&wasm={}&module=posted",
                enc(&glue),
                enc(&wasm)
            )
        } else {
            query.to_string()
        };
        let worker = Worker::new_with_options(&url, &options)
            .map_err(|e| format!("could not start a worker: {e:?}"))?;
        if plain {
            // The page's own compiled module, first: every plain-build worker instantiates this
            // one module instead of compiling its own, so they share the engine's compiled code,
            // optimised tiers included. A fresh process then runs the kernel that the plain
            // engine's calibration already made hot at the calibrated speed from its first task,
            // and starts without compiling anything.
            worker
                .post_message(&wasm_bindgen::module())
                .map_err(|e| format!("could not give the worker the page's module: {e:?}"))?;
        }
        let on_event = Rc::new(on_event);
        let cancel_word = Rc::new(RefCell::new(None));
        let on_message = {
            let (on_event, cancel_slot) = (on_event.clone(), cancel_word.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let (event, shared) = decode(e.data());
                // The atomics build's pool shares its memory once: keep the cancel word's view.
                if let (
                    WorkerEvent::Message(FromWorker::Ready {
                        cancel_word: Some(index),
                        ..
                    }),
                    Some(buffer),
                ) = (&event, shared)
                {
                    *cancel_slot.borrow_mut() = Some((js_sys::Int32Array::new(&buffer), *index));
                }
                on_event(event);
            })
        };
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                e.prevent_default();
                let message = e.message();
                on_event(WorkerEvent::Crashed(if message.is_empty() {
                    "the worker's script failed to load".into()
                } else {
                    message
                }));
            });
        // A plain-build worker computing a task reads no message: on an isolated page it is
        // given a shared cancel word instead, so that Stop need not terminate it (a terminated
        // worker that is computing runs on for up to 2 s in Chromium, and slowed what followed).
        if (plain || interrupts) && browser::threads_possible() {
            let buffer = js_sys::SharedArrayBuffer::new(4);
            *cancel_word.borrow_mut() = Some((js_sys::Int32Array::new(&buffer), 0));
            let _ = worker.post_message(&buffer);
        }
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerLink {
            worker,
            cancel_word,
            interrupts,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a request.
    pub fn send(&self, request: &ToWorker) {
        let _ = self.worker.post_message(&request.encode().into());
    }

    /// Asks run `id` to stop: directly in shared memory when possible (a computing thread never
    /// reads messages), and by message for runs that await timers.
    pub fn cancel(&self, id: model::run::id::RunId) {
        if let Some((view, index)) = &*self.cancel_word.borrow() {
            // SIGINT for CPython (it raises KeyboardInterrupt); the run's word for an engine.
            let word = if self.interrupts {
                2
            } else {
                model::wire::worker::cancel_word(id) as i32
            };
            let _ = js_sys::Atomics::store(view, *index, word);
            let _ = js_sys::Atomics::notify(view, *index);
        }
        self.send(&ToWorker::Cancel { id });
    }
}

impl Drop for WorkerLink {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// A typed message, and the shared memory that travelled beside it (`[json, buffer]`).
fn decode(data: JsValue) -> (WorkerEvent, Option<JsValue>) {
    let (json, shared) = if js_sys::Array::is_array(&data) {
        let pair = js_sys::Array::from(&data);
        (pair.get(0), Some(pair.get(1)).filter(|b| !b.is_undefined()))
    } else {
        (data, None)
    };
    let event = match json.as_string().map(|text| FromWorker::decode(&text)) {
        Some(Ok(message)) => WorkerEvent::Message(message),
        Some(Err(e)) => WorkerEvent::Crashed(e),
        None => WorkerEvent::Crashed("unexpected message from a worker".into()),
    };
    (event, shared)
}
