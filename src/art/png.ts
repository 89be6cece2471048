// PNG and APNG push decoder (PNG spec 3rd edition, APNG 1.0). Bytes in, in any slicing; RGBA rows out to
// an ImageSink as the compressed data arrives. Chunks are checked with their CRC; image data (IDAT, fdAT)
// is inflated while it streams, so its rows reach the sink before the chunk's CRC is known: a frame is
// valid only once `frameEnd` arrives (bad CRC, bad zlib checksum or missing rows throw before it).
//
// Chunk rules, strict for what shapes the image and lenient where browsers are:
// - IHDR first; PLTE before image data (required for palette images, forbidden for grey ones);
//   an unknown critical chunk is "unsupported"; unknown ancillary chunks are skipped unchecked;
//   a tRNS that is out of place or malformed is ignored, as libpng does.
// - APNG: acTL before the first IDAT makes the file animated (otherwise fcTL/fdAT are ignored and the
//   default image is shown). An fcTL before IDAT makes the default image frame 0; without one the
//   default image is not part of the animation and is skipped without inflating it. fcTL/fdAT sequence
//   numbers must run 0, 1, 2…; the number of frames must equal acTL's. Delays: den 0 means 1/100 s;
//   10 ms or less becomes 100 ms, as browsers do. DISPOSE_OP_PREVIOUS on the first frame is BACKGROUND.
// - Decompressed data past the last row is ignored; the zlib stream must still end with a good checksum
//   when the frame's data ends. Anything after IEND is ignored.
//
// Memory (worst case, 256×256 limits): PngRows ~5.2 KiB (2 rows of 2049 B at RGBA 16-bit, RGBA row
// 1 KiB, palette 1 KiB), chunk buffer 768 B, the inflater (TS: 32 KiB window + ~4 KiB tables). Nothing
// else is sized by the file; see docs/artwork.md.
// (Over 400 lines: the chunk rules above and APNG's sequence checks; the rows are png-rows.ts.)

import type { InflateFactory, Inflater, PngKernels } from "../ports.js";
import { crc32Final, CRC32_START } from "./crc32.js";
import { tsPngKernels } from "./png-kernels.js";
import { Blend, DEFAULT_LIMITS, Dispose, ImageDecodeError, type DecodeLimits, type FrameHeader, type ImageDecoder, type ImageSink } from "./image.js";
import { InflateError } from "./inflate-error.js";
import { tsInflate } from "./inflate.js";
import { ColourType, PngRows } from "./png-rows.js";

export interface PngDecoderOptions {
  limits?: DecodeLimits;
  /** A native inflater from the host; the TypeScript one otherwise. */
  inflate?: InflateFactory;
  /** Native row filters and CRC from the host (ArtKernels.png); TypeScript otherwise. */
  kernels?: PngKernels;
}

const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

const IHDR = 0x49484452;
const PLTE = 0x504c5445;
const IDAT = 0x49444154;
const IEND = 0x49454e44;
const TRNS = 0x74524e53;
const ACTL = 0x6163544c;
const FCTL = 0x6663544c;
const FDAT = 0x66644154;

/** Valid bit depths per colour type, as a bit set (bit n = depth n allowed). */
const DEPTHS: Record<number, number> = Object.freeze({ 0: 0x10116, 2: 0x10100, 3: 0x116, 4: 0x10100, 6: 0x10100 });

const enum Phase {
  Signature,
  ChunkHeader,
  ChunkData,
  ChunkCrc,
  End,
  Failed,
}

const enum Mode {
  /** Small chunk gathered in #buffer and handled when its CRC has been checked. */
  Buffer,
  /** IDAT/fdAT: streamed into the inflater. */
  Image,
  /** Unknown ancillary chunk, or image data not shown. */
  Skip,
}

function typeName(type: number): string {
  let name = "";
  for (let shift = 24; shift >= 0; shift -= 8) {
    const c = (type >>> shift) & 0xff;
    name += c >= 32 && c < 127 ? String.fromCharCode(c) : "?";
  }
  return name;
}

function need(type: number, ok: boolean, why: string): void {
  if (!ok) throw new ImageDecodeError("corrupt", `${typeName(type)}: ${why}`);
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function readU16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

export class PngDecoder implements ImageDecoder {
  readonly #sink: ImageSink;
  readonly #limits: DecodeLimits;
  readonly #inflateFactory: InflateFactory;
  readonly #kernels: PngKernels;
  #inflater: Inflater | undefined;
  #rows: PngRows | undefined;
  #error: unknown;

  #phase: Phase = Phase.Signature;
  /** Signature, chunk header, CRC and fdAT sequence bytes are gathered here. */
  readonly #small = new Uint8Array(8);
  #smallFill = 0;
  readonly #buffer = new Uint8Array(768);
  #bufferFill = 0;
  #chunkType = 0;
  #chunkLeft = 0;
  #mode: Mode = Mode.Skip;
  #crc = CRC32_START;

  #width = 0;
  #height = 0;
  #colourType = 0;
  #paletteSize = 0;
  /** 0: no image data yet; 1: in the IDAT run; 2: the IDAT run has ended. */
  #idatRun = 0;
  /** A frame's data (IDAT or fdAT run) is being decoded. */
  #frameOpen = false;

  #animated = false;
  #declaredFrames = 1;
  #loopCount = 1;
  #nextSequence = 0;
  #controlsSeen = 0;
  #framesStarted = 0;
  #pendingFrame: FrameHeader | undefined;
  /** Inside an fdAT run, the next fdAT continues the frame (its sequence bytes still to check). */
  #inFdatRun = false;

  constructor(sink: ImageSink, options: PngDecoderOptions = {}) {
    this.#sink = sink;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    this.#inflateFactory = options.inflate ?? tsInflate;
    this.#kernels = options.kernels ?? tsPngKernels;
  }

  push(chunk: Uint8Array): void {
    if (this.#phase === Phase.Failed) throw this.#error;
    try {
      this.#consume(chunk);
    } catch (error) {
      this.#phase = Phase.Failed;
      this.#error = error instanceof InflateError ? new ImageDecodeError(error.code === "unsupported" ? "unsupported" : "corrupt", `${typeName(this.#chunkType)}: ${error.message}`) : error;
      throw this.#error;
    }
  }

  finish(): void {
    if (this.#phase === Phase.Failed) throw this.#error;
    if (this.#phase !== Phase.End) {
      this.#phase = Phase.Failed;
      this.#error = new ImageDecodeError("truncated", this.#width === 0 ? "the file ended before IHDR" : "the file ended before IEND");
      throw this.#error;
    }
  }

  #consume(input: Uint8Array): void {
    const end = input.length;
    let i = 0;
    while (i < end) {
      switch (this.#phase) {
        case Phase.Signature:
          while (i < end && this.#smallFill < 8) {
            if (input[i++] !== SIGNATURE[this.#smallFill++]) throw new ImageDecodeError("bad_signature", "not a PNG file");
          }
          if (this.#smallFill === 8) this.#startHeader();
          break;
        case Phase.ChunkHeader:
          while (i < end && this.#smallFill < 8) this.#small[this.#smallFill++] = input[i++]!;
          if (this.#smallFill === 8) this.#beginChunk();
          break;
        case Phase.ChunkData: {
          const take = Math.min(this.#chunkLeft, end - i);
          if (this.#mode !== Mode.Skip) this.#crc = this.#kernels.crc32Update(this.#crc, input, i, i + take);
          if (this.#mode === Mode.Buffer) {
            this.#buffer.set(input.subarray(i, i + take), this.#bufferFill);
            this.#bufferFill += take;
          } else if (this.#mode === Mode.Image) this.#imageData(input, i, i + take);
          i += take;
          this.#chunkLeft -= take;
          if (this.#chunkLeft === 0) this.#startCrc();
          break;
        }
        case Phase.ChunkCrc:
          while (i < end && this.#smallFill < 4) this.#small[this.#smallFill++] = input[i++]!;
          if (this.#smallFill === 4) this.#endChunk();
          break;
        default:
          return; // after IEND: ignored
      }
    }
  }

  #startHeader(): void {
    this.#phase = Phase.ChunkHeader;
    this.#smallFill = 0;
  }

  #startCrc(): void {
    this.#phase = Phase.ChunkCrc;
    this.#smallFill = 0;
  }

  #beginChunk(): void {
    const small = this.#small;
    const length = readU32(small, 0);
    const type = readU32(small, 4);
    this.#chunkType = type;
    for (let k = 4; k < 8; k++) {
      const c = small[k]! | 0x20;
      if (c < 0x61 || c > 0x7a) throw new ImageDecodeError("corrupt", `chunk type ${typeName(type)} is not four letters`);
    }
    if (length > 0x7fffffff) throw new ImageDecodeError("corrupt", `${typeName(type)} length ${length} is above 2^31-1`);
    if (this.#width === 0 && type !== IHDR) throw new ImageDecodeError("corrupt", `the first chunk is ${typeName(type)}, not IHDR`);
    // A run of image data ends at the first chunk that does not continue it.
    if (this.#idatRun === 1 && type !== IDAT) this.#endImageRun();
    else if (this.#inFdatRun && type !== FDAT) this.#endImageRun();

    this.#mode = this.#chooseMode(type, length);
    this.#chunkLeft = length;
    this.#bufferFill = 0;
    this.#smallFill = 0;
    this.#crc = this.#kernels.crc32Update(CRC32_START, small, 4, 8);
    if (this.#mode === Mode.Image && type === IDAT && this.#idatRun === 0) this.#startImage();
    if (this.#mode === Mode.Image && type === IDAT) this.#idatRun = 1;
    this.#phase = Phase.ChunkData;
    if (length === 0) this.#startCrc();
  }

  /** Decides how a chunk's data is handled, rejecting chunks that are out of place or malformed. */
  #chooseMode(type: number, length: number): Mode {
    const beforeImage = this.#idatRun === 0;
    switch (type) {
      case IHDR:
        need(type, this.#width === 0, "appears twice");
        need(type, length === 13, `length ${length} (must be 13)`);
        return Mode.Buffer;
      case PLTE:
        need(type, beforeImage, "after the image data");
        need(type, this.#paletteSize === 0, "appears twice");
        need(type, this.#colourType !== ColourType.grey && this.#colourType !== ColourType.greyAlpha, "in a greyscale image");
        need(type, length > 0 && length <= 768 && length % 3 === 0, `length ${length} is not 3 × 1..256 entries`);
        return Mode.Buffer;
      case TRNS:
        return beforeImage && length <= 256 ? Mode.Buffer : Mode.Skip;
      case IDAT:
        need(type, this.#idatRun < 2, "image data chunks are not consecutive");
        return this.#animated && this.#idatRun === 0 && !this.#pendingFrame ? this.#skipDefaultImage() : this.#idatMode();
      case IEND:
        need(type, length === 0, `length ${length} (must be 0)`);
        return Mode.Buffer;
      case ACTL:
        if (!beforeImage) return Mode.Skip; // too late: the file is shown as a still image
        need(type, !this.#animated, "appears twice");
        need(type, length === 8, `length ${length} (must be 8)`);
        return Mode.Buffer;
      case FCTL:
        if (!this.#animated) return Mode.Skip;
        need(type, length === 26, `length ${length} (must be 26)`);
        return Mode.Buffer;
      case FDAT:
        if (!this.#animated) return Mode.Skip;
        need(type, !beforeImage, "before IDAT");
        need(type, length >= 4, `length ${length} leaves no room for a sequence number`);
        need(type, this.#inFdatRun || this.#pendingFrame !== undefined, "frame data without an fcTL");
        this.#inFdatRun = true;
        return Mode.Image;
      default:
        if ((type & 0x20000000) === 0) throw new ImageDecodeError("unsupported", `unknown critical chunk ${typeName(type)}`);
        return Mode.Skip;
    }
  }

  #idatMode(): Mode {
    return this.#idatRun === 1 && !this.#frameOpen ? Mode.Skip : Mode.Image;
  }

  #skipDefaultImage(): Mode {
    this.#startImage();
    this.#idatRun = 1;
    return Mode.Skip;
  }

  /** The first IDAT: everything that shapes the image is known, so the sink gets the header. */
  #startImage(): void {
    if (this.#colourType === ColourType.palette && this.#paletteSize === 0) throw new ImageDecodeError("corrupt", "palette image without PLTE");
    this.#sink.header({ width: this.#width, height: this.#height, frameCount: this.#declaredFrames, loopCount: this.#loopCount });
    if (this.#animated && !this.#pendingFrame) return; // default image not in the animation
    const frame = this.#pendingFrame ?? { left: 0, top: 0, width: this.#width, height: this.#height, delayMs: 0, dispose: Dispose.none, blend: Blend.source };
    this.#openFrame(frame);
  }

  #openFrame(frame: FrameHeader): void {
    this.#pendingFrame = undefined;
    this.#framesStarted++;
    this.#rows!.startFrame(frame.width, frame.height);
    if (this.#inflater) this.#inflater.reset();
    else this.#inflater = this.#inflateFactory.create();
    this.#frameOpen = true;
    this.#sink.frameStart(frame);
  }

  #imageData(input: Uint8Array, start: number, end: number): void {
    let from = start;
    if (this.#chunkType === FDAT) {
      // Each fdAT starts with its sequence number; the first fdAT of a frame opens it.
      while (this.#smallFill < 4 && from < end) this.#small[this.#smallFill++] = input[from++]!;
      if (this.#smallFill < 4) return;
      if (this.#smallFill === 4) {
        this.#smallFill = 5; // checked
        this.#checkSequence(readU32(this.#small, 0));
        if (!this.#frameOpen) this.#openFrame(this.#pendingFrame!);
      }
    }
    if (from < end) this.#inflater!.push(from === 0 && end === input.length ? input : input.subarray(from, end), this.#rows!);
  }

  /** The data of the current frame (or of the skipped default image) has ended. */
  #endImageRun(): void {
    if (this.#idatRun === 1) this.#idatRun = 2;
    this.#inFdatRun = false;
    if (!this.#frameOpen) return;
    this.#frameOpen = false;
    try {
      this.#inflater!.finish();
    } catch (error) {
      if (error instanceof InflateError && error.code === "truncated") throw new ImageDecodeError("corrupt", "the frame's zlib stream ends early");
      throw error;
    }
    if (!this.#rows!.complete) throw new ImageDecodeError("corrupt", "the image data ends before the last row");
    this.#sink.frameEnd();
  }

  #checkSequence(sequence: number): void {
    if (sequence !== this.#nextSequence) throw new ImageDecodeError("corrupt", `${typeName(this.#chunkType)} sequence number ${sequence}, expected ${this.#nextSequence}`);
    this.#nextSequence++;
  }

  #endChunk(): void {
    const type = this.#chunkType;
    if (this.#mode !== Mode.Skip && readU32(this.#small, 0) !== crc32Final(this.#crc)) throw new ImageDecodeError("corrupt", `${typeName(type)}: CRC mismatch`);
    this.#startHeader();
    if (this.#mode !== Mode.Buffer) return;
    const data = this.#buffer;
    switch (type) {
      case IHDR:
        this.#header(data);
        break;
      case PLTE:
        this.#palette(data, this.#bufferFill);
        break;
      case TRNS:
        this.#transparency(data, this.#bufferFill);
        break;
      case ACTL:
        this.#animationControl(data);
        break;
      case FCTL:
        this.#frameControl(data);
        break;
      case IEND:
        this.#imageEnd();
        break;
    }
  }

  #header(data: Uint8Array): void {
    const width = readU32(data, 0);
    const height = readU32(data, 4);
    const depth = data[8]!;
    const colourType = data[9]!;
    if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw new ImageDecodeError("corrupt", `IHDR size ${width}×${height}`);
    if (((DEPTHS[colourType] ?? 0) & (1 << depth)) === 0 || depth > 16) throw new ImageDecodeError("corrupt", `IHDR bit depth ${depth} with colour type ${colourType}`);
    if (data[10] !== 0 || data[11] !== 0) throw new ImageDecodeError("corrupt", `IHDR compression ${data[10]} / filter ${data[11]} method`);
    if (data[12]! > 1) throw new ImageDecodeError("corrupt", `IHDR interlace method ${data[12]}`);
    if (width > this.#limits.maxWidth || height > this.#limits.maxHeight) {
      throw new ImageDecodeError("too_large", `${width}×${height} is above ${this.#limits.maxWidth}×${this.#limits.maxHeight}`);
    }
    this.#width = width;
    this.#height = height;
    this.#colourType = colourType;
    this.#rows = new PngRows(this.#sink, { colourType, bitDepth: depth, interlaced: data[12] === 1 }, width, this.#kernels);
  }

  #palette(data: Uint8Array, length: number): void {
    const entries = length / 3;
    if (this.#colourType !== ColourType.palette) return; // a suggested palette for RGB: not needed
    const palette = this.#rows!.palette;
    for (let n = 0; n < entries; n++) {
      palette[n * 4] = data[n * 3]!;
      palette[n * 4 + 1] = data[n * 3 + 1]!;
      palette[n * 4 + 2] = data[n * 3 + 2]!;
    }
    this.#paletteSize = entries;
  }

  #transparency(data: Uint8Array, length: number): void {
    const rows = this.#rows!;
    if (this.#colourType === ColourType.palette) {
      if (length === 0 || length > this.#paletteSize) return; // malformed: ignored
      for (let n = 0; n < length; n++) rows.palette[n * 4 + 3] = data[n]!;
    } else if (this.#colourType === ColourType.grey && length === 2) rows.keyRed = readU16(data, 0);
    else if (this.#colourType === ColourType.rgb && length === 6) {
      rows.keyRed = readU16(data, 0);
      rows.keyGreen = readU16(data, 2);
      rows.keyBlue = readU16(data, 4);
    }
  }

  #animationControl(data: Uint8Array): void {
    const frames = readU32(data, 0);
    if (frames === 0) throw new ImageDecodeError("corrupt", "acTL declares 0 frames");
    if (frames > this.#limits.maxFrames) throw new ImageDecodeError("too_many_frames", `acTL declares ${frames} frames (limit ${this.#limits.maxFrames})`);
    this.#animated = true;
    this.#declaredFrames = frames;
    this.#loopCount = readU32(data, 4);
  }

  #frameControl(data: Uint8Array): void {
    this.#checkSequence(readU32(data, 0));
    if (this.#pendingFrame) throw new ImageDecodeError("corrupt", "fcTL without frame data before the next fcTL");
    if (++this.#controlsSeen > this.#declaredFrames) throw new ImageDecodeError("corrupt", `more fcTL chunks than the ${this.#declaredFrames} frames acTL declares`);
    const width = readU32(data, 4);
    const height = readU32(data, 8);
    const left = readU32(data, 12);
    const top = readU32(data, 16);
    if (width === 0 || height === 0 || left + width > this.#width || top + height > this.#height) {
      throw new ImageDecodeError("corrupt", `fcTL region ${width}×${height} at ${left},${top} is outside the ${this.#width}×${this.#height} canvas`);
    }
    if (this.#idatRun === 0 && (left !== 0 || top !== 0 || width !== this.#width || height !== this.#height)) {
      throw new ImageDecodeError("corrupt", "the fcTL of the default image does not cover the canvas");
    }
    const numerator = readU16(data, 20);
    const denominator = readU16(data, 22) || 100;
    const rawMs = Math.round((numerator * 1000) / denominator);
    const disposeOp = data[24]!;
    const blendOp = data[25]!;
    if (disposeOp > 2) throw new ImageDecodeError("corrupt", `fcTL dispose op ${disposeOp}`);
    if (blendOp > 1) throw new ImageDecodeError("corrupt", `fcTL blend op ${blendOp}`);
    let dispose: Dispose = disposeOp === 0 ? Dispose.none : disposeOp === 1 ? Dispose.background : Dispose.previous;
    if (dispose === Dispose.previous && this.#framesStarted === 0) dispose = Dispose.background;
    this.#pendingFrame = {
      left,
      top,
      width,
      height,
      delayMs: rawMs <= 10 ? 100 : rawMs,
      dispose,
      blend: blendOp === 0 ? Blend.source : Blend.over,
    };
  }

  #imageEnd(): void {
    if (this.#idatRun === 0) throw new ImageDecodeError("corrupt", "no IDAT before IEND");
    if (this.#pendingFrame) throw new ImageDecodeError("corrupt", "fcTL without frame data at the end");
    if (this.#animated && this.#framesStarted !== this.#declaredFrames) {
      throw new ImageDecodeError("corrupt", `acTL declares ${this.#declaredFrames} frames, the file has ${this.#framesStarted}`);
    }
    this.#phase = Phase.End;
    this.#sink.end();
  }
}
