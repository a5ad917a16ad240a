//! Owns the embedding page's way in (`model::wire::host` documents the messages):
//! `{source: "concurrency-playground", type: "run", params, request?}` starts an experiment and
//! `type: "set"` only shows it, both validated exactly like URL parameters; `type: "ping"` asks
//! for the `ready` message again. `run` and `set` may carry `code`, the Python program CPython
//! runs (`engine=cpython`). Every other message, of any shape or size, is ignored.

use model::experiment::params::Field;
use model::experiment::url::{apply, ParsedQuery};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// Longer values are certainly invalid; they are not even copied into wasm memory.
const MAX_VALUE: u32 = 64;
/// The key of a run's guess of its speedup in a message's `params`.
const PREDICTION: &str = "prediction";

fn field(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A message of the embedding page.
#[derive(Clone, Debug, PartialEq)]
pub enum ParentMessage {
    /// Run these parameters; a tagged request is answered by its tag.
    Run {
        /// The parameters and the notices about any that were invalid.
        parsed: ParsedQuery,
        /// The host's tag (`model::wire::host::request_tag`).
        request: Option<String>,
        /// The host's Python program, if it sent one.
        code: Option<String>,
        /// The host's guess of the speedup (`params.prediction`): such runs never wait for
        /// the learner's.
        guess: Option<f64>,
    },
    /// Show these parameters (and the host's program, if any) without running.
    Set(ParsedQuery, Option<String>),
    /// Send `ready` (and the height) again.
    Ping,
}

/// A short string, or a finite number as text; `None` for anything else.
fn short_text(value: &JsValue) -> Option<String> {
    if value.is_string() {
        let s: &js_sys::JsString = value.unchecked_ref();
        return (s.length() <= MAX_VALUE).then(|| s.as_string()).flatten();
    }
    value
        .as_f64()
        .filter(|n| n.is_finite())
        .map(|n| n.to_string())
}

/// Reads a message of the contract; `None` for anything else.
fn read_request(event: &web_sys::MessageEvent) -> Option<ParentMessage> {
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
    if !is("source", model::wire::host::SOURCE) {
        return None;
    }
    if is("type", "ping") {
        return Some(ParentMessage::Ping);
    }
    let set = is("type", "set");
    if !set && !is("type", "run") {
        return None;
    }
    let params = field(&data, "params");
    if !params.is_object() || js_sys::Array::is_array(&params) {
        return None;
    }
    let mut parsed = ParsedQuery::default();
    // The parameters a message may set: those of the URL.
    let mut guess = None;
    for key in Field::all().map(Field::key).chain([PREDICTION]) {
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
        if key != PREDICTION {
            apply(&mut parsed, key, &text);
            continue;
        }
        match model::teaching::predict::read_guess(&text) {
            Ok(g) => guess = Some(g),
            Err(why) => parsed.notices.push(why),
        }
    }
    let code = read_code(&field(&data, "code"), &mut parsed);
    if set {
        // A guess belongs to a run.
        return Some(ParentMessage::Set(parsed, code));
    }
    let request = model::wire::host::request_tag(short_text(&field(&data, "request")));
    Some(ParentMessage::Run {
        parsed,
        request,
        guess,
        code,
    })
}

/// A message's `code`: a string of at most `MAX_CODE_CHARS` characters (longer ones are not
/// copied into wasm memory); anything else is explained in `parsed`'s notices.
fn read_code(value: &JsValue, parsed: &mut ParsedQuery) -> Option<String> {
    use model::experiment::notice::{Notice, Reason};
    use model::python::cpython::MAX_CODE_CHARS;
    if value.is_undefined() || value.is_null() {
        return None;
    }
    let why = match value.dyn_ref::<js_sys::JsString>() {
        Some(s) if (s.length() as usize) <= MAX_CODE_CHARS => return s.as_string(),
        Some(s) => Reason::CodeTooLong {
            chars: s.length() as usize,
            max: MAX_CODE_CHARS,
            in_link: false,
        },
        None => Reason::CodeUnreadable,
    };
    let topic = model::experiment::params::Param::Code;
    parsed.notices.push(Notice::new(topic, why));
    None
}

/// Calls `on_message` with every message of the contract.
#[hook]
pub fn use_parent_messages(on_message: Callback<ParentMessage>) {
    use_effect_with((), move |_| {
        let listener = crate::browser::listen("message", move |event| {
            let request = event
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(read_request);
            if let Some(message) = request {
                on_message.emit(message);
            }
        });
        move || drop(listener)
    });
}
