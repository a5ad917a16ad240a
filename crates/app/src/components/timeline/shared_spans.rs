//! The spans a timeline draws, shared rather than copied.

use model::run::timeline::Span;
use std::cell::RefCell;
use std::rc::Rc;

/// Spans shared with the timeline, never copied to be passed on: a finished run's, or the
/// growing log of the run in flight (progress appends to it). Equal when they are the same
/// allocation at the same length, so that an unchanged run is not compared span by span.
#[derive(Clone, Debug)]
pub enum SharedSpans {
    /// A finished run's spans.
    Fixed(Rc<Vec<Span>>),
    /// The append-only log of a live run, and how many spans this render shows.
    Growing(Rc<RefCell<Vec<Span>>>, usize),
}

impl Default for SharedSpans {
    fn default() -> Self {
        SharedSpans::Fixed(Rc::default())
    }
}

impl PartialEq for SharedSpans {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (SharedSpans::Fixed(a), SharedSpans::Fixed(b)) => Rc::ptr_eq(a, b),
            (SharedSpans::Growing(a, n), SharedSpans::Growing(b, m)) => Rc::ptr_eq(a, b) && n == m,
            _ => false,
        }
    }
}

impl SharedSpans {
    /// Calls `f` with the spans.
    pub fn with<T>(&self, f: impl FnOnce(&[Span]) -> T) -> T {
        match self {
            SharedSpans::Fixed(spans) => f(spans),
            SharedSpans::Growing(log, n) => {
                let log = log.borrow();
                f(&log[..(*n).min(log.len())])
            }
        }
    }
}
