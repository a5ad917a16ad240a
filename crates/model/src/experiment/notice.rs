//! Messages for the visitor: what a notice is about ([`Topic`]), why it was given ([`Reason`]),
//! and the one place its words are written ([`Notice::text`], [`Notice::refusal`], and
//! [`rejection`] for a host's request that will not run).

use crate::experiment::params::{Field, Param};
use std::fmt;

/// Longest value a notice quotes; anything longer is certainly invalid and is not echoed whole.
pub const MAX_ECHO: usize = 40;

/// One message for the visitor: a parameter that was clamped or replaced, a feature that is
/// missing, a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What it is about.
    pub topic: Topic,
    /// Why it was given.
    pub reason: Reason,
}

/// What a notice is about. Embedding pages read its name ([`Topic::as_str`]) as the notice's
/// `data-param` and as `notices[].param` of a `run-rejected` message, so the names stay as they
/// are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A parameter of the URL, the form or an embedding page's `params`: named by its key.
    Param(Param),
    /// The threads tool and its pool: `threads`.
    Threads,
    /// An engine worker: `engine`.
    Engine,
    /// A process worker: `processes`.
    Processes,
    /// A run file the visitor opened: `open`.
    Open,
    /// A request to run, the visitor's or an embedding page's: `run`. The URL's `run`
    /// parameter ([`Param::Run`], run once the page is ready) has the same name on the wire but
    /// is another topic.
    RunRequest,
}

impl Topic {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Param(p) => p.key(),
            Topic::Threads => "threads",
            Topic::Engine => "engine",
            Topic::Processes => "processes",
            Topic::Open => "open",
            Topic::RunRequest => "run",
        }
    }
}

impl From<Param> for Topic {
    fn from(param: Param) -> Self {
        Topic::Param(param)
    }
}

impl From<Field> for Topic {
    fn from(field: Field) -> Self {
        Topic::Param(Param::Field(field))
    }
}

/// A value as it was given, kept only as far as a notice quotes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Given {
    kept: String,
    cut: bool,
}

impl Given {
    /// `value`, cut after [`MAX_ECHO`] characters.
    pub fn new(value: &str) -> Self {
        let cut = value.chars().count() > MAX_ECHO;
        Given {
            kept: value.chars().take(MAX_ECHO).collect(),
            cut,
        }
    }
}

impl fmt::Display for Given {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let more = if self.cut { "…" } else { "" };
        write!(f, "\"{}{more}\"", self.kept)
    }
}

/// Why a notice was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Not one of the parameter's names: its default applies.
    NotAName {
        /// What was given.
        given: Given,
        /// The default's name.
        default: &'static str,
    },
    /// Not a number: the default applies.
    NotANumber {
        /// What was given.
        given: Given,
        /// The parameter's limits.
        limits: (u64, u64),
    },
    /// A number outside the limits: the nearest limit applies.
    OutOfRange {
        /// What was given.
        given: Given,
        /// The parameter's limits.
        limits: (u64, u64),
        /// The value used instead.
        using: u64,
    },
    /// A number with a fraction: it is rounded.
    NotWhole {
        /// What was given.
        given: Given,
        /// The value used instead.
        using: u64,
    },
    /// A flag other than `1` or `0`: it is off.
    NotAFlag {
        /// What was given.
        given: Given,
    },
    /// What a run asks for does not exist on this page.
    Unavailable(Unavailable),
    /// The threads build failed for good.
    ThreadsUnavailable {
        /// Why.
        cause: String,
    },
    /// The plain engine failed for good.
    EngineFailed {
        /// Why.
        cause: String,
    },
    /// An idle engine worker failed and a new one replaced it.
    EngineReplaced {
        /// Why it failed.
        cause: String,
    },
    /// An idle process worker failed.
    ProcessFailed {
        /// Why.
        cause: String,
    },
    /// The thread pool started fewer threads than asked for.
    PoolShort {
        /// Threads that started.
        started: u32,
        /// Threads asked for.
        asked: u32,
    },
    /// A bigger thread pool starts before the run.
    PoolRestart {
        /// The new pool's size.
        workers: u32,
        /// The old pool's threads.
        had: u32,
    },
    /// A speedup sweep is running: no other run starts.
    SweepRunning,
    /// An embedding page asked for a run with these invalid values: nothing ran.
    InvalidRequest(Vec<Notice>),
    /// Code too long: for a link (it stays in the page, not in the URL), or from a host.
    CodeTooLong {
        /// Characters it takes.
        chars: usize,
        /// The most allowed.
        max: usize,
        /// In a link (compressed), rather than a host's message.
        in_link: bool,
    },
    /// A link's `code` that is not code this page wrote, or a host's `code` that is not text:
    /// the generated code is shown.
    CodeUnreadable,
    /// A link brought code and `run=1`: the code is shown, not run.
    CodeNotRun,
    /// What CPython in the page cannot do, or did not load.
    Cpython(CpythonLimit),
    /// A guess of a speedup that is not a number above 0.
    NotAGuess {
        /// What was given.
        given: Given,
    },
    /// `controls` names keys of no control.
    NotControls {
        /// The keys that name none.
        given: Given,
    },
    /// A guess, or the compact view's result line, needs a measured speedup: the sequential
    /// run of the same work runs first.
    BaselineFirst,
    /// A run waits for the page's own start-up work (the threads build, a warm pool), so that
    /// it does not share the machine with it.
    AfterStartUp,
    /// A file that was opened holds no runs the page can read.
    NotRuns {
        /// The file's name.
        file: String,
        /// What is wrong with it.
        why: String,
    },
}

/// Why CPython in the page does not run a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CpythonLimit {
    /// Its files did not load, or its worker failed before it was ready.
    Failed(String),
    /// Processes on CPython need a page that can block a worker (cross-origin isolation).
    ProcessesNeedIsolation,
    /// The page's CPython is the default build, with its GIL: threads with the GIL off are the
    /// model's (the free-threaded build runs at home).
    FreeThreadedIsModels,
}

/// Why a tool cannot run on this page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// Threads need SharedArrayBuffer, which only a cross-origin isolated page has.
    NeedsIsolation,
    /// No engine exists to run it.
    NoEngine,
}

/// A notice's words: about a given value, in parts (what was wrong, what is done instead, the
/// limits worth repeating), or one sentence about the page.
enum Words {
    Value {
        what: String,
        instead: String,
        allowed: Option<(u64, u64)>,
    },
    Page(String),
}

impl Notice {
    /// A notice about `topic`.
    pub fn new(topic: impl Into<Topic>, reason: Reason) -> Self {
        Notice {
            topic: topic.into(),
            reason,
        }
    }

    /// The sentence the page shows.
    pub fn text(&self) -> String {
        match self.words() {
            Words::Value {
                what,
                instead,
                allowed: limits,
            } => format!("{what}; {instead}.{}", allowed(limits)),
            Words::Page(text) => text,
        }
    }

    /// What was wrong, without what a URL would do instead: why an embedding page's request did
    /// not run.
    pub fn refusal(&self) -> String {
        match self.words() {
            Words::Value {
                what,
                allowed: limits,
                ..
            } => format!("{what}.{}", allowed(limits)),
            Words::Page(text) => text,
        }
    }

    fn words(&self) -> Words {
        let key = self.topic.as_str();
        let value = |what: String, instead: String, allowed| Words::Value {
            what,
            instead,
            allowed,
        };
        let page = |text: &str| Words::Page(text.to_owned());
        match &self.reason {
            Reason::NotAName { given, default } => value(
                format!("{key}={given} is not a known value"),
                format!("using the default ({default})"),
                None,
            ),
            Reason::NotANumber { given, limits } => value(
                format!("{key}={given} is not a number"),
                "using the default".into(),
                Some(*limits),
            ),
            Reason::OutOfRange {
                given,
                limits: (min, max),
                using,
            } => value(
                format!("{key}={given} is outside {min} to {max}"),
                format!("using {using}"),
                None,
            ),
            Reason::NotWhole { given, using } => value(
                format!("{key}={given} is not a whole number"),
                format!("using {using}"),
                None,
            ),
            Reason::NotAFlag { given } => value(
                format!("{key}={given} should be 1 or 0"),
                "ignored".into(),
                None,
            ),
            Reason::Unavailable(Unavailable::NeedsIsolation) => page(
                "Threads need a cross-origin isolated page (SharedArrayBuffer); open the \
                 playground in its own tab to use them.",
            ),
            Reason::Unavailable(Unavailable::NoEngine) => page("The engine is not available."),
            Reason::ThreadsUnavailable { cause } => page(&format!(
                "Threads are unavailable: {}. The other tools still run.",
                cause.trim_end_matches('.')
            )),
            Reason::EngineFailed { cause } => page(&format!(
                "The engine failed: {}.",
                cause.trim_end_matches('.')
            )),
            Reason::EngineReplaced { cause } => page(&format!(
                "An engine worker failed ({cause}); it was replaced."
            )),
            Reason::ProcessFailed { cause } => page(&format!("A process worker failed: {cause}.")),
            Reason::PoolShort { started, asked } => page(&format!(
                "The thread pool started {started} of {asked} threads; runs use only the \
                 threads that really exist."
            )),
            Reason::PoolRestart { workers, had } => page(&format!(
                "Starting a pool of {workers} threads for this run (it had {had}); the start-up \
                 is not counted in the run."
            )),
            Reason::SweepRunning => {
                page("A speedup sweep is running; run this experiment once it has finished.")
            }
            Reason::InvalidRequest(notices) => page(&format!(
                "The embedding page asked for a run with invalid values. {}",
                rejection(notices).unwrap_or_default()
            )),
            Reason::NotRuns { file, why } => page(&format!("{file}: {why}")),
            Reason::CodeTooLong {
                chars,
                max,
                in_link: true,
            } => page(&format!(
                "The edited code takes {chars} characters in a link, more than the {max} a link \
                 carries here (long addresses break in chats and mail): the address keeps the \
                 experiment without it. Copy the code instead."
            )),
            Reason::CodeTooLong { chars, max, .. } => page(&format!(
                "The embedding page's code has {chars} characters, more than the {max} the \
                 playground takes; the experiment's own code is used."
            )),
            Reason::CodeNotRun => page(
                "This link brought its own Python: it is shown in the editor, and runs only when \
                 you press Run (a link never runs code on its own).",
            ),
            Reason::CodeUnreadable => page(
                "The code given is not code this page can read (a link's code= is compressed, \
                 URL-safe base64; a message's code is text); the experiment's own code is shown \
                 instead.",
            ),
            Reason::Cpython(CpythonLimit::Failed(cause)) => page(&format!(
                "CPython did not start: {}. The Rust model still runs.",
                cause.trim_end_matches('.')
            )),
            Reason::Cpython(CpythonLimit::ProcessesNeedIsolation) => page(
                "Processes on CPython need a cross-origin isolated page: the parent waits for \
                 its processes' results with Atomics.wait on shared memory. Open the playground \
                 in its own tab to run them.",
            ),
            Reason::Cpython(CpythonLimit::FreeThreadedIsModels) => page(
                "GIL off is the Rust model's: the page's CPython is the default build, whose \
                 threads take turns under the GIL. Pick Engine: Rust model for threads without \
                 it, or run the program at home with a free-threaded build (python3.14t).",
            ),
            Reason::NotAGuess { given } => page(&format!(
                "A guess of {given} is not a speedup: enter a number above 0 (2 means twice as \
                 fast), or skip."
            )),
            Reason::NotControls { given } => page(&format!(
                "{key}={given} names no control (the form's URL keys, such as workers); ignored."
            )),
            Reason::BaselineFirst => page(
                "Running sequential with the same work first: the speedup is measured against it.",
            ),
            Reason::AfterStartUp => page(
                "The run waits for the page to finish starting up: beside that work its figures \
                 would be wrong.",
            ),
        }
    }
}

/// Why a tagged request with these notices is rejected (the notices in one sentence), or
/// `None` when its parameters were all valid. An untagged request (the contract's original
/// form) still runs with the values clamped, as a URL would.
pub fn rejection(notices: &[Notice]) -> Option<String> {
    if notices.is_empty() {
        return None;
    }
    // Not what a URL would do instead ("using 4"): nothing runs here.
    let text: Vec<String> = notices.iter().map(Notice::refusal).collect();
    Some(format!("Not run: {}", text.join(" ")))
}

/// ` Allowed: MIN to MAX.`, or nothing.
fn allowed(limits: Option<(u64, u64)>) -> String {
    limits
        .map(|(min, max)| format!(" Allowed: {min} to {max}."))
        .unwrap_or_default()
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tasks(reason: Reason) -> Notice {
        Notice::new(Field::Tasks, reason)
    }

    #[test]
    fn a_given_value_is_quoted_and_cut() {
        assert_eq!(Given::new("many").to_string(), "\"many\"");
        let long = "x".repeat(MAX_ECHO + 1);
        assert_eq!(
            Given::new(&long).to_string(),
            format!("\"{}…\"", "x".repeat(MAX_ECHO))
        );
        assert_eq!(Given::new(&long), Given::new(&"x".repeat(5000)));
    }

    #[test]
    fn value_notices_say_what_was_wrong_and_what_is_done_instead() {
        let given = || Given::new("many");
        let limits = (1, 10_000);
        let cases = [
            (
                Notice::new(
                    Field::Tool,
                    Reason::NotAName {
                        given: given(),
                        default: "sequential",
                    },
                ),
                "tool=\"many\" is not a known value; using the default (sequential).",
                "tool=\"many\" is not a known value.",
            ),
            (
                tasks(Reason::NotANumber {
                    given: given(),
                    limits,
                }),
                "tasks=\"many\" is not a number; using the default. Allowed: 1 to 10000.",
                "tasks=\"many\" is not a number. Allowed: 1 to 10000.",
            ),
            (
                tasks(Reason::OutOfRange {
                    given: Given::new("-5"),
                    limits,
                    using: 1,
                }),
                "tasks=\"-5\" is outside 1 to 10000; using 1.",
                "tasks=\"-5\" is outside 1 to 10000.",
            ),
            (
                tasks(Reason::NotWhole {
                    given: Given::new("12.6"),
                    using: 13,
                }),
                "tasks=\"12.6\" is not a whole number; using 13.",
                "tasks=\"12.6\" is not a whole number.",
            ),
            (
                Notice::new(Param::Run, Reason::NotAFlag { given: given() }),
                "run=\"many\" should be 1 or 0; ignored.",
                "run=\"many\" should be 1 or 0.",
            ),
        ];
        for (notice, text, refusal) in cases {
            assert_eq!(notice.text(), text);
            assert_eq!(notice.refusal(), refusal);
        }
    }

    #[test]
    fn page_notices_read_the_same_either_way() {
        let n = Notice::new(
            Topic::Threads,
            Reason::ThreadsUnavailable {
                cause: "its thread pool did not start in time".into(),
            },
        );
        let text = "Threads are unavailable: its thread pool did not start in time. The other \
                    tools still run.";
        assert_eq!(n.text(), text);
        assert_eq!(n.refusal(), text);
        assert_eq!(n.topic.as_str(), "threads");
    }

    #[test]
    fn the_run_request_topic_keeps_the_wire_name_of_the_run_parameter() {
        assert_eq!(
            Topic::RunRequest.as_str(),
            Topic::Param(Param::Run).as_str()
        );
        assert_ne!(Topic::RunRequest, Topic::Param(Param::Run));
    }

    #[test]
    fn a_rejection_says_every_notice_without_what_a_url_would_do() {
        assert_eq!(rejection(&[]), None);
        let notices = [
            tasks(Reason::NotANumber {
                given: Given::new("many"),
                limits: (1, 10_000),
            }),
            Notice::new(
                Field::IoMs,
                Reason::OutOfRange {
                    given: Given::new("99999"),
                    limits: (0, 10_000),
                    using: 10_000,
                },
            ),
        ];
        assert_eq!(
            rejection(&notices).unwrap(),
            "Not run: tasks=\"many\" is not a number. Allowed: 1 to 10000. \
             io_ms=\"99999\" is outside 0 to 10000."
        );
    }

    #[test]
    fn a_rejection_quotes_values_whatever_they_hold() {
        let notices = [tasks(Reason::NotANumber {
            given: Given::new("a; b. Allowed: 2"),
            limits: (1, 10_000),
        })];
        assert_eq!(
            rejection(&notices).unwrap(),
            "Not run: tasks=\"a; b. Allowed: 2\" is not a number. Allowed: 1 to 10000."
        );
    }
}
