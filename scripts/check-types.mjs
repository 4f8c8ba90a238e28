// The embed API's TypeScript types with tsc (node_modules/typescript), as a shop's build would use them:
//   npm/examples/every-key.ts   every key of every view, the handle, every event: `tsc --noEmit` passes (with the
//                               tsconfig's lib, and with es5 and esnext);
//   npm/examples/errors/*.ts    mistakes (a misspelt `cartURL`, a key another view takes, ...): each line after an
//                               `// expect TSnnnn` comment fails with exactly that code, and nothing else fails.
// (That the types say what the Rust types say is tests/typescript_types.rs.)
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const tsc = join(root, "node_modules/.bin/tsc");

function run(project, more = []) {
  const out = spawnSync(tsc, ["--noEmit", "--pretty", "false", "-p", project, ...more], { cwd: root, encoding: "utf8" });
  if (out.error) throw out.error;
  return { status: out.status, output: out.stdout + out.stderr };
}

// The tsconfig's lib, then a shop's older and newer ones: tsc without a target (ES5) once refused types.d.ts's
// `[Symbol.dispose]` ("'Symbol' only refers to a type"); esnext has TypeScript's own Symbol.dispose.
for (const lib of [[], ["--lib", "es5,dom"], ["--lib", "esnext,dom"]]) {
  const good = run("npm", lib);
  if (good.status !== 0) {
    console.error(`tsc ${lib.join(" ")} refused npm/examples/every-key.ts:\n${good.output}`);
    process.exit(1);
  }
}

const errorsDir = join(root, "npm/examples/errors");
const expected = new Map(); // "file:line" -> code
for (const file of readdirSync(errorsDir).filter((f) => f.endsWith(".ts"))) {
  readFileSync(join(errorsDir, file), "utf8").split("\n").forEach((line, i) => {
    const code = line.match(/^\s*\/\/ expect (TS\d+)\s*$/)?.[1];
    if (code) expected.set(`${file}:${i + 2}`, code);
  });
}
if (expected.size === 0) throw new Error("npm/examples/errors has no `// expect TSnnnn` line");
const bad = run("npm/examples/errors");
const found = new Map();
for (const m of bad.output.matchAll(/^(?:.*\/)?([\w.-]+\.ts)\((\d+),\d+\): error (TS\d+)/gm)) found.set(`${m[1]}:${m[2]}`, m[3]);
const problems = [];
for (const [where, code] of expected) {
  if (found.get(where) !== code) problems.push(`${where}: expected ${code}, tsc said ${found.get(where) ?? "nothing"}`);
}
for (const [where, code] of found) if (!expected.has(where)) problems.push(`${where}: unexpected ${code}`);
if (bad.status === 0 || problems.length) {
  console.error(`tsc on npm/examples/errors:\n${problems.join("\n")}\n\ntsc's output:\n${bad.output}`);
  process.exit(1);
}
console.log(`tsc: npm/examples/every-key.ts passes; the ${expected.size} mistakes in npm/examples/errors fail as expected`);
