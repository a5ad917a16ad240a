//! Trunk writes the app's loader as an inline `<script type="module">`, which a CSP without
//! `unsafe-inline` blocks. This moves it into a file of its own, named by its content's hash.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// The opening tag, as Trunk writes it and as its HTML minifier (`minify = "on_release"`) does.
const OPENS: [&str; 2] = ["<script type=\"module\">", "<script type=module>"];
const CLOSE: &str = "</script>";

/// Rewrites `index.html` in `dist`, moving every inline module script into `boot-<hash>.js`.
pub fn externalise_inline_scripts(dist: &Path) -> Result<(), String> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index)
        .map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let (html, scripts) = split_inline_scripts(&html);
    for (name, body) in scripts {
        std::fs::write(dist.join(&name), body).map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    std::fs::write(&index, html).map_err(|e| format!("cannot write {}: {e}", index.display()))
}

/// The scripts Trunk copies as they are (`copy-file`) and the page loads before it is ready (the
/// service worker's among them): the first load is bound by size, so they are minified.
pub const COPIED_SCRIPTS: [&str; 3] = ["engine-worker.js", "coi.js", "coi-sw.js"];

/// Minifies `name` in `dist` in place with the site's esbuild (the sources in `www/` keep their
/// comments): whitespace, comments and local names, not the script's meaning or format.
pub fn minify(dist: &Path, name: &str) -> Result<(), String> {
    let esbuild = crate::project::root()
        .join("www")
        .join("python")
        .join("node_modules")
        .join(".bin")
        .join("esbuild");
    let path = dist.join(name);
    crate::shell::run(
        std::process::Command::new(esbuild)
            .arg(&path)
            .args(["--minify", "--allow-overwrite", "--log-level=warning"])
            .arg(format!("--outfile={}", path.display())),
    )
}

/// Returns the page with each inline module script replaced by a `src` reference, and the
/// scripts as `(file name, body)`.
pub fn split_inline_scripts(html: &str) -> (String, Vec<(String, String)>) {
    let mut out = String::with_capacity(html.len());
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some((start, open)) = OPENS
        .iter()
        .filter_map(|open| rest.find(open).map(|at| (at, open.len())))
        .min()
    {
        let Some(len) = rest[start + open..].find(CLOSE) else {
            break;
        };
        let body = &rest[start + open..start + open + len];
        let mut hasher = DefaultHasher::new();
        body.hash(&mut hasher);
        let name = format!("boot-{:016x}.js", hasher.finish());
        out.push_str(&rest[..start]);
        out.push_str(&format!(
            "<script type=\"module\" src=\"./{name}\"></script>"
        ));
        scripts.push((name, body.trim().to_string() + "\n"));
        rest = &rest[start + open + len + CLOSE.len()..];
    }
    out.push_str(rest);
    (out, scripts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_inline_module_scripts_out() {
        let html = "<head><script type=\"module\">\nimport init from './app.js';\nawait init();\n</script><link rel=x></head>";
        let (page, scripts) = split_inline_scripts(html);
        assert_eq!(scripts.len(), 1);
        assert!(scripts[0].0.starts_with("boot-") && scripts[0].0.ends_with(".js"));
        assert!(scripts[0].1.starts_with("import init from './app.js';"));
        assert!(!page.contains("import init"));
        assert!(page.contains(&format!(
            "<script type=\"module\" src=\"./{}\"></script>",
            scripts[0].0
        )));
        assert!(page.ends_with("<link rel=x></head>"));
        assert_eq!(split_inline_scripts("<p>none</p>").1.len(), 0);
    }

    #[test]
    fn moves_minified_module_scripts_out_too() {
        let html = "<script src=./coi.js></script><script type=module>import init from\"./app.js\";await init()</script><p>";
        let (page, scripts) = split_inline_scripts(html);
        assert_eq!(scripts.len(), 1);
        assert_eq!(scripts[0].1, "import init from\"./app.js\";await init()\n");
        assert!(
            page.starts_with("<script src=./coi.js></script><script type=\"module\" src=\"./boot-")
        );
        assert!(page.ends_with("</script><p>"));
    }
}
