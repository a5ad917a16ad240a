//! The Concurrency Playground page. The entry point only installs the panic hook and renders.
//!
//! The same module is the plain engine: `engine-worker.js` loads it in a worker (sequential,
//! async, the processes), where there is no window and `main` leaves at once. One module for the
//! page and the plain engine downloads std and the model once, not twice.

mod app;
mod browser;
mod components;
mod hooks;
mod insight_link;
mod panic_hook;
mod state;
mod test_hooks;
mod worker_link;

/// The plain engine's entry points for `engine-worker.js` (re-exported so that they stay in
/// this module's exports).
pub use engine::{handle, ready_info, share_cancel_word, take_progress, warm_up};

fn main() {
    // In a worker this module is the engine, not the page.
    if web_sys::window().is_none() {
        return;
    }
    panic_hook::install();
    yew::Renderer::<app::App>::new().render();
}
