// The panel wizard on a booted device: started and answered over the serial line (the real client,
// handler, BootProvisioning, BootMachine and SettingsStore) or with the button; what it finds is stored
// and the panel is set up with it, also after a power cycle (a new store and machine on the same
// storage); a cancel or a timeout stores nothing; garbage on the line changes nothing; an older client
// (no wizard message) is unaffected.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BootMachine } from "../../../src/device/boot.js";
import { BootProvisioning } from "../../../src/device/boot-provisioning.js";
import { StoreSettingsSource } from "../../../src/device/boot-settings.js";
import { ProvisioningClient, ProvisioningClientError } from "../../../src/device/provisioning-client.js";
import { ProvisioningHandler } from "../../../src/device/provisioning-handler.js";
import { FIELD, MESSAGE } from "../../../src/device/provisioning-messages.js";
import { SettingsStore } from "../../../src/device/settings.js";
import { drawTestPattern } from "../../../src/display/test-patterns.js";
import { MemoryStorage } from "../../support/memory-storage.js";
import { VirtualSerial } from "../../support/provisioning.js";
import { TEST_BOARD, TestPanel } from "../../support/test-panel.js";
import { createVirtualHost } from "../../support/virtual-host.js";
import { ScriptedRegistration, VirtualButton, VirtualTimeSync, VirtualWifi } from "../../support/virtual-lifecycle.js";

function device(storage = new MemoryStorage()) {
  const host = createVirtualHost(7);
  const wifi = new VirtualWifi();
  wifi.autoAnswer = undefined;
  host.wifi = wifi;
  host.timeSync = new VirtualTimeSync();
  const button = new VirtualButton();
  host.button = button;
  const store = new SettingsStore(storage);
  const panel = new TestPanel();
  const machine = new BootMachine(host, {
    settings: new StoreSettingsSource(store, TEST_BOARD),
    registration: new ScriptedRegistration(),
    panel,
    wizard: { idleTimeoutMs: 60_000 },
  });
  const serial = new VirtualSerial();
  const handler = new ProvisioningHandler(new BootProvisioning({ machine, store }), { timers: host.timers, log: host.log });
  handler.open(serial);
  const line = serial.line!;
  line.accept();
  const client = new ProvisioningClient((bytes) => line.deliver(bytes), host.timers, { timeoutMs: 500 });
  serial.onSent = (bytes) => client.receive(bytes);
  machine.start();
  return { host, storage, store, panel, machine, button, handler, line, client };
}

type Device = ReturnType<typeof device>;

/** Runs a client request while virtual time moves (the reply comes back through the timers' turns). */
async function ask<T>(d: Device, request: Promise<T>): Promise<T> {
  let outcome: { value?: T; error?: unknown } | undefined;
  request.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  for (let i = 0; i < 50 && !outcome; i++) await d.host.timers.advance(10);
  assert.ok(outcome, "the device answered");
  if (outcome.error !== undefined) throw outcome.error;
  return outcome.value as T;
}

function frame(pattern: "bars" | "rows" | "stripes" | "sweep", label: string): Uint8Array {
  const bytes = new Uint8Array(64 * 32 * 3);
  drawTestPattern(bytes, 64, 32, pattern, label);
  return bytes;
}

async function stop(d: Device): Promise<void> {
  d.handler.close();
  const stopping = d.machine.stop();
  await d.host.timers.advance(1000);
  await stopping;
  assert.equal(d.host.timers.pending, 0, "nothing left running");
}

test("over serial: start, next, confirm each step; the drive is stored and survives a power cycle", async () => {
  const d = device();
  await d.host.timers.advance(100);
  assert.equal(d.machine.state, "provisioning");
  assert.deepEqual(await ask(d, d.client.panelWizard("STATUS")), { state: "idle" });

  let report = await ask(d, d.client.panelWizard("START"));
  assert.equal(d.machine.state, "wizard");
  assert.deepEqual(report, {
    state: "running", step: "driver", stepNumber: 1, stepCount: 4, candidate: "PLAIN", candidateNumber: 1, candidateCount: 5,
    hint: "bright, even colour bars that do not flicker", drive: "driver shiftreg",
  });
  assert.deepEqual(d.panel.last, frame("bars", "1/5 PLAIN"), "the panel shows the bars");
  report = await ask(d, d.client.panelWizard("NEXT"));
  assert.equal(report.candidate, "FM6126A");
  assert.deepEqual(d.panel.config?.drive, { driver: "fm6126a" });
  report = await ask(d, d.client.panelWizard("CONFIRM"));
  assert.equal(report.step, "scan");
  assert.deepEqual(d.panel.last, frame("rows", "1/3 1/16"), "the panel shows the numbered rows");
  await ask(d, d.client.panelWizard("NEXT"));
  await ask(d, d.client.panelWizard("CONFIRM"));
  await ask(d, d.client.panelWizard("SKIP"));
  await ask(d, d.client.panelWizard("NEXT"));
  await ask(d, d.client.panelWizard("NEXT"));
  report = await ask(d, d.client.panelWizard("CONFIRM"));
  assert.deepEqual(report.state, "saved");
  assert.equal(report.drive, "driver fm6126a, scan 1/8, clock 10 MHz");
  await d.host.timers.advance(100);
  assert.equal(d.machine.state, "provisioning", "the machine went on from the stored settings");
  assert.deepEqual(d.store.settings.panelDrive, { driver: "fm6126a", scan: 8, clockHz: 10_000_000 });
  assert.deepEqual(d.panel.config, { width: 64, height: 32, colorDepth: 8, drive: { driver: "fm6126a", scan: 8, clockHz: 10_000_000 } }, "the panel set up with it");
  assert.deepEqual((await ask(d, d.client.panelWizard("STATUS"))).state, "saved");
  await stop(d);

  // Power cycle: a new device on what the storage kept.
  const again = device(d.storage);
  await again.host.timers.advance(100);
  assert.deepEqual(again.panel.config?.drive, { driver: "fm6126a", scan: 8, clockHz: 10_000_000 });
  await stop(again);
});

test("with the button: held 2–4 s and let go starts it, short presses step, a 1 s hold takes", async () => {
  const d = device();
  await d.host.timers.advance(100);
  const press = async (ms: number) => {
    d.button.press();
    await d.host.timers.advance(ms);
    d.button.release();
    await d.host.timers.advance(10);
  };
  await press(1_999);
  await press(4_000);
  await press(100);
  assert.equal(d.machine.state, "provisioning", "a short press, or one let go at 4 s or later, starts nothing");
  await press(2_000);
  assert.equal(d.machine.state, "wizard");
  await press(100); // FM6126A
  await press(100); // FM6124
  assert.equal(d.machine.panelWizard?.candidate, "FM6124");
  await press(1000); // take it
  assert.equal(d.machine.panelWizard?.step, "scan");
  await press(1000);
  await press(1000);
  await press(1000);
  assert.equal(d.machine.panelWizard?.state, "saved");
  assert.deepEqual(d.store.settings.panelDrive, { driver: "fm6124", scan: 16, clockPhase: false, clockHz: 20_000_000 });
  assert.equal(d.machine.state, "provisioning");
  // Out of the wizard, holding 5 s is still the factory reset.
  await press(5000);
  assert.equal(d.store.settings.panelDrive, undefined, "the factory reset erased it");
  await stop(d);
});

test("cancel and the idle timeout store nothing and put the panel back as it was", async () => {
  const d = device();
  d.store.update({ panelDrive: { driver: "mbi5124" } });
  d.machine.settingsChanged();
  await d.host.timers.advance(100);
  await ask(d, d.client.panelWizard("START"));
  await ask(d, d.client.panelWizard("NEXT"));
  assert.deepEqual(d.panel.config?.drive, { driver: "dp3246" });
  assert.equal((await ask(d, d.client.panelWizard("CANCEL"))).state, "cancelled");
  assert.deepEqual(d.panel.config?.drive, { driver: "mbi5124" }, "the stored drive again");
  assert.deepEqual(d.store.settings.panelDrive, { driver: "mbi5124" });

  await ask(d, d.client.panelWizard("START"));
  await ask(d, d.client.panelWizard("NEXT"));
  await d.host.timers.advance(60_000);
  assert.equal(d.machine.panelWizard?.state, "timed out");
  assert.equal(d.machine.state, "provisioning");
  assert.deepEqual(d.panel.config?.drive, { driver: "mbi5124" });
  await stop(d);
});

test("garbage, a bad action, actions with no wizard running, and an older client's requests", async () => {
  const d = device();
  await d.host.timers.advance(100);
  d.line.deliver(new Uint8Array([0xa5, 0x4d, 0x00, 0xff, 0x13, 0x37, 0xa5, 0x01, 0x02, 0x0b, 0x0b]));
  await d.host.timers.advance(500);
  assert.equal(d.machine.state, "provisioning", "noise started nothing");
  const refusal = async (request: Promise<unknown>): Promise<string> => {
    try {
      await ask(d, request);
    } catch (error) {
      assert.ok(error instanceof ProvisioningClientError);
      return `${error.code}: ${error.reason}`;
    }
    return assert.fail("refused");
  };
  assert.equal(await refusal(d.client.panelWizard("NEXT")), "refused: panel wizard: the panel wizard is not running");
  assert.equal(await refusal(d.client.request(MESSAGE.PANEL_WIZARD, (w) => w.uint(FIELD.WIZARD_ACTION, 99))), "bad_payload: wizard action 99");
  assert.equal(await refusal(d.client.request(MESSAGE.PANEL_WIZARD)), "bad_payload: wizard action missing");
  // An older client knows nothing of the wizard: its INFO reply is what it was.
  const info = await ask(d, d.client.info());
  assert.equal(info.state, "provisioning");
  await stop(d);
});
