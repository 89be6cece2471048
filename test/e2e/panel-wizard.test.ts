// The panel wizard end to end on the virtual device (hosts/node/virtual-firmware.ts: the firmware the
// ESP32 app runs, settings in files, the serial line on TCP, the panel emulator): the provisioning CLI
// (a real child process, `--wizard`) answered line by line as a person would type, with garbage on the
// serial line first and an unknown key on the keyboard. Checks that the panel shows the expected test
// pattern for each candidate, that the confirmed drive is stored, and that it survives a power cycle;
// a cancelled wizard stores nothing. The emulated panel has electronics of its own (an FM6126A
// four-scan 1/8 panel that takes at most 10 MHz), so the wrong candidates also look wrong on it.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NodeLog } from "../../hosts/node/host.js";
import { PanelEmulator } from "../../hosts/node/panel-emulator.js";
import { startVirtualFirmware, type VirtualFirmware } from "../../hosts/node/virtual-firmware.js";
import type { FirmwareBoard } from "../../src/device/player-firmware.js";
import { drawTestPattern, type TestPattern } from "../../src/display/test-patterns.js";
import type { PanelDrive } from "../../src/ports.js";
import { waitFor } from "../support/wait.js";

const cli = fileURLToPath(new URL("../../tools/provision.js", import.meta.url));

let work: string;
const devices: VirtualFirmware[] = [];
const children: ChildProcess[] = [];

before(() => {
  work = mkdtempSync(join(tmpdir(), "makapix-panel-wizard-"));
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
  for (const device of devices) await device.stop();
  rmSync(work, { recursive: true, force: true });
});

const BOARD: FirmwareBoard = {
  board: "virtual",
  memoryClass: "large",
  panel: { size: "64x32", colorDepth: 8, brightness: 80 },
  broker: { host: "localhost", port: 1 },
  vault: { url: "http://localhost:1" },
  api: { baseUrl: "http://localhost:1/api" },
};

const ELECTRONICS: PanelDrive = Object.freeze({ driver: "fm6126a", scan: 8, clockHz: 10_000_000 });

async function startDevice(name: string): Promise<VirtualFirmware> {
  const device = await startVirtualFirmware({ dataDirectory: join(work, name), board: BOARD, wifiNetworks: {}, log: new NodeLog("warn"), panelElectronics: ELECTRONICS });
  devices.push(device);
  return device;
}

interface Cli {
  child: ChildProcess;
  output(): string;
  type(line: string): void;
  exited: Promise<number | null>;
}

function startCli(device: VirtualFirmware): Cli {
  const child = spawn(process.execPath, [cli, "--tcp", device.serial.address, "--wizard"], { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (data: Buffer) => (output += data.toString()));
  child.stderr!.on("data", (data: Buffer) => (output += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, output: () => output, type: (line) => child.stdin!.write(`${line}\n`), exited };
}

function pattern(name: TestPattern, label: string): Uint8Array {
  const frame = new Uint8Array(64 * 32 * 3);
  drawTestPattern(frame, 64, 32, name, label);
  return frame;
}

async function showing(device: VirtualFirmware, name: TestPattern, label: string): Promise<void> {
  const expected = pattern(name, label);
  await waitFor(`the panel showing ${name} "${label}"`, () => Buffer.from(device.panel.lastFrame).equals(Buffer.from(expected)), 10_000);
}

/** Share of the pixels the emulated panel shows otherwise than a panel driven right would. */
function wrongShare(device: VirtualFirmware): number {
  const ideal = new PanelEmulator();
  ideal.begin(device.panel.config);
  ideal.brightness = device.panel.brightness;
  ideal.push(device.panel.lastFrame);
  const shown = device.panel.shownFrame;
  let wrong = 0;
  for (let i = 0; i < shown.length; i += 3) if (shown[i] !== ideal.shownFrame[i] || shown[i + 1] !== ideal.shownFrame[i + 1] || shown[i + 2] !== ideal.shownFrame[i + 2]) wrong++;
  return wrong / (shown.length / 3);
}

function dark(device: VirtualFirmware): boolean {
  return device.panel.shownFrame.every((byte) => byte === 0);
}

async function waitForState(device: VirtualFirmware, state: string): Promise<void> {
  await waitFor(`state ${state}`, () => device.firmware.machine.state === state, 10_000, () => `state ${device.firmware.machine.state}`);
}

test("the CLI wizard steps through the patterns, stores the confirmed drive, and it survives a power cycle", async () => {
  const device = await startDevice("confirm");
  await waitForState(device, "provisioning");

  // Garbage on the line before the CLI connects: skipped by the device.
  await new Promise<void>((resolve, reject) => {
    const [host, port] = device.serial.address.split(":");
    const socket = connect({ host: host!, port: Number(port) }, () => {
      socket.end(Buffer.from([0xa5, 0x4d, 0x01, 0x0b, 0xff, 0xff, 0x00, 0x05, 0x00, 0x13, 0x37, 0x0a, ...Buffer.from("boot noise\r\n")]), () => resolve());
    });
    socket.on("error", reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(device.firmware.machine.state, "provisioning", "garbage started nothing");

  const run = startCli(device);
  const context = () => run.output();
  await waitFor("the first candidate", () => /step 1\/4 driver: candidate 1\/5 PLAIN/.test(run.output()), 15_000, context);
  assert.equal(device.firmware.machine.state, "wizard");
  await showing(device, "bars", "1/5 PLAIN");
  assert.ok(dark(device), "an FM6126A panel stays dark without its set-up words");
  run.type("x");
  await waitFor("the key help", () => /"x": type n/.test(run.output()), 5000, context);
  run.type("n");
  await waitFor("FM6126A", () => /candidate 2\/5 FM6126A/.test(run.output()), 5000, context);
  await showing(device, "bars", "2/5 FM6126A");
  assert.deepEqual(device.panel.config.drive, { driver: "fm6126a" });
  assert.ok(!dark(device), "lit with the right chip");
  run.type("y");
  await waitFor("the scan step", () => /step 2\/4 scan: candidate 1\/3 1\/16/.test(run.output()), 5000, context);
  await showing(device, "rows", "1/3 1/16");
  assert.ok(wrongShare(device) > 0.1, "1/16 on a 1/8 panel: the rows come out wrong");
  run.type("");
  await waitFor("1/8", () => /candidate 2\/3 1\/8/.test(run.output()), 5000, context);
  await showing(device, "rows", "2/3 1/8");
  assert.ok(wrongShare(device) < 0.05, "1/8: the picture as sent, but for the sparkles of a clock still too fast");
  run.type("y");
  await waitFor("the phase step", () => /step 3\/4 clockPhase/.test(run.output()), 5000, context);
  await showing(device, "stripes", "1/2 FALLING");
  run.type("s");
  await waitFor("the clock step", () => /step 4\/4 clockHz: candidate 1\/4 20MHz/.test(run.output()), 5000, context);
  assert.ok(wrongShare(device) > 0, "20 MHz on a 10 MHz panel: sparkles");
  run.type("n");
  run.type("n");
  await waitFor("10 MHz", () => /candidate 3\/4 10MHz/.test(run.output()), 5000, context);
  await waitFor("a clean picture at 10 MHz", () => wrongShare(device) === 0, 5000);
  run.type("y");
  assert.equal(await run.exited, 0, run.output());
  assert.match(run.output(), /panel settings stored: driver fm6126a, scan 1\/8, clock 10 MHz/);

  const found = { driver: "fm6126a", scan: 8, clockHz: 10_000_000 };
  assert.deepEqual(device.firmware.store.settings.panelDrive, found);
  await waitForState(device, "provisioning");
  assert.deepEqual(device.panel.config.drive, found, "the panel set up with what was found");

  await device.powerCycle();
  await waitForState(device, "provisioning");
  assert.deepEqual(device.firmware.store.settings.panelDrive, found, "kept in the data folder");
  assert.deepEqual(device.panel.config.drive, found, "and the panel starts with it");
});

test("a cancelled wizard (q, or the keyboard closing) stores nothing", async () => {
  const device = await startDevice("cancel");
  await waitForState(device, "provisioning");
  const run = startCli(device);
  await waitFor("the first candidate", () => /candidate 1\/5 PLAIN/.test(run.output()), 15_000, () => run.output());
  run.type("n");
  run.type("y");
  run.type("q");
  assert.equal(await run.exited, 1, run.output());
  assert.match(run.output(), /panel wizard cancelled: nothing was changed/);
  assert.equal(device.firmware.store.settings.panelDrive, undefined);
  await waitForState(device, "provisioning");
  assert.equal(device.panel.config.drive, undefined, "the board's defaults again");

  const closed = startCli(device);
  await waitFor("the first candidate", () => /candidate 1\/5 PLAIN/.test(closed.output()), 15_000, () => closed.output());
  closed.child.stdin!.end();
  assert.equal(await closed.exited, 1, closed.output());
  assert.match(closed.output(), /no more input, cancelled/);
  assert.equal(device.firmware.store.settings.panelDrive, undefined);
});
