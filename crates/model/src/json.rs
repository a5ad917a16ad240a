//! A small JSON value with its reader and writer, and the two traits that turn the model's types
//! into it and back.
//!
//! Why not serde: the page's module carried serde's derived (de)serializers for every message,
//! record and report, each monomorphized for serde_json's reader and writer: 11.5 % of the
//! module (twiggy) and the largest part that was not the UI itself. One dynamic value and
//! hand-written conversions are a fraction of that, and the page must load light on phones.
//! The JSON written for records, reports and worker messages is what serde_json wrote for the
//! same types, byte for byte (field order, externally tagged enums, `1.0` for a whole float), so
//! exports from before read back and tools that read them still do. The embedding messages and
//! the trace, which serde_json's `json!` wrote with their keys sorted, keep the order they are
//! written in: the same documents.

use std::fmt::Write as _;
use std::rc::Rc;

/// A JSON value. Objects keep their keys in order (the order they were written or read).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer that fits in 64 bits, kept exact (a `u64` may exceed 2^53).
    Uint(u64),
    /// Any other number.
    Num(f64),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, its keys in order.
    Obj(Vec<(String, Json)>),
}

/// Deeper nesting than this is refused (serde_json's limit too): nothing the playground writes
/// nests past 5, and a hostile file must not exhaust the stack.
const MAX_DEPTH: usize = 128;

/// One document (or one element of [`Json::parse_each`]) holds at most this many values: a
/// 10 000-task run is about 300 000. A value costs 16 bytes on wasm32 before what it holds, so
/// a hostile file (64 MB of `[0,0,0,…]` is 32 million values) is refused at ~32 MB, not ~1 GB.
const MAX_VALUES: usize = 2_000_000;

impl Json {
    /// An object from `(key, value)` pairs.
    pub fn obj<const N: usize>(fields: [(&str, Json); N]) -> Json {
        // One copy of the conversion for every N would be a copy per object shape.
        Json::obj_of(Vec::from(fields))
    }

    fn obj_of(fields: Vec<(&str, Json)>) -> Json {
        Json::Obj(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    /// Adds a field to an object (no effect on anything else).
    pub fn push(&mut self, key: &str, value: Json) {
        if let Json::Obj(fields) = self {
            fields.push((key.to_string(), value));
        }
    }

    /// The value of `key` when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Reads one JSON value that fills `text` (whitespace around it allowed).
    pub fn parse(text: &str) -> Result<Json, String> {
        let mut reader = Reader::new(text);
        let value = reader.value()?;
        reader.end()?;
        Ok(value)
    }

    /// Reads a JSON array one element at a time: each is handed to `each` and dropped before
    /// the next is read, so a file of many runs never holds more than one as a tree. Stops at
    /// the first error, `each`'s included.
    pub fn parse_each(
        text: &str,
        mut each: impl FnMut(Json) -> Result<(), String>,
    ) -> Result<(), String> {
        let mut reader = Reader::new(text);
        reader.expect(b'[')?;
        // The array is one level, as in `parse`: what `parse` refuses as too deep, so does this.
        reader.depth = 1;
        reader.items(b']', |r| {
            r.values = 0;
            each(r.value()?)
        })?;
        reader.end()
    }

    /// As compact JSON text.
    pub fn write(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out, None, 0);
        out
    }

    /// As JSON text indented by two spaces, as serde_json's pretty printer writes it.
    pub fn write_pretty(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out, Some("  "), 0);
        out
    }

    fn write_to(&self, out: &mut String, indent: Option<&str>, level: usize) {
        let line = |out: &mut String, level: usize| {
            if let Some(indent) = indent {
                out.push('\n');
                for _ in 0..level {
                    out.push_str(indent);
                }
            }
        };
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Uint(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Num(n) if n.is_finite() => write_float(out, *n),
            // JSON has no NaN or infinity: null, as serde_json writes them.
            Json::Num(_) => out.push_str("null"),
            Json::Str(s) => write_str(out, s),
            Json::Arr(items) if items.is_empty() => out.push_str("[]"),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    line(out, level + 1);
                    item.write_to(out, indent, level + 1);
                }
                line(out, level);
                out.push(']');
            }
            Json::Obj(fields) if fields.is_empty() => out.push_str("{}"),
            Json::Obj(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    line(out, level + 1);
                    write_str(out, key);
                    out.push(':');
                    if indent.is_some() {
                        out.push(' ');
                    }
                    value.write_to(out, indent, level + 1);
                }
                line(out, level);
                out.push('}');
            }
        }
    }
}

/// The shortest text that reads back to the same float, as serde_json writes it: Rust's `{:?}`
/// (`.0` on a whole number, an exponent outside 1e-5..1e16) but with serde_json's `e+16` and its
/// decimals for 1e-5..1e-4, so that re-exporting an export gives the same bytes.
fn write_float(out: &mut String, n: f64) {
    let text = format!("{n:?}");
    match text.split_once('e') {
        Some((mantissa, "-5")) => {
            let (sign, digits) = match mantissa.strip_prefix('-') {
                Some(rest) => ("-", rest),
                None => ("", mantissa),
            };
            out.push_str(sign);
            out.push_str("0.0000");
            out.push_str(&digits.replace('.', ""));
        }
        Some((mantissa, exponent)) if !exponent.starts_with('-') => {
            let _ = write!(out, "{mantissa}e+{exponent}");
        }
        _ => out.push_str(&text),
    }
}

/// A string literal: quotes, backslashes and control characters escaped, the rest as is.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A cursor over the text being read.
struct Reader<'a> {
    text: &'a [u8],
    at: usize,
    depth: usize,
    /// Values read so far (see [`MAX_VALUES`]).
    values: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader {
            text: text.as_bytes(),
            at: 0,
            depth: 0,
            values: 0,
        }
    }

    /// Nothing but whitespace may follow the document.
    fn end(&mut self) -> Result<(), String> {
        self.space();
        if self.at < self.text.len() {
            return Err(self.error("trailing characters"));
        }
        Ok(())
    }

    /// `what` at the reader's line and column (1-based, as serde_json says it).
    fn error(&self, what: &str) -> String {
        let before = &self.text[..self.at.min(self.text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        format!("{what} at line {line} column {column}")
    }

    fn space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.text.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", byte as char)))
        }
    }

    fn word(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.text[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(self.error("too many values"));
        }
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'n') => self.word("null", Json::Null),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'[') => self.nested(|r| {
                let mut items = Vec::new();
                r.items(b']', |r| {
                    items.push(r.value()?);
                    Ok(())
                })?;
                Ok(Json::Arr(items))
            }),
            Some(b'{') => self.nested(|r| {
                let mut fields = Vec::new();
                r.items(b'}', |r| {
                    if r.peek() != Some(b'"') {
                        return Err(r.error("key must be a string"));
                    }
                    let key = r.string()?;
                    r.expect(b':')?;
                    fields.push((key, r.value()?));
                    Ok(())
                })?;
                Ok(Json::Obj(fields))
            }),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected value")),
        }
    }

    /// The items of a list or an object up to `close`, its opening bracket read: `item` reads
    /// each one, the commas between them are checked here.
    fn items(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(());
        }
        loop {
            item(self)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(c) if c == close => {
                    self.at += 1;
                    return Ok(());
                }
                None if close == b']' => return Err(self.error("EOF while parsing a list")),
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) if close == b']' => return Err(self.error("expected `,` or `]`")),
                Some(_) => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    /// An array or object one level deeper (its opening bracket not yet consumed).
    fn nested(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<Json, String>,
    ) -> Result<Json, String> {
        if self.depth == MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.depth += 1;
        self.at += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        let digits = |r: &mut Self| {
            let from = r.at;
            while let Some(b'0'..=b'9') = r.text.get(r.at) {
                r.at += 1;
            }
            r.at > from
        };
        let negative = self.text[self.at] == b'-';
        if negative {
            self.at += 1;
        }
        // JSON's grammar: no leading zeros, digits on both sides of a point, an exponent with
        // digits; Rust's float reader alone would take "1.", ".5" and "01".
        let int_start = self.at;
        if !digits(self) {
            return Err(self.error("invalid number"));
        }
        if self.text[int_start] == b'0' && self.at - int_start > 1 {
            return Err(self.error("invalid number"));
        }
        let mut integer = true;
        if self.text.get(self.at) == Some(&b'.') {
            integer = false;
            self.at += 1;
            if !digits(self) {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.text.get(self.at) {
            integer = false;
            self.at += 1;
            if let Some(b'+' | b'-') = self.text.get(self.at) {
                self.at += 1;
            }
            if !digits(self) {
                return Err(self.error("invalid number"));
            }
        }
        // The slice holds only ASCII digits, signs, points and exponents: valid UTF-8.
        let token = std::str::from_utf8(&self.text[start..self.at]).unwrap_or_default();
        if integer && !negative {
            if let Ok(n) = token.parse::<u64>() {
                return Ok(Json::Uint(n));
            }
        }
        // A float beyond f64's range reads as infinity, which JSON cannot write back.
        match token.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Json::Num(n)),
            Ok(_) => Err(self.error("number out of range")),
            Err(_) => Err(self.error("invalid number")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote, backslash or control character at once.
            let from = self.at;
            while let Some(&b) = self.text.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // The input is a `&str` and the run stops only at ASCII bytes: whole characters.
            out.push_str(std::str::from_utf8(&self.text[from..self.at]).unwrap_or_default());
            match self.text.get(self.at) {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = match self.text.get(self.at) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return Err(self.error("invalid escape")),
                    };
                    self.at += 1;
                    out.push(escaped);
                }
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }

    /// The character of `\uXXXX` (a surrogate pair takes two), the cursor left on its last digit.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let hex = |r: &mut Self| -> Result<u32, String> {
            let digits = r.text.get(r.at + 1..r.at + 5).unwrap_or_default();
            let text = std::str::from_utf8(digits).unwrap_or_default();
            if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(r.error("invalid \\u escape"));
            }
            r.at += 4;
            u32::from_str_radix(text, 16).map_err(|_| r.error("invalid \\u escape"))
        };
        let first = hex(self)?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.text.get(self.at + 1..self.at + 3) != Some(b"\\u") {
                return Err(self.error("lone leading surrogate in a \\u escape"));
            }
            self.at += 2;
            let second = hex(self)?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("invalid surrogate pair in a \\u escape"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }
}

/// A type written as JSON.
pub trait ToJson {
    /// Its JSON value.
    fn to_json(&self) -> Json;
}

/// A type read from JSON.
pub trait FromJson: Sized {
    /// Reads it; the error says what was expected.
    fn from_json(value: &Json) -> Result<Self, String>;

    /// What an absent field of this type reads as, when it may be absent (an `Option`: `None`).
    fn absent() -> Option<Self> {
        None
    }
}

/// The fields of an object being read into a struct: each read names the field in its error.
pub struct Fields<'a> {
    fields: &'a [(String, Json)],
}

impl<'a> Fields<'a> {
    /// The fields of `value`, or an error naming `what` was expected.
    pub fn of(value: &'a Json, what: &str) -> Result<Self, String> {
        match value {
            Json::Obj(fields) => Ok(Fields { fields }),
            _ => Err(format!("expected {what} (an object)")),
        }
    }

    /// Field `key`: required unless its type may be absent (an `Option`).
    pub fn req<T: FromJson>(&self, key: &str) -> Result<T, String> {
        match self.fields.iter().find(|(k, _)| k == key) {
            Some((_, value)) => T::from_json(value).map_err(|e| format!("`{key}`: {e}")),
            None => T::absent().ok_or_else(|| format!("missing field `{key}`")),
        }
    }

    /// Field `key`, or the type's default when it is absent.
    pub fn or_default<T: FromJson + Default>(&self, key: &str) -> Result<T, String> {
        match self.fields.iter().find(|(k, _)| k == key) {
            Some((_, value)) => T::from_json(value).map_err(|e| format!("`{key}`: {e}")),
            None => Ok(T::default()),
        }
    }
}

/// A number as JSON: exact for integers.
fn expect_number(value: &Json) -> Result<f64, String> {
    match value {
        Json::Uint(n) => Ok(*n as f64),
        Json::Num(n) => Ok(*n),
        _ => Err("expected a number".into()),
    }
}

/// A whole number up to `max`.
fn expect_uint(value: &Json, max: u64) -> Result<u64, String> {
    match value {
        Json::Uint(n) if *n <= max => Ok(*n),
        Json::Uint(_) | Json::Num(_) => Err(format!("expected a whole number from 0 to {max}")),
        _ => Err("expected a number".into()),
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Json {
        Json::Bool(*self)
    }
}

impl FromJson for bool {
    fn from_json(value: &Json) -> Result<Self, String> {
        match value {
            Json::Bool(b) => Ok(*b),
            _ => Err("expected true or false".into()),
        }
    }
}

impl ToJson for u32 {
    fn to_json(&self) -> Json {
        Json::Uint(u64::from(*self))
    }
}

impl FromJson for u32 {
    fn from_json(value: &Json) -> Result<Self, String> {
        expect_uint(value, u64::from(u32::MAX)).map(|n| n as u32)
    }
}

impl ToJson for u64 {
    fn to_json(&self) -> Json {
        Json::Uint(*self)
    }
}

impl FromJson for u64 {
    fn from_json(value: &Json) -> Result<Self, String> {
        expect_uint(value, u64::MAX)
    }
}

impl ToJson for f64 {
    fn to_json(&self) -> Json {
        Json::Num(*self)
    }
}

impl FromJson for f64 {
    fn from_json(value: &Json) -> Result<Self, String> {
        expect_number(value)
    }
}

impl ToJson for str {
    fn to_json(&self) -> Json {
        Json::Str(self.to_string())
    }
}

impl ToJson for String {
    fn to_json(&self) -> Json {
        Json::Str(self.clone())
    }
}

impl FromJson for String {
    fn from_json(value: &Json) -> Result<Self, String> {
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "expected a string".into())
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Json {
        self.as_ref().map_or(Json::Null, T::to_json)
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Json) -> Result<Self, String> {
        match value {
            Json::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }

    fn absent() -> Option<Self> {
        Some(None)
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Json {
        Json::Arr(self.iter().map(T::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Json {
        self.as_slice().to_json()
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Json) -> Result<Self, String> {
        match value {
            Json::Arr(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| T::from_json(item).map_err(|e| format!("[{i}]: {e}")))
                .collect(),
            _ => Err("expected a list".into()),
        }
    }
}

impl<T: ToJson> ToJson for Rc<Vec<T>> {
    fn to_json(&self) -> Json {
        self.as_slice().to_json()
    }
}

impl<T: FromJson> FromJson for Rc<Vec<T>> {
    fn from_json(value: &Json) -> Result<Self, String> {
        Vec::from_json(value).map(Rc::new)
    }
}

/// `ToJson` and `FromJson` for an enum written as its name (`as_str`) and read back by finding
/// the name among `variants` (an array of every variant).
macro_rules! json_by_name {
    ($type:ty, $what:literal, $variants:expr) => {
        impl $crate::json::ToJson for $type {
            fn to_json(&self) -> $crate::json::Json {
                $crate::json::Json::Str(self.as_str().into())
            }
        }

        impl $crate::json::FromJson for $type {
            fn from_json(value: &$crate::json::Json) -> Result<Self, String> {
                let name = value.as_str().unwrap_or_default();
                $variants
                    .into_iter()
                    .find(|v| v.as_str() == name)
                    .ok_or_else(|| format!("expected {}", $what))
            }
        }
    };
}
pub(crate) use json_by_name;

/// `ToJson` and `FromJson` for a struct written as an object of its fields in the order given
/// (the declaration's, as serde wrote them). A field given as `name = default` reads as its
/// type's default when absent; an `Option` reads as `None` when absent, as with serde.
macro_rules! json_struct {
    ($type:ident, $what:literal, { $($field:ident $(= $default:ident)?),+ $(,)? }) => {
        impl $crate::json::ToJson for $type {
            fn to_json(&self) -> $crate::json::Json {
                $crate::json::Json::obj([
                    $((stringify!($field), $crate::json::ToJson::to_json(&self.$field))),+
                ])
            }
        }

        impl $crate::json::FromJson for $type {
            fn from_json(value: &$crate::json::Json) -> Result<Self, String> {
                let fields = $crate::json::Fields::of(value, $what)?;
                Ok($type {
                    $($field: $crate::json::json_struct!(@read fields, $field $(, $default)?)),+
                })
            }
        }
    };
    (@read $fields:ident, $field:ident) => {
        $fields.req(stringify!($field))?
    };
    (@read $fields:ident, $field:ident, default) => {
        $fields.or_default(stringify!($field))?
    };
}
pub(crate) use json_struct;

/// An externally tagged value's variant name and its fields (`None` for a bare name).
pub(crate) fn variant(value: &Json) -> Result<(&str, Option<Fields<'_>>), String> {
    match value {
        Json::Str(name) => Ok((name, None)),
        Json::Obj(fields) if fields.len() == 1 => {
            let (name, body) = &fields[0];
            Ok((name, Some(Fields::of(body, name)?)))
        }
        _ => Err("expected a name, or an object with one key".into()),
    }
}

/// The fields of variant `name`, which must have some.
pub(crate) fn body<'a>(name: &str, fields: Option<Fields<'a>>) -> Result<Fields<'a>, String> {
    fields.ok_or_else(|| format!("`{name}` needs its fields"))
}

/// `ToJson` and `FromJson` for an enum externally tagged as serde writes it: a variant without
/// fields as its name (`"calibrate"`), one with fields as `{"name": {fields in order}}`. Fields
/// are given as for [`json_struct!`].
macro_rules! json_tagged {
    ($type:ident, $what:literal, {
        $($(#[$meta:meta])* $variant:ident = $name:literal $({ $($field:ident $(= $default:ident)?),+ $(,)? })?),+ $(,)?
    }) => {
        impl $crate::json::ToJson for $type {
            fn to_json(&self) -> $crate::json::Json {
                match self {
                    $($(#[$meta])* $type::$variant $({ $($field),+ })? => {
                        $crate::json::json_tagged!(@write $name $(, $($field),+)?)
                    })+
                }
            }
        }

        impl $crate::json::FromJson for $type {
            fn from_json(value: &$crate::json::Json) -> Result<Self, String> {
                let (name, fields) = $crate::json::variant(value)?;
                match name {
                    $($(#[$meta])* $name => {
                        $crate::json::json_tagged!(@read $type, $variant, $name, fields $(, { $($field $(= $default)?),+ })?)
                    })+
                    _ => Err(format!("unknown {} `{name}`", $what)),
                }
            }
        }
    };
    (@write $name:literal) => {
        $crate::json::Json::Str($name.into())
    };
    (@write $name:literal, $($field:ident),+) => {
        $crate::json::Json::obj([(
            $name,
            $crate::json::Json::obj([$((stringify!($field), $crate::json::ToJson::to_json($field))),+]),
        )])
    };
    (@read $type:ident, $variant:ident, $name:literal, $fields:ident) => {{
        let _ = $fields;
        Ok($type::$variant)
    }};
    (@read $type:ident, $variant:ident, $name:literal, $fields:ident, { $($field:ident $(= $default:ident)?),+ }) => {{
        let body = $crate::json::body($name, $fields)?;
        Ok($type::$variant {
            $($field: $crate::json::json_struct!(@read body, $field $(, $default)?)),+
        })
    }};
}
pub(crate) use json_tagged;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes_and_what_serde_json_writes() {
        let text = r#"{"a":[1,-2.5,3.5,1e3,null,true,false],"b":{"c":"x\"y\\z\n\u00e9\ud83d\ude00"},"d":18446744073709551615,"e":[],"f":{}}"#;
        let v = Json::parse(text).unwrap();
        assert_eq!(v.get("d"), Some(&Json::Uint(u64::MAX)));
        assert_eq!(
            v.get("a"),
            Some(&Json::Arr(vec![
                Json::Uint(1),
                Json::Num(-2.5),
                Json::Num(3.5),
                Json::Num(1000.0),
                Json::Null,
                Json::Bool(true),
                Json::Bool(false),
            ]))
        );
        assert_eq!(
            v.get("b").and_then(|b| b.get("c")).and_then(Json::as_str),
            Some("x\"y\\z\né😀")
        );
        assert_eq!(Json::parse(&v.write()), Ok(v.clone()));
        assert_eq!(Json::parse(&v.write_pretty()), Ok(v.clone()));
        // serde_json reads our text as the same document.
        let ours: serde_json::Value = serde_json::from_str(&v.write()).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn writes_as_serde_json_does() {
        let v = Json::obj([
            ("whole", Json::Num(812.0)),
            ("part", Json::Num(812.345)),
            ("tiny", Json::Num(1e-7)),
            ("int", Json::Uint(7)),
            ("nan", Json::Num(f64::NAN)),
            ("ctl", Json::Str("a\u{1}b\tc".into())),
            ("list", Json::Arr(vec![Json::Uint(1), Json::Obj(vec![])])),
        ]);
        let value = serde_json::json!({
            "whole": 812.0, "part": 812.345, "tiny": 1e-7, "int": 7, "nan": null,
            "ctl": "a\u{1}b\tc", "list": [1, {}],
        });
        // serde_json's Value sorts keys; compare documents, and the pretty text's shape.
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&v.write()).unwrap(),
            value
        );
        assert!(v.write().starts_with(
            r#"{"whole":812.0,"part":812.345,"tiny":1e-7,"int":7,"nan":null,"ctl":"a\u0001b\tc""#
        ));
        for x in [
            1e15,
            1e16,
            1.5e16,
            1.2345678901234568e17,
            1e-4,
            1.5e-4,
            1e-5,
            2.5e-5,
            -2.5e-5,
            9.9e-6,
            1e-6,
            0.1,
            1e300,
            5e-324,
            f64::MAX,
            -1e21,
            0.0,
            -0.0,
            812.345,
        ] {
            assert_eq!(
                Json::Num(x).write(),
                serde_json::to_string(&x).unwrap(),
                "{x:?}"
            );
            assert_eq!(Json::parse(&Json::Num(x).write()), Ok(Json::Num(x)));
        }
        let pretty = Json::obj([
            ("a", Json::Arr(vec![Json::Uint(1)])),
            ("b", Json::Obj(vec![])),
        ]);
        assert_eq!(
            pretty.write_pretty(),
            serde_json::to_string_pretty(&serde_json::json!({"a": [1], "b": {}})).unwrap()
        );
    }

    #[test]
    fn refuses_what_is_not_json_without_panicking() {
        for bad in [
            "",
            " ",
            "nul",
            "tru",
            "{",
            "[",
            "[1,",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1,}",
            "[1,]",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"a\nb\"",
            "[1] 2",
            "NaN",
            "'a'",
        ] {
            assert!(Json::parse(bad).is_err(), "{bad:?} read as JSON");
        }
        assert!(Json::parse("1e999").unwrap_err().contains("out of range"));
        assert!(Json::parse("-1e999").unwrap_err().contains("out of range"));
        let many = format!("[{}0]", "0,".repeat(MAX_VALUES));
        assert!(Json::parse(&many).unwrap_err().contains("too many values"));
        let deep = "[".repeat(100_000);
        assert!(Json::parse(&deep).unwrap_err().contains("recursion limit"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(Json::parse(&ok).is_ok());
        assert_eq!(
            Json::parse("{\n  \"a\": x}").unwrap_err(),
            "expected value at line 2 column 8"
        );
    }

    #[test]
    fn an_array_is_read_one_element_at_a_time() {
        let mut seen = Vec::new();
        let ok = Json::parse_each(" [1, {\"a\": [2]}, \"x\"] ", |v| {
            seen.push(v);
            Ok(())
        });
        assert_eq!(ok, Ok(()));
        assert_eq!(seen.len(), 3);
        assert_eq!(
            Json::parse_each("[]", |_| Err("none expected".into())),
            Ok(())
        );
        // The first element that `each` refuses stops the reading: the rest is never parsed.
        let mut count = 0;
        let refused = Json::parse_each("[0, 1, nonsense", |_| {
            count += 1;
            Err("not a run".into())
        });
        assert_eq!((refused, count), (Err("not a run".into()), 1));
        for bad in ["{}", "[1,]", "[1 2]", "[1", "[1] x", ""] {
            assert!(Json::parse_each(bad, |_| Ok(())).is_err(), "{bad:?}");
        }
        // The value budget is per element.
        let each = format!(
            "[{}]",
            vec![format!("[{}0]", "0,".repeat(1000)); 3000].join(",")
        );
        assert_eq!(Json::parse_each(&each, |_| Ok(())), Ok(()));
    }

    #[test]
    fn an_array_read_one_element_at_a_time_nests_as_deep_as_a_document() {
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(Json::parse(&nest(MAX_DEPTH)).is_ok());
        assert!(Json::parse_each(&nest(MAX_DEPTH), |_| Ok(())).is_ok());
        assert!(Json::parse(&nest(MAX_DEPTH + 1)).is_err());
        let deep = Json::parse_each(&nest(MAX_DEPTH + 1), |_| Ok(()));
        assert!(deep.unwrap_err().contains("recursion limit"));
    }

    #[test]
    fn typed_reads_name_what_is_wrong() {
        let v = Json::parse(r#"{"n": 5000000000, "s": 1, "neg": -1, "f": 2.5}"#).unwrap();
        let f = Fields::of(&v, "a test").unwrap();
        assert!(f.req::<u32>("n").unwrap_err().contains("`n`"));
        assert_eq!(f.req::<u64>("n"), Ok(5_000_000_000));
        assert_eq!(f.req::<String>("s"), Err("`s`: expected a string".into()));
        assert!(f.req::<u32>("neg").is_err());
        assert!(f.req::<u32>("f").is_err());
        assert_eq!(f.req::<f64>("f"), Ok(2.5));
        assert_eq!(f.req::<Option<u32>>("missing"), Ok(None));
        assert_eq!(
            f.req::<u32>("missing"),
            Err("missing field `missing`".into())
        );
        assert_eq!(f.or_default::<u32>("missing"), Ok(0));
        assert!(Fields::of(&Json::Null, "a run").is_err());
        assert_eq!(
            Vec::<u32>::from_json(&Json::parse("[1, \"x\"]").unwrap()),
            Err("[1]: expected a number".into())
        );
    }
}
