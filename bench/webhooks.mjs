// Webhooks to the shop (docs/webhooks.md), measured against amazon-pay-server --sandbox (release build) and a
// local receiver in this process that verifies every signature:
//   1. throughput: BENCH_ORDERS Checkout v2 orders are placed while the receiver answers 503 (each writes
//      `order.placed` and `order.redirected` to the outbox: the buyer is on Amazon's processing page); once
//      every event has been tried, the server is stopped, the receiver switched to 200 and the server started
//      again on the same data: the whole outbox is due at once. Events delivered per second = distinct events
//      from the first delivery to the last.
//   2. latency: with the receiver up and the outbox empty, PAYONE's TransactionStatus `appointed` (the
//      authorization went through) per order, BENCH_CONCURRENCY at a time; from sending the notification
//      (answered TSOK) to the receiver getting that order's `order.approved` event: p50, p90, p99, max.
// Writes BENCHMARKS.md's section "bench-webhooks"; exits 1 when an event is missing, a signature is wrong or a
// notification is not answered TSOK. Tiny check: BENCH_ORDERS=20 node bench/webhooks.mjs (needs the server built).
import { spawn, execFileSync } from "node:child_process";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { envInteger, loadNow, machine, percentile, root, table, writeSection } from "./report.mjs";

const ORDERS = envInteger("BENCH_ORDERS", 1000);
const CONCURRENCY = envInteger("BENCH_CONCURRENCY", 4);
const GOAL = { eventsPerSecond: 1000, p99Ms: 100 };
const SECRET = "bench-webhook-secret-0123456789abcdef";
/** The sandbox's PAYONE credentials (docs/configuration.md). */
const PAYONE = { key: createHash("md5").update("sandbox-portal-key").digest("hex"), portalid: "2000000", aid: "10001" };
const BIN = process.env.AMAZON_PAY_SERVER_BIN ?? join(root, "target/release/amazon-pay-server");

/** The shop's receiver: verifies each delivery like docs/webhooks.md's snippet, records when it came. */
function startReceiver() {
  const received = []; // { at, event }: delivered (answered 200)
  const state = { status: 503, badSignatures: 0, tried: new Set() }; // tried: every event id seen
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      const body = Buffer.concat(chunks);
      const parts = Object.fromEntries(String(req.headers["amazon-pay-signature"] ?? "").split(",").map((p) => p.trim().split("=", 2)));
      const expected = createHmac("sha256", SECRET).update(`${parts.t}.`).update(body).digest();
      const given = Buffer.from(parts.v1 ?? "", "hex");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        state.badSignatures++;
        res.writeHead(400).end();
        return;
      }
      const event = JSON.parse(body);
      state.tried.add(event.id);
      if (state.status === 200) received.push({ at, event });
      res.writeHead(state.status).end();
    });
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ url: `http://127.0.0.1:${server.address().port}/webhooks`, received, state, server })));
}

/** The server on `dataDir`, webhooks to `url`; resolves with { base, stop() } once it listens. */
function startServer(dataDir, url) {
  const retries = Array(50).fill("0.2").join(",");
  const child = spawn(BIN, [
    "--sandbox", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--dist-dir", join(root, "dist"), "--static-dir", join(root, "static"),
    "--webhook-url", url, "--webhook-secret", SECRET, "--webhook-retry-seconds", retries,
  ], { env: { ...process.env, RUST_LOG: "amazon_pay_server=error", PAYONE_NOTIFY_URL: "" }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c) => { stderr += c; });
  return new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
      const base = out.match(/listening on (http:\/\/\S+)/)?.[1];
      if (base) ok({
        base,
        stop: () => new Promise((done) => { child.once("exit", done); child.kill("SIGTERM"); }),
      });
    });
    child.on("exit", (code) => fail(new Error(`server exited with ${code}\n${stderr}`)));
  });
}

async function postForm(url, fields) {
  return fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields), redirect: "manual" });
}

/** A Checkout v2 order as a buyer places it with the sandbox's Amazon pages, up to PAYONE's redirect to
 * Amazon's processing page: { id, txid, price } (PAYONE's txid is in that redirect). */
async function placeOrder(base, n) {
  const created = await fetch(base + "/api/cv2/sessions", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ items: [{ sku: "mug", quantity: 1 }], language: "en" }),
  });
  if (!created.ok) throw new Error(`create session: HTTP ${created.status}`);
  const config = await created.json();
  const signin = await postForm(base + "/sandbox/amazon/checkout/initiate", {
    payloadJSON: config.payload_json, signature: config.signature, publicKeyId: config.public_key_id, environment: "SANDBOX", origin_url: base + "/",
  });
  const session = (await signin.text()).match(/name="amazonCheckoutSessionId" value="([^"]+)"/)?.[1];
  if (!session) throw new Error(`sandbox sign-in page: HTTP ${signin.status}`);
  const chosen = await postForm(base + "/sandbox/amazon/checkout/choose", { amazonCheckoutSessionId: session, buyer: "anna", address: "anna-home", instrument: "visa-1111" });
  if (chosen.status !== 303) throw new Error(`sandbox choose: HTTP ${chosen.status}`);
  const read = await fetch(`${base}/api/cv2/sessions/${config.workorder_id}?lang=en`);
  if (!read.ok) throw new Error(`read session: HTTP ${read.status}`);
  const placed = await fetch(`${base}/api/cv2/sessions/${config.workorder_id}/orders`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ idempotency_key: `bench-webhooks-${n}-${Date.now()}`, language: "en" }),
  });
  const answer = await placed.json();
  const txid = answer.outcome?.kind === "redirect" && new URL(answer.outcome.url).searchParams.get("txid");
  if (!placed.ok || !txid) throw new Error(`place order: HTTP ${placed.status} ${JSON.stringify(answer)}`);
  return { id: answer.order_id, txid, price: (config.amount.minor / 100).toFixed(2) };
}

/** Runs `job(i)` for 0..count, `width` at a time. */
async function pool(count, width, job) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) await job(next++);
  }));
}

/** Waits until `value()` has not changed for `quietMs`; returns it. */
async function settled(value, quietMs, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  let last = value();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error("the outbox did not settle");
    await new Promise((r) => setTimeout(r, 20));
    if (value() !== last) [last, since] = [value(), Date.now()];
  }
  return last;
}

async function until(what, deadlineMs, probe) {
  const deadline = Date.now() + deadlineMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const commit = (() => {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root, encoding: "utf8" }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return "unknown";
  }
})();
const started = machine();
console.log(started);
const receiver = await startReceiver();
const dataDir = mkdtempSync(join(tmpdir(), "amazon-pay-bench-webhooks-"));
let server;
let throughput;
let latency;
const problems = [];
try {
  // 1. The outbox fills while the receiver is down, then drains at once after a restart.
  server = await startServer(dataDir, receiver.url);
  console.log(`server: ${server.base} (${BIN}); placing ${ORDERS} orders, receiver answering 503`);
  const orders = [];
  await pool(ORDERS, CONCURRENCY, async (n) => { orders.push(await placeOrder(server.base, n)); });
  // Every event written has been tried (and refused) once: the outbox is complete.
  const expected = await settled(() => receiver.state.tried.size, 1000, 120_000);
  if (expected < ORDERS * 2) throw new Error(`${expected} events for ${ORDERS} orders: expected placed and redirected of each`);
  await server.stop();
  receiver.state.status = 200;
  server = await startServer(dataDir, receiver.url);
  const distinct = () => new Set(receiver.received.map((r) => r.event.id)).size;
  await until(`${expected} events delivered`, 120_000, () => distinct() >= expected);
  const first = receiver.received[0].at;
  const last = receiver.received.at(-1).at;
  throughput = { events: distinct(), deliveries: receiver.received.length, seconds: (last - first) / 1000 };
  throughput.perSecond = (throughput.events - 1) / throughput.seconds;
  console.log(`throughput: ${throughput.events} events in ${throughput.seconds.toFixed(2)} s: ${throughput.perSecond.toFixed(0)}/s`);

  // 2. Notification to webhook, the receiver up.
  const approvedAt = new Map();
  const samples = [];
  const tsok = [];
  let scanned = receiver.received.length;
  const arrivals = () => {
    for (; scanned < receiver.received.length; scanned++) {
      const { at, event } = receiver.received[scanned];
      if (event.type === "order.approved" && !approvedAt.has(event.order.id)) approvedAt.set(event.order.id, at);
    }
  };
  await pool(orders.length, CONCURRENCY, async (i) => {
    const { id, txid, price } = orders[i];
    const sent = performance.now();
    const answer = await postForm(server.base + "/payone/transaction-status", {
      key: PAYONE.key, portalid: PAYONE.portalid, aid: PAYONE.aid, txaction: "appointed", transaction_status: "completed",
      mode: "test", clearingtype: "wlt", notify_version: "7.6", txid, reference: id, sequencenumber: "0", currency: "EUR",
      price, balance: "0.00", receivable: "0.00", txtime: String(Math.floor(Date.now() / 1000)), userid: "1",
    });
    const text = await answer.text();
    tsok.push(performance.now() - sent);
    if (text.trim() !== "TSOK") problems.push(`notification for ${id}: HTTP ${answer.status} ${text.slice(0, 80)}`);
    await until(`order.approved for ${id}`, 30_000, () => (arrivals(), approvedAt.has(id)));
    samples.push(approvedAt.get(id) - sent);
  });
  latency = {
    count: samples.length,
    p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99), max: Math.max(...samples),
    tsokP50: percentile(tsok, 50), tsokP99: percentile(tsok, 99),
  };
  console.log(`latency: p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms over ${latency.count} notifications`);
  if (receiver.state.badSignatures) problems.push(`${receiver.state.badSignatures} deliveries with a wrong signature`);
} finally {
  await server?.stop();
  receiver.server.closeAllConnections();
  receiver.server.close();
  rmSync(dataDir, { recursive: true, force: true });
}

const ms = (v) => v.toFixed(1);
const throughputMet = throughput.perSecond >= GOAL.eventsPerSecond;
const latencyMet = latency.p99 < GOAL.p99Ms;
writeSection("bench-webhooks", `## Webhooks to the shop (\`scripts/bench-webhooks\`)

${started}
- load average when it ended: ${loadNow()}
- commit: ${commit}
- \`amazon-pay-server --sandbox\` (\`${relative(root, BIN)}\`) on 127.0.0.1 (PAYONE simulator in process, its own notifications off:
  \`PAYONE_NOTIFY_URL=\`), SQLite store on a temporary directory; the receiver is a Node HTTP server in the benchmark's
  process on the same 2 cores, verifying every signature; ${ORDERS} Checkout v2 orders placed ${CONCURRENCY} at a time

| measure | figure | goal |
| --- | --- | --- |
| events delivered per second (outbox of ${throughput.events} events due at once after a restart; ${throughput.deliveries} deliveries in ${throughput.seconds.toFixed(2)} s) | ${throughput.perSecond.toFixed(0)}/s | at least ${GOAL.eventsPerSecond}/s: **${throughputMet ? "met" : "not met"}** |
| TransactionStatus \`appointed\` sent to \`order.approved\` received, ${latency.count} notifications ${CONCURRENCY} at a time: p50 / p90 / p99 / max | ${ms(latency.p50)} / ${ms(latency.p90)} / ${ms(latency.p99)} / ${ms(latency.max)} ms | p99 under ${GOAL.p99Ms} ms: **${latencyMet ? "met" : "not met"}** |
| the notification's answer (\`TSOK\`), p50 / p99 | ${ms(latency.tsokP50)} / ${ms(latency.tsokP99)} ms | |

- every event delivered and verified: **${problems.length ? "NO" : "yes"}**${problems.length ? ` (${problems.slice(0, 3).join("; ")})` : ""}`);

console.log(`\nthroughput goal ${throughputMet ? "met" : "NOT met"}, latency goal ${latencyMet ? "met" : "NOT met"}`);
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
