// The Node binding of the Storage port (hosts/node/storage.ts) on the real file system: values survive
// a new process's storage object, the limits are the device's (the same refusals as the in-memory test
// storage, which mirrors the Moddable binding), a process killed (SIGKILL) while writing leaves a
// complete old or new value, and the settings store runs on it.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileStorage } from "../../hosts/node/storage.js";
import { createNodeHost, NodeLog } from "../../hosts/node/host.js";
import { SettingsStore } from "../../src/device/settings.js";
import { MemoryStorage } from "../support/memory-storage.js";
import { fullSettings } from "../support/settings-fixture.js";

const root = mkdtempSync(join(tmpdir(), "makapix-storage-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("values survive a new storage object on the same folder; empty is not missing", () => {
  const dir = join(root, "roundtrip");
  const first = new FileStorage(dir, "makapix");
  first.write("wifi", "home-net ✓");
  first.write("blob", new Uint8Array([0, 1, 255]));
  first.write("empty", new Uint8Array(0));
  first.write(".", "dot");
  const second = new FileStorage(dir, "makapix");
  assert.equal(second.readText("wifi"), "home-net ✓");
  assert.deepEqual(second.read("blob"), new Uint8Array([0, 1, 255]));
  assert.deepEqual(second.read("empty"), new Uint8Array(0));
  assert.equal(second.read("missing"), undefined);
  assert.equal(second.readText("."), "dot");
  assert.deepEqual(second.keys().sort(), [".", "blob", "empty", "wifi"]);
  second.delete("wifi");
  second.delete("never-there");
  assert.equal(new FileStorage(dir, "makapix").read("wifi"), undefined);
  // Another namespace is another folder.
  assert.deepEqual(new FileStorage(dir, "other").keys(), []);
});

test("keys and sizes are refused exactly as on the device", () => {
  const files = new FileStorage(join(root, "limits"), "ns");
  const memory = new MemoryStorage();
  const keys = ["", "sixteen-chars-xx", "bad/key", "bad key", "ünï", "..", "ok_key-1.2", "x".repeat(15)];
  for (const key of keys) {
    let memoryRefused = false;
    let fileRefused = false;
    try {
      memory.write(key, "v");
    } catch {
      memoryRefused = true;
    }
    try {
      files.write(key, "v");
    } catch {
      fileRefused = true;
    }
    assert.equal(fileRefused, memoryRefused, `key ${JSON.stringify(key)}`);
  }
  files.write("max", new Uint8Array(4096));
  assert.throws(() => files.write("toolarge", new Uint8Array(4097)), /4097 bytes is more than 4096/);
  assert.equal(files.read("toolarge"), undefined);
  assert.throws(() => new FileStorage(root, "a/b"), /namespace/);
});

test("a temporary file left by a crash is not a key and is removed at start", () => {
  const dir = join(root, "crash");
  const storage = new FileStorage(dir, "ns");
  storage.write("k", "old");
  writeFileSync(join(dir, "ns", "k~new"), "half-written");
  assert.deepEqual(storage.keys(), ["k"]);
  const again = new FileStorage(dir, "ns");
  assert.equal(again.readText("k"), "old");
  assert.deepEqual(readdirSync(join(dir, "ns")), ["k"]);
});

test("a process killed while writing leaves the complete old or new value", async () => {
  const dir = join(root, "kill");
  const module = fileURLToPath(new URL("../../hosts/node/storage.js", import.meta.url));
  // The child rewrites one 4 KB value as fast as it can, alternating two contents.
  const script = `
    import { FileStorage } from ${JSON.stringify(module)};
    const s = new FileStorage(${JSON.stringify(dir)}, "ns");
    const a = new Uint8Array(4096).fill(97), b = new Uint8Array(4096).fill(98);
    s.write("v", a);
    process.stdout.write("ready\\n");
    for (let i = 0; ; i++) s.write("v", i % 2 ? a : b);
  `;
  for (let round = 0; round < 5; round++) {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 20 + round * 17));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const value = new FileStorage(dir, "ns").read("v")!;
    assert.equal(value.length, 4096, `round ${round}`);
    assert.ok(value.every((byte) => byte === value[0]) && (value[0] === 97 || value[0] === 98), `round ${round}: a mixed value`);
  }
});

test("the settings store keeps the device's settings in the data folder", () => {
  const dir = join(root, "settings");
  const host = createNodeHost(new NodeLog("error"), { dataDirectory: dir });
  new SettingsStore(host.storage!).update(fullSettings("pc"));
  assert.ok(readdirSync(join(dir, "makapix")).includes("st.A"));
  const reloaded = new SettingsStore(new FileStorage(dir, "makapix"));
  const { settings, problems } = reloaded.load();
  assert.deepEqual(problems, []);
  assert.equal(settings.wifi?.ssid, "home-pc");
  assert.equal(settings.credentials?.key.startsWith("-----BEGIN PRIVATE KEY-----"), true);
});
