// Writes the npm package `amazon-pay-widget` from the widget's build (dist/, scripts/build-widget) and npm/:
//   amazon-pay-<view>.js, _bg.wasm, .d.ts   one per-page bundle per view (bundles/), and amazon-pay-widget.* with
//                                           every view; each bundle's .d.ts types `mount` with its view's config
//   amazon-pay-<view>.<lang>.js, _bg.wasm,  the one-language bundles (scripts/one-language.mjs: the lander,
//     .d.ts                                 upsell and CV1 with one language's texts), typed as their view's
//   types.d.ts                              the configuration, event and handle types (npm/types.d.ts)
//   amazon-pay-widget.css                   the widget's stylesheet (dist/amazon-pay.css)
//   package.json, README.md                 (npm/README.md)
// Usage: node scripts/package.mjs [out-dir]   (default target/npm/amazon-pay-widget; replaced each time)
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LANGUAGES, ONE_LANGUAGE_VIEWS } from "./one-language.mjs";

const root = resolve(import.meta.dirname, "..");
const dist = join(root, "dist");
const out = resolve(process.argv[2] ?? join(root, "target/npm/amazon-pay-widget"));

/** The per-page bundles (bundles/<view>/, `View::ALL` in src/embed/mod.rs), each with its configuration type. */
export const VIEWS = {
  button: "ButtonConfig",
  review: "ReviewConfig",
  confirmation: "ConfirmationConfig",
  apb: "ApbConfig",
  lander: "LanderConfig",
  upsell: "UpsellConfig",
  cv1: "Cv1Config",
};

/** The crate's version (the root Cargo.toml's [package]): the package has the widget's version. */
function crateVersion() {
  const manifest = readFileSync(join(root, "Cargo.toml"), "utf8");
  const section = manifest.slice(manifest.indexOf("\n[package]"));
  const version = section.match(/^version = "([^"]+)"/m)?.[1];
  if (!version) throw new Error("no version in Cargo.toml's [package]");
  return version;
}

/** The handle of a bundle without dynamic carts (it shadows the `WidgetHandle` of `export *`). */
const FIXED_HANDLE = `/** A mounted widget (this bundle has no \`update\`: mount again for a new configuration). */
export declare class WidgetHandle {
  private constructor();
  /** Removes the widget from the page and releases its callbacks. */
  unmount(): void;
  /** Frees the handle's memory in the WebAssembly module (the widget stays until \`unmount\`). */
  free(): void;
  [Symbol.dispose](): void;
}`;

/** A per-page bundle's declarations: the all-views one with `mount` taking only this view's configuration. */
function bundleTypes(view, configType) {
  const all = readFileSync(join(root, "npm/amazon-pay-widget.d.ts"), "utf8");
  const typed = all
    .replace("import type { Init, InitSync, MountConfig, WidgetHandle }", `import type { Init, InitSync, ${configType}, WidgetHandle }`)
    .replace(/\/\*\* Mounts the widget[^]*?config\?: MountConfig \| string \| null\): WidgetHandle;/, view === "button"
      ? "/** Mounts the button into `element` (a configuration object, or its JSON; left out: an empty cart). Throws an\n * `Error` saying why when the configuration is invalid. Call after `init()`. */\n" +
        `export declare function mount(element: HTMLElement, config?: ${configType} | string | null): WidgetHandle;`
      : `/** Mounts the ${view} view into \`element\` (a configuration object with \`view: "${view}"\`, or its JSON). Throws an\n * \`Error\` saying why when the configuration is invalid. Call after \`init()\`. */\n` +
        `export declare function mount(element: HTMLElement, config: ${configType} | string): WidgetHandle;`)
    .replace(/^\/\/ The all-views bundle[^\n]*\n(\/\/[^\n]*\n)*/, `// The ${view} view's bundle (amazon-pay-${view}.js): \`mount\` takes the ${view} view's configuration only.\n`);
  // `handle.update` (dynamic carts) is built into the button's and the all-views bundles only (feature `dynamic`):
  // the other bundles' handle has no `update`, and their declarations say so.
  const handled = view === "button" ? typed : typed
    .replace(`import type { Init, InitSync, ${configType}, WidgetHandle }`, `import type { Init, InitSync, ${configType} }`)
    .replace(/\nexport \* from "\.\/types\.js";\n/, `\nexport * from "./types.js";\n\n${FIXED_HANDLE}\n`);
  if (view !== "button" && !handled.includes(FIXED_HANDLE)) {
    throw new Error("npm/amazon-pay-widget.d.ts changed: scripts/package.mjs cannot declare the handle without update");
  }
  if (!handled.includes(`config?: ${configType} |`) && !typed.includes(`config: ${configType} |`) || handled.includes("MountConfig")) {
    throw new Error("npm/amazon-pay-widget.d.ts changed: scripts/package.mjs cannot derive the per-bundle declarations");
  }
  return handled;
}

/** A one-language bundle's declarations: its view's bundle's, whose `mount` and handle it has. */
const oneLanguageTypes = (view, lang) =>
  `// The ${view} view's bundle with the ${lang} texts only (amazon-pay-${view}.${lang}.js): amazon-pay-${view}.js's API.\n` +
  `export * from "./amazon-pay-${view}.js";\nexport { default } from "./amazon-pay-${view}.js";\n`;

export function writePackage(target = out) {
  const version = crateVersion();
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const files = [];
  const copy = (from, name) => {
    if (!existsSync(from)) throw new Error(`${from} is missing: run scripts/build-widget first`);
    copyFileSync(from, join(target, name));
    files.push(name);
  };
  const write = (name, text) => {
    writeFileSync(join(target, name), text);
    files.push(name);
  };
  const exports = {};
  for (const [bundle, types] of [["widget", null], ...Object.entries(VIEWS)]) {
    const name = `amazon-pay-${bundle}`;
    copy(join(dist, `${name}.js`), `${name}.js`);
    copy(join(dist, `${name}_bg.wasm`), `${name}_bg.wasm`);
    if (types) write(`${name}.d.ts`, bundleTypes(bundle, types));
    else copy(join(root, "npm/amazon-pay-widget.d.ts"), `${name}.d.ts`);
    exports[bundle === "widget" ? "." : `./${bundle}`] = { types: `./${name}.d.ts`, default: `./${name}.js` };
    // The wasm's URL for bundlers that do not follow the glue's `new URL(…, import.meta.url)` (README.md).
    exports[`./${bundle}.wasm`] = { types: "./wasm-url.d.ts", default: `./${name}_bg.wasm` };
  }
  // The one-language bundles: `amazon-pay-widget/cv1.de` and `amazon-pay-widget/cv1.de.wasm`, as the view's.
  for (const view of ONE_LANGUAGE_VIEWS) {
    for (const lang of LANGUAGES) {
      const name = `amazon-pay-${view}.${lang}`;
      copy(join(dist, `${name}.js`), `${name}.js`);
      copy(join(dist, `${name}_bg.wasm`), `${name}_bg.wasm`);
      write(`${name}.d.ts`, oneLanguageTypes(view, lang));
      exports[`./${view}.${lang}`] = { types: `./${name}.d.ts`, default: `./${name}.js` };
      exports[`./${view}.${lang}.wasm`] = { types: "./wasm-url.d.ts", default: `./${name}_bg.wasm` };
    }
  }
  copy(join(root, "npm/types.d.ts"), "types.d.ts");
  write("wasm-url.d.ts", "// A .wasm file imported as its URL (esbuild's `file` loader, webpack's asset/resource): see README.md.\ndeclare const url: string;\nexport default url;\n");
  copy(join(dist, "amazon-pay.css"), "amazon-pay-widget.css");
  exports["./style.css"] = "./amazon-pay-widget.css";
  exports["./package.json"] = "./package.json";
  copy(join(root, "npm/README.md"), "README.md");
  const pkg = {
    name: "amazon-pay-widget",
    version,
    description: "Amazon Pay checkout widget (Checkout v2, APB, legacy v1) in WebAssembly: mount(element, config) with TypeScript types, one small bundle per page",
    license: "MIT OR Apache-2.0",
    type: "module",
    main: "./amazon-pay-widget.js",
    types: "./amazon-pay-widget.d.ts",
    exports,
    files: files.sort(),
    // The modules do nothing when imported (the widget starts with `init()`); the stylesheet is imported for
    // its effect, so bundlers must keep it.
    sideEffects: ["*.css"],
    keywords: ["amazon-pay", "checkout", "payments", "wasm", "widget"],
  };
  writeFileSync(join(target, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  return { dir: target, pkg };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { dir, pkg } = writePackage();
  console.log(`npm package ${pkg.name}@${pkg.version} in ${dir} (${pkg.files.length} files); \`npm pack\` there makes the tarball`);
}
