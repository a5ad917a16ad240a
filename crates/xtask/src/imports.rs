//! Short import names for the page's module. wasm-bindgen names each of the ~200 functions the
//! module imports from its JS glue `__wbg_<name>_<16 hex digits>`, under the module name
//! `./app_bg.js`, and writes every name twice: in the wasm's import section and as a key of the
//! glue's import object. The hex digits do not compress: the names cost the first load about
//! 6 KB gzip. This step renames them `a`, `b`, … `ba`, … in both files, under the module `a`;
//! likewise the closure shims it exports under names of up to 300 characters
//! (`wasm_bindgen_<hash>___convert__closures…`), which the glue calls by name; the exports that
//! workers call (`handle`, `ready_info`, …) keep their names. Nothing else in either file changes.
//! The page preloads both files with subresource integrity: their hashes in `index.html` are
//! written again (SHA-384 by coreutils' `sha384sum`).

use std::path::Path;

/// The module name wasm-bindgen gives the glue, and the key its import object uses for it.
const GLUE_MODULE: &str = "./app_bg.js";
/// The module name the imports get instead.
const SHORT_MODULE: &str = "a";

/// Renames the imports of the page's module in the built site `dist` (`app-*_bg.wasm` and its
/// glue `app-*.js`).
pub fn shorten_site(dist: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("app-"))
        .collect();
    let one = |suffix: &str| -> Result<std::path::PathBuf, String> {
        match names
            .iter()
            .filter(|n| n.ends_with(suffix))
            .collect::<Vec<_>>()[..]
        {
            [name] => Ok(dist.join(name)),
            _ => Err(format!("{} has not one app-*{suffix}", dist.display())),
        }
    };
    let (wasm, glue) = (one("_bg.wasm")?, one(".js")?);
    shorten(&wasm, &glue)?;
    let index = dist.join("index.html");
    let mut html =
        std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    for file in [&wasm, &glue] {
        html = set_integrity(&html, file)?;
    }
    std::fs::write(&index, html).map_err(|e| e.to_string())
}

/// `html` with the `integrity` of the tag that loads `file` set to the file's SHA-384.
fn set_integrity(html: &str, file: &Path) -> Result<String, String> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let out = std::process::Command::new("sha384sum")
        .arg(file)
        .output()
        .map_err(|e| format!("sha384sum: {e}"))?;
    let hex = String::from_utf8_lossy(&out.stdout);
    let digest: Vec<u8> = (0..48)
        .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2).unwrap_or("zz"), 16))
        .collect::<Result<_, _>>()
        .map_err(|_| format!("sha384sum said {hex:?}"))?;
    let Some(tag_at) = html.find(&format!("/{name} ")) else {
        // Not preloaded with an integrity: nothing to update.
        return Ok(html.to_string());
    };
    let tag_start = html[..tag_at].rfind('<').unwrap_or(0);
    let tag_end = tag_at + html[tag_at..].find('>').unwrap_or(0);
    let tag = &html[tag_start..tag_end];
    let Some(at) = tag.find("integrity=sha384-") else {
        return Ok(html.to_string());
    };
    let value_start = tag_start + at + "integrity=sha384-".len();
    let value_end = value_start
        + html[value_start..tag_end]
            .find([' ', '>'])
            .unwrap_or(tag_end - value_start);
    Ok(format!(
        "{}{}{}",
        &html[..value_start],
        base64(&digest),
        &html[value_end..]
    ))
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Renames the imports of `wasm` (a file) and the matching keys of `glue` (its JS glue).
pub fn shorten(wasm: &Path, glue: &Path) -> Result<(), String> {
    let bytes = std::fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let js = std::fs::read_to_string(glue).map_err(|e| format!("{}: {e}", glue.display()))?;
    let (bytes, renamed) = rename_imports(&bytes)?;
    let js = rename_keys(&js, &renamed)?;
    std::fs::write(wasm, bytes).map_err(|e| e.to_string())?;
    std::fs::write(glue, js).map_err(|e| e.to_string())
}

/// The `n`-th short name: `a` … `z`, `A` … `Z`, then two letters.
fn short_name(mut n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    loop {
        name.push(LETTERS[n % LETTERS.len()]);
        n /= LETTERS.len();
        if n == 0 {
            break;
        }
        n -= 1;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII")
}

fn leb(bytes: &[u8], at: &mut usize) -> Result<u32, String> {
    let (mut value, mut shift) = (0u32, 0);
    loop {
        let byte = *bytes.get(*at).ok_or("the module ends inside a number")?;
        *at += 1;
        value |= u32::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Ok(value);
        }
        shift += 7;
        if shift > 28 {
            return Err("a number of the module is too long".into());
        }
    }
}

fn put_leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn name<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a str, String> {
    let len = leb(bytes, at)? as usize;
    let text = bytes
        .get(*at..*at + len)
        .ok_or("the module ends inside a name")?;
    *at += len;
    std::str::from_utf8(text).map_err(|_| "a name of the module is not UTF-8".into())
}

/// Skips an import's description (its kind and type), returning it.
fn description<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a [u8], String> {
    let start = *at;
    let kind = *bytes.get(*at).ok_or("the module ends inside an import")?;
    *at += 1;
    let limits = |at: &mut usize| -> Result<(), String> {
        let flags = leb(bytes, at)?;
        leb(bytes, at)?;
        if flags & 1 == 1 {
            leb(bytes, at)?;
        }
        Ok(())
    };
    match kind {
        0 => drop(leb(bytes, at)?),
        1 => {
            *at += 1;
            limits(at)?;
        }
        2 => limits(at)?,
        3 => *at += 2,
        4 => {
            *at += 1;
            leb(bytes, at)?;
        }
        other => return Err(format!("an import of unknown kind {other}")),
    }
    Ok(&bytes[start..*at])
}

/// Each renamed import or export: its old name and its new one.
type Renamed = Vec<(String, String)>;

/// Exports of this prefix are wasm-bindgen's closure shims, which only the glue calls.
const SHIM_PREFIX: &str = "wasm_bindgen_";

/// The module with the glue's imports renamed, and `(old, new)` for each.
fn rename_imports(bytes: &[u8]) -> Result<(Vec<u8>, Renamed), String> {
    if bytes.get(..4) != Some(b"\0asm") {
        return Err("not a WebAssembly module".into());
    }
    let mut out = bytes[..8].to_vec();
    let mut renamed = Vec::new();
    let mut shims = Vec::new();
    let mut at = 8;
    while at < bytes.len() {
        let id = bytes[at];
        at += 1;
        let size = leb(bytes, &mut at)? as usize;
        let body = bytes
            .get(at..at + size)
            .ok_or("the module ends inside a section")?;
        at += size;
        let body = if id == 7 {
            let mut i = 0;
            let count = leb(body, &mut i)?;
            let mut new = Vec::new();
            put_leb(&mut new, count);
            for _ in 0..count {
                let field = name(body, &mut i)?;
                let kind = *body.get(i).ok_or("the module ends inside an export")?;
                i += 1;
                let index = leb(body, &mut i)?;
                let field = if field.starts_with(SHIM_PREFIX) {
                    let short = format!("w{}", shims.len());
                    shims.push((field.to_string(), short.clone()));
                    short
                } else {
                    field.to_string()
                };
                put_leb(&mut new, field.len() as u32);
                new.extend_from_slice(field.as_bytes());
                new.push(kind);
                put_leb(&mut new, index);
            }
            new
        } else if id == 2 {
            let mut i = 0;
            let count = leb(body, &mut i)?;
            let mut new = Vec::new();
            put_leb(&mut new, count);
            for _ in 0..count {
                let module = name(body, &mut i)?;
                let field = name(body, &mut i)?;
                let desc = description(body, &mut i)?;
                let (module, field) = if module == GLUE_MODULE {
                    let short = short_name(renamed.len());
                    renamed.push((field.to_string(), short.clone()));
                    (SHORT_MODULE.to_string(), short)
                } else {
                    (module.to_string(), field.to_string())
                };
                for text in [module, field] {
                    put_leb(&mut new, text.len() as u32);
                    new.extend_from_slice(text.as_bytes());
                }
                new.extend_from_slice(desc);
            }
            new
        } else {
            body.to_vec()
        };
        out.push(id);
        put_leb(&mut out, body.len() as u32);
        out.extend_from_slice(&body);
    }
    Ok((out, Renamed::from_iter(renamed.into_iter().chain(shims))))
}

/// `text` with every whole identifier `old` (not followed by an identifier's character) as
/// `new`.
fn replace_identifier(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let after = &rest[at + old.len()..];
        let whole = !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        out.push_str(&rest[..at]);
        out.push_str(if whole { new } else { old });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The glue with each renamed import's key (`name:` in its import object) and the import
/// object's module key renamed. Every old name must be found exactly once.
fn rename_keys(js: &str, renamed: &[(String, String)]) -> Result<String, String> {
    let mut js = js.to_string();
    let module_key = format!("\"{GLUE_MODULE}\":");
    if js.matches(&module_key).count() != 1 {
        return Err(format!("the glue does not name {GLUE_MODULE} once"));
    }
    js = js.replace(&module_key, &format!("{SHORT_MODULE}:"));
    let (shims, imports): (Vec<_>, Vec<_>) = renamed
        .iter()
        .partition(|(old, _)| old.starts_with(SHIM_PREFIX));
    // A shim's name may begin another's (`…_true_` and `…_true__1_`): longest first, and only
    // where the name ends.
    let mut shims = shims;
    shims.sort_by_key(|(old, _)| std::cmp::Reverse(old.len()));
    for (old, new) in shims {
        js = replace_identifier(&js, old, new);
        if js.contains(old.as_str()) {
            return Err(format!("the glue still names {old}"));
        }
    }
    for (old, new) in imports {
        let key = format!("{old}:");
        if js.matches(&key).count() != 1 {
            return Err(format!("the glue does not have the import {old} once"));
        }
        js = js.replace(&key, &format!("{new}:"));
    }
    Ok(js)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing two functions from the glue and its memory from elsewhere.
    fn module() -> Vec<u8> {
        let mut imports = vec![3];
        for (m, f, desc) in [
            (GLUE_MODULE, "__wbg_now_0123456789abcdef", vec![0u8, 0]),
            ("env", "memory", vec![2, 0, 1]),
            (GLUE_MODULE, "__wbg_log_fedcba9876543210", vec![0, 0]),
        ] {
            for s in [m, f] {
                put_leb(&mut imports, s.len() as u32);
                imports.extend_from_slice(s.as_bytes());
            }
            imports.extend(desc);
        }
        let mut out = b"\0asm\x01\0\0\0".to_vec();
        out.extend([1, 4, 1, 0x60, 0, 0]); // type section: () -> ()
        out.push(2);
        put_leb(&mut out, imports.len() as u32);
        out.extend(imports);
        out
    }

    #[test]
    fn the_glue_imports_get_short_names_in_both_files() {
        let (bytes, renamed) = rename_imports(&module()).unwrap();
        assert_eq!(
            renamed,
            [
                ("__wbg_now_0123456789abcdef".to_string(), "a".to_string()),
                ("__wbg_log_fedcba9876543210".to_string(), "b".to_string())
            ]
        );
        // Read back: the other module's import is untouched, and nothing else moved.
        let (again, renamed_again) = rename_imports(&bytes).unwrap();
        assert!(renamed_again.is_empty(), "module `a` is not the glue's");
        assert_eq!(again, bytes);
        assert!(bytes.windows(6).any(|w| w == b"memory"));
        assert!(!bytes.windows(5).any(|w| w == b"__wbg"));
        let glue = "const i={__proto__:null,__wbg_now_0123456789abcdef:function(){},\
                    __wbg_log_fedcba9876543210:function(e){}};return{\"./app_bg.js\":i}";
        assert_eq!(
            rename_keys(glue, &renamed).unwrap(),
            "const i={__proto__:null,a:function(){},b:function(e){}};return{a:i}"
        );
        assert!(rename_keys("{}", &renamed).is_err(), "a glue without them");
    }

    #[test]
    fn a_shim_whose_name_begins_another_is_renamed_alone() {
        let renamed = vec![
            ("wasm_bindgen_x_true_".to_string(), "w0".to_string()),
            ("wasm_bindgen_x_true__1_".to_string(), "w1".to_string()),
        ];
        let glue =
            "return{\"./app_bg.js\":i};e.wasm_bindgen_x_true_(1);e.wasm_bindgen_x_true__1_(2)";
        assert_eq!(
            rename_keys(glue, &renamed).unwrap(),
            "return{a:i};e.w0(1);e.w1(2)"
        );
    }

    #[test]
    fn base64_as_subresource_integrity_writes_it() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        let dir = std::env::temp_dir().join(format!("xtask-sri-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("app-1_bg.wasm");
        std::fs::write(&file, b"abc").unwrap();
        let html = "<link href=./app-1_bg.wasm integrity=sha384-old rel=preload><p>";
        // `printf abc | openssl dgst -sha384 -binary | base64`
        let want = "<link href=./app-1_bg.wasm integrity=sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn rel=preload><p>";
        assert_eq!(set_integrity(html, &file).unwrap(), want);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn short_names_are_unique() {
        let names: std::collections::HashSet<String> = (0..3000).map(short_name).collect();
        assert_eq!(names.len(), 3000);
        assert_eq!(short_name(0), "a");
        assert_eq!(short_name(52), "aa");
    }
}
