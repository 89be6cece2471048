// The PngKernels port (src/ports.ts) over the PNG kernels of hosts/moddable/native (png_kernels.c through
// the XS binding png_kernels_xs.c). Takes the host functions as a parameter, so the same code runs in a
// Moddable app (art-kernels.ts binds them with native(...)) and in the SDK's xst with the kernels linked
// in (the device-time bench and the equivalence test, where they are the global `pngNatives`).
// One call per scanline (unfilter) and per chunk piece (CRC); buffers are looked up on each call and
// never kept. An unknown filter type comes back as false, and png-rows.ts throws the TypeScript path's
// error.

import type { PngKernels } from "../../src/ports.js";

/** The host functions of png_kernels_xs.c (names as in test/native/png_xst.c). */
export interface PngNatives {
  pngUnfilter(row: Uint8Array, above: Uint8Array, length: number, step: number): boolean;
  pngCrc32(crc: number, bytes: Uint8Array, start: number, end: number): number;
}

export function nativePngKernels(natives: PngNatives): PngKernels {
  const { pngUnfilter, pngCrc32 } = natives;
  return Object.freeze({
    unfilter: (row: Uint8Array, above: Uint8Array, length: number, step: number): boolean => pngUnfilter(row, above, length, step),
    crc32Update: (crc: number, bytes: Uint8Array, start: number, end: number): number => pngCrc32(crc, bytes, start, end),
  });
}
