// Streaming zlib/deflate decompressor (RFC 1950 wrapper, RFC 1951 blocks), written for the PNG decoder.
// Compressed bytes arrive in any slicing, down to one byte at a time; decompressed bytes leave as
// views of the 32 KiB history window, each time it fills up and at the end of every `push`.
//
// How it suspends: every decoding step needs a bounded number of bits (at most 20: a lit/len code and
// its extra bits; a distance code and its extra bits are taken in two steps when input is short).
// The bit accumulator keeps whatever was read, so a step that lacks bits simply waits for the next
// push without consuming anything.
//
// Memory per inflater (worst case, fixed): window 32 KiB; dynamic tables 1.6 KiB (lit/len) + 0.6 KiB
// (distance) + 0.3 KiB (code lengths); code length scratch 339 B; the fixed tables, shared by all
// inflaters, 1.6 KiB + 0.6 KiB once. Nothing is allocated per push except the output views.
// (Over 400 lines: one resumable state machine over RFC 1951's block kinds; its states share the bit
// accumulator and the window, which a split across modules would put behind calls in the hot loop.)

import type { InflateFactory, InflateOutput, Inflater } from "../ports.js";
import { HuffmanTable, INVALID_CODE, NEED_BITS } from "./huffman.js";
import { InflateError } from "./inflate-error.js";

const WINDOW_SIZE = 32768;
const WINDOW_MASK = WINDOW_SIZE - 1;

const LENGTH_BASE = new Uint16Array([3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]);
const LENGTH_EXTRA = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
const DISTANCE_BASE = new Uint16Array([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289,
  16385, 24577,
]);
const DISTANCE_EXTRA = new Uint8Array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]);
/** The order in which a dynamic block sends the code lengths of the code-length alphabet. */
const CODE_LENGTH_ORDER = new Uint8Array([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

const enum State {
  ZlibHeader,
  BlockHeader,
  StoredHeader,
  StoredCopy,
  TableSizes,
  CodeLengthCodes,
  CodeLengths,
  Codes,
  Distance,
  DistanceExtra,
  Checksum,
  Done,
  Failed,
}

/** The fixed codes of RFC 1951 §3.2.6, read-only and shared by every inflater. */
interface FixedTables {
  readonly literal: HuffmanTable;
  readonly distance: HuffmanTable;
}

// Built while the module loads: when preloaded they are computed at build time and stay in flash
// (a lazily built cache would be module state written at run time). Frozen so the linker keeps them.
const FIXED_TABLES = buildFixedTables();

function buildFixedTables(): FixedTables {
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144);
  lengths.fill(9, 144, 256);
  lengths.fill(7, 256, 280);
  lengths.fill(8, 280, 288);
  const literal = new HuffmanTable(9, 288);
  literal.build(lengths, 0, 288, false, "fixed literal/length");
  lengths.fill(5, 0, 32);
  const distance = new HuffmanTable(5, 32);
  distance.build(lengths, 0, 32, false, "fixed distance");
  Object.freeze(literal);
  Object.freeze(distance);
  return Object.freeze({ literal, distance });
}

export class TsInflater implements Inflater {
  readonly #window = new Uint8Array(WINDOW_SIZE);
  /** Next write position in the window; bytes [flushFrom, position) are not yet delivered. */
  #position = 0;
  #flushFrom = 0;
  /** The window holds a full 32 KiB of history (distances up to 32768 are valid). */
  #windowFull = false;

  #state: State = State.ZlibHeader;
  #error: InflateError | undefined;
  #bits = 0;
  #bitCount = 0;
  #finalBlock = false;
  #storedLeft = 0;
  #copyLength = 0;
  #distanceSymbol = 0;
  #checksumRead = 0;
  #checksumBytes = 0;
  #adlerA = 1;
  #adlerB = 0;

  #literal: HuffmanTable;
  #distance: HuffmanTable;
  readonly #dynamicLiteral = new HuffmanTable(9, 288);
  readonly #dynamicDistance = new HuffmanTable(8, 32);
  readonly #codeLengthTable = new HuffmanTable(7, 19);
  readonly #lengths = new Uint8Array(286 + 30 + 19);
  #literalCount = 0;
  #distanceCount = 0;
  #codeLengthCount = 0;
  #lengthsRead = 0;

  constructor() {
    const fixed = FIXED_TABLES;
    this.#literal = fixed.literal;
    this.#distance = fixed.distance;
  }

  get done(): boolean {
    return this.#state === State.Done;
  }

  reset(): void {
    this.#position = 0;
    this.#flushFrom = 0;
    this.#windowFull = false;
    this.#state = State.ZlibHeader;
    this.#error = undefined;
    this.#bits = 0;
    this.#bitCount = 0;
    this.#finalBlock = false;
    this.#adlerA = 1;
    this.#adlerB = 0;
    this.#checksumRead = 0;
    this.#checksumBytes = 0;
  }

  push(chunk: Uint8Array, output: InflateOutput): void {
    if (this.#error) throw this.#error;
    if (chunk.length === 0) return;
    if (this.#state === State.Done) this.#fail("corrupt", "data after the end of the zlib stream");
    try {
      this.#run(chunk, output);
      this.#deliver(output);
    } catch (error) {
      // Whatever went wrong (bad data, or the consumer's own error), this stream cannot continue.
      this.#state = State.Failed;
      if (error instanceof InflateError) this.#error = error;
      throw error;
    }
  }

  finish(): void {
    if (this.#error) throw this.#error;
    if (this.#state !== State.Done) this.#fail("truncated", "the zlib stream ended early");
  }

  #fail(code: "corrupt" | "truncated" | "unsupported", message: string): never {
    this.#state = State.Failed;
    this.#error = new InflateError(code, message);
    throw this.#error;
  }

  /** Hands the undelivered part of the window to `output`, updating the Adler-32 checksum. */
  #deliver(output: InflateOutput): void {
    const from = this.#flushFrom;
    const to = this.#position;
    if (to === from) return;
    const window = this.#window;
    let a = this.#adlerA;
    let b = this.#adlerB;
    for (let i = from; i < to; ) {
      // 5552 bytes is the most that can be summed before the 32-bit sums could overflow (zlib's NMAX).
      const stop = Math.min(to, i + 5552);
      for (; i < stop; i++) {
        a += window[i]!;
        b += a;
      }
      a %= 65521;
      b %= 65521;
    }
    this.#adlerA = a;
    this.#adlerB = b;
    output.write(window.subarray(from, to));
    if (to === WINDOW_SIZE) {
      this.#position = 0;
      this.#windowFull = true;
    }
    this.#flushFrom = this.#position;
  }

  #run(input: Uint8Array, output: InflateOutput): void {
    const end = input.length;
    const window = this.#window;
    let pos = 0;
    let bits = this.#bits;
    let bitCount = this.#bitCount;
    for (;;) {
      // Top up the accumulator: it then holds 25..32 bits unless the input ran out.
      while (bitCount <= 24 && pos < end) {
        bits |= input[pos++]! << bitCount;
        bitCount += 8;
      }
      // XS 13 leaks stack on `continue` out of a switch, so a step that completes sets `progress`.
      let progress = false;
      switch (this.#state) {
        case State.ZlibHeader: {
          if (bitCount < 16) break;
          const method = bits & 0xff;
          const flags = (bits >>> 8) & 0xff;
          if ((method & 0x0f) !== 8) this.#fail("corrupt", `zlib compression method ${method & 0x0f} is not deflate`);
          if (method >>> 4 > 7) this.#fail("corrupt", `zlib window size 2^${(method >>> 4) + 8} is above 32 KiB`);
          if ((method * 256 + flags) % 31 !== 0) this.#fail("corrupt", "zlib header check bits are wrong");
          if (flags & 0x20) this.#fail("unsupported", "zlib stream needs a preset dictionary");
          bits >>>= 16;
          bitCount -= 16;
          this.#state = State.BlockHeader;
          progress = true;
          break;
        }
        case State.BlockHeader: {
          if (bitCount < 3) break;
          this.#finalBlock = (bits & 1) === 1;
          const type = (bits >>> 1) & 3;
          bits >>>= 3;
          bitCount -= 3;
          if (type === 0) this.#state = State.StoredHeader;
          else if (type === 1) {
            const fixed = FIXED_TABLES;
            this.#literal = fixed.literal;
            this.#distance = fixed.distance;
            this.#state = State.Codes;
          } else if (type === 2) this.#state = State.TableSizes;
          else this.#fail("corrupt", "deflate block type 3 is reserved");
          progress = true;
          break;
        }
        case State.StoredHeader: {
          const skip = bitCount & 7; // stored blocks start on a byte boundary
          bits >>>= skip;
          bitCount -= skip;
          if (bitCount < 32) break;
          const length = bits & 0xffff;
          bits >>>= 16;
          const inverse = bits & 0xffff;
          bits = 0;
          bitCount = 0;
          if ((length ^ 0xffff) !== inverse) this.#fail("corrupt", "stored block length check failed");
          this.#storedLeft = length;
          this.#state = State.StoredCopy;
          progress = true;
          break;
        }
        case State.StoredCopy: {
          // The accumulator may hold prefetched bytes: they come first.
          while (bitCount >= 8 && this.#storedLeft > 0) {
            window[this.#position++] = bits & 0xff;
            bits >>>= 8;
            bitCount -= 8;
            this.#storedLeft--;
            if (this.#position === WINDOW_SIZE) this.#deliver(output);
          }
          while (this.#storedLeft > 0 && pos < end) {
            const count = Math.min(this.#storedLeft, end - pos, WINDOW_SIZE - this.#position);
            window.set(input.subarray(pos, pos + count), this.#position);
            this.#position += count;
            pos += count;
            this.#storedLeft -= count;
            if (this.#position === WINDOW_SIZE) this.#deliver(output);
          }
          if (this.#storedLeft > 0) break;
          this.#state = this.#finalBlock ? State.Checksum : State.BlockHeader;
          progress = true;
          break;
        }
        case State.TableSizes: {
          if (bitCount < 14) break;
          this.#literalCount = (bits & 0x1f) + 257;
          this.#distanceCount = ((bits >>> 5) & 0x1f) + 1;
          this.#codeLengthCount = ((bits >>> 10) & 0x0f) + 4;
          bits >>>= 14;
          bitCount -= 14;
          if (this.#literalCount > 286) this.#fail("corrupt", `${this.#literalCount} literal/length codes (at most 286)`);
          if (this.#distanceCount > 30) this.#fail("corrupt", `${this.#distanceCount} distance codes (at most 30)`);
          this.#lengths.fill(0);
          this.#lengthsRead = 0;
          this.#state = State.CodeLengthCodes;
          progress = true;
          break;
        }
        case State.CodeLengthCodes: {
          // Code-length code lengths go to lengths[316..335), past the lit/len and distance lengths.
          const lengths = this.#lengths;
          while (this.#lengthsRead < this.#codeLengthCount && bitCount >= 3) {
            lengths[316 + CODE_LENGTH_ORDER[this.#lengthsRead++]!] = bits & 7;
            bits >>>= 3;
            bitCount -= 3;
          }
          if (this.#lengthsRead < this.#codeLengthCount) break;
          this.#codeLengthTable.build(lengths, 316, 19, false, "code length");
          this.#lengthsRead = 0;
          this.#state = State.CodeLengths;
          progress = true;
          break;
        }
        case State.CodeLengths: {
          const table = this.#codeLengthTable;
          const lengths = this.#lengths;
          const total = this.#literalCount + this.#distanceCount;
          let stalled = false;
          while (this.#lengthsRead < total) {
            let entry = table.fast[bits & table.fastMask]!;
            if (entry === 0 || (entry & 15) > bitCount) entry = this.#decodeSlow(table, bits, bitCount, "code length");
            if (entry === NEED_BITS) {
              stalled = true;
              break;
            }
            const symbol = entry >>> 4;
            const codeBits = entry & 15;
            if (symbol < 16) {
              lengths[this.#lengthsRead++] = symbol;
              bits >>>= codeBits;
              bitCount -= codeBits;
              continue;
            }
            const extraBits = symbol === 16 ? 2 : symbol === 17 ? 3 : 7;
            if (bitCount < codeBits + extraBits) {
              stalled = true;
              break;
            }
            const extra = (bits >>> codeBits) & ((1 << extraBits) - 1);
            bits >>>= codeBits + extraBits;
            bitCount -= codeBits + extraBits;
            let value = 0;
            let repeat: number;
            if (symbol === 16) {
              if (this.#lengthsRead === 0) this.#fail("corrupt", "repeat of a code length with no previous length");
              value = lengths[this.#lengthsRead - 1]!;
              repeat = 3 + extra;
            } else repeat = (symbol === 17 ? 3 : 11) + extra;
            if (this.#lengthsRead + repeat > total) this.#fail("corrupt", "code length repeat runs past the end");
            lengths.fill(value, this.#lengthsRead, this.#lengthsRead + repeat);
            this.#lengthsRead += repeat;
          }
          if (stalled) break; // more input (if any) goes into the accumulator first
          if (lengths[256] === 0) this.#fail("corrupt", "dynamic block has no end-of-block code");
          this.#dynamicLiteral.build(lengths, 0, this.#literalCount, true, "literal/length");
          this.#dynamicDistance.build(lengths, this.#literalCount, this.#distanceCount, true, "distance");
          this.#literal = this.#dynamicLiteral;
          this.#distance = this.#dynamicDistance;
          this.#state = State.Codes;
          progress = true;
          break;
        }
        case State.Codes: {
          const table = this.#literal;
          const fast = table.fast;
          const mask = table.fastMask;
          let position = this.#position;
          // The hot loop: literals and matches while the accumulator has bits for a whole symbol.
          for (;;) {
            while (bitCount <= 24 && pos < end) {
              bits |= input[pos++]! << bitCount;
              bitCount += 8;
            }
            let entry = fast[bits & mask]!;
            if (entry === 0 || (entry & 15) > bitCount) {
              entry = this.#decodeSlow(table, bits, bitCount, "literal/length");
              if (entry === NEED_BITS) break;
            }
            const symbol = entry >>> 4;
            const codeBits = entry & 15;
            if (symbol < 256) {
              bits >>>= codeBits;
              bitCount -= codeBits;
              window[position++] = symbol;
              if (position === WINDOW_SIZE) {
                this.#position = position;
                this.#deliver(output);
                position = 0;
              }
              continue;
            }
            if (symbol === 256) {
              bits >>>= codeBits;
              bitCount -= codeBits;
              this.#state = this.#finalBlock ? State.Checksum : State.BlockHeader;
              break;
            }
            const index = symbol - 257;
            if (index >= 29) this.#fail("corrupt", `invalid literal/length symbol ${symbol}`);
            const extraBits = LENGTH_EXTRA[index]!;
            if (bitCount < codeBits + extraBits) break;
            this.#copyLength = LENGTH_BASE[index]! + ((bits >>> codeBits) & ((1 << extraBits) - 1));
            bits >>>= codeBits + extraBits;
            bitCount -= codeBits + extraBits;
            this.#state = State.Distance;
            break;
          }
          this.#position = position;
          if (this.#state === State.Codes) break; // out of input
          progress = true;
          break;
        }
        case State.Distance: {
          const table = this.#distance;
          let entry = table.fast[bits & table.fastMask]!;
          if (entry === 0 || (entry & 15) > bitCount) {
            entry = this.#decodeSlow(table, bits, bitCount, "distance");
            if (entry === NEED_BITS) break;
          }
          const symbol = entry >>> 4;
          if (symbol >= 30) this.#fail("corrupt", `invalid distance symbol ${symbol}`);
          const codeBits = entry & 15;
          bits >>>= codeBits;
          bitCount -= codeBits;
          this.#distanceSymbol = symbol;
          this.#state = State.DistanceExtra;
          progress = true;
          break;
        }
        case State.DistanceExtra: {
          const symbol = this.#distanceSymbol;
          const extraBits = DISTANCE_EXTRA[symbol]!;
          if (bitCount < extraBits) break;
          const distance = DISTANCE_BASE[symbol]! + (bits & ((1 << extraBits) - 1));
          bits >>>= extraBits;
          bitCount -= extraBits;
          let position = this.#position;
          if (distance > (this.#windowFull ? WINDOW_SIZE : position)) this.#fail("corrupt", `distance ${distance} reaches before the start of the data`);
          let from = (position - distance) & WINDOW_MASK;
          const length = this.#copyLength;
          if (from < position && position + length < WINDOW_SIZE) {
            // Neither side wraps: native copies where the ranges allow (much faster in XS).
            if (distance >= length) window.copyWithin(position, from, from + length);
            else if (distance === 1) window.fill(window[from]!, position, position + length);
            else for (let k = 0; k < length; k++) window[position + k] = window[from + k]!;
            this.#position = position + length;
            this.#state = State.Codes;
            progress = true;
            break;
          }
          for (let n = length; n > 0; n--) {
            window[position++] = window[from]!;
            from = (from + 1) & WINDOW_MASK;
            if (position === WINDOW_SIZE) {
              this.#position = position;
              this.#deliver(output);
              position = 0;
            }
          }
          this.#position = position;
          this.#state = State.Codes;
          progress = true;
          break;
        }
        case State.Checksum: {
          const skip = bitCount & 7; // the checksum starts on a byte boundary
          bits >>>= skip;
          bitCount -= skip;
          while (bitCount >= 8 && this.#checksumBytes < 4) {
            this.#checksumRead = ((this.#checksumRead << 8) | (bits & 0xff)) >>> 0;
            bits >>>= 8;
            bitCount -= 8;
            this.#checksumBytes++;
          }
          if (this.#checksumBytes < 4) break;
          this.#deliver(output);
          const computed = ((this.#adlerB << 16) | this.#adlerA) >>> 0;
          if (computed !== this.#checksumRead) this.#fail("corrupt", "Adler-32 checksum mismatch");
          if (bitCount > 0 || pos < end) this.#fail("corrupt", "data after the end of the zlib stream");
          this.#state = State.Done;
          break;
        }
        default:
          break;
      }
      if (this.#state === State.Done) break;
      // A step lacked bits: take more input, or wait for the next push.
      if (!progress && pos >= end) break;
    }
    this.#bits = bits;
    this.#bitCount = bitCount;
  }

  #decodeSlow(table: HuffmanTable, bits: number, bitCount: number, what: string): number {
    const entry = table.decodeSlow(bits, bitCount);
    if (entry === INVALID_CODE) this.#fail("corrupt", `invalid ${what} code`);
    return entry;
  }
}

/** The TypeScript inflater as an `InflateFactory`, for hosts without a native one. */
export const tsInflate: InflateFactory = Object.freeze({ create: () => new TsInflater() });
