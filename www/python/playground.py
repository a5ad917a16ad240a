"""The Concurrency Playground's harness for CPython in the page.

The program in the editor imports one thing from here: `timed`, the decorator its tasks wear,
which records each call as a span of the page's timeline. The rest is what the page's worker
calls: `_calibrate` (how fast CPython runs the program's cpu loop here) and `_run` (run a
program as `__main__` and report what happened). Nothing here changes what your code does;
it only times it.
"""

import ast
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

FILENAME = "experiment.py"
#: The most spans one run reports; a loop of a million timed calls stays drawable.
MAX_SPANS = 20_000
#: The task number of the serial part on the page's timeline (no task's work).
SERIAL_TASK = 2**32 - 2

_spans = []
_left_out = 0
_calls = 0


def timed(kind):
    """Records every call of the decorated function as one span: `time.perf_counter()` when
    it starts and when it returns or raises. `kind` is "io" (drawn as waiting), "cpu" (drawn
    as computing) or "serial" (Amdahl's serial part: computing that no task owns). Works on
    plain and on `async def` functions. A call whose first argument is a whole number is drawn
    as that task; others are numbered in call order."""
    states = {"io": "io", "cpu": "compute", "serial": "serial"}
    if kind not in states:
        raise ValueError('timed() takes "io", "cpu" or "serial"')
    state = states[kind]

    def decorate(fn):
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def timed_call(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return await fn(*args, **kwargs)
                finally:
                    _record(args, state, start, time.perf_counter())

        else:

            @functools.wraps(fn)
            def timed_call(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    _record(args, state, start, time.perf_counter())

        return timed_call

    return decorate


def _record(args, state, start, end):
    global _calls, _left_out
    first = args[0] if args else None
    numbered = isinstance(first, int) and not isinstance(first, bool) and 0 <= first < 2**31
    # The serial part is no task's: the page's timeline knows it by this number.
    task = SERIAL_TASK if state == "serial" else first if numbered else _calls
    _calls += 1
    if len(_spans) < MAX_SPANS:
        # One interpreter, one thread: every span is on lane 0.
        _spans.append((task, 0, state, start, end))
    else:
        _left_out += 1


#: What `_warm_up` runs: the paths a first program takes (asyncio's loop and timers, gather,
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


async def _warm_up():
    """Runs `_WARM_UP` once, as a program, and forgets it."""
    await _run(-1, _WARM_UP, "{}")


def _cpu_loop(n):
    # The program's cpu_task, without the decorator: calibration times the same bytecode.
    total = 0
    for i in range(n):
        total += i * i
    return total


def _calibrate():
    """Nanoseconds per iteration of the cpu loop in this interpreter: the median of five samples
    of at least 60 ms each, after a warm-up, and their spread ((max - min) / median), as JSON."""
    n = 50_000
    while True:
        start = time.perf_counter()
        _cpu_loop(n)
        took = time.perf_counter() - start
        if took >= 0.06 or n >= 50_000_000:
            break
        n *= 2
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        _cpu_loop(n)
        samples.append((time.perf_counter() - start) * 1e9 / n)
    samples.sort()
    median = samples[2]
    return json.dumps({"ns_per_iter": median, "spread": (samples[4] - samples[0]) / median})


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


def _traceback(error):
    """The traceback from the program's first frame on: the harness's own frames are not the
    visitor's business."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != FILENAME:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


async def _run(run_id, code, experiment_json):
    """Runs `code` as the module `__main__` (its `if __name__ == "__main__":` block runs) and
    returns the page's `finished` message as JSON: the spans `timed` recorded, the wall time,
    and how it ended (`done`, `stopped` by KeyboardInterrupt, or `error` with the traceback)."""
    global _calls, _left_out
    from js import performance

    experiment = json.loads(experiment_json)
    _spans.clear()
    _calls = 0
    _left_out = 0
    # perf_counter is this interpreter's clock; the page's timeline is in shared-clock ms.
    offset = performance.timeOrigin + performance.now() - time.perf_counter() * 1000
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)
    module = types.ModuleType("__main__")
    module.__file__ = FILENAME
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    status, message = "done", None
    started = time.perf_counter()
    try:
        tree = _AwaitAsyncioRun().visit(ast.parse(code, FILENAME))
        compiled = compile(tree, FILENAME, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(compiled, module.__dict__)
        if inspect.isawaitable(result):
            await result
    except KeyboardInterrupt:
        status, message = "stopped", "Stopped: Stop raised KeyboardInterrupt in the program."
    except SystemExit as exit:
        if exit.code not in (None, 0):
            status, message = "error", f"SystemExit: {exit.code}"
    except BaseException as error:  # everything the program raises is its result
        status, message = "error", _traceback(error)
        print(message, file=sys.stderr, end="")
    ended = time.perf_counter()
    if saved_main is not None:
        sys.modules["__main__"] = saved_main
    if _left_out:
        note = f"{_left_out} timed calls beyond the first {MAX_SPANS} are not drawn."
        message = f"{message} {note}" if message else note
    ms = lambda s: s * 1000 + offset  # noqa: E731
    report = {
        "experiment": experiment,
        "status": status,
        "build": "cpython",
        "started_at": ms(started),
        "wall_ms": (ended - started) * 1000,
        "spans": [
            {"task": t, "lane": lane, "state": state, "start": ms(a), "end": ms(b)}
            for (t, lane, state, a, b) in _spans
        ],
        "pool_threads": 1,
        "paid_startup": False,
        "tasks_done": len(_spans) + _left_out,
        "checksum": 0,
        "message": message,
        "gil_switches": None,
        "counts": None,
    }
    return json.dumps({"finished": {"id": run_id, "report": report}})
