// UTF-8 encoding and strict decoding without TextEncoder/TextDecoder (absent from a Moddable app).
// Memory: encoding allocates only the result; a Utf8Decoder owns a buffer of DECODE_CHUNK code units
// (128 bytes) and builds each string a chunk at a time. Nothing is shared between callers: a module
// preloaded into a Moddable app has its module-level buffers in read-only flash.

/** Bytes that are not well-formed UTF-8, or a string that cannot be encoded (lone surrogate). */
export class Utf8Error extends Error {
  // A field, not `this.name = ...`: in a Moddable app Error.prototype is frozen, and assigning a
  // property that a frozen prototype holds throws ("set name: not writable").
  override readonly name = "Utf8Error";
  /** What exactly was wrong, e.g. "overlong 2-byte sequence at byte 4". */
  readonly reason: string;

  constructor(reason: string) {
    super(`invalid UTF-8: ${reason}`);
    this.reason = reason;
  }
}

// String.fromCharCode.apply pushes every code unit as an argument on the engine stack; XS on an
// ESP32 has a small stack, so chunks stay small.
const DECODE_CHUNK = 64;

function loneSurrogate(index: number): Utf8Error {
  return new Utf8Error(`lone surrogate at string index ${index} cannot be encoded`);
}

// XS keeps strings as UTF-8, so charCodeAt(i) walks from the start of the string and a charCodeAt
// loop is quadratic in the length (40,000 characters: 2.5 s on the host). The string iterator keeps
// its place: for-of visits each code point in one pass (14 ms for the same string). A regular
// expression test, native and single-pass too, lets long ASCII strings skip the loop altogether.
// It searches for one non-ASCII character rather than matching /^[\u0000-\u007f]*$/: in the Moddable
// SDK 8.2.3 simulator that greedy pattern over a PEM-sized string (kilobytes) crashed the XS machine
// (SIGSEGV in fx_RegExp_prototype_exec, depending on the heap's state; seen running the settings-store
// tests after the device tests), while a search keeps no backtracking state.
const NON_ASCII = /[^\u0000-\u007f]/;
const FAST_PATH_LENGTH = 64;

/** The code point of a one-code-point string from the iterator; a lone surrogate comes back as itself. */
function codePointOf(character: string): number {
  return character.codePointAt(0)!;
}

/** Number of bytes `s` takes in UTF-8. Throws Utf8Error for a lone surrogate. */
export function utf8Length(s: string): number {
  if (s.length > FAST_PATH_LENGTH && !NON_ASCII.test(s)) return s.length;
  let length = 0;
  let index = 0;
  for (const character of s) {
    const code = codePointOf(character);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdfff) throw loneSurrogate(index);
    else length += code < 0x10000 ? 3 : 4;
    index += character.length;
  }
  return length;
}

/**
 * Writes `s` as UTF-8 into `into` from `offset`; returns the offset after the last byte written.
 * Throws Utf8Error for a lone surrogate or when `into` is too small (bytes before that point are written).
 */
export function utf8EncodeInto(s: string, into: Uint8Array, offset: number): number {
  let at = offset;
  let index = 0;
  const capacity = into.length;
  for (const character of s) {
    const code = codePointOf(character);
    if (code >= 0xd800 && code <= 0xdfff) throw loneSurrogate(index);
    index += character.length;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (at + size > capacity) throw new Utf8Error(`output buffer of ${capacity} bytes too small at offset ${at}`);
    if (size === 1) {
      into[at++] = code;
    } else if (size === 2) {
      into[at++] = 0xc0 | (code >> 6);
      into[at++] = 0x80 | (code & 0x3f);
    } else if (size === 3) {
      into[at++] = 0xe0 | (code >> 12);
      into[at++] = 0x80 | ((code >> 6) & 0x3f);
      into[at++] = 0x80 | (code & 0x3f);
    } else {
      into[at++] = 0xf0 | (code >> 18);
      into[at++] = 0x80 | ((code >> 12) & 0x3f);
      into[at++] = 0x80 | ((code >> 6) & 0x3f);
      into[at++] = 0x80 | (code & 0x3f);
    }
  }
  return at;
}

/** `s` as a new Uint8Array of UTF-8. Throws Utf8Error for a lone surrogate. */
export function utf8Encode(s: string): Uint8Array {
  const bytes = new Uint8Array(utf8Length(s));
  utf8EncodeInto(s, bytes, 0);
  return bytes;
}

function continuation(bytes: Uint8Array, at: number, end: number, lead: number, sequenceLength: number): number {
  if (at >= end) throw new Utf8Error(`truncated ${sequenceLength}-byte sequence at byte ${lead}`);
  const byte = bytes[at];
  if ((byte & 0xc0) !== 0x80) throw new Utf8Error(`missing continuation byte at byte ${at} (sequence starts at ${lead})`);
  return byte & 0x3f;
}

/**
 * Decodes bytes[start, end) strictly: overlong forms, surrogate code points, code points above
 * U+10FFFF, stray continuation bytes and truncated sequences throw Utf8Error. U+0000 is accepted
 * (it is well-formed UTF-8; protocols that forbid it check separately).
 */
export function utf8Decode(bytes: Uint8Array, start: number, end: number): string {
  return new Utf8Decoder().decode(bytes, start, end);
}

/**
 * A strict UTF-8 decoder that owns its scratch buffer, for callers that decode often (the MQTT
 * packet reader): one per owner, reused for every string.
 */
export class Utf8Decoder {
  readonly #units = new Uint16Array(DECODE_CHUNK);

  #unitsToString(count: number): string {
    const units = this.#units;
    // fromCharCode accepts any array-like through apply; the cast only satisfies the type checker.
    // A surrogate pair given in one call becomes one character under both string models (UTF-16
    // units in Node and xsnap, code points in a Moddable app); decode() never splits a pair.
    return String.fromCharCode.apply(null, (count === DECODE_CHUNK ? units : units.subarray(0, count)) as unknown as number[]);
  }

  /** As utf8Decode, without allocating anything but the string. */
  decode(bytes: Uint8Array, start: number, end: number): string {
    const decodeUnits = this.#units;
    if (start < 0 || end > bytes.length || start > end) {
      throw new Utf8Error(`range ${start}..${end} outside ${bytes.length} bytes`);
    }
    let result = "";
    let units = 0;
    let at = start;
    while (at < end) {
      const lead = at;
      const byte = bytes[at++];
      let code: number;
      if (byte < 0x80) {
        code = byte;
      } else if (byte < 0xc2) {
        // 0x80..0xBF: continuation without a lead byte; 0xC0/0xC1 can only start overlong forms.
        throw new Utf8Error(byte < 0xc0 ? `unexpected continuation byte at byte ${lead}` : `overlong 2-byte sequence at byte ${lead}`);
      } else if (byte < 0xe0) {
        code = ((byte & 0x1f) << 6) | continuation(bytes, at++, end, lead, 2);
      } else if (byte < 0xf0) {
        code = ((byte & 0x0f) << 12) | (continuation(bytes, at++, end, lead, 3) << 6);
        code |= continuation(bytes, at++, end, lead, 3);
        if (code < 0x800) throw new Utf8Error(`overlong 3-byte sequence at byte ${lead}`);
        if (code >= 0xd800 && code <= 0xdfff) {
          throw new Utf8Error(`surrogate code point U+${code.toString(16).toUpperCase()} at byte ${lead}`);
        }
      } else if (byte < 0xf5) {
        code = ((byte & 0x07) << 18) | (continuation(bytes, at++, end, lead, 4) << 12);
        code |= continuation(bytes, at++, end, lead, 4) << 6;
        code |= continuation(bytes, at++, end, lead, 4);
        if (code < 0x10000) throw new Utf8Error(`overlong 4-byte sequence at byte ${lead}`);
        if (code > 0x10ffff) throw new Utf8Error(`code point above U+10FFFF at byte ${lead}`);
      } else {
        throw new Utf8Error(`invalid lead byte 0x${byte.toString(16)} at byte ${lead}`);
      }
      // Flush while there is still room for a surrogate pair.
      if (units >= DECODE_CHUNK - 1) {
        result += this.#unitsToString(units);
        units = 0;
      }
      if (code < 0x10000) {
        decodeUnits[units++] = code;
      } else {
        code -= 0x10000;
        decodeUnits[units++] = 0xd800 + (code >> 10);
        decodeUnits[units++] = 0xdc00 + (code & 0x3ff);
      }
    }
    return units === 0 ? result : result + this.#unitsToString(units);
  }
}
