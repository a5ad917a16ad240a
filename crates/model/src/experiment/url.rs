//! The page's URL contract: parsing query parameters into [`Params`], clamping what is out of
//! range and explaining every change in a [`Notice`], never failing.

use crate::experiment::config::{Params, View};
use crate::experiment::lesson::{read_controls, Lesson};
use crate::experiment::notice::{Given, Notice, Reason};
use crate::experiment::params::{Field, Param, Value, Values, PARAMS};

/// The result of reading a query string.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedQuery {
    /// The experiment's parameters, each within limits.
    pub params: Params,
    /// `run=1`: start once the page is ready.
    pub run: bool,
    /// `embed=1`: compact layout for iframes.
    pub embed: bool,
    /// `code=`: the visitor's edited Python, compressed (checked, not yet decompressed).
    pub code: Option<String>,
    /// `predict`, `view` and `controls`: how the page presents the experiment.
    pub lesson: Lesson,
    /// One entry per parameter that was not taken as given.
    pub notices: Vec<Notice>,
}

/// Reads a query string (with or without the leading `?`). Unknown parameters are ignored, as
/// course sites may add their own; a parameter given twice takes its last value.
pub fn parse_query(query: &str) -> ParsedQuery {
    let mut out = ParsedQuery::default();
    for pair in query.trim_start_matches('?').split('&') {
        if pair.is_empty() {
            continue;
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key);
        let value = percent_decode(value);
        apply(&mut out, &key, value.trim());
    }
    out
}

/// Applies one parameter, as read from a URL or typed in a form field, to `out`: the same
/// validation everywhere.
pub fn apply(out: &mut ParsedQuery, key: &str, value: &str) {
    let Some(param) = Param::from_key(key) else {
        return;
    };
    let why = match param {
        Param::Field(field) => {
            let (read, why) = read(field, value);
            out.params.set(field, read);
            why
        }
        Param::Run => flag(value, &mut out.run),
        Param::Embed => flag(value, &mut out.embed),
        Param::Code => match crate::experiment::code_link::check(value) {
            Ok(code) => {
                out.code = Some(code.to_string());
                None
            }
            Err(why) => Some(why),
        },
        // Read by `www/coi.js`, before the page starts.
        Param::Coi => None,
        Param::Predict => flag(value, &mut out.lesson.predict),
        Param::View => {
            let view = View::parse(value);
            out.lesson.view = view.unwrap_or_default();
            view.is_none().then(|| Reason::NotAName {
                given: Given::new(value),
                default: View::Full.as_str(),
            })
        }
        Param::Controls => {
            let (fields, why) = read_controls(value);
            out.lesson.controls = fields;
            why
        }
    };
    out.notices.extend(why.map(|why| Notice::new(param, why)));
}

/// `value` read as `field`'s table entry says, and why it was not taken as given, if it was not.
fn read(field: Field, value: &str) -> (Option<Value>, Option<Reason>) {
    let spec = field.spec();
    match spec.values {
        Values::Names(names) => match names().into_iter().find(|n| *n == value) {
            Some(name) => (Some(Value::Name(name)), None),
            None => {
                let given = Given::new(value);
                let default = spec.default_name().unwrap_or_default();
                (None, Some(Reason::NotAName { given, default }))
            }
        },
        Values::Number(limits) => {
            let (n, why) = number(value, limits);
            (n.map(Value::Number), why)
        }
        // No field is a flag, text or a list: the page's own are read by `apply`.
        Values::Flag | Values::OptOut | Values::Text(_) | Values::Keys => (None, None),
    }
}

/// Sets `on` from a flag's value: on for `1`, `true` or nothing, off for `0`, `false` or
/// anything else, which is explained.
fn flag(value: &str, on: &mut bool) -> Option<Reason> {
    *on = matches!(value, "1" | "true" | "");
    let known = *on || matches!(value, "0" | "false");
    (!known).then(|| Reason::NotAFlag {
        given: Given::new(value),
    })
}

/// Applies one form field's raw text to `params`, as the visitor committed it: an empty number
/// field means "use the default"; anything else is validated as in a URL. Returns why the value
/// was not taken as typed, if it was not. Applied to the current parameters when the edit lands
/// (never to a copy captured earlier), so that quick edits of several fields all stick.
pub fn edit(params: &mut Params, field: Field, raw: &str) -> Option<Notice> {
    let raw = raw.trim();
    if raw.is_empty() && matches!(field.spec().values, Values::Number(_)) {
        params.set(field, None);
        return None;
    }
    let mut out = ParsedQuery {
        params: params.clone(),
        ..ParsedQuery::default()
    };
    apply(&mut out, field.key(), raw);
    *params = out.params;
    out.notices.into_iter().next()
}

/// Parses a number as people type it in URLs: `1e6`, `2_000_000`, `2,000,000`, a decimal.
pub fn parse_number(value: &str) -> Option<f64> {
    let cleaned: String = value.chars().filter(|c| *c != '_' && *c != ',').collect();
    let n: f64 = cleaned.parse().ok()?;
    n.is_finite().then_some(n)
}

/// A whole number within `(min, max)`: rounded and clamped, with why, or nothing when `value`
/// is not a number.
fn number(value: &str, (min, max): (u64, u64)) -> (Option<u64>, Option<Reason>) {
    let given = || Given::new(value);
    let Some(n) = parse_number(value) else {
        let limits = (min, max);
        return (
            None,
            Some(Reason::NotANumber {
                given: given(),
                limits,
            }),
        );
    };
    let rounded = n.round();
    let clamped = rounded.clamp(min as f64, max as f64) as u64;
    let why = if rounded != clamped as f64 {
        Some(Reason::OutOfRange {
            given: given(),
            limits: (min, max),
            using: clamped,
        })
    } else if rounded != n {
        Some(Reason::NotWhole {
            given: given(),
            using: clamped,
        })
    } else {
        None
    };
    (Some(clamped), why)
}

/// Decodes `%XX` escapes and `+` as space; invalid escapes are kept as written and invalid
/// UTF-8 is replaced, so that no input can make parsing fail.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes the parameters that are set as a query string (without `?`), in the table's order,
/// so that a URL reproduces the experiment.
pub fn to_query(params: &Params, run: bool, embed: bool) -> String {
    to_lesson_query(params, run, embed, &Lesson::default(), None)
}

/// [`to_query`], with the lesson's settings that differ from the defaults and `code`, edited
/// code as the editor compressed it.
pub fn to_lesson_query(
    params: &Params,
    run: bool,
    embed: bool,
    lesson: &Lesson,
    code: Option<&str>,
) -> String {
    let pairs = PARAMS.iter().filter_map(|spec| {
        let value = match spec.param {
            Param::Field(field) => params.value(field)?.to_string(),
            Param::Run if run => "1".into(),
            Param::Embed if embed => "1".into(),
            Param::Code => code?.to_string(),
            Param::Predict if lesson.predict => "1".into(),
            Param::View if lesson.compact() => lesson.view.as_str().into(),
            Param::Controls if !lesson.controls.is_empty() => {
                let mut keys = String::new();
                for f in &lesson.controls {
                    if !keys.is_empty() {
                        keys.push(',');
                    }
                    keys.push_str(f.key());
                }
                keys
            }
            Param::Run
            | Param::Embed
            | Param::Coi
            | Param::Predict
            | Param::View
            | Param::Controls => return None,
        };
        Some(format!("{}={value}", spec.key))
    });
    pairs.collect::<Vec<_>>().join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::{Gil, Kind, Tool};

    #[test]
    fn every_field_is_a_parameter_the_url_reads() {
        for f in Field::all() {
            let mut out = ParsedQuery::default();
            apply(&mut out, f.key(), "(nonsense)");
            assert_eq!(out.notices.len(), 1, "{}", f.key());
            assert_eq!(out.notices[0].topic.as_str(), f.key());
        }
    }

    #[test]
    fn reads_every_parameter() {
        let q = parse_query(
            "?tool=threads&kind=cpu&tasks=8&workers=3&gil=off&io_ms=50&cpu_iters=1e6&run=1&embed=1",
        );
        assert!(q.notices.is_empty(), "{:?}", q.notices);
        let p = q.params;
        assert_eq!(p.tool, Some(Tool::Threads));
        assert_eq!(p.kind, Some(Kind::Cpu));
        assert_eq!(p.tasks, Some(8));
        assert_eq!(p.workers, Some(3));
        assert_eq!(p.gil, Some(Gil::Off));
        assert_eq!(p.io_ms, Some(50));
        assert_eq!(p.cpu_iters, Some(1_000_000));
        assert!(q.run && q.embed);
    }

    #[test]
    fn bad_values_are_clamped_or_dropped_with_a_notice() {
        let q = parse_query("tasks=-5&io_ms=abc&tool=nope&run=1");
        assert_eq!(q.params.tasks, Some(1));
        assert_eq!(q.params.io_ms, None);
        assert_eq!(q.params.tool, None);
        assert!(q.run);
        let params: Vec<_> = q.notices.iter().map(|n| n.topic.as_str()).collect();
        assert_eq!(params, ["tasks", "io_ms", "tool"]);
        assert!(q.notices[0].text().contains("1 to 10000"));
    }

    #[test]
    fn notices_read_as_the_docs_show_them() {
        let text = |q: &str| parse_query(q).notices[0].text();
        assert_eq!(
            text("tool=nope"),
            "tool=\"nope\" is not a known value; using the default (sequential)."
        );
        assert_eq!(
            text("tasks=many"),
            "tasks=\"many\" is not a number; using the default. Allowed: 1 to 10000."
        );
        assert_eq!(
            text("tasks=-5"),
            "tasks=\"-5\" is outside 1 to 10000; using 1."
        );
        assert_eq!(
            text("io_ms=12.6"),
            "io_ms=\"12.6\" is not a whole number; using 13."
        );
        assert_eq!(text("run=yes"), "run=\"yes\" should be 1 or 0; ignored.");
        let q = parse_query("embed=yes&run=0&coi=0");
        assert!(!q.embed && !q.run);
        assert_eq!(q.notices.len(), 1, "coi is coi.js's");
    }

    #[test]
    fn huge_and_odd_numbers_are_clamped() {
        let q = parse_query("tasks=1e300&workers=999&cpu_iters=2_000_000&io_ms=12.6");
        assert_eq!(q.params.tasks, Some(10_000));
        assert_eq!(q.params.workers, Some(64));
        assert_eq!(q.params.cpu_iters, Some(2_000_000));
        assert_eq!(q.params.io_ms, Some(13));
        assert_eq!(q.notices.len(), 3);
        let q = parse_query("tasks=NaN&workers=inf&io_ms=");
        assert_eq!(q.params.tasks, None);
        assert_eq!(q.params.workers, None);
        assert_eq!(q.notices.len(), 3);
    }

    #[test]
    fn never_panics_on_garbage() {
        for q in [
            "%",
            "%%",
            "%zz",
            "a=%",
            "tool=%E2%82",
            "&&&",
            "=",
            "tasks==3",
            "tool=th%72eads",
            "\u{0}",
            "tasks=99999999999999999999999999",
        ] {
            let _ = parse_query(q);
        }
        assert_eq!(
            parse_query("tool=th%72eads").params.tool,
            Some(Tool::Threads)
        );
    }

    #[test]
    fn long_values_are_not_echoed_whole() {
        let long = "x".repeat(5000);
        let q = parse_query(&format!("tool={long}"));
        assert!(q.notices[0].text().len() < 200);
    }

    #[test]
    fn the_lesson_is_read_explained_and_written_back() {
        let q = parse_query("tool=threads&predict=1&view=compact&controls=workers,bogus");
        assert!(q.lesson.predict && q.lesson.compact());
        assert_eq!(q.lesson.controls, [Field::Workers]);
        let topics: Vec<_> = q.notices.iter().map(|n| n.topic.as_str()).collect();
        assert_eq!(topics, ["controls"]);
        assert_eq!(
            to_lesson_query(&q.params, false, true, &q.lesson, None),
            "tool=threads&embed=1&predict=1&view=compact&controls=workers"
        );
        let q = parse_query("view=tiny&predict=maybe");
        assert_eq!(q.lesson, Lesson::default());
        assert_eq!(
            q.notices[0].text(),
            "view=\"tiny\" is not a known value; using the default (full)."
        );
        assert_eq!(q.notices[1].topic.as_str(), "predict");
        assert_eq!(
            to_lesson_query(&q.params, false, false, &q.lesson, None),
            ""
        );
    }

    #[test]
    fn query_round_trips() {
        let q = parse_query("tool=processes&kind=mixed&tasks=12&workers=2&io_ms=100&run=1");
        let again = parse_query(&to_query(&q.params, q.run, q.embed));
        assert_eq!(again, q);
        let q = parse_query("engine=cpython&code=eJzLSM3JyQcA");
        assert_eq!(
            q.params.engine,
            Some(crate::experiment::config::Engine::Cpython)
        );
        assert_eq!(q.code.as_deref(), Some("eJzLSM3JyQcA"));
        let lesson = Lesson::default();
        let again = parse_query(&to_lesson_query(
            &q.params,
            false,
            false,
            &lesson,
            q.code.as_deref(),
        ));
        assert_eq!(again, q);
        let bad = parse_query("code=print(1)");
        assert_eq!(bad.code, None);
        assert_eq!(bad.notices[0].topic.as_str(), "code");
    }

    #[test]
    fn edits_apply_to_the_current_params() {
        let mut p = Params::default();
        assert_eq!(edit(&mut p, Field::Tasks, " 6 "), None);
        assert_eq!(edit(&mut p, Field::Workers, "3"), None);
        assert_eq!((p.tasks, p.workers), (Some(6), Some(3)));
        assert_eq!(edit(&mut p, Field::Tasks, ""), None);
        assert_eq!(p.tasks, None, "empty means the default");
        let why = edit(&mut p, Field::IoMs, "abc").expect("explained");
        assert_eq!(why.topic.as_str(), "io_ms");
        assert_eq!(p.workers, Some(3), "other fields kept");
        edit(&mut p, Field::Tool, "threads");
        assert_eq!(p.tool, Some(Tool::Threads));
        assert!(
            edit(&mut p, Field::Tool, "").is_some(),
            "a select has no default-by-empty"
        );
    }
}
