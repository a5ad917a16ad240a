"""The process pool, the parent's side: `concurrent.futures.ProcessPoolExecutor` and
`multiprocessing.Pool` in the page.

Pyodide has no processes (its ProcessPoolExecutor raises NotImplementedError), so the page's
CPython brings its own pool, faithful to CPython's `spawn` start method: each process is another
CPython in another worker, with its own memory; it imports the program as `__mp_main__` (so code
under the `if __name__ == "__main__":` guard does not run again), then unpickles each call, runs
it and pickles the result back (process.py is that side). The parent writes each pickled job
into a process's box of shared memory and blocks until a process replies, through the module
`_processes` (www/python/pool.js), which starts the processes and owns the memory.

This module is one of the harness's executors (harness.py's `executors`): it takes the
standard library's place for a run (`install`), starts the processes the program will ask for
before it runs (`prepare`), and says whether the run used them (`used`).
"""

import ast
import concurrent.futures
import concurrent.futures.process as _cf_process
import json
import multiprocessing
import pickle
import sys
import time

from . import harness, threads

try:
    import _processes  # the pool's shared memory, from pool.js, in the page's CPython
except ImportError:  # a process of the pool starts none itself; at home there is none
    _processes = None

#: How long one wait for the processes lasts before Python runs again (and reads Stop).
WAIT_SLICE_MS = 100
#: The first byte of a job: import the program as `__mp_main__` (then the pickled program and
#: initializer), or call a function (then the pickled function, args and kwargs). A reply is a
#: pickled (status, value, spans, printed, sent): see process.py's `reply`.
IMPORT_JOB = b"M"
CALL_JOB = b"C"
_WHY_ISOLATION = (
    "processes on CPython need a cross-origin isolated page: the parent waits for its "
    "processes' results with Atomics.wait on shared memory. Open the playground in its own tab."
)
_WHY_MAX = (
    "max_workers must be <= {max} here: each process is a CPython of its own (~13 MB of wasm, "
    "1-2 s to start), and the page keeps them warm"
)
_WHY_NOT_WITH_THREADS = (
    "the process pool cannot wait for its processes while the program has other threads here: "
    "its wait blocks CPython's whole worker, and every thread with it. Start the threads after "
    "the pool is done, or run the pool from a program without threads"
)
#: The warm processes a pool of this run has taken (a process serves one pool at a time).
_taken = set()
#: Whether the run in flight took processes of the pool (then their start-ups are its own).
_used = False
#: In a process: whether it is importing the program (CPython's "bootstrapping phase").
bootstrapping = False


def install():
    """Makes this run's `ProcessPoolExecutor` and `multiprocessing.Pool` the page's pool."""
    global _used
    concurrent.futures.ProcessPoolExecutor = ProcessPool
    _cf_process.ProcessPoolExecutor = ProcessPool
    multiprocessing.Pool = _MpPool
    _taken.clear()
    _used = False


async def prepare(tree, experiment):
    """Starts, before the program runs, the processes its pools may ask for: a parent blocked in
    `pool.map` cannot start a worker (a new worker starts only once its parent's thread is free),
    and a warm pool starts none. Returns the start-ups this paid for, as spans of their lanes in
    page-clock ms: a run reports them only if it used the pool (a program may name a pool it
    never starts)."""
    if _processes is None:
        return []
    wanted = processes_wanted(tree)
    if not wanted or not _processes.isolated():
        return []
    started = json.loads(await _processes.start(wanted))
    return [(harness.TASK_LANE, index, harness.STARTUP, spawned, ready) for index, spawned, ready in started]


def used():
    """Whether the run in flight took processes of the pool."""
    return _used


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


def processes_wanted(tree):
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
        if _processes is None and not bootstrapping:
            raise RuntimeError("a process of the page's pool starts no processes of its own")
        if _processes is not None and not _processes.isolated():
            raise RuntimeError(_WHY_ISOLATION)
        if max_workers is None:
            max_workers = min(_processes.cores(), _processes.max) if _processes else 1
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        if _processes is not None and max_workers > _processes.max:
            raise ValueError(_WHY_MAX.format(max=_processes.max))
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
        if bootstrapping:
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
        global _used
        free = [i for i in range(_processes.started()) if i not in _taken][: self._max]
        if len(free) < self._max:
            raise RuntimeError(
                f"this pool asks for {self._max} processes and {len(free)} are free: the page "
                "starts a run's processes before it runs (it reads max_workers from the code)"
            )
        self._procs = free
        _taken.update(free)
        _used = True

    def _send(self, index, job):
        _processes.send(index, to_js(job))

    def _dispatch(self):
        for index in self._procs:
            if index in self._busy or self._broken:
                continue
            if index not in self._booted:
                # A spawned process first imports the program, as __mp_main__.
                self._busy[index] = (None, None, time.perf_counter())
                self._send(index, IMPORT_JOB + pickle.dumps((harness.source, self._initializer)))
                continue
            if not self._queue:
                continue
            future, fn, args, kwargs = self._queue.pop(0)
            if not future.set_running_or_notify_cancel():
                continue
            task = args[0] if args and harness.numbered(args[0]) else self._submitted
            self._submitted += 1
            start = time.perf_counter()
            try:
                job = CALL_JOB + pickle.dumps((fn, args, kwargs))
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
        if threads.others_alive():
            # The wait below blocks CPython's whole worker (Atomics.wait): every thread of the
            # program would stop with it, the ones the processes' results may depend on too.
            raise RuntimeError(_WHY_NOT_WITH_THREADS)
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
        to_perf = lambda ms: (ms - harness.offset) / 1000  # noqa: E731
        for t, state, a, b in spans:
            # The process's spans, in the page's clock, on the process's lane.
            if t is None:
                t = task
            harness.spans.append((t, index, state, to_perf(a), to_perf(b)))
        if future is None:
            if status == "ok":
                self._booted.add(index)
            else:
                self._break(value)
            return
        if sent is not None:
            # The copies: the call pickled here and unpickled there; the result pickled there
            # and unpickled here.
            harness.spans.append((task, index, harness.COPY, start, to_perf(sent[0])))
            harness.spans.append((task, index, harness.COPY, to_perf(sent[1]), done))
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


def to_js(x):
    """`x` as JavaScript sees it (bytes become a Uint8Array)."""
    from pyodide.ffi import to_js as convert

    return convert(x)
