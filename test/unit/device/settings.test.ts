// The settings store: what is written reads back after a "reboot" (a new store on the same storage),
// bad values are refused before anything is written, secrets never reach a message or the summary,
// damaged storage loads what is valid and reports the rest, credential rotation keeps the old set
// until told, and the store fits the device's Storage limits.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SettingsError, SettingsStore, type SettingsChange } from "../../../src/device/settings.js";
import { AtomicStore } from "../../../src/device/atomic-store.js";
import { SETTINGS_LIMITS } from "../../../src/device/settings-fields.js";
import { utf8Encode } from "../../../src/util/utf8.js";
import { MemoryStorage } from "../../support/memory-storage.js";
import { bigPem, credentials, fullSettings, PLAYER_KEY_A, PLAYER_KEY_B } from "../../support/settings-fixture.js";

function reboot(storage: MemoryStorage): SettingsStore {
  const store = new SettingsStore(storage);
  store.load();
  return store;
}

function refusal(store: SettingsStore, change: SettingsChange): SettingsError {
  try {
    store.update(change);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  assert.fail("the change was accepted");
}

test("a new device has no settings and no problems", () => {
  const { settings, problems } = new SettingsStore(new MemoryStorage()).load();
  assert.deepEqual(settings, {});
  assert.deepEqual(problems, []);
});

test("every section survives a reboot, with defaults filled in, frozen", () => {
  const storage = new MemoryStorage();
  new SettingsStore(storage).update(fullSettings("one"));
  const store = reboot(storage);
  const s = store.settings;
  assert.deepEqual(s.wifi, { ssid: "home-one", password: "secret-one-pw" });
  assert.equal(s.api?.baseUrl, "https://one.makapix.test/api");
  assert.deepEqual(s.broker, { host: "one.makapix.test", port: 8883 });
  assert.deepEqual(s.panel, { size: "64x64", colorDepth: 6, rotation: 90, mirror: false, brightness: 40, board: "matrixportal-s3" });
  assert.deepEqual(s.credentials, credentials("one"));
  assert.equal(s.apiToken, "token-one-0123456789abcdef");
  assert.deepEqual(store.problems, []);
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.wifi) && Object.isFrozen(s.credentials));
  const partial = new SettingsStore(new MemoryStorage());
  partial.update({ panel: { size: "128x32", board: "esp32-devkit" }, api: { baseUrl: "https://makapix.club/api/" } });
  assert.deepEqual(partial.settings.panel, { size: "128x32", colorDepth: 8, rotation: 0, mirror: false, brightness: 80, board: "esp32-devkit" });
  assert.equal(partial.settings.api?.baseUrl, "https://makapix.club/api");
});

test("a bad field is refused with its name and nothing is written", () => {
  const storage = new MemoryStorage();
  const store = new SettingsStore(storage);
  store.update(fullSettings("one"));
  const before = storage.writes;
  const cases: [SettingsChange, string, string][] = [
    [{ wifi: { ssid: "", password: "" } }, "wifi.ssid", "missing"],
    [{ wifi: { ssid: "x".repeat(33), password: "" } }, "wifi.ssid", "invalid"],
    [{ wifi: { ssid: "cafe", password: "short" } }, "wifi.password", "invalid"],
    [{ api: { baseUrl: "ftp://x" } }, "api.baseUrl", "invalid"],
    [{ broker: { host: "makapix.club:8883", port: 8883 } }, "broker.host", "invalid"],
    [{ broker: { host: "makapix.club", port: 0 } }, "broker.port", "invalid"],
    [{ panel: { size: "32x16", board: "x" } } as unknown as SettingsChange, "panel.size", "unsupported"],
    [{ panel: { size: "64x32", board: "X Board" } }, "panel.board", "invalid"],
    [{ panel: { size: "64x32", board: "b", brightness: 101 } }, "panel.brightness", "invalid"],
    [{ credentials: { ...credentials("x"), certificate: bigPem("CERTIFICATE", SETTINGS_LIMITS.certificateBytes + 10, "big") } }, "credentials.certificate", "invalid"],
    [{ credentials: { ...credentials("x"), key: "" } }, "credentials.key", "missing"],
    [{ apiToken: "" }, "apiToken", "missing"],
    // A valid section next to a bad one: neither is written.
    [{ wifi: { ssid: "new", password: "" }, broker: { host: "", port: 1 } }, "broker.host", "missing"],
  ];
  for (const [change, field, problem] of cases) {
    const error = refusal(store, change);
    assert.equal(error.field, field, error.message);
    assert.equal(error.problem, problem, error.message);
  }
  assert.throws(() => store.update({ pendingCredentials: credentials("p") } as unknown as SettingsChange), SettingsError);
  assert.equal(storage.writes, before);
  assert.deepEqual(reboot(storage).settings, store.settings);
  assert.equal(store.settings.wifi?.ssid, "home-one");
});

test("secrets never appear in an error message or the summary", () => {
  const marker = "SECRET-MARKER-7";
  const store = new SettingsStore(new MemoryStorage());
  const messages = [
    refusal(store, { wifi: { ssid: "home", password: `${marker} has\u0000 a bad length`.repeat(5) } }).message,
    refusal(store, { credentials: { ...credentials("x"), playerKey: `${marker}-not-a-uuid` } }).message,
    refusal(store, { credentials: { ...credentials("x"), key: `-----BEGIN PRIVATE KEY-----\n${marker}\n` } }).message,
    refusal(store, { credentials: { ...credentials("x"), key: `-----BEGIN RSA PRIVATE KEY-----\n${marker}\n-----END RSA PRIVATE KEY-----` } }).message,
    refusal(store, { apiToken: `${marker} with spaces` }).message,
  ];
  for (const message of messages) assert.ok(!message.includes(marker), message);
  store.update(fullSettings("one"));
  const summary = store.describe();
  const text = JSON.stringify(summary);
  const s = store.settings;
  for (const secret of [s.wifi!.password, s.credentials!.playerKey, s.credentials!.key, s.apiToken!, "PRIVATE KEY"]) {
    assert.ok(!text.includes(secret), `summary shows ${secret.slice(0, 12)}`);
  }
  assert.equal(summary.playerKey, "0b7e…4a5b");
  assert.deepEqual([summary.certificate, summary.privateKey, summary.ca, summary.apiToken, summary.pendingCredentials], [true, true, true, true, false]);
  assert.deepEqual(summary.wifi, { ssid: "home-one", password: true });
  assert.equal(summary.broker, "one.makapix.test:8883");
});

test("a change rewrites only its own sections: new Wi-Fi does not rewrite the certificates", () => {
  const storage = new MemoryStorage();
  const store = new SettingsStore(storage);
  store.update(fullSettings("one"));
  const credentialKeys = store.ownKeys().filter((key) => key.startsWith("st.c"));
  assert.ok(credentialKeys.length >= 3, `credentials span ${credentialKeys.length} chunks`);
  const writes = storage.writes;
  store.update({ wifi: { ssid: "other", password: "" } });
  assert.equal(storage.writes - writes, 2, "one chunk and the pointer");
  assert.deepEqual(store.ownKeys().filter((key) => key.startsWith("st.c")), credentialKeys);
  assert.equal(reboot(storage).settings.wifi?.ssid, "other");
  store.update({ wifi: null });
  assert.equal(reboot(storage).settings.wifi, undefined);
  assert.deepEqual(reboot(storage).settings.credentials, credentials("one"));
});

test("every stored value fits the device's limit, even with the largest credentials allowed", () => {
  const storage = new MemoryStorage();
  const store = new SettingsStore(storage);
  const largest = {
    playerKey: PLAYER_KEY_A,
    ca: bigPem("CERTIFICATE", SETTINGS_LIMITS.caBytes - 100, "ca"),
    certificate: bigPem("CERTIFICATE", SETTINGS_LIMITS.certificateBytes - 100, "cert"),
    key: bigPem("PRIVATE KEY", SETTINGS_LIMITS.keyBytes - 100, "key"),
  };
  store.update({ ...fullSettings("one"), credentials: largest });
  for (const value of storage.values.values()) assert.ok(value.length <= 2048, `${value.length} bytes`);
  assert.deepEqual(reboot(storage).settings.credentials, largest);
  for (const key of storage.keys()) assert.ok(key.length <= 15, key);
});

test("a full storage partition is a typed error and the old settings stay", () => {
  const storage = new MemoryStorage({ maxTotalBytes: 9000 });
  const store = new SettingsStore(storage);
  store.update(fullSettings("one"));
  const error = refusal(store, { credentials: { ...credentials("two"), ca: bigPem("CERTIFICATE", 7000, "huge") } });
  assert.equal(error.problem, "storage");
  assert.ok(error.message.includes("nvs set fail"), error.message);
  assert.deepEqual(reboot(storage).settings, store.settings);
  assert.deepEqual(reboot(storage).settings.credentials, credentials("one"));
  // The chunks the failed commit had written are gone again.
  const chunks = () => store.ownKeys().filter((key) => key !== "st.A" && key !== "st.B");
  const before = chunks().length;
  store.update({ wifi: { ssid: "after", password: "" } });
  assert.equal(chunks().length, before);
});

test("a damaged section is left out and reported; the others load", () => {
  const storage = new MemoryStorage();
  new SettingsStore(storage).update(fullSettings("one"));
  const chunk = [...storage.keys()].find((key) => key.startsWith("st.c"))!;
  const bytes = storage.read(chunk)!;
  bytes[100] = bytes[100]! ^ 1;
  storage.write(chunk, bytes);
  const store = new SettingsStore(storage);
  const { settings, problems } = store.load();
  assert.equal(settings.credentials, undefined);
  assert.equal(settings.wifi?.ssid, "home-one");
  assert.equal(settings.apiToken, "token-one-0123456789abcdef");
  assert.deepEqual(problems.map((p) => [p.section, p.kind, p.detail]), [["credentials", "corrupt", "checksum mismatch"]]);
  assert.deepEqual(store.describe().problems, ["credentials: corrupt"]);
  storage.delete([...storage.keys()].find((key) => key.startsWith("st.w"))!);
  assert.deepEqual(new SettingsStore(storage).load().problems.map((p) => p.section).sort(), ["credentials", "wifi"]);
  // Storing new credentials repairs it.
  store.update({ credentials: credentials("two") });
  assert.deepEqual(reboot(storage).settings.credentials, credentials("two"));
});

test("a section that reads back intact but fails its checks is reported with its field", () => {
  const storage = new MemoryStorage();
  new AtomicStore(storage, "st").commit({
    p: utf8Encode(JSON.stringify({ size: "99x99", board: "b" })),
    w: utf8Encode("{not json"),
    b: utf8Encode(JSON.stringify({ host: "ok.test", port: 1883 })),
  });
  const { settings, problems } = new SettingsStore(storage).load();
  assert.deepEqual(settings, { broker: { host: "ok.test", port: 1883 } });
  assert.deepEqual(problems.map((p) => [p.section, p.kind, p.field]), [["wifi", "corrupt", undefined], ["panel", "invalid", "panel.size"]]);
});

test("garbage in both pointer records loads as empty, reported, and never throws", () => {
  const storage = new MemoryStorage();
  new SettingsStore(storage).update(fullSettings("one"));
  for (const garbage of [new Uint8Array([0xff, 0xfe, 10, 0x41]), utf8Encode('{"v":1,"seq":2,"g":{}}\n00000000'), new Uint8Array(0), utf8Encode("\n")]) {
    storage.write("st.A", garbage);
    storage.write("st.B", garbage);
    const { settings, problems } = new SettingsStore(storage).load();
    assert.deepEqual(settings, {});
    assert.deepEqual(problems.map((p) => p.section), ["store"]);
  }
  const store = new SettingsStore(storage);
  store.load();
  store.update({ wifi: { ssid: "fresh", password: "" } });
  assert.deepEqual(reboot(storage).settings, { wifi: { ssid: "fresh", password: "" } });
  assert.deepEqual(store.ownKeys().filter((key) => key !== "st.A" && key !== "st.B").length, 1, "the unreferenced chunks were deleted");
});

test("a renewed credential set waits beside the old one until it connected", () => {
  const storage = new MemoryStorage();
  const store = new SettingsStore(storage);
  store.update(fullSettings("one"));
  store.stagePendingCredentials(credentials("renewed"));
  let after = reboot(storage).settings;
  assert.deepEqual(after.credentials, credentials("one"), "the old set is still current after a reboot");
  assert.deepEqual(after.pendingCredentials, credentials("renewed"));
  assert.equal(reboot(storage).describe().pendingCredentials, true);
  const writes = storage.writes;
  store.commitPendingCredentials();
  assert.equal(storage.writes - writes, 1, "committing is one pointer write");
  after = reboot(storage).settings;
  assert.deepEqual(after.credentials, credentials("renewed"));
  assert.equal(after.pendingCredentials, undefined);
  assert.equal(store.ownKeys().filter((key) => key.startsWith("st.c") || key.startsWith("st.n")).length, 3, "the old set's chunks were deleted");
  const keys = store.ownKeys().sort();
  store.stagePendingCredentials(credentials("bad", PLAYER_KEY_B));
  assert.equal(store.ownKeys().length, keys.length + 3);
  store.discardPendingCredentials();
  after = reboot(storage).settings;
  assert.deepEqual(after.credentials, credentials("renewed"));
  assert.equal(after.pendingCredentials, undefined);
  assert.deepEqual(store.ownKeys().sort(), keys, "the discarded set's chunks were deleted");
  assert.deepEqual(store.commitPendingCredentials(), store.settings, "nothing pending: no change");
});

test("a factory reset erases every setting and only this store's keys", () => {
  const storage = new MemoryStorage();
  storage.write("vj.1", "another store");
  const store = new SettingsStore(storage);
  store.update(fullSettings("one"));
  store.erase();
  assert.deepEqual(store.settings, {});
  assert.deepEqual(reboot(storage).settings, {});
  assert.deepEqual(storage.keys(), ["vj.1"]);
});

test("a change before any load keeps the stored sections it does not name", () => {
  const storage = new MemoryStorage();
  new SettingsStore(storage).update(fullSettings("one"));
  const fresh = new SettingsStore(storage);
  const settings = fresh.update({ wifi: { ssid: "later", password: "" } });
  assert.deepEqual(settings.credentials, credentials("one"));
  assert.deepEqual(reboot(storage).settings, settings);
});
