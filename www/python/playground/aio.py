"""`asyncio.run` and `asyncio.Runner` for the page's CPython, and the lateness of its waits.

Pyodide's event loop is already running when a program starts (the harness itself is a task of
it), and CPython's `asyncio.run` refuses to start another. Here `asyncio.run(main())`, in any
spelling (`from asyncio import run`, `asyncio.run(x, debug=True)`, inside a function, through
`asyncio.Runner`), runs the coroutine as a task of that loop and blocks the program's stack until
it ends (JSPI's `run_sync`), as CPython's blocks its thread; then it does what CPython's does
after: the tasks left are cancelled and awaited, and async generators are shut down. Called from
a coroutine it raises CPython's `RuntimeError`. Top-level `await` is then CPython's
`SyntaxError`, as the program is compiled as CPython compiles a file.

Where the interpreter cannot suspend a stack (no JSPI), the harness falls back to writing
`asyncio.run(x)` at the top level as `await x` (`harness._AwaitAsyncioRun`).

Lateness: `asyncio.sleep` is timed against the loop. A task whose timer came due while another
task kept the loop busy resumes late; the part of that stretch (due, resumed) in which the loop
computed (a timed cpu call ran) is drawn as `stalled` instead of the wait's own io, as the model
draws a wait behind a busy event loop (the harness's `busy_stalls`). Lateness while nothing
computed is the browser's timers, and stays the wait's own.

This module is one of the harness's executors (harness.py's `executors`).
"""

import asyncio
import asyncio.runners
import contextvars

from . import harness, threads

#: A wait that resumed later than this after its due time is drawn as stalled: below it is the
#: browser's timer granularity, not a busy loop.
LATE_S = 0.002

_real = {
    "run": asyncio.run,
    "Runner": asyncio.Runner,
    "sleep": asyncio.sleep,
}
#: The stalls of the timed call in flight in this task: (due, resumed), perf_counter seconds.
stalls = contextvars.ContextVar("stalls", default=None)
#: The harness's own task while a run is in flight: the program's top level, where asyncio.run
#: may be called (every other running task is the program's own).
_top = None
_installed = False


def available():
    """Whether `asyncio.run` can block the program's stack here (JSPI)."""
    return threads.can_run_sync() and not harness.in_process


def _called_from_coroutine():
    try:
        current = asyncio.current_task()
    except RuntimeError:
        return False
    return current is not None and current is not _top


class Runner:
    """`asyncio.Runner` on the page's event loop: `run` blocks until the coroutine ends; `close`
    cancels and awaits the tasks started since, and shuts down async generators."""

    def __init__(self, *, debug=None, loop_factory=None):
        if loop_factory is not None:
            raise NotImplementedError("the page's CPython has one event loop (Pyodide's): loop_factory is not available")
        self._debug = debug
        self._state = "created"
        self._before = None

    def __enter__(self):
        self._init()
        return self

    def __exit__(self, *exc):
        self.close()

    def _init(self):
        if self._state == "closed":
            raise RuntimeError("Runner is closed")
        if self._state == "created":
            loop = asyncio.get_event_loop()
            self._before = set(asyncio.all_tasks(loop))
            if self._debug is not None:
                loop.set_debug(self._debug)
            self._state = "initialized"

    def get_loop(self):
        self._init()
        return asyncio.get_event_loop()

    def run(self, coro, *, context=None, _name="Runner.run()"):
        if not asyncio.iscoroutine(coro):
            raise ValueError("a coroutine was expected, got {!r}".format(coro))
        if _called_from_coroutine():
            raise RuntimeError(f"{_name} cannot be called from a running event loop")
        self._init()
        from pyodide.ffi import run_sync

        task = asyncio.get_event_loop().create_task(coro, context=context)
        try:
            return run_sync(task)
        except KeyboardInterrupt:
            task.cancel()
            raise

    def close(self):
        if self._state != "initialized":
            self._state = "closed"
            return
        from pyodide.ffi import run_sync

        loop = asyncio.get_event_loop()
        left = set(asyncio.all_tasks(loop)) - self._before - {_top}
        for task in left:
            task.cancel()
        if left:
            run_sync(asyncio.gather(*left, return_exceptions=True))
            for task in left:
                if not task.cancelled() and task.exception() is not None:
                    loop.call_exception_handler({
                        "message": "unhandled exception during asyncio.run() shutdown",
                        "exception": task.exception(),
                        "task": task,
                    })
        run_sync(loop.shutdown_asyncgens())
        self._state = "closed"


def run(main, *, debug=None, loop_factory=None):
    """`asyncio.run`: runs `main` to its end on the page's loop, then cleans up as CPython's."""
    if _called_from_coroutine():
        raise RuntimeError("asyncio.run() cannot be called from a running event loop")
    with Runner(debug=debug, loop_factory=loop_factory) as runner:
        return runner.run(main, _name="asyncio.run()")


async def sleep(delay, result=None):
    """`asyncio.sleep`, with its lateness noted for the timed call that waits."""
    if delay <= 0:
        return await _real["sleep"](delay, result)
    due = harness.clock() + delay
    try:
        return await _real["sleep"](delay, result)
    finally:
        resumed = harness.clock()
        noted = stalls.get()
        if noted is not None and resumed - due > LATE_S:
            noted.append((due, resumed))


def install():
    """Puts this module's `run`, `Runner` and `sleep` in asyncio's place for the run in flight."""
    global _top, _installed
    _installed = available()
    if not _installed:
        return
    try:
        _top = asyncio.current_task()
    except RuntimeError:
        _top = None
    for module in (asyncio, asyncio.runners):
        module.run = run
        module.Runner = Runner
    asyncio.sleep = sleep
    asyncio.tasks.sleep = sleep


async def prepare(_tree, _experiment):
    return []


def used():
    return False


def uninstall():
    """Puts asyncio's own back, and cancels the tasks the program left running (no task of a
    run survives into the next)."""
    global _top
    if not _installed:
        return
    for module in (asyncio, asyncio.runners):
        module.run = _real["run"]
        module.Runner = _real["Runner"]
    asyncio.sleep = asyncio.tasks.sleep = _real["sleep"]
    _top = None


def leftover(before):
    """Cancels the tasks started since `before` (a set of tasks) other than the caller's."""
    try:
        current = asyncio.current_task()
    except RuntimeError:
        current = None
    for task in asyncio.all_tasks() - before - {current}:
        task.cancel()
