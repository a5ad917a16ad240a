//! The Concurrency Playground page. The entry point only renders the playground (the library's
//! [`app::playground`]).
//!
//! The same module is the plain engine: `engine-worker.js` loads it in a worker (sequential,
//! async, the processes), where there is no window and `main` leaves at once. One module for the
//! page and the plain engine downloads std and the model once, not twice.

/// The plain engine's entry points for `engine-worker.js` (re-exported so that they stay in
/// this module's exports).
pub use engine::{handle, ready_info, share_cancel_word, take_progress, warm_up};

fn main() {
    // In a worker this module is the engine, not the page.
    if web_sys::window().is_none() {
        return;
    }
    app::playground();
}
