//! The response headers of the page: one list, sent by `serve` and written to `dist/_headers`
//! for static hosts.

use std::path::Path;

/// Cross-origin isolation (SharedArrayBuffer for the threads tool) that still lets other sites
/// embed the page.
pub const ISOLATION: &[(&str, &str)] = &[
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
    ("Cross-Origin-Resource-Policy", "cross-origin"),
];

/// Writes `_headers` (the format of Netlify and Cloudflare Pages) into `dist`.
pub fn write_headers_file(dist: &Path) -> Result<(), String> {
    let mut text = String::from("/*\n");
    for (name, value) in ISOLATION {
        text.push_str(&format!("  {name}: {value}\n"));
    }
    std::fs::write(dist.join("_headers"), text).map_err(|e| format!("cannot write _headers: {e}"))
}
