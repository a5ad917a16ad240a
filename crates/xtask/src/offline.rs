//! The service worker's build id: `coi-sw.js` keeps the site's files in a cache named for the
//! build, so that a new build is a new worker script (the browser installs it beside the old) and
//! a new cache (no page mixes two builds). The id is a hash of every file the site serves.

use std::hash::Hasher;
use std::path::{Path, PathBuf};

/// The line of `www/coi-sw.js` the build rewrites.
pub const PLACEHOLDER: &str = "const BUILD = \"dev\";";

/// Writes the build's id into `dist/coi-sw.js`.
pub fn stamp_build(dist: &Path) -> Result<String, String> {
    let sw = dist.join("coi-sw.js");
    let text =
        std::fs::read_to_string(&sw).map_err(|e| format!("cannot read {}: {e}", sw.display()))?;
    if text.matches(PLACEHOLDER).count() != 1 {
        return Err(format!("{} has no line `{PLACEHOLDER}`", sw.display()));
    }
    let id = build_id(dist)?;
    let stamped = text.replace(PLACEHOLDER, &format!("const BUILD = \"{id}\";"));
    std::fs::write(&sw, stamped).map_err(|e| format!("cannot write {}: {e}", sw.display()))?;
    Ok(id)
}

/// 12 hex digits of a hash of every file under `dist` (its path and bytes), the worker's own
/// script and the host's header list left out.
pub fn build_id(dist: &Path) -> Result<String, String> {
    let mut files = Vec::new();
    walk(dist, &mut files)?;
    files.sort();
    // FNV-1a: the same id on every machine and toolchain (std's hasher promises neither).
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    for file in files {
        let name = file
            .strip_prefix(dist)
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        if name == "coi-sw.js" || name == "_headers" {
            continue;
        }
        hash.write(name.as_bytes());
        hash.write(&[0]);
        let bytes =
            std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        hash.write(&bytes);
    }
    Ok(format!("{:012x}", hash.finish() & 0xffff_ffff_ffff))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_source_has_the_placeholder_once() {
        let sw = std::fs::read_to_string(crate::project::root().join("www").join("coi-sw.js"))
            .expect("www/coi-sw.js");
        assert_eq!(sw.matches(PLACEHOLDER).count(), 1);
    }

    #[test]
    fn a_changed_file_is_a_new_build_and_the_worker_is_stamped() {
        let dir = std::env::temp_dir().join(format!("xtask-offline-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("python")).unwrap();
        std::fs::write(dir.join("index.html"), "<p>one</p>").unwrap();
        std::fs::write(dir.join("python").join("x.py"), "print(1)").unwrap();
        std::fs::write(dir.join("coi-sw.js"), format!("{PLACEHOLDER}\n")).unwrap();
        let first = build_id(&dir).unwrap();
        assert_eq!(first.len(), 12);
        assert_eq!(
            build_id(&dir).unwrap(),
            first,
            "the same files, the same id"
        );
        std::fs::write(dir.join("python").join("x.py"), "print(2)").unwrap();
        let second = build_id(&dir).unwrap();
        assert_ne!(second, first, "a changed file deep in the site changes it");
        let id = stamp_build(&dir).unwrap();
        assert_eq!(id, second, "the worker's own script is not part of it");
        let sw = std::fs::read_to_string(dir.join("coi-sw.js")).unwrap();
        assert_eq!(sw, format!("const BUILD = \"{id}\";\n"));
        assert!(
            stamp_build(&dir).is_err(),
            "stamped twice: the placeholder is gone"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
