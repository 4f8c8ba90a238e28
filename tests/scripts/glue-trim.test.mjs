// scripts/glue-trim.mjs: the pieces no page runs leave the glue or are shortened, the code around them stays, a
// second run changes nothing, and glue that holds only some of the pieces (another wasm-bindgen) is refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EDITS, NO_REGISTRY, trimGlue } from "../../scripts/glue-trim.mjs";

const INSTANCEOF = `x: function(arg0) {
            let result;
            try {
                result = arg0 instanceof HTMLElement;
            } catch (_) {
                result = false;
            }
            const ret = result;
            return ret;
        },`;
const PASS = "passStringToWasm0(arg, malloc, realloc) {}\nf(passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc));";
const GLUE = `a();\n${EDITS.map(([piece], i) => `${piece}\nstep${i}();`).join("\n")}\nconst r = ${NO_REGISTRY}new FinalizationRegistry(f);\n${INSTANCEOF}\n${PASS}\nz();`;
const TRIMMED = `a();\n${EDITS.map(([, rest], i) => `${rest}\nstep${i}();`).join("\n")}\nconst r = new FinalizationRegistry(f);\nx: function(arg0) { return arg0 instanceof HTMLElement; },\n${PASS}\nz();`;

test("the pieces are cut or shortened, the rest stays", () => {
  assert.equal(trimGlue(GLUE), TRIMMED);
});

test("a second run changes nothing", () => {
  const once = trimGlue(GLUE);
  assert.equal(trimGlue(once), once);
});

test("glue with only some of the pieces, or one twice, is refused", () => {
  assert.throws(() => trimGlue(`a();${EDITS[0][0]}`, "x.js"), /x\.js is not wasm-bindgen 0\.2\.130's glue/);
  assert.throws(() => trimGlue(GLUE + EDITS[1][0]), /found 1, 2, 1, 1,/);
  assert.throws(() => trimGlue(GLUE.replace(NO_REGISTRY, "")), /the registry fallback 0/);
});

test("glue that calls passStringToWasm0 without realloc keeps that branch: refused", () => {
  assert.throws(() => trimGlue(`${GLUE}\ng(passStringToWasm0(ret, wasm.__wbindgen_malloc));`, "y.js"), /y\.js calls passStringToWasm0 without realloc \(1 of 3\)/);
});

test("a `$` in the glue is kept as it is", () => {
  assert.equal(trimGlue(`${GLUE}$&$'`), `${TRIMMED}$&$'`);
});
