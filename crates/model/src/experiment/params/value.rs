//! One field's value, untyped: what a URL, the form and JSON write, and where each field sits in
//! [`Params`] and [`Experiment`]; the experiment's JSON, each field under its table's key.

use super::Field;
use crate::experiment::config::{Engine, Experiment, Gil, Kind, Lock, Params, Tool};
use crate::json::{Fields, FromJson, Json, ToJson};
use std::fmt;

/// A field's value as a URL and JSON write it: a name or a whole number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// One of the field's names (`threads`, `on`, …).
    Name(&'static str),
    /// A whole number.
    Number(u64),
}

impl Value {
    /// The name, for a field of names.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Value::Name(n) => Some(n),
            Value::Number(_) => None,
        }
    }

    /// The number, for a numeric field.
    pub fn number(self) -> Option<u64> {
        match self {
            Value::Number(n) => Some(n),
            Value::Name(_) => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Name(n) => f.write_str(n),
            Value::Number(n) => write!(f, "{n}"),
        }
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Json {
        match self {
            Value::Name(n) => Json::Str((*n).into()),
            Value::Number(n) => n.to_json(),
        }
    }
}

/// A number of a `u32` field; the table's limits keep every parsed value far below the cap.
fn small(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Params {
    /// The value of `field`, when it is set.
    pub fn value(&self, field: Field) -> Option<Value> {
        let number = |n: Option<u32>| n.map(|n| Value::Number(n.into()));
        match field {
            Field::Tool => self.tool.map(|t| Value::Name(t.as_str())),
            Field::Kind => self.kind.map(|k| Value::Name(k.as_str())),
            Field::Tasks => number(self.tasks),
            Field::Workers => number(self.workers),
            Field::Gil => self.gil.map(|g| Value::Name(g.as_str())),
            Field::IoMs => number(self.io_ms),
            Field::CpuIters => self.cpu_iters.map(Value::Number),
            Field::Serial => number(self.serial),
            Field::Lock => self.lock.map(|l| Value::Name(l.as_str())),
            Field::Engine => self.engine.map(|e| Value::Name(e.as_str())),
        }
    }

    /// Sets `field` to `value` (unset for `None`, or for a value of the wrong sort), as read and
    /// checked against the table by `url`.
    pub(crate) fn set(&mut self, field: Field, value: Option<Value>) {
        let name = value.and_then(Value::name);
        let number = value.and_then(Value::number);
        match field {
            Field::Tool => self.tool = name.and_then(Tool::parse),
            Field::Kind => self.kind = name.and_then(Kind::parse),
            Field::Tasks => self.tasks = number.map(small),
            Field::Workers => self.workers = number.map(small),
            Field::Gil => self.gil = name.and_then(Gil::parse),
            Field::IoMs => self.io_ms = number.map(small),
            Field::CpuIters => self.cpu_iters = number,
            Field::Serial => self.serial = number.map(small),
            Field::Lock => self.lock = name.and_then(Lock::parse),
            Field::Engine => self.engine = name.and_then(Engine::parse),
        }
    }
}

impl Experiment {
    /// The value of `field`.
    pub fn value(&self, field: Field) -> Value {
        match field {
            Field::Tool => Value::Name(self.tool.as_str()),
            Field::Kind => Value::Name(self.kind.as_str()),
            Field::Tasks => Value::Number(self.tasks.into()),
            Field::Workers => Value::Number(self.workers.into()),
            Field::Gil => Value::Name(self.gil.as_str()),
            Field::IoMs => Value::Number(self.io_ms.into()),
            Field::CpuIters => Value::Number(self.cpu_iters),
            Field::Serial => Value::Number(self.serial.into()),
            Field::Lock => Value::Name(self.lock.as_str()),
            Field::Engine => Value::Name(self.engine.as_str()),
        }
    }
}

// The experiment's JSON sits with the table that declares each field's JSON key, so that what an
// experiment is (`config`) does not depend on the table that names its fields.
impl Experiment {
    /// Its fields, in order: a record writes them at its own top level.
    pub(crate) fn json_fields(&self) -> Vec<(String, Json)> {
        Field::all()
            .map(|f| (f.json_key().to_string(), self.value(f).to_json()))
            .collect()
    }

    /// Reads it from an object's fields (its own, or a record's top level).
    pub(crate) fn from_fields(f: &Fields) -> Result<Self, String> {
        let key = Field::json_key;
        Ok(Experiment {
            tool: f.req(key(Field::Tool))?,
            kind: f.req(key(Field::Kind))?,
            tasks: f.req(key(Field::Tasks))?,
            workers: f.req(key(Field::Workers))?,
            gil: f.req(key(Field::Gil))?,
            io_ms: f.req(key(Field::IoMs))?,
            cpu_iters: f.req(key(Field::CpuIters))?,
            // Absent in exports from before the serial part and the race existed.
            serial: f.or_default(key(Field::Serial))?,
            lock: f.or_default(key(Field::Lock))?,
            // Absent in exports of model runs made before CPython ran in the page.
            engine: f.or_default(key(Field::Engine))?,
        })
    }
}

impl ToJson for Experiment {
    fn to_json(&self) -> Json {
        Json::Obj(self.json_fields())
    }
}

impl FromJson for Experiment {
    fn from_json(value: &Json) -> Result<Self, String> {
        Experiment::from_fields(&Fields::of(value, "an experiment")?)
    }
}
