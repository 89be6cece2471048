// In-memory Storage ports for tests that run unchanged in Node and XS.
// - MemoryStorage enforces exactly the limits hosts/moddable/storage.ts enforces on the device (key 1–15
//   characters of A-Z a-z 0-9 _ . -, values ≤ 4096 bytes, an empty value kept apart from a missing one,
//   reads return copies), so nothing passes here that the ESP32 would refuse.
// - PowerCutStorage wraps one and "cuts the power" at a chosen write or delete step: that step and every
//   later one throw PowerCut and persist nothing (or, as asked, the cut step leaves a torn value or, as
//   the ESP32 Preference binding erases a key before setting it, no value at all).

import type { Storage } from "../../src/ports.js";
import { utf8Decode, utf8Encode } from "../../src/util/utf8.js";

export const MAX_KEY_LENGTH = 15;
export const DEFAULT_MAX_VALUE_BYTES = 4096;

export class MemoryStorageError extends Error {
  override readonly name = "StorageError";
}

function checkKey(key: string): void {
  if (typeof key !== "string" || key.length < 1 || key.length > MAX_KEY_LENGTH) throw new MemoryStorageError(`key "${key}" must be 1–${MAX_KEY_LENGTH} characters`);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
    if (!ok) throw new MemoryStorageError(`key "${key}" may hold only A-Z a-z 0-9 _ . -`);
  }
}

export class MemoryStorage implements Storage {
  readonly values = new Map<string, Uint8Array>();
  readonly maxValueBytes: number;
  /** Write and delete calls that changed something, for tests that count storage wear. */
  writes = 0;
  deletes = 0;

  /** Total bytes the "partition" holds (ESP32: NVS throws "nvs set fail" when full); default unbounded. */
  readonly maxTotalBytes: number;

  constructor(options: { maxValueBytes?: number; maxTotalBytes?: number } = {}) {
    this.maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.maxTotalBytes = options.maxTotalBytes ?? Number.POSITIVE_INFINITY;
  }

  read(key: string): Uint8Array | undefined {
    checkKey(key);
    const value = this.values.get(key);
    return value === undefined ? undefined : value.slice();
  }

  readText(key: string): string | undefined {
    const bytes = this.read(key);
    return bytes === undefined ? undefined : utf8Decode(bytes, 0, bytes.length);
  }

  write(key: string, value: Uint8Array | string): void {
    checkKey(key);
    const bytes = typeof value === "string" ? utf8Encode(value) : value.slice();
    if (bytes.length > this.maxValueBytes) throw new MemoryStorageError(`"${key}": ${bytes.length} bytes is more than ${this.maxValueBytes}`);
    const after = this.bytes - (this.values.get(key)?.length ?? 0) + bytes.length;
    if (after > this.maxTotalBytes) throw new MemoryStorageError("nvs set fail");
    this.values.set(key, bytes);
    this.writes++;
  }

  delete(key: string): void {
    checkKey(key);
    if (this.values.delete(key)) this.deletes++;
  }

  keys(): string[] {
    return [...this.values.keys()];
  }

  /** Total bytes held (values only), for bound checks. */
  get bytes(): number {
    let total = 0;
    for (const value of this.values.values()) total += value.length;
    return total;
  }
}

export class PowerCut extends Error {
  override readonly name = "PowerCut";
}

/** What the step at the cut leaves behind. */
export type CutMode = "clean" | "torn" | "erased";

/**
 * Counts write and delete steps on `flash`; step number `cutAfter + 1` and all later ones throw
 * PowerCut. Reads keep working until the cut (a device reads what it wrote); after it, everything throws.
 */
export class PowerCutStorage implements Storage {
  readonly flash: MemoryStorage;
  readonly cutAfter: number;
  readonly mode: CutMode;
  steps = 0;
  #dead = false;

  constructor(flash: MemoryStorage, cutAfter = Number.POSITIVE_INFINITY, mode: CutMode = "clean") {
    this.flash = flash;
    this.cutAfter = cutAfter;
    this.mode = mode;
  }

  get cut(): boolean {
    return this.#dead;
  }

  read(key: string): Uint8Array | undefined {
    this.#alive();
    return this.flash.read(key);
  }

  readText(key: string): string | undefined {
    this.#alive();
    return this.flash.readText(key);
  }

  write(key: string, value: Uint8Array | string): void {
    this.#step(() => {
      const bytes = typeof value === "string" ? utf8Encode(value) : value;
      if (this.mode === "torn") {
        // Half the value, its last byte flipped: what a write stopped part-way could leave.
        const torn = bytes.slice(0, bytes.length >> 1);
        if (torn.length > 0) torn[torn.length - 1] = torn[torn.length - 1]! ^ 0x5a;
        this.flash.write(key, torn);
      } else if (this.mode === "erased") {
        this.flash.delete(key);
      }
    });
    this.flash.write(key, value);
  }

  delete(key: string): void {
    this.#step(() => {
      // A delete is one NVS operation: it happens or it does not.
    });
    this.flash.delete(key);
  }

  keys(): string[] {
    this.#alive();
    return this.flash.keys();
  }

  #alive(): void {
    if (this.#dead) throw new PowerCut("power is off");
  }

  #step(atCut: () => void): void {
    this.#alive();
    this.steps++;
    if (this.steps > this.cutAfter) {
      this.#dead = true;
      atCut();
      throw new PowerCut(`power cut at step ${this.steps}`);
    }
  }
}
