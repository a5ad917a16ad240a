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

A stand-in for another executor of the standard library is a module like `pool`, listed in
`harness.executors` below.
"""

from . import harness, pool
from .harness import timed

harness.executors.append(pool)

__all__ = ["timed"]
