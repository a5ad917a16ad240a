//! The Concurrency Playground page. The entry point only installs the panic hook and renders.

mod app;
mod browser;
mod components;
mod hooks;
mod panic_hook;
mod state;
mod worker_link;

fn main() {
    panic_hook::install();
    yew::Renderer::<app::App>::new().render();
}
