// The widget's stylesheet (static/amazon-pay.css), which shops on other origins load next to widget.js, styles the
// widget's own elements only: every selector is within an element of class amazon-pay-*, so nothing of the shop's
// page (its body, :root, links, buttons) changes. The demo shop's own look is static/shop.css.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");

/** The selectors of every rule in `css` (comments dropped; no nested rules or at-rules in these files). */
function selectors(css) {
  const plain = css.replace(/\/\*[\s\S]*?\*\//g, "");
  return [...plain.matchAll(/([^{}]+)\{[^{}]*\}/g)].flatMap((m) => splitTop(m[1]).map((s) => s.trim()));
}

/** Splits `text` at its top-level characters matching `at` (not those inside `:is(…)`); by default a selector
 * list at its commas. */
function splitTop(text, at = /,/) {
  const parts = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (depth === 0 && at.test(text[i])) parts.push(text.slice(start, i)), (start = i + 1);
  }
  return [...parts, text.slice(start)];
}

/** True when the selector's first compound names only widget classes (`.amazon-pay-…`, with attribute selectors
 * and pseudo-classes, or `:is()` of them), or is the element a shop declares for the widget while it is still
 * empty (`[data-amazon-pay-widget]:empty`, whose place the stylesheet holds before the bundle has drawn). */
function scopedToWidget(selector) {
  // Up to the first top-level combinator (a space, `>`, `+` or `~`).
  const [first] = splitTop(selector, /[\s>+~]/);
  const is = first.match(/^:is\((.*)\)$/);
  if (is) return splitTop(is[1]).every((s) => /^\.amazon-pay-[a-z0-9-]+$/.test(s.trim()));
  if (first === "[data-amazon-pay-widget]:empty") return selector === first;
  return /^\.amazon-pay-[a-z0-9-]+(\[[a-z-]+(=[a-z0-9-]+)?\])*(:[a-z-]+(\([^)]*\))?)*$/.test(first);
}

test("every selector of the widget's stylesheet starts at one of the widget's elements", () => {
  const found = selectors(readFileSync(join(root, "static/amazon-pay.css"), "utf8"));
  assert.ok(found.length > 20, `rules read: ${found.length}`);
  assert.deepEqual(found.filter((s) => !scopedToWidget(s)), []);
});

test("the check refuses what would style the shop's page", () => {
  for (const bad of ["body", ":root", "button:focus-visible", ".shop-header", "a.amazon-pay-x", ":is(.amazon-pay-x, main) a", "* .amazon-pay-x",
    "[data-amazon-pay-widget]", "[data-amazon-pay-widget]:empty + p", "[hidden].amazon-pay-x"]) {
    assert.equal(scopedToWidget(bad), false, bad);
  }
  assert.equal(scopedToWidget(".amazon-pay-button[aria-busy=true] + p"), true);
  assert.deepEqual(selectors("body { margin: 0 } /* x { } */ .amazon-pay-a, .amazon-pay-b:hover { color: red }"), ["body", ".amazon-pay-a", ".amazon-pay-b:hover"]);
});

/** Each rule of `css` as its selectors and its declarations' text. */
function rules(css) {
  const plain = css.replace(/\/\*[\s\S]*?\*\//g, "");
  return [...plain.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((m) => ({ selectors: splitTop(m[1]).map((s) => s.trim()), body: m[2] }));
}

test("the widget's main actions are in Amazon's yellow, and only a disabled one is dimmed", () => {
  const all = rules(readFileSync(join(root, "static/amazon-pay.css"), "utf8"));
  for (const action of [".amazon-pay-place-order", ".amazon-pay-apb-button", ".amazon-pay-upsell-add"]) {
    assert.ok(all.some((r) => r.selectors.includes(action) && /background:\s*#ffd814/.test(r.body)), `${action} is yellow`);
  }
  const dimmed = all.filter((r) => /opacity/.test(r.body)).flatMap((r) => r.selectors);
  assert.deepEqual(dimmed.filter((s) => !s.endsWith(":disabled")), [], "opacity only for a disabled action");
});
