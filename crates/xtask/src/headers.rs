//! The response headers of the page: one list, sent by `serve` and written to `dist/_headers`
//! for static hosts.

use std::path::Path;

/// Every header the page is served with.
///
/// - COOP + COEP make the page cross-origin isolated (SharedArrayBuffer for the threads tool);
///   CORP `cross-origin` still lets other sites embed it.
/// - `Document-Isolation-Policy` lets Chromium 137+ isolate the page's own frame even inside a
///   course page that sends no headers (embedders add `allow="cross-origin-isolated"`).
/// - The CSP allows only the page's own files, WebAssembly compilation (`wasm-unsafe-eval`, no
///   `unsafe-eval`, no `unsafe-inline`) and embedding anywhere (`frame-ancestors *`).
///   `worker-src blob:` is needed because wasm-bindgen-rayon starts each pool thread from a blob
///   copy of its own helper script (fetched from our origin).
pub const PAGE: &[(&str, &str)] = &[
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
    ("Cross-Origin-Resource-Policy", "cross-origin"),
    ("Document-Isolation-Policy", "isolate-and-require-corp"),
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
];

/// Files a course page on another origin loads as a module (`<script type="module"
/// src="https://…/element.js">`): without CORS the browser refuses a cross-origin module. Only
/// these get `Access-Control-Allow-Origin: *`; the page itself needs no CORS.
pub const CROSS_ORIGIN_SCRIPTS: &[&str] = &["/element.js"];

/// The header that lets any origin load [`CROSS_ORIGIN_SCRIPTS`] (they carry no credentials).
pub const ALLOW_ANY_ORIGIN: (&str, &str) = ("Access-Control-Allow-Origin", "*");

/// The Content-Security-Policy.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; \
    frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors *";

/// Writes `_headers` (the format of Netlify and Cloudflare Pages) into `dist`.
pub fn write_headers_file(dist: &Path) -> Result<(), String> {
    let mut text = String::from("/*\n");
    for (name, value) in PAGE {
        text.push_str(&format!("  {name}: {value}\n"));
    }
    // Static hosts add a path's own rules to the `/*` ones.
    for path in CROSS_ORIGIN_SCRIPTS {
        let (name, value) = ALLOW_ANY_ORIGIN;
        text.push_str(&format!("{path}\n  {name}: {value}\n"));
    }
    std::fs::write(dist.join("_headers"), text).map_err(|e| format!("cannot write _headers: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_worker_sets_every_header_of_the_page() {
        // A host that cannot send headers gets them from `coi-sw.js`: the same list, CSP
        // included, or a page served that way would run with fewer protections.
        let sw = std::fs::read_to_string(crate::project::root().join("www").join("coi-sw.js"))
            .expect("www/coi-sw.js");
        for (name, value) in PAGE {
            let line = format!("headers.set(\"{name}\", \"{value}\");");
            assert!(sw.contains(&line), "coi-sw.js lacks {line}");
        }
    }

    #[test]
    fn csp_allows_no_inline_code_or_eval() {
        assert!(!CSP.contains("unsafe-inline"));
        assert!(!CSP.contains("'unsafe-eval'"));
        assert!(CSP.contains("'wasm-unsafe-eval'"));
        assert!(CSP.contains("frame-ancestors *"));
    }

    #[test]
    fn headers_file_lists_every_header() {
        let dir = std::env::temp_dir().join(format!("xtask-headers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        write_headers_file(&dir).unwrap();
        let text = std::fs::read_to_string(dir.join("_headers")).unwrap();
        assert!(text.starts_with("/*\n"));
        for (name, value) in PAGE {
            assert!(text.contains(&format!("  {name}: {value}\n")));
        }
        assert!(text.ends_with("/element.js\n  Access-Control-Allow-Origin: *\n"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
