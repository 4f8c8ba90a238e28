// One of two instances killed with SIGKILL under a steady stream of checkouts and notifications through nginx:
// the other keeps serving; no order answered 2xx is lost, no checkout has two authorizations at PAYONE, and
// every notification answered TSOK is stored. And one stopped with SIGTERM (a rolling restart): nothing fails. Prints the requests that failed and how long nginx kept trying
// the dead instance (scripts/bench-failover runs the same on a quiet machine, with more load).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TEMPLATE } from "./support/balancer.mjs";
import { startCluster } from "./support/cluster.mjs";
import { testDatabase } from "./support/database.mjs";
import { balancerFigures, checkAfterKill, loadWithKill } from "./support/failover.mjs";
import { idempotencyKey, inspect, placeOrder, selectedCheckout } from "./support/api-checkout.mjs";
import { poll } from "./support/poll.mjs";

const CHECKOUT_WORKERS = 4;
const NOTIFY_WORKERS = 2;

let cluster;
before(async () => {
  cluster = await startCluster({ instances: 2, databaseUrl: testDatabase() });
});
after(async () => {
  await cluster?.stop();
});

test("SIGKILL of one instance under load: nothing lost, nothing authorized twice, the other keeps serving", async () => {
  const record = await loadWithKill(cluster, { checkoutWorkers: CHECKOUT_WORKERS, notifyWorkers: NOTIFY_WORKERS, beforeKillMs: 3000, afterKillMs: 3000 });
  const figures = balancerFigures(cluster, record);
  console.log(`failover: ${record.placed.length} orders placed, ${record.acknowledged.length} notifications acknowledged; ` +
    `${figures.failedDuringKill} requests failed ${JSON.stringify(figures.failuresByKind)}; nginx tried the dead instance ` +
    `${figures.deadInstanceTries} times, the last ${figures.stoppedSendingAfterMs} ms after the kill`);
  const after = await checkAfterKill(cluster, record);
  console.log(`failover: ${after.payoneNotifications} of PAYONE's notifications delivered, ${after.authorizations} authorizations`);
  assert.ok(after.payoneNotifications > 0, "PAYONE's notifications went through the balancer too");
  assert.deepEqual(after.missingOrders, [], "every order answered 2xx is in the database");
  assert.deepEqual(after.doubleAuthorized, [], "no checkout has two authorizations at PAYONE");
  assert.deepEqual(after.unstoredNotifications, [], "every notification answered TSOK is stored");
  // The survivor served before and after the kill.
  assert.ok(record.placed.some((p) => p.at < record.killAt), "orders were placed before the kill");
  assert.ok(record.placed.filter((p) => p.at > record.killAt + 500).length >= 3, "orders were placed after the kill");
  // Only requests in flight on the killed instance fail (at most one per loop), at the kill. The retry of a
  // placement that died with it waits for that checkout's lock until the dead instance's lease expires (10 s
  // after its last renewal) and then gets an answer: placed, or PAYONE's outcome still open (502
  // `upstream_error`, never a second authorization, checked above); never a timeout, and never nginx's 504/502
  // for a healthy instance.
  const waited = record.failures.filter((f) => f.what === "place: waited for the dead instance's lock");
  assert.deepEqual(waited, [], "no retry waits past the server's bound");
  const retries = record.failures.filter((f) => f.what === "place: retry");
  const atKill = record.failures.filter((f) => !retries.includes(f));
  assert.ok(atKill.length <= CHECKOUT_WORKERS + NOTIFY_WORKERS, JSON.stringify(atKill));
  assert.ok(atKill.every((f) => f.at < record.killAt + 2000), JSON.stringify(atKill));
  assert.ok(retries.length <= CHECKOUT_WORKERS, JSON.stringify(retries));
  for (const r of retries) {
    assert.equal(r.code, "upstream_error", `a retry's answer is the server's own: ${JSON.stringify(r)}`);
    assert.ok(r.tookMs < 15_000, `a retry waits about one lease length at most: ${JSON.stringify(r)}`);
  }
});

test("SIGTERM of one instance under load (a step of a rolling restart): not one request fails", async () => {
  // A drain, as docs/operations.md says for nginx: its answers close their connections, so nginx has no kept-alive
  // connection left to the instance when the listener closes (without it, a POST nginx writes into an idle
  // connection the instance is closing at that moment is answered 502, and nginx does not resend a POST).
  const restarting = await startCluster({ instances: 2, databaseUrl: testDatabase(), env: { AMAZON_PAY_SHUTDOWN_DRAIN_MS: "1000" } });
  try {
    const record = await loadWithKill(restarting, { checkoutWorkers: CHECKOUT_WORKERS, notifyWorkers: NOTIFY_WORKERS, beforeKillMs: 2000, afterKillMs: 2000, signal: "SIGTERM" });
    const figures = balancerFigures(restarting, record);
    console.log(`restart: ${record.placed.length} orders placed, ${record.acknowledged.length} notifications acknowledged; ` +
      `${figures.failedDuringKill} requests failed; nginx tried the stopping instance ${figures.deadInstanceTries} times after SIGTERM`);
    // The instance finishes what it took, then its closed listener sends nginx to the other (nothing written: resent).
    assert.deepEqual(record.failures, []);
    const after = await checkAfterKill(restarting, record);
    assert.deepEqual(after.missingOrders, []);
    assert.deepEqual(after.doubleAuthorized, []);
    assert.deepEqual(after.unstoredNotifications, []);
    assert.ok(record.placed.filter((p) => p.at > record.killAt).length >= 3, "orders were placed after SIGTERM");
  } finally {
    await restarting.stop();
  }
});

test("a rolling restart of both instances, each step as docs/operations.md says: not one request fails", async () => {
  // The docs once said to wait only for the new instance's /readyz before stopping the next: nginx still kept it out
  // (a refused connection after its listener closed counts as a failure for fail_timeout, ready or not), so
  // stopping the other left nginx no instance: every request was answered 502 `no live upstreams` for seconds.
  const failTimeoutMs = Number(readFileSync(TEMPLATE, "utf8").match(/fail_timeout=(\d+)s/)[1]) * 1000;
  const rolling = await startCluster({ instances: 2, databaseUrl: testDatabase(), env: { AMAZON_PAY_SHUTDOWN_DRAIN_MS: "1000" } });
  try {
    const steps = [];
    const disrupt = async () => {
      await rolling.restart(0);
      steps.push({ ready: Date.now() });
      await new Promise((r) => setTimeout(r, failTimeoutMs));
      await rolling.restart(1);
      steps.push({ ready: Date.now() });
    };
    const record = await loadWithKill(rolling, { checkoutWorkers: 2, notifyWorkers: 1, beforeKillMs: 1500, afterKillMs: 1500, disrupt });
    console.log(`rolling restart: ${record.placed.length} orders placed, ${record.acknowledged.length} notifications acknowledged; ` +
      `${record.failures.length} requests failed ${JSON.stringify(record.failures.slice(0, 3))}`);
    assert.deepEqual(record.failures, []);
    const after = await checkAfterKill(rolling, record);
    assert.deepEqual(after.missingOrders, []);
    assert.deepEqual(after.doubleAuthorized, []);
    assert.deepEqual(after.unstoredNotifications, []);
    assert.ok(record.placed.filter((p) => p.at > steps[1].ready).length >= 1, "orders were placed after the second restart");
  } finally {
    await rolling.stop();
  }
});

test("an instance killed while it places an order: the buyer's retry on the other gets an answer within a lease's length, and nginx keeps the healthy one", async () => {
  const crashing = await startCluster({ instances: 2, databaseUrl: testDatabase() });
  try {
    const [victim, survivor] = crashing.instances;
    // visa-0504: PAYONE does not answer, so the placement on the victim holds the checkout's lock (its lease)
    // when the victim dies.
    const workorderId = await selectedCheckout(crashing.url, { instrument: "visa-0504" });
    const key = idempotencyKey();
    const first = placeOrder(victim.baseUrl, workorderId, key).catch((err) => err);
    await poll(async () => (await inspect.orders(survivor.baseUrl, workorderId)).some((o) => o.state === "placing"), {
      timeoutMs: 10_000,
      failure: () => "the victim did not store its attempt",
    });
    await victim.kill("SIGKILL");
    await first;
    // The buyer's retry, same key, through the balancer: it waits for the dead holder's lease (at most its
    // 10 s since the last renewal), then gets the server's own answer: the attempt died mid-PAYONE, no result.
    const began = Date.now();
    const retry = await placeOrder(crashing.url, workorderId, key, { timeoutMs: 30_000 });
    const tookMs = Date.now() - began;
    console.log(`retry after the holder died: HTTP ${retry.status} ${retry.body?.code} after ${tookMs} ms`);
    assert.ok(tookMs < 15_000, `answered within about a lease length, not nginx's 60 s (${tookMs} ms)`);
    assert.equal(retry.status, 502);
    assert.equal(retry.body?.code, "upstream_error", JSON.stringify(retry.body));
    // nginx did not leave the healthy survivor out: the next requests are served at once.
    for (let i = 0; i < 3; i++) {
      const next = await selectedCheckout(crashing.url);
      const placed = await placeOrder(crashing.url, next, idempotencyKey(), { timeoutMs: 10_000 });
      assert.equal(placed.status, 200, JSON.stringify(placed.body));
    }
  } finally {
    await crashing.stop();
  }
});
