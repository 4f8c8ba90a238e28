#!/usr/bin/env node
// Fails when a crate's modules import each other in a circle, and names every edge of every cycle.
//
//   node scripts/check-module-cycles.mjs [crate-src-dir …]   (default: every crate of the workspace)
//   node scripts/check-module-cycles.mjs --self-test          (a planted cycle must be found)
//
// Ours rather than cargo-modules: cargo-modules compiles rust-analyzer (10+ minutes on two cores) for a
// question the `use` paths already answer. What it reads: `crate::a::b`, `super::x` and `self::x` paths
// (in `use` trees, braces expanded, and inline in code), resolved to the module files under src/.
//
// The rule: siblings (modules with the same parent) must not depend on each other in a circle. A module
// may use its parent's items and its own children (that is containment, not a cycle); a dependency of
// anything inside sibling A on anything inside sibling B is an edge A -> B.

import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { join, relative, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CRATES = ["src", "contract/src", "payone-wire/src", "sandbox/src", "server/src"];

/** Every module file of the crate at `src`: module path (array of names) -> file. */
function moduleFiles(src) {
  const modules = new Map();
  const walk = (dir, path) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) {
        walk(full, [...path, entry]);
      } else if (entry.endsWith(".rs")) {
        const name = entry.slice(0, -3);
        if (path.length === 0 && (name === "lib" || name === "main")) modules.set("", { path: [], file: full });
        else if (name === "mod") modules.set(path.join("::"), { path, file: full });
        else if (!(path.length === 0 && name === "main")) modules.set([...path, name].join("::"), { path: [...path, name], file: full });
      }
    }
  };
  walk(src, []);
  // Binaries under src/bin/ are crates of their own.
  for (const key of [...modules.keys()]) if (key === "bin" || key.startsWith("bin::")) modules.delete(key);
  return modules;
}

/** `a::{b, c::{d, e}}` -> ["a::b", "a::c::d", "a::c::e"]. */
function expand(tree) {
  const open = tree.indexOf("{");
  if (open < 0) return [tree.replace(/\s+as\s+\w+$/, "").trim()];
  let depth = 0;
  let close = open;
  for (let i = open; i < tree.length; i++) {
    if (tree[i] === "{") depth++;
    if (tree[i] === "}" && --depth === 0) {
      close = i;
      break;
    }
  }
  const prefix = tree.slice(0, open);
  const parts = [];
  let start = open + 1;
  depth = 0;
  for (let i = open + 1; i < close; i++) {
    if (tree[i] === "{") depth++;
    if (tree[i] === "}") depth--;
    if (tree[i] === "," && depth === 0) {
      parts.push(tree.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(tree.slice(start, close));
  return parts.map((p) => p.trim()).filter(Boolean).flatMap((p) => expand(prefix + p));
}

/** Source without comments and string literals (so paths in docs or strings are not dependencies). */
function strip(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/\/\/[^\n]*/g, "")
    .replace(/r#*"[\s\S]*?"#*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])'/g, (m) => m.replace(/[^\n]/g, " "));
}

/** The paths one file refers to, each with its line and how many inline `mod x {` blocks enclose it. */
function references(file) {
  const text = strip(readFileSync(file, "utf8"));
  const refs = [];
  // Depth of inline modules (`mod tests { … }`) at each offset, so `super::` inside them is resolved right.
  const inlineDepthAt = [];
  const stack = [];
  let depth = 0;
  let braces = 0;
  const inlineOpen = /\bmod\s+\w+\s*\{/g;
  const opens = new Set();
  for (const m of text.matchAll(inlineOpen)) opens.add(m.index + m[0].length - 1);
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "{") {
      braces++;
      if (opens.has(i)) {
        stack.push(braces);
        depth++;
      }
    } else if (text[i] === "}") {
      if (stack.length && stack[stack.length - 1] === braces) {
        stack.pop();
        depth--;
      }
      braces--;
    }
    inlineDepthAt[i] = depth;
  }
  const lineOf = (index) => text.slice(0, index).split("\n").length;
  for (const m of text.matchAll(/\buse\s+([^;]+);/g)) {
    for (const path of expand(m[1].replace(/\s+/g, " ").replace(/\s*::\s*/g, "::"))) {
      if (/^(crate|super|self)\b/.test(path)) refs.push({ path, line: lineOf(m.index), inline: inlineDepthAt[m.index] });
    }
  }
  const inUse = new Set();
  for (const m of text.matchAll(/\buse\s+[^;]+;/g)) for (let i = m.index; i < m.index + m[0].length; i++) inUse.add(i);
  for (const m of text.matchAll(/\b(?:crate|super|self)(?:::\w+)+/g)) {
    if (!inUse.has(m.index)) refs.push({ path: m[0], line: lineOf(m.index), inline: inlineDepthAt[m.index] });
  }
  return refs;
}

/** The module a path names: its longest prefix that is a module of the crate. */
function resolve(path, from, inline, modules) {
  const segments = path.split("::").filter((s) => s && s !== "*");
  let base;
  if (segments[0] === "crate") {
    base = [];
    segments.shift();
  } else {
    // `self`/`super` count from the innermost inline module, which is the file's module `inline` levels down.
    let level = from.length + inline;
    while (segments[0] === "self" || segments[0] === "super") {
      if (segments.shift() === "super") level--;
    }
    if (level < from.length) base = from.slice(0, Math.max(level, 0));
    else return null; // inside the file's own inline modules: the file itself
  }
  let target = base;
  for (const name of segments) {
    const next = [...target, name];
    if (!modules.has(next.join("::"))) break;
    target = next;
  }
  return target;
}

/** Sibling edges of one crate: "parent" -> Map(child -> Map(child -> [evidence])). */
function siblingEdges(src) {
  const modules = moduleFiles(src);
  const edges = new Map();
  for (const { path: from, file } of modules.values()) {
    for (const ref of references(file)) {
      const to = resolve(ref.path, from, ref.inline, modules);
      if (!to) continue;
      let common = 0;
      while (common < from.length && common < to.length && from[common] === to[common]) common++;
      // One contains the other (parent/child, or the same module): not a sibling dependency.
      if (common === from.length || common === to.length) continue;
      const parent = from.slice(0, common).join("::") || "crate";
      const a = from[common];
      const b = to[common];
      if (!edges.has(parent)) edges.set(parent, new Map());
      const level = edges.get(parent);
      if (!level.has(a)) level.set(a, new Map());
      if (!level.get(a).has(b)) level.get(a).set(b, []);
      level.get(a).get(b).push(`${relative(ROOT, file)}:${ref.line} ${ref.path}`);
    }
  }
  return edges;
}

/** Strongly connected components with more than one node (Tarjan). */
function cycles(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of (graph.get(v) ?? new Map()).keys()) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), indices.get(w)));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

/** Every cycle of the crate at `src`, as printable lines (empty: none). */
function check(src) {
  const report = [];
  for (const [parent, graph] of siblingEdges(src)) {
    for (const component of cycles(graph)) {
      report.push(`cycle among ${parent === "crate" ? "top-level modules" : `the modules of ${parent}`}: ${component.join(", ")}`);
      for (const a of component) {
        for (const [b, evidence] of graph.get(a) ?? []) {
          if (component.includes(b)) report.push(`  ${a} -> ${b}: ${evidence.slice(0, 3).join("; ")}${evidence.length > 3 ? ` (+${evidence.length - 3})` : ""}`);
        }
      }
    }
  }
  return report;
}

function selfTest() {
  const dir = join(ROOT, "scripts/fixtures/module-cycles");
  const planted = check(join(dir, "cyclic/src"));
  const clean = check(join(dir, "acyclic/src"));
  const ok =
    planted.some((l) => l.includes("top-level modules: a, b")) &&
    planted.some((l) => l.includes("the modules of api: cv1, cv2")) &&
    planted.some((l) => l.includes("a -> b")) &&
    clean.length === 0;
  console.log(planted.join("\n"));
  if (!ok) {
    console.error(`self-test failed: planted cycles ${planted.length ? "reported wrongly" : "not found"}, clean fixture: ${clean.join("; ") || "no cycles"}`);
    process.exit(1);
  }
  console.log("self-test: the planted cycles are found, the acyclic fixture passes");
}

const args = process.argv.slice(2);
if (args.includes("--self-test")) {
  selfTest();
} else {
  const crates = args.length ? args : CRATES.map((c) => join(ROOT, c)).filter(existsSync);
  let failed = false;
  for (const src of crates) {
    const report = check(src);
    if (report.length) {
      failed = true;
      console.error(`${relative(ROOT, src) || src}:\n${report.join("\n")}`);
    } else {
      console.log(`${relative(ROOT, src) || src}: no module cycles`);
    }
  }
  process.exit(failed ? 1 : 0);
}
