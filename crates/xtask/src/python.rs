//! CPython in the site: Pyodide's interpreter and standard library from the npm package pinned
//! in `www/python/package-lock.json` (copied into `pyodide/`, served from the site's own origin),
//! the editor bundled with esbuild, the worker, its pool and processes, and the harness (the
//! package `playground/`) into `python/`. None of it is in the first load: the page fetches it
//! when the visitor picks CPython.

use crate::project::{root, say};
use crate::shell;
use crate::toolchain::ensure_node_modules;
use std::path::Path;
use std::process::Command;

/// Pyodide's files the worker needs. `pyodide.mjs` imports `pyodide.asm.mjs`; the loader
/// fetches the rest.
const PYODIDE_FILES: [&str; 5] = [
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
];

/// The files Pyodide's loader fetches (and the worker counts for its progress line).
const FETCHED: [&str; 3] = ["pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];

/// Our own files, copied as they are.
const OWN_FILES: [&str; 12] = [
    "worker.js",
    "gil-timer.js",
    "pool.js",
    "process.js",
    "protocol.js",
    "queues.js",
    "interpreter.js",
    "scheduler.js",
    "scheduler.css",
    "stepping-page.js",
    "stepping.css",
    "favicon.svg",
];

/// The harness: a Python package, copied as it is into `python/playground/`. `interpreter.js`
/// names its modules (`HARNESS`) and writes them into each interpreter.
const HARNESS: &str = "playground";

/// Adds CPython to the built site in `out`.
pub fn add_to_site(out: &Path) -> Result<(), String> {
    let src = root().join("www").join("python");
    ensure_node_modules(&src)?;
    say("adding CPython (Pyodide) and the editor to the site");
    let pyodide = src.join("node_modules").join("pyodide");
    let to = out.join("pyodide");
    std::fs::create_dir_all(&to).map_err(|e| format!("{}: {e}", to.display()))?;
    for name in PYODIDE_FILES {
        copy(&pyodide.join(name), &to.join(name))?;
    }
    let ours = out.join("python");
    std::fs::create_dir_all(&ours).map_err(|e| format!("{}: {e}", ours.display()))?;
    for name in OWN_FILES {
        copy(&src.join(name), &ours.join(name))?;
    }
    let harness = ours.join(HARNESS);
    std::fs::create_dir_all(&harness).map_err(|e| format!("{}: {e}", harness.display()))?;
    for name in harness_modules(&src)? {
        copy(&src.join(HARNESS).join(&name), &harness.join(&name))?;
    }
    // The worker's progress line: bytes of each file the loader fetches, as built.
    let mut sizes = Vec::new();
    for name in FETCHED {
        let bytes = std::fs::metadata(to.join(name))
            .map_err(|e| format!("{name}: {e}"))?
            .len();
        sizes.push(format!("\"{name}\": {bytes}"));
    }
    let manifest = format!("{{{}}}\n", sizes.join(", "));
    std::fs::write(ours.join("files.json"), manifest).map_err(|e| e.to_string())?;
    shell::run(
        Command::new(src.join("node_modules").join(".bin").join("esbuild"))
            .current_dir(&src)
            .args([
                "editor.js",
                "--bundle",
                "--format=esm",
                "--minify",
                "--log-level=warning",
            ])
            .arg(format!("--outfile={}", ours.join("editor.js").display())),
    )
}

/// The harness's modules: the `.py` files of `www/python/playground/`, sorted.
fn harness_modules(src: &Path) -> Result<Vec<String>, String> {
    let dir = src.join(HARNESS);
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".py"))
        .collect();
    names.sort();
    Ok(names)
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {}: {e}", from.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The modules `interpreter.js` writes into each CPython are the package's, all of them: a
    /// module added to the folder and not to the list would be missing in the page only.
    #[test]
    fn the_interpreter_loads_every_module_of_the_harness() {
        let src = root().join("www").join("python");
        let script = std::fs::read_to_string(src.join("interpreter.js")).unwrap();
        let list = script
            .split_once("export const HARNESS = [")
            .and_then(|(_, rest)| rest.split_once(']'))
            .map(|(list, _)| list)
            .expect("interpreter.js declares `export const HARNESS = [...]`");
        let mut named: Vec<String> = list
            .split(',')
            .map(|item| item.trim().trim_matches('"').to_string())
            .filter(|item| !item.is_empty())
            .collect();
        named.sort();
        assert_eq!(named, harness_modules(&src).unwrap());
        assert!(named.contains(&"__init__.py".to_string()));
    }

    #[test]
    fn every_own_file_exists() {
        let src = root().join("www").join("python");
        for name in OWN_FILES {
            assert!(src.join(name).is_file(), "{name}");
        }
    }
}
