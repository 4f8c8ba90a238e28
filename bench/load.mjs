// The backend under load on loopback with wrk (Debian's): session creation, session reads and TransactionStatus
// notifications against `amazon-pay-server --sandbox` (release build, the PAYONE simulator in process).
// Each run is bounded (BENCH_SECONDS, default 10 s, BENCH_CONNECTIONS connections). Afterwards it checks that no
// notification was lost: every one answered TSOK is in the store. Writes the figures into BENCHMARKS.md.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../tests/e2e/support/server.mjs";
import { SANDBOX_PAYONE, selectedCheckout } from "../tests/e2e/support/api-checkout.mjs";
import { loadNow, machine, table, writeSection } from "./report.mjs";
import { CONNECTIONS, SECONDS, THREADS, errors, ms, wrk } from "./wrk.mjs";

/** Session creation is also run at this many connections (2 threads), to show what queueing does to latency. */
const SATURATING = 32;
const READ_CHECKOUTS = 50;
const GOAL = { createRps: 5000, createP99Ms: 10 };

const scratch = mkdtempSync(join(tmpdir(), "amazon-pay-bench-load-"));

/** The store's notifications, once their count has stopped changing (requests cut off by wrk's stop may land late). */
async function storedNotifications(base) {
  let last = -1;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const list = await (await fetch(base + "/sandbox/inspect/notifications")).json();
    if (list.length === last || Date.now() > deadline) return list;
    last = list.length;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The machine and its load when the run started. */
const started = machine();
const server = await startServer({
  env: { RUST_LOG: "amazon_pay_server=error", PAYONE_NOTIFY_URL: "" },
});
const results = [];
let lost = null;
try {
  const base = server.baseUrl;
  console.log(`server: ${base} (${process.env.AMAZON_PAY_SERVER_BIN})`);
  // Warm up connections, the store and the allocator.
  for (let i = 0; i < 20; i++) await selectedCheckout(base);

  results.push(wrk("create a session (POST /api/cv2/sessions)", "create-session.lua", base + "/api/cv2/sessions"));
  results.push(wrk("create a session, saturating", "create-session.lua", base + "/api/cv2/sessions", {}, { threads: 2, connections: SATURATING }));

  const ids = [];
  for (let i = 0; i < READ_CHECKOUTS; i++) ids.push(await selectedCheckout(base));
  const idFile = join(scratch, "workorders.txt");
  writeFileSync(idFile, ids.join("\n") + "\n");
  results.push(wrk("read a session (GET /api/cv2/sessions/{id})", "read-session.lua", base + "/api/cv2/sessions", { BENCH_WORKORDERS: idFile }));

  const before = (await storedNotifications(base)).length;
  const ts = wrk("receive a notification (POST /payone/transaction-status)", "notification.lua", base + "/payone/transaction-status", {
    BENCH_TS_KEY: createHash("md5").update(SANDBOX_PAYONE.portalKey).digest("hex"),
    BENCH_PORTALID: SANDBOX_PAYONE.portalId,
    BENCH_AID: SANDBOX_PAYONE.aid,
    BENCH_TXID_BASE: String(100_000_000_000),
  });
  results.push(ts);
  const stored = (await storedNotifications(base)).slice(before);
  const distinct = new Set(stored.map(([txid]) => txid)).size;
  lost = {
    acknowledged: ts.ok,
    stored: stored.length,
    distinct,
    // TSOK answered but not stored: must be 0. Stored but never answered: requests cut off when wrk stopped.
    missing: Math.max(0, ts.ok - stored.length),
    unanswered: Math.max(0, stored.length - ts.ok),
  };
  console.log(`\nnotifications: ${ts.ok} answered TSOK, ${stored.length} stored (${distinct} distinct txids)`);
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}

const create = results[0];
const goalMet = create.rps >= GOAL.createRps && create.p99_us < GOAL.createP99Ms * 1000;
const rows = results.map((r) => [r.name, r.load, String(r.requests), r.rps.toFixed(0), ms(r.p50_us), ms(r.p90_us), ms(r.p99_us), ms(r.max_us), String(errors(r))]);
const lostOk = lost && lost.missing === 0 && lost.distinct === lost.stored && lost.unanswered <= CONNECTIONS;
writeSection("bench-load", `## Backend under load (\`scripts/bench-load\`)

${started}
- load average when it ended: ${loadNow()}
- \`amazon-pay-server --sandbox\` release build on 127.0.0.1, PAYONE simulator in process (no \`PAYONE_ENDPOINT\`),
  SQLite store on a temporary directory, \`RUST_LOG=amazon_pay_server=error\`; wrk on the same 2 cores
  (\`wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s --timeout 5s\`, and \`-t2 -c${SATURATING}\` for the saturating row; scripts in
  \`bench/load/\`)
- reads: ${READ_CHECKOUTS} checkouts whose buyer chose on the sandbox's Amazon pages (posted as a browser would), read round-robin

${table(["request", "load", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"], rows)}

- goal (at least ${GOAL.createRps} session creations a second at p99 under ${GOAL.createP99Ms} ms): **${goalMet ? "met" : "not met"}**
  (${create.rps.toFixed(0)}/s at p99 ${ms(create.p99_us)} ms)
- no notification lost: **${lostOk ? "yes" : "NO"}**: ${lost?.acknowledged} answered \`TSOK\`, ${lost?.stored} stored
  (${lost?.distinct} distinct txids), ${lost?.missing} acknowledged but not stored; ${lost?.unanswered} stored whose
  answer wrk did not wait for (cut off when the run stopped, at most one per connection)`);

console.log(`\n${goalMet ? "goal met" : "goal NOT met"}: ${create.rps.toFixed(0)} session creations/s, p99 ${ms(create.p99_us)} ms`);
if (!lostOk) {
  console.error("notifications lost or duplicated: see BENCHMARKS.md");
  process.exit(1);
}
if (results.some((r) => errors(r) > 0)) {
  console.error("some requests failed: see BENCHMARKS.md");
  process.exit(1);
}
