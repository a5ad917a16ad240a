//! `cargo xtask bench [--quick] [--workers N]`: builds the release page, serves it with
//! isolation (and bare, for the plain build), measures the native kernel, drives the page in
//! headless Chromium (`tests/e2e/bench.mjs`) and prints a Markdown table; the JSON goes to
//! `target/bench/latest.json`.

use crate::project::{root, say};
use crate::serve::TestServers;
use crate::shell;
use crate::toolchain;
use std::path::PathBuf;
use std::process::Command;

/// Options of a bench run.
pub struct Options {
    /// Fewer repetitions (the test suite's smoke run).
    pub quick: bool,
    /// Workers for the speedup figures (default: the machine's cores).
    pub workers: Option<u32>,
}

/// Parses the command line.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut options = Options {
        quick: false,
        workers: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => options.quick = true,
            "--workers" => {
                options.workers = Some(
                    it.next()
                        .and_then(|n| n.parse().ok())
                        .filter(|n| (1..=64).contains(n))
                        .ok_or("--workers needs a number from 1 to 64")?,
                )
            }
            other => return Err(format!("bench: unknown option `{other}`")),
        }
    }
    let tools = toolchain::ensure_build_tools()?;
    let browser = toolchain::ensure_chromium()?;
    toolchain::ensure_node_modules(&root().join("tests").join("e2e"))?;
    crate::build::build_site(&tools)?;
    let out = bench(&browser, &options)?;
    say(&format!("wrote {}", out.display()));
    Ok(())
}

/// Runs the benchmark on an already built site; returns the JSON file's path.
pub fn bench(browser: &toolchain::Browser, options: &Options) -> Result<PathBuf, String> {
    say("measuring the native kernel (release build)");
    let native = shell::capture(Command::new("cargo").current_dir(root()).args([
        "run",
        "-q",
        "--release",
        "-p",
        "model",
        "--example",
        "kernel_bench",
    ]))?;
    if !native.status.success() {
        return Err(format!(
            "the native kernel bench failed: {}",
            String::from_utf8_lossy(&native.stderr)
        ));
    }
    let native = String::from_utf8_lossy(&native.stdout).trim().to_string();
    let servers = TestServers::start()?;
    let out = root().join("target").join("bench").join("latest.json");
    say("measuring the page in headless Chromium (a few minutes; --quick for a smoke run)");
    let mut cmd = Command::new("node");
    servers.apply(&mut cmd, &browser.chromium);
    cmd.current_dir(root().join("tests").join("e2e"))
        .arg("bench.mjs")
        .env("BENCH_NATIVE", native)
        .env("BENCH_OUT", &out)
        .env("BENCH_QUICK", if options.quick { "1" } else { "0" });
    if let Some(w) = options.workers {
        cmd.env("BENCH_WORKERS", w.to_string());
    }
    shell::run(&mut cmd)?;
    Ok(out)
}

/// The test suite's smoke run: the quick bench finishes and writes valid JSON with rows.
pub fn smoke(browser: &toolchain::Browser) -> Result<(), String> {
    let out = bench(
        browser,
        &Options {
            quick: true,
            workers: None,
        },
    )?;
    let text = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
    let looks_valid = text.trim_start().starts_with('{')
        && text.contains("\"rows\"")
        && text.contains("\"measure\"")
        && text.contains("\"cores\"");
    if looks_valid {
        Ok(())
    } else {
        Err(format!("{} is not the bench's JSON", out.display()))
    }
}
