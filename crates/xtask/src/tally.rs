//! Counting tests: each suite's totals, each test's outcomes over repeated rounds, the tests that
//! were skipped and why, and every attempt of every timing claim, read from the output of cargo's
//! test harness and of `node --test`'s TAP reporter.

use std::collections::BTreeMap;

/// Counts of one suite.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Tests that passed.
    pub passed: u32,
    /// Tests that failed.
    pub failed: u32,
    /// Tests that did not run (a missing browser, an ignored test), each with a reason.
    pub skipped: u32,
}

impl Tally {
    /// The sum of two tallies.
    pub fn add(self, other: Tally) -> Tally {
        Tally {
            passed: self.passed + other.passed,
            failed: self.failed + other.failed,
            skipped: self.skipped + other.skipped,
        }
    }

    /// The closing line: `N passed, N failed, N skipped`.
    pub fn line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It ran and passed.
    Passed,
    /// It ran and failed.
    Failed,
    /// It did not run, for this reason.
    Skipped(String),
}

impl Outcome {
    /// Passed or failed.
    pub fn of(passed: bool) -> Outcome {
        if passed {
            Outcome::Passed
        } else {
            Outcome::Failed
        }
    }
}

/// One attempt of a timing claim, as `claim` in `tests/e2e/lib.mjs` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The claim's name.
    pub name: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Whether the value met the bound.
    pub met: bool,
    /// The measured value, as shown.
    pub value: String,
    /// The bound, in words.
    pub bound: String,
}

/// Each test's passes and failures over the rounds of one `cargo xtask test`, by `suite: name`;
/// the skips of the current round; and every claim's attempts, by round.
#[derive(Default, Debug)]
pub struct Outcomes {
    tests: BTreeMap<String, Tally>,
    /// `(suite: name, reason)` of this round's skipped tests.
    skips: Vec<(String, String)>,
    /// Per claim, one list of attempts per time it was made.
    claims: BTreeMap<String, Vec<Vec<Attempt>>>,
    /// Claims made in this round (their names), in the order seen.
    round_claims: Vec<String>,
}

impl Outcomes {
    /// Records one outcome of `name` in `suite`.
    pub fn record(&mut self, suite: &str, name: &str, outcome: Outcome) {
        let key = format!("{suite}: {name}");
        let t = self.tests.entry(key.clone()).or_default();
        match outcome {
            Outcome::Passed => t.passed += 1,
            Outcome::Failed => t.failed += 1,
            Outcome::Skipped(reason) => {
                t.skipped += 1;
                self.skips.push((key, reason));
            }
        }
    }

    /// Records a whole suite that did not run (its browser could not be installed, say).
    pub fn skip_suite(&mut self, suite: &str, reason: &str) {
        self.record(
            suite,
            "(the whole suite)",
            Outcome::Skipped(reason.to_string()),
        );
    }

    /// Records one attempt of a claim: attempt 1 opens a new making of the claim.
    pub fn attempt(&mut self, a: Attempt) {
        let makings = self.claims.entry(a.name.clone()).or_default();
        if a.attempt <= 1 || makings.is_empty() {
            makings.push(Vec::new());
            self.round_claims.push(a.name.clone());
        }
        if let Some(last) = makings.last_mut() {
            last.push(a);
        }
    }

    /// Starts a new round: skips and the round's claims are per round.
    pub fn new_round(&mut self) {
        self.skips.clear();
        self.round_claims.clear();
    }

    /// This round's skipped tests, each with its reason.
    pub fn skips(&self) -> &[(String, String)] {
        &self.skips
    }

    /// One line naming every claim of this round that needed more than one attempt (or missed
    /// its only one), with each attempt's value, or saying that none did.
    pub fn retried_line(&self) -> String {
        let mut seen = std::collections::BTreeSet::new();
        let mut retried = Vec::new();
        let mut made = 0;
        for name in &self.round_claims {
            let Some(makings) = self.claims.get(name) else {
                continue;
            };
            // This round's makings of the claim are its last ones, one per mention.
            let mentions = self.round_claims.iter().filter(|n| *n == name).count();
            if !seen.insert(name) {
                continue;
            }
            for making in &makings[makings.len().saturating_sub(mentions)..] {
                made += 1;
                // Retried, or made once and missed (a one-attempt claim, or a test cut short).
                if making.len() > 1 || making.iter().all(|a| !a.met) {
                    let tries: Vec<String> = making
                        .iter()
                        .map(|a| format!("{} {}", a.value, if a.met { "met" } else { "missed" }))
                        .collect();
                    retried.push(format!(
                        "{name} [{}]: {}",
                        making[0].bound,
                        tries.join(", ")
                    ));
                }
            }
        }
        if retried.is_empty() {
            format!("Retried claims: none ({made} claims, each met on its first attempt)")
        } else {
            format!(
                "Retried claims: {} of {made}: {}",
                retried.len(),
                retried.join("; ")
            )
        }
    }

    /// Per claim over all rounds: the share of first attempts that met the bound, the least
    /// reliable first.
    pub fn first_attempt_report(&self) -> String {
        let mut rows: Vec<(u32, u32, &String)> = self
            .claims
            .iter()
            .map(|(name, makings)| {
                let firsts = makings.iter().filter_map(|m| m.first());
                let met = firsts.clone().filter(|a| a.met).count() as u32;
                (met, firsts.count() as u32, name)
            })
            .collect();
        rows.sort_by(|a, b| (a.0 * b.1).cmp(&(b.0 * a.1)).then(a.2.cmp(b.2)));
        rows.iter()
            .map(|(met, n, name)| format!("  first attempt met {met}/{n}  {name}\n"))
            .collect()
    }

    /// One line per test, the least reliable first: `passed k/n  suite: name`.
    pub fn report(&self, rounds: u32) -> String {
        let mut rows: Vec<(&String, &Tally)> = self.tests.iter().collect();
        rows.sort_by_key(|(name, t)| (t.passed * rounds / (t.passed + t.failed).max(1), *name));
        rows.iter()
            .map(|(name, t)| {
                let skipped = if t.skipped > 0 {
                    format!(", skipped {}", t.skipped)
                } else {
                    String::new()
                };
                format!(
                    "  passed {}/{}{skipped}  {name}\n",
                    t.passed,
                    t.passed + t.failed
                )
            })
            .collect()
    }
}

/// Adds up cargo's `test result: ok. 3 passed; 0 failed; 1 ignored; …` lines (ignored tests are
/// skipped ones).
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
        for (word, count) in [
            ("passed", &mut tally.passed),
            ("failed", &mut tally.failed),
            ("ignored", &mut tally.skipped),
        ] {
            if let Some(pos) = words.iter().position(|w| *w == word) {
                *count += n(pos.wrapping_sub(1));
            }
        }
    }
}

/// One test's outcome from a line of output: cargo's `test a::b ... ok` (or `... ignored`),
/// TAP's `ok 3 - name`, `not ok 3 - name`, `ok 3 - name # SKIP reason` (indented for
/// subtests; node's per-file wrappers are not tests).
pub fn test_outcome(line: &str) -> Option<(String, Outcome)> {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix("test ") {
        let (name, result) = rest.rsplit_once(" ... ")?;
        let result = result.trim();
        return match result {
            "ok" => Some((name.to_string(), Outcome::Passed)),
            "FAILED" => Some((name.to_string(), Outcome::Failed)),
            _ if result.starts_with("ignored") => Some((
                name.to_string(),
                Outcome::Skipped(
                    result
                        .strip_prefix("ignored, ")
                        .unwrap_or("#[ignore]")
                        .to_string(),
                ),
            )),
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
    if let Some((name, reason)) = name.split_once(" # SKIP") {
        let reason = reason.trim();
        return Some((
            name.trim().to_string(),
            Outcome::Skipped(if reason.is_empty() {
                "no reason given".into()
            } else {
                reason.to_string()
            }),
        ));
    }
    if name.is_empty() || name.ends_with(".mjs") {
        return None;
    }
    Some((
        name.to_string(),
        if passed {
            Outcome::Passed
        } else {
            Outcome::Failed
        },
    ))
}

/// A claim's attempt from its line: `CLAIM ¦ name ¦ attempt ¦ attempts ¦ met|missed ¦ value ¦
/// bound`, as printed by `claim` (node's TAP reporter puts `# ` before a test's output).
pub fn claim_attempt(line: &str) -> Option<Attempt> {
    let t = line.trim_start();
    let t = t.strip_prefix("# ").unwrap_or(t);
    let mut fields = t.strip_prefix("CLAIM ¦ ")?.split(" ¦ ");
    let name = fields.next()?.to_string();
    let attempt = fields.next()?.parse().ok()?;
    let _attempts = fields.next()?;
    let met = match fields.next()? {
        "met" => true,
        "missed" => false,
        _ => return None,
    };
    let value = fields.next()?.to_string();
    let bound = fields.next()?.to_string();
    Some(Attempt {
        name,
        attempt,
        met,
        value,
        bound,
    })
}

/// Reads the TAP summary of `node --test`: `# pass 12`, `# fail 0`, `# skipped 1`.
pub fn parse_tap(line: &str, tally: &mut Tally) {
    for (key, count) in [
        ("# pass ", &mut tally.passed),
        ("# fail ", &mut tally.failed),
        ("# skipped ", &mut tally.skipped),
    ] {
        if let Some(n) = line.strip_prefix(key) {
            *count += n.trim().parse::<u32>().unwrap_or(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_summaries() {
        let mut t = Tally::default();
        parse_cargo(
            "test result: ok. 25 passed; 0 failed; 1 ignored; 0 measured",
            &mut t,
        );
        parse_cargo("test result: FAILED. 3 passed; 2 failed; 0 ignored", &mut t);
        parse_cargo("running 3 tests", &mut t);
        assert_eq!(
            t,
            Tally {
                passed: 28,
                failed: 2,
                skipped: 1
            }
        );
        assert_eq!(t.line(), "28 passed, 2 failed, 1 skipped");
    }

    #[test]
    fn reads_each_tests_outcome() {
        let o = |l: &str| test_outcome(l);
        let p = |n: &str| Some((n.to_string(), Outcome::Passed));
        assert_eq!(o("test gil::tests::fifo ... ok"), p("gil::tests::fifo"));
        assert_eq!(o("test a ... FAILED"), Some(("a".into(), Outcome::Failed)));
        assert_eq!(
            o("test a ... ignored, slow"),
            Some(("a".into(), Outcome::Skipped("slow".into())))
        );
        assert_eq!(o("ok 3 - Stop answers"), p("Stop answers"));
        assert_eq!(
            o("    not ok 1 - x y"),
            Some(("x y".into(), Outcome::Failed))
        );
        assert_eq!(o("ok - cargo fmt --check"), p("cargo fmt --check"));
        assert_eq!(
            o("ok 2 - Firefox: io # SKIP no firefox"),
            Some(("Firefox: io".into(), Outcome::Skipped("no firefox".into())))
        );
        assert_eq!(o("ok 1 - /work/main/tests/e2e/a.test.mjs"), None);
        assert_eq!(o("# pass 3"), None);
        assert_eq!(o("test result: ok. 3 passed"), None);
    }

    #[test]
    fn reads_tap_summaries() {
        let mut t = Tally::default();
        for line in [
            "# tests 5",
            "# pass 3",
            "# fail 1",
            "# skipped 1",
            "ok 1 - x",
        ] {
            parse_tap(line, &mut t);
        }
        assert_eq!(
            t,
            Tally {
                passed: 3,
                failed: 1,
                skipped: 1
            }
        );
    }

    fn attempt(name: &str, n: u32, met: bool) -> String {
        let word = if met { "met" } else { "missed" };
        format!("# CLAIM ¦ {name} ¦ {n} ¦ 3 ¦ {word} ¦ 1.{n} ¦ (r) => r <= 1.5")
    }

    #[test]
    fn reads_a_claims_attempt() {
        assert_eq!(
            claim_attempt(&attempt("io ×4", 2, true)),
            Some(Attempt {
                name: "io ×4".into(),
                attempt: 2,
                met: true,
                value: "1.2".into(),
                bound: "(r) => r <= 1.5".into()
            })
        );
        assert_eq!(claim_attempt("# io ×4: attempt 1/3: 1.2 meets"), None);
        assert_eq!(claim_attempt("# CLAIM ¦ x ¦ 1 ¦ 3 ¦ maybe ¦ 1 ¦ b"), None);
    }

    #[test]
    fn names_each_retried_claim_and_counts_first_attempts() {
        let mut o = Outcomes::default();
        for line in [
            attempt("a", 1, true),
            attempt("b", 1, false),
            attempt("b", 2, true),
        ] {
            o.attempt(claim_attempt(&line).unwrap());
        }
        let line = o.retried_line();
        assert!(line.starts_with("Retried claims: 1 of 2: b ["), "{line}");
        assert!(line.contains("1.1 missed, 1.2 met"), "{line}");
        o.new_round();
        o.attempt(claim_attempt(&attempt("c", 1, false)).unwrap());
        assert!(
            o.retried_line().starts_with("Retried claims: 1 of 1: c ["),
            "a claim that missed its only attempt is named"
        );
        o.new_round();
        o.attempt(claim_attempt(&attempt("b", 1, true)).unwrap());
        assert_eq!(
            o.retried_line(),
            "Retried claims: none (1 claims, each met on its first attempt)"
        );
        let report = o.first_attempt_report();
        assert_eq!(
            report,
            "  first attempt met 0/1  c\n  first attempt met 1/2  b\n  first attempt met 1/1  a\n"
        );
    }

    #[test]
    fn skips_carry_their_reasons_per_round() {
        let mut o = Outcomes::default();
        o.record("e2e", "x", Outcome::Skipped("no bare host".into()));
        o.skip_suite("wasm (Firefox)", "geckodriver did not install");
        assert_eq!(o.skips().len(), 2);
        assert_eq!(
            o.skips()[1],
            (
                "wasm (Firefox): (the whole suite)".to_string(),
                "geckodriver did not install".to_string()
            )
        );
        o.new_round();
        assert!(o.skips().is_empty());
    }
}
