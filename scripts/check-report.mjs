// What the build-machine checks against the Moddable SDK share (scripts/esp32-build-check.mjs,
// scripts/esp-idf-header-check.mjs): `ok - ...` / `not ok - ...` lines and `# ...` notes, commands run
// from the repository root, the SDK probe, the closing `<name>: N passed, M failed` line and exit code,
// a platform's build configured with mcconfig, and the nm and file-search helpers both use.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A command's exit code (1 when it did not run), its stdout and stderr together, and its stdout alone. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20, ...options });
  return { code: result.status ?? 1, output: `${result.stdout ?? ""}${result.stderr ?? ""}`, stdout: result.stdout ?? "" };
}

/**
 * A report under `name`: a failed check prints the last `tail` lines of its detail.
 * @param {string} name
 * @param {{ tail: number }} options
 */
export function checkReport(name, { tail }) {
  let passed = 0;
  let failed = 0;
  function check(ok, title, detail = "") {
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? "ok" : "not ok"} - ${title}`);
    if (!ok && detail) for (const line of detail.trimEnd().split("\n").slice(-tail)) console.log(`#   ${line}`);
  }
  const note = (text) => console.log(`# ${text}`);
  /** The closing line; exit code 1 on a failure. process.exitCode, so a script that ends by itself
   * after it loses nothing (process.exit() can drop output still queued for a pipe); `exit` stops here
   * all the same, for a script that cannot go on. */
  function finish({ exit = false } = {}) {
    console.log(`${name}: ${passed} passed, ${failed} failed`);
    process.exitCode = failed > 0 ? 1 : 0;
    if (exit) process.exit();
  }
  /** The SDK scripts/moddable-sdk.sh names. Without one (its exit 3) prints `<name>: <missing.say>` and
   * exits with missing.code (the checks differ: a skip or NOT RUN); a broken one is a failed check. */
  function moddableSdk(missing) {
    const sdk = run("bash", [join(root, "scripts", "moddable-sdk.sh")], { stdio: ["ignore", "pipe", "inherit"] });
    if (sdk.code === 3) {
      console.log(`${name}: ${missing.say}`);
      process.exit(missing.code);
    }
    if (sdk.code !== 0) {
      check(false, "a built Moddable SDK (scripts/moddable-sdk.sh)");
      finish();
      process.exit(1);
    }
    return sdk.stdout.trim().split("\n").at(-1);
  }
  return { check, note, finish, moddableSdk };
}

/** Symbol names nm lists ("address type name", no address when undefined; "file.o:" headers skipped). */
export function symbols(args, objects) {
  const lines = run("nm", [...args, ...objects]).stdout.split("\n");
  return new Set(lines.filter((line) => line.trim() && !line.endsWith(":")).map((line) => line.trim().split(/\s+/).at(-1)));
}

/** The files below `dir` whose name `accept` takes, sorted; none when dir cannot be read. */
export function findFiles(dir, accept) {
  const found = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(path, accept));
    else if (accept(entry.name)) found.push(path);
  }
  return found.sort();
}

/**
 * mcconfig -p `platform` for the root manifest, into `out`/<platform, "/" as "-">: its result, the makefiles
 * it wrote (one when it worked), and make's arguments for the first with IDF_VERSION given; `variable(name)`
 * is that makefile's value of a variable. The makefile asks ESP-IDF's git for its version even so: the
 * complaint (about an empty IDF_PATH or an exported tree) goes to stderr, which `variable` does not read.
 */
export function mcconfig(out, platform, env, idfVersion) {
  const dir = join(out, platform.replace("/", "-"));
  mkdirSync(dir, { recursive: true });
  const config = run("mcconfig", ["-p", platform, "-o", dir, "manifest.json"], { env });
  const makefiles = findFiles(join(dir, "tmp"), (name) => name === "makefile");
  const makeArgs = ["-f", makefiles[0], `IDF_VERSION=${idfVersion}`, "MAKEFLAGS_JOBS=--jobs=2"];
  const variable = (name) =>
    run("make", ["-s", ...makeArgs, "--eval", "_makapix_print-%: ; @echo $($*)", `_makapix_print-${name}`], { env }).stdout.trim();
  return { dir, config, makefiles, makeArgs, variable };
}
