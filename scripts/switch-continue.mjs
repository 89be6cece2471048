// Finds `continue` statements (and labelled `break`s) in src/ that leave a `switch` to reach their
// loop. Why: XS 17 (Moddable SDK 8.2.3's engine, checked with its xst) leaves one stack slot behind
// for each such jump, so a loop that takes it once per byte overflows the stack: a 25 KB JSON chunk
// did, in the device engine and on no other (Node and xsnap's XS 13.3 have room to spare). Use an
// if/else chain, or break out of the switch first.
//   node scripts/switch-continue.mjs [--root DIR]
// Prints `<file>:<line>: <statement> leaves a switch` for each, then exactly one line
//   switch-continue: ok (N src/ modules)   or   switch-continue: N jump(s) out of a switch in src/
// Exit code 1 when any is found.
import { parse } from "@babel/parser";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sourceModules } from "./manifest-preload.mjs";

const defaultRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);
const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression", "ObjectMethod", "ClassMethod", "ClassPrivateMethod"]);
const SKIPPED_KEYS = new Set(["loc", "start", "end", "extra", "leadingComments", "trailingComments", "innerComments", "typeAnnotation", "returnType"]);

/** Jumps out of a switch in one source: [{ line, text }]. */
export function jumpsInSource(source, fileName = "module.ts") {
  const ast = parse(source, { sourceType: "module", plugins: fileName.endsWith(".ts") ? ["typescript"] : [] });
  const found = [];
  // `path`: the enclosing nodes, innermost last, each with its label (if a labelled statement holds it).
  const visit = (node, path, label) => {
    if (!node || typeof node.type !== "string") return;
    if (node.type === "ContinueStatement" || (node.type === "BreakStatement" && node.label)) {
      const target = node.label?.name;
      for (let i = path.length - 1; i >= 0; i--) {
        const { node: outer, label: outerLabel } = path[i];
        if (FUNCTIONS.has(outer.type)) break;
        const isTarget = target ? outerLabel === target : LOOPS.has(outer.type);
        if (isTarget) break;
        if (outer.type === "SwitchStatement") {
          found.push({ line: node.loc.start.line, text: node.type === "ContinueStatement" ? `continue${target ? ` ${target}` : ""}` : `break ${target}` });
          break;
        }
      }
    }
    const entry = { node, label };
    const nextPath = [...path, entry];
    for (const [key, value] of Object.entries(node)) {
      if (SKIPPED_KEYS.has(key)) continue;
      const childLabel = node.type === "LabeledStatement" && key === "body" ? node.label.name : undefined;
      if (Array.isArray(value)) for (const child of value) visit(child, nextPath, undefined);
      else if (value && typeof value === "object") visit(value, node.type === "LabeledStatement" ? path : nextPath, childLabel);
    }
  };
  visit(ast.program, [], undefined);
  return found;
}

export function checkTree(root = defaultRoot) {
  const problems = [];
  const modules = sourceModules(root);
  for (const name of modules) {
    const file = `${name}.ts`;
    let source;
    try {
      source = readFileSync(join(root, file), "utf8");
    } catch {
      continue; // a .js module of src/: none today
    }
    for (const jump of jumpsInSource(source, file)) problems.push(`${file}:${jump.line}: ${jump.text} leaves a switch`);
  }
  return { modules: modules.length, problems };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rootIndex = process.argv.indexOf("--root");
  const { modules, problems } = checkTree(rootIndex > 0 ? resolve(process.argv[rootIndex + 1]) : defaultRoot);
  for (const problem of problems) console.log(problem);
  console.log(problems.length === 0 ? `switch-continue: ok (${modules} src/ modules)` : `switch-continue: ${problems.length} jump(s) out of a switch in src/`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
