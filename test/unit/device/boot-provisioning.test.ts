// Serial provisioning of a booted device, end to end in one process: the PC's ProvisioningClient on a
// virtual serial line, the device's ProvisioningHandler, the BootProvisioning target over the real
// BootMachine and SettingsStore (in-memory storage). What an owner notices: a new board waits for
// Wi-Fi, then goes on by itself; pasted certificates start the session without registration; nothing
// sent back contains the private key or the full player key; a factory reset leaves nothing behind;
// noise on the line changes nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BootMachine } from "../../../src/device/boot.js";
import { BootProvisioning } from "../../../src/device/boot-provisioning.js";
import { StoreSettingsSource } from "../../../src/device/boot-settings.js";
import { ProvisioningClient, ProvisioningClientError } from "../../../src/device/provisioning-client.js";
import { ProvisioningHandler } from "../../../src/device/provisioning-handler.js";
import { RecentLog } from "../../../src/device/recent-log.js";
import { SettingsStore } from "../../../src/device/settings.js";
import { MemoryStorage } from "../../support/memory-storage.js";
import { containsText, TEST_CREDENTIALS, TEST_KEY_BODY, VirtualSerial } from "../../support/provisioning.js";
import { ScriptedBroker } from "../../support/scripted-broker.js";
import { PLAYER_KEY_A } from "../../support/settings-fixture.js";
import { createVirtualHost } from "../../support/virtual-host.js";
import { ScriptedRegistration, VirtualTimeSync, VirtualWifi } from "../../support/virtual-lifecycle.js";
import { CA_CERT_PEM, LONG_CERT_PEM, PLAYER_CERT_PEM } from "../../support/x509-fixtures.js";
import { TestPanel, TEST_BOARD } from "../../support/test-panel.js";



/** The website's download: the real player certificate (CN = PLAYER_KEY_A), its CA, a PKCS#8-shaped key. */
const PASTED = Object.freeze({ ca: CA_CERT_PEM, certificate: PLAYER_CERT_PEM, key: TEST_CREDENTIALS.key });

function device() {
  const base = createVirtualHost(5);
  const log = new RecentLog(base.log, { capacity: 8 });
  const host = { ...base, log };
  const wifi = new VirtualWifi();
  wifi.autoAnswer = undefined;
  host.wifi = wifi;
  const timeSync = new VirtualTimeSync();
  timeSync.onSynchronizing = () => {
    host.timers.wallClockSynced = true;
  };
  host.timeSync = timeSync;
  host.timers.wallClockSynced = false;
  const broker = new ScriptedBroker(base, {});
  const storage = new MemoryStorage();
  const store = new SettingsStore(storage);
  const registration = new ScriptedRegistration();
  const machine = new BootMachine(host, { settings: new StoreSettingsSource(store, TEST_BOARD), registration, panel: new TestPanel() });
  const target = new BootProvisioning({ machine, store, recentLog: () => log.lines() });
  const serial = new VirtualSerial();
  const handler = new ProvisioningHandler(target, { timers: host.timers, log: host.log });
  handler.open(serial);
  const line = serial.line!;
  line.accept();
  const client = new ProvisioningClient((bytes) => line.deliver(bytes), host.timers, { timeoutMs: 500 });
  serial.onSent = (bytes) => client.receive(bytes);
  machine.start();
  return { host, log, wifi, timeSync, broker, storage, store, registration, machine, target, serial, handler, line, client };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProvisioningClientError, String(error));
    return `${error.code}: ${error.message}`;
  }
  assert.fail("expected the device to refuse");
}

function noise(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let n = seed;
  for (let i = 0; i < length; i++) {
    n = (n * 1103515245 + 12345) >>> 0;
    bytes[i] = n >>> 24;
  }
  return bytes;
}

async function stop(d: ReturnType<typeof device>): Promise<void> {
  d.handler.close();
  const stopping = d.machine.stop();
  await d.host.timers.advance(10_000);
  await stopping;
}

test("a new board waits in provisioning; Wi-Fi over serial takes it on to wifi, clock and registration", async () => {
  const d = device();
  assert.equal(d.machine.state, "provisioning");
  let info = await d.client.hello("test");
  assert.equal(info.state, "provisioning");
  assert.equal(info.hasCredentials, false);
  assert.equal(info.wifiSsid, undefined);

  await d.client.setWifi("Home Net", "correct horse");
  assert.deepEqual(d.store.load().settings.wifi, { ssid: "Home Net", password: "correct horse" }, "stored before the machine moved");
  assert.equal(d.machine.state, "wifi");
  assert.deepEqual(d.wifi.joins.at(-1), { ssid: "Home Net", password: "correct horse" });
  d.wifi.up();
  assert.equal(d.machine.state, "clock");
  d.timeSync.synchronized();
  assert.equal(d.machine.state, "registration");
  assert.equal(d.registration.starts, 1);
  info = await d.client.info();
  assert.equal(info.state, "registration");
  assert.equal(info.wifiSsid, "Home Net");
  assert.ok(!containsText(d.serial.allSent(), "correct horse"), "the Wi-Fi password never goes back");

  await d.client.setEndpoints({ apiBase: "https://api.test/api", brokerHost: "mqtt.test" });
  info = await d.client.info();
  assert.equal(info.apiBase, "https://api.test/api");
  assert.equal(info.brokerHost, "mqtt.test");
  assert.equal(info.brokerPort, 8883, "the MQTT-over-TLS port when none is given");
  assert.deepEqual(d.store.load().settings.broker, { host: "mqtt.test", port: 8883 });
  await stop(d);
});

test("info tells the PC how joining went: joining, then the device's reason while it waits to retry, then joined", async () => {
  const d = device();
  await d.client.setWifi("Home Net", "wrong-password");
  let info = await d.client.info();
  assert.equal(info.state, "wifi");
  assert.equal(info.wifiUp, false);
  assert.equal(info.retryInMs, undefined, "joining: no failure yet");
  d.wifi.fail("wrong password");
  info = await d.client.info();
  assert.equal(info.state, "wifi");
  assert.equal(info.lastError, "wrong password", "the device's own reason");
  assert.ok(info.retryInMs !== undefined && info.retryInMs > 0 && info.retryInMs <= 1000, String(info.retryInMs));

  await d.client.setWifi("Home Net", "correct horse");
  info = await d.client.info();
  assert.equal(info.state, "wifi");
  assert.equal(info.retryInMs, undefined, "the new password is being tried: the old failure does not count");
  d.wifi.up();
  info = await d.client.info();
  assert.equal(info.state, "clock");
  assert.equal(info.wifiUp, true);
  assert.ok(!containsText(d.serial.allSent(), "correct horse") && !containsText(d.serial.allSent(), "wrong-password"), "no password goes back");
  await stop(d);
});

test("pasted credentials start the session without registration; info shows the key redacted and the expiry, never the key", async () => {
  const d = device();
  await d.client.setWifi("Home", "pw-12345678");
  d.wifi.up();
  d.timeSync.synchronized();
  assert.equal(d.machine.state, "registration");

  d.store.stagePendingCredentials({ playerKey: PLAYER_KEY_A, ca: CA_CERT_PEM, certificate: LONG_CERT_PEM, key: TEST_CREDENTIALS.key });
  await d.client.putCredentials(PASTED);
  assert.equal(d.store.load().settings.pendingCredentials, undefined, "a renewed set of the old certificate is dropped");
  const stored = d.store.load().settings.credentials;
  assert.equal(stored?.playerKey, PLAYER_KEY_A, "the player key from the certificate's CN");
  assert.equal(stored?.certificate, PLAYER_CERT_PEM);
  assert.equal(d.registration.running, false, "registration stopped");
  await d.host.timers.advance(100);
  const state: string = d.machine.state;
  assert.ok(state === "session" || state === "playing", state);
  assert.equal(d.host.network.connections.at(-1)?.options.host, "broker.test", "the session connects to the broker");

  const info = await d.client.info();
  assert.equal(info.hasCredentials, true);
  assert.equal(info.playerKey, "0b7e...4a5b");
  assert.equal(info.certNotAfter, Date.UTC(2029, 11, 1, 9, 57, 26) / 1000);
  const sent = d.serial.allSent();
  assert.ok(!containsText(sent, PLAYER_KEY_A), "never the full player key");
  assert.ok(!containsText(sent, TEST_KEY_BODY.slice(0, 40)), "never the private key");
  assert.ok(!containsText(sent, "PRIVATE KEY"));
  await stop(d);
});

test("refused: a player key that is not the certificate's, an unreadable certificate, registration without Wi-Fi, a bad broker; nothing stored", async () => {
  const d = device();
  assert.match(await refusal(d.client.startRegistration()), /refused: set Wi-Fi first/);
  assert.match(await refusal(d.client.putCredentials({ ...PASTED, playerKey: "9f8e7d6c-5b4a-4321-8fed-cba987654321" })), /refused: the player key is not the certificate's/);
  assert.match(await refusal(d.client.putCredentials({ ...PASTED, certificate: TEST_CREDENTIALS.certificate })), /refused: certificate unreadable/);
  assert.match(await refusal(d.client.putCredentials({ ...PASTED, certificate: LONG_CERT_PEM })), /refused: (credentials\.playerKey|no player key)/, "a CN that is no player key");
  assert.match(await refusal(d.client.setEndpoints({ brokerHost: "mqtt.test/x" })), /refused: broker\.host/);
  assert.match(await refusal(d.client.setEndpoints({ brokerPort: 1883 })), /refused: broker host needed/);
  // The owner reads the field once: "wifi.password: must be …", not "wifi.password: wifi.password: …".
  const password = await refusal(d.client.setWifi("Home", "short"));
  assert.match(password, /^refused: refused: wifi\.password: must be empty \(open network\), 8–63 characters, or 64 hex digits$/);
  assert.deepEqual(d.store.load().settings, {}, "nothing stored");
  assert.equal(d.machine.state, "provisioning");
  await stop(d);
});

test("factory reset over serial: back to provisioning, the store empty; garbage between requests changes nothing", async () => {
  const d = device();
  await d.client.setWifi("Home", "pw-12345678");
  d.line.deliver(noise(300, 7));
  d.wifi.up();
  d.timeSync.synchronized();
  await d.client.putCredentials({ ...PASTED, apiToken: "tok_0123456789abcdef" });
  d.line.deliver(noise(2000, 11));
  d.line.deliver(new Uint8Array([0x4d, 0x4b, 0x50]));
  await d.host.timers.advance(1000);
  assert.equal((await d.client.info()).hasCredentials, true, "still answering after noise and a partial frame");
  assert.ok(d.handler.lineStats.skippedBytes > 0);
  assert.ok(d.store.ownKeys().length > 0);

  await d.client.factoryReset();
  assert.equal(d.machine.state, "provisioning");
  assert.deepEqual(d.store.load().settings, {}, "nothing left in the store");
  assert.deepEqual(d.store.ownKeys(), [], "no key left in storage");
  assert.ok(d.wifi.disconnects > 0, "the network is left");
  const info = await d.client.info();
  assert.equal(info.state, "provisioning");
  assert.equal(info.hasCredentials, false);
  assert.equal(info.wifiSsid, undefined);
  await stop(d);
});

test("recent log: the newest lines, oldest first, bounded; reboot restarts the machine from the store", async () => {
  const d = device();
  await d.client.setWifi("Home", "pw-12345678");
  d.wifi.up();
  for (let i = 0; i < 20; i++) d.host.log.write("info", `line ${i}`);
  d.host.log.write("debug", "not kept");
  const lines = await d.client.recentLog();
  assert.equal(lines.length, 8);
  assert.equal(lines[0], "info: line 12");
  assert.equal(lines[7], "info: line 19");
  await d.client.reboot();
  await d.host.timers.advance(1000);
  assert.equal(d.machine.state, "wifi", "the machine started over from the stored Wi-Fi");
  await stop(d);
});
