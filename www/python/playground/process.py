"""The process side of the page's pool: what a process's CPython runs (process.js calls it).

A process first becomes process `index` (`become`: its lane, its pid, its name), then answers
jobs, each written by the parent's pool (pool.py) into the process's box: the first imports the
program as `__mp_main__`, as CPython's `spawn` does; each later one is a pickled call. Every
reply is a pickle of (status, value, spans, printed, sent): "ok" with the value, "raise" with
(exception, traceback), or "broken" with why; the `timed` spans the job recorded, in page-clock
ms; what it printed; and, for a call, when it was unpickled and when its reply was (the copies).
"""

import io
import multiprocessing
import os
import pickle
import sys
import time
import types

from . import harness, pool

#: Each process's process id here: CPython's pids are the OS's; these are the page's own, one
#: per interpreter, so that a program can tell its processes apart with `os.getpid()`.
PID_BASE = 1000


def become(index):
    """This interpreter is process `index` of a pool: its spans go on that lane, and it has an
    id of its own."""
    harness.lane = index
    harness.in_process = True
    pid = PID_BASE + index + 1
    os.getpid = lambda: pid
    pool.install()
    me = multiprocessing.current_process()
    me._identity = (index + 1,)
    me._config["authkey"] = b"page"
    me.name = f"SpawnProcess-{index + 1}"


def reply(status, value, printed="", sent=None):
    """The pickled reply, with the spans the job recorded (then forgotten) in page-clock ms."""
    off = harness.page_clock() - time.perf_counter() * 1000
    spans = [(t, state, a * 1000 + off, b * 1000 + off) for (t, _l, state, a, b) in harness.spans]
    harness.spans.clear()
    try:
        return pickle.dumps((status, value, spans, printed, sent))
    except Exception as error:
        # A result that does not pickle: the future raises the pickling error, as CPython's
        # pool sends it back (`_sendback_result`).
        try:
            return pickle.dumps(("raise", (error, harness.program_traceback(error)), spans, printed, sent))
        except Exception:
            why = f"the result could not be pickled: {error!r}"
            return pickle.dumps(("broken", why, spans, printed, sent))


def answer(job, size):
    """What process.js calls: the reply to `job` (a Uint8Array), as a Uint8Array of at most
    `size` bytes."""
    out = _answer(job.to_bytes())
    if len(out) > size:
        why = f"a reply of {len(out)} bytes pickled; a process here sends at most {size}"
        out = pickle.dumps(("broken", why, [], "", None))
    return pool.to_js(out)


def failure(why):
    """What process.js calls when the job itself failed: the reply that says so."""
    return pool.to_js(pickle.dumps(("broken", why, [], "", None)))


def _answer(job):
    """Runs one job and returns its pickled reply."""
    out = io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    try:
        if job[:1] == pool.IMPORT_JOB:
            return _import_program(job[1:], out)
        fn, args, kwargs = pickle.loads(job[1:])
        unpickled = harness.page_clock()
        try:
            value = fn(*args, **kwargs)
            status = "ok"
        except BaseException as error:
            value = (error, harness.program_traceback(error))
            status = "raise"
        sent_at = harness.page_clock()
        return reply(status, value, out.getvalue(), (unpickled, sent_at))
    finally:
        sys.stdout, sys.stderr = saved


def _import_program(job, out):
    """Imports the program as `__mp_main__` (CPython's bootstrapping phase: a pool started
    without the `__main__` guard fails here, as in CPython), then runs the pool's initializer."""
    start = time.perf_counter()
    code, init = pickle.loads(job)
    module = types.ModuleType("__mp_main__")
    module.__file__ = harness.FILENAME
    harness.show_program(code)
    sys.modules["__mp_main__"] = module
    sys.modules["__main__"] = module  # functions pickled as __main__.f are found here
    pool.bootstrapping = True
    multiprocessing.current_process()._inheriting = True
    try:
        exec(compile(code, harness.FILENAME, "exec"), module.__dict__)
        if init:
            # Unpickled only now: it is the program's own function, found in `__mp_main__`.
            initializer, initargs = pickle.loads(init)
            initializer(*initargs)
    except BaseException as error:
        name = multiprocessing.current_process().name
        return reply("broken", f"Process {name}:\n" + harness.program_traceback(error), out.getvalue())
    finally:
        pool.bootstrapping = False
        multiprocessing.current_process()._inheriting = False
    harness.spans.append((harness.TASK_LANE, harness.lane, harness.STARTUP, start, time.perf_counter()))
    return reply("ok", None, out.getvalue())
