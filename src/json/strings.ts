// Reads the inside of a JSON string for the tokenizer, byte by byte in any slicing: escapes,
// \uXXXX with surrogate pairing (a lone surrogate becomes U+FFFD), strict UTF-8, and the limit the
// consumer chose (keep up to `limit` code units, then truncate or reject).
//
// Memory: the JsonText buffer (capacity × 2 bytes) and a dozen scalars; scanning allocates nothing
// but a subarray view when it copies a long plain run into the buffer (one native call instead of a
// typed-array read and write per byte).

import type { JsonKernels, JsonStringScanner, JsonStringText } from "../ports.js";
import { JsonError } from "./errors.js";
import { findPackedName } from "./text.js";

const REPLACEMENT_CHARACTER = 0xfffd;

const S_STRING = 0;
const S_ESCAPE = 1; // after '\'
const S_UNICODE = 2; // inside \uXXXX, digit by digit (when it straddles chunks)
const S_UTF8 = 3; // inside a multi-byte UTF-8 sequence
const S_AFTER_HIGH = 4; // a \u high surrogate was read: a \u low one may follow
const S_COMPLETE = 5; // the closing quote was read

// Byte tables (768 bytes, built once at load and only read after): one lookup per byte instead of a
// chain of comparisons, about 10 % fewer instructions in XS, where each comparison is a step of the
// interpreter and each typed-array read a native call.
/** Bytes that can be taken as they are inside a string: printable ASCII but '"' and '\\'. */
const PLAIN = 1;
const PLAIN_BYTES = plainBytes();
/** The code unit of each short escape (\n → 0x0a), 0 for a byte that is not one ('u' is not). */
const SHORT_ESCAPES = shortEscapes();
/** The value of each hex digit, -1 for other bytes (so that OR-ing four lookups is negative if one is not a digit). */
const HEX_VALUES = hexValues();

function plainBytes(): Uint8Array {
  const table = new Uint8Array(256);
  for (let byte = 0x20; byte < 0x80; byte++) if (byte !== 0x22 && byte !== 0x5c) table[byte] = PLAIN;
  return table;
}

function shortEscapes(): Uint8Array {
  const table = new Uint8Array(256);
  table[0x22] = 0x22; // "
  table[0x5c] = 0x5c; // \
  table[0x2f] = 0x2f; // /
  table[0x62] = 0x08; // b
  table[0x66] = 0x0c; // f
  table[0x6e] = 0x0a; // n
  table[0x72] = 0x0d; // r
  table[0x74] = 0x09; // t
  return table;
}

function hexValues(): Int8Array {
  const table = new Int8Array(256).fill(-1);
  for (let digit = 0; digit < 10; digit++) table[0x30 + digit] = digit;
  for (let digit = 0; digit < 6; digit++) table[0x41 + digit] = table[0x61 + digit] = 10 + digit;
  return table;
}

/** The value of four hex digits at chunk[at..at+3], or -1 if one is not a hex digit. */
function hexQuad(chunk: Uint8Array, at: number): number {
  const a = HEX_VALUES[chunk[at]!]!;
  const b = HEX_VALUES[chunk[at + 1]!]!;
  const c = HEX_VALUES[chunk[at + 2]!]!;
  const d = HEX_VALUES[chunk[at + 3]!]!;
  return (a | b | c | d) < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

// Four bytes at once: a word holds a byte that is not plain (see PLAIN_BYTES) when one is ≥ 0x80, below
// 0x20, '"' or '\\'. Each test is the classic "has a byte less than n" bit trick, exact for the word
// as a whole (whatever the byte order); integers are signed 32-bit, as XS keeps them.
const HIGH_BITS = 0x80808080 | 0;
const ONES = 0x01010101;
const SPACES = 0x20202020;
const QUOTES = 0x22222222;
const BACKSLASHES = 0x5c5c5c5c;

/**
 * The chunk being read, seen as 32-bit words where it is 4-byte aligned: one typed-array read tests
 * four bytes, where XS pays for every read (a native call). Made per chunk by the tokenizer.
 */
export class ChunkWords {
  readonly words: Int32Array;
  /** chunk[skew + 4w .. skew + 4w + 3] is words[w]. */
  readonly skew: number;

  constructor(chunk: Uint8Array) {
    this.skew = (4 - (chunk.byteOffset & 3)) & 3;
    this.words = new Int32Array(chunk.buffer, chunk.byteOffset + this.skew, (chunk.length - this.skew) >> 2);
  }
}

export function describeByte(byte: number): string {
  return byte >= 0x21 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `byte 0x${byte.toString(16).padStart(2, "0")}`;
}

/** The messages of the errors a string can raise: shared with the native scanner (hosts/moddable/native-json.ts). */
export function controlCharacterError(byte: number, offset: number): JsonError {
  return new JsonError("syntax", `control character 0x${byte.toString(16).padStart(2, "0")} in a string`, offset);
}
export function utf8LeadError(byte: number, offset: number): JsonError {
  return new JsonError("utf8", `invalid UTF-8 lead byte 0x${byte.toString(16)}`, offset);
}
export function utf8ContinuationError(byte: number, offset: number): JsonError {
  return new JsonError("utf8", `invalid UTF-8 continuation byte 0x${byte.toString(16)}`, offset);
}
export function escapeError(byte: number, offset: number): JsonError {
  return new JsonError("syntax", `invalid escape \\${String.fromCharCode(byte)}`, offset);
}
export function hexDigitError(byte: number, offset: number): JsonError {
  return new JsonError("syntax", `invalid \\u escape: ${describeByte(byte)} is not a hex digit`, offset);
}
export function stringTooLongError(limit: number, offset: number): JsonError {
  return new JsonError("too_long", `string longer than ${limit} characters`, offset);
}

export class StringReader implements JsonStringScanner {
  readonly text: JsonStringText;
  #state = S_COMPLETE;
  #limit = 0;
  #reject = false;
  #base = 0;
  #pendingHigh = 0;
  #hex = 0;
  #hexDigits = 0;
  #utf8Needed = 0;
  #utf8Code = 0;
  #utf8Low = 0x80;
  #utf8High = 0xbf;

  constructor(text: JsonStringText) {
    this.text = text;
  }

  /** True once the closing quote has been read. */
  get complete(): boolean {
    return this.#state === S_COMPLETE;
  }

  /** Starts a string (after its opening quote), keeping at most `limit` code units. */
  begin(limit: number, reject: boolean): void {
    this.text.length = 0;
    this.text.truncated = false;
    this.#limit = limit;
    this.#reject = reject;
    this.#pendingHigh = 0;
    this.#state = S_STRING;
  }

  #overflow(at: number): void {
    if (this.#reject) throw stringTooLongError(this.#limit, this.#base + at);
    this.text.truncated = true;
    this.#limit = this.text.length; // nothing after the cut may be appended
  }

  #appendUnit(unit: number, at: number): void {
    const text = this.text;
    if (text.length < this.#limit) text.units[text.length++] = unit;
    else this.#overflow(at);
  }

  #appendCodePoint(code: number, at: number): void {
    if (code < 0x10000) {
      this.#appendUnit(code, at);
      return;
    }
    const text = this.text;
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

  /**
   * Reads string bytes from chunk[i] on (`base` is the stream offset of chunk[0]); returns where it
   * stopped: the end of the chunk, or just after the closing quote (then `complete` is true).
   */
  scan(chunk: Uint8Array, i: number, length: number, base: number, words?: ChunkWords): number {
    this.#base = base;
    const text = this.text;
    const units = text.units;
    let state = this.#state;
    // Locals for the hot ASCII path; written back before anything else touches the text.
    let count = text.length;
    let limit = this.#limit;
    const wordView = words?.words;
    const skew = words ? words.skew : 0;
    while (i < length) {
      if (state === S_STRING) {
        if (count >= limit && !this.#reject) {
          // Past the limit (a string nobody keeps, or the rest of a truncated one): the bytes are only
          // checked, and the common ones (plain ASCII, escapes whole in this chunk) without leaving this loop.
          const start = i;
          const wordEnd = (length - skew) >> 2;
          while (i < length) {
            const byte = chunk[i]!;
            if (PLAIN_BYTES[byte] === PLAIN) {
              i++;
              if (wordView !== undefined && ((i - skew) & 3) === 0) {
                // Aligned: on word by word while no byte of a word needs a look (inline: a call costs more than a word).
                let w = (i - skew) >> 2;
                while (w < wordEnd) {
                  const word = wordView[w]!;
                  const quotes = word ^ QUOTES;
                  const backslashes = word ^ BACKSLASHES;
                  if (((word | ((word - SPACES) & ~word) | ((quotes - ONES) & ~quotes) | ((backslashes - ONES) & ~backslashes)) & HIGH_BITS) !== 0) break;
                  w++;
                }
                i = skew + (w << 2);
              }
              continue;
            }
            if (byte !== 0x5c || i + 1 >= length) break;
            const escaped = chunk[i + 1]!;
            if (escaped === 0x75) {
              if (i + 5 >= length || (HEX_VALUES[chunk[i + 2]!]! | HEX_VALUES[chunk[i + 3]!]! | HEX_VALUES[chunk[i + 4]!]! | HEX_VALUES[chunk[i + 5]!]!) < 0) break;
              i += 6;
            } else if (SHORT_ESCAPES[escaped] !== 0) i += 2;
            else break;
          }
          // Everything skipped stood for at least one code unit beyond the limit.
          if (i > start) text.truncated = true;
          if (i >= length) break;
          // The byte at i: the closing quote, or one for the byte-by-byte path below.
        } else if (PLAIN_BYTES[chunk[i]!] === PLAIN) {
          // A run of plain ASCII, the bulk of any kept string: found (a word at a time where aligned),
          // then copied by one native call when it is long enough to pay for it.
          if (count >= limit) {
            text.length = count;
            this.#overflow(i); // reject: throws
          }
          const start = i;
          const stop = length - i < limit - count ? length : i + (limit - count);
          for (i++; i < stop; i++) {
            if (wordView !== undefined && ((i - skew) & 3) === 0) {
              let w = (i - skew) >> 2;
              const last = (stop - skew) >> 2;
              while (w < last) {
                const word = wordView[w]!;
                const quotes = word ^ QUOTES;
                const backslashes = word ^ BACKSLASHES;
                if (((word | ((word - SPACES) & ~word) | ((quotes - ONES) & ~quotes) | ((backslashes - ONES) & ~backslashes)) & HIGH_BITS) !== 0) break;
                w++;
              }
              i = skew + (w << 2);
              if (i >= stop) break;
            }
            if (PLAIN_BYTES[chunk[i]!] !== PLAIN) break;
          }
          if (i - start > 8) units.set(chunk.subarray(start, i), count);
          else for (let at = start; at < i; at++) units[count + at - start] = chunk[at]!;
          count += i - start;
          continue;
        }
        const byte = chunk[i]!;
        text.length = count;
        if (byte === 0x22) {
          this.#state = S_COMPLETE;
          return i + 1;
        }
        if (byte === 0x5c) state = S_ESCAPE;
        else if (byte < 0x20) throw controlCharacterError(byte, this.#base + i);
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
          throw utf8LeadError(byte, this.#base + i);
        }
        i++;
        continue;
      }
      text.length = count;
      const byte = chunk[i]!;
      if (state === S_UTF8) {
        if (byte < this.#utf8Low || byte > this.#utf8High) {
          throw utf8ContinuationError(byte, this.#base + i);
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
          const unit = SHORT_ESCAPES[byte]!;
          if (unit === 0) throw escapeError(byte, this.#base + i);
          if (this.#pendingHigh !== 0) {
            this.#pendingHigh = 0;
            this.#appendUnit(REPLACEMENT_CHARACTER, i);
          }
          this.#appendUnit(unit, i);
          state = S_STRING;
        }
        i++;
      } else if (state === S_UNICODE) {
        const digit = HEX_VALUES[byte]!;
        if (digit < 0) throw hexDigitError(byte, this.#base + i);
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

}

/** The TypeScript twin of the native JSON kernels: the default, and the oracle they are tested against. */
export const tsJsonKernels: JsonKernels = Object.freeze({
  createStringScanner(text: JsonStringText): JsonStringScanner {
    return new StringReader(text);
  },
  findName: findPackedName,
});
