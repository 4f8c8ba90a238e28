// bench/budget.mjs, the size budget scripts/build-widget enforces: a made-up dist/ in a temporary directory, so
// that each refusal (a page over 45 KB, a one-language bundle missing, a release that differs from what is
// counted) is seen to fail the build, and what is allowed (the all-views bundle over it) to pass.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ONE_LANGUAGE_VIEWS } from "../../scripts/one-language.mjs";

const SCRIPT = join(import.meta.dirname, "../../bench/budget.mjs");

/** This process's environment with `SIZE_BUDGET_BYTES` set to `budget`, or without it. */
function budgetEnv(budget) {
  const env = { ...process.env };
  delete env.SIZE_BUDGET_BYTES;
  return budget === undefined ? env : { ...env, SIZE_BUDGET_BYTES: budget };
}

/** A root with a dist/ holding the button's bundle and one language of each one-language view, each wasm of 20 000
 * random (incompressible) bytes; `change(dist)` edits it before the check runs, with `SIZE_BUDGET_BYTES` = `budget`. */
function run(change = () => {}, budget = undefined) {
  const root = mkdtempSync(join(tmpdir(), "amazon-pay-budget-"));
  try {
    const dist = join(root, "dist");
    mkdirSync(dist);
    for (const name of ["amazon-pay-button", ...ONE_LANGUAGE_VIEWS.map((view) => `amazon-pay-${view}.de`)]) {
      writeFileSync(join(dist, `${name}.js`), "export default function init() {}\n");
      writeFileSync(join(dist, `${name}_bg.wasm`), randomBytes(20_000));
    }
    writeFileSync(join(dist, "amazon-pay.css"), ".amazon-pay-widget { display: block }\n");
    writeFileSync(join(dist, "widget-init.js"), "import('./amazon-pay-button.js');\n");
    writeFileSync(join(dist, "manifest.json"), JSON.stringify({ release: "r1", files: {} }));
    change(dist);
    const out = spawnSync(process.execPath, [SCRIPT, root], { encoding: "utf8", env: budgetEnv(budget) });
    return { status: out.status, stdout: out.stdout, stderr: out.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test("every page within the budget passes, each bundle's line says so", () => {
  const { status, stdout, stderr } = run();
  assert.equal(status, 0, stderr);
  assert.match(stdout, /^amazon-pay-button\s+2\d\.\d KB gzip \(4 files\)\s+within$/m);
  assert.match(stdout, /^cv1 page \(its largest language, amazon-pay-cv1\.de\): 2\d\.\d KB gzip$/m);
});

test("a page over 45 KB fails the build, names the bundle and says where to look", () => {
  const { status, stdout, stderr } = run((dist) => writeFileSync(join(dist, "amazon-pay-cv1.de_bg.wasm"), randomBytes(45_000)));
  assert.equal(status, 1);
  assert.match(stdout, /^amazon-pay-cv1\.de\s+4\d\.\d KB gzip \(4 files\)\s+OVER the 45 KB budget$/m);
  assert.match(stdout, /^amazon-pay-button\s.*within$/m);
  assert.match(stderr, /size budget broken: a page would load more than 45000 bytes gzip -9 from us/);
  assert.match(stderr, /where the bytes go: scripts\/size/);
});

test("the all-views bundle over 45 KB is printed, not held to the budget", () => {
  const { status, stdout, stderr } = run((dist) => {
    writeFileSync(join(dist, "amazon-pay-widget.js"), "export default function init() {}\n");
    writeFileSync(join(dist, "amazon-pay-widget_bg.wasm"), randomBytes(90_000));
  });
  assert.equal(status, 0, stderr);
  assert.match(stdout, /^amazon-pay-widget\s+9\d\.\d KB gzip \(4 files\)\s+\(pages that mix views or languages: not held to the budget\)$/m);
});

test("a one-language view without its one-language bundles fails the build", () => {
  const { status, stderr } = run((dist) => {
    rmSync(join(dist, "amazon-pay-upsell.de.js"));
    rmSync(join(dist, "amazon-pay-upsell.de_bg.wasm"));
  });
  assert.equal(status, 1);
  assert.match(stderr, /no one-language bundle of upsell in dist\/ \(scripts\/build-language-bundles\)/);
});

test("a release whose files differ from the counted ones fails before anything is counted", () => {
  const { status, stdout, stderr } = run((dist) => {
    mkdirSync(join(dist, "v/r1"), { recursive: true });
    writeFileSync(join(dist, "v/r1/widget-init.js"), "import('./amazon-pay-button.js'); // an older loader\n");
    writeFileSync(join(dist, "manifest.json"), JSON.stringify({ release: "r1", files: { "/v/r1/widget-init.js": "sha384-x" } }));
  });
  assert.equal(status, 1);
  assert.equal(stdout, "");
  assert.match(stderr, /the release differs from the files the budget counts: \/v\/r1\/widget-init\.js/);
});

test("SIZE_BUDGET_BYTES tightens the budget; anything but a whole number of bytes is refused", () => {
  const strict = run(() => {}, "20000");
  assert.equal(strict.status, 1);
  assert.match(strict.stdout, /^amazon-pay-button\s.*OVER the 20 KB budget$/m);
  assert.equal(run(() => {}, "").status, 0, "empty: the default 45 000");
  for (const bad of ["45 KB", "abc", "-1", "0", "4.5e4"]) {
    const refused = run(() => {}, bad);
    assert.equal(refused.status, 2, bad);
    assert.equal(refused.stdout, "", bad);
    assert.match(refused.stderr, /SIZE_BUDGET_BYTES must be a whole number of bytes \(gzip -9\), not "/, bad);
  }
});
