// VP8 boolean entropy decoder (RFC 6386 §7) over a byte range in memory. Past the end it reads zero
// bytes and counts them, so a truncated partition is noticed (`padding`) without bounds checks
// inside the hot path.
//
// The state is public because the coefficient token reader (webp-lossy-tokens.ts) runs this same
// decoding inline on local copies of it: a call per bool is dear in XS. Both must stay in step.

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
}
