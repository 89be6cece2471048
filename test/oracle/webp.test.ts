// WebP decoder against libwebp on a corpus the test makes (test/oracle/webp-corpus.ts): sharp's RGBA
// (libvips composites animations) and @jsquash/webp (libwebp in WASM) for stills.
//
// Tolerance: lossless must be exact. Lossy uses the same chroma upsampling as libwebp's default
// ("fancy", bilinear 9:3:3:1 in two rounding steps) and the same BT.601 fixed-point conversion, so
// it is expected to be exact too; the test allows a per-channel difference of at most 1 (and a mean
// of at most 0.05) and prints the largest difference seen.
// Then every corpus file is damaged with seeded mutations: only ImageDecodeError or a complete image.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import decodeJsquash, { init as initJsquash } from "@jsquash/webp/decode.js";
import { ImageDecodeError } from "../../src/art/image.js";
import { WebpDecoder } from "../../src/art/webp.js";
import { FrameRecorder } from "../support/frame-recorder.js";
import { compose } from "../support/reference-compose.js";
import { concatBytes, xorshiftRandom } from "../support/bytes.js";
import { buildCorpus, sharpReference, type CorpusFile } from "./webp-corpus.js";

const LOSSY_MAX = 1;
const LOSSY_MEAN = 0.05;

const corpus = buildCorpus();

function decode(bytes: Uint8Array, step: number): FrameRecorder {
  const sink = new FrameRecorder();
  const decoder = new WebpDecoder(sink);
  for (let at = 0; at < bytes.length; at += step) decoder.push(bytes.subarray(at, at + step));
  decoder.finish();
  return sink;
}

function rgbaOf(file: CorpusFile, sink: FrameRecorder): Uint8Array {
  return file.animated ? concatBytes(compose(file.width, file.height, sink.frames)) : sink.frames[0]!.rgba;
}

function difference(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  assert.equal(a.length, b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

test("every corpus file decodes to sharp's RGBA: lossless exactly, lossy within 1", async () => {
  const files = await corpus;
  let lossyMax = 0;
  let lossyMean = 0;
  const counts = { lossless: 0, lossy: 0, animated: 0, frames: 0 };
  for (const file of files) {
    const sink = decode(file.bytes, 1024);
    assert.ok(sink.ended, file.name);
    assert.deepEqual([sink.image!.width, sink.image!.height], [file.width, file.height], file.name);
    const ours = rgbaOf(file, sink);
    const reference = await sharpReference(file);
    const { max, mean } = difference(ours, reference);
    if (file.lossless) assert.equal(max, 0, `${file.name}: lossless differs by up to ${max}`);
    else {
      assert.ok(max <= LOSSY_MAX && mean <= LOSSY_MEAN, `${file.name}: max ${max}, mean ${mean.toFixed(3)}`);
      lossyMax = Math.max(lossyMax, max);
      lossyMean = Math.max(lossyMean, mean);
    }
    counts[file.lossless ? "lossless" : "lossy"]++;
    if (file.animated) {
      counts.animated++;
      counts.frames += sink.frames.length;
      assert.ok(sink.frames.length > 1, file.name);
    }
  }
  console.log(
    `webp oracle: ${files.length} files (${counts.lossless} lossless, ${counts.lossy} lossy, ${counts.animated} animated with ${counts.frames} frames); lossy vs sharp: max diff ${lossyMax}, worst mean ${lossyMean.toFixed(4)}`,
  );
});

test("stills also equal @jsquash/webp (libwebp in WASM); odd input slicing changes nothing", async () => {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve("@jsquash/webp/codec/dec/webp_dec.wasm"));
  // Under Node the WASM file must be compiled by hand and handed to the module (no fetch of it).
  const wasmApi = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<Parameters<typeof initJsquash>[0]> } }).WebAssembly;
  await initJsquash(await wasmApi.compile(wasm));
  const files = (await corpus).filter((file) => !file.animated);
  let worst = 0;
  for (const [index, file] of files.entries()) {
    const reference = await decodeJsquash(Uint8Array.from(file.bytes).buffer);
    const ours = decode(file.bytes, index % 3 === 0 ? 1 : 333).frames[0]!.rgba;
    const { max } = difference(ours, new Uint8Array(reference.data.buffer, reference.data.byteOffset, reference.data.length));
    assert.ok(file.lossless ? max === 0 : max <= LOSSY_MAX, `${file.name}: max ${max}`);
    worst = Math.max(worst, max);
  }
  console.log(`webp vs @jsquash/webp: ${files.length} stills, max diff ${worst}`);
});

test("seeded mutations of every corpus file give only ImageDecodeError or a complete image", async () => {
  const files = await corpus;
  const random = xorshiftRandom(2024);
  const counts: Record<string, number> = { ok: 0 };
  for (const file of files) {
    for (let round = 0; round < 12; round++) {
      const damaged = file.bytes.slice();
      const kind = round % 4;
      if (kind === 3) {
        // Cut the file short.
        const cut = damaged.subarray(0, Math.floor(random() * damaged.length));
        count(counts, cut, file.name);
        continue;
      }
      const flips = kind === 0 ? 1 : kind === 1 ? 4 : 16;
      for (let k = 0; k < flips; k++) {
        const at = Math.floor(random() * damaged.length);
        damaged[at] = kind === 2 ? Math.floor(random() * 256) : damaged[at]! ^ (1 << Math.floor(random() * 8));
      }
      count(counts, damaged, file.name);
    }
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`webp mutations: ${total} files: ${Object.entries(counts).map(([key, n]) => `${key} ${n}`).join(", ")}`);
  assert.ok(total - counts.ok! > total / 4, "most damage is detected");
});

function count(counts: Record<string, number>, bytes: Uint8Array, name: string): void {
  const sink = new FrameRecorder();
  try {
    const decoder = new WebpDecoder(sink);
    decoder.push(bytes);
    decoder.finish();
    assert.ok(sink.ended, name);
    counts.ok!++;
  } catch (error) {
    if (!(error instanceof ImageDecodeError)) throw new Error(`${name}: ${String(error)}`);
    counts[error.code] = (counts[error.code] ?? 0) + 1;
  }
}
