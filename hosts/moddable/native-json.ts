// The JsonKernels port (src/ports.ts) over the native JSON string scanner of hosts/moddable/native
// (json_kernels.c through the XS binding json_kernels_xs.c). The logic is here and takes the host
// functions as a parameter, so the same code runs in a Moddable app (json-kernels.ts binds them with
// native(...)) and in the SDK's xst with the kernels linked in (the device-time bench and the
// equivalence test, where they are the global `jsonNatives`).
//
// The tokenizer's loop (NativeJsonScanner, json_scanner.c): one scannerRead call per event the consumer
// sees, plus one scannerText per key or string and one scannerNumber per number; the state is a host
// object owning one 224-byte C struct. The string scanner alone (NativeJsonStringScanner, for a
// tokenizer running its own loop): per string and chunk one stringScan and one stringStatus call, per
// key of a record one findName; a 64-byte struct. Structs are freed when their object is collected.
// A negative result is bad input: this wrapper throws the JsonError the TypeScript tokenizer throws,
// with the message built by the same functions (src/json/strings.ts, numbers.ts, scanner.ts export them).

import type { JsonKernels, JsonScanner, JsonScannerOptions, JsonStringScanner, JsonStringText } from "../../src/ports.js";
import { numberDotError, numberExponentError, numberLeadingZeroError, numberMinusError, numberTooLongError } from "../../src/json/numbers.js";
import {
  depthError,
  EVENT_KEY,
  EVENT_STRING,
  expectedColonError,
  expectedCommaError,
  expectedKeyError,
  expectedValueError,
  LITERAL_WORDS,
  literalError,
  mismatchedCloseError,
  trailingError,
  truncatedError,
} from "../../src/json/scanner.js";
import { controlCharacterError, escapeError, hexDigitError, stringTooLongError, utf8ContinuationError, utf8LeadError } from "../../src/json/strings.js";

/** The string state: an opaque host object. */
export type NativeJsonStringState = object;
/** The scanner state (json_scanner_t): an opaque host object. */
export type NativeJsonScannerState = object;

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
  scannerCreate(maxDepth: number, maxKeyUnits: number, capacity: number, defaultLimit: number, defaultReject: boolean): NativeJsonScannerState;
  /** (where it stopped << 4) | event, or a negative code (json_kernels.h). */
  scannerRead(state: NativeJsonScannerState, chunk: Uint8Array, i: number, end: number, units: ArrayBufferLike, filter: Uint8Array | undefined, base: number): number;
  /** An event (JSON_EVENT_NUMBER or JSON_EVENT_NONE) or a negative code. */
  scannerEnd(state: NativeJsonScannerState, base: number): number;
  /** After a key or string event: units held * 2 + 1 if truncated. */
  scannerText(state: NativeJsonScannerState): number;
  scannerNumber(state: NativeJsonScannerState): number;
  /** 0 the position, 1 the depth, 2 the fault's chunk index, 3 its detail. */
  scannerGet(state: NativeJsonScannerState, what: number): number;
  /** 0 the next value's limit, 1 the default limit, 2 filter the innermost object's keys, 3 reset. */
  scannerSet(state: NativeJsonScannerState, what: number, units: number, reject: boolean): void;
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
    return stringError(result, byte, this.#limit, base + (fault - byte) / 256);
  }
}

/** The error of a negative string result (the codes -1..-6 are shared by the string scanner and the loop). */
function stringError(result: number, byte: number, limit: number, offset: number): Error {
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
      return stringTooLongError(limit, offset);
  }
  return new RangeError(`native JSON result ${result}`);
}

// json_kernels.h JSON_SCAN_*
const EXPECTED_KEY = -7;
const EXPECTED_COLON = -8;
const EXPECTED_COMMA = -9;
const TRAILING = -10;
const EXPECTED_VALUE = -11;
const CLOSES_ARRAY = -12;
const CLOSES_OBJECT = -13;
const LITERAL = -14;
const DEPTH = -15;
const NUMBER_MINUS = -16;
const NUMBER_ZERO = -17;
const NUMBER_DOT = -18;
const NUMBER_EXPONENT = -19;
const NUMBER_TOO_LONG = -20;
const EMPTY = -21;
const INSIDE = -22;

/**
 * The tokenizer's loop in C (json_scanner.c): per event one scannerRead call, plus one scannerText for a
 * key or string and one scannerNumber for a number. The filter table is passed on every read (XS may
 * move it between calls, so the C never keeps it).
 */
export class NativeJsonScanner implements JsonScanner {
  readonly #natives: JsonNatives;
  readonly #state: NativeJsonScannerState;
  readonly #text: JsonStringText;
  readonly #units: ArrayBufferLike;
  #filter: Uint8Array | undefined = undefined;

  constructor(natives: JsonNatives, text: JsonStringText, options: JsonScannerOptions) {
    this.#natives = natives;
    this.#text = text;
    this.#units = text.units.buffer;
    this.#state = natives.scannerCreate(options.maxDepth, options.maxKeyUnits, text.units.length, options.defaultLimit, options.defaultReject);
  }

  read(chunk: Uint8Array, i: number, length: number, base: number): number {
    const natives = this.#natives;
    const result = natives.scannerRead(this.#state, chunk, i, length, this.#units, this.#filter, base);
    if (result < 0) throw this.#error(result, base);
    const event = result & 15;
    if (event === EVENT_KEY || event === EVENT_STRING) {
      const status = natives.scannerText(this.#state);
      const text = this.#text;
      text.length = status >> 1;
      text.truncated = (status & 1) !== 0;
    }
    return result;
  }

  end(base: number): number {
    const result = this.#natives.scannerEnd(this.#state, base);
    if (result < 0) throw this.#error(result, base);
    return result;
  }

  get number(): number {
    return this.#natives.scannerNumber(this.#state);
  }

  get position(): number {
    return this.#natives.scannerGet(this.#state, 0);
  }

  get depth(): number {
    return this.#natives.scannerGet(this.#state, 1);
  }

  limitNext(units: number, reject: boolean): void {
    this.#natives.scannerSet(this.#state, 0, units, reject);
  }

  setDefaultLimit(units: number, reject: boolean): void {
    this.#natives.scannerSet(this.#state, 1, units, reject);
  }

  filterKeys(table: Uint8Array): void {
    this.#filter = table;
    this.#natives.scannerSet(this.#state, 2, 0, false);
  }

  reset(): void {
    this.#filter = undefined;
    this.#natives.scannerSet(this.#state, 3, 0, false);
  }

  #error(result: number, base: number): Error {
    const natives = this.#natives;
    const offset = base + natives.scannerGet(this.#state, 2);
    const detail = natives.scannerGet(this.#state, 3);
    switch (result) {
      case EXPECTED_KEY:
        return expectedKeyError(detail, offset);
      case EXPECTED_COLON:
        return expectedColonError(detail, offset);
      case EXPECTED_COMMA:
        return expectedCommaError(detail, offset);
      case TRAILING:
        return trailingError(detail, offset);
      case EXPECTED_VALUE:
        return expectedValueError(detail, offset);
      case CLOSES_ARRAY:
        return mismatchedCloseError(true, offset);
      case CLOSES_OBJECT:
        return mismatchedCloseError(false, offset);
      case LITERAL:
        return literalError(LITERAL_WORDS[detail]!, offset);
      case DEPTH:
        return depthError(detail, offset);
      case NUMBER_MINUS:
        return numberMinusError(offset);
      case NUMBER_ZERO:
        return numberLeadingZeroError(offset);
      case NUMBER_DOT:
        return numberDotError(offset);
      case NUMBER_EXPONENT:
        return numberExponentError(offset);
      case NUMBER_TOO_LONG:
        return numberTooLongError(offset);
      case EMPTY:
        return truncatedError(true, offset);
      case INSIDE:
        return truncatedError(false, offset);
    }
    return stringError(result, detail, detail, offset);
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
  createScanner(text: JsonStringText, options: JsonScannerOptions): JsonScanner {
    return new NativeJsonScanner(this.#natives, text, options);
  }
}

export function nativeJsonKernels(natives: JsonNatives): JsonKernels {
  return Object.freeze(new NativeJsonKernels(natives));
}
