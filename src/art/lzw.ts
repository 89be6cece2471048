// GIF's variable-length LZW, decoded as a pull stream: the caller lends input bytes (`setInput`) and
// pulls colour indices (`read`) into its own buffer. A code's string is unwound onto a fixed stack and
// handed out across as many `read` calls as the caller's buffer needs, so nothing grows with the data.
//
// Code size rules (GIF89a appendix F): codes start at minCodeSize + 1 bits and grow by one bit when the
// next free table slot needs it, up to 12 bits. A full table (4096 entries) stops growing and the
// encoder may keep sending 12-bit codes without a clear ("deferred clear"); GIF has no TIFF-style
// early change. A code beyond the next free slot is corrupt data.
//
// Memory: prefix 8 KiB + suffix 4 KiB + string stack 4 KiB, fixed, allocated once per decoder.

import type { LzwStream } from "../ports.js";
import { ImageDecodeError } from "./image.js";

const MAX_CODES = 4096;
const MAX_CODE_BITS = 12;
const NO_CODE = -1;

// The errors of corrupt code streams, shared with the native twin's binding (hosts/moddable/native-art.ts)
// so that both paths fail with the same error.
export function minCodeSizeError(minCodeSize: number): ImageDecodeError {
  return new ImageDecodeError("corrupt", `LZW minimum code size ${minCodeSize}`);
}
export function literalExpectedError(code: number): ImageDecodeError {
  return new ImageDecodeError("corrupt", `LZW code ${code} beyond the table (expected a literal after a clear)`);
}
export function beyondTableError(code: number, nextCode: number): ImageDecodeError {
  return new ImageDecodeError("corrupt", `LZW code ${code} beyond the table (next free ${nextCode})`);
}
/** True when GIF's minimum code size is one this decoder takes (GIF allows 2..8; browsers accept 1 too). */
export function validMinCodeSize(minCodeSize: number): boolean {
  // Above 11 the first code would not fit in 12 bits.
  return minCodeSize >= 1 && minCodeSize <= MAX_CODE_BITS - 1;
}

export class LzwDecoder implements LzwStream {
  private readonly prefix = new Uint16Array(MAX_CODES);
  private readonly suffix = new Uint8Array(MAX_CODES);
  private readonly stack = new Uint8Array(MAX_CODES);
  private stackTop = 0;

  private clearCode = 0;
  private endCode = 0;
  private nextCode = 0;
  private codeBits = 0;
  private codeMask = 0;
  private minCodeSize = 0;
  private previous = NO_CODE;
  private previousFirst = 0;

  private bitBuffer = 0;
  private bitCount = 0;

  private input: Uint8Array = this.stack;
  private inputPos = 0;
  private inputEnd = 0;

  /** The end code has been read: no more indices will come. */
  ended = false;

  /** Starts a new image's data. `minCodeSize` is the byte before the data sub-blocks (1..11 accepted). */
  begin(minCodeSize: number): void {
    if (!validMinCodeSize(minCodeSize)) throw minCodeSizeError(minCodeSize);
    this.minCodeSize = minCodeSize;
    this.clearCode = 1 << minCodeSize;
    this.endCode = this.clearCode + 1;
    // Literal codes are their own one-byte strings.
    for (let code = 0; code < this.clearCode; code++) {
      this.prefix[code] = 0;
      this.suffix[code] = code;
    }
    this.reset();
    this.bitBuffer = 0;
    this.bitCount = 0;
    this.stackTop = 0;
    this.ended = false;
    this.inputPos = this.inputEnd = 0;
  }

  private reset(): void {
    this.codeBits = this.minCodeSize + 1;
    this.codeMask = (1 << this.codeBits) - 1;
    this.nextCode = this.endCode + 1;
    this.previous = NO_CODE;
  }

  /** Lends the next compressed bytes `bytes[start..end)`; they are read during later `read` calls. */
  setInput(bytes: Uint8Array, start: number, end: number): void {
    this.input = bytes;
    this.inputPos = start;
    this.inputEnd = end;
  }

  /** Input bytes lent but not consumed yet. */
  get inputLeft(): number {
    return this.inputEnd - this.inputPos;
  }

  /**
   * Writes decoded indices into `out[pos..end)` and returns the new position. Stops early when the lent
   * input runs out (lend more) or the end code arrives (`ended`).
   */
  read(out: Uint8Array, pos: number, end: number): number {
    // Everything the loop touches lives in locals (property access is slow in XS) and is written
    // back on the way out.
    const stack = this.stack;
    const prefix = this.prefix;
    const suffix = this.suffix;
    const input = this.input;
    const clearCode = this.clearCode;
    const endCode = this.endCode;
    let top = this.stackTop;
    let bitBuffer = this.bitBuffer;
    let bitCount = this.bitCount;
    let inputPos = this.inputPos;
    const inputEnd = this.inputEnd;
    let codeBits = this.codeBits;
    let codeMask = this.codeMask;
    let nextCode = this.nextCode;
    let previous = this.previous;
    let previousFirst = this.previousFirst;
    let ended = this.ended;

    while (pos < end) {
      if (top > 0) {
        // Hand out the pending string (stored reversed on the stack).
        while (top > 0 && pos < end) out[pos++] = stack[--top]!;
        continue;
      }
      if (ended) break;
      while (bitCount < codeBits && inputPos < inputEnd) {
        bitBuffer |= input[inputPos++]! << bitCount;
        bitCount += 8;
      }
      if (bitCount < codeBits) break;
      const code = bitBuffer & codeMask;
      bitBuffer >>>= codeBits;
      bitCount -= codeBits;

      if (code === clearCode) {
        codeBits = this.minCodeSize + 1;
        codeMask = (1 << codeBits) - 1;
        nextCode = endCode + 1;
        previous = NO_CODE;
        continue;
      }
      if (code === endCode) {
        ended = true;
        break;
      }
      if (previous === NO_CODE) {
        if (code > endCode) throw literalExpectedError(code);
        out[pos++] = code;
        previous = code;
        previousFirst = code;
        continue;
      }
      let walk: number;
      if (code < nextCode) {
        walk = code;
      } else if (code === nextCode && code < MAX_CODES) {
        // The string being defined right now: previous string + its own first byte.
        stack[top++] = previousFirst;
        walk = previous;
      } else {
        throw beyondTableError(code, nextCode);
      }
      while (walk >= clearCode) {
        stack[top++] = suffix[walk]!;
        walk = prefix[walk]!;
      }
      // A one-byte string goes straight out; longer ones are handed out from the stack.
      if (top === 0 && pos < end) out[pos++] = walk;
      else stack[top++] = walk;
      if (nextCode < MAX_CODES) {
        prefix[nextCode] = previous;
        suffix[nextCode] = walk;
        nextCode++;
        if (nextCode > codeMask && codeBits < MAX_CODE_BITS) {
          codeBits++;
          codeMask = (1 << codeBits) - 1;
        }
      }
      previous = code;
      previousFirst = walk;
    }

    this.stackTop = top;
    this.bitBuffer = bitBuffer;
    this.bitCount = bitCount;
    this.inputPos = inputPos;
    this.codeBits = codeBits;
    this.codeMask = codeMask;
    this.nextCode = nextCode;
    this.previous = previous;
    this.previousFirst = previousFirst;
    this.ended = ended;
    return pos;
  }
}
