// Transpiles every TypeScript file of the project to build/ (one .js per .ts, same tree) for Node.
// Type checking is tsc's job (make check); this is only the fast transpile step. A .js whose .ts is
// gone (a moved or deleted module) is removed, so a stale test or module can't run or be imported.
import { build } from "esbuild";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { filesUnder } from "./file-tree.mjs";

// hosts/esp32 is transpiled for its bindings' unit tests (e.g. the USB serial's polling logic).
const roots = ["src", "hosts/node", "hosts/moddable", "hosts/esp32", "test", "tools", "bench"];

const entryPoints = roots.flatMap((root) => filesUnder(root, (name) => name.endsWith(".ts") && !name.endsWith(".d.ts")));

function removeStale(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) removeStale(path);
    else if (name.endsWith(".js") && !existsSync(join(path.slice("build/".length, -3) + ".ts"))) rmSync(path);
  }
}
for (const root of roots) removeStale(join("build", root));
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
