//! The lint suite of `cargo xtask test`: formatting and clippy with warnings denied, natively and
//! for the wasm crates (which only build on the pinned nightly's wasm target).

use crate::project::{root, say};
use crate::tally::{Outcome, Outcomes, Tally};
use crate::toolchain::{NIGHTLY, WASM_TARGET};
use std::process::Command;

/// Runs each check and counts it as one test.
pub fn run(outcomes: &mut Outcomes) -> Tally {
    say("lint: cargo fmt --check, cargo clippy -D warnings (native and wasm)");
    let mut checks: Vec<(&str, Command)> = Vec::new();
    let mut fmt = Command::new("cargo");
    fmt.args(["fmt", "--all", "--", "--check"]);
    checks.push(("cargo fmt --check", fmt));
    let mut native = Command::new("cargo");
    native.args(["clippy", "--all-targets", "--", "-D", "warnings"]);
    checks.push(("clippy (model, insight, xtask)", native));
    let mut wasm = Command::new("cargo");
    wasm.arg(format!("+{NIGHTLY}"))
        .args([
            "clippy",
            "-p",
            "engine",
            "-p",
            "app",
            "-p",
            "insight",
            "--target",
            WASM_TARGET,
            "--release",
        ])
        .args(["--", "-D", "warnings"])
        .env_remove("RUSTFLAGS");
    checks.push(("clippy (engine, app, insight: wasm)", wasm));
    let mut atomics = crate::build::atomics_cargo("clippy");
    atomics.args(["--", "-D", "warnings"]);
    checks.push(("clippy (engine: atomics build)", atomics));
    let mut tally = Tally::default();
    for (name, mut cmd) in checks {
        let ok = cmd
            .current_dir(root())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        println!("{} - {name}", if ok { "ok" } else { "not ok" });
        outcomes.record("lint", name, Outcome::of(ok));
        if ok {
            tally.passed += 1;
        } else {
            tally.failed += 1;
        }
    }
    tally
}
