// The GIF decoder's per-pixel kernels in TypeScript: the portable default and the oracle of the native
// twins (hosts/moddable/native/art_kernels.c; docs/native-kernels.md).

import type { GifKernels } from "../ports.js";
import { LzwDecoder } from "./lzw.js";

export const tsGifKernels: GifKernels = Object.freeze({
  createLzw: () => new LzwDecoder(),
  palette(table: Uint8Array, transparent: number, colours: Uint32Array): void {
    const bytes = new Uint8Array(colours.buffer, colours.byteOffset, 1024);
    for (let i = 0, p = 0, o = 0; i < 256; i++, p += 3, o += 4) {
      bytes[o] = table[p]!;
      bytes[o + 1] = table[p + 1]!;
      bytes[o + 2] = table[p + 2]!;
      bytes[o + 3] = 255;
    }
    if (transparent >= 0 && transparent < 256) colours[transparent] = 0;
  },
  expand(indices: Uint8Array, count: number, colours: Uint32Array, rgba: Uint32Array): void {
    // A pixel is one 32-bit store.
    for (let i = 0; i < count; i++) rgba[i] = colours[indices[i]!]!;
  },
});
