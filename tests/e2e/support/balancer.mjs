// nginx in front of amazon-pay-server instances, for the tests: deploy/nginx/amazon-pay.conf (the file
// docs/operations.md shows) filled in, wrapped in a minimal nginx.conf whose pid, logs and temp paths are in a
// temporary directory, run as a non-daemon child on a free 127.0.0.1 port (no root needed).
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { poll } from "./poll.mjs";

const root = resolve(import.meta.dirname, "../../..");
export const TEMPLATE = join(root, "deploy/nginx/amazon-pay.conf");
/** Each access-log line: when (ms), method, path (no query), status, which instances were tried and what each answered. */
const LOG_FORMAT = `log_format balancer '$msec $request_method $uri $status "$upstream_addr" "$upstream_status" $request_time';`;

export function nginxBinary() {
  for (const candidate of [process.env.NGINX_BIN, "/usr/sbin/nginx", "/usr/bin/nginx"]) {
    if (candidate && spawnSync(candidate, ["-v"]).status === 0) return candidate;
  }
  throw new Error("nginx is not installed: scripts/test installs Debian's nginx-light (or set NGINX_BIN)");
}

/** A port nothing listens on right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** The template with its placeholders filled in; `instances` are `host:port`, one `server` line each. */
export function renderConfig({ listen, instances, extraDir }) {
  const template = readFileSync(TEMPLATE, "utf8");
  const lines = template.split("\n").flatMap((line) =>
    line.includes("{{INSTANCE}}") ? instances.map((i) => line.replace("{{INSTANCE}}", i)) : [line]);
  return lines.join("\n").replaceAll("{{LISTEN}}", listen).replaceAll("{{EXTRA}}", extraDir);
}

/** The extra location that sends `/sandbox/` to the one shared sandbox process (tests and demos only). */
export function sandboxLocation(sandboxHostPort) {
  return `location /sandbox/ {
    proxy_pass http://${sandboxHostPort};
    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
    proxy_read_timeout 60s;
}
`;
}

/**
 * Starts nginx (deploy/nginx/amazon-pay.conf) on `port` (a free one when not given) in front of `instances`
 * (`host:port`); `sandbox` (`host:port`) gets `/sandbox/`. Resolves once nginx accepts connections;
 * `{ url, port, accessLog(), errorLog(), stop() }`.
 */
export async function startBalancer({ instances, sandbox, port, deadlineMs = 10_000 }) {
  return startNginx({
    port,
    deadlineMs,
    config: ({ listen, extraDir }) => {
      if (sandbox) writeFileSync(join(extraDir, "sandbox.conf"), sandboxLocation(sandbox));
      return renderConfig({ listen, instances, extraDir });
    },
  });
}

/**
 * Starts nginx on `port` (a free one when not given) with the http{}-level file `config({ listen, extraDir })`
 * returns (`listen` is `127.0.0.1:<port>`; `extraDir` an empty directory it may write into). Resolves once nginx
 * accepts connections, as startBalancer does.
 */
export async function startNginx({ config, port, deadlineMs = 10_000 }) {
  const bin = nginxBinary();
  const dir = mkdtempSync(join(tmpdir(), "amazon-pay-nginx-"));
  const extraDir = join(dir, "extra");
  mkdirSync(extraDir);
  for (const temp of ["client_body", "proxy"]) mkdirSync(join(dir, temp));
  // Run as root (CI), nginx's workers drop to nobody: they must be able to use the temp directories.
  chmodSync(dir, 0o755);
  for (const temp of ["client_body", "proxy"]) chmodSync(join(dir, temp), 0o777);
  port ??= await freePort();
  const accessLog = join(dir, "access.log");
  const errorLog = join(dir, "error.log");
  writeFileSync(join(dir, "amazon-pay.conf"), config({ listen: `127.0.0.1:${port}`, extraDir }));
  writeFileSync(join(dir, "nginx.conf"), `# Written by tests/e2e/support/balancer.mjs
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${errorLog} notice;
events { worker_connections 1024; }
http {
    ${LOG_FORMAT}
    access_log ${accessLog} balancer;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    include ${dir}/amazon-pay.conf;
}
`);
  const args = ["-p", dir, "-e", errorLog, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"];
  const test = spawnSync(bin, [...args, "-t"], { encoding: "utf8" });
  if (test.status !== 0) throw new Error(`nginx -t refused the configuration:\n${test.stderr}`);
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => { stderr += chunk; });
  const url = `http://127.0.0.1:${port}`;
  await poll(async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}\n${stderr}${readLog(errorLog)}`);
    // A TCP connect, not a request: a request would already count against an instance (max_fails).
    return accepts(port);
  }, { timeoutMs: deadlineMs, failure: () => `nginx did not answer within ${deadlineMs} ms\n${readLog(errorLog)}` });
  return {
    url,
    port,
    dir,
    errorLog: () => readLog(errorLog),
    /** Parsed access-log lines: { at (ms), method, path, status, upstreams: ["127.0.0.1:P", …], upstreamStatus, seconds }. */
    accessLog: () => parseAccessLog(readLog(accessLog)),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGQUIT");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port) {
  return new Promise((resolveAccepts) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => { socket.destroy(); resolveAccepts(true); });
    socket.once("error", () => resolveAccepts(false));
  });
}

function readLog(path) {
  try { return readFileSync(path, "utf8"); } catch { return ""; }
}

export function parseAccessLog(text) {
  return text.split("\n").filter(Boolean).map((line) => {
    const m = line.match(/^(\S+) (\S+) (\S+) (\d+) "([^"]*)" "([^"]*)" (\S+)$/);
    if (!m) throw new Error(`unexpected access-log line: ${line}`);
    // "A, B" when B was tried after A; " : " separates internal redirects.
    const list = (s) => (s === "-" ? [] : s.split(/, | : /));
    return { at: Number(m[1]) * 1000, method: m[2], path: m[3], status: Number(m[4]), upstreams: list(m[5]), upstreamStatus: list(m[6]), seconds: Number(m[7]) };
  });
}
