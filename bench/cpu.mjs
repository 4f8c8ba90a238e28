// Where the CPU went during a run: every process's user+system time from /proc, before and after, grouped by
// role. On a 2-core machine whose cores wrk, nginx, the instances and PostgreSQL share, this says what limits a
// figure (Linux only; elsewhere the table is empty).
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** `pid -> { comm, ticks }` for every process now. */
export function snapshot() {
  const all = new Map();
  let entries = [];
  try { entries = readdirSync("/proc"); } catch { return all; }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      // After the command: state is field 3, utime 14 and stime 15 (man 5 proc), so indexes 11 and 12 here.
      all.set(Number(entry), { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch { /* the process ended meanwhile */ }
  }
  return all;
}

/** CPU seconds per role between two snapshots; `roles` maps a pid to its role, else the command name groups it. */
export function cpuSeconds(before, after, roles = new Map()) {
  const byRole = {};
  for (const [pid, { comm, ticks }] of after) {
    const used = ticks - (before.get(pid)?.ticks ?? 0);
    if (used <= 0) continue;
    const role = roles.get(pid) ?? (comm.startsWith("postgres") ? "PostgreSQL" : comm);
    byRole[role] = (byRole[role] ?? 0) + used / TICKS_PER_SECOND;
  }
  return byRole;
}

/** "instance 1 38%, PostgreSQL 31%, …" of `seconds` wall time on `cores` cores, the largest first. */
export function describe(byRole, seconds, cores) {
  return Object.entries(byRole)
    .filter(([, s]) => s / seconds >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([role, s]) => `${role} ${((100 * s) / seconds).toFixed(0)}%`)
    .join(", ") + ` (of ${cores * 100}% on ${cores} cores)`;
}
