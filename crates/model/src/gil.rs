//! CPython's Global Interpreter Lock, as a real lock: a FIFO ticket lock over two atomic words,
//! plus the hand-over policy of CPython 3's "new GIL".
//!
//! The lock is generic over [`Park`], how a thread sleeps on a word, so the same code runs on
//! native threads in tests and on wasm threads (`memory.atomic.wait32`) in the engine.

use std::sync::atomic::{AtomicU32, Ordering};

/// CPython's `sys.getswitchinterval()`: 5 ms.
pub const SWITCH_INTERVAL_MS: f64 = 5.0;

/// How a thread sleeps until a word changes, and wakes those sleeping on it.
pub trait Park {
    /// Sleeps while `word` holds `expected` (spurious wake-ups allowed).
    fn wait(word: &AtomicU32, expected: u32);
    /// Wakes every thread sleeping on `word`.
    fn wake_all(word: &AtomicU32);
}

/// The lock. Tickets make hand-over fair: a thread that releases and immediately re-requests
/// queues behind every thread already waiting, as CPython's forced switching guarantees.
#[derive(Debug, Default)]
pub struct GilLock {
    next_ticket: AtomicU32,
    now_serving: AtomicU32,
}

impl GilLock {
    /// An unheld lock.
    pub const fn new() -> Self {
        GilLock {
            next_ticket: AtomicU32::new(0),
            now_serving: AtomicU32::new(0),
        }
    }

    /// Blocks until the calling thread holds the lock.
    pub fn acquire<P: Park>(&self) {
        let ticket = self.next_ticket.fetch_add(1, Ordering::Relaxed);
        loop {
            let serving = self.now_serving.load(Ordering::Acquire);
            if serving == ticket {
                return;
            }
            P::wait(&self.now_serving, serving);
        }
    }

    /// Releases the lock held by the calling thread, handing it to the longest waiter.
    pub fn release<P: Park>(&self) {
        self.now_serving.fetch_add(1, Ordering::Release);
        P::wake_all(&self.now_serving);
    }

    /// Threads waiting for the lock, as seen by its holder (CPython's `gil_drop_request`).
    pub fn waiters(&self) -> u32 {
        let next = self.next_ticket.load(Ordering::Relaxed);
        let serving = self.now_serving.load(Ordering::Relaxed);
        next.wrapping_sub(serving).saturating_sub(1)
    }
}

/// CPython's rule: the holder drops the GIL once it has held it for a switch interval and
/// another thread has asked for it; it never drops it for nobody.
pub fn should_hand_over(held_ms: f64, waiters: u32) -> bool {
    waiters > 0 && held_ms >= SWITCH_INTERVAL_MS
}

/// Parks by spinning politely: for native tests and hosts without a futex.
pub struct SpinPark;

impl Park for SpinPark {
    fn wait(word: &AtomicU32, expected: u32) {
        while word.load(Ordering::Acquire) == expected {
            std::thread::yield_now();
        }
    }
    fn wake_all(_: &AtomicU32) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Mutex};

    #[test]
    fn policy_matches_cpython() {
        assert!(!should_hand_over(10.0, 0));
        assert!(!should_hand_over(4.9, 3));
        assert!(should_hand_over(5.0, 1));
    }

    #[test]
    fn only_one_holder_at_a_time() {
        let gil = Arc::new(GilLock::new());
        let inside = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (gil, inside) = (gil.clone(), inside.clone());
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        gil.acquire::<SpinPark>();
                        assert!(!inside.swap(true, Ordering::SeqCst), "two holders");
                        std::hint::spin_loop();
                        inside.store(false, Ordering::SeqCst);
                        gil.release::<SpinPark>();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(gil.waiters(), 0);
    }

    #[test]
    fn hand_over_is_fifo() {
        let gil = Arc::new(GilLock::new());
        let order = Arc::new(Mutex::new(Vec::new()));
        gil.acquire::<SpinPark>();
        let mut handles = Vec::new();
        for id in 0..3 {
            let (g, o) = (gil.clone(), order.clone());
            handles.push(std::thread::spawn(move || {
                g.acquire::<SpinPark>();
                o.lock().unwrap().push(id);
                g.release::<SpinPark>();
            }));
            // Wait until this thread has queued before starting the next.
            while gil.waiters() < id + 1 {
                std::thread::yield_now();
            }
        }
        assert_eq!(gil.waiters(), 3);
        gil.release::<SpinPark>();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2]);
    }
}
