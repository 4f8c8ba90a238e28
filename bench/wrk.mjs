// wrk (Debian's) with one of the Lua scripts in bench/load/: the settings every load benchmark shares and the
// figures wrk's done() prints. Used by bench/load.mjs and bench/load-multi.mjs.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { envInteger, root } from "./report.mjs";

export const SECONDS = envInteger("BENCH_SECONDS", 10);
/** 8 connections from one wrk thread: wrk keeps one core busy, the server gets the other (2-core machine). */
export const CONNECTIONS = envInteger("BENCH_CONNECTIONS", 8);
export const THREADS = envInteger("BENCH_THREADS", 1);
export const luaDir = join(root, "bench/load");

/** Runs wrk with a script; the figures its done() prints (`rps`, `p99_us`, `errors`, …). */
export async function wrk(name, script, url, env = {}, { threads = THREADS, connections = CONNECTIONS } = {}) {
  const args = ["-t", String(threads), "-c", String(connections), "-d", `${SECONDS}s`, "--timeout", "5s", "-s", join(luaDir, script), url];
  console.log(`\n==> ${name}: wrk ${args.join(" ")}`);
  // Run asynchronously: a blocked event loop would keep this process's own idle keep-alive connections open
  // past the server's idle cut-off (--header-read-timeout-ms), and the next fetch would find them closed.
  const stdout = await new Promise((resolve, reject) => {
    const options = { encoding: "utf8", env: { ...process.env, BENCH_LUA_DIR: luaDir, ...env }, timeout: (SECONDS + 30) * 1000 };
    execFile("wrk", args, options, (err, out, stderr) => (err ? reject(new Error(`wrk failed (${err.code}): ${stderr}`)) : resolve(out)));
  });
  process.stdout.write(stdout.split("\n").filter((l) => !l.startsWith("WRK_JSON")).join("\n"));
  const line = stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
  if (!line) throw new Error("wrk printed no results:\n" + stdout);
  const r = JSON.parse(line.slice("WRK_JSON ".length));
  r.rps = r.requests / (r.duration_us / 1e6);
  r.name = name;
  r.load = `${connections} conn., ${threads} thread${threads > 1 ? "s" : ""}`;
  return r;
}

/** Requests that did not answer as the script expects: socket errors plus non-OK answers. */
export const errors = (r) => Object.values(r.errors).reduce((a, b) => a + b, 0) + (r.requests - r.ok);

/** Milliseconds from microseconds, two decimals. */
export const ms = (us) => (us / 1000).toFixed(2);
