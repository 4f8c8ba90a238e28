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

/** Splits a selector list at its top-level commas (not those inside `:is(…)`). */
function splitTop(list) {
  const parts = [];
  let depth = 0, start = 0;
  for (let i = 0; i < list.length; i++) {
    if (list[i] === "(") depth++;
    else if (list[i] === ")") depth--;
    else if (list[i] === "," && depth === 0) parts.push(list.slice(start, i)), (start = i + 1);
  }
  return [...parts, list.slice(start)];
}

/** True when the selector's first compound names only widget classes (`.amazon-pay-…`, or `:is()` of them). */
function scopedToWidget(selector) {
  let depth = 0, end = selector.length;
  for (let i = 0; i < selector.length && end === selector.length; i++) {
    if (selector[i] === "(") depth++;
    else if (selector[i] === ")") depth--;
    else if (depth === 0 && /[\s>+~]/.test(selector[i])) end = i;
  }
  const first = selector.slice(0, end);
  const is = first.match(/^:is\((.*)\)$/);
  if (is) return splitTop(is[1]).every((s) => /^\.amazon-pay-[a-z0-9-]+$/.test(s.trim()));
  return /^\.amazon-pay-[a-z0-9-]+(:[a-z-]+(\([^)]*\))?)*$/.test(first);
}

test("every selector of the widget's stylesheet starts at one of the widget's elements", () => {
  const found = selectors(readFileSync(join(root, "static/amazon-pay.css"), "utf8"));
  assert.ok(found.length > 20, `rules read: ${found.length}`);
  assert.deepEqual(found.filter((s) => !scopedToWidget(s)), []);
});

test("the check refuses what would style the shop's page", () => {
  for (const bad of ["body", ":root", "button:focus-visible", ".shop-header", "a.amazon-pay-x", ":is(.amazon-pay-x, main) a", "* .amazon-pay-x"]) {
    assert.equal(scopedToWidget(bad), false, bad);
  }
  assert.deepEqual(selectors("body { margin: 0 } /* x { } */ .amazon-pay-a, .amazon-pay-b:hover { color: red }"), ["body", ".amazon-pay-a", ".amazon-pay-b:hover"]);
});
