//! Owns the embedding page's way in: `{source: "concurrency-playground", type: "run", params}`
//! posted by the parent window starts an experiment, validated exactly like URL parameters.
//! Every other message, of any shape or size, is ignored.

use model::query::{apply, ParsedQuery};
use model::Params;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// The parameters a message may set, as in the URL.
const KEYS: [&str; 7] = [
    "tool",
    "kind",
    "tasks",
    "workers",
    "gil",
    "io_ms",
    "cpu_iters",
];
/// Longer values are certainly invalid; they are not even copied into wasm memory.
const MAX_VALUE: u32 = 64;

fn field(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Reads a run request; `None` for anything else.
fn read_request(event: &web_sys::MessageEvent) -> Option<ParsedQuery> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    if js_sys::Object::is(&parent, &window) {
        return None;
    }
    let source: JsValue = event.source()?.into();
    if !js_sys::Object::is(&source, &parent) {
        return None;
    }
    let data = event.data();
    if !data.is_object() || js_sys::Array::is_array(&data) {
        return None;
    }
    let is = |key: &str, want: &str| field(&data, key).as_string().as_deref() == Some(want);
    if !is("source", "concurrency-playground") || !is("type", "run") {
        return None;
    }
    let params = field(&data, "params");
    if !params.is_object() || js_sys::Array::is_array(&params) {
        return None;
    }
    let mut parsed = ParsedQuery::default();
    for key in KEYS {
        let value = field(&params, key);
        if value.is_undefined() || value.is_null() {
            continue;
        }
        let text = if value.is_string() {
            let s: &js_sys::JsString = value.unchecked_ref();
            if s.length() > MAX_VALUE {
                "(a value too long to be valid)".to_string()
            } else {
                s.as_string().unwrap_or_default()
            }
        } else if let Some(n) = value.as_f64() {
            n.to_string()
        } else {
            "(not a string or number)".to_string()
        };
        apply(&mut parsed, key, &text);
    }
    Some(parsed)
}

/// Calls `on_request` with the parameters and notices of every valid run request.
#[hook]
pub fn use_parent_messages(on_request: Callback<(Params, Vec<model::Notice>)>) {
    use_effect_with((), move |_| {
        let listener = crate::browser::listen("message", move |event| {
            let request = event
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(read_request);
            if let Some(parsed) = request {
                on_request.emit((parsed.params, parsed.notices));
            }
        });
        move || drop(listener)
    });
}
