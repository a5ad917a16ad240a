//! WebKit, the engine of Safari, as Debian ships it: WebKitGTK's `MiniBrowser` driven by
//! `WebKitWebDriver`. It has no headless mode, so it runs on a private Xvfb display that lives
//! as long as the [`WebKit`] value.

use crate::project::{root, say};
use crate::toolchain::{apt_install, which};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// WebKitGTK ships SharedArrayBuffer switched off even on cross-origin isolated pages (Safari
/// switches it on there). This JavaScriptCore option, read from the environment by every web
/// process, stands in for Safari's behaviour; the suite also runs WebKit without it.
pub const SHARED_ARRAY_BUFFER_ENV: (&str, &str) = ("JSC_useSharedArrayBuffer", "1");

/// A WebKit ready to drive: its WebDriver, its browser and the display it draws on.
pub struct WebKit {
    /// `WebKitWebDriver`.
    pub driver: PathBuf,
    /// WebKitGTK's `MiniBrowser`, which `--automation` lets the driver control.
    pub binary: PathBuf,
    /// The `DISPLAY` of the private Xvfb server.
    pub display: String,
    /// WebDriver capabilities for wasm-bindgen-test (W3C `alwaysMatch`), written for `binary`.
    pub capabilities: PathBuf,
    xvfb: Child,
}

impl Drop for WebKit {
    fn drop(&mut self) {
        stop(&mut self.xvfb);
    }
}

/// Stops Xvfb with SIGTERM, so that it removes its lock file (a SIGKILL leaves it behind, and
/// forty left-behind locks once made every display from :90 look taken: WebKit was skipped).
fn stop(xvfb: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &xvfb.id().to_string()])
        .status();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        if let Ok(Some(_)) = xvfb.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = xvfb.kill();
    let _ = xvfb.wait();
}

/// Whether display `n` is held by a running X server. A lock file whose process is gone (an Xvfb
/// that was killed) is removed with its socket, and the display is free again.
fn display_taken(n: u32) -> bool {
    let lock = PathBuf::from(format!("/tmp/.X{n}-lock"));
    let Ok(text) = std::fs::read_to_string(&lock) else {
        return lock.exists();
    };
    let alive = text
        .trim()
        .parse::<u32>()
        .is_ok_and(|pid| PathBuf::from(format!("/proc/{pid}")).exists());
    if !alive {
        let _ = std::fs::remove_file(&lock);
        let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
    }
    alive
}

fn minibrowser() -> Option<PathBuf> {
    let lib = std::fs::read_dir("/usr/lib").ok()?;
    lib.flatten()
        .map(|d| d.path().join("webkit2gtk-4.1").join("MiniBrowser"))
        .chain([PathBuf::from("/usr/lib/webkit2gtk-4.1/MiniBrowser")])
        .find(|p| p.is_file())
}

/// Whether WebKit's driver, browser and Xvfb are all installed.
pub fn installed() -> bool {
    found().is_some()
}

fn found() -> Option<(PathBuf, PathBuf, PathBuf)> {
    Some((which("WebKitWebDriver")?, minibrowser()?, which("Xvfb")?))
}

/// Finds or installs (apt: `webkit2gtk-driver`, `xvfb`) WebKit and starts its display; `Err` says
/// why the WebKit runs must be skipped.
pub fn ensure() -> Result<WebKit, String> {
    let (driver, binary, xvfb) = match found() {
        Some(f) => f,
        None => {
            say("installing Debian's webkit2gtk-driver and xvfb with apt (first run only, about a minute)");
            apt_install(&["webkit2gtk-driver", "xvfb"])
                .map_err(|e| format!("webkit2gtk-driver could not be installed: {e}"))?;
            found()
                .ok_or("WebKitWebDriver, MiniBrowser or Xvfb still missing after apt-get install")?
        }
    };
    let (display, child) = start_display(&xvfb)?;
    let capabilities = root().join("target").join("webkit-webdriver.json");
    let json = format!(
        "{{\"browserName\": \"MiniBrowser\", \"webkitgtk:browserOptions\": {{\"binary\": {:?}, \"args\": [\"--automation\"]}}}}\n",
        binary.display().to_string()
    );
    std::fs::create_dir_all(root().join("target")).map_err(|e| e.to_string())?;
    std::fs::write(&capabilities, json).map_err(|e| e.to_string())?;
    Ok(WebKit {
        driver,
        binary,
        display,
        capabilities,
        xvfb: child,
    })
}

/// Starts Xvfb on the first free display from :90 up (a live X server's lock file marks one in
/// use).
fn start_display(xvfb: &PathBuf) -> Result<(String, Child), String> {
    for n in 90..130 {
        if display_taken(n) {
            continue;
        }
        let mut child = Command::new(xvfb)
            .args([
                format!(":{n}").as_str(),
                "-screen",
                "0",
                "1280x1024x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("Xvfb did not start: {e}"))?;
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = child.try_wait() {
                break; // taken after all: try the next one
            }
            if socket.exists() {
                return Ok((format!(":{n}"), child));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        stop(&mut child);
    }
    Err("no free X display from :90 to :129 for Xvfb".into())
}
