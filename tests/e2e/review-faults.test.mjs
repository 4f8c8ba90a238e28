// The review page when things are missing: Amazon's checkout.js failing there (no dead "Change" buttons: a
// sentence instead, naming the likely content blocker when the browser refused the script; placing the order
// still works, the buttons come back when a retry gets the script), and
// an unknown checkout (the buyer reads that it was not found and is led back to the cart).
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkoutToReview, confirmationState, recordingPage, events, storedOrders } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const WAIT = 20_000;
const SCRIPT = "**/sandbox/amazon/checkout.js";

const { server, browser } = serverAndBrowser();

const fresh = () => recordingPage(browser(), { timeout: WAIT });

/** checkout.js answers 404 on the review page while `failing()` says so; the cart gets the real one. */
async function failOnReview(page, failing) {
  let failed = 0;
  await page.route(SCRIPT, (route) => {
    if (new URL(page.url()).pathname === "/review.html" && failing(failed)) {
      failed += 1;
      return route.fulfill({ status: 404, contentType: "text/plain", body: "Not Found" });
    }
    return route.continue();
  });
  return () => failed;
}

test("checkout.js failing on the review page: no dead Change buttons, a sentence instead, the order still goes through", async () => {
  const { page, context } = await fresh();
  const failures = await failOnReview(page, () => true);
  const workorderId = await checkoutToReview(page, server().baseUrl);
  const sentence = page.locator(".amazon-pay-change-unavailable[role=status]");
  await sentence.filter({ hasText: /cannot be changed right now/ }).waitFor();
  assert.match(await sentence.textContent(), /still place the order/);
  assert.ok(await page.locator(".amazon-pay-change-address").isHidden(), "Change address is not offered");
  assert.ok(await page.locator(".amazon-pay-change-payment").isHidden(), "Change payment method is not offered");
  assert.ok(failures() >= 2, `${failures()} failed requests`);
  const errors = (await events(page)).filter((e) => e.kind === "error");
  assert.equal(errors.length, 1, "one error event, not one per retry");
  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal((await storedOrders(server().baseUrl, workorderId))[0].state, "approved");
  await context.close();
});

/** The sentence of a review page whose checkout.js the browser refused (a content blocker, mostly). */
const BLOCKED = "Amazon Pay could not be loaded, so the address and payment method cannot be changed right now. If a content blocker is on, allow Amazon Pay on this shop and reload the page. You can still place the order as shown.";

test("checkout.js blocked on the review page (a content blocker): the sentence names the likely cause and what to do; the order still goes through", async () => {
  const { page, context } = await fresh();
  await page.route(SCRIPT, (route) => (new URL(page.url()).pathname === "/review.html" ? route.abort("blockedbyclient") : route.continue()));
  const workorderId = await checkoutToReview(page, server().baseUrl);
  const sentence = page.locator(".amazon-pay-change-unavailable[role=status]");
  await sentence.filter({ hasText: /\S/ }).waitFor();
  assert.equal(await sentence.textContent(), BLOCKED);
  assert.ok(await page.locator(".amazon-pay-change-address").isHidden(), "Change address is not offered");
  const errors = (await events(page)).filter((e) => e.kind === "error");
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /checkout\.js failed to load \(network error, blocked, or not found\)/);
  await page.click(".amazon-pay-place-order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal((await storedOrders(server().baseUrl, workorderId))[0].state, "approved");
  await context.close();
});

test("checkout.js that does not arrive in time on the review page: the plain sentence, no blocker named (that is not the cause)", async () => {
  const { page, context } = await fresh();
  // The review page's script request is taken and never answered: two attempts of 6 s (the page comes through
  // the server's return route, a redirect that Playwright's routes do not rewrite).
  await page.route(SCRIPT, (route) => (new URL(page.url()).pathname === "/review.html" ? undefined : route.continue()));
  await checkoutToReview(page, server().baseUrl);
  const sentence = page.locator(".amazon-pay-change-unavailable[role=status]");
  await sentence.filter({ hasText: /\S/ }).waitFor();
  assert.equal(await sentence.textContent(), "The address and payment method cannot be changed right now. You can still place the order as shown, or reload the page.");
  const errors = (await events(page)).filter((e) => e.kind === "error");
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /checkout\.js did not load within \d+ ms$/);
  await context.close();
});

test("checkout.js failing once on the review page: a retry brings the Change buttons back", async () => {
  const { page, context } = await fresh();
  // The review page waits 2 × its script timeout between rounds: 1 s here instead of 6 s. Amazon returns the
  // buyer through the server's return route, a redirect that Playwright's routes do not rewrite: the page is
  // reloaded once reached, and the reload (a navigation of its own) gets the rewritten declaration.
  let rewritten = 0;
  await page.route((url) => url.pathname === "/review.html", async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('"view":"review"', '"view":"review","scriptTimeoutMs":500');
    rewritten += 1;
    await route.fulfill({ response, body });
  });
  // Both attempts of the reloaded page's first round fail; the retry gets the script.
  let armed = false;
  await failOnReview(page, (failed) => armed && failed < 2);
  await checkoutToReview(page, server().baseUrl, { address: "anna-home" });
  assert.equal(rewritten, 0, "the redirect's page is not rewritten (else the reload below is not needed)");
  armed = true;
  await page.reload();
  assert.equal(rewritten, 1, "the reloaded review page got scriptTimeoutMs");
  await page.locator(".amazon-pay-change-unavailable", { hasText: /cannot be changed/ }).waitFor();
  await page.locator(".amazon-pay-change-address:enabled").waitFor({ state: "visible" });
  assert.ok(await page.locator(".amazon-pay-change-unavailable").isHidden());
  await page.click(".amazon-pay-change-address");
  await page.waitForURL(/initiate_auth/);
  await context.close();
});

test("an unknown checkout on the review page: the buyer reads it was not found, with the way back to the cart", async () => {
  const { page, context } = await fresh();
  await page.goto(server().baseUrl + "/review.html?workorderId=WOUNKNOWN0000");
  const alert = page.locator(".amazon-pay-fatal[role=alert]");
  await alert.waitFor();
  assert.match(await alert.textContent(), /could not find your checkout or order/);
  assert.doesNotMatch(await alert.textContent(), /not available/);
  assert.equal(await alert.locator("a").getAttribute("href"), "/");
  await context.close();
});
