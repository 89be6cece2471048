// Serial provisioning end to end inside one process: the PC's client and the device's handler on a
// virtual serial line (ECMA-419 window, "would block"). What an owner notices: settings arrive, a
// credential set is stored only when whole and right, every refusal says why, and nothing sent back
// ever contains the private key or the full player key.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ProvisioningClientError } from "../../../src/device/provisioning-client.js";
import { FrameDecoder, FrameEncoder } from "../../../src/device/provisioning-frame.js";
import { FIELD, FieldReader, MESSAGE } from "../../../src/device/provisioning-messages.js";
import { redactPlayerKey } from "../../../src/device/provisioning-handler.js";
import { FIRMWARE_VERSION } from "../../../src/device/firmware.js";
import { containsText, provisioningRig, TEST_CREDENTIALS, TEST_KEY_BODY, TEST_PLAYER_KEY } from "../../support/provisioning.js";
import { settle } from "../../support/virtual-host.js";

async function refusal(promise: Promise<unknown>): Promise<ProvisioningClientError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProvisioningClientError, String(error));
    return error;
  }
  assert.fail("expected the device to refuse");
}

test("hello: firmware and protocol version, state, and the player key redacted", async () => {
  const rig = provisioningRig();
  let info = await rig.client.hello("test 1.0");
  assert.equal(info.firmwareVersion, FIRMWARE_VERSION);
  assert.equal(info.protocolVersion, 1);
  assert.equal(info.maxPayload, 1024);
  assert.equal(info.state, "provisioning");
  assert.equal(info.hasCredentials, false);
  assert.equal(info.playerKey, undefined);
  assert.ok(rig.host.log.has("hello from test 1.0"));
  await rig.client.putCredentials(TEST_CREDENTIALS);
  info = await rig.client.info();
  assert.equal(info.playerKey, "3f6c...5a6f");
  assert.equal(info.playerKey, redactPlayerKey(TEST_PLAYER_KEY));
  assert.equal(info.certNotAfter, Date.UTC(2029, 0, 1) / 1000);
  assert.equal(info.hasCredentials, true);
  assert.equal(info.state, "connecting");
});

test("Wi-Fi and endpoints are handed to the device; bad values are refused with a reason", async () => {
  const rig = provisioningRig();
  await rig.client.setWifi("Home \u{1F3E0}", "correct horse");
  assert.deepEqual(rig.target.wifi, { ssid: "Home \u{1F3E0}", password: "correct horse" });
  assert.ok(!rig.host.log.lines.some((line) => line.includes("correct horse")), "the Wi-Fi password is not logged");
  await rig.client.setEndpoints({ apiBase: "https://dev.makapix.test/api", brokerHost: "mqtt.makapix.test", brokerPort: 8883 });
  assert.deepEqual(rig.target.endpoints, { apiBase: "https://dev.makapix.test/api", brokerHost: "mqtt.makapix.test", brokerPort: 8883 });
  const info = await rig.client.info();
  assert.equal(info.wifiSsid, "Home \u{1F3E0}");
  assert.equal(info.brokerPort, 8883);

  assert.equal((await refusal(rig.client.setWifi("", "x"))).code, "bad_payload");
  assert.equal((await refusal(rig.client.setWifi("a".repeat(33), "x"))).code, "too_large");
  assert.equal((await refusal(rig.client.setEndpoints({ apiBase: "ftp://x" }))).code, "bad_payload");
  assert.equal((await refusal(rig.client.setEndpoints({ brokerPort: 70000 }))).code, "bad_payload");
  assert.equal((await refusal(rig.client.setEndpoints({}))).code, "bad_payload");
  rig.target.refuse.setWifi = "Wi-Fi can't be changed while a firmware update runs";
  const refused = await refusal(rig.client.setWifi("Other", "pw"));
  assert.equal(refused.code, "refused");
  assert.equal(refused.reason, "Wi-Fi can't be changed while a firmware update runs");
  assert.equal(rig.target.wifi?.ssid, "Home \u{1F3E0}");
});

test("credentials are committed only when complete and valid-looking; the arena is released", async () => {
  const rig = provisioningRig();
  const progress: number[] = [];
  await rig.client.putCredentials(TEST_CREDENTIALS, (sent) => progress.push(sent));
  assert.deepEqual(rig.target.credentials, TEST_CREDENTIALS);
  assert.ok(progress.length >= 5, "chunked: several frames");
  assert.equal(progress.at(-1), TEST_CREDENTIALS.ca.length + TEST_CREDENTIALS.certificate.length + TEST_CREDENTIALS.key.length + TEST_PLAYER_KEY.length + TEST_CREDENTIALS.apiToken!.length);
  assert.equal(rig.handler.receivingCredentials, false);

  // Without a player key or token (a website download): accepted, the certificate names the player.
  const fresh = provisioningRig();
  await fresh.client.putCredentials({ ca: TEST_CREDENTIALS.ca, certificate: TEST_CREDENTIALS.certificate, key: TEST_CREDENTIALS.key });
  assert.equal(fresh.target.credentials?.playerKey, undefined);
  assert.equal(fresh.target.credentials?.key, TEST_CREDENTIALS.key);
});

test("an incomplete or wrong credential set is refused and nothing is stored", async () => {
  const rig = provisioningRig();
  const cases: [string, Partial<typeof TEST_CREDENTIALS>, RegExp][] = [
    ["certificate in the key's place", { key: TEST_CREDENTIALS.certificate }, /private key: not a PEM "PRIVATE KEY" block/],
    ["an encrypted key", { key: TEST_CREDENTIALS.key.replaceAll("PRIVATE KEY", "ENCRYPTED PRIVATE KEY") }, /unencrypted PKCS#8/],
    ["a key as the CA", { ca: TEST_CREDENTIALS.key }, /CA: not a PEM "CERTIFICATE" block/],
    ["a bad player key", { playerKey: "../../etc" }, /player key/],
    ["binary in the certificate", { certificate: TEST_CREDENTIALS.certificate.replace("MII", "M\u0001I") }, /certificate: not text/],
  ];
  for (const [what, change, reason] of cases) {
    const error = await refusal(rig.client.putCredentials({ ...TEST_CREDENTIALS, ...change }));
    assert.equal(error.code, "refused", what);
    assert.match(error.reason, reason, what);
    assert.equal(rig.target.credentials, undefined, what);
    assert.equal(rig.handler.receivingCredentials, false, `${what}: arena released`);
  }
  // A commit before all of it arrived (the cable was pulled): refused, naming what is missing.
  await rig.client.request(MESSAGE.PUT_CREDENTIAL, (w) => w.uint(FIELD.CREDENTIAL_ITEM, 1).uint(FIELD.OFFSET, 0).uint(FIELD.TOTAL, 100).bytes(FIELD.DATA, new Uint8Array(10).fill(65)));
  let error = await refusal(rig.client.request(MESSAGE.COMMIT_CREDENTIALS));
  assert.equal(error.reason, "CA: 10 of 100 bytes received");
  error = await refusal(rig.client.request(MESSAGE.COMMIT_CREDENTIALS));
  assert.equal(error.reason, "CA missing");
  // Out-of-order chunk, too large, unknown item.
  const chunk = (item: number, offset: number, total: number, size: number) =>
    rig.client.request(MESSAGE.PUT_CREDENTIAL, (w) => w.uint(FIELD.CREDENTIAL_ITEM, item).uint(FIELD.OFFSET, offset).uint(FIELD.TOTAL, total).bytes(FIELD.DATA, new Uint8Array(size).fill(65)));
  await chunk(2, 0, 50, 10);
  error = await refusal(chunk(2, 20, 50, 10));
  assert.equal(error.code, "bad_payload");
  assert.equal(error.reason, "certificate: chunk at offset 20, expected 10");
  assert.equal((await refusal(chunk(3, 0, 4097, 10))).code, "too_large");
  assert.equal((await refusal(chunk(9, 0, 10, 10))).code, "bad_payload");
  assert.equal((await refusal(chunk(2, 10, 50, 41))).reason, "certificate: chunk runs past the total of 50 bytes");
  assert.equal(rig.target.credentials, undefined);
});

test("no reply and no log line carries the private key or the full player key", async () => {
  const rig = provisioningRig();
  await rig.client.putCredentials(TEST_CREDENTIALS);
  rig.target.log = [
    `connected as ${TEST_PLAYER_KEY}`,
    `oops: ${TEST_CREDENTIALS.key}`,
    "plain line",
    "provisioned: key 9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d, code ABC234; then A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D-",
    "not keys: 2026-12-02 1b2c3d4e-aaaa-bbbb-cccc-12345678901 (too short)",
  ];
  const lines = await rig.client.recentLog();
  assert.deepEqual(lines, [
    "connected as 3f6c...5a6f",
    "[removed: contained key material]",
    "plain line",
    "provisioned: key 9b1d...cb6d, code ABC234; then A1B2...4C5D-",
    "not keys: 2026-12-02 1b2c3d4e-aaaa-bbbb-cccc-12345678901 (too short)",
  ]);
  rig.target.refuse.startRegistration = `already registered as ${TEST_PLAYER_KEY}`;
  const error = await refusal(rig.client.startRegistration());
  assert.equal(error.reason, "already registered as 3f6c...5a6f");
  // A refused key: the reason names the problem, never the bytes.
  await refusal(rig.client.putCredentials({ ...TEST_CREDENTIALS, playerKey: `${TEST_PLAYER_KEY}/x` }));
  await rig.client.info();
  const sent = rig.serial.allSent();
  assert.ok(sent.length > 500);
  assert.ok(!containsText(sent, TEST_PLAYER_KEY), "full player key sent");
  assert.ok(!containsText(sent, TEST_KEY_BODY.slice(0, 40)), "private key sent");
  for (const line of rig.host.log.lines) {
    assert.ok(!line.includes(TEST_PLAYER_KEY) && !line.includes(TEST_KEY_BODY.slice(0, 40)), line);
  }
});

test("the recent log is paged: every line arrives once, long lines are clipped", async () => {
  const rig = provisioningRig();
  for (let i = 0; i < 300; i++) rig.target.log.push(`line ${i} ${"x".repeat(i % 50)}`);
  rig.target.log.push("y".repeat(5000));
  const lines = await rig.client.recentLog();
  assert.equal(lines.length, 301);
  assert.equal(lines[299], `line 299 ${"x".repeat(49)}`);
  assert.equal(lines[300], "y".repeat(160));
});

test("registration, factory reset (confirmed) and reboot (after its reply)", async () => {
  const rig = provisioningRig();
  await rig.client.setWifi("Home", "pw");
  await rig.client.startRegistration();
  assert.equal(rig.target.registrations, 1);
  rig.target.refuse.startRegistration = "no Wi-Fi connection yet";
  assert.equal((await refusal(rig.client.startRegistration())).reason, "no Wi-Fi connection yet");

  const unconfirmed = await refusal(rig.client.request(MESSAGE.FACTORY_RESET));
  assert.equal(unconfirmed.code, "bad_payload");
  assert.equal(rig.target.resets, 0);
  await rig.client.factoryReset();
  assert.equal(rig.target.resets, 1);
  assert.equal(rig.target.wifi, undefined);

  await rig.client.reboot();
  assert.equal(rig.target.reboots, 0, "not before the reply has had time to leave");
  await rig.host.timers.advance(300);
  assert.equal(rig.target.reboots, 1);
});

test("a slow operation makes other changes busy until it ends", async () => {
  const rig = provisioningRig();
  let finish!: () => void;
  rig.target.hold = new Promise<void>((resolve) => (finish = resolve));
  const first = rig.client.setWifi("Slow", "pw");
  await settle();
  // A second client on the same line (the CLI retried in another window): refused as busy.
  const encoder = new FrameEncoder();
  const replies: number[] = [];
  const reader = new FieldReader();
  const decoder = new FrameDecoder({
    frame: (f) => {
      if (f.requestId !== 999) return;
      reader.begin(f.payload);
      while (reader.next()) if (reader.tag === FIELD.ERROR_CODE) replies.push(reader.uint());
    },
    error() {},
  });
  rig.serial.onSent = (bytes) => decoder.push(bytes);
  encoder.begin(MESSAGE.START_REGISTRATION, 999);
  rig.line.deliver(encoder.finish(0));
  assert.deepEqual(replies, [4], "busy");
  assert.equal(rig.target.registrations, 0);
  rig.serial.onSent = (bytes) => rig.client.receive(bytes);
  finish();
  await first;
  assert.equal(rig.target.wifi?.ssid, "Slow");
});

test("unknown command, another protocol version and a corrupted request get typed answers", async () => {
  const rig = provisioningRig();
  assert.equal((await refusal(rig.client.request(0x3c))).code, "unknown_command");
  // A future client speaking version 2: told this device speaks 1.
  const encoder = new FrameEncoder();
  const errors: number[][] = [];
  const reader = new FieldReader();
  const decoder = new FrameDecoder({
    frame: (f) => {
      const fields: number[] = [f.type, f.requestId];
      reader.begin(f.payload);
      while (reader.next()) if (reader.tag === FIELD.ERROR_CODE || reader.tag === FIELD.PROTOCOL_VERSION) fields.push(reader.uint());
      errors.push(fields);
    },
    error() {},
  });
  rig.serial.onSent = (bytes) => decoder.push(bytes);
  encoder.begin(MESSAGE.HELLO, 7, 2);
  rig.line.deliver(encoder.finish(0));
  const corrupt = encoder.begin(MESSAGE.SET_WIFI, 8);
  corrupt.set([6, 0, 1, 65]);
  const bytes = encoder.finish(4).slice();
  bytes[10] ^= 0xff;
  rig.line.deliver(bytes);
  assert.deepEqual(errors, [[MESSAGE.ERROR, 7, 6, 1], [MESSAGE.ERROR, 8, 7]]);
  assert.equal(rig.target.wifi, undefined);
});

test("replies wait for the line: a 64-byte serial window still carries every reply whole", async () => {
  const rig = provisioningRig({ window: 64, sliceBytes: 17 });
  for (let i = 0; i < 200; i++) rig.target.log.push(`boot line ${i}`);
  const lines = await rig.client.recentLog();
  assert.equal(lines.length, 200);
  await rig.client.putCredentials(TEST_CREDENTIALS);
  assert.deepEqual(rig.target.credentials, TEST_CREDENTIALS);
  assert.ok(Math.max(...rig.line.writeSizes) <= 64, "never more than the window");
});

test("lost and corrupted replies are asked for again; a silent line times out", async () => {
  let drop = 1;
  let flip = 1;
  const rig = provisioningRig({
    toPc: (bytes) => {
      if (drop > 0) {
        drop--;
        return new Uint8Array(0);
      }
      if (flip > 0 && bytes.length > 12) {
        flip--;
        const copy = bytes.slice();
        copy[11] ^= 1;
        return copy;
      }
      return bytes;
    },
  });
  const pending = rig.client.hello("retry test");
  await rig.host.timers.advance(600);
  await rig.host.timers.advance(600);
  const info = await pending;
  assert.equal(info.state, "provisioning");
  assert.ok(rig.client.corruptReplies >= 1);

  const silent = provisioningRig({ toDevice: () => new Uint8Array(0) });
  const waiting = refusal(silent.client.hello("nobody"));
  for (let i = 0; i < 4; i++) await silent.host.timers.advance(500);
  const error = await waiting;
  assert.equal(error.kind, "timeout");
});
