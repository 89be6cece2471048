// Reads a JSON number for the tokenizer, byte by byte, following the grammar exactly (no leading
// zeros, digits after '.' and 'e', no '+' sign in front), and computes its value without a string
// when it can: a mantissa of at most 15 significant digits times or divided by an exact power of ten
// up to 1e22 is correctly rounded in one operation. Other numbers (rare in replies) go through
// Number() on the buffered text, which rounds correctly too.
//
// Memory: a 40-byte buffer (longer numbers are "too_long") and a few scalars.

import { JsonError } from "./errors.js";

const MAX_LENGTH = 40;

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

// Powers of ten that are exact doubles (the classic fast path).
const EXACT_POWERS_OF_TEN = Object.freeze([1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]);
const MAX_EXACT_DIGITS = 15;

/** The errors a number can raise: shared with the native scanner (hosts/moddable/native-json.ts). */
export function numberMinusError(offset: number): JsonError {
  return new JsonError("syntax", "malformed number: '-' without digits", offset);
}
export function numberLeadingZeroError(offset: number): JsonError {
  return new JsonError("syntax", "malformed number: leading zero", offset);
}
export function numberDotError(offset: number): JsonError {
  return new JsonError("syntax", "malformed number: no digit after '.'", offset);
}
export function numberExponentError(offset: number): JsonError {
  return new JsonError("syntax", "malformed number: no digit in the exponent", offset);
}
export function numberTooLongError(offset: number): JsonError {
  return new JsonError("too_long", `number longer than ${MAX_LENGTH} characters`, offset);
}

export class NumberReader {
  readonly #bytes = new Uint8Array(MAX_LENGTH);
  #length = 0;
  #stage = N_START;
  #negative = false;
  #mantissa = 0;
  #significantDigits = 0;
  #fractionDigits = 0;
  #exponent = 0;
  #exponentNegative = false;

  begin(): void {
    this.#length = 0;
    this.#stage = N_START;
    this.#negative = false;
    this.#mantissa = 0;
    this.#significantDigits = 0;
    this.#fractionDigits = 0;
    this.#exponent = 0;
    this.#exponentNegative = false;
  }

  /** True when what was read so far is a whole number (more digits may still follow). */
  get complete(): boolean {
    const stage = this.#stage;
    return stage === N_ZERO || stage === N_INT || stage === N_FRACTION || stage === N_EXPONENT_DIGITS;
  }

  /** Takes one byte (at stream offset `offset`); false when the byte is not part of the number. */
  take(byte: number, offset: number): boolean {
    const digit = byte - 0x30;
    const isDigit = digit >= 0 && digit <= 9;
    switch (this.#stage) {
      case N_START:
        if (byte === 0x2d) {
          this.#negative = true;
          this.#stage = N_MINUS;
        } else {
          this.#stage = digit === 0 ? N_ZERO : N_INT;
          this.#addDigit(digit);
        }
        break;
      case N_MINUS:
        if (!isDigit) throw numberMinusError(offset);
        this.#stage = digit === 0 ? N_ZERO : N_INT;
        this.#addDigit(digit);
        break;
      case N_ZERO:
      case N_INT:
        if (isDigit) {
          if (this.#stage === N_ZERO) throw numberLeadingZeroError(offset);
          this.#addDigit(digit);
        } else if (byte === 0x2e) this.#stage = N_DOT;
        else if (byte === 0x65 || byte === 0x45) this.#stage = N_EXPONENT;
        else return false;
        break;
      case N_DOT:
      case N_FRACTION:
        if (isDigit) {
          this.#stage = N_FRACTION;
          this.#fractionDigits++;
          this.#addDigit(digit);
        } else if (this.#stage === N_DOT) throw numberDotError(offset);
        else if (byte === 0x65 || byte === 0x45) this.#stage = N_EXPONENT;
        else return false;
        break;
      case N_EXPONENT:
      case N_EXPONENT_SIGN:
      case N_EXPONENT_DIGITS:
        if (isDigit) {
          this.#stage = N_EXPONENT_DIGITS;
          if (this.#exponent < 100000) this.#exponent = this.#exponent * 10 + digit;
        } else if (this.#stage === N_EXPONENT && (byte === 0x2b || byte === 0x2d)) {
          this.#exponentNegative = byte === 0x2d;
          this.#stage = N_EXPONENT_SIGN;
        } else if (this.#stage !== N_EXPONENT_DIGITS) throw numberExponentError(offset);
        else return false;
        break;
    }
    if (this.#length >= MAX_LENGTH) {
      throw numberTooLongError(offset);
    }
    this.#bytes[this.#length++] = byte;
    return true;
  }

  #addDigit(digit: number): void {
    if (this.#mantissa === 0 && digit === 0) return; // leading zeros are not significant
    this.#significantDigits++;
    if (this.#significantDigits <= MAX_EXACT_DIGITS) this.#mantissa = this.#mantissa * 10 + digit;
  }

  /** The number ended here (the next byte is not part of it): its value, or a syntax error if it is incomplete. */
  value(offset: number): number {
    if (!this.complete) throw new JsonError("syntax", "malformed number", offset);
    const power = (this.#exponentNegative ? -this.#exponent : this.#exponent) - this.#fractionDigits;
    if (this.#significantDigits <= MAX_EXACT_DIGITS && power >= -22 && power <= 22) {
      const value = power >= 0 ? this.#mantissa * EXACT_POWERS_OF_TEN[power]! : this.#mantissa / EXACT_POWERS_OF_TEN[-power]!;
      return this.#negative ? -value : value;
    }
    // Rare: let the engine round it. The text is valid JSON number syntax, which Number() accepts.
    const text = this.#bytes.subarray(0, this.#length);
    return Number(String.fromCharCode.apply(null, text as unknown as number[]));
  }
}
