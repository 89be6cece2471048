// Keeps the root manifest's `preload` list equal to the modules of src/.
// mcconfig matches a wildcard preload ("src/mqtt/*") only against .js files, so a TypeScript module is
// preloaded only when its name is listed explicitly. This script derives that list from the tree
// (module name = path without extension, e.g. "src/mqtt/client") and compares or rewrites it.
//   node scripts/manifest-preload.mjs --check   exit 1 and list the missing and extra names
//   node scripts/manifest-preload.mjs --write   rewrite the list in place (sorted), keeping other entries
//   --root DIR                                  another checkout (the tests use a scratch tree)
// Entries outside src/ (none today) are left alone by both.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { filesUnder } from "./file-tree.mjs";

const defaultRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Module names of every .ts/.js file under root/src (declarations excluded), sorted. */
export function sourceModules(root = defaultRoot) {
  return filesUnder(join(root, "src"), (name) => /\.(ts|js)$/.test(name) && !name.endsWith(".d.ts"))
    .map((path) => relative(root, path).split("\\").join("/").replace(/\.(ts|js)$/, ""))
    .sort();
}

/** Compares the manifest's src/ preload entries with the tree. */
export function comparePreload(root = defaultRoot) {
  const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
  const listed = (manifest.preload ?? []).filter((name) => name.startsWith("src/"));
  const expected = sourceModules(root);
  const missing = expected.filter((name) => !listed.includes(name));
  const extra = listed.filter((name) => !expected.includes(name));
  return { manifest, listed, expected, missing, extra };
}

/** Rewrites manifest.json with the src/ preload entries equal to the tree; other keys keep their order. */
export function writePreload(root = defaultRoot) {
  const { manifest, expected } = comparePreload(root);
  const others = (manifest.preload ?? []).filter((name) => !name.startsWith("src/"));
  manifest.preload = [...expected, ...others];
  writeFileSync(join(root, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest.preload;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf("--root");
  const root = rootAt >= 0 ? resolve(args[rootAt + 1] ?? ".") : defaultRoot;
  const mode = args.find((arg) => arg === "--check" || arg === "--write");
  if (mode === "--write") {
    const list = writePreload(root);
    console.log(`manifest-preload: wrote ${list.length} preload entries`);
  } else if (mode === "--check") {
    const { expected, missing, extra } = comparePreload(root);
    for (const name of missing) console.log(`missing: ${name}`);
    for (const name of extra) console.log(`extra: ${name}`);
    if (missing.length + extra.length > 0) {
      console.log(`manifest-preload: ${missing.length} missing, ${extra.length} extra (fix: node scripts/manifest-preload.mjs --write)`);
      process.exit(1);
    }
    console.log(`manifest-preload: ok (${expected.length} src/ modules preloaded)`);
  } else {
    console.error("usage: node scripts/manifest-preload.mjs --check | --write");
    process.exit(2);
  }
}
