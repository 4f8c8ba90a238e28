// Shortens the names a bundle's wasm imports from its JS glue. wasm-bindgen names each import after the JS it
// calls plus a 16-hex-digit hash (`__wbg_createElement_48327820d8577b82`), and every name is written twice: in
// the wasm's import section and as a key of the glue's import object. The hashes do not compress: 2.5-4 KB
// gzip per page for 100-130 imports. Each name becomes a short one (`a`, `b`, … `aa`, …) in both files.
// Only names wasm-bindgen gave (`__wbg_…`, `__wbindgen_…`) are renamed, each only if the glue holds it exactly
// once (its key), so a second run changes nothing and anything unexpected fails the build instead of a page.
// The same for the exports wasm-bindgen names with a hash (the closures' `…_invoke__h<hash>`: `h0`, `h1`, …);
// the custom sections browsers ignore (`producers`, `target_features`) are dropped on the way.

/** Reads an unsigned LEB128 at `pos`: [value, next position]. */
function leb(bytes, pos) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, pos];
}

/** An unsigned LEB128 encoding of `value`. */
function encodeLeb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/** The position after a LEB128 at `pos` (any width). */
const skipLeb = (bytes, pos) => leb(bytes, pos)[1];

/** The position after an import's description (function, table, memory, global or tag) at `pos`. */
function skipImportDesc(bytes, pos) {
  const kind = bytes[pos++];
  const limits = (p) => {
    const flags = bytes[p++];
    p = skipLeb(bytes, p);
    return flags & 1 ? skipLeb(bytes, p) : p;
  };
  switch (kind) {
    case 0: return skipLeb(bytes, pos); // function: type index
    case 1: return limits(pos + 1); // table: reference type, limits
    case 2: return limits(pos); // memory: limits
    case 3: return pos + 2; // global: value type, mutability
    case 4: return skipLeb(bytes, pos + 1); // tag: attribute, type index
    default: throw new Error(`wasm import of unknown kind ${kind}`);
  }
}

/** The n-th short name: a..z, A..Z, then two letters and more; never a JS keyword. */
function shortName(n) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let name = "";
  n += 1;
  while (n > 0) {
    n -= 1;
    name = letters[n % letters.length] + name;
    n = Math.floor(n / letters.length);
  }
  return name;
}
const KEYWORDS = new Set(["do", "if", "in"]);

/** wasm-bindgen's exports for closures, named with a hash (`…_invoke__h0123456789abcdef`), read once by the glue. */
const isHashedExport = (name) => /__h[0-9a-f]{16}$/.test(name);

/**
 * wasm-bindgen's own exports (`__wbindgen_malloc`, `__externref_table_alloc`, `__wbg_widgethandle_free`, …: a name
 * starting with `__`), which only the glue reads, as properties of the instance's exports (`A.__wbindgen_malloc`,
 * up to a dozen times each). The module's own API (`mount`, `start`, `widgethandle_unmount`, `memory`) keeps its
 * names.
 */
const isInternalExport = (name) => name.startsWith("__");

/**
 * The export section (content from `start` to `end`) with hashed names shortened to `h0`, `h1`, … (in `renames`)
 * and wasm-bindgen's own ones to `x0`, `x1`, … (in `internal`).
 */
function exportSection(bytes, start, end, renames, internal) {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const encoder = new TextEncoder();
  const [count, first] = leb(bytes, start);
  const names = [];
  let p = first;
  for (let i = 0; i < count; i++) {
    const [length, at] = leb(bytes, p);
    const name = decoder.decode(bytes.subarray(at, at + length));
    const next = skipLeb(bytes, at + length + 1);
    names.push([name, bytes.subarray(at + length, next)]);
    p = next;
  }
  if (p !== end) throw new Error(`wasm export section: ${end - p} bytes left over`);
  const taken = new Set(names.map(([name]) => name));
  let counter = 0;
  let internalCounter = 0;
  const body = [...encodeLeb(count)];
  for (const [name, desc] of names) {
    let short = name;
    if (isHashedExport(name)) {
      do short = `h${counter++}`;
      while (taken.has(short));
      renames.set(name, short);
    } else if (isInternalExport(name)) {
      do short = `x${internalCounter++}`;
      while (taken.has(short));
      internal.set(name, short);
    }
    const encoded = encoder.encode(short);
    body.push(...encodeLeb(encoded.length), ...encoded, ...desc);
  }
  return Uint8Array.from([7, ...encodeLeb(body.length), ...body]);
}

/** Custom sections no browser reads (the toolchain's names and target features): about 0.2 KB per bundle. */
const DROPPED = new Set(["producers", "target_features"]);

/** The name of the custom section whose content starts at `start`. */
function customName(bytes, start) {
  const [length, at] = leb(bytes, start);
  return new TextDecoder().decode(bytes.subarray(at, at + length));
}

/** What the glue's own module is called in both files after the renaming. */
const GLUE_MODULE = "w";
const isGlueModule = (module) => module.startsWith("./") && module.endsWith("_bg.js");
const isWasmBindgenName = (name) => name.startsWith("__wbg_") || name.startsWith("__wbindgen_");
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** `name` as a whole token: not part of a longer identifier. */
const token = (name) => new RegExp(`(?<![A-Za-z0-9_$])${escape(name)}(?![A-Za-z0-9_$])`, "g");

/**
 * The wasm with its wasm-bindgen import names shortened, the glue with the same names, and how many were renamed.
 * Throws when a name is not exactly once in the glue: the two files would no longer fit together.
 */
export function shortenImports(wasm, glue) {
  const bytes = new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const encoder = new TextEncoder();
  const renames = new Map();
  const internal = new Map();
  const kept = new Set();
  const modules = new Set();
  let counter = 0;
  const out = [bytes.subarray(0, 8)];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [length, start] = leb(bytes, pos + 1);
    const end = start + length;
    if (id === 0 && DROPPED.has(customName(bytes, start))) {
      pos = end;
      continue;
    }
    if (id === 7) {
      out.push(exportSection(bytes, start, end, renames, internal));
      pos = end;
      continue;
    }
    if (id !== 2) {
      out.push(bytes.subarray(pos, end));
      pos = end;
      continue;
    }
    const [count, first] = leb(bytes, start);
    const body = [...encodeLeb(count)];
    let p = first;
    for (let i = 0; i < count; i++) {
      const [moduleLength, moduleStart] = leb(bytes, p);
      const moduleEnd = moduleStart + moduleLength;
      const [fieldLength, fieldStart] = leb(bytes, moduleEnd);
      const fieldEnd = fieldStart + fieldLength;
      const descEnd = skipImportDesc(bytes, fieldEnd);
      const module = decoder.decode(bytes.subarray(moduleStart, moduleEnd));
      const field = decoder.decode(bytes.subarray(fieldStart, fieldEnd));
      // The glue's own module (`./amazon-pay-x_bg.js`) becomes `w`, once per import.
      const moduleName = isGlueModule(module) ? (modules.add(module), GLUE_MODULE) : module;
      const moduleBytes = encoder.encode(moduleName);
      let name = field;
      if (isWasmBindgenName(field)) {
        if (!renames.has(field)) {
          let short;
          do short = shortName(counter++);
          while (KEYWORDS.has(short));
          renames.set(field, short);
        }
        name = renames.get(field);
      } else {
        kept.add(field);
      }
      const encoded = encoder.encode(name);
      body.push(...encodeLeb(moduleBytes.length), ...moduleBytes, ...encodeLeb(encoded.length), ...encoded, ...bytes.subarray(fieldEnd, descEnd));
      p = descEnd;
    }
    if (p !== end) throw new Error(`wasm import section: ${end - p} bytes left over`);
    out.push(Uint8Array.of(2, ...encodeLeb(body.length)), Uint8Array.from(body));
    pos = end;
  }
  let js = glue;
  let renamed = 0;
  for (const [from, to] of renames) {
    if (kept.has(to)) throw new Error(`wasm import ${from}: its short name ${to} is taken by another import`);
    const found = js.match(token(from))?.length ?? 0;
    if (found !== 1) throw new Error(`wasm import ${from}: ${found} occurrences in the JS glue, expected its one key`);
    js = js.replace(token(from), to);
    renamed++;
  }
  // wasm-bindgen's own exports: every mention in the glue is a property read (`A.__wbindgen_malloc`), or the
  // files would not fit together.
  for (const [from, to] of internal) {
    const all = js.match(token(from))?.length ?? 0;
    const read = new RegExp(`\\.${escape(from)}(?![A-Za-z0-9_$])`, "g");
    const reads = js.match(read)?.length ?? 0;
    if (reads !== all) throw new Error(`wasm export ${from}: ${all - reads} of its ${all} mentions in the JS glue are not a property read`);
    js = js.replace(read, `.${to}`);
    renamed++;
  }
  if (modules.size > 1) throw new Error(`wasm imports from ${modules.size} glue modules: ${[...modules].join(", ")}`);
  for (const module of modules) {
    const key = JSON.stringify(module);
    const found = js.split(key).length - 1;
    if (found !== 1) throw new Error(`wasm import module ${module}: ${found} occurrences in the JS glue, expected its one key`);
    js = js.replace(key, JSON.stringify(GLUE_MODULE));
  }
  return { wasm: Buffer.concat(out), js, renamed };
}
