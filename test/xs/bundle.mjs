// Bundles one unit-test file for an XS engine: node:test becomes test/xs/harness.ts and node:assert(/strict)
// becomes test/xs/assert.ts. Any other node:* import fails the bundle, which is what we want: such code
// cannot run on the device. Shared by the xsnap tier (test/xs/run.mjs) and the Moddable SDK tier
// (test/moddable/run-unit.mjs), which also keeps src/ out of the bundle so that the app's preloaded
// modules are the ones under test.
import { build } from "esbuild";
import { readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const harnessModule = join(projectRoot, "test/xs/harness.ts");
const assertModule = join(projectRoot, "test/xs/assert.ts");

const nodeTestStandIns = {
  name: "xs-node-test-stand-ins",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^node:(test|assert|assert\/strict)$/ }, (args) => ({
      path: args.path === "node:test" ? harnessModule : assertModule,
    }));
  },
};

/**
 * Imports of files under one of `externalFolders` (paths relative to the project root, e.g. "src")
 * stay imports, by their Moddable module name: "../../src/mqtt/client.js" becomes "src/mqtt/client".
 */
function externalModules(externalFolders) {
  return {
    name: "xs-external-modules",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = resolve(args.resolveDir, args.path).replace(/\.(js|ts)$/, "");
        const relativePath = target.slice(projectRoot.length + 1);
        if (!target.startsWith(projectRoot + "/")) return undefined;
        if (!externalFolders.some((folder) => relativePath.startsWith(folder + "/"))) return undefined;
        return { path: relativePath, external: true };
      });
    },
  };
}

/** Returns undefined on success, or the first bundling error as one line. */
export async function bundleTestFile(testFile, outFile, { external = [] } = {}) {
  try {
    await build({
      entryPoints: [testFile],
      outfile: outFile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      plugins: [nodeTestStandIns, ...(external.length ? [externalModules(external)] : [])],
      logLevel: "silent",
    });
    return undefined;
  } catch (error) {
    const first = error.errors?.[0];
    if (!first) return String(error.message ?? error);
    const where = first.location ? ` (${first.location.file}:${first.location.line})` : "";
    return `${first.text}${where}`;
  }
}

/** The test files (`*.test.ts`) at `path` (a file, or a folder searched recursively), in sorted order. */
export function collectTestFiles(path, out = []) {
  if (!statSync(path).isDirectory()) {
    out.push(path);
    return out;
  }
  for (const name of readdirSync(path).sort()) {
    const child = join(path, name);
    if (statSync(child).isDirectory()) collectTestFiles(child, out);
    else if (name.endsWith(".test.ts")) out.push(child);
  }
  return out;
}
