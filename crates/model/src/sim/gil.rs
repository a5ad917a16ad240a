//! CPython's Global Interpreter Lock, as a real lock: a FIFO ticket lock over atomic words, with
//! the hand-over rule of CPython 3's "new GIL" (`Python/ceval_gil.c`).
//!
//! The rule runs on the *waiter's* clock: a thread that asks for the GIL waits up to one switch
//! interval (5 ms); if no other thread took the GIL during that interval, it sets the drop
//! request, and the holder drops the GIL at its next check (CPython's eval breaker, here: between
//! kernel chunks). A holder with nobody waiting never drops it. So a thread coming back from I/O
//! behind a busy holder waits about one interval: the convoy effect.
//!
//! The lock is generic over [`Park`], how a thread sleeps on a word and reads the time, so the
//! same code runs on native threads in tests and on wasm threads (`memory.atomic.wait32`).

use crate::json::{json_by_name, json_struct, Fields, FromJson, Json, ToJson};
use std::sync::atomic::{AtomicU32, Ordering};

/// CPython's `sys.getswitchinterval()`: 5 ms.
pub const SWITCH_INTERVAL_MS: f64 = 5.0;

/// How a thread sleeps until a word changes, wakes those sleeping on it, and reads the time.
pub trait Park {
    /// Sleeps while `word` holds `expected`, at most `timeout_ms` (spurious wake-ups allowed).
    fn wait(word: &AtomicU32, expected: u32, timeout_ms: f64);
    /// Wakes every thread sleeping on `word`.
    fn wake_all(word: &AtomicU32);
    /// Milliseconds on a monotonic clock.
    fn now_ms() -> f64;
}

/// How one release of the GIL came about, when another thread was waiting for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandOver {
    /// The holder dropped it because a waiter had set the drop request (switch interval).
    Forced,
    /// The holder let it go on its own: a blocking wait (I/O) or the end of its work.
    Voluntary,
}

/// What happened to the GIL at one instant, as a thread saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GilEventKind {
    /// The thread got the GIL.
    Acquire,
    /// It let the GIL go on its own (I/O, or its work ended).
    Release,
    /// It dropped the GIL because a waiter asked (the switch interval passed).
    ForcedDrop,
}

impl GilEventKind {
    /// The name in exports and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            GilEventKind::Acquire => "acquire",
            GilEventKind::Release => "release",
            GilEventKind::ForcedDrop => "forced-drop",
        }
    }
}

/// One GIL event of a run, logged by the thread it happened on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GilEvent {
    /// When, ms on the shared clock.
    pub at: f64,
    /// The thread (lane).
    pub lane: u32,
    /// The task it ran.
    pub task: u32,
    /// What happened.
    pub kind: GilEventKind,
}

impl GilEvent {
    /// `kind` on thread `lane` running `task`, at `at` ms on the shared clock.
    pub fn new(at: f64, lane: u32, task: u32, kind: GilEventKind) -> Self {
        GilEvent {
            at,
            lane,
            task,
            kind,
        }
    }
}

/// Hand-overs of one run, as counted by its threads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GilSwitches {
    /// Drops forced by a waiter's drop request.
    pub forced: u32,
    /// Releases for I/O or at the end of a task while another thread waited.
    pub voluntary: u32,
    /// Whether the forced drops were picks (a run stepped by the learner or tried by the search
    /// on the stepping page: a thread holds the GIL until another is picked), not drop requests
    /// at the switch interval.
    pub picked: bool,
}

json_by_name!(
    GilEventKind,
    "acquire, release or forced-drop",
    [
        GilEventKind::Acquire,
        GilEventKind::Release,
        GilEventKind::ForcedDrop
    ]
);

json_struct!(GilEvent, "a GIL event", { at, lane, task, kind });

/// `picked` is written only when true: the runs the playground measures keep the document they
/// always had.
impl ToJson for GilSwitches {
    fn to_json(&self) -> Json {
        let mut fields = vec![
            ("forced", self.forced.to_json()),
            ("voluntary", self.voluntary.to_json()),
        ];
        if self.picked {
            fields.push(("picked", Json::Bool(true)));
        }
        Json::Obj(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl FromJson for GilSwitches {
    fn from_json(value: &Json) -> Result<Self, String> {
        let fields = Fields::of(value, "GIL switches")?;
        Ok(GilSwitches {
            forced: fields.req("forced")?,
            voluntary: fields.req("voluntary")?,
            picked: fields.or_default("picked")?,
        })
    }
}

/// The lock. Tickets make hand-over fair: a thread that drops the GIL and asks again queues
/// behind every thread already waiting, as CPython's `FORCE_SWITCHING` guarantees.
#[derive(Debug, Default)]
pub struct GilLock {
    next_ticket: AtomicU32,
    /// The ticket served; it also counts switches (CPython's `switch_number`).
    now_serving: AtomicU32,
    /// CPython's `gil_drop_request`: 1 once a waiter has waited an interval without a switch.
    drop_request: AtomicU32,
    /// How the last holder let the lock go (1: forced), read by the waiter it went to.
    last_forced: AtomicU32,
    forced: AtomicU32,
    voluntary: AtomicU32,
}

impl GilLock {
    /// An unheld lock.
    pub const fn new() -> Self {
        GilLock {
            next_ticket: AtomicU32::new(0),
            now_serving: AtomicU32::new(0),
            drop_request: AtomicU32::new(0),
            last_forced: AtomicU32::new(0),
            forced: AtomicU32::new(0),
            voluntary: AtomicU32::new(0),
        }
    }

    /// Blocks until the calling thread holds the lock (CPython's `take_gil`). Returns how the
    /// lock came to this thread when it had to wait for another holder (a hand-over, counted
    /// here), and `None` when it was free: an uncontended acquire is no wait and no hand-over.
    /// Counting on the waiter's side makes every counted hand-over exactly one wait that ended.
    pub fn acquire<P: Park>(&self) -> Option<HandOver> {
        let ticket = self.next_ticket.fetch_add(1, Ordering::Relaxed);
        if self.now_serving.load(Ordering::Acquire) == ticket {
            self.drop_request.store(0, Ordering::Release);
            return None;
        }
        loop {
            // One switch interval, on this waiter's clock.
            let switch_at_start = self.now_serving.load(Ordering::Acquire);
            if switch_at_start == ticket {
                break;
            }
            let deadline = P::now_ms() + SWITCH_INTERVAL_MS;
            loop {
                let serving = self.now_serving.load(Ordering::Acquire);
                if serving == ticket {
                    break;
                }
                let left = deadline - P::now_ms();
                if left <= 0.0 {
                    break;
                }
                P::wait(&self.now_serving, serving, left);
            }
            if self.now_serving.load(Ordering::Acquire) == ticket {
                break;
            }
            if self.now_serving.load(Ordering::Acquire) == switch_at_start {
                // A whole interval without a switch: ask the holder to drop the GIL.
                self.drop_request.store(1, Ordering::Release);
            }
        }
        // The new holder clears the request that may have made its turn come.
        self.drop_request.store(0, Ordering::Release);
        let how = if self.last_forced.load(Ordering::Acquire) != 0 {
            HandOver::Forced
        } else {
            HandOver::Voluntary
        };
        match how {
            HandOver::Forced => &self.forced,
            HandOver::Voluntary => &self.voluntary,
        }
        .fetch_add(1, Ordering::Relaxed);
        Some(how)
    }

    /// Whether a waiter asked the holder to drop the GIL (checked between chunks of work).
    pub fn drop_requested(&self) -> bool {
        self.drop_request.load(Ordering::Acquire) != 0
    }

    /// Releases the lock held by the calling thread, handing it to the longest waiter, which
    /// counts the hand-over as `how` (see [`GilLock::acquire`]).
    pub fn release<P: Park>(&self, how: HandOver) {
        self.last_forced
            .store(u32::from(how == HandOver::Forced), Ordering::Relaxed);
        self.now_serving.fetch_add(1, Ordering::Release);
        P::wake_all(&self.now_serving);
    }

    /// Threads waiting for the lock, as seen by its holder.
    pub fn waiters(&self) -> u32 {
        let next = self.next_ticket.load(Ordering::Relaxed);
        let serving = self.now_serving.load(Ordering::Relaxed);
        next.wrapping_sub(serving).saturating_sub(1)
    }

    /// The hand-overs counted since the last call, which starts a new count (one per run).
    pub fn take_switches(&self) -> GilSwitches {
        GilSwitches {
            forced: self.forced.swap(0, Ordering::Relaxed),
            voluntary: self.voluntary.swap(0, Ordering::Relaxed),
            picked: false,
        }
    }
}

/// Parks by spinning politely on native threads: for tests and hosts without a futex.
pub struct SpinPark;

impl Park for SpinPark {
    fn wait(word: &AtomicU32, expected: u32, timeout_ms: f64) {
        let until = Self::now_ms() + timeout_ms;
        while word.load(Ordering::Acquire) == expected && Self::now_ms() < until {
            std::thread::yield_now();
        }
    }
    fn wake_all(_: &AtomicU32) {}
    fn now_ms() -> f64 {
        use std::sync::OnceLock;
        use std::time::Instant;
        static EPOCH: OnceLock<Instant> = OnceLock::new();
        EPOCH.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn switches_say_picked_only_when_they_were() {
        let measured = GilSwitches {
            forced: 3,
            voluntary: 1,
            picked: false,
        };
        assert_eq!(measured.to_json().write(), r#"{"forced":3,"voluntary":1}"#);
        let stepped = GilSwitches {
            picked: true,
            ..measured
        };
        let text = stepped.to_json().write();
        assert_eq!(text, r#"{"forced":3,"voluntary":1,"picked":true}"#);
        let read = |t: &str| GilSwitches::from_json(&Json::parse(t).unwrap());
        assert_eq!(read(&text), Ok(stepped));
        assert_eq!(read(r#"{"forced":3,"voluntary":1}"#), Ok(measured));
        assert!(read(r#"{"forced":3,"voluntary":1,"picked":2}"#).is_err());
    }
    use std::sync::{Arc, Mutex};

    /// Holds the GIL computing in 0.1 ms chunks, as the engine's cpu task does, dropping it only
    /// when asked; returns after `ms` of holding in all.
    fn busy_holder(gil: &GilLock, ms: f64, stop: &AtomicBool) {
        gil.acquire::<SpinPark>();
        let started = SpinPark::now_ms();
        while SpinPark::now_ms() - started < ms && !stop.load(Ordering::Relaxed) {
            let chunk = SpinPark::now_ms();
            while SpinPark::now_ms() - chunk < 0.1 {
                std::hint::spin_loop();
            }
            if gil.drop_requested() {
                gil.release::<SpinPark>(HandOver::Forced);
                gil.acquire::<SpinPark>();
            }
        }
        gil.release::<SpinPark>(HandOver::Voluntary);
    }

    #[test]
    fn a_thread_back_from_io_waits_a_switch_interval_behind_a_busy_holder() {
        // The convoy effect: CPython makes the returning thread wait ≈ 5 ms, not one chunk.
        let gil = Arc::new(GilLock::new());
        let stop = Arc::new(AtomicBool::new(false));
        let holder = {
            let (gil, stop) = (gil.clone(), stop.clone());
            std::thread::spawn(move || busy_holder(&gil, 10_000.0, &stop))
        };
        // The holder has held the GIL far longer than an interval when the waiter arrives.
        std::thread::sleep(std::time::Duration::from_millis(30));
        let mut waits = Vec::new();
        for _ in 0..5 {
            let asked = SpinPark::now_ms();
            gil.acquire::<SpinPark>();
            waits.push(SpinPark::now_ms() - asked);
            gil.release::<SpinPark>(HandOver::Voluntary);
            std::thread::sleep(std::time::Duration::from_millis(2)); // "I/O"
        }
        stop.store(true, Ordering::Relaxed);
        holder.join().unwrap();
        waits.sort_by(f64::total_cmp);
        let median = waits[2];
        assert!(
            (SWITCH_INTERVAL_MS * 0.9..SWITCH_INTERVAL_MS * 4.0).contains(&median),
            "waits {waits:?}"
        );
        let s = gil.take_switches();
        assert!(s.forced >= 5, "{s:?}");
    }

    #[test]
    fn with_no_waiter_the_holder_never_drops() {
        let gil = GilLock::new();
        assert_eq!(
            gil.acquire::<SpinPark>(),
            None,
            "a free lock is no hand-over"
        );
        let started = SpinPark::now_ms();
        while SpinPark::now_ms() - started < 3.0 * SWITCH_INTERVAL_MS {
            assert!(!gil.drop_requested());
        }
        gil.release::<SpinPark>(HandOver::Voluntary);
        assert_eq!(gil.take_switches(), GilSwitches::default());
    }

    #[test]
    fn a_waiter_asks_only_after_an_interval_without_a_switch() {
        let gil = Arc::new(GilLock::new());
        gil.acquire::<SpinPark>();
        let asked_at = Arc::new(Mutex::new(None));
        let waiter = {
            let (gil, asked_at) = (gil.clone(), asked_at.clone());
            std::thread::spawn(move || {
                *asked_at.lock().unwrap() = Some(SpinPark::now_ms());
                let how = gil.acquire::<SpinPark>();
                gil.release::<SpinPark>(HandOver::Voluntary);
                how
            })
        };
        while gil.waiters() == 0 {
            std::thread::yield_now();
        }
        while !gil.drop_requested() {
            std::thread::yield_now();
        }
        let asked = asked_at.lock().unwrap().expect("the waiter asked");
        let after = SpinPark::now_ms() - asked;
        assert!(
            after >= SWITCH_INTERVAL_MS * 0.9,
            "requested after {after} ms"
        );
        gil.release::<SpinPark>(HandOver::Forced);
        assert_eq!(waiter.join().unwrap(), Some(HandOver::Forced));
        assert!(!gil.drop_requested(), "the new holder clears the request");
        // Counted once, by the waiter it went to; the waiter's own release found nobody.
        assert_eq!(
            gil.take_switches(),
            GilSwitches {
                forced: 1,
                voluntary: 0,
                picked: false
            }
        );
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
                        gil.release::<SpinPark>(HandOver::Voluntary);
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
                g.release::<SpinPark>(HandOver::Voluntary);
            }));
            // Wait until this thread has queued before starting the next.
            while gil.waiters() < id + 1 {
                std::thread::yield_now();
            }
        }
        assert_eq!(gil.waiters(), 3);
        gil.release::<SpinPark>(HandOver::Voluntary);
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2]);
    }
}
