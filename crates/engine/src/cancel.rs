//! Stopping a run. Three paths, because a task that computes never yields:
//! - a flag word in this module's memory, which the page writes directly when the memory is
//!   shared (atomics build), checked between kernel chunks and woken from sleeps;
//! - in the plain build on an isolated page, a word in a `SharedArrayBuffer` the page gave this
//!   worker ([`share_word`]), read between kernel chunks the same way;
//! - a `cancel` message, which resolves a future raced against the run (every run while it
//!   awaits a timer).
//!
//! Only a plain-build worker without a shared word (a page that is not isolated) cannot be
//! reached while it computes: the page terminates and replaces it. That is a last resort, not a
//! way to stop: Chromium lets a terminated worker that is running code go on for up to two
//! seconds (measured: a cpu task ran to its end, ~1 s, and the page's main thread spun beside
//! it), which slowed the runs that followed a Stop.

use futures::channel::oneshot;
use model::run::id::RunId;
use model::wire::worker::cancel_word;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};

/// Holds `cancel_word(id)` of the run to stop; 0 when none. Page-writable in the atomics build.
static CANCEL: AtomicU32 = AtomicU32::new(0);

thread_local! {
    static WAITERS: RefCell<Vec<(RunId, oneshot::Sender<()>)>> = const { RefCell::new(Vec::new()) };
}

/// The flag's byte address in linear memory, for the page's `Atomics.store`.
#[cfg(feature = "threads")]
pub fn flag_address() -> u32 {
    CANCEL.as_ptr() as usize as u32
}

thread_local! {
    /// The page's cancel word for this plain-build worker (isolated pages only).
    static SHARED_WORD: RefCell<Option<js_sys::Int32Array>> = const { RefCell::new(None) };
}

/// Keeps the page's cancel word: `buffer` is a `SharedArrayBuffer` whose first 32-bit word the
/// page sets to `cancel_word(id)` to stop run `id`.
pub fn share_word(buffer: &wasm_bindgen::JsValue) {
    let view = js_sys::Int32Array::new(buffer);
    SHARED_WORD.with(|w| *w.borrow_mut() = Some(view));
}

/// Whether run `id` has been asked to stop.
pub fn is_cancelled(id: RunId) -> bool {
    let word = cancel_word(id);
    CANCEL.load(Ordering::Relaxed) == word
        || SHARED_WORD.with(|w| {
            w.borrow()
                .as_ref()
                .is_some_and(|view| js_sys::Atomics::load(view, 0).ok() == Some(word as i32))
        })
}

/// Asks run `id` to stop (the `cancel` message's path) and wakes whatever waits on it.
pub fn cancel(id: RunId) {
    CANCEL.store(cancel_word(id), Ordering::SeqCst);
    wake_sleepers();
    let hit: Vec<(RunId, oneshot::Sender<()>)> = WAITERS.with(|w| {
        let mut w = w.borrow_mut();
        let (hit, keep) = w.drain(..).partition(|(run, _)| *run == id);
        *w = keep;
        hit
    });
    for (_, tx) in hit {
        let _ = tx.send(());
    }
}

/// A future that resolves when run `id` is cancelled by message (or never).
pub fn cancelled(id: RunId) -> oneshot::Receiver<()> {
    let (tx, rx) = oneshot::channel();
    if is_cancelled(id) {
        let _ = tx.send(());
    } else {
        WAITERS.with(|w| w.borrow_mut().push((id, tx)));
    }
    rx
}

/// Forgets the cancel future of a run that ended.
pub fn finished(id: RunId) {
    WAITERS.with(|w| w.borrow_mut().retain(|(run, _)| *run != id));
}

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
fn wake_sleepers() {
    // SAFETY: the pointer is to a live static u32; notify only reads its address.
    unsafe {
        core::arch::wasm32::memory_atomic_notify(CANCEL.as_ptr() as *mut i32, u32::MAX);
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "atomics")))]
fn wake_sleepers() {}

/// Blocks this thread for `ms` like `time.sleep`, waking early when run `id` is cancelled.
/// Returns false when cut short. Only for worker threads of the atomics build.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
pub fn blocking_sleep(id: RunId, ms: f64) -> bool {
    let deadline = crate::clock::now() + ms;
    loop {
        let seen = CANCEL.load(Ordering::SeqCst);
        if seen == cancel_word(id) {
            return false;
        }
        let left = deadline - crate::clock::now();
        if left <= 0.0 {
            return true;
        }
        // SAFETY: waits on a live static u32 of shared memory; returns on notify, on a change of
        // value, or at the timeout.
        unsafe {
            core::arch::wasm32::memory_atomic_wait32(
                CANCEL.as_ptr() as *mut i32,
                seen as i32,
                (left * 1e6) as i64,
            );
        }
    }
}
