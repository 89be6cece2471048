// Zero-length stand-ins for the WebP decoders' buffers that are made later, once the image's size is
// known: one set for all the decoders' modules, not one per object (in V8 each typed array costs an
// allocation, empty or not; a decoder per image made a dozen). Nothing can be stored in them, so they
// are safe to preload (read-only in flash on the device).

export const NO_BYTES = new Uint8Array(0);
export const NO_PIXELS = new Uint8ClampedArray(0);
export const NO_WORDS = new Int32Array(0);
export const NO_ROW = new Uint32Array(0);
