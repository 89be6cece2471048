// Checks the layering of src/: which folders a folder may not import from, and no import cycles
// between modules (type-only imports included: a cycle in types is a cycle in design).
//   node scripts/module-layers.mjs [--root DIR]
// Prints `<file>:<line>: <what> imports <target>: <why>` per violation and one `cycle: a -> b -> a`
// line per cycle, then exactly one line
//   module-layers: ok (N src/ modules)   or   module-layers: N problem(s) in src/
// Exit code 1 on any problem.
import { parse } from "@babel/parser";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { filesUnder } from "./file-tree.mjs";

const defaultRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Folder of src/ → folders of src/ it must not import from, and why. */
export const FORBIDDEN = Object.freeze({
  art: { folders: ["makapix", "device", "mqtt"], why: "art is below makapix and device: it owns the shapes it takes (src/art/artwork.ts)" },
  json: { folders: ["makapix", "device", "mqtt", "art", "net", "display"], why: "json is a generic streaming parser, configured from above" },
  net: { folders: ["makapix", "device", "mqtt", "art", "display", "json"], why: "net is below everything that fetches" },
  display: { folders: ["makapix", "device", "mqtt", "art", "net", "json"], why: "display is below art and everything that shows" },
  mqtt: { folders: ["makapix", "device", "art", "net", "display", "json"], why: "mqtt is a transport: makapix configures it from above" },
  util: { folders: ["makapix", "device", "mqtt", "art", "net", "display", "json"], why: "util is the bottom layer" },
});

const tsFiles = (dir) => filesUnder(dir, (name) => name.endsWith(".ts") && !name.endsWith(".d.ts"));

/** Every module specifier of a source: [{ line, specifier }] (imports, re-exports, import types, dynamic imports). */
export function importsOf(source) {
  const ast = parse(source, { sourceType: "module", plugins: ["typescript"] });
  const found = [];
  const visit = (node) => {
    if (!node || typeof node.type !== "string") return;
    if ((node.type === "ImportDeclaration" || node.type === "ExportNamedDeclaration" || node.type === "ExportAllDeclaration") && node.source) {
      found.push({ line: node.loc.start.line, specifier: node.source.value });
    } else if (node.type === "ImportExpression" && node.source?.type === "StringLiteral") {
      found.push({ line: node.loc.start.line, specifier: node.source.value });
    } else if (node.type === "CallExpression" && node.callee.type === "Import" && node.arguments[0]?.type === "StringLiteral") {
      found.push({ line: node.loc.start.line, specifier: node.arguments[0].value });
    } else if (node.type === "TSImportType" && node.argument?.type === "StringLiteral") {
      found.push({ line: node.loc.start.line, specifier: node.argument.value });
    } else if (node.type === "TSImportType" && node.argument?.literal?.type === "StringLiteral") {
      found.push({ line: node.loc.start.line, specifier: node.argument.literal.value });
    }
    for (const key of Object.keys(node)) {
      if (key === "loc" || key === "leadingComments" || key === "trailingComments") continue;
      const value = node[key];
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === "object") visit(value);
    }
  };
  visit(ast.program);
  return found;
}

/** Problems in the src/ tree under `root`: { problems: string[], modules: number }. */
export function checkLayers(root) {
  const src = join(root, "src");
  const files = tsFiles(src);
  const graph = new Map(); // module (src-relative, no extension) → Set of modules
  const problems = [];
  for (const file of files) {
    const from = relative(src, file).replace(/\.ts$/, "");
    const edges = new Set();
    graph.set(from, edges);
    const folder = from.includes("/") ? from.slice(0, from.indexOf("/")) : "";
    const rule = FORBIDDEN[folder];
    for (const { line, specifier } of importsOf(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const target = relative(src, resolve(dirname(file), specifier)).replace(/\.(js|ts)$/, "");
      if (target.startsWith("..")) {
        problems.push(`src/${from}.ts:${line}: imports ${specifier}, outside src/`);
        continue;
      }
      edges.add(target);
      const targetFolder = target.includes("/") ? target.slice(0, target.indexOf("/")) : "";
      if (rule && rule.folders.includes(targetFolder)) problems.push(`src/${from}.ts:${line}: ${folder} imports src/${target}: ${rule.why}`);
    }
  }
  // Cycles: depth-first search; each cycle is reported once, from its first module in sorted order.
  const state = new Map();
  const stack = [];
  const reported = new Set();
  const walk = (module) => {
    state.set(module, 1);
    stack.push(module);
    for (const next of [...(graph.get(module) ?? [])].sort()) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 1) {
        const cycle = stack.slice(stack.indexOf(next));
        const key = [...cycle].sort().join(" ");
        if (!reported.has(key)) {
          reported.add(key);
          problems.push(`cycle: ${[...cycle, next].map((m) => `src/${m}.ts`).join(" -> ")}`);
        }
      } else if (!state.has(next)) walk(next);
    }
    stack.pop();
    state.set(module, 2);
  };
  for (const module of [...graph.keys()].sort()) if (!state.has(module)) walk(module);
  return { problems, modules: files.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--root");
  const root = at >= 0 ? resolve(process.argv[at + 1]) : defaultRoot;
  const { problems, modules } = checkLayers(root);
  for (const problem of problems) console.log(problem);
  console.log(problems.length === 0 ? `module-layers: ok (${modules} src/ modules)` : `module-layers: ${problems.length} problem(s) in src/`);
  process.exit(problems.length === 0 ? 0 : 1);
}
