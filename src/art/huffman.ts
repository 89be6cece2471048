// Canonical Huffman decoding tables for inflate (RFC 1951 §3.2.2), built from a list of code lengths.
// Codes up to `fastBits` long are found with one lookup in `fast`; longer ones (rare: they belong to
// rare symbols) are decoded bit by bit from the per-length counts. Deflate sends codes LSB first, so
// the fast table is indexed by the next `fastBits` input bits as they sit in the bit accumulator.
//
// Memory per table: fast 2^fastBits × 2 bytes + counts 32 bytes + symbols 2 × maxSymbols bytes
// (lit/len: 1 KiB + 608 B, distance: 512 B + 96 B, code lengths: 256 B + 70 B).

import { InflateError } from "./inflate-error.js";

export const MAX_CODE_BITS = 15;

/** Result of `decodeSlow` when more input bits are needed before the code can be known. */
export const NEED_BITS = 0;
/** Result of `decodeSlow` when the bits match no code (only possible with an incomplete code). */
export const INVALID_CODE = -1;

export class HuffmanTable {
  /** Entry = symbol << 4 | code length, or 0 when the code is longer than `fastBits` (or unused). */
  readonly fast: Uint16Array;
  readonly fastBits: number;
  readonly fastMask: number;
  /** counts[n]: how many codes have length n. */
  readonly counts = new Uint16Array(MAX_CODE_BITS + 1);
  /** Symbols in canonical order (by code length, then by symbol value). */
  readonly symbols: Uint16Array;
  readonly #offsets = new Uint16Array(MAX_CODE_BITS + 2);

  constructor(fastBits: number, maxSymbols: number) {
    this.fastBits = fastBits;
    this.fastMask = (1 << fastBits) - 1;
    this.fast = new Uint16Array(1 << fastBits);
    this.symbols = new Uint16Array(maxSymbols);
  }

  /**
   * Builds the table from `lengths[start .. start+count)` (0 = symbol unused). An over-subscribed set
   * of lengths is corrupt. An incomplete one is accepted only when `allowSingle` and it is a single
   * code of length 1 (RFC 1951 allows one distance code), or when no symbol is used at all: then any
   * attempt to decode a symbol fails, as zlib does.
   */
  build(lengths: Uint8Array, start: number, count: number, allowSingle: boolean, what: string): void {
    const counts = this.counts;
    counts.fill(0);
    for (let i = 0; i < count; i++) counts[lengths[start + i]!]!++;
    counts[0] = 0;
    let left = 1;
    let used = 0;
    for (let bits = 1; bits <= MAX_CODE_BITS; bits++) {
      left = (left << 1) - counts[bits]!;
      if (left < 0) throw new InflateError("corrupt", `over-subscribed ${what} code lengths`);
      used += counts[bits]!;
    }
    if (left > 0 && used > 0 && !(allowSingle && used === 1 && counts[1] === 1)) {
      throw new InflateError("corrupt", `incomplete ${what} code lengths`);
    }
    // Canonical order: offsets[n] = index of the first symbol with code length n.
    const offsets = this.#offsets;
    offsets[1] = 0;
    for (let bits = 1; bits <= MAX_CODE_BITS; bits++) offsets[bits + 1] = offsets[bits]! + counts[bits]!;
    for (let symbol = 0; symbol < count; symbol++) {
      const length = lengths[start + symbol]!;
      if (length !== 0) this.symbols[offsets[length]!++] = symbol;
    }
    // Fast table: walk the codes in canonical order. Deflate sends a code's most significant bit
    // first, so the accumulator holds it bit-reversed: keep the reversed code and increment it
    // "backwards" (add at the top bit, carry downwards), as zlib's inflate_table does.
    const fast = this.fast;
    fast.fill(0);
    let reversed = 0;
    let index = 0;
    for (let bits = 1; bits <= this.fastBits; bits++) {
      for (let n = counts[bits]!; n > 0; n--) {
        const entry = (this.symbols[index++]! << 4) | bits;
        for (let fill = reversed; fill <= this.fastMask; fill += 1 << bits) fast[fill] = entry;
        let carry = 1 << (bits - 1);
        while (reversed & carry) carry >>>= 1;
        reversed = carry ? (reversed & (carry - 1)) + carry : 0;
      }
    }
  }

  /**
   * Decodes one symbol from the low `available` bits of `bits` by walking the code lengths: returns
   * symbol << 4 | length, NEED_BITS when `available` is too few to tell, or INVALID_CODE.
   */
  decodeSlow(bits: number, available: number): number {
    const counts = this.counts;
    let code = 0;
    let first = 0;
    let index = 0;
    for (let length = 1; length <= MAX_CODE_BITS; length++) {
      if (length > available) return NEED_BITS;
      code |= (bits >>> (length - 1)) & 1;
      const count = counts[length]!;
      if (code - first < count) return (this.symbols[index + code - first]! << 4) | length;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    return INVALID_CODE;
  }
}
