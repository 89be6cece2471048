// VP8 key-frame macroblock header (RFC 6386 §19.3, §11.2–11.4): a macroblock's segment, skip flag,
// luma mode (with its 16 subblock modes when it is B_PRED) and chroma mode, from the first partition.
// WebpKernels.modes (src/ports.ts) is the native twin; this is the TypeScript one and its oracle.
//
// Every field is a walk down a small tree of bools, so one loop walks them all, one bool a turn, with
// the decoder's state in locals on the wider window (webp-bool.ts): a call per bool, or a copy of the
// bool's steps per field, would cost XS more. No allocation.

import type { BoolDecoder } from "./webp-bool.js";
import { KEY_FRAME_SUBBLOCK_MODE_PROBS } from "./webp-lossy-tables.js";
import { B_PRED } from "./webp-lossy-predict.js";

/** Math.clz32 held once (see webp-bool.ts). */
const clz32 = Math.clz32;

// Trees as in webp-lossy-tokens.ts: node i's bool, with probability probs[at + i / 2], leads to entry
// i (bit 0) or i + 1 (bit 1): another node's index, or a leaf -1 - value.
/** Segment id: probabilities from the frame header (RFC 6386 §9.3). */
const SEGMENT_TREE = new Int8Array([2, 4, -1, -2, -3, -4]);
/** Skip flag: one bool with the frame header's probability. */
const SKIP_TREE = new Int8Array([-1, -2]);
/** Key-frame luma modes (RFC 6386 §11.2): B_PRED 4, DC_PRED 0, V_PRED 1, H_PRED 2, TM_PRED 3. */
const Y_MODE_TREE = new Int8Array([-1 - B_PRED, 2, 4, 6, -1, -2, -3, -4]);
const Y_MODE_PROBS = new Uint8Array([145, 156, 163, 128]);
/** Key-frame chroma modes: DC_PRED, V_PRED, H_PRED, TM_PRED. */
const UV_MODE_TREE = new Int8Array([-1, 2, -2, 4, -3, -4]);
const UV_MODE_PROBS = new Uint8Array([142, 114, 183]);
/**
 * Subblock modes (RFC 6386 §11.2): B_DC_PRED 0, B_TM_PRED 1, B_VE_PRED 2, B_HE_PRED 3, B_LD_PRED 4,
 * B_RD_PRED 5, B_VR_PRED 6, B_VL_PRED 7, B_HD_PRED 8, B_HU_PRED 9; probabilities by the modes above
 * and left (KEY_FRAME_SUBBLOCK_MODE_PROBS, 10 × 10 × 9).
 */
const SUBBLOCK_MODE_TREE = new Int8Array([-1, 2, -2, 4, -3, 6, 8, 12, -4, 10, -6, -7, -5, 14, -8, 16, -9, -10]);
/** The subblock mode a whole-block luma mode stands for in its neighbours' contexts: DC, V, H, TM → B_DC, B_VE, B_HE, B_TM. */
const IMPLIED_SUBBLOCK_MODES = 0x1320; // 4 bits each, by luma mode

// The fields, in the order they are read.
const SEGMENT = 0;
const SKIP = 1;
const Y_MODE = 2;
const SUBBLOCK = 3;
const UV_MODE = 4;

/**
 * Reads macroblock column `mbx`'s header from `br`: its segment (with `segmentProbs` when the frame
 * updates the segment map, else 0), skip flag (`skipProb` 0..255, or -1: none), luma mode, the 16
 * subblock modes into `subModes` when that is B_PRED, and chroma mode; updates the subblock mode
 * contexts `aboveModes` (4 per column) and `leftModes` (4). Returns segment | skip << 2 | yMode << 3 |
 * uvMode << 6.
 */
export function readModes(
  br: BoolDecoder,
  segmentProbs: Uint8Array | undefined,
  skipProb: number,
  mbx: number,
  subModes: Uint8Array,
  aboveModes: Uint8Array,
  leftModes: Uint8Array,
): number {
  const data = br.data;
  const end = br.end;
  let position = br.position;
  let padding = br.padding;
  let window = br.value >> br.bitCount;
  let bits = 8 - br.bitCount;
  let rangeLess = br.range - 1;
  let split = 0;
  let shift = 0;
  let bit = 0;

  let field = segmentProbs ? SEGMENT : skipProb >= 0 ? SKIP : Y_MODE;
  let tree = field === SEGMENT ? SEGMENT_TREE : field === SKIP ? SKIP_TREE : Y_MODE_TREE;
  let probs = segmentProbs ?? Y_MODE_PROBS;
  let at = 0;
  let node = 0;
  let segment = 0;
  let skip = 0;
  let yMode = 0;
  let block = 0;
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
    split = (rangeLess * (field === SKIP ? skipProb : probs[at + (node >> 1)]!)) >> 8;
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

    node = tree[node + bit]!;
    if (node >= 0) continue;
    const leaf = -1 - node;
    node = 0;
    if (field === SUBBLOCK) {
      subModes[block] = leaf;
      if (++block === 16) {
        for (let i = 0; i < 4; i++) {
          aboveModes[mbx * 4 + i] = subModes[12 + i]!;
          leftModes[i] = subModes[i * 4 + 3]!;
        }
        field = UV_MODE;
        tree = UV_MODE_TREE;
        probs = UV_MODE_PROBS;
        at = 0;
      } else {
        at = subblockContext(block, mbx, subModes, aboveModes, leftModes);
      }
    } else if (field === SEGMENT) {
      segment = leaf;
      field = skipProb >= 0 ? SKIP : Y_MODE;
      tree = skipProb >= 0 ? SKIP_TREE : Y_MODE_TREE;
      probs = Y_MODE_PROBS;
    } else if (field === SKIP) {
      skip = leaf;
      field = Y_MODE;
      tree = Y_MODE_TREE;
    } else if (field === Y_MODE) {
      yMode = leaf;
      if (yMode === B_PRED) {
        field = SUBBLOCK;
        tree = SUBBLOCK_MODE_TREE;
        probs = KEY_FRAME_SUBBLOCK_MODE_PROBS;
        block = 0;
        at = subblockContext(0, mbx, subModes, aboveModes, leftModes);
      } else {
        const implied = (IMPLIED_SUBBLOCK_MODES >> (yMode << 2)) & 15;
        aboveModes.fill(implied, mbx * 4, mbx * 4 + 4);
        leftModes.fill(implied);
        field = UV_MODE;
        tree = UV_MODE_TREE;
        probs = UV_MODE_PROBS;
      }
    } else {
      br.leaveWindow(window, bits, rangeLess, position, padding);
      return segment | (skip << 2) | (yMode << 3) | (leaf << 6);
    }
  }
}

/** Where subblock `b`'s probabilities start in KEY_FRAME_SUBBLOCK_MODE_PROBS: by the modes above and left of it. */
function subblockContext(b: number, mbx: number, subModes: Uint8Array, aboveModes: Uint8Array, leftModes: Uint8Array): number {
  const above = b < 4 ? aboveModes[mbx * 4 + b]! : subModes[b - 4]!;
  const left = (b & 3) === 0 ? leftModes[b >> 2]! : subModes[b - 1]!;
  return (above * 10 + left) * 9;
}
