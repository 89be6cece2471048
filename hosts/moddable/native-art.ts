// The ArtKernels port (src/ports.ts) over the native kernels of hosts/moddable/native (art_kernels.c
// through the XS binding art_kernels_xs.c). This module holds the logic and takes the host functions as
// a parameter, so the same code runs in a Moddable app (art-kernels.ts binds them with native(...)) and
// in the SDK's xst with the kernels linked in (the device-time bench and the equivalence test, where
// they are the global `artNatives`).
//
// What the binding does: plain functions, one call per row (compositeRow, expand, lzwRead, the WebP rows) or per frame
// (render); buffers are looked up on each call and never kept. 16- and 32-bit arrays go as their
// ArrayBuffer (the XS API maps byte views only): the compositor's and GIF decoder's arrays are whole.
// The LZW state is a host object owning one fixed C struct (~12 KiB, freed when the object is
// collected). A corrupt code stream makes lzwRead return a negative code; this wrapper throws the
// same ImageDecodeError the TypeScript decoder throws (the messages come from src/art/lzw.ts).

import type { ArtKernels, CompositorKernels, GifKernels, LzwStream, RenderLayout, Vp8BoolState, Vp8lBitsState, WebpKernels } from "../../src/ports.js";
import { beyondTableError, literalExpectedError, minCodeSizeError, validMinCodeSize } from "../../src/art/lzw.js";
import { dataEndsError, distanceError, lengthError } from "../../src/art/webp-lossless.js";
import { invalidCodeError } from "../../src/art/webp-prefix.js";

/** The LZW state: an opaque host object. */
export type NativeLzwState = object;

/** The host functions of art_kernels_xs.c (names as in test/native/art_kernels_xst.c). */
export interface ArtNatives {
  lzwCreate(): NativeLzwState;
  lzwBegin(lzw: NativeLzwState, minCodeSize: number): void;
  lzwSetInput(lzw: NativeLzwState, start: number, end: number): void;
  /** The new position, or LITERAL_EXPECTED / BEYOND_TABLE. */
  lzwRead(lzw: NativeLzwState, input: Uint8Array, out: Uint8Array, pos: number, end: number): number;
  /** After a negative read: the code | the next free slot << 16. */
  lzwFault(lzw: NativeLzwState): number;
  /** Lent input bytes not read yet * 2, + 1 once the end code was read. */
  lzwStatus(lzw: NativeLzwState): number;
  palette(table: Uint8Array, transparent: number, colours: ArrayBufferLike): void;
  expand(indices: Uint8Array, count: number, colours: ArrayBufferLike, rgba: ArrayBufferLike): void;
  compositeRow(canvas: Uint8Array, sourceX: ArrayBufferLike, rowBase: number, c0: number, c1: number, first: number, step: number, count: number, rgba: Uint8Array, over: boolean): void;
  render(
    target: Uint8Array,
    canvas: Uint8Array,
    pictureColumn: ArrayBufferLike,
    pictureRow: ArrayBufferLike,
    rowBytes: number,
    left: number,
    top: number,
    width: number,
    height: number,
    logicalWidth: number,
    logicalHeight: number,
    origin: number,
    stepX: number,
    stepY: number,
    background: number,
  ): void;
  /** webp_kernels_xs.c: the WebP rows (Int32Array / Uint32Array as their buffers). */
  webpArgbRow(argb: ArrayBufferLike, at: number, width: number, rgba: ArrayBufferLike): void;
  webpPaletteRow(argb: ArrayBufferLike, at: number, width: number, palette: ArrayBufferLike, rgba: ArrayBufferLike): void;
  /** `alphaBytes`: 0 (opaque, `alpha` not read), 1 (a Uint8Array's buffer) or 4 (an Int32Array's). */
  webpYuvRowPair(
    yPlane: Uint8ClampedArray,
    uPlane: Uint8ClampedArray,
    vPlane: Uint8ClampedArray,
    yStride: number,
    uvStride: number,
    width: number,
    height: number,
    row: number,
    top: ArrayBufferLike,
    bottom: ArrayBufferLike,
    alpha: ArrayBufferLike,
    alphaBytes: number,
    alphaAt: number,
    alphaShift: number,
  ): void;
  webpFilterRow(
    yPlane: Uint8ClampedArray,
    uPlane: Uint8ClampedArray,
    vPlane: Uint8ClampedArray,
    yStride: number,
    uvStride: number,
    mbWide: number,
    mby: number,
    levels: Uint8Array,
    inner: Uint8Array,
    sharpness: number,
    simple: boolean,
  ): void;
  /** `coeffs`: an Int16Array's buffer. */
  webpReconstruct(
    yPlane: Uint8ClampedArray,
    uPlane: Uint8ClampedArray,
    vPlane: Uint8ClampedArray,
    yStride: number,
    uvStride: number,
    mbWide: number,
    mbx: number,
    mby: number,
    yMode: number,
    subModes: Uint8Array,
    uvMode: number,
    coeffs: ArrayBufferLike,
    blockAc: Uint8Array,
  ): void;
  /** webp_decode_xs.c: a macroblock's modes (packed); `segmentProbs` is not read when `updateMap` is false. */
  webpModes(data: Uint8Array, state: ArrayBufferLike, segmentProbs: Uint8Array, updateMap: boolean, skipProb: number, mbx: number, subModes: Uint8Array, aboveModes: Uint8Array, leftModes: Uint8Array): number;
  /** webp_decode_xs.c: a macroblock's tokens; 1 if a block had non-zero data. `state`, `quant`, `coeffs`: buffers. */
  webpResiduals(
    data: Uint8Array,
    state: ArrayBufferLike,
    probs: Uint8Array,
    quant: ArrayBufferLike,
    coeffs: ArrayBufferLike,
    blockAc: Uint8Array,
    aboveNonZero: Uint8Array,
    leftNonZero: Uint8Array,
    mbx: number,
    hasY2: boolean,
    segment: number,
  ): number;
  /** webp_decode_xs.c: VP8L pixels; 0 or a fault (VP8L_* below). `entropy` is not read when `prefixBits` is 0, nor `cache` when `cacheBits` is. */
  webpLosslessPixels(
    data: Uint8Array,
    state: ArrayBufferLike,
    pool: ArrayBufferLike,
    groups: ArrayBufferLike,
    entropy: ArrayBufferLike,
    cache: ArrayBufferLike,
    out: ArrayBufferLike,
    xsize: number,
    ysize: number,
    base: number,
    cacheBits: number,
    prefixBits: number,
    entropyWidth: number,
  ): number;
  /** webp_decode_xs.c: one VP8L inverse transform in place; `px` and `data` as buffers. */
  webpLosslessTransform(type: number, px: ArrayBufferLike, base: number, width: number, height: number, bits: number, data: ArrayBufferLike): void;
}

/** art_kernels.h: ART_LZW_LITERAL_EXPECTED, ART_LZW_BEYOND_TABLE. */
const LITERAL_EXPECTED = -1;
const BEYOND_TABLE = -2;
const EMPTY = new Uint8Array(0);

export class NativeLzw implements LzwStream {
  readonly #natives: ArtNatives;
  readonly #state: NativeLzwState;
  #input: Uint8Array = EMPTY;

  constructor(natives: ArtNatives) {
    this.#natives = natives;
    this.#state = natives.lzwCreate();
  }

  get ended(): boolean {
    return (this.#natives.lzwStatus(this.#state) & 1) !== 0;
  }

  begin(minCodeSize: number): void {
    if (!validMinCodeSize(minCodeSize)) throw minCodeSizeError(minCodeSize);
    this.#input = EMPTY;
    this.#natives.lzwBegin(this.#state, minCodeSize);
  }

  setInput(bytes: Uint8Array, start: number, end: number): void {
    this.#input = bytes;
    this.#natives.lzwSetInput(this.#state, start, end);
  }

  read(out: Uint8Array, pos: number, end: number): number {
    const result = this.#natives.lzwRead(this.#state, this.#input, out, pos, end);
    if (result >= 0) return result;
    const fault = this.#natives.lzwFault(this.#state);
    const code = fault & 0xffff;
    if (result === LITERAL_EXPECTED) throw literalExpectedError(code);
    if (result === BEYOND_TABLE) throw beyondTableError(code, fault >>> 16);
    throw new RangeError(`native LZW result ${result}`);
  }
}

/** ArtKernels over the native functions. A class, so a preloaded instance can be frozen into ROM. */
class NativeGifKernels implements GifKernels {
  readonly #natives: ArtNatives;
  constructor(natives: ArtNatives) {
    this.#natives = natives;
  }
  createLzw(): LzwStream {
    return new NativeLzw(this.#natives);
  }
  palette(table: Uint8Array, transparent: number, colours: Uint32Array): void {
    this.#natives.palette(table, transparent, colours.buffer);
  }
  expand(indices: Uint8Array, count: number, colours: Uint32Array, rgba: Uint32Array): void {
    this.#natives.expand(indices, count, colours.buffer, rgba.buffer);
  }
}

class NativeCompositorKernels implements CompositorKernels {
  readonly #natives: ArtNatives;
  constructor(natives: ArtNatives) {
    this.#natives = natives;
  }
  compositeRow(canvas: Uint8Array, sourceX: Int16Array, rowBase: number, c0: number, c1: number, first: number, step: number, count: number, rgba: Uint8Array, over: boolean): void {
    this.#natives.compositeRow(canvas, sourceX.buffer, rowBase, c0, c1, first, step, count, rgba, over);
  }
  render(target: Uint8Array, canvas: Uint8Array, pictureColumn: Int16Array, pictureRow: Int16Array, layout: RenderLayout): void {
    const { rowBytes, left, top, width, height, logicalWidth, logicalHeight, origin, stepX, stepY, background } = layout;
    this.#natives.render(target, canvas, pictureColumn.buffer, pictureRow.buffer, rowBytes, left, top, width, height, logicalWidth, logicalHeight, origin, stepX, stepY, background);
  }
}

class NativeWebpKernels implements WebpKernels {
  readonly #natives: ArtNatives;
  constructor(natives: ArtNatives) {
    this.#natives = natives;
  }
  argbRow(argb: Int32Array, at: number, width: number, rgba: Uint32Array): void {
    this.#natives.webpArgbRow(argb.buffer, at, width, rgba.buffer);
  }
  paletteRow(argb: Int32Array, at: number, width: number, palette: Int32Array, rgba: Uint32Array): void {
    this.#natives.webpPaletteRow(argb.buffer, at, width, palette.buffer, rgba.buffer);
  }
  yuvRowPair(
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
    // Without alpha the C reads no alpha buffer: any buffer fills the slot.
    this.#natives.webpYuvRowPair(yPlane, uPlane, vPlane, yStride, uvStride, width, height, row, top.buffer, bottom.buffer, alpha ? alpha.buffer : top.buffer, alpha ? alpha.BYTES_PER_ELEMENT : 0, alphaAt, alphaShift);
  }
  filterRow(
    yPlane: Uint8ClampedArray,
    uPlane: Uint8ClampedArray,
    vPlane: Uint8ClampedArray,
    yStride: number,
    uvStride: number,
    mbWide: number,
    mby: number,
    levels: Uint8Array,
    inner: Uint8Array,
    sharpness: number,
    simple: boolean,
  ): void {
    this.#natives.webpFilterRow(yPlane, uPlane, vPlane, yStride, uvStride, mbWide, mby, levels, inner, sharpness, simple);
  }
  reconstruct(
    yPlane: Uint8ClampedArray,
    uPlane: Uint8ClampedArray,
    vPlane: Uint8ClampedArray,
    yStride: number,
    uvStride: number,
    mbWide: number,
    mbx: number,
    mby: number,
    yMode: number,
    subModes: Uint8Array,
    uvMode: number,
    coeffs: Int16Array,
    blockAc: Uint8Array,
  ): void {
    // The C keeps its edges in locals: the scratch arrays are the TypeScript twin's.
    this.#natives.webpReconstruct(yPlane, uPlane, vPlane, yStride, uvStride, mbWide, mbx, mby, yMode, subModes, uvMode, coeffs.buffer, blockAc);
  }

  // Entropy decoding and VP8L transforms (webp_vp8.c, webp_vp8l.c). The decoder's bit-reader state crosses in the lent `state`
  // (webp_vp8.h VP8_* / webp_vp8l.h VP8L_* words) and comes back into the TypeScript reader.
  modes(bools: Vp8BoolState, state: Int32Array, segmentProbs: Uint8Array | undefined, skipProb: number, mbx: number, subModes: Uint8Array, aboveModes: Uint8Array, leftModes: Uint8Array): number {
    toState(bools, state);
    const modes = this.#natives.webpModes(bools.data, state.buffer, segmentProbs ?? subModes, segmentProbs !== undefined, skipProb, mbx, subModes, aboveModes, leftModes);
    fromState(state, bools);
    return modes;
  }
  residuals(
    bools: Vp8BoolState,
    state: Int32Array,
    probs: Uint8Array,
    quant: Int32Array,
    segment: number,
    coeffs: Int16Array,
    blockAc: Uint8Array,
    aboveNonZero: Uint8Array,
    leftNonZero: Uint8Array,
    mbx: number,
    hasY2: boolean,
  ): boolean {
    toState(bools, state);
    const any = this.#natives.webpResiduals(bools.data, state.buffer, probs, quant.buffer, coeffs.buffer, blockAc, aboveNonZero, leftNonZero, mbx, hasY2, segment);
    fromState(state, bools);
    return any !== 0;
  }
  losslessPixels(
    bits: Vp8lBitsState,
    state: Int32Array,
    pool: Uint16Array,
    groups: Int32Array,
    entropy: Int32Array | undefined,
    entropyWidth: number,
    prefixBits: number,
    cacheBits: number,
    out: Int32Array,
    base: number,
    xsize: number,
    ysize: number,
  ): void {
    state[0] = bits.position;
    state[1] = bits.end;
    state[2] = bits.bits;
    state[3] = bits.count;
    state[4] = bits.padding;
    // The cache's room: a fresh array, as the TypeScript loop allocates one (the C clears it).
    const cache = cacheBits > 0 ? new Int32Array(1 << cacheBits).buffer : out.buffer;
    const result = this.#natives.webpLosslessPixels(bits.data, state.buffer, pool.buffer, groups.buffer, entropy ? entropy.buffer : out.buffer, cache, out.buffer, xsize, ysize, base, cacheBits, entropy ? prefixBits : 0, entropyWidth);
    bits.position = state[0]!;
    bits.bits = state[2]!;
    bits.count = state[3]!;
    bits.padding = state[4]!;
    if (result === 0) return;
    if (result === VP8L_OVERRUN) throw dataEndsError();
    if (result === VP8L_DISTANCE) throw distanceError(state[5]!, state[6]!);
    if (result === VP8L_LENGTH) throw lengthError(state[5]!);
    if (result === VP8L_INVALID_CODE) throw invalidCodeError();
    throw new RangeError(`native VP8L result ${result}`);
  }
  losslessTransform(type: number, px: Int32Array, base: number, width: number, height: number, bits: number, data: Int32Array): void {
    this.#natives.webpLosslessTransform(type, px.buffer, base, width, height, bits, data.buffer);
  }
}

/** The boolean decoder's fields into the lent state (webp_vp8.h VP8_POSITION ..), and back. */
function toState(bools: Vp8BoolState, state: Int32Array): void {
  state[0] = bools.position;
  state[1] = bools.end;
  state[2] = bools.value;
  state[3] = bools.range;
  state[4] = bools.bitCount;
  state[5] = bools.padding;
}
function fromState(state: Int32Array, bools: Vp8BoolState): void {
  bools.position = state[0]!;
  bools.value = state[2]!;
  bools.range = state[3]!;
  bools.bitCount = state[4]!;
  bools.padding = state[5]!;
}

/** webp_vp8l.h: WEBP_VP8L_OVERRUN, _DISTANCE, _LENGTH, _INVALID_CODE. */
const VP8L_OVERRUN = -10;
const VP8L_DISTANCE = -11;
const VP8L_LENGTH = -12;
const VP8L_INVALID_CODE = -13;

/** The GIF, compositor and WebP kernels in C. */
export function nativeArtKernels(natives: ArtNatives): ArtKernels {
  return Object.freeze({
    gif: Object.freeze(new NativeGifKernels(natives)),
    compositor: Object.freeze(new NativeCompositorKernels(natives)),
    webp: Object.freeze(new NativeWebpKernels(natives)),
  });
}
