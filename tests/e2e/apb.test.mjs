// APB: Amazon Pay at the end of the shop's own checkout. The authorization's answer carries the payload
// that starts Amazon's checkout; the buyer chooses on Amazon's page and lands on the confirmation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, newPage } from "./support/browser.mjs";
import { chooseOnAmazon, confirmationState, events, recordEvents, upstreamCalls } from "./support/checkout.mjs";
import { poll } from "./support/poll.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

/** The console errors the widget wrote (Chromium's own line for an HTTP error answer is not the widget's). */
const widgetConsole = (problems) => problems.filter((p) => p.startsWith("console:") && !p.includes("Failed to load resource"));

const KEY = "e2e-merchant-key-apb-0123456789abcdefghij";
const { server, browser } = serverAndBrowser({ server: { args: ["--merchant-api-keys", KEY] } });

test("APB: the shop's button authorizes first, Amazon's page completes, the confirmation follows", async () => {
  const { page, context, problems } = await newPage(browser());
  await recordEvents(context);
  await page.goto(server().baseUrl + "/apb.html");
  const before = (await upstreamCalls(server().baseUrl, "preauthorization")).length;
  await page.click(".amazon-pay-apb-button");
  // Straight to Amazon's sign-in page: the authorization answered with the signed ProcessOrder payload.
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  assert.equal((await upstreamCalls(server().baseUrl, "preauthorization")).length - before, 1);
  await page.click("button.primary");
  await page.check("#instrument-visa-1111");
  await page.click("button.primary");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("APB with an incomplete address asks for it and sends nothing upstream", async () => {
  const { page, context } = await newPage(browser());
  await recordEvents(context);
  await page.goto(server().baseUrl + "/apb.html");
  await page.fill("input[name=street]", "");
  const before = (await upstreamCalls(server().baseUrl)).length;
  await page.click(".amazon-pay-apb-button");
  await page.locator(".amazon-pay-apb .amazon-pay-notice", { hasText: "complete your address" }).waitFor();
  assert.equal((await upstreamCalls(server().baseUrl)).length, before);
  assert.deepEqual((await events(page)).map((e) => e.kind), []);
  await context.close();
});

test("APB declined on Amazon's processing page: back on the review page, a true sentence (PAYONE's error URL has no reason)", async () => {
  for (const instrument of ["amex-0982", "visa-0985"]) {
    const { page, context, problems } = await newPage(browser());
    await recordEvents(context);
    await page.goto(server().baseUrl + "/apb.html");
    await page.click(".amazon-pay-apb-button");
    await chooseOnAmazon(page, { instrument });
    await page.waitForURL(/\/review\.html\?.*order=/);
    const fatal = page.locator(".amazon-pay-fatal[role=alert]");
    await fatal.waitFor();
    // Not "you did not finish confirming": the buyer did; the payment was declined.
    assert.match(await fatal.textContent(), /The payment with Amazon Pay was not completed, and nothing was charged/, instrument);
    assert.doesNotMatch(await fatal.textContent(), /did not finish/, instrument);
    // A decline is an outcome: `declined` with the order (PAYONE's error URL makes it `abandoned`), no `error`.
    const order = new URL(page.url()).searchParams.get("order");
    const heard = await events(page);
    assert.deepEqual(heard.map((e) => [e.kind, e.orderId, e.code]), [["declined", order, "abandoned"]], instrument);
    assert.deepEqual(widgetConsole(problems), [], instrument);
    await context.close();
  }
});

test("APB cancelled on Amazon's page: the review page tells amazonpay:cancelled with the order, not an error; a reload does not", async () => {
  const { page, context } = await newPage(browser());
  await recordEvents(context);
  await page.goto(server().baseUrl + "/apb.html");
  await page.click(".amazon-pay-apb-button");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  await page.click("button[value=cancel]");
  // PAYONE's backurl, through the server's return route: the review page with the order (and the cancel marker).
  await page.waitForURL(/\/review\.html\?.*order=/);
  const order = new URL(page.url()).searchParams.get("order");
  const told = await poll(async () => {
    const seen = (await events(page)).filter((e) => e.kind === "cancelled" || e.kind === "error");
    return seen.length > 0 && seen;
  }, { timeoutMs: 10_000, failure: () => "the review page told nothing" });
  assert.deepEqual(told, [{ kind: "cancelled", orderId: order }]);
  assert.equal(new URL(page.url()).searchParams.get("amazonPayCancelled"), null, "the marker left the address bar");

  await page.reload();
  const again = await poll(async () => {
    const seen = (await events(page)).filter((e) => ["cancelled", "declined", "error", "reviewReady"].includes(e.kind));
    return seen.length > 0 && seen;
  }, { timeoutMs: 10_000, failure: () => "the reloaded review page told nothing" });
  // Not a second cancel: the order's state, as the confirmation page would tell it, and no error.
  assert.deepEqual(again.map((e) => [e.kind, e.orderId, e.code]), [["declined", order, "abandoned"]], "a reload is not a second cancel");
  await context.close();
});

test("Back from Amazon's page with the browser's back/forward cache: the button works again, for the same authorization", async () => {
  const keeping = await launchBrowser({ backForwardCache: true });
  try {
    const page = await (await keeping.newContext()).newPage();
    await page.goto(server().baseUrl + "/apb.html");
    await page.evaluate(() => addEventListener("pageshow", (event) => { window.restoredFromCache = event.persisted; }));
    const before = (await upstreamCalls(server().baseUrl, "preauthorization")).length;
    await page.click(".amazon-pay-apb-button");
    await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
    // Restored from the cache there is no load event: wait for the address only.
    await page.goBack({ waitUntil: "commit" });
    const button = page.locator(".amazon-pay-apb-button:not([disabled])");
    await button.waitFor();
    assert.equal(await page.evaluate(() => window.restoredFromCache), true, "the browser kept the page");
    assert.equal(await page.locator(".amazon-pay-apb .amazon-pay-notice").textContent(), "");
    await button.click();
    await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
    assert.equal((await upstreamCalls(server().baseUrl, "preauthorization")).length - before, 1, "the same key: one authorization");
  } finally {
    await keeping.close();
  }
});

/**
 * Pays on `page` (Visa: approved) from the APB page, then goes back to the APB page's entry in the history, as
 * the browser's Back does (over Amazon's pages). `beforeConfirmation` runs on the APB page; then the buyer must
 * reach the paid order's confirmation without Amazon's checkout opened again or anything authorized again.
 */
async function backToThePaidApbPage(page, beforeConfirmation = async () => {}) {
  await page.goto(server().baseUrl + "/apb.html");
  const entries = await page.evaluate(() => history.length);
  await page.click(".amazon-pay-apb-button");
  await chooseOnAmazon(page);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  const order = new URL(page.url()).searchParams.get("order");
  const authorizations = (await upstreamCalls(server().baseUrl, "preauthorization")).length;
  // Every page shown from here on: Amazon's must not be among them.
  const shown = [];
  page.on("framenavigated", (frame) => { if (frame === page.mainFrame()) shown.push(frame.url()); });
  const steps = (await page.evaluate(() => history.length)) - entries;
  const onApb = page.waitForEvent("framenavigated", { predicate: (frame) => frame === page.mainFrame() && frame.url().includes("/apb.html") });
  await page.evaluate((steps) => history.go(-steps), steps);
  await onApb;
  await beforeConfirmation();
  // From the APB page on to the confirmation (not the confirmation page that was left).
  await page.waitForURL(/\/confirmation\.html\?order=/, { timeout: 10_000 });
  assert.equal(new URL(page.url()).searchParams.get("order"), order, "the paid order's confirmation");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.deepEqual(shown.filter((url) => url.includes("/sandbox/amazon/")), [], "Amazon's checkout not opened again");
  assert.equal((await upstreamCalls(server().baseUrl, "preauthorization")).length, authorizations, "nothing authorized again");
}

/** Records, in the tab's sessionStorage, the APB button as a page restored from the back/forward cache shows it
 * once the widget has seen the page come back (before the page leaves again). */
async function recordRestoredButton(page) {
  await page.addInitScript(() => addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    setTimeout(() => {
      const button = document.querySelector(".amazon-pay-apb-button");
      sessionStorage.setItem("e2e.restoredButton", JSON.stringify(button ? { disabled: button.disabled } : null));
    }, 0);
  }));
}

test("Back to the APB page after paying, without the back/forward cache: the order's confirmation, not Amazon again", async () => {
  const { page, context, problems } = await newPage(browser());
  await backToThePaidApbPage(page);
  assert.deepEqual(widgetConsole(problems), []);
  await context.close();
});

test("Back to the APB page after paying, restored from the back/forward cache: no enabled button, the order's confirmation", async () => {
  const keeping = await launchBrowser({ backForwardCache: true });
  try {
    const { page, problems } = await newPage(keeping);
    await recordRestoredButton(page);
    await backToThePaidApbPage(page);
    assert.equal(await page.evaluate(() => sessionStorage.getItem("e2e.restoredButton")), JSON.stringify({ disabled: true }),
      "restored from the cache, the button was not left enabled");
    assert.deepEqual(widgetConsole(problems), []);
  } finally {
    await keeping.close();
  }
});

test("Back to the paid APB page whose question did not get through: a click on its button leads to the confirmation, not Amazon", async () => {
  const keeping = await launchBrowser({ backForwardCache: true });
  try {
    const { page } = await newPage(keeping);
    // The restored page's question (replay_only) lost on the way: the button works again, with the same key.
    await page.route("**/api/apb/orders", (route) => (route.request().postData() ?? "").includes('"replay_only":true') ? route.abort() : route.fallback());
    await backToThePaidApbPage(page, async () => {
      const button = page.locator(".amazon-pay-apb-button:not([disabled])");
      await button.waitFor();
      await button.click();
    });
  } finally {
    await keeping.close();
  }
});

test("Reopened instead of Back: paying again gives the first order up at once, one authorization kept", async () => {
  const { page, context, problems } = await newPage(browser());
  // The placements' answers, read on their way to the page (which leaves for Amazon's right after).
  const placed = [];
  await page.route("**/api/apb/orders", async (route) => {
    const response = await route.fetch();
    placed.push((await response.json()).order_id);
    await route.fulfill({ response });
  });
  await page.goto(server().baseUrl + "/apb.html");
  const placedOrder = async () => {
    await page.click(".amazon-pay-apb-button");
    await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
    return placed.at(-1);
  };
  const merchantState = async (id) => {
    const response = await fetch(`${server().baseUrl}/merchant/api/orders/${id}`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(response.status, 200);
    return (await response.json()).state;
  };
  const first = await placedOrder();
  assert.equal(await merchantState(first), "redirected");
  // The buyer comes back to the shop's page by its address (a reload, a bookmark), not the browser's Back.
  await page.goto(server().baseUrl + "/apb.html");
  const second = await placedOrder();
  assert.notEqual(second, first);
  assert.equal(await merchantState(first), "abandoned", "given up at once, not after the sweep's 24 hours");
  assert.equal(await merchantState(second), "redirected");
  await page.click("button.primary");
  await page.check("#instrument-visa-1111");
  await page.click("button.primary");
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  assert.equal(await merchantState(first), "abandoned");
  assert.deepEqual(problems, []);
  await context.close();
});

test("F5 on the APB page after paying (its question after Back lost): the order's confirmation, nothing authorized again", async () => {
  const { page, context, problems } = await newPage(browser());
  // The page's question after Back does not get through: it offers its button again; the buyer reloads it.
  let dropQuestions = true;
  await page.route("**/api/apb/orders", (route) =>
    dropQuestions && (route.request().postData() ?? "").includes('"replay_only":true') ? route.abort() : route.fallback());
  await backToThePaidApbPage(page, async () => {
    await page.locator(".amazon-pay-apb-button:not([disabled])").waitFor();
    dropQuestions = false;
    await page.reload({ waitUntil: "commit" });
  });
  assert.deepEqual(widgetConsole(problems), []);
  await context.close();
});

test("The same cart bought twice in one tab: Back to the first APB page shows the first order, not the later one", async () => {
  const { page, context, problems } = await newPage(browser());
  const buy = async () => {
    await page.goto(server().baseUrl + "/apb.html");
    await page.click(".amazon-pay-apb-button");
    await chooseOnAmazon(page);
    assert.match(await confirmationState(page, "approved"), /confirmed/);
    return new URL(page.url()).searchParams.get("order");
  };
  const before = (await upstreamCalls(server().baseUrl, "preauthorization")).length;
  await page.goto(server().baseUrl + "/");
  const entries = await page.evaluate(() => history.length);
  const first = await buy();
  const second = await buy();
  assert.notEqual(second, first, "a new visit of the checkout is a new purchase");
  assert.equal((await upstreamCalls(server().baseUrl, "preauthorization")).length - before, 2);
  // Back over the second purchase and Amazon's pages to the first APB page (the entry after the cart).
  const steps = (await page.evaluate(() => history.length)) - entries - 1;
  const onApb = page.waitForEvent("framenavigated", { predicate: (frame) => frame === page.mainFrame() && frame.url().includes("/apb.html") });
  await page.evaluate((steps) => history.go(-steps), steps);
  await onApb;
  await page.waitForURL(/\/confirmation\.html\?order=/, { timeout: 10_000 });
  assert.equal(new URL(page.url()).searchParams.get("order"), first, "that page's own order");
  assert.equal((await upstreamCalls(server().baseUrl, "preauthorization")).length - before, 2, "nothing authorized again");
  assert.deepEqual(widgetConsole(problems), []);
  await context.close();
});

/**
 * Pays with the APB button, cancels on Amazon's page and goes Back to the APB page, whose button is enabled again.
 * Every placement the page makes is recorded (`placed`: request and answer); with `loseReplay`, the page's
 * question after Back (replay_only) is lost, so the button keeps the given-up order's key. Answers `placed`, the
 * given-up order's id (`first`) and the button.
 */
async function cancelledThenBack(page, { loseReplay = false } = {}) {
  const placed = [];
  await page.route("**/api/apb/orders", async (route) => {
    if (loseReplay && (route.request().postData() ?? "").includes('"replay_only":true')) return route.abort();
    const response = await route.fetch();
    placed.push({ request: JSON.parse(route.request().postData()), answer: await response.json() });
    await route.fulfill({ response });
  });
  await page.goto(server().baseUrl + "/apb.html");
  const entries = await page.evaluate(() => history.length);
  await page.click(".amazon-pay-apb-button");
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  const first = placed.at(-1).answer.order_id;
  await page.click("button[value=cancel]");
  await page.waitForURL(/\/review\.html\?.*order=/);
  const steps = (await page.evaluate(() => history.length)) - entries;
  await page.evaluate((steps) => history.go(-steps), steps);
  await page.waitForURL(/\/apb\.html$/, { waitUntil: "commit" });
  const button = page.locator(".amazon-pay-apb-button:not([disabled])");
  await button.waitFor();
  return { placed, first, button };
}

for (const backForwardCache of [false, true]) {
  test(`Cancelled on Amazon's page, then Back to the APB page${backForwardCache ? " (back/forward cache)" : ""}: the button pays anew, naming the given-up order`, async () => {
    const own = backForwardCache ? await launchBrowser({ backForwardCache: true }) : null;
    const { page, context } = await newPage(own ?? browser());
    try {
      const { placed, first, button } = await cancelledThenBack(page);
      await button.click();
      await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
      const last = placed.at(-1);
      assert.notEqual(last.answer.order_id, first, "a new order, not the given-up one's checkout again");
      assert.equal(last.answer.kind, "checkout");
      assert.deepEqual([last.request.replaces?.order_id, last.request.replaces?.retry], [first, true], "naming the given-up order");
      assert.notEqual(last.request.idempotency_key, placed[0].request.idempotency_key);
      await page.click("button.primary");
      await page.check("#instrument-visa-1111");
      await page.click("button.primary");
      assert.match(await confirmationState(page, "approved"), /confirmed/);
      const response = await fetch(`${server().baseUrl}/merchant/api/orders/${first}`, { headers: { authorization: `Bearer ${KEY}` } });
      assert.equal((await response.json()).state, "abandoned");
    } finally {
      await context.close();
      await own?.close();
    }
  });
}

test("Cancelled on Amazon's page, Back to the APB page whose question did not get through: one click, one amazonpay:buttonclicked, though the widget places twice", async () => {
  const { page, context, problems } = await newPage(browser());
  await recordEvents(context);
  const { placed, first, button } = await cancelledThenBack(page, { loseReplay: true });
  const clicked = placed.length;
  // Amazon's page opening ends this document: each event is copied out as it fires.
  const heard = [];
  await page.exposeFunction("__heard", (kind) => heard.push(kind));
  await page.evaluate(() => {
    for (const kind of ["buttonclicked", "orderplaced", "redirecting"]) document.addEventListener("amazonpay:" + kind, (e) => window.__heard(e.detail.kind));
  });
  await button.click();
  await page.waitForURL(/\/sandbox\/amazon\/checkout\/initiate/);
  // The click's own key answered `placed` with `abandoned`; the widget placed again with a new key at once.
  assert.deepEqual(placed.slice(clicked).map((p) => [p.answer.kind, p.answer.state ?? null]), [["placed", "abandoned"], ["checkout", null]]);
  assert.deepEqual([placed.at(-1).request.replaces?.order_id, placed.at(-1).request.replaces?.retry], [first, true]);
  // One click is one buttonclicked (docs/embedding.md's events): the second placement is not a second click.
  await poll(() => heard.includes("redirecting"), { failure: () => `no amazonpay:redirecting, heard ${heard}` });
  assert.deepEqual(heard, ["buttonClicked", "orderPlaced", "redirecting"]);
  assert.deepEqual(widgetConsole(problems), []);
  await context.close();
});
