// Takes out of wasm-bindgen's JS glue what no page of ours runs. Every browser that runs our wasm needs reference
// types (Chrome 96, Firefox 79, Safari 15), and each of them has what the glue otherwise checks for or polyfills:
// `TextEncoder.encodeInto`, `FinalizationRegistry`, `Response`, `Request`, `URL`, `instantiateStreaming`.
// Cut or shortened:
// - the console warnings for the deprecated ways of calling `init`/`initSync` (a bare URL or module instead of
//   `{ module_or_path }`; they still work, silently) and for a server that does not send `application/wasm`
//   (the fallback to the bytes stays, for any response that is not `application/wasm`);
// - the polyfill and fallbacks for what every such browser has (`encodeInto`, a no-op `FinalizationRegistry`,
//   the `typeof X === 'function'` checks), and the `try`/`catch` around an `instanceof` of a class every page
//   has (`Window`, `HTMLElement`, `Error`, …: it only catches a realm without the class);
// - `passStringToWasm0`'s branch for a call without `realloc` (our glue always passes it: checked here), and the
//   cached `DataView`'s tests of `buffer.detached` (a detached buffer is never the memory's current one).
// About 0.35 KB gzip per page. Each piece is cut only where the glue holds it exactly as wasm-bindgen 0.2.130
// writes it; glue that holds some of them but not all (another wasm-bindgen) fails the build, and a second run
// (none left) changes nothing.

/** `[what wasm-bindgen writes, what stays]`, each found exactly once in a bundle's glue. */
export const EDITS = [
  ["console.warn(\"`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\\n\", e);", ""],
  ["console.warn('using deprecated parameters for `initSync()`; pass a single object instead')", ""],
  ["console.warn('using deprecated parameters for the initialization function; pass a single object instead')", ""],
  [`if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}`, ""],
  [`    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }
`, ""],
  ["cachedDataViewMemory0.buffer.detached === true || (cachedDataViewMemory0.buffer.detached === undefined && cachedDataViewMemory0.buffer !== wasm.memory.buffer)",
    "cachedDataViewMemory0.buffer !== wasm.memory.buffer"],
  ["typeof Response === 'function' && module instanceof Response", "module instanceof Response"],
  ["if (typeof WebAssembly.instantiateStreaming === 'function') {", "{"],
  [`const validResponse = expectedResponseType(module.type);

                if (validResponse && module.headers.get`, "if (module.headers.get"],
  [`
    function expectedResponseType(type) {
        switch (type) {
            case 'basic': case 'cors': case 'default': return true;
        }
        return false;
    }
`, ""],
  ["(typeof Request === 'function' && module_or_path instanceof Request) || (typeof URL === 'function' && module_or_path instanceof URL)",
    "module_or_path instanceof Request || module_or_path instanceof URL"],
];

/** The fallback for a browser without `FinalizationRegistry`, written once per registry (a class's, the closures'). */
export const NO_REGISTRY = "(typeof FinalizationRegistry === 'undefined')\n    ? { register: () => {}, unregister: () => {} }\n    : ";

/** An import checking `instanceof` in a `try` (for a realm without the class), as wasm-bindgen writes it. */
const INSTANCEOF = /function\(arg0\) \{\n\s*let result;\n\s*try \{\n\s*result = arg0 instanceof ([A-Za-z0-9_$]+);\n\s*\} catch \(_\) \{\n\s*result = false;\n\s*\}\n\s*const ret = result;\n\s*return ret;\n\s*\}/g;

/** A call of `passStringToWasm0` (its definition's parameters included), and one that passes `realloc`. */
const PASS_STRING = /passStringToWasm0\(/g;
const PASS_STRING_WITH_REALLOC = /passStringToWasm0\([A-Za-z0-9_]+, (malloc|wasm\.__wbindgen_malloc), (realloc|wasm\.__wbindgen_realloc)\)/g;

const count = (text, piece) => text.split(piece).length - 1;

/** `glue` trimmed; throws when it holds only some of the pieces, or one twice. */
export function trimGlue(glue, name = "glue") {
  const counts = EDITS.map(([piece]) => count(glue, piece));
  const registries = count(glue, NO_REGISTRY);
  if (counts.every((n) => n === 0) && registries === 0) return glue;
  if (!counts.every((n) => n === 1) || registries === 0) {
    throw new Error(`glue-trim: ${name} is not wasm-bindgen 0.2.130's glue (pieces found ${counts.join(", ")} times, the registry fallback ${registries}): update scripts/glue-trim.mjs`);
  }
  // The branch without `realloc` is cut only when no call needs it.
  const calls = glue.match(PASS_STRING)?.length ?? 0;
  const withRealloc = glue.match(PASS_STRING_WITH_REALLOC)?.length ?? 0;
  if (calls !== withRealloc) {
    throw new Error(`glue-trim: ${name} calls passStringToWasm0 without realloc (${calls - withRealloc} of ${calls}): update scripts/glue-trim.mjs`);
  }
  const edited = EDITS.reduce((text, [piece, rest]) => text.replace(piece, () => rest), glue);
  return edited.split(NO_REGISTRY).join("").replace(INSTANCEOF, (_, name) => `function(arg0) { return arg0 instanceof ${name}; }`);
}
