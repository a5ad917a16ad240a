//! A host's message to the frame, read ([`HostRequest::read`]) and held to the contract's rules
//! ([`HostRun::decide`]): the frame's hook only hands the message over as JSON and carries out
//! what comes back.
//!
//! Reading never fails: anything that is not a message of the contract, of any shape or size,
//! reads as `None`, and a value that is not valid is explained in a notice, as a URL's is. The
//! rules: an **untagged** `run` runs with its invalid values clamped or replaced (the notices
//! shown in the frame); a **tagged** one with any invalid value does not run, and is answered
//! `run-rejected` ([`Rejection`]).

use super::{Rejection, SOURCE};
use crate::experiment::config::Params;
use crate::experiment::notice::{rejection, Notice, Reason, Topic};
use crate::experiment::params::{Field, Param};
use crate::experiment::url::{apply, ParsedQuery};
use crate::json::Json;
use crate::python::cpython::{read_constants, MAX_CODE_CHARS};
use crate::teaching::predict::read_guess;

/// The keys of a message the frame reads; a host's other keys are never looked at.
pub const MESSAGE_KEYS: [&str; 5] = ["source", "type", PARAMS, "request", "code"];
/// The key of a message's experiment.
pub const PARAMS: &str = "params";
/// The key of a run's guess of its speedup, among `params`: beside the table's keys, since the
/// guess belongs to the run, not to the experiment.
pub const PREDICTION: &str = "prediction";
/// A parameter's value or a tag longer than this (UTF-16 units, as JavaScript counts them) is
/// certainly invalid.
pub const MAX_VALUE_UNITS: usize = 64;
/// A tag of more bytes than this (UTF-8) is dropped: the request still runs, untagged.
pub const MAX_REQUEST_LEN: usize = 64;
/// The longest string the frame copies out of a host's message, in UTF-16 units: `code`'s
/// limit, the largest of the contract. A longer one is handed to [`HostRequest::read`] as
/// [`long_text`], its length alone, which is all the rules need of it.
pub const MAX_TEXT_UNITS: usize = MAX_CODE_CHARS;

/// The key of [`long_text`]'s object.
const LONG_TEXT: &str = "long_text";

/// A string of `units` UTF-16 units, more than [`MAX_TEXT_UNITS`], as the frame's hook hands it
/// over instead of copying it. Only the hook makes it: the hook hands a host's own objects over
/// empty (nested beyond `params`, no value of the contract is an object), so a host cannot
/// write one.
pub fn long_text(units: usize) -> Json {
    Json::obj([(LONG_TEXT, Json::Uint(units as u64))])
}

/// The keys the frame reads under `params`: the experiment's, as the parameter table names
/// them, then the guess.
pub fn params_keys() -> impl Iterator<Item = &'static str> {
    Field::all().map(Field::key).chain([PREDICTION])
}

/// A message of the host, read.
#[derive(Clone, Debug, PartialEq)]
pub enum HostRequest {
    /// `run`: answered by the run's `run-finished`, or by `run-rejected` when tagged
    /// ([`HostRun::decide`]).
    Run(HostRun),
    /// `set`: show this experiment (and the host's program) without running it. Unanswered.
    Set {
        /// The parameters and the notices about any that were invalid.
        parsed: ParsedQuery,
        /// The host's Python program.
        code: Option<String>,
    },
    /// `ping`: answered by `ready` and `height` again, once the frame is ready.
    Ping,
}

/// A host's `run`.
#[derive(Clone, Debug, PartialEq)]
pub struct HostRun {
    /// The parameters and the notices about any that were invalid.
    pub parsed: ParsedQuery,
    /// The host's tag: a non-empty string of at most [`MAX_VALUE_UNITS`] units and
    /// [`MAX_REQUEST_LEN`] bytes, or a finite number as text; any other tag is dropped and the
    /// request runs untagged.
    pub request: Option<String>,
    /// The host's Python program: the editor shows it, whether the run runs or not.
    pub code: Option<String>,
    /// The host's guess of the speedup (`params.prediction`): such a run never waits for the
    /// learner's.
    pub guess: Option<f64>,
}

/// What the frame does with a host's `run`.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Run these parameters (after showing `notices`, the values clamped on the way).
    Run {
        /// What to run.
        params: Params,
        /// The host's tag, repeated in the run's `run-finished`.
        request: Option<String>,
        /// The host's guess of the speedup.
        guess: Option<f64>,
        /// What was clamped or replaced (untagged requests only: a tagged one with any is
        /// refused).
        notices: Vec<Notice>,
    },
    /// Do not run: answer the host and show the notice.
    Refuse {
        /// `run-rejected`, naming every invalid value.
        rejection: Rejection,
        /// The frame's notice of it.
        notice: Notice,
    },
}

impl HostRequest {
    /// Reads a message of the contract; `None` for anything else.
    pub fn read(message: &Json) -> Option<HostRequest> {
        let text = |key: &str| message.get(key).and_then(Json::as_str);
        if text("source") != Some(SOURCE) {
            return None;
        }
        let set = match text("type")? {
            "ping" => return Some(HostRequest::Ping),
            "set" => true,
            "run" => false,
            _ => return None,
        };
        let params = message.get(PARAMS).filter(|p| matches!(p, Json::Obj(_)))?;
        let mut parsed = ParsedQuery::default();
        let mut guess = None;
        for key in params_keys() {
            let Some(value) = params.get(key).filter(|v| !matches!(v, Json::Null)) else {
                continue;
            };
            let text = value_text(value);
            if key != PREDICTION {
                apply(&mut parsed, key, &text);
                continue;
            }
            match read_guess(&text) {
                Ok(g) => guess = Some(g),
                Err(why) => parsed.notices.push(why),
            }
        }
        let code = read_code(message.get("code"), &mut parsed);
        if set {
            // A guess belongs to a run.
            return Some(HostRequest::Set { parsed, code });
        }
        Some(HostRequest::Run(HostRun {
            parsed,
            request: request_tag(message.get("request")),
            code,
            guess,
        }))
    }
}

impl HostRun {
    /// The contract's rules. Untagged (its original form), invalid values are clamped as in a
    /// URL and the run starts at once. Tagged, a host that awaits its run is told what was
    /// wrong instead of getting another experiment than it asked for, and the frame says why
    /// nothing ran.
    pub fn decide(self) -> Decision {
        let HostRun {
            parsed,
            request,
            guess,
            ..
        } = self;
        let Some(request) = request else {
            return Decision::Run {
                params: parsed.params,
                request: None,
                guess,
                notices: parsed.notices,
            };
        };
        match rejection(&parsed.notices) {
            Some(message) => Decision::Refuse {
                rejection: Rejection {
                    request,
                    message,
                    notices: parsed.notices.clone(),
                },
                notice: Notice::new(Topic::RunRequest, Reason::InvalidRequest(parsed.notices)),
            },
            None => Decision::Run {
                params: parsed.params,
                request: Some(request),
                guess,
                notices: Vec::new(),
            },
        }
    }
}

/// A string's text and its length in UTF-16 units, or only the length of one too long to be
/// copied; `None` for anything else.
fn text_of(value: &Json) -> Option<(Option<&str>, usize)> {
    match value {
        Json::Str(s) => Some((Some(s), s.encode_utf16().count())),
        Json::Obj(fields) => match fields.as_slice() {
            [(key, Json::Uint(units))] if key == LONG_TEXT => Some((None, *units as usize)),
            _ => None,
        },
        _ => None,
    }
}

/// A number, however the JSON holds it.
fn number_of(value: &Json) -> Option<f64> {
    match value {
        Json::Uint(n) => Some(*n as f64),
        Json::Num(n) => Some(*n),
        _ => None,
    }
}

/// A parameter's value as a URL would carry it: a string as it is, a number as text. Anything
/// else reads as text that says what it was, which the parameter's check then refuses.
fn value_text(value: &Json) -> String {
    match (text_of(value), number_of(value)) {
        (Some((Some(text), units)), _) if units <= MAX_VALUE_UNITS => text.to_string(),
        (Some(_), _) => "(a value too long to be valid)".to_string(),
        (None, Some(n)) => n.to_string(),
        (None, None) => "(not a string or number)".to_string(),
    }
}

/// The host's tag: a short string, or a finite number as text; `None` for anything else.
fn request_tag(value: Option<&Json>) -> Option<String> {
    let value = value?;
    let text = match (text_of(value), number_of(value)) {
        (Some((Some(text), units)), _) if units <= MAX_VALUE_UNITS => text.to_string(),
        (None, Some(n)) if n.is_finite() => n.to_string(),
        _ => return None,
    };
    Some(text).filter(|t| !t.is_empty() && t.len() <= MAX_REQUEST_LEN)
}

/// A message's `code`: a string of at most [`MAX_CODE_CHARS`] UTF-16 units; anything else is
/// explained in `parsed`'s notices. The constants the program states fill in what the message's
/// own parameters leave out.
fn read_code(value: Option<&Json>, parsed: &mut ParsedQuery) -> Option<String> {
    let value = value.filter(|v| !matches!(v, Json::Null))?;
    let why = match text_of(value) {
        Some((Some(code), units)) if units <= MAX_CODE_CHARS => {
            for (field, raw) in read_constants(code) {
                if parsed.params.value(field).is_none() {
                    apply(parsed, field.key(), &raw);
                }
            }
            return Some(code.to_string());
        }
        Some((_, units)) => Reason::CodeTooLong {
            chars: units,
            max: MAX_CODE_CHARS,
            in_link: false,
        },
        None => Reason::CodeUnreadable,
    };
    parsed.notices.push(Notice::new(Param::Code, why));
    None
}

#[cfg(test)]
mod tests;
