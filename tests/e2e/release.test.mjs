// scripts/release.mjs on a made-up dist/: the content-addressed copy, the manifest's SRI digests, the entry, and
// which earlier releases stay. No browser, no server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { release } from "../../scripts/release.mjs";

function dist(files) {
  const dir = mkdtempSync(join(tmpdir(), "release-test-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const FILES = {
  "widget-init.js": "const b = new URL(`amazon-pay-${'button'}`, import.meta.url); import(`${b}.js`);",
  "amazon-pay-button.js": "export default 1",
  "amazon-pay-button_bg.wasm": "\0asm",
  // A one-language bundle (scripts/build-language-bundles).
  "amazon-pay-cv1.de.js": "export default 2",
  "amazon-pay-cv1.de_bg.wasm": "\0asm\x02",
  "shop.css": ".a{}",
  "snippets/x-1/inline0.js": "export const y = 2",
  "index.html": "<!doctype html>",
  "harness.js": "not the widget's",
};

test("the release copies the widget's files under their hash, with SRI digests and an entry that imports them", () => {
  const dir = dist(FILES);
  try {
    const manifest = release(dir);
    assert.match(manifest.release, /^[0-9a-f]{16}$/);
    const base = `/v/${manifest.release}/`;
    assert.deepEqual(Object.keys(manifest.files).sort(), ["amazon-pay-button.js", "amazon-pay-button_bg.wasm", "amazon-pay-cv1.de.js", "amazon-pay-cv1.de_bg.wasm", "shop.css", "snippets/x-1/inline0.js", "widget-init.js"].map((f) => base + f));
    for (const [path, { integrity, bytes }] of Object.entries(manifest.files)) {
      const copy = readFileSync(join(dir, path));
      assert.deepEqual(copy, readFileSync(join(dir, path.slice(base.length))), path);
      assert.equal(integrity, "sha384-" + createHash("sha384").update(copy).digest("base64"));
      assert.equal(bytes, copy.length);
    }
    // The entry is the loader, naming the release's directory in front of its bundle.
    const entry = readFileSync(join(dir, "widget.js"), "utf8");
    assert.equal(entry, FILES["widget-init.js"].replace("`amazon-pay-${", `\`v/${manifest.release}/amazon-pay-\${`));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")), manifest);
    // The same files give the same release; a changed file another one.
    assert.equal(release(dir).release, manifest.release);
    writeFileSync(join(dir, "amazon-pay-button_bg.wasm"), "\0asm\x01");
    assert.notEqual(release(dir).release, manifest.release);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the five newest releases stay, the current one always", () => {
  const dir = dist(FILES);
  try {
    for (let i = 0; i < 7; i++) {
      const old = join(dir, "v", `00000000000000${i}0`);
      mkdirSync(old, { recursive: true });
      const t = new Date(Date.UTC(2020, 0, 1 + i));
      utimesSync(old, t, t);
    }
    const { release: current } = release(dir);
    const left = readdirSync(join(dir, "v")).sort();
    assert.equal(left.length, 5);
    assert.ok(left.includes(current));
    assert.deepEqual(left.filter((d) => d !== current), ["0000000000000030", "0000000000000040", "0000000000000050", "0000000000000060"], "the four newest earlier ones");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("without the minified loader, or one that does not name its bundle, there is no release", () => {
  for (const [files, why] of [[{ "amazon-pay-button.js": "x" }, /no widget-init\.js/], [{ "widget-init.js": "import('./x.js')" }, /must name its bundle once/]]) {
    const dir = dist(files);
    try {
      assert.throws(() => release(dir), why);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
