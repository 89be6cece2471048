// Push tokenizer for JSON (RFC 8259): bytes go in as they arrive, in slices of any size (one byte at
// a time works); events come out to a handler as each token completes. Nothing is ever grown:
//
// Memory (worst case, fixed at construction): a text buffer of max(maxStringUnits, maxKeyUnits)
// UTF-16 code units (2 bytes each; 1 KiB by default), a 40-byte number buffer, maxDepth bytes of
// container stack, and about 30 scalar fields. push() allocates nothing, except a short string for a
// number that is not a simple decimal (more than 15 significant digits or an exponent beyond ±22).
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

import { JsonError } from "./errors.js";
import { JsonText } from "./text.js";

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
  /** Deepest nesting of objects and arrays accepted (default 32). */
  maxDepth?: number;
  /** Longest string value that can be kept, in UTF-16 code units (default 512): the buffer size. */
  maxStringUnits?: number;
  /** Key characters kept; longer keys arrive truncated (default 64). */
  maxKeyUnits?: number;
  /** Limit for string values the handler did not set one for (default maxStringUnits). */
  defaultStringLimit?: number;
  /** What happens beyond the default limit (default "reject"). */
  defaultOverflow?: Overflow;
}

const MAX_NUMBER_LENGTH = 40;
const REPLACEMENT_CHARACTER = 0xfffd;

// Where the tokenizer is. The string states are contiguous (S_STRING..S_AFTER_HIGH).
const S_VALUE = 0; // a value must come (top level, after ':', after ',' in an array)
const S_ARRAY_FIRST = 1; // after '[': a value or ']'
const S_OBJECT_FIRST = 2; // after '{': a key or '}'
const S_KEY = 3; // after ',' in an object
const S_COLON = 4;
const S_AFTER_VALUE = 5; // ',' or the closing bracket
const S_STRING = 6;
const S_ESCAPE = 7; // after '\'
const S_UNICODE = 8; // inside \uXXXX
const S_UTF8 = 9; // inside a multi-byte UTF-8 sequence
const S_AFTER_HIGH = 10; // a \u high surrogate was read: a \u low one may follow
const S_NUMBER = 11;
const S_LITERAL = 12;
const S_DONE = 13; // the value is complete: only whitespace may follow
const S_FAILED = 14;

const OBJECT = 1;
const ARRAY = 2;

// Stages of a number, after the JSON grammar.
const N_START = 0;
const N_MINUS = 1;
const N_ZERO = 2; // integer part is "0": no more digits allowed
const N_INT = 3;
const N_DOT = 4;
const N_FRACTION = 5;
const N_EXPONENT = 6; // after e/E
const N_EXPONENT_SIGN = 7;
const N_EXPONENT_DIGITS = 8;

// Powers of ten that are exact doubles: a mantissa below 2^53 times or divided by one of them is
// correctly rounded in a single operation (the classic fast path), so no string is needed.
const EXACT_POWERS_OF_TEN = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_EXACT_DIGITS = 15;

function escapedUnit(byte: number): number {
  switch (byte) {
    case 0x22: return 0x22; // "
    case 0x5c: return 0x5c; // \
    case 0x2f: return 0x2f; // /
    case 0x62: return 0x08; // b
    case 0x66: return 0x0c; // f
    case 0x6e: return 0x0a; // n
    case 0x72: return 0x0d; // r
    case 0x74: return 0x09; // t
    default: return -1;
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x57;
  return -1;
}

/** The value of four hex digits at chunk[at..at+3], or -1 if one is not a hex digit. */
function hexQuad(chunk: Uint8Array, at: number): number {
  const a = hexValue(chunk[at]!);
  const b = hexValue(chunk[at + 1]!);
  const c = hexValue(chunk[at + 2]!);
  const d = hexValue(chunk[at + 3]!);
  return (a | b | c | d) < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

function describe(byte: number): string {
  return byte >= 0x21 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `byte 0x${byte.toString(16).padStart(2, "0")}`;
}

export class JsonTokenizer {
  readonly #handler: JsonHandler;
  readonly #text: JsonText;
  /** The container stack (maxDepth bytes) followed by the number being read (40 bytes): one allocation. */
  readonly #bytes: Uint8Array;
  readonly #maxDepth: number;
  readonly #maxKeyUnits: number;
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

  // The string being read.
  #inKey = false;
  #limit = 0;
  #reject = false;
  #pendingHigh = 0;
  #hex = 0;
  #hexDigits = 0;
  #utf8Needed = 0;
  #utf8Code = 0;
  #utf8Low = 0x80;
  #utf8High = 0xbf;

  // The number being read.
  #numberLength = 0;
  #numberStage = N_START;
  #negative = false;
  #mantissa = 0;
  #significantDigits = 0;
  #fractionDigits = 0;
  #exponent = 0;
  #exponentNegative = false;

  // The literal being read.
  #literal = "";
  #literalIndex = 0;

  constructor(handler: JsonHandler, options: TokenizerOptions = {}) {
    const maxDepth = options.maxDepth ?? 32;
    const maxStringUnits = options.maxStringUnits ?? 512;
    this.#maxKeyUnits = options.maxKeyUnits ?? 64;
    if (maxDepth < 1 || maxStringUnits < 0 || this.#maxKeyUnits < 1) throw new RangeError("JsonTokenizer: invalid limits");
    this.#handler = handler;
    this.#maxDepth = maxDepth;
    this.#bytes = new Uint8Array(maxDepth + MAX_NUMBER_LENGTH);
    this.#text = new JsonText(Math.max(maxStringUnits, this.#maxKeyUnits));
    this.#defaultLimit = this.#checkedLimit(options.defaultStringLimit ?? maxStringUnits);
    this.#defaultReject = (options.defaultOverflow ?? "reject") === "reject";
    this.#nextLimit = this.#defaultLimit;
    this.#nextReject = this.#defaultReject;
  }

  /** Byte offset (from the first byte pushed since reset) of the token being handled. */
  get offset(): number {
    return this.#position;
  }

  /** Objects and arrays open at this point. */
  get depth(): number {
    return this.#depth;
  }

  /** The most code units a string value can keep. */
  get stringCapacity(): number {
    return this.#text.capacity;
  }

  /** For the next value only: keep at most `units` code units of it if it is a string. */
  limitNextString(units: number, overflow: Overflow): void {
    this.#nextLimit = this.#checkedLimit(units);
    this.#nextReject = overflow === "reject";
  }

  /** Changes the limit applied to string values the handler sets none for. */
  setDefaultStringLimit(units: number, overflow: Overflow): void {
    this.#defaultLimit = this.#checkedLimit(units);
    this.#defaultReject = overflow === "reject";
    this.#nextLimit = this.#defaultLimit;
    this.#nextReject = this.#defaultReject;
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
  }

  push(chunk: Uint8Array): void {
    if (this.#state === S_FAILED) throw this.#error;
    try {
      this.#consume(chunk);
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
      if (this.#state === S_NUMBER) {
        const stage = this.#numberStage;
        if (stage === N_ZERO || stage === N_INT || stage === N_FRACTION || stage === N_EXPONENT_DIGITS) this.#endNumber(at);
      }
      if (this.#state !== S_DONE) {
        const where = this.#state === S_VALUE && this.#depth === 0 ? "no JSON value in the input" : "the input ended inside a value";
        throw new JsonError("truncated", where, at);
      }
    } catch (error) {
      this.#state = S_FAILED;
      this.#error = error;
      throw error;
    }
  }

  #checkedLimit(units: number): number {
    if (!(units >= 0 && units <= this.#text.capacity)) {
      throw new RangeError(`string limit ${units} outside 0..${this.#text.capacity} (the tokenizer's maxStringUnits)`);
    }
    return units;
  }

  #syntax(at: number, message: string): JsonError {
    return new JsonError("syntax", message, this.#base + at);
  }

  #consume(chunk: Uint8Array): void {
    const length = chunk.length;
    let i = 0;
    while (i < length) {
      const state = this.#state;
      if (state >= S_STRING && state <= S_AFTER_HIGH) {
        i = this.#scanString(chunk, i, length);
        continue;
      }
      const byte = chunk[i]!;
      if (state === S_NUMBER) {
        if (this.#numberByte(byte, i)) i++;
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
      switch (state) {
        case S_VALUE:
          this.#beginValue(byte, i);
          break;
        case S_ARRAY_FIRST:
          if (byte === 0x5d) this.#close(ARRAY, i);
          else this.#beginValue(byte, i);
          break;
        case S_OBJECT_FIRST:
        case S_KEY:
          if (byte === 0x22) this.#beginString(true, i);
          else if (byte === 0x7d && state === S_OBJECT_FIRST) this.#close(OBJECT, i);
          else throw this.#syntax(i, `expected a key, found ${describe(byte)}`);
          break;
        case S_COLON:
          if (byte !== 0x3a) throw this.#syntax(i, `expected ':', found ${describe(byte)}`);
          this.#state = S_VALUE;
          break;
        case S_AFTER_VALUE:
          if (byte === 0x2c) this.#state = this.#bytes[this.#depth - 1] === OBJECT ? S_KEY : S_VALUE;
          else if (byte === 0x7d) this.#close(OBJECT, i);
          else if (byte === 0x5d) this.#close(ARRAY, i);
          else throw this.#syntax(i, `expected ',' or a closing bracket, found ${describe(byte)}`);
          break;
        default: // S_DONE
          throw this.#syntax(i, `unexpected ${describe(byte)} after the JSON value`);
      }
      i++;
    }
  }

  #afterValueState(): number {
    return this.#depth === 0 ? S_DONE : S_AFTER_VALUE;
  }

  #beginValue(byte: number, at: number): void {
    this.#position = this.#base + at;
    this.#limit = this.#nextLimit;
    this.#reject = this.#nextReject;
    this.#nextLimit = this.#defaultLimit;
    this.#nextReject = this.#defaultReject;
    switch (byte) {
      case 0x7b: // {
        this.#open(OBJECT, at);
        this.#state = S_OBJECT_FIRST;
        this.#handler.beginObject();
        return;
      case 0x5b: // [
        this.#open(ARRAY, at);
        this.#state = S_ARRAY_FIRST;
        this.#handler.beginArray();
        return;
      case 0x22:
        this.#beginString(false, at);
        return;
      case 0x74:
        this.#beginLiteral("true");
        return;
      case 0x66:
        this.#beginLiteral("false");
        return;
      case 0x6e:
        this.#beginLiteral("null");
        return;
    }
    if (byte === 0x2d || (byte >= 0x30 && byte <= 0x39)) {
      this.#numberLength = 0;
      this.#numberStage = N_START;
      this.#negative = false;
      this.#mantissa = 0;
      this.#significantDigits = 0;
      this.#fractionDigits = 0;
      this.#exponent = 0;
      this.#exponentNegative = false;
      this.#state = S_NUMBER;
      this.#numberByte(byte, at);
      return;
    }
    throw this.#syntax(at, `expected a value, found ${describe(byte)}`);
  }

  #open(kind: number, at: number): void {
    if (this.#depth >= this.#maxDepth) {
      throw new JsonError("depth", `nesting deeper than ${this.#maxDepth} levels`, this.#base + at);
    }
    this.#bytes[this.#depth++] = kind;
  }

  #close(kind: number, at: number): void {
    if (this.#bytes[this.#depth - 1] !== kind) {
      throw this.#syntax(at, kind === OBJECT ? "'}' closes an array" : "']' closes an object");
    }
    this.#depth--;
    this.#position = this.#base + at;
    this.#state = this.#afterValueState();
    if (kind === OBJECT) this.#handler.endObject();
    else this.#handler.endArray();
  }

  // ---- strings ----

  #beginString(isKey: boolean, at: number): void {
    this.#position = this.#base + at;
    this.#inKey = isKey;
    if (isKey) {
      this.#limit = this.#maxKeyUnits;
      this.#reject = false;
    }
    this.#text.length = 0;
    this.#text.truncated = false;
    this.#pendingHigh = 0;
    this.#state = S_STRING;
  }

  #endString(): void {
    const text = this.#text;
    if (this.#inKey) {
      this.#state = S_COLON;
      this.#handler.key(text);
    } else {
      this.#state = this.#afterValueState();
      this.#handler.string(text);
    }
  }

  #overflow(at: number): void {
    if (this.#reject) throw new JsonError("too_long", `string longer than ${this.#limit} characters`, this.#base + at);
    this.#text.truncated = true;
    this.#limit = this.#text.length; // nothing after the cut may be appended
  }

  #appendUnit(unit: number, at: number): void {
    const text = this.#text;
    if (text.length < this.#limit) text.units[text.length++] = unit;
    else this.#overflow(at);
  }

  #appendCodePoint(code: number, at: number): void {
    if (code < 0x10000) {
      this.#appendUnit(code, at);
      return;
    }
    const text = this.#text;
    if (text.length + 2 <= this.#limit) {
      code -= 0x10000;
      text.units[text.length++] = 0xd800 + (code >> 10);
      text.units[text.length++] = 0xdc00 + (code & 0x3ff);
    } else this.#overflow(at);
  }

  /** A complete \uXXXX: pairs surrogates, replaces lone ones. Returns the next string state. */
  #unicodeEscape(unit: number, at: number): number {
    const high = this.#pendingHigh;
    this.#pendingHigh = 0;
    if (high !== 0) {
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        this.#appendCodePoint(0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00), at);
        return S_STRING;
      }
      this.#appendUnit(REPLACEMENT_CHARACTER, at);
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
      this.#pendingHigh = unit;
      return S_AFTER_HIGH;
    }
    this.#appendUnit(unit >= 0xdc00 && unit <= 0xdfff ? REPLACEMENT_CHARACTER : unit, at);
    return S_STRING;
  }

  /** Reads string bytes from `i`; returns where it stopped (the end of the chunk or after the closing quote). */
  #scanString(chunk: Uint8Array, i: number, length: number): number {
    const text = this.#text;
    const units = text.units;
    let state = this.#state;
    // Locals for the hot ASCII path; written back before anything else touches the text.
    let count = text.length;
    let limit = this.#limit;
    while (i < length) {
      const byte = chunk[i]!;
      if (state === S_STRING) {
        if (byte >= 0x20 && byte < 0x80 && byte !== 0x22 && byte !== 0x5c) {
          // A run of plain ASCII, the bulk of any reply: kept while there is room, then skipped.
          if (count >= limit) {
            if (this.#reject) {
              text.length = count;
              this.#overflow(i);
            }
            text.truncated = true;
            for (i++; i < length; i++) {
              const next = chunk[i]!;
              if (next < 0x20 || next >= 0x80 || next === 0x22 || next === 0x5c) break;
            }
            continue;
          }
          units[count++] = byte;
          for (i++; i < length && count < limit; i++) {
            const next = chunk[i]!;
            if (next < 0x20 || next >= 0x80 || next === 0x22 || next === 0x5c) break;
            units[count++] = next;
          }
          continue;
        }
        text.length = count;
        if (byte === 0x22) {
          this.#position = this.#base + i;
          this.#endString();
          return i + 1;
        }
        if (byte === 0x5c) state = S_ESCAPE;
        else if (byte < 0x20) throw this.#syntax(i, `control character 0x${byte.toString(16).padStart(2, "0")} in a string`);
        else if (byte >= 0xc2 && byte <= 0xdf) {
          this.#utf8Needed = 1;
          this.#utf8Code = byte & 0x1f;
          this.#utf8Low = 0x80;
          this.#utf8High = 0xbf;
          state = S_UTF8;
        } else if (byte >= 0xe0 && byte <= 0xef) {
          this.#utf8Needed = 2;
          this.#utf8Code = byte & 0x0f;
          this.#utf8Low = byte === 0xe0 ? 0xa0 : 0x80; // below: overlong
          this.#utf8High = byte === 0xed ? 0x9f : 0xbf; // above: a surrogate
          state = S_UTF8;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          this.#utf8Needed = 3;
          this.#utf8Code = byte & 0x07;
          this.#utf8Low = byte === 0xf0 ? 0x90 : 0x80; // below: overlong
          this.#utf8High = byte === 0xf4 ? 0x8f : 0xbf; // above: beyond U+10FFFF
          state = S_UTF8;
        } else {
          throw new JsonError("utf8", `invalid UTF-8 lead byte 0x${byte.toString(16)}`, this.#base + i);
        }
        i++;
        continue;
      }
      text.length = count;
      if (state === S_UTF8) {
        if (byte < this.#utf8Low || byte > this.#utf8High) {
          throw new JsonError("utf8", `invalid UTF-8 continuation byte 0x${byte.toString(16)}`, this.#base + i);
        }
        this.#utf8Code = (this.#utf8Code << 6) | (byte & 0x3f);
        this.#utf8Low = 0x80;
        this.#utf8High = 0xbf;
        if (--this.#utf8Needed === 0) {
          this.#appendCodePoint(this.#utf8Code, i);
          state = S_STRING;
        }
        i++;
      } else if (state === S_ESCAPE) {
        if (byte === 0x75) {
          // The common case, \uXXXX whole in this chunk, is read at once; otherwise digit by digit.
          const unit = i + 4 < length ? hexQuad(chunk, i + 1) : -1;
          if (unit >= 0) {
            state = this.#unicodeEscape(unit, i + 4);
            i += 5;
            count = text.length;
            limit = this.#limit;
            continue;
          }
          this.#hex = 0;
          this.#hexDigits = 0;
          state = S_UNICODE;
        } else {
          const unit = escapedUnit(byte);
          if (unit < 0) throw this.#syntax(i, `invalid escape \\${String.fromCharCode(byte)}`);
          if (this.#pendingHigh !== 0) {
            this.#pendingHigh = 0;
            this.#appendUnit(REPLACEMENT_CHARACTER, i);
          }
          this.#appendUnit(unit, i);
          state = S_STRING;
        }
        i++;
      } else if (state === S_UNICODE) {
        const digit = hexValue(byte);
        if (digit < 0) throw this.#syntax(i, `invalid \\u escape: ${describe(byte)} is not a hex digit`);
        this.#hex = (this.#hex << 4) | digit;
        if (++this.#hexDigits === 4) state = this.#unicodeEscape(this.#hex, i);
        i++;
      } else {
        // S_AFTER_HIGH: only "\u" + a low surrogate completes the pair; anything else leaves the high one alone.
        if (byte === 0x5c) {
          state = S_ESCAPE;
          i++;
        } else {
          this.#pendingHigh = 0;
          this.#appendUnit(REPLACEMENT_CHARACTER, i);
          state = S_STRING; // the byte is read again as string content
        }
      }
      count = text.length;
      limit = this.#limit;
    }
    text.length = count;
    this.#state = state;
    return i;
  }

  // ---- numbers ----

  /** Takes one byte of the number; false when the byte is not part of it (the number is complete). */
  #numberByte(byte: number, at: number): boolean {
    const digit = byte - 0x30;
    const isDigit = digit >= 0 && digit <= 9;
    switch (this.#numberStage) {
      case N_START:
        if (byte === 0x2d) {
          this.#negative = true;
          this.#numberStage = N_MINUS;
        } else {
          this.#numberStage = digit === 0 ? N_ZERO : N_INT;
          this.#addDigit(digit);
        }
        break;
      case N_MINUS:
        if (!isDigit) throw this.#syntax(at, "malformed number: '-' without digits");
        this.#numberStage = digit === 0 ? N_ZERO : N_INT;
        this.#addDigit(digit);
        break;
      case N_ZERO:
      case N_INT:
        if (isDigit) {
          if (this.#numberStage === N_ZERO) throw this.#syntax(at, "malformed number: leading zero");
          this.#addDigit(digit);
        } else if (byte === 0x2e) this.#numberStage = N_DOT;
        else if (byte === 0x65 || byte === 0x45) this.#numberStage = N_EXPONENT;
        else return false;
        break;
      case N_DOT:
      case N_FRACTION:
        if (isDigit) {
          this.#numberStage = N_FRACTION;
          this.#fractionDigits++;
          this.#addDigit(digit);
        } else if (this.#numberStage === N_DOT) throw this.#syntax(at, "malformed number: no digit after '.'");
        else if (byte === 0x65 || byte === 0x45) this.#numberStage = N_EXPONENT;
        else return false;
        break;
      case N_EXPONENT:
      case N_EXPONENT_SIGN:
      case N_EXPONENT_DIGITS:
        if (isDigit) {
          this.#numberStage = N_EXPONENT_DIGITS;
          if (this.#exponent < 100000) this.#exponent = this.#exponent * 10 + digit;
        } else if (this.#numberStage === N_EXPONENT && (byte === 0x2b || byte === 0x2d)) {
          this.#exponentNegative = byte === 0x2d;
          this.#numberStage = N_EXPONENT_SIGN;
        } else if (this.#numberStage !== N_EXPONENT_DIGITS) throw this.#syntax(at, "malformed number: no digit in the exponent");
        else return false;
        break;
    }
    if (this.#numberLength >= MAX_NUMBER_LENGTH) {
      throw new JsonError("too_long", `number longer than ${MAX_NUMBER_LENGTH} characters`, this.#base + at);
    }
    this.#bytes[this.#maxDepth + this.#numberLength++] = byte;
    return true;
  }

  #addDigit(digit: number): void {
    if (this.#mantissa === 0 && digit === 0) return; // leading zeros are not significant
    this.#significantDigits++;
    if (this.#significantDigits <= MAX_EXACT_DIGITS) this.#mantissa = this.#mantissa * 10 + digit;
  }

  #endNumber(offset: number): void {
    const stage = this.#numberStage;
    if (stage !== N_ZERO && stage !== N_INT && stage !== N_FRACTION && stage !== N_EXPONENT_DIGITS) {
      throw new JsonError("syntax", "malformed number", offset);
    }
    const power = (this.#exponentNegative ? -this.#exponent : this.#exponent) - this.#fractionDigits;
    let value: number;
    if (this.#significantDigits <= MAX_EXACT_DIGITS && power >= -22 && power <= 22) {
      value = power >= 0 ? this.#mantissa * EXACT_POWERS_OF_TEN[power]! : this.#mantissa / EXACT_POWERS_OF_TEN[-power]!;
      if (this.#negative) value = -value;
    } else {
      // Rare: let the engine round it. The text is valid JSON number syntax, which Number() accepts.
      const text = this.#bytes.subarray(this.#maxDepth, this.#maxDepth + this.#numberLength);
      value = Number(String.fromCharCode.apply(null, text as unknown as number[]));
    }
    this.#state = this.#afterValueState();
    this.#position = offset;
    this.#handler.number(value);
  }

  // ---- literals ----

  #beginLiteral(word: string): void {
    this.#literal = word;
    this.#literalIndex = 1;
    this.#state = S_LITERAL;
  }

  #literalByte(byte: number, at: number): void {
    const word = this.#literal;
    if (byte !== word.charCodeAt(this.#literalIndex)) throw this.#syntax(at, `invalid literal (expected '${word}')`);
    if (++this.#literalIndex < word.length) return;
    this.#state = this.#afterValueState();
    if (word === "null") this.#handler.null();
    else this.#handler.boolean(word === "true");
  }
}
