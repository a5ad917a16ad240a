//! The exact Python program an experiment models, in the notebook's style, so that a learner can
//! run it at home and compare.

pub mod code_link;
pub mod cpython;

use crate::config::{Experiment, Gil, Kind, Tool};

fn task_functions(e: &Experiment, asyncio: bool) -> String {
    let io = if asyncio {
        format!(
            "async def io_task(n):\n    \"\"\"I/O-bound: mostly waiting.\"\"\"\n    await asyncio.sleep({})\n    return n\n",
            seconds(e.io_ms)
        )
    } else {
        format!(
            "def io_task(n):\n    \"\"\"I/O-bound: mostly waiting. We simulate a network call with sleep.\"\"\"\n    time.sleep({})  # the CPU does nothing during this wait\n    return n\n",
            seconds(e.io_ms)
        )
    };
    let cpu_def = if asyncio {
        "async def cpu_task(n)"
    } else {
        "def cpu_task(n)"
    };
    let cpu = format!(
        "{cpu_def}:\n    \"\"\"CPU-bound: the core is busy the whole time.\"\"\"\n    total = 0\n    for i in range({}):\n        total += i * i\n    return total\n",
        underscored(e.serial_split().1)
    );
    match e.kind {
        Kind::Io => io,
        Kind::Cpu => cpu,
        Kind::Race => String::new(),
        Kind::Mixed => format!(
            "{io}\n\n{cpu}\n\ndef work(n):\n    \"\"\"Alternating: even tasks wait, odd tasks compute.\"\"\"\n    return io_task(n) if n % 2 == 0 else cpu_task(n)\n"
        ),
    }
}

fn seconds(ms: u32) -> String {
    let s = f64::from(ms) / 1000.0;
    let text = format!("{s:.3}");
    let text = text.trim_end_matches('0');
    if text.ends_with('.') {
        format!("{text}0")
    } else {
        text.to_string()
    }
}

/// Groups the digits of `n` in threes with `separator`: `group_digits(2000000, '_')` is
/// `2_000_000`, as the notebook writes it.
pub fn group_digits(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// `2000000` → `2_000_000`.
pub fn underscored(n: u64) -> String {
    group_digits(n, '_')
}

fn entry(kind: Kind) -> &'static str {
    match kind {
        Kind::Io => "io_task",
        Kind::Cpu => "cpu_task",
        Kind::Mixed => "work",
        Kind::Race => "increment",
    }
}

/// The Python program for `e`, with a note on how the browser models it; a serial part
/// (Amdahl) becomes a function that runs before the batch.
pub fn snippet(e: &Experiment) -> String {
    if e.kind == Kind::Race {
        return race(e);
    }
    let program = batch(e);
    let (serial, _) = e.serial_split();
    if serial == 0 {
        return program;
    }
    let functions = task_functions(e, e.tool == Tool::Async);
    let serial_def = format!(
        "def serial_part():\n    \"\"\"Amdahl's serial part: {} % of the batch's work, which cannot be split.\"\"\"\n    total = 0\n    for i in range({}):\n        total += i * i\n    return total\n",
        e.serial,
        underscored(serial)
    );
    let mut out = String::new();
    for line in program
        .replace(&functions, &format!("{functions}\n\n{serial_def}"))
        .lines()
    {
        out.push_str(line);
        out.push('\n');
        if line.trim_start().starts_with("start = time.perf_counter()") {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!(
                "{indent}serial_part()  # one core computes; the others have nothing to do\n"
            ));
        }
    }
    out
}

/// The race: `counter += 1` from every worker, with or without a lock.
fn race(e: &Experiment) -> String {
    let (n, w, iters) = (e.tasks, e.workers, underscored(e.cpu_iters));
    let expected = underscored(u64::from(e.tasks) * e.cpu_iters);
    let body = match e.lock {
        crate::config::Lock::On => {
            "        with lock:  # one thread at a time reads and writes
            counter += 1
"
        }
        crate::config::Lock::Off => {
            "        counter += 1  # read, add, write: another thread may write in between
"
        }
    };
    match e.tool {
        Tool::Processes => format!(
            "# Each process has its own memory: it increments its own copy of `counter`.
from concurrent.futures import ProcessPoolExecutor

counter = 0

def increment(n):
    global counter
    for _ in range({iters}):
        counter += 1
    return counter  # this process's own count

if __name__ == '__main__':
    with ProcessPoolExecutor(max_workers={w}) as pool:
        print('each process counted', list(pool.map(increment, range({n}))))
    print('expected {expected}, the parent sees', counter)  # 0: nothing is shared
"
        ),
        _ => {
            let header = match (e.tool, e.gil) {
                (Tool::Threads, crate::config::Gil::Off) => "# Free-threaded Python (python3.13t, PYTHON_GIL=0): threads really run at once.
",
                (Tool::Threads, crate::config::Gil::On) => "# With the GIL, CPython 3.10+ switches threads between whole statements here, so few
# or no updates are lost: an accident of the implementation, not a guarantee.
",
                _ => "# One thread: nothing runs in between, nothing is lost.
",
            };
            format!(
                "{header}import threading
from concurrent.futures import ThreadPoolExecutor

counter = 0
lock = threading.Lock()

def increment(n):
    global counter
    for _ in range({iters}):
{body}
with ThreadPoolExecutor(max_workers={}) as pool:
    list(pool.map(increment, range({n})))
print('expected {expected}, got', counter)
",
                if e.tool == Tool::Threads { w } else { 1 }
            )
        }
    }
}

fn batch(e: &Experiment) -> String {
    let n = e.tasks;
    let f = entry(e.kind);
    match e.tool {
        Tool::Sequential => format!(
            "import time\n\n{}\n\nstart = time.perf_counter()\nfor n in range({n}):\n    {f}(n)\nprint(f'{n} tasks sequentially: {{time.perf_counter() - start:.2f}}s')\n",
            task_functions(e, false)
        ),
        Tool::Threads => {
            let header = match e.gil {
                Gil::On => "# Threads share memory; CPython's GIL lets one of them run Python at a time.\n",
                Gil::Off => "# Run with a free-threaded build (python3.13t or later, PYTHON_GIL=0): no GIL.\n",
            };
            format!(
                "{header}import time\nfrom concurrent.futures import ThreadPoolExecutor\n\n{}\n\nstart = time.perf_counter()\nwith ThreadPoolExecutor(max_workers={}) as pool:\n    results = list(pool.map({f}, range({n})))\nprint(f'{n} tasks on {} threads: {{time.perf_counter() - start:.2f}}s')\n",
                task_functions(e, false),
                e.workers,
                e.workers
            )
        }
        Tool::Processes => format!(
            "# Each process has its own interpreter and memory; arguments and results are pickled.\nimport time\nfrom concurrent.futures import ProcessPoolExecutor\n\n{}\n\nif __name__ == '__main__':\n    start = time.perf_counter()\n    with ProcessPoolExecutor(max_workers={}) as pool:\n        results = list(pool.map({f}, range({n})))\n    print(f'{n} tasks in {} processes: {{time.perf_counter() - start:.2f}}s')\n",
            task_functions(e, false),
            e.workers,
            e.workers
        ),
        Tool::Async => {
            let gather = match e.kind {
                Kind::Mixed => format!(
                    "    await asyncio.gather(*(io_task(n) if n % 2 == 0 else cpu_task(n) for n in range({n})))"
                ),
                _ => format!("    await asyncio.gather(*({f}(n) for n in range({n})))"),
            };
            let note = if e.kind == Kind::Io {
                ""
            } else {
                "# cpu_task never awaits: while it computes, the event loop cannot run anything else.\n"
            };
            format!(
                "{note}import asyncio\nimport time\n\n{}\n\nasync def main():\n{gather}\n\nstart = time.perf_counter()\nasyncio.run(main())\nprint(f'{n} tasks with asyncio: {{time.perf_counter() - start:.2f}}s')\n",
                task_functions(e, true)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Machine, Params};

    fn exp(q: &str) -> Experiment {
        crate::parse_query(q).params.resolve(&Machine {
            cores: 4,
            calibrated_cpu_iters: 2_000_000,
        })
    }

    #[test]
    fn a_serial_part_runs_before_the_batch() {
        let code = snippet(&exp(
            "tool=processes&kind=cpu&tasks=4&cpu_iters=1000&serial=25",
        ));
        assert!(code.contains("for i in range(750):"), "{code}");
        assert!(code.contains("def serial_part():"));
        assert!(
            code.contains("for i in range(1_000):"),
            "4 × 250 serial iterations"
        );
        let def = code.find("def serial_part").unwrap();
        let main = code.find("if __name__").unwrap();
        let call = code.find("    serial_part()  #").unwrap();
        assert!(def < main && main < call, "{code}");
        assert!(!snippet(&exp("kind=cpu&serial=0")).contains("serial_part"));
    }

    #[test]
    fn the_notebook_programs() {
        let s = snippet(&exp("tool=sequential&kind=io"));
        assert!(s.contains("time.sleep(0.2)"));
        assert!(s.contains("for n in range(4):\n    io_task(n)"));
        let s = snippet(&exp("tool=threads&kind=cpu&workers=4"));
        assert!(s.contains("ThreadPoolExecutor(max_workers=4)"));
        assert!(s.contains("for i in range(2_000_000):"));
        let s = snippet(&exp("tool=processes&kind=cpu"));
        assert!(s.contains("ProcessPoolExecutor(max_workers=4)"));
        assert!(s.contains("if __name__ == '__main__':"));
        let s = snippet(&exp("tool=async&kind=mixed&io_ms=50"));
        assert!(s.contains("await asyncio.sleep(0.05)"));
        assert!(s.contains("asyncio.gather"));
        assert!(s.contains("never awaits"));
        let s = snippet(&exp("tool=threads&gil=off"));
        assert!(s.contains("free-threaded"));
    }

    #[test]
    fn numbers_as_python_writes_them() {
        assert_eq!(underscored(2_000_000), "2_000_000");
        assert_eq!(underscored(999), "999");
        assert_eq!(seconds(200), "0.2");
        assert_eq!(seconds(0), "0.0");
        assert_eq!(seconds(1500), "1.5");
        let _ = Params::default();
    }
}
