// The device lifecycle end to end on the virtual device (hosts/node/virtual-firmware.ts: the same
// src/device/player-firmware.ts the ESP32 app runs, settings in files, the serial line on TCP, Wi-Fi
// simulated) against local Mosquitto (production mTLS + ACL) and the demo service over real HTTPS:
// - first boot: set-up screen → the provisioning CLI (a real child process) gives Wi-Fi → a code on the
//   panel → the owner registers it → credentials stored → mTLS MQTT → art, views recorded; a power
//   cycle then plays again with the stored set and no new registration;
// - a code that expires is replaced by a new one, which registers;
// - garbage on the serial line while playing: no crash, and the CLI still talks to it;
// - a wrong Wi-Fi password: the CLI reports the device's reason (exit 1), the device retries; a corrected
//   one over serial joins.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { NodeLog } from "../../hosts/node/host.js";
import type { VirtualFirmware } from "../../hosts/node/virtual-firmware.js";
import { drawStatus, STATUS_COLORS } from "../../src/display/status-screen.js";
import { FirmwareStack, stateOf, waitForState, WIFI } from "../support/firmware-stack.js";
import { waitFor } from "../support/wait.js";

const cli = fileURLToPath(new URL("../../tools/provision.js", import.meta.url));
const CODE_TTL_MS = 8000;

let stack: FirmwareStack;
const children: ChildProcess[] = [];

before(async () => {
  stack = await FirmwareStack.start("first-boot", { lifecycleLimits: { codeTtlMs: CODE_TTL_MS } });
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
  await stack?.stop();
});

function startDevice(name: string, logLines: string[] = []): Promise<VirtualFirmware> {
  return stack.startDevice({
    dataDirectory: name,
    board: stack.board({ scheduler: { dwellOverrideMs: 1500, minimumViewMs: 500 } }),
    wifiJoinDelayMs: 100,
    log: new NodeLog("debug", (line) => logLines.push(line)),
    registration: { pollIntervalMs: 500, backoffInitialMs: 500 },
    timings: { backoff: { initialMs: 300, maximumMs: 2000 } },
  });
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(device: VirtualFirmware, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, "--tcp", device.serial.address, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Bytes the panel shows that are not black: a status screen or art is on it. */
function litBytes(device: VirtualFirmware): number {
  let lit = 0;
  for (const byte of device.panel.shownFrame) if (byte > 0) lit++;
  return lit;
}

test("first boot: set-up screen → Wi-Fi over serial → code on the panel → registered → mTLS session → art; a power cycle plays again without registering", async () => {
  const device = await startDevice("first");
  await waitForState(device, "provisioning");
  assert.ok(litBytes(device) > 0, "the set-up screen is on the panel");

  const provisioned = await runCli(device, ["--wifi", `${WIFI.ssid}:${WIFI.password}`]);
  assert.equal(provisioned.code, 0, provisioned.stdout + provisioned.stderr);
  assert.match(provisioned.stdout, /wi-?fi/i);

  await waitFor("a registration code", () => device.firmware.machine.info().code !== undefined, 20_000, () => JSON.stringify(device.firmware.machine.info()));
  assert.equal(device.wifi.connectedTo, WIFI.ssid);
  const code = device.firmware.machine.info().code!;
  assert.match(code, /^[A-HJKMNP-Z2-9]{6}$/);
  // The code screen names the service in use (the local demo service's host), not makapix.club.
  const apiHost = new URL(stack.service.apiUrls.https).hostname;
  assert.notEqual(apiHost, "makapix.club");
  const codeScreen = (minutes: number) => {
    const frame = new Uint8Array(64 * 64 * 3);
    drawStatus(frame, 64, 64, `Code\u00a0${code} ${apiHost} ${minutes}min\u00a0left`, STATUS_COLORS.info);
    return frame;
  };
  const shown = device.panel.lastFrame;
  assert.ok([0, 1].some((minutes) => Buffer.from(shown).equals(Buffer.from(codeScreen(minutes)))), `the panel shows the code with ${apiHost}`);
  const players = stack.service.lifecycle.all().length;

  // What the website's "Add device" page posts when the owner types the code.
  const registered = await fetch(`${stack.service.apiUrls.http}/player/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ registration_code: code.toLowerCase(), name: "Hall panel" }),
  });
  assert.equal(registered.status, 201);

  await waitForState(device, "playing", 30_000);
  const playerKey = device.firmware.store.settings.credentials?.playerKey;
  assert.ok(playerKey, "credentials stored");
  assert.equal(stack.service.lifecycle.get(playerKey)?.name, "Hall panel");
  await waitFor("an artwork shown and its view recorded", () => stack.service.views(playerKey).length > 0, 30_000);
  assert.equal(stack.service.statusOf(playerKey)?.status, "online");

  await device.powerCycle();
  await waitForState(device, "playing", 30_000);
  assert.equal(device.firmware.store.settings.credentials?.playerKey, playerKey, "the same identity after a power cycle");
  assert.equal(stack.service.lifecycle.all().length, players, "no second registration");
  const viewsBefore = stack.service.views(playerKey).length;
  await waitFor("views after the power cycle", () => stack.service.views(playerKey).length > viewsBefore, 30_000);
});

test("a code that expires before anyone types it is replaced by a new one, which registers", async () => {
  const device = await startDevice("expiring");
  const provisioned = await runCli(device, ["--wifi", `${WIFI.ssid}:${WIFI.password}`]);
  assert.equal(provisioned.code, 0, provisioned.stdout + provisioned.stderr);
  await waitFor("a first code", () => device.firmware.machine.info().code !== undefined, 20_000);
  const first = device.firmware.machine.info().code!;
  await waitFor("a second code", () => { const now = device.firmware.machine.info().code; return now !== undefined && now !== first; }, CODE_TTL_MS * 3);
  const second = device.firmware.machine.info().code!;
  assert.equal((await stack.service.registerDevice(first)).status, 404, "the expired code is refused");
  assert.equal((await stack.service.registerDevice(second, "Second code")).status, 201);
  await waitForState(device, "playing", 30_000);
});

test("garbage on the serial line while playing: no crash, the session goes on, and the CLI still talks to the device", async () => {
  const device = await startDevice("garbage");
  await runCli(device, ["--wifi", `${WIFI.ssid}:${WIFI.password}`]);
  await waitFor("a code", () => device.firmware.machine.info().code !== undefined, 20_000);
  await stack.service.registerDevice(device.firmware.machine.info().code!);
  await waitForState(device, "playing", 30_000);

  const socket = connect({ host: "127.0.0.1", port: device.serial.port });
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  let seed = 12345;
  for (let round = 0; round < 50; round++) {
    const garbage = Buffer.alloc(512);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    // Frame starts with absurd lengths among the noise.
    garbage[round % 500] = 0xa5;
    socket.write(garbage);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(stateOf(device), "playing");
  const info = await runCli(device, []);
  assert.equal(info.code, 0, info.stdout + info.stderr);
  assert.match(info.stdout, /playing/);
  assert.doesNotMatch(info.stdout, /BEGIN (EC |RSA )?PRIVATE KEY/);
});

test("a wrong Wi-Fi password: the CLI waits for the join, prints the device's reason and exits 1; the device retries; the right one joins", async () => {
  const lines: string[] = [];
  const device = await startDevice("wrong-wifi", lines);
  const refused = await runCli(device, ["--wifi", `${WIFI.ssid}:not the password`]);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /waiting for the device to join "makapix-demo"/);
  assert.match(refused.stderr, /failed: Wi-Fi "makapix-demo": the device could not join: wrong password\./);
  assert.doesNotMatch(refused.stdout, /\bdone\b/);
  assert.equal(device.firmware.machine.info().lastError, "wrong password");
  assert.equal(stateOf(device), "wifi");
  assert.ok(device.wifi.attempts.length >= 1);
  await waitFor("a retry", () => device.wifi.attempts.length >= 2, 10_000);

  const elsewhere = await runCli(device, ["--wifi", "next-door:whatever1"]);
  assert.equal(elsewhere.code, 1, elsewhere.stdout + elsewhere.stderr);
  assert.match(elsewhere.stderr, /could not join: no network "next-door" in range/);

  const fixed = await runCli(device, ["--wifi", `${WIFI.ssid}:${WIFI.password}`]);
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.stdout, /Wi-Fi "makapix-demo" joined/);
  await waitForState(device, "registration", 10_000);
  assert.equal(device.wifi.connectedTo, WIFI.ssid);
  assert.ok(!lines.some((line) => line.includes(WIFI.password)), "the Wi-Fi password is never logged");
});
