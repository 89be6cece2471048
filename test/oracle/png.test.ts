// The PNG/APNG decoder against reference decoders (Node only), on files written by sharp, ImageMagick,
// upng-js and our test encoder (test/oracle/png-corpus.ts):
// - still images: RGBA equals sharp's (libpng; 16-bit reduced to the high byte as ours), pngjs's for
//   8 bits and below, and fast-png's samples (high byte) for 16 bits;
// - APNG: every frame's region, delay, dispose and blend op equal upng-js's, and the animation
//   composited by the reference compositor (test/support/reference-compose.ts) equals upng-js's toRGBA8
//   frames;
// - seeded mutations of every file: only ImageDecodeError or a clean decode, never another exception.

import { test } from "node:test";
import assert from "node:assert/strict";
import { decode as fastPngDecode } from "fast-png";
import pngjs from "pngjs";
import sharp from "sharp";
import UPNG from "upng-js";
import { ImageDecodeError } from "../../src/art/image.js";
import { PngDecoder } from "../../src/art/png.js";
import { FrameRecorder } from "../support/frame-recorder.js";
import { compose } from "../support/reference-compose.js";
import { crc32, referenceRgba, seededRandom } from "../support/png-encode.js";
import { apngCorpus, describePng, imageMagickApng, pixelArt, staticCorpus, type CorpusFile } from "./png-corpus.js";

function decode(bytes: Uint8Array, slices?: () => number): FrameRecorder {
  const sink = new FrameRecorder();
  const decoder = new PngDecoder(sink);
  if (!slices) decoder.push(bytes);
  else for (let at = 0; at < bytes.length; ) {
    const size = slices();
    decoder.push(bytes.subarray(at, at + size));
    at += size;
  }
  decoder.finish();
  return sink;
}

/** pngjs blanks the colour of colour-keyed pixels; compare those as transparent black. */
function blankTransparent(rgba: Uint8Array): Uint8Array {
  const out = rgba.slice();
  for (let i = 0; i < out.length; i += 4) if (out[i + 3] === 0) out.fill(0, i, i + 3);
  return out;
}

const corpus = await staticCorpus();
const animations = apngCorpus();
const magickApng = imageMagickApng([pixelArt(8, 8, 1), pixelArt(8, 8, 2)].map((raw) => raw));

test("the still corpus covers every colour type and bit depth, Adam7, palettes with alpha and colour keys", () => {
  const kinds = new Set(corpus.map(({ bytes }) => {
    const info = describePng(bytes);
    return `${info.colourType}/${info.bitDepth}`;
  }));
  for (const kind of ["0/1", "0/2", "0/4", "0/8", "0/16", "2/8", "2/16", "3/1", "3/2", "3/4", "3/8", "4/8", "4/16", "6/8", "6/16"]) assert.ok(kinds.has(kind), `no file of colour type/depth ${kind}`);
  const withTransparency = new Set(corpus.filter(({ bytes }) => describePng(bytes).chunks.includes("tRNS")).map(({ bytes }) => describePng(bytes).colourType));
  assert.deepEqual([...withTransparency].sort(), [0, 2, 3]);
  const interlaced = new Set(corpus.filter(({ bytes }) => describePng(bytes).interlaced).map(({ bytes }) => describePng(bytes).colourType));
  assert.deepEqual([...interlaced].sort(), [0, 2, 3, 4, 6]);
  console.log(`still corpus: ${corpus.length} files; ImageMagick APNG writer: ${magickApng ? "yes" : "not available (no ffmpeg delegate): APNGs come from upng-js and our encoder"}`);
});

test("still images: RGBA equals sharp, pngjs (8 bits and below) and fast-png (16 bits), whole and sliced", async () => {
  const random = seededRandom(3);
  for (const { name, bytes } of corpus) {
    const info = describePng(bytes);
    const sink = decode(bytes);
    assert.deepEqual(sink.image, { width: info.width, height: info.height, frameCount: 1, loopCount: 1 }, name);
    assert.equal(sink.frames.length, 1, name);
    const ours = sink.frames[0]!.rgba;
    const bySharp = new Uint8Array(await sharp(bytes).ensureAlpha().raw({ depth: "uchar" }).toBuffer());
    assert.deepEqual(ours, bySharp, `${name}: differs from sharp`);
    if (info.bitDepth <= 8) {
      const byPngjs = new Uint8Array(pngjs.PNG.sync.read(Buffer.from(bytes)).data);
      assert.deepEqual(blankTransparent(ours), blankTransparent(byPngjs), `${name}: differs from pngjs`);
    } else {
      const fast = fastPngDecode(bytes);
      const transparency = fast.transparency ? Array.from(fast.transparency).flatMap((v) => [v >>> 8, v & 0xff]) : [];
      const reference = referenceRgba({ width: fast.width, height: fast.height, colourType: info.colourType, bitDepth: 16, samples: fast.data }, [], transparency);
      assert.deepEqual(ours, reference, `${name}: differs from fast-png's samples`);
    }
    assert.deepEqual(decode(bytes, () => 1 + Math.floor(random() * 40)).frames[0]!.rgba, ours, `${name}: sliced`);
  }
});

test("APNG: frame regions, delays, ops and pixels equal upng-js; the composited animation equals its toRGBA8", () => {
  const files: CorpusFile[] = [...animations, ...(magickApng ? [{ name: "magick apng", bytes: magickApng }] : [])];
  for (const { name, bytes } of files) {
    const info = describePng(bytes);
    assert.ok(info.chunks.includes("acTL") && info.chunks.includes("fcTL"), `${name} is not an APNG`);
    const sink = decode(bytes);
    const reference = UPNG.decode(bytes);
    assert.equal(sink.image!.frameCount, reference.frames.length, name);
    assert.equal(sink.frames.length, reference.frames.length, name);
    reference.frames.forEach((frame, i) => {
      const ours = sink.frames[i]!;
      const dispose = i === 0 && frame.dispose === 2 ? 1 : frame.dispose;
      assert.deepEqual(
        ours.header,
        { left: frame.rect.x, top: frame.rect.y, width: frame.rect.width, height: frame.rect.height, delayMs: frame.delay <= 10 ? 100 : frame.delay, dispose, blend: frame.blend },
        `${name} frame ${i}`,
      );
      const pixels = UPNG.toRGBA8.decodeImage(frame.data ?? reference.data, frame.rect.width, frame.rect.height, reference);
      assert.deepEqual(ours.rgba, new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength), `${name} frame ${i} pixels`);
    });
    const expected = UPNG.toRGBA8(UPNG.decode(bytes)).map((buffer) => new Uint8Array(buffer));
    const shown = compose(info.width, info.height, sink.frames);
    shown.forEach((canvas, i) => {
      // upng-js blends in floating point and truncates, so OVER may differ from exact rounding by 1.
      let worst = 0;
      for (let k = 0; k < canvas.length; k++) worst = Math.max(worst, Math.abs(canvas[k]! - expected[i]![k]!));
      assert.ok(worst <= 1, `${name}: composited frame ${i} differs from upng-js by ${worst}`);
    });
  }
});

function chunkSpans(bytes: Uint8Array): { start: number; length: number }[] {
  const spans: { start: number; length: number }[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    if (at + 12 + length > bytes.length) break;
    spans.push({ start: at, length });
    at += 12 + length;
  }
  return spans;
}

/** One seeded corruption: bit flips, a chunk edited with its CRC fixed, a cut, a lost or doubled range, a bad length. */
function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(random() * n);
  const out = bytes.slice();
  switch (pick(5)) {
    case 0: {
      for (let n = 1 + pick(4); n > 0; n--) out[pick(out.length)] ^= 1 << pick(8);
      return out;
    }
    case 1: {
      const spans = chunkSpans(out).filter((span) => span.length > 0);
      const span = spans[pick(spans.length)]!;
      for (let n = 1 + pick(3); n > 0; n--) out[span.start + 8 + pick(span.length)] ^= 1 << pick(8);
      new DataView(out.buffer).setUint32(span.start + 8 + span.length, crc32(out.subarray(span.start + 4, span.start + 8 + span.length)));
      return out;
    }
    case 2:
      return out.subarray(0, pick(out.length));
    case 3: {
      const at = pick(out.length);
      const length = 1 + pick(16);
      return random() < 0.5 ? Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + length)]) : Uint8Array.from([...out.subarray(0, at + length), ...out.subarray(at)]);
    }
    default: {
      const spans = chunkSpans(out);
      const span = spans[pick(spans.length)]!;
      new DataView(out.buffer).setUint32(span.start, random() < 0.5 ? pick(1 << 16) : 0xffffffff - pick(4));
      return out;
    }
  }
}

test("seeded mutations of every corpus file: only ImageDecodeError or a clean decode", () => {
  const random = seededRandom(2024);
  const outcomes: Record<string, number> = {};
  for (const { name, bytes } of [...corpus, ...animations]) {
    for (let n = 0; n < 40; n++) {
      const mutated = mutate(bytes, random);
      let outcome = "decoded";
      try {
        const sink = decode(mutated, random() < 0.5 ? undefined : () => 1 + Math.floor(random() * 100));
        assert.ok(sink.ended, `${name} mutation ${n}: finish() passed without end()`);
      } catch (error) {
        if (!(error instanceof ImageDecodeError)) assert.fail(`${name} mutation ${n}: ${error instanceof Error ? error.stack : String(error)}`);
        outcome = error.code;
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  }
  const typed = Object.entries(outcomes).filter(([key]) => key !== "decoded").reduce((sum, [, count]) => sum + count, 0);
  console.log(`png mutations: ${typed} typed errors ${JSON.stringify(outcomes)}`);
  assert.ok(typed > 0.5 * (corpus.length + animations.length) * 40, "most mutations must be caught");
  assert.ok((outcomes.corrupt ?? 0) > 0 && (outcomes.truncated ?? 0) > 0);
});
