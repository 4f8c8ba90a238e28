// bench/report.mjs's envInteger, which every benchmark reads its counts and durations with (BENCH_LOADS,
// BENCH_SECONDS, BENCH_RTT_MS, ...): a malformed value stops the run before it writes anything to BENCHMARKS.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const REPORT = join(import.meta.dirname, "../../bench/report.mjs");

/** What `envInteger("BENCH_X", 40, min)` gives with BENCH_X set to `value` (unset for `undefined`). */
function read(value, min = 1) {
  const env = { ...process.env };
  delete env.BENCH_X;
  if (value !== undefined) env.BENCH_X = value;
  const script = `import { envInteger } from ${JSON.stringify(REPORT)}; console.log(JSON.stringify(envInteger("BENCH_X", 40, ${min})));`;
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env });
  return { status: out.status, value: out.status === 0 ? JSON.parse(out.stdout) : undefined, stderr: out.stderr };
}

test("unset or empty: the default; a whole number: that number", () => {
  assert.deepEqual(read(undefined), { status: 0, value: 40, stderr: "" });
  assert.equal(read("").value, 40);
  assert.equal(read("7").value, 7);
  assert.equal(read("0", 0).value, 0, "a minimum of 0 takes 0 (BENCH_RTT_MS)");
});

test("anything else stops the run with the variable's name and value", () => {
  for (const [value, min] of [["abc", 1], ["1O", 1], ["2.5", 1], ["-3", 0], [" 5", 1], ["0", 1], ["1e3", 1], ["007", 1]]) {
    const { status, stderr } = read(value, min);
    assert.equal(status, 2, value);
    assert.equal(stderr.trim(), `BENCH_X must be a whole number of at least ${min}, not ${JSON.stringify(value)}`, value);
  }
});
