// The bench's verdict: which figures missed their targets, or are missing. `cargo xtask bench`
// exits non-zero when one did; the suite's quick run enforces the gross bounds only (2
// repetitions cannot hold the precise ones) and every figure's presence.
//
// As a script: `node bench-verdict.mjs FILE.json` judges a bench's JSON again, with the targets
// in BENCH_TARGETS (JSON: {"measure prefix": bound}) overriding the bench's own; it exits 1 and
// names each miss. The suite runs it with an impossible target to show that a miss fails.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** The statistic a target holds for, from a figure (a number, or {median, min, max}). */
function figure(value, stat) {
  if (typeof value === "number") return value;
  if (value && typeof value === "object") return value[stat];
  return undefined;
}

/** BENCH_TARGETS, parsed: {measure prefix: bound}. */
export function overrides(text = process.env.BENCH_TARGETS) {
  if (!text) return {};
  const parsed = JSON.parse(text);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("BENCH_TARGETS must be a JSON object {\"measure prefix\": bound}");
  return parsed;
}

/**
 * Judges `rows` (each {measure, value, target}): returns each row's verdict ("yes", "no",
 * "missing", "—" for printed figures, "not enforced (quick)") and the list of misses, each
 * naming its measure, value and target.
 */
export function verdict(rows, { quick = false, overrides: given = {} } = {}) {
  const misses = [];
  const verdicts = rows.map((row) => {
    let target = row.target;
    const override = Object.entries(given).find(([prefix]) => row.measure.startsWith(prefix));
    if (override && target !== "printed") target = { ...target, bound: override[1], gross: override[1] };
    if (target === "printed") {
      // A printed figure still has to exist: a curve or a start-up with no number is a failure.
      const text = typeof row.value === "number" ? String(row.value) : String(row.value ?? "");
      if (row.value === null || row.value === undefined || /NaN|undefined|Infinity/.test(text)) {
        misses.push(`${row.measure}: the figure is missing (${text || "none"})`);
        return "missing";
      }
      return "—";
    }
    const x = figure(row.value, target.stat);
    if (typeof x !== "number" || !Number.isFinite(x)) {
      misses.push(`${row.measure}: the figure is missing (${JSON.stringify(row.value)})`);
      return "missing";
    }
    const bound = quick && !override ? target.gross : target.bound;
    if (bound === undefined) return "not enforced (quick)";
    const met = target.op === "≤" ? x <= bound : target.op === "≥" ? x >= bound : x >= bound[0] && x <= bound[1];
    if (!met) misses.push(`${row.measure}: ${x.toFixed(3)} misses ${target.op} ${JSON.stringify(bound)}${quick && !override ? " (the quick run's gross bound)" : ""}`);
    return met ? "yes" : "no";
  });
  return { misses, verdicts };
}

/** Prints the misses and sets the exit code. */
export function enforce(misses) {
  if (misses.length === 0) {
    console.log("\nEvery figure is present and meets its target.");
    return;
  }
  console.log(`\n${misses.length} figure(s) missed their target:`);
  for (const m of misses) console.log(`  MISSED ${m}`);
  process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node bench-verdict.mjs FILE.json");
    process.exit(2);
  }
  const bench = JSON.parse(readFileSync(file, "utf8"));
  enforce(verdict(bench.rows, { quick: bench.quick, overrides: overrides() }).misses);
}
