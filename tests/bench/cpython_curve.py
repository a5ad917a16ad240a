"""CPython's own speedup curve for `cargo xtask bench`: the notebook's cpu_task on
ThreadPoolExecutor and ProcessPoolExecutor at each worker count given, against the same tasks
run one after another. Prints JSON. Usage: cpython_curve.py 1,2,4 [iterations]"""

import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def cpu_task(n):
    """The notebook's CPU-bound task."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def wall(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main():
    workers = [int(w) for w in sys.argv[1].split(",")]
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000  # the notebook's range(2_000_000)
    tasks = [iters] * (2 * max(workers))
    sequential = min(wall(lambda: [cpu_task(n) for n in tasks]) for _ in range(2))
    curves = {}
    for name, pool in (("threads", ThreadPoolExecutor), ("processes", ProcessPoolExecutor)):
        points = []
        for w in workers:
            with pool(max_workers=w) as p:
                list(p.map(cpu_task, [1000] * w))  # start the workers first
                t = min(wall(lambda: list(p.map(cpu_task, tasks))) for _ in range(2))
            points.append({"workers": w, "speedup": sequential / t})
        curves[name] = points
    version = sys.version.split()[0]
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print(json.dumps({"version": version, "gil": gil, "tasks": len(tasks), "iters": iters, "curves": curves}))


if __name__ == "__main__":
    main()
