//! The model's layers, kept: every `crate::` and `super::` path of the model's code, in `use`
//! lines and written inline, points to its own layer or to one above it in the order that
//! `docs/architecture.md` declares (its table under "crates/model", read here), and no files
//! import each other in a circle.
//!
//! The rules, as the architecture document states them:
//! - A file may name items of its own layer and of the layers declared before it, never of a
//!   layer declared after it.
//! - Test code (an item under `#[cfg(test)]` or `#[test]`, and every file a test module declares,
//!   such as `lab/tests.rs`) may reach any layer: a test builds what it checks from wherever it
//!   is made. It must still name each item through a layer.
//! - Every path goes through a layer: nothing is reached through the crate root.
//! - Outside test code no files import each other in a circle. A module's arrows to the files it
//!   declares itself (`mod sweep;` in `lab.rs`) are that module's own parts, not imports: a
//!   circle counts only arrows written as `crate::…` or `super::…` to a file that is not one of
//!   the writer's own submodules.
//!
//! The reader is a small lexer (comments, strings and characters skipped) and a path reader
//! (grouped `use a::{b, c::{d, e}}` forms expanded), not a Rust parser: enough for the paths this
//! code writes, and tested below on sources made to break each rule.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

/// The document whose table declares the layers' order.
const ARCHITECTURE: &str = include_str!("../../../docs/architecture.md");
/// The line just above that table.
const TABLE_MARK: &str = "<!-- layers:";

/// One file of the model's source: its path under `src/` (with `/`) and its text.
struct Source {
    path: String,
    text: String,
}

impl Source {
    fn new(path: &str, text: &str) -> Self {
        Source {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// The layers, in order, as the table under [`TABLE_MARK`] lists them (its first column).
fn layers_from(doc: &str) -> Vec<String> {
    let mut lines = doc.lines().skip_while(|l| !l.starts_with(TABLE_MARK));
    lines
        .next()
        .expect("docs/architecture.md marks the layers' table");
    lines
        .take_while(|l| l.starts_with('|'))
        // The header and the rule below it.
        .skip(2)
        .map(|row| {
            let cell = row.split('|').nth(1).unwrap_or_default().trim();
            cell.trim_matches('`').to_string()
        })
        .collect()
}

/// Every `.rs` file under `dir`, with its path relative to `root`.
fn read_tree(root: &Path, dir: &Path, out: &mut Vec<Source>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_tree(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under the root");
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let text = std::fs::read_to_string(&path).expect("a source file");
            out.push(Source::new(&rel.join("/"), &text));
        }
    }
}

/// The model's source files.
fn model_sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    read_tree(&src, &src, &mut out);
    out
}

// --- the lexer ---

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// A name or keyword (`$crate` included).
    Ident(String),
    /// `::`.
    PathSep,
    /// `{`, `(` or `[`.
    Open(char),
    /// `}`, `)` or `]`.
    Close(char),
    /// Any other punctuation, one character.
    Punct(char),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    line: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The tokens of `text` that can make a path, with their lines; comments, string and character
/// literals and numbers are left out.
fn lex(text: &str) -> Vec<Token> {
    let c: Vec<char> = text.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Skips a quoted literal whose opening quote is at `i`; returns the index after it.
    let skip_quoted = |mut i: usize, quote: char, line: &mut usize| {
        i += 1;
        while i < c.len() && c[i] != quote {
            if c[i] == '\\' {
                i += 1;
            }
            if at(i) == '\n' {
                *line += 1;
            }
            i += 1;
        }
        i + 1
    };
    // Skips a raw string whose `r` is at `i`; returns the index after it.
    let skip_raw = |mut i: usize, line: &mut usize| {
        i += 1;
        let mut hashes = 0;
        while at(i) == '#' {
            hashes += 1;
            i += 1;
        }
        i += 1; // the opening quote
        loop {
            if i >= c.len() {
                return i;
            }
            if c[i] == '\n' {
                *line += 1;
            }
            if c[i] == '"' && (1..=hashes).all(|h| at(i + h) == '#') {
                return i + 1 + hashes;
            }
            i += 1;
        }
    };
    let raw_string_at = |i: usize| {
        let mut j = i + 1;
        while at(j) == '#' {
            j += 1;
        }
        at(j) == '"'
    };
    while i < c.len() {
        let ch = c[i];
        match ch {
            '\n' => {
                line += 1;
                i += 1;
            }
            _ if ch.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                loop {
                    if i >= c.len() {
                        break;
                    }
                    if c[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if c[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => i = skip_quoted(i, '"', &mut line),
            'r' if raw_string_at(i) => i = skip_raw(i, &mut line),
            'b' if at(i + 1) == 'r' && raw_string_at(i + 1) => i = skip_raw(i + 1, &mut line),
            'b' if at(i + 1) == '"' => i = skip_quoted(i + 1, '"', &mut line),
            'b' if at(i + 1) == '\'' => i = skip_quoted(i + 1, '\'', &mut line),
            '\'' => {
                if at(i + 1) == '\\' || (at(i + 2) == '\'' && at(i + 1) != '\'') {
                    i = skip_quoted(i, '\'', &mut line);
                } else {
                    // A lifetime or a label.
                    i += 1;
                    while is_ident(at(i)) {
                        i += 1;
                    }
                }
            }
            '$' if is_ident_start(at(i + 1)) => {
                let start = i;
                i += 1;
                while is_ident(at(i)) {
                    i += 1;
                }
                let name: String = c[start..i].iter().collect();
                out.push(Token {
                    tok: Tok::Ident(name),
                    line,
                });
            }
            'r' if at(i + 1) == '#' && is_ident_start(at(i + 2)) => {
                // A raw identifier: its name without `r#`.
                i += 2;
                let start = i;
                while is_ident(at(i)) {
                    i += 1;
                }
                let name: String = c[start..i].iter().collect();
                out.push(Token {
                    tok: Tok::Ident(name),
                    line,
                });
            }
            _ if is_ident_start(ch) => {
                let start = i;
                while is_ident(at(i)) {
                    i += 1;
                }
                let name: String = c[start..i].iter().collect();
                out.push(Token {
                    tok: Tok::Ident(name),
                    line,
                });
            }
            _ if ch.is_ascii_digit() => {
                while is_ident(at(i)) {
                    i += 1;
                }
            }
            ':' if at(i + 1) == ':' => {
                out.push(Token {
                    tok: Tok::PathSep,
                    line,
                });
                i += 2;
            }
            '{' | '(' | '[' => {
                out.push(Token {
                    tok: Tok::Open(ch),
                    line,
                });
                i += 1;
            }
            '}' | ')' | ']' => {
                out.push(Token {
                    tok: Tok::Close(ch),
                    line,
                });
                i += 1;
            }
            _ => {
                out.push(Token {
                    tok: Tok::Punct(ch),
                    line,
                });
                i += 1;
            }
        }
    }
    out
}

// --- reading paths ---

/// One path a file writes, resolved from the crate's root.
#[derive(Clone, Debug)]
struct Arrow {
    line: usize,
    /// As written (a group's part with the group's prefix).
    written: String,
    /// From the crate's root; `None` when `super` climbs above it.
    absolute: Option<Vec<String>>,
    /// Written in test code.
    test: bool,
}

/// What one file says: its paths and the modules it declares (`mod x;`, and whether in test
/// code).
struct Scan {
    arrows: Vec<Arrow>,
    declares: Vec<(String, bool)>,
}

fn ident(t: Option<&Token>) -> Option<&str> {
    match t.map(|t| &t.tok) {
        Some(Tok::Ident(name)) => Some(name),
        _ => None,
    }
}

fn is(t: Option<&Token>, tok: &Tok) -> bool {
    t.is_some_and(|t| t.tok == *tok)
}

/// Which tokens are test code: the item after each `#[cfg(test)]` or `#[test]` attribute.
fn test_mask(tokens: &[Token]) -> Vec<bool> {
    let mut mask = vec![false; tokens.len()];
    let attribute = |i: usize| -> Option<usize> {
        // `#[` … `]`: the index after it.
        if !(is(tokens.get(i), &Tok::Punct('#')) && is(tokens.get(i + 1), &Tok::Open('['))) {
            return None;
        }
        let mut depth = 0;
        for (j, t) in tokens.iter().enumerate().skip(i + 1) {
            match t.tok {
                Tok::Open(_) => depth += 1,
                Tok::Close(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j + 1);
                    }
                }
                _ => {}
            }
        }
        None
    };
    let words = |from: usize, to: usize| -> Vec<String> {
        tokens[from..to]
            .iter()
            .map(|t| match &t.tok {
                Tok::Ident(n) => n.clone(),
                Tok::Open(c) | Tok::Close(c) | Tok::Punct(c) => c.to_string(),
                Tok::PathSep => "::".into(),
            })
            .collect()
    };
    let mut i = 0;
    while i < tokens.len() {
        let Some(after) = attribute(i) else {
            i += 1;
            continue;
        };
        let inner = words(i + 2, after - 1).concat();
        if inner != "cfg(test)" && inner != "test" {
            i = after;
            continue;
        }
        // Further attributes of the same item, then the item: up to a `;` outside brackets, or
        // the `}` that closes its body.
        let mut k = after;
        while let Some(next) = attribute(k) {
            k = next;
        }
        let mut depth = 0;
        while k < tokens.len() {
            match tokens[k].tok {
                Tok::Open(_) => depth += 1,
                Tok::Close(c) => {
                    depth -= 1;
                    if depth == 0 && c == '}' {
                        break;
                    }
                }
                Tok::Punct(';') if depth == 0 => break,
                _ => {}
            }
            k += 1;
        }
        for m in &mut mask[i..=k.min(tokens.len() - 1)] {
            *m = true;
        }
        i = k + 1;
    }
    mask
}

/// Reads the path whose first segment is at `i`; returns each path it stands for (a group
/// stands for several) with the line of its own first segment, and the index after it.
fn read_path(tokens: &[Token], mut i: usize) -> (Vec<(Vec<String>, usize)>, usize) {
    let line = tokens[i].line;
    let mut prefix = Vec::new();
    loop {
        match tokens.get(i).map(|t| &t.tok) {
            Some(Tok::Ident(name)) if name != "as" => {
                prefix.push(name.clone());
                i += 1;
            }
            Some(Tok::Punct('*')) => {
                prefix.push("*".into());
                return (vec![(prefix, line)], i + 1);
            }
            _ => return (vec![(prefix, line)], i),
        }
        if !is(tokens.get(i), &Tok::PathSep) {
            return (vec![(prefix, line)], i);
        }
        i += 1;
        if is(tokens.get(i), &Tok::Open('{')) {
            let mut all = Vec::new();
            i += 1;
            while i < tokens.len() && !is(tokens.get(i), &Tok::Close('}')) {
                if is(tokens.get(i), &Tok::Punct(',')) {
                    i += 1;
                    continue;
                }
                let (parts, next) = read_path(tokens, i);
                for (mut part, line) in parts {
                    // `a::{self, b}`: `self` is `a`.
                    part.retain(|s| s != "self");
                    let mut full = prefix.clone();
                    full.extend(part);
                    all.push((full, line));
                }
                // Past a rename (`as x`) to the next part.
                i = next.max(i + 1);
                while i < tokens.len()
                    && !is(tokens.get(i), &Tok::Punct(','))
                    && !is(tokens.get(i), &Tok::Close('}'))
                {
                    i += 1;
                }
            }
            return (all, i + 1);
        }
    }
}

/// The paths `tokens` write (a file of module `module`, test code throughout when `test`) and
/// the modules it declares.
fn scan(tokens: &[Token], module: &[String], test: bool) -> Scan {
    let mask = test_mask(tokens);
    let mut arrows = Vec::new();
    let mut declares = Vec::new();
    // Inline modules (`mod tests { … }`) as (name, the depth inside them).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].tok {
            Tok::Open(c) => {
                depth += 1;
                if *c == '{' && i >= 2 && ident(tokens.get(i - 2)) == Some("mod") {
                    if let Some(name) = ident(tokens.get(i - 1)) {
                        inline.push((name.to_string(), depth));
                    }
                }
            }
            Tok::Close(_) => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth -= 1;
            }
            Tok::Ident(word) if word == "mod" => {
                if let (Some(name), true) = (
                    ident(tokens.get(i + 1)),
                    is(tokens.get(i + 2), &Tok::Punct(';')),
                ) {
                    declares.push((name.to_string(), test || mask[i]));
                }
            }
            Tok::Ident(word)
                if matches!(word.as_str(), "crate" | "$crate" | "super")
                    && is(tokens.get(i + 1), &Tok::PathSep)
                    && !(i > 0 && is(tokens.get(i - 1), &Tok::PathSep)) =>
            {
                let (paths, next) = read_path(tokens, i);
                let here: Vec<String> = module
                    .iter()
                    .cloned()
                    .chain(inline.iter().map(|(n, _)| n.clone()))
                    .collect();
                for (path, line) in paths {
                    arrows.push(Arrow {
                        line,
                        written: path.join("::"),
                        absolute: resolve(&path, &here),
                        test: test || mask[i],
                    });
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Scan { arrows, declares }
}

/// `path` (starting `crate`, `$crate` or `super`) from the crate's root, written in module
/// `here`.
fn resolve(path: &[String], here: &[String]) -> Option<Vec<String>> {
    match path.first().map(String::as_str) {
        Some("crate" | "$crate") => Some(path[1..].to_vec()),
        _ => {
            let ups = path.iter().take_while(|s| *s == "super").count();
            let base = here.len().checked_sub(ups)?;
            Some(here[..base].iter().chain(&path[ups..]).cloned().collect())
        }
    }
}

/// The module a file holds: `lab/sweep.rs` is `lab::sweep`, `lib.rs` the root.
fn module_of(path: &str) -> Vec<String> {
    let path = path.trim_end_matches(".rs");
    let mut parts: Vec<String> = path.split('/').map(String::from).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

// --- the rules ---

/// Everything wrong with `sources` against the layers `order`, one sentence each, naming the
/// file, the line and the path.
fn check(sources: &[Source], order: &[String]) -> Vec<String> {
    let rank = |layer: &str| order.iter().position(|l| l == layer);
    let files: BTreeMap<Vec<String>, &str> = sources
        .iter()
        .map(|s| (module_of(&s.path), s.path.as_str()))
        .collect();
    let tokens: BTreeMap<&str, Vec<Token>> = sources
        .iter()
        .map(|s| (s.path.as_str(), lex(&s.text)))
        .collect();
    // Which files are test code: declared by test code, or under a file that is; parents first.
    let mut by_depth: Vec<&Source> = sources.iter().collect();
    by_depth.sort_by_key(|s| module_of(&s.path).len());
    let mut test_files: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut scans: BTreeMap<&str, Scan> = BTreeMap::new();
    for source in by_depth {
        let module = module_of(&source.path);
        let scan = scan(
            &tokens[source.path.as_str()],
            &module,
            test_files.contains(&module),
        );
        for (name, test) in &scan.declares {
            if *test || test_files.contains(&module) {
                let mut child = module.clone();
                child.push(name.clone());
                test_files.insert(child);
            }
        }
        scans.insert(&source.path, scan);
    }
    // The file that holds `path`: the longest prefix of it that is a file's module.
    let file_of = |path: &[String]| -> Option<&str> {
        (1..=path.len())
            .rev()
            .find_map(|n| files.get(&path[..n]).copied())
    };

    let mut problems = Vec::new();
    // file -> file -> the first arrow between them, as (line, written).
    let mut edges: BTreeMap<&str, BTreeMap<&str, (usize, String)>> = BTreeMap::new();
    for source in sources {
        let from_module = module_of(&source.path);
        let Some(from_layer) = from_module.first() else {
            continue;
        };
        for arrow in &scans[source.path.as_str()].arrows {
            let place = format!("{}:{}", source.path, arrow.line);
            let Some(to) = arrow.absolute.as_ref().filter(|p| !p.is_empty()) else {
                problems.push(format!(
                    "{place}: `{}` climbs above the crate",
                    arrow.written
                ));
                continue;
            };
            let (Some(from_rank), Some(to_rank)) = (rank(from_layer), rank(&to[0])) else {
                problems.push(format!(
                    "{place}: `{}` names no layer: every item is named through its layer's module",
                    arrow.written
                ));
                continue;
            };
            if arrow.test {
                continue;
            }
            if to_rank > from_rank {
                problems.push(format!(
                    "{place}: `{}` points from `{from_layer}` to `{}`, a layer declared after it \
                     (docs/architecture.md)",
                    arrow.written, to[0]
                ));
            }
            match file_of(to) {
                Some(target)
                    if target != source.path && !module_of(target).starts_with(&from_module) =>
                {
                    edges
                        .entry(source.path.as_str())
                        .or_default()
                        .entry(target)
                        .or_insert((arrow.line, arrow.written.clone()));
                }
                _ => {}
            }
        }
    }
    for circle in circles(&edges) {
        let steps: Vec<String> = circle
            .windows(2)
            .map(|w| {
                let (line, written) = &edges[w[0]][w[1]];
                format!("{}:{line} `{written}`", w[0])
            })
            .collect();
        problems.push(format!(
            "files import each other in a circle: {} -> back to {}",
            steps.join(" -> "),
            circle[0]
        ));
    }
    problems
}

/// One circle through each group of files that reach each other: its files in order, the first
/// repeated at the end.
fn circles<'a>(edges: &BTreeMap<&'a str, BTreeMap<&'a str, (usize, String)>>) -> Vec<Vec<&'a str>> {
    let next = |f: &str| -> Vec<&'a str> {
        edges
            .get(f)
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default()
    };
    // The shortest way from `from` to `to`, if any.
    let way = |from: &'a str, to: &'a str| -> Option<Vec<&'a str>> {
        let mut came: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([from]);
        while let Some(f) = queue.pop_front() {
            for n in next(f) {
                if n == to {
                    let mut path = vec![to, f];
                    let mut at = f;
                    while at != from {
                        at = came[at];
                        path.push(at);
                    }
                    path.reverse();
                    return Some(path);
                }
                if n != from && !came.contains_key(n) {
                    came.insert(n, f);
                    queue.push_back(n);
                }
            }
        }
        None
    };
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut found = Vec::new();
    for &file in edges.keys() {
        if seen.contains(file) {
            continue;
        }
        if let Some(circle) = way(file, file) {
            seen.extend(circle.iter().copied());
            found.push(circle);
        }
    }
    found
}

// --- the model, held to its layers ---

#[test]
fn the_model_keeps_its_layer_order_and_has_no_import_circle() {
    let order = layers_from(ARCHITECTURE);
    let problems = check(&model_sources(), &order);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_crate_root_declares_the_layers_in_the_documents_order_and_nothing_else() {
    let order = layers_from(ARCHITECTURE);
    let root = model_sources()
        .into_iter()
        .find(|s| s.path == "lib.rs")
        .expect("lib.rs");
    let tokens = lex(&root.text);
    let words: Vec<&str> = tokens.iter().filter_map(|t| ident(Some(t))).collect();
    let declared: Vec<String> = words
        .windows(3)
        .filter(|w| w[0] == "pub" && w[1] == "mod")
        .map(|w| w[2].to_string())
        .collect();
    assert_eq!(declared, order, "lib.rs declares every layer, in order");
    assert!(
        !words.contains(&"use"),
        "lib.rs re-exports nothing: each item has one path, through its layer"
    );
}

#[test]
fn the_reader_sees_the_models_arrows() {
    // A reader that found nothing would pass every rule: hold it to arrows known to exist.
    let sources = model_sources();
    let tokens = sources
        .iter()
        .find(|s| s.path == "lab.rs")
        .map(|s| lex(&s.text))
        .expect("lab.rs");
    let scan = scan(&tokens, &["lab".into()], false);
    let written: Vec<&str> = scan.arrows.iter().map(|a| a.written.as_str()).collect();
    assert!(
        written.contains(&"crate::experiment::config::Engine"),
        "a group's part"
    );
    assert!(
        written.contains(&"crate::run::stats::task_times"),
        "a path written inline"
    );
    assert!(
        scan.declares.contains(&("tests".into(), true)),
        "a test module"
    );
    assert!(scan.declares.contains(&("sweep".into(), false)));
}

// --- the rules, tested on sources made to break them ---

fn order(layers: &[&str]) -> Vec<String> {
    layers.iter().map(|l| l.to_string()).collect()
}

/// A small crate of three layers whose files keep the rules.
fn fine() -> Vec<Source> {
    vec![
        Source::new(
            "lib.rs",
            "pub mod json;\npub mod experiment;\npub mod run;\n",
        ),
        Source::new("json.rs", "pub struct Json;\n"),
        Source::new("experiment.rs", "pub mod config;\npub mod url;\n"),
        Source::new(
            "experiment/config.rs",
            "use crate::json::Json;\n\npub struct Params(pub Json);\n",
        ),
        Source::new(
            "experiment/url.rs",
            "use crate::{experiment::config::Params, json::Json};\n\
             // crate::run::Record in a comment is no arrow.\n\
             pub fn parse(_: &str) -> Params { Params(Json) }\n\
             const S: &str = \"crate::run::Record\";\n\
             #[cfg(test)]\nmod tests {\n    use crate::run::Record;\n}\n",
        ),
        Source::new(
            "run.rs",
            "pub mod record;\n#[cfg(test)]\nmod tests;\n\
             pub struct Record(pub crate::experiment::config::Params);\n",
        ),
        Source::new("run/record.rs", "use super::Record;\n"),
        Source::new("run/tests.rs", "use crate::run::Record;\n"),
    ]
}

#[test]
fn sources_that_keep_the_rules_pass() {
    let problems = check(&fine(), &order(&["json", "experiment", "run"]));
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn an_arrow_against_the_order_fails_naming_its_file_line_and_item() {
    let mut sources = fine();
    // Line 3: the URL, a layer below the run data, names a record inline.
    sources.push(Source::new(
        "experiment/bad.rs",
        "use crate::json::Json;\n\n\
         pub fn last(r: &crate::run::Record) -> &crate::experiment::config::Params { &r.0 }\n",
    ));
    sources[2].text.push_str("pub mod bad;\n");
    let problems = check(&sources, &order(&["json", "experiment", "run"]));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("experiment/bad.rs:3: `crate::run::Record` points from"),
        "{problems:?}"
    );
    // The same in a grouped `use` line, and through `super`.
    let mut sources = fine();
    sources[3].text = "use crate::{json::Json, run::{record, Record}};\n".into();
    sources[4].text = "\n\nuse super::super::run::Record;\n".into();
    let problems = check(&sources, &order(&["json", "experiment", "run"]));
    // (Each also closes a circle with the run data's arrow to config: reported apart.)
    let places: Vec<&str> = problems
        .iter()
        .filter_map(|p| p.split_once(" points from ").map(|(place, _)| place))
        .collect();
    assert_eq!(
        places,
        [
            "experiment/config.rs:1: `crate::run::record`",
            "experiment/config.rs:1: `crate::run::Record`",
            "experiment/url.rs:3: `super::super::run::Record`",
        ]
    );
}

#[test]
fn test_code_may_reach_any_layer_but_only_through_one() {
    let mut sources = fine();
    sources[1].text = "#[cfg(test)]\nfn f() { let _ = crate::run::Record; }\n".into();
    assert!(check(&sources, &order(&["json", "experiment", "run"])).is_empty());
    sources[1].text = "#[cfg(test)]\nfn f() { let _ = crate::Record; }\n".into();
    let problems = check(&sources, &order(&["json", "experiment", "run"]));
    assert_eq!(
        problems,
        [
            "json.rs:2: `crate::Record` names no layer: every item is named through its layer's \
          module"
        ]
    );
}

#[test]
fn a_circle_among_files_fails_naming_each_arrow() {
    let mut sources = fine();
    // url -> config is fine alone; config -> url closes a circle within one layer.
    sources[3].text = "use crate::json::Json;\n\
                       pub struct Params(pub Json);\n\
                       pub fn read() -> Params { crate::experiment::url::parse(\"\") }\n"
        .into();
    let problems = check(&sources, &order(&["json", "experiment", "run"]));
    assert_eq!(
        problems,
        ["files import each other in a circle: \
          experiment/config.rs:3 `crate::experiment::url::parse` -> \
          experiment/url.rs:1 `crate::experiment::config::Params` -> back to \
          experiment/config.rs"]
    );
}

#[test]
fn the_lexer_skips_what_is_not_code() {
    let text = "let a = 'x'; let b = '\\''; fn f<'a>(x: &'a str) {}\n\
                let r = r#\"crate::x \"# ; let s = \"a \\\" crate::y\";\n\
                /* crate::z /* nested */ */ let c = b'\"';\n\
                crate::real::Item";
    let tokens = lex(text);
    let scan = scan(&tokens, &[], false);
    let written: Vec<(usize, &str)> = scan
        .arrows
        .iter()
        .map(|a| (a.line, a.written.as_str()))
        .collect();
    assert_eq!(written, [(4, "crate::real::Item")]);
}

#[test]
fn the_order_is_read_from_the_document() {
    let order = layers_from(ARCHITECTURE);
    assert_eq!(order.first().map(String::as_str), Some("json"));
    assert_eq!(order.last().map(String::as_str), Some("lab"));
}
