//! `cargo xtask dist`: the static site in dist/, with `_headers` for static hosts.

use crate::project::{dist, say};
use crate::toolchain;

/// Builds the release site.
pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(a) = args.first() {
        return Err(format!("dist: unknown option `{a}`"));
    }
    let tools = toolchain::ensure_build_tools()?;
    crate::build::build_site(&tools)?;
    say(&format!("the static site is in {}", dist().display()));
    Ok(())
}
