// Where the CPU went during a run: every process's user+system time from /proc, before and after, grouped by
// role. On a 2-core machine whose cores wrk, nginx, the instances and PostgreSQL share, this says what limits a
// figure (Linux only; elsewhere the table is empty).
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;
/** Pseudo pid: the CPU time of this process's children that ended (wrk, once it has ended and been waited for). */
const ENDED_CHILDREN = -1;
/** Pseudo pid: what the whole machine was busy with, from /proc/stat (everything but idle and iowait). */
const MACHINE = -2;

/** The machine's busy ticks since boot (all cores), or null without /proc/stat. */
function machineTicks() {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle (3) and iowait (4), not guest (in user).
    return cpu.slice(0, 8).reduce((a, b, i) => (i === 3 || i === 4 ? a : a + b), 0);
  } catch {
    return null;
  }
}

/** This process's ended children's user+system ticks (cutime, cstime). */
function endedChildrenTicks() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[13]) + Number(fields[14]);
  } catch {
    return 0;
  }
}

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
  all.set(ENDED_CHILDREN, { comm: "wrk", ticks: endedChildrenTicks() });
  const machine = machineTicks();
  if (machine !== null) all.set(MACHINE, { comm: "machine", ticks: machine });
  return all;
}

/**
 * CPU seconds per role between two snapshots; `roles` maps a pid to its role, else the command name groups it.
 * What the machine was busy with beyond the processes seen is "other work on the machine" (other users' builds,
 * processes that came and went).
 */
export function cpuSeconds(before, after, roles = new Map()) {
  const byRole = {};
  let seen = 0;
  for (const [pid, { comm, ticks }] of after) {
    if (pid === MACHINE) continue;
    const used = ticks - (before.get(pid)?.ticks ?? 0);
    if (used <= 0) continue;
    seen += used;
    if (used <= 0) continue;
    const role = roles.get(pid) ?? (comm.startsWith("postgres") ? "PostgreSQL" : comm);
    byRole[role] = (byRole[role] ?? 0) + used / TICKS_PER_SECOND;
  }
  const machine = (after.get(MACHINE)?.ticks ?? 0) - (before.get(MACHINE)?.ticks ?? 0);
  if (after.has(MACHINE) && machine > seen) byRole["other work on the machine"] = (machine - seen) / TICKS_PER_SECOND;
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
