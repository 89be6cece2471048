// YUV 4:2:0 → RGB for VP8 frames.
//
// Chroma upsampling: "fancy" (bilinear) upsampling, what libwebp — hence sharp, browsers — does by
// default. Chroma sample j sits between luma pixels 2j and 2j+1; a luma pixel takes its nearest chroma
// sample n, the neighbours across the nearer edge horizontally (h) and vertically (v), and the
// diagonal one (d), clamped at the plane's borders, weighted 9:3:3:1 in two rounding steps:
//   c = (((n + 3h + 3v + d + 8) >> 3) + n) >> 1
// Colour: BT.601 limited range ("studio swing"), in 14-bit fixed point:
//   R = (298.082·Y + 408.583·V) / 256 − 222.921
//   G = (298.082·Y − 100.291·U − 208.120·V) / 256 + 135.576
//   B = (298.082·Y + 516.412·U) / 256 − 276.836
// computed as (⌊Y·19077/256⌋ + ⌊V·26149/256⌋ − 14234) >> 6 etc., clamped to 0..255.
// No allocation: one row at a time into the caller's RGBA buffer.

function clampShift(v: number): number {
  return v < 0 ? 0 : v >= 16384 ? 255 : v >> 6;
}

/** Row `row` of a width × height frame as RGBA (alpha 255). */
export function yuvRowToRgba(
  yPlane: Uint8Array,
  uPlane: Uint8Array,
  vPlane: Uint8Array,
  yStride: number,
  uvStride: number,
  width: number,
  height: number,
  row: number,
  rgba: Uint8Array,
): void {
  const chromaHeight = (height + 1) >> 1;
  const chromaWidth = (width + 1) >> 1;
  const near = row >> 1;
  // Even rows lean on the chroma row above, odd rows on the one below.
  let other = row & 1 ? near + 1 : near - 1;
  if (other < 0) other = 0;
  if (other >= chromaHeight) other = chromaHeight - 1;
  const nearRow = near * uvStride;
  const otherRow = other * uvStride;
  const lumaRow = row * yStride;
  for (let x = 0; x < width; x++) {
    const nx = x >> 1;
    let hx = x & 1 ? nx + 1 : nx - 1;
    if (hx < 0) hx = 0;
    if (hx >= chromaWidth) hx = chromaWidth - 1;
    // The formulas above, written out: this loop runs once per pixel, and calls are dear in XS.
    const un = uPlane[nearRow + nx]!;
    const vn = vPlane[nearRow + nx]!;
    const u = (((un + 3 * uPlane[nearRow + hx]! + 3 * uPlane[otherRow + nx]! + uPlane[otherRow + hx]! + 8) >> 3) + un) >> 1;
    const v = (((vn + 3 * vPlane[nearRow + hx]! + 3 * vPlane[otherRow + nx]! + vPlane[otherRow + hx]! + 8) >> 3) + vn) >> 1;
    const luma = (yPlane[lumaRow + x]! * 19077) >> 8;
    const at = x * 4;
    rgba[at] = clampShift(luma + ((v * 26149) >> 8) - 14234);
    rgba[at + 1] = clampShift(luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708);
    rgba[at + 2] = clampShift(luma + ((u * 33050) >> 8) - 17685);
    rgba[at + 3] = 255;
  }
}

