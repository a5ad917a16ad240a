"""Threads for the page's CPython: a `_thread` module under CPython's own `threading`, `queue`
and `concurrent.futures.thread`, with one thread running Python at a time, handed over where
and when CPython's GIL hands over.

Stock Pyodide runs CPython on one WebAssembly thread and its `_thread` cannot start another.
With JavaScript Promise Integration (JSPI), though, `pyodide.ffi.run_sync` suspends the
WebAssembly stack it is called on, Python frames and all, and resumes it when a promise
settles. So a thread here is such a stack: it runs until it gives the GIL away, and then waits
on a promise that is resolved when the GIL is handed back to it.

The GIL's rule, as CPython 3.2+ has it:
- A blocking call (a lock's acquire, a join, `SimpleQueue.get`, `time.sleep`) lets go of the
  GIL at once. No wait ever blocks inside C: every one is a hand-over, so no thread can be
  preempted while it holds a C-level lock.
- A running thread is asked to let go only once another thread has waited for the GIL
  `sys.getswitchinterval()` (5 ms unless the program sets it) with no hand-over in that time
  (a hand-over to another thread starts its interval again, as `take_gil` in
  Python/ceval_gil.c restarts its timed wait when `switch_number` moved). The asking comes through
  Pyodide's interrupt buffer, which CPython reads at its eval breaker (where CPython's GIL is
  handed over too): a timer in a worker of its own (www/python/gil-timer.js), which keeps time
  while this worker runs Python, writes a signal number into it at the deadline this module
  publishes, and the handler for that signal hands over.

This module is one of the harness's executors (harness.py's `executors`): `install()` puts it in
the place of `_thread` and imports `threading`, `queue` and `concurrent.futures` afresh for the
run (locks made before must not survive), `shutdown()` joins the program's threads at its end
as CPython does, and `used()` says whether the run started any.
"""

import heapq
import math
import signal
import sys
import time
import traceback
import types
from collections import deque

from . import harness

try:
    from js import Promise, setTimeout
    from pyodide.ffi import can_run_sync, create_once_callable, run_sync
except ImportError:  # at home: CPython's own threads

    def can_run_sync():
        return False


#: The GIL timer's words (worker.js registers them where threads can run: shared memory and
#: JSPI); looked up when a run starts, as the page's Stop word may come after CPython loads.
_gil_timer = None


#: The signal number the timer writes to ask the running thread to let go (SIGUSR1's number;
#: Stop writes SIGINT's, 2).
SWITCH_SIGNAL = 10
#: The ident of the program's main thread (CPython's are addresses; these only need to differ).
MAIN_IDENT = 1
#: `_thread.TIMEOUT_MAX`, as CPython's on 64-bit Linux.
TIMEOUT_MAX = float(2**63 // 10**9)
#: What the page says when the interpreter cannot suspend a thread (no JSPI in this browser).
WHY_NOT = (
    "\n(The page: that is CPython's own error. Threads run here as stacks that the GIL's hand-"
    "overs suspend and resume, through WebAssembly's JavaScript Promise Integration (JSPI); "
    "this browser has none (Chromium 137+ and Firefox 139+ do). The Rust model runs threads "
    "with CPython's GIL rule: pick Engine: Rust model.)"
)

#: What the page says when a process of the pool starts a thread.
WHY_NOT_IN_PROCESS = (
    "\n(The page: that is CPython's own error. Threads run in the page's own CPython; in a "
    "process of the pool they do not start. Run the threads in the main program.)"
)

#: The modules imported afresh for each run, so that their locks are this run's.
_FRESH = (
    "threading",
    "_threading_local",
    "queue",
    "concurrent.futures",
    "concurrent.futures._base",
    "concurrent.futures.thread",
)


class Deadlock(BaseException):
    """Every live thread waits on something only another waiting thread can give: raised in the
    main thread, with each thread's stack (a `BaseException`, so `except Exception` in the
    program does not swallow the end of its run)."""


class Unwind(BaseException):
    """Raised in a thread a deadlock left waiting, once its run has ended (`unwind`): its stack
    runs its `finally` clauses and ends, instead of staying suspended for good."""


class _Thread:
    """A thread as the scheduler sees it."""

    __slots__ = (
        "ident", "name", "resolve", "state", "stack", "woken", "error", "deadline", "ready_since", "what", "daemon",
        "tasks", "on", "line", "at", "owes_step", "taken",
    )

    def __init__(self, ident, name, daemon):
        self.ident = ident
        self.name = name
        self.daemon = daemon
        #: The promise's resolve function while the thread is suspended.
        self.resolve = None
        #: "running", "ready" (waits for the GIL), "blocked", "outside" (the main thread, while
        #: asyncio's loop runs something else) or "done".
        self.state = "running"
        #: A blocked thread's stack, as the deadlock message prints it.
        self.stack = None
        self.woken = False
        self.error = None
        self.deadline = None
        self.ready_since = 0.0
        #: What a blocked thread waits on, in words (for the deadlock message).
        self.what = ""
        #: The timed calls it is inside, innermost last (their task numbers): the task its GIL
        #: events and waits belong to.
        self.tasks = []
        #: What a blocked thread waits on (a lock, a thread's handle) and its program line.
        self.on = None
        self.line = None
        #: Under a chooser (stepping.py): its next step, as (visible, globals read, globals
        #: written, line), and whether the pick that resumed it was for the step it reaches next
        #: (it runs that one without a choice).
        self.at = None
        self.owes_step = False
        #: Step points it has reached.
        self.taken = 0

    def task(self):
        """The task this thread runs now: its innermost timed call's, or the lane's own."""
        return self.tasks[-1] if self.tasks else harness.TASK_LANE


class _Run:
    """The scheduler's state for one run."""

    def __init__(self):
        self.threads = {}
        self.ready = deque()
        self.timers = []
        self.timer_seq = 0
        self.next_ident = MAIN_IDENT + 1
        self.started = 0
        self.stopping = False
        #: What a wait of the main thread raises once the run is stopping.
        self.stop_error = KeyboardInterrupt
        self.ended = False
        self.js_timer_at = None
        #: The due time last told to the timer (perf_counter seconds; None: none).
        self.published = None
        #: The shared clock (ms) minus this interpreter's perf_counter (ms).
        self.clock_offset = harness.page_clock() - _now() * 1000
        main = _Thread(MAIN_IDENT, "MainThread", False)
        self.threads[MAIN_IDENT] = main
        self.main = main
        self.current = main
        #: The GIL's log once a second thread exists, as the model's threads engine logs it:
        #: (perf_counter s, thread, task, kind), kind "acquire", "release" or "forced-drop".
        self.gil = []
        #: Events beyond `MAX_GIL_EVENTS`, counted (the run's note says how many).
        self.gil_cut = 0
        #: Hand-overs: acquires by a thread that waited for the GIL, counted by how the holder
        #: let go (as `GilLock::acquire` counts them, on the waiter's side).
        self.forced = 0
        self.voluntary = 0
        self.last_forced = False
        #: When the GIL last changed hands (CPython's `switch_number` moving), perf_counter s.
        self.last_switch = 0.0
        #: Each wait for the GIL that ended in a hand-over: (thread, task, asked, got).
        self.waits = []
        #: The chooser of the next thread (stepping.Stepper) under `schedule=you` or `search`:
        #: the GIL's clock then hands nothing over.
        self.stepper = None
        #: A deadlock's cycle (stepping.cycle), once one formed, and what each thread waited for.
        self.cycle = []
        self.waits_text = ""


_run = None
#: Whether the running thread is inside the scheduler (a primitive's body). CPython's locks are
#: C code that no signal interrupts halfway; here they are Python, and the hand-over signal,
#: handled at any bytecode boundary, must not switch threads in the middle of one: its handler
#: then does nothing, and the timer asks again 1 ms later.
_busy = False
_saved = {}
_real_sleep = time.sleep
_real_switchinterval = sys.getswitchinterval()


def _now():
    return harness.clock()


def _deadline_now():
    """Now on the clock of timeouts and sleeps: the chooser's virtual clock under a schedule,
    else the real one."""
    run = _run
    return run.stepper.clock if run is not None and run.stepper is not None else harness.clock()


#: The most GIL events one run logs (10 s of hand-overs at a 1 ms interval); later ones are
#: counted, not kept.
MAX_GIL_EVENTS = 60_000


def _log(thread, kind):
    """Logs `kind` for `thread` now, once the run has a second thread (before that the GIL is
    the main thread's alone: nothing to hand over)."""
    run = _run
    if not run.started:
        return
    if len(run.gil) < MAX_GIL_EVENTS:
        run.gil.append((_now(), thread, thread.task(), kind))
    else:
        run.gil_cut += 1


def _let_go(thread, forced=False):
    """`thread` lets go of the GIL: forced (a waiter waited the switch interval) or on its own."""
    _run.last_forced = forced
    _log(thread, "forced-drop" if forced else "release")


# --- hand-overs ------------------------------------------------------------------------------


def _me():
    """The thread running now. Code that runs while no thread holds the GIL is the main
    thread's, resumed by asyncio's loop (an `await` in the program gave the GIL away)."""
    run = _run
    if run.current is None:
        run.current = run.main
        run.main.state = "running"
        _log(run.main, "acquire")
        _watch_main_leaving()
    return run.current


def _watch_main_leaving():
    """The main thread took the GIL from asyncio's loop: when its stretch of running ends (it
    awaits again, or its run ends), a microtask gives the GIL away, as CPython's loop releases
    it while it waits."""

    def left():
        global _busy
        run = _run
        if run is not None and run.current is run.main and run.main.state == "running":
            _busy = True
            run.main.state = "outside"
            _let_go(run.main)
            _give_away()

    Promise.resolve().then(create_once_callable(left))


def _hand(thread):
    """Gives the GIL to `thread` (ready, suspended): it resumes once this stack suspends. A
    thread that waited for the GIL (ready) takes it in a hand-over, logged with its wait."""
    run = _run
    now = _now()
    if thread.state == "ready" and run.started:
        run.waits.append((thread, thread.task(), thread.ready_since, now))
        if run.last_forced:
            run.forced += 1
        else:
            run.voluntary += 1
    _log(thread, "acquire")
    if thread is not run.current:
        run.last_switch = now
    run.current = thread
    thread.state = "running"
    resolve, thread.resolve = thread.resolve, None
    # None: the thread is the caller, about to suspend (the last to block, handed the GIL back
    # with an error to raise): `_suspend` then returns at once.
    if resolve is not None:
        resolve()


def _give_away():
    """The running thread lets go: the longest-waiting ready thread gets the GIL, or nobody.
    Under a chooser, the chooser picks; returns True when it picked the thread that let go (its
    wait's deadline came at once: it does not suspend)."""
    run = _run
    if run.stepper is not None and not run.stopping:
        return run.stepper.choose(run.current, runnable=False)
    if run.stopping:
        # After Stop or a deadlock only the main thread runs again: it unwinds the program.
        if run.main in run.ready:
            run.ready.remove(run.main)
            _hand(run.main)
        else:
            run.current = None
        _publish()
        return
    if run.ready:
        _hand(run.ready.popleft())
    else:
        run.current = None
        _check_deadlock()
    _publish()


def _suspend(thread):
    """Suspends the calling thread's stack until the GIL is handed back to it."""
    if not (_run.current is thread and thread.state == "running"):
        run = _run
        pair = Promise.withResolvers()
        thread.resolve = pair.resolve
        run_sync(pair.promise)
        if run.ended:
            # Resumed after its run ended: the thread's stack ends here, quietly.
            raise Unwind()
    _run.current = thread
    thread.state = "running"
    if thread.error is not None:
        error, thread.error = thread.error, None
        raise error


def _make_ready(thread):
    """`thread` may run again (what it waited for came, or its time ran out)."""
    run = _run
    if thread.state != "blocked":
        return
    thread.woken = True
    if run.current is None and run.stepper is None:
        _hand(thread)
    else:
        thread.state = "ready"
        thread.ready_since = _now()
        run.ready.append(thread)
    _publish()


def _block(what, deadline=None, on=None):
    """The calling thread waits for `what` (a word for the deadlock message) until another
    thread makes it ready, or until `deadline` (perf_counter seconds). Returns whether it was
    made ready before its deadline. `on` is the lock or thread handle it waits on, if any."""
    run = _run
    me = _me()
    if run.stopping and me is run.main:
        # After Stop or a deadlock the main thread waits for nobody: each wait raises again,
        # as a second Ctrl-C would, so the program unwinds instead of joining its threads.
        raise run.stop_error()
    me.state = "blocked"
    me.woken = False
    me.what = what
    me.on = on
    # The stack as text now: a suspended stack's frames cannot be read from another stack.
    me.stack = _stack_lines(sys._getframe(1))
    me.line = _program_line(sys._getframe(1))
    me.deadline = deadline
    if deadline is not None:
        run.timer_seq += 1
        heapq.heappush(run.timers, (deadline, run.timer_seq, me))
    _let_go(me)
    if not _give_away():
        _suspend(me)
    me.stack = None
    me.deadline = None
    me.on = None
    return me.woken


def _switch(forced):
    """The running thread lets go for the longest-waiting ready thread, and waits its turn:
    `forced` when the switch interval made it (the timer's signal), not when it yielded."""
    run = _run
    me = _me()
    if not run.ready or run.stopping or run.stepper is not None:
        # Under a chooser, every step is already a point where another thread may be picked.
        return
    me.state = "ready"
    run.ready.append(me)
    _let_go(me, forced)
    _hand(run.ready.popleft())
    # Its wait starts after the hand-over it made: a thread that drops the GIL and asks again
    # waits a whole interval from there, as CPython's.
    me.ready_since = _now()
    _publish()
    _suspend(me)


def _expire():
    """Wakes the threads whose wait has timed out."""
    run = _run
    now = _deadline_now()
    _prune()
    while run.timers and run.timers[0][0] <= now:
        _deadline, _seq, thread = heapq.heappop(run.timers)
        _make_ready(thread)
        _prune()


def _prune():
    """Drops the timed waits that ended before their deadline from the heap's top: a wait that
    got its lock early is no timeout pending, and must neither wake anyone nor keep a deadlock
    from being seen. After this the first entry, if any, is a thread still waiting on it."""
    timers = _run.timers
    while timers and not (timers[0][2].state == "blocked" and timers[0][2].deadline == timers[0][0]):
        heapq.heappop(timers)


def _publish():
    """Tells the timer when the running thread must next be asked to let go: once the first
    ready thread has waited the switch interval, or when a timed wait ends. While nobody runs,
    a timer of this worker's loop wakes the first timed-out wait instead."""
    run = _run
    if run is None or run.ended or run.stepper is not None:
        # Under a chooser no clock hands over, and time moves only when a wait is picked.
        return
    due = None
    if run.ready and run.current is not None:
        due = _drop_due()
    _prune()
    if run.timers:
        first = run.timers[0][0]
        due = first if due is None else min(due, first)
        if run.current is None:
            _wake_loop_at(first)
    # Only a change crosses to JavaScript: a hand-over publishes several times.
    if due != run.published:
        run.published = due
        if _gil_timer is not None:
            _gil_timer.due(-1 if due is None else due * 1000 + run.clock_offset)


def _drop_due():
    """When a waiter sets CPython's drop request: each ready thread waits in intervals from when
    it asked, and asks at the end of the first interval in which the GIL did not change hands;
    the earliest of them (perf_counter s). `None` while nobody waits or nobody holds the GIL."""
    run = _run
    if not run.ready or run.current is None:
        return None
    interval = sys.getswitchinterval()
    due = None
    for thread in run.ready:
        # The first k >= 1 whose interval [since + (k-1)i, since + ki] saw no switch.
        k = max(1, math.ceil((run.last_switch - thread.ready_since) / interval + 1))
        at = thread.ready_since + k * interval
        due = at if due is None else min(due, at)
    return due


def _wake_loop_at(when):
    run = _run
    if run.js_timer_at is not None and run.js_timer_at <= when:
        return
    run.js_timer_at = when

    def fire():
        global _busy
        if _run is not run or run.ended:
            return
        run.js_timer_at = None
        # A stack resumed by what this wakes is inside a primitive: it clears `_busy` itself.
        earlier, _busy = _busy, True
        try:
            _expire()
            _publish()
        finally:
            _busy = earlier

    setTimeout(create_once_callable(fire), max(0.0, (when - _now()) * 1000))


def _on_switch_signal(_signum, _frame):
    """The timer's signal: the running thread lets go if a ready thread has waited the switch
    interval; threads whose timed wait ended become ready first."""
    global _busy
    run = _run
    if run is None or run.ended or run.current is None or _busy or run.stepper is not None:
        return
    _busy = True
    try:
        _expire()
        due = _drop_due()
        if due is not None and _now() >= due - sys.getswitchinterval() * 0.001:
            _switch(forced=True)
        else:
            _publish()
    finally:
        _busy = False


def _on_stop_signal(_signum, _frame):
    """Stop (SIGINT): KeyboardInterrupt in the main thread, whichever thread was running; the
    other threads are abandoned where they are."""
    global _busy
    run = _run
    if run is not None and not run.ended and _busy:
        return  # not taken: the timer writes Stop again
    if _gil_timer is not None:
        _gil_timer.stopTaken()
    if run is None or run.ended or run.stopping:
        raise KeyboardInterrupt
    stop_here()


def stop_here():
    """Stop in the running thread: KeyboardInterrupt in the main thread; any other thread
    hands the GIL to the main thread, which raises it, and is abandoned where it is."""
    global _busy
    run = _run
    run.stopping = True
    me = _me()
    if me is run.main:
        raise KeyboardInterrupt
    _busy = True
    main = run.main
    main.error = KeyboardInterrupt()
    if main.state == "blocked":
        _make_ready(main)
    # This thread stops here for good: it gives the GIL away and is never resumed.
    me.state = "abandoned"
    _let_go(me)
    _give_away()
    _suspend(me)


def _check_deadlock():
    """Nobody runs and nobody is ready: if no wait can time out and every live thread waits on
    another, the run ends with each thread's stack."""
    run = _run
    _prune()
    if run.timers or run.stopping:
        return
    live = [t for t in run.threads.values() if t.state not in ("done", "abandoned")]
    if not live or any(t.state != "blocked" for t in live):
        return
    run.stopping = True
    names = _names()
    from .stepping import cycle, cycle_text, waits_text

    run.cycle = cycle()
    run.waits_text = waits_text()
    lines = ["Deadlock: every thread waits on something only another waiting thread can give"]
    if run.cycle:
        lines.append(f"The cycle: {cycle_text(run.cycle)}.")
    elif run.waits_text:
        lines.append(f"The waits: {run.waits_text}.")
    for t in live:
        lines.append("")
        lines.append(f"Thread 0x{t.ident:016x} [{names.get(t.ident, t.name)}] waiting on {t.what} (most recent call first):")
        lines.extend(t.stack or [])
    message = "\n".join(lines)
    run.stop_error = lambda: Deadlock(message)
    main = run.main
    main.error = Deadlock(message)
    if main.state == "blocked":
        # Nobody held the GIL: the main thread takes it, no hand-over.
        _hand(main)


_OWN_FRAMES = (harness.__file__.rsplit("/", 1)[0], "/lib/python314.zip/pyodide/", "/lib/python314.zip/asyncio/")


def _names():
    """Each thread's name as the program's `threading` knows it, by ident."""
    threading = sys.modules.get("threading")
    active = getattr(threading, "_active", {}) if threading is not None else {}
    return {ident: thread.name for ident, thread in list(active.items())}


#: The main thread's lane while its run is in flight: `resolve_lane` places it once the run
#: knows how many threads it started.
MAIN_LANE = -1


def _lane_of(thread):
    return MAIN_LANE if thread.ident == MAIN_IDENT else thread.ident - MAIN_IDENT - 1


def lane():
    """The timeline lane of the running thread: one per thread in the order they started (a
    pool's threads are lanes 0 to W-1, as the model draws them), and the main thread's
    `MAIN_LANE` until the run ends. 0 where no thread can start."""
    run = _run
    if run is None:
        return 0
    return MAIN_LANE if run.current is None else _lane_of(run.current)


def resolve_lane(lane_):
    """A lane as the run draws it: the main thread's is 0 in a run that started no thread, and
    otherwise the one after its threads' (they hold lanes 0 to W-1)."""
    if lane_ != MAIN_LANE:
        return lane_
    return 0 if _run is None else _run.started


def enter(task):
    """The running thread starts a timed call of `task`: its GIL events and waits are that
    task's until `leave`. Returns the thread, for `leave`."""
    run = _run
    if run is None:
        return None
    thread = run.current or run.main
    thread.tasks.append(task)
    return thread


def leave(thread):
    """`thread`'s timed call ended."""
    if thread is not None and thread.tasks:
        thread.tasks.pop()


def gil_log():
    """The run's GIL as its report carries it: the hand-overs (`None` in a run that started no
    thread), the events as (perf_counter s, lane, task, kind) and the waits that ended in a
    hand-over as spans (task, lane, "gil-wait", start, end), with lanes resolved."""
    run = _run
    if run is None or not run.started:
        return None, [], []
    lane_ = lambda t: resolve_lane(_lane_of(t))  # noqa: E731
    events = [(at, lane_(t), task, kind) for (at, t, task, kind) in run.gil]
    waits = [(task, lane_(t), "gil-wait", a, b) for (t, task, a, b) in run.waits]
    return {"forced": run.forced, "voluntary": run.voluntary}, events, waits


def _program_line(frame):
    """The line of the program's innermost frame on a stack (what a blocked thread shows)."""
    while frame is not None:
        if frame.f_code.co_filename == harness.FILENAME:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _stack_lines(frame):
    """A stack as `faulthandler.dump_traceback` prints it: innermost first."""
    lines = []
    while frame is not None:
        code = frame.f_code
        # The page's own frames (this package, the loop that runs the program) are not the
        # program's: CPython's main thread has none of them.
        if not code.co_filename.startswith(_OWN_FRAMES):
            lines.append(f'  File "{code.co_filename}", line {frame.f_lineno} in {code.co_name}')
        frame = frame.f_back
    return lines


# --- the `_thread` module ----------------------------------------------------------------------


class LockType:
    """`_thread.lock`: not owned; a blocked acquire gives the GIL away and retries when a
    release makes it ready (CPython's locks are not handed to a waiter either: the releasing
    thread may take the lock again before the waiter runs)."""

    def __init__(self):
        self._locked = False
        self._waiters = deque()
        #: The thread that took it (a `_thread.lock` has no owner; this only names who holds
        #: it when a deadlock's cycle is told).
        self._holder = None

    def acquire(self, blocking=True, timeout=-1):
        global _busy
        outer = _busy and _run is not None and _run.current is not None
        _busy = True
        try:
            if not blocking and timeout != -1:
                raise ValueError("can't specify a timeout for a non-blocking call")
            if timeout < 0 and timeout != -1:
                raise ValueError("timeout value must be a non-negative number")
            if not self._locked:
                self._locked = True
                self._holder = _run.current if _run is not None else None
                return True
            if not blocking:
                return False
            deadline = None if timeout == -1 else _deadline_now() + timeout
            me = _me()
            self._waiters.append(me)
            try:
                while self._locked:
                    if deadline is not None and _deadline_now() >= deadline:
                        return False
                    _block("a lock", deadline, self)
            finally:
                self._waiters.remove(me)
            self._locked = True
            self._holder = me
            return True
        finally:
            _busy = outer

    def release(self):
        global _busy
        outer = _busy and _run is not None and _run.current is not None
        _busy = True
        try:
            if not self._locked:
                raise RuntimeError("release unlocked lock")
            self._locked = False
            self._holder = None
            if self._waiters:
                _make_ready(self._waiters[0])
        finally:
            _busy = outer

    def locked(self):
        return self._locked

    def _at_fork_reinit(self):
        self._locked = False
        self._waiters.clear()

    acquire_lock = acquire
    release_lock = release
    locked_lock = locked

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()

    def __repr__(self):
        state = "locked" if self._locked else "unlocked"
        return f"<{state} _thread.lock object at 0x{id(self):x}>"


class _ThreadHandle:
    """`_thread._ThreadHandle`: what `Thread.join` and `is_alive` ask."""

    def __init__(self):
        self.ident = None
        self._done = False
        self._waiters = []

    def is_done(self):
        return self._done

    def _set_done(self):
        global _busy
        outer = _busy and _run is not None and _run.current is not None
        _busy = True
        try:
            self._done = True
            for t in self._waiters:
                _make_ready(t)
        finally:
            _busy = outer

    def join(self, timeout=None):
        global _busy
        outer = _busy and _run is not None and _run.current is not None
        _busy = True
        try:
            if self._done:
                return
            run = _run
            if run is not None and run.current is not None and run.current.ident == self.ident:
                raise RuntimeError("Cannot join current thread")
            deadline = None if timeout is None else _deadline_now() + max(timeout, 0)
            me = _me()
            self._waiters.append(me)
            try:
                while not self._done:
                    if deadline is not None and _deadline_now() >= deadline:
                        return
                    _block(f"joining thread 0x{self.ident:016x}", deadline, self)
            finally:
                self._waiters.remove(me)
        finally:
            _busy = outer


class _local:
    """`_thread._local` (`threading.local`): attributes of each thread's own. Each thread's dict
    is looked up, never swapped in (a swap could be preempted halfway, and another thread
    would then read this one's values)."""

    def __new__(cls, /, *args, **kwargs):
        if (args or kwargs) and cls.__init__ is object.__init__:
            raise TypeError("Initialization arguments are not supported")
        self = object.__new__(cls)
        # The creating thread's dict is filled by the constructor's own __init__ call.
        object.__getattribute__(self, "__dict__")["_local__state"] = ({get_ident(): {}}, args, kwargs)
        return self

    def __getattribute__(self, name):
        own = _local_dict(self)
        if name == "__dict__":
            return own
        if name in own and not hasattr(getattr(type(self), name, None), "__set__"):
            return own[name]
        return object.__getattribute__(self, name)

    def __setattr__(self, name, value):
        if name == "__dict__":
            raise AttributeError(f"{type(self).__name__!r} object attribute '__dict__' is read-only")
        descriptor = getattr(type(self), name, None)
        if hasattr(descriptor, "__set__"):
            descriptor.__set__(self, value)
        else:
            _local_dict(self)[name] = value

    def __delattr__(self, name):
        try:
            del _local_dict(self)[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}") from None


def _local_dict(local):
    """The calling thread's dict of `local`; a thread's first use runs the class's __init__."""
    dicts, args, kwargs = object.__getattribute__(local, "__dict__")["_local__state"]
    ident = get_ident()
    own = dicts.get(ident)
    if own is None:
        own = dicts[ident] = {}
        init = type(local).__init__
        if init is not object.__init__:
            init(local, *args, **kwargs)
    return own


def start_joinable_thread(function, handle=None, daemon=True):
    """Starts `function` in a new thread: ready at once, it runs when the GIL comes to it."""
    global _busy
    outer = _busy and _run is not None and _run.current is not None
    _busy = True
    try:
        run = _run
        if run is None or run.stopping:
            raise RuntimeError("can't start new thread")
        if handle is None:
            handle = _ThreadHandle()
        thread = _Thread(run.next_ident, f"Thread-{run.next_ident}", daemon)
        run.next_ident += 1
        holder = _me()
        run.threads[thread.ident] = thread
        run.started += 1
        if run.started == 1:
            # The log starts with the GIL's holder, from here on one of several threads.
            _log(holder, "acquire")
        _Hook.turn(True)
        handle.ident = thread.ident
        thread.state = "ready"
        thread.ready_since = _now()
        pair = Promise.withResolvers()
        thread.resolve = pair.resolve
        run.ready.append(thread)

        def boot():
            global _busy
            # Not the GIL's holder yet: no hand-over signal may act on this stack.
            _busy = True
            if _run is not run or run.ended:
                return
            run_sync(pair.promise)
            run.current = thread
            thread.state = "running"
            if _Hook.on and _Hook.cost is None:
                # Measured once, on a thread's stack: it pays more for the hook than the main
                # thread's (the same loop 7x slower here against 2.4x there, in Chromium).
                _Hook.cost = _Hook.measure()
            _busy = False
            try:
                function()
            except (SystemExit, Unwind):
                pass
            except BaseException as error:  # noqa: BLE001  what CPython's thread does: report it
                # Not after its run ended: a thread unwound then is no longer the program's.
                if not run.ended:
                    print(f"Exception ignored in thread started by: {function!r}", file=sys.stderr)
                    traceback.print_exception(error)
            finally:
                _busy = True
                thread.state = "done"
                thread.line = None
                _Hook.turn(others_alive())
                handle._set_done()
                _busy = True
                if run.current is thread:
                    _let_go(thread)
                    _give_away()
                # `_busy` stays set: this stack no longer holds the GIL; the thread that
                # resumes clears it when its own primitive returns.

        # A new stack: a callback of this worker's loop that may suspend.
        setTimeout(create_once_callable(boot, _may_syncify=True), 0)
        _publish()
        return handle
    finally:
        _busy = outer


def start_new_thread(function, args, kwargs=None):
    """`_thread.start_new_thread`."""
    return start_joinable_thread(lambda: function(*args, **(kwargs or {}))).ident


def _make_thread_handle(ident):
    handle = _ThreadHandle()
    handle.ident = ident
    return handle


def get_ident():
    return _me().ident if _run is not None else MAIN_IDENT


def get_native_id():
    """The thread's id as the page numbers them: the main thread is 1, as a process's first
    thread is on Linux (its pid); a real native id would be this worker's, the same for all."""
    return get_ident()


def _get_main_thread_ident():
    return MAIN_IDENT


def _is_main_interpreter():
    return True


def daemon_threads_allowed():
    return True


def allocate_lock():
    return LockType()


def stack_size(size=0):
    if size:
        raise ValueError("setting stack size not supported")
    return 0


def _count():
    return 0 if _run is None else sum(t.state not in ("done", "abandoned") for t in _run.threads.values()) - 1


def interrupt_main(signum=signal.SIGINT):
    signal.raise_signal(signum)


def exit():
    raise SystemExit


def _shutdown():
    """Waits for every non-daemon thread, as CPython does when its main thread ends."""
    global _busy
    outer = _busy and _run is not None and _run.current is not None
    _busy = True
    try:
        run = _run
        for thread in list(run.threads.values()):
            if thread is run.main or thread.daemon:
                continue
            while thread.state not in ("done", "abandoned"):
                _block(f"thread 0x{thread.ident:016x} at exit")
    finally:
        _busy = outer


def module():
    """The `_thread` module programs import in this run."""
    m = types.ModuleType("_thread")
    m.__doc__ = "The page's threads: one at a time, handed over as under CPython's GIL."
    for name in (
        "LockType", "_ThreadHandle", "start_joinable_thread", "start_new_thread",
        "_make_thread_handle", "get_ident", "get_native_id", "_get_main_thread_ident",
        "_is_main_interpreter", "daemon_threads_allowed", "allocate_lock", "stack_size",
        "_count", "interrupt_main", "exit", "_shutdown", "TIMEOUT_MAX", "_local",
    ):
        setattr(m, name, globals()[name])
    m.lock = LockType
    m.allocate = allocate_lock
    m.start_new = start_new_thread
    m.exit_thread = exit
    m.error = RuntimeError
    return m


def _sleep(seconds):
    """`time.sleep`: the GIL is given away for the wait (at once; `sleep(0)` only yields)."""
    global _busy
    outer = _busy and _run is not None and _run.current is not None
    _busy = True
    try:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        if seconds == 0:
            _switch(forced=False)
            return
        deadline = _deadline_now() + seconds
        while _deadline_now() < deadline:
            _block("time.sleep", deadline)
    finally:
        _busy = outer


# --- the harness's executor interface --------------------------------------------------------


def available():
    """Whether threads can run in this interpreter: a stack that can suspend (JSPI), in the
    page's own CPython. The hand-over's clock is the GIL timer where the page shares memory
    with it, or else a `sys.monitoring` hook (`_Hook`)."""
    global _gil_timer
    if harness.in_process or not can_run_sync():
        return False
    if _gil_timer is None:
        try:
            import _gil_timer as timer

            _gil_timer = timer
        except ImportError:
            pass
    return True


class _Hook:
    """The hand-over's clock on a page without shared memory: a `sys.monitoring` callback at
    every jump and function start reads the clock while other threads live, and hands over as
    the timer's signal does. It costs every line of Python while it is on; the first time it is
    needed, the cost is measured, and a run that used it says so."""

    TOOL = 4  # a tool id no debugger, coverage tool or profiler takes
    on = False
    #: How much slower a loop ran with the hook on than off, measured once.
    cost = None

    @classmethod
    def take(cls):
        monitoring = sys.monitoring
        if monitoring.get_tool(cls.TOOL) is not None:
            monitoring.free_tool_id(cls.TOOL)
        monitoring.use_tool_id(cls.TOOL, "the page's GIL")
        for event in (monitoring.events.JUMP, monitoring.events.PY_START):
            monitoring.register_callback(cls.TOOL, event, cls.check)

    @staticmethod
    def check(*_args):
        run = _run
        if run is not None and run.published is not None and not _busy and _now() >= run.published:
            _on_switch_signal(SWITCH_SIGNAL, None)

    @classmethod
    def turn(cls, on):
        if on == cls.on or _gil_timer is not None or _run is None or _run.stepper is not None:
            return
        events = sys.monitoring.events
        sys.monitoring.set_events(cls.TOOL, (events.JUMP | events.PY_START) if on else 0)
        cls.on = on

    @classmethod
    def measure(cls):
        """The hook's cost: the same loop timed with and without it (fastest of three each)."""
        events = sys.monitoring.events

        def loop():
            total = 0
            for i in range(20_000):
                total += i * i
            return total

        loop()  # specialised once, so that neither side pays for it

        def fastest():
            best = float("inf")
            for _ in range(3):
                start = _now()
                loop()
                best = min(best, _now() - start)
            return best

        mask = sys.monitoring.get_events(cls.TOOL)
        sys.monitoring.set_events(cls.TOOL, 0)
        plain = fastest()
        # As while a thread waits: every event reads the clock.
        saved, _run.published = _run.published, float("inf")
        sys.monitoring.set_events(cls.TOOL, events.JUMP | events.PY_START)
        hooked = fastest()
        sys.monitoring.set_events(cls.TOOL, mask)
        _run.published = saved
        return hooked / plain if plain > 0 else None

    @classmethod
    def release(cls):
        if sys.monitoring.get_tool(cls.TOOL) is not None:
            sys.monitoring.set_events(cls.TOOL, 0)
            sys.monitoring.free_tool_id(cls.TOOL)
        cls.on = False


def note():
    """What a run that used threads should say about how they were handed over, if anything."""
    if _run is None or not _run.started:
        return None
    cut = (
        f"{_run.gil_cut} GIL events beyond the first {MAX_GIL_EVENTS} are not drawn (the hand-overs are all counted)."
        if _run.gil_cut
        else None
    )
    if _gil_timer is not None or _Hook.cost is None:
        return cut
    return (f"{cut} " if cut else "") + (
        "This page shares no memory with a timer (it is not cross-origin isolated), so threads "
        "were handed over by a sys.monitoring hook, under which a short Python loop ran "
        f"{_Hook.cost:.1f}x slower in a thread (measured here, with and without it). Open the "
        "playground in its own tab for the GIL's own hand-over."
    )


def current():
    """The thread running now (an object of the page's, not `threading.Thread`)."""
    return _me()


def wait_outside(seconds):
    """A wait for something outside the interpreter (a process's reply, a queue between
    processes): the GIL goes to the other threads for `seconds`, as CPython releases it around a
    blocking call."""
    _sleep(seconds)


def others_alive():
    """Whether a thread other than the main one is alive in the run in flight."""
    run = _run
    return run is not None and any(
        t is not run.main and t.state not in ("done", "abandoned") for t in run.threads.values()
    )


def why_not():
    """Why a program's thread could not start here, in the page's words after CPython's error."""
    return WHY_NOT_IN_PROCESS if harness.in_process else WHY_NOT


def install(eager=True):
    """Puts the page's `_thread` under fresh `threading`, `queue` and `concurrent.futures` for
    the run in flight (where the interpreter can suspend a stack; elsewhere CPython's own
    `_thread` stays, and a program that starts a thread gets its error). `eager`: imported now,
    so that the run's wall time is the program's own; else when the program imports them (a
    search's tries, which are not timed, import only what the program uses)."""
    global _run, _busy
    _run = None
    _busy = False
    if not available():
        return
    if not _saved:
        _saved.update({name: sys.modules.get(name) for name in ("_thread", "_queue", *_FRESH)})
    _run = _Run()
    sys.modules["_thread"] = module()
    sys.modules["_queue"] = None  # queue.py then builds SimpleQueue on threading
    for name in _FRESH:
        sys.modules.pop(name, None)
    time.sleep = _sleep
    if not eager:
        _take_signals()
        return
    import concurrent.futures  # noqa: F401  the package re-binds its names from the fresh modules
    import concurrent.futures.thread  # noqa: F401
    import queue  # noqa: F401
    import threading  # noqa: F401

    _take_signals()


def _take_signals():
    """The hand-over signal and Stop are this run's (or the hook, without a timer)."""
    sys.setswitchinterval(_real_switchinterval)
    if _gil_timer is not None:
        signal.signal(SWITCH_SIGNAL, _on_switch_signal)
        signal.signal(signal.SIGINT, _on_stop_signal)
    else:
        _Hook.take()


async def prepare(_tree, _experiment):
    return []


def used():
    return _run is not None and _run.started > 0


def shutdown(stopped=False):
    """The program's end, as CPython's: `threading._shutdown()` joins non-daemon threads
    (daemon threads are dropped). Returns the names of threads Stop or an error left behind."""
    run = _run
    if run is None:
        return []
    if not run.stopping:
        threading = sys.modules.get("threading")
        if threading is not None and run.started:
            threading._shutdown()
    names = _names()
    return [names.get(t.ident, t.name) for t in run.threads.values() if t is not run.main and t.state != "done"]


def unwind():
    """Ends the stacks of the threads the run left waiting or ready (a deadlock's): each is handed
    the GIL with `Unwind` to raise, and hands it back to the main thread as it ends. A search
    ends thousands of runs; stacks left suspended for good accumulate in the interpreter, and
    after a few of them CPython's collector crashed reading them."""
    run = _run
    if run is None:
        return
    main = run.main
    for thread in list(run.threads.values()):
        if thread is main or thread.state not in ("blocked", "ready") or thread.resolve is None:
            continue
        run.stopping = True
        thread.error = Unwind()
        if thread in run.ready:
            run.ready.remove(thread)
        main.state = "ready"
        run.ready.append(main)
        _hand(thread)
        _suspend(main)


def uninstall():
    """Ends the run: its threads are never resumed, and the interpreter's own modules return."""
    run = _run
    if run is not None:
        # Kept, ended, until the next run: the report asks what it used.
        run.ended = True
        if _gil_timer is not None:
            _gil_timer.due(-1)
    time.sleep = _real_sleep
    if _gil_timer is not None:
        signal.signal(SWITCH_SIGNAL, signal.SIG_IGN)
    elif _saved:
        _Hook.release()
    # Between runs (a search's tries too) Stop still tells the timer it was taken: a Stop the
    # timer kept writing would otherwise interrupt the harness after the program has ended.
    signal.signal(signal.SIGINT, _on_stop_signal if _gil_timer is not None else signal.default_int_handler)
    for name, value in _saved.items():
        if value is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = value
            # A package's attribute names its submodule too (`concurrent.futures`).
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:
                setattr(sys.modules[parent], child, value)
