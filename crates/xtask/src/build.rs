//! Building the page: the two engine builds, then the UI with Trunk, into dist/.

use crate::project::{dist, root, say};
use crate::shell;
use crate::toolchain::{Tools, ATOMICS_RUSTFLAGS, NIGHTLY, WASM_TARGET};
use std::path::PathBuf;
use std::process::Command;

/// One of the engine's two builds.
#[derive(Clone, Copy)]
pub enum EngineBuild {
    /// No atomics: runs on any host.
    Plain,
    /// Atomics and shared memory: the threads tool.
    Atomics,
}

impl EngineBuild {
    fn name(self) -> &'static str {
        match self {
            EngineBuild::Plain => "plain",
            EngineBuild::Atomics => "atomics",
        }
    }
}

/// A cargo command on the pinned nightly for the wasm target, set up for `build`: the atomics
/// build gets its flags and build-std, in its own target folder so the two never mix.
pub fn engine_cargo(build: EngineBuild, subcommand: &str) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root()).arg(format!("+{NIGHTLY}")).args([
        subcommand,
        "-p",
        "engine",
        "--target",
        WASM_TARGET,
        "--release",
    ]);
    match build {
        EngineBuild::Plain => {
            cmd.env_remove("RUSTFLAGS");
        }
        EngineBuild::Atomics => {
            cmd.args(["--features", "threads", "-Z", "build-std=panic_abort,std"])
                .env("RUSTFLAGS", ATOMICS_RUSTFLAGS)
                .env("CARGO_TARGET_DIR", root().join("target").join("atomics"));
        }
    }
    cmd
}

fn engine_wasm(build: EngineBuild) -> PathBuf {
    let target = match build {
        EngineBuild::Plain => root().join("target"),
        EngineBuild::Atomics => root().join("target").join("atomics"),
    };
    target.join(WASM_TARGET).join("release").join("engine.wasm")
}

/// Builds one engine into `target/engine-pkg/engine-<build>/` (wasm-bindgen, then wasm-opt).
pub fn build_engine(tools: &Tools, build: EngineBuild) -> Result<(), String> {
    say(&format!("building the {} engine", build.name()));
    shell::run(&mut engine_cargo(build, "build"))?;
    let out = root()
        .join("target")
        .join("engine-pkg")
        .join(format!("engine-{}", build.name()));
    let _ = std::fs::remove_dir_all(&out);
    shell::run(
        Command::new(tools.wasm_bindgen())
            .args([
                "--target",
                "web",
                "--out-name",
                "engine",
                "--no-typescript",
                "--out-dir",
            ])
            .arg(&out)
            .arg(engine_wasm(build)),
    )?;
    let wasm = out.join("engine_bg.wasm");
    let mut opt = Command::new(tools.wasm_opt());
    opt.arg("-O3").arg(&wasm).arg("-o").arg(&wasm);
    if let EngineBuild::Atomics = build {
        opt.args([
            "--enable-threads",
            "--enable-bulk-memory",
            "--enable-mutable-globals",
        ]);
    }
    opt.args([
        "--enable-sign-ext",
        "--enable-nontrapping-float-to-int",
        "--enable-reference-types",
        "--enable-multivalue",
        "--enable-bulk-memory",
    ]);
    shell::run(&mut opt)
}

/// Builds the whole release site into dist/.
pub fn build_site(tools: &Tools) -> Result<(), String> {
    build_engine(tools, EngineBuild::Plain)?;
    build_engine(tools, EngineBuild::Atomics)?;
    say("building the page with Trunk");
    shell::run(
        Command::new(&tools.trunk)
            .current_dir(root())
            .args(["build", "--release", "--offline"])
            .env("PATH", tools.path_env())
            // Trunk calls plain `cargo`: the wasm target exists only on the pinned nightly.
            .env("RUSTUP_TOOLCHAIN", NIGHTLY)
            .env_remove("RUSTFLAGS"),
    )?;
    crate::boot::externalise_inline_scripts(&dist())?;
    crate::headers::write_headers_file(&dist())?;
    Ok(())
}
