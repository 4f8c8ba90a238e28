// The load-balancer harness and deploy/nginx/amazon-pay.conf, with one instance (no database server needed):
// docs/operations.md shows the very file the tests use; the sandbox is reached through the balancer; nginx
// resends a request to the next instance only when that is safe (never a POST an instance may have acted on).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { TEMPLATE, freePort, startBalancer } from "./support/balancer.mjs";
import { startCluster } from "./support/cluster.mjs";
import { createSession, idempotencyKey, inspect, placeOrder, selectedCheckout, transactionStatusForm } from "./support/api-checkout.mjs";
import { startServer } from "./support/server.mjs";

let cluster;
before(async () => {
  cluster = await startCluster({ instances: 1 });
});
after(async () => {
  await cluster?.stop();
});

test("docs/operations.md shows deploy/nginx/amazon-pay.conf as it is", () => {
  const docs = readFileSync(join(import.meta.dirname, "../../docs/operations.md"), "utf8");
  const block = docs.match(/<!-- deploy\/nginx\/amazon-pay\.conf -->\n```nginx\n([\s\S]*?)```/)?.[1];
  assert.ok(block, "docs/operations.md has the nginx block after its marker");
  assert.equal(block, readFileSync(TEMPLATE, "utf8"));
});

test("the file cuts off slow clients as docs/operations.md's going-live list asks of the proxy", () => {
  // Going live says to let the proxy cut off slow clients (nginx: `client_header_timeout 10s; ...`); the file
  // the docs give to copy did not, so a copy kept nginx's defaults of 60 s for each.
  const docs = readFileSync(join(import.meta.dirname, "../../docs/operations.md"), "utf8");
  const asked = docs.match(/\(nginx: `([^`]*)`/)?.[1];
  assert.ok(asked, "the going-live list names nginx's directives");
  const directives = asked.split(";").map((d) => d.trim()).filter(Boolean);
  assert.ok(directives.length >= 3, asked);
  const template = readFileSync(TEMPLATE, "utf8");
  for (const directive of directives) {
    assert.match(template, new RegExp(`^\\s*${directive.replace(/\s+/g, "\\s+")};`, "m"), `${directive} in ${TEMPLATE}`);
  }
});

test("a checkout through the balancer: the API to the instance, /sandbox/ to the shared sandbox", async () => {
  const instance = cluster.instances[0].baseUrl.replace("http://", "");
  const sandbox = cluster.sandbox.baseUrl.replace("http://", "");
  const workorderId = await selectedCheckout(cluster.url);
  const placed = await placeOrder(cluster.url, workorderId, idempotencyKey());
  assert.equal(placed.status, 200, JSON.stringify(placed.body));
  // The sandbox's PAYONE sends the buyer to Amazon's processing page: through the balancer, too.
  assert.equal(placed.body.outcome.kind, "redirect");
  assert.ok(placed.body.outcome.url.startsWith(cluster.url + "/sandbox/"), placed.body.outcome.url);
  const [order] = await inspect.orders(cluster.instances[0].baseUrl, workorderId);
  assert.equal(order.id, placed.body.order_id);
  const log = cluster.balancer.accessLog();
  assert.ok(log.length >= 5, JSON.stringify(log));
  for (const line of log) assert.ok(line.status < 400, JSON.stringify(line));
  assert.ok(log.some((l) => l.upstreams.includes(sandbox)), "the Amazon pages came from the sandbox process");
  assert.ok(log.some((l) => l.upstreams.includes(instance)), "the API calls went to the instance");
});

/** A stand-in for a broken instance: takes the connection, reads the request, closes without answering. */
async function brokenInstance() {
  let requests = 0;
  const server = createServer((socket) => socket.once("data", () => { requests++; socket.destroy(); }));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { hostPort: `127.0.0.1:${server.address().port}`, requests: () => requests, close: () => new Promise((r) => server.close(r)) };
}

/** Sends `send()` through a balancer until nginx has tried `address` once; that request's log line and result. */
async function firstTryOf(balancer, address, method, send) {
  for (let i = 0; i < 4; i++) {
    const result = await send();
    const line = balancer.accessLog().find((l) => l.method === method && l.upstreams.includes(address));
    if (line) return { line, result };
  }
  throw new Error(`nginx never tried ${address}: ${JSON.stringify(balancer.accessLog())}`);
}

test("a dead instance (connection refused) costs no request, a POST included, and is then left out", async () => {
  const live = cluster.instances[0].baseUrl.replace("http://", "");
  const dead = `127.0.0.1:${await freePort()}`;
  const balancer = await startBalancer({ instances: [dead, live] });
  try {
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await fetch(balancer.url + "/healthz")).status);
      statuses.push((await fetch(balancer.url + "/api/cv2/sessions", {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ items: [{ sku: "mug", quantity: 1 }], language: "en" }),
      })).status);
    }
    assert.deepEqual(statuses, Array(12).fill(200));
    const tried = balancer.accessLog().filter((l) => l.upstreams.includes(dead));
    // Refused before anything was sent: resent to the live instance; then out for fail_timeout (10 s).
    assert.equal(tried.length, 1, JSON.stringify(balancer.accessLog()));
    assert.deepEqual(tried[0].upstreams, [dead, live]);
  } finally {
    await balancer.stop();
  }
});

test("an instance that drops the connection after reading: a GET is resent, a POST is not (it may have acted)", async () => {
  const live = cluster.instances[0].baseUrl.replace("http://", "");
  for (const method of ["GET", "POST"]) {
    const broken = await brokenInstance();
    const balancer = await startBalancer({ instances: [broken.hostPort, live] });
    try {
      const send = () => method === "GET"
        ? fetch(balancer.url + "/healthz").then((r) => r.status)
        : createSession(balancer.url).then(() => 200, (e) => Number(e.message.match(/HTTP (\d+)/)?.[1] ?? 0));
      const { line, result } = await firstTryOf(balancer, broken.hostPort, method, send);
      assert.ok(broken.requests() >= 1, "the broken instance read the request");
      if (method === "GET") {
        assert.deepEqual(line.upstreams, [broken.hostPort, live]);
        assert.equal(result, 200);
      } else {
        assert.deepEqual(line.upstreams, [broken.hostPort], "nginx did not resend the POST");
        assert.equal(line.status, 502);
      }
    } finally {
      await balancer.stop();
      await broken.close();
    }
  }
});

test("an instance answering 502 (PAYONE failed) stays in rotation, and the 502 reaches the client as it is", async () => {
  const live = cluster.instances[0].baseUrl.replace("http://", "");
  let requests = 0;
  const failing = createHttpServer((_, response) => { requests++; response.writeHead(502).end("PAYONE did not answer"); });
  await new Promise((r) => failing.listen(0, "127.0.0.1", r));
  const address = `127.0.0.1:${failing.address().port}`;
  const balancer = await startBalancer({ instances: [address, live] });
  try {
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await fetch(balancer.url + "/healthz")).status);
    // Round robin keeps sending it every other request: a 502 is not counted against the instance.
    assert.equal(requests, 4, statuses.join());
    assert.deepEqual(statuses.toSorted(), [200, 200, 200, 200, 502, 502, 502, 502]);
    assert.ok(balancer.accessLog().every((l) => l.upstreams.length === 1), "nothing was resent");
  } finally {
    await balancer.stop();
    await new Promise((r) => failing.close(r));
  }
});

/** A TransactionStatus posted to `base` from the loopback address `from` (any 127.x.y.z is this machine). */
function notifyFrom(base, from, headers = {}) {
  const body = transactionStatusForm({ txid: "300000077", reference: "ONOTIFY" }).toString();
  return new Promise((resolveAnswer, reject) => {
    const sent = request(`${base}/payone/transaction-status`, {
      method: "POST", localAddress: from,
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body), ...headers },
    }, (response) => {
      let text = "";
      response.setEncoding("utf8").on("data", (chunk) => { text += chunk; }).on("end", () => resolveAnswer({ status: response.statusCode, text }));
    });
    sent.on("error", reject);
    sent.end(body);
  });
}

test("PAYONE_NOTIFY_ALLOWED_IPS judges the sender nginx forwards, not nginx", async () => {
  // PAYONE stands at 127.0.0.3, a stranger at 127.0.0.4; nginx reaches the instance from 127.0.0.1.
  const instance = await startServer({ env: { AMAZON_PAY_TRUSTED_PROXIES: "127.0.0.1/32", PAYONE_NOTIFY_ALLOWED_IPS: "127.0.0.3/32" } });
  const balancer = await startBalancer({ instances: [instance.baseUrl.replace("http://", "")] });
  try {
    assert.deepEqual(await notifyFrom(balancer.url, "127.0.0.3"), { status: 200, text: "TSOK" }, "PAYONE through nginx");
    assert.equal((await notifyFrom(balancer.url, "127.0.0.4")).status, 403, "a stranger through nginx");
    // nginx appends the real sender to what the stranger wrote: only that last hop is believed.
    assert.equal((await notifyFrom(balancer.url, "127.0.0.4", { "x-forwarded-for": "127.0.0.3" })).status, 403, "a forged header through nginx");
    // Past nginx, straight to the instance: a peer that is not a trusted proxy is judged by its own address.
    assert.equal((await notifyFrom(instance.baseUrl, "127.0.0.4", { "x-forwarded-for": "127.0.0.3" })).status, 403, "a forged header, direct");
    const stored = await inspect.notifications(instance.baseUrl);
    assert.equal(stored.length, 1, JSON.stringify(stored));
  } finally {
    await balancer.stop();
    await instance.stop();
  }
});

test("a buyer's X-Request-Id does not pass nginx: the trusted instance gets nginx's own id", async () => {
  // The shipped file once passed the buyer's header on, and the instance, trusting nginx, logged under it.
  const instance = await startServer({ env: { AMAZON_PAY_TRUSTED_PROXIES: "127.0.0.1/32" } });
  const balancer = await startBalancer({ instances: [instance.baseUrl.replace("http://", "")] });
  try {
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const response = await fetch(balancer.url + "/healthz", { headers: { "x-request-id": "planted-by-buyer" } });
      assert.equal(response.status, 200);
      ids.push(response.headers.get("x-request-id"));
    }
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/, "nginx's $request_id, kept by the instance");
    assert.notEqual(ids[0], ids[1]);
    // Straight to the instance from a trusted address the header is kept: nginx, not the instance, replaced it.
    const direct = await fetch(instance.baseUrl + "/healthz", { headers: { "x-request-id": "from-the-proxy" } });
    assert.equal(direct.headers.get("x-request-id"), "from-the-proxy");
  } finally {
    await balancer.stop();
    await instance.stop();
  }
});
