// VP8 boolean entropy decoder (RFC 6386 §7) over a byte range in memory. Past the end it reads zero
// bytes and counts them, so a truncated partition is noticed (`padding`) without bounds checks
// inside the hot path.
//
// The state is public because the hot readers (the tokens and coefficient probabilities in
// webp-lossy-tokens.ts, the macroblock modes in webp-lossy-modes.ts) run this same decoding inline on
// local copies of it: a call per bool is dear in XS.
//
// The token and mode readers hold it in a wider window, as libwebp does: `window` holds `bits` + 8
// unread bits (bits ≥ 0 before a bool; 3 bytes are read when it drops below), compared with the
// range's top without shifting, and `rangeLess` is the range − 1. A bool then has no renormalising
// branch (the shift, clz32(range) − 24, may be 0), and a byte is loaded every 24 bits, not every 8.
// V8 mispredicts those two branches often: with both readers on the wider window a 128×128 lossy
// frame decodes 11 % faster in Node (median of 8 interleaved runs), and XS runs as many instructions.
// Entering it is three assignments (window = value >> bitCount, bits = 8 − bitCount, rangeLess =
// range − 1); `leaveWindow` converts back.

import { NO_BYTES } from "./webp-placeholders.js";

/** Math.clz32 held once: XS then skips looking up `Math` and its property on each call (V8 still inlines it). */
const clz32 = Math.clz32;

export class BoolDecoder {
  data: Uint8Array = NO_BYTES;
  position = 0;
  end = 0;
  value = 0;
  range = 255;
  bitCount = 0;
  /** Zero bytes read past the end of the partition. */
  padding = 0;

  init(data: Uint8Array, start: number, end: number): void {
    this.data = data;
    this.position = start;
    this.end = end;
    this.padding = 0;
    this.value = (this.#next() << 8) | this.#next();
    this.range = 255;
    this.bitCount = 0;
  }

  #next(): number {
    if (this.position < this.end) return this.data[this.position++]!;
    this.padding++;
    return 0;
  }

  /** Reads one bool whose probability of being 0 is prob/256. */
  read(prob: number): number {
    const split = 1 + (((this.range - 1) * prob) >> 8);
    const bigSplit = split << 8;
    let bit: number;
    if (this.value >= bigSplit) {
      bit = 1;
      this.range -= split;
      this.value -= bigSplit;
    } else {
      bit = 0;
      this.range = split;
    }
    if (this.range < 128) {
      // Renormalise: shift until the range is at least 128, loading a byte every 8 bits.
      const shift = clz32(this.range) - 24;
      this.range <<= shift;
      this.value <<= shift;
      this.bitCount += shift;
      if (this.bitCount >= 8) {
        this.bitCount -= 8;
        this.value |= this.#next() << this.bitCount;
      }
    }
    return bit;
  }

  /** An n-bit unsigned literal, most significant bit first. */
  literal(n: number): number {
    let v = 0;
    while (n-- > 0) v = (v << 1) | this.read(128);
    return v;
  }

  /** An n-bit magnitude followed by a sign bit (header deltas). */
  signed(n: number): number {
    const magnitude = this.literal(n);
    return this.read(128) ? -magnitude : magnitude;
  }

  /**
   * Takes back the state from a wider window (see the top of this file): `window` with `bits` + 8
   * unread bits (−7 ≤ bits ≤ 23), the range − 1, and the byte position and padding it read to. Whole
   * bytes read ahead are given back: always bytes of the partition, as the window takes 3 bytes only
   * while 3 are left and else one at a time, which leaves bits < 8.
   */
  leaveWindow(window: number, bits: number, rangeLess: number, position: number, padding: number): void {
    while (bits > 8) {
      window >>= 8;
      bits -= 8;
      position--;
    }
    while (bits < 1) {
      window <<= 8;
      if (position < this.end) window |= this.data[position++]!;
      else padding++;
      bits += 8;
    }
    this.position = position;
    this.padding = padding;
    this.bitCount = 8 - bits;
    this.value = window << this.bitCount;
    this.range = rangeLess + 1;
  }
}
