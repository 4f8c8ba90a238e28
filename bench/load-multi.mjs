// Session creation with several instances (scripts/bench-load --with-postgres): the same wrk script against
// SQLite (one instance, PAYONE in process, as bench/load.mjs), SQLite with PAYONE over HTTP at a sandbox
// process, PostgreSQL with one instance, and PostgreSQL with two instances behind nginx
// (docs/operations.md#several-instances), all in one run; then TransactionStatus through the balancer, checking
// that every one answered TSOK is stored. Needs BENCH_DATABASE_URL (scripts/bench-load starts a cluster).
import { createHash } from "node:crypto";
import { startServer } from "../tests/e2e/support/server.mjs";
import { freshDatabase, startCluster } from "../tests/e2e/support/cluster.mjs";
import { SANDBOX_PAYONE, inspect } from "../tests/e2e/support/api-checkout.mjs";
import { cpus } from "node:os";
import { cpuSeconds, describe, snapshot } from "./cpu.mjs";
import { loadNow, machine, table, writeSection } from "./report.mjs";
import { CONNECTIONS, SECONDS, THREADS, errors, ms, wrk } from "./wrk.mjs";

const GOAL = { createRps: 3000, createP99Ms: 25 };
const QUIET = { RUST_LOG: "amazon_pay_server=error" };
/** In production PAYONE signs on its own machines: the stand-in hands out a placeholder (see bench/load.mjs). */
const PLACEHOLDER = { ...QUIET, SANDBOX_BUTTON_SIGNATURES: "placeholder" };
const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl) throw new Error("BENCH_DATABASE_URL is not set: run scripts/bench-load --with-postgres");

const started = machine();
/** Which build ran: scripts/bench-load and scripts/bench-failover build and pass the release binary. */
const build = (process.env.AMAZON_PAY_SERVER_BIN ?? "").includes("/release/") ? "release build" : "debug build (not for figures)";
const create = async (name, base, extra = {}) => ({ ...(await wrk(name, "create-session.lua", base + "/api/cv2/sessions")), ...extra });
const warm = async (base) => {
  for (let i = 0; i < 200; i++) await fetch(base + "/healthz");
};
const rows = [];
let lost = null;
let cpuUse = "";

const single = await startServer({ env: { ...PLACEHOLDER, PAYONE_NOTIFY_URL: "" } });
try {
  await warm(single.baseUrl);
  rows.push(await create("SQLite, 1 instance, PAYONE in process", single.baseUrl));
} finally {
  await single.stop();
}

const sqlite = await startCluster({ instances: 1, env: QUIET, sandboxEnv: PLACEHOLDER });
try {
  await warm(sqlite.instances[0].baseUrl);
  rows.push(await create("SQLite, 1 instance, PAYONE over HTTP (sandbox process)", sqlite.instances[0].baseUrl));
} finally {
  await sqlite.stop();
}

const cluster = await startCluster({ instances: 2, databaseUrl: freshDatabase(databaseUrl), env: QUIET, sandboxEnv: PLACEHOLDER });
try {
  await warm(cluster.instances[0].baseUrl);
  rows.push(await create("PostgreSQL, 1 instance direct, PAYONE over HTTP", cluster.instances[0].baseUrl));
  await warm(cluster.url);
  const roles = new Map([[cluster.sandbox.pid, "sandbox (PAYONE)"], ...cluster.instances.map((i, n) => [i.pid, `instance ${n + 1}`])]);
  const cpuBefore = snapshot();
  const balanced = await create("PostgreSQL, 2 instances behind nginx, PAYONE over HTTP", cluster.url, { goal: true });
  cpuUse = describe(cpuSeconds(cpuBefore, snapshot(), roles), balanced.duration_us / 1e6, cpus().length);
  rows.push(balanced);
  const before = new Set((await inspect.notifications(cluster.instances[0].baseUrl)).map(([txid]) => txid));
  const ts = await wrk("TransactionStatus through nginx to 2 instances", "notification.lua", cluster.url + "/payone/transaction-status", {
    BENCH_TS_KEY: createHash("md5").update(SANDBOX_PAYONE.portalKey).digest("hex"),
    BENCH_PORTALID: SANDBOX_PAYONE.portalId,
    BENCH_AID: SANDBOX_PAYONE.aid,
    BENCH_TXID_BASE: String(300_000_000_000),
  });
  rows.push(ts);
  await new Promise((r) => setTimeout(r, 1000));
  const stored = (await inspect.notifications(cluster.instances[1].baseUrl)).filter(([txid]) => !before.has(txid));
  lost = { acknowledged: ts.ok, stored: stored.length, missing: Math.max(0, ts.ok - stored.length) };
} finally {
  await cluster.stop();
}

// The sandbox's default once more, so nobody is misled: its PAYONE signs every payload (RSA-PSS on these cores).
let realCpu = "";
const signing = await startCluster({ instances: 2, databaseUrl: freshDatabase(databaseUrl), env: QUIET, sandboxEnv: QUIET });
try {
  await warm(signing.url);
  const roles = new Map([[signing.sandbox.pid, "sandbox (PAYONE, signing)"], ...signing.instances.map((i, n) => [i.pid, `instance ${n + 1}`])]);
  const cpuBefore = snapshot();
  const real = await create("PostgreSQL, 2 instances behind nginx, the stand-in signing each payload (RSA-PSS on these cores)", signing.url);
  realCpu = describe(cpuSeconds(cpuBefore, snapshot(), roles), real.duration_us / 1e6, cpus().length);
  rows.push(real);
} finally {
  await signing.stop();
}

const goal = rows.find((r) => r.goal);
const goalMet = goal.rps >= GOAL.createRps && goal.p99_us < GOAL.createP99Ms * 1000;
const body = rows.map((r) => [r.name, r.load, String(r.requests), r.rps.toFixed(0), ms(r.p50_us), ms(r.p90_us), ms(r.p99_us), ms(r.max_us), String(errors(r))]);
writeSection("bench-load-multi", `## Several instances: PostgreSQL and nginx (\`scripts/bench-load --with-postgres\`)

${started}
- load average when it ended: ${loadNow()}
- ${build}; \`wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s --timeout 5s\` with \`bench/load/create-session.lua\`, the
  same cart as the SQLite section above; every process (wrk, nginx, the instances, the sandbox process that plays
  PAYONE, PostgreSQL with fsync on) shares the same cores. The setup is docs/operations.md#several-instances.
- **the PAYONE stand-in does not sign** except in the last row: with \`SANDBOX_BUTTON_SIGNATURES=placeholder\` it hands
  out one signature made at start for every button payload (in production PAYONE signs on its own machines). The
  last row is the sandbox's default, a real RSA-PSS signature of each payload in the sandbox process.

${table(["run", "load", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"], body)}

- goal (at least ${GOAL.createRps} session creations a second at p99 under ${GOAL.createP99Ms} ms, two instances behind nginx):
  **${goalMet ? "met" : "not met"}** (${goal.rps.toFixed(0)}/s at p99 ${ms(goal.p99_us)} ms)
- where the CPU went during that run (what limits it): ${cpuUse}
- the same with the stand-in signing (last row): ${realCpu}
- no notification lost through the balancer: **${lost?.missing === 0 ? "yes" : "NO"}**: ${lost?.acknowledged} answered \`TSOK\`,
  ${lost?.stored} stored`);
console.log(`\n${goalMet ? "goal met" : "goal NOT met"}: ${goal.rps.toFixed(0)} session creations/s through nginx, p99 ${ms(goal.p99_us)} ms`);
if (lost?.missing !== 0) {
  console.error("notifications answered TSOK but not stored: see BENCHMARKS.md");
  process.exit(1);
}
