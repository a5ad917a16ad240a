//! The page's URL contract: parsing query parameters into [`Params`], clamping what is out of
//! range and explaining every change in a [`Notice`], never failing.

use crate::config::{Gil, Kind, Limits, Lock, Params, Tool};
use std::fmt::Write as _;

/// One message for the visitor about a parameter that was clamped or replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The parameter's name as in the URL.
    pub param: String,
    /// What happened, in a sentence.
    pub message: String,
}

/// The result of reading a query string.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedQuery {
    /// The experiment's parameters, each within limits.
    pub params: Params,
    /// `run=1`: start once the page is ready.
    pub run: bool,
    /// `embed=1`: compact layout for iframes.
    pub embed: bool,
    /// One entry per parameter that was not taken as given.
    pub notices: Vec<Notice>,
}

/// Longest value we look at; anything longer is certainly invalid and is not echoed back whole.
const MAX_ECHO: usize = 40;

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
    let p = &mut out.params;
    let notices = &mut out.notices;
    match key {
        "tool" => p.tool = choice(notices, key, value, Tool::parse, "sequential"),
        "kind" => p.kind = choice(notices, key, value, Kind::parse, "io"),
        "gil" => p.gil = choice(notices, key, value, Gil::parse, "on"),
        "lock" => p.lock = choice(notices, key, value, Lock::parse, "off"),
        "tasks" => p.tasks = number(notices, key, value, Limits::TASKS).map(|v| v as u32),
        "workers" => p.workers = number(notices, key, value, Limits::WORKERS).map(|v| v as u32),
        "io_ms" => p.io_ms = number(notices, key, value, Limits::IO_MS).map(|v| v as u32),
        "cpu_iters" => p.cpu_iters = number(notices, key, value, Limits::CPU_ITERS),
        "serial" => p.serial = number(notices, key, value, Limits::SERIAL).map(|v| v as u32),
        "run" => out.run = flag(notices, key, value),
        "embed" => out.embed = flag(notices, key, value),
        _ => {}
    }
}

/// A field of the experiment form; its name is the URL parameter's (and the input's id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// `tool`.
    Tool,
    /// `kind`.
    Kind,
    /// `tasks`.
    Tasks,
    /// `workers`.
    Workers,
    /// `gil`.
    Gil,
    /// `io_ms`.
    IoMs,
    /// `cpu_iters`.
    CpuIters,
    /// `serial`.
    Serial,
    /// `lock`.
    Lock,
}

impl Field {
    /// Every field: the experiment's parameters as a URL or an embedding page sets them.
    pub const ALL: [Field; 9] = [
        Field::Tool,
        Field::Kind,
        Field::Tasks,
        Field::Workers,
        Field::Gil,
        Field::IoMs,
        Field::CpuIters,
        Field::Serial,
        Field::Lock,
    ];

    /// The URL parameter's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Tool => "tool",
            Field::Kind => "kind",
            Field::Tasks => "tasks",
            Field::Workers => "workers",
            Field::Gil => "gil",
            Field::IoMs => "io_ms",
            Field::CpuIters => "cpu_iters",
            Field::Serial => "serial",
            Field::Lock => "lock",
        }
    }
}

/// Applies one form field's raw text to `params`, as the visitor committed it: an empty number
/// field means "use the default"; anything else is validated as in a URL. Returns why the value
/// was not taken as typed, if it was not. Applied to the current parameters when the edit lands
/// (never to a copy captured earlier), so that quick edits of several fields all stick.
pub fn edit(params: &mut Params, field: Field, raw: &str) -> Option<Notice> {
    let raw = raw.trim();
    let mut out = ParsedQuery {
        params: params.clone(),
        ..ParsedQuery::default()
    };
    match field {
        Field::Tasks if raw.is_empty() => out.params.tasks = None,
        Field::Workers if raw.is_empty() => out.params.workers = None,
        Field::IoMs if raw.is_empty() => out.params.io_ms = None,
        Field::CpuIters if raw.is_empty() => out.params.cpu_iters = None,
        Field::Serial if raw.is_empty() => out.params.serial = None,
        _ => apply(&mut out, field.as_str(), raw),
    }
    *params = out.params;
    out.notices.into_iter().next()
}

fn echo(value: &str) -> String {
    if value.chars().count() > MAX_ECHO {
        let cut: String = value.chars().take(MAX_ECHO).collect();
        format!("\"{cut}…\"")
    } else {
        format!("\"{value}\"")
    }
}

fn choice<T>(
    notices: &mut Vec<Notice>,
    key: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    default: &str,
) -> Option<T> {
    let parsed = parse(value);
    if parsed.is_none() {
        notices.push(Notice {
            param: key.to_owned(),
            message: format!(
                "{key}={} is not a known value; using the default ({default}).",
                echo(value)
            ),
        });
    }
    parsed
}

/// Parses a whole number and clamps it to `(min, max)`. Accepts what people type in URLs:
/// `1e6`, `2_000_000`, `2,000,000`, a decimal (rounded).
pub fn parse_number(value: &str) -> Option<f64> {
    let cleaned: String = value.chars().filter(|c| *c != '_' && *c != ',').collect();
    let n: f64 = cleaned.parse().ok()?;
    n.is_finite().then_some(n)
}

fn number(
    notices: &mut Vec<Notice>,
    key: &str,
    value: &str,
    (min, max): (u64, u64),
) -> Option<u64> {
    let Some(n) = parse_number(value) else {
        notices.push(Notice {
            param: key.to_owned(),
            message: format!(
                "{key}={} is not a number; using the default. Allowed: {min} to {max}.",
                echo(value)
            ),
        });
        return None;
    };
    let rounded = n.round();
    let clamped = rounded.clamp(min as f64, max as f64) as u64;
    if rounded != clamped as f64 {
        notices.push(Notice {
            param: key.to_owned(),
            message: format!(
                "{key}={} is outside {min} to {max}; using {clamped}.",
                echo(value)
            ),
        });
    } else if rounded != n {
        notices.push(Notice {
            param: key.to_owned(),
            message: format!(
                "{key}={} is not a whole number; using {clamped}.",
                echo(value)
            ),
        });
    }
    Some(clamped)
}

fn flag(notices: &mut Vec<Notice>, key: &str, value: &str) -> bool {
    match value {
        "1" | "true" | "" => true,
        "0" | "false" => false,
        other => {
            notices.push(Notice {
                param: key.to_owned(),
                message: format!("{key}={} should be 1 or 0; ignored.", echo(other)),
            });
            false
        }
    }
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

/// Writes the parameters that are set as a query string (without `?`), in the contract's order,
/// so that a URL reproduces the experiment.
pub fn to_query(params: &Params, run: bool, embed: bool) -> String {
    let mut q = String::new();
    let mut put = |k: &str, v: String| {
        if !q.is_empty() {
            q.push('&');
        }
        let _ = write!(q, "{k}={v}");
    };
    if let Some(t) = params.tool {
        put("tool", t.as_str().into());
    }
    if let Some(k) = params.kind {
        put("kind", k.as_str().into());
    }
    if let Some(n) = params.tasks {
        put("tasks", n.to_string());
    }
    if let Some(n) = params.workers {
        put("workers", n.to_string());
    }
    if let Some(g) = params.gil {
        put("gil", g.as_str().into());
    }
    if let Some(n) = params.io_ms {
        put("io_ms", n.to_string());
    }
    if let Some(n) = params.cpu_iters {
        put("cpu_iters", n.to_string());
    }
    if let Some(n) = params.serial {
        put("serial", n.to_string());
    }
    if let Some(l) = params.lock {
        put("lock", l.as_str().into());
    }
    if run {
        put("run", "1".into());
    }
    if embed {
        put("embed", "1".into());
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_a_parameter_the_url_reads() {
        for f in Field::ALL {
            let mut out = ParsedQuery::default();
            apply(&mut out, f.as_str(), "(nonsense)");
            assert_eq!(out.notices.len(), 1, "{}", f.as_str());
            assert_eq!(out.notices[0].param, f.as_str());
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
        let params: Vec<_> = q.notices.iter().map(|n| n.param.as_str()).collect();
        assert_eq!(params, ["tasks", "io_ms", "tool"]);
        assert!(q.notices[0].message.contains("1 to 10000"));
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
        assert!(q.notices[0].message.len() < 200);
    }

    #[test]
    fn query_round_trips() {
        let q = parse_query("tool=processes&kind=mixed&tasks=12&workers=2&io_ms=100&run=1");
        let again = parse_query(&to_query(&q.params, q.run, q.embed));
        assert_eq!(again, q);
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
        assert_eq!(why.param, "io_ms");
        assert_eq!(p.workers, Some(3), "other fields kept");
        edit(&mut p, Field::Tool, "threads");
        assert_eq!(p.tool, Some(Tool::Threads));
        assert!(
            edit(&mut p, Field::Tool, "").is_some(),
            "a select has no default-by-empty"
        );
    }
}
