// The boot machine over the real settings store (on in-memory storage): what an owner sets over serial
// is what the device boots with, registration's credentials, broker and token survive a reboot, the
// website's panel changes are kept, and a factory reset leaves nothing behind.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BootMachine } from "../../../src/device/boot.js";
import { StoreSettingsSource } from "../../../src/device/boot-settings.js";
import type { RegisteredCredentials } from "../../../src/device/registration.js";
import { SettingsStore } from "../../../src/device/settings.js";
import { validConfig } from "../../support/device-config.js";
import { MemoryStorage } from "../../support/memory-storage.js";
import { ScriptedBroker } from "../../support/scripted-broker.js";
import { createVirtualHost } from "../../support/virtual-host.js";
import { ScriptedRegistration, VirtualWifi } from "../../support/virtual-lifecycle.js";
import { TestPanel, TEST_BOARD } from "../../support/test-panel.js";



function boot(storage: MemoryStorage) {
  const host = createVirtualHost(9);
  const wifi = new VirtualWifi();
  host.wifi = wifi;
  const broker = new ScriptedBroker(host, {});
  const store = new SettingsStore(storage);
  const registration = new ScriptedRegistration();
  const panel = new TestPanel();
  const machine = new BootMachine(host, { settings: new StoreSettingsSource(store, TEST_BOARD), registration, panel });
  return { host, wifi, broker, store, registration, panel, machine };
}

async function stop(r: ReturnType<typeof boot>): Promise<void> {
  const stopping = r.machine.stop();
  await r.host.timers.advance(10_000);
  await stopping;
}

test("serial Wi-Fi, registration and the website's panel change are stored and used after a reboot; a reset erases them", async () => {
  const storage = new MemoryStorage();
  const first = boot(storage);
  first.machine.start();
  assert.equal(first.machine.state, "provisioning", "an empty store: set up over USB");
  assert.deepEqual(first.panel.config, { width: 64, height: 32, colorDepth: 8 }, "the board's default panel");

  first.store.update({ wifi: { ssid: "home", password: "secret-pass" } });
  first.machine.settingsChanged();
  assert.equal(first.machine.state, "registration");
  const registered: RegisteredCredentials = { ...validConfig().credentials, broker: { host: "broker.test", port: 8884 }, apiToken: "token-0123456789abcdef", apiBase: "https://api.test/api" };
  first.registration.registered(registered);
  await first.host.timers.advance(100);
  assert.equal(first.machine.state, "playing");
  assert.equal(first.host.network.connections.at(-1)!.options.port, 8884, "the broker registration named");
  first.machine.device!.player.controls.setBrightness(30);
  await stop(first);

  const second = boot(storage);
  assert.equal(second.store.load().settings.apiToken, "token-0123456789abcdef", "the API token is kept");
  assert.equal(second.store.settings.api?.baseUrl, "https://api.test/api");
  second.machine.start();
  await second.host.timers.advance(100);
  assert.deepEqual(second.wifi.joins, [{ ssid: "home", password: "secret-pass" }], "the stored Wi-Fi");
  assert.equal(second.machine.state, "playing", "registered devices go straight to the session");
  assert.equal(second.host.network.connections.at(-1)!.options.port, 8884);
  assert.equal(second.panel.brightness, 30, "the brightness the website set");
  assert.deepEqual(second.store.settings.panel, { size: "64x32", colorDepth: 8, rotation: 0, mirror: false, brightness: 30, board: "esp32-devkit" });

  second.machine.factoryReset();
  assert.equal(second.machine.state, "provisioning");
  await stop(second);
  const third = new SettingsStore(storage).load();
  assert.deepEqual({ ...third.settings }, {}, "nothing left after the reset");
});
