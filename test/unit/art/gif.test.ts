// The GIF push decoder on files built by the test encoder (test/support/gif-encode.ts): palettes,
// interlace, transparency, disposal, delays, loop counts, LZW variants, clipping, slicing, and the
// typed errors for broken files.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GifDecoder } from "../../../src/art/gif.js";
import { Blend, DEFAULT_LIMITS, Dispose, ImageDecodeError, type DecodeLimits, type ImageErrorCode } from "../../../src/art/image.js";
import { encodeGif, interlaceOrder, lzwEncode, type FrameSpec, type GifSpec } from "../../support/gif-encode.js";
import { RecordingSink } from "../../support/recording-sink.js";

const RGB = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]; // red, green, blue, white

function decode(bytes: Uint8Array, chunkSize = bytes.length, limits: DecodeLimits = DEFAULT_LIMITS): RecordingSink {
  const sink = new RecordingSink();
  const decoder = new GifDecoder(sink, limits);
  for (let at = 0; at < bytes.length; at += chunkSize) decoder.push(bytes.subarray(at, Math.min(bytes.length, at + chunkSize)));
  decoder.finish();
  return sink;
}

function decodeError(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS): ImageDecodeError {
  try {
    decode(bytes, bytes.length, limits);
  } catch (error) {
    if (error instanceof ImageDecodeError) return error;
    throw error;
  }
  assert.fail("decoding succeeded");
}

function expectError(bytes: Uint8Array, code: ImageErrorCode, message?: RegExp, limits?: DecodeLimits): void {
  const error = decodeError(bytes, limits);
  assert.equal(error.code, code, error.message);
  if (message) assert.match(error.message, message);
}

/** Deterministic pseudo-random indices below `colours`. */
function noise(count: number, colours: number, seed = 1): number[] {
  let state = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out.push((state >>> 16) % colours);
  }
  return out;
}

function paletteOf(colours: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < colours; i++) out.push(i, (i * 7) & 255, 255 - i);
  return out;
}

/** Expected RGBA of a frame: palette lookup with the transparent index cleared. */
function expectedRgba(indices: ArrayLike<number>, palette: ArrayLike<number>, transparent = -1): Uint8Array {
  const out = new Uint8Array(indices.length * 4);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (index === transparent) continue;
    out[i * 4] = palette[index * 3] ?? 0;
    out[i * 4 + 1] = palette[index * 3 + 1] ?? 0;
    out[i * 4 + 2] = palette[index * 3 + 2] ?? 0;
    out[i * 4 + 3] = 255;
  }
  return out;
}

function oneFrame(frame: Partial<FrameSpec> & { width: number; height: number; indices: ArrayLike<number> }, spec: Partial<GifSpec> = {}): Uint8Array {
  return encodeGif({ width: frame.width, height: frame.height, globalPalette: RGB, frames: [frame], ...spec });
}

test("a still image: header, frame header and every pixel", () => {
  const indices = [0, 1, 2, 3, 3, 2, 1, 0];
  const sink = decode(oneFrame({ width: 4, height: 2, indices }));
  assert.deepEqual(sink.image, { width: 4, height: 2, frameCount: 0, loopCount: 1 });
  assert.equal(sink.frames.length, 1);
  assert.deepEqual(sink.frames[0]!.header, { left: 0, top: 0, width: 4, height: 2, delayMs: 100, dispose: Dispose.none, blend: Blend.over });
  assert.deepEqual(sink.frames[0]!.rows, [0, 1]);
  assert.equal(sink.frames[0]!.missing, 0);
  assert.deepEqual(sink.frames[0]!.rgba, expectedRgba(indices, RGB));
  assert.deepEqual(sink.pixel(0, 1, 0), [0, 255, 0, 255]);
  assert.ok(sink.ended);
});

test("LZW variants decode to the same pixels: compressed, deferred clear, literal, no end code, 1-byte sub-blocks", () => {
  const width = 200;
  const height = 120; // 24000 pixels of 256 colours: the table fills several times
  const palette = paletteOf(256);
  const indices = noise(width * height, 256, 7);
  const expected = expectedRgba(indices, palette);
  const variants: Partial<FrameSpec>[] = [
    { lzw: "compress" },
    { lzw: "deferred-clear" },
    { lzw: "literal", minCodeSize: 8 },
    { lzw: "compress", omitEndCode: true },
    { lzw: "deferred-clear", omitEndCode: true, subBlockSize: 1 },
  ];
  for (const variant of variants) {
    const bytes = encodeGif({ width, height, globalPalette: palette, frames: [{ width, height, indices, ...variant }] });
    const sink = decode(bytes);
    assert.equal(sink.frames[0]!.missing, 0, JSON.stringify(variant));
    assert.deepEqual(sink.frames[0]!.rgba, expected, JSON.stringify(variant));
  }
});

test("a deferred-clear stream that really sends 12-bit codes past a full table", () => {
  // Long runs of few colours fill the table with long strings, then keep matching them.
  const width = 256;
  const height = 256;
  const indices = noise(width * height, 3, 11);
  const bytes = lzwEncode(indices, 2, "deferred-clear");
  const compressed = lzwEncode(indices, 2, "compress");
  assert.notDeepEqual(bytes, compressed, "the fixture must differ from the clearing encoder's output");
  const sink = decode(encodeGif({ width, height, globalPalette: RGB, frames: [{ width, height, indices, data: bytes, minCodeSize: 2 }] }));
  assert.deepEqual(sink.frames[0]!.rgba, expectedRgba(indices, RGB));
});

test("minimum code sizes 1 to 8", () => {
  for (let size = 1; size <= 8; size++) {
    const colours = 1 << size;
    const palette = paletteOf(colours);
    const indices = noise(37 * 11, colours, size);
    const sink = decode(encodeGif({ width: 37, height: 11, globalPalette: palette, frames: [{ width: 37, height: 11, indices, minCodeSize: size }] }));
    assert.deepEqual(sink.frames[0]!.rgba, expectedRgba(indices, palette), `min code size ${size}`);
  }
});

test("interlaced frames deliver rows in interlace order with their real y", () => {
  for (const height of [1, 2, 3, 4, 5, 8, 9, 13, 17]) {
    const indices = noise(5 * height, 4, height);
    const sink = decode(oneFrame({ width: 5, height, indices, interlace: true }));
    const frame = sink.frames[0]!;
    assert.deepEqual(frame.rows, interlaceOrder(height), `height ${height}`);
    assert.deepEqual(frame.rgba, expectedRgba(indices, RGB), `height ${height}`);
  }
  assert.deepEqual(interlaceOrder(9), [0, 8, 4, 2, 6, 1, 3, 5, 7]);
});

test("the transparent index comes out as alpha 0; other pixels are opaque", () => {
  const indices = [0, 1, 2, 1, 1, 0];
  const sink = decode(oneFrame({ width: 3, height: 2, indices, transparentIndex: 1 }));
  assert.deepEqual(sink.pixel(0, 0, 0), [255, 0, 0, 255]);
  assert.deepEqual(sink.pixel(0, 1, 0), [0, 0, 0, 0]);
  assert.deepEqual(sink.pixel(0, 0, 1), [0, 0, 0, 0]);
  assert.deepEqual(sink.pixel(0, 2, 1), [255, 0, 0, 255]);
  assert.equal(sink.frames[0]!.header.blend, Blend.over);
});

test("disposal methods 0-7 map to none, background, previous", () => {
  const expected = [Dispose.none, Dispose.none, Dispose.background, Dispose.previous, Dispose.none, Dispose.none, Dispose.none, Dispose.none];
  const frames: FrameSpec[] = expected.map((_, method) => ({ width: 2, height: 2, indices: [0, 1, 2, 3], dispose: method }));
  const sink = decode(encodeGif({ width: 2, height: 2, globalPalette: RGB, frames }));
  assert.deepEqual(
    sink.frames.map((f) => f.header.dispose),
    expected,
  );
});

test("a Graphic Control Extension applies to the next image only", () => {
  const frames: FrameSpec[] = [
    { width: 2, height: 1, indices: [0, 1], dispose: 2, delayCs: 50, transparentIndex: 0 },
    { width: 2, height: 1, indices: [0, 1] },
  ];
  const sink = decode(encodeGif({ width: 2, height: 1, globalPalette: RGB, frames }));
  assert.deepEqual([sink.frames[0]!.header.dispose, sink.frames[0]!.header.delayMs], [Dispose.background, 500]);
  assert.deepEqual([sink.frames[1]!.header.dispose, sink.frames[1]!.header.delayMs], [Dispose.none, 100]);
  assert.deepEqual(sink.pixel(0, 0, 0), [0, 0, 0, 0]);
  assert.deepEqual(sink.pixel(1, 0, 0), [255, 0, 0, 255]);
});

test("delays: 0 and 1 centisecond become 100 ms as in browsers; others are centiseconds * 10", () => {
  const delays = [0, 1, 2, 7, 10, 65535];
  const frames: FrameSpec[] = delays.map((delayCs) => ({ width: 1, height: 1, indices: [0], delayCs }));
  const sink = decode(encodeGif({ width: 1, height: 1, globalPalette: RGB, frames }));
  assert.deepEqual(
    sink.frames.map((f) => f.header.delayMs),
    [100, 100, 20, 70, 100, 655350],
  );
});

test("loop counts: none plays once, 0 loops forever, n repeats n times after the first play", () => {
  const frame = { width: 1, height: 1, indices: [0] };
  const loopOf = (loop: number | undefined) => decode(encodeGif({ width: 1, height: 1, globalPalette: RGB, frames: [frame, frame], ...(loop === undefined ? {} : { loop }) })).image!.loopCount;
  assert.equal(loopOf(undefined), 1);
  assert.equal(loopOf(0), 0);
  assert.equal(loopOf(1), 2);
  assert.equal(loopOf(3), 4);
  assert.equal(loopOf(65535), 65536);
});

test("local colour tables override the global one for their frame only; entries past a table are black", () => {
  const local = [10, 20, 30, 40, 50, 60];
  const frames: FrameSpec[] = [
    { width: 2, height: 1, indices: [2, 3] },
    { width: 2, height: 1, indices: [0, 1], localPalette: local },
    { width: 2, height: 1, indices: [2, 3], localPalette: local, minCodeSize: 2 }, // 2 and 3 lie past a 2-entry table
    { width: 2, height: 1, indices: [0, 1] },
  ];
  const sink = decode(encodeGif({ width: 2, height: 1, globalPalette: RGB, frames }));
  assert.deepEqual([sink.pixel(0, 0, 0), sink.pixel(0, 1, 0)], [[0, 0, 255, 255], [255, 255, 255, 255]]);
  assert.deepEqual([sink.pixel(1, 0, 0), sink.pixel(1, 1, 0)], [[10, 20, 30, 255], [40, 50, 60, 255]]);
  assert.deepEqual([sink.pixel(2, 0, 0), sink.pixel(2, 1, 0)], [[0, 0, 0, 255], [0, 0, 0, 255]]);
  assert.deepEqual([sink.pixel(3, 0, 0), sink.pixel(3, 1, 0)], [[255, 0, 0, 255], [0, 255, 0, 255]]);
});

test("a file without a global table works when every frame has a local one", () => {
  const bytes = encodeGif({ width: 2, height: 1, frames: [{ width: 2, height: 1, indices: [1, 0], localPalette: [1, 2, 3, 4, 5, 6] }] });
  assert.deepEqual(decode(bytes).pixel(0, 0, 0), [4, 5, 6, 255]);
  expectError(encodeGif({ width: 2, height: 1, frames: [{ width: 2, height: 1, indices: [1, 0] }] }), "corrupt", /no colour table/);
});

test("any slicing of the input gives the same result, down to one byte at a time", () => {
  const palette = paletteOf(16);
  const frames: FrameSpec[] = [
    { width: 20, height: 12, indices: noise(240, 16, 1), delayCs: 5 },
    { width: 7, height: 9, left: 3, top: 2, indices: noise(63, 16, 2), interlace: true, transparentIndex: 4, dispose: 3, subBlockSize: 3 },
    { width: 20, height: 12, indices: noise(240, 4, 3), localPalette: paletteOf(4).reverse(), dispose: 2 },
  ];
  const bytes = encodeGif({ width: 20, height: 12, globalPalette: palette, loop: 0, comment: "made by the test", frames });
  const whole = decode(bytes);
  assert.equal(whole.frames.length, 3);
  for (const size of [1, 2, 3, 7, 13, 255]) {
    const sliced = decode(bytes, size);
    assert.deepEqual(sliced.image, whole.image, `chunks of ${size}`);
    assert.deepEqual(sliced.frames, whole.frames, `chunks of ${size}`);
    assert.ok(sliced.ended);
  }
});

test("hundreds of frames; more than maxFrames is too_many_frames", () => {
  const frames: FrameSpec[] = [];
  for (let i = 0; i < 300; i++) frames.push({ width: 4, height: 4, indices: noise(16, 4, i), delayCs: 2 });
  const bytes = encodeGif({ width: 4, height: 4, globalPalette: RGB, loop: 0, frames });
  assert.equal(decode(bytes).frames.length, 300);
  expectError(bytes, "too_many_frames", /more than 299/, { ...DEFAULT_LIMITS, maxFrames: 299 });
  assert.equal(decode(bytes, bytes.length, { ...DEFAULT_LIMITS, maxFrames: 300 }).frames.length, 300);
});

test("a canvas larger than the limits is too_large before any frame", () => {
  const header = encodeGif({ width: 257, height: 16, globalPalette: RGB, frames: [] }).subarray(0, 13);
  const sink = new RecordingSink();
  const decoder = new GifDecoder(sink);
  assert.throws(() => decoder.push(header), (error: unknown) => error instanceof ImageDecodeError && error.code === "too_large");
  assert.equal(sink.image, undefined);
  expectError(encodeGif({ width: 16, height: 300, globalPalette: RGB, frames: [] }), "too_large", /16x300/);
  expectError(oneFrame({ width: 4, height: 4, indices: noise(16, 4) }), "too_large", undefined, { maxWidth: 3, maxHeight: 256, maxFrames: 10 });
  expectError(encodeGif({ width: 0, height: 4, globalPalette: RGB, frames: [] }), "corrupt", /empty canvas/);
});

test("frames reaching past the canvas are clipped; a frame wholly outside is an empty region", () => {
  const indices = noise(6 * 5, 4, 9);
  const frames: FrameSpec[] = [
    { width: 6, height: 5, left: 2, top: 1, indices },
    { width: 6, height: 5, left: 2, top: 1, indices, interlace: true },
    { width: 3, height: 3, left: 10, top: 0, indices: noise(9, 4) },
    { width: 2, height: 2, left: 0, top: 0, indices: [3, 3, 3, 3] },
  ];
  const sink = decode(encodeGif({ width: 5, height: 4, globalPalette: RGB, frames }));
  const visible: number[] = [];
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) visible.push(indices[y * 6 + x]!);
  for (const i of [0, 1]) {
    const frame = sink.frames[i]!;
    assert.deepEqual([frame.header.left, frame.header.top, frame.header.width, frame.header.height], [2, 1, 3, 3]);
    assert.deepEqual(frame.rgba, expectedRgba(visible, RGB), `frame ${i}`);
    assert.equal(frame.missing, 0);
  }
  assert.deepEqual(sink.frames[1]!.rows, [0, 2, 1]); // interlace order of rows 0..4, clipped to 0..2
  assert.deepEqual([sink.frames[2]!.header.width, sink.frames[2]!.header.height, sink.frames[2]!.rows.length], [0, 0, 0]);
  assert.deepEqual(sink.pixel(3, 1, 1), [255, 255, 255, 255], "the frame after the clipped ones decodes");
  const wide = encodeGif({ width: 5, height: 4, globalPalette: RGB, frames: [{ width: 300, height: 1, indices: noise(300, 4) }] });
  expectError(wide, "too_large", /300x1/);
});

test("data ending before the last pixel leaves the rest transparent; data past it is ignored", () => {
  const indices = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3];
  const short = lzwEncode(indices.slice(0, 5), 2, "literal");
  const sink = decode(oneFrame({ width: 4, height: 3, indices, data: short, minCodeSize: 2 }));
  const expected = expectedRgba(indices, RGB);
  expected.fill(0, 5 * 4);
  assert.deepEqual(sink.frames[0]!.rgba, expected);
  assert.equal(sink.frames[0]!.missing, 0);

  const cutMidStream = lzwEncode(indices, 2, "literal").subarray(0, 3); // no end code, stops inside row 1
  const cut = decode(oneFrame({ width: 4, height: 3, indices, data: cutMidStream, minCodeSize: 2, interlace: true }));
  assert.equal(cut.frames[0]!.missing, 0);
  assert.deepEqual(cut.frames[0]!.rows, [0, 2, 1]);

  const long = lzwEncode([...indices, ...noise(500, 4)], 2, "compress");
  const extra = decode(oneFrame({ width: 4, height: 3, indices, data: long, minCodeSize: 2 }));
  assert.deepEqual(extra.frames[0]!.rgba, expectedRgba(indices, RGB));
});

test("LZW codes beyond the table and impossible code sizes are corrupt", () => {
  // Hand-packed 3-bit codes (min code size 2: clear 4, end 5, first free 6).
  const pack = (codes: number[], bits = 3) => {
    const out: number[] = [];
    let buffer = 0;
    let count = 0;
    for (const code of codes) {
      buffer |= code << count;
      count += bits;
      while (count >= 8) {
        out.push(buffer & 255);
        buffer >>>= 8;
        count -= 8;
      }
    }
    if (count) out.push(buffer);
    return new Uint8Array(out);
  };
  const frame = (data: Uint8Array, minCodeSize = 2) => oneFrame({ width: 4, height: 1, indices: [0, 0, 0, 0], data, minCodeSize });
  assert.deepEqual(decode(frame(pack([4, 1, 6, 1, 5]))).frames[0]!.rgba, expectedRgba([1, 1, 1, 1], RGB), "KwKwK code (= next free) is fine");
  expectError(frame(pack([4, 1, 7, 5])), "corrupt", /beyond the table/);
  expectError(frame(pack([4, 6, 5])), "corrupt", /beyond the table/);
  expectError(frame(new Uint8Array([0]), 0), "corrupt", /minimum code size 0/);
  expectError(frame(new Uint8Array([0]), 12), "corrupt", /minimum code size 12/);
});

test("bad signatures, versions and structure are typed errors", () => {
  const good = oneFrame({ width: 2, height: 2, indices: [0, 1, 2, 3] });
  expectError(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0, 13, 0x49, 0x48]), "bad_signature");
  const version = good.slice();
  version[4] = 0x38; // "GIF88a"
  expectError(version, "unsupported");
  const version87 = good.slice();
  version87[4] = 0x37;
  assert.equal(decode(version87).frames.length, 1, "87a is accepted");
  expectError(encodeGif({ width: 2, height: 2, globalPalette: RGB, frames: [] }), "corrupt", /no frames/);
  const junkBeforeFrame = encodeGif({ width: 2, height: 2, globalPalette: RGB, frames: [] });
  junkBeforeFrame[junkBeforeFrame.length - 1] = 0x99;
  expectError(junkBeforeFrame, "corrupt", /unexpected block 0x99/);
});

test("after a frame, a missing trailer or stray bytes end the file as in browsers; bytes after the trailer are ignored", () => {
  const frames: FrameSpec[] = [{ width: 2, height: 1, indices: [0, 1] }];
  const noTrailer = encodeGif({ width: 2, height: 1, globalPalette: RGB, frames, trailer: false });
  assert.equal(decode(noTrailer).frames.length, 1);
  assert.ok(decode(noTrailer).ended);
  const stray = new Uint8Array([...noTrailer, 0x00, 0x2c, 0xff]);
  assert.equal(decode(stray).frames.length, 1);
  const afterTrailer = new Uint8Array([...encodeGif({ width: 2, height: 1, globalPalette: RGB, frames }), 0x2c, 1, 2, 3]);
  assert.equal(decode(afterTrailer).frames.length, 1);
});

test("every truncation of a file is either a clean end between frames or 'truncated'", () => {
  const frames: FrameSpec[] = [
    { width: 3, height: 2, indices: [0, 1, 2, 3, 2, 1], delayCs: 4 },
    { width: 3, height: 2, indices: [3, 2, 1, 0, 1, 2], localPalette: RGB, dispose: 2 },
  ];
  const bytes = encodeGif({ width: 3, height: 2, globalPalette: RGB, loop: 0, frames });
  let clean = 0;
  let truncated = 0;
  for (let length = 0; length < bytes.length; length++) {
    const prefix = bytes.subarray(0, length);
    try {
      const sink = decode(prefix);
      assert.ok(sink.frames.length >= 1 && sink.ended, `length ${length}`);
      clean++;
    } catch (error) {
      assert.ok(error instanceof ImageDecodeError, `length ${length}: ${String(error)}`);
      assert.equal(error.code, "truncated", `length ${length}: ${error.message}`);
      truncated++;
    }
  }
  assert.equal(clean, 3, "cut after frame 1, after frame 2's control extension, and before the trailer");
  assert.ok(truncated > 50);
});

test("an error is final: later pushes and finish throw it again", () => {
  const decoder = new GifDecoder(new RecordingSink());
  assert.throws(() => decoder.push(new Uint8Array([0x50])), /bad_signature/);
  assert.throws(() => decoder.push(new Uint8Array([0x47])), /bad_signature/);
  assert.throws(() => decoder.finish(), /bad_signature/);
});
