//! The site's pages beside the playground: what they take from its build.

use std::path::Path;

/// Pages that link the playground's stylesheet as `./style.css` (the stepping page, whose run
/// view draws with the playground's classes). Trunk names the file by its hash.
const STYLED: [&str; 1] = ["stepping.html"];

/// The link each styled page writes for the playground's stylesheet.
const STYLE_LINK: &str = "href=\"./style.css\"";

/// Points each styled page of the site in `dist` at the playground's stylesheet as built.
pub fn link_stylesheet(dist: &Path) -> Result<(), String> {
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let built: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("style-") && name.ends_with(".css"))
        .collect();
    let [style] = built.as_slice() else {
        return Err(format!(
            "{}: expected one built stylesheet (style-<hash>.css), found {built:?}",
            dist.display()
        ));
    };
    for page in STYLED {
        let path = dist.join(page);
        let html = read(&path)?;
        if !html.contains(STYLE_LINK) {
            return Err(format!("{page} has no {STYLE_LINK} to point at {style}"));
        }
        let html = html.replace(STYLE_LINK, &format!("href=\"./{style}\""));
        std::fs::write(&path, html).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
