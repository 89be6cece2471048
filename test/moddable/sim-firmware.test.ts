// The whole firmware from first boot in the Moddable simulator (moddable tier, e2e): the simulator app
// runs src/device/player-firmware.ts with every port bound to the SDK, settings in the simulator's
// Preference file, and its serial line on one end of a null-modem PTY pair. The provisioning CLI (a real
// child process, through the serialport package) talks to it on the other end, as to a board's USB
// port; the code the panel shows is registered on the demo service, and the app then plays art over
// mTLS. Garbage on the serial line changes nothing. Skipped without an SDK or without python3's pty.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { openSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nullModemAvailable, startNullModem, type NullModem } from "../../tools/null-modem.js";
import { projectRoot, sdkTools, startSimRun, type SimRun } from "../../tools/sim-run.js";
import { waitFor } from "../support/wait.js";

const cli = fileURLToPath(new URL("../../tools/provision.js", import.meta.url));
const sdk = (await sdkTools()).findSdk();
const skip = !sdk ? "no Moddable SDK" : !nullModemAvailable() ? "python3 with the pty module is not available" : false;
let run: SimRun | undefined;
let modem: NullModem | undefined;
const states: { state: string; code: string | undefined }[] = [];
const frames: (number | undefined)[] = [];
const appLines: string[] = [];

before(async () => {
  if (skip) return;
  modem = await startNullModem();
  run = await startSimRun({
    // The same app as sim.test's with another config module: sharing its work folder, one test's
    // build is incremental (the config module and the link).
    work: join(projectRoot, "build/sim-e2e"),
    headless: true,
    traceFrames: true,
    fresh: { serialDevice: modem.deviceEnd },
    device: { panel: { size: "64x64", brightness: 100 }, scheduler: { dwellOverrideMs: 2000, minimumViewMs: 500 } },
    onLine: (line) => {
      const state = /^SIM-STATE (\S+)(?: (\S+))?$/.exec(line);
      if (state) return void states.push({ state: state[1]!, code: state[2] });
      const frame = /^SIM-FRAME (\S+) /.exec(line);
      if (frame) return void frames.push(frame[1] === "-" ? undefined : Number(frame[1]));
      appLines.push(line);
    },
  });
});

after(async () => {
  await run?.stop();
  await modem?.close();
});

const log = () =>
  `app log (last 20 lines):\n${appLines.slice(-20).join("\n")}\nstates: ${states.map((s) => s.state).join(" ")}\n` +
  `API requests: ${run?.service.apiLog().slice(-40).map((request) => `${request.method} ${request.path} ${request.status}`).join(", ")}`;

function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, "--port", modem!.pcEnd, "--wait", "20", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr.on("data", (data: Buffer) => (output += data.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test("first boot in the simulator: a code on the panel, the CLI over a PTY, registration on the service, then art over mTLS; serial garbage changes nothing", { skip, timeout: 300_000 }, async () => {
  const { service } = run!;
  await waitFor("a registration code", () => states.some((entry) => entry.code !== undefined), 120_000, log);
  assert.equal(states[0]?.state, "loading", "it boots from its (empty) settings");
  assert.ok(!states.some((entry) => entry.state === "playing"), "nothing plays as a player before registration");

  const info = await runCli([]);
  assert.equal(info.code, 0, info.output);
  assert.match(info.output, /state registration/);
  assert.match(info.output, /no credentials/);

  const code = states.filter((entry) => entry.code !== undefined).at(-1)!.code!;
  assert.match(code, /^[A-HJKMNP-Z2-9]{6}$/);
  const registered = await service.registerDevice(code, "Simulator");
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  await waitFor("playing", () => states.at(-1)?.state === "playing", 60_000, log);
  const playerKey = service.lifecycle.all().find((player) => player.name === "Simulator")?.playerKey;
  assert.ok(playerKey, "the service knows the player");
  await waitFor("art on the panel and a view recorded", () => frames.some((postId) => postId !== undefined) && service.views(playerKey).length > 0, 90_000, log);

  // Garbage on the line (as a PC program probing ports would send): no crash, the session goes on.
  const pc = openSync(modem!.pcEnd, "w");
  let seed = 7;
  for (let round = 0; round < 20; round++) {
    const noise = Buffer.alloc(200);
    for (let i = 0; i < noise.length; i++) noise[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    noise[round * 7] = 0xa5;
    writeSync(pc, noise);
  }
  closeSync(pc);
  const views = service.views(playerKey).length;
  await waitFor("another view after the garbage", () => service.views(playerKey).length > views, 60_000, log);
  assert.equal(states.at(-1)?.state, "playing");
  const after = await runCli([]);
  assert.equal(after.code, 0, after.output);
  assert.match(after.output, /state playing/);
  assert.doesNotMatch(after.output, /PRIVATE KEY/);
});
