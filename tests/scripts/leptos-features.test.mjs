// The widget crate is a library: it must not pick the Leptos app's rendering mode. Leptos' `csr`, `hydrate` and
// `ssr` features are the app's choice (`csr` and `hydrate` run effects, which an SSR server must not), and Cargo
// unifies features, so a `csr` named here would turn effects on in every SSR app that depends on the crate.
// The crate's own tests mount components in the browser and take `csr` as a dev-dependency.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";

const root = resolve(import.meta.dirname, "../..");
const MODES = ["csr", "hydrate", "ssr"];

test("the widget crate leaves Leptos' rendering mode to the app", () => {
  const metadata = JSON.parse(
    execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps", "--offline"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 }),
  );
  const widget = metadata.packages.find((p) => p.name === "amazon-pay-widget");
  assert.ok(widget, "cargo metadata lists no amazon-pay-widget");
  const leptos = widget.dependencies.filter((d) => d.name === "leptos");
  const normal = leptos.filter((d) => d.kind === null);
  assert.equal(normal.length, 1, "the widget depends on leptos once (optional, for the feature `leptos`)");
  assert.deepEqual(normal[0].features.filter((f) => MODES.includes(f)), [], "Cargo.toml: the widget's leptos dependency names a rendering mode");
  const dev = leptos.filter((d) => d.kind === "dev");
  assert.ok(dev.some((d) => d.features.includes("csr")), "Cargo.toml: the component tests need leptos' csr as a dev-dependency");
});
