//! `cargo xtask dist`: the static site in dist/, with `_headers` for static hosts.

use crate::project::{dist, say};

/// Builds the release site.
pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(a) = args.first() {
        return Err(format!("dist: unknown option `{a}`"));
    }
    crate::build::site_with_tools()?;
    say(&format!("the static site is in {}", dist().display()));
    Ok(())
}
