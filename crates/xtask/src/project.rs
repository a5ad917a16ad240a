//! Where things are: the project root and the folders xtask writes.

use std::path::{Path, PathBuf};

/// The workspace root (two levels above this crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The built static site.
pub fn dist() -> PathBuf {
    root().join("dist")
}

/// The test build of the site (feature `test-hooks`), which only the tests that need its hooks
/// drive; everything else tests the shipped `dist/`.
pub fn dist_hooks() -> PathBuf {
    root().join("target").join("dist-hooks")
}

/// Prints a progress line, flushed at once (long steps follow).
pub fn say(message: &str) {
    use std::io::Write;
    println!("[xtask] {message}");
    let _ = std::io::stdout().flush();
}
