// Push tokenizer for JSON (RFC 8259): bytes go in as they arrive, in slices of any size (one byte at
// a time works); events come out to a handler as each token completes. Nothing is ever grown:
//
// Memory (worst case, fixed at construction): a text buffer of max(maxStringUnits, maxKeyUnits)
// UTF-16 code units (2 bytes each; 1 KiB by default) and a dozen scalars (strings.ts), a 40-byte
// number buffer and nine scalars (numbers.ts), and about 20 scalars here (the container stack is
// the bits of one number: at most 32 levels). push() allocates only typed-array views, each dropped
// at once (a chunk of 64 bytes or more seen as 32-bit words, strings.ts ChunkWords; a long plain run
// copied into a kept string), and a short string for a number that is not a simple decimal (more
// than 15 significant digits or an exponent beyond ±22).
//
// Speed: XS interprets every step and pays a native call for every typed-array read (about 400 x86
// instructions), so the common tokens are read without a call per byte: a string nobody keeps is
// skipped a 32-bit word or a whole escape at a time, a short integer and a literal whole in the chunk
// are read at once. The byte-by-byte paths stay for everything else (chunk ends, errors), and the
// fast paths are tested against them (test/unit/json/fast-paths.test.ts). Where the host has native
// JSON kernels (TokenizerOptions.kernels, docs/native-kernels.md), this loop runs in C instead
// (createScanner: one call per event the handler sees, #scan below), or at least the inside of every
// string (createStringScanner: one call per string per chunk). filterKeys() spares the handler the
// values it would ignore: with the C loop they never leave C.
//
// (Over 400 lines: the loop, its native twin's driver and the controls share the state of one class.)
//
// Decisions:
// - Strings are UTF-8 validated strictly (no overlongs, no encoded surrogates, nothing above
//   U+10FFFF): a bad byte is a JsonError "utf8". Raw control characters are "syntax".
// - A \u escape of a lone surrogate (a high one not followed by a \u low one, or a low one alone)
//   becomes U+FFFD, so every string handed on is well-formed UTF-16 and can be re-encoded.
// - The consumer chooses, before each string value, how many code units to keep and what to do
//   beyond that (limitNextString: "truncate" keeps the beginning and sets `truncated`; "reject"
//   fails with "too_long"). A limit of 0 with "truncate" skips a string without storing it.
//   Truncation never splits a surrogate pair. Keys are kept up to maxKeyUnits and truncated beyond
//   (a truncated key equals no name).
// - Numbers follow the JSON grammar exactly and are limited to 40 characters ("too_long").
// - Nesting deeper than maxDepth is "depth". One value per stream: anything but whitespace after
//   it is "syntax"; the stream ending inside it is "truncated" (reported by end()).
// - Any error, including one thrown by the handler, is sticky: push() and end() rethrow it until
//   reset().

import type { JsonKernels, JsonScanner, JsonStringScanner } from "../ports.js";
import { NumberReader } from "./numbers.js";
import {
  depthError,
  EVENT_BEGIN_ARRAY,
  EVENT_BEGIN_OBJECT,
  EVENT_END_ARRAY,
  EVENT_END_OBJECT,
  EVENT_FALSE,
  EVENT_KEY,
  EVENT_NULL,
  EVENT_NUMBER,
  EVENT_STRING,
  EVENT_TRUE,
  expectedColonError,
  expectedCommaError,
  expectedKeyError,
  expectedValueError,
  literalError,
  mismatchedCloseError,
  trailingError,
  truncatedError,
} from "./scanner.js";
import { ChunkWords, StringReader } from "./strings.js";
import { JsonText, type NameTable } from "./text.js";

/** Receives the tokens in document order. Strings and keys arrive as views valid only during the call. */
export interface JsonHandler {
  beginObject(): void;
  endObject(): void;
  beginArray(): void;
  endArray(): void;
  /** An object key. The handler may call limitNextString() here for the value that follows. */
  key(key: JsonText): void;
  string(value: JsonText): void;
  number(value: number): void;
  boolean(value: boolean): void;
  null(): void;
}

export type Overflow = "truncate" | "reject";

export interface TokenizerOptions {
  /** Deepest nesting of objects and arrays accepted: 1..32 (default 32). */
  maxDepth?: number;
  /** Longest string value that can be kept, in UTF-16 code units (default 512): the buffer size. */
  maxStringUnits?: number;
  /** Key characters kept; longer keys arrive truncated (default 64). */
  maxKeyUnits?: number;
  /** Limit for string values the handler did not set one for (default maxStringUnits). */
  defaultStringLimit?: number;
  /** What happens beyond the default limit (default "reject"). */
  defaultOverflow?: Overflow;
  /**
   * The host's `jsonKernels`: with `createScanner`, the whole loop in native code (the loop below is
   * then not used); otherwise native string scanning and key matching in this loop. TypeScript without.
   */
  kernels?: JsonKernels;
}

/** Where the events of a value being skipped (filterKeys) go. */
const NO_EVENTS: JsonHandler = Object.freeze({
  beginObject() {},
  endObject() {},
  beginArray() {},
  endArray() {},
  key() {},
  string() {},
  number() {},
  boolean() {},
  null() {},
});

// Where the tokenizer is.
const S_VALUE = 0; // a value must come (top level, after ':', after ',' in an array)
const S_ARRAY_FIRST = 1; // after '[': a value or ']'
const S_OBJECT_FIRST = 2; // after '{': a key or '}'
const S_KEY = 3; // after ',' in an object
const S_COLON = 4;
const S_AFTER_VALUE = 5; // ',' or the closing bracket
const S_STRING = 6; // inside a string or key: the StringReader's
const S_NUMBER = 7; // inside a number: the NumberReader's
const S_LITERAL = 8;
const S_DONE = 9; // the value is complete: only whitespace may follow
const S_FAILED = 10;

const OBJECT = 1;
const ARRAY = 2;

export class JsonTokenizer {
  // The fields' order matters: XS finds a private field by walking them in order, so the hot ones come
  // first and those added for filterKeys and the native loop last.
  readonly #handler: JsonHandler;
  readonly #text: JsonText;
  readonly #strings: JsonStringScanner;
  /** The TypeScript reader, which skips strings a 32-bit word at a time (ChunkWords); undefined with native kernels. */
  readonly #tsStrings: StringReader | undefined;
  readonly #numbers = new NumberReader();
  /** Open containers as bits (1 = object, 0 = array), bit d for depth d: no buffer needed for ≤ 32 levels. */
  #containers = 0;
  readonly #maxDepth: number;
  readonly #maxKeyUnits: number;
  /** The text buffer's size in code units. */
  readonly #capacity: number;
  #defaultLimit: number;
  #defaultReject: boolean;

  #state = S_VALUE;
  #depth = 0;
  /** Bytes consumed by earlier push() calls, and the offset of the token being handled. */
  #base = 0;
  #position = 0;
  #error: unknown = undefined;

  /** Limit for the next string value, set by the handler; taken (and reset) when a value starts. */
  #nextLimit: number;
  #nextReject: boolean;
  /** The limit taken by the value being read. */
  #limit = 0;
  #reject = false;
  #inKey = false;

  // The literal being read.
  #literalWord = "";
  #literalIndex = 0;

  /** The handler, or NO_EVENTS while the value of a filtered-out key is read. */
  #sink: JsonHandler;
  /** Keys of the object at this depth pass #filter or are skipped with their values; 0: no filter. */
  #filterDepth = 0;
  #filter: NameTable | undefined;
  /** The value of a filtered-out key of the object at this depth is being read; 0: none. */
  #skipDepth = 0;
  /** The native loop, when the kernels have one: then it holds the state, not the fields above. */
  readonly #scanner: JsonScanner | undefined;

  constructor(handler: JsonHandler, options: TokenizerOptions = {}) {
    const maxDepth = options.maxDepth ?? 32;
    const maxStringUnits = options.maxStringUnits ?? 512;
    this.#maxKeyUnits = options.maxKeyUnits ?? 64;
    if (maxDepth < 1 || maxDepth > 32 || maxStringUnits < 0 || this.#maxKeyUnits < 1) throw new RangeError("JsonTokenizer: invalid limits");
    this.#handler = handler;
    this.#sink = handler;
    this.#maxDepth = maxDepth;
    this.#capacity = Math.max(maxStringUnits, this.#maxKeyUnits);
    const text = new JsonText(this.#capacity, options.kernels);
    this.#text = text;
    if (options.kernels) {
      this.#tsStrings = undefined;
      this.#strings = options.kernels.createStringScanner(text);
    } else {
      const reader = new StringReader(text);
      this.#tsStrings = reader;
      this.#strings = reader;
    }
    this.#defaultLimit = this.#checkedLimit(options.defaultStringLimit ?? maxStringUnits);
    this.#defaultReject = (options.defaultOverflow ?? "reject") === "reject";
    this.#nextLimit = this.#defaultLimit;
    this.#nextReject = this.#defaultReject;
    const createScanner = options.kernels?.createScanner;
    this.#scanner = createScanner
      ? createScanner.call(options.kernels, text, { maxDepth, maxKeyUnits: this.#maxKeyUnits, defaultLimit: this.#defaultLimit, defaultReject: this.#defaultReject })
      : undefined;
  }

  /** Byte offset (from the first byte pushed since reset) of the token being handled. */
  get offset(): number {
    return this.#scanner ? this.#scanner.position : this.#position;
  }

  /** Objects and arrays open at this point. */
  get depth(): number {
    return this.#scanner ? this.#scanner.depth : this.#depth;
  }

  /** The most code units a string value can keep. */
  get stringCapacity(): number {
    return this.#capacity;
  }

  /** For the next value only: keep at most `units` code units of it if it is a string. */
  limitNextString(units: number, overflow: Overflow): void {
    this.#nextLimit = this.#checkedLimit(units);
    this.#nextReject = overflow === "reject";
    this.#scanner?.limitNext(units, this.#nextReject);
  }

  /** Changes the limit applied to string values the handler sets none for. */
  setDefaultStringLimit(units: number, overflow: Overflow): void {
    this.#defaultLimit = this.#checkedLimit(units);
    this.#defaultReject = overflow === "reject";
    this.#nextLimit = this.#defaultLimit;
    this.#nextReject = this.#defaultReject;
    this.#scanner?.setDefaultLimit(units, this.#defaultReject);
  }

  /**
   * Called by the handler from beginObject(): until that object closes, only its keys that are in
   * `table` reach the handler; the values of the others are read and checked (with the same errors)
   * but give no events at all, nested containers included. A consumer that ignores unknown keys
   * anyway sees the same records, sooner: with native kernels those values never leave C.
   */
  filterKeys(table: NameTable): void {
    if (this.#scanner) {
      this.#scanner.filterKeys(table.packed);
      return;
    }
    this.#filterDepth = this.#depth;
    this.#filter = table;
  }

  /** Forgets everything: ready for a new document. */
  reset(): void {
    this.#state = S_VALUE;
    this.#depth = 0;
    this.#base = 0;
    this.#position = 0;
    this.#error = undefined;
    this.#nextLimit = this.#defaultLimit;
    this.#nextReject = this.#defaultReject;
    this.#filterDepth = 0;
    this.#filter = undefined;
    this.#skipDepth = 0;
    this.#sink = this.#handler;
    this.#text.foundIn = undefined; // a handler that threw left it set
    this.#scanner?.reset();
  }

  push(chunk: Uint8Array): void {
    if (this.#state === S_FAILED) throw this.#error;
    try {
      if (this.#scanner) this.#scan(chunk, this.#scanner);
      else this.#consume(chunk);
    } catch (error) {
      this.#state = S_FAILED;
      this.#error = error;
      throw error;
    }
    this.#base += chunk.length;
  }

  /** The input is complete: finishes a top-level number, or throws "truncated" if the value is incomplete. */
  end(): void {
    if (this.#state === S_FAILED) throw this.#error;
    try {
      const at = this.#base;
      const scanner = this.#scanner;
      if (scanner) {
        while (scanner.end(at) === EVENT_NUMBER) this.#handler.number(scanner.number);
        return;
      }
      if (this.#state === S_NUMBER) {
        if (this.#numbers.complete) this.#endNumber(at);
      }
      if (this.#state !== S_DONE) throw truncatedError(this.#state === S_VALUE && this.#depth === 0, at);
    } catch (error) {
      this.#state = S_FAILED;
      this.#error = error;
      throw error;
    }
  }

  #checkedLimit(units: number): number {
    // Called for every kept field: the bound is a plain field, not the buffer's length getter.
    if (!(units >= 0 && units <= this.#capacity)) {
      throw new RangeError(`string limit ${units} outside 0..${this.#capacity} (the tokenizer's maxStringUnits)`);
    }
    return units;
  }

  /** The native loop: one call per event the handler sees (the scanner skips what it must not see). */
  #scan(chunk: Uint8Array, scanner: JsonScanner): void {
    const length = chunk.length;
    const base = this.#base;
    const handler = this.#handler;
    const text = this.#text;
    let i = 0;
    while (i < length) {
      const result = scanner.read(chunk, i, length, base);
      i = result >> 4;
      const event = result & 15;
      // Most frequent first: an if chain costs a comparison per branch passed.
      if (event === EVENT_KEY) handler.key(text);
      else if (event === EVENT_STRING) handler.string(text);
      else if (event === EVENT_NUMBER) handler.number(scanner.number);
      else if (event === EVENT_BEGIN_OBJECT) handler.beginObject();
      else if (event === EVENT_END_OBJECT) handler.endObject();
      else if (event === EVENT_TRUE) handler.boolean(true);
      else if (event === EVENT_FALSE) handler.boolean(false);
      else if (event === EVENT_NULL) handler.null();
      else if (event === EVENT_BEGIN_ARRAY) handler.beginArray();
      else if (event === EVENT_END_ARRAY) handler.endArray();
    }
  }

  #consume(chunk: Uint8Array): void {
    const length = chunk.length;
    // Worth its allocation only when long strings may be skipped.
    const tsStrings = this.#tsStrings;
    const words = length >= 64 && tsStrings ? new ChunkWords(chunk) : undefined;
    let i = 0;
    while (i < length) {
      const state = this.#state;
      if (state === S_STRING) {
        const strings = this.#strings;
        i = tsStrings ? tsStrings.scan(chunk, i, length, this.#base, words) : strings.scan(chunk, i, length, this.#base);
        // scan() stops before the chunk's end only after the closing quote.
        if (i < length || strings.complete) {
          this.#position = this.#base + i - 1;
          this.#endString();
        }
        continue;
      }
      const byte = chunk[i]!;
      if (state === S_NUMBER) {
        if (this.#numbers.take(byte, this.#base + i)) i++;
        else this.#endNumber(this.#base + i); // the byte that ended the number is read again below
        continue;
      }
      if (state === S_LITERAL) {
        this.#literalByte(byte, i);
        i++;
        continue;
      }
      if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) {
        i++;
        continue;
      }
      // An if chain, not a switch: XS 17 leaves a stack slot behind for every `continue` out of a
      // switch (a 25 KB chunk overflowed the stack), and these branches continue the loop.
      if (state === S_VALUE) {
        i = this.#beginValue(chunk, byte, i, length);
        continue;
      }
      if (state === S_ARRAY_FIRST) {
        if (byte !== 0x5d) {
          i = this.#beginValue(chunk, byte, i, length);
          continue;
        }
        this.#close(ARRAY, i);
      } else if (state === S_OBJECT_FIRST || state === S_KEY) {
        if (byte === 0x22) this.#beginString(true, i);
        else if (byte === 0x7d && state === S_OBJECT_FIRST) this.#close(OBJECT, i);
        else throw expectedKeyError(byte, this.#base + i);
      } else if (state === S_COLON) {
        if (byte !== 0x3a) throw expectedColonError(byte, this.#base + i);
        // The value mostly follows one space later: started here rather than a turn of the loop
        // later (each turn reads the state and the byte again, and XS pays for every read).
        let next = i + 1;
        let after = -1;
        while (next < length) {
          after = chunk[next]!;
          if (after !== 0x20) break;
          next++;
        }
        if (next < length && after !== 0x0a && after !== 0x0d && after !== 0x09) i = this.#beginValue(chunk, after, next, length);
        else {
          this.#state = S_VALUE;
          i = next;
        }
        continue;
      } else if (state === S_AFTER_VALUE) {
        if (byte === 0x2c) {
          // Likewise the next key or element.
          const inObject = ((this.#containers >>> (this.#depth - 1)) & 1) === 1;
          let next = i + 1;
          let after = -1;
          while (next < length) {
            after = chunk[next]!;
            if (after !== 0x20) break;
            next++;
          }
          if (next < length && inObject && after === 0x22) {
            this.#beginString(true, next);
            i = next + 1;
          } else if (next < length && !inObject && after !== 0x0a && after !== 0x0d && after !== 0x09) {
            i = this.#beginValue(chunk, after, next, length);
          } else {
            this.#state = inObject ? S_KEY : S_VALUE;
            i = next;
          }
          continue;
        } else if (byte === 0x7d) this.#close(OBJECT, i);
        else if (byte === 0x5d) this.#close(ARRAY, i);
        else throw expectedCommaError(byte, this.#base + i);
      } else {
        // S_DONE
        throw trailingError(byte, this.#base + i);
      }
      i++;
    }
  }

  /** The state after a value; ends the skipping of a filtered-out key's value (callers take #sink before). */
  #afterValueState(): number {
    const depth = this.#depth;
    if (depth === this.#skipDepth) {
      this.#skipDepth = 0;
      this.#sink = this.#handler;
    }
    return depth === 0 ? S_DONE : S_AFTER_VALUE;
  }

  /** Starts the value whose first byte is chunk[at]; returns where reading goes on. */
  #beginValue(chunk: Uint8Array, byte: number, at: number, length: number): number {
    this.#position = this.#base + at;
    this.#limit = this.#nextLimit;
    this.#reject = this.#nextReject;
    this.#nextLimit = this.#defaultLimit;
    this.#nextReject = this.#defaultReject;
    switch (byte) {
      case 0x7b: // {
        this.#open(OBJECT, at);
        this.#state = S_OBJECT_FIRST;
        this.#sink.beginObject();
        return at + 1;
      case 0x5b: // [
        this.#open(ARRAY, at);
        this.#state = S_ARRAY_FIRST;
        this.#sink.beginArray();
        return at + 1;
      case 0x22:
        this.#beginString(false, at);
        return at + 1;
      case 0x74:
        return this.#literal(chunk, at, length, "true");
      case 0x66:
        return this.#literal(chunk, at, length, "false");
      case 0x6e:
        return this.#literal(chunk, at, length, "null");
    }
    if (byte === 0x2d || (byte >= 0x30 && byte <= 0x39)) {
      const end = this.#wholeInteger(chunk, byte, at, length);
      if (end >= 0) return end;
      this.#numbers.begin();
      this.#numbers.take(byte, this.#base + at);
      this.#state = S_NUMBER;
      return at + 1;
    }
    throw expectedValueError(byte, this.#base + at);
  }

  /**
   * The common number, a short integer whose end is in this chunk, read at once: returns where it
   * ended, or -1 for any other number (a fraction, an exponent, a leading zero, more than 15 digits,
   * a malformed one, one that may go on in the next chunk), which the NumberReader then reads byte
   * by byte from its start, with its errors.
   */
  #wholeInteger(chunk: Uint8Array, byte: number, at: number, length: number): number {
    const negative = byte === 0x2d;
    const first = negative ? at + 1 : at;
    let i = first;
    let value = 0;
    let next = -1;
    while (i < length) {
      next = chunk[i]!;
      const digit = next - 0x30;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
      i++;
    }
    const digits = i - first;
    if (i >= length || digits === 0 || digits > 15 || next === 0x2e || next === 0x65 || next === 0x45) return -1;
    if (digits > 1 && (negative ? chunk[first] : byte) === 0x30) return -1;
    const sink = this.#sink;
    this.#state = this.#afterValueState();
    this.#position = this.#base + i;
    sink.number(negative ? -value : value);
    return i;
  }

  #open(kind: number, at: number): void {
    const depth = this.#depth;
    if (depth >= this.#maxDepth) throw depthError(this.#maxDepth, this.#base + at);
    this.#containers = kind === OBJECT ? this.#containers | (1 << depth) : this.#containers & ~(1 << depth);
    this.#depth = depth + 1;
  }

  #innermost(): number {
    return ((this.#containers >>> (this.#depth - 1)) & 1) === 1 ? OBJECT : ARRAY;
  }

  #close(kind: number, at: number): void {
    if (this.#innermost() !== kind) throw mismatchedCloseError(kind === OBJECT, this.#base + at);
    const depth = --this.#depth;
    if (depth < this.#filterDepth) this.#filterDepth = 0;
    this.#position = this.#base + at;
    const sink = this.#sink;
    this.#state = this.#afterValueState();
    if (kind === OBJECT) sink.endObject();
    else sink.endArray();
  }

  // ---- strings ----

  #beginString(isKey: boolean, at: number): void {
    this.#position = this.#base + at;
    this.#inKey = isKey;
    if (isKey) this.#strings.begin(this.#maxKeyUnits, false);
    else if (this.#skipDepth !== 0) this.#strings.begin(0, false); // a skipped value is never kept
    else this.#strings.begin(this.#limit, this.#reject);
    this.#state = S_STRING;
  }

  #endString(): void {
    const text = this.#text;
    const sink = this.#sink;
    if (!this.#inKey) {
      this.#state = this.#afterValueState();
      sink.string(text);
      return;
    }
    this.#state = S_COLON;
    const depth = this.#depth;
    if (depth !== this.#filterDepth || this.#skipDepth !== 0) {
      sink.key(text);
      return;
    }
    const filter = this.#filter!;
    const index = text.find(filter);
    if (index < 0) {
      // A key the handler does not want: its value is read without events.
      this.#skipDepth = depth;
      this.#sink = NO_EVENTS;
      return;
    }
    // The handler looks the key up in the same table, mostly: found at once during this call.
    text.foundIn = filter;
    text.foundAt = index;
    sink.key(text);
    text.foundIn = undefined;
  }

  #endNumber(offset: number): void {
    const value = this.#numbers.value(offset);
    const sink = this.#sink;
    this.#state = this.#afterValueState();
    this.#position = offset;
    sink.number(value);
  }

  // ---- literals ----

  /** true, false or null starting at chunk[at]: read at once when whole in this chunk, else byte by byte. */
  #literal(chunk: Uint8Array, at: number, length: number, word: string): number {
    const end = at + word.length;
    if (end <= length) {
      for (let i = at + 1; i < end; i++) {
        if (chunk[i] !== word.charCodeAt(i - at)) throw literalError(word, this.#base + i);
      }
      this.#endLiteral(word);
      return end;
    }
    this.#literalWord = word;
    this.#literalIndex = 1;
    this.#state = S_LITERAL;
    return at + 1;
  }

  #literalByte(byte: number, at: number): void {
    const word = this.#literalWord;
    if (byte !== word.charCodeAt(this.#literalIndex)) throw literalError(word, this.#base + at);
    if (++this.#literalIndex < word.length) return;
    this.#endLiteral(word);
  }

  #endLiteral(word: string): void {
    const sink = this.#sink;
    this.#state = this.#afterValueState();
    if (word === "null") sink.null();
    else sink.boolean(word === "true");
  }
}
