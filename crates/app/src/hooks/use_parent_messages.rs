//! Owns the embedding page's way in: a message from the parent window is handed to the model as
//! JSON (`model::wire::host::request`, which reads it and holds the contract's rules) and what
//! the model read is passed on. Messages from anywhere else are ignored, unread.
//!
//! The message is copied out of JavaScript bounded, not by `JSON.stringify`: only the keys the
//! model reads (`MESSAGE_KEYS`, and `params_keys()` under `params`), so a message of a hundred
//! thousand keys costs a dozen lookups; a host's objects beyond those go over empty (no value of
//! the contract is one); a string longer than `MAX_TEXT_UNITS` goes over as its length
//! (`long_text`), never copied into wasm memory; and numbers stay numbers (`JSON.stringify`
//! writes `NaN` as `null`, which would read as "the default" instead of "not a number").

use model::json::Json;
use model::wire::host::request::{
    long_text, params_keys, HostRequest, MAX_TEXT_UNITS, MESSAGE_KEYS, PARAMS,
};
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

fn field(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn is_object(value: &JsValue) -> bool {
    value.is_object() && !js_sys::Array::is_array(value)
}

/// One value as JSON, its contents left out if it is an object or an array; `None` when
/// undefined (an absent key).
fn leaf(value: &JsValue) -> Option<Json> {
    if value.is_undefined() {
        return None;
    }
    Some(if let Some(s) = value.dyn_ref::<js_sys::JsString>() {
        let units = s.length() as usize;
        if units > MAX_TEXT_UNITS {
            long_text(units)
        } else {
            Json::Str(String::from(s))
        }
    } else if let Some(n) = value.as_f64() {
        Json::Num(n)
    } else if let Some(b) = value.as_bool() {
        Json::Bool(b)
    } else if value.is_null() {
        Json::Null
    } else if js_sys::Array::is_array(value) {
        Json::Arr(Vec::new())
    } else {
        Json::Obj(Vec::new())
    })
}

/// `keys` of `object`, each as [`leaf`] makes it.
fn pick(object: &JsValue, keys: &[&str]) -> Vec<(String, Json)> {
    keys.iter()
        .filter_map(|&key| leaf(&field(object, key)).map(|v| (key.to_string(), v)))
        .collect()
}

/// A message's data as the model reads it.
fn message(data: &JsValue) -> Json {
    if !is_object(data) {
        return leaf(data).unwrap_or(Json::Null);
    }
    let mut fields = pick(data, &MESSAGE_KEYS);
    let params = field(data, PARAMS);
    if is_object(&params) {
        let keys: Vec<&str> = params_keys().collect();
        // `pick` gave it over empty, as any object.
        if let Some((_, value)) = fields.iter_mut().find(|(k, _)| k == PARAMS) {
            *value = Json::Obj(pick(&params, &keys));
        }
    }
    Json::Obj(fields)
}

/// The request in `event`, when the parent window sent it and it is one of the contract.
fn read(event: &web_sys::MessageEvent) -> Option<HostRequest> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    if js_sys::Object::is(&parent, &window) {
        return None;
    }
    let source: JsValue = event.source()?.into();
    if !js_sys::Object::is(&source, &parent) {
        return None;
    }
    HostRequest::read(&message(&event.data()))
}

/// Calls `on_request` with every request of the embedding page.
#[hook]
pub fn use_parent_messages(on_request: Callback<HostRequest>) {
    use_effect_with((), move |_| {
        let listener = crate::browser::listen("message", move |event| {
            if let Some(request) = event.dyn_ref::<web_sys::MessageEvent>().and_then(read) {
                on_request.emit(request);
            }
        });
        move || drop(listener)
    });
}
