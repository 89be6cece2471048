#!/usr/bin/env node
// The XS tier: runs the unit tests (test/unit/**/*.test.ts by default, or the files/folders given)
// inside the real XS engine (build/xsnap/bin/xsnap, built by scripts/build-xsnap.sh).
// Each file is bundled by esbuild with node:test -> test/xs/harness.ts and node:assert(/strict) ->
// test/xs/assert.ts, then imported by a small entry module that reports import failures and starts
// the harness. Result lines carry a per-run nonce; everything else the file prints is kept as output.
// A file that ends without the harness's final "done" line (import failure, crash, non-zero exit,
// timeout, a test waiting for something XS never delivers) counts as failed.
//
// Usage: node test/xs/run.mjs [--jobs N] [--timeout SECONDS] [--hide NAME,...] [--verbose] [--keep] [file|dir ...]
//   --jobs N      files run at once (default: 2, or fewer cores)
//   --timeout S   seconds before a file's xsnap is killed (default 60)
//   --hide NAMES  also delete these globals before the file loads (e.g. TextEncoder,TextDecoder)
//   --verbose     show everything each file printed, and its time in XS
//   --keep        keep the bundles and entry modules in build/xs-run/run-<pid>/
// Output: `ok - <file> > <test>`, `not ok - <file> > <test>: <message>`, `skip - ...`, then exactly one
// line `xs: N passed, N failed`. Exit code 1 on any failure or when no test ran.
import { build } from "esbuild";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const xsnapBinary = join(projectRoot, "build/xsnap/bin/xsnap");
// Bundles and entry modules of this run; removed at the end unless --keep (concurrent runs never share).
const workRoot = join(projectRoot, "build/xs-run", `run-${process.pid}`);
const harnessModule = join(projectRoot, "test/xs/harness.ts");
const assertModule = join(projectRoot, "test/xs/assert.ts");

// Globals the xsnap host adds that a Moddable app does not have: removed before the test file loads
// so that code relying on them fails here rather than on the device.
const xsnapOnlyGlobals = ["setImmediate", "issueCommand", "currentMeterLimit", "resetMeter", "Base64"];

// Hints appended to failures caused by host APIs that XS/Moddable lack.
const missingGlobalHints = {
  setTimeout: "XS has no timers: go through the Timer port",
  setInterval: "XS has no timers: go through the Timer port",
  setImmediate: "not in Moddable: go through the Timer port",
  queueMicrotask: "XS 13 lacks it: use Promise.resolve().then",
  console: "XS has no console: use the Log port (print in tests)",
  structuredClone: "XS lacks structuredClone",
  process: "Node's process object does not exist in XS",
  Buffer: "Node's Buffer does not exist in XS: use Uint8Array",
};

// Built-in methods Node 20 has and XS 13.3 lacks (checked with build/xsnap/bin/xsnap). XS reports a
// call to one of them only as "TypeError: no function", so the runner names the suspects it finds
// in the bundle.
const methodsMissingInXs = [
  "toSorted", "toReversed", "toSpliced", "with", "fromAsync", "withResolvers", "groupBy", "isWellFormed",
  "toWellFormed", "union", "intersection", "difference", "symmetricDifference", "isSubsetOf", "isSupersetOf",
  "isDisjointFrom", "fromBase64", "toBase64", "fromHex", "toHex", "sumPrecise", "isError", "waitAsync",
];

function usage(message) {
  if (message) console.error(`run.mjs: ${message}`);
  console.error("usage: node test/xs/run.mjs [--jobs N] [--timeout SECONDS] [--hide NAME,...] [--verbose] [--keep] [file|dir ...]");
  process.exit(2);
}

function parseCommandLine(args) {
  const options = { jobs: Math.min(2, availableParallelism()), timeoutSeconds: 60, hide: [...xsnapOnlyGlobals], verbose: false, keep: false, paths: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => args[++i] ?? usage(`${arg} needs a value`);
    if (arg === "--jobs") options.jobs = Math.max(1, Number.parseInt(value(), 10) || 1);
    else if (arg === "--timeout") options.timeoutSeconds = Number(value()) || usage("--timeout needs a number of seconds");
    else if (arg === "--hide") options.hide.push(...value().split(",").filter(Boolean));
    else if (arg === "--verbose") options.verbose = true;
    else if (arg === "--keep") options.keep = true;
    else if (arg === "-h" || arg === "--help") usage();
    else if (arg.startsWith("--")) usage(`unknown option ${arg}`);
    else options.paths.push(arg);
  }
  return options;
}

function collectTestFiles(path, out) {
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

// esbuild plugin: node:test and node:assert(/strict) become the XS stand-ins.
const nodeTestStandIns = {
  name: "xs-node-test-stand-ins",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^node:(test|assert|assert\/strict)$/ }, (args) => ({
      path: args.path === "node:test" ? harnessModule : assertModule,
    }));
  },
};

async function bundle(testFile, outFile) {
  try {
    await build({
      entryPoints: [testFile],
      outfile: outFile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      plugins: [nodeTestStandIns],
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

function entryModuleSource(prefix, hide) {
  return `// Generated by test/xs/run.mjs: loads the bundled test file, then runs its tests.
const prefix = ${JSON.stringify(prefix)};
const print = globalThis.print;
globalThis.__xsTestReportPrefix = prefix;
for (const name of ${JSON.stringify(hide)}) delete globalThis[name];
// A Moddable app's built-ins live in ROM, frozen: assigning a property that a frozen prototype holds
// throws there (e.g. \`this.name = "..."\` in an Error subclass), so the constructors and their
// prototypes are frozen here too.
for (const name of Object.getOwnPropertyNames(globalThis)) {
  const value = globalThis[name];
  if (typeof value !== "function") continue;
  Object.freeze(value);
  if (value.prototype) Object.freeze(value.prototype);
}
Object.freeze(Object.getPrototypeOf(Uint8Array));
Object.freeze(Object.getPrototypeOf(Uint8Array.prototype));
const fatal = (message) => print(prefix + " " + JSON.stringify({ type: "fatal", message }));
const describe = (error) => {
  try {
    return error instanceof Error ? error.name + ": " + error.message : "thrown non-error: " + String(error);
  } catch {
    return "thrown value that cannot be described";
  }
};
import("./bundle.mjs").then(
  () => {
    const harness = globalThis.__xsTestHarness;
    if (!harness) return fatal("the file declares no tests (it does not import node:test)");
    return harness.run().then(undefined, (error) => fatal("harness failure: " + describe(error)));
  },
  (error) => fatal("import failed: " + describe(error)),
);
`;
}

// xsnap's print() does not flush, so a killed run would lose its buffered lines (and with them the
// name of the test that hung); coreutils' stdbuf makes its stdout line-buffered.
const lineBuffered = ["/usr/bin/stdbuf", "/bin/stdbuf"].find((path) => existsSync(path));

function runXsnap(directory, timeoutSeconds) {
  return new Promise((resolvePromise) => {
    const [command, args] = lineBuffered ? [lineBuffered, ["-oL", xsnapBinary, "entry.mjs"]] : [xsnapBinary, ["entry.mjs"]];
    const child = spawn(command, args, { cwd: directory, stdio: ["ignore", "pipe", "pipe"] });
    const stdout = [];
    const stderr = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutSeconds * 1000);
    child.stdout.on("data", (chunk) => stdout.push(chunk));
    child.stderr.on("data", (chunk) => stderr.push(chunk));
    child.on("error", (error) => stderr.push(Buffer.from(String(error))));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
  });
}

// xsnap's exit code is XS's abort status (xs.h) when the engine gives up.
const xsAbortReasons = {
  1: "not enough memory",
  2: "stack overflow",
  3: "fatal check",
  4: "dead strip",
  5: "unhandled exception",
  6: "no more keys",
  7: "too much computation",
  8: "unhandled rejection",
};

function withHint(message, bundleSource) {
  if (message.includes("no function")) {
    const suspects = methodsMissingInXs.filter((name) => new RegExp(`\\.${name}\\s*\\(`).test(bundleSource));
    if (suspects.length) return `${message} [the file calls ${suspects.map((name) => `${name}()`).join(", ")}, missing in XS 13.3]`;
  }
  for (const [name, hint] of Object.entries(missingGlobalHints)) {
    if (message.includes(name) && /ReferenceError|not defined|undefined variable|no function|not a function/.test(message)) {
      return `${message} [${hint}]`;
    }
  }
  return message;
}

// Runs one file; returns { file, lines, passed, failed }.
async function runFile(testFile, options) {
  const label = relative(projectRoot, testFile);
  const directory = join(workRoot, label.replace(/\.ts$/, "").replace(/[^\w.-]+/g, "_"));
  mkdirSync(directory, { recursive: true });
  const outcome = { file: label, lines: [], passed: 0, failed: 0 };
  let bundleSource = "";
  const addLine = (line) => outcome.lines.push(line.replaceAll("\n", "\n    "));
  const failFile = (message) => {
    outcome.failed++;
    addLine(`not ok - ${label}: ${withHint(message, bundleSource)}`);
  };

  const bundleError = await bundle(testFile, join(directory, "bundle.mjs"));
  if (bundleError) {
    failFile(`bundling failed: ${bundleError}`);
    return outcome;
  }
  bundleSource = readFileSync(join(directory, "bundle.mjs"), "utf8");
  const prefix = `xs-test-${randomBytes(6).toString("hex")}`;
  writeFileSync(join(directory, "entry.mjs"), entryModuleSource(prefix, options.hide));
  const started = Date.now();
  const run = await runXsnap(directory, options.timeoutSeconds);

  const output = [];
  const unhandled = [];
  let running; // name of the test that started and has not reported yet
  let done = false;
  let fatal = false; // the entry module reported why the file could not run
  for (const line of run.stdout.split("\n")) {
    if (!line.startsWith(`${prefix} `)) {
      if (line !== "") output.push(line);
      if (/^unhandled (rejection|exception)/.test(line)) unhandled.push(line);
      continue;
    }
    let event;
    try {
      event = JSON.parse(line.slice(prefix.length + 1));
    } catch {
      output.push(line);
      continue;
    }
    const name = event.name ? [label, ...event.name].join(" > ") : label;
    if (event.type === "start") running = event.name.join(" > ");
    else if (event.type === "test") {
      running = undefined;
      if (event.status === "pass") {
        outcome.passed++;
        outcome.lines.push(`ok - ${name}`);
      } else if (event.status === "skip") outcome.lines.push(`skip - ${name}`);
      else if (event.status === "todo") addLine(`todo - ${name}${event.message ? `: ${event.message}` : ""}`);
      else {
        outcome.failed++;
        addLine(`not ok - ${name}: ${withHint(event.message ?? "failed", bundleSource)}`);
      }
    } else if (event.type === "fatal") {
      fatal = true;
      failFile(event.message);
    } else if (event.type === "done") done = true;
  }

  const during = running ? ` while running "${running}"` : "";
  const stderrTail = run.stderr.trim().split("\n").filter(Boolean).slice(-3).join(" | ");
  if (run.timedOut) failFile(`timed out after ${options.timeoutSeconds} s${during} (killed)`);
  else if (run.signal) failFile(`xsnap was killed by ${run.signal}${during}${stderrTail ? `: ${stderrTail}` : ""}`);
  else if (run.code !== 0) {
    const reason = xsAbortReasons[run.code] ? ` (XS aborted: ${xsAbortReasons[run.code]})` : "";
    failFile(`xsnap exited with code ${run.code}${reason}${during}${stderrTail ? `: ${stderrTail}` : ""}`);
  }
  else if (!done && fatal) {
    // already reported
  } else if (!done && running) {
    failFile(`the run ended before "${running}" finished: it awaits something XS never delivers (a timer? an event?)`);
  } else if (!done && outcome.lines.length === 0) failFile("the run ended without the harness's final result line");
  else if (!done) failFile("the run ended before the harness's final result line");
  for (const line of unhandled) failFile(line);

  if (outcome.failed > 0 || options.verbose) {
    const shown = options.verbose ? output : output.slice(-20);
    if (shown.length) {
      outcome.lines.push(`  output of ${label}${shown.length < output.length ? ` (last ${shown.length} lines)` : ""}:`);
      for (const line of shown) outcome.lines.push(`  | ${line}`);
    }
  }
  if (options.verbose) outcome.lines.push(`  (${label}: ${Date.now() - started} ms in XS)`);
  return outcome;
}

async function main() {
  const options = parseCommandLine(process.argv.slice(2));
  const roots = options.paths.length ? options.paths.map((path) => resolve(path)) : [join(projectRoot, "test/unit")];
  const files = [];
  for (const root of roots) {
    if (!existsSync(root)) usage(`no such file or folder: ${root}`);
    collectTestFiles(root, files);
  }
  if (!existsSync(xsnapBinary)) {
    console.log(`not ok - ${relative(projectRoot, xsnapBinary)} is missing: run bash scripts/build-xsnap.sh`);
    console.log("xs: 0 passed, 1 failed");
    process.exit(1);
  }

  // Run up to options.jobs files at once; print each file's lines in the given order as soon as
  // it and every file before it have finished.
  const outcomes = new Array(files.length);
  let nextToPrint = 0;
  let nextToStart = 0;
  const flush = () => {
    while (nextToPrint < files.length && outcomes[nextToPrint]) {
      for (const line of outcomes[nextToPrint].lines) console.log(line);
      nextToPrint++;
    }
  };
  const worker = async () => {
    while (nextToStart < files.length) {
      const index = nextToStart++;
      try {
        outcomes[index] = await runFile(files[index], options);
      } catch (error) {
        const label = relative(projectRoot, files[index]);
        outcomes[index] = { file: label, lines: [`not ok - ${label}: runner error: ${error?.stack ?? error}`], passed: 0, failed: 1 };
      }
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, files.length) }, worker));

  const passed = outcomes.reduce((sum, outcome) => sum + outcome.passed, 0);
  const failed = outcomes.reduce((sum, outcome) => sum + outcome.failed, 0);
  if (files.length === 0) console.log("not ok - no test files found");
  if (options.keep) console.log(`# bundles kept in ${relative(projectRoot, workRoot)}`);
  else rmSync(workRoot, { recursive: true, force: true });
  console.log(`xs: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

await main();
