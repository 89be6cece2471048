// The JsonKernels port (src/ports.ts) over the native JSON string scanner of hosts/moddable/native
// (json_kernels.c through the XS binding json_kernels_xs.c). The logic is here and takes the host
// functions as a parameter, so the same code runs in a Moddable app (json-kernels.ts binds them with
// native(...)) and in the SDK's xst with the kernels linked in (the device-time bench and the
// equivalence test, where they are the global `jsonNatives`).
//
// Per string and chunk: one stringScan and one stringStatus call; per key of a record, one findName. The state is a host object owning one
// 64-byte C struct (freed when the object is collected). A negative scan result is bad input: this
// wrapper throws the JsonError the TypeScript StringReader throws, with the message built by the same
// functions (src/json/strings.ts exports them).

import type { JsonKernels, JsonStringScanner, JsonStringText } from "../../src/ports.js";
import { controlCharacterError, escapeError, hexDigitError, stringTooLongError, utf8ContinuationError, utf8LeadError } from "../../src/json/strings.js";

/** The string state: an opaque host object. */
export type NativeJsonStringState = object;

/** The host functions of json_kernels_xs.c (names as in test/native/art_kernels_xst.c). */
export interface JsonNatives {
  stringCreate(): NativeJsonStringState;
  stringBegin(state: NativeJsonStringState, limit: number, reject: boolean, capacity: number): void;
  /** Where the scan stopped, or a negative JSON_STRING_* code (json_kernels.h). */
  stringScan(state: NativeJsonStringState, chunk: Uint8Array, i: number, end: number, units: ArrayBufferLike): number;
  /** Units held * 4 + 2 if truncated + 1 once complete. */
  stringStatus(state: NativeJsonStringState): number;
  /** After a negative scan: the chunk index * 256 + the byte. */
  stringFault(state: NativeJsonStringState): number;
  /** The index of the name in the packed table, or -1. */
  findName(units: ArrayBufferLike, length: number, table: Uint8Array): number;
}

// json_kernels.h
const CONTROL = -1;
const UTF8_LEAD = -2;
const UTF8_NEXT = -3;
const ESCAPE = -4;
const HEX = -5;
const TOO_LONG = -6;

export class NativeJsonStringScanner implements JsonStringScanner {
  readonly #natives: JsonNatives;
  readonly #state: NativeJsonStringState;
  readonly #text: JsonStringText;
  readonly #units: ArrayBufferLike;
  #limit = 0;
  #complete = true;

  constructor(natives: JsonNatives, text: JsonStringText) {
    this.#natives = natives;
    this.#state = natives.stringCreate();
    this.#text = text;
    this.#units = text.units.buffer;
  }

  get complete(): boolean {
    return this.#complete;
  }

  begin(limit: number, reject: boolean): void {
    this.#natives.stringBegin(this.#state, limit, reject, this.#text.units.length);
    this.#limit = limit;
    this.#complete = false;
    this.#text.length = 0;
    this.#text.truncated = false;
  }

  scan(chunk: Uint8Array, i: number, length: number, base: number): number {
    const natives = this.#natives;
    const result = natives.stringScan(this.#state, chunk, i, length, this.#units);
    if (result < 0) throw this.#error(result, base);
    const status = natives.stringStatus(this.#state);
    const text = this.#text;
    text.length = status >>> 2;
    text.truncated = (status & 2) !== 0;
    this.#complete = (status & 1) !== 0;
    return result;
  }

  #error(result: number, base: number): Error {
    const fault = this.#natives.stringFault(this.#state);
    const byte = fault % 256;
    const offset = base + (fault - byte) / 256;
    switch (result) {
      case CONTROL:
        return controlCharacterError(byte, offset);
      case UTF8_LEAD:
        return utf8LeadError(byte, offset);
      case UTF8_NEXT:
        return utf8ContinuationError(byte, offset);
      case ESCAPE:
        return escapeError(byte, offset);
      case HEX:
        return hexDigitError(byte, offset);
      case TOO_LONG:
        return stringTooLongError(this.#limit, offset);
    }
    return new RangeError(`native JSON string result ${result}`);
  }
}

/** JsonKernels over the native functions. A class, so a preloaded instance can be frozen into ROM. */
class NativeJsonKernels implements JsonKernels {
  readonly #natives: JsonNatives;
  constructor(natives: JsonNatives) {
    this.#natives = natives;
  }
  createStringScanner(text: JsonStringText): JsonStringScanner {
    return new NativeJsonStringScanner(this.#natives, text);
  }
  findName(units: Uint16Array, length: number, table: Uint8Array): number {
    return this.#natives.findName(units.buffer, length, table);
  }
}

export function nativeJsonKernels(natives: JsonNatives): JsonKernels {
  return Object.freeze(new NativeJsonKernels(natives));
}
