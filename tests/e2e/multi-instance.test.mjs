// Two amazon-pay-server instances on one PostgreSQL behind nginx, with one shared sandbox
// (docs/operations.md#several-instances): the whole CV2 flow in Chromium through the balancer, 50 concurrent
// placements with one idempotency key over both instances, and a notification for an order one instance created
// accepted by the other.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startCluster } from "./support/cluster.mjs";
import { poll } from "./support/poll.mjs";
import { testDatabase } from "./support/database.mjs";
import { launchBrowser } from "./support/browser.mjs";
import { checkoutToReview, confirmationState, recordingPage } from "./support/checkout.mjs";
import { idempotencyKey, inspect, payoneTransactions, placeOrder, selectedCheckout, transactionStatus } from "./support/api-checkout.mjs";

let cluster;
let browser;
before(async () => {
  cluster = await startCluster({ instances: 2, databaseUrl: testDatabase(), sandboxEnv: { SANDBOX_SETTLE_MS: "300" } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await cluster?.stop();
});

const hostOf = (base) => new URL(base).host;
/** The instances (host:port, not the sandbox) that access-log `lines` were sent to. */
const instancesUsed = (lines) => new Set(lines.flatMap((l) => l.upstreams).filter((u) => cluster.instances.some((i) => hostOf(i.baseUrl) === u)));

test("the CV2 flow in Chromium through the balancer: cart, Amazon, review, place, confirmation", async () => {
  const from = cluster.balancer.accessLog().length;
  const { page, context } = await recordingPage(browser);
  const workorderId = await checkoutToReview(page, cluster.url, { buyer: "anna", address: "anna-office", instrument: "visa-1111" });
  assert.equal(await page.locator(".amazon-pay-buyer-name").textContent(), "Anna Schmidt");
  await page.click(".amazon-pay-place-order");
  await page.waitForURL(/\/confirmation\.html\?order=/);
  assert.match(await confirmationState(page, "approved"), /confirmed/);
  await context.close();
  // Both instances served the buyer's requests, and both see the one order in the shared database.
  const lines = cluster.balancer.accessLog().slice(from);
  assert.equal(instancesUsed(lines).size, 2, JSON.stringify(lines));
  assert.ok(lines.every((l) => l.status < 400), JSON.stringify(lines.filter((l) => l.status >= 400)));
  for (const instance of cluster.instances) {
    const orders = await inspect.orders(instance.baseUrl, workorderId);
    assert.equal(orders.length, 1, JSON.stringify(orders));
    assert.equal(orders[0].state, "approved");
  }
  assert.equal((await payoneTransactions(cluster.sandbox.baseUrl, workorderId)).length, 1);
});

test("50 concurrent placements with one idempotency key over both instances: one order, one authorization", async () => {
  const workorderId = await selectedCheckout(cluster.url);
  const key = idempotencyKey();
  const from = cluster.balancer.accessLog().length;
  const answers = await Promise.all(Array.from({ length: 50 }, () => placeOrder(cluster.url, workorderId, key)));
  for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const orderIds = new Set(answers.map((a) => a.body.order_id));
  assert.equal(orderIds.size, 1, [...orderIds].join());
  // nginx writes a request's log line after its answer has gone out: wait for all 50 (the same in other tests).
  const logged = () => cluster.balancer.accessLog().slice(from).filter((l) => l.method === "POST" && l.path.endsWith(`/${workorderId}/orders`));
  const placements = await poll(() => (logged().length >= 50 ? logged() : null), {
    timeoutMs: 5_000,
    failure: () => `nginx logged ${logged().length} of the 50 placements`,
  });
  assert.equal(placements.length, 50);
  assert.equal(instancesUsed(placements).size, 2, "both instances took placements");
  // PAYONE's side: one transaction; the store: one order, one (pre)authorization call.
  const ledger = await payoneTransactions(cluster.sandbox.baseUrl, workorderId);
  assert.equal(ledger.length, 1, JSON.stringify(ledger));
  assert.equal(ledger[0].reference, [...orderIds][0]);
  const orders = await inspect.orders(cluster.instances[0].baseUrl, workorderId);
  assert.deepEqual(orders.map((o) => o.id), [...orderIds]);
  const calls = (await inspect.upstreamCalls(cluster.instances[1].baseUrl))
    .filter((c) => c.action === "preauthorization" && c.request.includes(workorderId));
  assert.equal(calls.length, 1, JSON.stringify(calls.map((c) => c.outcome)));
});

test("a notification for an order created on instance A, posted to instance B directly: TSOK and stored", async () => {
  const [a, b] = cluster.instances;
  // Everything on A directly (the Amazon pages are the sandbox's): B never saw this checkout.
  const workorderId = await selectedCheckout(a.baseUrl, { amazonBase: cluster.sandbox.baseUrl });
  const placed = await placeOrder(a.baseUrl, workorderId, idempotencyKey());
  assert.equal(placed.status, 200, JSON.stringify(placed.body));
  const [order] = await inspect.orders(a.baseUrl, workorderId);
  assert.match(order.txid, /^\d+$/);
  assert.equal(order.state, "redirected");
  const price = (order.amount_minor / 100).toFixed(2);
  const answer = await transactionStatus(b.baseUrl, { txid: order.txid, reference: order.id, price });
  assert.deepEqual(answer, { status: 200, text: "TSOK" });
  // A reads what B stored: the notification, and the order it moved on.
  const stored = (await inspect.notifications(a.baseUrl)).filter(([txid]) => txid === order.txid);
  assert.equal(stored.length, 1, JSON.stringify(stored));
  assert.equal((await inspect.orders(a.baseUrl, workorderId))[0].state, "approved");
  // The same notification again, now to A: a replay, acknowledged and not stored twice.
  assert.deepEqual(await transactionStatus(a.baseUrl, { txid: order.txid, reference: order.id, price }), { status: 200, text: "TSOK" });
  assert.equal((await inspect.notifications(b.baseUrl)).filter(([txid]) => txid === order.txid).length, 1);
});
