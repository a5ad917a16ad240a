//! Test builds only (feature `test-hooks`): same-page events through which the end-to-end tests
//! reach into the lab. No URL parameter or parent message reaches them, and the release build
//! compiles none of it: its [`listen`] listens to nothing.
//!
//! `window.dispatchEvent(new CustomEvent("concurrency-playground-test-hook", { detail }))` with
//! `detail` one of `"trap"`, `"break-stop"` or `{ parentCounter: n }`.

use crate::hooks::use_lab::LabHandle;
use gloo_events::EventListener;

/// Listens for the test hooks' event while the returned listener lives (test builds).
#[cfg(feature = "test-hooks")]
pub fn listen(lab: LabHandle) -> Option<EventListener> {
    use model::lab::Event;
    use wasm_bindgen::JsCast;
    crate::browser::listen("concurrency-playground-test-hook", move |event| {
        let detail = event
            .dyn_ref::<web_sys::CustomEvent>()
            .map(|e| e.detail())
            .unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
        if let Some(hook) = read(&detail) {
            lab.send(Event::TestHook(hook));
        }
    })
}

/// The release build has no test hooks.
#[cfg(not(feature = "test-hooks"))]
pub fn listen(_: LabHandle) -> Option<EventListener> {
    None
}

/// The hook a detail names, if any.
#[cfg(feature = "test-hooks")]
fn read(detail: &wasm_bindgen::JsValue) -> Option<model::lab::TestHook> {
    use model::lab::TestHook;
    match detail.as_string().as_deref() {
        Some("trap") => return Some(TestHook::Trap),
        Some("break-stop") => return Some(TestHook::BreakStop),
        _ => {}
    }
    let value = js_sys::Reflect::get(detail, &"parentCounter".into()).ok()?;
    let n = value.as_f64().filter(|n| *n >= 0.0 && n.fract() == 0.0)?;
    Some(TestHook::SetParentCounter(n as u64))
}
