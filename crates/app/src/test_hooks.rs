//! Test builds only (feature `test-hooks`): same-page events through which the end-to-end tests
//! reach into the lab. No URL parameter or parent message reaches them, and the release page is
//! built without this module.
//!
//! `window.dispatchEvent(new CustomEvent("concurrency-playground-test-hook", { detail }))` with
//! `detail` one of `"trap"`, `"break-stop"` or `{ parentCounter: n }`.

use crate::hooks::use_lab::LabHandle;
use model::lab::{Event, TestHook};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The event's name.
const EVENT: &str = "concurrency-playground-test-hook";

/// Listens for the test hooks' event for as long as the page lives.
#[hook]
pub fn use_test_hooks(lab: LabHandle) {
    use_effect_with((), move |_| {
        let listener = crate::browser::listen(EVENT, move |event| {
            let detail = event
                .dyn_ref::<web_sys::CustomEvent>()
                .map(|e| e.detail())
                .unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
            if let Some(hook) = read(&detail) {
                lab.send(Event::TestHook(hook));
            }
        });
        move || drop(listener)
    });
}

/// The hook a detail names, if any.
fn read(detail: &wasm_bindgen::JsValue) -> Option<TestHook> {
    match detail.as_string().as_deref() {
        Some("trap") => return Some(TestHook::Trap),
        Some("break-stop") => return Some(TestHook::BreakStop),
        _ => {}
    }
    let value = js_sys::Reflect::get(detail, &"parentCounter".into()).ok()?;
    let n = value.as_f64().filter(|n| *n >= 0.0 && n.fract() == 0.0)?;
    Some(TestHook::SetParentCounter(n as u64))
}
