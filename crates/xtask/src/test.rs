//! `cargo xtask test`: every test of the project, ending with one line `N passed, N failed`.
//!
//! Suites: formatting and clippy, the native tests (model and xtask), the wasm-bindgen tests of the atomics engine in
//! headless Chromium, and the end-to-end tests in `tests/e2e`, which drive the built page in
//! real headless Chromium through servers started here (one with the page's headers, one bare).

use crate::build::{engine_cargo, EngineBuild};
use crate::project::{root, say};
use crate::serve::TestServers;
use crate::toolchain::{self, Browser, Firefox, Tools};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Counts of one suite.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Tests that passed.
    pub passed: u32,
    /// Tests that failed.
    pub failed: u32,
}

/// `test [--skip-e2e] [--only-e2e] [-- FILTER…]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let e2e_only = args.iter().any(|a| a == "--only-e2e");
    let e2e_files: Vec<String> = args
        .iter()
        .skip_while(|a| *a != "--")
        .skip(1)
        .cloned()
        .collect();
    let tools = toolchain::ensure_build_tools()?;
    let browser = toolchain::ensure_chromium()?;
    let firefox = toolchain::ensure_firefox().map_err(|why| {
        println!(
            "SKIP Firefox: {why}. The Firefox runs of the wasm and end-to-end tests are skipped."
        );
        why
    });
    toolchain::ensure_node_modules(&root().join("tests").join("e2e"))?;
    crate::build::build_site(&tools)?;

    let mut results: Vec<(&str, Tally)> = Vec::new();
    if !e2e_only {
        results.push(("lint", crate::lint::run()));
        results.push(("native", native()));
        results.push((
            "wasm (headless Chromium)",
            wasm(&tools, Driver::Chrome(&browser)),
        ));
        if let Ok(firefox) = &firefox {
            results.push((
                "wasm (headless Firefox)",
                wasm(&tools, Driver::Gecko(firefox)),
            ));
        }
    }
    results.push((
        "end-to-end (headless Chromium, Firefox)",
        e2e(&browser, firefox.as_ref().ok(), &e2e_files)?,
    ));
    if !e2e_only {
        say("bench smoke: cargo xtask bench --quick finishes and writes valid JSON");
        let ok = crate::bench::smoke(&browser)
            .map_err(|e| eprintln!("xtask: bench smoke failed: {e}"))
            .is_ok();
        println!(
            "{} - bench --quick writes valid JSON",
            if ok { "ok" } else { "not ok" }
        );
        results.push((
            "bench smoke",
            Tally {
                passed: u32::from(ok),
                failed: u32::from(!ok),
            },
        ));
    }

    let total = results.iter().fold(Tally::default(), |a, (_, t)| Tally {
        passed: a.passed + t.passed,
        failed: a.failed + t.failed,
    });
    println!();
    for (name, t) in &results {
        println!("  {name}: {} passed, {} failed", t.passed, t.failed);
    }
    println!("  took {:.0} s", started.elapsed().as_secs_f64());
    println!("{} passed, {} failed", total.passed, total.failed);
    if total.failed > 0 {
        Err(format!("{} test(s) failed", total.failed))
    } else {
        Ok(())
    }
}

fn native() -> Tally {
    say("native tests: cargo test (model, xtask)");
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root()).args([
        "test",
        "--workspace",
        "--exclude",
        "engine",
        "--exclude",
        "app",
    ]);
    run_counted(cmd, parse_cargo)
}

/// The WebDriver a wasm test run uses.
enum Driver<'a> {
    Chrome(&'a Browser),
    Gecko(&'a Firefox),
}

fn wasm(tools: &Tools, driver: Driver) -> Tally {
    let mut cmd = engine_cargo(EngineBuild::Atomics, "test");
    match driver {
        Driver::Chrome(b) => {
            say("wasm tests: the atomics engine in headless Chromium (wasm-bindgen-test-runner)");
            cmd.env("CHROMEDRIVER", &b.chromedriver)
                .env_remove("GECKODRIVER");
        }
        Driver::Gecko(f) => {
            say("wasm tests: the atomics engine in headless Firefox (wasm-bindgen-test-runner)");
            cmd.env("GECKODRIVER", &f.geckodriver)
                .env_remove("CHROMEDRIVER");
        }
    }
    // Tests need their own target folder: the test harness builds std differently.
    cmd.env(
        "CARGO_TARGET_DIR",
        root().join("target").join("atomics-test"),
    )
    .env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        tools.test_runner(),
    )
    .env(
        "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
        root().join("crates").join("engine").join("webdriver.json"),
    )
    .env("WASM_BINDGEN_TEST_TIMEOUT", "60");
    run_counted(cmd, parse_cargo)
}

fn e2e(browser: &Browser, firefox: Option<&Firefox>, files: &[String]) -> Result<Tally, String> {
    say("end-to-end tests: the built page in headless Chromium (node --test, playwright-core)");
    let servers = TestServers::start()?;
    let dir = root().join("tests").join("e2e");
    let mut cmd = Command::new("node");
    cmd.current_dir(&dir)
        .args(["--test", "--test-reporter=tap", "--test-concurrency=1"]);
    servers.apply(&mut cmd, &browser.chromium);
    if let Some(f) = firefox {
        cmd.env("FIREFOX", &f.binary)
            .env("GECKODRIVER", &f.geckodriver);
    }
    if files.is_empty() {
        let mut tests: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".test.mjs"))
            .collect();
        tests.sort();
        cmd.args(tests);
    } else {
        cmd.args(files);
    }
    Ok(run_counted(cmd, parse_tap))
}

/// Runs `cmd` showing its output as it comes, and counts tests with `parse`. A suite that fails
/// without reporting any count (it did not build, say) counts as one failure.
fn run_counted(mut cmd: Command, parse: fn(&str, &mut Tally)) -> Tally {
    let mut tally = Tally::default();
    let child = cmd.stdout(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            eprintln!("xtask: could not start the suite: {e}");
            return Tally {
                passed: 0,
                failed: 1,
            };
        }
    };
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            parse(&line, &mut tally);
        }
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    if !ok && tally.failed == 0 {
        tally.failed = 1;
    }
    tally
}

/// Adds up cargo's `test result: ok. 3 passed; 0 failed; …` lines.
pub fn parse_cargo(line: &str, tally: &mut Tally) {
    let Some(rest) = line.trim().strip_prefix("test result: ") else {
        return;
    };
    for part in rest.split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        let n = |i: usize| {
            words
                .get(i)
                .and_then(|w| w.parse::<u32>().ok())
                .unwrap_or(0)
        };
        if let Some(pos) = words.iter().position(|w| *w == "passed") {
            tally.passed += n(pos.wrapping_sub(1));
        }
        if let Some(pos) = words.iter().position(|w| *w == "failed") {
            tally.failed += n(pos.wrapping_sub(1));
        }
    }
}

/// Reads the TAP summary of `node --test`: `# pass 12`, `# fail 0`.
pub fn parse_tap(line: &str, tally: &mut Tally) {
    if let Some(n) = line.strip_prefix("# pass ") {
        tally.passed += n.trim().parse::<u32>().unwrap_or(0);
    } else if let Some(n) = line.strip_prefix("# fail ") {
        tally.failed += n.trim().parse::<u32>().unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_summaries() {
        let mut t = Tally::default();
        parse_cargo(
            "test result: ok. 25 passed; 0 failed; 0 ignored; 0 measured",
            &mut t,
        );
        parse_cargo("test result: FAILED. 3 passed; 2 failed; 0 ignored", &mut t);
        parse_cargo("running 3 tests", &mut t);
        assert_eq!(
            t,
            Tally {
                passed: 28,
                failed: 2
            }
        );
    }

    #[test]
    fn reads_tap_summaries() {
        let mut t = Tally::default();
        for line in ["# tests 5", "# pass 4", "# fail 1", "ok 1 - x"] {
            parse_tap(line, &mut t);
        }
        assert_eq!(
            t,
            Tally {
                passed: 4,
                failed: 1
            }
        );
    }
}
