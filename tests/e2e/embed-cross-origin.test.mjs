// A shop on its own origin (http://localhost:<port>, its own static server and Content-Security-Policy) loads the
// widget from the payment server's origin (http://127.0.0.1:<port>) through the stable entry /widget.js, and its
// buyers come back to the shop's own review and confirmation pages: the whole Checkout v2 funnel, APB, the
// CheckoutChamp lander and PAYONE CV1, in real Chromium, with no console error and no failed request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serverBrowserAndShop, manifest } from "./support/shop.mjs";
import { newPage } from "./support/browser.mjs";
import { chooseOnAmazon, confirmationState, storedOrders } from "./support/checkout.mjs";
import { poll } from "./support/poll.mjs";

const WAIT = 15_000;
const { server, browser, shop } = serverBrowserAndShop({ env: { SANDBOX_SETTLE_MS: "800" } });

/** A fresh page that also records every answer from the payment server for the widget's files. */
async function fresh() {
  const opened = await newPage(browser());
  opened.page.setDefaultTimeout(WAIT);
  opened.widgetFiles = [];
  opened.page.on("response", (res) => {
    const url = new URL(res.url());
    if (url.origin === server().baseUrl && /^\/(widget\.js|v\/)/.test(url.pathname)) opened.widgetFiles.push(res);
  });
  return opened;
}

/** From the shop's cart through the sandbox's Amazon pages back to the shop's review page. */
async function toReview(page, cart = "/cart.html", instrument = "visa-1111") {
  await page.goto(shop().origin + cart);
  const button = page.locator("#amazon-pay .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  await button.click();
  await chooseOnAmazon(page, { instrument });
  await page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/review.html");
  await page.locator(".amazon-pay-buyer-name").waitFor();
  return new URL(page.url());
}

test("CV2 from the shop's cart to the shop's review and confirmation pages, widget from the server's origin", async () => {
  const { page, context, problems, widgetFiles } = await fresh();
  const review = await toReview(page);
  const workorderId = review.searchParams.get("workorderId");
  assert.match(workorderId, /^WO/);
  assert.equal(await page.locator(".amazon-pay-buyer-name").textContent(), "Anna Schmidt");
  await page.click(".amazon-pay-place-order");
  await page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/confirmation.html");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal((await storedOrders(server().baseUrl, workorderId))[0].state, "approved");

  // Every widget file came from the current release, with the headers the docs state.
  const { release, files } = manifest();
  assert.ok(widgetFiles.length >= 4, `the entry, the stylesheet, a bundle's glue and wasm: ${widgetFiles.map((r) => r.url())}`);
  for (const res of widgetFiles) {
    const { pathname } = new URL(res.url());
    const headers = await res.allHeaders();
    assert.equal(headers["access-control-allow-origin"], shop().origin, pathname);
    assert.equal(headers["cross-origin-resource-policy"], "cross-origin", pathname);
    if (pathname === "/widget.js") {
      assert.equal(headers["cache-control"], "public, max-age=300");
    } else {
      assert.ok(pathname.startsWith(`/v/${release}/`), `one release on the page: ${pathname}`);
      assert.ok(files[pathname], `listed in the manifest: ${pathname}`);
      assert.equal(headers["cache-control"], "public, max-age=31536000, immutable", pathname);
    }
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("a page pinned to one release with SRI, as the docs show it: the loader and the bundle checked; a wrong digest loads no button", async () => {
  const { release } = manifest();
  const { page, context, problems, widgetFiles } = await fresh();
  await page.goto(shop().origin + "/pinned.html");
  await page.locator("#amazon-pay .amazonpay-button-view1").waitFor({ state: "visible" });
  const loaded = widgetFiles.map((r) => new URL(r.url()).pathname);
  assert.ok(loaded.includes(`/v/${release}/widget-init.js`) && loaded.includes(`/v/${release}/amazon-pay-button.js`), loaded.join(" "));
  assert.ok(!loaded.includes("/widget.js"), "pinned: no entry");
  assert.deepEqual(problems, []);

  // The bundle's digest in the import map does not match: Chromium refuses to run it, so nothing is mounted.
  const refused = [];
  page.on("console", (msg) => { if (/integrity/i.test(msg.text())) refused.push(msg.text()); });
  await page.goto(shop().origin + "/pinned.html?digest=wrong");
  await poll(async () => refused.length > 0, { failure: () => "Chromium did not refuse the bundle for its digest" });
  assert.equal(await page.locator("#amazon-pay .amazonpay-button-view1").count(), 0);
  await context.close();
});

test("cancel on Amazon's page: back on the shop's cart, whose button fires amazonpay:cancelled", async () => {
  const { page, context, problems } = await fresh();
  await page.addInitScript(() => {
    window.cancelled = [];
    document.addEventListener("amazonpay:cancelled", (e) => window.cancelled.push(e.detail));
  });
  await page.goto(shop().origin + "/cart.html");
  const button = page.locator("#amazon-pay .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  await button.click();
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  await page.click("button[value=cancel]");
  await page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/cart.html");
  await poll(async () => (await page.evaluate(() => window.cancelled.length)) === 1, { failure: () => "no amazonpay:cancelled on the shop's cart" });
  assert.deepEqual(await page.evaluate(() => window.cancelled), [{ kind: "cancelled" }]);
  assert.equal(new URL(page.url()).searchParams.get("amazonPayCancelled"), null, "the marker left the address bar");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  assert.deepEqual(problems, []);
  await context.close();
});

test("CV2 with MFA: back from Amazon's authentication to the shop's confirmation, or (abandoned) its review page", async () => {
  const { page, context, problems } = await fresh();
  await toReview(page, "/cart.html", "mc-3ds1");
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/process/);
  await page.fill("#mfa-code", "123456");
  await page.click("button.primary");
  await page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/confirmation.html");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.deepEqual(problems, []);

  const review = await toReview(page, "/cart.html", "mc-3ds0");
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/process/);
  await page.click("button[value=cancel]");
  await page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/review.html" && url.searchParams.has("order"));
  assert.equal(new URL(page.url()).searchParams.get("workorderId"), review.searchParams.get("workorderId"));
  await page.locator(".amazon-pay-fatal[role=alert]", { hasText: "was not completed, and nothing was charged" }).waitFor();
  assert.equal(await page.locator(".amazon-pay-fatal a").getAttribute("href"), "/cart.html", "back to the shop's cart");
  // Amazon closed the session: the review page's request for it is answered 410, as on the same origin.
  assert.ok(problems.every((p) => /410|session_expired/.test(p)), problems.join("\n"));
  await context.close();
});

test("CV2 with the review page named by the shop's widget configuration (per request)", async () => {
  const { page, context, problems } = await fresh();
  const review = await toReview(page, "/cart-own-pages.html");
  assert.equal(review.searchParams.get("from"), "widget", "Amazon returned to the page the widget named");
  assert.match(review.searchParams.get("workorderId"), /^WO/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a review page on an origin the server does not allow is refused: no session, no redirect, a message", async () => {
  const { page, context, problems } = await fresh();
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${server().baseUrl}/api/cv2/sessions`),
    page.goto(shop().origin + "/cart-foreign-review.html"),
  ]);
  assert.equal(refused.status(), 400);
  assert.match((await refused.json()).detail, /evil\.example.*not an allowed origin/);
  await page.locator("#amazon-pay .amazon-pay-status:not(:empty)").waitFor();
  assert.equal(new URL(page.url()).origin, shop().origin, "the buyer stays on the shop");
  assert.equal(await page.locator(".amazonpay-button-view1").count(), 0, "no button to a checkout that cannot return");
  // The only problems: the refused request (and Chromium's line about it) and the widget saying why.
  // The developer reads the server's cause (its `detail`), not the buyer's sentence.
  assert.ok(
    problems.some((p) => /Amazon Pay button: the backend refused .*\/api\/cv2\/sessions: bad_request: return page .*evil\.example.*not an allowed origin/.test(p)),
    problems.join("\n"),
  );
  assert.ok(problems.every((p) => /\/api\/cv2\/sessions|Amazon Pay button|status of 400/.test(p)), problems.join("\n"));
  await context.close();
});

test("APB on the shop's checkout page: after Amazon's page, the shop's confirmation (the cv2 pages serve APB too)", async () => {
  const { page, context, problems } = await fresh();
  await page.goto(shop().origin + "/apb.html");
  await page.click(".amazon-pay-apb-button");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  await page.click("button.primary");
  await page.check("#instrument-visa-1111");
  await page.click("button.primary");
  await page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/confirmation.html");
  const order = new URL(page.url()).searchParams.get("order");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal((await (await fetch(`${server().baseUrl}/api/orders/${order}`)).json()).state, "approved");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the shop's own script imports the button from the server's origin: mount, update, unmount, events", async () => {
  const { page, context, problems } = await fresh();
  const sessions = [];
  page.on("request", (r) => { if (r.url() === `${server().baseUrl}/api/cv2/sessions` && r.method() === "POST") sessions.push(JSON.parse(r.postData()).items); });
  await page.goto(shop().origin + "/own-script.html");
  await page.locator("#pay .amazonpay-button-view1").waitFor({ state: "visible" });
  await page.fill("#quantity", "3");
  await poll(async () => (await page.evaluate(() => window.shopEvents)).length >= 2, { failure: () => "no second ready event after the update" });
  const events = await page.evaluate(() => window.shopEvents);
  assert.deepEqual(events.map((e) => e.kind), ["ready", "ready"]);
  assert.notEqual(events[0].workorderId, events[1].workorderId);
  assert.deepEqual(sessions, [[{ sku: "mug", quantity: 1 }], [{ sku: "mug", quantity: 3 }]]);
  assert.match(await page.evaluate(() => { try { window.shopWidget.update({ itemz: [] }); return "accepted"; } catch (e) { return e.message; } }), /unknown field `itemz`/);
  await page.evaluate(() => window.shopWidget.unmount());
  assert.equal(await page.locator("#pay").innerHTML(), "");
  assert.deepEqual(problems, []);
  await context.close();
});

test("CheckoutChamp lander on the shop's origin: sign in, one Import Order, then the shop's upsell page", async () => {
  const { page, context, problems } = await fresh();
  await page.goto(shop().origin + "/lander.html");
  const amazonButton = page.locator(".amazon-pay-cv1-button button");
  await amazonButton.waitFor();
  const [popup] = await Promise.all([context.waitForEvent("page"), amazonButton.click()]);
  await popup.getByLabel(/Anna Schmidt/).check();
  await Promise.all([popup.waitForEvent("close"), popup.getByRole("button", { name: "Allow" }).click()]);
  await page.getByLabel(/Unter den Linden 1/).waitFor();
  await page.locator(".amazon-pay-wallet").getByLabel(/Visa ••••1111/).waitFor();
  await Promise.all([
    page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/upsell.html"),
    page.locator(".amazon-pay-place-order:enabled").click(),
  ]);
  assert.match(new URL(page.url()).searchParams.get("amazonOrderId"), /^S02-\d{7}-\d{7}$/);
  await page.getByRole("button", { name: "Yes, add it to my order" }).click();
  await page.locator(".amazon-pay-done").waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("PAYONE CV1 on the shop's origin: Amazon's confirmation flow returns to the shop's page, which authorizes", async () => {
  const { page, context, problems } = await fresh();
  await page.goto(shop().origin + "/amazon-checkout.html");
  const amazonButton = page.locator(".amazon-pay-cv1-button button");
  await amazonButton.waitFor();
  const [popup] = await Promise.all([context.waitForEvent("page"), amazonButton.click()]);
  await popup.getByLabel(/Anna Schmidt/).check();
  await Promise.all([popup.waitForEvent("close"), popup.getByRole("button", { name: "Allow" }).click()]);
  await page.locator(".amazon-pay-wallet").getByLabel(/Visa ••••1111/).waitFor();
  // Back on the shop's own page (not the same path on the payment server, which has none), then its confirmation.
  const back = page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/amazon-checkout.html" && url.searchParams.get("result") === "success");
  await page.locator(".amazon-pay-place-order:enabled").click();
  await back;
  await page.waitForURL((url) => url.origin === shop().origin && url.pathname === "/confirmation.html");
  await confirmationState(page, "approved");
  assert.deepEqual(problems, []);
  await context.close();
});
