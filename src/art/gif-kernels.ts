// The GIF decoder's per-pixel kernels in TypeScript: the portable default and the oracle of the native
// twins (hosts/moddable/native/art_kernels.c; docs/native-kernels.md).

import type { GifKernels } from "../ports.js";
import { LzwDecoder } from "./lzw.js";

export const tsGifKernels: GifKernels = Object.freeze({
  createLzw: () => new LzwDecoder(),
  expand(indices: Uint8Array, count: number, colours: Uint32Array, rgba: Uint32Array): void {
    // A pixel is one 32-bit store.
    for (let i = 0; i < count; i++) rgba[i] = colours[indices[i]!]!;
  },
});
