// A small PNG/APNG *encoder* for tests, independent of src/art/png*.ts: packs samples at any bit depth,
// applies the five filters (chosen per row), splits Adam7 passes, wraps the data in zlib (stored blocks
// by default) and frames chunks with their CRC. Also the reference RGBA of an image, computed from its
// samples. Portable: runs in Node and in XS.

import { zlibStored } from "./deflate-encode.js";
import { concatBytes } from "./bytes.js";

export const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface RawImage {
  width: number;
  height: number;
  colourType: number;
  bitDepth: number;
  /** width × height × channels sample values (palette: indices), row by row. */
  samples: ArrayLike<number>;
}

let crcTable: Uint32Array | undefined;

export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

export function u16(value: number): number[] {
  return [(value >>> 8) & 0xff, value & 0xff];
}


/** length, type, data, CRC of type + data. */
export function chunk(type: string, data: Uint8Array | readonly number[] = []): Uint8Array {
  const typeBytes = [type.charCodeAt(0), type.charCodeAt(1), type.charCodeAt(2), type.charCodeAt(3)];
  const body = concatBytes([typeBytes, data]);
  return concatBytes([u32(data.length), body, u32(crc32(body))]);
}

export const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export function pngFile(chunks: readonly Uint8Array[]): Uint8Array {
  return concatBytes([SIGNATURE, ...chunks]);
}

export function ihdr(width: number, height: number, bitDepth: number, colourType: number, interlaced = false): Uint8Array {
  return chunk("IHDR", [...u32(width), ...u32(height), bitDepth, colourType, 0, 0, interlaced ? 1 : 0]);
}

/** Packs one row of samples (MSB first below 8 bits, big-endian at 16 bits). */
function packRow(image: RawImage, y: number, x0: number, step: number): number[] {
  const channels = CHANNELS[image.colourType]!;
  const depth = image.bitDepth;
  const out: number[] = [];
  let acc = 0;
  let used = 0;
  for (let x = x0; x < image.width; x += step) {
    for (let c = 0; c < channels; c++) {
      const value = image.samples[(y * image.width + x) * channels + c]!;
      if (depth === 16) out.push(value >>> 8, value & 0xff);
      else if (depth === 8) out.push(value);
      else {
        acc = (acc << depth) | value;
        used += depth;
        if (used === 8) {
          out.push(acc);
          acc = 0;
          used = 0;
        }
      }
    }
  }
  if (used > 0) out.push(acc << (8 - used));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function filterRow(raw: number[], previous: number[], type: number, bpp: number): number[] {
  const out = [type];
  for (let i = 0; i < raw.length; i++) {
    const a = i >= bpp ? raw[i - bpp]! : 0;
    const b = previous[i] ?? 0;
    const c = i >= bpp ? (previous[i - bpp] ?? 0) : 0;
    const predictor = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >>> 1 : paeth(a, b, c);
    out.push((raw[i]! - predictor) & 0xff);
  }
  return out;
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The filtered scanlines (what IDAT compresses); row n of a pass uses filter `filterOf(n)`. */
export function scanlines(image: RawImage, interlaced = false, filterOf: (row: number) => number = (row) => row % 5): Uint8Array {
  const bpp = Math.max(1, (CHANNELS[image.colourType]! * image.bitDepth) >>> 3);
  const out: number[] = [];
  const passes = interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let rowNumber = 0;
  for (const [x0, y0, dx, dy] of passes) {
    if (x0 >= image.width || y0 >= image.height) continue;
    let previous: number[] = [];
    for (let y = y0; y < image.height; y += dy) {
      const raw = packRow(image, y, x0, dx);
      for (const byte of filterRow(raw, previous, filterOf(rowNumber++), bpp)) out.push(byte);
      previous = raw;
    }
  }
  return Uint8Array.from(out);
}

export interface EncodeOptions {
  interlaced?: boolean;
  /** PLTE as RGB triples. */
  palette?: readonly number[];
  /** tRNS payload as it goes in the file. */
  transparency?: readonly number[];
  /** Split the zlib data into IDAT chunks of at most this many bytes. */
  idatSize?: number;
  /** Compressor for the scanlines (default: stored blocks). */
  compress?: (raw: Uint8Array) => Uint8Array;
  filterOf?: (row: number) => number;
  /** Chunks inserted right after IHDR. */
  extraChunks?: readonly Uint8Array[];
}

export function idatChunks(zlib: Uint8Array, size = 1 << 30): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < zlib.length; at += size) chunks.push(chunk("IDAT", zlib.subarray(at, Math.min(zlib.length, at + size))));
  return chunks.length ? chunks : [chunk("IDAT")];
}

export function encodePng(image: RawImage, options: EncodeOptions = {}): Uint8Array {
  const data = (options.compress ?? zlibStored)(scanlines(image, options.interlaced, options.filterOf));
  return pngFile([
    ihdr(image.width, image.height, image.bitDepth, image.colourType, options.interlaced),
    ...(options.extraChunks ?? []),
    ...(options.palette ? [chunk("PLTE", options.palette)] : []),
    ...(options.transparency ? [chunk("tRNS", options.transparency)] : []),
    ...idatChunks(data, options.idatSize),
    chunk("IEND"),
  ]);
}

/** Reference RGBA (8 bits per channel: high byte of 16-bit samples; grey bits replicated). */
export function referenceRgba(image: RawImage, palette: readonly number[] = [], transparency: readonly number[] = []): Uint8Array {
  const channels = CHANNELS[image.colourType]!;
  const max = (1 << image.bitDepth) - 1;
  const to8 = (v: number): number => (image.bitDepth === 16 ? v >>> 8 : Math.round((v * 255) / max));
  const out = new Uint8Array(image.width * image.height * 4);
  const key = transparency.length >= 2 ? [0, 2, 4].map((i) => ((transparency[i] ?? 0) << 8) | (transparency[i + 1] ?? 0)) : [];
  for (let p = 0; p < image.width * image.height; p++) {
    const s = (c: number): number => image.samples[p * channels + c]!;
    let rgba: number[];
    switch (image.colourType) {
      case 0:
        rgba = [to8(s(0)), to8(s(0)), to8(s(0)), transparency.length === 2 && s(0) === key[0] ? 0 : 255];
        break;
      case 2:
        rgba = [to8(s(0)), to8(s(1)), to8(s(2)), transparency.length === 6 && s(0) === key[0] && s(1) === key[1] && s(2) === key[2] ? 0 : 255];
        break;
      case 3: {
        const i = s(0);
        rgba = i * 3 < palette.length ? [palette[i * 3]!, palette[i * 3 + 1]!, palette[i * 3 + 2]!, transparency[i] ?? 255] : [0, 0, 0, 255];
        break;
      }
      case 4:
        rgba = [to8(s(0)), to8(s(0)), to8(s(0)), to8(s(1))];
        break;
      default:
        rgba = [to8(s(0)), to8(s(1)), to8(s(2)), to8(s(3))];
    }
    out.set(rgba, p * 4);
  }
  return out;
}

/** Deterministic pseudo-random numbers for fixtures (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An image of random samples (palette indices below `paletteSize`). */
export function randomImage(width: number, height: number, colourType: number, bitDepth: number, random: () => number, paletteSize = 1 << bitDepth): RawImage {
  const channels = CHANNELS[colourType]!;
  const samples = new Array<number>(width * height * channels);
  const limit = colourType === 3 ? paletteSize : 1 << bitDepth;
  for (let i = 0; i < samples.length; i++) samples[i] = Math.floor(random() * limit);
  return { width, height, colourType, bitDepth, samples };
}

// APNG chunks
export function actl(frames: number, plays: number): Uint8Array {
  return chunk("acTL", [...u32(frames), ...u32(plays)]);
}

export interface FrameControl {
  sequence: number;
  width: number;
  height: number;
  left?: number;
  top?: number;
  delayNum?: number;
  delayDen?: number;
  dispose?: number;
  blend?: number;
}

export function fctl(frame: FrameControl): Uint8Array {
  return chunk("fcTL", [
    ...u32(frame.sequence),
    ...u32(frame.width),
    ...u32(frame.height),
    ...u32(frame.left ?? 0),
    ...u32(frame.top ?? 0),
    ...u16(frame.delayNum ?? 1),
    ...u16(frame.delayDen ?? 10),
    frame.dispose ?? 0,
    frame.blend ?? 0,
  ]);
}

export function fdat(sequence: number, zlib: Uint8Array): Uint8Array {
  return chunk("fdAT", concatBytes([u32(sequence), zlib]));
}
