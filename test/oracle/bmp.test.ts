// BMP decoder against ImageMagick: files ImageMagick writes in every flavour it has (BMP3 24-bit, V5
// 32-bit with alpha and 16-bit 5-6-5 bit fields, 8/4/1-bit palettes, OS/2 core) decode to exactly the
// RGBA ImageMagick reads back. Then every file, mutated by a seeded fuzzer, gives either a picture or
// an ImageDecodeError — never another exception.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { BmpDecoder } from "../../src/art/bmp.js";
import { ImageDecodeError } from "../../src/art/image.js";
import { CaptureSink } from "../support/capture-sink.js";

const CONVERT = "/usr/bin/convert";
const VARIANTS: [string, string[]][] = [
  ["bmp3-24", ["-alpha", "off", "-compress", "None", "BMP3:"]],
  ["v5-32-alpha", ["-compress", "None", "BMP:"]],
  ["v5-16-565", ["-alpha", "off", "-define", "bmp:subtype=RGB565", "BMP:"]],
  ["palette-8", ["-type", "Palette", "-alpha", "off", "-compress", "None", "BMP3:"]],
  ["palette-4", ["-colors", "16", "-alpha", "off", "-compress", "None", "BMP3:"]],
  ["palette-1", ["-monochrome", "-compress", "None", "BMP3:"]],
  ["os2-core", ["-alpha", "off", "BMP2:"]],
];

function decodeOurs(bytes: Uint8Array): CaptureSink {
  const sink = new CaptureSink();
  const decoder = new BmpDecoder(sink);
  for (let at = 0; at < bytes.length; at += 61) decoder.push(bytes.subarray(at, at + 61));
  decoder.finish();
  return sink;
}

/** A deterministic xorshift, so failures reproduce. */
function prng(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

const work = mkdtempSync(join(tmpdir(), "bmp-oracle-"));
const corpus: { name: string; bytes: Uint8Array }[] = [];

test("every BMP flavour ImageMagick writes decodes to ImageMagick's own pixels", async (t) => {
  t.after(() => rmSync(work, { recursive: true, force: true }));
  for (const [width, height] of [[13, 9], [64, 32], [1, 1], [256, 256]] as const) {
    const raw = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      raw[i * 4] = (i * 37) & 255;
      raw[i * 4 + 1] = ((i >> 3) * 91) & 255;
      raw[i * 4 + 2] = (i * 13 + (i % width)) & 255;
      raw[i * 4 + 3] = i % 5 === 0 ? (i * 7) & 255 : 255;
    }
    const source = join(work, `src-${width}x${height}.png`);
    await sharp(raw, { raw: { width, height, channels: 4 } }).png().toFile(source);
    for (const [variant, args] of VARIANTS) {
      const output = join(work, `${variant}-${width}x${height}.bmp`);
      const last = args[args.length - 1]!;
      execFileSync(CONVERT, [source, ...args.slice(0, -1), `${last}${output}`]);
      const bytes = new Uint8Array(readFileSync(output));
      const reference = new Uint8Array(execFileSync(CONVERT, [output, "-depth", "8", "rgba:-"], { maxBuffer: 1 << 24 }));
      const ours = decodeOurs(bytes);
      assert.equal(ours.image!.width, width);
      assert.equal(ours.image!.height, height);
      const frame = ours.frames[0]!.rgba;
      let mismatches = 0;
      for (let i = 0; i < frame.length; i++) if (frame[i] !== reference[i]) mismatches++;
      assert.equal(mismatches, 0, `${variant} ${width}×${height}: ${mismatches} bytes differ from ImageMagick`);
      corpus.push({ name: `${variant}-${width}x${height}`, bytes });
    }
  }
  assert.equal(corpus.length, VARIANTS.length * 4);
});

test("seeded mutations of every corpus file: a picture or an ImageDecodeError, nothing else", () => {
  assert.ok(corpus.length > 0, "the corpus test ran first");
  const random = prng(20261125);
  const counts = { decoded: 0, typedErrors: 0 } as { decoded: number; typedErrors: number; [code: string]: number };
  for (const { name, bytes } of corpus) {
    for (let round = 0; round < 40; round++) {
      const mutated = bytes.slice(0, random() < 0.3 ? Math.floor(random() * bytes.length) : bytes.length);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips && mutated.length > 0; f++) {
        // Headers are where a BMP decoder can be fooled; aim most flips there.
        const at = random() < 0.7 ? Math.floor(random() * Math.min(mutated.length, 140)) : Math.floor(random() * mutated.length);
        mutated[at] = Math.floor(random() * 256);
      }
      try {
        decodeOurs(mutated);
        counts.decoded++;
      } catch (error) {
        assert.ok(error instanceof ImageDecodeError, `${name} round ${round}: ${String(error)}`);
        counts.typedErrors++;
        counts[error.code] = (counts[error.code] ?? 0) + 1;
      }
    }
  }
  console.log(`# bmp mutations: ${JSON.stringify(counts)}`);
  assert.ok(counts.typedErrors > 100, "mutations produced typed errors");
});
