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

try:
    import _processes  # the pool's shared memory, from worker.js
except ImportError:  # a process of the pool: it starts none itself
    _processes = None

FILENAME = "experiment.py"
#: The most spans one run reports; a loop of a million timed calls stays drawable.
MAX_SPANS = 20_000
#: The task number of the serial part on the page's timeline (no task's work).
SERIAL_TASK = 2**32 - 2

_spans = []
_left_out = 0
_calls = 0
#: This interpreter's lane: 0 in the page's CPython, a process's index in a pool's process.
_lane = 0


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
        # One thread per interpreter: a process's spans are on its own lane, the parent's on 0.
        _spans.append((task, _lane, state, start, end))
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


#: What the page says under CPython's own error when a program starts a thread.
_NO_THREADS = (
    "\n(The page: that is CPython's own error. Stock Pyodide runs CPython on one WebAssembly "
    "thread and cannot start another, so ThreadPoolExecutor fails on its first task. Pyodide's "
    "experimental pthreads build, with wasm threads over SharedArrayBuffer, would change that. "
    "The Rust model runs threads with CPython's GIL rule: pick Engine: Rust model.)"
)

#: The page's clock minus this interpreter's perf_counter, in ms (set when a run starts).
_offset = 0.0
#: Whether the run in flight took processes of the pool (then their start-ups are its own).
_pool_used = False


async def _start_pool(tree, experiment):
    """Starts, before the program runs, the processes its pools may ask for: a parent blocked in
    `pool.map` cannot start a worker (a new worker starts only once its parent's thread is free),
    and a warm pool starts none. Returns the start-ups this paid for, as spans of their lanes: a
    run reports them only if it used the pool (a program may name a pool it never starts)."""
    wanted = processes_wanted(tree, experiment)
    if not wanted or not _processes.isolated():
        return []
    started = json.loads(await _processes.start(wanted))
    return [
        (TASK_LANE, index, "startup", (spawned - _offset) / 1000, (ready - _offset) / 1000)
        for index, spawned, ready in started
    ]


async def _run(run_id, code, experiment_json):
    """Runs `code` as the module `__main__` (its `if __name__ == "__main__":` block runs) and
    returns the page's `finished` message as JSON: the spans `timed` recorded, the wall time,
    and how it ended (`done`, `stopped` by KeyboardInterrupt, or `error` with the traceback)."""
    global _calls, _left_out, _offset, _pool_used, _source
    from js import performance

    experiment = json.loads(experiment_json)
    _spans.clear()
    _calls = 0
    _left_out = 0
    _pool_used = False
    startups = []
    # perf_counter is this interpreter's clock; the page's timeline is in shared-clock ms.
    offset = performance.timeOrigin + performance.now() - time.perf_counter() * 1000
    _offset = offset
    _use_pools()
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)
    module = types.ModuleType("__main__")
    module.__file__ = FILENAME
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    status, message = "done", None
    started = time.perf_counter()
    try:
        tree = _AwaitAsyncioRun().visit(ast.parse(code, FILENAME))
        _source = code
        before_pool = time.perf_counter()
        startups = await _start_pool(tree, experiment)
        # The program's time starts now; the processes' start-up joins it if it uses them.
        started = time.perf_counter()
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
        if isinstance(error, RuntimeError) and "can't start new thread" in str(error):
            print(_NO_THREADS, file=sys.stderr)
    ended = time.perf_counter()
    paid_startup = bool(startups) and _pool_used
    if paid_startup:
        _spans[:0] = startups
        started = before_pool
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
        "paid_startup": paid_startup,
        # Calls of timed functions: a process's start-up and the copies are no task's.
        "tasks_done": sum(state not in ("startup", "copy") for (*_, state, _a, _b) in _spans) + _left_out,
        "checksum": 0,
        "message": message,
        "gil_switches": None,
        "counts": None,
    }
    return json.dumps({"finished": {"id": run_id, "report": report}})


# ---------------------------------------------------------------------------------------------
# Processes. Pyodide has no processes (its ProcessPoolExecutor raises NotImplementedError), so
# the page's CPython brings its own pool, faithful to CPython's `spawn` start method: each
# process is another CPython in another worker, with its own memory; it imports the program as
# `__mp_main__` (so `__main__` code under the `if __name__ == "__main__":` guard does not run
# again), then unpickles each call, runs it and pickles the result back. The parent blocks
# in shared memory until a process replies (worker.js, process.js).

import concurrent.futures
import concurrent.futures.process as _cf_process
import io
import multiprocessing
import os
import pickle

#: The task number of a span that is the lane's own (a process starting), as the page knows it.
TASK_LANE = 2**32 - 1
#: Each process's process id here: CPython's pids are the OS's; these are the page's own, one
#: per interpreter, so that a program can tell its processes apart with `os.getpid()`.
PID_BASE = 1000
#: How long one wait for the processes lasts before Python runs again (and reads Stop).
WAIT_SLICE_MS = 100
_WHY_ISOLATION = (
    "processes on CPython need a cross-origin isolated page: the parent waits for its "
    "processes' results with Atomics.wait on shared memory. Open the playground in its own tab."
)
_WHY_MAX = (
    "max_workers must be <= {max} here: each process is a CPython of its own (~13 MB of wasm, "
    "1-2 s to start), and the page keeps them warm"
)
#: The warm processes a pool of this run has taken (a process serves one pool at a time).
_taken = set()
#: In a process: whether it is importing the program (CPython's "bootstrapping phase").
_bootstrapping = False


def _workers_of(call, consts):
    """The pool size a `ProcessPoolExecutor(...)` / `Pool(...)` call asks for, when the program
    says it as a number or a top-level constant; None for the default."""
    arg = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg in ("max_workers", "processes"):
            arg = kw.value
    if isinstance(arg, ast.Constant) and isinstance(arg.value, int):
        return arg.value
    if isinstance(arg, ast.Name):
        return consts.get(arg.id, 0)
    return None


def _decided(test, consts):
    """True or False for a test of a top-level constant against a literal (`TOOL == "threads"`),
    None for any other test."""
    if not (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id in consts
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.Eq, ast.NotEq))
        and isinstance(test.comparators[0], ast.Constant)
    ):
        return None
    same = consts[test.left.id] == test.comparators[0].value
    return same if isinstance(test.ops[0], ast.Eq) else not same


def _reachable(node, consts):
    """Every node of `node`, but for an `if` on a constant (`if TOOL == "processes":`) only the
    branch the constant takes: a program that names a pool for another tool starts none."""
    for child in ast.iter_child_nodes(node):
        yield from _visit(child, consts)


def _visit(node, consts):
    decided = _decided(node.test, consts) if isinstance(node, ast.If) else None
    if decided is None:
        yield node
        yield from _reachable(node, consts)
    else:
        for branch in node.body if decided else node.orelse:
            yield from _visit(branch, consts)


def processes_wanted(tree, experiment):
    """How many processes the program's pools ask for (the largest; the default is the
    machine's cores), capped at the most the page keeps; 0 when it starts none."""
    consts = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, (int, str)):
                    consts[target.id] = node.value.value
    wanted = 0
    for node in _reachable(tree, consts):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        if name in ("ProcessPoolExecutor", "Pool"):
            n = _workers_of(node, consts)
            if n is None:
                n = _processes.cores()
            wanted = max(wanted, n)
    return max(0, min(wanted, _processes.max))


class _Future(concurrent.futures.Future):
    """A future of the page's pool: waiting for it runs the pool (the parent has one thread, so
    no other thread would)."""

    def __init__(self, pool):
        super().__init__()
        self._pool = pool

    def result(self, timeout=None):
        self._pool._run_until(self, timeout)
        return super().result(0)

    def exception(self, timeout=None):
        self._pool._run_until(self, timeout)
        return super().exception(0)


class ProcessPool(concurrent.futures.Executor):
    """`concurrent.futures.ProcessPoolExecutor` in the page: the same signature and behaviour
    (spawn), each process a CPython in its own worker."""

    def __init__(self, max_workers=None, mp_context=None, initializer=None, initargs=(), **_):
        if _processes is None and not _bootstrapping:
            raise RuntimeError("a process of the page's pool starts no processes of its own")
        if _processes is not None and not _processes.isolated():
            raise RuntimeError(_WHY_ISOLATION)
        most = _processes.max if _processes else 8
        if max_workers is None:
            max_workers = min(_processes.cores(), most) if _processes else 1
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        if max_workers > most:
            raise ValueError(_WHY_MAX.format(max=most))
        self._max = max_workers
        self._initializer = (initializer, initargs) if initializer else None
        self._procs = []  # indexes of the warm processes this pool took
        self._booted = set()
        self._busy = {}  # process index -> (future or None for its import, task, started)
        self._queue = []  # (future, fn, args, kwargs)
        self._broken = None
        self._shutdown = False
        self._submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        if _bootstrapping:
            # What CPython's spawn says when a process's import of the program starts a pool.
            import multiprocessing.spawn

            multiprocessing.spawn._check_not_importing_main()
        if self._broken:
            raise _cf_process.BrokenProcessPool(self._broken)
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        if not self._procs:
            self._take()
        future = _Future(self)
        self._queue.append((future, fn, args, kwargs))
        self._dispatch()
        return future

    def _take(self):
        free = [i for i in range(_processes.started()) if i not in _taken][: self._max]
        if len(free) < self._max:
            raise RuntimeError(
                f"this pool asks for {self._max} processes and {len(free)} are free: the page "
                "starts a run's processes before it runs (it reads max_workers from the code)"
            )
        self._procs = free
        _taken.update(free)
        global _pool_used
        _pool_used = True

    def _send(self, index, job):
        _processes.send(index, to_js(job))

    def _dispatch(self):
        for index in self._procs:
            if index in self._busy or self._broken:
                continue
            if index not in self._booted:
                # A spawned process first imports the program, as __mp_main__.
                self._busy[index] = (None, None, time.perf_counter())
                self._send(index, b"M" + pickle.dumps((_source, self._initializer)))
                continue
            if not self._queue:
                continue
            future, fn, args, kwargs = self._queue.pop(0)
            if not future.set_running_or_notify_cancel():
                continue
            task = args[0] if args and _numbered(args[0]) else self._submitted
            self._submitted += 1
            start = time.perf_counter()
            try:
                job = b"C" + pickle.dumps((fn, args, kwargs))
            except Exception as error:  # CPython's pool reports an unpicklable call this way too
                future.set_exception(error)
                continue
            if len(job) > _processes.box:
                future.set_exception(ValueError(f"a call of {len(job)} bytes pickled; a process here takes {_processes.box}"))
                continue
            self._busy[index] = (future, task, start)
            self._send(index, job)

    def _run_until(self, future, timeout=None):
        """Runs the pool until `future` is done (or `timeout` seconds pass)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not future.done():
                if deadline is not None and time.monotonic() >= deadline:
                    raise TimeoutError()
                self._step()
        except KeyboardInterrupt:
            self._stop()
            raise

    def _step(self):
        busy = list(self._busy)
        if not busy:
            self._dispatch()
            if not self._busy:
                raise RuntimeError("the pool has nothing to run")  # a bug of the page's pool
            return
        for index in _processes.wait(to_js(busy), WAIT_SLICE_MS).to_py():
            self._collect(index, _processes.take(index).to_bytes())
        self._dispatch()

    def _collect(self, index, reply):
        future, task, start = self._busy.pop(index)
        status, value, spans, printed, sent = pickle.loads(reply)
        done = time.perf_counter()
        if printed:
            print(printed, end="")
        for t, state, a, b in spans:
            # The process's spans, in the page's clock, on the process's lane.
            if t is None:
                t = task
            _spans.append((t, index, state, (a - _offset) / 1000, (b - _offset) / 1000))
        if future is None:
            if status == "ok":
                self._booted.add(index)
            else:
                self._break(value)
            return
        if sent is not None:
            # The copies: the call pickled here and unpickled there; the result pickled there
            # and unpickled here.
            _spans.append((task, index, "copy", start, (sent[0] - _offset) / 1000))
            _spans.append((task, index, "copy", (sent[1] - _offset) / 1000, done))
        if status == "ok":
            future.set_result(value)
        elif status == "raise":
            error, remote = value
            error.__cause__ = _cf_process._RemoteTraceback(remote)
            future.set_exception(error)
        else:
            future.set_exception(_cf_process.BrokenProcessPool(value))

    def _break(self, printed_traceback):
        """A process could not import the program: as in CPython, its traceback is printed and
        the pool is broken."""
        print(printed_traceback, file=sys.stderr, end="")
        self._broken = "A child process terminated abruptly, the process pool is not usable anymore"
        for future, *_ in self._queue:
            future.set_exception(_cf_process.BrokenProcessPool(self._broken))
        self._queue.clear()

    def _stop(self):
        for index in list(self._busy):
            _processes.interrupt(index)
        self._broken = "the pool was stopped"
        for future, *_ in self._queue:
            future.cancel()
        self._queue.clear()

    def shutdown(self, wait=True, *, cancel_futures=False):
        self._shutdown = True
        if cancel_futures:
            for future, *_ in self._queue:
                future.cancel()
            self._queue.clear()
        if wait:
            try:
                while (self._busy or self._queue) and not self._broken:
                    self._step()
            except KeyboardInterrupt:
                self._stop()
                raise
        _taken.difference_update(i for i in self._procs if i not in self._busy)
        if not self._busy:
            self._procs = []

    def __exit__(self, kind, error, tb):
        # As CPython's, it waits for the tasks; but Stop (KeyboardInterrupt) waits for none.
        stopped = kind is not None and issubclass(kind, KeyboardInterrupt)
        self.shutdown(wait=not stopped, cancel_futures=stopped)
        return False


class _MpPool:
    """`multiprocessing.Pool` in the page: map, starmap, apply and imap on the same processes."""

    def __init__(self, processes=None, initializer=None, initargs=(), *_, **__):
        self._pool = ProcessPool(processes, initializer=initializer, initargs=initargs)

    def map(self, func, iterable, chunksize=None):
        return list(self._pool.map(func, iterable))

    def imap(self, func, iterable, chunksize=1):
        return self._pool.map(func, iterable)

    def starmap(self, func, iterable, chunksize=None):
        return list(self._pool.map(func, *zip(*iterable)))

    def apply(self, func, args=(), kwds={}):
        return self._pool.submit(func, *args, **kwds).result()

    def close(self):
        pass

    def join(self):
        self._pool.shutdown(wait=True)

    def terminate(self):
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.terminate()  # as CPython's Pool: leaving the with block terminates it


def _numbered(x):
    return isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 2**31


_source = ""


def _use_pools():
    """Makes this run's `ProcessPoolExecutor` and `multiprocessing.Pool` the page's pool."""
    concurrent.futures.ProcessPoolExecutor = ProcessPool
    _cf_process.ProcessPoolExecutor = ProcessPool
    multiprocessing.Pool = _MpPool
    _taken.clear()


def to_js(x):
    from pyodide.ffi import to_js as convert

    return convert(x)


# The process side.


def _become_process(index):
    """This interpreter is process `index` of a pool: its spans go on that lane, and it has an
    id of its own."""
    global _lane
    _lane = index
    pid = PID_BASE + index + 1
    os.getpid = lambda: pid
    _use_pools()
    me = multiprocessing.current_process()
    me._identity = (index + 1,)
    me._config["authkey"] = b"page"
    me.name = f"SpawnProcess-{index + 1}"


def _reply(status, value, printed="", sent=None):
    from js import performance

    now = performance.timeOrigin + performance.now()
    off = now - time.perf_counter() * 1000
    spans = [(t, state, a * 1000 + off, b * 1000 + off) for (t, _l, state, a, b) in _spans]
    _spans.clear()
    try:
        return pickle.dumps((status, value, spans, printed, sent))
    except Exception as error:
        # A result or exception that does not pickle: the parent says so, as CPython's would.
        why = f"the result could not be pickled: {error!r}"
        return pickle.dumps(("broken", why, spans, printed, sent))


def _process_job(job, size):
    """What process.js calls: the reply to `job`, as a Uint8Array."""
    reply = _answer(job, size)
    if len(reply) > size:
        why = f"a reply of {len(reply)} bytes pickled; a process here sends at most {size}"
        reply = pickle.dumps(("broken", why, [], "", None))
    return to_js(reply)


def _answer(job, size):
    """Runs one job (`M`: import the program as __mp_main__; `C`: a pickled call) and returns
    the pickled reply: ("ok", value) / ("raise", (exception, traceback)) / ("broken", why)."""
    global _bootstrapping
    from js import performance

    clock = lambda: performance.timeOrigin + performance.now()  # noqa: E731
    job = job.to_bytes()
    out = io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    try:
        if job[:1] == b"M":
            start = time.perf_counter()
            code, init = pickle.loads(job[1:])
            module = types.ModuleType("__mp_main__")
            module.__file__ = FILENAME
            linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)
            sys.modules["__mp_main__"] = module
            sys.modules["__main__"] = module  # functions pickled as __main__.f are found here
            _bootstrapping = True
            multiprocessing.current_process()._inheriting = True
            try:
                exec(compile(code, FILENAME, "exec"), module.__dict__)
                if init:
                    init[0](*init[1])
            except BaseException as error:
                return _reply("broken", "Process " + multiprocessing.current_process().name + ":\n" + _traceback(error), out.getvalue())
            finally:
                _bootstrapping = False
                multiprocessing.current_process()._inheriting = False
            _spans.append((TASK_LANE, _lane, "startup", start, time.perf_counter()))
            return _reply("ok", None, out.getvalue())
        fn, args, kwargs = pickle.loads(job[1:])
        unpickled = clock()
        try:
            value = fn(*args, **kwargs)
            status = "ok"
        except BaseException as error:
            value = (error, _traceback(error))
            status = "raise"
        sent_at = clock()
        return _reply(status, value, out.getvalue(), (unpickled, sent_at))
    finally:
        sys.stdout, sys.stderr = saved


def _process_failure(why):
    """What process.js calls when the job itself failed: the reply that says so."""
    return to_js(pickle.dumps(("broken", why, [], "", None)))
