//! The one clock every worker shares: `performance.timeOrigin + performance.now()`, in ms.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    #[wasm_bindgen(thread_local_v2, js_namespace = performance, js_name = timeOrigin)]
    static TIME_ORIGIN: f64;
}

/// Milliseconds on the shared clock; comparable across the page and all of its workers.
pub fn now() -> f64 {
    TIME_ORIGIN.with(|origin| *origin) + performance_now()
}
