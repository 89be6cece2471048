// The BmpKernels port (src/ports.ts) over the BMP kernels of hosts/moddable/native (bmp_kernels.c through
// the XS binding bmp_kernels_xs.c). Takes the host functions as a parameter, so the same code runs in a
// Moddable app (art-kernels.ts binds them with native(...)) and in the SDK's xst with the kernels linked
// in (the device-time bench and the equivalence test, where they are the global `bmpNatives`).
// One call per row; buffers are looked up on each call and never kept. A palette index beyond the
// palette comes back as the index, and bmp.ts throws the TypeScript path's error.

import type { BmpKernels } from "../../src/ports.js";

/** The host functions of bmp_kernels_xs.c (names as in test/native/art_kernels_xst.c). */
export interface BmpNatives {
  bmpByteRow(row: Uint8Array, rgba: Uint8Array, width: number, bytesPerPixel: number, hasAlpha: boolean): void;
  /** `masks`: the buffer of a whole Uint32Array of 4 (the binding maps byte views only). */
  bmpFieldRow(row: Uint8Array, rgba: Uint8Array, width: number, bytesPerPixel: number, masks: ArrayBufferLike): void;
  bmpIndexedRow(row: Uint8Array, rgba: Uint8Array, width: number, bitsPerPixel: number, palette: Uint8Array, entryBytes: number, entries: number): number;
}

export function nativeBmpKernels(natives: BmpNatives): BmpKernels {
  const { bmpByteRow, bmpFieldRow, bmpIndexedRow } = natives;
  return Object.freeze({
    byteRow: (row: Uint8Array, rgba: Uint8Array, width: number, bytesPerPixel: number, hasAlpha: boolean): void => bmpByteRow(row, rgba, width, bytesPerPixel, hasAlpha),
    fieldRow(row: Uint8Array, rgba: Uint8Array, width: number, bytesPerPixel: number, masks: Uint32Array): void {
      if (masks.byteOffset !== 0 || masks.length !== 4) throw new RangeError("BMP kernel masks must be a whole Uint32Array of 4");
      bmpFieldRow(row, rgba, width, bytesPerPixel, masks.buffer);
    },
    indexedRow: (row: Uint8Array, rgba: Uint8Array, width: number, bitsPerPixel: number, palette: Uint8Array, entryBytes: number, entries: number): number =>
      bmpIndexedRow(row, rgba, width, bitsPerPixel, palette, entryBytes, entries),
  });
}
