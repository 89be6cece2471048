// VP8 token reading (RFC 6386 §13, §11.3): a block's DCT/WHT coefficients from the token tree with
// its context-dependent probabilities, dequantised into the macroblock's coefficient array; and the
// key-frame subblock mode tree. Pure functions over the boolean decoder; no allocation.

import type { BoolDecoder } from "./webp-bool.js";
import { KEY_FRAME_SUBBLOCK_MODE_PROBS } from "./webp-lossy-tables.js";
import { deepFreeze } from "../util/freeze.js";

const ZIGZAG = new Uint8Array([0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15]);
/** Coefficient position → band, with a 17th entry so that "the band after position 15" is valid. */
const BANDS = new Uint8Array([0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0]);
const CATEGORY_PROBS = deepFreeze([[159], [165, 145], [173, 148, 140], [176, 155, 140, 135], [180, 157, 141, 134, 130], [254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129]].map(
  (probs) => new Uint8Array(probs),
));
const CATEGORY_BASE = Object.freeze([5, 7, 11, 19, 35, 67]);

/**
 * Reads one block's tokens with coefficient probabilities `probs` (type × band × context × node),
 * dequantised into coeffs[out ..] in raster order. Returns 0 if the block was empty, else the zigzag
 * position after its last token: above 1 when it may have AC coefficients (1: a DC alone).
 */
export function readBlock(br: BoolDecoder, probs: Uint8Array, coeffs: Int16Array, type: number, context: number, first: number, dcFactor: number, acFactor: number, out: number): number {
  const typeBase = type * 264;
  let p = typeBase + BANDS[first]! * 33 + context * 11;
  let n = first;
  if (br.read(probs[p]!) === 0) return 0; // end of block straight away
  while (n < 16) {
    // After a zero the end-of-block branch is skipped: zeros are always followed by data.
    if (br.read(probs[p + 1]!) === 0) {
      n++;
      p = typeBase + BANDS[n]! * 33;
      if (n === 16) return 16;
      continue;
    }
    let value: number;
    let nextContext: number;
    if (br.read(probs[p + 2]!) === 0) {
      value = 1;
      nextContext = 1;
    } else {
      value = largeValue(br, probs, p);
      nextContext = 2;
    }
    if (br.read(128)) value = -value;
    coeffs[out + ZIGZAG[n]!] = value * (n > 0 ? acFactor : dcFactor);
    n++;
    if (n === 16) return 16;
    p = typeBase + BANDS[n]! * 33 + nextContext * 11;
    if (br.read(probs[p]!) === 0) return n; // end of block
  }
  return 16;
}

function largeValue(br: BoolDecoder, probs: Uint8Array, p: number): number {
  if (br.read(probs[p + 3]!) === 0) {
    if (br.read(probs[p + 4]!) === 0) return 2;
    return br.read(probs[p + 5]!) === 0 ? 3 : 4;
  }
  let category: number;
  if (br.read(probs[p + 6]!) === 0) category = br.read(probs[p + 7]!);
  else if (br.read(probs[p + 8]!) === 0) category = 2 + br.read(probs[p + 9]!);
  else category = 4 + br.read(probs[p + 10]!);
  const extra = CATEGORY_PROBS[category]!;
  let value = 0;
  for (let i = 0; i < extra.length; i++) value = (value << 1) | br.read(extra[i]!);
  return CATEGORY_BASE[category]! + value;
}


export function readSubblockMode(br: BoolDecoder, p: number): number {
  const probs = KEY_FRAME_SUBBLOCK_MODE_PROBS;
  if (br.read(probs[p]!) === 0) return 0; // B_DC_PRED
  if (br.read(probs[p + 1]!) === 0) return 1; // B_TM_PRED
  if (br.read(probs[p + 2]!) === 0) return 2; // B_VE_PRED
  if (br.read(probs[p + 3]!) === 0) {
    if (br.read(probs[p + 4]!) === 0) return 3; // B_HE_PRED
    return br.read(probs[p + 5]!) === 0 ? 5 : 6; // B_RD_PRED, B_VR_PRED
  }
  if (br.read(probs[p + 6]!) === 0) return 4; // B_LD_PRED
  if (br.read(probs[p + 7]!) === 0) return 7; // B_VL_PRED
  return br.read(probs[p + 8]!) === 0 ? 8 : 9; // B_HD_PRED, B_HU_PRED
}

