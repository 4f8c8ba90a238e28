// Starts amazon-pay-server in sandbox mode on a free loopback port and stops it afterwards.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../../..");

/**
 * Spawns the server; resolves with { baseUrl, dataDir, pid, stop() } once it prints its address. `distDir` replaces
 * the widget's dist/ (an example app's build, tests/e2e/leptos-app.test.mjs); `listen` an address of its own (a restarted
 * instance takes its predecessor's, which the balancer names).
 */
export async function startServer({ args = [], env = {}, distDir = join(root, "dist"), deadlineMs = 30_000, listen = "127.0.0.1:0" } = {}) {
  const bin = process.env.AMAZON_PAY_SERVER_BIN ?? join(root, "target/debug/amazon-pay-server");
  const dataDir = mkdtempSync(join(tmpdir(), "amazon-pay-e2e-"));
  const child = spawn(
    bin,
    ["--sandbox", "--listen", listen, "--data-dir", dataDir, "--dist-dir", distDir, "--static-dir", join(root, "static"), ...args],
    { env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "amazon_pay_server=warn", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => { stderr += chunk; });
  const baseUrl = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${deadlineMs} ms\n${stderr}`)), deadlineMs);
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) { clearTimeout(timer); resolveUrl(match[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}\n${stderr}`)); });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    baseUrl,
    dataDir,
    /** The server's process id (bench/load.mjs reads its peak resident memory). */
    pid: child.pid,
    stderr: () => stderr,
    /** Sends `signal` (SIGKILL for a crash) and waits until the process is gone. */
    async kill(signal) {
      if (running()) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill(signal);
        await exited;
      }
    },
    async stop() {
      if (running()) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
