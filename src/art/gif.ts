// GIF 87a/89a push decoder: bytes in, in any slicing; RGBA rows out to an ImageSink.
//
// What it does the way browsers do (documented in docs/artwork.md):
// - Delays of 0 or 1 centisecond become 100 ms; no Graphic Control Extension means 100 ms too.
// - NETSCAPE2.0 / ANIMEXTS1.0 loop count n: 0 = forever, n > 0 = n repeats after the first play
//   (n + 1 plays); no loop extension = play once. Only an extension before the first image counts.
// - Disposal 2 -> background (cleared to transparent), 3 -> previous, 0/1/4-7 -> none.
// - A frame reaching past the canvas is clipped to it (a frame wholly outside becomes an empty region);
//   a frame wider or taller than the limits is refused (too_large) so clipped work stays bounded.
// - A missing LZW end code is fine; data after the frame's last pixel is ignored; a frame whose data
//   ends early has its missing pixels delivered transparent (the canvas shows through).
// - Colour indices beyond the colour table are opaque black.
// - After at least one frame, a missing trailer or an unknown block byte ends the file (as Chrome and
//   Firefox do); before any frame it is an error.
//
// The per-pixel work (LZW, index → RGBA) goes through GifKernels (src/ports.ts): the TypeScript ones
// (src/art/lzw.ts, gif-kernels.ts) unless the host brings native twins.
//
// Memory (fixed, allocated in the constructor or once the canvas width is known): LZW tables 16 KiB,
// two colour tables 2 × 768 B, the current frame's RGBA colours 1 KiB, one RGBA row and one index row
// of canvas width (5 × 256 B at most), a 16-byte header buffer: about 20 KiB.
// (Over 400 lines: the block grammar and the browser-compatible rules above; the pixel work is lzw.ts
// and gif-kernels.ts.)

import { Blend, DEFAULT_LIMITS, Dispose, ImageDecodeError } from "./image.js";
import type { DecodeLimits, ImageDecoder, ImageSink } from "./image.js";
import type { GifKernels, LzwStream } from "../ports.js";
import { tsGifKernels } from "./gif-kernels.js";

// Parser states.
const HEADER = 0; // signature + logical screen descriptor, 13 bytes
const GLOBAL_TABLE = 1;
const BLOCK = 2; // expecting 0x21, 0x2C or 0x3B
const EXTENSION_LABEL = 3;
const SUB_BLOCK_SIZE = 4;
const SUB_BLOCK_DATA = 5;
const DESCRIPTOR = 6; // image descriptor after 0x2C, 9 bytes
const LOCAL_TABLE = 7;
const MIN_CODE_SIZE = 8;
const DONE = 9;

// What the current run of sub-blocks belongs to.
const SKIPPED_EXTENSION = 0;
const GRAPHIC_CONTROL = 1;
const APPLICATION = 2;
const IMAGE_DATA = 3;

const INTERLACE_START = Object.freeze([0, 4, 2, 1]);
const INTERLACE_STEP = Object.freeze([8, 8, 4, 2]);
const NO_TRANSPARENCY = -1;
const APPLICATION_ID_LENGTH = 11;

export class GifDecoder implements ImageDecoder {
  // XS finds a property by walking the object's properties in order: what the row loop reads comes first.
  private readonly lzw: LzwStream;
  private readonly kernels: GifKernels;
  private readonly sink: ImageSink;
  private interlaced = false;
  // The image being decoded.
  private frameLeft = 0;
  private frameTop = 0;
  private frameWidth = 0;
  private frameHeight = 0;
  private visibleWidth = 0;
  private visibleHeight = 0;
  private pass = 0;
  private y = 0;
  private rowsDone = 0;
  private column = 0;
  // RGBA of every index for the current frame, transparency applied, as 32-bit words (bytes in memory
  // order) so a pixel is one store; the row is read through a byte view.
  private readonly colourWords = new Uint32Array(256);
  private rowWords: Uint32Array = new Uint32Array(0);
  private rgbaRow: Uint8Array = new Uint8Array(0);
  private indexRow: Uint8Array = new Uint8Array(0);

  private state = HEADER;
  private blockKind = SKIPPED_EXTENSION;
  private subBlockLeft = 0;
  private subBlockIndex = 0;
  private subBlockPos = 0;

  private readonly limits: DecodeLimits;
  private readonly globalTable = new Uint8Array(256 * 3);
  private readonly localTable = new Uint8Array(256 * 3);
  private readonly gathered = new Uint8Array(16);
  private gatheredLength = 0;
  private failure: ImageDecodeError | undefined;

  private canvasWidth = 0;
  private canvasHeight = 0;
  private hasGlobalTable = false;
  private tableBytes = 0; // bytes of the colour table being read
  private tableFilled = 0;

  private firstSubBlockLength = 0;
  private secondSubBlockLength = 0;

  // Graphic Control Extension for the next image.
  private delayMs = 100;
  private dispose: Dispose = Dispose.none;
  private transparentIndex = NO_TRANSPARENCY;
  private loopCount = 1;

  private frames = 0;
  private palette: Uint8Array = this.globalTable;

  /** `kernels`: native LZW and colour expansion (src/ports.ts); the TypeScript ones by default. */
  constructor(sink: ImageSink, limits: DecodeLimits = DEFAULT_LIMITS, kernels: GifKernels = tsGifKernels) {
    this.sink = sink;
    this.limits = limits;
    this.kernels = kernels;
    this.lzw = kernels.createLzw();
  }

  push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    try {
      this.consume(chunk);
    } catch (error) {
      if (error instanceof ImageDecodeError) this.failure = error;
      throw error;
    }
  }

  finish(): void {
    if (this.failure) throw this.failure;
    if (this.state === DONE) return;
    if (this.state === BLOCK && this.frames > 0) {
      this.endOfFile();
      return;
    }
    if (this.state === HEADER) this.checkSignature();
    this.failure = new ImageDecodeError("truncated", this.frames > 0 ? `file ends inside frame ${this.frames}` : "file ends before the first frame");
    throw this.failure;
  }

  private consume(chunk: Uint8Array): void {
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      switch (this.state) {
        case HEADER:
        case DESCRIPTOR: {
          const need = this.state === HEADER ? 13 : 9;
          const take = Math.min(need - this.gatheredLength, end - pos);
          for (let i = 0; i < take; i++) this.gathered[this.gatheredLength++] = chunk[pos++]!;
          if (this.state === HEADER) this.checkSignature();
          if (this.gatheredLength === need) {
            this.gatheredLength = 0;
            if (this.state === HEADER) this.screenDescriptor();
            else this.imageDescriptor();
          }
          break;
        }
        case GLOBAL_TABLE:
        case LOCAL_TABLE: {
          const table = this.state === GLOBAL_TABLE ? this.globalTable : this.localTable;
          const take = Math.min(this.tableBytes - this.tableFilled, end - pos);
          // One copy, not a loop: a table is up to 768 bytes and XS pays per element.
          table.set(pos === 0 && take === end ? chunk : chunk.subarray(pos, pos + take), this.tableFilled);
          this.tableFilled += take;
          pos += take;
          if (this.tableFilled === this.tableBytes) this.state = this.state === GLOBAL_TABLE ? BLOCK : MIN_CODE_SIZE;
          break;
        }
        case BLOCK:
          this.blockIntroducer(chunk[pos++]!);
          break;
        case EXTENSION_LABEL: {
          const label = chunk[pos++]!;
          this.blockKind = label === 0xf9 ? GRAPHIC_CONTROL : label === 0xff ? APPLICATION : SKIPPED_EXTENSION;
          this.startSubBlocks();
          break;
        }
        case MIN_CODE_SIZE:
          this.startImageData(chunk[pos++]!);
          break;
        case SUB_BLOCK_SIZE: {
          const size = chunk[pos++]!;
          if (size === 0) {
            this.endOfSubBlocks();
          } else {
            this.subBlockLeft = size;
            this.subBlockPos = 0;
            if (this.subBlockIndex === 0) this.firstSubBlockLength = size;
            else if (this.subBlockIndex === 1) this.secondSubBlockLength = size;
            this.state = SUB_BLOCK_DATA;
          }
          break;
        }
        case SUB_BLOCK_DATA: {
          const take = Math.min(this.subBlockLeft, end - pos);
          if (this.blockKind === IMAGE_DATA) this.imageData(chunk, pos, pos + take);
          else if (this.blockKind !== SKIPPED_EXTENSION) this.extensionData(chunk, pos, pos + take);
          pos += take;
          this.subBlockPos += take;
          this.subBlockLeft -= take;
          if (this.subBlockLeft === 0) {
            this.subBlockIndex++;
            this.state = SUB_BLOCK_SIZE;
          }
          break;
        }
        default:
          return; // DONE: bytes after the end of the file are ignored
      }
    }
  }

  private checkSignature(): void {
    const have = this.gatheredLength;
    const g = this.gathered;
    // "GIF" then "87a" or "89a".
    if ((have > 0 && g[0] !== 0x47) || (have > 1 && g[1] !== 0x49) || (have > 2 && g[2] !== 0x46)) {
      throw new ImageDecodeError("bad_signature", "not a GIF file");
    }
    if ((have > 3 && g[3] !== 0x38) || (have > 4 && g[4] !== 0x37 && g[4] !== 0x39) || (have > 5 && g[5] !== 0x61)) {
      throw new ImageDecodeError("unsupported", "GIF version other than 87a/89a");
    }
  }

  private screenDescriptor(): void {
    const g = this.gathered;
    const width = g[6]! | (g[7]! << 8);
    const height = g[8]! | (g[9]! << 8);
    if (width === 0 || height === 0) throw new ImageDecodeError("corrupt", `empty canvas ${width}x${height}`);
    if (width > this.limits.maxWidth || height > this.limits.maxHeight) {
      throw new ImageDecodeError("too_large", `canvas ${width}x${height} exceeds ${this.limits.maxWidth}x${this.limits.maxHeight}`);
    }
    this.canvasWidth = width;
    this.canvasHeight = height;
    this.rowWords = new Uint32Array(width);
    this.rgbaRow = new Uint8Array(this.rowWords.buffer);
    this.indexRow = new Uint8Array(width);
    const packed = g[10]!;
    this.hasGlobalTable = (packed & 0x80) !== 0;
    if (this.hasGlobalTable) this.startTable(GLOBAL_TABLE, this.globalTable, packed);
    else this.state = BLOCK;
  }

  private startTable(state: number, table: Uint8Array, packed: number): void {
    this.tableBytes = (2 << (packed & 7)) * 3;
    this.tableFilled = 0;
    table.fill(0, this.tableBytes); // indices past the table read as black
    this.state = state;
  }

  private blockIntroducer(byte: number): void {
    if (byte === 0x21) {
      this.state = EXTENSION_LABEL;
    } else if (byte === 0x2c) {
      this.frames++;
      if (this.frames > this.limits.maxFrames) throw new ImageDecodeError("too_many_frames", `more than ${this.limits.maxFrames} frames`);
      this.state = DESCRIPTOR;
    } else if (byte === 0x3b || this.frames > 0) {
      // Trailer; or stray bytes after a frame, which browsers take as the end of the file.
      this.endOfFile();
    } else {
      throw new ImageDecodeError("corrupt", `unexpected block 0x${byte.toString(16)} before the first frame`);
    }
  }

  private endOfFile(): void {
    if (this.frames === 0) throw new ImageDecodeError("corrupt", "no frames");
    this.state = DONE;
    this.sink.end();
  }

  private startSubBlocks(): void {
    this.subBlockIndex = 0;
    this.firstSubBlockLength = 0;
    this.secondSubBlockLength = 0;
    this.state = SUB_BLOCK_SIZE;
  }

  private extensionData(chunk: Uint8Array, from: number, to: number): void {
    // Keep what the known extensions need: GCE's 4 bytes; the application id (11) and the first 3 bytes
    // of the next sub-block (NETSCAPE: 1, loop count low, high).
    const index = this.subBlockIndex;
    const base = index === 0 ? 0 : APPLICATION_ID_LENGTH;
    const keep = index === 0 ? (this.blockKind === GRAPHIC_CONTROL ? 4 : APPLICATION_ID_LENGTH) : index === 1 && this.blockKind === APPLICATION ? 3 : 0;
    for (let pos = from, at = this.subBlockPos; pos < to && at < keep; pos++, at++) this.gathered[base + at] = chunk[pos]!;
  }

  private endOfSubBlocks(): void {
    const g = this.gathered;
    if (this.blockKind === IMAGE_DATA) {
      this.endOfImage();
      return;
    }
    if (this.blockKind === GRAPHIC_CONTROL && this.firstSubBlockLength >= 4) {
      const method = (g[0]! >> 2) & 7;
      this.dispose = method === 2 ? Dispose.background : method === 3 ? Dispose.previous : Dispose.none;
      const centiseconds = g[1]! | (g[2]! << 8);
      this.delayMs = centiseconds <= 1 ? 100 : centiseconds * 10;
      this.transparentIndex = (g[0]! & 1) !== 0 ? g[3]! : NO_TRANSPARENCY;
    } else if (
      this.blockKind === APPLICATION &&
      this.frames === 0 &&
      this.firstSubBlockLength === APPLICATION_ID_LENGTH &&
      this.secondSubBlockLength >= 3 &&
      g[APPLICATION_ID_LENGTH] === 1 &&
      (matches(g, "NETSCAPE2.0") || matches(g, "ANIMEXTS1.0"))
    ) {
      const repeats = g[APPLICATION_ID_LENGTH + 1]! | (g[APPLICATION_ID_LENGTH + 2]! << 8);
      this.loopCount = repeats === 0 ? 0 : repeats + 1;
    }
    this.state = BLOCK;
  }

  private imageDescriptor(): void {
    const g = this.gathered;
    const left = g[0]! | (g[1]! << 8);
    const top = g[2]! | (g[3]! << 8);
    const width = g[4]! | (g[5]! << 8);
    const height = g[6]! | (g[7]! << 8);
    const packed = g[8]!;
    if (width > this.limits.maxWidth || height > this.limits.maxHeight) {
      throw new ImageDecodeError("too_large", `frame ${this.frames} is ${width}x${height}`);
    }
    this.frameWidth = width;
    this.frameHeight = height;
    // Clip to the canvas (left/top are unsigned, so only the right and bottom edges can overhang).
    this.visibleWidth = left >= this.canvasWidth ? 0 : Math.min(width, this.canvasWidth - left);
    this.visibleHeight = top >= this.canvasHeight ? 0 : Math.min(height, this.canvasHeight - top);
    if (this.visibleWidth === 0 || this.visibleHeight === 0) this.visibleWidth = this.visibleHeight = 0;
    this.interlaced = (packed & 0x40) !== 0;
    this.frameLeft = left;
    this.frameTop = top;
    if ((packed & 0x80) !== 0) {
      this.palette = this.localTable;
      this.startTable(LOCAL_TABLE, this.localTable, packed);
    } else {
      if (!this.hasGlobalTable) throw new ImageDecodeError("corrupt", `frame ${this.frames} has no colour table`);
      this.palette = this.globalTable;
      this.state = MIN_CODE_SIZE;
    }
  }

  private startImageData(minCodeSize: number): void {
    this.lzw.begin(minCodeSize);
    this.kernels.palette(this.palette, this.transparentIndex, this.colourWords);
    const empty = this.visibleWidth === 0;
    if (this.frames === 1) {
      this.sink.header({ width: this.canvasWidth, height: this.canvasHeight, frameCount: 0, loopCount: this.loopCount });
    }
    this.sink.frameStart({
      left: empty ? 0 : this.frameLeft,
      top: empty ? 0 : this.frameTop,
      width: this.visibleWidth,
      height: this.visibleHeight,
      delayMs: this.delayMs,
      dispose: this.dispose,
      blend: Blend.over,
    });
    this.pass = 0;
    this.y = 0;
    this.rowsDone = 0;
    this.column = 0;
    this.blockKind = IMAGE_DATA;
    this.startSubBlocks();
  }

  private imageData(chunk: Uint8Array, from: number, to: number): void {
    if (this.rowsDone === this.frameHeight || this.lzw.ended) return; // trailing data is ignored
    this.lzw.setInput(chunk, from, to);
    this.pumpRows();
  }

  /** Pulls indices from the LZW stream row by row until it needs input, ends, or the frame is full. */
  private pumpRows(): void {
    // Locals and no helper call for the common case: XS pays for every property look-up and call.
    const lzw = this.lzw;
    const kernels = this.kernels;
    const indices = this.indexRow;
    const visible = this.visibleWidth;
    const frameWidth = this.frameWidth;
    const frameHeight = this.frameHeight;
    while (this.rowsDone < frameHeight) {
      let column = this.column;
      if (column < visible) {
        column = this.column = lzw.read(indices, column, visible);
        if (column < visible) return;
        if (this.y < this.visibleHeight) kernels.expand(indices, visible, this.colourWords, this.rowWords);
      }
      // Columns past the canvas edge are decoded and dropped (the visible part is already expanded).
      while (column < frameWidth) {
        const want = Math.min(frameWidth - column, indices.length);
        const got = lzw.read(indices, 0, want);
        column = this.column += got;
        if (got < want) return;
      }
      // completeRow(), inlined for the non-interlaced case.
      if (this.interlaced) {
        this.completeRow();
      } else {
        const y = this.y;
        if (y < this.visibleHeight && visible > 0) this.sink.row(y, 0, 1, visible, this.rgbaRow);
        this.rowsDone++;
        this.column = 0;
        this.y = y + 1;
      }
    }
  }

  private expandRow(count: number): void {
    this.kernels.expand(this.indexRow, count, this.colourWords, this.rowWords);
  }

  private completeRow(): void {
    if (this.y < this.visibleHeight && this.visibleWidth > 0) this.sink.row(this.y, 0, 1, this.visibleWidth, this.rgbaRow);
    this.rowsDone++;
    this.column = 0;
    if (!this.interlaced) {
      this.y++;
      return;
    }
    this.y += INTERLACE_STEP[this.pass]!;
    while (this.y >= this.frameHeight && this.pass < 3) {
      this.pass++;
      this.y = INTERLACE_START[this.pass]!;
    }
  }

  private endOfImage(): void {
    // The data ended before the last pixel: the rest of the frame is transparent, as in browsers.
    while (this.rowsDone < this.frameHeight) {
      // Past the visible columns the row is already expanded (and the index row reused for dropping).
      if (this.y < this.visibleHeight && this.column < this.visibleWidth) {
        this.expandRow(this.column);
        this.rgbaRow.fill(0, this.column * 4, this.visibleWidth * 4);
      }
      this.completeRow();
    }
    this.sink.frameEnd();
    // A Graphic Control Extension applies to the one image that follows it.
    this.delayMs = 100;
    this.dispose = Dispose.none;
    this.transparentIndex = NO_TRANSPARENCY;
    this.state = BLOCK;
  }
}

function matches(bytes: Uint8Array, ascii: string): boolean {
  for (let i = 0; i < ascii.length; i++) if (bytes[i] !== ascii.charCodeAt(i)) return false;
  return true;
}
