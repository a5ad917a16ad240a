//! Collecting spans while tasks run, so that a stopped run still reports what it did.

use model::run::timeline::{Span, SpanState};
use std::cell::RefCell;
use std::rc::Rc;

/// Spans of one run on one thread, shared by the futures of that run.
#[derive(Clone, Default)]
pub struct SpanLog(Rc<RefCell<Vec<Span>>>);

impl SpanLog {
    /// Records a span unless it is empty.
    pub fn push(&self, task: u32, lane: u32, state: SpanState, start: f64, end: f64) {
        if end > start {
            let span = Span::new(task, lane, state, start, end);
            crate::progress::close(span);
            self.0.borrow_mut().push(span);
        }
    }

    /// Everything recorded so far.
    pub fn take(&self) -> Vec<Span> {
        std::mem::take(&mut self.0.borrow_mut())
    }
}
