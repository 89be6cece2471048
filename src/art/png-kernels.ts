// The PNG decoder's kernels in TypeScript: the portable default and the oracle of the native twins
// (hosts/moddable/native/png_kernels.c; docs/native-kernels.md). The scanline filters are the loops that
// were inline in png-rows.ts; the CRC is src/art/crc32.ts's.

import type { PngKernels } from "../ports.js";
import { crc32Update } from "./crc32.js";

export const tsPngKernels: PngKernels = Object.freeze({
  unfilter(row: Uint8Array, above: Uint8Array, length: number, step: number): boolean {
    const firstFull = Math.min(1 + step, length);
    switch (row[0]) {
      case 0:
        return true;
      case 1: // sub
        for (let i = firstFull; i < length; i++) row[i] = row[i]! + row[i - step]!;
        return true;
      case 2: // up
        for (let i = 1; i < length; i++) row[i] = row[i]! + above[i]!;
        return true;
      case 3: // average
        for (let i = 1; i < firstFull; i++) row[i] = row[i]! + (above[i]! >>> 1);
        for (let i = firstFull; i < length; i++) row[i] = row[i]! + ((row[i - step]! + above[i]!) >>> 1);
        return true;
      case 4: // Paeth
        for (let i = 1; i < firstFull; i++) row[i] = row[i]! + above[i]!; // left and upper-left are 0
        for (let i = firstFull; i < length; i++) {
          const left = row[i - step]!;
          const up = above[i]!;
          const upLeft = above[i - step]!;
          const pa = Math.abs(up - upLeft);
          const pb = Math.abs(left - upLeft);
          const pc = Math.abs(left + up - 2 * upLeft);
          row[i] = row[i]! + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
        }
        return true;
      default:
        return false;
    }
  },
  crc32Update,
});
