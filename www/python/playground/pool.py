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
import concurrent.futures._base
import concurrent.futures.process as _cf_process
import json
import multiprocessing
import pickle
import sys
import time
import weakref

from . import harness, queues, threads

# Bound at import, as multiprocessing binds its own pickler's: a program's patch of pickle.loads or
# json.loads is not the pool's.
_dumps, _loads, _from_json = pickle.dumps, pickle.loads, json.loads

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
_original_as_completed = concurrent.futures.as_completed
_original_wait = concurrent.futures.wait
#: The warm processes a pool of this run has taken (a process serves one pool at a time).
_taken = set()
#: Whether the run in flight took processes of the pool (then their start-ups are its own).
_used = False
#: Whether a pool of the run in flight started processes itself, once its size was known.
_started_in_run = False
#: In a process: whether it is importing the program (CPython's "bootstrapping phase").
bootstrapping = False
#: The run's pools: a wait outside them (a queue's, a pipe's) runs them between its slices.
_live = weakref.WeakSet()
#: The thread collecting the pools' replies while the program has threads (a forced switch may
#: come at any bytecode: one thread at a time collects), or None.
_driver = None


def install():
    """Makes this run's `ProcessPoolExecutor`, `multiprocessing.Pool` (and the spawn context's),
    `as_completed` and `wait` the page's pool's, and what it cannot do fail at once."""
    global _used, _started_in_run
    import multiprocessing.pool

    concurrent.futures.ProcessPoolExecutor = ProcessPool
    _cf_process.ProcessPoolExecutor = ProcessPool
    for module in (concurrent.futures, concurrent.futures._base):
        module.as_completed = as_completed
        module.wait = wait
    multiprocessing.Pool = _MpPool
    multiprocessing.pool.Pool = _MpPool
    multiprocessing.get_context = _get_context
    multiprocessing.Process = Process
    queues.install(multiprocessing)
    if not harness.in_process:
        queues.reset()
        _live.clear()
    _processes_started.clear()
    Process._count = 0  # each run's first is Process-1, as each program's is
    for name in _UNSUPPORTED:
        setattr(multiprocessing, name, _unsupported(name))
    _taken.clear()
    _used = False
    _started_in_run = False


#: What `multiprocessing` offers that the page's processes cannot: each shares state between
#: processes through the OS (pipes, semaphores, a manager's server), which the page's workers do
#: not have. Each fails at once, with CPython's exception for a platform without it.
_UNSUPPORTED = ("Manager", "Value", "Array", "Lock", "RLock", "Semaphore", "Event", "Barrier", "Condition")


def _unsupported(name):
    def refuse(*_args, **_kwargs):
        raise NotImplementedError(
            f"multiprocessing.{name} is not available in the page: its processes are CPythons in "
            "workers that share no semaphores, shared objects or manager with each other. Pool, "
            "ProcessPoolExecutor, Process, Queue and Pipe work (what they carry is pickled)."
        )

    refuse.__name__ = name
    return refuse


def _show_printed(index):
    """Prints what process `index`'s job printed since it was last looked at (the parent's
    output is the page's, as a child's prints share the terminal in CPython)."""
    text = _processes.printed(index)
    if text:
        print(text, end="")


class _Context:
    """`multiprocessing.get_context(method)`: the page's processes are spawned, and only spawn
    is offered (fork and forkserver need an OS's processes)."""

    def __init__(self, method):
        if method in ("fork", "forkserver"):
            raise NotImplementedError(
                f"the {method!r} start method is not available in the page: its processes are spawned (use 'spawn')"
            )
        if method not in (None, "spawn"):
            raise ValueError(f"cannot find context for {method!r}")
        self._name = "spawn"

    def get_start_method(self, allow_none=False):
        return self._name

    def Pool(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None):
        return _MpPool(processes, initializer, initargs, maxtasksperchild)

    Process = property(lambda self: Process)

    def cpu_count(self):
        return multiprocessing.cpu_count()

    def __getattr__(self, name):
        if name in _UNSUPPORTED:
            return _unsupported(name)
        raise AttributeError(name)


def _get_context(method=None):
    return _Context(method)


def _settled(f):
    """Whether future `f` has finished or been cancelled, as `concurrent.futures` reads it."""
    return f._state in ("FINISHED", "CANCELLED_AND_NOTIFIED")


def _to_perf(ms):
    """Page-clock ms as this interpreter's `perf_counter` seconds (the harness's spans' clock)."""
    return (ms - harness.offset) / 1000


def _pools_of(fs):
    return {id(f._pool): f._pool for f in fs if isinstance(f, _Future)}.values()


def _drive(fs, ready, timeout):
    """Runs the pools of `fs` until `ready()` holds or `timeout` seconds pass (then False)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    pools = list(_pools_of(fs))
    try:
        while not ready():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            working = [p for p in pools if p._busy or p._queue]
            if not working:
                # Nothing of the page's pool is pending: what is left is another executor's.
                return None
            for p in working:
                p._step(0 if len(working) > 1 else WAIT_SLICE_MS)
    except KeyboardInterrupt:
        for p in pools:
            p._stop()
        raise
    return True


def as_completed(fs, timeout=None):
    """`concurrent.futures.as_completed`: each future as it finishes. The parent has one thread
    for the page's pool, so waiting here runs the pool (in CPython a manager thread would)."""
    fs = set(fs)
    if not any(isinstance(f, _Future) for f in fs):
        yield from _original_as_completed(fs, timeout)
        return
    total = len(fs)
    deadline = None if timeout is None else time.monotonic() + timeout
    pending = set(fs)
    while pending:
        for f in [f for f in pending if f.done()]:
            pending.discard(f)
            yield f
        if not pending:
            return
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        got = _drive(pending, lambda: any(_settled(f) for f in pending), left)
        if got is False:
            raise TimeoutError(f"{len(pending)} (of {total}) futures unfinished")
        if got is None:
            # Only other executors' futures are left: CPython's own waiting does the rest.
            yield from _original_as_completed(pending, left)
            return


def wait(fs, timeout=None, return_when=concurrent.futures.ALL_COMPLETED):
    """`concurrent.futures.wait`, running the page's pool while it waits."""
    fs = set(fs)
    if not any(isinstance(f, _Future) for f in fs):
        return _original_wait(fs, timeout, return_when)

    def finished():
        done = [f for f in fs if _settled(f)]
        if return_when == concurrent.futures.FIRST_COMPLETED:
            return bool(done)
        if return_when == concurrent.futures.FIRST_EXCEPTION:
            return len(done) == len(fs) or any(not f.cancelled() and f.exception(0) is not None for f in done)
        return len(done) == len(fs)

    got = _drive(fs, finished, timeout)
    if got is None:
        return _original_wait(fs, timeout, return_when)
    done = {f for f in fs if _settled(f)}
    return concurrent.futures._base.DoneAndNotDoneFutures(done, fs - done)


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
    started = _from_json(await _processes.start(wanted))
    return [(harness.TASK_LANE, index, harness.STARTUP, spawned, ready) for index, spawned, ready in started]


def used():
    """Whether the run in flight took processes of the pool."""
    return _used


def started_in_run():
    """Whether a pool of the run in flight started processes while the program ran (their
    start-ups are among the run's spans already)."""
    return _started_in_run


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
        elif name == "Process":
            wanted = max(wanted, 1)
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

    def done(self):
        # A program that polls `done()` (and sleeps between) sees its tasks finish: asking
        # collects what the processes have replied, without waiting.
        if not super().done():
            self._pool._poll()
        return super().done()


class ProcessPool(concurrent.futures.Executor):
    """`concurrent.futures.ProcessPoolExecutor` in the page: the same signature and behaviour
    (spawn), each process a CPython in its own worker."""

    def __init__(self, max_workers=None, mp_context=None, initializer=None, initargs=(), *, max_tasks_per_child=None):
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
        if max_tasks_per_child is not None and (not isinstance(max_tasks_per_child, int) or max_tasks_per_child < 1):
            raise ValueError("max_tasks_per_child must be >= 1")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self._max = max_workers
        self._initializer = (initializer, initargs) if initializer else None
        #: Tasks a process runs before it is replaced by a fresh import of the program (its
        #: globals start again, as in a new process).
        self._max_tasks = max_tasks_per_child
        self._tasks_run = {}
        self._procs = []  # indexes of the warm processes this pool took
        self._booted = set()
        self._busy = {}  # process index -> (future or None for its import, task, started)
        self._queue = []  # (future, fn, args, kwargs)
        self._broken = None
        self._shutdown = False
        self._submitted = 0
        _live.add(self)

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
        global _used, _started_in_run
        free = self._free()
        if len(free) < self._max and threads.can_run_sync():
            # The size is known now, whatever expression gave it: start what is missing here,
            # the program's stack suspended while the workers load (JSPI).
            from pyodide.ffi import run_sync

            wanted = len(_taken) + self._max
            # The run's other pools keep their processes, busy or not.
            started = _from_json(run_sync(_processes.start(wanted, harness.to_js(sorted(_taken)))))
            _started_in_run = _started_in_run or bool(started)
            for index, spawned, ready in started:
                harness.spans.append((harness.TASK_LANE, index, harness.STARTUP, _to_perf(spawned), _to_perf(ready)))
            free = self._free()
        if len(free) < self._max:
            raise RuntimeError(
                f"this pool asks for {self._max} processes and {len(free)} are free: the page "
                "starts a run's processes before it runs (it reads max_workers from the code)"
            )
        self._procs = free
        _taken.update(free)
        _used = True

    def _free(self):
        """The warm processes no pool of this run holds and no job of an earlier run keeps busy
        (a daemon `Process` ended by its run, say), as many as this pool takes."""
        return [i for i in range(_processes.started()) if i not in _taken and _processes.idle(i)][: self._max]

    def _send(self, index, job):
        _processes.send(index, harness.to_js(job))

    def _dispatch(self):
        for index in self._procs:
            if index in self._busy or self._broken:
                continue
            if index not in self._booted:
                # A spawned process first imports the program, as __mp_main__.
                self._busy[index] = (None, None, harness.clock())
                # The initializer travels pickled on its own: the process unpickles it once the
                # program is imported (it is found there by reference, as `__main__.init`).
                # Spawning, for what the initializer's arguments carry (a queue may go to a pool's
                # processes this way, as CPython's `initargs`).
                init = queues.pickled_at_spawn(self._initializer) if self._initializer else None
                self._send(index, IMPORT_JOB + _dumps((harness.source, init)))
                continue
            if not self._queue:
                continue
            future, fn, args, kwargs = self._queue.pop(0)
            if not future.set_running_or_notify_cancel():
                continue
            task = args[0] if args and harness.numbered(args[0]) else self._submitted
            self._submitted += 1
            start = harness.clock()
            try:
                job = CALL_JOB + _dumps((fn, args, kwargs))
            except Exception as error:  # CPython's pool reports an unpicklable call this way too
                future.set_exception(error)
                continue
            if len(job) > _processes.box:
                future.set_exception(ValueError(f"a call of {len(job)} bytes pickled; a process here takes {_processes.box}"))
                continue
            self._busy[index] = (future, task, start)
            self._send(index, job)
            self._tasks_run[index] = self._tasks_run.get(index, 0) + 1
            if self._max_tasks is not None and self._tasks_run[index] >= self._max_tasks:
                # Its next job is a fresh import: a new process's start.
                self._booted.discard(index)
                self._tasks_run[index] = 0

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

    def _poll(self):
        """Collects the replies that are there, without waiting."""
        if self._busy:
            self._step(0)

    def _step(self, slice_ms=WAIT_SLICE_MS):
        """Waits at most `slice_ms` for the processes, then shows what they printed, collects
        their replies and hands out the next calls. While the program has other threads, the
        wait is theirs: no `Atomics.wait` (it would stop CPython's whole worker, every thread
        with it), but the GIL handed over for 2 ms, as CPython releases it in a blocking call."""
        global _driver
        busy = list(self._busy)
        if not busy:
            self._dispatch()
            if not self._busy:
                raise RuntimeError("the pool has nothing to run")  # a bug of the page's pool
            return
        others = threads.others_alive()
        me = threads.current() if others else None
        if others and _driver not in (None, me):
            if slice_ms:
                threads.wait_outside(0.002)
            return
        saved, _driver = _driver, me
        try:
            queues.flush()
            replied = _processes.wait(harness.to_js(busy), 0 if others else slice_ms).to_py()
            # Every busy process's prints, a replied one's included: they all precede its reply.
            for index in busy:
                _show_printed(index)
            for index in replied:
                self._collect(index, _processes.take(index).to_bytes())
            self._dispatch()
        finally:
            _driver = saved
        if others and slice_ms and not replied:
            threads.wait_outside(0.002)

    def _collect(self, index, reply):
        future, task, start = self._busy.pop(index)
        status, value, spans, printed, sent = _loads(reply)
        done = harness.clock()
        if printed:
            print(printed, end="")
        for t, state, a, b in spans:
            # The process's spans, in the page's clock, on the process's lane.
            if t is None:
                t = task
            harness.spans.append((t, index, state, _to_perf(a), _to_perf(b)))
        if future is None:
            if status == "ok":
                self._booted.add(index)
            else:
                self._break(value)
            return
        if sent is not None:
            # The copies: the call pickled here and unpickled there; the result pickled there
            # and unpickled here.
            harness.spans.append((task, index, harness.COPY, start, _to_perf(sent[0])))
            harness.spans.append((task, index, harness.COPY, _to_perf(sent[1]), done))
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

    def _stop(self, signal=2):
        for index in list(self._busy):
            _processes.interrupt(index, signal)
        self._broken = "the pool was stopped"
        for future, *_ in self._queue:
            future.cancel()
        self._queue.clear()

    def shutdown(self, wait=True, *, cancel_futures=False):
        self._shutdown = True
        if cancel_futures:
            # CPython's pool has already moved up to max_workers + 1 calls to its processes'
            # queue (EXTRA_QUEUED_CALLS): those run; the calls still pending are cancelled.
            running = sum(f is not None for f, *_ in self._busy.values())
            keep = max(0, self._max + 1 - running)
            for future, *_ in self._queue[keep:]:
                future.cancel()
            del self._queue[keep:]
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
            _live.discard(self)

    def __exit__(self, kind, error, tb):
        # As CPython's, it waits for the tasks; but Stop (KeyboardInterrupt) waits for none.
        stopped = kind is not None and issubclass(kind, KeyboardInterrupt)
        self.shutdown(wait=not stopped, cancel_futures=stopped)
        return False


def run_pools():
    """What a wait outside the pools (a queue's, a pipe's) does between its slices: every pool
    collects what its processes replied and hands out its next calls (a `Process` started just
    before `q.get()` is handed its target only then: the parent has no thread that would)."""
    for p in list(_live):
        if p._busy:
            p._step(0)


def _run_pickled(payload, name):
    """A `Process`'s target in its process, from what `start` pickled (the spawn moment); what
    does not unpickle there (a target defined under the `__main__` guard) is the process's
    error, printed as CPython's child prints it."""
    try:
        target, args, kwargs = _loads(payload)
    except Exception:
        import traceback

        traceback.print_exc()
        return 1
    return _run_process(target, args, kwargs, name)


#: The `multiprocessing.Process`es the run in flight started: joined at its end, as CPython's
#: `multiprocessing` joins its non-daemon children when the program exits.
_processes_started = []


class Terminated(BaseException):
    """What `Process.terminate` raises in its process (its SIGTERM handler, process.py)."""


def _run_process(target, args, kwargs, name):
    """What a `Process` runs in its process, as `BaseProcess._bootstrap` does: the target, its
    uncaught exception printed under "Process <name>:", and the exit code it ends with."""
    import traceback

    me = multiprocessing.current_process()
    saved, me.name = me.name, name
    try:
        if target is not None:
            target(*args, **kwargs)
        return 0
    except Terminated:
        return -15  # -SIGTERM: `terminate` ends a process without a word, as the OS's signal does
    except SystemExit as exit:
        code = exit.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException:
        print(f"Process {name}:", file=sys.stderr)
        traceback.print_exc()
        return 1
    finally:
        me.name = saved


class Process:
    """`multiprocessing.Process` in the page: `start` runs the target in a process of its own
    (a CPython in a worker, spawned: the program imported as `__mp_main__` first), `join`
    waits for it, `exitcode`, `is_alive`, `terminate`, `name` and `pid` as CPython has them.
    It shares nothing with the parent but its pickled target and arguments."""

    _count = 0

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        if group is not None:
            raise AssertionError("group argument must be None for now")
        Process._count += 1
        self._target, self._args, self._kwargs = target, tuple(args), dict(kwargs or {})
        self.name = name or f"Process-{Process._count}"
        self.daemon = bool(daemon)
        self._pool = None
        self._future = None
        self._exitcode = None
        self._pid = None

    def run(self):
        if self._target is not None:
            self._target(*self._args, **self._kwargs)

    def start(self):
        if self._pool is not None:
            raise AssertionError("cannot start a process twice")
        if bootstrapping:
            import multiprocessing.spawn

            multiprocessing.spawn._check_not_importing_main()
        target = self._target if type(self).run is Process.run else self.run
        args, kwargs = (self._args, self._kwargs) if target is self._target else ((), {})
        # Spawn pickles the process object at start: what does not pickle fails here, as there,
        # and a queue or a pipe's end is the child's from this moment (only now may a queue be
        # pickled), though the call reaches the process once it has imported the program.
        payload = queues.pickled_at_spawn((target, args, kwargs))
        self._pool = ProcessPool(1)
        self._future = self._pool.submit(_run_pickled, payload, self.name)
        from .process import PID_BASE

        self._pid = PID_BASE + self._pool._procs[0] + 1
        _processes_started.append(self)

    def __getstate__(self):
        # What its process gets (a subclass's `run` is sent bound to it): the parent's handles
        # on the process stay in the parent, as CPython's do.
        state = dict(self.__dict__)
        for name in ("_pool", "_future", "_exitcode", "_pid"):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._pool = self._future = self._exitcode = self._pid = None

    def join(self, timeout=None):
        if self._pool is None:
            raise AssertionError("can only join a started process")
        code = None
        try:
            code = self._future.result(timeout)
        except TimeoutError:
            return
        except concurrent.futures.CancelledError:
            pass
        except BaseException as error:  # a pickling error of its target: CPython's start raises
            if isinstance(error, KeyboardInterrupt):
                raise
            code = 1
        if self._exitcode is None:  # terminate's -15 stays
            self._exitcode = code
        self._pool.shutdown(wait=False)

    def is_alive(self):
        return self._pool is not None and self._exitcode is None and not self._future.done()

    @property
    def exitcode(self):
        if self._future is not None and self._exitcode is None and self._future.done():
            self.join(0)
        return self._exitcode

    @property
    def pid(self):
        return self._pid

    ident = pid

    def terminate(self):
        if self.is_alive():
            self._pool._stop(signal=15)
            self._exitcode = -15  # -SIGTERM, as CPython's after terminate()
        elif self._pool is not None and self._exitcode is None:
            self.join(0)

    kill = terminate

    def close(self):
        if self.is_alive():
            raise ValueError("Cannot close a process while it is still running. You should first call join() or terminate().")

    def __repr__(self):
        state = "initial" if self._pool is None else "started" if self._exitcode is None else "stopped"
        return f"<Process name={self.name!r} {state}>"


def shutdown(stopped=False):
    """The program's end: its non-daemon processes are joined, as CPython's `multiprocessing`
    does at exit (their prints come then); after Stop, none is waited for."""
    for p in list(_processes_started):
        if stopped or p.daemon:
            # Daemonic children are terminated at exit, as CPython's `_exit_function` does.
            p.terminate()
        elif p._exitcode is None:
            p.join()
    _processes_started.clear()
    return []


def after_error():
    """The program raised: its processes end as at CPython's exit (see `shutdown`)."""
    shutdown()


class AsyncResult:
    """`multiprocessing.pool.AsyncResult` over the page's futures: `get` (raising the task's
    exception), `wait`, `ready`, `successful`, and the pool's callbacks when it completes."""

    def __init__(self, futures, combine, callback=None, error_callback=None):
        self._futures = futures
        self._combine = combine
        self._callback = callback
        self._error_callback = error_callback
        self._called = False

    def _settle(self):
        if self._called or not all(f.done() for f in self._futures):
            return
        self._called = True
        error = next((f.exception(0) for f in self._futures if f.exception(0) is not None), None)
        if error is not None:
            if self._error_callback is not None:
                self._error_callback(error)
        elif self._callback is not None:
            self._callback(self._combine([f.result(0) for f in self._futures]))

    def ready(self):
        done = all(f.done() for f in self._futures)
        if done:
            self._settle()
        return done

    def successful(self):
        if not self.ready():
            raise ValueError(f"{self!r} not ready")
        return all(f.exception(0) is None for f in self._futures)

    def wait(self, timeout=None):
        wait(self._futures, timeout)
        self.ready()

    def get(self, timeout=None):
        self.wait(timeout)
        if not self.ready():
            raise multiprocessing.TimeoutError
        self._settle()
        for f in self._futures:
            if f.exception(0) is not None:
                raise f.exception(0)
        return self._combine([f.result(0) for f in self._futures])


def _chunks(iterable, size):
    items = list(iterable)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _map_chunk(func, items):
    """One chunk of `map`: what a process runs for `chunksize` items, as CPython's pool does."""
    return [func(x) for x in items]


def _starmap_chunk(func, items):
    return [func(*x) for x in items]


class _MpPool:
    """`multiprocessing.Pool` in the page: `map`, `starmap`, `imap`, `imap_unordered`, `apply`
    and each `*_async`, with `chunksize` batching items into one call per chunk as CPython's
    pool does, on the page's processes."""

    def __init__(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None, context=None):
        if processes is not None and processes < 1:
            raise ValueError("Number of processes must be at least 1")
        self._pool = ProcessPool(processes, initializer=initializer, initargs=initargs, max_tasks_per_child=maxtasksperchild)
        self._state = "RUN"

    def _check(self):
        if self._state != "RUN":
            raise ValueError("Pool not running")

    def _chunked(self, chunk, func, iterable, chunksize):
        self._check()
        items = list(iterable)
        if chunksize is None:
            # CPython's default: about four chunks per process.
            chunksize, extra = divmod(len(items), self._pool._max * 4)
            chunksize += bool(extra)
        chunksize = max(1, chunksize)
        return [self._pool.submit(chunk, func, part) for part in _chunks(items, chunksize)]

    @staticmethod
    def _flat(results):
        return [x for part in results for x in part]

    def map_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return AsyncResult(self._chunked(_map_chunk, func, iterable, chunksize), self._flat, callback, error_callback)

    def starmap_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return AsyncResult(self._chunked(_starmap_chunk, func, iterable, chunksize), self._flat, callback, error_callback)

    def map(self, func, iterable, chunksize=None):
        return self.map_async(func, iterable, chunksize).get()

    def starmap(self, func, iterable, chunksize=None):
        return self.starmap_async(func, iterable, chunksize).get()

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        self._check()
        return AsyncResult([self._pool.submit(func, *args, **kwds)], lambda results: results[0], callback, error_callback)

    def apply(self, func, args=(), kwds={}):
        return self.apply_async(func, args, kwds).get()

    def imap(self, func, iterable, chunksize=1):
        # Submitted at once, as CPython's; the results in order as they are asked for.
        futures = self._chunked(_map_chunk, func, iterable, chunksize)
        return (x for f in futures for x in f.result())

    def imap_unordered(self, func, iterable, chunksize=1):
        futures = self._chunked(_map_chunk, func, iterable, chunksize)
        return (x for f in as_completed(futures) for x in f.result())

    def close(self):
        self._state = "CLOSE"

    def join(self):
        if self._state == "RUN":
            raise ValueError("Pool is still running")
        self._pool.shutdown(wait=True)

    def terminate(self):
        self._state = "TERMINATE"
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool._stop()

    def __enter__(self):
        self._check()
        return self

    def __exit__(self, *exc):
        self.terminate()  # as CPython's Pool: leaving the with block terminates it


