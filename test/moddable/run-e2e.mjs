#!/usr/bin/env node
// The `moddable` tier's end-to-end part: the Node-driven tests of test/moddable/*.test.ts (the SDK host
// bindings against Mosquitto, the simulator app against the demo service), one file at a time (each
// builds its app; sim-firmware and sim share one build folder, so the second build is incremental).
// Closing line: `moddable-e2e: N passed, M failed`, or `moddable-e2e: skipped (...)` when there is no
// SDK (the tests then report themselves skipped).
// Needs `node scripts/build.mjs` first (scripts/test.mjs does it).
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { findSdk, projectRoot } from "../../scripts/moddable-sdk.mjs";

if (!findSdk()) {
  console.log("moddable-e2e: skipped (no Moddable SDK: set MODDABLE, or put the SDK copy in ../shared/moddable-sdk)");
  process.exit(0);
}
const folder = join(projectRoot, "build/test/moddable");
const files = readdirSync(folder).filter((name) => name.endsWith(".test.js")).sort().map((name) => join(folder, name));
const child = spawn(process.execPath, ["--test", "--test-reporter=tap", "--test-concurrency=1", ...files], { stdio: ["ignore", "pipe", "inherit"] });
let output = "";
child.stdout.on("data", (data) => {
  process.stdout.write(data);
  output += data.toString();
});
child.on("close", (code) => {
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)`, "m").exec(output)?.[1] ?? 0);
  const passed = count("pass");
  const failed = count("fail") + count("cancelled") + (code !== 0 && count("fail") === 0 ? 1 : 0);
  if (count("skipped") > 0) console.log(`# ${count("skipped")} skipped`);
  console.log(`moddable-e2e: ${passed} passed, ${failed} failed`);
  // exitCode, not exit(): exit() can drop output still queued for the pipe.
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
});
