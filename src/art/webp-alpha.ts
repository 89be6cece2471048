// The ALPH chunk of a lossy WebP frame (RFC 9649 §2.7.1.2 "Alpha"): a header byte (pre-processing,
// filtering method, compression), then width × height alpha values, raw or as a headerless VP8L
// stream whose green channel carries them; then the spatial filter is undone.
// Memory: the alpha plane (w × h bytes, the caller's) and, for VP8L alpha, the ARGB buffer the caller
// lends (w × h × 4 bytes).

import { ImageDecodeError } from "./image.js";
import type { LosslessDecoder } from "./webp-lossless.js";

const NONE = 0;
const HORIZONTAL = 1;
const VERTICAL = 2;

/**
 * Decodes the ALPH chunk into the plane `planeBuffer` lends (w × h bytes) and returns it; or, for a
 * VP8L stream without a spatial filter, leaves the values in the green channel of the ARGB buffer
 * (bits 8..15) and returns undefined, so that the RGBA row loop reads them there (a pass over w × h
 * pixels less, and no plane: what encoders write for lossy art with alpha).
 */
export function decodeAlpha(
  chunk: Uint8Array,
  length: number,
  width: number,
  height: number,
  planeBuffer: () => Uint8Array,
  argbBuffer: () => Int32Array,
  lossless: LosslessDecoder,
): Uint8Array | undefined {
  if (length < 1) throw new ImageDecodeError("corrupt", "empty ALPH chunk");
  const header = chunk[0]!;
  const compression = header & 3;
  const filter = (header >> 2) & 3;
  const count = width * height;
  let plane: Uint8Array;
  if (compression === 0) {
    if (length - 1 < count) throw new ImageDecodeError("corrupt", `ALPH holds ${length - 1} raw values for ${count} pixels`);
    plane = planeBuffer();
    plane.set(chunk.subarray(1, 1 + count));
  } else if (compression === 1) {
    const argb = argbBuffer();
    lossless.decode(chunk, 1, length, width, height, argb, true);
    if (filter === NONE) return undefined;
    plane = planeBuffer();
    for (let i = 0; i < count; i++) plane[i] = argb[i]! >> 8;
  } else {
    throw new ImageDecodeError("corrupt", `ALPH compression method ${compression}`);
  }
  if (filter !== NONE) unfilter(plane, width, height, filter);
  return plane;
}

function unfilter(plane: Uint8Array, width: number, height: number, filter: number): void {
  // Top row: each value is predicted by its left neighbour (the first one by 0).
  for (let x = 1; x < width; x++) plane[x] = plane[x]! + plane[x - 1]!;
  for (let y = 1; y < height; y++) {
    const row = y * width;
    const above = row - width;
    plane[row] = plane[row]! + plane[above]!; // left column: the value above
    if (filter === HORIZONTAL) {
      for (let x = 1; x < width; x++) plane[row + x] = plane[row + x]! + plane[row + x - 1]!;
    } else if (filter === VERTICAL) {
      for (let x = 1; x < width; x++) plane[row + x] = plane[row + x]! + plane[above + x]!;
    } else {
      for (let x = 1; x < width; x++) {
        const gradient = plane[row + x - 1]! + plane[above + x]! - plane[above + x - 1]!;
        plane[row + x] = plane[row + x]! + (gradient < 0 ? 0 : gradient > 255 ? 255 : gradient);
      }
    }
  }
}
