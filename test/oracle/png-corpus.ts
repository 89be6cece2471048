// PNG and APNG files made by other encoders, for the oracle tests and the benchmark (Node only):
// sharp (libvips/libpng: 8/16-bit, palettes with alpha, Adam7, every compression level), ImageMagick
// (what sharp cannot write: grey at 1/2/4 bits, tRNS colour keys), upng-js (APNG with its own frame
// diffing), and our test encoder with node:zlib compression (APNG dispose/blend combinations).

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import sharp, { type Sharp } from "sharp";
import UPNG from "upng-js";
import { actl, chunk, fctl, fdat, idatChunks, ihdr, pngFile, scanlines, seededRandom, type RawImage } from "../support/png-encode.js";

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
}

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlaced: boolean;
  chunks: string[];
}

/** IHDR fields and the chunk types, in order (no validation: the files come from real encoders). */
export function describePng(bytes: Uint8Array): PngInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: string[] = [];
  for (let at = 8; at + 8 <= bytes.length; at += 12 + view.getUint32(at)) chunks.push(String.fromCharCode(...bytes.subarray(at + 4, at + 8)));
  return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24]!, colourType: bytes[25]!, interlaced: bytes[28] === 1, chunks };
}

/** Pixel-art-like RGBA: 4×4 blocks from a 12-colour palette (two of them translucent), plus a gradient band. */
export function pixelArt(width: number, height: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const palette = Array.from({ length: 12 }, (_, i) => [Math.floor(random() * 256), Math.floor(random() * 256), Math.floor(random() * 256), i === 0 ? 0 : i === 1 ? 128 : 255]);
  const data = Buffer.alloc(width * height * 4);
  const blocks: number[] = [];
  for (let i = 0; i < Math.ceil(width / 4) * Math.ceil(height / 4); i++) blocks.push(Math.floor(random() * palette.length));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      if (y >= height - 3) data.set([(x * 255) / Math.max(1, width - 1), y * 40, 255 - x, 255], at);
      else data.set(palette[blocks[Math.floor(y / 4) * Math.ceil(width / 4) + Math.floor(x / 4)]!]!, at);
    }
  }
  return data;
}

/** A smooth RGBA image with every alpha level: exercises 16-bit output and filters. */
function gradient(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x * 7, y * 11, (x * y) & 255, x < 5 ? 0 : (x * 37 + y) & 255], (y * width + x) * 4);
  }
  return data;
}

function imageMagick(input: Buffer, args: string[]): Buffer {
  return execFileSync("/usr/bin/convert", ["png:-", ...args], { input, maxBuffer: 64 << 20, stdio: ["pipe", "pipe", "ignore"] });
}

export async function staticCorpus(): Promise<CorpusFile[]> {
  const files: CorpusFile[] = [];
  const sources = [
    { name: "art37x23", raw: pixelArt(37, 23, 1), width: 37, height: 23 },
    { name: "grad29x31", raw: gradient(29, 31), width: 29, height: 31 },
  ];
  let level = 0;
  for (const source of sources) {
    const base = () => sharp(source.raw, { raw: { width: source.width, height: source.height, channels: 4 } });
    for (const progressive of [false, true]) {
      const png = (palette?: { colours: number; bitdepth: 1 | 2 | 4 | 8 }) => ({
        progressive,
        compressionLevel: level++ % 10,
        adaptiveFiltering: level % 2 === 0,
        ...(palette ? { palette: true, colours: palette.colours, bitdepth: palette.bitdepth } : {}),
      });
      const variants: [string, Sharp][] = [
        ["rgba8", base().png(png())],
        ["rgb8", base().removeAlpha().png(png())],
        ["grey8", base().removeAlpha().toColourspace("b-w").png(png())],
        ["greyalpha8", base().toColourspace("b-w").png(png())],
        ["palette8", base().png(png({ colours: 200, bitdepth: 8 }))],
        ["palette4", base().png(png({ colours: 16, bitdepth: 4 }))],
        ["palette2", base().png(png({ colours: 4, bitdepth: 2 }))],
        ["palette1", base().png(png({ colours: 2, bitdepth: 1 }))],
        ["rgba16", base().toColourspace("rgb16").png(png())],
        ["rgb16", base().removeAlpha().toColourspace("rgb16").png(png())],
        ["grey16", base().removeAlpha().toColourspace("grey16").png(png())],
        ["greyalpha16", base().toColourspace("grey16").png(png())],
      ];
      for (const [name, pipeline] of variants) files.push({ name: `sharp ${source.name} ${name}${progressive ? " adam7" : ""}`, bytes: new Uint8Array(await pipeline.toBuffer()) });
    }
    const plain = await base().png().toBuffer();
    const opaque = await base().removeAlpha().png().toBuffer();
    for (const interlace of ["None", "PNG"]) {
      const suffix = interlace === "PNG" ? " adam7" : "";
      for (const depth of [1, 2, 4]) {
        files.push({ name: `magick ${source.name} grey${depth}${suffix}`, bytes: new Uint8Array(imageMagick(opaque, ["-colorspace", "gray", "-depth", String(depth), "-interlace", interlace, "-define", "png:color-type=0", "-define", `png:bit-depth=${depth}`, "PNG:-"])) });
      }
      // tRNS colour keys: the colour of pixel (0,0) becomes transparent.
      files.push({ name: `magick ${source.name} rgb8 key${suffix}`, bytes: new Uint8Array(imageMagick(opaque, ["-fill", "#0a0b0c", "-draw", "point 0,0", "-transparent", "#0a0b0c", "-interlace", interlace, "-define", "png:color-type=2", "PNG:-"])) });
      files.push({ name: `magick ${source.name} grey8 key${suffix}`, bytes: new Uint8Array(imageMagick(opaque, ["-colorspace", "gray", "-fill", "gray(20)", "-draw", "point 0,0", "-transparent", "gray(20)", "-interlace", interlace, "-define", "png:color-type=0", "-define", "png:bit-depth=8", "PNG:-"])) });
      files.push({ name: `magick ${source.name} palette key${suffix}`, bytes: new Uint8Array(imageMagick(plain, ["-interlace", interlace, "-colors", "16", "PNG8:-"])) });
      files.push({ name: `magick ${source.name} rgba16${suffix}`, bytes: new Uint8Array(imageMagick(plain, ["-depth", "16", "-interlace", interlace, "PNG64:-"])) });
    }
  }
  return files;
}

/** Tries ImageMagick's APNG writer (it needs an ffmpeg delegate); undefined when it writes no acTL. */
export function imageMagickApng(frames: Buffer[]): Uint8Array | undefined {
  const directory = mkdtempSync(join(tmpdir(), "apng-"));
  try {
    const paths = frames.map((frame, i) => {
      const path = join(directory, `frame${i}.png`);
      writeFileSync(path, frame);
      return path;
    });
    const out = execFileSync("/usr/bin/convert", ["-delay", "10", ...paths, "APNG:-"], { stdio: ["ignore", "pipe", "ignore"] });
    return out.length > 0 && describePng(new Uint8Array(out)).chunks.includes("acTL") ? new Uint8Array(out) : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function rgbaImage(width: number, height: number, raw: Uint8Array): RawImage {
  return { width, height, colourType: 6, bitDepth: 8, samples: raw };
}

/** Our own APNG writer with node:zlib compression: every dispose op and both blend ops over translucent pixels. */
function ownApng(name: string, options: { interlaced: boolean; defaultInAnimation: boolean; subFrames: boolean }): CorpusFile {
  const width = 24;
  const height = 20;
  const compress = (image: RawImage): Uint8Array => new Uint8Array(deflateSync(scanlines(image, options.interlaced, (row) => (row * 3) % 5), { level: 9 }));
  const full = (seed: number): RawImage => rgbaImage(width, height, pixelArt(width, height, seed));
  const chunks = [ihdr(width, height, 8, 6, options.interlaced)];
  // (dispose, blend, region) per animation frame; upng-js's compositor cannot restore PREVIOUS after a
  // BACKGROUND frame, so PREVIOUS follows NONE here.
  const plan: [number, number, number, number, number, number][] = options.subFrames
    ? [
        [0, 0, 0, 0, width, height],
        [0, 1, 3, 2, 8, 8],
        [2, 1, 10, 5, 12, 9],
        [1, 0, 0, 12, 24, 8],
        [0, 1, 1, 1, 5, 7],
      ]
    : [
        [0, 0, 0, 0, width, height],
        [2, 1, 0, 0, width, height],
        [1, 1, 0, 0, width, height],
        [0, 0, 0, 0, width, height],
      ];
  let sequence = 0;
  chunks.push(actl(plan.length, 0));
  if (!options.defaultInAnimation) chunks.push(...idatChunks(compress(full(99))));
  plan.forEach(([dispose, blend, left, top, w, h], i) => {
    const image = rgbaImage(w, h, pixelArt(w, h, 10 + i));
    chunks.push(fctl({ sequence: sequence++, width: w, height: h, left, top, delayNum: 1 + i * 7, delayDen: i === 3 ? 0 : i === 0 ? 200 : 60, dispose, blend }));
    if (i === 0 && options.defaultInAnimation) chunks.push(...idatChunks(compress(image), 100));
    else {
      const data = compress(image);
      const half = Math.floor(data.length / 2);
      chunks.push(fdat(sequence++, data.subarray(0, half)), fdat(sequence++, data.subarray(half)));
    }
  });
  chunks.push(chunk("IEND"));
  return { name, bytes: pngFile(chunks) };
}

export function apngCorpus(): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const [w, h, frames, colours] of [[32, 24, 5, 0], [40, 40, 4, 0], [17, 9, 3, 16]] as const) {
    const buffers = Array.from({ length: frames }, (_, i) => {
      const data = pixelArt(w, h, 7);
      // a sprite that moves and partly changes: upng-js then writes sub-frames with blend ops
      for (let y = 2; y < Math.min(h, 8); y++) for (let x = 0; x < 6; x++) data.set([255, i * 50, 0, i % 2 ? 255 : 128], (y * w + ((x + i * 3) % w)) * 4);
      return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    });
    const encoded = UPNG.encode(buffers, w, h, colours, Array.from({ length: frames }, (_, i) => (i + 1) * 40));
    files.push({ name: `upng ${w}x${h} ${frames} frames${colours ? ` ${colours} colours` : ""}`, bytes: new Uint8Array(encoded) });
  }
  files.push(ownApng("own apng sub-frames", { interlaced: false, defaultInAnimation: true, subFrames: true }));
  files.push(ownApng("own apng default image not in animation", { interlaced: false, defaultInAnimation: false, subFrames: true }));
  files.push(ownApng("own apng adam7 full frames", { interlaced: true, defaultInAnimation: true, subFrames: false }));
  return files;
}
