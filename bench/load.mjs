// The backend under load on loopback with wrk (Debian's): session creation, session reads and TransactionStatus
// notifications against `amazon-pay-server --sandbox` (release build, the PAYONE simulator in process).
// Each run is bounded (BENCH_SECONDS, default 10 s, BENCH_CONNECTIONS connections). Afterwards it checks that no
// notification was lost: every one answered TSOK is in the store. `--runs N` repeats the whole run N times, each
// on a fresh server, and prints the spread; every run prints the server's peak resident memory (VmHWM).
// Writes the figures into BENCHMARKS.md.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../tests/e2e/support/server.mjs";
import { SANDBOX_PAYONE, selectedCheckout } from "../tests/e2e/support/api-checkout.mjs";
import { payoneSignature } from "./payone-signature.mjs";
import { cpus } from "node:os";
import { cpuSeconds, describe, snapshot } from "./cpu.mjs";
import { loadNow, machine, table, writeSection } from "./report.mjs";
import { CONNECTIONS, SECONDS, THREADS, errors, ms, wrk } from "./wrk.mjs";

/** Session creation is also run at this many connections (2 threads), to show what queueing does to latency. */
const SATURATING = 32;
const READ_CHECKOUTS = 50;
const GOAL = { createRps: 5000, createP99Ms: 10, peakRssMb: 64 };
/** `--runs N`: the whole run N times (the goal asks for five in a row). */
const RUNS = runsArg(process.argv.slice(2));

function runsArg(args) {
  if (args.length === 0) return 1;
  const n = args[0] === "--runs" ? Number(args[1]) : NaN;
  if (args.length !== 2 || !Number.isInteger(n) || n < 1 || n > 20) {
    console.error("usage: bench/load.mjs [--runs N] (N from 1 to 20)");
    process.exit(2);
  }
  return n;
}

/** The process's peak resident memory in MB (`VmHWM` in /proc/<pid>/status), or null where there is none. */
function peakRssMb(pid) {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return null;
  const kb = readFileSync(status, "utf8").match(/^VmHWM:\s+(\d+) kB$/m)?.[1];
  return kb === undefined ? null : Number(kb) / 1024;
}

/** Notifications read back per request: the server holds one page, not all of a run's, in memory at once. */
const PAGE = 10_000;

/** The store's notifications after the first `after`, read page by page. */
async function notificationsAfter(base, after) {
  const all = [];
  for (;;) {
    const page = await (await fetch(`${base}/sandbox/inspect/notifications?after=${after + all.length}&limit=${PAGE}`)).json();
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}

/** The store's notifications after the first `after`, once their count has stopped changing (requests cut off by wrk's stop may land late). */
async function storedNotifications(base, after = 0) {
  let last = -1;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const list = await notificationsAfter(base, after);
    if (list.length === last || Date.now() > deadline) return list;
    last = list.length;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The machine and its load when the first run started. */
const started = machine();

/** One run on a fresh server: the four wrk measurements, the notifications check, the server's peak memory. */
async function oneRun(run) {
  const scratch = mkdtempSync(join(tmpdir(), "amazon-pay-bench-load-"));
  const loadStart = loadNow();
  const at = new Date().toISOString().slice(11, 16);
  const server = await startServer({
    // In production PAYONE signs the button payloads on its own machines: the stand-in hands out a
    // placeholder instead of spending this machine's cores on RSA (bench/payone-signature.mjs).
    env: { RUST_LOG: "amazon_pay_server=error", PAYONE_NOTIFY_URL: "", SANDBOX_BUTTON_SIGNATURES: "placeholder" },
  });
  const results = [];
  let lost = null;
  let rss = null;
  let loadRss = null;
  try {
    const base = server.baseUrl;
    console.log(`\n=== run ${run} of ${RUNS}: server ${base} (${process.env.AMAZON_PAY_SERVER_BIN}), load ${loadStart}`);
    // Warm up connections, the store and the allocator.
    for (let i = 0; i < 20; i++) await selectedCheckout(base, { sign: payoneSignature });

    const cpuBefore = snapshot();
    const create = await wrk("create a session (POST /api/cv2/sessions)", "create-session.lua", base + "/api/cv2/sessions");
    create.cpu = describe(cpuSeconds(cpuBefore, snapshot(), new Map([[server.pid, "server"]])), create.duration_us / 1e6, cpus().length);
    console.log(`\nwhere the CPU went during session creation: ${create.cpu}`);
    results.push(create);
    results.push(await wrk("create a session, saturating", "create-session.lua", base + "/api/cv2/sessions", {}, { threads: 2, connections: SATURATING }));

    const ids = [];
    for (let i = 0; i < READ_CHECKOUTS; i++) ids.push(await selectedCheckout(base, { sign: payoneSignature }));
    const idFile = join(scratch, "workorders.txt");
    writeFileSync(idFile, ids.join("\n") + "\n");
    results.push(await wrk("read a session (GET /api/cv2/sessions/{id})", "read-session.lua", base + "/api/cv2/sessions", { BENCH_WORKORDERS: idFile }));

    const before = (await storedNotifications(base)).length;
    const ts = await wrk("receive a notification (POST /payone/transaction-status)", "notification.lua", base + "/payone/transaction-status", {
      BENCH_TS_KEY: createHash("md5").update(SANDBOX_PAYONE.portalKey).digest("hex"),
      BENCH_PORTALID: SANDBOX_PAYONE.portalId,
      BENCH_AID: SANDBOX_PAYONE.aid,
      BENCH_TXID_BASE: String(100_000_000_000 + run * 10_000_000_000),
    });
    results.push(ts);
    // The peak of the load itself, before the check below reads the stored notifications back.
    loadRss = peakRssMb(server.pid);
    const stored = await storedNotifications(base, before);
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
    rss = peakRssMb(server.pid);
    console.log(`server's peak resident memory (VmHWM): ${rss === null ? "unknown" : rss.toFixed(1) + " MB"} (${loadRss === null ? "unknown" : loadRss.toFixed(1) + " MB"} before the notifications were read back)`);
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const lostOk = lost && lost.missing === 0 && lost.distinct === lost.stored && lost.unanswered <= CONNECTIONS;
  return { run, at, loadStart, loadEnd: loadNow(), results, lost, lostOk, rss, loadRss };
}

/**
 * Session creation once more with the stand-in signing every payload with RSA-PSS in the server's process (the
 * sandbox's default), so nobody takes the placeholder's figures for what the sandbox does by default.
 */
async function realSigningRow() {
  const server = await startServer({ env: { RUST_LOG: "amazon_pay_server=error", PAYONE_NOTIFY_URL: "" } });
  try {
    for (let i = 0; i < 20; i++) await selectedCheckout(server.baseUrl);
    return await wrk("create a session, the stand-in signing each payload (RSA-PSS on these cores; not our server's work)", "create-session.lua", server.baseUrl + "/api/cv2/sessions");
  } finally {
    await server.stop();
  }
}

const runs = [];
for (let run = 1; run <= RUNS; run++) runs.push(await oneRun(run));
const realSigning = await realSigningRow();

/** min / median / max of numbers, formatted. */
function spread(values, format) {
  const sorted = [...values].sort((a, b) => a - b);
  return `${format(sorted[0])} / ${format(sorted[Math.floor((sorted.length - 1) / 2)])} / ${format(sorted[sorted.length - 1])}`;
}

const last = runs[runs.length - 1];
const { results, lost, lostOk } = last;
const creates = runs.map((r) => r.results[0]);
const goalMet = creates.every((c) => c.rps >= GOAL.createRps && c.p99_us < GOAL.createP99Ms * 1000);
const rssValues = runs.map((r) => r.rss).filter((v) => v !== null);
const peakRss = rssValues.length > 0 ? Math.max(...rssValues) : null;
const rows = [...results, realSigning].map((r) => [r.name, r.load, String(r.requests), r.rps.toFixed(0), ms(r.p50_us), ms(r.p90_us), ms(r.p99_us), ms(r.max_us), String(errors(r))]);
const runRows = runs.map((r) => [String(r.run), r.at, `${r.loadStart.split(", ")[0]} → ${r.loadEnd.split(", ")[0]}`,
  ...r.results.map((x) => `${x.rps.toFixed(0)}/s, ${ms(x.p99_us)}`), r.rss === null ? "unknown" : r.rss.toFixed(1)]);
const runsTable = RUNS === 1 ? "" : `
${RUNS} runs, each on a fresh server (req/s and p99 ms; the table above is run ${last.run}):

${table(["run", "UTC", "load (1 min) start → end", "create", "create, 32 conn.", "read", "notifications", "peak RSS MB"], runRows)}

- spread of session creation over the ${RUNS} runs, min / median / max: p99 ${spread(creates.map((c) => c.p99_us), ms)} ms,
  ${spread(creates.map((c) => c.rps), (v) => v.toFixed(0))} req/s
`;
writeSection("bench-load", `## Backend under load (\`scripts/bench-load\`)

${started}
- load average when it ended: ${loadNow()}
- \`amazon-pay-server --sandbox\` release build on 127.0.0.1, PAYONE simulator in process (no \`PAYONE_ENDPOINT\`),
  SQLite store on a temporary directory, \`RUST_LOG=amazon_pay_server=error\`; wrk on the same 2 cores
- **the PAYONE stand-in does not sign**: with \`SANDBOX_BUTTON_SIGNATURES=placeholder\` it hands out one signature made
  at start for every button payload (in production PAYONE signs on its own machines; signing here cost about 1 ms
  of CPU per session, more than the server's own work). The last row is the sandbox's default, a real RSA-PSS
  signature of each payload in the server's process, measured once on a fresh server; the checkouts the bench
  takes through the sandbox's Amazon pages are signed by the bench (\`bench/payone-signature.mjs\`)
  (\`wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s --timeout 5s\`, and \`-t2 -c${SATURATING}\` for the saturating row; scripts in
  \`bench/load/\`)
- reads: ${READ_CHECKOUTS} checkouts whose buyer chose on the sandbox's Amazon pages (posted as a browser would), read round-robin

${table(["request", "load", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"], rows)}
${runsTable}
- goal (at least ${GOAL.createRps} session creations a second at p99 under ${GOAL.createP99Ms} ms${RUNS > 1 ? `, in each of the ${RUNS} runs` : ""}): **${goalMet ? "met" : "not met"}**
  (${creates.map((c) => `${c.rps.toFixed(0)}/s at p99 ${ms(c.p99_us)} ms`).join("; ")})
- where the CPU went while sessions were created (run ${last.run}; what limits throughput): ${results[0].cpu}
- the server's peak resident memory (\`VmHWM\`, the largest of the runs): ${peakRss === null ? "unknown (no /proc)" : `**${peakRss.toFixed(1)} MB**`} (goal at most ${GOAL.peakRssMb} MB: ${peakRss === null ? "not measured" : peakRss <= GOAL.peakRssMb ? "met" : "not met"})
- no notification lost: **${runs.every((r) => r.lostOk) ? "yes" : "NO"}**${RUNS > 1 ? " (every run; the figures are the last run's)" : ""}: ${lost?.acknowledged} answered \`TSOK\`, ${lost?.stored} stored
  (${lost?.distinct} distinct txids), ${lost?.missing} acknowledged but not stored; ${lost?.unanswered} stored whose
  answer wrk did not wait for (cut off when the run stopped, at most one per connection)`);

console.log(`\n${goalMet ? "goal met" : "goal NOT met"}: ${creates.map((c) => `${c.rps.toFixed(0)} session creations/s, p99 ${ms(c.p99_us)} ms`).join("; ")}`);
if (RUNS > 1) console.log(`spread of creation p99 (min / median / max): ${spread(creates.map((c) => c.p99_us), ms)} ms`);
console.log(`server's peak resident memory: ${peakRss === null ? "unknown" : peakRss.toFixed(1) + " MB"} (goal at most ${GOAL.peakRssMb} MB)`);
if (!runs.every((r) => r.lostOk)) {
  console.error("notifications lost or duplicated: see BENCHMARKS.md");
  process.exit(1);
}
if (runs.some((r) => r.results.some((x) => errors(x) > 0))) {
  console.error("some requests failed: see BENCHMARKS.md");
  process.exit(1);
}
