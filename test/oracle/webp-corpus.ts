// The WebP corpus of the oracle tests, benchmark and XS memory test, made here with sharp (libwebp) and
// ImageMagick (for encoder settings sharp does not expose: the simple loop filter, several token
// partitions, segments, sharpness), and the references: sharp's RGBA (composited pages for
// animations) and @jsquash/webp (libwebp compiled to WASM) for stills.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp, { type WebpOptions } from "sharp";
import { xorshiftRandom } from "../support/bytes.js";
import { animationFrames, gradientArt, paletteArt } from "../support/webp-build.js";

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
  lossless: boolean;
  animated: boolean;
  width: number;
  height: number;
}

/** Photo-like art: smooth fields, edges and noise (exercises predictors, colour transform, filters). */
export function photoArt(width: number, height: number, seed: number, alpha: boolean): Uint8Array {
  const random = xorshiftRandom(seed);
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const wave = Math.sin(x / 9 + seed) * 60 + Math.cos(y / 13) * 50;
      const edge = (x - width / 2) ** 2 + (y - height / 3) ** 2 < (width * width) / 10 ? 70 : 0;
      out[i] = Math.max(0, Math.min(255, 128 + wave + edge + random() * 16));
      out[i + 1] = Math.max(0, Math.min(255, 100 + wave / 2 - edge + random() * 10));
      out[i + 2] = Math.max(0, Math.min(255, 60 + (y * 255) / height - wave / 3));
      out[i + 3] = alpha ? Math.max(0, Math.min(255, 300 - (Math.abs(x - width / 2) * 500) / width)) : 255;
    }
  }
  return out;
}

const raw = (rgba: Uint8Array, width: number, height: number) => sharp(Buffer.from(rgba), { raw: { width, height, channels: 4 } });

async function animation(frames: Uint8Array[], width: number, height: number, options: WebpOptions): Promise<Uint8Array> {
  const joined = Buffer.concat(frames.map((frame) => Buffer.from(frame)));
  return new Uint8Array(await sharp(joined, { raw: { width, height: height * frames.length, channels: 4, pageHeight: height } }).webp(options).toBuffer());
}

/** Lossy files from ImageMagick's libwebp with settings sharp cannot choose. */
function magick(rgba: Uint8Array, width: number, height: number, defines: string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "webp-corpus-"));
  try {
    const input = join(dir, "in.rgba");
    const output = join(dir, "out.webp");
    writeFileSync(input, rgba);
    execFileSync("/usr/bin/convert", ["-size", `${width}x${height}`, "-depth", "8", `rgba:${input}`, ...defines.flatMap((d) => ["-define", d]), output]);
    return new Uint8Array(readFileSync(output));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function buildCorpus(): Promise<CorpusFile[]> {
  const files: CorpusFile[] = [];
  const add = (name: string, bytes: Uint8Array | Buffer, width: number, height: number, lossless: boolean, animated = false) =>
    files.push({ name, bytes: new Uint8Array(bytes), lossless, animated, width, height });

  // Lossless stills: several sizes, pixel art with 2..200 colours (colour indexing, bundling), gradients
  // with alpha, photo-like art (predictors, colour transform, cache, meta codes), efforts 0..6.
  const sizes: [number, number][] = [[1, 1], [7, 5], [64, 64], [33, 200], [128, 128], [256, 256]];
  for (const [width, height] of sizes) {
    const seed = width * 31 + height;
    const arts: [string, Uint8Array][] = [
      ["palette2", paletteArt(width, height, 2, seed)],
      ["palette16", paletteArt(width, height, 16, seed)],
      ["palette200", paletteArt(width, height, 200, seed)],
      ["gradient", gradientArt(width, height, seed)],
      ["photo", photoArt(width, height, seed, true)],
    ];
    for (const [kind, art] of arts) {
      for (const effort of width >= 128 ? [4] : [0, 4, 6]) {
        add(`lossless ${kind} ${width}×${height} effort ${effort}`, await raw(art, width, height).webp({ lossless: true, exact: true, effort }).toBuffer(), width, height, true);
      }
    }
  }
  add("lossless photo 256×256 effort 6", await raw(photoArt(256, 256, 9, false), 256, 256).webp({ lossless: true, effort: 6 }).toBuffer(), 256, 256, true);

  // Lossy stills: quality 50–95, with and without alpha, odd sizes, sharp's presets.
  for (const [width, height] of [[16, 16], [7, 5], [64, 64], [100, 37], [128, 128], [256, 256]] as [number, number][]) {
    for (const quality of [50, 75, 95]) {
      for (const alpha of [false, true]) {
        const art = photoArt(width, height, width + quality, alpha);
        add(`lossy q${quality}${alpha ? " alpha" : ""} ${width}×${height}`, await raw(art, width, height).webp({ quality, alphaQuality: 90 }).toBuffer(), width, height, false);
      }
    }
  }
  for (const preset of ["picture", "drawing", "icon", "text"] as const) {
    add(`lossy preset ${preset} 96×64`, await raw(paletteArt(96, 64, 12, 3), 96, 64).webp({ quality: 70, preset, smartSubsample: preset === "drawing" }).toBuffer(), 96, 64, false);
  }
  // ImageMagick: simple loop filter, strong filter with sharpness, 4 segments, 8 token partitions.
  const photo = photoArt(80, 56, 5, false);
  add("lossy simple filter", magick(photo, 80, 56, ["webp:filter-type=0", "webp:filter-strength=80", "webp:partitions=2"]), 80, 56, false);
  add("lossy sharpness 7, 4 segments, 8 partitions", magick(photo, 80, 56, ["webp:filter-sharpness=7", "webp:filter-strength=100", "webp:segments=4", "webp:partitions=3", "webp:sns-strength=100"]), 80, 56, false);
  add("lossy alpha uncompressed, filter gradient", magick(photoArt(40, 30, 4, true), 40, 30, ["webp:alpha-compression=0", "webp:alpha-filter=best"]), 40, 30, false);

  // Animations: lossless and lossy, frames cropped and blended by libwebp's encoder.
  add("animated lossless 48×32 ×6", await animation(animationFrames(48, 32, 6), 48, 32, { lossless: true, loop: 0, delay: [100, 50, 0, 70, 200, 30] }), 48, 32, true, true);
  add("animated lossless 96×96 ×5 minSize", await animation(animationFrames(96, 96, 5), 96, 96, { lossless: true, loop: 3, minSize: true }), 96, 96, true, true);
  add("animated lossy 64×40 ×4", await animation(animationFrames(64, 40, 4), 64, 40, { quality: 80, loop: 1 }), 64, 40, false, true);
  add("animated mixed 64×40 ×4", await animation(animationFrames(64, 40, 4), 64, 40, { quality: 80, mixed: true }), 64, 40, false, true);
  return files;
}

/** sharp's RGBA: a still, or the composited canvas of every page of an animation. */
export async function sharpReference(file: CorpusFile): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file.bytes, file.animated ? { animated: true } : {}).ensureAlpha().raw().toBuffer());
}
