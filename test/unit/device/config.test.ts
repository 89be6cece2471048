// Device configuration as data: a usable configuration comes back complete and frozen; every bad or
// missing field is a DeviceConfigError naming the field, and credentials never appear in a message.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DeviceConfigError, readDeviceConfig, type DeviceConfig } from "../../../src/device/config.js";
import { MEMORY_CLASSES } from "../../../src/device/memory-class.js";
import { pem, TEST_PLAYER_KEY, validConfig } from "../../support/device-config.js";

/** The error `config` is refused with (fails when it is accepted). */
function refusal(config: unknown): DeviceConfigError {
  try {
    readDeviceConfig(config as DeviceConfig);
  } catch (error) {
    if (error instanceof DeviceConfigError) return error;
    throw error;
  }
  assert.fail("the configuration was accepted");
}

function expectRefused(config: unknown, field: string, problem: DeviceConfigError["problem"], fragment?: string): void {
  const error = refusal(config);
  assert.equal(error.field, field, error.message);
  assert.equal(error.problem, problem, error.message);
  assert.ok(error.message.startsWith(`${field}: `), error.message);
  if (fragment) assert.ok(error.message.includes(fragment), `"${error.message}" mentions "${fragment}"`);
}

test("a minimal configuration gets the documented defaults and the class's frame budget, frozen", () => {
  const config = readDeviceConfig(validConfig({ vault: { url: "https://vault.test/art//" } }));
  assert.deepEqual({ ...config.panel }, { size: "64x32", width: 64, height: 32, colorDepth: 8, rotation: 0, mirror: false, brightness: 80 });
  assert.equal(config.memory, MEMORY_CLASSES.small);
  assert.equal(config.frameBudgetBytes, MEMORY_CLASSES.small.frameBudgetBytes);
  assert.equal(config.vault.url, "https://vault.test/art", "trailing slashes are dropped");
  assert.equal(config.initialChannel, undefined);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.panel) && Object.isFrozen(config.credentials) && Object.isFrozen(config.broker));
  const tuned = readDeviceConfig(
    validConfig({ memoryClass: "large", panel: { size: "128x64", colorDepth: 5, rotation: 270, mirror: true, brightness: 0 }, frameBudgetBytes: 4096, initialChannel: { name: "hashtag", hashtag: "cats" } }),
  );
  assert.deepEqual({ ...tuned.panel }, { size: "128x64", width: 128, height: 64, colorDepth: 5, rotation: 270, mirror: true, brightness: 0 });
  assert.equal(tuned.frameBudgetBytes, 4096);
  assert.deepEqual(tuned.initialChannel, { name: "hashtag", hashtag: "cats" });
});

test("bad panel settings name the field and what is allowed", () => {
  const panel = (settings: object) => validConfig({ panel: settings as DeviceConfig["panel"] });
  expectRefused(panel({ size: "65x64" }), "panel.size", "unsupported", "64x32, 64x64, 128x32, 128x64");
  expectRefused(panel({ size: 64 }), "panel.size", "unsupported");
  expectRefused(panel({}), "panel.size", "missing");
  expectRefused(panel({ size: "64x32", colorDepth: 9 }), "panel.colorDepth", "invalid", "from 4 to 8");
  expectRefused(panel({ size: "64x32", colorDepth: 6.5 }), "panel.colorDepth", "invalid");
  expectRefused(panel({ size: "64x32", rotation: 45 }), "panel.rotation", "invalid", "0, 90, 180 or 270");
  expectRefused(panel({ size: "64x32", mirror: "yes" }), "panel.mirror", "invalid");
  expectRefused(panel({ size: "64x32", brightness: 101 }), "panel.brightness", "invalid", "from 0 to 100");
  expectRefused(panel({ size: "64x32", brightness: "80" }), "panel.brightness", "invalid");
  expectRefused({ ...validConfig(), panel: undefined }, "panel", "missing");
  expectRefused({ ...validConfig(), panel: "64x32" }, "panel", "invalid");
  expectRefused(undefined, "config", "missing");
});

test("a small device refuses a panel bigger than 64×32, saying which panels it drives; the large class takes them", () => {
  // A 64×64 panel's DMA leaves a board without PSRAM ~115 KiB of heap at 8 bits, under the session's need (memory-class.ts).
  for (const size of ["64x64", "128x32", "128x64"] as const) {
    expectRefused(validConfig({ panel: { size } }), "panel.size", "unsupported", `a ${size} panel is too big for this board`);
    expectRefused(validConfig({ panel: { size, colorDepth: 5 } }), "panel.size", "unsupported", "drives 64x32 panels; a");
    assert.equal(readDeviceConfig(validConfig({ memoryClass: "large", panel: { size } })).panel.size, size);
  }
  expectRefused(validConfig({ panel: { size: "64x64" } }), "panel.size", "unsupported", "needs the large class (ESP32-S3 with PSRAM)");
  assert.equal(readDeviceConfig(validConfig({ panel: { size: "64x32" } })).panel.height, 32, "64×32 is the small class's panel");
  expectRefused(validConfig({ memoryClass: "medium" as "small" }), "memoryClass", "unsupported", '"medium"');
  expectRefused({ ...validConfig(), memoryClass: undefined }, "memoryClass", "missing");
  expectRefused(validConfig({ frameBudgetBytes: 0 }), "frameBudgetBytes", "invalid");
  expectRefused(validConfig({ frameBudgetBytes: 1.5 }), "frameBudgetBytes", "invalid");
});

test("broker and vault addresses are checked", () => {
  expectRefused(validConfig({ broker: { host: "", port: 8883 } }), "broker.host", "missing");
  expectRefused(validConfig({ broker: { host: "mqtts://makapix.club", port: 8883 } }), "broker.host", "invalid", "no scheme");
  expectRefused(validConfig({ broker: { host: "makapix.club:8883", port: 8883 } }), "broker.host", "invalid");
  expectRefused(validConfig({ broker: { host: "make pix", port: 8883 } }), "broker.host", "invalid");
  expectRefused(validConfig({ broker: { host: "makapix.club", port: 0 } }), "broker.port", "invalid", "1 to 65535");
  expectRefused(validConfig({ broker: { host: "makapix.club", port: "8883" as unknown as number } }), "broker.port", "invalid");
  expectRefused({ ...validConfig(), broker: { host: "makapix.club" } }, "broker.port", "missing");
  assert.equal(readDeviceConfig(validConfig({ broker: { host: "::1", port: 1 } })).broker.host, "::1");
  expectRefused(validConfig({ vault: { url: "ftp://vault.test" } }), "vault.url", "invalid", "not http or https");
  expectRefused(validConfig({ vault: { url: "https://vault.test?x=1" } }), "vault.url", "invalid");
  expectRefused(validConfig({ vault: { url: "" } }), "vault.url", "missing");
  expectRefused(validConfig({ vault: { url: "https://vault.test", ca: "not a pem" } }), "vault.ca", "invalid", "CERTIFICATE");
  expectRefused(validConfig({ initialChannel: { name: "favourites" as "all" } }), "initialChannel.name", "unsupported", "promoted");
});

test("missing or malformed credentials are reported without quoting them", () => {
  const secret = "-----BEGIN RSA PRIVATE KEY-----\nTOPSECRET\n-----END RSA PRIVATE KEY-----\n";
  const credentials = (changes: object) => validConfig({ credentials: { ...validConfig().credentials, ...changes } });
  expectRefused(credentials({ playerKey: "" }), "credentials.playerKey", "missing");
  for (const key of [TEST_PLAYER_KEY.toUpperCase(), TEST_PLAYER_KEY.slice(1), `${TEST_PLAYER_KEY.slice(0, 8)}x${TEST_PLAYER_KEY.slice(9)}`, "makapix/player/#"]) {
    const error = refusal(credentials({ playerKey: key }));
    assert.equal(error.field, "credentials.playerKey");
    assert.ok(!error.message.includes(key), "the player key is a secret");
  }
  expectRefused(credentials({ ca: undefined }), "credentials.ca", "missing");
  expectRefused(credentials({ certificate: pem("PRIVATE KEY") }), "credentials.certificate", "invalid", "CERTIFICATE");
  expectRefused(credentials({ certificate: pem("CERTIFICATE", "A".repeat(9000)) }), "credentials.certificate", "invalid", "longer than");
  expectRefused(credentials({ key: "" }), "credentials.key", "missing");
  const pkcs1 = refusal(credentials({ key: secret }));
  assert.equal(pkcs1.field, "credentials.key");
  assert.ok(pkcs1.message.includes("PKCS#8"), pkcs1.message);
  assert.ok(!pkcs1.message.includes("TOPSECRET"));
  expectRefused(credentials({ key: pem("ENCRYPTED PRIVATE KEY") }), "credentials.key", "invalid");
  expectRefused({ ...validConfig(), credentials: undefined }, "credentials", "missing");
});
