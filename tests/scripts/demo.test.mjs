// scripts/demo's server command (DEMO_DRY_RUN=1 prints it instead of building and starting): a store belongs to one
// shop and the server refuses another shop's (docs/operations.md#several-shops), so the demo through Amazon Pay
// directly keeps a store of its own beside the PAYONE demo's, and a store the user names is left alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");

/** The server's arguments `scripts/demo ...args` would start it with. */
function serverArgs(args, env = {}) {
  const clean = { ...process.env, DEMO_DRY_RUN: "1", ...env };
  for (const name of ["AMAZON_PAY_PROVIDER", "AMAZON_PAY_DATA_DIR", "DATABASE_URL"]) if (!(name in env)) delete clean[name];
  const out = spawnSync(join(ROOT, "scripts/demo"), args, { encoding: "utf8", env: clean });
  assert.equal(out.status, 0, out.stderr);
  const lines = out.stdout.trim().split("\n");
  const start = lines.findIndex((l) => l.endsWith("/target/release/amazon-pay-server"));
  assert.ok(start >= 0, out.stdout);
  return lines.slice(start + 1);
}

/** The value after `flag` in `args`, or undefined. */
const after = (args, flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

test("the PAYONE demo keeps data/, the Amazon one data/amazon, however the provider is named", () => {
  assert.equal(after(serverArgs([]), "--data-dir"), join(ROOT, "data"));
  for (const [args, env] of [[["--provider", "amazon"], {}], [["--provider=amazon"], {}], [[], { AMAZON_PAY_PROVIDER: "amazon" }]]) {
    const got = serverArgs(args, env);
    assert.equal(after(got, "--data-dir"), join(ROOT, "data/amazon"), JSON.stringify({ args, env }));
    assert.ok(got.includes("--sandbox"));
  }
});

test("a store the user names is the only one given, and every argument reaches the server", () => {
  const own = serverArgs(["--provider", "amazon", "--data-dir", "/tmp/mine"]);
  assert.deepEqual(own.filter((a) => a === "--data-dir"), ["--data-dir"]);
  assert.equal(after(own, "--data-dir"), "/tmp/mine");
  assert.ok(!serverArgs(["--database-url=sqlite:/tmp/x.sqlite"]).includes("--data-dir"));
  assert.ok(!serverArgs([], { DATABASE_URL: "sqlite:/tmp/x.sqlite" }).includes("--data-dir"));
  assert.ok(!serverArgs([], { AMAZON_PAY_DATA_DIR: "/tmp/d" }).includes("--data-dir"));
});
