//! Building the page: the atomics engine, then the page (which hosts the plain engine) with
//! Trunk, into dist/.

use crate::project::{dist, dist_hooks, root, say};
use crate::shell;
use crate::steps;
use crate::toolchain::{self, Tools, ATOMICS_RUSTFLAGS, NIGHTLY, WASM_TARGET};
use std::process::Command;

/// A cargo command on the pinned nightly for the wasm target that builds (or checks) the atomics
/// engine: its flags and build-std, in its own target folder so that it never mixes with the
/// page's build. (The plain engine has no build of its own: the page's module hosts it.)
pub fn atomics_cargo(subcommand: &str) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root())
        .arg(format!("+{NIGHTLY}"))
        .args([
            subcommand,
            "-p",
            "engine",
            "--target",
            WASM_TARGET,
            "--release",
        ])
        .args(["--features", "threads", "-Z", "build-std=panic_abort,std"])
        .env("RUSTFLAGS", ATOMICS_RUSTFLAGS)
        .env("CARGO_TARGET_DIR", root().join("target").join("atomics"));
    cmd
}

/// Builds the atomics engine into `target/engine-pkg/engine-atomics/` (wasm-bindgen, then
/// wasm-opt).
fn build_atomics_engine(tools: &Tools) -> Result<(), String> {
    compile_atomics_engine()?;
    bind_atomics_engine(tools)
}

/// The atomics engine's cargo build alone (it needs no tool but the nightly).
fn compile_atomics_engine() -> Result<(), String> {
    say("building the atomics engine");
    shell::run(&mut atomics_cargo("build"))
}

/// wasm-bindgen and wasm-opt on the atomics engine's module.
fn bind_atomics_engine(tools: &Tools) -> Result<(), String> {
    let out = root()
        .join("target")
        .join("engine-pkg")
        .join("engine-atomics");
    let _ = std::fs::remove_dir_all(&out);
    let wasm = root()
        .join("target")
        .join("atomics")
        .join(WASM_TARGET)
        .join("release")
        .join("engine.wasm");
    bind_and_optimise(tools, &wasm, &out, "engine", "-O3", true)
}

/// Builds the insight worker's module into `target/engine-pkg/insight/` (wasm-bindgen, then
/// wasm-opt for size): a plain build with the page's size profile, in its own target folder.
/// The page loads it only after its first run.
fn build_insight(tools: &Tools) -> Result<(), String> {
    compile_insight()?;
    bind_insight(tools)
}

/// The insight module's cargo build alone.
fn compile_insight() -> Result<(), String> {
    say("building the insight module");
    shell::run(
        Command::new("cargo")
            .current_dir(root())
            .arg(format!("+{NIGHTLY}"))
            .args([
                "build",
                "-p",
                "insight",
                "--target",
                WASM_TARGET,
                "--profile",
                "ui",
            ])
            .env("RUSTFLAGS", "")
            .env("CARGO_TARGET_DIR", root().join("target").join("insight")),
    )
}

/// wasm-bindgen and wasm-opt on the insight module.
fn bind_insight(tools: &Tools) -> Result<(), String> {
    let out = root().join("target").join("engine-pkg").join("insight");
    let _ = std::fs::remove_dir_all(&out);
    let wasm = root()
        .join("target")
        .join("insight")
        .join(WASM_TARGET)
        .join("ui")
        .join("insight.wasm");
    bind_and_optimise(tools, &wasm, &out, "insight", "-Oz", false)
}

/// Builds the run view's module into `target/engine-pkg/run-view/`: the page's crate's
/// `run-view` binary (the playground's timeline, GIL lane and replay, which the stepping page
/// loads), with the page's own profile and flags, so that it shares the page's compiled crates.
fn build_run_view(tools: &Tools) -> Result<(), String> {
    compile_run_view()?;
    bind_run_view(tools)
}

/// The run view's cargo build alone.
fn compile_run_view() -> Result<(), String> {
    say("building the run view's module");
    shell::run(page_cargo(
        Command::new("cargo")
            .current_dir(root())
            .args(["build", "--target", WASM_TARGET, "--manifest-path"])
            .arg(root().join("crates").join("app").join("Cargo.toml"))
            .args(["--profile", "ui", "--bin", "run-view"]),
    ))
}

/// wasm-bindgen and wasm-opt on the run view's module.
fn bind_run_view(tools: &Tools) -> Result<(), String> {
    let out = root().join("target").join("engine-pkg").join("run-view");
    let _ = std::fs::remove_dir_all(&out);
    let wasm = root()
        .join("target")
        .join(WASM_TARGET)
        .join("ui")
        .join("run-view.wasm");
    bind_and_optimise(tools, &wasm, &out, "run-view", "-Oz", false)
}

/// wasm-bindgen's web glue for `wasm` into `out` as `name`, then wasm-opt at `level` on the
/// module it wrote (with the threads feature for the atomics build).
fn bind_and_optimise(
    tools: &Tools,
    wasm: &std::path::Path,
    out: &std::path::Path,
    name: &str,
    level: &str,
    threads: bool,
) -> Result<(), String> {
    shell::run(
        Command::new(tools.wasm_bindgen())
            .args([
                "--target",
                "web",
                "--out-name",
                name,
                "--no-typescript",
                "--out-dir",
            ])
            .arg(out)
            .arg(wasm),
    )?;
    let wasm = out.join(format!("{name}_bg.wasm"));
    let features = [
        "--enable-bulk-memory",
        "--enable-mutable-globals",
        "--enable-sign-ext",
        "--enable-nontrapping-float-to-int",
        "--enable-reference-types",
        "--enable-multivalue",
    ];
    shell::run(
        Command::new(tools.wasm_opt())
            .arg(level)
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm)
            .args(threads.then_some("--enable-threads"))
            .args(features),
    )
}

/// Builds the whole release site into dist/.
fn build_site(tools: &Tools) -> Result<(), String> {
    // The plain engine is not built on its own: the page's module hosts it (crates/app).
    steps::timed("build: the atomics engine", || build_atomics_engine(tools))?;
    steps::timed("build: the insight module", || build_insight(tools))?;
    steps::timed("build: the run view's module", || build_run_view(tools))?;
    say("building the page with Trunk");
    steps::timed("build: the page with Trunk", || {
        build_page(tools, &dist(), &[])
    })
}

/// Installs what the build needs and builds the release site into dist/; returns the tools.
/// On a machine without the tools, the project's own cargo builds (the engines and the page's
/// crate, as Trunk will ask for it) run beside the tools' installs: each of the two lines of
/// work has phases that leave a core idle (a crate that compiles alone, a link), which the other
/// fills.
pub fn site_with_tools() -> Result<Tools, String> {
    steps::start();
    steps::timed(
        "Rust nightly with rust-src and the wasm target",
        toolchain::ensure_nightly,
    )?;
    if toolchain::build_tools_installed() {
        let tools = toolchain::ensure_build_tools(false)?;
        build_site(&tools)?;
        return Ok(tools);
    }
    say("installing the build tools beside the project's own cargo builds (first run only)");
    let installs = std::thread::spawn(|| toolchain::ensure_build_tools(true));
    let compiled = steps::timed(
        "build: the engines and the page's crate (cargo) ∥",
        || {
            compile_atomics_engine()?;
            compile_insight()?;
            compile_run_view()?;
            say("building the page's crate as Trunk will ask for it");
            shell::run(page_cargo(
                Command::new("cargo")
                    .current_dir(root())
                    .args([
                        "build",
                        "--target=wasm32-unknown-unknown",
                        "--manifest-path",
                    ])
                    .arg(root().join("crates").join("app").join("Cargo.toml"))
                    // Not --offline, unlike Trunk's: Trunk's `cargo metadata` downloads the crates
                    // first, and on a new machine nothing has yet.
                    .args(["--profile", "ui", "--bin", "app"]),
            ))
        },
    );
    let tools = installs
        .join()
        .map_err(|_| "the tools' install panicked".to_string())??;
    compiled?;
    steps::timed("build: bind and optimise the engines", || {
        bind_atomics_engine(&tools)?;
        bind_insight(&tools)?;
        bind_run_view(&tools)
    })?;
    say("building the page with Trunk");
    steps::timed("build: the page with Trunk", || {
        build_page(&tools, &dist(), &[])
    })?;
    Ok(tools)
}

/// Builds the test build of the site into `target/dist-hooks`: the same page with the feature
/// `test-hooks` (a trap, a broken Stop, the parent's counter set by a test), for the few tests
/// that need them. Its threads build is the release one: no hook needs it.
pub fn build_hooks_site(tools: &Tools) -> Result<(), String> {
    say("building the test build of the page (feature test-hooks) with Trunk");
    build_page(tools, &dist_hooks(), &["--features", "test-hooks"])
}

/// Trunk's release build of the page into `out`, with `extra` arguments.
fn build_page(tools: &Tools, out: &std::path::Path, extra: &[&str]) -> Result<(), String> {
    shell::run(
        page_cargo(
            Command::new(&tools.trunk)
                .current_dir(root())
                .args(["build", "--release", "--offline"])
                .arg("--dist")
                .arg(out)
                .args(extra),
        )
        .env("PATH", tools.path_env()),
    )?;
    crate::imports::shorten_site(out)?;
    crate::python::add_to_site(out)?;
    crate::boot::externalise_inline_scripts(out)?;
    crate::pages::link_stylesheet(out)?;
    crate::headers::write_headers_file(out)?;
    // The worker's script last: the build's id is a hash of every other file, as served.
    for name in crate::boot::COPIED_SCRIPTS
        .iter()
        .filter(|&&n| n != "coi-sw.js")
    {
        crate::boot::minify(out, name)?;
    }
    crate::offline::stamp_build(out)?;
    crate::boot::minify(out, "coi-sw.js")?;
    Ok(())
}

/// The environment of the page's cargo build, whether Trunk runs it or xtask does ahead of
/// Trunk (see `site_with_tools`: the same flags, so that Trunk finds it done).
fn page_cargo(cmd: &mut Command) -> &mut Command {
    // Trunk calls plain `cargo`: the wasm target exists only on the pinned nightly.
    cmd.env("RUSTUP_TOOLCHAIN", NIGHTLY)
        // The first load is bound by this module's size (docs/performance.md): std is
        // rebuilt with the page's size profile and std's own smaller implementations
        // (-20 KB gzip), a panic is a plain trap, with neither message nor formatting
        // machinery (-11 KB; `panic_hook.rs` still shows the crash), and derived Debug
        // prints only a type's name (no visible text uses it; -0.9 KB).
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        .env(
            "RUSTFLAGS",
            "-Zlocation-detail=none -Zfmt-debug=shallow -Zunstable-options \
                 -Cpanic=immediate-abort",
        )
}
