//! The program CPython runs in the page (`engine=cpython`): one editable Python file whose
//! first lines are the form's values as constants. Until the visitor edits it the page
//! regenerates it from the form; after an edit the form changes only those constants, and the
//! constants the visitor types change the form (so a run's record says what really ran).

use crate::experiment::config::{Experiment, Lock};
use crate::experiment::params::Field;

/// The constants at the program's top, each the value of a field of the form.
pub const CONSTANTS: [(&str, Field); 8] = [
    ("TOOL", Field::Tool),
    ("KIND", Field::Kind),
    ("TASKS", Field::Tasks),
    ("WORKERS", Field::Workers),
    ("IO_MS", Field::IoMs),
    ("N", Field::CpuIters),
    ("SERIAL", Field::Serial),
    ("LOCK", Field::Lock),
];

/// A constant's value as the program writes it: names quoted (the lock a boolean), `N` with
/// its digits grouped.
fn literal(e: &Experiment, field: Field) -> String {
    let value = e.value(field);
    match (field, value.number()) {
        (Field::Lock, _) => if e.lock == Lock::On { "True" } else { "False" }.into(),
        (Field::CpuIters, Some(n)) => super::underscored(n),
        (_, Some(n)) => n.to_string(),
        (_, None) => format!("\"{value}\""),
    }
}

/// What each constant's comment says.
fn comment(name: &str) -> &'static str {
    match name {
        "TOOL" => "sequential, async, threads or processes",
        "KIND" => "io, cpu, mixed (even tasks wait, odd ones compute) or race",
        "TASKS" => "how many tasks",
        "WORKERS" => "the pool's size (threads, processes)",
        "IO_MS" => "one io task's wait, ms",
        "N" => "a cpu task's iterations, sized to last about IO_MS where it was measured",
        "SERIAL" => "% of the cpu work that cannot be split (Amdahl's law)",
        _ => "race: `with lock:` around `counter += 1`",
    }
}

/// The body after the constants: the notebook's two tasks, timed for the page's timeline, the
/// race and Amdahl's serial part, and the four ways to run a batch. It runs at home as it is.
const BODY: &str = r#"
import asyncio
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

try:
    from playground import timed  # the page's harness: times each call for its timeline
except ImportError:  # at home there is no timeline: the same program, untimed
    def timed(kind):
        return lambda task: task

GIVEN = (N * SERIAL + 50) // 100  # what each cpu task gives to the serial part
counter = 0
lock = threading.Lock()


def computes(n):
    return KIND == "cpu" or (KIND == "mixed" and n % 2 == 1)


@timed("io")
def io_task(n):
    """I/O-bound: mostly waiting. A network call, simulated with sleep."""
    time.sleep(IO_MS / 1000)
    return n


@timed("cpu")
def cpu_task(n):
    """CPU-bound: the core is busy the whole time."""
    total = 0
    for i in range(N - GIVEN):
        total += i * i
    return total


@timed("cpu")
def increment(n):
    """The race: read the shared counter, add one, write it back, N times."""
    global counter
    for _ in range(N):
        if LOCK:
            with lock:  # one thread at a time reads and writes
                counter += 1
        else:
            counter += 1  # another thread may write between the read and the write
    return counter


@timed("serial")
def serial_part():
    """Amdahl's serial part: one core computes, the others have nothing to do."""
    total = 0
    for i in range(GIVEN * sum(computes(n) for n in range(TASKS))):
        total += i * i
    return total


def work(n):
    """Task n of the batch."""
    if KIND == "race":
        return increment(n)
    return cpu_task(n) if computes(n) else io_task(n)


@timed("io")
async def io_task_async(n):
    """The same wait, awaited: the event loop runs other tasks meanwhile."""
    await asyncio.sleep(IO_MS / 1000)
    return n


async def work_async(n):
    if KIND == "race" or computes(n):
        return work(n)  # computing never awaits: the whole loop waits for it
    return await io_task_async(n)


async def main_async():
    return await asyncio.gather(*(work_async(n) for n in range(TASKS)))


def main():
    if TOOL == "threads":
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return list(pool.map(work, range(TASKS)))
    if TOOL == "processes":
        with ProcessPoolExecutor(max_workers=WORKERS) as pool:
            return list(pool.map(work, range(TASKS)))
    return [work(n) for n in range(TASKS)]


if __name__ == "__main__":
    if GIVEN and KIND != "race":
        serial_part()
    if TOOL == "async":
        # Pyodide's event loop is already running in the page, so the page runs this line as
        # `await main_async()`; at home, asyncio.run starts a loop and runs it the same way.
        results = asyncio.run(main_async())
    else:
        results = main()
    if KIND == "race":
        print(f"expected {TASKS * N}, the counter here says {counter}")
    else:
        print(f"{TOOL}: {len(results)} {KIND} tasks done")
"#;

/// The program for `e`.
pub fn program(e: &Experiment) -> String {
    let mut out = String::from(
        "# The experiment in Python. In the page, CPython (Pyodide) runs it in a worker: the form\n\
         # sets the constants below, and you may edit anything. At home: python3 experiment.py\n",
    );
    for (name, field) in CONSTANTS {
        out.push_str(&format!(
            "{name} = {}  # {}\n",
            literal(e, field),
            comment(name)
        ));
    }
    out.push_str(BODY);
    out
}

/// Where the constant `name` is defined: the first line that assigns it at the top level, and
/// the byte range of its value (after `=`, before a comment) in that line.
fn find(lines: &[&str], name: &str) -> Option<(usize, std::ops::Range<usize>)> {
    lines.iter().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(name)?;
        let eq = rest.len() - rest.trim_start().len();
        let after = rest.trim_start().strip_prefix('=')?;
        if after.starts_with('=') {
            return None;
        }
        let start = name.len() + eq + 1;
        // Values are names in double quotes or numbers: a `#` ends them.
        let end = line[start..].find('#').map_or(line.len(), |c| start + c);
        Some((i, start..end))
    })
}

/// `code` with each constant's value set from `e`; a constant the visitor removed stays
/// removed. Nothing else changes.
pub fn set_constants(code: &str, e: &Experiment) -> String {
    let mut lines: Vec<String> = code.split('\n').map(String::from).collect();
    for (name, field) in CONSTANTS {
        let view: Vec<&str> = lines.iter().map(String::as_str).collect();
        if let Some((i, range)) = find(&view, name) {
            let line = &lines[i];
            let comment = &line[range.end..];
            let gap = if comment.is_empty() { "" } else { "  " };
            lines[i] = format!(
                "{} {}{gap}{comment}",
                &line[..range.start],
                literal(e, field)
            );
        }
    }
    lines.join("\n")
}

/// The constants `code` defines, as `(field, value)` in the form's terms: the page applies them
/// to the form with the same checks as a URL's.
pub fn read_constants(code: &str) -> Vec<(Field, String)> {
    let lines: Vec<&str> = code.split('\n').collect();
    CONSTANTS
        .iter()
        .filter_map(|&(name, field)| {
            let (i, range) = find(&lines, name)?;
            let raw = lines[i][range].trim();
            let raw = raw
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .or_else(|| raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
                .unwrap_or(raw);
            // Python's booleans are the form's on and off.
            let raw = match (field, raw) {
                (Field::Lock, "True") => "on",
                (Field::Lock, "False") => "off",
                _ => raw,
            };
            Some((field, raw.to_string()))
        })
        .collect()
}

/// `code` with its constants set from `e`, when one of them says otherwise (by value: `N =
/// 3000000` and `N = 3_000_000` agree); `None` when they all agree already, so that the
/// visitor's own typing is never rewritten under the cursor.
pub fn sync_constants(code: &str, e: &Experiment) -> Option<String> {
    let differs = !changed_constants(code, e).is_empty();
    differs.then(|| set_constants(code, e))
}

/// The constants of `code` whose values are not `e`'s, as `(field, value)`: what the visitor
/// changed by typing, for the form to follow.
pub fn changed_constants(code: &str, e: &Experiment) -> Vec<(Field, String)> {
    let same = |field: Field, raw: &str| {
        let want = e.value(field);
        match want.number() {
            Some(n) => crate::experiment::url::parse_number(raw) == Some(n as f64),
            None => want.name() == Some(raw),
        }
    };
    read_constants(code)
        .into_iter()
        .filter(|(field, raw)| !same(*field, raw))
        .collect()
}

/// The longest program the page takes from a host (a `run` or `set` message's `code`).
pub const MAX_CODE_CHARS: usize = 100_000;

/// The program's identity, without its constants' values: two runs of one program with other
/// constants (sequential and async, say) share it, so that one can be the other's baseline,
/// and any other edit changes it. FNV-1a (64 bits) of the text, in hex.
pub fn code_hash(code: &str) -> String {
    let mut lines: Vec<String> = code
        .split('\n')
        .map(|l| l.trim_end_matches('\r').trim_end().to_string())
        .collect();
    for (name, _) in CONSTANTS {
        let view: Vec<&str> = lines.iter().map(String::as_str).collect();
        if let Some((i, range)) = find(&view, name) {
            lines[i] = lines[i][..range.start].to_string();
        }
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in lines.join("\n").trim_end().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::{Engine, Kind, Params, Tool};

    fn experiment(tool: Tool, kind: Kind) -> Experiment {
        Params {
            tool: Some(tool),
            kind: Some(kind),
            engine: Some(Engine::Cpython),
            ..Params::default()
        }
        .resolve_calibrated(2, Some(50.0))
    }

    #[test]
    fn the_program_states_the_form_at_its_top() {
        let e = experiment(Tool::Async, Kind::Cpu);
        let code = program(&e);
        assert!(code.contains("\nTOOL = \"async\"  # "));
        assert!(code.contains("\nKIND = \"cpu\"  # "));
        assert!(code.contains("\nTASKS = 4  # "));
        assert!(code.contains("\nN = 4_000_000  # "), "{code}");
        assert!(code.contains("from playground import timed"));
        let read = read_constants(&code);
        assert_eq!(read.len(), 8);
        assert_eq!(read[7], (Field::Lock, "off".to_string()));
        assert_eq!(read[0], (Field::Tool, "async".to_string()));
        assert_eq!(read[5], (Field::CpuIters, "4_000_000".to_string()));
    }

    #[test]
    fn an_edit_keeps_its_text_when_the_form_changes_its_constants() {
        let e = experiment(Tool::Sequential, Kind::Io);
        let edited = program(&e).replace("return n\n", "print('waited', n)\n    return n\n");
        let mut other = e;
        other.tool = Tool::Async;
        other.tasks = 9;
        let changed = set_constants(&edited, &other);
        assert!(changed.contains("TOOL = \"async\"  # sequential, async"));
        assert!(changed.contains("TASKS = 9  # how many"));
        assert!(changed.contains("print('waited', n)"));
        assert_eq!(set_constants(&changed, &e), edited);
        // The program is the same one: runs of it compare.
        assert_eq!(code_hash(&changed), code_hash(&edited));
        assert_ne!(code_hash(&edited), code_hash(&program(&e)));
    }

    #[test]
    fn only_a_constant_that_disagrees_is_rewritten() {
        let e = experiment(Tool::Sequential, Kind::Cpu);
        let typed = program(&e).replace("N = 4_000_000", "N = 4000000");
        assert_eq!(
            sync_constants(&typed, &e),
            None,
            "same value, typed otherwise"
        );
        let mut more = e;
        more.tasks = 6;
        let synced = sync_constants(&typed, &more).expect("tasks differ");
        assert!(synced.contains("TASKS = 6  #") && synced.contains("N = 4_000_000  #"));
        assert_eq!(sync_constants("print(1)", &e), None);
    }

    #[test]
    fn constants_are_found_only_where_they_are_assigned() {
        let code = "TASKS == 3\nTASKSX = 1\nTASKS=7\nTASKS = 8\n";
        assert_eq!(read_constants(code), vec![(Field::Tasks, "7".to_string())]);
        let e = experiment(Tool::Sequential, Kind::Io);
        assert_eq!(
            set_constants(code, &e),
            "TASKS == 3\nTASKSX = 1\nTASKS= 4\nTASKS = 8\n"
        );
        assert_eq!(read_constants("print(1)"), Vec::new());
        assert_eq!(set_constants("print(1)", &e), "print(1)");
        assert_eq!(read_constants("TOOL = 'threads'")[0].1, "threads");
    }

    #[test]
    fn the_hash_ignores_line_ends_and_constants_only() {
        let e = experiment(Tool::Sequential, Kind::Io);
        let code = program(&e);
        assert_eq!(code_hash(&code), code_hash(&code.replace('\n', "\r\n")));
        assert_eq!(code_hash(&code).len(), 16);
        let mut cpu = e;
        cpu.kind = Kind::Cpu;
        assert_eq!(code_hash(&program(&cpu)), code_hash(&code));
        assert_ne!(code_hash("print(1)"), code_hash("print(2)"));
    }

    /// The program runs at home as it is, with every tool and kind: the machine's own CPython
    /// runs it (small sizes), and what it prints is what each lesson says. Without the page's
    /// harness it falls back to an untimed `timed`; with the harness on its path (the package
    /// `www/python/playground`) it imports `timed` from there and prints the same.
    #[test]
    fn the_program_runs_in_cpython_at_home() {
        let harness = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/python");
        let run_with = |tool: Tool, kind: Kind, lock: bool, serial: u32, with_harness: bool| {
            let mut e = experiment(tool, kind);
            (e.tasks, e.workers, e.io_ms, e.cpu_iters, e.serial) = (4, 2, 5, 20_000, serial);
            e.lock = if lock { Lock::On } else { Lock::Off };
            let dir = std::env::temp_dir().join(format!(
                "cp-program-{}-{}-{}-{lock}-{serial}-{with_harness}",
                std::process::id(),
                tool.as_str(),
                kind.as_str()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join("experiment.py");
            std::fs::write(&file, program(&e)).unwrap();
            let mut python = std::process::Command::new("python3");
            python.arg(&file).env("PYTHONDONTWRITEBYTECODE", "1");
            if with_harness {
                python.env("PYTHONPATH", &harness);
            } else {
                python.env_remove("PYTHONPATH");
            }
            let out = python
                .output()
                .expect("python3 runs the program (Debian's python3 package)");
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let _ = std::fs::remove_dir_all(&dir);
            assert!(
                out.status.success(),
                "{tool} {kind}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            text
        };
        let run = |tool, kind, lock, serial| run_with(tool, kind, lock, serial, false);
        for tool in Tool::ALL {
            for kind in [Kind::Io, Kind::Cpu, Kind::Mixed] {
                let want = format!("{}: 4 {} tasks done\n", tool.as_str(), kind.as_str());
                assert_eq!(run(tool, kind, false, 0), want);
            }
        }
        assert_eq!(
            run(Tool::Threads, Kind::Cpu, false, 50),
            "threads: 4 cpu tasks done\n"
        );
        // The race: one thread loses nothing, with a lock nothing is lost, and processes
        // count in their own memory: the parent's counter never moves.
        let all = "expected 80000, the counter here says 80000\n";
        assert_eq!(run(Tool::Sequential, Kind::Race, false, 0), all);
        assert_eq!(run(Tool::Threads, Kind::Race, true, 0), all);
        assert_eq!(
            run(Tool::Processes, Kind::Race, false, 0),
            "expected 80000, the counter here says 0\n"
        );
        // With the harness importable, as in the page: the same program, the same words.
        for tool in Tool::ALL {
            let want = format!("{}: 4 mixed tasks done\n", tool.as_str());
            assert_eq!(run_with(tool, Kind::Mixed, false, 0, true), want);
        }
    }
}
