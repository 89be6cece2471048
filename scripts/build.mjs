// Transpiles every TypeScript file of the project to build/ (one .js per .ts, same tree) for Node.
// Type checking is tsc's job (make check); this is only the fast transpile step.
import { build } from "esbuild";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const roots = ["src", "hosts/node", "hosts/moddable", "test", "tools", "bench"];

function collect(dir, out) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const entryPoints = roots.flatMap((root) => collect(root, []));
await build({
  entryPoints,
  outdir: "build",
  outbase: ".",
  format: "esm",
  platform: "node",
  target: "es2022",
  sourcemap: "inline",
  logLevel: "warning",
});
