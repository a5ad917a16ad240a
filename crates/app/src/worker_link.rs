//! One engine worker as seen from the page: spawning it, sending it requests, receiving its
//! replies, and the shared cancel word of the atomics build.

use model::protocol::{FromWorker, ToWorker};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// What a worker told the page.
pub enum WorkerEvent {
    /// A protocol message.
    Message(FromWorker),
    /// The worker shares its memory; the run to stop is written at this word.
    SharedCancel(js_sys::Int32Array, u32),
    /// The worker's script failed (it did not load, or threw outside a message).
    Crashed(String),
}

/// A live worker and the closures that keep its handlers alive.
pub struct WorkerLink {
    worker: Worker,
    cancel_word: Option<(js_sys::Int32Array, u32)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl WorkerLink {
    /// Starts `engine-worker.js` with `query` (build and pool size).
    pub fn spawn(query: &str, on_event: impl Fn(WorkerEvent) + 'static) -> Result<Self, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(&format!("./engine-worker.js?{query}"), &options)
            .map_err(|e| format!("could not start a worker: {e:?}"))?;
        let on_event = std::rc::Rc::new(on_event);
        let on_message = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                on_event(decode(e.data()));
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
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerLink {
            worker,
            cancel_word: None,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a request.
    pub fn send(&self, request: &ToWorker) {
        let _ = self.worker.post_message(&request.to_json().into());
    }

    /// Remembers where this worker reads its cancel word.
    pub fn set_cancel_word(&mut self, view: js_sys::Int32Array, index: u32) {
        self.cancel_word = Some((view, index));
    }

    /// Asks run `id` to stop: directly in shared memory when possible (a computing thread never
    /// reads messages), and by message for runs that await timers.
    pub fn cancel(&self, id: u32) {
        if let Some((view, index)) = &self.cancel_word {
            let _ = js_sys::Atomics::store(view, *index, id.wrapping_add(1) as i32);
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

fn decode(data: JsValue) -> WorkerEvent {
    if let Some(text) = data.as_string() {
        return match FromWorker::from_json(&text) {
            Ok(message) => WorkerEvent::Message(message),
            Err(e) => WorkerEvent::Crashed(e),
        };
    }
    let get = |k: &str| js_sys::Reflect::get(&data, &k.into()).unwrap_or(JsValue::UNDEFINED);
    if get("type").as_string().as_deref() == Some("shared-cancel") {
        let index = get("index").as_f64().unwrap_or(0.0) as u32;
        let view = js_sys::Int32Array::new(&get("buffer"));
        return WorkerEvent::SharedCancel(view, index);
    }
    WorkerEvent::Crashed("unexpected message from a worker".into())
}
