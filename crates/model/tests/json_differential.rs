//! `model::json` against serde_json, on generated input.
//!
//! `model::json` replaced serde_json in the page (see the module's header), so it must read
//! every document serde_json reads, as the same value, refuse every document serde_json
//! refuses, and write what serde_json writes. Hand-picked cases (the module's unit tests,
//! `json_compat.rs`) cover what someone thought of; this test covers what a seeded generator
//! thinks of:
//!
//! - valid documents: random values (nested arrays and objects, strings with every kind of
//!   escape, control and astral-plane characters, integers up to `u64::MAX`, negative
//!   integers, floats from random bits, exponents, negative zero), written by serde_json
//!   (compact and pretty) and by a writer here that varies what JSON allows (whitespace,
//!   `\uXXXX` and surrogate-pair escapes, `\/`, exponent forms, `E+`, long decimals). The
//!   value read must be exactly the generated one; `Json::write` and `Json::write_pretty`
//!   must give serde_json's bytes for it, and read back to the same value.
//! - malformed documents: mutations of valid ones (truncation, deleted, inserted and replaced
//!   characters, trailing commas, leading zeros, bad escapes and lone surrogates, control
//!   characters in strings, unbalanced brackets, trailing garbage) and random number and
//!   string tokens. `Json::parse` (and `Json::parse_each`) must accept exactly what
//!   serde_json accepts, as the same value, and never panic.
//!
//! Where the two differ by design, and how the test allows for it:
//!
//! - Negative integers are read as the nearest `f64` (`Json::Num`); serde_json keeps an `i64`.
//!   They are compared as `i as f64`.
//! - serde_json is built without `float_roundtrip`, so its float reader may be a unit in the
//!   last place off; `model::json` uses Rust's correctly rounded reader. Against the generated
//!   value `model::json` must be exact; against serde_json's reading, within [`ULP_SLACK`].
//! - Duplicate keys: serde_json's map keeps the last value (and sorts the keys);
//!   `model::json` keeps every pair in order. Compared as "the last value of each key".
//! - Depth: `model::json` reads 128 levels of nesting, serde_json 127 (see
//!   [`nesting_limits`]). Generated documents stay far below both.
//! - `model::json` refuses a document of more than 2 000 000 values; serde_json has no such
//!   limit. Generated documents stay far below it (the module's unit tests cover it).
//! - Numbers beyond `f64`'s range: both refuse them, so no exception is needed.
//! - Error messages are not compared, only accept or refuse.

use std::panic::{catch_unwind, AssertUnwindSafe};

use model::json::Json;
use serde_json::{Map, Number, Value};

/// How many units in the last place serde_json's float reading may be off (see the header).
const ULP_SLACK: u64 = 2;

/// splitmix64: a tiny deterministic generator, so every run tests the same documents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Generating values.

fn gen_value(rng: &mut Rng, depth: usize) -> Value {
    // Containers more often near the top, so that documents nest.
    let container = depth > 0 && rng.below(10) < 4;
    if container {
        let len = rng.below(6);
        return if rng.one_in(2) {
            Value::Array((0..len).map(|_| gen_value(rng, depth - 1)).collect())
        } else {
            let mut map = Map::new();
            for _ in 0..len {
                let key = gen_string(rng, 6);
                map.insert(key, gen_value(rng, depth - 1));
            }
            Value::Object(map)
        };
    }
    match rng.below(7) {
        0 => Value::Null,
        1 => Value::Bool(rng.one_in(2)),
        2 => Value::from(gen_uint(rng)),
        3 => Value::from(gen_negative(rng)),
        4 | 5 => Value::Number(Number::from_f64(gen_float(rng)).expect("finite")),
        _ => Value::String(gen_string(rng, 12)),
    }
}

fn gen_uint(rng: &mut Rng) -> u64 {
    match rng.below(4) {
        0 => rng.below(10) as u64,
        1 => rng.next() >> rng.below(64),
        2 => rng.next(),
        _ => rng.pick(&[
            0,
            1,
            (1 << 53) - 1,
            1 << 53,
            (1 << 53) + 1,
            i64::MAX as u64,
            1 << 63,
            u64::MAX - 1,
            u64::MAX,
        ]),
    }
}

fn gen_negative(rng: &mut Rng) -> i64 {
    match rng.below(3) {
        0 => -1 - rng.below(10) as i64,
        1 => -1 - ((rng.next() >> 1) >> rng.below(63)) as i64,
        _ => rng.pick(&[
            -1,
            -(1 << 53),
            -(1 << 53) - 1,
            -(1 << 53) - 3,
            i64::MIN + 1,
            i64::MIN,
        ]),
    }
}

fn gen_float(rng: &mut Rng) -> f64 {
    match rng.below(5) {
        // Any finite double: subnormals, huge and tiny exponents, 17 significant digits.
        0 | 1 => loop {
            let x = f64::from_bits(rng.next());
            if x.is_finite() {
                return x;
            }
        },
        // Short decimals at every scale, where serde_json's formatting switches forms.
        2 => {
            let mantissa = rng.below(100_000) as i64 - 50_000;
            let exponent = rng.below(60) as i32 - 30;
            format!("{mantissa}e{exponent}").parse().expect("a float")
        }
        // Whole numbers (written `3.0`).
        3 => (rng.next() >> rng.below(64)) as f64 * if rng.one_in(2) { -1.0 } else { 1.0 },
        _ => rng.pick(&[
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            1e-5,
            9.999999999999999e-6,
            1e-4,
            1e15,
            9.999999999999998e15,
            1e16,
            1e21,
            1e22,
            1e23,
            9007199254740993.0,
            18446744073709551616.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            -5e-324,
            // The largest subnormal.
            f64::from_bits(0x000F_FFFF_FFFF_FFFF),
            1.7976931348623157e308,
        ]),
    }
}

fn gen_char(rng: &mut Rng) -> char {
    loop {
        let code = match rng.below(10) {
            0..=3 => 0x20 + rng.below(0x5F) as u32,
            // Control characters, and DEL (which JSON leaves as is).
            4 => rng.pick(&[0, 1, 8, 9, 10, 12, 13, 0x1B, 0x1F, 0x7F]),
            5 => rng.below(0x20) as u32,
            6 => rng.pick(&['"' as u32, '\\' as u32, '/' as u32]),
            7 => 0x80 + rng.below(0xFF80) as u32,
            8 => 0x10000 + rng.below(0x10_0000) as u32,
            _ => rng.pick(&[
                0xA0, 0xE9, 0x2028, 0x2029, 0xD7FF, 0xE000, 0xFEFF, 0xFFFD, 0xFFFF, 0x1_0000,
                0x1_F600, 0x10_FFFF,
            ]),
        };
        // Surrogates are not characters: `char::from_u32` refuses them.
        if let Some(c) = char::from_u32(code) {
            return c;
        }
    }
}

fn gen_string(rng: &mut Rng, max_len: usize) -> String {
    (0..rng.below(max_len + 1)).map(|_| gen_char(rng)).collect()
}

// ---------------------------------------------------------------------------------------------
// A writer that varies what JSON allows.

fn space(rng: &mut Rng, out: &mut String) {
    if rng.one_in(3) {
        for _ in 0..1 + rng.below(3) {
            out.push(rng.pick(&[' ', '\t', '\n', '\r']));
        }
    }
}

fn write_varied(rng: &mut Rng, value: &Value, out: &mut String) {
    space(rng, out);
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else {
                write_float_varied(rng, n.as_f64().expect("a float"), out);
            }
        }
        Value::String(s) => write_str_varied(rng, s, out),
        Value::Array(items) => {
            out.push('[');
            space(rng, out);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_varied(rng, item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            space(rng, out);
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                space(rng, out);
                write_str_varied(rng, key, out);
                space(rng, out);
                out.push(':');
                write_varied(rng, item, out);
            }
            out.push('}');
        }
    }
    space(rng, out);
}

/// A float in one of the forms JSON allows, each of which reads back (correctly rounded) as
/// the same double; always with a point or an exponent, so that it stays a float.
fn write_float_varied(rng: &mut Rng, x: f64, out: &mut String) {
    let text = match rng.below(6) {
        0 => serde_json::to_string(&x).expect("finite"),
        1 => format!("{x:e}"),
        2 => format!("{x:E}").replacen("E", "E+", 1).replace("E+-", "E-"),
        // Trailing zeros in the mantissa, leading zeros in the exponent.
        3 => {
            let text = format!("{x:e}");
            let (mantissa, exponent) = text.split_once('e').expect("an exponent");
            let point = if mantissa.contains('.') { "" } else { "." };
            match exponent.strip_prefix('-') {
                Some(digits) => format!("{mantissa}{point}000e-00{digits}"),
                None => format!("{mantissa}{point}000e00{exponent}"),
            }
        }
        // Every digit, no exponent: up to ~330 of them, e.g. for 1e300 or 5e-324.
        _ => {
            let text = format!("{x}");
            if text.contains('.') {
                text
            } else {
                text + ".0"
            }
        }
    };
    out.push_str(&text);
}

fn write_str_varied(rng: &mut Rng, s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        let short = match c {
            '"' => Some('"'),
            '\\' => Some('\\'),
            '/' => Some('/'),
            '\u{8}' => Some('b'),
            '\u{c}' => Some('f'),
            '\n' => Some('n'),
            '\r' => Some('r'),
            '\t' => Some('t'),
            _ => None,
        };
        let must_escape = c == '"' || c == '\\' || (c as u32) < 0x20;
        match rng.below(3) {
            0 if !must_escape => out.push(c),
            1 if short.is_some() => {
                out.push('\\');
                out.extend(short);
            }
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    if rng.one_in(2) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    } else {
                        out.push_str(&format!("\\u{unit:04X}"));
                    }
                }
            }
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------------------------
// Comparing values.

/// `ours` is exactly `truth`: the same shape, keys in the same order, integers kept exact,
/// floats bit for bit (so `-0.0` is not `0.0`), negative integers as the nearest double.
fn exactly(ours: &Json, truth: &Value) -> bool {
    match (ours, truth) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Uint(a), Value::Number(n)) => n.is_u64() && n.as_u64() == Some(*a),
        (Json::Num(a), Value::Number(n)) if !n.is_u64() => {
            let b = n
                .as_i64()
                .map_or_else(|| n.as_f64().expect("a float"), |i| i as f64);
            a.to_bits() == b.to_bits()
        }
        (Json::Str(a), Value::String(b)) => a == b,
        (Json::Arr(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| exactly(x, y))
        }
        (Json::Obj(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((ka, va), (kb, vb))| ka == kb && exactly(va, vb))
        }
        _ => false,
    }
}

/// `ours` and serde_json's reading of the same text are the same document, allowing for how
/// serde_json differs by design (see the header): floats within [`ULP_SLACK`], duplicate keys
/// as their last value, keys in any order.
fn agrees(ours: &Json, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Uint(a), Value::Number(n)) => n.is_u64() && n.as_u64() == Some(*a),
        (Json::Num(a), Value::Number(n)) if !n.is_u64() => match n.as_i64() {
            Some(i) => a.to_bits() == (i as f64).to_bits(),
            None => close(*a, n.as_f64().expect("a float")),
        },
        (Json::Str(a), Value::String(b)) => a == b,
        (Json::Arr(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| agrees(x, y))
        }
        (Json::Obj(a), Value::Object(b)) => {
            let last = |key: &str| a.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v);
            a.iter().all(|(k, _)| b.contains_key(k))
                && b.iter()
                    .all(|(k, v)| last(k).is_some_and(|ours| agrees(ours, v)))
        }
        _ => false,
    }
}

fn close(a: f64, b: f64) -> bool {
    // Of one sign, adjacent bit patterns are adjacent floats (0.0 next to 5e-324); -0.0 is not
    // 0.0.
    a.is_sign_negative() == b.is_sign_negative() && a.to_bits().abs_diff(b.to_bits()) <= ULP_SLACK
}

/// serde_json refused a document as "number out of range" because its float reader (without
/// `float_roundtrip`) overflows on some numbers within a few units in the last place of
/// `f64::MAX` (`1.7976931348623158e308`, or `f64::MAX` written out in full), which are in range
/// and which `model::json` reads, correctly rounded, as `f64::MAX`. Only then is the refusal
/// excused: `ours` must hold such a number.
fn serde_overflows(e: &serde_json::Error, ours: &Json) -> bool {
    fn near_max(value: &Json) -> bool {
        match value {
            Json::Num(x) => x.abs() >= 1.79e308,
            Json::Arr(items) => items.iter().any(near_max),
            Json::Obj(fields) => fields.iter().any(|(_, v)| near_max(v)),
            _ => false,
        }
    }
    e.to_string().starts_with("number out of range") && near_max(ours)
}

/// Our value as serde_json's, to have serde_json write it.
fn to_serde(value: &Json) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Uint(n) => Value::from(*n),
        Json::Num(x) => Value::Number(Number::from_f64(*x).expect("finite")),
        Json::Str(s) => Value::String(s.clone()),
        Json::Arr(items) => Value::Array(items.iter().map(to_serde).collect()),
        Json::Obj(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), to_serde(v)))
                .collect(),
        ),
    }
}

/// `Json::parse`, with a panic turned into a failure that names the input.
fn parse(text: &str) -> Result<Json, String> {
    catch_unwind(AssertUnwindSafe(|| Json::parse(text)))
        .unwrap_or_else(|_| panic!("Json::parse panicked on {text:?}"))
}

/// `Json::parse_each`, collecting the elements, a panic turned into a failure.
fn parse_each(text: &str) -> Result<Vec<Json>, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut items = Vec::new();
        Json::parse_each(text, |item| {
            items.push(item);
            Ok(())
        })
        .map(|()| items)
    }))
    .unwrap_or_else(|_| panic!("Json::parse_each panicked on {text:?}"))
}

// ---------------------------------------------------------------------------------------------
// The checks.

/// A valid document's text: `model::json` reads it as `truth`, exactly, and as serde_json
/// reads it.
fn check_valid(text: &str, truth: &Value) -> Json {
    let ours = parse(text).unwrap_or_else(|e| panic!("refused {text:?}: {e}"));
    assert!(
        exactly(&ours, truth),
        "{text:?} read as {ours:?}, not {truth:?}"
    );
    match serde_json::from_str::<Value>(text) {
        Ok(theirs) => assert!(
            agrees(&ours, &theirs),
            "{text:?}: ours {ours:?}, serde_json's {theirs:?}"
        ),
        Err(e) if serde_overflows(&e, &ours) => {}
        Err(e) => panic!("serde_json refuses {text:?}: {e}"),
    }
    ours
}

/// What `model::json` writes is what serde_json writes for the same value, and reads back.
fn check_written(ours: &Json) {
    let compact = ours.write();
    let as_serde = to_serde(ours);
    assert_eq!(
        compact,
        serde_json::to_string(&as_serde).expect("writes"),
        "{ours:?}"
    );
    assert_eq!(
        ours.write_pretty(),
        serde_json::to_string_pretty(&as_serde).expect("writes"),
        "{ours:?}"
    );
    let again = parse(&compact).unwrap_or_else(|e| panic!("own text {compact:?} refused: {e}"));
    assert!(exactly(&again, &as_serde), "{compact:?} read as {again:?}");
    let theirs: Value = serde_json::from_str(&compact).expect("serde_json reads our text");
    assert!(
        agrees(ours, &theirs),
        "{compact:?} read by serde_json as {theirs:?}"
    );
}

/// Any text: `model::json` accepts it exactly when serde_json does, as the same document;
/// `parse_each` accepts it exactly when `parse` reads it as an array, as the same elements.
fn check_same_verdict(text: &str) {
    let ours = parse(text);
    match (&ours, serde_json::from_str::<Value>(text)) {
        (Ok(ours), Ok(theirs)) => assert!(
            agrees(ours, &theirs),
            "{text:?}: ours {ours:?}, serde_json's {theirs:?}"
        ),
        (Err(_), Err(_)) => {}
        (Ok(ours), Err(e)) if serde_overflows(&e, ours) => {}
        (Ok(ours), Err(e)) => {
            panic!("model::json accepts {text:?} as {ours:?}; serde_json refuses it: {e}")
        }
        (Err(e), Ok(_)) => panic!("model::json refuses {text:?} ({e}); serde_json accepts it"),
    }
    match (parse_each(text), &ours) {
        // Debug tells -0.0 from 0.0, which `==` does not.
        (Ok(items), Ok(Json::Arr(whole))) => assert_eq!(
            format!("{items:?}"),
            format!("{whole:?}"),
            "parse_each {text:?}"
        ),
        (Err(e), Ok(Json::Arr(_))) => panic!("parse_each refuses the array {text:?}: {e}"),
        (Ok(items), _) => panic!("parse_each accepts {text:?} as {items:?}; parse: {ours:?}"),
        (Err(_), _) => {}
    }
}

/// What inserted text may be: structure, junk, and pieces of numbers, words and escapes.
const JUNK: &[&str] = &[
    "{", "}", "[", "]", ",", ":", "\"", "\\", "x", "0", "1", "9", "-", "+", ".", "e", "E", " ",
    "\t", "\n", "\r", "\u{0}", "\u{1}", "\u{b}", "\u{c}", "\u{1f}", "\u{7f}", "\u{a0}", "\u{feff}",
    "é", "😀", "t", "true", "null", "nul", "fals", "NaN", "Infinity", "'", "/", "\\u", "01", "1.",
    ".5", "1e", "-0", "1e999", "-1e999", ",]", ",}", "[]", "{}", "\"\"", "\"a\":",
];

/// What may follow an opening quote: escapes good and bad, raw control characters.
const ESCAPES: &[&str] = &[
    "\\ud800",
    "\\udbff",
    "\\udc00",
    "\\udfff",
    "\\ud800\\u0041",
    "\\ud800\\ud800",
    "\\ud800\\udc00",
    "\\uDBFF\\uDFFF",
    "\\ud83d\\ude00",
    "\\ud800\\",
    "\\ud800\\u",
    "\\ud800\\udc0",
    "\\x",
    "\\u12",
    "\\u12G4",
    "\\U0041",
    "\\u0000",
    "\\'",
    "\\a",
    "\\0",
    "\\/",
    "\\\u{0}",
    "\\ ",
    "\u{0}",
    "\u{1}",
    "\u{1f}",
    "\u{7f}",
    "\n",
    "\t",
    "\\",
];

/// Where each character of `text` starts, and its end.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect()
}

/// A random position just before a character of `class`, or a random boundary.
fn before_one_of(rng: &mut Rng, text: &str, class: impl Fn(char) -> bool) -> usize {
    let at: Vec<usize> = text
        .char_indices()
        .filter(|&(_, c)| class(c))
        .map(|(i, _)| i)
        .collect();
    if at.is_empty() {
        rng.pick(&boundaries(text))
    } else {
        rng.pick(&at)
    }
}

fn mutate(rng: &mut Rng, text: &mut String) {
    let bounds = boundaries(text);
    let at = rng.pick(&bounds);
    // The character starting at `at`, when there is one.
    let char_end = bounds.iter().copied().find(|&b| b > at);
    match rng.below(11) {
        0 => text.truncate(at),
        1 => {
            if let Some(end) = char_end {
                text.replace_range(at..end, "");
            }
        }
        2 => text.insert_str(at, rng.pick(JUNK)),
        3 => {
            if let Some(end) = char_end {
                text.replace_range(at..end, rng.pick(JUNK));
            }
        }
        // A trailing comma.
        4 => {
            let at = before_one_of(rng, text, |c| c == ']' || c == '}');
            text.insert(at, ',');
        }
        // A leading zero (or a zero somewhere in a number).
        5 => {
            let at = before_one_of(rng, text, |c| c.is_ascii_digit());
            text.insert_str(at, rng.pick(&["0", "-0", "00", "-", "."]));
        }
        // An escape, or a raw control character, at the start of a string.
        6 => {
            let at = before_one_of(rng, text, |c| c == '"');
            let at = if text[at..].starts_with('"') {
                at + 1
            } else {
                at
            };
            text.insert_str(at, rng.pick(ESCAPES));
        }
        // Unbalanced brackets: one dropped, or one more.
        7 => {
            let at = before_one_of(rng, text, |c| "[]{}".contains(c));
            if rng.one_in(2) && at < text.len() {
                text.remove(at);
            } else {
                text.insert(at, rng.pick(&['[', ']', '{', '}']));
            }
        }
        8 => text.push_str(rng.pick(&[
            " x", "]", "}", ",", " 1", "\u{0}", " ", "\n", "{}", "[]", "\"", "//", "/* */",
            "\u{feff}",
        ])),
        // A slice of the document repeated.
        9 => {
            let other = rng.pick(&bounds);
            let (from, to) = (at.min(other), at.max(other));
            let piece = text[from..to].to_string();
            text.insert_str(to, &piece);
        }
        // A character swapped with the next.
        _ => {
            if let Some(end) = char_end {
                let next_end = bounds.iter().copied().find(|&b| b > end);
                if let Some(next_end) = next_end {
                    let swapped = format!("{}{}", &text[end..next_end], &text[at..end]);
                    text.replace_range(at..next_end, &swapped);
                }
            }
        }
    }
}

#[test]
fn valid_documents_read_as_serde_json_reads_them_and_write_as_it_writes() {
    let mut rng = Rng(0x5EED_0001);
    for _ in 0..2000 {
        let truth = gen_value(&mut rng, 5);
        let compact = serde_json::to_string(&truth).expect("writes");
        let ours = check_valid(&compact, &truth);
        check_valid(
            &serde_json::to_string_pretty(&truth).expect("writes"),
            &truth,
        );
        let mut varied = String::new();
        write_varied(&mut rng, &truth, &mut varied);
        check_valid(&varied, &truth);
        check_written(&ours);
    }
}

#[test]
fn malformed_documents_are_refused_as_serde_json_refuses_them() {
    let mut rng = Rng(0x5EED_0002);
    let mut refused = 0;
    for i in 0..6000 {
        let truth = gen_value(&mut rng, 3);
        let mut text = if i % 2 == 0 {
            serde_json::to_string(&truth).expect("writes")
        } else {
            let mut text = String::new();
            write_varied(&mut rng, &truth, &mut text);
            text
        };
        for _ in 0..1 + rng.below(3) {
            mutate(&mut rng, &mut text);
        }
        check_same_verdict(&text);
        refused += usize::from(serde_json::from_str::<Value>(&text).is_err());
    }
    // Most mutations break the document; the check above is not vacuous.
    assert!(refused > 3000, "only {refused} of 6000 mutations refused");
}

#[test]
fn random_number_tokens_are_read_as_serde_json_reads_them() {
    let mut rng = Rng(0x5EED_0003);
    let alphabet = b"0123456789-+.eE";
    for _ in 0..3000 {
        let len = 1 + rng.below(8);
        let token: String = (0..len)
            .map(|_| {
                // Digits more often than the rest.
                if rng.one_in(2) {
                    char::from(b'0' + rng.below(10) as u8)
                } else {
                    char::from(rng.pick(alphabet))
                }
            })
            .collect();
        check_same_verdict(&token);
        check_same_verdict(&format!("[{token}]"));
        check_same_verdict(&format!("{{\"k\":{token}}}"));
    }
    // Long numbers: beyond u64, beyond f64's range, past its precision, deep underflow.
    for digits in [19, 20, 21, 40, 308, 309, 310, 400] {
        for (before, after) in [
            ("", ""),
            ("-", ""),
            ("", ".5"),
            ("0.", ""),
            ("-0.", ""),
            ("", "e-400"),
            ("", "e10"),
            ("1.", "e-700"),
        ] {
            for digit in ["1", "9"] {
                check_same_verdict(&format!("{before}{}{after}", digit.repeat(digits)));
            }
        }
    }
    for text in [
        "1e308",
        "1.8e308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "-1.7976931348623159e308",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "4.9406564584124654e-324",
        "2.2250738585072009e-308",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "1e-400",
        "-1e-400",
        "0e999999999999999999999",
        "1e-999999999999999999999",
        "1e999999999999999999999",
        "0.0000000000000000000000000000001e999999999",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "-0",
        "-0.0",
        "-0e0",
        "0E+0",
        "1E-0",
        "1e007",
    ] {
        check_same_verdict(text);
    }
}

#[test]
fn random_string_tokens_are_read_as_serde_json_reads_them() {
    let mut rng = Rng(0x5EED_0004);
    let pieces = [
        "a", "é", "😀", "\"", "\\", "\\\\", "\\\"", "u", "x", "0", "d800", "dc00", "D83D", "DE00",
        "00e9", "0041", "ffff", "\\u", "\\n", "\\b", "\\/", "\n", "\t", "\u{0}", "\u{1f}",
        "\u{7f}", " ",
    ];
    for _ in 0..3000 {
        let body: String = (0..rng.below(8)).map(|_| rng.pick(&pieces)).collect();
        check_same_verdict(&format!("\"{body}\""));
        check_same_verdict(&format!("{{\"{body}\":1}}"));
    }
}

#[test]
fn hand_picked_documents_are_judged_as_serde_json_judges_them() {
    for text in [
        "",
        " ",
        "null",
        " true ",
        "false",
        "nul",
        "tru",
        "{",
        "[",
        "]",
        "}",
        "[1,",
        "[1,]",
        "[,1]",
        "[1,,2]",
        "{\"a\"",
        "{\"a\":",
        "{\"a\":1,}",
        "{,}",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1,\"a\":2}",
        "{1:2}",
        "01",
        "-01",
        "1.",
        ".5",
        "-",
        "--1",
        "1e",
        "1e+",
        "+1",
        "1.0.0",
        "0x10",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\ud800\\udc00\"",
        "\"a\nb\"",
        "\"a\u{7f}b\"",
        "[1] 2",
        "[1]]",
        "NaN",
        "Infinity",
        "-Infinity",
        "'a'",
        "\u{feff}1",
        "1\u{0}",
        "\u{b}1",
        "\u{c}1",
        "\u{a0}1",
        "[1]\u{a0}",
        "/* */1",
        "1//",
        "\"\\u0000\"",
        "[[[]]]",
        "[{}]",
        "{\"\":{}}",
        " \t\n\r1 \t\n\r",
    ] {
        check_same_verdict(text);
    }
}

/// The one place the two readers part by design at the edge: `model::json` reads 128 levels
/// of nesting (its unit tests pin that), serde_json 127. Both refuse 129.
#[test]
fn nesting_limits() {
    for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
        let nest = |n: usize| {
            let inner = if open == "[" { "" } else { "0" };
            format!("{}{inner}{}", open.repeat(n), close.repeat(n))
        };
        for n in [1, 64, 127] {
            check_same_verdict(&nest(n));
        }
        assert!(parse(&nest(128)).is_ok());
        assert!(serde_json::from_str::<Value>(&nest(128)).is_err());
        for n in [129, 1000] {
            check_same_verdict(&nest(n));
        }
    }
}
