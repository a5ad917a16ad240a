//! Every pin of the project in one place, and installing what is missing into a per-user cache
//! keyed by tool and version, so that later runs and fresh clones on the same machine reuse it.

use crate::project::{root, say};
use crate::shell;
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
pub fn ensure_wasm_pack() -> Result<PathBuf, String> {
    let bin = ensure_cargo_tool(
        "wasm-pack",
        WASM_PACK_VERSION,
        "wasm-pack",
        true,
        "about 3 minutes",
    )?;
    Ok(bin.join("wasm-pack"))
}

/// Installs (once) and returns everything the wasm build needs.
pub fn ensure_build_tools() -> Result<Tools, String> {
    ensure_nightly()?;
    let wb_version = locked_version("wasm-bindgen")?;
    let wasm_bindgen_bin = ensure_cargo_tool(
        "wasm-bindgen-cli",
        &wb_version,
        "wasm-bindgen",
        // Without --locked: the CLI's own lockfile pins a webpki-roots that no longer builds.
        false,
        "about 4 minutes",
    )?;
    let trunk_bin = ensure_cargo_tool("trunk", TRUNK_VERSION, "trunk", true, "8 to 13 minutes")?;
    let wasm_opt_bin = ensure_binaryen()?;
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

/// `cargo install`s `krate` at `version` into `<tools>/<krate>-<version>` unless already there;
/// returns its bin folder. Installs into a temporary folder first so that an interrupted install
/// is never mistaken for a finished one.
fn ensure_cargo_tool(
    krate: &str,
    version: &str,
    bin: &str,
    locked: bool,
    takes: &str,
) -> Result<PathBuf, String> {
    let dir = tools_dir().join(format!("{krate}-{version}"));
    if dir.join("bin").join(bin).is_file() {
        return Ok(dir.join("bin"));
    }
    say(&format!(
        "installing {krate} {version} into {} (first run only: {takes} on 2 cores)",
        dir.display()
    ));
    let partial = tools_dir().join(format!("{krate}-{version}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    let mut cmd = Command::new("cargo");
    // Current trunk needs a newer rustc than the machine's stable.
    cmd.arg(format!("+{NIGHTLY}"))
        .args(["install", krate, "--version", version, "--root"])
        .arg(&partial);
    if locked {
        cmd.arg("--locked");
    }
    shell::run(&mut cmd)?;
    replace_dir(&partial, &dir)?;
    Ok(dir.join("bin"))
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

/// `apt-get update` then `apt-get install` of `packages`, through sudo when not root.
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    let sudo = !is_root() && which("sudo").is_some();
    let apt = |args: &[&str]| {
        let mut cmd = Command::new(if sudo { "sudo" } else { "apt-get" });
        if sudo {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
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
    let bin = ensure_cargo_tool(
        "geckodriver",
        GECKODRIVER_VERSION,
        "geckodriver",
        true,
        "about 3 minutes",
    )
    .map_err(|e| format!("geckodriver could not be installed: {e}"))?;
    Ok(Firefox {
        binary,
        geckodriver: bin.join("geckodriver"),
    })
}
