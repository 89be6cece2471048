// Finds the Moddable SDK for the `moddable` tier and `make sim` (scripts/moddable-sdk.sh builds the project's copy once)
// and builds and runs simulator apps with it, headless. Used by the tier's runners and by `make sim`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The SDK's path, or undefined when there is none (no $MODDABLE and no ../shared/moddable-sdk): the
 * caller reports its checks as skipped. Throws when an SDK exists but cannot be built.
 */
export function findSdk() {
  const result = spawnSync("bash", [join(projectRoot, "scripts/moddable-sdk.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (result.status === 3) return undefined;
  if (result.status !== 0) throw new Error(`scripts/moddable-sdk.sh failed (exit ${result.status})`);
  const lines = result.stdout.trim().split("\n");
  return lines[lines.length - 1];
}

/**
 * A manifest's `typescript` section for test apps: mcconfig runs tsc once per module, and each run
 * type-checks the module's whole import graph against the SDK's typings (about 45 s a build here).
 * The types tier checks the same sources, and the link check and the ESP32 builds (the root manifest
 * as a user builds it) still check them against the SDK's typings; emitting one file without
 * resolving its imports gives byte-identical JavaScript (all 170 modules compared, SDK 8.2.3).
 */
export const TEST_APP_TYPESCRIPT = Object.freeze({ tsconfig: { compilerOptions: { noCheck: true, noResolve: true } } });

/** Whether ccache is installed (asked once). */
let ccacheInstalled;
function hasCcache() {
  ccacheInstalled ??= spawnSync("ccache", ["--version"], { stdio: "ignore" }).status === 0;
  return ccacheInstalled;
}

/**
 * Environment for mcconfig: MODDABLE, the SDK's tools and the project's TypeScript (mcconfig runs tsc).
 * C compiles go through ccache when it is installed and the caller chose no compiler (CC unset): every
 * simulator app compiles the same ~75 engine and SDK sources again, and the suite builds seven apps
 * (about 40 s of each build). The cache lives in .tmp/ccache unless CCACHE_DIR says otherwise.
 */
export function sdkEnvironment(sdk) {
  const path = [join(sdk, "build/bin/lin/release"), join(projectRoot, "node_modules/.bin"), process.env.PATH].join(":");
  const compiler = process.env.CC === undefined && hasCcache() ? { CC: "ccache cc", CCACHE_DIR: process.env.CCACHE_DIR ?? join(projectRoot, ".tmp/ccache") } : {};
  return { ...process.env, MODDABLE: sdk, PATH: path, ...compiler };
}

function findFile(directory, name) {
  if (!existsSync(directory)) return undefined;
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry === name) return path;
  }
  return undefined;
}

/**
 * Builds a simulator app (release) with `mcconfig -m -p <platform> -t build` (default `lin`; a
 * simulated device such as `lin/m5stack` adds its buttons), output under `outputDirectory`.
 * `environment` adds variables a manifest reads as $(NAME) (mcconfig resolves those from the
 * environment; `name=value` arguments only reach the app's config). Resolves with { ok, log, app }
 * where `app` is the path of its mc.so.
 */
export function buildSimulatorApp(sdk, manifestPath, outputDirectory, extraArguments = [], environment = {}, platform = "lin") {
  mkdirSync(outputDirectory, { recursive: true });
  return new Promise((resolvePromise) => {
    const child = spawn("mcconfig", ["-m", "-p", platform, "-t", "build", "-o", outputDirectory, ...extraArguments, manifestPath], {
      cwd: dirname(manifestPath),
      env: { ...sdkEnvironment(sdk), ...environment },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks = [];
    child.stdout.on("data", (chunk) => chunks.push(chunk));
    child.stderr.on("data", (chunk) => chunks.push(chunk));
    child.on("error", (error) => chunks.push(Buffer.from(String(error))));
    child.on("close", (code) => {
      const log = Buffer.concat(chunks).toString("utf8");
      const app = findFile(join(outputDirectory, "bin/lin"), "mc.so");
      resolvePromise({ ok: code === 0 && app !== undefined, log, app });
    });
  });
}

/**
 * Runs a built app in the SDK's simulator, its trace() output line by line to `onLine`; headless (the
 * default) under a virtual X server. Returns { stop(), exited, pid } where `exited` resolves with
 * { code, signal } once the simulator, and the X server, are gone. `stop` ends the whole process group.
 */
export function runInSimulator(sdk, app, onLine, { environment = {}, headless = true } = {}) {
  const mcsim = join(sdk, "build/bin/lin/release/mcsim");
  const line = ["stdbuf", "-oL", "-eL", mcsim, app];
  const [command, ...args] = headless ? ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", ...line] : line;
  const child = spawn(command, args, {
    detached: true,
    env: { ...process.env, ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let pending = "";
  const take = (chunk) => {
    pending += chunk.toString("utf8");
    let newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      onLine(line);
    }
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const exited = new Promise((resolvePromise) => {
    child.on("close", (code, signal) => {
      if (pending) onLine(pending);
      resolvePromise({ code, signal });
    });
  });
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    signalGroup("SIGTERM");
    const forced = setTimeout(() => signalGroup("SIGKILL"), 3000);
    await exited;
    clearTimeout(forced);
    signalGroup("SIGKILL"); // anything of the group that outlived xvfb-run
  };
  return { stop, exited, pid: child.pid };
}
