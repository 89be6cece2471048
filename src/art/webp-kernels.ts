// The WebP decoder's per-row kernels in TypeScript: the portable default and the oracle of the native
// twins (hosts/moddable/native/webp_kernels.c; docs/native-kernels.md). The loops are the ones that
// were inline in webp.ts, webp-yuv.ts and webp-lossy.ts (the loop filter's macroblock row, a macroblock's
// reconstruction), unchanged.

import type { WebpKernels } from "../ports.js";
import { filterMacroblock } from "./webp-lossy-filter.js";
import { reconstructMacroblock } from "./webp-lossy-reconstruct.js";
import { LITTLE_ENDIAN, swapWords, yuvRowPairToRgba } from "./webp-yuv.js";

export const tsWebpKernels: WebpKernels = Object.freeze({
  argbRow(argb: Int32Array, at: number, width: number, words: Uint32Array): void {
    // ARGB → RGBA bytes, a word at a time (R and B trade places; -16711936 is 0xff00ff00 as an int32):
    // one read and one write per pixel, where XS pays a host call for each typed-array element.
    let x = 0;
    for (; x + 2 <= width; x += 2, at += 2) {
      let pixel = argb[at]!;
      words[x] = (pixel & -16711936) | ((pixel >>> 16) & 0xff) | ((pixel & 0xff) << 16);
      pixel = argb[at + 1]!;
      words[x + 1] = (pixel & -16711936) | ((pixel >>> 16) & 0xff) | ((pixel & 0xff) << 16);
    }
    if (x < width) {
      const pixel = argb[at]!;
      words[x] = (pixel & -16711936) | ((pixel >>> 16) & 0xff) | ((pixel & 0xff) << 16);
    }
    if (!LITTLE_ENDIAN) swapWords(words, width);
  },
  paletteRow(argb: Int32Array, at: number, width: number, palette: Int32Array, words: Uint32Array): void {
    // Four pixels a turn: the loop's own bytecodes cost as much as a pixel's lookup in XS.
    let x = 0;
    for (; x + 4 <= width; x += 4, at += 4) {
      words[x] = palette[(argb[at]! >> 8) & 0xff]!;
      words[x + 1] = palette[(argb[at + 1]! >> 8) & 0xff]!;
      words[x + 2] = palette[(argb[at + 2]! >> 8) & 0xff]!;
      words[x + 3] = palette[(argb[at + 3]! >> 8) & 0xff]!;
    }
    for (; x < width; x++, at++) words[x] = palette[(argb[at]! >> 8) & 0xff]!;
  },
  yuvRowPair: yuvRowPairToRgba,
  filterRow(
    y: Uint8ClampedArray,
    u: Uint8ClampedArray,
    v: Uint8ClampedArray,
    yStride: number,
    uvStride: number,
    mbWide: number,
    mby: number,
    levels: Uint8Array,
    inner: Uint8Array,
    sharpness: number,
    simple: boolean,
  ): void {
    const planes = { y, u, v, yStride, uvStride };
    for (let mbx = 0; mbx < mbWide; mbx++) {
      const mb = mby * mbWide + mbx;
      const level = levels[mb]!;
      let interior = level;
      if (sharpness > 0) {
        interior >>= sharpness > 4 ? 2 : 1;
        if (interior > 9 - sharpness) interior = 9 - sharpness;
      }
      if (interior < 1) interior = 1;
      const hevThreshold = level >= 40 ? 2 : level >= 15 ? 1 : 0;
      filterMacroblock(planes, mbx, mby, level, interior, hevThreshold, inner[mb] === 1, simple);
    }
  },
  reconstruct: reconstructMacroblock,
});
