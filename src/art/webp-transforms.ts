// Inverse VP8L transforms (RFC 9649 §4), in place on ARGB pixels (0xAARRGGBB) in an Int32Array.
// Pixels are signed 32-bit values: XS keeps them as integers (a Uint32Array hands out opaque pixels,
// 2^31 and up, as doubles, and every operation on them converts). For the same reason the mask
// 0xff00ff00 is written as the int32 -16711936.
// No allocation: each function walks the image once.

/** Per-byte sum modulo 256 of two ARGB pixels. */
function addPixels(a: number, b: number): number {
  return (((a & -16711936) + (b & -16711936)) & -16711936) | (((a & 0x00ff00ff) + (b & 0x00ff00ff)) & 0x00ff00ff);
}

/** Per-byte floor average. */
function average2(a: number, b: number): number {
  return (((a ^ b) & 0xfefefefe) >>> 1) + (a & b);
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function select(left: number, top: number, topLeft: number): number {
  // Manhattan distance of the gradient estimate L + T - TL to L and to T; the sum per channel
  // simplifies to |T - TL| (for L) and |L - TL| (for T).
  let toLeft = 0;
  let toTop = 0;
  for (let shift = 0; shift < 32; shift += 8) {
    const l = (left >>> shift) & 0xff;
    const t = (top >>> shift) & 0xff;
    const tl = (topLeft >>> shift) & 0xff;
    toLeft += Math.abs(t - tl);
    toTop += Math.abs(l - tl);
  }
  return toLeft < toTop ? left : top;
}

function clampAddSubtractFull(a: number, b: number, c: number): number {
  let out = 0;
  for (let shift = 0; shift < 32; shift += 8) {
    out |= clamp255(((a >>> shift) & 0xff) + ((b >>> shift) & 0xff) - ((c >>> shift) & 0xff)) << shift;
  }
  return out;
}

function clampAddSubtractHalf(a: number, b: number): number {
  let out = 0;
  for (let shift = 0; shift < 32; shift += 8) {
    const ac = (a >>> shift) & 0xff;
    const bc = (b >>> shift) & 0xff;
    out |= clamp255(ac + (((ac - bc) / 2) | 0)) << shift;
  }
  return out;
}

// Per-byte sums below are addPixels written out (a call per pixel is dear in XS).

/**
 * Undoes the predictor transform. Runs block by block, with the mode's own loop, so that a pixel costs
 * its residual read, one read of the row above and one write (the left neighbour stays in a local).
 */
export function inversePredictor(px: Int32Array, base: number, width: number, height: number, bits: number, modes: Int32Array): void {
  const blocksWide = (width + (1 << bits) - 1) >> bits;
  // Top row: the first pixel is predicted by opaque black, the others by their left neighbour.
  let left = addPixels(px[base]!, 0xff000000 | 0);
  px[base] = left;
  for (let at = base + 1; at < base + width; at++) {
    const r = px[at]!;
    left = (((r & -16711936) + (left & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (left & 0x00ff00ff)) & 0x00ff00ff);
    px[at] = left;
  }
  for (let y = 1; y < height; y++) {
    const row = base + y * width;
    left = addPixels(px[row]!, px[row - width]!); // left column: the pixel above
    px[row] = left;
    const modeRow = (y >> bits) * blocksWide;
    for (let x = 1; x < width; ) {
      const mode = (modes[modeRow + (x >> bits)]! >> 8) & 0x0f;
      let blockEnd = ((x >> bits) + 1) << bits;
      if (blockEnd > width) blockEnd = width;
      let at = row + x;
      const end = row + blockEnd;
      x = blockEnd;
      // Each mode its own loop; for the last column, "top-right" is the first pixel of this row (the
      // next in memory). `top` and `topLeft` slide along the row above where the mode needs them.
      let topLeft = px[at - width - 1]!;
      let top = px[at - width]!;
      switch (mode) {
        case 1:
          for (; at < end; at++) {
            const p = left;
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
          }
          break;
        case 2:
          // Top: no pixel of the block depends on another, four a loop turn (V8 checks the array
          // once per turn; XS runs the loop's bytecodes once per four pixels); `left` is the last.
          for (; at + 4 <= end; at += 4) {
            let p = px[at - width]!;
            let r = px[at]!;
            px[at] = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            p = px[at + 1 - width]!;
            r = px[at + 1]!;
            px[at + 1] = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            p = px[at + 2 - width]!;
            r = px[at + 2]!;
            px[at + 2] = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            p = px[at + 3 - width]!;
            r = px[at + 3]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at + 3] = left;
          }
          for (; at < end; at++) {
            const p = px[at - width]!;
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
          }
          break;
        case 3:
          for (; at < end; at++) {
            const topRight = px[at - width + 1]!;
            const p = topRight;
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
            top = topRight;
          }
          break;
        case 4:
          for (; at < end; at++) {
            const above = px[at - width]!;
            const p = topLeft;
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
            topLeft = above;
          }
          break;
        case 5:
          for (; at < end; at++) {
            const topRight = px[at - width + 1]!;
            const p = average2(average2(left, topRight), top);
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
            top = topRight;
          }
          break;
        case 6:
          for (; at < end; at++) {
            const above = px[at - width]!;
            const p = average2(left, topLeft);
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
            topLeft = above;
          }
          break;
        case 7:
          for (; at < end; at++) {
            const top = px[at - width]!;
            const p = average2(left, top);
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
          }
          break;
        case 8:
          for (; at < end; at++) {
            const above = px[at - width]!;
            const p = average2(topLeft, above);
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
            topLeft = above;
          }
          break;
        case 9:
          for (; at < end; at++) {
            const topRight = px[at - width + 1]!;
            const p = average2(top, topRight);
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
            top = topRight;
          }
          break;
        case 10:
          for (; at < end; at++) {
            const topRight = px[at - width + 1]!;
            const p = average2(average2(left, topLeft), average2(top, topRight));
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
            topLeft = top;
            top = topRight;
          }
          break;
        case 11:
          for (; at < end; at++) {
            const above = px[at - width]!;
            const p = select(left, above, topLeft);
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
            topLeft = above;
          }
          break;
        case 12:
          for (; at < end; at++) {
            const above = px[at - width]!;
            const p = clampAddSubtractFull(left, above, topLeft);
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
            topLeft = above;
          }
          break;
        case 13:
          for (; at < end; at++) {
            const above = px[at - width]!;
            const p = clampAddSubtractHalf(average2(left, above), topLeft);
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
            topLeft = above;
          }
          break;
        default: // modes 0, and 14/15 (not defined): opaque black
          for (; at < end; at++) {
            const p = -16777216; // 0xff000000
            const r = px[at]!;
            left = (((r & -16711936) + (p & -16711936)) & -16711936) | (((r & 0x00ff00ff) + (p & 0x00ff00ff)) & 0x00ff00ff);
            px[at] = left;
          }
      }
    }
  }
}

/** ColorTransformDelta: signed 8-bit × signed 8-bit, >> 5. */
function delta(t: number, c: number): number {
  return (((t << 24) >> 24) * ((c << 24) >> 24)) >> 5;
}

export function inverseColourTransform(px: Int32Array, base: number, width: number, height: number, bits: number, elements: Int32Array): void {
  const blocksWide = (width + (1 << bits) - 1) >> bits;
  for (let y = 0; y < height; y++) {
    const row = base + y * width;
    const elementRow = (y >> bits) * blocksWide;
    for (let x = 0; x < width; x++) {
      const element = elements[elementRow + (x >> bits)]!;
      const greenToRed = element & 0xff;
      const greenToBlue = (element >> 8) & 0xff;
      const redToBlue = (element >> 16) & 0xff;
      const pixel = px[row + x]!;
      const green = (pixel >> 8) & 0xff;
      const red = (((pixel >> 16) & 0xff) + delta(greenToRed, green)) & 0xff;
      const blue = ((pixel & 0xff) + delta(greenToBlue, green) + delta(redToBlue, red)) & 0xff;
      px[row + x] = (pixel & -16711936) | (red << 16) | blue;
    }
  }
}

export function inverseSubtractGreen(px: Int32Array, base: number, count: number): void {
  for (let i = base; i < base + count; i++) {
    const pixel = px[i]!;
    const green = (pixel >> 8) & 0xff;
    px[i] = (pixel & -16711936) | ((((pixel & 0x00ff00ff) + ((green << 16) | green)) & 0x00ff00ff));
  }
}

/**
 * Colour indexing: the green channel indexes `table` (256 entries, zero past the table's size, so
 * an index beyond it gives transparent black). With bundling, 2^bits pixels share one source pixel
 * and the image widens from ⌈width / 2^bits⌉ to `width`: the source at `base` (the tail of `px`)
 * expands to offset 0 in the same array; every source pixel is read before it is overwritten.
 */
export function inverseColourIndexing(px: Int32Array, base: number, width: number, height: number, bits: number, table: Int32Array): void {
  if (bits === 0) {
    for (let i = 0; i < width * height; i++) px[i] = table[(px[base + i]! >> 8) & 0xff]!;
    return;
  }
  const packedWidth = (width + (1 << bits) - 1) >> bits;
  const perPixel = 8 >> bits;
  const mask = (1 << perPixel) - 1;
  const lastInPack = (1 << bits) - 1;
  for (let y = 0; y < height; y++) {
    const source = base + y * packedWidth;
    const target = y * width;
    let packed = 0;
    for (let x = 0; x < width; x++) {
      if ((x & lastInPack) === 0) packed = px[source + (x >> bits)]! >> 8;
      px[target + x] = table[packed & mask]!;
      packed >>= perPixel;
    }
  }
}
