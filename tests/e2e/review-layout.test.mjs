// The review page's layout: buyer, address and payment sit in columns side by side (or stacked on narrow
// screens), and long e-mails, names and streets wrap inside their own column at every width down to 320 px.
// Measured from the element boxes Chromium lays out, not from a screenshot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "./support/browser.mjs";
import { checkoutToReview } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const WIDTHS = [1100, 800, 480, 320];
// Longer than any column at any of WIDTHS, and without spaces where a browser would break them by itself.
const LONG = {
  name: "Maximiliane-Wilhelmine-Friederike von Hohenzollern-Sigmaringen-Langenwerth",
  email: "maximiliane.wilhelmine.friederike.von.hohenzollern-sigmaringen@a-very-long-subdomain.sandbox.example",
  street: "Oberschleißheimer-Unterschleißheimer-Landstraßeneinmündungsbereich 1234a",
};

const { server, browser } = serverAndBrowser();

/**
 * Every text box of the grid against its column, and the columns against each other and the page. Returns
 * human-readable problems (empty when the layout is right).
 */
function layoutProblems() {
  const problems = [];
  const grid = document.querySelector(".amazon-pay-review-grid");
  const columns = [...grid.children];
  const box = (r) => `[${Math.round(r.left)}, ${Math.round(r.right)}] × [${Math.round(r.top)}, ${Math.round(r.bottom)}]`;
  const gridBox = grid.getBoundingClientRect();
  const tolerance = 0.5;
  columns.forEach((column, i) => {
    const c = column.getBoundingClientRect();
    if (c.left < gridBox.left - tolerance || c.right > gridBox.right + tolerance) problems.push(`column ${i} ${box(c)} outside the grid ${box(gridBox)}`);
    // Each text node's rendered lines, measured with a Range (the text itself, not its element's box).
    const walker = document.createTreeWalker(column, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const line of range.getClientRects()) {
        if (line.left < c.left - tolerance || line.right > c.right + tolerance) {
          problems.push(`"${node.textContent.slice(0, 30)}…" ${box(line)} overflows column ${i} ${box(c)}`);
        }
      }
    }
    columns.slice(i + 1).forEach((other, j) => {
      const o = other.getBoundingClientRect();
      const overlap = Math.min(c.right, o.right) - Math.max(c.left, o.left) > tolerance
        && Math.min(c.bottom, o.bottom) - Math.max(c.top, o.top) > tolerance;
      if (overlap) problems.push(`column ${i} ${box(c)} overlaps column ${i + j + 1} ${box(o)}`);
    });
  });
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth) problems.push(`the page scrolls sideways: ${page.scrollWidth} > ${page.clientWidth}`);
  return problems;
}

async function reviewPage(buyer) {
  const { page, context } = await newPage(browser());
  await page.setViewportSize({ width: 1100, height: 900 });
  await checkoutToReview(page, server().baseUrl, { buyer });
  return { page, context };
}

test("a real buyer's e-mail stays in its column on a 1100 px wide window", async () => {
  const { page, context } = await reviewPage("anna");
  assert.equal(await page.locator(".amazon-pay-review-grid > section").count(), 3);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    assert.deepEqual(await page.evaluate(layoutProblems), [], `at ${width} px`);
  }
  await context.close();
});

test("long e-mails, names and streets wrap inside their column at 1100, 800, 480 and 320 px", async () => {
  const { page, context } = await reviewPage("jean");
  // No sandbox buyer has fields this long: the rendered texts are replaced (as text) before measuring.
  await page.evaluate((long) => {
    document.querySelector(".amazon-pay-buyer-name").textContent = long.name;
    document.querySelector(".amazon-pay-buyer-email").textContent = long.email;
    const lines = document.querySelectorAll(".amazon-pay-address span");
    lines[0].textContent = long.name;
    lines[1].textContent = long.street;
  }, LONG);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    assert.deepEqual(await page.evaluate(layoutProblems), [], `at ${width} px`);
    // The texts are all there, wrapped rather than cut off.
    assert.equal(await page.locator(".amazon-pay-buyer-email").textContent(), LONG.email);
  }
  await context.close();
});
