//! `cargo xtask test`: every test of the project, ending with one line
//! `N passed, N failed, N skipped`, after a line naming every timing claim that needed more than
//! one attempt. Under `CI=true` a skipped test or suite fails the run: this project installs its
//! browsers itself, so a skip there means an install step broke.
//!
//! Suites: formatting and clippy, the native tests (model and xtask), the wasm-bindgen tests of the atomics engine in
//! headless Chromium, and the end-to-end tests in `tests/e2e`, which drive the built page in
//! real headless Chromium through servers started here (one with the page's headers, one bare).

use crate::project::{root, say};
use crate::serve::TestServers;
use crate::tally::{claim_attempt, parse_cargo, parse_tap, test_outcome, Outcome, Outcomes, Tally};
use crate::toolchain::{self, Browser, Firefox, Tools, ATOMICS_RUSTFLAGS, NIGHTLY};
use crate::webkit::{WebKit, SHARED_ARRAY_BUFFER_ENV};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The longest any one end-to-end test may take (the longest, the calibration claims over fresh
/// page loads, take about a minute).
const E2E_TEST_TIMEOUT_MS: u32 = 240_000;

/// A smoke check of the bench: Ok, or why not.
type SmokeCheck = fn(&Browser) -> Result<(), String>;

/// `test [--only-e2e] [--repeat N] [-- FILE…]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let e2e_only = args.iter().any(|a| a == "--only-e2e");
    let rounds = match args.iter().position(|a| a == "--repeat") {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| (1..=100).contains(n))
            .ok_or("--repeat needs a number from 1 to 100")?,
        None => 1,
    };
    let e2e_files: Vec<String> = args
        .iter()
        .skip_while(|a| *a != "--")
        .skip(1)
        .cloned()
        .collect();
    crate::steps::start();
    // What does not need the CPU runs beside the cargo installs and builds, which keep both
    // cores busy: apt's browsers and the tests' npm packages.
    let beside = std::thread::spawn(|| {
        let apt = crate::steps::timed(
            "browsers: Debian's Chromium, Firefox ESR, WebKitGTK ∥",
            toolchain::ensure_browser_packages,
        );
        let npm = crate::steps::timed("the end-to-end tests' npm packages ∥", || {
            toolchain::ensure_node_modules(&root().join("tests").join("e2e"))
        });
        (apt, npm)
    });
    let tools = crate::build::site_with_tools()?;
    // The test-only tools build beside the test build: the page's LTO link leaves a core idle.
    let test_tools = std::thread::spawn(move || {
        let wasm_pack = (!e2e_only).then(|| toolchain::ensure_wasm_pack(true));
        let geckodriver = toolchain::ensure_geckodriver(true);
        (wasm_pack, geckodriver)
    });
    crate::steps::timed("build: the test build of the page", || {
        crate::build::build_hooks_site(&tools)
    })?;
    let (wasm_pack, geckodriver) = test_tools
        .join()
        .map_err(|_| "the test tools' install panicked".to_string())?;
    let wasm_pack = wasm_pack.transpose()?;
    let (apt, npm) = beside
        .join()
        .map_err(|_| "the browsers' install panicked".to_string())?;
    npm?;
    if let Err(why) = apt {
        // Each browser below is looked for again, and says itself what is missing.
        say(&format!("apt: {why}"));
    }
    let browser = toolchain::ensure_chromium()?;
    let firefox = geckodriver
        .and_then(|_| toolchain::ensure_firefox())
        .map_err(|why| {
            println!(
            "SKIP Firefox: {why}. The Firefox runs of the wasm and end-to-end tests are skipped."
        );
            why
        });
    let webkit = crate::webkit::ensure().map_err(|why| {
        println!(
            "SKIP WebKit: {why}. The WebKit runs of the wasm and end-to-end tests are skipped."
        );
        why
    });
    crate::steps::report("setting up the tests");

    let mut outcomes = Outcomes::default();
    let mut failed_rounds = 0;
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    for round in 1..=rounds {
        if rounds > 1 {
            say(&format!("round {round} of {rounds}"));
        }
        outcomes.new_round();
        let round_started = Instant::now();
        let mut results: Vec<(&str, Tally)> = Vec::new();
        let mut suite = |name: &'static str, tally: Tally| results.push((name, tally));
        if let Some(wasm_pack) = &wasm_pack {
            suite("lint", crate::lint::run(&mut outcomes));
            suite("native", native(&mut outcomes));
            suite(
                "wasm-pack test --headless --chrome",
                wasm(&tools, wasm_pack, Driver::Chrome(&browser), &mut outcomes),
            );
            match &firefox {
                Ok(firefox) => suite(
                    "wasm-pack test --headless --firefox",
                    wasm(&tools, wasm_pack, Driver::Gecko(firefox), &mut outcomes),
                ),
                Err(why) => suite(
                    "wasm-pack test --headless --firefox",
                    skipped_suite(&mut outcomes, "wasm (Firefox)", why),
                ),
            }
            match &webkit {
                Ok(webkit) => suite(
                    "wasm-pack test --headless (WebKit)",
                    wasm(&tools, wasm_pack, Driver::WebKit(webkit), &mut outcomes),
                ),
                Err(why) => suite(
                    "wasm-pack test --headless (WebKit)",
                    skipped_suite(&mut outcomes, "wasm (WebKit)", why),
                ),
            }
        }
        suite(
            "end-to-end (headless Chromium, Firefox, WebKit)",
            e2e(
                &browser,
                firefox.as_ref().ok(),
                webkit.as_ref().ok(),
                &e2e_files,
                None,
                &mut outcomes,
            )?,
        );
        if !e2e_only {
            let checks: [(&str, SmokeCheck); 3] = [
                (
                    "bench --quick writes every figure, none NaN, no gross miss",
                    crate::bench::smoke,
                ),
                (
                    "bench exits non-zero on a missed target (an impossible one)",
                    crate::bench::refuses_a_miss,
                ),
                (
                    "page_curve.py measures threads and processes",
                    crate::bench::page_curve_smoke,
                ),
            ];
            let mut tally = Tally::default();
            for (name, check) in checks {
                say(&format!("bench smoke: {name}"));
                let ok = check(&browser)
                    .map_err(|e| eprintln!("xtask: bench smoke failed: {e}"))
                    .is_ok();
                println!("{} - {name}", if ok { "ok" } else { "not ok" });
                outcomes.record("bench smoke", name, Outcome::of(ok));
                tally.passed += u32::from(ok);
                tally.failed += u32::from(!ok);
            }
            suite("bench smoke", tally);
        }
        let mut total = results.iter().fold(Tally::default(), |a, (_, t)| a.add(*t));
        println!();
        for (name, t) in &results {
            println!("  {name}: {}", t.line());
        }
        for (test, reason) in outcomes.skips() {
            println!("  skipped: {test}: {reason}");
        }
        if let Some(why) = ci_refuses_skips(ci, &total) {
            println!("  {why}");
            total.failed += 1;
        }
        println!("  took {:.0} s", round_started.elapsed().as_secs_f64());
        println!("{}", outcomes.retried_line());
        println!("{}", total.line());
        if total.failed > 0 {
            failed_rounds += 1;
        }
    }
    if rounds > 1 {
        println!(
            "\nPer test over {rounds} rounds ({failed_rounds} round(s) with a failure, {:.0} s in all):",
            started.elapsed().as_secs_f64()
        );
        print!("{}", outcomes.report(rounds));
        println!("\nPer timing claim over {rounds} rounds, the share of first attempts that met the bound:");
        print!("{}", outcomes.first_attempt_report());
    }
    if failed_rounds > 0 {
        Err(format!("{failed_rounds} of {rounds} round(s) had failures"))
    } else {
        Ok(())
    }
}

/// Under CI every browser is installed by this command, so a skip is a broken install: it
/// fails the run, saying so (the skipped tests are named on the lines above).
fn ci_refuses_skips(ci: bool, total: &Tally) -> Option<String> {
    (ci && total.skipped > 0).then(|| {
        format!(
            "CI=true: {} skipped test(s) count as a failure: every suite must run here",
            total.skipped
        )
    })
}

/// A suite that could not run: one skip, with the reason, in the tally and the summary.
fn skipped_suite(outcomes: &mut Outcomes, suite: &str, why: &str) -> Tally {
    outcomes.skip_suite(suite, why);
    Tally {
        skipped: 1,
        ..Tally::default()
    }
}

fn native(outcomes: &mut Outcomes) -> Tally {
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
    let release = run_counted(cmd, parse_cargo, "native", outcomes);
    // The test hooks exist only in the test build: their tests (named `test_hook_…`, and the
    // protocol's trap message) run with the feature on.
    say("native tests: the model's test hooks (--features test-hooks)");
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root())
        .args(["test", "-p", "model", "--features", "test-hooks", "--"])
        .args(["test_hook", "the_trap_message_is_a_test_builds_only"]);
    release.add(run_counted(
        cmd,
        parse_cargo,
        "native (test-hooks)",
        outcomes,
    ))
}

/// The WebDriver a wasm test run uses.
enum Driver<'a> {
    Chrome(&'a Browser),
    Gecko(&'a Firefox),
    WebKit(&'a WebKit),
}

/// The engine's wasm tests as its users run them: `wasm-pack test --headless --chrome` (or
/// `--firefox`) on the atomics build, with the local `wasm-bindgen` first on `PATH` and the
/// local driver named, so that wasm-pack downloads nothing.
fn wasm(tools: &Tools, wasm_pack: &Path, driver: Driver, outcomes: &mut Outcomes) -> Tally {
    let mut cmd = Command::new(wasm_pack);
    cmd.current_dir(root()).args(["test", "--headless"]);
    match driver {
        Driver::Chrome(b) => {
            say("wasm tests: wasm-pack test --headless --chrome (the atomics engine)");
            cmd.arg("--chrome")
                .arg("--chromedriver")
                .arg(&b.chromedriver);
        }
        Driver::Gecko(f) => {
            say("wasm tests: wasm-pack test --headless --firefox (the atomics engine)");
            cmd.arg("--firefox")
                .arg("--geckodriver")
                .arg(&f.geckodriver);
        }
        Driver::WebKit(w) => {
            // wasm-pack knows no WebKit on Linux (its `--safari` wants macOS's safaridriver).
            // WebKitWebDriver speaks the same W3C session protocol as geckodriver, so it takes
            // that slot; the capabilities pick MiniBrowser (wasm-bindgen-test's log still says
            // "Firefox": it names the slot, not the browser).
            say("wasm tests: wasm-pack test --headless with WebKitWebDriver (the atomics engine in WebKitGTK)");
            cmd.arg("--firefox")
                .arg("--geckodriver")
                .arg(&w.driver)
                .env("DISPLAY", &w.display)
                .env(SHARED_ARRAY_BUFFER_ENV.0, SHARED_ARRAY_BUFFER_ENV.1);
        }
    }
    cmd.args(["--release", "crates/engine", "--features", "threads"])
        .args(["-Z", "build-std=panic_abort,std"])
        .env("PATH", tools.path_env())
        .env("RUSTUP_TOOLCHAIN", NIGHTLY)
        .env("RUSTFLAGS", ATOMICS_RUSTFLAGS)
        // Tests need their own target folder: the test harness builds std differently.
        .env(
            "CARGO_TARGET_DIR",
            root().join("target").join("atomics-test"),
        )
        .env(
            "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
            match driver {
                Driver::WebKit(w) => w.capabilities.clone(),
                _ => root().join("crates").join("engine").join("webdriver.json"),
            },
        )
        .env("WASM_BINDGEN_TEST_TIMEOUT", "60");
    let suite = match driver {
        Driver::Chrome(_) => "wasm (Chromium)",
        Driver::Gecko(_) => "wasm (Firefox)",
        Driver::WebKit(_) => "wasm (WebKit)",
    };
    run_counted(cmd, parse_cargo, suite, outcomes)
}

fn e2e(
    browser: &Browser,
    firefox: Option<&Firefox>,
    webkit: Option<&WebKit>,
    files: &[String],
    screenshots_dir: Option<&std::path::Path>,
    outcomes: &mut Outcomes,
) -> Result<Tally, String> {
    say("end-to-end tests: the built page in headless Chromium (node --test, playwright-core)");
    let servers = TestServers::start()?.with_hooks()?;
    let dir = root().join("tests").join("e2e");
    let mut cmd = Command::new("node");
    cmd.current_dir(&dir)
        .args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
        // No test may hang the suite: one that runs past this fails, named, and the rest go on.
        .arg(format!("--test-timeout={}", E2E_TEST_TIMEOUT_MS));
    servers.apply(&mut cmd, &browser.chromium);
    // Test screenshots go under target/, so a test run leaves the checkout as it was; the
    // README's own are retaken on purpose with `cargo xtask screenshots`.
    cmd.env(
        "SCREENSHOTS_DIR",
        screenshots_dir.unwrap_or(&root().join("target").join("screenshots")),
    );
    if let Some(f) = firefox {
        cmd.env("FIREFOX", &f.binary)
            .env("GECKODRIVER", &f.geckodriver);
    }
    if let Some(w) = webkit {
        cmd.env("WEBKIT_DRIVER", &w.driver)
            .env("WEBKIT_BINARY", &w.binary)
            .env("WEBKIT_DISPLAY", &w.display);
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
    Ok(run_counted(cmd, parse_tap, "e2e", outcomes))
}

/// `screenshots`: builds the page and retakes the README's screenshots in `docs/screenshots`
/// from the real page after real runs.
pub fn screenshots(args: &[String]) -> Result<(), String> {
    if let Some(other) = args.first() {
        return Err(format!("screenshots: unknown option `{other}`"));
    }
    crate::build::site_with_tools()?;
    let browser = toolchain::ensure_chromium()?;
    toolchain::ensure_node_modules(&root().join("tests").join("e2e"))?;
    let dir = root().join("docs").join("screenshots");
    let tally = e2e(
        &browser,
        None,
        None,
        &["screenshots.test.mjs".to_string()],
        Some(&dir),
        &mut Outcomes::default(),
    )?;
    if tally.failed > 0 || tally.passed == 0 {
        return Err("the screenshots were not all taken".into());
    }
    say(&format!("wrote {}", dir.display()));
    Ok(())
}

/// Runs `cmd` showing its output as it comes, counts tests with `parse` and records each test's
/// outcome under `suite`. A suite that fails without reporting any count (it did not build, say)
/// counts as one failure.
fn run_counted(
    mut cmd: Command,
    parse: fn(&str, &mut Tally),
    suite: &str,
    outcomes: &mut Outcomes,
) -> Tally {
    let mut tally = Tally::default();
    let child = cmd.stdout(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            eprintln!("xtask: could not start the suite: {e}");
            return Tally {
                failed: 1,
                ..Tally::default()
            };
        }
    };
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            parse(&line, &mut tally);
            if let Some((name, outcome)) = test_outcome(&line) {
                outcomes.record(suite, &name, outcome);
            }
            if let Some(attempt) = claim_attempt(&line) {
                outcomes.attempt(attempt);
            }
        }
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    if !ok && tally.failed == 0 {
        tally.failed = 1;
        outcomes.record(suite, "(the suite itself)", Outcome::Failed);
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_ci_a_skip_fails_the_run() {
        let mut outcomes = Outcomes::default();
        let skipped = skipped_suite(&mut outcomes, "wasm (WebKit)", "WebKitWebDriver missing");
        let total = Tally {
            passed: 10,
            ..Tally::default()
        }
        .add(skipped);
        assert_eq!(total.line(), "10 passed, 0 failed, 1 skipped");
        assert_eq!(
            outcomes.skips(),
            [(
                "wasm (WebKit): (the whole suite)".to_string(),
                "WebKitWebDriver missing".to_string()
            )]
        );
        assert!(ci_refuses_skips(true, &total).is_some_and(|w| w.contains("1 skipped")));
        assert_eq!(
            ci_refuses_skips(false, &total),
            None,
            "outside CI a skip is reported"
        );
        assert_eq!(ci_refuses_skips(true, &Tally::default()), None);
    }
}
