"""Schedules of the page's CPython threads as data: the learner picks the next thread
(`schedule=you`), a recorded schedule replays (`steps`), and the page searches for a schedule
that changes the program's result or deadlocks (`schedule=search`).

threads.py runs one thread at a time; here the choice of which runs next is taken from the GIL's
clock and given to a chooser. A *step* is one line of the program's own code, or one bytecode
instruction of it (`step=instruction`, so that `counter += 1` splits between its load and its
store); the standard library (`threading`, `queue`) runs inside the step that called it. A
`sys.monitoring` callback on the program's code (LINE or INSTRUCTION events) marks each step.

A *choice point* is a moment at which more than one thread could take the next step: after a
step of the running thread while another is runnable, or when the running thread blocks or ends.
Only choice points are picks (a single runnable thread just runs on), so a schedule is the list
of the threads picked at its choice points, each thread numbered by start order (the main thread
0). Exactness rules, which docs/url.md states for a reader:

- Time is virtual: `time.sleep`, timeouts and `threading.Timer` advance a clock that starts at 0
  and moves only when a thread whose wait has a deadline is picked (or is the only one left);
  `time.time()`, `monotonic()` and `perf_counter()` read it. Nothing waits for the wall clock.
- `random` is seeded with 0 at the start; string hashing is fixed for the interpreter's life
  (Pyodide starts with `PYTHONHASHSEED=0`, see interpreter.js).
- A run starts from a clean interpreter state (harness.py's slate), each try of a search too.
"""

import builtins
import contextvars
import dis
import io
import random
import re
import sys
import time
import types
from collections import deque

from . import harness, threads

#: What one step is.
LINE = "line"
INSTRUCTION = "instruction"
#: The most picks a schedule holds.
MAX_PICKS = 10_000
#: The most characters a link's `steps` takes (the stepping page checks the same bound,
#: stepping-page.js's `MAX_STEPS_CHARS`).
MAX_STEPS_CHARS = 2_000
#: The most steps one stepped run takes: a loop that never ends stops here, with its reason.
MAX_STEPS = 200_000
#: The `sys.monitoring` tool id of the scheduler (threads.py's hook takes 4; debuggers 0-2,
#: coverage 1, profilers 2: 5 is free).
TOOL = 5
#: Preemptions a search allows in one schedule by default (and at most), and the most tries it
#: makes.
BOUND = 1
MAX_BOUND = 3
MAX_TRIES = 1_000
#: A search's wall-clock budget, seconds (one of every schedule's, which runs each state's
#: branches, twice that): past it, it says how far it got.
SEARCH_SECONDS = 60.0

#: Instructions that touch nothing another thread can see: a preemption just before one is the
#: same schedule as one just after, so the search does not preempt there (a partial-order
#: reduction). Everything else (globals, attributes, items, calls, in-place operators) is visible.
_LOCAL = frozenset(
    {
        "LOAD_FAST", "LOAD_FAST_BORROW", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR", "LOAD_FAST_LOAD_FAST",
        "LOAD_FAST_BORROW_LOAD_FAST_BORROW", "STORE_FAST", "STORE_FAST_LOAD_FAST", "STORE_FAST_STORE_FAST",
        "LOAD_CONST", "LOAD_SMALL_INT", "RESUME", "NOP", "NOT_TAKEN", "POP_TOP", "PUSH_NULL", "COPY", "SWAP",
        "JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "POP_JUMP_IF_TRUE", "POP_JUMP_IF_FALSE",
        "POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE", "TO_BOOL", "COMPARE_OP", "IS_OP", "END_FOR", "POP_ITER",
        "EXTENDED_ARG", "CACHE", "RETURN_VALUE", "RETURN_CONST", "UNARY_NOT", "UNARY_NEGATIVE", "BUILD_TUPLE",
        "MAKE_CELL", "COPY_FREE_VARS",
    }
)
#: `BINARY_OP`'s in-place operators (`+=` and its kin may change a shared object in place).
_INPLACE = frozenset(range(13, 26))
#: The most objects a state's fingerprint walks (`fingerprint`): a state past it is never
#: taken for another.
FINGERPRINT_OBJECTS = 20_000
#: One run of a schedule as a link writes it: a thread's letter and an optional count.
_RUN = re.compile(r"([a-z])(\d*)")


def encode_steps(picks):
    """A schedule as a link writes it (`steps`): thread 0 as `a`, thread 1 as `b`, …, a run of
    the same thread as its letter and the run's length: [1, 1, 1, 0, 2] is "b3ac"."""
    out = []
    i = 0
    while i < len(picks):
        j = i
        while j < len(picks) and picks[j] == picks[i]:
            j += 1
        out.append(chr(ord("a") + min(picks[i], 25)) + (str(j - i) if j - i > 1 else ""))
        i = j
    return "".join(out)


def decode_steps(text):
    """The picks of a link's `steps`; ValueError, in words, for what is no schedule."""
    if len(text) > MAX_STEPS_CHARS:
        raise ValueError(f"the recorded schedule has {len(text)} characters, more than the {MAX_STEPS_CHARS} a link carries")
    picks = []
    for letter, count in _runs(text):
        picks.extend([ord(letter) - ord("a")] * count)
        if len(picks) > MAX_PICKS:
            raise ValueError(f"the recorded schedule has more than {MAX_PICKS} picks, the most a run takes")
    return picks


def _runs(text):
    """(letter, count) of each run in `text`."""
    at = 0
    while at < len(text):
        match = _RUN.match(text, at)
        if match is None:
            raise ValueError(f"the recorded schedule holds {text[at]!r}: it is written with letters and run lengths")
        count = int(match.group(2)) if match.group(2) else 1
        if not 1 <= count <= MAX_PICKS:
            raise ValueError(f"the recorded schedule repeats a thread {count} times: at most {MAX_PICKS} picks fit")
        yield match.group(1), count
        at = match.end()


class Mismatch(Exception):
    """A recorded schedule does not fit the program (it was recorded for other code)."""


class Stepper:
    """The chooser of one run: picks from a recorded prefix, then from the learner (`ask`) or,
    without one, by the default policy (the running thread runs on; when it blocks or ends, the
    lowest-numbered runnable thread runs)."""

    def __init__(self, step, code, picks=(), ask=None, seen=None):
        self.step = step
        #: The program's compiled module: its code objects are the ones stepped.
        self.code = code
        self.prefix = list(picks)[:MAX_PICKS]
        self.ask = ask
        #: The picks made at choice points (thread numbers), the prefix's first.
        self.made = []
        #: For the search, at each choice point: (the pickable threads' numbers, the running
        #: thread's number if it could run on, else None, whether its next step is visible,
        #: whether the exhaustive search branches there).
        self.points = []
        #: The exhaustive search's states seen so far, by fingerprint (shared by its tries):
        #: None when not tracked (a stepped run, a bounded search, or once this try reached a
        #: state another try had reached: from there it runs as that one did).
        self.seen = seen
        #: The program's code objects (`program_codes`): the ones stepped, and the frames a
        #: state's fingerprint reads.
        self.codes = frozenset(program_codes(code))
        #: Each thread's innermost frame of the program's, as of its last step (kept while the
        #: exhaustive search compares states).
        self.frames = {}
        #: What the run printed so far (a search's try keeps it here).
        self.out = None
        #: The virtual clock, seconds.
        self.clock = 0.0
        self.steps = 0
        #: Who stored each global: name -> set of thread numbers (a write by two is shared).
        self.writers = {}
        self.module = None

    # --- step points ----------------------------------------------------------------------

    def at_step(self, code, where):
        """The running thread reached a step of the program's code: it takes it, or another
        thread is picked. `where` is a line number or an instruction's offset."""
        run = threads._run
        me = run.current
        if me is None or run.stopping:
            return
        me.at = _effects(code, where, self.step)
        if self.seen is not None:
            frame = sys._getframe(1)
            while frame is not None and frame.f_code is not code:
                frame = frame.f_back
            self.frames[number(me)] = frame
        writes = me.at[2]
        me.taken += 1
        if me.owes_step:
            me.owes_step = False
        else:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise RuntimeError(f"the stepped run took {MAX_STEPS} steps without ending (the page's limit)")
            self.choose(me, runnable=True)
        for name in writes:
            self.writers.setdefault(name, set()).add(number(me))

    def choose(self, me, runnable):
        """A choice of the next thread to run: `me` is the running thread, which could take its
        next step (`runnable`) or has blocked or ended. Hands the GIL over if another is picked;
        the caller suspends `me` if it is not runnable, unless this returns True (`me` was
        waiting with a deadline and is picked: it runs on)."""
        run = threads._run
        options = self.pickable(me if runnable else None)
        me_waiting = me if me is not None and not runnable and me in options else None
        if not options:
            run.current = None
            threads._check_deadlock()
            return False
        if len(options) == 1:
            chosen = options[0]
        else:
            chosen = self.pick(options, me if runnable else None)
        if chosen is me:
            return False
        if chosen is me_waiting:
            # Its own wait's deadline, picked: the clock moves on, and it runs on at once.
            self.clock = max(self.clock, me.deadline)
            threads._expire()
            run.ready.remove(me)
            run.current = me
            me.state = "running"
            me.owes_step = True
            threads._log(me, "acquire")
            return True
        if chosen.state == "blocked":
            # A wait with a deadline, picked: the clock moves on to its deadline.
            self.clock = max(self.clock, chosen.deadline)
            threads._expire()
        if runnable:
            me.state = "ready"
            run.ready.append(me)
            threads._let_go(me, forced=True)
        run.ready.remove(chosen)
        chosen.owes_step = True
        threads._hand(chosen)
        if runnable:
            # Its wait for the GIL starts at this hand-over, as after a forced switch.
            me.ready_since = threads._now()
            threads._suspend(me)
            # Resumed in its step's callback, in the program's code: inside no primitive.
            threads._busy = False
        return False

    def pickable(self, me):
        """The threads that could take the next step, by number: the running one (if it can),
        the ready ones, and those whose wait has a deadline (picking one moves the clock)."""
        run = threads._run
        out = [t for t in run.threads.values() if t.state == "ready" or t is me]
        out += [t for t in run.threads.values() if t.state == "blocked" and t.deadline is not None]
        return sorted(out, key=number)

    def pick(self, options, me):
        """The thread picked at a choice point among `options`."""
        numbers = [number(t) for t in options]
        index = len(self.made)
        if index < len(self.prefix):
            wanted = self.prefix[index]
            if wanted not in numbers:
                raise Mismatch(
                    f"the schedule's pick {index + 1} is thread {wanted}, which cannot run there "
                    f"(threads that could: {', '.join(map(str, numbers))}): it was recorded for other code"
                )
        elif self.ask is not None:
            wanted = self.ask(self.state(options, me))
            while wanted not in numbers:  # a thread that cannot run now: the page asks again
                wanted = self.ask(self.state(options, me))
        else:
            wanted = default_pick(options, me)
        tracked = self.seen is not None and index >= len(self.prefix)
        if tracked:
            state = self.fingerprint(me)
            if state in self.seen:
                self.seen, tracked = None, False
            else:
                self.seen.add(state)
        if len(self.made) >= MAX_PICKS:
            raise RuntimeError(f"the schedule reached {MAX_PICKS} picks (the page's limit)")
        self.made.append(wanted)
        visible = me is not None and me.at is not None and (me.at[0] or not _holds(me.at[4], self.globals()))
        self.points.append((numbers, number(me) if me is not None else None, visible, tracked))
        return next(t for t in options if number(t) == wanted)

    def fingerprint(self, me):
        """The run's state at a choice point, as the exhaustive search compares states: what was
        printed, the clock, each thread's state, steps taken, next step and locals (its frames of
        the program's), which thread runs, and the program's globals, all by value (objects by
        their attributes, shared objects as shared). Two schedules that reach the same state go
        on alike, so the search follows one of them. A state it cannot read whole (an object it
        cannot look into, or one too big) is a state of its own."""
        run = threads._run
        memo = {}
        budget = [FINGERPRINT_OBJECTS]
        try:
            parts = [self.out.getvalue() if self.out is not None else "", self.clock, number(me) if me is not None else None]
            for t in sorted(run.threads.values(), key=number):
                frames = []
                frame = self.frames.get(number(t))
                while frame is not None and frame.f_code in self.codes:
                    frames.append((frame.f_code.co_qualname, frame.f_lineno, _value(dict(frame.f_locals), memo, budget)))
                    frame = frame.f_back
                parts.append((number(t), t.state, t.taken, t.at, t.deadline, t.what, tuple(frames)))
            module = {k: v for k, v in self.globals().items() if not k.startswith("__")}
            parts.append(_value(module, memo, budget))
            return tuple(parts)
        except _Unreadable:
            return object()

    # --- what the page shows ----------------------------------------------------------------

    def state(self, options, me):
        """The paused run as the page shows it: every thread's state, line and what its next
        step reads and writes, the shared globals' values, the picks so far."""
        run = threads._run
        names = threads._names()
        pickable = {number(t) for t in options}
        shown = []
        touched = set()
        for t in sorted(run.threads.values(), key=number):
            line, reads, writes = None, (), ()
            if t.state in ("blocked", "done", "abandoned"):
                line = t.line
            elif t.at is not None:
                _visible, reads, writes, line, _owned = t.at
                reads = [n for n in reads if self.shared(n)]
                writes = [n for n in writes if self.shared(n)]
            if t.state == "ready" and t.at is None:
                state = "new"
            elif t is me or t.state == "ready":
                state = "runnable"
            elif t.state == "blocked":
                state = "sleeping" if t.what == "time.sleep" else "waiting"
            else:
                state = "finished"
            touched.update(reads, writes)
            shown.append(
                {
                    "thread": number(t),
                    "name": names.get(t.ident, t.name),
                    "state": state,
                    "line": line,
                    "what": describe_wait(t) if t.state == "blocked" else None,
                    "reads": list(reads),
                    "writes": list(writes),
                    "pickable": number(t) in pickable,
                    "taken": t.taken,
                }
            )
        module = self.globals()
        values = {n: _short_repr(module[n]) for n in sorted(touched) if n in module}
        return {
            "picks": list(self.made),
            # What Back replays: every pick but the last, as a link writes them.
            "back": encode_steps(self.made[:-1]),
            "steps": self.steps,
            "clock": self.clock,
            "running": number(me) if me is not None else None,
            "threads": shown,
            "globals": values,
        }

    def globals(self):
        """The program's globals (its module's namespace)."""
        return self.module.__dict__ if self.module is not None else {}

    def shared(self, name):
        """Whether a global is data the program's threads share (not a function, class or
        module, nor a name the program never bound)."""
        module = self.globals()
        return name in module and is_data(module[name])


class _Unreadable(Exception):
    """A state's fingerprint met what it cannot compare by value (or too much of it)."""


_SCALARS = (type(None), bool, int, float, complex, str, bytes)
try:
    from pyodide.ffi import JsProxy as _JsProxy
except ImportError:  # at home
    _JsProxy = None


def _value(obj, memo, budget):
    """`obj` by value, for a state's fingerprint: the same for two objects that hold the same
    values in the same shape, shared objects written once and then referred to by their
    place (`memo`), stable from one try of a search to the next (no ids, no addresses)."""
    if isinstance(obj, _SCALARS):
        return (type(obj).__name__, obj)
    seen = memo.get(id(obj))
    if seen is not None:
        return ("ref", seen[0])
    memo[id(obj)] = (len(memo), obj)  # the object kept alive: its id stays its own
    budget[0] -= 1
    if budget[0] < 0:
        raise _Unreadable
    if isinstance(obj, threads._Thread):
        return ("thread", number(obj))
    if isinstance(obj, (list, tuple, deque)):
        return (type(obj).__name__, tuple(_value(x, memo, budget) for x in obj))
    if isinstance(obj, (set, frozenset)):
        return (type(obj).__name__, frozenset(_value(x, memo, budget) for x in obj))
    if isinstance(obj, dict):
        items = ((k, v) for k, v in obj.items() if not (isinstance(k, str) and k.startswith("__")))
        return ("dict", tuple((_value(k, memo, budget), _value(v, memo, budget)) for k, v in items))
    if isinstance(obj, range):
        return ("range", obj.start, obj.stop, obj.step)
    if isinstance(obj, contextvars.Context):  # a thread's context (Thread._context)
        return ("context", tuple((var.name, _value(v, memo, budget)) for var, v in obj.items()))
    if isinstance(obj, types.ModuleType):
        return ("module", obj.__name__)
    if isinstance(obj, (types.BuiltinFunctionType, types.MethodWrapperType, types.WrapperDescriptorType)):
        return ("builtin", getattr(obj, "__qualname__", type(obj).__name__), _value(getattr(obj, "__self__", None), memo, budget))
    if isinstance(obj, types.MethodType):
        return ("method", obj.__func__.__qualname__, _value(obj.__self__, memo, budget))
    if isinstance(obj, types.FunctionType):
        if obj.__module__ != "__main__":  # the library's: code, not the program's state
            return ("function", obj.__module__, obj.__qualname__)
        cells = tuple(_value(c.cell_contents, memo, budget) if _filled(c) else None for c in obj.__closure__ or ())
        return ("function", obj.__qualname__, id(obj.__code__), _value(obj.__defaults__, memo, budget), cells)
    if _JsProxy is not None and isinstance(obj, _JsProxy):
        raise _Unreadable("a JavaScript object")
    if isinstance(obj, type):
        if obj.__module__ == "__main__":  # the program's class: its attributes are its state
            return ("class", obj.__qualname__, _value(dict(vars(obj)), memo, budget))
        return ("class", obj.__module__, obj.__qualname__)
    if isinstance(obj, io.IOBase):
        return ("stream", type(obj).__name__)  # what a run prints is compared on its own
    state = {}
    if hasattr(obj, "__dict__"):
        state.update(vars(obj))
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(obj, name):
                state[name] = getattr(obj, name)
    if not state and not hasattr(obj, "__dict__") and type(obj).__module__ != "__main__":
        raise _Unreadable  # a C object whose state it cannot see (an iterator, a file, …)
    return ("object", type(obj).__module__, type(obj).__qualname__, _value(state, memo, budget))


def _filled(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def is_data(value):
    """Whether a value of the program's globals is its data, not code (a function, a class, a
    module)."""
    return not isinstance(value, (types.FunctionType, types.ModuleType, type, types.BuiltinFunctionType))


def number(thread):
    """A thread's number in a schedule: the main thread 0, the others by start order."""
    return thread.ident - threads.MAIN_IDENT


def default_pick(options, me):
    """The run without preemption: the running thread runs on; else the lowest-numbered thread
    that can run without the clock moving; else the earliest deadline."""
    if me is not None:
        return number(me)
    ready = [t for t in options if t.state == "ready"]
    if ready:
        return number(ready[0])
    return number(min(options, key=lambda t: (t.deadline, number(t))))


_cache = {}


def _effects(code, where, step):
    """(visible, globals read, globals written, line, the conditions under which its loops'
    ops are its own: see `_own_loops`) of the step at `where` in `code`."""
    table = _cache.get((code, step))
    if table is None:
        table = _cache[(code, step)] = _table(code, step)
    return table.get(where, (True, (), (), where if step == LINE else None, ()))


#: Containers whose iteration runs no code of the program's and changes nothing.
_CONTAINERS = (list, tuple, range, str, bytes, dict, set, frozenset)


def _own_loops(instructions):
    """The loops whose iteration touches nothing another thread can change but through a step
    that touches anything (a call, an item, an attribute): `for … in range(…)` (the call, its
    `GET_ITER` and `FOR_ITER`: a range and its iterator are the frame's own) and `for … in
    NAME` (its `GET_ITER` and `FOR_ITER`) over a built-in container. Returns offset -> the
    condition a step checks when it matters (`_holds`): `range` is the builtin, or NAME holds
    a built-in container."""
    out = {}
    for i, ins in enumerate(instructions):
        if ins.opname not in ("LOAD_GLOBAL", "LOAD_NAME"):
            continue
        k = i + 1
        if ins.argval == "range":
            while k < len(instructions) and (instructions[k].opname in _LOCAL or instructions[k].opname in ("LOAD_GLOBAL", "LOAD_NAME")):
                k += 1
            if [x.opname for x in instructions[k : k + 3]] == ["CALL", "GET_ITER", "FOR_ITER"]:
                out.update((x.offset, ("range", "range")) for x in instructions[k : k + 3])
        elif [x.opname for x in instructions[k : k + 2]] == ["GET_ITER", "FOR_ITER"]:
            out.update((x.offset, ("container", ins.argval)) for x in instructions[k : k + 2])
    return out


def _holds(conditions, module):
    """Whether every condition of a step's own loops holds in the program's globals now."""
    for what, name in conditions:
        if what == "range":
            if module.get("range", builtins.range) is not builtins.range:
                return False
        elif not isinstance(module.get(name), _CONTAINERS):
            return False
    return True


def _table(code, step):
    instructions = list(dis.get_instructions(code))
    owned = _own_loops(instructions)
    out = {}
    for ins in instructions:
        key = ins.offset if step == INSTRUCTION else ins.line_number
        if key is None:
            continue
        visible, reads, writes, _line, conditions = out.get(key, (False, (), (), ins.line_number, ()))
        op = ins.opname
        if op in ("LOAD_GLOBAL", "LOAD_NAME"):
            reads += (ins.argval,)
        elif op in ("STORE_GLOBAL", "STORE_NAME", "DELETE_GLOBAL", "DELETE_NAME"):
            writes += (ins.argval,)
        own = owned.get(ins.offset)
        if own is not None and own not in conditions:
            conditions += (own,)
        seen = op not in _LOCAL and not (op == "BINARY_OP" and ins.arg not in _INPLACE) and own is None
        out[key] = (visible or seen, reads, writes, ins.line_number, conditions)
    if len(_cache) > 512:
        _cache.clear()
    return out


def _short_repr(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- waits, owners and the deadlock's cycle ---------------------------------------------------


def name_of(obj):
    """The program's global name for a lock, a condition or a queue, or what it is."""
    module = sys.modules.get("__main__")
    found = None
    for name, value in list(getattr(module, "__dict__", {}).items()):
        if name.startswith("__"):
            continue
        if value is obj or getattr(value, "_block", None) is obj or getattr(value, "_lock", None) is obj:
            return name
        waiters = getattr(value, "_waiters", None)
        if found is None and waiters is not None and obj in list(waiters):
            found = f"{name} (a Condition)"
        for part in ("not_empty", "not_full", "all_tasks_done"):
            cond = getattr(value, part, None)
            if cond is not None and obj in list(getattr(cond, "_waiters", ())):
                found = f"{name}.{part}"
    return found


def describe_wait(thread):
    """What a blocked thread waits for, in words with the program's names."""
    on = thread.on
    if isinstance(on, threads.LockType):
        holder = on._holder
        name = name_of(on)
        if holder is thread:
            return f"waiting on {name or 'a condition'} (for a notify)"
        if holder is not None and holder.state != "done":
            return f"waiting for {name or 'a lock'}, held by {_name(holder)}"
        return f"waiting for {name or 'a lock'}"
    if isinstance(on, threads._ThreadHandle):
        target = threads._run.threads.get(on.ident)
        return f"joining {_name(target) if target else 'a thread'}"
    if thread.what == "time.sleep":
        return f"sleeping until t={thread.deadline:.3f} s"
    return thread.what


def _name(thread):
    return threads._names().get(thread.ident, thread.name)


def cycle():
    """The deadlock's cycle, if the blocked threads form one: each thread of it with the locks of
    the cycle it holds and what it waits for, as (thread name, [held lock names], waited name)."""
    run = threads._run
    if run is None:
        return []
    edges = {}
    for t in run.threads.values():
        on = t.on
        if t.state != "blocked":
            continue
        if isinstance(on, threads.LockType) and on._holder is not None and on._holder is not t:
            edges[t] = (on._holder, on)
        elif isinstance(on, threads._ThreadHandle) and on.ident in run.threads:
            edges[t] = (run.threads[on.ident], on)
    for start in edges:
        path, at = [], start
        while at in edges and at not in path:
            path.append(at)
            at = edges[at][0]
        if at in path:
            ring = path[path.index(at):]
            out = []
            for t in ring:
                waited = edges[t][1]
                holds = [
                    name_of(edges[u][1]) or "a lock"
                    for u in ring
                    if isinstance(edges[u][1], threads.LockType) and edges[u][1]._holder is t
                ]
                if isinstance(waited, threads.LockType):
                    what = name_of(waited) or "a lock"
                else:
                    what = f"the end of {_name(edges[t][0])}"
                out.append((_name(t), holds, what))
            return out
    return []


def waits_text():
    """What each blocked thread waits for, in words: a deadlock without a cycle of locks (a
    wait for a notify that came before it, a full queue) is told so."""
    run = threads._run
    return "; ".join(f"{_name(t)} is {describe_wait(t)}" for t in run.threads.values() if t.state == "blocked")


def cycle_text(ring):
    """The cycle in words: "Thread-1 holds a and waits for b; Thread-2 holds b and waits for a"."""
    parts = []
    for name, holds, waits in ring:
        holding = f"holds {' and '.join(holds)} and " if holds else ""
        parts.append(f"{name} {holding}waits for {waits}")
    return "; ".join(parts)


# --- a run under a chooser --------------------------------------------------------------------

_virtual = {}


def begin(stepper):
    """Puts `stepper` in charge of the run's threads (threads.install made the run): virtual time,
    seeded random, the step callback."""
    threads._run.stepper = stepper
    threads._run.main.owes_step = True
    random.seed(0)
    epoch = 1_700_000_000.0
    _virtual.update(
        time=time.time, monotonic=time.monotonic, perf_counter=time.perf_counter, time_ns=time.time_ns,
        monotonic_ns=time.monotonic_ns, perf_counter_ns=time.perf_counter_ns,
    )
    time.time = lambda: epoch + stepper.clock
    time.monotonic = time.perf_counter = lambda: stepper.clock
    time.time_ns = lambda: int((epoch + stepper.clock) * 1e9)
    time.monotonic_ns = time.perf_counter_ns = lambda: int(stepper.clock * 1e9)
    monitoring = sys.monitoring
    # Taken once and never freed: freeing it de-instruments code whose frames may sit on the
    # suspended stacks of threads a deadlock or Stop abandoned, which crashes the interpreter.
    # With no stepper the callback returns at once, and each run's code is compiled afresh.
    if monitoring.get_tool(TOOL) is None:
        monitoring.use_tool_id(TOOL, "the page's scheduler")
    event = monitoring.events.INSTRUCTION if stepper.step == INSTRUCTION else monitoring.events.LINE
    monitoring.register_callback(TOOL, event, _on_step)
    # Events of the program's own code only: the library runs inside the step that called it,
    # at full speed. Set once per code object (a search's tries run the same code): setting
    # them again would re-instrument code that may have frames on suspended stacks.
    for code in stepper.codes:
        if monitoring.get_local_events(TOOL, code) != event:
            monitoring.set_local_events(TOOL, code, event)


def program_codes(code):
    """A compiled program's code objects: the module's and every function's, class body's,
    lambda's and comprehension's within it."""
    out = [code]
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            out.extend(program_codes(const))
    return out


def end():
    """Gives the clock back (the callback stays, idle: see `begin`)."""
    for name, value in _virtual.items():
        setattr(time, name, value)
    _virtual.clear()


def _on_step(code, where):
    run = threads._run
    if run is None or run.stepper is None or threads._busy or run.ended:
        return None
    run.stepper.at_step(code, where)
    return None


# --- the search -------------------------------------------------------------------------------


def outcome(out, module, deadlock):
    """What a try's result is made of: what it printed, its globals' values, its deadlock."""
    values = {}
    for name, value in module.__dict__.items():
        if name.startswith("__") or not is_data(value):
            continue
        if isinstance(value, (int, float, str, bool, bytes, tuple, list, dict, set, type(None))):
            values[name] = _short_repr(value)
    return {"out": out, "values": values, "deadlock": deadlock}


def compare(base, seen, writers):
    """How a try differs from the run without preemption: "deadlock", "lost-update" (a global
    that two threads wrote ends with another value), "different-output", or None."""
    if seen["deadlock"]:
        return "deadlock", seen["deadlock"]
    for name, value in seen["values"].items():
        if len(writers.get(name, ())) >= 2 and base["values"].get(name) != value:
            return "lost-update", f"{name} ends {value}; without preemption it ends {base['values'].get(name)}"
    if seen["out"] != base["out"]:
        ours, theirs = seen["out"].splitlines(), base["out"].splitlines()
        for i in range(max(len(ours), len(theirs))):
            a = ours[i] if i < len(ours) else "nothing"
            b = theirs[i] if i < len(theirs) else "nothing"
            if a != b:
                return "different-output", f"line {i + 1} of its output is {a!r}; without preemption it is {b!r}"
        return "different-output", "it prints something else than the run without preemption"
    return None


def preemptions(points, picks):
    """How many picks switched away from a thread that could have run on."""
    return sum(1 for (_opts, me, _visible, _tracked), pick in zip(points, picks) if me is not None and pick != me)


def branches(points, picks, start, bound):
    """The schedules one pick away from `picks` at a choice point at or after `start`, within
    `bound` preemptions: each a prefix (the picks up to there, then the other thread). With no
    bound (`None`: the exhaustive search), only at the choice points where the try reached a
    state no try had reached before."""
    out = []
    used = 0
    for i, ((options, me, visible, tracked), pick) in enumerate(zip(points, picks)):
        if i >= start and (bound is not None or tracked):
            for other in options:
                if other == pick:
                    continue
                cost = used + (1 if me is not None and other != me else 0)
                # A preemption just before an invisible step is the same as one after it.
                if me is not None and other != me and not visible:
                    continue
                if bound is None or cost <= bound:
                    out.append((cost, picks[:i] + [other]))
        if me is not None and pick != me:
            used += 1
    return out


def run_try(compiled, step, picks, seen=None):
    """One try of a search: the program run afresh as `__main__` under the default policy after
    `picks`, its output kept here; `seen`, the exhaustive search's states so far, gets this
    try's. Returns (its stepper, its outcome). Stop (KeyboardInterrupt) and a schedule that
    does not fit pass through."""
    threads.install(eager=False)
    stepper = Stepper(step, compiled, picks, seen=seen)
    module = types.ModuleType("__main__")
    module.__file__ = harness.FILENAME
    sys.modules["__main__"] = module
    stepper.module = module
    out = stepper.out = io.StringIO()
    saved = sys.stdout, sys.stderr
    deadlock = None
    begin(stepper)
    sys.stdout = sys.stderr = out
    try:
        exec(compiled, module.__dict__)
        threads.shutdown()
    except threads.Deadlock as error:
        deadlock = cycle_text(threads._run.cycle) or threads._run.waits_text or str(error).splitlines()[0]
    except (KeyboardInterrupt, Mismatch):
        raise
    except BaseException as error:  # noqa: BLE001  the program's error is part of its result
        print(harness.program_traceback(error), file=out, end="")
    finally:
        printed = out.getvalue()
        # What the unwound threads print on their way out is not the program's.
        threads.unwind()
        sys.stdout, sys.stderr = saved
        end()
        threads.uninstall()
    return stepper, outcome(printed, module, deadlock)


def search(compiled, step, bound=BOUND, max_tries=MAX_TRIES, seconds=SEARCH_SECONDS):
    """Runs the program under schedules of at most `bound` preemptions (`None`: any number, a
    schedule followed only until it reaches a state an earlier one reached, see
    `Stepper.fingerprint`), fewest preemptions first, until one ends
    otherwise than the run without preemption (or deadlocks), the schedules run out, or
    `max_tries` or `seconds` are spent. Returns the search's report (a run's `schedule.search`,
    which the stepping page shows)."""
    import heapq

    every = bound is None
    seen = set() if every else None
    if every:
        seconds *= 2
    started = harness.clock()
    stepper, base = run_try(compiled, step, [], seen)
    tried = 1
    writers = {name: set(ws) for name, ws in stepper.writers.items()}
    report = {"bound": "all" if every else bound, "tried": 1, "found": "none", "detail": None, "steps": "", "preemptions": 0, "exhausted": False}
    if base["deadlock"]:
        report.update(found="deadlock", detail=base["deadlock"], steps=encode_steps(stepper.made))
        return report
    queue = []
    seq = 0
    for cost, prefix in branches(stepper.points, stepper.made, 0, bound):
        seq += 1
        heapq.heappush(queue, (cost, seq, prefix))
    while queue and tried < max_tries and harness.clock() - started < seconds:
        cost, _seq, prefix = heapq.heappop(queue)
        stepper, result = run_try(compiled, step, prefix, seen)
        tried += 1
        for name, ws in stepper.writers.items():
            writers.setdefault(name, set()).update(ws)
        diff = compare(base, result, writers)
        if diff is not None:
            report.update(
                tried=tried, found=diff[0], detail=diff[1], steps=encode_steps(stepper.made),
                preemptions=preemptions(stepper.points, stepper.made),
            )
            return report
        for c, p in branches(stepper.points, stepper.made, len(prefix), bound):
            seq += 1
            heapq.heappush(queue, (c, seq, p))
    report.update(tried=tried, exhausted=not queue)
    return report


def search_text(report):
    """What a search found, in the run's message."""
    tried = f"{report['tried']} schedule{'s' if report['tried'] != 1 else ''}"
    bound = f"at most {report['bound']} preemption{'s' if report['bound'] != 1 else ''} each"
    if report["bound"] == "all":
        bound = "any number of preemptions, each schedule followed until it reached a state another had reached"
    if report["found"] == "none":
        if report["exhausted"]:
            return f"Search: tried all {tried} with {bound}: none changed the result or deadlocked."
        return f"Search: tried {tried} with {bound} and stopped at its limit: none changed the result or deadlocked."
    what = {"lost-update": "a lost update", "different-output": "a different output", "deadlock": "a deadlock"}[report["found"]]
    return f"Search: found {what} after {tried} ({report['preemptions']} preemption{'s' if report['preemptions'] != 1 else ''}): {report['detail']}."
