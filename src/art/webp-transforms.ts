// Inverse VP8L transforms (RFC 9649 §4), in place on ARGB pixels (0xAARRGGBB) in a Uint32Array.
// Pixels are read and written as signed 32-bit values; stores into the Uint32Array wrap them back.
// No allocation: each function walks the image once.

/** Per-byte sum modulo 256 of two ARGB pixels. */
function addPixels(a: number, b: number): number {
  return (((a & 0xff00ff00) + (b & 0xff00ff00)) & 0xff00ff00) | (((a & 0x00ff00ff) + (b & 0x00ff00ff)) & 0x00ff00ff);
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

function predict(mode: number, left: number, top: number, topRight: number, topLeft: number): number {
  switch (mode) {
    case 1:
      return left;
    case 2:
      return top;
    case 3:
      return topRight;
    case 4:
      return topLeft;
    case 5:
      return average2(average2(left, topRight), top);
    case 6:
      return average2(left, topLeft);
    case 7:
      return average2(left, top);
    case 8:
      return average2(topLeft, top);
    case 9:
      return average2(top, topRight);
    case 10:
      return average2(average2(left, topLeft), average2(top, topRight));
    case 11:
      return select(left, top, topLeft);
    case 12:
      return clampAddSubtractFull(left, top, topLeft);
    case 13:
      return clampAddSubtractHalf(average2(left, top), topLeft);
    default:
      return 0xff000000 | 0; // modes 0, and 14/15 (not defined) as 0
  }
}

export function inversePredictor(px: Uint32Array, base: number, width: number, height: number, bits: number, modes: Uint32Array): void {
  const blocksWide = (width + (1 << bits) - 1) >> bits;
  // Top row: the first pixel is predicted by opaque black, the others by their left neighbour.
  px[base] = addPixels(px[base]!, 0xff000000 | 0);
  for (let x = 1; x < width; x++) px[base + x] = addPixels(px[base + x]!, px[base + x - 1]!);
  for (let y = 1; y < height; y++) {
    const row = base + y * width;
    px[row] = addPixels(px[row]!, px[row - width]!); // left column: the pixel above
    const modeRow = (y >> bits) * blocksWide;
    for (let x = 1; x < width; x++) {
      const mode = (modes[modeRow + (x >> bits)]! >> 8) & 0x0f;
      const at = row + x;
      // For the last column, "top-right" is the first pixel of this row (the next in memory).
      const prediction = predict(mode, px[at - 1]!, px[at - width]!, px[at - width + 1]!, px[at - width - 1]!);
      px[at] = addPixels(px[at]!, prediction);
    }
  }
}

/** ColorTransformDelta: signed 8-bit × signed 8-bit, >> 5. */
function delta(t: number, c: number): number {
  return (((t << 24) >> 24) * ((c << 24) >> 24)) >> 5;
}

export function inverseColourTransform(px: Uint32Array, base: number, width: number, height: number, bits: number, elements: Uint32Array): void {
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
      px[row + x] = (pixel & 0xff00ff00) | (red << 16) | blue;
    }
  }
}

export function inverseSubtractGreen(px: Uint32Array, base: number, count: number): void {
  for (let i = base; i < base + count; i++) {
    const pixel = px[i]!;
    const green = (pixel >> 8) & 0xff;
    px[i] = (pixel & 0xff00ff00) | ((((pixel & 0x00ff00ff) + ((green << 16) | green)) & 0x00ff00ff));
  }
}

/**
 * Colour indexing: the green channel indexes `table` (256 entries, zero past the table's size, so
 * an index beyond it gives transparent black). With bundling, 2^bits pixels share one source pixel
 * and the image widens from ⌈width / 2^bits⌉ to `width`: the source at `base` (the tail of `px`)
 * expands to offset 0 in the same array; every source pixel is read before it is overwritten.
 */
export function inverseColourIndexing(px: Uint32Array, base: number, width: number, height: number, bits: number, table: Uint32Array): void {
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
