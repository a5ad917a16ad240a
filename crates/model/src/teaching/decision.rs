//! The notebook's decision in three questions, as a function from answers to a tool, its
//! reason and the experiment that proves it.

use crate::experiment::config::{Gil, Kind, Params, Tool};

/// Is the work computing or waiting?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// The core is busy the whole time.
    CpuBound,
    /// Mostly waiting on something outside.
    IoBound,
}

/// For io-bound work, how many tasks at once?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// A handful to a few hundred.
    Handful,
    /// Many hundreds to thousands of simultaneous connections.
    Thousands,
}

/// Do the libraries you call cooperate with asyncio?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Libraries {
    /// They are async (or you control the code).
    Async,
    /// Ordinary blocking libraries you cannot change.
    Blocking,
}

/// The answers so far; `None` for a question not answered yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Answers {
    /// Question 1.
    pub work: Option<Work>,
    /// Question 2 (io-bound only).
    pub scale: Option<Scale>,
    /// Question 3 (io-bound only).
    pub libraries: Option<Libraries>,
}

/// A recommendation.
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    /// The tool.
    pub tool: Tool,
    /// Why, in the notebook's terms.
    pub reason: &'static str,
    /// An experiment that shows it.
    pub proof: Params,
}

/// The notebook's answer, once enough questions are answered; `None` before.
pub fn decide(a: Answers) -> Option<Advice> {
    let io_proof = |tool, tasks| Params {
        tool: Some(tool),
        kind: Some(Kind::Io),
        tasks: Some(tasks),
        ..Params::default()
    };
    match a.work? {
        Work::CpuBound => Some(Advice {
            tool: Tool::Processes,
            reason: "The core is busy the whole time, so only more cores help, and only processes \
                     give you more than one core's worth of Python (threads take turns under the GIL).",
            proof: Params {
                tool: Some(Tool::Processes),
                kind: Some(Kind::Cpu),
                ..Params::default()
            },
        }),
        Work::IoBound => match (a.scale?, a.libraries?) {
            (_, Libraries::Blocking) => Some(Advice {
                tool: Tool::Threads,
                reason: "You are stuck with blocking libraries: async only helps if what you call \
                         is async too. A thread releases the GIL while it waits, so blocking waits \
                         overlap.",
                proof: Params {
                    gil: Some(Gil::On),
                    ..io_proof(Tool::Threads, 8)
                },
            }),
            (Scale::Thousands, Libraries::Async) => Some(Advice {
                tool: Tool::Async,
                reason: "Thousands of simultaneous waits on one thread: an event loop overlaps them \
                         at almost no cost per task, where thousands of threads would not.",
                proof: io_proof(Tool::Async, 1000),
            }),
            (Scale::Handful, Libraries::Async) => Some(Advice {
                tool: Tool::Threads,
                reason: "A handful of waits: ThreadPoolExecutor is the simplest tool that overlaps \
                         them (async works too, but buys nothing at this scale).",
                proof: io_proof(Tool::Threads, 8),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_questions() {
        assert_eq!(decide(Answers::default()), None);
        let cpu = decide(Answers {
            work: Some(Work::CpuBound),
            ..Answers::default()
        })
        .unwrap();
        assert_eq!(cpu.tool, Tool::Processes);
        assert_eq!(cpu.proof.kind, Some(Kind::Cpu));
        let io = |scale, libraries| {
            decide(Answers {
                work: Some(Work::IoBound),
                scale: Some(scale),
                libraries: Some(libraries),
            })
            .map(|a| a.tool)
        };
        assert_eq!(io(Scale::Thousands, Libraries::Async), Some(Tool::Async));
        assert_eq!(
            io(Scale::Thousands, Libraries::Blocking),
            Some(Tool::Threads)
        );
        assert_eq!(io(Scale::Handful, Libraries::Async), Some(Tool::Threads));
        assert_eq!(
            decide(Answers {
                work: Some(Work::IoBound),
                scale: Some(Scale::Handful),
                libraries: None
            }),
            None
        );
    }
}
