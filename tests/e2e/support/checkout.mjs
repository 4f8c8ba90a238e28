// Steps of the Checkout v2 funnel through the sandbox, shared by the end-to-end tests.
import assert from "node:assert/strict";
import { newPage } from "./browser.mjs";

/** Records the widget's amazonpay:* events on every page of the context, in window.__events. */
export async function recordEvents(context) {
  await context.addInitScript(() => {
    window.__events = [];
    for (const kind of ["ready", "buttonclicked", "reviewready", "orderplaced", "redirecting", "approved", "pending", "paid", "declined", "error", "cancelled"]) {
      document.addEventListener("amazonpay:" + kind, (e) => window.__events.push(e.detail));
    }
  });
}

export const events = (page) => page.evaluate(() => window.__events);

/**
 * Every `amazonpay:<kind>` event (of each kind in `kinds`) of every page the context opens from now on, in order, as
 * a shop's analytics counts them: a page that leaves right after firing one still counts.
 */
export async function countAcrossPages(context, ...kinds) {
  const heard = [];
  await context.exposeBinding("__heardAcrossPages", (_source, detail) => heard.push(detail));
  await context.addInitScript((kinds) => {
    for (const kind of kinds) document.addEventListener("amazonpay:" + kind, (e) => window.__heardAcrossPages(e.detail));
  }, kinds);
  return heard;
}

/** Holds every request `page` makes for Amazon's checkout.js until the returned `release()` is called (a slow script). */
export async function holdCheckoutJs(page) {
  let release;
  const released = new Promise((r) => { release = r; });
  await page.route("**/sandbox/amazon/checkout.js", async (route) => { await released; await route.continue(); });
  return release;
}

/** A page in a context of its own that records the widget's events; `timeout` is the page's default wait. */
export async function recordingPage(browser, { timeout } = {}) {
  const opened = await newPage(browser);
  if (timeout !== undefined) opened.page.setDefaultTimeout(timeout);
  await recordEvents(opened.context);
  return opened;
}

/**
 * On the sandbox's Amazon pages after a click on the button: signs in as `buyer`, picks `address` (when given) and
 * `instrument`, and continues. The caller waits for the shop's page it expects next.
 */
export async function chooseOnAmazon(page, { buyer = "anna", address, instrument = "visa-1111" } = {}) {
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  await page.check(`#buyer-${buyer}`);
  await page.click("button.primary");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/signin/);
  if (address) await page.check(`#address-${address}`);
  await page.check(`#instrument-${instrument}`);
  await page.click("button.primary");
}

/**
 * From the demo cart through the fake Amazon pages back to the review page: the checkout id in its address, which
 * must match `workorder` (PAYONE's workorder; with `--provider amazon` the server's own id).
 */
export async function checkoutToReview(page, baseUrl, { buyer = "anna", address, instrument = "visa-1111", workorder = /^WO/ } = {}) {
  await page.goto(baseUrl + "/");
  const button = page.locator("#amazon-pay .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  await button.click();
  await chooseOnAmazon(page, { buyer, address, instrument });
  await page.waitForURL(/\/review\.html\?/);
  await page.locator(".amazon-pay-buyer-name").waitFor();
  const url = new URL(page.url());
  const workorderId = url.searchParams.get("workorderId");
  assert.match(workorderId, workorder);
  assert.match(url.searchParams.get("amazonCheckoutSessionId"), /^[0-9a-f-]{36}$/);
  return workorderId;
}

/** Orders the backend stored for a checkout (sandbox-only inspection endpoint). */
export async function storedOrders(baseUrl, workorderId) {
  const response = await fetch(`${baseUrl}/sandbox/inspect/workorders/${workorderId}/orders`);
  assert.equal(response.status, 200);
  return response.json();
}

/** Calls the backend made upstream, optionally only one action. */
export async function upstreamCalls(baseUrl, action) {
  const calls = await (await fetch(`${baseUrl}/sandbox/inspect/upstream-calls`)).json();
  return action ? calls.filter((c) => c.action === action) : calls;
}

/** Waits until the confirmation page shows `state`. */
export async function confirmationState(page, state, timeout = 15_000) {
  await page.locator(`.amazon-pay-order-state[data-state="${state}"]`).waitFor({ timeout });
  return page.locator(".amazon-pay-order-state").textContent();
}
