//! wasm-bindgen tests of the atomics build, in a dedicated worker of headless Chromium (the
//! test runner serves them cross-origin isolated): the rayon pool really starts and its parallel
//! sum equals the sequential one, and the GIL admits one computing thread at a time.
#![cfg(all(target_arch = "wasm32", feature = "threads"))]

use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

async fn start_pool(threads: usize) {
    // The pool can start once per module instance; later tests reuse it.
    thread_local!(static STARTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if !STARTED.with(|s| s.replace(true)) {
        JsFuture::from(engine::init_thread_pool(threads))
            .await
            .expect("initThreadPool rejected");
    }
}

#[wasm_bindgen_test]
async fn parallel_sum_equals_sequential_sum() {
    start_pool(2).await;
    assert_eq!(
        rayon::current_num_threads(),
        2,
        "the pool did not really start"
    );
    let (parallel, sequential) = engine::parallel_and_sequential_sum(3_000_001, 16);
    assert_eq!(parallel, sequential);
    assert_eq!(sequential, model::sim::kernel::expected_sum(3_000_001));
}

#[wasm_bindgen_test]
async fn pool_threads_run_at_the_same_time() {
    start_pool(2).await;
    // Two jobs that each wait for the other prove two threads run simultaneously: on a single
    // thread each gives up after 10 s alone, and the peak is 1.
    let (peak, total) = engine::rendezvous_on_pool();
    assert_eq!(peak, 2);
    assert_eq!(total, 2);
}
