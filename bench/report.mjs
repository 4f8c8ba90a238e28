// Shared by the benchmark scripts: the machine's description and the section of BENCHMARKS.md each one rewrites.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";

export const root = resolve(import.meta.dirname, "..");
const FILE = resolve(root, "BENCHMARKS.md");

const HEADER = `# Benchmarks

Written by the benchmark commands; each rewrites only its own section. Figures depend on the machine and on what
else runs on it: every section says the date, the machine and the load average when it was taken.
`;

/** Date, cores, CPU model, memory and load: the context a figure needs. */
export function machine() {
  const rustc = (() => {
    try {
      return execFileSync("rustc", ["--version"], { encoding: "utf8" }).trim();
    } catch {
      return "rustc: unknown";
    }
  })();
  const load = loadNow();
  return [
    `- date: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}`,
    `- machine: ${cpus().length} cores (\`nproc\`), ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory; ${rustc}; node ${process.version}`,
    `- load average (1, 5, 15 min) when the run started: ${load}`,
  ].join("\n");
}

/** The whole number in the environment variable `name` (at least `min`, written without leading zeros), else
 * `fallback` when it is unset or empty. Anything else stops the run before it starts: a typo would otherwise run
 * zero loads or `NaN` seconds and write the result into BENCHMARKS.md (or, for the size budget, pass every page).
 * `what` is the refusal's description of a good value. */
export function envInteger(name, fallback, min = 1, what = `a whole number of at least ${min}`) {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const n = /^(0|[1-9][0-9]*)$/.test(value) ? Number(value) : NaN;
  if (!(n >= min)) {
    console.error(`${name} must be ${what}, not ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

/** The load average now (1, 5, 15 min), for the end of a run. */
export function loadNow() {
  return loadavg().map((l) => l.toFixed(2)).join(", ");
}

/** Replaces (or appends) the section between `<!-- name:start -->` and `<!-- name:end -->` in BENCHMARKS.md. */
export function writeSection(name, markdown) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  let text = existsSync(FILE) ? readFileSync(FILE, "utf8") : HEADER;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + end.length);
  else text = text.trimEnd() + "\n\n" + block + "\n";
  writeFileSync(FILE, text);
}

/** `| a | b |` rows. */
export function table(head, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The p-th percentile (0..100) of numbers, nearest rank. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The median (nearest rank: the lower middle of an even count). */
export const median = (values) => percentile(values, 50);

/** The ratio of medians `median(a) / median(b)` of paired runs (a[i] and b[i] from the same round), and its 95%
 *  interval by the bootstrap: rounds drawn again with replacement, 2000 times, from a fixed seed (the same
 *  figures give the same interval). It says how far another run of the same code may land. */
export function medianRatio(a, b) {
  let seed = 0x2545f491;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ratios = [];
  for (let k = 0; k < 2000; k++) {
    const picks = a.map(() => Math.floor(random() * a.length));
    ratios.push(median(picks.map((i) => a[i])) / median(picks.map((i) => b[i])));
  }
  return { ratio: median(a) / median(b), low: percentile(ratios, 2.5), high: percentile(ratios, 97.5) };
}
