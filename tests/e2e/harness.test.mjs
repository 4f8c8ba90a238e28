// The sandbox harness (static/harness.html) in real Chromium: a tester picks the Checkout v2 flow and a scenario,
// runs it in the harness's frame, and the live log shows the widget's events, the backend's upstream calls and
// the TransactionStatus notifications received, and the webhooks the sandbox's receiver got.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "./support/browser.mjs";
import { poll } from "./support/poll.mjs";
import { serverAndBrowser } from "./support/suite.mjs";

/** How long the harness's notification polls take in the CV2 run: longer than the confirmation page's status
 * poll, so the approved event is shown before the poll that brings the notification answers. */
const SLOW_POLL_MS = 1500;

const { server, browser } = serverAndBrowser({ server: { env: { SANDBOX_SETTLE_MS: "300" } } });

/** The log's lines of one source, as text. */
const logLines = (page, source) =>
  page.locator(`#log li[data-source="${source}"] .harness-text`).allTextContents();

/** Waits until a log line of `source` matches `pattern`. */
async function waitForLine(page, source, pattern, timeout = 15_000) {
  let lines = [];
  return poll(async () => {
    lines = await logLines(page, source);
    return lines.some((l) => pattern.test(l)) && lines;
  }, { timeoutMs: timeout, intervalMs: 100, failure: () => `no ${source} line matches ${pattern}; have:\n${lines.join("\n")}` });
}

/** Clicks the button in the harness's frame and goes through the sandbox's Amazon pages, where the harness
 * has already picked the scenario's buyer (Anna) and `instrument`. */
async function throughAmazon(frame, instrument) {
  const button = frame.locator("#amazon-pay .amazon-pay-button");
  await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
  await button.click();
  await frame.locator("#buyer-anna:checked").waitFor();
  await frame.locator("button.primary").click();
  await frame.locator(`#instrument-${instrument}:checked`).waitFor();
  await frame.locator("button.primary").click();
}

test("the scenario list is served as JSON by the sandbox", async () => {
  const response = await fetch(server().baseUrl + "/sandbox/inspect/scenarios");
  assert.equal(response.status, 200);
  const { instruments, buyers, pages, provider } = await response.json();
  assert.equal(instruments.length, 15);
  for (const id of ["visa-0983", "visa-0984", "visa-0985"]) assert.ok(instruments.some((i) => i.id === id), id);
  // The one instrument whose upsales end otherwise than its order: named so the upsell flow's decline is rehearsed.
  assert.deepEqual(
    instruments.filter((i) => i.upsale),
    [{ id: "visa-2982", descriptor: "Visa ••••2982", scenario: "approved", outcome: "approved; an upsale on the same order is then declined (AmazonRejected)", upsale: "hard-decline" }],
  );
  assert.deepEqual(instruments[0], { id: "visa-1111", descriptor: "Visa ••••1111", scenario: "approved", outcome: "approved" });
  assert.ok(buyers.some((b) => b.id === "mallory"));
  assert.match(buyers.find((b) => b.id === "noah").note, /987 ShippingAddressNotSet/);
  assert.deepEqual(buyers.find((b) => b.id === "noah").addresses, []);
  assert.match(buyers.find((b) => b.id === "lena").note, /986 PaymentPlanNotSet/);
  assert.ok(pages.includes("/review.html") && pages.includes("/index.html"), pages.join());
  assert.equal(provider, "payone", "who carries Checkout v2 and APB: the harness names it in their flows");
  // `after` skips what a poller has already seen.
  const all = await (await fetch(server().baseUrl + "/sandbox/inspect/upstream-calls")).json();
  const rest = await (await fetch(`${server().baseUrl}/sandbox/inspect/upstream-calls?after=${all.length}`)).json();
  assert.deepEqual(rest, []);
});

test("the front page links to the harness", async () => {
  const { page, context } = await newPage(browser());
  await page.goto(server().baseUrl + "/");
  await page.click("a[href='/harness.html']");
  await page.waitForURL(/\/harness\.html$/);
  await context.close();
});

test("a CV2 run from the harness: events, upstream calls and notifications in the live log", async () => {
  const { page, context, problems } = await newPage(browser());
  // The notifications' poll answers slowly (a busy server): each arrives well after the page events that
  // followed it, and the log must still show it where it happened, by the server's time, not the poll's.
  await page.route(/\/sandbox\/inspect\/notifications/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, SLOW_POLL_MS));
    await route.continue();
  });
  await page.goto(server().baseUrl + "/harness.html");
  await page.locator("body[data-harness-ready=true]").waitFor();

  // Flows whose pages do not exist yet are offered disabled, and say so.
  assert.equal(await page.locator("#flow-cv2").isEnabled(), true);
  assert.match(await page.locator("#flows label", { has: page.locator("#flow-cv2") }).textContent(), /^ Checkout v2 through PAYONE \(/);
  for (const label of await page.locator("#flows label").all()) {
    if (await label.locator("input").isDisabled()) assert.match(await label.textContent(), /not available yet/);
  }

  // The new scenarios are offered: the 983-985 instruments, and the buyers with what their account lacks.
  assert.match(await page.locator('#instrument option[value="visa-0985"]').textContent(), /985 PaymentMethodNotAllowed/);
  // The demo preauthorizes: mc-4444 ends approved (a tester promised "paid" waited for a paid that never came).
  assert.match(await page.locator('#instrument option[value="mc-4444"]').textContent(), /pending, then approved \(paid once captured\)/);
  assert.match(await page.locator('#buyer option[value="noah"]').textContent(), /Noah Weber \(noah\): no address/);
  assert.match(await page.locator('#buyer option[value="lena"]').textContent(), /no default payment method/);

  await page.check("#flow-cv2");
  await page.selectOption("#instrument", "mc-4444");
  await page.selectOption("#buyer", "anna");
  assert.equal(await page.isChecked("#preselect"), true);
  // Keyboard: the Run button is a real button.
  await page.focus("#run");
  await page.keyboard.press("Enter");
  await page.locator("#run-status", { hasText: "Mastercard ••••4444" }).waitFor();

  const frame = page.frameLocator("#frame");
  await throughAmazon(frame, "mc-4444");
  await frame.locator(".amazon-pay-payment", { hasText: "Mastercard ••••4444" }).waitFor();
  await frame.locator(".amazon-pay-place-order").click();
  await frame.locator('.amazon-pay-order-state[data-state="approved"]').waitFor({ timeout: 15_000 });

  const widget = await waitForLine(page, "widget", /^amazonpay:approved /);
  const kinds = widget.map((l) => l.split(" ")[0]);
  for (const kind of ["ready", "buttonclicked", "reviewready", "orderplaced", "redirecting", "pending", "approved"]) {
    assert.ok(kinds.includes("amazonpay:" + kind), `${kind} in ${kinds.join()}`);
  }
  assert.ok(kinds.indexOf("amazonpay:ready") < kinds.indexOf("amazonpay:orderplaced"));
  assert.match(widget.find((l) => l.startsWith("amazonpay:ready ")), /"workorderId":"WO/);

  const upstream = await waitForLine(page, "upstream", /preauthorization → REDIRECT/);
  for (const action of ["createCheckoutSessionPayload", "getCheckoutSession"]) {
    assert.ok(upstream.some((l) => l.startsWith(`payone ${action} → OK`)), `${action} in ${upstream.join("\n")}`);
  }

  // Pending first (reasoncode 903), then completed after the settle delay.
  const notifications = await waitForLine(page, "notification", /txaction=appointed transaction_status=completed/);
  assert.ok(notifications.some((l) => /txaction=appointed transaction_status=pending/.test(l)), notifications.join("\n"));

  // PAYONE's "completed" is what approves the order, so the confirmation page's approved event came after it:
  // the log says so although the notification's poll answered later. The whole log is in time order, and a
  // notification's time is the one the server stored.
  const entries = await page.locator("#log li").evaluateAll((items) =>
    items.map((i) => ({ source: i.dataset.source, text: i.querySelector(".harness-text").textContent, at: Date.parse(i.querySelector("time").dateTime) })));
  const completed = entries.findIndex((e) => e.source === "notification" && /transaction_status=completed/.test(e.text));
  const approved = entries.findIndex((e) => e.source === "widget" && e.text.startsWith("amazonpay:approved "));
  const shown = entries.map((e) => `${e.at} ${e.source} ${e.text}`).join("\n");
  assert.ok(completed >= 0 && completed < approved, `the completed notification before the approved event:\n${shown}`);
  assert.ok(entries.every((e, i) => i === 0 || entries[i - 1].at <= e.at), `in time order:\n${shown}`);
  const stored = await (await fetch(`${server().baseUrl}/sandbox/inspect/notifications`)).json();
  const storedCompleted = stored.find(([, txaction, status]) => txaction === "appointed" && status === "completed");
  assert.equal(entries[completed].at, storedCompleted[3], "the server's time of the notification");

  // The order's webhooks reach the sandbox's receiver, signed: the live log shows them.
  await waitForLine(page, "webhook", /^order\.approved order O\w+ #\d+ \(signature valid\)$/);
  const webhooks = await logLines(page, "webhook");
  assert.ok(webhooks.some((l) => /^order\.placed order O\w+ #1 \(signature valid\)$/.test(l)), webhooks.join("\n"));

  // The hint above the log names every source the log shows (besides the harness's own lines).
  const hint = await page.locator(".harness-log-pane .harness-hint").textContent();
  const sources = await page.locator("#log li").evaluateAll((items) => [...new Set(items.map((i) => i.dataset.source))]);
  for (const source of sources.filter((s) => s !== "harness")) assert.match(hint, new RegExp(`\\b${source}:`), `${source} in the hint`);

  const pages = await logLines(page, "page");
  assert.ok(pages.some((p) => p.startsWith("/review.html?")), pages.join("\n"));
  assert.ok(pages.some((p) => p.startsWith("/confirmation.html?order=")), pages.join("\n"));
  // The log is text only: nothing from a flow becomes markup in the harness.
  assert.equal(await page.locator("#log img, #log script, #log b").count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the buyer language: a run in German shows the widget's German texts on every page of the flow", async () => {
  const { page, context, problems } = await newPage(browser());
  await page.goto(server().baseUrl + "/harness.html");
  await page.locator("body[data-harness-ready=true]").waitFor();
  // The five languages the widget speaks, English (the pages' own) chosen.
  assert.deepEqual(await page.locator("#language option").evaluateAll((o) => o.map((e) => e.value)), ["de", "en", "fr", "it", "es"]);
  assert.equal(await page.inputValue("#language"), "en");
  await page.check("#flow-cv2");
  await page.selectOption("#instrument", "visa-1111");
  await page.selectOption("#buyer", "anna");
  await page.selectOption("#language", "de");
  await page.click("#run");
  await page.locator("#run-status", { hasText: "Deutsch" }).waitFor();
  const frame = page.frameLocator("#frame");
  await throughAmazon(frame, "visa-1111");
  // Back from the sandbox's Amazon pages (English, as Amazon's own would be in the buyer's): German again.
  await frame.locator(".amazon-pay-review h2", { hasText: "Bestellung überprüfen" }).waitFor();
  await frame.locator(".amazon-pay-place-order", { hasText: "Zahlungspflichtig bestellen" }).click();
  await frame.locator('.amazon-pay-order-state[data-state="approved"]', { hasText: "Vielen Dank" }).waitFor({ timeout: 15_000 });
  await waitForLine(page, "harness", /· language de$/);
  // The harness itself stays English, and a new visit shows the language the pages now have.
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.reload();
  await page.locator("body[data-harness-ready=true]").waitFor();
  assert.equal(await page.inputValue("#language"), "de");
  assert.match(await (await page.request.get(server().baseUrl + "/review.html")).text(), /<html lang="de">/);
  // English again: the pages as shipped.
  await page.selectOption("#language", "en");
  await page.click("#run");
  await frame.locator("#amazon-pay .amazon-pay-button .amazonpay-button-view1").waitFor({ state: "visible" });
  const shipped = await (await page.request.get(server().baseUrl + "/review.html")).text();
  assert.match(shipped, /<html lang="en">/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a CV1 run: the Login with Amazon popup gets the scenario's buyer preselected too", async () => {
  const { page, context, problems } = await newPage(browser());
  await page.goto(server().baseUrl + "/harness.html");
  await page.locator("body[data-harness-ready=true]").waitFor();
  await page.check("#flow-cv1");
  // Lena (no default payment method) is the 986 scenario: signing in as the page's first buyer would miss it.
  await page.selectOption("#buyer", "lena");
  await page.selectOption("#instrument", "visa-0981");
  await page.click("#run");
  const frame = page.frameLocator("#frame");
  const button = frame.locator(".amazon-pay-cv1-button button");
  await button.waitFor();
  const [popup] = await Promise.all([context.waitForEvent("page"), button.click()]);
  await popup.locator("#buyer-lena:checked").waitFor();
  assert.equal(await popup.locator("input[type=radio]:checked").count(), 1);
  await waitForLine(page, "page", /^popup \/sandbox\/amazon\/ap\/signin\?/);
  await Promise.all([popup.waitForEvent("close"), popup.getByRole("button", { name: "Allow" }).click()]);
  // Signed in as Lena: the Wallet preselects the scenario's instrument (she has no default).
  await frame.locator('.amazon-pay-wallet input[value="visa-0981"]:checked').waitFor();
  assert.match(await frame.locator(".amazon-pay-address-book").textContent(), /Lena Vogel/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("an upsell run with visa-2982: the harness names the upsale's outcome, and the log shows the order approved and the upsale declined", async () => {
  const { page, context, problems } = await newPage(browser());
  await page.goto(server().baseUrl + "/harness.html");
  await page.locator("body[data-harness-ready=true]").waitFor();
  await page.check("#flow-cc-upsell");
  await page.selectOption("#instrument", "visa-2982");
  assert.equal(await page.locator("#instrument-outcome").textContent(), "scenario approved, an upsale on the order: hard-decline");
  await page.click("#run");
  const frame = page.frameLocator("#frame");
  const button = frame.locator(".amazon-pay-cv1-button button");
  await button.waitFor();
  const [popup] = await Promise.all([context.waitForEvent("page"), button.click()]);
  await popup.locator("#buyer-anna:checked").waitFor();
  await Promise.all([popup.waitForEvent("close"), popup.getByRole("button", { name: "Allow" }).click()]);
  // The Wallet preselects the scenario's instrument, so the order is paid with it.
  await frame.locator('.amazon-pay-wallet input[value="visa-2982"]:checked').waitFor();
  await frame.locator(".amazon-pay-place-order:enabled").click();
  await waitForLine(page, "page", /^\/upsell\.html\?orderId=/);
  await frame.getByRole("button", { name: "Yes, add it to my order" }).click();
  await waitForLine(page, "widget", /^amazonpay:declined \{.*"code":"hard_decline"/);
  await waitForLine(page, "upstream", /upsale\/import.*AmazonRejected/);
  const widget = await logLines(page, "widget");
  assert.ok(!widget.some((l) => /^amazonpay:(error|upselladded) /.test(l)), widget.join("\n"));
  const upstream = await logLines(page, "upstream");
  assert.ok(upstream.some((l) => /order\/import.*SUCCESS/.test(l)), upstream.join("\n"));
  // The only failures: the upsale's 402 and Chromium's own line about it.
  const expected = (p) => /^HTTP 402 .*\/api\/checkoutchamp\/upsales$/.test(p) || p.includes("status of 402 (Payment Required)");
  assert.deepEqual(problems.filter((p) => !expected(p)), []);
  await context.close();
});
