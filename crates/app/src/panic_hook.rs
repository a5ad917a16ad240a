//! A crash must never leave a dead page: show what happened and how to recover.
//!
//! The page is built with `panic = immediate-abort` (docs/performance.md: the panic machinery
//! and its messages cost 11 KB of the first load): a panic is a WebAssembly trap, which reaches
//! the window as an uncaught `WebAssembly.RuntimeError` (an `error` event, or an
//! `unhandledrejection` from a future). Both are caught here and shown.

use wasm_bindgen::{JsCast, JsValue};

/// Listens, for the page's life, for a trap of the page's module and puts a visible alert at the
/// top of the page.
pub fn install() {
    let Some(window) = web_sys::window() else {
        return;
    };
    for event in ["error", "unhandledrejection"] {
        gloo_events::EventListener::new(&window, event, |e| {
            let error = js_sys::Reflect::get(e, &"error".into())
                .ok()
                .filter(|v| !v.is_undefined())
                .or_else(|| js_sys::Reflect::get(e, &"reason".into()).ok())
                .unwrap_or(JsValue::UNDEFINED);
            if error.is_instance_of::<js_sys::WebAssembly::RuntimeError>() {
                let text = js_sys::Error::from(error).message();
                web_sys::console::error_1(&format!("the page's module trapped: {text}").into());
                show(&String::from(text));
            }
        })
        .forget();
    }
}

fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(alert) = document.create_element("div") else {
        return;
    };
    alert.set_class_name("fatal-error");
    let _ = alert.set_attribute("role", "alert");
    let _ = alert.set_attribute("data-testid", "fatal-error");
    alert.set_text_content(Some(&format!(
        "Something broke inside the playground and it stopped ({message}). \
         Reloading the page starts it again; your experiment is kept in the URL."
    )));
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(alert.unchecked_ref());
    }
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("data-error", "true");
    }
}
