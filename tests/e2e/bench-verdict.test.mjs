// The bench's verdict on made-up rows: a missed target, a NaN, a missing figure and an override
// each fail; the quick run holds the gross bounds only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { verdict } from "./bench-verdict.mjs";

const row = (measure, value, target) => ({ measure, value, target });
const weight = row("page weight", 248, { op: "≤", bound: 250, stat: "median", gross: 250 });
const threads = row("CPU speedup, threads GIL off, W=2", { median: 1.5, min: 1.4, max: 1.6 }, { op: "≥", bound: 1.8, stat: "median", gross: 1.3 });
const stop = row("Stop latency, async", { median: 8, min: 5, max: 120 }, { op: "≤", bound: 100, stat: "max" });

test("a full run fails on a missed target and names it; the quick run holds only the gross bounds", () => {
  const full = verdict([weight, threads, stop]);
  assert.deepEqual(full.verdicts, ["yes", "no", "no"]);
  assert.equal(full.misses.length, 2);
  assert.match(full.misses[0], /^CPU speedup, threads GIL off, W=2: 1\.500 misses ≥ 1\.8/);
  assert.match(full.misses[1], /^Stop latency, async: 120\.000 misses ≤ 100/);
  const quick = verdict([weight, threads, stop], { quick: true });
  assert.deepEqual(quick.verdicts, ["yes", "yes", "not enforced (quick)"]);
  assert.deepEqual(quick.misses, []);
});

test("a NaN or missing figure fails, printed figures included", () => {
  const nan = row("ready time", { median: NaN, min: NaN, max: NaN }, { op: "≤", bound: 500, stat: "median" });
  const gone = row("process start-up, cold", undefined, "printed");
  const curve = row("speedup curve, threads", "NaN×, 1.80×", "printed");
  const { verdicts, misses } = verdict([nan, gone, curve], { quick: true });
  assert.deepEqual(verdicts, ["missing", "missing", "missing"]);
  assert.equal(misses.length, 3);
});

test("an impossible target given by override fails even in the quick run", () => {
  const { verdicts, misses } = verdict([weight], { quick: true, overrides: { "page weight": 1 } });
  assert.deepEqual(verdicts, ["no"]);
  assert.match(misses[0], /^page weight: 248\.000 misses ≤ 1$/);
});
