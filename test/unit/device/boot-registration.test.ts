// First boot end to end on the virtual host, with the real parts: the settings store, the registration
// flow against a scripted Makapix API, the boot machine, and the device's MQTT session against a
// scripted broker. The owner sees the code, registers, and the device plays with what it received.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BootMachine } from "../../../src/device/boot.js";
import { FlowRegistration } from "../../../src/device/boot-registration.js";
import { StoreSettingsSource } from "../../../src/device/boot-settings.js";
import { SettingsStore } from "../../../src/device/settings.js";
import { drawStatus, STATUS_COLORS } from "../../../src/display/status-screen.js";
import { MemoryStorage } from "../../support/memory-storage.js";
import { isoAt, ScriptedApi, type ApiAnswer } from "../../support/scripted-api.js";
import { ScriptedBroker } from "../../support/scripted-broker.js";
import { createVirtualHost } from "../../support/virtual-host.js";
import { VirtualWifi } from "../../support/virtual-lifecycle.js";
import { CA_CERT_PEM, PLAYER_CERT_PEM } from "../../support/x509-fixtures.js";
import { TestPanel } from "../../support/test-panel.js";

const KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
const API = "https://api.test/api";


function shows(panel: TestPanel, text: string): boolean {
  const expected = new Uint8Array(64 * 32 * 3);
  drawStatus(expected, 64, 32, text, STATUS_COLORS.info);
  return panel.last.length === expected.length && panel.last.every((byte, i) => byte === expected[i]);
}

test("first boot: the code from the service on the panel, then the credentials it polls, stored, and the session at the broker it names", async () => {
  const host = createVirtualHost(11);
  host.wifi = new VirtualWifi();
  let polls = 0;
  const api = new ScriptedApi(host, (call): ApiAnswer => {
    if (call.path === "/api/player/provision") {
      return {
        status: 201,
        json: {
          player_key: KEY,
          registration_code: "AB3CD9",
          registration_code_expires_at: isoAt(host.clock.wallTimeMs()! + 15 * 60_000),
          mqtt_broker: { host: "broker.test", port: 8884 },
          https_api: { base_url: API, auth: "bearer" },
        },
      };
    }
    if (++polls < 3) return { status: 404, json: { detail: "Player not found or not registered" } };
    return {
      status: 200,
      json: { ca_pem: CA_CERT_PEM, cert_pem: PLAYER_CERT_PEM, key_pem: KEY_PEM, broker: { host: "broker.test", port: 8884 }, https_api: { base_url: API, auth: "bearer" }, api_token: "mpx_live_token1" },
    };
  });
  const toApi = host.network.onConnection;
  const broker = new ScriptedBroker(host, {});
  const toBroker = host.network.onConnection;
  host.network.onConnection = (connection) => (connection.options.host === "broker.test" ? toBroker(connection) : toApi(connection));

  const storage = new MemoryStorage();
  const store = new SettingsStore(storage);
  store.update({ wifi: { ssid: "home", password: "secret-pass" } });
  const panel = new TestPanel();
  const machine = new BootMachine(host, {
    settings: new StoreSettingsSource(store, { board: "esp32-devkit", memoryClass: "small", panel: { size: "64x32" }, broker: { host: "broker.test", port: 8883 }, vault: { url: "http://vault.test" } }),
    registration: new FlowRegistration(host, { apiBase: API, ca: "TEST CA", deviceModel: "virtual-device", firmwareVersion: "0.1.0" }),
    panel,
  });
  machine.start();
  assert.equal(machine.state, "registration");
  await host.timers.advance(100);
  assert.ok(shows(panel, "Code AB3CD9 makapix.club 15min left"), "the service's code and its expiry");
  assert.equal(machine.info().code, "AB3CD9");

  await host.timers.advance(10_000);
  assert.equal(api.callsTo(`/api/player/${KEY}/credentials`).length, 3);
  assert.equal(machine.state, "playing");
  assert.equal(host.network.connections.at(-1)!.options.port, 8884);
  assert.ok(broker.received.some((packet) => packet.type === 1), "CONNECT sent");
  const stored = new SettingsStore(storage).load().settings;
  assert.equal(stored.credentials?.playerKey, KEY, "the credentials are stored");
  assert.deepEqual(stored.broker, { host: "broker.test", port: 8884 });
  assert.equal(stored.apiToken, "mpx_live_token1");
  assert.ok(!host.log.lines.some((line) => line.includes(KEY)), "the player key is never logged whole");

  const stopping = machine.stop();
  await host.timers.advance(10_000);
  await stopping;
  assert.equal(host.timers.pending, 0);
});

test("an API base set after boot (serial provisioning) is used by the next registration attempt, without a reboot", async () => {
  const host = createVirtualHost(12);
  host.wifi = new VirtualWifi();
  new ScriptedApi(host, (): ApiAnswer => ({ status: 503, json: { detail: "maintenance" } }));
  const store = new SettingsStore(new MemoryStorage());
  store.update({ wifi: { ssid: "home", password: "secret-pass" }, api: { baseUrl: "https://old.test/api" } });
  const machine = new BootMachine(host, {
    settings: new StoreSettingsSource(store, { board: "esp32-devkit", memoryClass: "small", panel: { size: "64x32" }, broker: { host: "broker.test", port: 8883 }, vault: { url: "http://vault.test" } }),
    registration: new FlowRegistration(host, () => ({ apiBase: store.settings.api?.baseUrl ?? API, ca: "TEST CA", deviceModel: "virtual-device", firmwareVersion: "0.1.0" })),
    panel: new TestPanel(),
  });
  machine.start();
  await host.timers.advance(100);
  assert.equal(host.network.connections.at(-1)?.options.host, "old.test");
  const problems = host.log.lines.filter((line) => line.startsWith("warn: registration: "));
  assert.equal(problems.length, 1, `each problem logged once: ${problems.join(" | ")}`);
  assert.match(problems[0]!, /^warn: registration: provisioning answered 503: maintenance; again in \d+ s$/);
  store.update({ api: { baseUrl: "https://new.test/api" } });
  machine.settingsChanged();
  await host.timers.advance(100);
  assert.equal(machine.state, "registration");
  assert.equal(host.network.connections.at(-1)?.options.host, "new.test", "the new API base, at once");
  const stopping = machine.stop();
  await host.timers.advance(10_000);
  await stopping;
});
