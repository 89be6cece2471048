// Does everything the firmware keeps in flash fit the ESP32's NVS partition, at its fullest moment?
// The settings store (src/device/settings.ts) and the view journal (src/makapix/view-journal.ts) run
// for real on a Storage that keeps ESP-IDF's NVS accounting (the oracle here is that accounting, from
// ESP-IDF's NVS documentation):
// - a 4096-byte page holds 126 entries of 32 bytes (the rest is its header and state bitmap);
// - a blob (the Preference binding stores every value as one, after one format byte) takes one index
//   entry, and one header entry plus ceil(bytes / 32) data entries per chunk (chunks never span a page);
// - a namespace takes one entry; one page is always kept free for garbage collection.
// The fullest moment: a renewal trying its new set (current + pending) while the store commits (the
// changed group exists twice), a full journal (32 views), every other setting. Checked for the
// service's real sizes and for the largest sets the store accepts (SETTINGS_LIMITS), against the
// partition table the ESP32 build uses (hosts/esp32/partitions.csv) and against the SDK's default 24 KB.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SETTINGS_LIMITS } from "../../src/device/settings-fields.js";
import { SettingsStore } from "../../src/device/settings.js";
import type { Credentials } from "../../src/device/config.js";
import { ViewJournal } from "../../src/makapix/view-journal.js";
import type { Log } from "../../src/ports.js";
import { MemoryStorage } from "../support/memory-storage.js";
import { bigPem, credentials, fullSettings, PLAYER_KEY_A } from "../support/settings-fixture.js";

const PAGE_ENTRIES = 126;
const ENTRY_BYTES = 32;
const PAGE_BYTES = 4096;
/** The Preference binding's format byte before every value (hosts/moddable/storage.ts). */
const FORMAT_BYTE = 1;

function blobEntries(valueBytes: number): number {
  const bytes = valueBytes + FORMAT_BYTE;
  // Data chunks are at most one page of entries minus the chunk's header.
  const perChunk = (PAGE_ENTRIES - 1) * ENTRY_BYTES;
  let entries = 1; // the blob index
  for (let left = bytes; left > 0; left -= perChunk) entries += 1 + Math.ceil(Math.min(left, perChunk) / ENTRY_BYTES);
  return entries;
}

/** A MemoryStorage that tracks the NVS entries its values take, and the most they ever took. */
class NvsAccountedStorage extends MemoryStorage {
  peakEntries = 0;

  get entries(): number {
    let entries = 1; // the namespace
    for (const value of this.values.values()) entries += blobEntries(value.length);
    return entries;
  }

  override write(key: string, value: Uint8Array | string): void {
    super.write(key, value);
    this.peakEntries = Math.max(this.peakEntries, this.entries);
  }
}

/** Entries the partition can hold for data: every page but the one kept free. */
function usableEntries(partitionBytes: number): number {
  return (partitionBytes / PAGE_BYTES - 1) * PAGE_ENTRIES;
}

function nvsPartitionBytes(): number {
  const table = readFileSync(fileURLToPath(new URL("../../../hosts/esp32/partitions.csv", import.meta.url)), "utf8");
  const line = table.split("\n").find((row) => row.startsWith("nvs,"));
  assert.ok(line, "the partition table has an nvs partition");
  return parseInt(line.split(",")[4]!.trim(), 16);
}

const quiet: Log = { write: () => undefined };

/** Runs the fullest moment on a fresh storage and returns its peak entries. */
function peakOf(current: Credentials, renewed: Credentials): number {
  const storage = new NvsAccountedStorage();
  const store = new SettingsStore(storage);
  store.update({ ...fullSettings("home"), credentials: current, apiToken: "mpx_live_" + "t".repeat(64) });
  const journal = new ViewJournal(storage, quiet);
  journal.load(PLAYER_KEY_A);
  const context = { intent: "channel" as const, playOrder: 2 as const, channel: "hashtag", channelHashtag: "a".repeat(40) };
  for (let view = 0; view < 40; view++) journal.append(1000 + view, "2026-12-02T12:00:00Z", context);
  // Renewal: the new set is staged beside the current one, then becomes current once it connected.
  store.stagePendingCredentials(renewed);
  store.commitPendingCredentials();
  // And a second renewal a year later, over whatever the first left.
  store.stagePendingCredentials(current);
  store.commitPendingCredentials();
  return storage.peakEntries;
}

function largest(seed: string): Credentials {
  return {
    playerKey: PLAYER_KEY_A,
    ca: bigPem("CERTIFICATE", SETTINGS_LIMITS.caBytes - 100, `ca-${seed}`),
    certificate: bigPem("CERTIFICATE", SETTINGS_LIMITS.certificateBytes - 100, `cert-${seed}`),
    key: bigPem("PRIVATE KEY", SETTINGS_LIMITS.keyBytes - 100, `key-${seed}`),
  };
}

test("the service's credential sets through renewal with a full view journal fit the build's NVS partition, and would not fit the SDK's default 24 KB with the largest sets", () => {
  const partition = nvsPartitionBytes();
  const typical = peakOf(credentials("one"), credentials("two"));
  const worst = peakOf(largest("one"), largest("two"));
  console.log(
    `# NVS peak: ${typical} entries (${typical * ENTRY_BYTES} B) with the service's sets, ${worst} (${worst * ENTRY_BYTES} B) with the largest the store accepts; ` +
      `the build's ${partition / 1024} KB partition holds ${usableEntries(partition)}, the SDK's default 24 KB ${usableEntries(24 * 1024)}`,
  );
  assert.ok(typical <= usableEntries(partition), `${typical} entries over the partition's ${usableEntries(partition)}`);
  assert.ok(worst <= usableEntries(partition), `the largest sets: ${worst} entries over the partition's ${usableEntries(partition)}`);
  assert.ok(worst > usableEntries(24 * 1024), "the reason for the bigger partition: the SDK's default would not hold the largest sets");
});
