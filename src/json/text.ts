// The text of the string or key the tokenizer has just read, held in a fixed buffer of UTF-16 code
// units and handed to the handler without creating a JS string. The handler compares it with
// names (no allocation) or asks for toString() when it wants to keep it.
//
// Memory: capacity × 2 bytes, allocated once.

import type { JsonKernels } from "../ports.js";
import { ASTRAL_LENGTH } from "../util/string-model.js";

// String.fromCharCode.apply pushes every unit on the engine stack; XS on an ESP32 has a small stack.
const CONVERT_CHUNK = 64;

/**
 * A fixed set of ASCII names (schema keys, listed values), arranged to be found by JsonText.find()
 * with a lookup by first character and a comparison of code units, not a loop over every name
 * with string calls: it runs for every key of every object a reply holds.
 */
export interface NameTable {
  readonly names: readonly string[];
  /** The first name starting with each ASCII code, or -1. */
  readonly firstByCode: Int8Array;
  /** The next name with the same first code, or -1. */
  readonly nextWithFirst: Int8Array;
  readonly lengths: Uint8Array;
  /** All names' codes back to back; name i starts at starts[i]. */
  readonly codes: Uint8Array;
  readonly starts: Uint16Array;
  /** For native matching (JsonKernels.findName): the count, then each name as its length and its codes. */
  readonly packed: Uint8Array;
}

/** Builds the table of `names` (at most 127 names of 1..255 ASCII characters); frozen, read-only after. */
export function nameTable(names: readonly string[]): NameTable {
  if (names.length > 127) throw new RangeError("nameTable: at most 127 names");
  const firstByCode = new Int8Array(128).fill(-1);
  const nextWithFirst = new Int8Array(names.length).fill(-1);
  const lengths = new Uint8Array(names.length);
  const starts = new Uint16Array(names.length);
  let total = 0;
  for (const name of names) total += name.length;
  const codes = new Uint8Array(total);
  let at = 0;
  for (let index = names.length - 1; index >= 0; index--) {
    // Filled from the end so that each chain lists its names in their order.
    const name = names[index]!;
    if (name.length < 1 || name.length > 255) throw new RangeError(`nameTable: "${name}" is empty or too long`);
    for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0x7f) throw new RangeError(`nameTable: "${name}" is not ASCII`);
    const first = name.charCodeAt(0);
    nextWithFirst[index] = firstByCode[first]!;
    firstByCode[first] = index;
    lengths[index] = name.length;
  }
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!;
    starts[index] = at;
    for (let i = 0; i < name.length; i++) codes[at++] = name.charCodeAt(i);
  }
  const packed = new Uint8Array(1 + names.length + total);
  packed[0] = names.length;
  let to = 1;
  for (let index = 0; index < names.length; index++) {
    packed[to++] = lengths[index]!;
    packed.set(codes.subarray(starts[index]!, starts[index]! + lengths[index]!), to);
    to += lengths[index]!;
  }
  return Object.freeze({ names: Object.freeze(names.slice()), firstByCode, nextWithFirst, lengths, codes, starts, packed });
}

/** JsonKernels.findName in TypeScript (the twin of json_find_name): the first name of `table` (packed) that `units[0..length)` equals, or -1. */
export function findPackedName(units: Uint16Array, length: number, table: Uint8Array): number {
  const count = table[0]!;
  let at = 1;
  for (let index = 0; index < count; index++) {
    const nameLength = table[at++]!;
    if (nameLength === length) {
      let i = 0;
      while (i < length && units[i] === table[at + i]) i++;
      if (i === length) return index;
    }
    at += nameLength;
  }
  return -1;
}

export class JsonText {
  readonly units: Uint16Array;
  /** Code units held (at most the limit in force when the string was read). */
  length = 0;
  /** The string was longer than the limit: `units` holds only its beginning. */
  truncated = false;

  /** Native name matching where the host has it; find() walks the table in TypeScript otherwise. */
  readonly #kernels: JsonKernels | undefined;
  /** Set by the tokenizer during a key event when it has found the key in this table already (filterKeys): find() answers foundAt. */
  foundIn: NameTable | undefined = undefined;
  foundAt = -1;

  constructor(capacity: number, kernels?: JsonKernels) {
    this.units = new Uint16Array(capacity);
    this.#kernels = kernels;
  }

  get capacity(): number {
    return this.units.length;
  }

  /**
   * True when the units hold exactly `name`, compared by code point so that it holds under both
   * string models (util/string-model.ts): `name.length` and `charCodeAt` mean UTF-16 units in Node
   * and xsnap but code points in a Moddable app, while `units` are always UTF-16.
   */
  #holds(name: string): boolean {
    const units = this.units;
    const length = this.length;
    const nameLength = name.length;
    // Under either model a string takes at most as many indexes as it has UTF-16 units.
    if (nameLength > length) return false;
    let i = 0;
    let j = 0;
    while (i < length) {
      if (j >= nameLength) return false;
      let code = units[i++]!;
      if (code >= 0xd800 && code <= 0xdbff && i < length) {
        const low = units[i]!;
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (name.codePointAt(j) !== code) return false;
      j += code > 0xffff ? ASTRAL_LENGTH : 1;
    }
    return j === nameLength;
  }

  /** True when the text is exactly `name` (never for a truncated text). */
  equals(name: string): boolean {
    return !this.truncated && this.#holds(name);
  }

  /** Index of the name the text equals, or -1. */
  indexIn(names: readonly string[]): number {
    if (this.truncated) return -1;
    const length = this.length;
    const first = length === 0 ? -1 : this.units[0]!;
    for (let index = 0; index < names.length; index++) {
      const name = names[index]!;
      // Cheap rejections first: this runs for every key of every object the service sends.
      if (name.length > length || (length > 0 && name.length > 0 && name.charCodeAt(0) !== first && first < 0xd800)) continue;
      if (this.#holds(name)) return index;
    }
    return -1;
  }

  /** Index of the name of `table` the text equals, or -1 (the same answer as indexIn(table.names), sooner). */
  find(table: NameTable): number {
    if (table === this.foundIn) return this.foundAt;
    const length = this.length;
    if (this.truncated || length === 0) return -1;
    const units = this.units;
    // One native call instead of two typed-array reads (a native call each in XS) per character.
    if (this.#kernels) return this.#kernels.findName(units, length, table.packed);
    const first = units[0]!;
    if (first > 0x7f) return -1;
    const lengths = table.lengths;
    const codes = table.codes;
    let index = table.firstByCode[first]!;
    while (index >= 0) {
      if (lengths[index] === length) {
        let at = table.starts[index]!;
        let i = 1;
        for (at++; i < length; i++, at++) if (units[i] !== codes[at]) break;
        if (i === length) return index;
      }
      index = table.nextWithFirst[index]!;
    }
    return -1;
  }

  /** The text as a new JS string (the only allocation this class makes). */
  toString(): string {
    const length = this.length;
    if (length === 0) return "";
    const units = this.units;
    let result = "";
    let start = 0;
    while (start < length) {
      let end = start + CONVERT_CHUNK < length ? start + CONVERT_CHUNK : length;
      // Never end a chunk between the halves of a surrogate pair: converted apart, they stay two
      // lone surrogates in a Moddable app, where strings are code points (Node would rejoin them).
      if (end < length && units[end - 1]! >= 0xd800 && units[end - 1]! <= 0xdbff && units[end]! >= 0xdc00 && units[end]! <= 0xdfff) end--;
      // fromCharCode accepts any array-like through apply; the cast only satisfies the type checker.
      // A pair passed in one call becomes one character under both string models.
      result += String.fromCharCode.apply(null, units.subarray(start, end) as unknown as number[]);
      start = end;
    }
    return result;
  }
}
