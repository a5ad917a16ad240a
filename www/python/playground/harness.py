"""The timing harness: how the page's CPython runs a program, times it and reports it.

It owns `timed` (each call of a decorated function becomes a span of the page's timeline), the
spans of the run in flight and the clock they are measured on, calibration of CPython's own
loop, running a program as `__main__`, and the two replies CPython's worker (worker.js) posts
for it: `calibrated` and `finished` with its run report, as crates/model/src/wire/worker.rs
declares them (`FromWorker`, `RunReport`). The stand-ins for the standard library's executors
are not its business: each lives in a module of its own (today pool.py, the process pool) and is
listed in `executors`, which the run asks to get ready and whether it was used.

Nothing here changes what a program does; it only times it.
"""

import ast
import bisect
import asyncio  # noqa: F401  imported when CPython loads, as are the executors and threading
import functools
import inspect
import json
import linecache
import sys
import threading  # noqa: F401
import time
import traceback
import types

# The program's imports, done once when CPython loads: a run's wall time is then the program's
# own, not a first import's (ProcessPoolExecutor alone pulls in multiprocessing: ~150 ms here).
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor  # noqa: F401

from . import aio, slate, stepping, threads

#: The harness's clock and JSON, bound once when CPython loads: a program that patches
#: `time.perf_counter` or `json.dumps` changes its own figures, never the page's report of them
#: (and `slate` puts the module back when the run ends).
clock = time.perf_counter
_to_json = json.dumps
_from_json = json.loads

#: The name a program's frames carry in tracebacks.
FILENAME = "experiment.py"
#: The most spans one run reports; a loop of a million timed calls stays drawable.
MAX_SPANS = 20_000
#: The task number of the serial part on the page's timeline (no task's work): Rust's
#: `TaskRef::Serial` (crates/model/src/run/timeline.rs), held equal by a native test.
SERIAL_TASK = 2**32 - 2
#: The task number of a span that is the lane's own (a process starting): Rust's `TaskRef::Lane`.
TASK_LANE = 2**32 - 1
#: The span state each kind of `timed` draws, and the states of a pool's own spans: names of
#: Rust's `SpanState`.
STATE_OF_KIND = {"io": "io", "cpu": "compute", "serial": "serial"}
STARTUP = "startup"
COPY = "copy"

#: The spans of the run in flight: (task, lane, state, start, end), in `clock()`
#: seconds of this interpreter.
spans = []
#: The run's waits that resumed late behind a busy event loop, as spans of their task: cut out of
#: its timed call and drawn as `stalled` when the run ends.
stalled = []
#: This interpreter's lane: 0 in the page's CPython, a process's index in a pool's process.
lane = 0
#: Whether this interpreter is a process of a pool (not the page's own CPython).
in_process = False
#: The page's clock minus this interpreter's perf_counter, in ms (set when a run starts).
offset = 0.0
#: The program of the run in flight (a pool's processes import it too).
source = ""
#: The stand-ins for the standard library's executors, each a module with `install()` (take the
#: library's place for a run), `async prepare(tree, experiment)` (start what the program will
#: need before it runs, as a blocked program could start nothing; returns the start-ups this
#: paid for, as spans in page-clock ms) and `used()` (whether the run took it, so that its
#: start-ups are the run's). The package's `__init__` lists them.
executors = []

_left_out = 0
_calls = 0


def numbered(x):
    """Whether `x` can be a task's number: a call whose first argument is one is drawn as that
    task."""
    return isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 2**31


def timed(kind):
    """Records every call of the decorated function as one span: `clock()` when
    it starts and when it returns or raises. `kind` is "io" (drawn as waiting), "cpu" (drawn
    as computing) or "serial" (Amdahl's serial part: computing that no task owns). Works on
    plain and on `async def` functions. A call whose first argument is a whole number is drawn
    as that task; others are numbered in call order."""
    if kind not in STATE_OF_KIND:
        raise ValueError('timed() takes "io", "cpu" or "serial"')
    state = STATE_OF_KIND[kind]

    def decorate(fn):
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def timed_call(*args, **kwargs):
                task = _task_of(args, state)
                # Its waits that resumed late behind a busy loop (aio.sleep notes them).
                noted = []
                token = aio.stalls.set(noted)
                start = clock()
                try:
                    return await fn(*args, **kwargs)
                finally:
                    end = clock()
                    aio.stalls.reset(token)
                    _record(task, state, start, end)
                    for due, resumed in noted:
                        if len(stalled) < MAX_SPANS:
                            stalled.append((task, lane + threads.lane(), "stalled", due, resumed))

        else:

            @functools.wraps(fn)
            def timed_call(*args, **kwargs):
                task = _task_of(args, state)
                # The thread's GIL events and waits are this task's while it runs (a coroutine's
                # are not: others run between its awaits, on the same thread).
                thread = threads.enter(task)
                start = clock()
                try:
                    return fn(*args, **kwargs)
                finally:
                    end = clock()
                    threads.leave(thread)
                    _record(task, state, start, end)

        return timed_call

    return decorate


def _task_of(args, state):
    """The task a call of a timed function is drawn as, numbered when it starts."""
    global _calls
    first = args[0] if args else None
    # The serial part is no task's: the page's timeline knows it by this number.
    task = SERIAL_TASK if state == "serial" else first if numbered(first) else _calls
    _calls += 1
    return task


def _record(task, state, start, end):
    global _left_out
    if len(spans) < MAX_SPANS:
        # A process's spans are on its own lane; in the page's CPython, each thread's on its own.
        spans.append((task, lane + threads.lane(), state, start, end))
    else:
        _left_out += 1


def page_clock():
    """Now on the clock every worker shares, ms (`performance.timeOrigin + performance.now()`)."""
    from js import performance

    return performance.timeOrigin + performance.now()


def to_js(x):
    """`x` as JavaScript sees it (bytes become a Uint8Array): what the pool, its processes and
    the queues hand to their JavaScript sides."""
    from pyodide.ffi import to_js as convert

    return convert(x)


#: What `warm_up` runs: the paths a first program takes (asyncio's loop and timers, gather,
#: time.sleep, the decorator, compiling a module), so that no run pays for them.
_WARM_UP = """
import asyncio, time
from playground import timed

@timed("io")
async def wait(n):
    await asyncio.sleep(0.001)

async def main():
    await asyncio.gather(*(wait(n) for n in range(4)))

if __name__ == "__main__":
    asyncio.run(main())
    time.sleep(0.001)
    print(end="")
"""


async def warm_up():
    """Runs `_WARM_UP` once, as a program, and forgets it."""
    await run(-1, _WARM_UP, "{}")


def _cpu_loop(n):
    # The program's cpu_task, without the decorator: calibration times the same bytecode.
    total = 0
    for i in range(n):
        total += i * i
    return total


def calibrate():
    """The `calibrated` message: nanoseconds per iteration of the cpu loop in this interpreter,
    from five samples of at least 60 ms each, after a warm-up."""
    n = 50_000
    while True:
        start = clock()
        _cpu_loop(n)
        took = clock() - start
        if took >= 0.06 or n >= 50_000_000:
            break
        n *= 2
    samples = []
    for _ in range(5):
        start = clock()
        _cpu_loop(n)
        samples.append((clock() - start) * 1e9 / n)
    return calibrated_message(samples)


def calibrated_message(samples):
    """`FromWorker::Calibrated` for these samples (ns per iteration): their median, and their
    spread ((max - min) / median)."""
    samples = sorted(samples)
    median = samples[len(samples) // 2]
    return _to_json({"calibrated": {"ns_per_iter": median, "spread": (samples[-1] - samples[0]) / median}})


class _AwaitAsyncioRun(ast.NodeTransformer):
    """`asyncio.run(main())` outside any function becomes `await main()`: Pyodide's event loop
    is already running, where `asyncio.run` refuses to start another. The loop then runs the
    coroutine exactly as `asyncio.run` would have."""

    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if (
            isinstance(f, ast.Attribute)
            and f.attr == "run"
            and isinstance(f.value, ast.Name)
            and f.value.id == "asyncio"
            and len(node.args) == 1
            and not node.keywords
        ):
            return ast.copy_location(ast.Await(value=node.args[0]), node)
        return node


def program_traceback(error):
    """The traceback from the program's first frame on: the harness's own frames are not the
    visitor's business."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != FILENAME:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def show_program(code):
    """Makes tracebacks quote the program's lines."""
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)


def ask_learner(state):
    """The learner's pick at a choice point (`schedule=you`): the paused run goes to the page
    (worker.js's `_stepping.ask`), and this thread's stack waits for the pick. A negative pick is
    Stop."""
    import _stepping
    from pyodide.ffi import run_sync

    pick = run_sync(_stepping.ask(_to_json(state)))
    if pick is None or pick < 0:
        # Stop reached the paused run as a message; the timer, told so, stops writing it too.
        if threads._gil_timer is not None:
            threads._gil_timer.stopTaken()
        threads.stop_here()
    return int(pick)


async def run(run_id, code, experiment_json, steps=""):
    """Runs `code` as the module `__main__` (its `if __name__ == "__main__":` block runs) and
    returns the page's `finished` message as JSON: the spans `timed` recorded, the wall time,
    and how it ended (`done`, `stopped` by KeyboardInterrupt, or `error` with the traceback).
    Under `schedule=you` the learner picks each next thread (after the recorded picks of
    `steps`, as a link writes them, replayed); under `schedule=search` the program runs under
    many schedules (stepping.py) and the report says what the search found."""
    global _calls, _left_out, offset, source

    experiment = _from_json(experiment_json)
    schedule = experiment.get("schedule", "gil")
    step = experiment.get("step", stepping.LINE)
    stepper = None
    found = None
    spans.clear()
    stalled.clear()
    tasks_before = set(asyncio.all_tasks())
    _calls = 0
    _left_out = 0
    # perf_counter is this interpreter's clock; the page's timeline is in shared-clock ms.
    offset = page_clock() - clock() * 1000
    # Before the executors take their places: the interpreter as the last run left it.
    before = slate.take()
    for executor in executors:
        executor.install()
    show_program(code)
    module = types.ModuleType("__main__")
    module.__file__ = FILENAME
    saved_main = sys.modules.get("__main__")
    saved_mp_main = sys.modules.get("__mp_main__")
    sys.modules["__main__"] = module
    # What a process sends back by reference as `__mp_main__.Oops` (a class of the program, its
    # own exception) is found here too, as in CPython's parent, where both names are the program.
    sys.modules["__mp_main__"] = module
    status, message = "done", None
    prepared = []
    started = clock()
    try:
        tree = ast.parse(code, FILENAME)
        # Where asyncio.run can block the program's stack, the program is compiled as CPython
        # compiles a file (top-level await is its SyntaxError); elsewhere asyncio.run at the top
        # level is written as `await`, the one way to run it on a loop that already runs.
        top_level_await = not aio.available()
        if top_level_await:
            tree = _AwaitAsyncioRun().visit(tree)
        source = code
        before_executors = clock()
        prepared = [(executor, await executor.prepare(tree, experiment)) for executor in executors]
        # The program's time starts now; an executor's start-up joins it if the program used it.
        started = clock()
        compiled = compile(tree, FILENAME, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0)
        if schedule != "gil" and not threads.available():
            raise RuntimeError(f"schedule={schedule} steps the program's threads, and they cannot run here")
        if schedule == "search":
            bound = experiment.get("preemptions", stepping.BOUND)
            if bound == "all":
                # Every schedule compares states at line boundaries (stepping.Stepper.fingerprint):
                # halfway through a line a thread holds values no state shows.
                bound = None if step == stepping.LINE else stepping.MAX_BOUND
            elif not (isinstance(bound, int) and 0 <= bound <= stepping.MAX_BOUND):
                bound = stepping.BOUND
            found = stepping.search(compiled, step, bound)
            message = stepping.search_text(found)
            # The tries are done; the run itself runs nothing more, under a fresh `_thread`.
            threads.install()
            compiled = compile("", FILENAME, "exec")
        elif schedule == "you":
            try:
                picks = stepping.decode_steps(steps)
            except ValueError as why:
                raise stepping.Mismatch(str(why)) from None
            stepper = stepping.Stepper(step, compiled, picks, ask=ask_learner)
            stepper.module = module
            stepping.begin(stepper)
        result = eval(compiled, module.__dict__)
        if inspect.isawaitable(result):
            await result
        # The program's end, as CPython's: its non-daemon threads are joined.
        for executor in executors:
            getattr(executor, "shutdown", lambda: None)()
    except KeyboardInterrupt:
        status, message = "stopped", "Stopped: Stop raised KeyboardInterrupt in the program."
        left = [name for executor in executors for name in getattr(executor, "shutdown", lambda **_: [])(stopped=True)]
        if left:
            message += f" Threads abandoned where they were: {', '.join(left)}."
    except threads.Deadlock as deadlock:
        status, message = "error", str(deadlock)
        print(message, file=sys.stderr)
    except SystemExit as exit:
        if exit.code not in (None, 0):
            status, message = "error", f"SystemExit: {exit.code}"
    except stepping.Mismatch as mismatch:
        status, message = "error", f"The schedule does not fit this program: {mismatch}"
        print(message, file=sys.stderr)
    except BaseException as error:  # everything the program raises is its result
        status, message = "error", program_traceback(error)
        print(message, file=sys.stderr, end="")
        if isinstance(error, RuntimeError) and "can't start new thread" in str(error):
            print(threads.why_not(), file=sys.stderr)
        # As CPython's exit after an uncaught exception: multiprocessing's children are joined,
        # daemonic ones terminated (Stop during that join ends it too).
        for executor in executors:
            try:
                getattr(executor, "after_error", lambda: None)()
            except BaseException:  # noqa: BLE001  the run's error is already its result
                pass
    finally:
        if stepper is not None:
            stepping.end()
        for executor in executors:
            getattr(executor, "uninstall", lambda: None)()
        # No task of this run survives into the next (asyncio.run cancels its own; this, what a
        # program started otherwise).
        aio.leftover(tasks_before)
    ended = clock()
    # The program's changes to the interpreter's modules do not outlive it (nor change the report).
    slate.restore(before)
    switches, gil_events, gil_waits = threads.gil_log()
    startups = [span for executor, paid in prepared if executor.used() for span in paid]
    if startups:
        started = before_executors
    paid_startup = bool(startups) or any(getattr(e, "started_in_run", lambda: False)() for e in executors)
    if saved_main is not None:
        sys.modules["__main__"] = saved_main
    if saved_mp_main is not None:
        sys.modules["__mp_main__"] = saved_mp_main
    else:
        sys.modules.pop("__mp_main__", None)
    notes = [threads.note()]
    if _left_out:
        notes.append(f"{_left_out} timed calls beyond the first {MAX_SPANS} are not drawn.")
    for note in filter(None, notes):
        message = f"{message} {note}" if message else note
    scheduled = None
    if stepper is not None or found is not None:
        run_ = threads._run
        scheduled = {
            "picks": stepper.made if stepper is not None else [],
            "steps": stepping.encode_steps(stepper.made) if stepper is not None else "",
            "cycle": [
                {"thread": name, "holds": holds, "waits": waits}
                for (name, holds, waits) in (run_.cycle if run_ is not None and stepper is not None else [])
            ],
            "search": found,
        }
    if switches is not None and scheduled is not None:
        # The forced drops were picks (the learner's or the search's), not the switch interval's.
        switches["picked"] = True
    ms = lambda s: s * 1000 + offset  # noqa: E731
    timed_spans = [(t, threads.resolve_lane(lane_), state, a, b) for (t, lane_, state, a, b) in spans]
    # Calls of timed functions: a process's start-up and the copies are no task's.
    tasks_done = sum(state not in (STARTUP, COPY) for (_t, _l, state, _a, _b) in timed_spans) + _left_out
    late = busy_stalls(
        [(t, threads.resolve_lane(lane_), state, a, b) for (t, lane_, state, a, b) in stalled], timed_spans
    )
    pieces = without_waits(without_waits(timed_spans, gil_waits), late, by_task=True) + late
    waits = gil_waits[: max(0, MAX_SPANS - len(pieces))]
    drawn = startups + [(t, lane_, state, ms(a), ms(b)) for (t, lane_, state, a, b) in pieces + waits]
    events = [{"at": ms(at), "lane": lane_, "task": task, "kind": kind} for (at, lane_, task, kind) in gil_events]
    lanes = 1 + max([lane_ for (_t, lane_, _s, _a, _b) in drawn] + [e["lane"] for e in events] + [0])
    return finished_message(
        run_id, experiment, status, message, ms(started), (ended - started) * 1000, drawn, paid_startup, tasks_done,
        lanes, switches, events, scheduled,
    )


def busy_stalls(late, timed_spans):
    """The stretches of the late waits `late` during which their lane computed (a timed cpu or
    serial call ran): the loop was busy then. A wait that was late while nothing computed was
    late by the browser's timers, not by a busy loop, and stays the task's own io."""
    out = []
    for (t, lane_, state, a, b) in late:
        busy = [(max(a, c), min(b, d)) for (_t, l, s, c, d) in timed_spans if l == lane_ and s in ("compute", "serial") and c < b and d > a]
        if busy:
            start, end = min(x for x, _ in busy), max(y for _, y in busy)
            if end > start:
                out.append((t, lane_, state, start, end))
    return out


def without_waits(timed_spans, waits, by_task=False):
    """The timed spans with their thread's waits for the GIL cut out, as the model draws a task
    that lost the GIL: a call that waited for the GIL was neither computing nor on its io then.
    Spans and waits are (task, lane, state, start, end); a wait is cut from the spans of its
    own lane (its thread's), or with `by_task` of its own task on its lane (a coroutine's stall:
    the loop's other tasks share the lane)."""
    if not waits:
        return list(timed_spans)
    key = (lambda t, lane_: (lane_, t)) if by_task else (lambda t, lane_: lane_)
    by_lane = {}
    for (t, lane_, _s, a, b) in sorted(waits, key=lambda w: w[3]):
        by_lane.setdefault(key(t, lane_), []).append((a, b))
    starts = {lane_: [a for (a, _b) in ws] for lane_, ws in by_lane.items()}
    out = []
    for (t, lane_, state, a, b) in timed_spans:
        ws = by_lane.get(key(t, lane_), ())
        at = a
        # The waits that start before this span ends, from the last one that starts before it.
        i = max(0, bisect.bisect_right(starts.get(key(t, lane_), ()), a) - 1)
        while i < len(ws) and ws[i][0] < b:
            wa, wb = ws[i]
            if wb > at and wa < b:
                if wa > at:
                    out.append((t, lane_, state, at, wa))
                at = max(at, wb)
            i += 1
        if at < b:
            out.append((t, lane_, state, at, b))
    return out


def finished_message(
    run_id, experiment, status, message, started_at, wall_ms, drawn, paid_startup, tasks_done, lanes=1,
    gil_switches=None, gil_events=(), scheduled=None,
):
    """`FromWorker::Finished` with its `RunReport`, as JSON: `drawn` are the spans as
    (task, lane, state, start, end) in page-clock ms, `started_at` is page-clock ms, `lanes` the
    threads that ran the program's tasks (the main thread's lane among them once it started
    one), and a threads run's hand-overs and GIL events (`GilSwitches`, `GilEvent`s in
    page-clock ms), as the model's threads engine reports them."""
    report = {
        "experiment": experiment,
        "status": status,
        "build": "cpython",
        "started_at": started_at,
        "wall_ms": wall_ms,
        "spans": [{"task": t, "lane": lane_, "state": state, "start": a, "end": b} for (t, lane_, state, a, b) in drawn],
        # Every span is in `spans`: CPython's worker streams none ahead of its report.
        "streamed": 0,
        "pool_threads": lanes,
        "paid_startup": paid_startup,
        "tasks_done": tasks_done,
        "checksum": 0,
        "message": message,
        "gil_switches": gil_switches,
        "gil_events": list(gil_events),
        "counts": None,
    }
    if scheduled is not None:
        # A run under `schedule=you` or `search` (the stepping page's): its picks, a deadlock's
        # cycle, the search's report (stepping.py).
        report["schedule"] = scheduled
    return _to_json({"finished": {"id": run_id, "report": report}})
