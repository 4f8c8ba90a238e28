// scripts/wasm-imports.mjs on a hand-made module: the names wasm-bindgen gives become short in the wasm and in the
// glue alike, the `producers` section goes, a second run changes nothing, and glue that does not hold each name
// exactly once is refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { shortenImports } from "../../scripts/wasm-imports.mjs";

const bytes = (s) => [...new TextEncoder().encode(s)];
const name = (s) => [bytes(s).length, ...bytes(s)];
const section = (id, body) => [id, body.length, ...body];
const FOO = "__wbg_foo_0123456789abcdef";
const CAST = "__wbindgen_cast_fedcba9876543210";
const INVOKE = "closure__invoke__h0123456789abcdef";
/** Two functions from the glue's module and a memory from `env` (kept as it is); one function exported with a hash. */
const MODULE = Buffer.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 0, 0]),
  ...section(2, [3,
    ...name("./x_bg.js"), ...name(FOO), 0, 0,
    ...name("env"), ...name("memory"), 2, 0, 1,
    ...name("./x_bg.js"), ...name(CAST), 0, 0]),
  ...section(7, [2, ...name(INVOKE), 0, 0, ...name("memory2"), 2, 0]),
  ...section(0, [...name("producers"), 0]),
  ...section(0, [...name("kept"), 7]),
]);
const GLUE = `const i={__proto__:null,${FOO}:function(){},${CAST}(n){return n}};return{"./x_bg.js":i,env:{}};function c(A){A.${INVOKE}(1)}`;

test("wasm-bindgen's import names and the glue's module become short in both files", () => {
  const { wasm, js, renamed } = shortenImports(MODULE, GLUE);
  assert.equal(renamed, 3);
  assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(wasm)), [
    { module: "w", name: "a", kind: "function" },
    { module: "env", name: "memory", kind: "memory" },
    { module: "w", name: "b", kind: "function" },
  ]);
  assert.equal(js, `const i={__proto__:null,a:function(){},b(n){return n}};return{"w":i,env:{}};function c(A){A.h0(1)}`);
  assert.ok(wasm.length < MODULE.length);
  const module = new WebAssembly.Module(wasm);
  assert.deepEqual(WebAssembly.Module.exports(module).map((e) => e.name), ["h0", "memory2"]);
  assert.equal(WebAssembly.Module.customSections(module, "producers").length, 0, "producers dropped");
  assert.deepEqual([...new Uint8Array(WebAssembly.Module.customSections(module, "kept")[0])], [7], "other custom sections kept");
  const again = shortenImports(wasm, js);
  assert.equal(again.renamed, 0);
  assert.ok(again.wasm.equals(wasm));
  assert.equal(again.js, js);
});

test("glue that names an import twice is refused", () => {
  assert.throws(() => shortenImports(MODULE, GLUE + `i.${FOO}();`), /__wbg_foo_0123456789abcdef: 2 occurrences in the JS glue/);
});

test("glue without an import's key is refused", () => {
  assert.throws(() => shortenImports(MODULE, GLUE.replace(CAST, "other")), /__wbindgen_cast_fedcba9876543210: 0 occurrences/);
});

test("glue without the module's key is refused", () => {
  assert.throws(() => shortenImports(MODULE, GLUE.replace(`"./x_bg.js"`, `"./y_bg.js"`)), /module \.\/x_bg\.js: 0 occurrences/);
});

test("a name that only starts like an import is not touched", () => {
  const { js } = shortenImports(MODULE, GLUE + `const ${FOO}x=1;`.replace("const", ";const"));
  assert.match(js, /__wbg_foo_0123456789abcdefx=1/);
});

/** A module exporting wasm-bindgen's allocator (a name starting with `__`) and the module's own `mount`. */
const EXPORTS = Buffer.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 0, 0]),
  ...section(3, [1, 0]),
  ...section(7, [2, ...name("__wbindgen_malloc"), 0, 0, ...name("mount"), 0, 0]),
  ...section(10, [1, 2, 0, 0x0b]),
]);

test("wasm-bindgen's own exports become short where the glue reads them; the module's API keeps its names", () => {
  const glue = "function m(){return A.__wbindgen_malloc(1)+A.__wbindgen_malloc(2)}export function mount(){A.mount()}";
  const { wasm, js, renamed } = shortenImports(EXPORTS, glue);
  assert.equal(renamed, 1);
  assert.deepEqual(WebAssembly.Module.exports(new WebAssembly.Module(wasm)).map((e) => e.name), ["x0", "mount"]);
  assert.equal(js, "function m(){return A.x0(1)+A.x0(2)}export function mount(){A.mount()}");
  const again = shortenImports(wasm, js);
  assert.equal(again.renamed, 0);
  assert.equal(again.js, js);
});

test("glue that mentions one of wasm-bindgen's exports other than as a property read is refused", () => {
  assert.throws(() => shortenImports(EXPORTS, "A.__wbindgen_malloc(1);const __wbindgen_malloc=2"), /__wbindgen_malloc: 1 of its 2 mentions in the JS glue are not a property read/);
});
