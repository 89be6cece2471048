// VP8 lossy key frames (RFC 6386) as WebP uses them: frame header, segmentation, token partitions,
// intra prediction, dequantisation, inverse WHT/DCT, then the loop filter over the whole frame; rows
// leave as RGBA through WebpKernels.yuvRowPair (YUV 4:2:0 → RGB in webp-yuv.ts), reading the public planes.
//
// Intra prediction reads unfiltered neighbours (RFC 6386 §12), so the frame is reconstructed whole
// and filtered afterwards. Memory for a w×h frame (macroblock-aligned, W = 16⌈w/16⌉, H = 16⌈h/16⌉):
// Y W×H + U, V (W/2)×(H/2) bytes (96 KiB at 256×256), per-macroblock filter data 3 bytes each, one
// macroblock's coefficients (800 B), the probability tables (1 KiB). Buffers are kept for the next frame.

import { ImageDecodeError } from "./image.js";
import { BoolDecoder } from "./webp-bool.js";
import { B_PRED, inverseWalsh } from "./webp-lossy-predict.js";
import { AC_QUANT, DC_QUANT } from "./webp-lossy-tables.js";
import { readModes } from "./webp-lossy-modes.js";
import { readCoefficientProbs, readResiduals } from "./webp-lossy-tokens.js";
import { tsWebpKernels } from "./webp-kernels.js";
import type { WebpKernels } from "../ports.js";
import { NO_BYTES, NO_PIXELS } from "./webp-placeholders.js";

/** Coefficient storage of one macroblock: 16 Y blocks, 4 U, 4 V, then Y2, 16 values each. */
const Y2_BLOCK = 24 * 16;

function corrupt(message: string): ImageDecodeError {
  return new ImageDecodeError("corrupt", `VP8: ${message}`);
}

export class LossyDecoder {
  readonly #kernels: WebpKernels;
  readonly #header = new BoolDecoder();
  readonly #partitions: BoolDecoder[] = [];
  readonly #probs = new Uint8Array(1056);
  readonly #coeffs = new Int16Array(25 * 16);
  readonly #scratch = new Int32Array(16);
  /** Per block of the macroblock (16 Y, 4 U, 4 V): 1 if it may have AC coefficients (else a DC at most). */
  readonly #blockAc = new Uint8Array(24);
  /** Lent to a native token reader (WebpKernels.residuals): the token partition's state crosses in it. */
  readonly #kernelState = new Int32Array(8);
  readonly #above = new Uint8Array(21);
  readonly #left = new Uint8Array(16);
  // Per-segment dequantisation factors: [y dc, y ac, y2 dc, y2 ac, uv dc, uv ac] × 4 segments.
  readonly #quant = new Int32Array(24);
  readonly #segmentQuant = new Int8Array(4);
  readonly #segmentLevel = new Int8Array(4);
  readonly #segmentProbs = new Uint8Array(3);
  readonly #refDelta = new Int8Array(4);
  readonly #modeDelta = new Int8Array(4);

  #mbWide = 0;
  #mbHigh = 0;
  // Clamped: a store clamps to 0..255 by itself (prediction, residue and loop filter all clamp).
  y = NO_PIXELS;
  u = NO_PIXELS;
  v = NO_PIXELS;
  yStride = 0;
  uvStride = 0;
  /** Per macroblock: filter level, inner-edge flag; and for mode contexts, the subblock modes. */
  #mbLevel = NO_BYTES;
  #mbInner = NO_BYTES;

  /** `kernels`: the loop filter's macroblock rows (src/ports.ts WebpKernels); the TypeScript ones by default. */
  constructor(kernels: WebpKernels = tsWebpKernels) {
    this.#kernels = kernels;
  }
  #aboveModes = NO_BYTES;
  readonly #leftModes = new Uint8Array(4);
  #aboveNonZero = NO_BYTES;
  readonly #leftNonZero = new Uint8Array(9);

  #segmentation = false;
  #segmentAbsolute = false;
  #updateMap = false;
  #simpleFilter = false;
  #filterLevel = 0;
  #sharpness = 0;
  #deltasEnabled = false;
  #skipProb = -1;

  /** Frame size from the first 10 bytes of a VP8 chunk (frame tag, start code, sizes). */
  static header(data: Uint8Array, start: number): [number, number] {
    const tag = data[start]! | (data[start + 1]! << 8) | (data[start + 2]! << 16);
    if (tag & 1) throw new ImageDecodeError("unsupported", "VP8: an inter frame (WebP images are key frames)");
    if (((tag >> 1) & 7) > 3) throw corrupt(`version ${(tag >> 1) & 7}`);
    if (data[start + 3] !== 0x9d || data[start + 4] !== 0x01 || data[start + 5] !== 0x2a) throw corrupt("missing start code");
    const width = (data[start + 6]! | (data[start + 7]! << 8)) & 0x3fff;
    const height = (data[start + 8]! | (data[start + 9]! << 8)) & 0x3fff;
    if (width === 0 || height === 0) throw corrupt(`frame size ${width}×${height}`);
    return [width, height];
  }

  /** Decodes the key frame in `data[start .. end)` (its size already checked by `header`). */
  decode(data: Uint8Array, start: number, end: number, width: number, height: number): void {
    const tag = data[start]! | (data[start + 1]! << 8) | (data[start + 2]! << 16);
    const firstSize = tag >>> 5;
    const firstStart = start + 10;
    if (firstStart + firstSize > end) throw corrupt(`first partition of ${firstSize} bytes runs past the chunk`);
    this.#allocate(width, height);
    const br = this.#header;
    br.init(data, firstStart, firstStart + firstSize);
    this.#readHeader(br);
    this.#readPartitions(data, firstStart + firstSize, end, br.literal(2));
    this.#readQuantizers(br);
    br.literal(1); // refresh_entropy_probs: irrelevant for a single frame
    readCoefficientProbs(br, this.#probs);
    this.#skipProb = br.literal(1) ? br.literal(8) : -1;
    this.#decodeMacroblocks();
    if (br.padding > 4) throw corrupt("the first partition ends early");
    for (const partition of this.#partitions) if (partition.padding > 4) throw corrupt("a token partition ends early");
    this.#loopFilter();
  }

  #allocate(width: number, height: number): void {
    this.#mbWide = (width + 15) >> 4;
    this.#mbHigh = (height + 15) >> 4;
    this.yStride = this.#mbWide * 16;
    this.uvStride = this.#mbWide * 8;
    const lumaSize = this.yStride * this.#mbHigh * 16;
    if (this.y.length < lumaSize) {
      this.y = new Uint8ClampedArray(lumaSize);
      this.u = new Uint8ClampedArray(lumaSize >> 2);
      this.v = new Uint8ClampedArray(lumaSize >> 2);
    }
    const mbs = this.#mbWide * this.#mbHigh;
    if (this.#mbLevel.length < mbs) {
      this.#mbLevel = new Uint8Array(mbs);
      this.#mbInner = new Uint8Array(mbs);
    }
    if (this.#aboveModes.length < this.#mbWide * 4) {
      this.#aboveModes = new Uint8Array(this.#mbWide * 4);
      this.#aboveNonZero = new Uint8Array(this.#mbWide * 9);
    }
  }

  #readHeader(br: BoolDecoder): void {
    br.literal(2); // colour space (0: YUV) and clamping type: both ignored, output is always clamped
    this.#segmentation = br.literal(1) === 1;
    this.#updateMap = false;
    this.#segmentQuant.fill(0);
    this.#segmentLevel.fill(0);
    this.#segmentProbs.fill(255);
    if (this.#segmentation) {
      this.#updateMap = br.literal(1) === 1;
      if (br.literal(1)) {
        this.#segmentAbsolute = br.literal(1) === 1;
        for (let i = 0; i < 4; i++) this.#segmentQuant[i] = br.literal(1) ? br.signed(7) : 0;
        for (let i = 0; i < 4; i++) this.#segmentLevel[i] = br.literal(1) ? br.signed(6) : 0;
      }
      if (this.#updateMap) for (let i = 0; i < 3; i++) this.#segmentProbs[i] = br.literal(1) ? br.literal(8) : 255;
    }
    this.#simpleFilter = br.literal(1) === 1;
    this.#filterLevel = br.literal(6);
    this.#sharpness = br.literal(3);
    this.#deltasEnabled = br.literal(1) === 1;
    this.#refDelta.fill(0);
    this.#modeDelta.fill(0);
    if (this.#deltasEnabled && br.literal(1)) {
      for (let i = 0; i < 4; i++) if (br.literal(1)) this.#refDelta[i] = br.signed(6);
      for (let i = 0; i < 4; i++) if (br.literal(1)) this.#modeDelta[i] = br.signed(6);
    }
  }

  #readPartitions(data: Uint8Array, start: number, end: number, log2Count: number): void {
    const count = 1 << log2Count;
    const sizesEnd = start + 3 * (count - 1);
    if (sizesEnd > end) throw corrupt("partition sizes run past the chunk");
    let at = sizesEnd;
    while (this.#partitions.length < count) this.#partitions.push(new BoolDecoder());
    this.#partitions.length = count;
    for (let p = 0; p < count; p++) {
      const size = p < count - 1 ? data[start + p * 3]! | (data[start + p * 3 + 1]! << 8) | (data[start + p * 3 + 2]! << 16) : end - at;
      if (at + size > end) throw corrupt(`token partition ${p} runs past the chunk`);
      this.#partitions[p]!.init(data, at, at + size);
      at += size;
    }
  }

  #readQuantizers(br: BoolDecoder): void {
    const base = br.literal(7);
    const yDc = br.literal(1) ? br.signed(4) : 0;
    const y2Dc = br.literal(1) ? br.signed(4) : 0;
    const y2Ac = br.literal(1) ? br.signed(4) : 0;
    const uvDc = br.literal(1) ? br.signed(4) : 0;
    const uvAc = br.literal(1) ? br.signed(4) : 0;
    const q = this.#quant;
    const index = (i: number): number => (i < 0 ? 0 : i > 127 ? 127 : i);
    for (let s = 0; s < 4; s++) {
      let level = base;
      if (this.#segmentation) level = this.#segmentAbsolute ? this.#segmentQuant[s]! : base + this.#segmentQuant[s]!;
      q[s * 6] = DC_QUANT[index(level + yDc)]!;
      q[s * 6 + 1] = AC_QUANT[index(level)]!;
      q[s * 6 + 2] = DC_QUANT[index(level + y2Dc)]! * 2;
      q[s * 6 + 3] = Math.max(8, Math.floor((AC_QUANT[index(level + y2Ac)]! * 155) / 100));
      q[s * 6 + 4] = Math.min(132, DC_QUANT[index(level + uvDc)]!);
      q[s * 6 + 5] = AC_QUANT[index(level + uvAc)]!;
    }
  }

  #decodeMacroblocks(): void {
    const br = this.#header;
    const aboveModes = this.#aboveModes;
    const leftModes = this.#leftModes;
    aboveModes.fill(0);
    this.#aboveNonZero.fill(0);
    const subModes = new Uint8Array(16);
    const kernels = this.#kernels;
    // The segment map's probabilities when this frame updates the map, and the skip flag's (-1: none).
    const segmentProbs = this.#updateMap ? this.#segmentProbs : undefined;
    const skipProb = this.#skipProb;
    for (let mby = 0; mby < this.#mbHigh; mby++) {
      leftModes.fill(0);
      this.#leftNonZero.fill(0);
      const tokens = this.#partitions[mby % this.#partitions.length]!;
      for (let mbx = 0; mbx < this.#mbWide; mbx++) {
        const modes = kernels.modes
          ? kernels.modes(br, this.#kernelState, segmentProbs, skipProb, mbx, subModes, aboveModes, leftModes)
          : readModes(br, segmentProbs, skipProb, mbx, subModes, aboveModes, leftModes);
        const segment = modes & 3;
        const skip = (modes & 4) !== 0;
        const yMode = (modes >> 3) & 7;
        const uvMode = modes >> 6;
        let nonZero = false;
        this.#coeffs.fill(0);
        if (!skip) nonZero = this.#readResiduals(tokens, mbx, yMode !== B_PRED, segment);
        else {
          this.#clearContexts(mbx, yMode !== B_PRED);
          this.#blockAc.fill(0);
        }
        this.#kernels.reconstruct(this.y, this.u, this.v, this.yStride, this.uvStride, this.#mbWide, mbx, mby, yMode, subModes, uvMode, this.#coeffs, this.#blockAc, this.#above, this.#left);
        const mb = mby * this.#mbWide + mbx;
        this.#mbLevel[mb] = this.#filterLevelOf(segment, yMode);
        this.#mbInner[mb] = yMode === B_PRED || nonZero ? 1 : 0;
      }
    }
  }

  #clearContexts(mbx: number, hasY2: boolean): void {
    const above = this.#aboveNonZero;
    const left = this.#leftNonZero;
    above.fill(0, mbx * 9, mbx * 9 + 8);
    left.fill(0, 0, 8);
    if (hasY2) {
      above[mbx * 9 + 8] = 0;
      left[8] = 0;
    }
  }

  /** Reads all blocks' coefficients; returns whether any block had non-zero data. */
  #readResiduals(br: BoolDecoder, mbx: number, hasY2: boolean, segment: number): boolean {
    const kernels = this.#kernels;
    if (kernels.residuals) return kernels.residuals(br, this.#kernelState, this.#probs, this.#quant, segment, this.#coeffs, this.#blockAc, this.#aboveNonZero, this.#leftNonZero, mbx, hasY2);
    const any = readResiduals(br, this.#probs, this.#quant, segment, this.#coeffs, this.#blockAc, this.#aboveNonZero, this.#leftNonZero, mbx, hasY2);
    if (hasY2) inverseWalsh(this.#coeffs, Y2_BLOCK, this.#scratch, this.#coeffs);
    return any;
  }

  #filterLevelOf(segment: number, yMode: number): number {
    let level = this.#filterLevel;
    if (this.#segmentation) level = this.#segmentAbsolute ? this.#segmentLevel[segment]! : level + this.#segmentLevel[segment]!;
    level = level < 0 ? 0 : level > 63 ? 63 : level;
    if (this.#deltasEnabled) {
      level += this.#refDelta[0]!; // intra frame
      if (yMode === B_PRED) level += this.#modeDelta[0]!;
      level = level < 0 ? 0 : level > 63 ? 63 : level;
    }
    return level;
  }

  #loopFilter(): void {
    // A frame level of 0 turns the filter off, whatever the segments say (as the reference decoder does).
    if (this.#filterLevel === 0) return;
    const kernels = this.#kernels;
    for (let mby = 0; mby < this.#mbHigh; mby++) {
      kernels.filterRow(this.y, this.u, this.v, this.yStride, this.uvStride, this.#mbWide, mby, this.#mbLevel, this.#mbInner, this.#sharpness, this.#simpleFilter);
    }
  }
}
