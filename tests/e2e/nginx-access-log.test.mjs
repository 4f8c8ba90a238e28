// The access log docs/operations.md tells operators to give the balancer (its log_format, with
// deploy/nginx/amazon-pay.conf's map): checkout and order ids in paths are masked, since a checkout's id reads
// its buyer's name and address for a day. Real nginx in front of a stub instance that answers 204.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { renderConfig, startNginx } from "./support/balancer.mjs";
import { poll } from "./support/poll.mjs";

const docs = readFileSync(join(import.meta.dirname, "../../docs/operations.md"), "utf8");
const LOG_FORMAT = docs.match(/^log_format amazon_pay [\s\S]*?';$/m)?.[0];

let instance;
let nginx;
let logPath;
before(async () => {
  instance = createServer((req, res) => { res.statusCode = 204; res.end(); });
  await new Promise((r) => instance.listen(0, "127.0.0.1", r));
  nginx = await startNginx({
    config: ({ listen, extraDir }) => {
      logPath = join(extraDir, "amazon-pay.log");
      // In the file's server{} block, as the docs say (the file includes {{EXTRA}}/*.conf there).
      writeFileSync(join(extraDir, "access-log.conf"), `access_log ${logPath} amazon_pay;\n`);
      const upstream = `127.0.0.1:${instance.address().port}`;
      return `${LOG_FORMAT}\n${renderConfig({ listen, instances: [upstream], extraDir })}`;
    },
  });
});
after(async () => {
  await nginx?.stop();
  await new Promise((r) => instance?.close(r));
});

test("docs/operations.md has the log_format the test uses", () => {
  assert.ok(LOG_FORMAT, "a log_format amazon_pay block in docs/operations.md");
  assert.match(LOG_FORMAT, /\$amazon_pay_uri/);
});

test("checkout and order ids in paths are masked in the access log; other paths are kept", async () => {
  const id = "WO7f3a9c2e41b8";
  const expected = [
    ["GET", `/api/cv2/sessions/${id}`, "/api/cv2/sessions/:id"],
    ["POST", `/api/cv2/sessions/${id}/delivery`, "/api/cv2/sessions/:id/delivery"],
    ["POST", `/api/cv2/sessions/${id}/orders`, "/api/cv2/sessions/:id/orders"],
    ["GET", `/api/cv1/sessions/${id}`, "/api/cv1/sessions/:id"],
    ["POST", `/api/cv1/sessions/${id}/confirm`, "/api/cv1/sessions/:id/confirm"],
    ["GET", `/api/cv1/orders/${id}/return?result=success&token=t0k3n`, "/api/cv1/orders/:id/return"],
    ["POST", `/api/cv1/orders/${id}/authorize`, "/api/cv1/orders/:id/authorize"],
    ["GET", `/api/orders/${id}`, "/api/orders/:id"],
    ["GET", `/api/orders/${id}/return?result=success&token=t0k3n`, "/api/orders/:id/return"],
    ["GET", `/api/amazon/orders/${id}/result`, "/api/amazon/orders/:id/result"],
    ["POST", `/merchant/api/orders/${id}/capture`, "/merchant/api/orders/:id/capture"],
    ["GET", `/merchant/api/orders/${id}/timeline`, "/merchant/api/orders/:id/timeline"],
    // An encoded slash is decoded in $uri: the id is masked all the same.
    ["GET", `/api/orders/${id}%2Fx/return`, "/api/orders/:id/x/return"],
    // Routes without an id, as they are.
    ["POST", "/api/cv2/sessions", "/api/cv2/sessions"],
    ["POST", "/api/cv1/sessions", "/api/cv1/sessions"],
    ["POST", "/api/apb/orders", "/api/apb/orders"],
    ["GET", "/merchant/api/orders?limit=5", "/merchant/api/orders"],
    ["GET", "/healthz", "/healthz"],
    ["GET", "/checkout.html", "/checkout.html"],
  ];
  for (const [method, path] of expected) {
    const response = await fetch(`${nginx.url}${path}`, { method });
    assert.equal(response.status, 204, `${method} ${path}`);
  }
  const read = () => { try { return readFileSync(logPath, "utf8"); } catch { return ""; } };
  const lines = await poll(() => {
    const text = read().split("\n").filter(Boolean);
    return text.length >= expected.length && text;
  }, { timeoutMs: 10_000, failure: () => `the access log has not every line:\n${read()}` });
  const logged = lines.map((line) => line.match(/"(\S+) (\S+) HTTP\/1\.1"/)?.slice(1, 3).join(" "));
  assert.deepEqual(logged, expected.map(([method, , masked]) => `${method} ${masked}`));
  const text = lines.join("\n");
  assert.ok(!text.includes(id) && !text.includes("t0k3n"), `no id nor token in the log:\n${text}`);
});
