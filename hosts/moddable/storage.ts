// The Storage port on the SDK's `preference` module: NVS on the ESP32 (flash, wear-levelled, survives
// reboot and reflash of the app), a JSON file in the Linux simulator (/tmp/modpreferences.json, shared
// by every simulator app of the user).
//
// Every value is stored as bytes (an ArrayBuffer: an NVS blob), text as UTF-8, after one format byte
// (FORMAT_V1). NVS strings are limited to 4000 bytes and blobs are not, so a 4 KB PEM fits; storing
// bytes keeps one code path on both platforms. The format byte also keeps an empty value apart from a
// missing one: the simulator's Preference reads an empty ArrayBuffer back as one zero byte. Limits enforced here, on every platform, so nothing works only in the simulator:
// - key: 1–15 characters of A-Z a-z 0-9 _ . - (NVS: 15 bytes), namespace the same;
// - value: `maxValueBytes` (4096 by default: a PEM fits in 4 KB; NVS's default partition is 24 KB).
// Failures: the ESP32 throws "nvs set fail" (partition full) and the binding passes it on; the
// simulator's Preference ignores file errors (it keeps the value in memory for the session).

import Preference from "preference";
import type { Storage } from "../../src/ports.js";
import { STORAGE_VALUE_MAX_BYTES, storageNameProblem } from "../../src/util/storage-rules.js";
import { utf8Decode, utf8Encode } from "../../src/util/utf8.js";

const FORMAT_V1 = 1;

export class StorageError extends Error {
  override readonly name = "StorageError";
}

function checkName(what: string, name: string): void {
  const problem = storageNameProblem(name);
  if (problem) throw new StorageError(`${what} "${name}" ${problem}`);
}

export class PreferenceStorage implements Storage {
  readonly #domain: string;
  readonly #maxValueBytes: number;

  constructor(namespace: string, options: { maxValueBytes?: number } = {}) {
    checkName("namespace", namespace);
    this.#domain = namespace;
    this.#maxValueBytes = options.maxValueBytes ?? STORAGE_VALUE_MAX_BYTES;
  }

  read(key: string): Uint8Array | undefined {
    checkName("key", key);
    const value = Preference.get(this.#domain, key);
    if (value === undefined) return undefined;
    const stored = value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
    if (!stored || stored.length < 1 || stored[0] !== FORMAT_V1) throw new StorageError(`"${key}" was not written by this binding`);
    return stored.slice(1);
  }

  readText(key: string): string | undefined {
    const bytes = this.read(key);
    return bytes === undefined ? undefined : utf8Decode(bytes, 0, bytes.length);
  }

  write(key: string, value: Uint8Array | string): void {
    checkName("key", key);
    const bytes = typeof value === "string" ? utf8Encode(value) : value;
    if (bytes.length > this.#maxValueBytes) throw new StorageError(`"${key}": ${bytes.length} bytes is more than ${this.#maxValueBytes}`);
    const stored = new Uint8Array(1 + bytes.length);
    stored[0] = FORMAT_V1;
    stored.set(bytes, 1);
    Preference.set(this.#domain, key, stored.buffer);
  }

  delete(key: string): void {
    checkName("key", key);
    Preference.delete(this.#domain, key);
  }

  keys(): string[] {
    return Preference.keys(this.#domain);
  }
}
