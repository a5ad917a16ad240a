//! Every parameter of the page, declared once: its names in the URL, in JSON, on the
//! `<concurrency-playground>` element and on a runs table row, its values and limits, its
//! default, what it means and which tools and kinds of work use it. Reading a URL (`url`),
//! writing one back, the experiment's JSON (`value.rs`) and the record's (`run::record`), the
//! form's fields (the app) and the element's attributes (`www/element.js`, checked by a test)
//! all follow this table; adding a parameter is one entry here plus what it does.

#[cfg(test)]
mod help;
mod value;

pub use value::Value;

use crate::experiment::config::{
    Engine, Gil, Kind, Limits, Lock, Tool, View, DEFAULT_IO_MS, DEFAULT_TASKS,
};

/// A parameter of the experiment: a field of the form, of
/// [`Params`](crate::experiment::config::Params) and of a run's record. Its names are its table
/// entry's ([`Field::spec`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The concurrency tool.
    Tool,
    /// The kind of work.
    Kind,
    /// How many tasks.
    Tasks,
    /// The pool's size.
    Workers,
    /// The GIL switch.
    Gil,
    /// One io task's wait.
    IoMs,
    /// One cpu task's iterations.
    CpuIters,
    /// The serial part of the cpu work.
    Serial,
    /// The race's lock.
    Lock,
    /// What runs the experiment: the Rust model or CPython.
    Engine,
}

/// Any parameter of the page's URL: the experiment's, and the page's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    /// One of the experiment's.
    Field(Field),
    /// Run the experiment once the page is ready.
    Run,
    /// The compact layout for frames.
    Embed,
    /// Python code edited by the visitor, compressed: shown in the editor, never run on load.
    Code,
    /// Whether `www/coi.js` may register the service worker (offline copy, isolation). Only that script reads it:
    /// the page itself ignores it.
    Coi,
    /// Ask the learner for a guess of the speedup before each run (`crate::teaching::predict`).
    Predict,
    /// The full page or the compact view of a lesson (`crate::experiment::lesson`).
    View,
    /// The controls the compact view shows.
    Controls,
}

/// The values a parameter takes.
#[derive(Clone, Copy, Debug)]
pub enum Values {
    /// One of these names (in the order the docs list them).
    Names(fn() -> Vec<&'static str>),
    /// A whole number within these limits, both included.
    Number((u64, u64)),
    /// Text of at most this many characters, in URL-safe base64's alphabet.
    Text(usize),
    /// On for `1`, `true` or an empty value, off for `0` or `false`.
    Flag,
    /// Only `0` means anything: it turns off what is on by default.
    OptOut,
    /// URL keys of the experiment's fields, comma-separated.
    Keys,
}

/// What applies when a parameter is absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultValue {
    /// This name.
    Name(&'static str),
    /// This number.
    Number(u64),
    /// A value that depends on the machine or the other parameters, as described.
    Depends(&'static str),
    /// A flag's or an opt-out's state.
    Flag(bool),
}

/// One parameter's entry in [`PARAMS`].
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Which parameter.
    pub param: Param,
    /// Its name in the URL and in an embedding page's `params`.
    pub key: &'static str,
    /// Its key in the experiment's JSON, a run record's and the CSV's column; `None` for the
    /// page's own parameters.
    pub json: Option<&'static str>,
    /// The `<concurrency-playground>` attribute that sets it: the experiment's take the
    /// attribute's value, `run` its presence; `None` where the element has no such attribute.
    pub attribute: Option<&'static str>,
    /// The `data-*` attribute of a run's row in the runs table; `None` for the page's own.
    pub row: Option<&'static str>,
    /// Its label in the form.
    pub label: &'static str,
    /// The values it takes.
    pub values: Values,
    /// What applies when it is absent.
    pub default: DefaultValue,
    /// The tools it means something for; the form disables it for the others.
    pub tools: &'static [Tool],
    /// The kinds of work it means something for; the form disables it for the others.
    pub kinds: &'static [Kind],
}

/// The most characters `code=` may take. Links travel through chats, mail and course pages,
/// some of which cut addresses beyond a few thousand characters; 6,000 compressed characters
/// hold well over 10,000 characters of typical Python.
pub const MAX_ENCODED: usize = 6000;

/// Every parameter, in the order a URL writes them (the experiment's first, in the order of
/// their JSON too).
pub const PARAMS: [Spec; 17] = [
    Spec {
        param: Param::Field(Field::Tool),
        key: "tool",
        json: Some("tool"),
        attribute: Some("tool"),
        row: Some("data-tool"),
        label: "Tool",
        values: Values::Names(|| Tool::ALL.map(Tool::as_str).to_vec()),
        default: DefaultValue::Name(Tool::Sequential.as_str()),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Field(Field::Kind),
        key: "kind",
        json: Some("kind"),
        attribute: Some("kind"),
        row: Some("data-kind"),
        label: "Work",
        values: Values::Names(|| Kind::ALL.map(Kind::as_str).to_vec()),
        default: DefaultValue::Name(Kind::Io.as_str()),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Field(Field::Tasks),
        key: "tasks",
        json: Some("tasks"),
        attribute: Some("tasks"),
        row: Some("data-tasks"),
        label: "Tasks",
        values: Values::Number(Limits::TASKS),
        default: DefaultValue::Number(DEFAULT_TASKS as u64),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Field(Field::Workers),
        key: "workers",
        json: Some("workers"),
        attribute: Some("workers"),
        row: Some("data-workers"),
        label: "Workers",
        values: Values::Number(Limits::WORKERS),
        default: DefaultValue::Depends(
            "threads: `min(32, cores + 4)`; processes: `cores` (at most 64)",
        ),
        tools: &[Tool::Threads, Tool::Processes],
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Field(Field::Gil),
        key: "gil",
        json: Some("gil"),
        attribute: Some("gil"),
        row: Some("data-gil"),
        label: "GIL",
        values: Values::Names(|| [Gil::On, Gil::Off].map(Gil::as_str).to_vec()),
        default: DefaultValue::Name(Gil::On.as_str()),
        tools: &[Tool::Threads],
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Field(Field::IoMs),
        key: "io_ms",
        json: Some("io_ms"),
        attribute: Some("io-ms"),
        row: Some("data-io-ms"),
        label: "io wait, ms",
        values: Values::Number(Limits::IO_MS),
        default: DefaultValue::Number(DEFAULT_IO_MS as u64),
        tools: &Tool::ALL,
        // A cpu task is calibrated to last about one wait: only the race counts without it.
        kinds: &[Kind::Io, Kind::Cpu, Kind::Mixed],
    },
    Spec {
        param: Param::Field(Field::CpuIters),
        key: "cpu_iters",
        json: Some("cpu_iters"),
        attribute: Some("cpu-iters"),
        row: Some("data-cpu-iters"),
        label: "cpu iterations",
        values: Values::Number(Limits::CPU_ITERS),
        default: DefaultValue::Depends("calibrated; `race`: `1000000`"),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Field(Field::Serial),
        key: "serial",
        json: Some("serial"),
        attribute: Some("serial"),
        row: Some("data-serial"),
        label: "serial part, %",
        values: Values::Number(Limits::SERIAL),
        default: DefaultValue::Number(0),
        tools: &Tool::ALL,
        kinds: &[Kind::Cpu, Kind::Mixed],
    },
    Spec {
        param: Param::Field(Field::Lock),
        key: "lock",
        json: Some("lock"),
        attribute: Some("lock"),
        row: Some("data-lock"),
        label: "Lock",
        values: Values::Names(|| [Lock::On, Lock::Off].map(Lock::as_str).to_vec()),
        default: DefaultValue::Name(Lock::Off.as_str()),
        tools: &[Tool::Threads],
        kinds: &[Kind::Race],
    },
    Spec {
        param: Param::Field(Field::Engine),
        key: "engine",
        json: Some("engine"),
        attribute: Some("engine"),
        row: Some("data-engine"),
        label: "Engine",
        values: Values::Names(|| Engine::ALL.map(Engine::as_str).to_vec()),
        default: DefaultValue::Name(Engine::Model.as_str()),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Run,
        key: "run",
        json: None,
        attribute: Some("run"),
        row: None,
        label: "Run on load",
        values: Values::Flag,
        default: DefaultValue::Flag(false),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Embed,
        key: "embed",
        json: None,
        // The element always sets it.
        attribute: None,
        row: None,
        label: "Compact layout",
        values: Values::Flag,
        default: DefaultValue::Flag(false),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Code,
        key: "code",
        json: None,
        // The element's code is its inline `<script type="text/x-python">` child.
        attribute: None,
        row: None,
        label: "Edited Python",
        values: Values::Text(MAX_ENCODED),
        default: DefaultValue::Depends("the code generated for the experiment"),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Coi,
        key: "coi",
        json: None,
        attribute: None,
        row: None,
        label: "Isolation service worker",
        values: Values::OptOut,
        default: DefaultValue::Flag(true),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Predict,
        key: "predict",
        json: None,
        attribute: Some("predict"),
        row: None,
        label: "Predict first",
        values: Values::Flag,
        default: DefaultValue::Flag(false),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::View,
        key: "view",
        json: None,
        attribute: Some("view"),
        row: None,
        label: "View",
        values: Values::Names(|| View::ALL.map(View::as_str).to_vec()),
        default: DefaultValue::Name(View::Full.as_str()),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
    Spec {
        param: Param::Controls,
        key: "controls",
        json: None,
        attribute: Some("controls"),
        row: None,
        label: "Controls shown",
        values: Values::Keys,
        default: DefaultValue::Depends("none"),
        tools: &Tool::ALL,
        kinds: &Kind::ALL,
    },
];

impl Spec {
    /// The default's name, for a parameter of names.
    pub fn default_name(&self) -> Option<&'static str> {
        match self.default {
            DefaultValue::Name(name) => Some(name),
            _ => None,
        }
    }
}

impl Param {
    /// The parameter a URL names `key`, if any.
    pub fn from_key(key: &str) -> Option<Param> {
        PARAMS.iter().find(|s| s.key == key).map(|s| s.param)
    }

    /// Its entry in [`PARAMS`].
    pub fn spec(self) -> &'static Spec {
        PARAMS
            .iter()
            .find(|s| s.param == self)
            .expect("every parameter has an entry in PARAMS (tested)")
    }

    /// Its name in the URL.
    pub fn key(self) -> &'static str {
        self.spec().key
    }
}

impl Field {
    /// Every field, in the order of [`PARAMS`] (a URL's and the JSON's).
    pub fn all() -> impl Iterator<Item = Field> {
        PARAMS.iter().filter_map(|s| match s.param {
            Param::Field(f) => Some(f),
            _ => None,
        })
    }

    /// Every field in the order a run's CSV row shows them, the lock beside the GIL; the form
    /// shows them so too, the engine first (`Lesson::fields`).
    pub const SHOWN: [Field; 10] = [
        Field::Tool,
        Field::Kind,
        Field::Tasks,
        Field::Workers,
        Field::Gil,
        Field::Lock,
        Field::IoMs,
        Field::CpuIters,
        Field::Serial,
        Field::Engine,
    ];

    /// Its entry in [`PARAMS`].
    pub fn spec(self) -> &'static Spec {
        Param::Field(self).spec()
    }

    /// Its name in the URL (and the form input's id and name).
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// Its key in JSON and its CSV column.
    pub fn json_key(self) -> &'static str {
        self.spec()
            .json
            .expect("every field has a JSON key (tested)")
    }

    /// The `data-*` attribute of a run's row.
    pub fn row_attribute(self) -> &'static str {
        self.spec()
            .row
            .expect("every field has a row attribute (tested)")
    }

    /// Its label in the form.
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// Whether it means something for this tool and kind of work.
    pub fn used_by(self, tool: Tool, kind: Kind) -> bool {
        let spec = self.spec();
        spec.tools.contains(&tool) && spec.kinds.contains(&kind)
    }
}

#[cfg(test)]
mod tests;
