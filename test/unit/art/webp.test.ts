// The WebP decoder on small files made by sharp/libwebp (test/support/webp-fixtures.ts) and on files
// assembled here from their chunks: lossless stills equal the art they were made from, lossy files
// equal what libwebp decodes them to (hash of the RGBA), animations compose to the source frames, any
// input slicing gives the same result, and broken files give the right ImageDecodeError.

import { test } from "node:test";
import assert from "node:assert/strict";
import { concatBytes } from "../../support/bytes.js";
import { Blend, Dispose, ImageDecodeError, type DecodeLimits } from "../../../src/art/image.js";
import { WebpDecoder } from "../../../src/art/webp.js";
import { LITTLE_ENDIAN, swapWords } from "../../../src/art/webp-yuv.js";
import { FrameRecorder } from "../../support/frame-recorder.js";
import { WEBP_FIXTURES } from "../../support/webp-fixtures.js";
import {
  anim,
  animationFrames,
  anmf,
  base64ToBytes,
  chunk,
  chunksOf,
  gradientArt,
  hashBytes,
  paletteArt,
  riff,
  vp8x,
} from "../../support/webp-build.js";
import { compose } from "../../support/reference-compose.js";

function fixture(name: string): Uint8Array {
  return base64ToBytes(WEBP_FIXTURES[name]!.base64);
}

function decode(file: Uint8Array, step = file.length, limits?: DecodeLimits): FrameRecorder {
  const sink = new FrameRecorder();
  const decoder = new WebpDecoder(sink, limits);
  for (let at = 0; at < file.length; at += step) decoder.push(file.subarray(at, at + step));
  decoder.finish();
  return sink;
}

function decodeError(file: Uint8Array, limits?: DecodeLimits): { error: ImageDecodeError; sink: FrameRecorder } {
  const sink = new FrameRecorder();
  try {
    const decoder = new WebpDecoder(sink, limits);
    decoder.push(file);
    decoder.finish();
  } catch (error) {
    assert.ok(error instanceof ImageDecodeError, `expected an ImageDecodeError, got ${String(error)}`);
    return { error, sink };
  }
  assert.fail("the file was accepted");
}

/** Every frame's RGBA, composited for animations, concatenated: what the fixture's reference hash covers. */
function allPixels(sink: FrameRecorder): Uint8Array {
  if (sink.image!.frameCount === 1) return sink.frames[0]!.rgba;
  return concatBytes(compose(sink.image!.width, sink.image!.height, sink.frames));
}

const STILL_ART: [string, number, number, Uint8Array][] = [
  ["losslessGradient", 16, 12, gradientArt(16, 12, 1)],
  ["losslessPalette2", 24, 10, paletteArt(24, 10, 2, 2)],
  ["losslessPalette4", 20, 9, paletteArt(20, 9, 4, 3)],
  ["losslessPalette12", 18, 11, paletteArt(18, 11, 12, 4)],
  ["losslessPalette40", 16, 16, paletteArt(16, 16, 40, 5)],
];

test("lossless stills (gradient with alpha, 2/4/12/40-colour art) decode to exactly the art they were made from", () => {
  for (const [name, width, height, art] of STILL_ART) {
    const sink = decode(fixture(name));
    assert.deepEqual(sink.image, { width, height, frameCount: 1, loopCount: 1 }, name);
    assert.deepEqual(sink.frames[0]!.header, { left: 0, top: 0, width, height, delayMs: 0, dispose: Dispose.none, blend: Blend.source }, name);
    assert.deepEqual(sink.frames[0]!.rgba, art, name);
    assert.equal(hashBytes(sink.frames[0]!.rgba), WEBP_FIXTURES[name]!.referenceHash, `${name}: same as libwebp`);
    assert.deepEqual(sink.events, ["header", "frameStart", "frameEnd", "end"], name);
  }
});

test("any slicing, down to one byte at a time, gives the same pixels", () => {
  for (const name of ["losslessGradient", "losslessPalette12", "lossyAlpha", "animatedLossless"]) {
    const file = fixture(name);
    const whole = allPixels(decode(file));
    assert.deepEqual(allPixels(decode(file, 1)), whole, `${name} byte by byte`);
    assert.deepEqual(allPixels(decode(file, 7)), whole, `${name} in 7-byte pieces`);
  }
});

test("an animated lossless file: ANIM loop count, ANMF regions, delays, blend and dispose; frames compose to the source frames", () => {
  const sink = decode(fixture("animatedLossless"));
  assert.deepEqual(sink.image, { width: 20, height: 14, frameCount: 0, loopCount: 2 });
  assert.equal(sink.frames.length, 4);
  // A duration of 0 ms becomes 100 ms, as browsers show it.
  assert.deepEqual(
    sink.frames.map((frame) => frame.header.delayMs),
    [80, 100, 120, 50],
  );
  const first = sink.frames[0]!.header;
  assert.deepEqual([first.left, first.top, first.width, first.height], [0, 0, 20, 14]);
  // libwebp's encoder crops later frames to what changed; regions must stay inside the canvas.
  assert.ok(sink.frames.slice(1).some((frame) => frame.header.width < 20 || frame.header.height < 14), "some frame is a sub-rectangle");
  const canvases = compose(20, 14, sink.frames);
  const source = animationFrames(20, 14, 4);
  for (let f = 0; f < 4; f++) assert.deepEqual(canvases[f], source[f], `frame ${f}`);
  assert.equal(hashBytes(concatBytes(canvases)), WEBP_FIXTURES.animatedLossless!.referenceHash);
});

test("lossy stills, with and without alpha, and a lossy animation equal libwebp's decoding (fancy upsampling)", () => {
  for (const name of ["lossy", "lossyAlpha", "animatedLossy"]) {
    const sink = decode(fixture(name));
    assert.equal(hashBytes(allPixels(sink)), WEBP_FIXTURES[name]!.referenceHash, name);
  }
  const alpha = decode(fixture("lossyAlpha")).frames[0]!.rgba;
  const art = gradientArt(24, 20, 7);
  for (let i = 3; i < art.length; i += 4) assert.ok(Math.abs(alpha[i]! - art[i]!) <= 8, `alpha of pixel ${i >> 2}: ${alpha[i]} for ${art[i]}`);
});

test("an uncompressed ALPH chunk with each filtering method gives the alpha values back", () => {
  const lossy = fixture("lossy");
  const vp8 = chunksOf(lossy).find((c) => c.type === "VP8 ")!;
  const rgb = decode(lossy).frames[0]!.rgba;
  const width = 24;
  const height = 20;
  const alpha = new Uint8Array(width * height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = (i * 37 + (i >> 3) * 11) & 255;
  for (let method = 0; method < 4; method++) {
    const filtered = new Uint8Array(alpha.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const left = x > 0 ? alpha[y * width + x - 1]! : y > 0 ? alpha[(y - 1) * width]! : 0;
        const up = y > 0 ? alpha[(y - 1) * width + x]! : x > 0 ? alpha[x - 1]! : 0;
        const corner = x > 0 && y > 0 ? alpha[(y - 1) * width + x - 1]! : 0;
        let predictor = 0;
        if (x === 0 || y === 0) predictor = x === 0 && y === 0 ? 0 : x === 0 ? up : left;
        else if (method === 1) predictor = left;
        else if (method === 2) predictor = up;
        else if (method === 3) predictor = Math.min(255, Math.max(0, left + up - corner));
        filtered[y * width + x] = (alpha[y * width + x]! - (method === 0 ? 0 : predictor)) & 255;
      }
    }
    const file = riff([vp8x(0x10, width, height), chunk("ALPH", concatBytes([Uint8Array.of(method << 2), filtered])), chunk("VP8 ", vp8.payload)]);
    const rgba = decode(file, 13).frames[0]!.rgba;
    for (let i = 0; i < alpha.length; i++) {
      assert.equal(rgba[i * 4 + 3], alpha[i], `method ${method}, pixel ${i}`);
      assert.equal(rgba[i * 4], rgb[i * 4], `method ${method}, red of pixel ${i}`);
    }
  }
});

test("extended still: metadata and unknown chunks (odd sizes, padded) are skipped; the image must match the canvas", () => {
  const vp8l = chunksOf(fixture("losslessPalette4")).find((c) => c.type === "VP8L")!;
  const file = riff([vp8x(0x20, 20, 9), chunk("ICCP", new Uint8Array(5)), chunk("XYZW", Uint8Array.of(1, 2, 3)), chunk("VP8L", vp8l.payload), chunk("EXIF", new Uint8Array(7))]);
  assert.deepEqual(decode(file, 3).frames[0]!.rgba, paletteArt(20, 9, 4, 3));
  const mismatch = riff([vp8x(0, 21, 9), chunk("VP8L", vp8l.payload)]);
  assert.equal(decodeError(mismatch).error.code, "corrupt");
});

test("hand-made animation: frame offsets are doubled, blending bit 1 means source, disposal bit means background; errors on bad frames", () => {
  const vp8l = chunksOf(fixture("losslessPalette4")).find((c) => c.type === "VP8L")!.payload;
  const frame = { x: 4, y: 2, width: 20, height: 9, duration: 7, flags: 0b11 };
  const good = riff([vp8x(0x12, 30, 12), anim(0), anmf(frame, [chunk("VP8L", vp8l)]), anmf({ ...frame, x: 0, y: 0, flags: 0 }, [chunk("XYZW", Uint8Array.of(9)), chunk("VP8L", vp8l)])]);
  const sink = decode(good, 5);
  assert.deepEqual(sink.image, { width: 30, height: 12, frameCount: 0, loopCount: 0 });
  assert.deepEqual(sink.frames[0]!.header, { left: 4, top: 2, width: 20, height: 9, delayMs: 100, dispose: Dispose.background, blend: Blend.source });
  assert.deepEqual(sink.frames[1]!.header, { left: 0, top: 0, width: 20, height: 9, delayMs: 100, dispose: Dispose.none, blend: Blend.over });
  assert.deepEqual(sink.frames[1]!.rgba, paletteArt(20, 9, 4, 3));

  const outside = riff([vp8x(0x12, 30, 12), anim(0), anmf({ ...frame, x: 12 }, [chunk("VP8L", vp8l)])]);
  assert.match(decodeError(outside).error.message, /outside the 30×12 canvas/);
  const wrongSize = riff([vp8x(0x12, 30, 12), anim(0), anmf({ ...frame, width: 19 }, [chunk("VP8L", vp8l)])]);
  assert.match(decodeError(wrongSize).error.message, /frame bitstream is 20×9, its ANMF says 19×9/);
  const noAnim = riff([vp8x(0x12, 30, 12), anmf(frame, [chunk("VP8L", vp8l)])]);
  assert.equal(decodeError(noAnim).error.code, "corrupt");
  const empty = riff([vp8x(0x12, 30, 12), anim(0), anmf(frame, [chunk("XYZW", new Uint8Array(2))])]);
  assert.match(decodeError(empty).error.message, /without image data/);
  const noFrames = riff([vp8x(0x12, 30, 12), anim(0)]);
  assert.match(decodeError(noFrames).error.message, /without frames/);
});

test("limits: a canvas or image above 256×256 is too_large before anything is decoded; frames beyond maxFrames are too_many_frames", () => {
  const canvas = decodeError(riff([vp8x(0, 257, 10), chunk("XYZW", new Uint8Array(4))]));
  assert.equal(canvas.error.code, "too_large");
  assert.equal(canvas.sink.image, undefined);
  // A VP8L header declaring 300×1, with no image data behind it.
  const wide = decodeError(riff([chunk("VP8L", Uint8Array.of(0x2f, 0x2b, 0x01, 0x00, 0x00, 0, 0, 0))]));
  assert.equal(wide.error.code, "too_large");
  assert.equal(wide.sink.image, undefined);
  const frames = decodeError(fixture("animatedLossless"), { maxWidth: 256, maxHeight: 256, maxFrames: 3 });
  assert.equal(frames.error.code, "too_many_frames");
  assert.equal(frames.sink.frames.length, 3);
});

test("every truncation of a file is 'truncated' at finish(); the error stays", () => {
  for (const name of ["losslessPalette4", "lossy"]) {
    const file = fixture(name);
    for (let length = 0; length < file.length; length++) {
      const sink = new FrameRecorder();
      const decoder = new WebpDecoder(sink);
      decoder.push(file.subarray(0, length));
      assert.throws(() => decoder.finish(), (error: unknown) => error instanceof ImageDecodeError && error.code === "truncated", `${name} cut at ${length}`);
      assert.throws(() => decoder.push(file.subarray(length)), (error: unknown) => error instanceof ImageDecodeError && error.code === "truncated");
      assert.equal(sink.ended, false);
    }
  }
});

test("broken files give typed errors: signature, chunk sizes, bitstream headers, cut image data", () => {
  const lossless = fixture("losslessPalette12");
  const vp8l = chunksOf(lossless).find((c) => c.type === "VP8L")!.payload;
  const vp8 = chunksOf(fixture("lossy")).find((c) => c.type === "VP8 ")!.payload;
  const code = (file: Uint8Array): string => decodeError(file).error.code;

  const notRiff = lossless.slice();
  notRiff[0] = 0x58;
  assert.equal(code(notRiff), "bad_signature");
  const notWebp = lossless.slice();
  notWebp[11] = 0x58;
  assert.equal(code(notWebp), "bad_signature");
  assert.equal(code(riff([chunk("XYZW", new Uint8Array(4))])), "corrupt"); // no image chunk first
  const tooLong = lossless.slice();
  tooLong[16] = 0xff; // the VP8L chunk claims more bytes than the RIFF holds
  assert.equal(code(tooLong), "corrupt");

  const badSignature = vp8l.slice();
  badSignature[0] = 0x2e;
  assert.equal(code(riff([chunk("VP8L", badSignature)])), "corrupt");
  const badVersion = vp8l.slice();
  badVersion[4] |= 0x20;
  assert.equal(code(riff([chunk("VP8L", badVersion)])), "unsupported");
  assert.match(decodeError(riff([chunk("VP8L", vp8l.subarray(0, vp8l.length - 20))])).error.message, /VP8L: .*(ends|code)/);

  const interFrame = vp8.slice();
  interFrame[0] |= 1;
  assert.equal(code(riff([chunk("VP8 ", interFrame)])), "unsupported");
  const noStartCode = vp8.slice();
  noStartCode[3] = 0;
  assert.equal(code(riff([chunk("VP8 ", noStartCode)])), "corrupt");
  assert.equal(code(riff([chunk("VP8 ", vp8.subarray(0, 40))])), "corrupt");

  // Random damage to the data: an ImageDecodeError or a complete image, never another exception.
  let errors = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const damaged = (seed & 1 ? lossless : fixture("lossyAlpha")).slice();
    for (let k = 0; k < 3; k++) damaged[20 + ((seed * 7919 * (k + 1)) % (damaged.length - 20))] ^= 1 << (seed % 8);
    const sink = new FrameRecorder();
    try {
      const decoder = new WebpDecoder(sink);
      decoder.push(damaged);
      decoder.finish();
      assert.ok(sink.ended);
    } catch (error) {
      assert.ok(error instanceof ImageDecodeError, `seed ${seed}: ${String(error)}`);
      errors++;
    }
  }
  assert.ok(errors > 0, "some damage must be detected");
});

test("RGBA rows as words: this machine's byte order is detected, and the big-endian fallback swaps each word's bytes", () => {
  const words = new Uint32Array([0x04030201, 0xddccbbaa]);
  const bytes = new Uint8Array(words.buffer);
  assert.equal(LITTLE_ENDIAN, bytes[0] === 0x01);
  swapWords(words, 1);
  assert.deepEqual([...bytes.subarray(0, 4)], LITTLE_ENDIAN ? [4, 3, 2, 1] : [1, 2, 3, 4]);
  assert.equal(words[1], 0xddccbbaa, "only `count` words are swapped");
});
