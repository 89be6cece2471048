// VP8 token reading (RFC 6386 §13, §11.3): a block's DCT/WHT coefficients from the token tree with
// its context-dependent probabilities, dequantised into the macroblock's coefficient array; and the
// frame header's coefficient probabilities. Pure functions over the boolean decoder; no allocation.
//
// Speed (XS, where a call costs as much as the arithmetic of a bool): readResiduals walks the token
// tree as a table and decodes its bools inline on local copies of the decoder's state, in the wider
// window of webp-bool.ts, written back when the macroblock ends.

import type { BoolDecoder } from "./webp-bool.js";
import { COEFFICIENT_UPDATE_PROBS, DEFAULT_COEFFICIENT_PROBS } from "./webp-lossy-tables.js";

// Tables. In V8 (Node 20) an element read from a frozen array is a generic inline-cache call, six
// times a typed-array read; in XS a typed-array read is a host call, about twice a frozen array's.
// So the tables read per token are constants of packed 4-bit entries, unpacked by shifts (cheaper
// than either read in XS), and the ones read only for rare tokens are typed arrays (the Moddable
// linker keeps those read-only in flash; a non-empty typed array cannot be frozen).
/** Zigzag position n → raster position, 4 bits each: positions 0..7 and 8..15. */
const ZIGZAG_0_7 = 0x63258410; // 0, 1, 4, 8, 5, 2, 3, 6
const ZIGZAG_8_15 = 0xfeb7adc9 | 0; // 9, 12, 13, 10, 7, 11, 14, 15 (as an int32: XS keeps it an integer)
/** Coefficient position → band, 4 bits each, for positions 0..7; then 6 up to 14, 7 at 15, and (for "the band after position 15") 0 at 16. */
const BANDS_0_7 = 0x65463210; // 0, 1, 2, 3, 6, 4, 5, 6
/** The extra bits' probabilities of categories 1..6 (1, 2, 3, 4, 5 and 11 bits), one after another: category c's start at c(c + 1) / 2. */
const CATEGORY_PROBS = new Uint8Array([159, 165, 145, 173, 148, 140, 176, 155, 140, 135, 180, 157, 141, 134, 130, 254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129]);
const CATEGORY_BASE = new Uint8Array([5, 7, 11, 19, 35, 67]);

/**
 * Renormalising after a bool, the shift that brings the range back to 128..255 is clz32(range) - 24:
 * one instruction in V8, where a chain of compares (range >= 64 ? 1 : range >= 32 ? 2 …, cheaper in
 * XS) mispredicted often enough to cost V8 3–8 % of the token reading. Held in a const, so that
 * XS does not look `Math` and its property up on every call: XS then pays 3.6 M instructions more per
 * 256×256 frame than with the chain (Math.clz32 written in place: 9 M).
 */
const clz32 = Math.clz32;

// Tokens as leaves of the tree: -1 - token.
const EOB = 0;
const ZERO = 1;
const ONE = 2;
const CATEGORY_1 = 6; // then categories 2..6 are 7..11; TWO, THREE, FOUR are 3, 4, 5
/**
 * The coefficient token tree (RFC 6386 §13.2): node i's bool, with probability probs[p + i / 2],
 * leads to entry i (bit 0) or i + 1 (bit 1): another node's index, or a leaf -1 - token.
 */
const TOKEN_TREE = new Int8Array([-1 - EOB, 2, -1 - ZERO, 4, -1 - ONE, 6, 8, 12, -4, 10, -5, -6, 14, 16, -7, -8, 18, 20, -9, -10, -11, -12]);

// Block types of the coefficient probabilities (RFC 6386 §13.3), × 264 (8 bands × 3 contexts × 11 nodes).
const TYPE_Y_AFTER_Y2 = 0;
const TYPE_Y2 = 264;
const TYPE_CHROMA = 2 * 264;
const TYPE_Y_WITH_DC = 3 * 264;

/**
 * Reads every block's tokens of macroblock column `mbx` (the Y2 block first when `hasY2`, then 16 Y,
 * 4 U, 4 V) with the coefficient probabilities `probs` (type × band × context × node), dequantised by
 * segment `segment`'s six factors in `quant` into `coeffs` (25 × 16, raster order, cleared by the
 * caller). Per block, `blockAc` (24) gets 1 when it may have AC coefficients (a token past position
 * 0); the non-zero contexts (`aboveNonZero`, 9 per column, and `leftNonZero`, 9) are updated. Returns
 * whether any block had a token. The Y2 block is left in coeffs[384 ..] for the caller's inverse WHT.
 * WebpKernels.residuals is the native twin. One call per macroblock, the decoder's state in locals
 * throughout: a call and the state's loads and stores per block cost XS 22 M instructions a 256×256
 * frame (V8 about even).
 */
export function readResiduals(
  br: BoolDecoder,
  probs: Uint8Array,
  quant: Int32Array,
  segment: number,
  coeffs: Int16Array,
  blockAc: Uint8Array,
  aboveNonZero: Uint8Array,
  leftNonZero: Uint8Array,
  mbx: number,
  hasY2: boolean,
): boolean {
  const data = br.data;
  const end = br.end;
  let position = br.position;
  let padding = br.padding;
  // The decoder's state in the wider window (webp-bool.ts).
  let bits = 8 - br.bitCount;
  let window = br.value >> br.bitCount;
  let rangeLess = br.range - 1;
  let split = 0;
  let shift = 0;
  const a = mbx * 9;
  const q = segment * 6;
  // The segment's factors, read once (a typed-array read is a host call in XS).
  const yDc = quant[q]!;
  const yAc = quant[q + 1]!;
  const y2Dc = quant[q + 2]!;
  const y2Ac = quant[q + 3]!;
  const uvDc = quant[q + 4]!;
  const uvAc = quant[q + 5]!;
  const yType = hasY2 ? TYPE_Y_AFTER_Y2 : TYPE_Y_WITH_DC;
  const yFirst = hasY2 ? 1 : 0;
  let any = 0;
  for (let block = hasY2 ? -1 : 0; block < 24; block++) {
    const b = block < 0 ? 24 : block;
    // The block's type, factors and entries in the non-zero contexts (9 per macroblock column and 9
    // for the row: 4 Y, 2 U, 2 V, Y2): computed, where a table read is a host call in XS.
    let typeBase = yType;
    let first = yFirst;
    let dcFactor = yDc;
    let acFactor = yAc;
    let aboveAt = a + (b & 3);
    let leftAt = b >> 2;
    if (b >= 16) {
      first = 0;
      if (b < 24) {
        typeBase = TYPE_CHROMA;
        dcFactor = uvDc;
        acFactor = uvAc;
        const plane = b < 20 ? 4 : 6;
        aboveAt = a + plane + (b & 1);
        leftAt = plane + ((b >> 1) & 1);
      } else {
        typeBase = TYPE_Y2;
        dcFactor = y2Dc;
        acFactor = y2Ac;
        aboveAt = a + 8;
        leftAt = 8;
      }
    }
    const out = b * 16;
    // BANDS[0] = 0, BANDS[1] = 1: the band of the first position is `first`.
    let p = typeBase + first * 33 + (aboveNonZero[aboveAt]! + leftNonZero[leftAt]!) * 11;
    let n = first;
    // 0 if the block is empty, else the zigzag position after its last token (1: a DC alone).
    let result = 16;
    let bit = 0;
    // The tree's first three nodes (end of block? zero? one?) are written out, each bool inline: the
    // common tokens need no table step between a bool and the next probability (fewer array reads in
    // XS; in V8 the next probability's load does not wait for the bit). Larger tokens walk the table.
      while (n < 16) {
        // End of block? Never asked right after a zero: zeros are always followed by data.
        {
          if (bits < 0) {
            if (position + 3 <= end) {
              window = (window << 24) | (data[position]! << 16) | (data[position + 1]! << 8) | data[position + 2]!;
              position += 3;
              bits += 24;
            } else {
              window <<= 8;
              if (position < end) window |= data[position++]!;
              else padding++;
              bits += 8;
            }
          }
          split = (rangeLess * probs[p]!) >> 8;
          if (window >> bits > split) {
            bit = 1;
            window -= (split + 1) << bits;
            split = rangeLess - split;
          } else {
            bit = 0;
            split++;
          }
          shift = clz32(split) - 24;
          rangeLess = (split << shift) - 1;
          bits -= shift;
        }
        if (bit === 0) {
          result = n === first ? 0 : n; // an end of block can only come first or after a non-zero
          break;
        }
        // A run of zeros, each moving to the next position's band (context 0).
        for (;;) {
          {
            if (bits < 0) {
              if (position + 3 <= end) {
                window = (window << 24) | (data[position]! << 16) | (data[position + 1]! << 8) | data[position + 2]!;
                position += 3;
                bits += 24;
              } else {
                window <<= 8;
                if (position < end) window |= data[position++]!;
                else padding++;
                bits += 8;
              }
            }
            split = (rangeLess * probs[p + 1]!) >> 8;
            if (window >> bits > split) {
              bit = 1;
              window -= (split + 1) << bits;
              split = rangeLess - split;
            } else {
              bit = 0;
              split++;
            }
            shift = clz32(split) - 24;
            rangeLess = (split << shift) - 1;
            bits -= shift;
          }
          if (bit === 1) break;
          n++;
          if (n === 16) break;
          p = typeBase + (n < 8 ? (BANDS_0_7 >> (n << 2)) & 15 : n < 15 ? 6 : 7) * 33;
        }
        if (n === 16) break;
        // One, or a larger token?
        {
          if (bits < 0) {
            if (position + 3 <= end) {
              window = (window << 24) | (data[position]! << 16) | (data[position + 1]! << 8) | data[position + 2]!;
              position += 3;
              bits += 24;
            } else {
              window <<= 8;
              if (position < end) window |= data[position++]!;
              else padding++;
              bits += 8;
            }
          }
          split = (rangeLess * probs[p + 2]!) >> 8;
          if (window >> bits > split) {
            bit = 1;
            window -= (split + 1) << bits;
            split = rangeLess - split;
          } else {
            bit = 0;
            split++;
          }
          shift = clz32(split) - 24;
          rangeLess = (split << shift) - 1;
          bits -= shift;
        }
        let magnitude = 1;
        let category = 0;
        let extraAt = 0;
        let extraCount = 0;
        const large = bit;
        if (large === 1) {
          // TWO .. CATEGORY_6: walk the table from node 6.
          let i = 6;
          let prob = probs[p + 3]!;
          for (;;) {
            if (bits < 0) {
              if (position + 3 <= end) {
                window = (window << 24) | (data[position]! << 16) | (data[position + 1]! << 8) | data[position + 2]!;
                position += 3;
                bits += 24;
              } else {
                window <<= 8;
                if (position < end) window |= data[position++]!;
                else padding++;
                bits += 8;
              }
            }
            split = (rangeLess * prob) >> 8;
            if (window >> bits > split) {
              bit = 1;
              window -= (split + 1) << bits;
              split = rangeLess - split;
            } else {
              bit = 0;
              split++;
            }
            shift = clz32(split) - 24;
            rangeLess = (split << shift) - 1;
            bits -= shift;
            i = TOKEN_TREE[i + bit]!;
            if (i < 0) break;
            prob = probs[p + (i >> 1)]!;
          }
          const token = -1 - i;
          magnitude = token - 1; // TWO, THREE, FOUR are 2..4
          if (token >= CATEGORY_1) {
            category = token - CATEGORY_1;
            extraAt = (category * (category + 1)) >> 1;
            extraCount = category < 5 ? category + 1 : 11;
            magnitude = 0;
          }
        }
        // The category's extra bits (most significant first), then the sign: more bools, same steps.
        let negative = 0;
        for (let k = 0; k <= extraCount; k++) {
          const prob = k < extraCount ? CATEGORY_PROBS[extraAt + k]! : 128;
          if (bits < 0) {
            if (position + 3 <= end) {
              window = (window << 24) | (data[position]! << 16) | (data[position + 1]! << 8) | data[position + 2]!;
              position += 3;
              bits += 24;
            } else {
              window <<= 8;
              if (position < end) window |= data[position++]!;
              else padding++;
              bits += 8;
            }
          }
          split = (rangeLess * prob) >> 8;
          if (window >> bits > split) {
            bit = 1;
            window -= (split + 1) << bits;
            split = rangeLess - split;
          } else {
            bit = 0;
            split++;
          }
          shift = clz32(split) - 24;
          rangeLess = (split << shift) - 1;
          bits -= shift;
          if (k < extraCount) magnitude = (magnitude << 1) | bit;
          else negative = bit;
        }
        if (extraCount > 0) magnitude += CATEGORY_BASE[category]!;
        if (negative) magnitude = -magnitude;
        coeffs[out + ((n < 8 ? ZIGZAG_0_7 >> (n << 2) : ZIGZAG_8_15 >> ((n - 8) << 2)) & 15)] = magnitude * (n > 0 ? acFactor : dcFactor);
        n++;
        p = typeBase + (n < 8 ? (BANDS_0_7 >> (n << 2)) & 15 : n < 15 ? 6 : n === 15 ? 7 : 0) * 33 + (large === 1 ? 22 : 11);
      }
    if (b < 24) blockAc[b] = result > 1 ? 1 : 0;
    const nonZero = result > 0 ? 1 : 0;
    aboveNonZero[aboveAt] = leftNonZero[leftAt] = nonZero;
    any |= nonZero;
  }
  br.leaveWindow(window, bits, rangeLess, position, padding);
  return any !== 0;
}

/**
 * The frame header's coefficient probabilities (RFC 6386 §13.4): the defaults, then for each of the
 * 1056 an update flag (probability COEFFICIENT_UPDATE_PROBS[i]) and, when set, an 8-bit value. The
 * bools inline, one copy for both kinds (a flag, or a value bit at 128): 1056 or more bools a frame
 * were a call each in XS (1.7 M instructions a 256×256 frame; V8 about even). On BoolDecoder's own
 * byte window, not readResiduals' wider one: nearly all are update flags of probability 240–255,
 * which seldom renormalise, and the wider window's shift on every bool cost XS 0.4 M instructions a
 * frame on the device's path (native kernels), with no gain in V8 (once a frame).
 */
export function readCoefficientProbs(br: BoolDecoder, probs: Uint8Array): void {
  probs.set(DEFAULT_COEFFICIENT_PROBS);
  const data = br.data;
  const end = br.end;
  let position = br.position;
  let value = br.value;
  let range = br.range;
  let bitCount = br.bitCount;
  let padding = br.padding;
  let i = 0;
  // -1: the next bool is probability i's update flag; 0..7: the bits of its new value read so far.
  let bits = -1;
  let literal = 0;
  while (i < 1056) {
    let split = 1 + (((range - 1) * (bits < 0 ? COEFFICIENT_UPDATE_PROBS[i]! : 128)) >> 8);
    let bit = 0;
    if (value >= split << 8) {
      bit = 1;
      value -= split << 8;
      split = range - split;
    }
    range = split;
    if (range < 128) {
      const shift = clz32(range) - 24;
      range <<= shift;
      value <<= shift;
      bitCount += shift;
      if (bitCount >= 8) {
        bitCount -= 8;
        if (position < end) value |= data[position++]! << bitCount;
        else padding++;
      }
    }
    if (bits < 0) {
      if (bit === 1) {
        bits = 0;
        literal = 0;
      } else {
        i++;
      }
    } else {
      literal = (literal << 1) | bit;
      if (++bits === 8) {
        probs[i++] = literal;
        bits = -1;
      }
    }
  }
  br.position = position;
  br.value = value;
  br.range = range;
  br.bitCount = bitCount;
  br.padding = padding;
}
