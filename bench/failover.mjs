// scripts/bench-failover: two instances on PostgreSQL behind nginx under a steady stream of checkouts and
// TransactionStatus notifications; one instance is killed with SIGKILL. Prints (and writes to BENCHMARKS.md) the
// requests that failed during the kill and how long nginx kept trying the dead instance, and checks that no order
// answered 2xx is lost, no checkout has two authorizations at PAYONE and every notification answered TSOK is
// stored (exit 1 otherwise). BENCH_DATABASE_URL is set by the script; BENCH_WORKERS, BENCH_SECONDS size the run.
import { startCluster, freshDatabase } from "../tests/e2e/support/cluster.mjs";
import { balancerFigures, checkAfterKill, loadWithKill } from "../tests/e2e/support/failover.mjs";
import { envInteger, loadNow, machine, writeSection } from "./report.mjs";

const WORKERS = envInteger("BENCH_WORKERS", 16);
const SECONDS = envInteger("BENCH_SECONDS", 10);
const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl) throw new Error("BENCH_DATABASE_URL is not set: run scripts/bench-failover");

const started = machine();
/** Which build ran: scripts/bench-load and scripts/bench-failover build and pass the release binary. */
const build = (process.env.AMAZON_PAY_SERVER_BIN ?? "").includes("/release/") ? "release build" : "debug build (not for figures)";
const QUIET = { RUST_LOG: "amazon_pay_server=error" };
const cluster = await startCluster({ instances: 2, databaseUrl: freshDatabase(databaseUrl), env: QUIET, sandboxEnv: QUIET });
let record;
let figures;
let after;
try {
  const half = (SECONDS * 1000) / 2;
  record = await loadWithKill(cluster, { checkoutWorkers: WORKERS, notifyWorkers: Math.max(1, WORKERS / 4), beforeKillMs: half, afterKillMs: half });
  figures = balancerFigures(cluster, record);
  after = await checkAfterKill(cluster, record);
} finally {
  await cluster.stop();
}
const requests = record.checkouts.length * 4 + record.placed.length * 3 + record.sent;
const ok = after.missingOrders.length === 0 && after.doubleAuthorized.length === 0 && after.unstoredNotifications.length === 0;
const summary = `## Failover: one of two instances killed (\`scripts/bench-failover\`)

${started}
- load average when it ended: ${loadNow()}
- ${build}; two instances on PostgreSQL behind
  nginx (deploy/nginx/amazon-pay.conf: \`max_fails=1 fail_timeout=10s\`); ${WORKERS} checkout loops (session, the
  sandbox's Amazon pages, read, place, processing page, return; a failed placement retried once with its key) and ${Math.max(1, WORKERS / 4)}
  TransactionStatus loops through nginx for ${SECONDS} s; instance 1 killed with SIGKILL half way
- about ${requests} requests: ${record.placed.length} orders placed (each then through Amazon's processing page, whose
  PAYONE notification goes through nginx: ${after.payoneNotifications} delivered), ${record.acknowledged.length} more notifications answered \`TSOK\`
- requests failed during the kill: **${figures.failedDuringKill}** (${JSON.stringify(figures.failuresByKind)}): the requests in flight on
  the killed instance (nginx does not resend a POST an instance may have acted on) and the retries of placements
  that died with it
- nginx stopped sending to the dead instance **${figures.stoppedSendingAfterMs} ms** after the kill (${figures.deadInstanceTries} requests tried it;
  afterwards one request every \`fail_timeout\` re-checks it and, refused, goes to the live instance)
- orders answered 2xx missing from the database: ${after.missingOrders.length}; checkouts with two authorizations at PAYONE:
  ${after.doubleAuthorized.length} (of ${after.authorizations} authorizations); notifications answered \`TSOK\` not stored:
  ${after.unstoredNotifications.length}: **${ok ? "nothing lost" : "LOST OR DOUBLED"}**`;
writeSection("bench-failover", summary);
console.log("\n" + summary);
if (!ok) {
  console.error(JSON.stringify(after, null, 2));
  process.exit(1);
}
