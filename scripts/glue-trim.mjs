// Takes out of wasm-bindgen's JS glue what no page of ours runs: the console warnings for the deprecated ways of
// calling `init`/`initSync` (a bare URL or module instead of `{ module_or_path }`; they still work, silently) and
// for a server that does not send `application/wasm` (the fallback stays), and the `TextEncoder.encodeInto`
// polyfill (every browser that runs our wasm has it: the wasm needs reference types, Chrome 96, Firefox 79,
// Safari 15; `encodeInto` came in Chrome 74, Firefox 66, Safari 14.1). About 0.2 KB gzip per page.
// Each piece is cut only where the glue holds it exactly as wasm-bindgen 0.2.130 writes it; glue that holds some
// of them but not all (another wasm-bindgen) fails the build, and a second run (none left) changes nothing.

/** What is cut, each exactly as wasm-bindgen writes it. */
export const PIECES = [
  "console.warn(\"`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\\n\", e);",
  "console.warn('using deprecated parameters for `initSync()`; pass a single object instead')",
  "console.warn('using deprecated parameters for the initialization function; pass a single object instead')",
  `if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}`,
];

/** `glue` without the pieces; throws when it holds only some of them, or one twice. */
export function trimGlue(glue, name = "glue") {
  const counts = PIECES.map((piece) => glue.split(piece).length - 1);
  if (counts.every((n) => n === 0)) return glue;
  if (!counts.every((n) => n === 1)) {
    throw new Error(`glue-trim: ${name} is not wasm-bindgen 0.2.130's glue (pieces found ${counts.join(", ")} times): update scripts/glue-trim.mjs`);
  }
  return PIECES.reduce((text, piece) => text.replace(piece, () => ""), glue);
}
