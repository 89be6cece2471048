// Certificate renewal through the boot machine on the virtual host, with the real parts: the settings
// store (staged credentials), the renewal client against a scripted API, the boot machine, and the MQTT
// session against a scripted broker. The client's own cases (401 → rotate → retry, 429, 400) are in
// renewal.test.ts; here: what the adapter promises the machine and the owner.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BootMachine } from "../../../src/device/boot.js";
import { StoreRenewal } from "../../../src/device/boot-renewal.js";
import { StoreSettingsSource } from "../../../src/device/boot-settings.js";
import { DAY_MS, RenewalClient } from "../../../src/device/renewal.js";
import { SettingsStore } from "../../../src/device/settings.js";
import type { TlsOptions } from "../../../src/ports.js";
import { drawStatus, STATUS_COLORS } from "../../../src/display/status-screen.js";
import { MemoryStorage } from "../../support/memory-storage.js";
import { ScriptedApi, type ApiAnswer } from "../../support/scripted-api.js";
import { ScriptedBroker } from "../../support/scripted-broker.js";
import { createVirtualHost, type VirtualHost } from "../../support/virtual-host.js";
import { ScriptedRegistration } from "../../support/virtual-lifecycle.js";
import { CA_CERT_PEM, LONG_CERT_PEM, PLAYER_CERT_PEM } from "../../support/x509-fixtures.js";
import { TestPanel } from "../../support/test-panel.js";

const KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
const NEW_KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASD\n-----END PRIVATE KEY-----\n";
const API = "https://api.test/api";
/** PLAYER_CERT_PEM's notAfter. */
const OLD_NOT_AFTER = Date.UTC(2029, 11, 1, 9, 57, 26);
const TRIAL_MS = 120_000;


function showsWarning(panel: TestPanel, text: string): boolean {
  const expected = new Uint8Array(64 * 32 * 3);
  drawStatus(expected, 64, 32, text, STATUS_COLORS.warning);
  return panel.last.length === expected.length && panel.last.every((byte, i) => byte === expected[i]);
}

interface Rig {
  host: VirtualHost;
  api: ScriptedApi;
  broker: ScriptedBroker;
  store: SettingsStore;
  storage: MemoryStorage;
  machine: BootMachine;
  panel: TestPanel;
  /** The client certificate of every broker connection, in order. */
  certs: (string | undefined)[];
}

function rig(daysLeft: number, newSetConnects: boolean): Rig {
  const host = createVirtualHost(5);
  host.timers.wallEpochMs = OLD_NOT_AFTER - daysLeft * DAY_MS;
  const api = new ScriptedApi(host, (call): ApiAnswer => {
    if (call.path === "/api/player/renew-cert") return { status: 200, json: { cert_pem: LONG_CERT_PEM, key_pem: NEW_KEY_PEM, ca_pem: CA_CERT_PEM } };
    return { status: 404, json: { detail: "not here" } };
  });
  const toApi = host.network.onConnection;
  const broker = new ScriptedBroker(host, {});
  const toBroker = host.network.onConnection;
  const certs: (string | undefined)[] = [];
  host.network.onConnection = (connection) => {
    if (connection.options.host !== "broker.test") return toApi(connection);
    const cert = (connection.options as TlsOptions).certificate;
    certs.push(cert);
    // The broker refuses the new set in the failure case (a CA it does not know yet, say).
    broker.script.refuse = !newSetConnects && cert === LONG_CERT_PEM ? "certificate unknown" : undefined;
    return toBroker(connection);
  };
  const storage = new MemoryStorage();
  const store = new SettingsStore(storage);
  store.update({ credentials: { playerKey: KEY, ca: CA_CERT_PEM, certificate: PLAYER_CERT_PEM, key: KEY_PEM }, apiToken: "mpx_live_token1" });
  const panel = new TestPanel();
  const machine = new BootMachine(host, {
    settings: new StoreSettingsSource(store, { board: "esp32-devkit", memoryClass: "small", panel: { size: "64x32" }, broker: { host: "broker.test", port: 8883 }, vault: { url: "http://vault.test" } }),
    registration: new ScriptedRegistration(),
    renewal: new StoreRenewal(host, store, new RenewalClient(host, { apiBase: API, ca: "TEST CA" }), { trialMs: TRIAL_MS }),
    panel,
  });
  machine.start();
  return { host, api, broker, store, storage, machine, panel, certs };
}

async function finish(r: Rig): Promise<void> {
  const stopping = r.machine.stop();
  await r.host.timers.advance(10_000);
  await stopping;
  assert.equal(r.host.timers.pending, 0, "nothing left running");
}

test("inside the 45-day window: the new set is staged, the session restarts with it, and it becomes current once connected", async () => {
  const r = rig(40, true);
  await r.host.timers.advance(1_000);
  assert.equal(r.api.callsTo("/api/player/renew-cert").length, 1, "renewed at the first check");
  await r.host.timers.advance(10_000);
  assert.deepEqual(r.certs, [PLAYER_CERT_PEM, LONG_CERT_PEM], "the session restarted with the new certificate");
  assert.equal(r.machine.state, "playing");
  const stored = new SettingsStore(r.storage).load().settings;
  assert.equal(stored.credentials?.certificate, LONG_CERT_PEM, "committed after the new set connected");
  assert.equal(stored.credentials?.key, NEW_KEY_PEM);
  assert.equal(stored.credentials?.playerKey, KEY, "the player key stays");
  assert.equal(stored.pendingCredentials, undefined);
  await r.host.timers.advance(3 * DAY_MS);
  assert.equal(r.api.callsTo("/api/player/renew-cert").length, 1, "a certificate with years left is not renewed again");
  await finish(r);
});

test("the new set does not connect: it is discarded, the old set is kept and used, and no renewal follows at once", async () => {
  const r = rig(40, false);
  await r.host.timers.advance(1_000);
  assert.equal(r.api.callsTo("/api/player/renew-cert").length, 1);
  const staged = new SettingsStore(r.storage).load().settings;
  assert.equal(staged.pendingCredentials?.certificate, LONG_CERT_PEM, "while on trial the new set is staged…");
  assert.equal(staged.credentials?.certificate, PLAYER_CERT_PEM, "…beside the old one, still current");
  assert.equal(r.certs.at(-1), LONG_CERT_PEM, "the session restarted with the new certificate");
  await r.host.timers.advance(TRIAL_MS + 30_000);
  const stored = new SettingsStore(r.storage).load().settings;
  assert.equal(stored.credentials?.certificate, PLAYER_CERT_PEM, "the old set is still the current one");
  assert.equal(stored.pendingCredentials, undefined, "the refused set is discarded");
  assert.equal(r.certs[0], PLAYER_CERT_PEM);
  assert.ok(r.certs.includes(LONG_CERT_PEM), "the new set was tried");
  assert.equal(r.certs.at(-1), PLAYER_CERT_PEM, "back on the old set");
  assert.equal(r.machine.state, "playing");
  await r.host.timers.advance(DAY_MS / 2);
  assert.equal(r.api.callsTo("/api/player/renew-cert").length, 1, "no new attempt before the next daily check");
  await r.host.timers.advance(DAY_MS);
  assert.equal(r.api.callsTo("/api/player/renew-cert").length, 2, "renewal is tried again the next day");
  await finish(r);
});

test("outside the window: nothing is renewed or staged; within 90 days the panel warns at each daily check", async () => {
  const r = rig(60, true);
  await r.host.timers.advance(1_000);
  assert.equal(r.machine.state, "playing");
  assert.ok(showsWarning(r.panel, "Certificate ends in 60 days"), "the warning is on the panel");
  await r.host.timers.advance(DAY_MS);
  assert.ok(showsWarning(r.panel, "Certificate ends in 59 days"), "and again the next day");
  await r.host.timers.advance(2 * DAY_MS);
  assert.equal(r.api.calls.length, 0, "no call to the API");
  assert.equal(new SettingsStore(r.storage).load().settings.pendingCredentials, undefined);
  assert.deepEqual(r.certs, [PLAYER_CERT_PEM]);
  assert.ok(r.host.log.lines.some((line) => line.includes("certificate expires in 60 days")));
  await finish(r);
});

test("a pending set left by a reboot during its trial is discarded when the session runs with the current set", async () => {
  const host = createVirtualHost(6);
  const storage = new MemoryStorage();
  const store = new SettingsStore(storage);
  store.update({ credentials: { playerKey: KEY, ca: CA_CERT_PEM, certificate: PLAYER_CERT_PEM, key: KEY_PEM } });
  store.stagePendingCredentials({ playerKey: KEY, ca: CA_CERT_PEM, certificate: LONG_CERT_PEM, key: NEW_KEY_PEM });
  const renewal = new StoreRenewal(host, store, new RenewalClient(host, { apiBase: API, ca: "TEST CA" }));
  renewal.start(store.settings.credentials!, { renewed: () => assert.fail("nothing to renew") });
  assert.equal(renewal.onTrial, false);
  assert.equal(new SettingsStore(storage).load().settings.pendingCredentials, undefined);
  renewal.stop();
  assert.equal(host.timers.pending, 0);
});
