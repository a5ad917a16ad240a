//! The Concurrency Playground's page, as a library of two entry points: the playground
//! ([`playground`], the `app` binary Trunk builds) and a run's view on another page
//! ([`run_view`], the `run-view` binary the stepping page loads). Both draw a run with the same
//! components: the timeline, its GIL lane and the replay.

mod app;
mod browser;
mod components;
mod hooks;
mod insight_link;
mod panic_hook;
pub mod run_view;
mod state;
mod test_hooks;
mod worker_link;

/// Renders the playground into the page's body, with the crash alert installed.
pub fn playground() {
    panic_hook::install();
    yew::Renderer::<app::App>::new().render();
}
