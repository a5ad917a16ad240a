"""`multiprocessing`'s `Queue`, `SimpleQueue`, `JoinableQueue` and `Pipe` between the page's
processes, as CPython's behave under the spawn start method.

CPython's are an OS pipe with a lock and a semaphore; the page's processes are CPythons in
workers that share no pipe, so each channel here is a slot of one arena of shared memory that
the page's CPython and every process of its pool map (www/python/queues.js): a ring of pickled
items. A queue goes to a process the way CPython's does, inherited through `Process(args=...)`;
pickled otherwise (as a pool task's argument) it raises CPython's `RuntimeError`. A connection of
a pipe may travel anywhere, and knows how many handles are open on the other end, so that `recv`
raises `EOFError` once every one is closed (a process's handles close when its target ends).

Waiting: a process blocks on the slot (its worker runs nothing else). The page's CPython waits
in slices of 20 ms, and between them its pools run (a `Process` started just before `q.get()`
still has to be handed its target) and, while the program has other threads, the GIL goes to
them, as CPython releases it in a blocking call.

As in CPython, `put` pickles the item later and elsewhere (CPython's feeder thread): an item
that does not pickle is reported with its traceback on stderr and dropped, and `put` returns.
"""

import pickle
import sys
import traceback

from . import harness, threads

#: How long one wait of the page's CPython lasts before its pools run and Stop is read, ms.
SLICE_MS = 20
#: `multiprocessing`'s semaphore limit: the size of a queue made without `maxsize`.
SEM_VALUE_MAX = 2**31 - 1
WHY_NO_ARENA = (
    "multiprocessing queues and pipes need a cross-origin isolated page here: its processes "
    "share them through shared memory. Open the playground in its own tab."
)
WHY_FULL = (
    "the page has {slots} queues and pipe directions for one run, all open: each is a slot of "
    "shared memory between its processes"
)

_dumps, _loads = pickle.dumps, pickle.loads
_channels = None
#: True while a `Process` is being sent to its process (CPython's "spawning"): only then may a
#: queue be pickled.
spawning = False
#: The pipe handles this process got with its job: closed when the job ends, as a process's
#: handles close when it exits.
_inherited = []
#: Counts the page's runs: a connection of an earlier run (collected late, in this one) closes
#: nothing, its slot being another channel's now.
_generation = 0
#: Queues without a size whose items did not fit in their slot yet, in order: CPython's `put`
#: returns at once (its feeder thread holds what the pipe cannot take); here the page's CPython
#: holds them and moves them in whenever it waits.
_held = []


def _ch():
    global _channels
    if _channels is None:
        try:
            import _queues  # the arena's calls, registered by pool.js or process.js
        except ImportError:
            raise NotImplementedError(WHY_NO_ARENA) from None
        _channels = _queues
    return _channels


def reset():
    """A new run: no channel of the last one is open (the page's CPython calls it)."""
    global _generation
    _generation += 1
    try:
        _ch().reset()
    except NotImplementedError:
        pass
    _inherited.clear()
    _held.clear()


def flush():
    """Moves the held items of unsized queues into their slots, in order, as far as they fit."""
    for q in list(_held):
        while q._pending and _ch().put(q._slot, harness.to_js(q._pending[0]), q._maxsize, 0) == 1:
            q._pending.pop(0)
        if not q._pending:
            _held.remove(q)


def _drive():
    """In the page's CPython: what a look at a queue does first (the pools run, so that a
    `Process` started before a polling loop is handed its target; held items move in)."""
    if not harness.in_process:
        from . import pool

        flush()
        pool.run_pools()


def release_inherited():
    """A process's job ended: the pipe handles it was given are closed."""
    while _inherited:
        _inherited.pop().close()


def _open():
    slot = _ch().open()
    if slot < 0:
        raise OSError(WHY_FULL.format(slots=_ch().slots))
    return slot


def _wait(call, done, timeout):
    """Calls `call(ms)` (a channel call that waits at most `ms`) until `done(answer)`, or until
    `timeout` seconds passed (None: no limit); returns the last answer. In the page's CPython
    the waits are slices, with its pools run and other threads given the GIL between them."""
    deadline = None if timeout is None else harness.clock() + max(0.0, timeout)
    while True:
        left = SLICE_MS if deadline is None else max(0.0, min(SLICE_MS, (deadline - harness.clock()) * 1000))
        others = not harness.in_process and threads.others_alive()
        answer = call(0 if others else left)
        if done(answer):
            return answer
        if not harness.in_process:
            _drive()
            if others:
                threads.wait_outside(0.002)
        if deadline is not None and harness.clock() >= deadline:
            return answer


def _queue_module():
    """The `queue` module the program sees: each run imports its own (on the run's threads), and
    its `Empty` and `Full` are the ones a program catches."""
    import queue

    return sys.modules.get("queue", queue)


def pickled_at_spawn(obj):
    """`obj` pickled as a `Process` (or a pool's initializer) is sent to its process: the one
    moment a queue may be pickled, and a pipe's end becomes the child's."""
    global spawning
    spawning = True
    try:
        return _dumps(obj)
    finally:
        spawning = False


def _assert_spawning(obj):
    if not spawning:
        raise RuntimeError(
            f"{type(obj).__name__} objects should only be shared between processes through inheritance"
        )


class Queue:
    """`multiprocessing.Queue` (see the module's text)."""

    _joinable = False

    def __init__(self, maxsize=0, *, ctx=None):
        self._maxsize = maxsize if maxsize > 0 else SEM_VALUE_MAX
        self._slot = _open()
        self._closed = False
        self._pending = []

    def __reduce__(self):
        _assert_spawning(self)
        return (_attach_queue, (type(self), self._slot, self._maxsize))

    def put(self, obj, block=True, timeout=None):
        if self._closed:
            raise ValueError(f"Queue {self!r} is closed")
        try:
            data = _dumps(obj)
        except Exception:
            # CPython's feeder thread pickles it, prints the error and drops the item.
            traceback.print_exc()
            return
        if self._maxsize == SEM_VALUE_MAX and not harness.in_process:
            # Never full, as CPython's: what the slot cannot take now waits here, in order.
            if len(data) + 4 > _ch().capacity:
                raise ValueError(f"an item of {len(data)} bytes pickled; a queue here holds at most {_ch().capacity - 4}")
            if self._pending or _ch().put(self._slot, harness.to_js(data), self._maxsize, 0) != 1:
                self._pending.append(data)
                if self not in _held:
                    _held.append(self)
            return
        answer = _wait(
            lambda ms: _ch().put(self._slot, harness.to_js(data), self._maxsize, ms),
            lambda a: a != 0,
            timeout if block else 0,
        )
        if answer < 0:
            raise ValueError(f"an item of {len(data)} bytes pickled; a queue here holds at most {_ch().capacity - 4}")
        if answer == 0:
            raise _queue_module().Full

    def get(self, block=True, timeout=None):
        if self._closed:
            raise ValueError(f"Queue {self!r} is closed")
        item = _wait(lambda ms: _ch().get(self._slot, ms), lambda a: a is not None, timeout if block else 0)
        if item is None:
            raise _queue_module().Empty
        return _loads(item.to_bytes())

    def put_nowait(self, obj):
        return self.put(obj, False)

    def get_nowait(self):
        return self.get(False)

    def qsize(self):
        _drive()
        return _ch().size(self._slot) + len(getattr(self, "_pending", ()))

    def empty(self):
        return self.qsize() == 0

    def full(self):
        return self.qsize() >= self._maxsize

    def close(self):
        self._closed = True

    def join_thread(self):
        if not self._closed:
            raise AssertionError(f"Queue {self!r} not closed")

    def cancel_join_thread(self):
        pass


class JoinableQueue(Queue):
    """`multiprocessing.JoinableQueue`: `task_done` and `join` over the slot's unfinished count."""

    def task_done(self):
        if _ch().taskDone(self._slot) < 0:
            raise ValueError("task_done() called too many times")

    def join(self):
        _wait(lambda ms: _ch().joined(self._slot, ms), bool, None)


class SimpleQueue:
    """`multiprocessing.SimpleQueue`: `put`, `get`, `empty`, `close`."""

    def __init__(self, *, ctx=None):
        self._slot = _open()
        self._closed = False

    def __reduce__(self):
        _assert_spawning(self)
        return (_attach_queue, (type(self), self._slot, SEM_VALUE_MAX))

    def _check(self):
        if self._closed:
            raise OSError("handle is closed")

    def put(self, obj):
        self._check()
        data = _dumps(obj)
        _wait(lambda ms: _ch().put(self._slot, harness.to_js(data), SEM_VALUE_MAX, ms), lambda a: a != 0, None)

    def get(self):
        self._check()
        return _loads(_wait(lambda ms: _ch().get(self._slot, ms), lambda a: a is not None, None).to_bytes())

    def empty(self):
        _drive()
        return _ch().size(self._slot) == 0

    def close(self):
        self._closed = True


def _attach_queue(cls, slot, maxsize):
    """A queue unpickled in a process: the same slot."""
    q = cls.__new__(cls)
    q._slot, q._closed = slot, False
    if cls is not SimpleQueue:
        q._maxsize, q._pending = maxsize, []
    return q


for _cls in (Queue, JoinableQueue, SimpleQueue):
    # What `type(q)` and `repr(q)` say in CPython.
    _cls.__module__ = "multiprocessing.queues"


def Pipe(duplex=True):
    """`multiprocessing.Pipe`: two connections; one way (reader, writer) when not `duplex`."""
    ch = _ch()
    if duplex:
        a = _open()
        try:
            b = _open()
        except OSError:
            ch.free(a)
            raise
        ends = (Connection(b, a, a, 0), Connection(a, b, a, 1))
    else:
        s = _open()
        ends = (Connection(s, None, s, 0), Connection(None, s, s, 1))
    ch.ends(ends[0]._pipe, 0, 1)
    ch.ends(ends[0]._pipe, 1, 1)
    return ends


class Connection:
    """A pipe's end: `send`/`recv` pickled objects, `send_bytes`/`recv_bytes`, `poll`, `close`.
    `recv` on an empty pipe whose other end has no open handle raises `EOFError`."""

    def __init__(self, recv, send, pipe, end):
        self._recv, self._send, self._pipe, self._end = recv, send, pipe, end
        self._closed = False
        self._generation = _generation

    def __reduce__(self):
        if self._closed:
            raise OSError("handle is closed")
        # Sent with a Process, the handle is the child's from now on (CPython duplicates it at
        # spawn): counted here, so that the parent closing its own copy at once is no EOF.
        if spawning:
            _ch().ends(self._pipe, self._end, 1)
        return (_attach_connection, (self._recv, self._send, self._pipe, self._end, spawning))

    @property
    def closed(self):
        return self._closed

    @property
    def readable(self):
        return self._recv is not None

    @property
    def writable(self):
        return self._send is not None

    def _check(self, reading):
        if self._closed:
            raise OSError("handle is closed")
        if reading and self._recv is None:
            raise OSError("connection is write-only")
        if not reading and self._send is None:
            raise OSError("connection is read-only")

    def send_bytes(self, buf, offset=0, size=None):
        self._check(False)
        data = bytes(memoryview(buf))
        if offset < 0:
            raise ValueError("offset is negative")
        if len(data) < offset:
            raise ValueError("buffer length < offset")
        size = len(data) - offset if size is None else size
        if size < 0:
            raise ValueError("size is negative")
        if offset + size > len(data):
            raise ValueError("buffer length < offset + size")
        self._put(data[offset : offset + size])

    def send(self, obj):
        self._check(False)
        self._put(_dumps(obj))

    def _put(self, data):
        if _ch().endsOpen(self._pipe, 1 - self._end) <= 0:
            raise BrokenPipeError(32, "Broken pipe")
        answer = _wait(lambda ms: _ch().put(self._send, harness.to_js(data), SEM_VALUE_MAX, ms), lambda a: a != 0, None)
        if answer < 0:
            raise ValueError(f"a message of {len(data)} bytes; a pipe here carries at most {_ch().capacity - 4}")

    def _get(self):
        ch = _ch()
        other = 1 - self._end

        def attempt(ms):
            item = ch.get(self._recv, ms)
            if item is None and ch.endsOpen(self._pipe, other) <= 0 and ch.size(self._recv) == 0:
                return EOFError
            return item

        item = _wait(attempt, lambda a: a is not None, None)
        if item is EOFError:
            raise EOFError
        return item.to_bytes()

    def recv_bytes(self, maxlength=None):
        self._check(True)
        if maxlength is not None and maxlength < 0:
            raise ValueError("negative maxlength")
        data = self._get()
        if maxlength is not None and len(data) > maxlength:
            self.close()
            raise OSError("bad message length")
        return data

    def recv(self):
        self._check(True)
        return _loads(self._get())

    def poll(self, timeout=0.0):
        self._check(True)
        # True at end of file too, as CPython's: a recv would not block (it raises EOFError).
        ch, other = _ch(), 1 - self._end
        return bool(_wait(lambda ms: ch.poll(self._recv, ms) or ch.endsOpen(self._pipe, other) <= 0, bool, timeout))

    def fileno(self):
        raise OSError("a pipe's end here has no file descriptor: the page's processes share no OS pipes")

    def close(self):
        if not self._closed:
            self._closed = True
            if self._generation != _generation and not harness.in_process:
                return  # an earlier run's: its slot is another channel's now
            ch = _ch()
            ch.ends(self._pipe, self._end, -1)
            # The other end waits on the slot this end sends into.
            if self._send is not None:
                ch.touch(self._send)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        # As CPython's, a connection nobody holds is closed (its handle, the OS's, goes away).
        try:
            if not self._closed and _channels is not None:
                self.close()
        except Exception:
            pass


Connection.__module__ = "multiprocessing.connection"


def _attach_connection(recv, send, pipe, end, counted=False):
    """A connection unpickled (in a process, most often): one more handle on its end (counted
    already when it came with a Process)."""
    c = Connection(recv, send, pipe, end)
    if not counted:
        _ch().ends(pipe, end, 1)
    from . import pool

    # A pool's initializer's handles live as long as the process; a job's close with it.
    if harness.in_process and not pool.bootstrapping:
        _inherited.append(c)
    return c


def install(multiprocessing):
    """Puts these in `multiprocessing`'s place, for a run (or a process)."""
    import multiprocessing.connection
    import multiprocessing.queues

    multiprocessing.Queue = Queue
    multiprocessing.JoinableQueue = JoinableQueue
    multiprocessing.SimpleQueue = SimpleQueue
    multiprocessing.Pipe = Pipe
    multiprocessing.queues.Queue = Queue
    multiprocessing.queues.JoinableQueue = JoinableQueue
    multiprocessing.queues.SimpleQueue = SimpleQueue
    multiprocessing.connection.Pipe = Pipe


__all__ = ["Queue", "JoinableQueue", "SimpleQueue", "Pipe", "Connection"]
