// Runs every test tier in order and prints one count per tier, then one closing line for the suite.
//   node scripts/test.mjs            all tiers
//   node scripts/test.mjs unit xs    only the named tiers
// Tiers: types (tsc), unit (Node), xs (the same unit tests inside XS), rig (the XS runner's own
// tests), oracle (differential tests against reference libraries), e2e (real Mosquitto, real TLS),
// native (C tests under ASan/UBSan, via `make test-native`: the HUB75 core, and the art and JSON kernels inside
// the SDK's xst against their TypeScript twins), moddable (the real
// Moddable SDK: the unit tests inside a preloaded simulator app, and the SDK checks; skipped, never
// passed, when there is no SDK).
import { spawn } from "node:child_process";
import { filesUnder } from "./file-tree.mjs";

const testFiles = (dir, suffix = ".test.js") => filesUnder(dir, (name) => name.endsWith(suffix));

/**
 * Runs a command, echoing its output (live, or all at once when it ends with `quiet`, for commands
 * that run beside another); resolves with its exit code and captured stdout.
 */
function run(command, args, { quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", quiet ? "pipe" : "inherit"] });
    let output = "";
    let errors = "";
    child.stdout.on("data", (data) => {
      if (!quiet) process.stdout.write(data);
      output += data.toString();
    });
    child.stderr?.on("data", (data) => (errors += data.toString()));
    child.on("close", (code) => {
      if (quiet) {
        process.stdout.write(output);
        process.stderr.write(errors);
      }
      resolve({ code: code ?? 1, output });
    });
  });
}

/** node --test with the TAP reporter; counts come from its closing "# pass N" / "# fail N" lines. */
async function nodeTier(files, extra = []) {
  if (files.length === 0) return { passed: 0, failed: 1, note: "no test files" };
  const { code, output } = await run(process.execPath, ["--test", "--test-reporter=tap", ...extra, ...files]);
  const passed = Number(/^# pass (\d+)/m.exec(output)?.[1] ?? 0);
  const failed = Number(/^# fail (\d+)/m.exec(output)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(output)?.[1] ?? 0);
  return { passed, failed: code !== 0 && failed === 0 ? 1 : failed };
}

const tiers = {
  async types() {
    const src = await run("node_modules/.bin/tsc", ["-p", "tsconfig.json"]);
    const all = await run("node_modules/.bin/tsc", ["-p", "tsconfig.node.json"]);
    const failed = (src.code !== 0 ? 1 : 0) + (all.code !== 0 ? 1 : 0);
    return { passed: 2 - failed, failed };
  },
  unit: () => nodeTier(testFiles("build/test/unit")),
  async xs() {
    const { code, output } = await run(process.execPath, ["test/xs/run.mjs"]);
    const match = /^xs: (\d+) passed, (\d+) failed/m.exec(output);
    if (!match) return { passed: 0, failed: 1, note: "the XS runner printed no summary" };
    const failed = Number(match[2]);
    return { passed: Number(match[1]), failed: code !== 0 && failed === 0 ? 1 : failed };
  },
  rig: () => nodeTier(testFiles("build/test/rig")),
  async native() {
    const { code, output } = await run("make", ["-s", "test-native"]);
    // The HUB75 C tests print `native: N passed, M failed`; the kernels' node:test files their TAP counts.
    const match = /^native: (\d+) passed, (\d+) failed/m.exec(output);
    const tapPassed = /^# pass (\d+)/m.exec(output);
    if (!match || !tapPassed) return { passed: 0, failed: 1, note: "the native tests printed no summary (build failed?)" };
    const failed = Number(match[2]) + Number(/^# fail (\d+)/m.exec(output)?.[1] ?? 0);
    return { passed: Number(match[1]) + Number(tapPassed[1]), failed: code !== 0 && failed === 0 ? 1 : failed };
  },
  oracle: () => nodeTier(testFiles("build/test/oracle")),
  // One file at a time: each starts its own broker, and the 2-core machine is shared with XS builds.
  e2e: () => nodeTier(testFiles("build/test/e2e"), ["--test-concurrency=1"]),
  // Each part prints one closing line `<part>: N passed, M failed` or `<part>: skipped (why)`.
  async moddable() {
    const total = { passed: 0, failed: 0, skipped: [] };
    const count = ({ code, output }, part) => {
      const skipped = new RegExp(`^${part}: skipped \\((.*)\\)$`, "m").exec(output);
      const counted = new RegExp(`^${part}: (\\d+) passed, (\\d+) failed$`, "m").exec(output);
      if (skipped && code === 0) total.skipped.push(`${part}: ${skipped[1]}`);
      else if (!counted) total.failed++;
      else {
        total.passed += Number(counted[1]);
        total.failed += Number(counted[2]) || (code !== 0 ? 1 : 0);
      }
    };
    const runParts = async (parts, quiet) => {
      for (const [part, script] of parts) count(await run(process.execPath, [script], { quiet }), part);
    };
    // The unit app spends most of its time in the simulator on one core; the build checks use the
    // other meanwhile (their output follows the unit part's). The end-to-end part, whose tests run
    // against real timeouts, runs alone.
    await Promise.all([runParts(moddableUnitParts, false), runParts(moddableBuildParts, true)]);
    await runParts(moddableEndToEndParts, false);
    return { passed: total.passed, failed: total.failed, ...(total.skipped.length ? { note: `SKIPPED ${total.skipped.join("; ")}` } : {}) };
  },
};

// The parts of the moddable tier: [name in its closing line, script].
const moddableUnitParts = [
  ["moddable", "test/moddable/run-unit.mjs"], // (a) every unit test inside the SDK's XS, src/ preloaded
];
const moddableBuildParts = [
  ["moddable-link", "scripts/moddable-link-check.mjs"], // (c) zero linker warnings, everything preloaded
  ["esp32-build", "scripts/esp32-build-check.mjs"], // both ESP32 builds up to the ESP-IDF step
];
const moddableEndToEndParts = [
  ["moddable-e2e", "test/moddable/run-e2e.mjs"], // (b) host bindings and the simulator app against Mosquitto
];

const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(tiers);
const build = await run(process.execPath, ["scripts/build.mjs"]);
if (build.code !== 0) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const results = [];
for (const name of chosen) {
  if (!tiers[name]) {
    console.error(`unknown tier ${name}; tiers: ${Object.keys(tiers).join(" ")}`);
    process.exit(2);
  }
  const started = Date.now();
  console.log(`\n=== tier ${name} ===`);
  const result = await tiers[name]();
  results.push({ name, ...result, seconds: (Date.now() - started) / 1000 });
}

console.log("\n=== summary ===");
for (const { name, passed, failed, seconds, note } of results) {
  console.log(`${name.padEnd(7)} ${String(passed).padStart(5)} passed ${String(failed).padStart(4)} failed  ${seconds.toFixed(1)} s${note ? "  (" + note + ")" : ""}`);
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
