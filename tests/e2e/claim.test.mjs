// The timing-claim helper itself: every attempt is printed as data, a claim retried is named in
// the suite's line of retried claims (this file's first test always is: it misses once on
// purpose), and no claim gets more than 3 attempts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_ATTEMPTS, claim } from "./lib.mjs";

test("claim self-test: a claim that misses its first attempt and meets its second holds, and is reported as retried", async () => {
  const seen = [];
  const value = await claim("claim self-test: misses once, then meets", async (attempt) => {
    seen.push(attempt);
    return attempt;
  }, (a) => a >= 2, { probe: false, bound: "attempt ≥ 2" });
  assert.equal(value, 2);
  assert.deepEqual(seen, [1, 2], "measured twice, not more");
});

test("claim self-test: a claim that misses every attempt fails, naming each; more than 3 attempts are refused", async () => {
  await assert.rejects(
    claim("claim self-test: one attempt, missed", async () => 1.62, (x) => x <= 1.5, { probe: false, attempts: 1, show: (x) => x.toFixed(2) }),
    (e) => /no attempt met the bound:\nclaim self-test: one attempt, missed: attempt 1\/1: 1\.62 misses the bound/.test(e.message),
  );
  await assert.rejects(claim("too many", async () => 1, () => true, { probe: false, attempts: MAX_ATTEMPTS + 1 }), /at most 3/);
});
