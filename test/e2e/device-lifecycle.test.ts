// The device lifecycle after registration, end to end on the virtual device (the firmware of
// src/device/player-firmware.ts with its settings in files) against local Mosquitto (mTLS + ACL) and the
// demo service over HTTPS. Each device starts registered: the test provisions and registers it with the
// firmware's own Registration client, and stores what came back as the firmware does. The service's
// first certificates run 30 days, inside the 45-day renewal window.
// - renewal inside the window: a new certificate with a later notAfter, in use (current) once the
//   session reconnected with it, and art goes on;
// - a power cut at every storage step of that renewal's write: the next boot plays with a complete set;
// - views earned while the broker cannot answer, then a reboot: every one delivered once after it;
// - Wi-Fi lost while playing: joined again, playing again; a factory reset with the CLI erases all.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createNodeHost, NodeLog } from "../../hosts/node/host.js";
import { FileStorage } from "../../hosts/node/storage.js";
import type { VirtualFirmware } from "../../hosts/node/virtual-firmware.js";
import { StoreSettingsSource } from "../../src/device/boot-settings.js";
import type { FirmwareBoard } from "../../src/device/player-firmware.js";
import { Registration, type RegisteredCredentials } from "../../src/device/registration.js";
import { SettingsStore } from "../../src/device/settings.js";
import { readCertificatePem } from "../../src/device/x509.js";
import type { Storage } from "../../src/ports.js";
import { FirmwareStack, stateOf, waitForState, WIFI } from "../support/firmware-stack.js";
import { waitFor } from "../support/wait.js";

const execFileAsync = promisify(execFile);
const DAY_MS = 86_400_000;

let stack: FirmwareStack;
/** The device's and the service's log lines, shown when a wait times out. */
const deviceLog: string[] = [];

before(async () => {
  stack = await FirmwareStack.start("device-lifecycle", {
    log: (line) => deviceLog.push(line),
    lifecycleLimits: { firstCertificateDays: 30, renewalsPerDayPerPlayer: 1000, renewalsPerHourPerIp: 1000, provisionsPerHourPerIp: 1000, credentialsPerMinutePerIp: 1000 },
  });
});

after(async () => {
  if (stack?.broker.pid) process.kill(stack.broker.pid, "SIGCONT");
  await stack?.stop();
});

/** `dwellMs`: how long each artwork shows; the service takes one view per 5 s per player (§9). */
function board(dwellMs = 1200): FirmwareBoard {
  // The "all" channel (every public post): while the broker is frozen the player plays on from the page
  // it has; the 3-post promoted channel would need the broker again after its third post.
  return stack.board({ scheduler: { dwellOverrideMs: dwellMs, minimumViewMs: 400 }, initialChannel: { name: "all" } });
}

/** A registered player's credentials, as the firmware's Registration client receives them. */
async function registerPlayer(name: string): Promise<RegisteredCredentials> {
  const host = createNodeHost(new NodeLog("warn"));
  let credentials: RegisteredCredentials | undefined;
  const registration = new Registration(
    host,
    { code: (code) => void stack.service.registerDevice(code.code, name), registered: (registered) => (credentials = registered) },
    { apiBase: stack.service.apiUrls.https, ca: stack.service.vaultCaPem, deviceModel: "virtual", firmwareVersion: "0.1.0", pollIntervalMs: 300 },
  );
  registration.start();
  try {
    await waitFor("credentials", () => credentials !== undefined, 20_000);
  } finally {
    // A registration left polling after a failure keeps the test process alive for minutes.
    registration.stop();
  }
  return credentials!;
}

/** A data folder holding Wi-Fi and a registered set, as the firmware leaves it after registration. */
function seededFolder(name: string, credentials: RegisteredCredentials, dwellMs?: number): string {
  const folder = join(stack.work, name);
  const store = new SettingsStore(new FileStorage(folder, "makapix"));
  store.update({ wifi: WIFI });
  new StoreSettingsSource(store, board(dwellMs)).saveCredentials(credentials);
  return folder;
}

/** The power is cut at storage step `cutAt` of the settings store (writes and deletes of "st.*"): that step and all later ones throw. */
class CuttingStorage implements Storage {
  steps = 0;
  dead = false;
  constructor(
    readonly files: Storage,
    readonly cutAt: number,
  ) {}
  read(key: string): Uint8Array | undefined {
    this.#alive();
    return this.files.read(key);
  }
  readText(key: string): string | undefined {
    this.#alive();
    return this.files.readText(key);
  }
  write(key: string, value: Uint8Array | string): void {
    this.#step(key);
    this.files.write(key, value);
  }
  delete(key: string): void {
    this.#step(key);
    this.files.delete(key);
  }
  keys(): string[] {
    this.#alive();
    return this.files.keys();
  }
  #alive(): void {
    if (this.dead) throw new Error("power cut");
  }
  #step(key: string): void {
    this.#alive();
    if (!key.startsWith("st.")) return;
    this.steps++;
    if (this.steps >= this.cutAt) {
      this.dead = true;
      throw new Error("power cut");
    }
  }
}

function startDevice(dataDirectory: string, wrapStorage?: (files: Storage) => Storage, dwellMs?: number): Promise<VirtualFirmware> {
  return stack.startDevice({
    dataDirectory,
    board: board(dwellMs),
    wifiJoinDelayMs: 50,
    log: new NodeLog("info", (line) => deviceLog.push(line)),
    timings: { backoff: { initialMs: 300, maximumMs: 2000 } },
    ...(wrapStorage ? { wrapStorage } : {}),
  });
}

function notAfterOf(device: VirtualFirmware): number {
  const current = device.firmware.store.load().settings.credentials;
  return current ? readCertificatePem(current.certificate).notAfterMs : 0;
}

test("renewal inside the window: a later certificate becomes current once the session connected with it, and art goes on", async () => {
  const credentials = await registerPlayer("Renewing panel");
  const firstNotAfter = readCertificatePem(credentials.certificate).notAfterMs;
  assert.ok(firstNotAfter - Date.now() < 31 * DAY_MS);
  const device = await startDevice(seededFolder("renewal", credentials));
  await waitFor("the renewed certificate current", () => notAfterOf(device) > firstNotAfter + 1000 * DAY_MS, 30_000, () => JSON.stringify(device.firmware.machine.info()));
  await waitForState(device, "playing");
  const current = device.firmware.store.load().settings.credentials!;
  assert.equal(current.playerKey, credentials.playerKey);
  assert.equal(current.certificate, stack.service.lifecycle.get(credentials.playerKey)?.certPem, "the service's current certificate");
  const views = stack.service.views(credentials.playerKey).length;
  await waitFor("views with the new certificate", () => stack.service.views(credentials.playerKey).length > views, 20_000);
});

test("a power cut at every step of the renewal's credential write: each next boot plays with a complete set", async () => {
  // The service renews only a certificate inside its window: every run needs a player of its own.
  const credentials = await registerPlayer("Power cut panel");
  const firstNotAfter = readCertificatePem(credentials.certificate).notAfterMs;
  // How many settings-store steps boot and renewal take when nothing fails.
  let counted: CuttingStorage | undefined;
  const probe = await startDevice(seededFolder("cut-probe", credentials), (files) => (counted = new CuttingStorage(files, Number.POSITIVE_INFINITY)));
  await waitFor("the renewal stored", () => notAfterOf(probe) > firstNotAfter, 30_000);
  await waitForState(probe, "playing");
  const steps = counted!.steps;
  await probe.stop();
  assert.ok(steps >= 3, `the renewal's write takes several steps (${steps})`);

  const outcomes: string[] = [];
  for (let cutAt = 1; cutAt <= steps; cutAt++) {
    let cut: CuttingStorage | undefined;
    let armed = true;
    const fresh = await registerPlayer(`Cut at ${cutAt}`);
    const device = await startDevice(seededFolder(`cut-${cutAt}`, fresh), (files) => (armed ? (cut = new CuttingStorage(files, cutAt)) : files));
    await waitFor(`the power cut at step ${cutAt}`, () => cut?.dead === true, 30_000);
    armed = false;
    await device.powerCycle();
    await waitFor(`playing after the cut at step ${cutAt}`, () => stateOf(device) === "playing", 30_000, () => JSON.stringify(device.firmware.machine.info()));
    const set = device.firmware.store.load();
    assert.deepEqual(set.problems.filter((problem) => problem.section === "credentials"), [], `cut at ${cutAt}: the credentials load`);
    const notAfter = notAfterOf(device);
    const oldNotAfter = readCertificatePem(fresh.certificate).notAfterMs;
    assert.ok(notAfter === oldNotAfter || notAfter > oldNotAfter + 1000 * DAY_MS, `cut at ${cutAt}: the old set or the new one`);
    outcomes.push(notAfter === oldNotAfter ? "old" : "new");
    await device.stop();
  }
  console.log(`# power cut at steps 1..${steps}: ${outcomes.join(" ")}`);
});

test("views earned while the broker cannot answer survive a reboot and are all delivered once", async () => {
  const credentials = await registerPlayer("Journal panel");
  // Views earned more often than the service takes them would be refused as rate limited: 5.5 s each.
  const folder = seededFolder("journal", credentials, 5500);
  const device = await startDevice(folder, undefined, 5500);
  const key = credentials.playerKey;
  // Renewal (the first certificate is inside the window) is over before the broker freezes.
  const firstNotAfter = readCertificatePem(credentials.certificate).notAfterMs;
  await waitFor("the renewal done", () => notAfterOf(device) > firstNotAfter, 30_000);
  // The renewal restarts the session, and the new session asks for its page again: the broker may only
  // freeze once that page is here (a view recorded before the restart says nothing about it).
  const viewsBeforeRestart = stack.service.views(key).length;
  const onScreen = () => device.firmware.machine.device?.player.scheduler.current;
  await waitFor("the renewed session playing its page, with a view recorded", () => stateOf(device) === "playing" && onScreen() !== undefined && stack.service.views(key).length > viewsBeforeRestart, 30_000, () => deviceLog.slice(-30).join("\n"));
  const journalFiles = () => readdirSync(join(folder, "makapix")).filter((file) => file.startsWith("vj."));
  /** The views in the journal: "postId at timestamp" (a value is its JSON array, then its CRC). */
  const journaled = () => journalFiles().map((file) => {
    const [postId, timestamp] = JSON.parse(readFileSync(join(folder, "makapix", file), "utf8").split("\n")[0]!) as [number, string];
    return `${postId} at ${timestamp}`;
  });

  // The broker freezes: nothing is acknowledged, and earned views wait in the journal.
  process.kill(stack.broker.pid!, "SIGSTOP");
  let frozen = true;
  try {
    // The player plays on from the page it has (the next page needs the broker): views are earned.
    await waitFor("views waiting in the journal", () => journalFiles().length >= 2, 30_000, () => `state ${stateOf(device)}, journal ${journaled().join(", ")}\n${deviceLog.slice(-40).join("\n")}`);
    const stopping = device.powerCycle();
    const waiting = journaled();
    process.kill(stack.broker.pid!, "SIGCONT");
    frozen = false;
    await stopping;
    const outcomes = (view: string) => stack.service.viewLog(key).filter((outcome) => `${outcome.postId} at ${outcome.timestamp}` === view);
    await waitFor(`the ${waiting.length} waiting views delivered`, () => waiting.every((view) => outcomes(view).some((outcome) => outcome.acked)), 60_000, () => JSON.stringify(stack.service.viewLog(key)));
    for (const view of waiting) assert.equal(outcomes(view).filter((outcome) => outcome.outcome === "recorded").length, 1, `${view} recorded once; the service's log: ${JSON.stringify(stack.service.viewLog(key))}\n${deviceLog.slice(-60).join("\n")}`);
    const recorded = stack.service.views(key).map((view) => `${view.postId} at ${view.timestamp}`);
    assert.equal(new Set(recorded).size, recorded.length, "no view recorded twice");
    console.log(`# ${waiting.length} views waited in the journal across the power cycle; all recorded once`);
  } finally {
    if (frozen) process.kill(stack.broker.pid!, "SIGCONT");
  }
});

test("Wi-Fi lost while playing: the panel says so, the device joins again and plays; a factory reset over serial starts it over", async () => {
  const credentials = await registerPlayer("Wi-Fi panel");
  const folder = seededFolder("wifi-loss", credentials);
  const device = await startDevice(folder);
  await waitForState(device, "playing", 30_000);
  const joins = device.wifi.attempts.length;
  device.wifi.drop("beacon timeout");
  await waitForState(device, "wifi", 5_000);
  assert.equal(device.firmware.machine.device, undefined, "the session is torn down with the link");
  await waitForState(device, "playing", 30_000);
  assert.ok(device.wifi.attempts.length > joins, "it joined again");
  const views = stack.service.views(credentials.playerKey).length;
  await waitFor("views after the link came back", () => stack.service.views(credentials.playerKey).length > views, 20_000);

  // The factory reset the owner can do over USB (the button does the same), with the real CLI.
  // Asynchronously: the device answers from this same process.
  const reset = await execFileAsync(process.execPath, [fileURLToPath(new URL("../../tools/provision.js", import.meta.url)), "--tcp", device.serial.address, "--factory-reset"], { timeout: 30_000 });
  assert.match(reset.stdout, /factory reset/);
  await waitForState(device, "provisioning", 10_000);
  const erased = device.firmware.store.load().settings;
  assert.equal(erased.wifi, undefined);
  assert.equal(erased.credentials, undefined);
  assert.deepEqual(readdirSync(join(folder, "makapix")).filter((file) => file.startsWith("st.")), [], "nothing of the settings is left in storage");
});
