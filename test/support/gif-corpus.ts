// GIF files made by other encoders, for the oracle tests and the benchmark (Node only): sharp (libvips +
// cgif) from raw RGBA frames, and ImageMagick's /usr/bin/convert for disposal methods, sub-rectangle
// frames, interlace, transparency, delays and loop counts. Plus the reference the decoder is held to:
// omggif's frame blitting with browser disposal rules, on a full RGBA canvas.

import sharp from "sharp";
import omggif from "omggif";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { xorshiftRandom } from "./bytes.js";

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
  /** libvips composites "restore to background" with the background colour, browsers with transparency. */
  usesBackgroundDisposal: boolean;
}


/** Animated RGBA test pattern: gradients, moving blocks, noise, and some transparent pixels. */
export function patternFrames(width: number, height: number, frames: number, options: { seed?: number; transparent?: boolean; noisy?: boolean } = {}): Buffer {
  const random = xorshiftRandom(options.seed ?? 1);
  const raw = Buffer.alloc(width * height * frames * 4);
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = ((f * height + y) * width + x) * 4;
        const block = ((x + f * 3) >> 3) + (y >> 3);
        const noise = options.noisy ? Math.floor(random() * 64) : 0;
        raw[o] = ((x * 255) / Math.max(1, width - 1) + noise) & 255;
        raw[o + 1] = ((y * 255) / Math.max(1, height - 1)) & 255;
        raw[o + 2] = block & 1 ? 200 : (f * 50 + noise) & 255;
        raw[o + 3] = options.transparent && (x * 7 + y * 3 + f) % 11 === 0 ? 0 : 255;
      }
    }
  }
  return raw;
}

export async function sharpGif(
  width: number,
  height: number,
  frames: number,
  gif: { loop?: number; delay?: number[]; progressive?: boolean; colours?: number },
  pattern: { seed?: number; transparent?: boolean; noisy?: boolean } = {},
): Promise<Uint8Array> {
  const raw = patternFrames(width, height, frames, pattern);
  const image = sharp(raw, { raw: { width, height: height * frames, channels: 4, pageHeight: height } });
  return new Uint8Array(await image.gif({ effort: 1, dither: 0, ...gif }).toBuffer());
}

function magick(directory: string, name: string, args: string[], format = ""): Uint8Array {
  const path = join(directory, name);
  execFileSync("/usr/bin/convert", [...args, format + path]);
  return new Uint8Array(readFileSync(path));
}

export async function buildCorpus(directory: string): Promise<CorpusFile[]> {
  const files: CorpusFile[] = [];
  const add = (name: string, bytes: Uint8Array, usesBackgroundDisposal = false) => files.push({ name, bytes, usesBackgroundDisposal });
  add("sharp-8x8-still", await sharpGif(8, 8, 1, {}));
  add("sharp-64x32-transparent", await sharpGif(64, 32, 4, { loop: 0, delay: [0, 10, 20, 1000] }, { transparent: true }));
  add("sharp-64x64-interlaced", await sharpGif(64, 64, 3, { loop: 5, delay: [30, 40, 50], progressive: true }, { seed: 3 }));
  add("sharp-100x75-noisy", await sharpGif(100, 75, 2, { loop: 1, delay: [70, 70] }, { noisy: true, seed: 4 }));
  add("sharp-17x31-odd", await sharpGif(17, 31, 3, { progressive: true, colours: 16, delay: [100, 100, 100] }, { transparent: true, seed: 5 }));
  add("sharp-256x256", await sharpGif(256, 256, 2, { loop: 0, delay: [100, 100] }, { noisy: true, seed: 6 }));
  add("sharp-64x64-two-colours", await sharpGif(64, 64, 2, { colours: 2, delay: [50, 50] }, { seed: 7 }));

  const dir = (name: string, args: string[], background = false, format = "") => add(name, magick(directory, `${name}.gif`, args, format), background);
  // Sub-rectangles with each disposal, transparency, interlace, a zero delay.
  dir(
    "im-disposal-mix",
    [
      "-loop", "2", "-delay", "5",
      "(", "-size", "40x30", "xc:navy", "-repage", "40x30+0+0", ")",
      "-dispose", "Previous", "(", "-size", "10x10", "xc:red", "-repage", "+5+5", ")",
      "-dispose", "Background", "(", "-size", "10x10", "xc:lime", "-repage", "+20+10", ")",
      "-dispose", "None", "(", "-size", "8x8", "xc:none", "-fill", "yellow", "-draw", "circle 4,4 4,1", "-repage", "+30+20", ")",
      "-delay", "0", "(", "-size", "12x6", "xc:white", "-repage", "+0+24", ")",
      "-interlace", "GIF",
    ],
    true,
  );
  // Every frame disposed to background, over a transparent canvas.
  dir(
    "im-background",
    [
      "-dispose", "Background", "-delay", "10", "-loop", "0",
      "(", "-size", "32x32", "xc:none", "-fill", "red", "-draw", "rectangle 2,2 12,12", ")",
      "(", "-size", "32x32", "xc:none", "-fill", "blue", "-draw", "rectangle 10,10 20,28", ")",
      "(", "-size", "32x32", "xc:none", "-fill", "lime", "-draw", "circle 16,16 16,4", ")",
      "+map",
    ],
    true,
  );
  // A chain of "previous" disposals over an opaque background frame.
  dir("im-previous", [
    "-delay", "7", "-loop", "3",
    "(", "-size", "48x48", "gradient:red-blue", "-repage", "48x48+0+0", ")",
    "-dispose", "Previous",
    "(", "-size", "16x16", "xc:yellow", "-repage", "+4+4", ")",
    "(", "-size", "16x16", "xc:white", "-repage", "+28+28", ")",
    "(", "-size", "20x8", "xc:black", "-repage", "+10+20", ")",
    "-dispose", "None", "(", "-size", "4x4", "xc:cyan", "-repage", "+0+0", ")",
  ]);
  // Interlaced, "none" disposal, local palettes.
  dir("im-interlaced", [
    "-delay", "1", "-loop", "0", "-dispose", "None",
    "(", "-size", "64x32", "gradient:white-black", ")",
    "(", "-size", "64x32", "gradient:yellow-purple", "-fill", "none", "-stroke", "red", "-draw", "line 0,0 63,31", ")",
    "-interlace", "GIF",
  ]);
  // A large noisy still image (many LZW table resets) and a still image with no loop extension.
  dir("im-noise-256", ["-seed", "11", "-size", "256x256", "xc:gray", "+noise", "Random", "-colors", "256"]);
  dir("im-still-87a", ["-size", "13x7", "gradient:green-orange", "-colors", "8"], false, "GIF87:");
  return files;
}

export interface ReferenceAnimation {
  width: number;
  height: number;
  /** 0 = forever, n = total plays (NETSCAPE n - 1 ... as browsers count it). */
  loopCount: number;
  frames: { rgba: Uint8Array; delayMs: number }[];
}

/** omggif decodes each frame; browser rules composite them on a full RGBA canvas. */
export function referenceAnimation(bytes: Uint8Array): ReferenceAnimation {
  const reader = new omggif.GifReader(Buffer.from(bytes));
  const { width, height } = reader;
  const canvas = new Uint8Array(width * height * 4);
  let saved: Uint8Array | undefined;
  let previous: { x: number; y: number; width: number; height: number; disposal: number } | undefined;
  const frames: ReferenceAnimation["frames"] = [];
  for (let i = 0; i < reader.numFrames(); i++) {
    const info = reader.frameInfo(i);
    if (previous?.disposal === 2) {
      for (let y = previous.y; y < previous.y + previous.height; y++) canvas.fill(0, (y * width + previous.x) * 4, (y * width + previous.x + previous.width) * 4);
    } else if (previous?.disposal === 3 && saved) {
      canvas.set(saved);
    }
    if (info.disposal === 3) saved = canvas.slice();
    reader.decodeAndBlitFrameRGBA(i, canvas);
    frames.push({ rgba: canvas.slice(), delayMs: info.delay <= 1 ? 100 : info.delay * 10 });
    previous = info;
  }
  const raw = reader.loopCount();
  return { width, height, loopCount: raw === null || raw === undefined ? 1 : raw === 0 ? 0 : raw + 1, frames };
}
