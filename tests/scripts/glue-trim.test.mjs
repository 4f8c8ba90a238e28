// scripts/glue-trim.mjs: the pieces no page runs leave the glue, the code around them stays, a second run changes
// nothing, and glue that holds only some of the pieces (another wasm-bindgen) is refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PIECES, trimGlue } from "../../scripts/glue-trim.mjs";

const GLUE = `a();\n${PIECES[0]}\nb();${PIECES[1]}\nc();${PIECES[2]}\n${PIECES[3]}\nd();`;

test("the pieces are cut, the rest stays", () => {
  assert.equal(trimGlue(GLUE), "a();\n\nb();\nc();\n\nd();");
});

test("a second run changes nothing", () => {
  const once = trimGlue(GLUE);
  assert.equal(trimGlue(once), once);
});

test("glue with only some of the pieces, or one twice, is refused", () => {
  assert.throws(() => trimGlue(`a();${PIECES[0]}`, "x.js"), /x\.js is not wasm-bindgen 0\.2\.130's glue/);
  assert.throws(() => trimGlue(GLUE + PIECES[1]), /found 1, 2, 1, 1 times/);
});

test("a `$` in the glue is kept as it is", () => {
  assert.equal(trimGlue(`${GLUE}$&$'`), "a();\n\nb();\nc();\n\nd();$&$'");
});
