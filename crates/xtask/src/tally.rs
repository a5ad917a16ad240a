//! Counting tests: each suite's totals, and each test's outcomes over repeated rounds, read from
//! the output of cargo's test harness and of `node --test`'s TAP reporter.

use std::collections::BTreeMap;

/// Counts of one suite.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Tests that passed.
    pub passed: u32,
    /// Tests that failed.
    pub failed: u32,
}

/// Each test's passes and failures over the rounds of one `cargo xtask test`, by `suite: name`.
#[derive(Default, Debug)]
pub struct Outcomes(BTreeMap<String, Tally>);

impl Outcomes {
    /// Records one outcome of `name` in `suite`.
    pub fn record(&mut self, suite: &str, name: &str, passed: bool) {
        let t = self.0.entry(format!("{suite}: {name}")).or_default();
        if passed {
            t.passed += 1;
        } else {
            t.failed += 1;
        }
    }

    /// One line per test, the least reliable first: `passed k/n  suite: name`.
    pub fn report(&self, rounds: u32) -> String {
        let mut rows: Vec<(&String, &Tally)> = self.0.iter().collect();
        rows.sort_by_key(|(name, t)| (t.passed * rounds / (t.passed + t.failed).max(1), *name));
        rows.iter()
            .map(|(name, t)| format!("  passed {}/{}  {name}\n", t.passed, t.passed + t.failed))
            .collect()
    }
}

/// Adds up cargo's `test result: ok. 3 passed; 0 failed; …` lines.
pub fn parse_cargo(line: &str, tally: &mut Tally) {
    let Some(rest) = line.trim().strip_prefix("test result: ") else {
        return;
    };
    for part in rest.split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        let n = |i: usize| {
            words
                .get(i)
                .and_then(|w| w.parse::<u32>().ok())
                .unwrap_or(0)
        };
        if let Some(pos) = words.iter().position(|w| *w == "passed") {
            tally.passed += n(pos.wrapping_sub(1));
        }
        if let Some(pos) = words.iter().position(|w| *w == "failed") {
            tally.failed += n(pos.wrapping_sub(1));
        }
    }
}

/// One test's outcome from a line of output: cargo's `test a::b ... ok`, TAP's `ok 3 - name`
/// (indented for subtests; skipped tests and node's per-file wrappers are not tests).
pub fn test_outcome(line: &str) -> Option<(String, bool)> {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix("test ") {
        let (name, result) = rest.rsplit_once(" ... ")?;
        return match result.trim() {
            "ok" => Some((name.to_string(), true)),
            "FAILED" => Some((name.to_string(), false)),
            _ => None,
        };
    }
    let (passed, rest) = if let Some(r) = t.strip_prefix("not ok ") {
        (false, r)
    } else {
        (true, t.strip_prefix("ok ")?)
    };
    let rest = rest
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start();
    let name = rest.strip_prefix("- ").unwrap_or(rest).trim();
    if name.is_empty() || name.contains("# SKIP") || name.ends_with(".mjs") {
        return None;
    }
    Some((name.to_string(), passed))
}

/// Reads the TAP summary of `node --test`: `# pass 12`, `# fail 0`.
pub fn parse_tap(line: &str, tally: &mut Tally) {
    if let Some(n) = line.strip_prefix("# pass ") {
        tally.passed += n.trim().parse::<u32>().unwrap_or(0);
    } else if let Some(n) = line.strip_prefix("# fail ") {
        tally.failed += n.trim().parse::<u32>().unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_summaries() {
        let mut t = Tally::default();
        parse_cargo(
            "test result: ok. 25 passed; 0 failed; 0 ignored; 0 measured",
            &mut t,
        );
        parse_cargo("test result: FAILED. 3 passed; 2 failed; 0 ignored", &mut t);
        parse_cargo("running 3 tests", &mut t);
        assert_eq!(
            t,
            Tally {
                passed: 28,
                failed: 2
            }
        );
    }

    #[test]
    fn reads_each_tests_outcome() {
        let o = |l: &str| test_outcome(l);
        assert_eq!(
            o("test gil::tests::fifo ... ok"),
            Some(("gil::tests::fifo".into(), true))
        );
        assert_eq!(o("test a ... FAILED"), Some(("a".into(), false)));
        assert_eq!(o("test a ... ignored"), None);
        assert_eq!(
            o("ok 3 - Stop answers"),
            Some(("Stop answers".into(), true))
        );
        assert_eq!(o("    not ok 1 - x y"), Some(("x y".into(), false)));
        assert_eq!(
            o("ok - cargo fmt --check"),
            Some(("cargo fmt --check".into(), true))
        );
        assert_eq!(o("ok 2 - Firefox: io # SKIP no firefox"), None);
        assert_eq!(o("ok 1 - /work/main/tests/e2e/a.test.mjs"), None);
        assert_eq!(o("# pass 3"), None);
        assert_eq!(o("test result: ok. 3 passed"), None);
    }

    #[test]
    fn reads_tap_summaries() {
        let mut t = Tally::default();
        for line in ["# tests 5", "# pass 4", "# fail 1", "ok 1 - x"] {
            parse_tap(line, &mut t);
        }
        assert_eq!(
            t,
            Tally {
                passed: 4,
                failed: 1
            }
        );
    }
}
