// scripts/preload-integrity.mjs: the wasm's fetch preload loses its ignored `integrity`, nothing else changes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dropFetchPreloadIntegrity } from "../../scripts/preload-integrity.mjs";

const GLUE = '<link rel="modulepreload" href="/amazon-pay-button.js" crossorigin="anonymous" integrity="sha384-AAA">';
const CSS = '<link rel="stylesheet" href="/shop.css" integrity="sha384-BBB"/>';
const SCRIPT = '<link rel="preload" as="script" href="/sandbox/amazon/checkout.js" integrity="sha384-CCC">';
const WASM = (integrity) =>
  `<link rel="preload" href="/amazon-pay-button_bg.wasm" crossorigin="anonymous"${integrity} as="fetch" type="application/wasm">`;

test("the wasm's fetch preload loses its integrity; the glue, the stylesheets and other preloads keep theirs", () => {
  const html = [CSS, SCRIPT, GLUE, WASM(' integrity="sha384-DDD"'), "<p>integrity=\"x\"</p>"].join("\n");
  assert.equal(dropFetchPreloadIntegrity(html), [CSS, SCRIPT, GLUE, WASM(""), "<p>integrity=\"x\"</p>"].join("\n"));
});

test("a page without such a preload, or already without the digest, is left as it is", () => {
  for (const html of [`${CSS}\n${GLUE}`, WASM(""), ""]) assert.equal(dropFetchPreloadIntegrity(html), html);
});
