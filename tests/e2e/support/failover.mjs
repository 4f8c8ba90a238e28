// One instance killed with SIGKILL under a steady stream of checkouts and notifications through the balancer,
// and what the shop must still be sure of afterwards. Shared by tests/e2e/failover.test.mjs and
// scripts/bench-failover (bench/failover.mjs).
import { completeRedirect, idempotencyKey, inspect, payoneNotifications, payoneTransactions, placeOrder, selectedCheckout, transactionStatus } from "./api-checkout.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `checkoutWorkers` loops (session, Amazon, read, place, Amazon's processing page, return; a failed
 * placement is retried once with its key, as the widget does) and `notifyWorkers` loops of TransactionStatus with
 * fresh txids, all through `cluster.url`; sends `signal` (SIGKILL: a crash; SIGTERM: a restart) to `cluster.instances[victim]` after
 * `beforeKillMs` and waits until it is gone (or runs `disrupt()` then and waits for it); stops `afterKillMs` after that.
 * Returns the raw record: `{ killAt, stopAt, placed, checkouts, failures, acknowledged, sent }`.
 */
export async function loadWithKill(cluster, { checkoutWorkers = 6, notifyWorkers = 2, beforeKillMs = 1500, afterKillMs = 4000, victim = 0, placeTimeoutMs = 30_000, signal = "SIGKILL", disrupt } = {}) {
  const record = { killAt: 0, stopAt: 0, placed: [], checkouts: [], failures: [], acknowledged: [], sent: 0 };
  let stop = false;
  const fail = (what, err, extra = {}) => record.failures.push({ at: Date.now(), what, detail: String(err?.message ?? err).slice(0, 200), ...extra });
  // A placement that died with the killed instance leaves its checkout locked until the lock's lease expires
  // (10 s after its last renewal, server/src/store/leases.rs): its retry waits that long, never longer than the
  // server's 20 s bound, so `placeTimeoutMs` (above both) firing is a failure of its own kind.
  const checkoutLoop = async () => {
    while (!stop) {
      let workorderId;
      try {
        workorderId = await selectedCheckout(cluster.url);
        record.checkouts.push(workorderId);
      } catch (err) {
        fail("checkout", err);
        continue;
      }
      const key = idempotencyKey();
      for (let attempt = 0; attempt < 2; attempt++) {
        const what = attempt === 0 ? "place" : "place: retry";
        const began = Date.now();
        try {
          const placed = await placeOrder(cluster.url, workorderId, key, { timeoutMs: placeTimeoutMs });
          if (placed.status >= 200 && placed.status < 300) {
            record.placed.push({ workorderId, orderId: placed.body.order_id, at: Date.now() });
            // Amazon's processing page: PAYONE's `appointed` goes through the balancer to some instance.
            if (placed.body.outcome?.kind === "redirect") {
              await completeRedirect(placed.body.outcome.url).then(
                (status) => status < 400 || fail("return", `HTTP ${status}`),
                (err) => fail("return", err),
              );
            }
            break;
          }
          fail(what, `HTTP ${placed.status} ${JSON.stringify(placed.body).slice(0, 120)}`, { status: placed.status, code: placed.body?.code, tookMs: Date.now() - began });
        } catch (err) {
          fail(err?.name === "TimeoutError" ? "place: waited for the dead instance's lock" : what, err, { tookMs: Date.now() - began });
        }
      }
    }
  };
  let txid = 200_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;
  const notifyLoop = async () => {
    while (!stop) {
      const mine = String(txid++);
      record.sent++;
      try {
        const answer = await transactionStatus(cluster.url, { txid: mine, reference: "FAILOVER" + mine });
        if (answer.status === 200 && answer.text.trim() === "TSOK") record.acknowledged.push(mine);
        else fail("notification", `HTTP ${answer.status} ${answer.text.slice(0, 80)}`);
      } catch (err) {
        fail("notification", err);
      }
    }
  };
  const loops = [
    ...Array.from({ length: checkoutWorkers }, checkoutLoop),
    ...Array.from({ length: notifyWorkers }, notifyLoop),
  ];
  await sleep(beforeKillMs);
  record.killAt = Date.now();
  // `disrupt` (an async function) instead of the signal: several steps, e.g. a whole rolling restart.
  await (disrupt ? disrupt() : cluster.instances[victim].kill(signal));
  await sleep(afterKillMs);
  stop = true;
  await Promise.all(loops);
  record.stopAt = Date.now();
  return record;
}

/**
 * What must hold afterwards, read from a surviving instance (the shared database) and from the sandbox's PAYONE:
 * `{ missingOrders, doubleAuthorized, unstoredNotifications, ... }`; every list must be empty.
 */
export async function checkAfterKill(cluster, record, { survivor = 1 } = {}) {
  const base = cluster.instances[survivor].baseUrl;
  const missingOrders = [];
  for (const { workorderId, orderId } of record.placed) {
    const orders = await inspect.orders(base, workorderId);
    if (!orders.some((o) => o.id === orderId)) missingOrders.push(orderId);
  }
  // PAYONE's own books: every transaction the simulator opened, grouped by checkout.
  const ledger = await payoneTransactions(cluster.sandbox.baseUrl);
  const byCheckout = new Map();
  for (const tx of ledger) byCheckout.set(tx.workorder_id, [...(byCheckout.get(tx.workorder_id) ?? []), tx.txid]);
  const doubleAuthorized = [...byCheckout].filter(([, txids]) => txids.length > 1).map(([w, txids]) => ({ workorderId: w, txids }));
  const storedList = await inspect.notifications(base);
  const stored = new Set(storedList.map(([txid]) => txid));
  const unstoredNotifications = record.acknowledged.filter((t) => !stored.has(t));
  // PAYONE's own notifications (the processing pages'), each answered TSOK by whichever instance got it.
  const storedActions = new Set(storedList.map(([txid, txaction]) => `${txid}/${txaction}`));
  const fromPayone = (await payoneNotifications(cluster.sandbox.baseUrl)).filter((n) => n.delivery === "delivered");
  for (const n of fromPayone) {
    if (!storedActions.has(`${n.txid}/${n.txaction}`)) unstoredNotifications.push(`${n.txid}/${n.txaction} (PAYONE's)`);
  }
  return { missingOrders, doubleAuthorized, unstoredNotifications, authorizations: ledger.length, payoneNotifications: fromPayone.length };
}

/**
 * From nginx's access log: after the kill, how long nginx still tried the dead instance before leaving it out
 * (the last try that began within `fail_timeout` of the kill; later single tries are its periodic re-checks).
 */
export function balancerFigures(cluster, record, { victim = 0, failTimeoutMs = 10_000 } = {}) {
  const dead = new URL(cluster.instances[victim].baseUrl).host;
  const tries = cluster.balancer
    .accessLog()
    .filter((l) => l.at >= record.killAt && l.upstreams.includes(dead))
    .map((l) => ({ at: l.at - l.seconds * 1000, end: l.at, status: l.status, upstreams: l.upstreams }));
  const window = tries.filter((t) => t.at < record.killAt + failTimeoutMs);
  const lastTry = window.length ? Math.max(...window.map((t) => t.end)) : record.killAt;
  return {
    deadInstanceTries: window.length,
    stoppedSendingAfterMs: Math.max(0, Math.round(lastTry - record.killAt)),
    failedDuringKill: record.failures.length,
    failuresByKind: record.failures.reduce((m, f) => ({ ...m, [f.what]: (m[f.what] ?? 0) + 1 }), {}),
  };
}
