// Two shops of one company on one host (docs/operations.md#several-shops): a German shop (EUR, PAYONE) and a UK
// shop (GBP, --provider amazon), each its own amazon-pay-server with its own store, merchant API key, webhook
// receiver and secret, behind one nginx (deploy/nginx/several-shops.conf) that picks the server by Host. Each
// shop's pages are on an origin of their own and embed the widget from their own payment server. A buyer checks
// out on each in real Chromium, in the shop's currency; each merchant API answers only for its own orders and
// key; each receiver gets only its own shop's events, signed with its own secret. Walked twice: nginx picking the
// server by host name (deploy/nginx/several-shops.conf), and by path on one host name (several-shops-by-path.conf).
// The host names are `localhost` (the German payment server) and `127.0.0.1` (the UK one): both resolve without
// a DNS entry, for Chromium, Node and the servers' own calls (the sandbox's notifications go through nginx too).
// With AMAZON_PAY_TEST_DATABASE_URL the two stores are two databases of one PostgreSQL cluster; else two SQLite files.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { createServer, request } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startNginx, TEMPLATE } from "./support/balancer.mjs";
import { freshDatabase } from "./support/cluster.mjs";
import { startServer } from "./support/server.mjs";
import { startShop } from "./support/shop.mjs";
import { launchBrowser, newPage } from "./support/browser.mjs";
import { chooseOnAmazon, confirmationState } from "./support/checkout.mjs";
import { poll } from "./support/poll.mjs";

const WAIT = 15_000;
const CONF = (name) => TEMPLATE.replace(/amazon-pay\.conf$/, name);

/** A webhook receiver of one shop: checks each delivery's signature with its secret, keeps the bodies. */
async function startReceiver(secret) {
  const received = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      const header = req.headers["amazon-pay-signature"] ?? "";
      const t = header.match(/t=(\d+)/)?.[1];
      const signed = [...header.matchAll(/v1=([0-9a-f]+)/g)].map((m) => m[1]);
      const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
      const valid = signed.includes(expected);
      received.push({ valid, event: valid ? JSON.parse(body) : body });
      res.writeHead(valid ? 200 : 400).end();
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    received,
    async stop() {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    },
  };
}

for (const routing of ["host", "path"]) {
  describe(`two shops behind one nginx, routed by ${routing}`, () => {
    const byPath = routing === "path";
    const started = [];
    let browser;
    let tmp;
    let nginx;
    const shops = {};

    before(async () => {
      tmp = mkdtempSync(join(tmpdir(), "amazon-pay-shops-"));
      const gbp = join(tmp, "uk-catalogue.json");
      writeFileSync(gbp, JSON.stringify({
        currency: "GBP",
        products: { mug: { name: "Rust mug", price: 1100 } },
        delivery: { standard: 0, express: 590 },
      }));
      const port = await freePort();
      const pg = process.env.AMAZON_PAY_TEST_DATABASE_URL;
      const plans = {
        // Each shop on another site than its payment server (by path both servers are on 127.0.0.1).
        de: { host: "localhost", shopHost: byPath ? "localhost" : "127.0.0.1", args: [] },
        uk: { host: "127.0.0.1", shopHost: "localhost", args: ["--provider", "amazon", "--currency", "GBP", "--catalogue", gbp] },
      };
      for (const [name, plan] of Object.entries(plans)) {
        const shop = await startShop({ host: plan.shopHost });
        started.push(shop);
        const secret = randomBytes(32).toString("hex");
        const receiver = await startReceiver(secret);
        started.push(receiver);
        const key = `${name}-merchant-key-` + randomBytes(16).toString("hex");
        const pay = byPath ? `http://127.0.0.1:${port}/${name}` : `http://${plan.host}:${port}`;
        const server = await startServer({
          args: [
            "--public-url", pay,
            "--allowed-origins", shop.origin,
            "--return-page", `cv2.cart=${shop.origin}/cart.html,cv2.review=${shop.origin}/review.html,cv2.confirmation=${shop.origin}/confirmation.html`,
            "--merchant-api-keys", key,
            "--webhook-url", receiver.url,
            "--webhook-secret", secret,
            "--trusted-proxies", "127.0.0.1/32",
            ...(plan.store = pg ? ["--database-url", freshDatabase(pg)] : []),
            ...plan.args,
          ],
          env: { SANDBOX_SETTLE_MS: "300" },
        });
        started.push(server);
        shop.usePaymentServer(pay);
        shops[name] = { ...plan, shop, receiver, key, pay, server };
      }
      const instance = (name) => new URL(shops[name].server.baseUrl).host;
      nginx = await startNginx({
        port,
        config: ({ listen }) => readFileSync(CONF(byPath ? "several-shops-by-path.conf" : "several-shops.conf"), "utf8").replaceAll("{{LISTEN}}", listen)
          .replaceAll("{{DE_HOST}}", shops.de.host).replaceAll("{{UK_HOST}}", shops.uk.host)
          .replaceAll("{{DE_INSTANCE}}", instance("de")).replaceAll("{{UK_INSTANCE}}", instance("uk")),
      });
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await nginx?.stop();
      await Promise.all(started.map((s) => s.stop()));
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    const merchant = (name, path, key = shops[name].key) =>
      fetch(shops[name].pay + "/merchant/api" + path, { headers: { authorization: `Bearer ${key}` } });

    /** A buyer on the shop's cart, through the sandbox's Amazon pages, back on the shop's review page, then placed. */
    async function checkout(name) {
      const { shop } = shops[name];
      const { page, context, problems } = await newPage(browser);
      page.setDefaultTimeout(WAIT);
      await page.goto(shop.origin + "/cart.html");
      const button = page.locator("#amazon-pay .amazon-pay-button");
      await button.locator(".amazonpay-button-view1").waitFor({ state: "visible" });
      await button.click();
      await chooseOnAmazon(page);
      await page.waitForURL((url) => url.origin === shop.origin && url.pathname === "/review.html");
      await page.locator(".amazon-pay-buyer-name").waitFor();
      const total = await page.locator(".amazon-pay-total").first().textContent();
      await page.click(".amazon-pay-place-order");
      await page.waitForURL((url) => url.origin === shop.origin && url.pathname === "/confirmation.html");
      await confirmationState(page, "approved");
      const order = new URL(page.url()).searchParams.get("order");
      assert.deepEqual(problems, [], `${name}: no console error, no failed request`);
      await context.close();
      return { order, total };
    }

    test("a buyer checks out on each shop's own pages, in the shop's currency, through its own server", async () => {
      for (const [name, currency, symbol] of [["de", "EUR", "€"], ["uk", "GBP", "£"]]) {
        const { order, total } = await checkout(name);
        assert.ok(total.includes(symbol), `${name}: the review page's total is in ${currency}: ${total}`);
        const own = await merchant(name, `/orders/${order}`);
        assert.equal(own.status, 200, `${name}: its merchant API knows its order`);
        const body = await own.json();
        assert.equal(body.currency, currency);
        assert.equal(body.state, "approved");
        shops[name].order = order;
      }
      assert.notEqual(shops.de.order, shops.uk.order);
    });

    test("each merchant API answers only for its own orders and its own key", async () => {
      for (const [name, other] of [["de", "uk"], ["uk", "de"]]) {
        const list = await (await merchant(name, "/orders")).json();
        assert.deepEqual(list.data.map((o) => o.id), [shops[name].order], `${name} lists only its own order`);
        assert.equal((await merchant(name, `/orders/${shops[other].order}`)).status, 404, `${name} does not know ${other}'s order`);
        // The buyer's API too: an order id (with or without its return token) of one shop is unknown to the other.
        assert.equal((await fetch(`${shops[name].pay}/api/orders/${shops[other].order}`)).status, 404, `${name}'s buyer API does not know ${other}'s order`);
        const foreignKey = await merchant(name, "/orders", shops[other].key);
        assert.equal(foreignKey.status, 401, `${name} refuses ${other}'s key`);
        assert.equal((await foreignKey.json()).code, "invalid_api_key");
      }
    });

    test("each shop's events reach only its own receiver, signed with its own secret", async () => {
      for (const [name, other] of [["de", "uk"], ["uk", "de"]]) {
        const { receiver } = shops[name];
        await poll(() => receiver.received.some((r) => r.valid && r.event.order?.id === shops[name].order && r.event.order.state === "approved"), {
          timeoutMs: WAIT,
          failure: () => `${name}'s receiver did not get its order's approval: ${JSON.stringify(receiver.received)}`,
        });
        assert.ok(receiver.received.every((r) => r.valid), `${name}: every delivery signed with its secret`);
        assert.ok(!receiver.received.some((r) => r.event.order?.id === shops[other].order), `${name} never gets ${other}'s events`);
      }
    });

    test("the UK shop pointed at the German shop's store by mistake does not start, saying why", async () => {
      const store = shops.de.store.length ? shops.de.store : ["--database-url", `sqlite:${shops.de.server.dataDir}/amazon-pay.sqlite`];
      const refused = await startServer({ args: [...store, ...shops.uk.args] }).then(
        async (server) => { await server.stop(); return null; },
        (err) => err.message,
      );
      assert.ok(refused, "a second shop on the first shop's store must be refused");
      assert.match(refused, /already belongs to another shop \(payone .*EUR\), and this server is amazon .*GBP/);
      // Nothing changed: the German shop still lists its order.
      const list = await (await merchant("de", "/orders")).json();
      assert.deepEqual(list.data.map((o) => o.id), [shops.de.order]);
    });

    test(byPath ? "a path that names neither shop reaches neither" : "nginx sends a Host that names neither shop nowhere", async () => {
      // Another name on the same address (by host), or another path (by path): no shop's server answers by default.
      const status = await new Promise((resolve) => {
        const headers = byPath ? {} : { host: "pay.other.example" };
        const req = request({ host: "127.0.0.1", port: nginx.port, path: "/healthz", headers }, (res) => resolve(res.statusCode));
        req.on("error", () => resolve("closed"));
        req.end();
      });
      assert.equal(status, byPath ? 404 : "closed");
    });
  });
}
