// VP8 macroblock reconstruction (RFC 6386 §12, §14): the edges gathered, each block predicted and its
// residue added, for the 16×16 luma and both 8×8 chroma blocks of one macroblock. Behind
// WebpKernels.reconstruct (src/ports.ts): this is the TypeScript twin, moved out of LossyDecoder.

import { B_PRED, addInverseDc, addInverseDct, predictBlock, predictSubblock } from "./webp-lossy-predict.js";

/** Coefficient storage of one macroblock: 16 Y blocks, 4 U, 4 V, 16 values each. */
const U_BLOCKS = 16 * 16;
const V_BLOCKS = 20 * 16;

/**
 * Reconstructs macroblock (mbx, mby) into the planes. `coeffs` holds its dequantised coefficients
 * (Y2 already folded into the Y DCs), `blockAc` per block whether it may have AC coefficients;
 * `above` (21 bytes) and `left` (16) are scratch for the edges.
 */
export function reconstructMacroblock(
  y: Uint8ClampedArray,
  u: Uint8ClampedArray,
  v: Uint8ClampedArray,
  ys: number,
  cs: number,
  mbWide: number,
  mbx: number,
  mby: number,
  yMode: number,
  subModes: Uint8Array,
  uvMode: number,
  coeffs: Int16Array,
  blockAc: Uint8Array,
  above: Uint8Array,
  left: Uint8Array,
): void {
  const yAt = mby * 16 * ys + mbx * 16;
  gatherEdges(y, ys, mbWide, mbx, mby, 16, true, above, left);
  if (yMode === B_PRED) {
    for (let b = 0; b < 16; b++) {
      const bx = b & 3;
      const by = b >> 2;
      const at = yAt + by * 4 * ys + bx * 4;
      predictSubblock(y, at, ys, subModes[b]!, above, left, bx, by);
      addResidue(coeffs, b * 16, y, at, ys, blockAc[b] === 1);
    }
  } else {
    predictBlock(y, yAt, ys, 16, yMode, above, left, mby > 0, mbx > 0);
    for (let b = 0; b < 16; b++) addResidue(coeffs, b * 16, y, yAt + (b >> 2) * 4 * ys + (b & 3) * 4, ys, blockAc[b] === 1);
  }
  const cAt = mby * 8 * cs + mbx * 8;
  for (let plane = 0; plane < 2; plane++) {
    const target = plane === 0 ? u : v;
    gatherEdges(target, cs, mbWide, mbx, mby, 8, false, above, left);
    predictBlock(target, cAt, cs, 8, uvMode, above, left, mby > 0, mbx > 0);
    const base = plane === 0 ? U_BLOCKS : V_BLOCKS;
    for (let b = 0; b < 4; b++) addResidue(coeffs, base + b * 16, target, cAt + (b >> 1) * 4 * cs + (b & 1) * 4, cs, blockAc[16 + plane * 4 + b] === 1);
  }
}

/**
 * Fills `above` (corner, row above, and for luma 4 above-right pixels) and `left` for a macroblock,
 * with 127 above the frame and 129 left of it (RFC 6386 §12.2–12.3).
 */
function gatherEdges(plane: Uint8ClampedArray, stride: number, mbWide: number, mbx: number, mby: number, size: number, luma: boolean, above: Uint8Array, left: Uint8Array): void {
  const x0 = mbx * size;
  const y0 = mby * size;
  const extra = luma ? 4 : 0;
  if (mby === 0) {
    above.fill(127, 0, size + 1 + extra);
  } else {
    const row = (y0 - 1) * stride;
    above[0] = mbx === 0 ? 129 : plane[row + x0 - 1]!;
    for (let i = 0; i < size; i++) above[1 + i] = plane[row + x0 + i]!;
    if (luma) {
      const last = mbx === mbWide - 1;
      for (let i = 0; i < 4; i++) above[17 + i] = last ? plane[row + x0 + 15]! : plane[row + x0 + 16 + i]!;
    }
  }
  if (mbx === 0) left.fill(129, 0, size);
  else for (let i = 0; i < size; i++) left[i] = plane[(y0 + i) * stride + x0 - 1]!;
}

/** Adds a block's residue: the full inverse DCT when it may have AC coefficients, else the DC shortcut or nothing. */
function addResidue(coeffs: Int16Array, from: number, plane: Uint8ClampedArray, at: number, stride: number, hasAc: boolean): void {
  if (hasAc) addInverseDct(coeffs, from, plane, at, stride);
  else if (coeffs[from] !== 0) addInverseDc(coeffs[from]!, plane, at, stride);
}
