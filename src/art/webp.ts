// WebP push decoder (RIFF container, RFC 9649 §2): simple lossy ("VP8 "), simple lossless ("VP8L")
// and extended files (VP8X: ALPH + VP8 / VP8L stills, ANIM/ANMF animations). Bytes in, in any slicing;
// RGBA rows out to an ImageSink, a frame at a time.
//
// What is buffered: the container is parsed as the bytes arrive, but a frame's compressed chunk
// (VP8L, VP8, and its ALPH) is gathered whole before it is decoded: VP8L back-references can reach any
// earlier pixel of the frame and VP8 keeps its coefficients in partitions that follow the modes, so
// neither can finish a row before most of the chunk is there. The chunk buffer grows with the bytes
// received (never with a declared size), up to MAX_CHUNK. See docs/artwork.md ("WebP").
//
// Rules (docs/artwork.md): the first chunk must be VP8, VP8L or VP8X; unknown chunks, ICCP, EXIF and XMP
// are skipped; odd-sized chunks are followed by a padding byte; a VP8X still must match its canvas; an
// animated file needs ANIM before its first ANMF; ANMF frames lie inside the canvas, their bitstream
// matches the frame size, blending bit 0 → Blend.over, 1 → Blend.source, disposal bit 1 → background;
// durations of 10 ms or less become 100 ms (as browsers do); the ANIM background colour is ignored (as
// browsers do: the canvas starts transparent). Loop count n: 0 = forever, else n plays.
// The file ends where the RIFF size says; later bytes are ignored; `finish()` before then is "truncated".
//
// Memory (worst case, 256×256 limits): the frame's ARGB pixels for VP8L (256 KiB) or YUV planes for VP8
// (~100 KiB, see webp-lossy.ts), the compressed chunk(s) as received, one RGBA row (1 KiB), small
// headers. A VP8L ALPH adds a w×h ARGB buffer while it decodes; a raw or spatially filtered ALPH, a w×h
// byte plane (an unfiltered VP8L one, the usual kind, is read from the ARGB buffer).
// (Over 400 lines: the RIFF container's chunk rules and the animation's frame rules; the bitstreams are
// webp-lossless.ts and webp-lossy.ts.)

import { Blend, DEFAULT_LIMITS, Dispose, ImageDecodeError } from "./image.js";
import type { DecodeLimits, FrameHeader, ImageDecoder, ImageSink } from "./image.js";
import { decodeAlpha } from "./webp-alpha.js";
import { LosslessDecoder } from "./webp-lossless.js";
import { LossyDecoder } from "./webp-lossy.js";
import { tsWebpKernels } from "./webp-kernels.js";
import { LITTLE_ENDIAN, swapWords } from "./webp-yuv.js";
import type { WebpKernels } from "../ports.js";
import { NO_BYTES, NO_ROW, NO_WORDS } from "./webp-placeholders.js";

/** Largest image chunk accepted: the artwork body cap (5 MiB). */
const MAX_CHUNK = 5 * 1024 * 1024;

const RIFF_HEADER = 0;
const CHUNK_HEADER = 1;
const CHUNK_DATA = 2;
const PADDING = 3;
const DONE = 4;

// What happens to a chunk's data.
const SKIP = 0;
const SMALL = 1; // gathered into #small (VP8X, ANIM, ANMF header)
const IMAGE = 2; // gathered into #image (VP8, VP8L)
const ALPHA = 3; // gathered into #alpha

const fourcc = (text: string): number => ((text.charCodeAt(0) << 24) | (text.charCodeAt(1) << 16) | (text.charCodeAt(2) << 8) | text.charCodeAt(3)) >>> 0;
const VP8 = fourcc("VP8 ");
const VP8L = fourcc("VP8L");
const VP8X = fourcc("VP8X");
const ALPH = fourcc("ALPH");
const ANIM = fourcc("ANIM");
const ANMF = fourcc("ANMF");

function readU24(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function typeName(type: number): string {
  let name = "";
  for (let shift = 24; shift >= 0; shift -= 8) {
    const c = (type >>> shift) & 0xff;
    name += c >= 32 && c < 127 ? String.fromCharCode(c) : "?";
  }
  return name;
}

export class WebpDecoder implements ImageDecoder {
  readonly #sink: ImageSink;
  readonly #limits: DecodeLimits;
  #failure: ImageDecodeError | undefined;

  #state = RIFF_HEADER;
  /** File offset of the next byte. */
  #offset = 0;
  #riffEnd = 0;
  /** End of the ANMF chunk being read, or 0 outside one. */
  #frameEnd = 0;
  #framePadding = false;
  readonly #small = new Uint8Array(16);
  #smallFill = 0;
  #chunkType = 0;
  #chunkSize = 0;
  #chunkLeft = 0;
  #mode = SKIP;

  #image: Uint8Array = NO_BYTES;
  #imageFill = 0;
  #imageChecked = false;
  #alpha: Uint8Array = NO_BYTES;
  #alphaFill = 0;
  #hasAlpha = false;

  #chunks = 0;
  #extended = false;
  #animated = false;
  #canvasWidth = 0;
  #canvasHeight = 0;
  #headerSent = false;
  /** The still image has been decoded (simple or VP8X still). */
  #stillDone = false;
  #frames = 0;
  #frame: FrameHeader | undefined;
  #frameHasImage = false;

  #lossless: LosslessDecoder | undefined;
  #lossy: LossyDecoder | undefined;
  #argb = NO_WORDS;
  #alphaPlane = NO_BYTES;
  /** Canvas area: the largest frame, so buffers sized by it serve every frame. */
  #area = 0;
  #row = NO_BYTES;
  /** #row's bytes as words: the decoders write a pixel at a time. */
  #rowWords = NO_ROW;
  /** VP8 converts two rows a call (WebpKernels.yuvRowPair): the lower one's bytes and words, made for the first lossy frame. */
  #rowBelow = NO_BYTES;
  #rowBelowWords = NO_ROW;

  readonly #kernels: WebpKernels;

  /** `kernels`: native row conversions (src/ports.ts); the TypeScript ones by default. */
  constructor(sink: ImageSink, limits: DecodeLimits = DEFAULT_LIMITS, kernels: WebpKernels = tsWebpKernels) {
    this.#sink = sink;
    this.#limits = limits;
    this.#kernels = kernels;
  }

  push(chunk: Uint8Array): void {
    if (this.#failure) throw this.#failure;
    try {
      this.#consume(chunk);
    } catch (error) {
      if (error instanceof ImageDecodeError) this.#failure = error;
      throw error;
    }
  }

  finish(): void {
    if (this.#failure) throw this.#failure;
    if (this.#state === DONE) return;
    this.#failure = new ImageDecodeError("truncated", this.#state === RIFF_HEADER ? "the file ends inside the RIFF header" : `the file ends at byte ${this.#offset} of ${this.#riffEnd}`);
    throw this.#failure;
  }

  #consume(input: Uint8Array): void {
    const end = input.length;
    let i = 0;
    while (i < end) {
      switch (this.#state) {
        case RIFF_HEADER:
          while (i < end && this.#smallFill < 12) this.#small[this.#smallFill++] = input[i++]!;
          this.#checkRiff();
          break;
        case CHUNK_HEADER:
          while (i < end && this.#smallFill < 8) this.#small[this.#smallFill++] = input[i++]!;
          if (this.#smallFill === 8) this.#beginChunk();
          break;
        case CHUNK_DATA: {
          const take = Math.min(this.#chunkLeft, end - i);
          if (this.#mode === SMALL) {
            for (let k = 0; k < take && this.#smallFill < 16; k++) this.#small[this.#smallFill++] = input[i + k]!;
          } else if (this.#mode === IMAGE) {
            this.#image = this.#gather(this.#image, this.#imageFill, input, i, take);
            this.#imageFill += take;
            this.#checkImageHeader();
          } else if (this.#mode === ALPHA) {
            this.#alpha = this.#gather(this.#alpha, this.#alphaFill, input, i, take);
            this.#alphaFill += take;
          }
          i += take;
          this.#chunkLeft -= take;
          this.#offset += take;
          if (this.#chunkLeft === 0) this.#endChunk();
          break;
        }
        case PADDING:
          i++;
          this.#offset++;
          this.#afterChunk();
          break;
        default:
          return; // DONE: bytes after the RIFF data are ignored
      }
    }
  }

  /** Appends `take` bytes to a buffer that grows (doubling) with what was received. */
  #gather(buffer: Uint8Array, fill: number, input: Uint8Array, from: number, take: number): Uint8Array {
    let target = buffer;
    if (fill + take > target.length) {
      target = new Uint8Array(Math.min(Math.max(fill + take, target.length * 2, 4096), this.#chunkSize));
      target.set(buffer.subarray(0, fill));
    }
    target.set(input.subarray(from, from + take), fill);
    return target;
  }

  #checkRiff(): void {
    const s = this.#small;
    const have = this.#smallFill;
    const riff = [0x52, 0x49, 0x46, 0x46];
    const webp = [0x57, 0x45, 0x42, 0x50];
    for (let k = 0; k < Math.min(have, 4); k++) if (s[k] !== riff[k]) throw new ImageDecodeError("bad_signature", "not a RIFF file");
    for (let k = 8; k < have; k++) if (s[k] !== webp[k - 8]) throw new ImageDecodeError("bad_signature", "a RIFF file but not WebP");
    if (have < 12) return;
    const size = readU32(s, 4);
    if (size < 4 + 8) throw new ImageDecodeError("corrupt", `RIFF size ${size} leaves no room for a chunk`);
    this.#riffEnd = 8 + size;
    this.#offset = 12;
    this.#startHeader();
  }

  #startHeader(): void {
    this.#state = CHUNK_HEADER;
    this.#smallFill = 0;
  }

  #beginChunk(): void {
    const type = readU32BE(this.#small, 0);
    const size = readU32(this.#small, 4);
    this.#offset += 8;
    const containerEnd = this.#frameEnd || this.#riffEnd;
    if (size > containerEnd - this.#offset) {
      throw new ImageDecodeError("corrupt", `${typeName(type)} chunk of ${size} bytes runs past its ${this.#frameEnd ? "ANMF" : "RIFF"} container`);
    }
    this.#chunks++;
    this.#chunkType = type;
    this.#chunkSize = size;
    this.#chunkLeft = size;
    this.#smallFill = 0;
    this.#mode = this.#chooseMode(type, size);
    if (type === ANMF && this.#mode === SMALL) this.#chunkLeft = 16; // the frame's sub-chunks follow
    this.#state = CHUNK_DATA;
    if (size === 0) this.#endChunk();
  }

  #chooseMode(type: number, size: number): number {
    if (this.#chunks === 1) {
      if (type === VP8X) {
        if (size < 10) throw new ImageDecodeError("corrupt", `VP8X chunk of ${size} bytes (expected 10)`);
        this.#extended = true;
        return SMALL;
      }
      if (type !== VP8 && type !== VP8L) throw new ImageDecodeError("corrupt", `the first chunk is ${typeName(type)}, not VP8, VP8L or VP8X`);
      return this.#imageMode(size);
    }
    if (this.#stillDone) return SKIP;
    if (this.#frameEnd) {
      // Inside an ANMF: an optional ALPH, then the frame's bitstream; anything else is skipped.
      if (this.#frameHasImage) return SKIP;
      if (type === ALPH) return this.#alphaMode(size);
      if (type === VP8 || type === VP8L) return this.#imageMode(size);
      return SKIP;
    }
    if (this.#animated) {
      if (type === ANIM) {
        if (size < 6) throw new ImageDecodeError("corrupt", `ANIM chunk of ${size} bytes (expected 6)`);
        return SMALL;
      }
      if (type === ANMF) {
        if (!this.#headerSent) throw new ImageDecodeError("corrupt", "ANMF before ANIM");
        if (size < 16) throw new ImageDecodeError("corrupt", `ANMF chunk of ${size} bytes`);
        return SMALL;
      }
      return SKIP; // image data outside ANMF in an animation, metadata, unknown chunks
    }
    if (type === ALPH) return this.#alphaMode(size);
    if (type === VP8 || type === VP8L) return this.#imageMode(size);
    return SKIP;
  }

  #imageMode(size: number): number {
    if (size > MAX_CHUNK) throw new ImageDecodeError("too_large", `image chunk of ${size} bytes (limit ${MAX_CHUNK})`);
    this.#imageFill = 0;
    this.#imageChecked = false;
    return IMAGE;
  }

  #alphaMode(size: number): number {
    if (size > MAX_CHUNK) throw new ImageDecodeError("too_large", `ALPH chunk of ${size} bytes (limit ${MAX_CHUNK})`);
    this.#alphaFill = 0;
    this.#hasAlpha = true;
    return ALPHA;
  }

  /** Checks the bitstream's size against the limits and the canvas as soon as its header is in. */
  #checkImageHeader(): void {
    if (this.#imageChecked || this.#imageFill < (this.#chunkType === VP8L ? 5 : 10)) return;
    this.#imageChecked = true;
    this.#imageSize();
  }

  #imageSize(): [number, number] {
    const data = this.#image;
    let width: number;
    let height: number;
    if (this.#chunkType === VP8L) {
      if (this.#imageFill < 5) throw new ImageDecodeError("corrupt", "VP8L chunk shorter than its header");
      [width, height] = LosslessDecoder.header(data, 0);
    } else {
      if (this.#imageFill < 10) throw new ImageDecodeError("corrupt", "VP8 chunk shorter than its header");
      [width, height] = LossyDecoder.header(data, 0);
    }
    if (width > this.#limits.maxWidth || height > this.#limits.maxHeight) {
      throw new ImageDecodeError("too_large", `image ${width}×${height} exceeds ${this.#limits.maxWidth}×${this.#limits.maxHeight}`);
    }
    const frame = this.#frame;
    if (frame && (width !== frame.width || height !== frame.height)) {
      throw new ImageDecodeError("corrupt", `frame bitstream is ${width}×${height}, its ANMF says ${frame.width}×${frame.height}`);
    }
    if (!frame && this.#extended && (width !== this.#canvasWidth || height !== this.#canvasHeight)) {
      throw new ImageDecodeError("corrupt", `image ${width}×${height} on a ${this.#canvasWidth}×${this.#canvasHeight} canvas`);
    }
    return [width, height];
  }

  #endChunk(): void {
    switch (this.#mode) {
      case SMALL:
        if (this.#chunkType === VP8X) this.#extendedHeader();
        else if (this.#chunkType === ANIM) this.#animationHeader();
        else return this.#frameHeader(); // ANMF: its sub-chunks follow
        break;
      case IMAGE:
        this.#decodeImage();
        break;
    }
    if (this.#chunkSize & 1 && this.#offset < (this.#frameEnd || this.#riffEnd)) this.#state = PADDING;
    else this.#afterChunk();
  }

  /** After a chunk and its padding: the next chunk header, the end of an ANMF, or the end of the file. */
  #afterChunk(): void {
    if (this.#frameEnd && this.#offset >= this.#frameEnd) {
      if (!this.#frameHasImage) throw new ImageDecodeError("corrupt", `ANMF frame ${this.#frames} without image data`);
      this.#frameEnd = 0;
      this.#frame = undefined;
      if (this.#framePadding && this.#offset < this.#riffEnd) {
        this.#framePadding = false;
        this.#state = PADDING;
        return;
      }
    }
    if (this.#offset >= this.#riffEnd) return this.#endOfFile();
    this.#startHeader();
  }

  #endOfFile(): void {
    if (this.#animated ? this.#frames === 0 : !this.#stillDone) throw new ImageDecodeError("corrupt", this.#animated ? "an animation without frames" : "no image data");
    this.#state = DONE;
    this.#sink.end();
  }

  #extendedHeader(): void {
    const s = this.#small;
    const width = readU24(s, 4) + 1;
    const height = readU24(s, 7) + 1;
    if (width > this.#limits.maxWidth || height > this.#limits.maxHeight) {
      throw new ImageDecodeError("too_large", `canvas ${width}×${height} exceeds ${this.#limits.maxWidth}×${this.#limits.maxHeight}`);
    }
    this.#canvasWidth = width;
    this.#canvasHeight = height;
    this.#animated = (s[0]! & 0x02) !== 0;
  }

  #animationHeader(): void {
    if (this.#headerSent) return; // a second ANIM: ignored
    this.#sendHeader(this.#canvasWidth, this.#canvasHeight, 0, this.#small[4]! | (this.#small[5]! << 8));
  }

  #sendHeader(width: number, height: number, frameCount: number, loopCount: number): void {
    this.#headerSent = true;
    this.#area = width * height;
    this.#rowWords = new Uint32Array(width);
    this.#row = new Uint8Array(this.#rowWords.buffer);
    this.#sink.header({ width, height, frameCount, loopCount });
  }

  #frameHeader(): void {
    const s = this.#small;
    if (++this.#frames > this.#limits.maxFrames) throw new ImageDecodeError("too_many_frames", `more than ${this.#limits.maxFrames} frames`);
    const left = readU24(s, 0) * 2;
    const top = readU24(s, 3) * 2;
    const width = readU24(s, 6) + 1;
    const height = readU24(s, 9) + 1;
    if (left + width > this.#canvasWidth || top + height > this.#canvasHeight) {
      throw new ImageDecodeError("corrupt", `frame ${width}×${height} at ${left},${top} outside the ${this.#canvasWidth}×${this.#canvasHeight} canvas`);
    }
    const duration = readU24(s, 12);
    const flags = s[15]!;
    this.#frame = {
      left,
      top,
      width,
      height,
      delayMs: duration <= 10 ? 100 : duration,
      dispose: flags & 1 ? Dispose.background : Dispose.none,
      blend: flags & 2 ? Blend.source : Blend.over,
    };
    this.#frameHasImage = false;
    this.#hasAlpha = false;
    this.#frameEnd = this.#offset + this.#chunkSize - 16;
    this.#framePadding = (this.#chunkSize & 1) === 1;
    if (this.#offset >= this.#frameEnd) this.#afterChunk();
    else this.#startHeader();
  }

  #argbBuffer(area: number): Int32Array {
    if (this.#argb.length < area) this.#argb = new Int32Array(this.#area);
    return this.#argb;
  }

  /** The alpha plane, made when an ALPH chunk first needs one (raw or filtered alpha), canvas-sized. */
  #alphaPlaneBuffer(area: number): Uint8Array {
    if (this.#alphaPlane.length < area) this.#alphaPlane = new Uint8Array(this.#area);
    return this.#alphaPlane;
  }

  #decodeImage(): void {
    const [width, height] = this.#imageSize();
    const frame: FrameHeader = this.#frame ?? { left: 0, top: 0, width, height, delayMs: 0, dispose: Dispose.none, blend: Blend.source };
    if (!this.#headerSent) this.#sendHeader(width, height, 1, 1);
    const sink = this.#sink;
    const row = this.#row;
    if (this.#chunkType === VP8L) {
      const argb = this.#argbBuffer(width * height);
      const palette = (this.#lossless ??= new LosslessDecoder(this.#kernels)).decode(this.#image, 0, this.#imageFill, width, height, argb, false, true);
      if (palette) {
        // Colour indexing left to this loop: the table in RGBA word order, looked up per pixel.
        for (let i = 0; i < 256; i++) {
          const colour = palette[i]!;
          palette[i] = (colour & -16711936) | ((colour >>> 16) & 0xff) | ((colour & 0xff) << 16);
        }
        if (!LITTLE_ENDIAN) swapWords(palette, 256);
      }
      sink.frameStart(frame);
      const words = this.#rowWords;
      const kernels = this.#kernels;
      for (let y = 0; y < height; y++) {
        if (palette) kernels.paletteRow(argb, y * width, width, palette, words);
        else kernels.argbRow(argb, y * width, width, words);
        sink.row(y, 0, 1, width, row);
      }
    } else {
      const lossy = (this.#lossy ??= new LossyDecoder(this.#kernels));
      lossy.decode(this.#image, 0, this.#imageFill, width, height);
      let alpha: Uint8Array | Int32Array | undefined;
      let alphaShift = 0;
      if (this.#hasAlpha) {
        alpha = decodeAlpha(this.#alpha, this.#alphaFill, width, height, () => this.#alphaPlaneBuffer(width * height), () => this.#argbBuffer(width * height), (this.#lossless ??= new LosslessDecoder(this.#kernels)));
        if (!alpha) {
          alpha = this.#argb;
          alphaShift = 8;
        }
      }
      if (this.#rowBelowWords.length !== this.#rowWords.length) {
        this.#rowBelowWords = new Uint32Array(this.#rowWords.length);
        this.#rowBelow = new Uint8Array(this.#rowBelowWords.buffer);
      }
      const below = this.#rowBelow;
      sink.frameStart(frame);
      // Rows in the pairs that share chroma rows: (−1, 0), (1, 2), …; −1 and height are not delivered.
      for (let y = -1; y < height; y += 2) {
        this.#kernels.yuvRowPair(lossy.y, lossy.u, lossy.v, lossy.yStride, lossy.uvStride, width, height, y, this.#rowWords, this.#rowBelowWords, alpha, y * width, alphaShift);
        if (y >= 0) sink.row(y, 0, 1, width, row);
        if (y + 1 < height) sink.row(y + 1, 0, 1, width, below);
      }
    }
    sink.frameEnd();
    this.#hasAlpha = false;
    if (this.#frame) this.#frameHasImage = true;
    else this.#stillDone = true;
  }
}

function readU32BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
