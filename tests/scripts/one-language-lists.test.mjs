// The one-language bundles' views and languages are listed once, in scripts/one-language.mjs, which the build,
// the budget and the npm package read; the places that cannot read it keep copies, and this test holds each copy
// to it, naming the file when one differs: the loader (static/widget-init.js), the bundles' Cargo features
// texts-<lang> (a bundle crate with them is built per language; one without is not), the widget's and the
// contract's features, the languages the Rust code's cfgs name, and the contract's `Language::ALL`. A view added to
// the build but not the loader would otherwise be built, counted and shipped, and never loaded.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname, "../..");

/** The files read here, relative to the repository's root, besides the bundles' manifests (bundles/<view>/Cargo.toml). */
const FILES = [
  "scripts/one-language.mjs", "static/widget-init.js", "Cargo.toml", "contract/Cargo.toml", "contract/src/language.rs",
  "src/texts.rs", "contract/src/error.rs", "scripts/build-language-bundles", "bench/budget.mjs", "scripts/package.mjs",
];

const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
const list = (items) => [...items].join(", ") || "none";

/** The array literal of strings after `prefix` in `text` (`const LANGUAGES = [` …), or undefined. */
function literal(text, prefix) {
  const at = text.indexOf(prefix);
  if (at < 0) return undefined;
  const end = text.indexOf("]", at);
  try {
    return JSON.parse(text.slice(at + prefix.length - 1, end + 1));
  } catch {
    return undefined;
  }
}

/** The languages of a manifest's features `texts-<lang> = …`. */
const features = (manifest) => [...manifest.matchAll(/^texts-([a-z]+)\s*=/gm)].map((m) => m[1]);

/** Every disagreement with scripts/one-language.mjs under `dir`, each a sentence that starts with the file. */
export async function disagreements(dir) {
  const read = (file) => readFileSync(join(dir, file), "utf8");
  const { ONE_LANGUAGE_VIEWS: views, LANGUAGES: languages } = await import(pathToFileURL(join(dir, "scripts/one-language.mjs")).href + `?${Date.now()}`);
  const found = [];
  const expect = (file, what, got, wanted) => {
    if (!got || !same(got, wanted)) found.push(`${file}: ${what} is ${got ? list(got) : "not found"}, scripts/one-language.mjs says ${list(wanted)}`);
  };

  const loader = read("static/widget-init.js");
  expect("static/widget-init.js", "ONE_LANGUAGE_VIEWS", literal(loader, "const ONE_LANGUAGE_VIEWS = new Set(["), views);
  expect("static/widget-init.js", "LANGUAGES", literal(loader, "const LANGUAGES = ["), languages);
  const loaded = literal(loader, "const VIEWS = new Set([") ?? [];
  const unloaded = views.filter((view) => !loaded.includes(view));
  if (unloaded.length > 0) found.push(`static/widget-init.js: VIEWS has no ${list(unloaded)}`);

  // Every bundle crate: texts-<lang> features exactly when its view is built per language.
  for (const bundle of readdirSync(join(dir, "bundles"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    const file = `bundles/${bundle}/Cargo.toml`;
    expect(file, "its texts-<lang> features", features(read(file)), views.includes(bundle) ? languages : []);
  }
  const bundled = views.filter((view) => !readdirSync(join(dir, "bundles")).includes(view));
  if (bundled.length > 0) found.push(`bundles/: no bundle crate for ${list(bundled)}`);
  expect("Cargo.toml", "its texts-<lang> features", features(read("Cargo.toml")), languages);
  expect("contract/Cargo.toml", "its texts-<lang> features", features(read("contract/Cargo.toml")), languages);

  const all = read("contract/src/language.rs").match(/pub const ALL: \[Language; \d+\] = \[([^\]]*)\]/)?.[1];
  expect("contract/src/language.rs", "Language::ALL", all && [...all.matchAll(/Language::(\w+)/g)].map((m) => m[1].toLowerCase()), languages);
  // The cfgs that tell a one-language build from the full one name every language (one left out would build a
  // bundle with every language's texts, or none).
  for (const file of ["contract/src/language.rs", "src/texts.rs", "contract/src/error.rs"]) {
    expect(file, "the languages its cfgs name", new Set([...read(file).matchAll(/feature = "texts-([a-z]+)"/g)].map((m) => m[1])), languages);
  }

  // The readers of the one list: none keeps a list of its own.
  for (const file of ["scripts/build-language-bundles", "bench/budget.mjs", "scripts/package.mjs"]) {
    if (!read(file).includes("one-language.mjs")) found.push(`${file}: does not read scripts/one-language.mjs`);
  }
  return found;
}

test("every copy of the one-language views and languages is the list of scripts/one-language.mjs", async () => {
  assert.deepEqual(await disagreements(root), []);
});

/** A copy of the files read, with `change(file, text)` applied to each, checked. */
async function changed(change) {
  const dir = mkdtempSync(join(tmpdir(), "one-language-"));
  try {
    const manifests = readdirSync(join(root, "bundles"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `bundles/${e.name}/Cargo.toml`);
    for (const file of [...FILES, ...manifests]) {
      cpSync(join(root, file), join(dir, file));
      writeFileSync(join(dir, file), change(file, readFileSync(join(dir, file), "utf8")));
    }
    return await disagreements(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a view added to the build but not to the loader is named, with the file to change", async () => {
  const found = await changed((file, text) => (file === "scripts/one-language.mjs" ? text.replace('"upsell", "cv1"]', '"upsell", "cv1", "review"]') : text));
  assert.deepEqual(found, [
    "static/widget-init.js: ONE_LANGUAGE_VIEWS is lander, upsell, cv1, scripts/one-language.mjs says lander, upsell, cv1, review",
    "bundles/review/Cargo.toml: its texts-<lang> features is none, scripts/one-language.mjs says de, en, fr, it, es",
  ]);
});

test("a language left out of the loader, a bundle's features or Language::ALL is named", async () => {
  const found = await changed((file, text) => {
    if (file === "static/widget-init.js") return text.replace('const LANGUAGES = ["de", "en", "fr", "it", "es"]', 'const LANGUAGES = ["de", "en", "fr", "it"]');
    if (file === "contract/src/language.rs") return text.replace(", Language::Es];", "];");
    if (file === "bundles/cv1/Cargo.toml") return text.replace(/^texts-es = .*\n/m, "");
    return text;
  });
  assert.deepEqual(found, [
    "static/widget-init.js: LANGUAGES is de, en, fr, it, scripts/one-language.mjs says de, en, fr, it, es",
    "bundles/cv1/Cargo.toml: its texts-<lang> features is de, en, fr, it, scripts/one-language.mjs says de, en, fr, it, es",
    "contract/src/language.rs: Language::ALL is de, en, fr, it, scripts/one-language.mjs says de, en, fr, it, es",
  ]);
});

test("a list the test cannot find is a disagreement, not a pass", async () => {
  const found = await changed((file, text) => (file === "static/widget-init.js" ? text.replace("const ONE_LANGUAGE_VIEWS = new Set(", "const PER_LANGUAGE = new Set(") : text));
  assert.deepEqual(found, ["static/widget-init.js: ONE_LANGUAGE_VIEWS is not found, scripts/one-language.mjs says lander, upsell, cv1"]);
});
