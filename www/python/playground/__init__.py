"""The Concurrency Playground's harness for CPython in the page.

A program imports one thing from here: `timed`, the decorator its tasks wear, which records
each call as a span of the page's timeline (`from playground import timed`). Nothing here
changes what a program does; it only times it. At home, without the page, a program may import
it too: its calls are recorded and nothing is drawn.

The package's modules, one job each:

- `harness`: timing (`timed`), calibration, running a program as `__main__` and its report;
  CPython's worker (www/python/worker.js) calls it.
- `pool`: the process pool, the parent's side (`ProcessPoolExecutor`, `multiprocessing.Pool`).
- `process`: the process side, what each process of the pool runs (www/python/process.js).
- `threads`: the page's `_thread`, under CPython's own `threading`: one thread at a time,
  handed over as CPython's GIL hands over.
- `aio`: `asyncio.run` and `asyncio.Runner` on the page's running event loop, as CPython's
  behave, and the lateness of `asyncio.sleep` (stalls behind a busy loop).
- `slate`: what a run changed in the interpreter's modules, put back when it ends (a clean
  slate per run, as a fresh `python3` has).

A stand-in for another executor of the standard library is a module like `pool`, listed in
`harness.executors` below.
"""

from . import aio, harness, pool, threads
from .harness import timed

# Threads first: they import `concurrent.futures` afresh, and the pool then takes its place there.
harness.executors.extend([threads, pool, aio])

__all__ = ["timed"]
