// PNG scanline reconstruction: decompressed image data in (as an InflateOutput), RGBA rows out to the
// sink. Undoes the filters (PNG §9: none, sub, up, average, Paeth; through the PngKernels port:
// png-kernels.ts, or the host's C) with two row buffers, walks the Adam7 passes, and converts every
// colour type and bit depth to 8-bit RGBA:
// - 16-bit samples keep their high byte (what browsers show: libpng's strip_16);
// - grey below 8 bits is scaled to 0..255 by repeating the bits (1 → ×255, 2 → ×85, 4 → ×17);
// - tRNS: a palette's alpha table, or a grey/RGB colour key compared at full sample precision;
// - a palette index beyond PLTE is opaque black (browsers/libpng do not fail on it).
//
// Memory: two rows of the widest frame (1 + ceil(width × bits per pixel / 8) bytes each; 2 × 2049 B for
// 256 px RGBA 16-bit), one RGBA row (width × 4), a 1 KiB palette.

import type { InflateOutput, PngKernels } from "../ports.js";
import { ImageDecodeError, type ImageSink } from "./image.js";
import { tsPngKernels } from "./png-kernels.js";

export const ColourType = Object.freeze({ grey: 0, rgb: 2, palette: 3, greyAlpha: 4, rgba: 6 } as const);

const CHANNELS = Object.freeze([1, 0, 3, 1, 2, 0, 4]);
// Adam7 passes: first column, first row, column step, row step.
const PASS_X = Object.freeze([0, 4, 0, 2, 0, 1, 0]);
const PASS_Y = Object.freeze([0, 0, 4, 0, 2, 0, 1]);
const PASS_DX = Object.freeze([8, 8, 4, 4, 2, 2, 1]);
const PASS_DY = Object.freeze([8, 8, 8, 4, 4, 2, 2]);

export interface PixelFormat {
  colourType: number;
  bitDepth: number;
  interlaced: boolean;
}

export class PngRows implements InflateOutput {
  /** RGBA for each palette index; entries past PLTE stay opaque black. */
  readonly palette = new Uint8Array(256 * 4);
  /** tRNS colour key (grey in keyRed) at sample precision, or -1 without one. */
  keyRed = -1;
  keyGreen = -1;
  keyBlue = -1;

  readonly #sink: ImageSink;
  readonly #kernels: PngKernels;
  readonly #colourType: number;
  readonly #bitDepth: number;
  readonly #interlaced: boolean;
  readonly #bitsPerPixel: number;
  /** Distance in bytes to the corresponding byte of the previous pixel, for the filters (at least 1). */
  readonly #filterStep: number;
  // Row buffers hold the filter type byte at [0] and the row's bytes from [1].
  #current: Uint8Array;
  #previous: Uint8Array;
  readonly #rgba: Uint8Array;

  #frameWidth = 0;
  #frameHeight = 0;
  #pass = 0;
  #passWidth = 0;
  #passHeight = 0;
  #passRow = 0;
  #rowLength = 0;
  #rowFill = 0;
  #complete = true;

  constructor(sink: ImageSink, format: PixelFormat, maxWidth: number, kernels: PngKernels = tsPngKernels) {
    this.#sink = sink;
    this.#kernels = kernels;
    this.#colourType = format.colourType;
    this.#bitDepth = format.bitDepth;
    this.#interlaced = format.interlaced;
    this.#bitsPerPixel = CHANNELS[format.colourType]! * format.bitDepth;
    this.#filterStep = Math.max(1, this.#bitsPerPixel >>> 3);
    const rowBytes = 1 + Math.ceil((maxWidth * this.#bitsPerPixel) / 8);
    this.#current = new Uint8Array(rowBytes);
    this.#previous = new Uint8Array(rowBytes);
    this.#rgba = new Uint8Array(maxWidth * 4);
    for (let i = 3; i < this.palette.length; i += 4) this.palette[i] = 255;
  }

  /** Every row of the current frame has been delivered. */
  get complete(): boolean {
    return this.#complete;
  }

  startFrame(width: number, height: number): void {
    this.#frameWidth = width;
    this.#frameHeight = height;
    this.#complete = false;
    this.#pass = this.#interlaced ? -1 : 0;
    if (this.#interlaced) this.#nextPass();
    else this.#beginPass(width, height);
  }

  /** Decompressed image data; bytes past the end of the image are ignored (as libpng does). */
  write(bytes: Uint8Array): void {
    const count = bytes.length;
    let i = 0;
    while (i < count && !this.#complete) {
      const take = Math.min(this.#rowLength - this.#rowFill, count - i);
      const row = this.#current;
      if (take > 32) row.set(bytes.subarray(i, i + take), this.#rowFill);
      else for (let k = 0; k < take; k++) row[this.#rowFill + k] = bytes[i + k]!;
      this.#rowFill += take;
      i += take;
      if (this.#rowFill === this.#rowLength) this.#finishRow();
    }
  }

  #beginPass(width: number, height: number): void {
    this.#passWidth = width;
    this.#passHeight = height;
    this.#passRow = 0;
    this.#rowFill = 0;
    this.#rowLength = 1 + Math.ceil((width * this.#bitsPerPixel) / 8);
    this.#previous.fill(0, 0, this.#rowLength); // the row above the first one is all zeros
  }

  /** Moves to the next Adam7 pass that has pixels (passes are empty in small images). */
  #nextPass(): void {
    for (;;) {
      const pass = ++this.#pass;
      if (pass >= 7) {
        this.#complete = true;
        return;
      }
      const width = this.#frameWidth > PASS_X[pass]! ? Math.ceil((this.#frameWidth - PASS_X[pass]!) / PASS_DX[pass]!) : 0;
      const height = this.#frameHeight > PASS_Y[pass]! ? Math.ceil((this.#frameHeight - PASS_Y[pass]!) / PASS_DY[pass]!) : 0;
      if (width > 0 && height > 0) {
        this.#beginPass(width, height);
        return;
      }
    }
  }

  #finishRow(): void {
    const row = this.#current;
    const above = this.#previous;
    this.#unfilter(row, above, this.#rowLength);
    this.#convert(row);
    const y = this.#interlaced ? PASS_Y[this.#pass]! + this.#passRow * PASS_DY[this.#pass]! : this.#passRow;
    const x0 = this.#interlaced ? PASS_X[this.#pass]! : 0;
    const step = this.#interlaced ? PASS_DX[this.#pass]! : 1;
    const count = this.#passWidth;
    this.#current = above;
    this.#previous = row;
    this.#rowFill = 0;
    this.#passRow++;
    if (this.#passRow === this.#passHeight) {
      if (this.#interlaced) this.#nextPass();
      else this.#complete = true;
    }
    this.#sink.row(y, x0, step, count, this.#rgba);
  }

  #unfilter(row: Uint8Array, above: Uint8Array, length: number): void {
    if (!this.#kernels.unfilter(row, above, length, this.#filterStep)) throw new ImageDecodeError("corrupt", `unknown filter type ${row[0]} in row ${this.#passRow}`);
  }

  #convert(row: Uint8Array): void {
    const out = this.#rgba;
    const width = this.#passWidth;
    const depth = this.#bitDepth;
    switch (this.#colourType) {
      case ColourType.rgba:
        if (depth === 8) out.set(row.subarray(1, 1 + width * 4));
        else for (let x = 0, s = 1, end = width * 4; x < end; x++, s += 2) out[x] = row[s]!;
        return;
      case ColourType.greyAlpha:
        for (let x = 0, s = 1, o = 0; x < width; x++, o += 4) {
          const grey = row[s]!;
          out[o] = grey;
          out[o + 1] = grey;
          out[o + 2] = grey;
          out[o + 3] = row[s + (depth >>> 3)]!;
          s += depth >>> 2;
        }
        return;
      case ColourType.rgb: {
        const bytes = depth >>> 3;
        const kr = this.keyRed;
        for (let x = 0, s = 1, o = 0; x < width; x++, o += 4, s += 3 * bytes) {
          out[o] = row[s]!;
          out[o + 1] = row[s + bytes]!;
          out[o + 2] = row[s + 2 * bytes]!;
          let opaque = true;
          if (kr >= 0) {
            const r = bytes === 1 ? row[s]! : (row[s]! << 8) | row[s + 1]!;
            const g = bytes === 1 ? row[s + 1]! : (row[s + 2]! << 8) | row[s + 3]!;
            const b = bytes === 1 ? row[s + 2]! : (row[s + 4]! << 8) | row[s + 5]!;
            opaque = r !== kr || g !== this.keyGreen || b !== this.keyBlue;
          }
          out[o + 3] = opaque ? 255 : 0;
        }
        return;
      }
      case ColourType.grey: {
        const key = this.keyRed;
        if (depth >= 8) {
          const bytes = depth >>> 3;
          for (let x = 0, s = 1, o = 0; x < width; x++, o += 4, s += bytes) {
            const grey = row[s]!;
            out[o] = grey;
            out[o + 1] = grey;
            out[o + 2] = grey;
            out[o + 3] = (bytes === 1 ? grey : (grey << 8) | row[s + 1]!) === key ? 0 : 255;
          }
          return;
        }
        const mask = (1 << depth) - 1;
        const scale = 255 / mask;
        for (let x = 0, o = 0, bit = 0; x < width; x++, o += 4, bit += depth) {
          const sample = (row[1 + (bit >>> 3)]! >>> (8 - depth - (bit & 7))) & mask;
          const grey = sample * scale;
          out[o] = grey;
          out[o + 1] = grey;
          out[o + 2] = grey;
          out[o + 3] = sample === key ? 0 : 255;
        }
        return;
      }
      case ColourType.palette: {
        const palette = this.palette;
        const mask = (1 << depth) - 1;
        for (let x = 0, o = 0, bit = 0; x < width; x++, o += 4, bit += depth) {
          const index = depth === 8 ? row[1 + x]! : (row[1 + (bit >>> 3)]! >>> (8 - depth - (bit & 7))) & mask;
          const p = index << 2;
          out[o] = palette[p]!;
          out[o + 1] = palette[p + 1]!;
          out[o + 2] = palette[p + 2]!;
          out[o + 3] = palette[p + 3]!;
        }
        return;
      }
    }
  }
}
