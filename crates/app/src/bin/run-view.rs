//! The `run-view` module: the playground's timeline, GIL lane and replay for the stepping page
//! (see the library's `run_view`). Built by `cargo xtask` beside the page, loaded by
//! `www/python/stepping-page.js` after its first run; the playground's own first load carries
//! none of it.

use wasm_bindgen::prelude::*;

fn main() {
    app::run_view::install();
}

/// Shows the run that CPython's worker's `finished` message (the text it posted) reports, in
/// `host` under `caption`; throws a sentence when the message is not one.
#[wasm_bindgen]
pub fn show_run(host: web_sys::Element, message: &str, caption: &str) -> Result<(), JsValue> {
    app::run_view::show(host, message, caption).map_err(|e| JsValue::from_str(&e))
}
