// Amazon's checkout.js hanging on the cart page, with the widget's default timings: the buyer hears "still
// loading" within a few seconds and the failure within 15 s (it was silence for 20 s), and a script that
// arrives after the "still loading" sentence still shows the button. Every wait is a condition with a deadline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { holdCheckoutJs, recordingPage, events } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const SCRIPT = "**/sandbox/amazon/checkout.js";

const { server, browser } = serverAndBrowser();

const fresh = () => recordingPage(browser());

/** Milliseconds from `started` until the cart's status region (aria-live) reads `pattern`, at most `deadline`. */
async function heard(page, started, pattern, deadline) {
  const status = page.locator("#amazon-pay [role=status][aria-live=polite]");
  await status.filter({ hasText: pattern }).waitFor({ timeout: Math.max(1, deadline - (Date.now() - started)) });
  return Date.now() - started;
}

test("checkout.js that never answers: 'still loading' within 5 s, the failure within 15 s (defaults)", async () => {
  const { page, context } = await fresh();
  // Never fulfilled: the request hangs until the page is closed.
  await page.route(SCRIPT, () => {});
  const started = Date.now();
  await page.goto(server().baseUrl + "/", { waitUntil: "commit" });
  const stillLoading = await heard(page, started, /still loading/, 5_000);
  assert.equal(await page.locator("#amazon-pay .amazon-pay-button").getAttribute("aria-busy"), "true", "the place is still held");
  const failed = await heard(page, started, /not available/, 15_000);
  assert.ok(stillLoading < failed, `${stillLoading} ms, then ${failed} ms`);
  assert.ok(await page.locator("#amazon-pay .amazon-pay-button").isHidden(), "no broken button");
  const errors = (await events(page)).filter((e) => e.kind === "error");
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /did not load within 6000 ms/);
  await context.close();
});

test("checkout.js arriving after 'still loading': the button appears and the sentence goes", async () => {
  const { page, context, problems } = await fresh();
  const release = await holdCheckoutJs(page);
  const started = Date.now();
  await page.goto(server().baseUrl + "/", { waitUntil: "commit" });
  await heard(page, started, /still loading/, 5_000);
  release();
  await page.locator("#amazon-pay .amazon-pay-button .amazonpay-button-view1").waitFor({ state: "visible", timeout: 15_000 });
  assert.equal(await page.locator("#amazon-pay [role=status]").textContent(), "");
  assert.deepEqual((await events(page)).map((e) => e.kind), ["ready"]);
  assert.deepEqual(problems, []);
  await context.close();
});
