// BMP decoder (push): 1/4/8-bit palettes, 16/24/32-bit direct colour, BI_RGB and BI_BITFIELDS
// (incl. alpha masks of V4/V5 headers and ALPHABITFIELDS), bottom-up and top-down rows. RLE
// compression is reported as unsupported (the vault's BMP renditions are uncompressed).
// Each row is converted to RGBA through the BmpKernels port (bmp-kernels.ts, or the host's C).
// Memory: a 140-byte header buffer, a 1 KiB palette, one row of the file (≤ 1 KiB at 256 px) and one
// RGBA row (≤ 1 KiB): under 4 KiB whatever the input.

import type { BmpKernels } from "../ports.js";
import { bmpChannel, tsBmpKernels } from "./bmp-kernels.js";
import { Blend, DEFAULT_LIMITS, Dispose, ImageDecodeError, type DecodeLimits, type ImageDecoder, type ImageSink } from "./image.js";

const FILE_HEADER_BYTES = 14;
const MAXIMUM_INFO_BYTES = 124;
const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

const enum Stage {
  fileHeader,
  infoSize,
  info,
  masks,
  palette,
  gap,
  rows,
  done,
}

export class BmpDecoder implements ImageDecoder {
  readonly #sink: ImageSink;
  readonly #limits: DecodeLimits;
  readonly #kernels: BmpKernels;
  readonly #header = new Uint8Array(FILE_HEADER_BYTES + MAXIMUM_INFO_BYTES + 16);
  #stage = Stage.fileHeader;
  /** Bytes wanted by the current stage and bytes gathered so far. */
  #want = FILE_HEADER_BYTES;
  #have = 0;
  #offset = 0; // bytes of the file consumed so far
  #pixelOffset = 0;
  #infoSize = 0;
  #width = 0;
  #height = 0;
  #topDown = false;
  #bitsPerPixel = 0;
  #compression = BI_RGB;
  #paletteEntries = 0;
  #paletteEntryBytes = 4;
  #palette = new Uint8Array(0);
  /** Red, green, blue and alpha bit fields (0: absent), as the kernels take them. */
  readonly #masks = new Uint32Array(4);
  #hasAlpha = false;
  /** Blue, green, red (and alpha) are whole bytes in that order: BI_RGB 24/32-bit and the usual BGRA masks. */
  #byteOrdered = false;
  #stride = 0;
  #row = new Uint8Array(0);
  #rgba = new Uint8Array(0);
  #rowsDone = 0;

  constructor(sink: ImageSink, limits: DecodeLimits = DEFAULT_LIMITS, kernels: BmpKernels = tsBmpKernels) {
    this.#sink = sink;
    this.#limits = limits;
    this.#kernels = kernels;
  }

  push(chunk: Uint8Array): void {
    let index = 0;
    while (index < chunk.length && this.#stage !== Stage.done) {
      if (this.#stage === Stage.gap) {
        const skip = Math.min(chunk.length - index, this.#pixelOffset - this.#offset);
        index += skip;
        this.#offset += skip;
        if (this.#offset === this.#pixelOffset) this.#enterRows();
        continue;
      }
      const target = this.#stage === Stage.rows ? this.#row : this.#stage === Stage.palette ? this.#palette : this.#header;
      const base = this.#stage === Stage.rows || this.#stage === Stage.palette ? 0 : this.#headerBase();
      const take = Math.min(chunk.length - index, this.#want - this.#have);
      target.set(chunk.subarray(index, index + take), base + this.#have);
      index += take;
      this.#have += take;
      this.#offset += take;
      if (this.#have === this.#want) this.#complete();
    }
  }

  finish(): void {
    if (this.#stage !== Stage.done) {
      throw new ImageDecodeError("truncated", `BMP ended after ${this.#offset} bytes (${this.#rowsDone} of ${this.#height} rows)`);
    }
  }

  /** Where the current header stage's bytes go in the header buffer. */
  #headerBase(): number {
    if (this.#stage === Stage.fileHeader) return 0;
    if (this.#stage === Stage.infoSize) return FILE_HEADER_BYTES;
    if (this.#stage === Stage.info) return FILE_HEADER_BYTES + 4;
    return FILE_HEADER_BYTES + this.#infoSize; // masks after a 40-byte header
  }

  #expect(stage: Stage, bytes: number): void {
    this.#stage = stage;
    this.#want = bytes;
    this.#have = 0;
  }

  #complete(): void {
    switch (this.#stage) {
      case Stage.fileHeader:
        if (this.#header[0] !== 0x42 || this.#header[1] !== 0x4d) throw new ImageDecodeError("bad_signature", "not a BMP file (no 'BM')");
        this.#pixelOffset = u32(this.#header, 10);
        return this.#expect(Stage.infoSize, 4);
      case Stage.infoSize:
        this.#infoSize = u32(this.#header, FILE_HEADER_BYTES);
        if (this.#infoSize !== 12 && (this.#infoSize < 40 || this.#infoSize > MAXIMUM_INFO_BYTES)) {
          throw new ImageDecodeError(this.#infoSize === 64 ? "unsupported" : "corrupt", `BMP info header of ${this.#infoSize} bytes`);
        }
        return this.#expect(Stage.info, this.#infoSize - 4);
      case Stage.info:
        return this.#readInfo();
      case Stage.masks:
        this.#readMasks(FILE_HEADER_BYTES + this.#infoSize, this.#want / 4);
        return this.#afterMasks();
      case Stage.palette:
        return this.#enterGap();
      case Stage.rows:
        return this.#emitRow();
      default:
        return;
    }
  }

  #readInfo(): void {
    const info = FILE_HEADER_BYTES;
    const core = this.#infoSize === 12;
    const width = core ? u16(this.#header, info + 4) : i32(this.#header, info + 4);
    const rawHeight = core ? u16(this.#header, info + 6) : i32(this.#header, info + 8);
    const planes = core ? u16(this.#header, info + 8) : u16(this.#header, info + 12);
    this.#bitsPerPixel = core ? u16(this.#header, info + 10) : u16(this.#header, info + 14);
    this.#compression = core ? BI_RGB : u32(this.#header, info + 16);
    this.#topDown = rawHeight < 0;
    const height = Math.abs(rawHeight);
    if (width <= 0 || height <= 0 || planes !== 1) throw new ImageDecodeError("corrupt", `BMP of ${width}×${rawHeight} with ${planes} planes`);
    if (width > this.#limits.maxWidth || height > this.#limits.maxHeight) {
      throw new ImageDecodeError("too_large", `BMP of ${width}×${height} exceeds ${this.#limits.maxWidth}×${this.#limits.maxHeight}`);
    }
    this.#width = width;
    this.#height = height;
    const bpp = this.#bitsPerPixel;
    if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new ImageDecodeError("corrupt", `BMP with ${bpp} bits per pixel`);
    if (this.#compression !== BI_RGB && this.#compression !== BI_BITFIELDS && this.#compression !== BI_ALPHABITFIELDS) {
      throw new ImageDecodeError("unsupported", `BMP compression ${this.#compression} (RLE, JPEG and PNG inside BMP are not decoded)`);
    }
    if (this.#compression !== BI_RGB && bpp !== 16 && bpp !== 32) throw new ImageDecodeError("corrupt", `bit fields with ${bpp} bits per pixel`);
    this.#paletteEntryBytes = core ? 3 : 4;
    const used = core ? 0 : u32(this.#header, info + 32);
    this.#paletteEntries = bpp <= 8 ? (used > 0 && used <= 1 << bpp ? used : 1 << bpp) : 0;
    // Writers of short palettes (common with core headers) leave fewer entries than 2^bpp before the pixels.
    const room = Math.floor((this.#pixelOffset - FILE_HEADER_BYTES - this.#infoSize) / this.#paletteEntryBytes);
    if (room > 0 && room < this.#paletteEntries) this.#paletteEntries = room;
    this.#stride = Math.ceil((width * bpp) / 32) * 4;

    if (this.#compression === BI_RGB) {
      this.#defaultChannels();
      return this.#afterMasks();
    }
    // V2+ headers hold the masks themselves; a 40-byte header is followed by them.
    const maskCount = this.#compression === BI_ALPHABITFIELDS ? 4 : 3;
    if (this.#infoSize >= 52) {
      this.#readMasks(info + 40, this.#infoSize >= 56 ? 4 : 3);
      return this.#afterMasks();
    }
    this.#expect(Stage.masks, maskCount * 4);
  }

  #defaultChannels(): void {
    if (this.#bitsPerPixel === 16) this.#setChannels([0x7c00, 0x03e0, 0x001f, 0]);
    else if (this.#bitsPerPixel === 24 || this.#bitsPerPixel === 32) {
      // 32-bit BI_RGB: the fourth byte is unused by definition (Windows shows such files opaque).
      this.#setChannels([0xff0000, 0x00ff00, 0x0000ff, 0]);
    }
  }

  #readMasks(at: number, count: number): void {
    const masks = [u32(this.#header, at), u32(this.#header, at + 4), u32(this.#header, at + 8), count >= 4 ? u32(this.#header, at + 12) : 0];
    this.#setChannels(masks);
  }

  #setChannels(masks: number[]): void {
    for (let i = 0; i < 4; i++) {
      const { mask, maximum } = bmpChannel(masks[i]!);
      if ((maximum & (maximum + 1)) !== 0) throw new ImageDecodeError("corrupt", `bit field mask 0x${mask.toString(16)} is not contiguous`);
      this.#masks[i] = mask;
    }
    this.#hasAlpha = masks[3] !== 0;
    this.#byteOrdered = masks[0] === 0xff0000 && masks[1] === 0xff00 && masks[2] === 0xff && (masks[3] === 0 || masks[3] === 0xff000000) && this.#bitsPerPixel >= 24;
  }

  #afterMasks(): void {
    if (this.#paletteEntries > 0) {
      this.#palette = new Uint8Array(this.#paletteEntries * this.#paletteEntryBytes);
      return this.#expect(Stage.palette, this.#palette.length);
    }
    this.#enterGap();
  }

  #enterGap(): void {
    if (this.#pixelOffset < this.#offset) {
      throw new ImageDecodeError("corrupt", `pixel data offset ${this.#pixelOffset} lies inside the headers (${this.#offset} bytes)`);
    }
    this.#stage = Stage.gap;
    if (this.#pixelOffset === this.#offset) this.#enterRows();
  }

  #enterRows(): void {
    this.#row = new Uint8Array(this.#stride);
    this.#rgba = new Uint8Array(this.#width * 4);
    this.#sink.header({ width: this.#width, height: this.#height, frameCount: 1, loopCount: 1 });
    this.#sink.frameStart({ left: 0, top: 0, width: this.#width, height: this.#height, delayMs: 0, dispose: Dispose.none, blend: Blend.source });
    this.#expect(Stage.rows, this.#stride);
  }

  #emitRow(): void {
    const bpp = this.#bitsPerPixel;
    const row = this.#row;
    const rgba = this.#rgba;
    if (bpp <= 8) {
      const index = this.#kernels.indexedRow(row, rgba, this.#width, bpp, this.#palette, this.#paletteEntryBytes, this.#paletteEntries);
      if (index >= 0) throw new ImageDecodeError("corrupt", `palette index ${index} beyond ${this.#paletteEntries} colours`);
    } else if (this.#byteOrdered) this.#kernels.byteRow(row, rgba, this.#width, bpp >> 3, this.#hasAlpha);
    else this.#kernels.fieldRow(row, rgba, this.#width, bpp >> 3, this.#masks);
    const y = this.#topDown ? this.#rowsDone : this.#height - 1 - this.#rowsDone;
    this.#sink.row(y, 0, 1, this.#width, rgba);
    this.#rowsDone++;
    if (this.#rowsDone === this.#height) {
      this.#stage = Stage.done;
      this.#sink.frameEnd();
      this.#sink.end();
      return;
    }
    this.#have = 0;
  }
}

function u16(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function i32(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}
