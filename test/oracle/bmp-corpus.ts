// BMP files written by ImageMagick in every flavour it has (BMP3 24-bit, V5 32-bit with alpha and
// 16-bit 5-6-5 bit fields, 8/4/1-bit palettes, OS/2 core), at several sizes, each with the reference:
// the RGBA ImageMagick reads back from the file it wrote. Node only.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";

const CONVERT = "/usr/bin/convert";

export const BMP_VARIANTS: [string, string[]][] = [
  ["bmp3-24", ["-alpha", "off", "-compress", "None", "BMP3:"]],
  ["v5-32-alpha", ["-compress", "None", "BMP:"]],
  ["v5-16-565", ["-alpha", "off", "-define", "bmp:subtype=RGB565", "BMP:"]],
  ["palette-8", ["-type", "Palette", "-alpha", "off", "-compress", "None", "BMP3:"]],
  ["palette-4", ["-colors", "16", "-alpha", "off", "-compress", "None", "BMP3:"]],
  ["palette-1", ["-monochrome", "-compress", "None", "BMP3:"]],
  ["os2-core", ["-alpha", "off", "BMP2:"]],
];

export const BMP_SIZES: readonly (readonly [number, number])[] = [[13, 9], [64, 32], [1, 1], [256, 256]];

export interface BmpCorpusFile {
  name: string;
  bytes: Uint8Array;
  width: number;
  height: number;
  /** ImageMagick's RGBA for the file, width × height × 4. */
  reference: Uint8Array;
}

/** Writes every variant at every size into `directory` (the caller removes it). */
export async function buildBmpCorpus(directory: string, sizes = BMP_SIZES): Promise<BmpCorpusFile[]> {
  const files: BmpCorpusFile[] = [];
  for (const [width, height] of sizes) {
    const raw = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      raw[i * 4] = (i * 37) & 255;
      raw[i * 4 + 1] = ((i >> 3) * 91) & 255;
      raw[i * 4 + 2] = (i * 13 + (i % width)) & 255;
      raw[i * 4 + 3] = i % 5 === 0 ? (i * 7) & 255 : 255;
    }
    const source = join(directory, `src-${width}x${height}.png`);
    await sharp(raw, { raw: { width, height, channels: 4 } }).png().toFile(source);
    for (const [variant, args] of BMP_VARIANTS) {
      const output = join(directory, `${variant}-${width}x${height}.bmp`);
      const last = args[args.length - 1]!;
      execFileSync(CONVERT, [source, ...args.slice(0, -1), `${last}${output}`]);
      const bytes = new Uint8Array(readFileSync(output));
      const reference = new Uint8Array(execFileSync(CONVERT, [output, "-depth", "8", "rgba:-"], { maxBuffer: 1 << 24 }));
      files.push({ name: `${variant}-${width}x${height}`, bytes, width, height, reference });
    }
  }
  return files;
}
