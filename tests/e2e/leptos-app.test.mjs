// A downstream Leptos app (examples/leptos-shop) that depends on the widget crate: it starts (its own `main`
// runs, not the crate's embed start), its cart changes and the Amazon Pay button follows (the components' cart
// signal), and the buyer pays, reviews on the app's own review page and lands on its confirmation page; the
// order is for the changed cart. scripts/build-examples builds it into examples/leptos-shop/dist; the server
// serves that dist in place of the widget's, so the app's requests go to the same origin.
// LEPTOS_SHOP_SCREENSHOT=<file.png> saves a screenshot of the changed cart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { chooseOnAmazon, events, recordingPage, storedOrders } from "./support/checkout.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

const distDir = resolve(import.meta.dirname, "../../examples/leptos-shop/dist");
const MUG = 1290;
const TSHIRT = 2490;

const { server, browser } = serverAndBrowser({
  server: () => {
    for (const page of ["index.html", "review.html", "confirmation.html", "leptos-shop_bg.wasm"]) {
      assert.ok(existsSync(join(distDir, page)), `${distDir} has no ${page}: run scripts/build-examples first`);
    }
    return { distDir };
  },
});

/** The checkout the app's status line names once the button is ready for the cart shown. */
async function readyCheckout(page, notThis) {
  await page.waitForFunction((old) => {
    const m = document.getElementById("leptos-shop-status")?.textContent.match(/checkout (WO\w+)/);
    return m && m[1] !== old;
  }, notThis ?? null, { timeout: 15_000 });
  return (await page.locator("#leptos-shop-status").textContent()).match(/checkout (WO\w+)/)[1];
}

test("a Leptos app using the crate renders its own page and the Amazon Pay button", async () => {
  const { page, context, problems } = await recordingPage(browser());
  await page.goto(server().baseUrl + "/");
  // The app's own heading: its `main` ran (with the crate's old start function, the page stayed empty).
  const heading = page.locator("#leptos-shop-heading");
  await heading.waitFor({ state: "visible", timeout: 15_000 });
  assert.equal(await heading.textContent(), "Leptos shop: your cart");
  // The component mounted the button view, which asked the backend for a session and loaded the sandbox's
  // checkout.js, which rendered Amazon's button.
  const button = page.locator(".amazon-pay-host .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible", timeout: 15_000 });
  assert.equal(await button.getAttribute("aria-busy"), "false");
  assert.equal(await page.locator('script[src$="/sandbox/amazon/checkout.js"]').count(), 1);
  // Only one host: nothing mounted a second widget from the page (no embed auto-mount in the app).
  assert.equal(await page.locator(".amazon-pay-host").count(), 1);
  // The on_ready callback and the DOM event carry the same checkout.
  const checkout = await readyCheckout(page);
  assert.deepEqual((await events(page)).filter((e) => e.kind === "ready").map((e) => e.workorderId), [checkout]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the buyer changes the cart, pays, reviews and confirms: the order is for the changed cart", async () => {
  const { page, context, problems } = await recordingPage(browser());
  await page.goto(server().baseUrl + "/");
  const first = await readyCheckout(page);
  assert.equal(await page.locator(".quantity[data-sku=mug]").textContent(), "2");
  // Adds a T-shirt and a third mug, then a fourth mug and takes it out again.
  await page.click("button.add[data-sku=tshirt]");
  for (const label of ["One Rust mug more", "One Rust mug more", "One Rust mug less"]) await page.getByLabel(label).click();
  assert.equal(await page.locator(".quantity[data-sku=mug]").textContent(), "3");
  assert.equal(await page.locator(".quantity[data-sku=tshirt]").textContent(), "1");
  const checkout = await readyCheckout(page, first);
  await page.waitForFunction((id) => window.__events.filter((e) => e.kind === "ready").at(-1)?.workorderId === id, checkout);
  assert.equal(await page.locator(".amazon-pay-widget").count(), 1);
  assert.equal(await page.locator(".amazon-pay-widget[inert]").count(), 0);
  const amount = await page.evaluate(() => window.__amazonPaySandbox.buttons.at(-1).options.estimatedOrderAmount.amount);
  const total = 3 * MUG + TSHIRT;
  assert.equal(amount, (total / 100).toFixed(2));
  if (process.env.LEPTOS_SHOP_SCREENSHOT) await page.screenshot({ path: process.env.LEPTOS_SHOP_SCREENSHOT, fullPage: true });

  await page.locator(".amazon-pay-host .amazon-pay-button").click();
  await chooseOnAmazon(page);
  // The app's own review page (its heading), with the component's view of the checkout.
  await page.waitForURL(/\/review\.html\?/);
  assert.equal(new URL(page.url()).searchParams.get("workorderId"), checkout);
  await page.locator(".amazon-pay-buyer-name").waitFor();
  assert.equal(await page.locator("#leptos-shop-heading").textContent(), "Review your order");
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/confirmation\.html\?order=/);
  await page.locator('.amazon-pay-order-state[data-state="approved"]').waitFor({ timeout: 15_000 });
  await page.locator("#leptos-shop-outcome", { hasText: "your order is confirmed" }).waitFor();
  const [order] = await storedOrders(server().baseUrl, checkout);
  assert.equal(order.amount_minor, total);
  assert.deepEqual(problems, []);
  await context.close();
});
