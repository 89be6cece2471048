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
// No allocation: one row at a time into the caller's RGBA buffer, written as 32-bit words.
//
// Speed (XS): every typed-array element access is a host call there, so the loop reads each chroma
// sample once (a sliding window of three columns per chroma row) and writes one word per pixel.
// Clamping: one test per pixel, whether any of R, G, B (before >> 6) is outside 0..16383, and only
// then the three clamps (in the bench's photo-like art about a sixth of the pixels need one): XS runs
// one test instead of six (−16 M instructions per 256×256 frame); V8 is about even.

/** Whether a Uint32Array stores its words least significant byte first (x86, Xtensa, ARM: yes). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Row `row` of a width × height frame as RGBA words (R in the lowest byte of memory); alpha 255, or
 * bits `alphaShift` .. + 7 of `alpha[alphaAt + x]` when alpha values are given.
 */
export function yuvRowToRgba(
  yPlane: Uint8ClampedArray,
  uPlane: Uint8ClampedArray,
  vPlane: Uint8ClampedArray,
  yStride: number,
  uvStride: number,
  width: number,
  height: number,
  row: number,
  rgba: Uint32Array,
  alpha: Uint8Array | Int32Array | undefined,
  alphaAt: number,
  alphaShift: number,
): void {
  const chromaHeight = (height + 1) >> 1;
  const lastColumn = ((width + 1) >> 1) - 1;
  const near = row >> 1;
  // Even rows lean on the chroma row above, odd rows on the one below.
  let other = row & 1 ? near + 1 : near - 1;
  if (other < 0) other = 0;
  if (other >= chromaHeight) other = chromaHeight - 1;
  const nearRow = near * uvStride;
  const otherRow = other * uvStride;
  const lumaRow = row * yStride;
  // Per chroma column k, of its near (n) and other (o) samples: "own" = n + 3o + 8, its part in its
  // own pixels, and "far" = 3n + o, its part in the neighbouring column's nearer pixel; so pixel 2j
  // takes ((own_j + far_{j-1}) >> 3 + n_j) >> 1 and pixel 2j + 1 ((own_j + far_{j+1}) >> 3 + n_j) >> 1.
  // A sliding window of columns j - 1, j, j + 1 reads each sample once; left of column 0 is column 0.
  let un = uPlane[nearRow]!;
  let vn = vPlane[nearRow]!;
  const uo = uPlane[otherRow]!;
  const vo = vPlane[otherRow]!;
  let uOwn = un + 3 * uo + 8;
  let vOwn = vn + 3 * vo + 8;
  let uFar = 3 * un + uo;
  let vFar = 3 * vn + vo;
  let uFarPrev = uFar;
  let vFarPrev = vFar;
  let a = 255;
  let x = 0;
  // Columns with a right neighbour, both of their pixels inside the row (2j + 1 < width): no per-pixel
  // tests. The last column, its own right neighbour, follows the loop.
  // Two columns a turn (V8 checks each typed array once per loop turn, and XS runs the loop's own
  // bytecodes once per four pixels), then the odd column left, if any.
  let next = 1;
  for (; next < lastColumn; next += 2, x += 4) {
    {
      const unNext = uPlane[nearRow + next]!;
      const uoNext = uPlane[otherRow + next]!;
      const vnNext = vPlane[nearRow + next]!;
      const voNext = vPlane[otherRow + next]!;
      const uFarNext = 3 * unNext + uoNext;
      const vFarNext = 3 * vnNext + voNext;
      // Pixels 2j and 2j + 1 written out: this loop runs once per two pixels, and calls are dear in XS.
      let u = (((uOwn + uFarPrev) >> 3) + un) >> 1;
      let v = (((vOwn + vFarPrev) >> 3) + vn) >> 1;
      let luma = (yPlane[lumaRow + x]! * 19077) >> 8;
      let r = luma + ((v * 26149) >> 8) - 14234;
      let g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
      let b = luma + ((u * 33050) >> 8) - 17685;
      if (alpha) a = (alpha[alphaAt + x]! >> alphaShift) & 0xff;
      if ((r | g | b) & -16384) {
        r = r < 0 ? 0 : r > 16383 ? 16383 : r;
        g = g < 0 ? 0 : g > 16383 ? 16383 : g;
        b = b < 0 ? 0 : b > 16383 ? 16383 : b;
      }
      rgba[x] = (a << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
      u = (((uOwn + uFarNext) >> 3) + un) >> 1;
      v = (((vOwn + vFarNext) >> 3) + vn) >> 1;
      luma = (yPlane[lumaRow + x + 1]! * 19077) >> 8;
      r = luma + ((v * 26149) >> 8) - 14234;
      g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
      b = luma + ((u * 33050) >> 8) - 17685;
      if (alpha) a = (alpha[alphaAt + x + 1]! >> alphaShift) & 0xff;
      if ((r | g | b) & -16384) {
        r = r < 0 ? 0 : r > 16383 ? 16383 : r;
        g = g < 0 ? 0 : g > 16383 ? 16383 : g;
        b = b < 0 ? 0 : b > 16383 ? 16383 : b;
      }
      rgba[x + 1] = (a << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
      uFarPrev = uFar;
      vFarPrev = vFar;
      uFar = uFarNext;
      vFar = vFarNext;
      un = unNext;
      vn = vnNext;
      uOwn = unNext + 3 * uoNext + 8;
      vOwn = vnNext + 3 * voNext + 8;
    }
    {
      const unNext = uPlane[nearRow + next + 1]!;
      const uoNext = uPlane[otherRow + next + 1]!;
      const vnNext = vPlane[nearRow + next + 1]!;
      const voNext = vPlane[otherRow + next + 1]!;
      const uFarNext = 3 * unNext + uoNext;
      const vFarNext = 3 * vnNext + voNext;
      // Pixels 2j and 2j + 1 written out: this loop runs once per two pixels, and calls are dear in XS.
      let u = (((uOwn + uFarPrev) >> 3) + un) >> 1;
      let v = (((vOwn + vFarPrev) >> 3) + vn) >> 1;
      let luma = (yPlane[lumaRow + x + 2]! * 19077) >> 8;
      let r = luma + ((v * 26149) >> 8) - 14234;
      let g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
      let b = luma + ((u * 33050) >> 8) - 17685;
      if (alpha) a = (alpha[alphaAt + x + 2]! >> alphaShift) & 0xff;
      if ((r | g | b) & -16384) {
        r = r < 0 ? 0 : r > 16383 ? 16383 : r;
        g = g < 0 ? 0 : g > 16383 ? 16383 : g;
        b = b < 0 ? 0 : b > 16383 ? 16383 : b;
      }
      rgba[x + 2] = (a << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
      u = (((uOwn + uFarNext) >> 3) + un) >> 1;
      v = (((vOwn + vFarNext) >> 3) + vn) >> 1;
      luma = (yPlane[lumaRow + x + 3]! * 19077) >> 8;
      r = luma + ((v * 26149) >> 8) - 14234;
      g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
      b = luma + ((u * 33050) >> 8) - 17685;
      if (alpha) a = (alpha[alphaAt + x + 3]! >> alphaShift) & 0xff;
      if ((r | g | b) & -16384) {
        r = r < 0 ? 0 : r > 16383 ? 16383 : r;
        g = g < 0 ? 0 : g > 16383 ? 16383 : g;
        b = b < 0 ? 0 : b > 16383 ? 16383 : b;
      }
      rgba[x + 3] = (a << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
      uFarPrev = uFar;
      vFarPrev = vFar;
      uFar = uFarNext;
      vFar = vFarNext;
      un = unNext;
      vn = vnNext;
      uOwn = unNext + 3 * uoNext + 8;
      vOwn = vnNext + 3 * voNext + 8;
    }
  }
  for (; next <= lastColumn; next++, x += 2) {
    const unNext = uPlane[nearRow + next]!;
    const uoNext = uPlane[otherRow + next]!;
    const vnNext = vPlane[nearRow + next]!;
    const voNext = vPlane[otherRow + next]!;
    const uFarNext = 3 * unNext + uoNext;
    const vFarNext = 3 * vnNext + voNext;
    // Pixels 2j and 2j + 1 written out: this loop runs once per two pixels, and calls are dear in XS.
    let u = (((uOwn + uFarPrev) >> 3) + un) >> 1;
    let v = (((vOwn + vFarPrev) >> 3) + vn) >> 1;
    let luma = (yPlane[lumaRow + x]! * 19077) >> 8;
    let r = luma + ((v * 26149) >> 8) - 14234;
    let g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
    let b = luma + ((u * 33050) >> 8) - 17685;
    if (alpha) a = (alpha[alphaAt + x]! >> alphaShift) & 0xff;
    if ((r | g | b) & -16384) {
      r = r < 0 ? 0 : r > 16383 ? 16383 : r;
      g = g < 0 ? 0 : g > 16383 ? 16383 : g;
      b = b < 0 ? 0 : b > 16383 ? 16383 : b;
    }
    rgba[x] = (a << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
    u = (((uOwn + uFarNext) >> 3) + un) >> 1;
    v = (((vOwn + vFarNext) >> 3) + vn) >> 1;
    luma = (yPlane[lumaRow + x + 1]! * 19077) >> 8;
    r = luma + ((v * 26149) >> 8) - 14234;
    g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
    b = luma + ((u * 33050) >> 8) - 17685;
    if (alpha) a = (alpha[alphaAt + x + 1]! >> alphaShift) & 0xff;
    if ((r | g | b) & -16384) {
      r = r < 0 ? 0 : r > 16383 ? 16383 : r;
      g = g < 0 ? 0 : g > 16383 ? 16383 : g;
      b = b < 0 ? 0 : b > 16383 ? 16383 : b;
    }
    rgba[x + 1] = (a << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
    uFarPrev = uFar;
    vFarPrev = vFar;
    uFar = uFarNext;
    vFar = vFarNext;
    un = unNext;
    vn = vnNext;
    uOwn = unNext + 3 * uoNext + 8;
    vOwn = vnNext + 3 * voNext + 8;
  }
  // The last column: pixel 2j, and 2j + 1 when the width is even (its right neighbour is itself).
  let u = (((uOwn + uFarPrev) >> 3) + un) >> 1;
  let v = (((vOwn + vFarPrev) >> 3) + vn) >> 1;
  let luma = (yPlane[lumaRow + x]! * 19077) >> 8;
  let r = luma + ((v * 26149) >> 8) - 14234;
  let g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
  let b = luma + ((u * 33050) >> 8) - 17685;
  if (alpha) a = (alpha[alphaAt + x]! >> alphaShift) & 0xff;
  if ((r | g | b) & -16384) {
    r = r < 0 ? 0 : r > 16383 ? 16383 : r;
    g = g < 0 ? 0 : g > 16383 ? 16383 : g;
    b = b < 0 ? 0 : b > 16383 ? 16383 : b;
  }
  rgba[x] = (a << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
  if (x + 1 < width) {
    u = (((uOwn + uFar) >> 3) + un) >> 1;
    v = (((vOwn + vFar) >> 3) + vn) >> 1;
    luma = (yPlane[lumaRow + x + 1]! * 19077) >> 8;
    r = luma + ((v * 26149) >> 8) - 14234;
    g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
    b = luma + ((u * 33050) >> 8) - 17685;
    if (alpha) a = (alpha[alphaAt + x + 1]! >> alphaShift) & 0xff;
    if ((r | g | b) & -16384) {
      r = r < 0 ? 0 : r > 16383 ? 16383 : r;
      g = g < 0 ? 0 : g > 16383 ? 16383 : g;
      b = b < 0 ? 0 : b > 16383 ? 16383 : b;
    }
    rgba[x + 1] = (a << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
  }
  if (!LITTLE_ENDIAN) swapWords(rgba, width);
}

/** On a big-endian machine, turns words built as R | G << 8 | B << 16 | A << 24 into R, G, B, A bytes. */
export function swapWords(words: Uint32Array | Int32Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const w = words[i]!;
    words[i] = (w >>> 24) | ((w >>> 8) & 0xff00) | ((w & 0xff00) << 8) | (w << 24);
  }
}
