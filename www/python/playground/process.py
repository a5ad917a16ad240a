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
import signal
import sys
import types

from . import harness, pool, queues, slate

# Bound at import, as multiprocessing binds its own pickler's.
_dumps, _loads = pickle.dumps, pickle.loads

#: Each process's process id here: CPython's pids are the OS's; these are the page's own, one
#: per interpreter, so that a program can tell its processes apart with `os.getpid()`.
PID_BASE = 1000


#: process.js's writer into the box's print area: true when the text fit there.
_write = None


def stream(write):
    """What process.js calls once: where a job's prints go as they happen."""
    global _write
    _write = write


class _Printed(io.TextIOBase):
    """A job's stdout and stderr, line-buffered as CPython's on a terminal: each whole line goes
    to the box's print area at once, and the parent shows it while it waits, as a child's lines
    reach the terminal in CPython (two processes' lines never run into one). Once a line does
    not fit, it and everything after it wait, in order, for the reply, with the unfinished
    line."""

    def __init__(self):
        self.rest = io.StringIO()
        self.line = ""
        self.full = _write is None

    def writable(self):
        return True

    def write(self, text):
        self.line += text
        cut = self.line.rfind("\n") + 1
        if cut:
            lines, self.line = self.line[:cut], self.line[cut:]
            if not self.full:
                self.full = not _write(lines)
            if self.full:
                self.rest.write(lines)
        return len(text)

    def getvalue(self):
        """What did not go to the print area: it goes with the reply."""
        return self.rest.getvalue() + self.line


def _terminated(_signum, _frame):
    raise pool.Terminated()


def become(index):
    """This interpreter is process `index` of a pool: its spans go on that lane, and it has an
    id of its own."""
    harness.lane = index
    harness.in_process = True
    pid = PID_BASE + index + 1
    os.getpid = lambda: pid
    pool.install()
    # `Process.terminate` writes SIGTERM's number into the interrupt buffer: the target ends
    # without a traceback, with exit code -15, as the OS's signal ends CPython's child.
    signal.signal(signal.SIGTERM, _terminated)
    me = multiprocessing.current_process()
    me._identity = (index + 1,)
    me._config["authkey"] = b"page"
    me.name = f"SpawnProcess-{index + 1}"


def reply(status, value, printed="", sent=None):
    """The pickled reply, with the spans the job recorded (then forgotten) in page-clock ms."""
    off = harness.page_clock() - harness.clock() * 1000
    spans = [(t, state, a * 1000 + off, b * 1000 + off) for (t, _l, state, a, b) in harness.spans]
    harness.spans.clear()
    try:
        return _dumps((status, value, spans, printed, sent))
    except Exception as error:
        # A result that does not pickle: the future raises the pickling error, as CPython's
        # pool sends it back (`_sendback_result`).
        try:
            return _dumps(("raise", (error, harness.program_traceback(error)), spans, printed, sent))
        except Exception:
            why = f"the result could not be pickled: {error!r}"
            return _dumps(("broken", why, spans, printed, sent))


def answer(job, size):
    """What process.js calls: the reply to `job` (a Uint8Array), as a Uint8Array of at most
    `size` bytes."""
    out = _answer(job.to_bytes())
    if len(out) > size:
        why = f"a reply of {len(out)} bytes pickled; a process here sends at most {size}"
        out = _dumps(("broken", why, [], "", None))
    return harness.to_js(out)


def failure(why):
    """What process.js calls when the job itself failed: the reply that says so."""
    return harness.to_js(_dumps(("broken", why, [], "", None)))


#: The process as it was before its first program: every later import of a program (a new run on
#: a warm process, or the next child under `max_tasks_per_child`) starts from it, as a fresh
#: process would.
_pristine = None


def _answer(job):
    """Runs one job and returns its pickled reply."""
    global _pristine
    if job[:1] == pool.IMPORT_JOB:
        # Before the job's own output is captured: the slate holds the real stdout.
        if _pristine is None:
            _pristine = slate.take()
        else:
            slate.restore(_pristine)
    out = _Printed()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    try:
        if job[:1] == pool.IMPORT_JOB:
            return _import_program(job[1:], out)
        try:
            fn, args, kwargs = _loads(job[1:])
            unpickled = harness.page_clock()
            try:
                value = fn(*args, **kwargs)
                status = "ok"
            except BaseException as error:
                value = (error, harness.program_traceback(error))
                status = "raise"
        finally:
            # The job's pipe handles close with it, as a process's close when it exits.
            queues.release_inherited()
        sent_at = harness.page_clock()
        return reply(status, value, out.getvalue(), (unpickled, sent_at))
    finally:
        sys.stdout, sys.stderr = saved


def _import_program(job, out):
    """Imports the program as `__mp_main__` (CPython's bootstrapping phase: a pool started
    without the `__main__` guard fails here, as in CPython), then runs the pool's initializer."""
    start = harness.clock()
    code, init = _loads(job)
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
            initializer, initargs = _loads(init)
            initializer(*initargs)
    except BaseException as error:
        name = multiprocessing.current_process().name
        return reply("broken", f"Process {name}:\n" + harness.program_traceback(error), out.getvalue())
    finally:
        pool.bootstrapping = False
        multiprocessing.current_process()._inheriting = False
    harness.spans.append((harness.TASK_LANE, harness.lane, harness.STARTUP, start, harness.clock()))
    return reply("ok", None, out.getvalue())
