//! Every pin of the project in one place, and installing what is missing into a per-user cache
//! keyed by tool and version, so that later runs and fresh clones on the same machine reuse it.

use crate::project::{root, say};
use crate::shell;
use crate::steps::{self, Usual};
use std::path::{Path, PathBuf};
use std::process::Command;

/// wasm-bindgen-rayon needs nightly (build-std); this one is known to work offline here.
pub const NIGHTLY: &str = "nightly-2026-05-20";
/// The web target, which exists only on the pinned nightly on these machines.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Trunk builds the UI.
pub const TRUNK_VERSION: &str = "0.22.1";
/// geckodriver drives Debian's Firefox ESR for the Firefox tests.
pub const GECKODRIVER_VERSION: &str = "0.37.1";
/// wasm-opt comes from the npm package `binaryen` (Debian's is too old for these modules).
pub const BINARYEN_VERSION: &str = "132.0.0";

/// Flags of the atomics build (threads): shared memory, imported so that workers share it, and
/// the TLS exports wasm-bindgen-rayon's workers need (recent nightlies no longer export them).
pub const ATOMICS_RUSTFLAGS: &str = "-C target-feature=+atomics,+bulk-memory,+mutable-globals \
    -C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory \
    -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
    -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base";

/// Where tools are cached: `$CONCURRENCY_PLAYGROUND_TOOLS`, else the user's cache folder.
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONCURRENCY_PLAYGROUND_TOOLS") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| root().join("target"));
    cache.join("concurrency-playground").join("tools")
}

/// The installed tools the build needs.
pub struct Tools {
    /// The trunk binary.
    pub trunk: PathBuf,
    /// Folder of `wasm-bindgen` and `wasm-bindgen-test-runner`.
    pub wasm_bindgen_bin: PathBuf,
    /// Folder of `wasm-opt`.
    pub wasm_opt_bin: PathBuf,
}

impl Tools {
    /// `PATH` with the local tools first, so Trunk finds them and never downloads.
    pub fn path_env(&self) -> std::ffi::OsString {
        let mut dirs = vec![self.wasm_bindgen_bin.clone(), self.wasm_opt_bin.clone()];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        std::env::join_paths(dirs).unwrap_or_default()
    }

    /// The `wasm-bindgen` binary.
    pub fn wasm_bindgen(&self) -> PathBuf {
        self.wasm_bindgen_bin.join("wasm-bindgen")
    }

    /// The `wasm-opt` binary.
    pub fn wasm_opt(&self) -> PathBuf {
        self.wasm_opt_bin.join("wasm-opt")
    }
}

/// The `wasm-pack` whose `wasm-pack test --headless --chrome/--firefox` the wasm tests run,
/// as the project's users type it.
pub const WASM_PACK_VERSION: &str = "0.15.1";

/// Installs (once) `wasm-pack` and returns its binary. It uses the local `wasm-bindgen` (first
/// on `PATH`, the exact version of Cargo.lock) and the drivers it is given: nothing downloads.
/// With `quiet`, cargo's lines go to a log (the install runs beside the site's build).
pub fn ensure_wasm_pack(quiet: bool) -> Result<PathBuf, String> {
    let bin = ensure_cargo_tool(
        &CargoTool {
            krate: "wasm-pack",
            version: WASM_PACK_VERSION,
            bin: "wasm-pack",
            locked: true,
            no_default_features: false,
            features: "",
            opt_level: "0",
            usual: Usual {
                secs: 70,
                crates: 185,
            },
        },
        quiet,
    )?;
    Ok(bin.join("wasm-pack"))
}

/// Whether the build tools are installed already (a warm machine: nothing to overlap).
pub fn build_tools_installed() -> bool {
    let wb = locked_version("wasm-bindgen").unwrap_or_default();
    [
        tools_dir().join(format!("wasm-bindgen-cli-{wb}/bin/wasm-bindgen")),
        tools_dir().join(format!("trunk-{TRUNK_VERSION}/bin/trunk")),
    ]
    .iter()
    .all(|p| p.is_file())
}

/// Installs (once) and returns everything the wasm build needs, after the nightly (see
/// [`ensure_nightly`]). Each step is timed (see `steps`); the npm packages download beside the
/// cargo installs. With `quiet`, cargo's lines go to logs (the installs run beside the
/// project's own builds: `build::site_with_tools`).
pub fn ensure_build_tools(quiet: bool) -> Result<Tools, String> {
    let beside = std::thread::spawn(|| {
        let opt = steps::timed("wasm-opt: npm binaryen ∥", ensure_binaryen);
        let python = steps::timed("CPython: npm pyodide and the editor ∥", || {
            ensure_node_modules(&root().join("www").join("python"))
        });
        python.and(opt)
    });
    let wb_version = locked_version("wasm-bindgen")?;
    let wasm_bindgen_bin = ensure_cargo_tool(
        &CargoTool {
            krate: "wasm-bindgen-cli",
            version: &wb_version,
            bin: "wasm-bindgen",
            // Without --locked: the CLI's own lockfile pins a webpki-roots that no longer builds.
            locked: false,
            // TLS serves only the test runner's driver download, which never happens here.
            no_default_features: true,
            features: "",
            // It rewrites every module of the build: optimised, unlike the other tools.
            opt_level: "1",
            usual: Usual {
                secs: 150,
                crates: 150,
            },
        },
        quiet,
    )?;
    let trunk_bin = ensure_cargo_tool(
        &CargoTool {
            krate: "trunk",
            version: TRUNK_VERSION,
            bin: "trunk",
            locked: true,
            // No update check: the build runs `trunk build --offline` only. Trunk refuses to
            // build without a TLS backend; rustls builds from crates.io alone (native-tls
            // would need Debian's OpenSSL headers).
            no_default_features: true,
            features: "rustls",
            opt_level: "0",
            usual: Usual {
                secs: 255,
                crates: 480,
            },
        },
        quiet,
    )?;
    let wasm_opt_bin = beside
        .join()
        .map_err(|_| "the npm installs panicked".to_string())??;
    Ok(Tools {
        trunk: trunk_bin.join("trunk"),
        wasm_bindgen_bin,
        wasm_opt_bin,
    })
}

/// The pinned nightly with `rust-src` and the wasm target (rustup does not auto-install here).
pub fn ensure_nightly() -> Result<(), String> {
    let sysroot =
        shell::capture(Command::new("rustc").args([&format!("+{NIGHTLY}"), "--print", "sysroot"]))
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let complete = sysroot.is_some_and(|s| {
        s.join("lib/rustlib").join(WASM_TARGET).is_dir()
            && s.join("lib/rustlib/src/rust").is_dir()
            && s.join("bin/cargo-clippy").is_file()
    });
    if complete {
        return Ok(());
    }
    say(&format!(
        "installing Rust {NIGHTLY} with rust-src, clippy and {WASM_TARGET} (first run only, under a minute)"
    ));
    shell::run(Command::new("rustup").args([
        "toolchain",
        "install",
        NIGHTLY,
        "--profile",
        "minimal",
        "-c",
        "rust-src,clippy,rustfmt",
        "-t",
        WASM_TARGET,
    ]))
}

/// The exact version of `package` in Cargo.lock (the CLI must match the crate exactly).
pub fn locked_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"") {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(v.trim_matches('"').to_string());
            }
        }
    }
    Err(format!("{package} is not in Cargo.lock"))
}

/// A tool that `cargo install` builds from crates.io.
struct CargoTool<'a> {
    krate: &'a str,
    version: &'a str,
    /// The binary whose presence marks a finished install.
    bin: &'a str,
    /// Build with the tool's own lockfile.
    locked: bool,
    /// Leave out the tool's default features (TLS for downloads the project never makes, an
    /// update check)...
    no_default_features: bool,
    /// ...and build these instead.
    features: &'a str,
    /// `opt-level` of its build: "0" for a tool whose own work takes milliseconds (it runs
    /// cargo or a browser driver), "1" for one that does real work on our files.
    opt_level: &'a str,
    /// Its usual cost, for the progress lines.
    usual: Usual,
}

/// The profile the tools are built with, overriding their own (trunk's asks for fat LTO and one
/// codegen unit, three quarters of its install time). A tool runs a few seconds a day, so it is
/// built for build time: little or no optimisation (`CargoTool::opt_level`), many codegen
/// units, no LTO, no debug info.
const TOOL_PROFILE: [(&str, &str); 4] = [
    ("CARGO_PROFILE_RELEASE_LTO", "off"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256"),
    ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
    ("CARGO_PROFILE_RELEASE_INCREMENTAL", "false"),
];

/// `cargo install`s a tool into `<tools>/<krate>-<version>` unless already there; returns its
/// bin folder. Every tool builds in one target folder, so that the crates they share (tokio,
/// serde, clap, …, at the same version and features) compile once. Installs into a temporary
/// folder first so that an interrupted install is never mistaken for a finished one.
fn ensure_cargo_tool(tool: &CargoTool, quiet: bool) -> Result<PathBuf, String> {
    let CargoTool { krate, version, .. } = *tool;
    let dir = tools_dir().join(format!("{krate}-{version}"));
    if dir.join("bin").join(tool.bin).is_file() {
        link_into_bin(&dir.join("bin"));
        return Ok(dir.join("bin"));
    }
    say(&format!(
        "installing {krate} {version} into {} (first run only: usually {} on 2 cores{})",
        dir.display(),
        steps::clock(std::time::Duration::from_secs(tool.usual.secs)),
        if quiet { ", beside the build" } else { "" }
    ));
    let partial = tools_dir().join(format!("{krate}-{version}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    let mut cmd = Command::new("cargo");
    // Current trunk needs a newer rustc than the machine's stable.
    cmd.arg(format!("+{NIGHTLY}"))
        .args(["install", krate, "--version", version, "--root"])
        .arg(&partial)
        .envs(TOOL_PROFILE)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", tool.opt_level)
        .env("CARGO_TARGET_DIR", tools_dir().join("cargo-target"));
    if tool.locked {
        cmd.arg("--locked");
    }
    if tool.no_default_features {
        cmd.arg("--no-default-features");
    }
    if !tool.features.is_empty() {
        cmd.args(["--features", tool.features]);
    }
    let label = format!("installing {krate}");
    let log = tools_dir().join(format!("{krate}-{version}.log"));
    let name = format!("install {krate} {version}{}", if quiet { " ∥" } else { "" });
    steps::timed(&name, || {
        steps::run_cargo(&mut cmd, &label, tool.usual, quiet, &log)
    })?;
    replace_dir(&partial, &dir)?;
    link_into_bin(&dir.join("bin"));
    Ok(dir.join("bin"))
}

/// Links every program of `from` into `<tools>/bin`, the one folder a person puts on `PATH` to
/// type the tools' commands themselves (the wasm tests as their users run them: README). A
/// newer version's link replaces an older one's.
fn link_into_bin(from: &Path) {
    let bin = tools_dir().join("bin");
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    let _ = std::fs::create_dir_all(&bin);
    for entry in entries.flatten() {
        let link = bin.join(entry.file_name());
        if std::fs::read_link(&link).is_ok_and(|to| to == entry.path()) {
            continue;
        }
        let _ = std::fs::remove_file(&link);
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink(entry.path(), &link);
    }
}

fn ensure_binaryen() -> Result<PathBuf, String> {
    let dir = tools_dir().join(format!("binaryen-{BINARYEN_VERSION}"));
    let bin = dir.join("node_modules").join(".bin");
    if bin.join("wasm-opt").is_file() {
        return Ok(bin);
    }
    say(&format!(
        "installing wasm-opt (npm binaryen@{BINARYEN_VERSION}) into {}",
        dir.display()
    ));
    let partial = tools_dir().join(format!("binaryen-{BINARYEN_VERSION}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|e| e.to_string())?;
    shell::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&partial)
            .arg(format!("binaryen@{BINARYEN_VERSION}")),
    )?;
    replace_dir(&partial, &dir)?;
    Ok(bin)
}

fn replace_dir(from: &Path, to: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(to);
    std::fs::rename(from, to)
        .map_err(|e| format!("cannot move {} to {}: {e}", from.display(), to.display()))
}

/// Debian's Chromium and its driver, installed with apt when missing.
pub struct Browser {
    /// The browser binary.
    pub chromium: PathBuf,
    /// The matching WebDriver.
    pub chromedriver: PathBuf,
}

/// Finds Chromium and chromedriver, installing Debian's packages when missing.
pub fn ensure_chromium() -> Result<Browser, String> {
    let find = |name: &str| which(name);
    if let (Some(chromium), Some(chromedriver)) = (find("chromium"), find("chromedriver")) {
        return Ok(Browser {
            chromium,
            chromedriver,
        });
    }
    say("installing Debian's chromium and chromium-driver with apt (first run only, about a minute)");
    apt_install(&["chromium", "chromium-driver"])?;
    match (find("chromium"), find("chromedriver")) {
        (Some(chromium), Some(chromedriver)) => Ok(Browser {
            chromium,
            chromedriver,
        }),
        _ => Err("chromium or chromedriver still missing after apt-get install".into()),
    }
}

/// Debian's packages of every browser the tests drive (Chromium, Firefox ESR, WebKitGTK and
/// their drivers), installed with one apt call when any is missing; apt's lines go to a log,
/// since the test command runs this beside the tool installs.
pub fn ensure_browser_packages() -> Result<(), String> {
    let mut missing = Vec::new();
    if which("chromium").is_none() {
        missing.push("chromium");
    }
    if which("chromedriver").is_none() {
        missing.push("chromium-driver");
    }
    if which("firefox-esr").or_else(|| which("firefox")).is_none() {
        missing.push("firefox-esr");
    }
    if !crate::webkit::installed() {
        missing.extend(["webkit2gtk-driver", "xvfb"]);
    }
    if missing.is_empty() {
        return Ok(());
    }
    let log = tools_dir().join("apt.log");
    say(&format!(
        "installing Debian's {} with apt beside the builds (first run only, about 2 minutes; log in {})",
        missing.join(", "),
        log.display()
    ));
    std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
    apt(&missing, Some(&log))
}

/// `apt-get update` then `apt-get install` of `packages`, through sudo when not root.
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    apt(packages, None)
}

/// `apt_install`, with apt's output appended to `log` when one is given.
fn apt(packages: &[&str], log: Option<&Path>) -> Result<(), String> {
    let sudo = !is_root() && which("sudo").is_some();
    let apt = |args: &[&str]| {
        let mut cmd = Command::new(if sudo { "sudo" } else { "apt-get" });
        if sudo {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        if let Some(log) = log {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .map_err(|e| format!("{}: {e}", log.display()))?;
            let err = file.try_clone().map_err(|e| e.to_string())?;
            cmd.stdout(file).stderr(err);
        }
        shell::run(&mut cmd)
    };
    apt(&["update", "-q"])?;
    apt(&[&["install", "-y", "-q"][..], packages].concat())
}

fn is_root() -> bool {
    shell::capture(Command::new("id").arg("-u"))
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The first `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// `npm ci` in `dir` when its node_modules is missing or older than its lockfile.
pub fn ensure_node_modules(dir: &Path) -> Result<(), String> {
    let modules = dir.join("node_modules");
    let stamp = modules.join(".package-lock.json");
    let fresh = match (
        std::fs::metadata(&stamp),
        std::fs::metadata(dir.join("package-lock.json")),
    ) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    say(&format!("installing the npm packages of {}", dir.display()));
    shell::run(
        Command::new("npm")
            // No package runs an install script: esbuild's binary comes as its own package.
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
            .current_dir(dir),
    )
}

/// Debian's Firefox ESR and geckodriver, for the Firefox runs of the tests.
pub struct Firefox {
    /// The browser binary.
    pub binary: PathBuf,
    /// The WebDriver.
    pub geckodriver: PathBuf,
}

/// Finds or installs Firefox ESR (apt) and geckodriver (crates.io, cached); `Err` says why the
/// Firefox runs must be skipped.
pub fn ensure_firefox() -> Result<Firefox, String> {
    let binary = match which("firefox-esr").or_else(|| which("firefox")) {
        Some(b) => b,
        None => {
            say("installing Debian's firefox-esr with apt (first run only, under a minute)");
            apt_install(&["firefox-esr"])
                .map_err(|e| format!("firefox-esr could not be installed: {e}"))?;
            which("firefox-esr").ok_or("firefox-esr is still missing after apt-get install")?
        }
    };
    let bin = ensure_geckodriver(false)?;
    Ok(Firefox {
        binary,
        geckodriver: bin.join("geckodriver"),
    })
}

/// Installs (once) geckodriver and returns its bin folder; `quiet` as for `ensure_wasm_pack`.
pub fn ensure_geckodriver(quiet: bool) -> Result<PathBuf, String> {
    ensure_cargo_tool(
        &CargoTool {
            krate: "geckodriver",
            version: GECKODRIVER_VERSION,
            bin: "geckodriver",
            locked: true,
            no_default_features: false,
            features: "",
            opt_level: "0",
            usual: Usual {
                secs: 45,
                crates: 140,
            },
        },
        quiet,
    )
    .map_err(|e| format!("geckodriver could not be installed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's folder builds the atomics engine for `wasm-pack test` typed by hand: its
    /// toolchain file and cargo config must say what xtask's pins say.
    #[test]
    fn the_engine_folder_pins_what_xtask_pins() {
        let engine = root().join("crates").join("engine");
        let toolchain = std::fs::read_to_string(engine.join("rust-toolchain.toml")).unwrap();
        assert!(
            toolchain.contains(&format!("channel = \"{NIGHTLY}\"")),
            "crates/engine/rust-toolchain.toml names another nightly than {NIGHTLY}"
        );
        assert!(toolchain.contains(&format!("\"{WASM_TARGET}\"")));
        let config = std::fs::read_to_string(engine.join(".cargo").join("config.toml")).unwrap();
        let start = config.find("rustflags = [").expect("rustflags") + "rustflags = [".len();
        let end = start + config[start..].find(']').expect("the end of rustflags");
        // Every other piece between quotes is a flag (a flag may hold commas itself).
        let flags: Vec<&str> = config[start..end].split('"').skip(1).step_by(2).collect();
        let ours: Vec<&str> = ATOMICS_RUSTFLAGS.split_whitespace().collect();
        assert_eq!(
            flags, ours,
            "crates/engine/.cargo/config.toml's rustflags differ from ATOMICS_RUSTFLAGS"
        );
    }
}
