// Finds RegExp objects that a preloaded module would keep in flash: a RegExp literal, or a
// RegExp(...)/new RegExp(...) call, evaluated while a src/ module loads (outside any function or
// instance-field initialiser).
// Why: the Moddable SDK 8.2.3 linker stores such a regexp without its match buffer; exec/test then
// gets one from malloc (fxAllocateRegExpData in xs/sources/xsre.c lacks an `else`), and the garbage
// collector treats that block as one of its chunks: the engine crashes (segfault) once the collector
// runs during a call. The same module not preloaded is fine. Details: docs/testing.md, "Moddable".
//   node scripts/module-regexps.mjs [--root DIR]
// Prints `<file>:<line>: module-level RegExp <source>: <reason>` for each, then exactly one line
//   module-regexps: ok (N src/ modules)   or   module-regexps: N module-level RegExp(s) in src/
// Exit code 1 when any is found. scripts/moddable-link-check.mjs runs it too.
import { parse } from "@babel/parser";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sourceModules } from "./manifest-preload.mjs";

const defaultRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const REASON =
  "a preloaded module keeps it in flash, and Moddable SDK 8.2.3 crashes in RegExp exec/test on a flash-resident regexp once the collector runs " +
  "(docs/testing.md); use a character loop (src/util/ascii.ts) or make the regexp inside the function";

const FUNCTION_TYPES = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "ObjectMethod",
  "ClassMethod",
  "ClassPrivateMethod",
]);
const SKIPPED_KEYS = new Set(["loc", "start", "end", "extra", "leadingComments", "trailingComments", "innerComments", "typeAnnotation", "returnType"]);

function isRegExpCall(node) {
  return (node.type === "NewExpression" || node.type === "CallExpression") && node.callee.type === "Identifier" && node.callee.name === "RegExp";
}

/** Module-level RegExp creations in one TypeScript/JavaScript source: [{ line, text }]. */
export function regexpsInSource(source, fileName = "module.ts") {
  const ast = parse(source, { sourceType: "module", plugins: fileName.endsWith(".ts") ? ["typescript"] : [] });
  const found = [];
  const walk = (node, inFunction) => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child, inFunction);
      return;
    }
    if (!node || typeof node.type !== "string") return;
    if (!inFunction && (node.type === "RegExpLiteral" || isRegExpCall(node))) {
      found.push({ line: node.loc.start.line, text: source.slice(node.start, node.end) });
    }
    // Bodies of functions and initialisers of instance fields run later, per call or per instance.
    const deferred = FUNCTION_TYPES.has(node.type) || ((node.type === "ClassProperty" || node.type === "ClassPrivateProperty") && !node.static);
    for (const key of Object.keys(node)) {
      if (!SKIPPED_KEYS.has(key) && typeof node[key] === "object") walk(node[key], inFunction || deferred);
    }
  };
  walk(ast.program, false);
  return found;
}

/** Every module-level RegExp creation in root/src: [{ file, line, text }]. */
export function moduleLevelRegExps(root = defaultRoot) {
  const out = [];
  for (const module of sourceModules(root)) {
    for (const extension of [".ts", ".js"]) {
      let source;
      try {
        source = readFileSync(join(root, module + extension), "utf8");
      } catch {
        continue;
      }
      for (const hit of regexpsInSource(source, module + extension)) out.push({ file: module + extension, ...hit });
    }
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const rootIndex = args.indexOf("--root");
  const root = rootIndex >= 0 ? resolve(args[rootIndex + 1]) : defaultRoot;
  const hits = moduleLevelRegExps(root);
  for (const hit of hits) console.log(`${hit.file}:${hit.line}: module-level RegExp ${hit.text}: ${REASON}`);
  if (hits.length === 0) console.log(`module-regexps: ok (${sourceModules(root).length} src/ modules)`);
  else console.log(`module-regexps: ${hits.length} module-level RegExp(s) in src/`);
  process.exit(hits.length === 0 ? 0 : 1);
}
