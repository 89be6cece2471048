// Named groups of bytes over the Storage port, replaced together atomically: a power cut at any write
// or delete step leaves either the old or the new complete set of groups.
//
// Layout under one key prefix P (1–3 characters; stores sharing one Storage use different prefixes):
//   P.A, P.B        two pointer records; the valid one with the higher sequence number is current
//   P.<g><gen>.<i>  chunk i written for group g (one letter a-z) by commit number gen (base 36)
// A pointer record is JSON {"v":1,"seq":N,"g":{"c":["c",gen,chunks,bytes,crc32],...}} followed by "\n"
// and the CRC-32 of that JSON as 8 hex digits; each group's descriptor carries the CRC-32 of its
// bytes. So a torn pointer or a torn chunk is detected on load.
//
// A commit (1) deletes chunks no current pointer references (left by an interrupted commit), (2) writes
// the changed groups as fresh chunk keys that no valid pointer references, (3) writes the new pointer
// into the OTHER pointer slot (never over the current one: the ESP32 Preference binding erases a key
// before setting it, so overwriting in place could leave nothing), then (4) deletes the chunks only the
// old pointer referenced. Until (3) completes the old pointer is current and its chunks untouched;
// from then on the new one is. Unchanged groups keep their chunks (a Wi-Fi change does not rewrite the
// certificates), and a group can take another group's chunks as they are (`{from}`) without a write.

import type { Storage } from "../ports.js";
import { CRC32_START, crc32Final, crc32Update } from "../art/crc32.js";
import { utf8Decode, utf8Encode } from "../util/utf8.js";
import { errorMessage } from "../util/errors.js";

/**
 * Where a group's bytes are: chunks written under group letter `at` (a group that took another's
 * chunks keeps their letter) by commit `gen`, `bytes` long in all, with their CRC-32.
 */
interface GroupDescriptor {
  readonly at: string;
  readonly gen: number;
  readonly chunks: number;
  readonly bytes: number;
  readonly crc: number;
}

interface Pointer {
  readonly seq: number;
  readonly slot: "A" | "B";
  readonly groups: { readonly [group: string]: GroupDescriptor };
}

export interface GroupProblem {
  /** A group letter, or "*" for the pointer records themselves. */
  readonly group: string;
  readonly reason: string;
}

export interface AtomicLoad {
  /** The groups that read back complete and intact. */
  readonly groups: { readonly [group: string]: Uint8Array };
  /** Groups the current pointer names that could not be read, and an unreadable store. */
  readonly problems: readonly GroupProblem[];
  /** The current commit number (0: nothing committed yet). */
  readonly seq: number;
}

/** A group's new bytes, `null` to remove it, or `{from}` to take another group's current bytes as they are. */
export type GroupChange = Uint8Array | null | { readonly from: string };

export interface AtomicStoreOptions {
  /** Bytes per stored value; at most what the host's Storage takes (Moddable: 4096). Default 2048. */
  chunkBytes?: number;
  /** Largest group; bounds the chunks read back from storage. Default 24 KiB. */
  maximumGroupBytes?: number;
}

export class AtomicStoreError extends Error {
  override readonly name = "AtomicStoreError";
}

const FORMAT = 1;
const MAXIMUM_GEN = 36 ** 7 - 1;

function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}

function crc32(bytes: Uint8Array): number {
  return crc32Final(crc32Update(CRC32_START, bytes, 0, bytes.length));
}

function isGroupName(group: string): boolean {
  return group.length === 1 && group >= "a" && group <= "z";
}

function isCount(value: unknown, maximum: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= maximum;
}

export class AtomicStore {
  readonly #storage: Storage;
  readonly #prefix: string;
  readonly #chunkBytes: number;
  readonly #maximumGroupBytes: number;

  constructor(storage: Storage, prefix: string, options: AtomicStoreOptions = {}) {
    if (prefix.length < 1 || prefix.length > 3 || prefix.includes(".")) throw new AtomicStoreError(`prefix "${prefix}" must be 1–3 characters without "."`);
    this.#storage = storage;
    this.#prefix = `${prefix}.`;
    this.#chunkBytes = options.chunkBytes ?? 2048;
    this.#maximumGroupBytes = options.maximumGroupBytes ?? 24 * 1024;
  }

  /** Reads the current set. Never throws for what it finds in storage: damage is reported in `problems`. */
  load(): AtomicLoad {
    const problems: GroupProblem[] = [];
    const pointer = this.#currentPointer(problems);
    const groups: { [group: string]: Uint8Array } = {};
    if (pointer) {
      for (const group of Object.keys(pointer.groups)) {
        try {
          groups[group] = this.#readGroup(pointer.groups[group]!);
        } catch (error) {
          problems.push({ group, reason: errorMessage(error) });
        }
      }
    }
    return { groups, problems, seq: pointer?.seq ?? 0 };
  }

  /**
   * Replaces the groups named in `changes` (the others stay as they are), atomically. Throws
   * AtomicStoreError (or what the Storage threw) when a step fails: the old set is then still current.
   */
  commit(changes: { readonly [group: string]: GroupChange }): void {
    for (const group of Object.keys(changes)) {
      if (!isGroupName(group)) throw new AtomicStoreError(`"${group}" is not a group name (one letter a-z)`);
      const change = changes[group];
      if (change instanceof Uint8Array && change.length > this.#maximumGroupBytes) {
        throw new AtomicStoreError(`group "${group}": ${change.length} bytes is more than ${this.#maximumGroupBytes}`);
      }
    }
    const current = this.#currentPointer([]);
    const oldGroups = current?.groups ?? {};
    this.#deleteUnreferenced(current);
    const gen = (current?.seq ?? 0) + 1;
    if (gen > MAXIMUM_GEN) throw new AtomicStoreError("commit counter exhausted");
    const groups: { [group: string]: GroupDescriptor } = { ...oldGroups };
    const written: string[] = [];
    try {
      for (const group of Object.keys(changes)) {
        const change = changes[group];
        if (change === null || change === undefined) {
          delete groups[group];
        } else if (change instanceof Uint8Array) {
          groups[group] = this.#writeGroup(group, gen, change, written);
        } else {
          const source = oldGroups[change.from];
          if (source === undefined) delete groups[group];
          else groups[group] = source;
        }
      }
      const slot = current?.slot === "A" ? "B" : "A";
      this.#storage.write(this.#prefix + slot, this.#encodePointer(gen, groups));
    } catch (error) {
      // Best effort: the chunks of this commit are orphans now (the next commit deletes them anyway).
      for (const key of written) {
        try {
          this.#storage.delete(key);
        } catch {
          break;
        }
      }
      throw error;
    }
    // The new set is current: what only the old pointer referenced goes. A failure here does not
    // undo the commit; the next commit deletes what is left.
    const keep = this.#referencedKeys(groups);
    try {
      for (const group of Object.keys(oldGroups)) {
        for (const key of this.#chunkKeys(oldGroups[group]!)) if (!keep.has(key)) this.#storage.delete(key);
      }
    } catch {
      // Left for the next commit (see above).
    }
  }

  /**
   * Deletes every key of this store (factory reset). The older pointer goes first and the current one
   * second (deleting the current first would make the older, whose chunks are gone, current), then
   * the chunks: a cut part-way loads the old set or nothing.
   */
  erase(): void {
    const current = this.#currentPointer([]);
    const first = current?.slot === "A" ? "B" : "A";
    this.#storage.delete(this.#prefix + first);
    this.#storage.delete(this.#prefix + (first === "A" ? "B" : "A"));
    for (const key of this.#ownKeys()) this.#storage.delete(key);
  }

  /** Keys of this store present in storage (for tests and diagnostics). */
  ownKeys(): string[] {
    return this.#ownKeys();
  }

  #ownKeys(): string[] {
    return this.#storage.keys().filter((key) => key.startsWith(this.#prefix));
  }

  #currentPointer(problems: GroupProblem[]): Pointer | undefined {
    let best: Pointer | undefined;
    let damaged = 0;
    for (const slot of ["A", "B"] as const) {
      let pointer: Pointer | undefined;
      let present = false;
      try {
        const bytes = this.#storage.read(this.#prefix + slot);
        present = bytes !== undefined;
        if (bytes) pointer = this.#decodePointer(bytes, slot);
      } catch {
        present = true;
      }
      if (present && !pointer) damaged++;
      if (pointer && (!best || pointer.seq > best.seq)) best = pointer;
    }
    // One damaged slot next to a good one is an interrupted commit, not a problem.
    if (!best && damaged > 0) problems.push({ group: "*", reason: "no intact settings record (both pointer records damaged)" });
    return best;
  }

  #decodePointer(bytes: Uint8Array, slot: "A" | "B"): Pointer | undefined {
    const newline = bytes.lastIndexOf(0x0a);
    if (newline < 0) return undefined;
    let parsed: unknown;
    try {
      if (utf8Decode(bytes, newline + 1, bytes.length) !== hex8(crc32(bytes.subarray(0, newline)))) return undefined;
      parsed = JSON.parse(utf8Decode(bytes, 0, newline));
    } catch {
      return undefined;
    }
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const record = parsed as { [key: string]: unknown };
    if (record["v"] !== FORMAT || !isCount(record["seq"], MAXIMUM_GEN) || record["seq"] < 1) return undefined;
    const given = record["g"];
    if (typeof given !== "object" || given === null || Array.isArray(given)) return undefined;
    const groups: { [group: string]: GroupDescriptor } = {};
    const maximumChunks = Math.ceil(this.#maximumGroupBytes / this.#chunkBytes);
    for (const group of Object.keys(given)) {
      const d = (given as { [key: string]: unknown })[group];
      if (!isGroupName(group) || !Array.isArray(d) || d.length !== 5) return undefined;
      const [at, gen, chunks, size, crc] = d as unknown[];
      if (typeof at !== "string" || !isGroupName(at)) return undefined;
      if (!isCount(gen, record["seq"]) || !isCount(chunks, maximumChunks) || !isCount(size, this.#maximumGroupBytes) || !isCount(crc, 0xffffffff)) return undefined;
      groups[group] = Object.freeze({ at, gen, chunks, bytes: size, crc });
    }
    return { seq: record["seq"], slot, groups };
  }

  #encodePointer(seq: number, groups: { readonly [group: string]: GroupDescriptor }): Uint8Array {
    const g: { [group: string]: (string | number)[] } = {};
    for (const group of Object.keys(groups)) {
      const d = groups[group]!;
      g[group] = [d.at, d.gen, d.chunks, d.bytes, d.crc];
    }
    const body = utf8Encode(JSON.stringify({ v: FORMAT, seq, g }));
    const tail = utf8Encode("\n" + hex8(crc32(body)));
    const out = new Uint8Array(body.length + tail.length);
    out.set(body, 0);
    out.set(tail, body.length);
    return out;
  }

  #chunkKey(group: string, gen: number, index: number): string {
    return `${this.#prefix}${group}${gen.toString(36)}.${index}`;
  }

  #chunkKeys(d: GroupDescriptor): string[] {
    const keys: string[] = [];
    for (let i = 0; i < d.chunks; i++) keys.push(this.#chunkKey(d.at, d.gen, i));
    return keys;
  }

  #referencedKeys(groups: { readonly [group: string]: GroupDescriptor }): Set<string> {
    const keys = new Set<string>([this.#prefix + "A", this.#prefix + "B"]);
    for (const group of Object.keys(groups)) for (const key of this.#chunkKeys(groups[group]!)) keys.add(key);
    return keys;
  }

  #deleteUnreferenced(current: Pointer | undefined): void {
    const keep = this.#referencedKeys(current?.groups ?? {});
    for (const key of this.#ownKeys()) if (!keep.has(key)) this.#storage.delete(key);
  }

  #writeGroup(group: string, gen: number, bytes: Uint8Array, written: string[]): GroupDescriptor {
    const chunks = Math.ceil(bytes.length / this.#chunkBytes);
    for (let i = 0; i < chunks; i++) {
      const key = this.#chunkKey(group, gen, i);
      written.push(key);
      this.#storage.write(key, bytes.subarray(i * this.#chunkBytes, Math.min(bytes.length, (i + 1) * this.#chunkBytes)));
    }
    return { at: group, gen, chunks, bytes: bytes.length, crc: crc32(bytes) };
  }

  #readGroup(d: GroupDescriptor): Uint8Array {
    const out = new Uint8Array(d.bytes);
    let at = 0;
    for (let i = 0; i < d.chunks; i++) {
      const chunk = this.#storage.read(this.#chunkKey(d.at, d.gen, i));
      if (chunk === undefined) throw new AtomicStoreError(`chunk ${i + 1} of ${d.chunks} is missing`);
      if (at + chunk.length > d.bytes) throw new AtomicStoreError("longer than recorded");
      out.set(chunk, at);
      at += chunk.length;
    }
    if (at !== d.bytes) throw new AtomicStoreError("shorter than recorded");
    if (crc32(out) !== d.crc) throw new AtomicStoreError("checksum mismatch");
    return out;
  }
}
