//! Tells the embedding page how tall the content is, so that it can size its frame to fit
//! (`<concurrency-playground>` does): on load, after every run that adds rows, on resize.

use crate::browser;
use gloo_timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// Changes closer together than this are posted once: a run streams many small changes, and
/// the host should not re-lay its page for each.
const DEBOUNCE_MS: u32 = 100;

/// Posts `{type: "height"}` to the parent whenever the content's height changes (only in a
/// frame). A `ResizeObserver` on `<html>` sees every cause at once: new rows, notices, a
/// narrower frame that wraps text.
#[hook]
pub fn use_frame_height() {
    use_effect_with((), |_| {
        let observer = browser::in_frame().then(start).flatten();
        move || {
            if let Some((observer, _callback)) = observer {
                observer.disconnect();
            }
        }
    });
}

type Observer = (web_sys::ResizeObserver, Closure<dyn FnMut()>);

fn start() -> Option<Observer> {
    let html = web_sys::window()?.document()?.document_element()?;
    let last = Rc::new(Cell::new(-1.0f64));
    let pending: Rc<RefCell<Option<Timeout>>> = Rc::default();
    let callback = Closure::<dyn FnMut()>::new(move || {
        let last = last.clone();
        // Replacing the timeout cancels the one before: only the last change is posted.
        *pending.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, move || {
            let height = browser::content_height().ceil();
            if height != last.replace(height) {
                browser::post_to_parent(&model::wire::host::height_message(height));
            }
        }));
    });
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(&html);
    Some((observer, callback))
}
