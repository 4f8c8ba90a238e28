// Prints what npm/types.d.ts declares, as JSON, for tests/typescript_types.rs to compare with the Rust types:
//   views:     each view's configuration keys besides `view` (from the union `MountConfig`)
//   events:    each `amazonpay:*` event's detail, its `kind` and its other fields (from `AmazonPayEventMap`)
//   languages: the `Language` codes
// Read with TypeScript's own checker (node_modules/typescript), not by pattern matching.
import ts from "typescript";
import { resolve } from "node:path";

const file = resolve(process.argv[2] ?? "npm/types.d.ts");
const program = ts.createProgram([file], { strict: true, noEmit: true, types: [], lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"] });
const diagnostics = ts.getPreEmitDiagnostics(program);
if (diagnostics.length) {
  console.error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n" }));
  process.exit(1);
}
const checker = program.getTypeChecker();
const source = program.getSourceFile(file);
const exported = new Map(checker.getExportsOfModule(checker.getSymbolAtLocation(source)).map((s) => [s.name, s]));

function declared(name) {
  const symbol = exported.get(name);
  if (!symbol) throw new Error(`${file} exports no ${name}`);
  return checker.getDeclaredTypeOfSymbol(symbol);
}
const members = (type) => (type.isUnion() ? type.types : [type]);
/** The string literals of a type, `undefined` left out. */
const literals = (type) => members(type).filter((t) => t.isStringLiteral()).map((t) => t.value);
const propType = (symbol) => checker.getNonNullableType(checker.getTypeOfSymbol(symbol));

const views = {};
for (const config of members(declared("MountConfig"))) {
  let name;
  const keys = [];
  for (const prop of checker.getPropertiesOfType(config)) {
    const type = propType(prop);
    if (prop.name === "view") [name] = literals(type);
    else if (!(type.flags & ts.TypeFlags.Never)) keys.push(prop.name);
  }
  if (!name || views[name]) throw new Error(`MountConfig: a member without its own view literal (${checker.typeToString(config)})`);
  views[name] = keys.sort();
}

const events = {};
for (const prop of checker.getPropertiesOfType(declared("AmazonPayEventMap"))) {
  const detailSymbol = checker.getPropertyOfType(checker.getTypeOfSymbol(prop), "detail");
  if (!detailSymbol) throw new Error(`AmazonPayEventMap["${prop.name}"] is not a CustomEvent`);
  const detail = checker.getTypeOfSymbol(detailSymbol);
  const fields = checker.getPropertiesOfType(detail).map((p) => p.name).filter((n) => n !== "kind").sort();
  const kind = checker.getPropertyOfType(detail, "kind");
  events[prop.name] = { kind: kind ? literals(propType(kind))[0] ?? null : null, fields };
}

const languages = literals(declared("Language")).sort();
console.log(JSON.stringify({ views, events, languages }, null, 1));
