//! Predict first: the learner guesses a run's speedup against the sequential run of the same
//! work before running it, then sees the guess, the measurement, the error and what the gap
//! means, with a link to the part of the page that shows it. Committing to a guess first is what
//! makes a demonstration teach (Crouch et al., Am. J. Phys. 72, 2004).

use crate::experiment::config::{Experiment, Gil, Kind, Params, Tool};
use crate::experiment::notice::{Given, Notice, Reason};
use crate::experiment::params::Param;
use crate::experiment::url::parse_number;
use crate::run::prediction::Prediction;

/// The largest guess taken: no run here is a thousand times faster than sequential.
pub const MAX_GUESS: f64 = 1000.0;
/// A guess within this share of the measurement counts as close.
const CLOSE: f64 = 0.2;

/// What the learner did before a run: guessed a speedup, or chose to skip.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Answer {
    /// The guessed speedup (×).
    Guess(f64),
    /// No guess this time.
    Skipped,
}

impl Answer {
    /// The guess, if one was made.
    pub fn guess(self) -> Option<f64> {
        match self {
            Answer::Guess(g) => Some(g),
            Answer::Skipped => None,
        }
    }
}

/// Reads a guess as typed: a speedup above 0 and at most [`MAX_GUESS`]; anything else is
/// explained, never taken.
pub fn read_guess(raw: &str) -> Result<f64, Notice> {
    parse_number(raw.trim())
        .filter(|g| *g > 0.0 && *g <= MAX_GUESS)
        .ok_or_else(|| {
            Notice::new(
                Param::Predict,
                Reason::NotAGuess {
                    given: Given::new(raw.trim()),
                },
            )
        })
}

/// Whether a run of `tool` on `kind` asks for a guess: a speedup against sequential exists
/// only for the other tools, and a race counts rather than times.
pub fn asks(tool: Tool, kind: Kind) -> bool {
    tool != Tool::Sequential && kind != Kind::Race
}

/// [`asks`] for an experiment as requested, its defaults filled in (sequential, io).
pub fn asks_for(params: &Params) -> bool {
    asks(
        params.tool.unwrap_or(Tool::Sequential),
        params.kind.unwrap_or(Kind::Io),
    )
}

/// Whether the learner may press Run: always without `predict`, else once they guessed or
/// skipped (or when this run asks for no guess).
pub fn run_allowed(predict: bool, tool: Tool, kind: Kind, answer: Option<Answer>) -> bool {
    !predict || !asks(tool, kind) || answer.is_some()
}

/// The part of the page an explanation points to (its element's `id`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The run's timeline.
    Timeline,
    /// The GIL lane above the threads' lanes.
    GilLane,
}

impl Target {
    /// The element's `id`.
    pub fn id(self) -> &'static str {
        match self {
            Target::Timeline => "timeline",
            Target::GilLane => "gil-lane",
        }
    }
}

/// What the gap between a guess and the measurement means, in one short sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Explanation {
    /// Within [`CLOSE`] of the measurement.
    Close,
    /// Threads with the GIL on, computing: one thread at a time.
    Gil,
    /// Waits (io) on a tool that overlaps them, guessed slow.
    WaitsOverlap,
    /// async computing, guessed fast: one thread computes.
    OneThread,
    /// A guess above the cores: no more tasks compute at once than there are cores.
    Cores,
    /// Processes guessed near their pool's size: starting them and copying costs.
    StartUp,
    /// Faster than guessed: more overlapped.
    MoreOverlap,
    /// Slower than guessed: less overlapped.
    LessOverlap,
}

impl Explanation {
    /// Chooses the explanation for `prediction` of a run of `e` on a machine with `cores`;
    /// `None` while nothing was measured.
    pub fn of(e: &Experiment, cores: u32, prediction: &Prediction) -> Option<Explanation> {
        let (guess, measured, error) = (prediction.guess, prediction.measured?, prediction.error?);
        let pool = e.workers.min(e.tasks).max(1);
        Some(if error <= CLOSE {
            Explanation::Close
        } else if e.tool == Tool::Threads && e.gil == Gil::On && e.kind == Kind::Cpu && guess >= 1.5
        {
            Explanation::Gil
        } else if e.kind == Kind::Io && guess < 1.5 {
            Explanation::WaitsOverlap
        } else if e.tool == Tool::Async && e.kind == Kind::Cpu && guess >= 1.5 {
            Explanation::OneThread
        } else if e.kind == Kind::Cpu && guess > f64::from(cores) * 1.1 {
            Explanation::Cores
        } else if e.tool == Tool::Processes && guess > measured && guess >= 0.75 * f64::from(pool) {
            Explanation::StartUp
        } else if guess < measured {
            Explanation::MoreOverlap
        } else {
            Explanation::LessOverlap
        })
    }

    /// The sentence.
    pub fn text(self) -> &'static str {
        match self {
            Explanation::Close => "Close — the timeline shows why.",
            Explanation::Gil => "The GIL lets one thread compute at a time — see the GIL lane.",
            Explanation::WaitsOverlap => "Waits overlap — see the timeline.",
            Explanation::OneThread => "One thread computes one task at a time — see the timeline.",
            Explanation::Cores => "Each core computes one task at a time — see the lanes.",
            Explanation::StartUp => "Start-up and copies cost — see the timeline.",
            Explanation::MoreOverlap => "More ran at once than you guessed — see the timeline.",
            Explanation::LessOverlap => "Less ran at once than you guessed — see the timeline.",
        }
    }

    /// Where the page shows it.
    pub fn target(self) -> Target {
        match self {
            Explanation::Gil => Target::GilLane,
            _ => Target::Timeline,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn experiment(tool: Tool, kind: Kind, workers: u32) -> Experiment {
        Experiment {
            tool,
            kind,
            workers,
            ..Params::default().resolve_calibrated(2, Some(1.0))
        }
    }

    fn measured(guess: f64, speedup: f64) -> Prediction {
        let mut p = Prediction::new(guess);
        p.measure(Some(speedup));
        p
    }

    #[test]
    fn guesses_are_positive_numbers_and_anything_else_is_explained() {
        assert_eq!(read_guess(" 4 "), Ok(4.0));
        assert_eq!(read_guess("1.5"), Ok(1.5));
        for bad in ["-3", "0", "text", "", "NaN", "inf", "1e9"] {
            let why = read_guess(bad).expect_err(bad);
            assert_eq!(why.topic.as_str(), "predict");
        }
        assert_eq!(
            read_guess("-3").unwrap_err().text(),
            "A guess of \"-3\" is not a speedup: enter a number above 0 (2 means twice as \
             fast), or skip."
        );
    }

    #[test]
    fn run_waits_for_a_guess_or_a_skip_only_when_predicting_a_speedup() {
        let (t, cpu) = (Tool::Threads, Kind::Cpu);
        assert!(run_allowed(false, t, cpu, None));
        assert!(!run_allowed(true, t, cpu, None));
        assert!(run_allowed(true, t, cpu, Some(Answer::Skipped)));
        assert!(run_allowed(true, t, cpu, Some(Answer::Guess(2.0))));
        assert!(
            run_allowed(true, Tool::Sequential, cpu, None),
            "its own baseline"
        );
        assert!(run_allowed(true, t, Kind::Race, None), "a race counts");
        assert!(!asks_for(&Params::default()), "sequential by default");
    }

    #[test]
    fn the_explanation_says_what_the_gap_means() {
        let of = |tool, kind, workers, guess, speedup| {
            Explanation::of(
                &experiment(tool, kind, workers),
                2,
                &measured(guess, speedup),
            )
        };
        use Explanation as E;
        assert_eq!(of(Tool::Threads, Kind::Cpu, 2, 4.0, 0.98), Some(E::Gil));
        assert_eq!(E::Gil.target(), Target::GilLane);
        assert_eq!(
            of(Tool::Async, Kind::Io, 1, 1.0, 3.9),
            Some(E::WaitsOverlap)
        );
        assert_eq!(of(Tool::Async, Kind::Cpu, 1, 3.0, 1.0), Some(E::OneThread));
        assert_eq!(of(Tool::Processes, Kind::Cpu, 4, 4.0, 1.6), Some(E::Cores));
        assert_eq!(
            of(Tool::Processes, Kind::Cpu, 2, 2.0, 1.3),
            Some(E::StartUp)
        );
        assert_eq!(of(Tool::Threads, Kind::Cpu, 2, 1.9, 1.95), Some(E::Close));
        assert_eq!(
            of(Tool::Threads, Kind::Mixed, 4, 1.2, 2.5),
            Some(E::MoreOverlap)
        );
        assert_eq!(
            of(Tool::Threads, Kind::Mixed, 4, 3.0, 1.5),
            Some(E::LessOverlap)
        );
        assert_eq!(
            Explanation::of(
                &experiment(Tool::Async, Kind::Io, 1),
                2,
                &Prediction::new(2.0)
            ),
            None
        );
        assert!(E::WaitsOverlap.text().starts_with("Waits overlap"));
    }
}
