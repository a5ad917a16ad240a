//! What each parameter means, in words: docs/url.md's "meaning" column, which a test holds to
//! these texts. Apart from the table, and compiled for the tests only, so that the page's module
//! (which never shows them) does not carry 2 KB of prose.

use super::{Field, Param};

/// What `param` means.
pub fn help(param: Param) -> &'static str {
    match param {
        Param::Field(Field::Tool) => {
            "Python's tool: one task after another; `asyncio` (one thread, a cooperative event \
               loop); `ThreadPoolExecutor`; `ProcessPoolExecutor`. `threads` needs a \
               cross-origin isolated page with `SharedArrayBuffer`."
        }
        Param::Field(Field::Kind) => {
            "What each task does: wait `io_ms`; compute `cpu_iters` squares (the notebook's \
               `cpu_task`); alternate io and cpu tasks, io first; add 1 to one shared counter \
               `cpu_iters` times (a data race without a lock)."
        }
        Param::Field(Field::Tasks) => "How many tasks the run has.",
        Param::Field(Field::Workers) => {
            "The pool's size. Only `threads` and `processes` have a pool; `sequential` and \
               `async` always use one lane. A threads run with more workers than the pool has \
               first restarts the pool at that size (the start-up is not counted in the run)."
        }
        Param::Field(Field::Gil) => {
            "CPython's Global Interpreter Lock for `threads`: on (the default build) or off \
               (the free-threaded build, python3.13t and python3.14t: PEP 703, PEP 779). The \
               other tools ignore it."
        }
        Param::Field(Field::IoMs) => {
            "The wait of one io task, in ms (the notebook's `time.sleep(0.2)`)."
        }
        Param::Field(Field::CpuIters) => {
            "Iterations of one cpu task; for `race`, increments per task. When absent, one \
               cpu task is sized to last about `io_ms` on this machine, from the calibration of \
               the engine build that runs it (2000000, the notebook's `range(2_000_000)`, until \
               that build is calibrated)."
        }
        Param::Field(Field::Serial) => {
            "The serial part of the cpu work, in % (Amdahl's law): each cpu task gives that \
               share of its iterations to one serial phase that runs first on one lane. Applies \
               to `cpu` and `mixed`; `io` and `race` runs record `0`."
        }
        Param::Field(Field::Lock) => {
            "For `race`: `counter += 1` under `with lock:` (on) or without (off)."
        }
        Param::Field(Field::Engine) => {
            "What runs the experiment: `model`, the Rust engines, which model CPython (its GIL \
               rule, its switch interval); `cpython`, real CPython 3.14 (Pyodide) in a worker, \
               running the editor's Python. CPython's files (about 13 MB) load only when it is \
               picked."
        }
        Param::Code => {
            "Python edited in the page, compressed (deflate, URL-safe base64), at most 6000 \
               characters: shown in the editor, never run until the visitor presses Run (`run=1` \
               does not run it)."
        }
        Param::Run => "Run the experiment once the page has started up (its threads build calibrated, a processes pool warm), so that the first figures are the experiment's. Never runs code from `code`.",
        Param::Embed => {
            "The compact layout for frames: the experiment panel, its timeline, the machine \
               panel and the runs table, with a link to the full page (no lessons, no embed \
               snippet, no Python tab)."
        }
        Param::Predict => {
            "Before each run the visitor starts, ask for a guess of its speedup against the \
               sequential run of the same work (which runs first if there is none), or a skip; \
               then show the guess, the measurement, the error and what the gap means. Runs \
               asked by `run` or an embedding page never wait."
        }
        Param::View => {
            "`compact`: Run and Stop, the controls `controls` names, the prediction when \
               `predict` is on, the timeline and a one-line result, with a link to the full \
               playground. A run with no sequential run of the same work yet runs one first, \
               so that the result line has its speedup."
        }
        Param::Controls => {
            "The controls the compact view shows, as their URL keys, comma-separated (e.g. \
               `workers,gil`)."
        }
        Param::Coi => {
            "`0` stops `coi.js` from registering the service worker (the offline copy, and \
               isolation on hosts without headers). Read only by `www/coi.js`."
        }
    }
}
