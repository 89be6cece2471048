// The boot state machine on the virtual host: a Wi-Fi station, an SNTP client and a button driven by
// the test, in-memory settings and registration, and the real PlayerDevice talking MQTT to a scripted
// broker. What a person would notice: the words on the panel in each state, that the device gets to
// art, that every failure is retried later (one timer, never a loop), that a lost Wi-Fi does not leave
// it stuck, and that holding the button erases it.
// (Over 400 lines: one case per state and per failure of it.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { BootMachine, type BootOptions, type BootStateName } from "../../../src/device/boot.js";
import { apiSite, BOOT_TEXT, codeStatus } from "../../../src/device/boot-screens.js";
import type { Credentials, DeviceConfig } from "../../../src/device/config.js";
import { drawStatus, STATUS_COLORS, wrapText } from "../../../src/display/status-screen.js";
import type { PanelConfig, PixelPush, RefreshStats } from "../../../src/ports.js";
import { pem, validConfig } from "../../support/device-config.js";
import { ScriptedBroker } from "../../support/scripted-broker.js";
import { createVirtualHost, type VirtualHost } from "../../support/virtual-host.js";
import { MemorySettings, ScriptedRegistration, VirtualButton, VirtualTimeSync, VirtualWifi } from "../../support/virtual-lifecycle.js";

class RecordingPanel implements PixelPush {
  config: PanelConfig | undefined;
  begins = 0;
  last = new Uint8Array(0);
  brightness = -1;
  /** The next begins throw (a driver out of memory). */
  failBegins = 0;
  readonly stats: RefreshStats = { framesPushed: 0, refreshHz: 0 };
  begin(config: PanelConfig): void {
    if (this.failBegins > 0) {
      this.failBegins--;
      throw new Error("no DMA memory");
    }
    this.config = config;
    this.begins++;
  }
  push(frame: Uint8Array): void {
    this.last = frame.slice();
  }
}

function statusFrame(text: string, level: keyof typeof STATUS_COLORS, width = 64, height = 32): Uint8Array {
  const frame = new Uint8Array(width * height * 3);
  drawStatus(frame, width, height, text, STATUS_COLORS[level]);
  return frame;
}

function assertScreen(panel: RecordingPanel, text: string, level: keyof typeof STATUS_COLORS, message: string): void {
  const expected = statusFrame(text, level);
  const same = panel.last.length === expected.length && panel.last.every((byte, i) => byte === expected[i]);
  assert.ok(same, `${message}: the panel shows "${text}" (${level})`);
}

const WIFI = Object.freeze({ ssid: "home", password: "secret-pass" });
const CREDENTIALS: Credentials = validConfig().credentials;
const RENEWED: Credentials = { ...CREDENTIALS, certificate: pem("CERTIFICATE", "RENEWED"), key: pem("PRIVATE KEY", "RENEWEDKEY") };

function deviceSettings(): Omit<DeviceConfig, "credentials"> {
  const { credentials: _unused, ...rest } = validConfig({ panel: { size: "64x32" } });
  return rest;
}

interface Rig {
  host: VirtualHost;
  wifi: VirtualWifi;
  sync: VirtualTimeSync;
  button: VirtualButton;
  settings: MemorySettings;
  registration: ScriptedRegistration;
  broker: ScriptedBroker;
  panel: RecordingPanel;
  machine: BootMachine;
  states: BootStateName[];
}

function rig(options: { wifi?: typeof WIFI; credentials?: Credentials; clockSynced?: boolean; networkPorts?: boolean; boot?: Partial<BootOptions> } = {}): Rig {
  const host = createVirtualHost(3);
  host.timers.wallClockSynced = options.clockSynced ?? true;
  const wifi = new VirtualWifi();
  const sync = new VirtualTimeSync();
  sync.onSynchronizing = () => {
    host.timers.wallClockSynced = true;
  };
  const button = new VirtualButton();
  if (options.networkPorts !== false) {
    host.wifi = wifi;
    host.timeSync = sync;
  }
  host.button = button;
  const broker = new ScriptedBroker(host, {});
  const settings = new MemorySettings(deviceSettings(), options.wifi, options.credentials);
  const registration = new ScriptedRegistration();
  const panel = new RecordingPanel();
  const states: BootStateName[] = [];
  const machine = new BootMachine(host, {
    settings,
    registration,
    panel,
    stateChanged: (info) => {
      if (states.at(-1) !== info.state) states.push(info.state);
    },
    ...options.boot,
  });
  return { host, wifi, sync, button, settings, registration, broker, panel, machine, states };
}

async function finish(r: Rig): Promise<void> {
  const stopping = r.machine.stop();
  await r.host.timers.advance(10_000);
  await stopping;
  assert.equal(r.host.timers.pending, 0, "a stopped machine leaves no timer");
}

test("first boot: set up over USB, Wi-Fi, clock, the code, registration, then the session plays", async () => {
  const r = rig({ clockSynced: false });
  r.machine.start();
  assert.equal(r.machine.state, "provisioning");
  assert.deepEqual(r.panel.config, { width: 64, height: 32, colorDepth: 8 }, "the panel is lit from the stored panel settings");
  assertScreen(r.panel, "No Wi-Fi. Set up over USB", "warning", "without Wi-Fi settings");
  assert.equal(r.host.timers.pending, 0, "waiting for the owner costs no timer");
  await r.host.timers.advance(600_000);
  assert.equal(r.machine.state, "provisioning", "and it waits as long as it takes");

  r.wifi.autoAnswer = undefined;
  r.settings.wifi = WIFI;
  r.machine.settingsChanged();
  assert.equal(r.machine.state, "wifi");
  assertScreen(r.panel, "Wi-Fi…", "info", "joining");
  assert.deepEqual(r.wifi.joins, [WIFI]);
  r.wifi.up();
  assert.equal(r.machine.state, "clock");
  assertScreen(r.panel, "Clock…", "info", "Wi-Fi up, the clock is not");
  assert.equal(r.sync.starts, 1);
  r.sync.synchronized();
  assert.equal(r.machine.state, "registration", "no credentials: register");
  assertScreen(r.panel, "Registering…", "info", "asking for a code");
  assert.equal(r.registration.starts, 1);

  const wallNow = r.host.clock.wallTimeMs()!;
  r.registration.code("ABC234", wallNow + 15 * 60_000);
  assertScreen(r.panel, "Code ABC234 makapix.club 15min left", "info", "the code and its expiry");
  assert.equal(r.machine.info().code, "ABC234");
  await r.host.timers.advance(5 * 60_000);
  assertScreen(r.panel, "Code ABC234 makapix.club 10min left", "info", "the minutes count down");

  r.settings.brokerFromRegistration = { host: "broker.test", port: 8884 };
  r.registration.registered(CREDENTIALS);
  assert.equal(r.registration.running, false, "registration stopped once registered");
  assert.deepEqual(r.settings.credentials, CREDENTIALS, "the credentials are stored");
  assert.equal(r.machine.state, "session");
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "playing", "the MQTT session connected");
  const connection = r.host.network.connections.at(-1)!;
  assert.equal(connection.options.host, "broker.test");
  assert.equal(connection.options.port, 8884, "at the broker the registration named (settings read back)");
  assert.equal((connection.options as { certificate?: string }).certificate, CREDENTIALS.certificate, "with the new credentials");
  assert.equal(r.panel.begins, 1, "one panel set-up for every state and the session");
  assert.deepEqual(r.states, ["loading", "provisioning", "loading", "wifi", "clock", "registration", "session", "playing"]);
  assert.equal(r.machine.info().registered, true);
  await finish(r);
});

test("a stored device boots straight to the session; a host without Wi-Fi or SNTP port is online at once", async () => {
  const r = rig({ wifi: WIFI, credentials: CREDENTIALS });
  r.machine.start();
  assert.equal(r.sync.starts, 0, "a clock already right is not synchronised again");
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "playing");
  assert.deepEqual(r.states, ["loading", "wifi", "session", "playing"]);
  await finish(r);

  const bare = rig({ credentials: CREDENTIALS, networkPorts: false, clockSynced: false });
  bare.machine.start();
  await bare.host.timers.advance(100);
  assert.equal(bare.machine.state, "playing", "no Wi-Fi settings needed where there is no Wi-Fi");
  assert.equal(bare.machine.info().wifiUp, true);
  await finish(bare);
});

test("Wi-Fi refused: the retry waits a back-off that doubles up to a minute, one timer at a time", async () => {
  const r = rig({ wifi: WIFI, credentials: CREDENTIALS });
  r.wifi.autoAnswer = "auth failed";
  r.machine.start();
  assert.equal(r.machine.state, "wifi");
  const first = r.machine.info();
  assert.equal(first.lastError, "auth failed");
  assert.ok(first.retryInMs! >= 500 && first.retryInMs! <= 1000, `first retry after 0.5–1 s, not ${first.retryInMs}`);
  assertScreen(r.panel, `Wi-Fi failed. Retry in ${Math.round(first.retryInMs! / 1000)} s`, "warning", "the failure and the wait");
  assert.equal(r.host.timers.pending, 1, "one retry timer");

  const delays: number[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    const wait = r.machine.info().retryInMs!;
    delays.push(wait);
    const joins = r.wifi.joins.length;
    await r.host.timers.advance(wait - 1);
    assert.equal(r.wifi.joins.length, joins, "no attempt before the back-off ends");
    await r.host.timers.advance(1);
    assert.equal(r.wifi.joins.length, joins + 1, "one attempt when it ends");
    assert.equal(r.host.timers.pending, 1, "still one timer");
  }
  for (let i = 0; i < delays.length; i++) {
    const ceiling = Math.min(1000 * 2 ** i, 60_000);
    assert.ok(delays[i]! >= ceiling / 2 && delays[i]! <= ceiling, `retry ${i + 1} waits ${delays[i]} ms, within ${ceiling / 2}–${ceiling}`);
  }

  r.wifi.autoAnswer = "up";
  await r.host.timers.advance(r.machine.info().retryInMs!);
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "playing", "it gets there once Wi-Fi lets it in");
  await finish(r);
});

test("Wi-Fi that never answers times out after 30 s and is tried again", async () => {
  const r = rig({ wifi: WIFI, credentials: CREDENTIALS });
  r.wifi.autoAnswer = undefined;
  r.machine.start();
  await r.host.timers.advance(29_999);
  assert.equal(r.wifi.joins.length, 1);
  assert.equal(r.wifi.disconnects, 0);
  await r.host.timers.advance(1);
  assert.equal(r.wifi.disconnects, 1, "the hanging attempt is dropped");
  assert.equal(r.machine.info().lastError, "no connection");
  await r.host.timers.advance(1000);
  assert.equal(r.wifi.joins.length, 2, "and started again");
  r.wifi.up();
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "playing");
  await finish(r);
});

test("unreadable settings, a clock that fails and a failed registration are each retried after a back-off", async () => {
  const r = rig({ wifi: WIFI, clockSynced: false });
  r.settings.failLoads = 2;
  r.machine.start();
  assert.equal(r.machine.state, "loading");
  assert.equal(r.panel.config?.width, 64, "the fallback panel shows why");
  assertScreen(r.panel, `Settings failed. Retry in ${Math.round(r.machine.info().retryInMs! / 1000)} s`, "warning", "settings unreadable");
  assert.equal(r.host.timers.pending, 1);
  await r.host.timers.advance(r.machine.info().retryInMs!);
  assert.equal(r.settings.loads, 2);
  assert.equal(r.machine.info().attempts, 2, "the second failure counts");
  await r.host.timers.advance(r.machine.info().retryInMs!);
  assert.equal(r.machine.state, "clock", "loaded at the third try");

  r.sync.fail("no server answered");
  assert.equal(r.sync.stops, 1);
  assertScreen(r.panel, `Clock failed. Retry in ${Math.round(r.machine.info().retryInMs! / 1000)} s`, "warning", "no time");
  assert.equal(r.host.timers.pending, 1);
  await r.host.timers.advance(r.machine.info().retryInMs!);
  assert.equal(r.sync.starts, 2);
  await r.host.timers.advance(20_000);
  assert.equal(r.machine.info().lastError, "no answer", "a sync without an answer times out");
  await r.host.timers.advance(r.machine.info().retryInMs!);
  r.sync.synchronized();
  assert.equal(r.machine.state, "registration");

  r.registration.failed("HTTP 429");
  assert.equal(r.registration.running, false);
  assertScreen(r.panel, `Register failed. Retry in ${Math.round(r.machine.info().retryInMs! / 1000)} s`, "warning", "registration failed");
  assert.equal(r.host.timers.pending, 1, "one timer while it waits");
  await r.host.timers.advance(r.machine.info().retryInMs!);
  assert.equal(r.registration.starts, 2, "registration starts again");
  r.registration.registered(CREDENTIALS);
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "playing");
  await finish(r);
});

test("Wi-Fi lost mid-session: the session is torn down, Wi-Fi rejoins, and the session resumes", async () => {
  const r = rig({ wifi: WIFI, credentials: CREDENTIALS });
  r.machine.start();
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "playing");
  const firstDevice = r.machine.device!;
  const firstConnection = r.host.network.connections.at(-1)!;

  for (let drop = 1; drop <= 3; drop++) {
    r.wifi.autoAnswer = undefined;
    r.wifi.fail("beacon timeout");
    r.broker.connection?.fail("network down");
    assert.equal(r.machine.state, "wifi");
    assert.equal(r.machine.device, undefined, "the session is gone");
    await r.host.timers.advance(0);
    assertScreen(r.panel, `Wi-Fi lost. Retry in ${Math.round(r.machine.info().retryInMs! / 1000)} s`, "warning", "Wi-Fi lost");
    await r.host.timers.advance(r.machine.info().retryInMs!);
    assert.equal(r.wifi.joins.length, 2 * drop, "rejoining (each drop: one failed attempt, one that works)");
    // The access point is back only after a while: the attempt fails once, then succeeds.
    r.wifi.fail("no AP found");
    await r.host.timers.advance(r.machine.info().retryInMs!);
    r.wifi.up();
    await r.host.timers.advance(100);
    assert.equal(r.machine.state, "playing", `session resumed after drop ${drop}`);
    assert.notEqual(r.machine.device, firstDevice);
    assert.equal(r.host.network.connections.filter((connection) => connection.isOpen).length, 1, "exactly one live broker connection");
  }
  assert.equal(firstDevice.state, "stopped");
  assert.equal(firstConnection.isOpen, false);
  assert.equal(r.panel.begins, 1, "the same display throughout");
  await finish(r);
});

test("Wi-Fi lost while registering stops registration and starts it again once back", async () => {
  const r = rig({ wifi: WIFI });
  r.machine.start();
  assert.equal(r.machine.state, "registration");
  r.registration.code("XYZ789", r.host.clock.wallTimeMs()! + 60_000);
  r.wifi.autoAnswer = "up";
  r.wifi.fail("lost");
  assert.equal(r.registration.running, false, "registration stopped");
  assert.equal(r.machine.info().code, undefined, "the code is off the screen");
  r.registration.last!.registered(CREDENTIALS);
  r.registration.last!.failed("late");
  assert.equal(r.settings.saves, 0, "a late event of a stopped registration is ignored");
  assert.equal(r.machine.state, "wifi");
  await r.host.timers.advance(r.machine.info().retryInMs!);
  assert.equal(r.machine.state, "registration");
  assert.equal(r.registration.starts, 2);
  await finish(r);
});

test("holding the button 5 s erases the settings and goes back to set-up; a short press does nothing", async () => {
  const r = rig({ wifi: WIFI, credentials: CREDENTIALS });
  r.machine.start();
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "playing");
  r.button.press();
  await r.host.timers.advance(4_999);
  r.button.release();
  await r.host.timers.advance(10_000);
  assert.equal(r.machine.state, "playing", "4.999 s is not a long press");
  assert.equal(r.settings.resets, 0);

  r.button.press();
  await r.host.timers.advance(5_000);
  assert.equal(r.settings.resets, 1, "erased");
  assert.equal(r.machine.state, "provisioning");
  assertScreen(r.panel, "No Wi-Fi. Set up over USB", "warning", "after the reset");
  assert.ok(r.states.includes("resetting"));
  assert.equal(r.machine.device, undefined);
  assert.ok(r.wifi.disconnects >= 1, "Wi-Fi left");
  r.button.release();
  await r.host.timers.advance(100);
  assert.equal(r.host.network.connections.filter((connection) => connection.isOpen).length, 0, "no session left");
  await finish(r);
});

test("the serial commands: factory reset, reboot (with and without a board restart), info", async () => {
  let reboots = 0;
  const r = rig({ wifi: WIFI, credentials: CREDENTIALS, boot: { reboot: () => reboots++ } });
  r.machine.start();
  await r.host.timers.advance(100);
  const info = r.machine.info();
  assert.deepEqual({ ...info }, { state: "playing", attempts: 0, retryInMs: undefined, lastError: undefined, wifiUp: true, registered: true, code: undefined });
  r.machine.reboot();
  assert.equal(reboots, 1, "the board restarts");
  r.machine.factoryReset();
  assert.equal(r.machine.state, "provisioning");
  assert.equal(r.machine.info().registered, false);
  await finish(r);

  const soft = rig({ wifi: WIFI, credentials: CREDENTIALS });
  soft.machine.start();
  await soft.host.timers.advance(100);
  soft.machine.reboot();
  assert.equal(soft.wifi.joins.length, 2, "without a board restart the machine starts over");
  await soft.host.timers.advance(100);
  assert.equal(soft.machine.state, "playing");
  await finish(soft);
});

test("a renewed certificate restarts the session with it", async () => {
  const renewal = {
    starts: [] as Credentials[],
    stops: 0,
    connects: 0,
    events: undefined as { renewed(credentials: Credentials): void } | undefined,
    start(credentials: Credentials, events: { renewed(credentials: Credentials): void }) {
      this.starts.push(credentials);
      this.events = events;
    },
    connected() {
      this.connects++;
    },
    stop() {
      this.stops++;
    },
  };
  const r = rig({ wifi: WIFI, credentials: CREDENTIALS, boot: { renewal } });
  r.machine.start();
  await r.host.timers.advance(100);
  assert.equal(renewal.connects, 1);
  const firstSession = renewal.events!;
  firstSession.renewed(RENEWED);
  assert.equal(renewal.stops, 1);
  await r.host.timers.advance(5_000);
  assert.equal(r.machine.state, "playing");
  assert.equal(renewal.connects, 2, "the new set connected");
  assert.deepEqual(renewal.starts, [CREDENTIALS, RENEWED]);
  assert.equal((r.host.network.connections.at(-1)!.options as { certificate?: string }).certificate, RENEWED.certificate);
  // A late event of the stopped session must not restart the running one.
  const device = r.machine.device;
  firstSession.renewed(CREDENTIALS);
  await r.host.timers.advance(5_000);
  assert.equal(r.machine.device, device, "the session runs on");
  assert.deepEqual(renewal.starts, [CREDENTIALS, RENEWED]);
  await finish(r);
});

test("unusable stored credentials mean registering again; an unusable setting waits for the owner", async () => {
  const broken = rig({ wifi: WIFI, credentials: { ...CREDENTIALS, key: "not a key" } });
  broken.machine.start();
  await broken.host.timers.advance(100);
  assert.equal(broken.machine.state, "registration");
  await finish(broken);

  const bad = rig({ wifi: WIFI, credentials: CREDENTIALS });
  bad.settings.device = { ...bad.settings.device, broker: { host: "broker.test:8883", port: 8883 } };
  bad.machine.start();
  await bad.host.timers.advance(100);
  assert.equal(bad.machine.state, "provisioning");
  assertScreen(bad.panel, "Bad settings. Set up over USB", "error", "a bad broker setting");
  assert.ok(bad.machine.info().lastError?.startsWith("broker.host"));
  assert.equal(bad.host.timers.pending, 0, "no retry loop on a setting only the owner can fix");
  bad.settings.device = deviceSettings();
  bad.machine.settingsChanged();
  await bad.host.timers.advance(100);
  assert.equal(bad.machine.state, "playing");
  await finish(bad);
});

test("a 64×64 panel on a board without PSRAM: the panel says it is too big, on the 64×32 fallback, and waits for the owner", async () => {
  const r = rig({ wifi: WIFI, credentials: CREDENTIALS });
  r.settings.device = { ...r.settings.device, memoryClass: "small", panel: { size: "64x64" } };
  r.machine.start();
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "provisioning");
  assert.deepEqual(r.panel.config, { width: 64, height: 32, colorDepth: 8 }, "lit as the fallback panel");
  assertScreen(r.panel, "Panel too big for this board", "error", "a panel the small class cannot drive");
  const why = r.machine.info().lastError ?? "";
  assert.ok(why.startsWith("panel.size: a 64x64 panel is too big for this board") && why.includes("drives 64x32 panels"), why);
  assert.equal(r.host.timers.pending, 0, "no retry loop: only another panel or board fixes it");
  r.settings.device = { ...r.settings.device, panel: { size: "64x32" } };
  r.machine.settingsChanged();
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "playing", "a 64×32 panel plays");
  await finish(r);

  // A board built with a panel its class cannot drive (the fallback itself too big) still boots and says why.
  const built = rig({ wifi: WIFI, credentials: CREDENTIALS, boot: { fallbackPanel: { memoryClass: "small", panel: { size: "64x64" } } } });
  built.settings.device = { ...built.settings.device, panel: { size: "64x64" } };
  built.machine.start();
  await built.host.timers.advance(100);
  assert.equal(built.machine.state, "provisioning");
  assert.deepEqual(built.panel.config, { width: 64, height: 32, colorDepth: 8 });
  assertScreen(built.panel, "Panel too big for this board", "error", "a build whose own panel is too big");
  assert.ok(built.host.log.has("fallback panel unusable"));
  await finish(built);
});

test("a panel that cannot be set up does not stop the machine: the session step tries it again", async () => {
  const r = rig({ wifi: WIFI, credentials: CREDENTIALS });
  r.panel.failBegins = 2;
  r.machine.start();
  await r.host.timers.advance(0);
  assert.equal(r.machine.state, "session");
  assert.ok(r.host.log.has("panel not set up: no DMA memory"));
  assert.equal(r.machine.info().lastError, "no panel");
  assert.equal(r.host.timers.pending, 1, "one retry timer");
  await r.host.timers.advance(r.machine.info().retryInMs!);
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "playing");
  assert.equal(r.panel.begins, 1);
  await finish(r);
});

test("with a preview, art plays while registering and the code takes 20 s of every minute", async () => {
  const preview = {
    log: [] as string[],
    start(display: unknown) {
      this.log.push(display === undefined ? "start without display" : "start");
    },
    stop() {
      this.log.push("stop");
    },
  };
  const r = rig({ wifi: WIFI, boot: { preview } });
  r.machine.start();
  assert.equal(r.machine.state, "registration");
  assert.deepEqual(preview.log, ["start"], "art at once, before there is a code");
  r.registration.code("ABC234", r.host.clock.wallTimeMs()! + 15 * 60_000);
  assert.deepEqual(preview.log, ["start", "stop"]);
  assertScreen(r.panel, "Code ABC234 makapix.club 15min left", "info", "the code replaces the art");
  await r.host.timers.advance(19_999);
  assert.equal(preview.log.length, 2, "the code stays up 20 s");
  await r.host.timers.advance(1);
  assert.deepEqual(preview.log, ["start", "stop", "start"], "then art again");
  await r.host.timers.advance(40_000);
  assert.deepEqual(preview.log, ["start", "stop", "start", "stop"], "and the code again a minute after it first showed");
  assertScreen(r.panel, "Code ABC234 makapix.club 14min left", "info", "one minute less");
  await r.host.timers.advance(20_000);
  r.registration.registered(CREDENTIALS);
  assert.deepEqual(preview.log.slice(-2), ["start", "stop"], "registered: the preview stops");
  await r.host.timers.advance(100);
  assert.equal(r.machine.state, "playing");
  await finish(r);
});

test("what the website changes on the panel is saved through the settings store", async () => {
  const saved: number[] = [];
  const r = rig({ wifi: WIFI, credentials: CREDENTIALS });
  (r.settings as MemorySettings & { savePanel(panel: { brightness: number }): void }).savePanel = (panel) => saved.push(panel.brightness);
  r.machine.start();
  await r.host.timers.advance(100);
  r.machine.device!.player.controls.setBrightness(35);
  assert.deepEqual(saved, [35]);
  await finish(r);
});

test("every boot text fits a 64×32 panel: whole words, at most 16 characters a line, no ellipsis", () => {
  const texts = [
    ...Object.values(BOOT_TEXT),
    "Code ABC234 makapix.club 15min left",
    "Settings failed. Retry in 60 s",
    "Register failed. Retry in 60 s",
    "Wi-Fi lost. Retry in 60 s",
    "Certificate ends in 90 days",
    "Certificate expired",
  ];
  for (const text of texts) {
    const lines = wrapText(text, 16, 5);
    assert.equal(lines.join(" "), text, `"${text}" wraps at spaces only: ${JSON.stringify(lines)}`);
  }
  assert.deepEqual(wrapText("Code ABC234 makapix.club 15min left", 16, 5), ["Code ABC234", "makapix.club", "15min left"]);
  assert.deepEqual(wrapText("No Wi-Fi. Set up over USB", 16, 5), ["No Wi-Fi. Set up", "over USB"]);
});

test("the code screen names the host of the API in use, shortened to a line of a 64-pixel panel", () => {
  const cases: [string, string][] = [
    ["https://makapix.club/api", "makapix.club"],
    ["https://127.0.0.1:41839/api", "127.0.0.1"],
    ["http://localhost:3000/api", "localhost"],
    ["https://Makapix.Example:8443", "makapix.example"],
    ["https://user@api.test/api?x=1", "api.test"],
    ["https://api.staging.makapix.club/api", "…makapix.club"],
    ["https://players.eu-west-1.makapix-club.example/api", "…ix-club.example"],
    ["https://a-very-long-hostname-for-players.example/api", "…players.example"],
  ];
  for (const [base, site] of cases) {
    assert.equal(apiSite(base), site, base);
    // What the panel shows, line by line (a no-break space is drawn as a space).
    const lines = wrapText(codeStatus("ABC234", 15, apiSite(base)).text, 16, 5).map((line) => line.split("\u00a0").join(" "));
    assert.deepEqual(lines, ["Code ABC234", site, "15min left"], base);
  }
  assert.equal(apiSite("https://[::1]:8443/api"), "[::1]");
  assert.deepEqual(
    wrapText(codeStatus("ABC234", 15, "[::1]").text, 16, 5).map((line) => line.split("\u00a0").join(" ")),
    ["Code ABC234", "[::1] 15min left"],
    "a site under 6 characters shares a line, whole",
  );
  assert.equal(codeStatus("ABC234", 15).text.split("\u00a0").join(" "), "Code ABC234 makapix.club 15min left", "without a site: makapix.club");
});

test("with a preview that names its site, the code screen shows that host instead of makapix.club", async () => {
  let base = "https://127.0.0.1:41839/api";
  const preview = { start() {}, stop() {}, site: () => apiSite(base) };
  const r = rig({ wifi: WIFI, boot: { preview } });
  r.machine.start();
  r.registration.code("ABC234", r.host.clock.wallTimeMs()! + 15 * 60_000);
  // The expected frames break where the panel does: "Code ABC234" / the host / "15min left".
  assertScreen(r.panel, "Code\u00a0ABC234 127.0.0.1 15min\u00a0left", "info", "the local service's host");
  base = "https://makapix.example/api";
  r.registration.code("XYZ789", r.host.clock.wallTimeMs()! + 15 * 60_000);
  assertScreen(r.panel, "Code XYZ789 makapix.example 15min left", "info", "read at each redraw");
  await finish(r);
});
