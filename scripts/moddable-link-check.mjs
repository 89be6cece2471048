// The linker check of the `moddable` tier: builds the root manifest for the Moddable simulator and
// reads what the SDK's linker (xsl) says about our modules. A preloaded module's objects live in
// flash; xsl warns about every one it cannot keep there ("not frozen": an object that is not frozen;
// "no const": a module-level `let`), and such state either costs RAM or throws at run time on the
// device. It also verifies from the generated makefile that every module of src/ really is preloaded
// (mcconfig silently ignores wildcard preloads of .ts modules), and that no preloaded module keeps a
// RegExp in flash (SDK 8.2.3 crashes in exec/test on one, docs/testing.md): each src/ module that
// creates one while it loads fails (scripts/module-regexps.mjs names the line), and so does a linked
// heap (mc.xs.c) holding any RegExp object, whatever made it.
//   node scripts/moddable-link-check.mjs [--keep-going]
// Output: each warning line about src/ and hosts/moddable/ modules, then exactly one line
//   moddable-link: N passed, M failed     (one check per preloaded module of ours; +1 failed when the
//                                          build fails or a src/ module is not preloaded)
// or `moddable-link: skipped (no SDK)` (exit 0) when scripts/moddable-sdk.sh finds no SDK.
// Exit code 1 when anything failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sourceModules } from "./manifest-preload.mjs";
import { sdkEnvironment } from "./moddable-sdk.mjs";
import { moduleLevelRegExps, REASON as REGEXP_REASON } from "./module-regexps.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "build/mc-link");
const OURS = /^(src|hosts\/moddable)\//;

/** The closing line. exitCode, not exit(): exit() can drop output still queued for a pipe. */
function finish(passed, failed) {
  console.log(`moddable-link: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

// 1. The SDK: the user's $MODDABLE or the project's copy; exit code 3 means there is none.
const sdk = spawnSync("bash", [join(root, "scripts/moddable-sdk.sh")], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (sdk.status === 3) {
  console.log("moddable-link: skipped (no SDK)");
  process.exit(0);
}
const moddable = sdk.stdout.trim().split("\n").pop();
if (sdk.status !== 0 || !moddable) {
  console.log("moddable-link: the SDK could not be found or built (scripts/moddable-sdk.sh failed)");
  console.log("moddable-link: 0 passed, 1 failed");
  process.exit(1);
}

/** Folders under `dir` (recursively) that hold a file called `name`. */
function foldersHolding(dir, name, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (entry === name) out.push(dir);
    else if (statSync(path).isDirectory()) foldersHolding(path, name, out);
  }
  return out;
}

// 2. Force the compile and link of our modules (make would skip an up-to-date xsl and print
// nothing): drop the linker's output and our compiled modules; the engine's C objects are kept.
for (const tmp of foldersHolding(join(outDir, "tmp"), "makefile")) {
  rmSync(join(tmp, "mc.xs.c"), { force: true });
  for (const tree of ["src", "hosts"]) {
    rmSync(join(tmp, "modules", tree), { recursive: true, force: true });
    rmSync(join(tmp, "tsc", tree), { recursive: true, force: true });
  }
}
mkdirSync(outDir, { recursive: true });
const started = Date.now();
const env = sdkEnvironment(moddable);
const build = spawnSync("mcconfig", ["-m", "-p", "lin", "-t", "build", "-o", outDir, "manifest.json"], {
  cwd: root, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024,
});
const output = `${build.stdout ?? ""}\n${build.stderr ?? ""}`;
let buildFailed = build.status !== 0;
if (buildFailed) {
  console.log(output.split("\n").filter((line) => line.trim() !== "").slice(-30).join("\n"));
  console.log(`moddable-link: mcconfig failed (exit ${build.status ?? build.signal ?? build.error?.message})`);
}

// 3. Warnings about our modules: xsl's "### warning: <module>: <path>: not frozen | no const" (and
// "### error" for what cannot be preloaded at all), and xsc's "<file>:<line>: warning: ..." lines.
const warnings = new Map(); // module -> lines
function note(module, line) {
  if (!warnings.has(module)) warnings.set(module, []);
  warnings.get(module).push(line);
}
for (const line of output.split("\n")) {
  const linker = /^### (?:warning|error): ([^:\s]+):/.exec(line);
  if (linker) {
    if (OURS.test(linker[1])) note(linker[1], line);
    continue;
  }
  const compiler = /^(\S+?\.(?:js|ts)):\d+: (?:warning|error)/.exec(line);
  if (compiler) {
    // Our sources compile from <out>/.../tsc/<module>/<absolute path>.js: name the module by the tree.
    const relative = compiler[1].replace(/\\/g, "/").split(`${root}/`).pop();
    const module = relative.replace(/\.(js|ts)$/, "");
    if (OURS.test(module)) note(module, line);
  }
}

// RegExp objects made while a src/ module loads: a failure of that module, with the line and why.
for (const hit of moduleLevelRegExps(root)) {
  note(hit.file.replace(/\.(js|ts)$/, ""), `${hit.file}:${hit.line}: module-level RegExp ${hit.text}: ${REGEXP_REASON}`);
}

// 4. What really is preloaded: the `-p <module>.xsb` arguments mcconfig gives xsl.
// Only the makefile this build wrote: an older app folder under build/mc-link (another checkout name)
// must not vouch for this one.
const makefiles = foldersHolding(join(outDir, "tmp"), "makefile")
  .map((dir) => join(dir, "makefile"))
  .filter((path) => statSync(path).mtimeMs >= started - 2000);
const preloaded = new Set();
for (const makefile of makefiles) {
  for (const match of readFileSync(makefile, "utf8").matchAll(/-p (\S+)\.xsb/g)) preloaded.add(match[1]);
}
if (!buildFailed && makefiles.length === 0) {
  console.log("moddable-link: the build wrote no makefile under build/mc-link/tmp");
  buildFailed = true;
}
// RegExp objects in the linked (flash) heap, from any module: xsl writes each as an XS_REGEXP_KIND slot.
let flashRegExps = 0;
for (const makefile of makefiles) {
  const linked = join(dirname(makefile), "mc.xs.c");
  if (existsSync(linked)) flashRegExps += readFileSync(linked, "utf8").split(".kind = XS_REGEXP_KIND}").length - 1;
}
if (flashRegExps > 0) console.log(`flash-resident RegExp objects in the linked heap: ${flashRegExps}: ${REGEXP_REASON}`);
const notPreloaded = sourceModules(root).filter((name) => !preloaded.has(name));
for (const name of notPreloaded) console.log(`not preloaded: ${name}`);

const ours = [...preloaded].filter((name) => OURS.test(name)).sort();
let passed = 0;
let failed = 0;
for (const name of ours) {
  if (warnings.has(name)) failed++;
  else passed++;
}
for (const [module, lines] of [...warnings].sort()) {
  for (const line of lines) console.log(line);
  if (!preloaded.has(module)) failed++; // a warning about a module we did not count (should not happen)
}
if (buildFailed) failed++;
if (notPreloaded.length > 0) failed++;
if (flashRegExps > 0) failed++;
if (!existsSync(join(root, "manifest.json"))) failed++;
finish(passed, failed);
