// Several amazon-pay-server instances on one database behind nginx, with one shared sandbox: the setup of
// docs/operations.md#several-instances, for the tests and scripts/bench-load.
//
// In `--sandbox` each server has its own simulators with in-memory state, so two sandbox servers do not share a
// PAYONE. Here one extra process is the sandbox (PAYONE, CheckoutChamp and Amazon's scripts and pages); the
// instances send their upstream calls to it (PAYONE_ENDPOINT, CHECKOUTCHAMP_ENDPOINT, AMAZON_PROFILE_ENDPOINT),
// the balancer sends buyers' `/sandbox/` requests to it, and its PAYONE sends TransactionStatus through the
// balancer to whichever instance nginx picks. Instances stay in sandbox mode only so that the widget loads the
// sandbox's checkout.js; nothing of their own sandbox is reachable through the balancer.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { startBalancer, freePort } from "./balancer.mjs";
import { startServer } from "./server.mjs";

/** Debian's psql: on PATH, or in the newest /usr/lib/postgresql/<version>/bin. */
function psql() {
  if (spawnSync("psql", ["--version"]).status === 0) return "psql";
  const versions = (() => { try { return readdirSync("/usr/lib/postgresql"); } catch { return []; } })();
  const newest = versions.filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/psql`)).sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error("psql is not installed (Debian's postgresql-client; scripts/pg-cluster installs postgresql)");
  return `/usr/lib/postgresql/${newest}/bin/psql`;
}

/** A fresh, empty database next to `url`'s (same server), so each cluster starts clean: its URL. */
export function freshDatabase(url) {
  const name = `amazon_pay_${randomBytes(6).toString("hex")}`;
  const created = spawnSync(psql(), [url, "-v", "ON_ERROR_STOP=1", "-qc", `CREATE DATABASE ${name}`], { encoding: "utf8" });
  if (created.status !== 0) throw new Error(`psql could not create a database: ${created.stderr || created.error}`);
  const fresh = new URL(url);
  fresh.pathname = "/" + name;
  return fresh.toString();
}

const hostPort = (base) => new URL(base).host;

/**
 * Starts the sandbox, `instances` servers (all on `databaseUrl`; without one, each on its own SQLite, which is
 * only right for one instance) and nginx in front. `env` goes to every instance.
 * Resolves with `{ url, sandbox, instances, balancer, stop() }`; `instances[i].baseUrl` is the instance itself.
 */
export async function startCluster({ instances = 2, databaseUrl, env = {}, sandboxEnv = {} } = {}) {
  if (instances > 1 && !databaseUrl) throw new Error("more than one instance needs a shared database (databaseUrl)");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = [];
  // One webhook secret for all: the instances' webhooks go (through the balancer) to the sandbox's receiver,
  // which checks their signature. Without it each sandbox server would make up its own.
  const webhookSecret = randomBytes(32).toString("hex");
  try {
    const sandbox = await startServer({
      args: ["--public-url", url],
      env: { PAYONE_NOTIFY_URL: `${url}/payone/transaction-status`, AMAZON_PAY_WEBHOOK_SECRET: webhookSecret, ...sandboxEnv },
    });
    started.push(sandbox);
    const upstream = sandbox.baseUrl;
    const instanceEnv = {
      PAYONE_ENDPOINT: `${upstream}/sandbox/payone/post-gateway/`,
      CHECKOUTCHAMP_ENDPOINT: `${upstream}/sandbox/checkoutchamp`,
      AMAZON_PROFILE_ENDPOINT: `${upstream}/sandbox/amazon`,
      // nginx's X-Forwarded-For is believed from loopback only.
      AMAZON_PAY_TRUSTED_PROXIES: "127.0.0.1/32",
      AMAZON_PAY_WEBHOOK_SECRET: webhookSecret,
      ...env,
    };
    const databaseArgs = databaseUrl ? ["--database-url", databaseUrl] : [];
    const instanceArgs = ["--public-url", url, ...databaseArgs];
    // Started at once: migrations must be safe when two instances start together.
    const servers = await Promise.allSettled(
      Array.from({ length: instances }, () => startServer({ args: instanceArgs, env: instanceEnv })),
    );
    for (const s of servers) if (s.status === "fulfilled") started.push(s.value);
    const failed = servers.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    const list = servers.map((s) => s.value);
    const balancer = await startBalancer({ port, instances: list.map((s) => hostPort(s.baseUrl)), sandbox: hostPort(upstream) });
    return {
      url,
      sandbox,
      instances: list,
      balancer,
      /**
       * A step of a rolling restart: SIGTERM to `instances[i]`, then a new instance on its address (the one nginx
       * names), resolved once its `/readyz` answers 200 (within `deadlineMs`).
       */
      async restart(i, { deadlineMs = 30_000 } = {}) {
        const old = list[i];
        await old.stop();
        const fresh = await startServer({ args: instanceArgs, env: instanceEnv, listen: hostPort(old.baseUrl) });
        started.push(fresh);
        list[i] = fresh;
        const deadline = Date.now() + deadlineMs;
        for (;;) {
          const ready = await fetch(`${fresh.baseUrl}/readyz`).then((r) => r.status === 200, () => false);
          if (ready) return fresh;
          if (Date.now() > deadline) throw new Error(`the restarted instance was not ready within ${deadlineMs} ms`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      async stop() {
        await balancer.stop();
        await Promise.all(started.map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
}
