// WebP lossless (VP8L) bit reading and prefix (Huffman) codes, RFC 9649 §3 and §6.2.1.
//
// The compressed chunk is in memory (the container buffers it), so the bit reader works on a byte
// range. Bits come least significant first. Reading past the end yields zero bits and sets
// `overrun`; callers check it once a structure is complete (every loop is bounded by the pixel
// count, so zero bits cannot make decoding run away).
//
// Prefix codes live in one Uint16 pool shared by all the codes of an image, so a file with many
// prefix code groups costs only what its codes need. A code at offset `o` in the pool:
//   pool[o]      fast bits F (0 = a code with one symbol, which takes no bits)
//   pool[o + 1]  longest code length
//   pool[o + 2 …] 2^F lookup entries: symbol << 4 | length, 0 = code longer than F bits
//   then, when codes are longer than F: counts of lengths 1..15 and the symbols in canonical order.
// Memory: the pool grows (doubling) up to MAX_POOL entries (2 MiB); more is refused as unsupported.

import { ImageDecodeError } from "./image.js";
import { NO_BYTES } from "./webp-placeholders.js";

const FAST_BITS = 8;
const MAX_LENGTH = 15;
const MAX_POOL = 1 << 20;
/** The order in which a normal code sends the lengths of the code-length code. */
const CODE_LENGTH_ORDER = Object.freeze([17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

export function corrupt(message: string): ImageDecodeError {
  return new ImageDecodeError("corrupt", `VP8L: ${message}`);
}

/** No code matched (the native pixel loop's fault too). */
export function invalidCodeError(): ImageDecodeError {
  return corrupt("invalid prefix code");
}

export class LosslessBits {
  data: Uint8Array = NO_BYTES;
  position = 0;
  end = 0;
  /** Unread bits, the next one in bit 0. */
  bits = 0;
  count = 0;
  /** Zero bytes fed in past the end (public for a native pixel loop, WebpKernels.losslessPixels). */
  padding = 0;

  reset(data: Uint8Array, start: number, end: number): void {
    this.data = data;
    this.position = start;
    this.end = end;
    this.bits = 0;
    this.count = 0;
    this.padding = 0;
  }

  /** Makes at least 25 bits available. */
  fill(): void {
    while (this.count <= 24) {
      if (this.position < this.end) this.bits |= this.data[this.position++]! << this.count;
      else this.padding++;
      this.count += 8;
    }
  }

  /** Reads n ≤ 24 bits. */
  read(n: number): number {
    if (this.count < n) this.fill();
    const value = this.bits & ((1 << n) - 1);
    this.bits >>>= n;
    this.count -= n;
    return value;
  }

  /** Some of the bits read were not in the data. */
  get overrun(): boolean {
    return this.padding * 8 > this.count;
  }
}

export class PrefixCodes {
  pool = new Uint16Array(4096);
  used = 0;
  readonly #lengths = new Uint8Array(2328);
  readonly #counts = new Uint16Array(MAX_LENGTH + 2);
  readonly #offsets = new Uint16Array(MAX_LENGTH + 2);
  readonly #lengthCodeLengths = new Uint8Array(19);

  /** Reads one prefix code over `alphabet` symbols (RFC 9649 §6.2.1); returns its pool offset. */
  read(bits: LosslessBits, alphabet: number): number {
    if (bits.read(1) === 1) {
      // Simple code: one or two symbols below 256.
      const two = bits.read(1);
      const first = bits.read(bits.read(1) === 1 ? 8 : 1);
      if (first >= alphabet) throw corrupt(`simple code symbol ${first} outside the alphabet of ${alphabet}`);
      let second = first;
      if (two) {
        second = bits.read(8);
        if (second >= alphabet) throw corrupt(`simple code symbol ${second} outside the alphabet of ${alphabet}`);
      }
      if (bits.overrun) throw corrupt("data ends inside a prefix code");
      return this.#simple(first, second);
    }
    const lengths = this.#lengths;
    lengths.fill(0, 0, alphabet);
    this.#readLengths(bits, alphabet);
    if (bits.overrun) throw corrupt("data ends inside a prefix code");
    return this.#build(lengths, alphabet);
  }

  /**
   * A simple code's lookup, what #build makes of its one or two symbols of length 1, without a pass
   * over the alphabet: an ALPH stream and most lossless art send their red, blue and alpha codes (and
   * often distance) this way, and the alphabet walks were most of a small image's code building.
   */
  #simple(first: number, second: number): number {
    if (first === second) {
      const at = this.#reserve(3);
      const pool = this.pool; // after #reserve, which may grow it
      pool[at] = 0;
      pool[at + 1] = 0;
      pool[at + 2] = first << 4;
      return at;
    }
    // Room as #build takes it (the sort area, then dropped), so the pool grows at the same points.
    const at = this.#reserve(2 + 2 + MAX_LENGTH + 2);
    const pool = this.pool;
    pool[at] = 1;
    pool[at + 1] = 1;
    // Code 0 is the smaller symbol (canonical order), each 1 bit long.
    pool[at + 2] = ((first < second ? first : second) << 4) | 1;
    pool[at + 3] = ((first < second ? second : first) << 4) | 1;
    this.used = at + 4;
    return at;
  }

  #readLengths(bits: LosslessBits, alphabet: number): void {
    const codeLengths = this.#lengthCodeLengths;
    codeLengths.fill(0);
    const present = bits.read(4) + 4;
    if (present > 19) throw corrupt(`${present} code length code lengths`);
    for (let i = 0; i < present; i++) codeLengths[CODE_LENGTH_ORDER[i]!] = bits.read(3);
    let maxSymbol = alphabet;
    if (bits.read(1) === 1) {
      maxSymbol = 2 + bits.read(2 + 2 * bits.read(3));
      if (maxSymbol > alphabet) throw corrupt(`max_symbol ${maxSymbol} above the alphabet of ${alphabet}`);
    }
    // The code-length code is built at the top of the pool and dropped afterwards.
    const mark = this.used;
    const lengthCode = this.#build(codeLengths, 19);
    const lengths = this.#lengths;
    let symbol = 0;
    let previous = 8;
    while (symbol < alphabet) {
      if (maxSymbol-- === 0) break;
      const code = this.decode(lengthCode, bits);
      if (code < 16) {
        lengths[symbol++] = code;
        if (code !== 0) previous = code;
      } else {
        const repeat = code === 16 ? 3 + bits.read(2) : code === 17 ? 3 + bits.read(3) : 11 + bits.read(7);
        if (symbol + repeat > alphabet) throw corrupt("code lengths run past the alphabet");
        const value = code === 16 ? previous : 0;
        for (let k = 0; k < repeat; k++) lengths[symbol++] = value;
      }
      if (bits.overrun) throw corrupt("data ends inside code lengths");
    }
    this.used = mark;
  }

  /** Builds the lookup for `lengths[0 .. alphabet)`; rejects empty, over-subscribed and incomplete codes. */
  #build(lengths: Uint8Array, alphabet: number): number {
    const counts = this.#counts;
    counts.fill(0);
    let symbols = 0;
    let single = 0;
    let longest = 0;
    for (let s = 0; s < alphabet; s++) {
      const length = lengths[s]!;
      if (length === 0) continue;
      counts[length]!++;
      symbols++;
      single = s;
      if (length > longest) longest = length;
    }
    if (symbols === 0) throw corrupt("a prefix code without symbols");
    if (symbols === 1) {
      // One symbol: it takes no bits at all.
      const at = this.#reserve(3);
      this.pool[at] = 0;
      this.pool[at + 1] = 0;
      this.pool[at + 2] = single << 4;
      return at;
    }
    let left = 1;
    for (let bits = 1; bits <= MAX_LENGTH; bits++) {
      left = (left << 1) - counts[bits]!;
      if (left < 0) throw corrupt("over-subscribed prefix code");
    }
    if (left > 0) throw corrupt("incomplete prefix code");
    const fastBits = Math.min(longest, FAST_BITS);
    const slow = longest > fastBits;
    const fastSize = 1 << fastBits;
    // Room for the symbols in canonical order (by length, then value) is taken even for a code
    // without a slow part: they are sorted there in one pass (a counting sort), then dropped.
    const at = this.#reserve(2 + fastSize + MAX_LENGTH + symbols);
    const pool = this.pool;
    pool[at] = fastBits;
    pool[at + 1] = longest;
    const offsets = this.#offsets;
    offsets[1] = 0;
    for (let bits = 1; bits < MAX_LENGTH; bits++) offsets[bits + 1] = offsets[bits]! + counts[bits]!;
    const sorted = at + 2 + fastSize + MAX_LENGTH;
    for (let s = 0; s < alphabet; s++) {
      const length = lengths[s]!;
      if (length !== 0) pool[sorted + offsets[length]!++] = s;
    }
    // Fast table: codes are sent most significant bit first, so the reader sees them bit-reversed;
    // keep the reversed code and increment it from the top bit down.
    const fast = at + 2;
    pool.fill(0, fast, fast + fastSize);
    let reversed = 0;
    const fastSymbols = offsets[fastBits]!; // the sort left offsets[b] at the end of length b's symbols
    for (let i = 0; i < fastSymbols; i++) {
      const s = pool[sorted + i]!;
      const bits = lengths[s]!;
      const entry = (s << 4) | bits;
      for (let fill = reversed; fill < fastSize; fill += 1 << bits) pool[fast + fill] = entry;
      let carry = 1 << (bits - 1);
      while (reversed & carry) carry >>>= 1;
      reversed = carry ? (reversed & (carry - 1)) + carry : 0;
    }
    if (slow) for (let bits = 1; bits <= MAX_LENGTH; bits++) pool[at + 2 + fastSize + bits - 1] = counts[bits]!;
    else this.used = at + 2 + fastSize;
    return at;
  }

  #reserve(size: number): number {
    const at = this.used;
    const need = at + size;
    if (need > this.pool.length) {
      if (need > MAX_POOL) throw new ImageDecodeError("unsupported", "VP8L: the prefix codes need more than 2 MiB");
      let length = this.pool.length * 2;
      while (length < need) length *= 2;
      const grown = new Uint16Array(Math.min(length, MAX_POOL));
      grown.set(this.pool.subarray(0, at));
      this.pool = grown;
    }
    this.used = need;
    return at;
  }

  /** Decodes one symbol with the code at `code`. */
  decode(code: number, bits: LosslessBits): number {
    const pool = this.pool;
    const fastBits = pool[code]!;
    if (fastBits === 0) return pool[code + 2]! >> 4;
    if (bits.count < MAX_LENGTH) bits.fill();
    const entry = pool[code + 2 + (bits.bits & ((1 << fastBits) - 1))]!;
    if (entry !== 0) {
      const length = entry & 15;
      bits.bits >>>= length;
      bits.count -= length;
      return entry >> 4;
    }
    return this.#decodeSlow(code, bits);
  }

  /** Walks the canonical code bit by bit (codes longer than the fast table). */
  #decodeSlow(code: number, bits: LosslessBits): number {
    const pool = this.pool;
    const fastSize = 1 << pool[code]!;
    const counts = code + 2 + fastSize;
    const sorted = counts + MAX_LENGTH;
    const value = bits.bits;
    let first = 0;
    let index = 0;
    let canonical = 0;
    for (let length = 1; length <= MAX_LENGTH; length++) {
      canonical |= (value >>> (length - 1)) & 1;
      const count = pool[counts + length - 1]!;
      if (canonical - first < count) {
        bits.bits >>>= length;
        bits.count -= length;
        return pool[sorted + index + canonical - first]!;
      }
      index += count;
      first = (first + count) << 1;
      canonical <<= 1;
    }
    throw invalidCodeError(); // unreachable for complete codes
  }
}
