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
// No allocation: two rows at a time into the caller's RGBA buffers, written as 32-bit words.
//
// Two rows a call, as libwebp's upsampler does: luma rows 2k − 1 and 2k lean on the same two chroma
// rows (k − 1 and k, one as its near row, the other as its far one), so each chroma sample is read
// once for both and the sums of a column serve both rows (every typed-array access is a host call in
// XS; V8: 1.05–1.1× a row a call, measured on the kernel alone).
// Clamping: all three channels on every pixel, no rarely taken path. In V8 a branch that first runs
// after the function was optimised has no type feedback and throws the optimised code away; in a
// long loop V8 then often settles on its on-stack-replacement code, which ran this kernel at half
// speed in the decoder (15 ns a pixel against 8). Testing the three channels at once and clamping only
// when one is out of range saved XS 16 M instructions a 256×256 frame, and lost V8 that.

/** Whether a Uint32Array stores its words least significant byte first (x86, Xtensa, ARM: yes). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Rows `row` and `row + 1` of a width × height frame as RGBA words (R in the lowest byte of memory),
 * `row` odd or −1: the pair that shares chroma rows (row − 1) / 2 and (row + 1) / 2 (clamped to the
 * plane). Row `row` goes to `top` when row ≥ 0, row `row + 1` to `bottom` when row + 1 < height; a row
 * outside the frame is computed from its partner's pixels and left in its buffer, unused. Alpha 255,
 * or bits `alphaShift` .. + 7 of `alpha[alphaAt + x]` for row `row` (alphaAt = row × width) and of
 * `alpha[alphaAt + width + x]` for the row below.
 */
export function yuvRowPairToRgba(
  yPlane: Uint8ClampedArray,
  uPlane: Uint8ClampedArray,
  vPlane: Uint8ClampedArray,
  yStride: number,
  uvStride: number,
  width: number,
  height: number,
  row: number,
  top: Uint32Array,
  bottom: Uint32Array,
  alpha: Uint8Array | Int32Array | undefined,
  alphaAt: number,
  alphaShift: number,
): void {
  if (width < 1 || height < 1) return;
  const lastColumn = ((width + 1) >> 1) - 1;
  // An odd width's last column holds one pixel. Tested as a constant: an addition made on the last column
  // only would be a path V8 sees once a call (see the top of this file).
  const oddWidth = (width & 1) === 1;
  const chromaHeight = (height + 1) >> 1;
  // The chroma rows above (the top row's near one) and below (the bottom row's near one).
  const above = row < 0 ? 0 : (row - 1) >> 1;
  const below = row >= 0 && above + 1 < chromaHeight ? above + 1 : above;
  const tRow = above * uvStride;
  const bRow = below * uvStride;
  // A row outside the frame reads its partner's luma and alpha: computed, never delivered. (The branches
  // taken once a frame hold no arithmetic: V8 has no type feedback for it, and would deoptimise.)
  const topRow = row < 0 ? 0 : row;
  const bottomRow = row + 1 < height ? row + 1 : row;
  const topLuma = topRow * yStride;
  const bottomLuma = bottomRow * yStride;
  const topAlpha = alphaAt + (topRow - row) * width;
  const bottomAlpha = alphaAt + (bottomRow - row) * width;
  // Per chroma column, from its samples above (t) and below (b): A = 3t + b, B = t + 3b. Pixel 2j of
  // the top row takes ((B_j + 8 + A_{j−1}) >> 3 + t_j) >> 1, pixel 2j + 1 the same with A_{j+1};
  // the bottom row swaps A and B and leans on b_j. A sliding window of columns j − 1, j, j + 1 reads
  // each sample once; left of column 0 is column 0, right of the last column is itself.
  let ut = uPlane[tRow]!;
  let ub = uPlane[bRow]!;
  let vt = vPlane[tRow]!;
  let vb = vPlane[bRow]!;
  let uA = 3 * ut + ub;
  let uB = ut + 3 * ub;
  let vA = 3 * vt + vb;
  let vB = vt + 3 * vb;
  let uAPrev = uA;
  let uBPrev = uB;
  let vAPrev = vA;
  let vBPrev = vB;
  let aTop = 255;
  let aBottom = 255;
  let u = 0;
  let v = 0;
  let luma = 0;
  let r = 0;
  let g = 0;
  let b = 0;
  // One chroma column a turn: four pixels, written out (calls are dear in XS).
  for (let j = 0, x = 0; ; j++, x += 2) {
    const last = j === lastColumn;
    const next = last ? j : j + 1;
    const utNext = uPlane[tRow + next]!;
    const ubNext = uPlane[bRow + next]!;
    const vtNext = vPlane[tRow + next]!;
    const vbNext = vPlane[bRow + next]!;
    const uANext = 3 * utNext + ubNext;
    const uBNext = utNext + 3 * ubNext;
    const vANext = 3 * vtNext + vbNext;
    const vBNext = vtNext + 3 * vbNext;
    if (alpha) {
      aTop = (alpha[topAlpha + x]! >> alphaShift) & 0xff;
      aBottom = (alpha[bottomAlpha + x]! >> alphaShift) & 0xff;
    }
    // Pixel 2j, top row.
    u = (((uB + 8 + uAPrev) >> 3) + ut) >> 1;
    v = (((vB + 8 + vAPrev) >> 3) + vt) >> 1;
    luma = (yPlane[topLuma + x]! * 19077) >> 8;
    r = luma + ((v * 26149) >> 8) - 14234;
    g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
    b = luma + ((u * 33050) >> 8) - 17685;
    r = r < 0 ? 0 : r > 16383 ? 16383 : r;
    g = g < 0 ? 0 : g > 16383 ? 16383 : g;
    b = b < 0 ? 0 : b > 16383 ? 16383 : b;
    top[x] = (aTop << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
    // Pixel 2j, bottom row.
    u = (((uA + 8 + uBPrev) >> 3) + ub) >> 1;
    v = (((vA + 8 + vBPrev) >> 3) + vb) >> 1;
    luma = (yPlane[bottomLuma + x]! * 19077) >> 8;
    r = luma + ((v * 26149) >> 8) - 14234;
    g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
    b = luma + ((u * 33050) >> 8) - 17685;
    r = r < 0 ? 0 : r > 16383 ? 16383 : r;
    g = g < 0 ? 0 : g > 16383 ? 16383 : g;
    b = b < 0 ? 0 : b > 16383 ? 16383 : b;
    bottom[x] = (aBottom << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
    if (last && oddWidth) break;
    if (alpha) {
      aTop = (alpha[topAlpha + x + 1]! >> alphaShift) & 0xff;
      aBottom = (alpha[bottomAlpha + x + 1]! >> alphaShift) & 0xff;
    }
    // Pixel 2j + 1, top row.
    u = (((uB + 8 + uANext) >> 3) + ut) >> 1;
    v = (((vB + 8 + vANext) >> 3) + vt) >> 1;
    luma = (yPlane[topLuma + x + 1]! * 19077) >> 8;
    r = luma + ((v * 26149) >> 8) - 14234;
    g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
    b = luma + ((u * 33050) >> 8) - 17685;
    r = r < 0 ? 0 : r > 16383 ? 16383 : r;
    g = g < 0 ? 0 : g > 16383 ? 16383 : g;
    b = b < 0 ? 0 : b > 16383 ? 16383 : b;
    top[x + 1] = (aTop << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
    // Pixel 2j + 1, bottom row.
    u = (((uA + 8 + uBNext) >> 3) + ub) >> 1;
    v = (((vA + 8 + vBNext) >> 3) + vb) >> 1;
    luma = (yPlane[bottomLuma + x + 1]! * 19077) >> 8;
    r = luma + ((v * 26149) >> 8) - 14234;
    g = luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708;
    b = luma + ((u * 33050) >> 8) - 17685;
    r = r < 0 ? 0 : r > 16383 ? 16383 : r;
    g = g < 0 ? 0 : g > 16383 ? 16383 : g;
    b = b < 0 ? 0 : b > 16383 ? 16383 : b;
    bottom[x + 1] = (aBottom << 24) | ((b >> 6) << 16) | ((g >> 6) << 8) | (r >> 6);
    if (last) break;
    uAPrev = uA;
    uBPrev = uB;
    vAPrev = vA;
    vBPrev = vB;
    uA = uANext;
    uB = uBNext;
    vA = vANext;
    vB = vBNext;
    ut = utNext;
    ub = ubNext;
    vt = vtNext;
    vb = vbNext;
  }
  if (!LITTLE_ENDIAN) {
    swapWords(top, width);
    swapWords(bottom, width);
  }
}

/** On a big-endian machine, turns words built as R | G << 8 | B << 16 | A << 24 into R, G, B, A bytes. */
export function swapWords(words: Uint32Array | Int32Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const w = words[i]!;
    words[i] = (w >>> 24) | ((w >>> 8) & 0xff00) | ((w & 0xff00) << 8) | (w << 24);
  }
}
