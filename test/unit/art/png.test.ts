// The PNG/APNG decoder on files made by the test encoder: every colour type and bit depth, Adam7, all
// five filters, tRNS, split IDATs, APNG frames, any input slicing, and each kind of broken file ->
// ImageDecodeError with the right code (and nothing passed on as a complete frame).

import { test } from "node:test";
import assert from "node:assert/strict";
import { Blend, Dispose, ImageDecodeError, type DecodeLimits } from "../../../src/art/image.js";
import { PngDecoder } from "../../../src/art/png.js";
import { BitWriter, expandTokens, fixedBlock, zlibStored, zlibWrap } from "../../support/deflate-encode.js";
import { concatBytes } from "../../support/bytes.js";
import { FrameRecorder } from "../../support/frame-recorder.js";
import {
  actl,
  chunk,
  encodePng,
  fctl,
  fdat,
  idatChunks,
  ihdr,
  pngFile,
  randomImage,
  referenceRgba,
  scanlines,
  seededRandom,
  u16,
  u32,
  type RawImage,
} from "../../support/png-encode.js";

function run(sink: FrameRecorder, file: Uint8Array, step: number, limits?: DecodeLimits): void {
  const decoder = new PngDecoder(sink, limits ? { limits } : {});
  for (let at = 0; at < file.length; at += step) decoder.push(file.subarray(at, at + step));
  decoder.finish();
}

function decode(file: Uint8Array, step = file.length, limits?: DecodeLimits): FrameRecorder {
  const sink = new FrameRecorder();
  run(sink, file, step || 1, limits);
  return sink;
}

function decodeError(file: Uint8Array, step = file.length, limits?: DecodeLimits): { error: ImageDecodeError; sink: FrameRecorder } {
  const sink = new FrameRecorder();
  try {
    run(sink, file, step || 1, limits);
  } catch (error) {
    assert.ok(error instanceof ImageDecodeError, `expected an ImageDecodeError, got ${String(error)}`);
    return { error, sink };
  }
  assert.fail("the file was accepted");
}

const FORMATS: [number, number[]][] = [
  [0, [1, 2, 4, 8, 16]],
  [2, [8, 16]],
  [3, [1, 2, 4, 8]],
  [4, [8, 16]],
  [6, [8, 16]],
];

function randomPalette(entries: number, random: () => number): number[] {
  return Array.from({ length: entries * 3 }, () => Math.floor(random() * 256));
}

test("every colour type and bit depth, plain and Adam7, all five filters: RGBA equals the reference", () => {
  const random = seededRandom(7);
  for (const [colourType, depths] of FORMATS) {
    for (const bitDepth of depths) {
      for (const interlaced of [false, true]) {
        for (const [width, height] of [[13, 11], [1, 1], [3, 2], [9, 17]] as const) {
          const image = randomImage(width, height, colourType, bitDepth, random);
          const palette = colourType === 3 ? randomPalette(1 << bitDepth, random) : undefined;
          const file = encodePng(image, { interlaced, ...(palette ? { palette } : {}) });
          const sink = decode(file);
          const name = `type ${colourType} depth ${bitDepth} ${interlaced ? "Adam7" : "plain"} ${width}×${height}`;
          assert.deepEqual(sink.image, { width, height, frameCount: 1, loopCount: 1 }, name);
          assert.equal(sink.frames.length, 1, name);
          assert.deepEqual(sink.frames[0]!.header, { left: 0, top: 0, width, height, delayMs: 0, dispose: Dispose.none, blend: Blend.source }, name);
          assert.deepEqual(sink.frames[0]!.rgba, referenceRgba(image, palette), name);
          assert.deepEqual(sink.events, ["header", "frameStart", "frameEnd", "end"], name);
        }
      }
    }
  }
});

test("Adam7 delivers sparse rows: pass 1 is every 8th pixel of every 8th row", () => {
  const image = randomImage(16, 16, 6, 8, seededRandom(3));
  const sink = decode(encodePng(image, { interlaced: true }));
  const rows = sink.frames[0]!.rows;
  assert.deepEqual(rows.slice(0, 2), [
    [0, 0, 8, 2],
    [8, 0, 8, 2],
  ]);
  assert.deepEqual(rows[rows.length - 1], [15, 0, 1, 16]); // pass 7: odd rows, all columns
  assert.equal(rows.length, 2 + 2 + 2 + 4 + 4 + 8 + 8);
});

test("one byte at a time and IDAT split into 1-byte chunks give the same pixels", () => {
  const random = seededRandom(11);
  for (const [colourType, bitDepth, interlaced] of [[6, 16, true], [3, 2, false], [0, 4, true], [2, 8, false]] as const) {
    const image = randomImage(10, 9, colourType, bitDepth, random);
    const palette = colourType === 3 ? randomPalette(4, random) : undefined;
    const expected = referenceRgba(image, palette);
    const file = encodePng(image, { interlaced, idatSize: 1, ...(palette ? { palette } : {}) });
    assert.deepEqual(decode(file, 1).frames[0]!.rgba, expected);
    assert.deepEqual(decode(file, 7).frames[0]!.rgba, expected);
  }
});

test("image data compressed with Huffman codes (not only stored blocks) decodes", () => {
  const image = randomImage(8, 4, 6, 8, seededRandom(5));
  const compress = (raw: Uint8Array): Uint8Array => {
    const out = new BitWriter();
    fixedBlock(out, Array.from(raw.subarray(0, 20)), false);
    fixedBlock(out, [...Array.from(raw.subarray(20)), [40, 33]], true);
    return zlibWrap(out.result(), Uint8Array.from(expandTokens([[40, 33]], Array.from(raw))));
  };
  // 40 extra decompressed bytes past the last row are ignored, as libpng does.
  assert.deepEqual(decode(encodePng(image, { compress })).frames[0]!.rgba, referenceRgba(image));
});

test("tRNS: palette alpha table shorter than PLTE, grey and RGB colour keys at every depth", () => {
  const random = seededRandom(9);
  const palette = randomPalette(16, random);
  const image = randomImage(12, 5, 3, 4, random, 16);
  const alpha = [0, 128, 255, 7];
  assert.deepEqual(decode(encodePng(image, { palette, transparency: alpha })).frames[0]!.rgba, referenceRgba(image, palette, alpha));
  for (const bitDepth of [1, 2, 4, 8, 16]) {
    const grey = randomImage(9, 9, 0, bitDepth, random);
    const key = grey.samples[4]!;
    const rgba = decode(encodePng(grey, { transparency: u16(key) })).frames[0]!.rgba;
    assert.deepEqual(rgba, referenceRgba(grey, [], u16(key)), `grey ${bitDepth}`);
    assert.equal(rgba[4 * 4 + 3], 0, `grey ${bitDepth}: the keyed pixel is transparent`);
  }
  for (const bitDepth of [8, 16]) {
    const rgb = randomImage(5, 5, 2, bitDepth, random);
    const key = [...u16(rgb.samples[9]!), ...u16(rgb.samples[10]!), ...u16(rgb.samples[11]!)];
    const rgba = decode(encodePng(rgb, { transparency: key })).frames[0]!.rgba;
    assert.deepEqual(rgba, referenceRgba(rgb, [], key), `rgb ${bitDepth}`);
    assert.equal(rgba[3 * 4 + 3], 0);
  }
  // A 16-bit key that matches only the high byte leaves the pixel opaque.
  const wide: RawImage = { width: 2, height: 1, colourType: 0, bitDepth: 16, samples: [0x1234, 0x1299] };
  assert.deepEqual(Array.from(decode(encodePng(wide, { transparency: u16(0x1234) })).frames[0]!.rgba), [0x12, 0x12, 0x12, 0, 0x12, 0x12, 0x12, 255]);
});

test("palette indices beyond PLTE are opaque black; a malformed or misplaced tRNS is ignored", () => {
  const image: RawImage = { width: 3, height: 1, colourType: 3, bitDepth: 8, samples: [0, 1, 200] };
  const palette = [10, 20, 30, 40, 50, 60];
  assert.deepEqual(Array.from(decode(encodePng(image, { palette })).frames[0]!.rgba), [10, 20, 30, 255, 40, 50, 60, 255, 0, 0, 0, 255]);
  const tooLong = decode(encodePng(image, { palette, transparency: [1, 2, 3] })).frames[0]!.rgba;
  assert.equal(tooLong[3], 255);
  const grey: RawImage = { width: 1, height: 1, colourType: 0, bitDepth: 8, samples: [5] };
  assert.equal(decode(encodePng(grey, { transparency: [0, 5, 0] })).frames[0]!.rgba[3], 255);
  const rgba: RawImage = { width: 1, height: 1, colourType: 6, bitDepth: 8, samples: [1, 2, 3, 4] };
  assert.deepEqual(Array.from(decode(encodePng(rgba, { transparency: [0, 1] })).frames[0]!.rgba), [1, 2, 3, 4]);
});

test("unknown ancillary chunks are skipped (even with a bad CRC); an unknown critical chunk is unsupported", () => {
  const image = randomImage(4, 4, 2, 8, seededRandom(1));
  const text = chunk("tEXt", Array.from("Comment\0hello", (c) => c.charCodeAt(0)));
  const broken = text.slice();
  broken[broken.length - 1] ^= 0xff;
  const sink = decode(encodePng(image, { extraChunks: [text, broken, chunk("gAMA", u32(45455)), chunk("prVt", [1, 2, 3])] }));
  assert.deepEqual(sink.frames[0]!.rgba, referenceRgba(image));
  const { error, sink: partial } = decodeError(encodePng(image, { extraChunks: [chunk("CRIT", [1])] }));
  assert.equal(error.code, "unsupported");
  assert.match(error.message, /CRIT/);
  assert.equal(partial.image, undefined);
});

test("a canvas beyond the limits is too_large before anything is decoded", () => {
  const { error, sink } = decodeError(pngFile([ihdr(257, 1, 8, 6), ...idatChunks(zlibStored(new Uint8Array(0))), chunk("IEND")]));
  assert.equal(error.code, "too_large");
  assert.equal(sink.image, undefined);
  const huge = decodeError(pngFile([ihdr(0x7fffffff, 0x7fffffff, 16, 6)]));
  assert.equal(huge.error.code, "too_large");
  const limits = { maxWidth: 8, maxHeight: 4, maxFrames: 2 };
  assert.equal(decodeError(encodePng(randomImage(8, 5, 0, 8, seededRandom(1))), undefined, limits).error.code, "too_large");
  assert.equal(decode(encodePng(randomImage(8, 4, 0, 8, seededRandom(1))), undefined, limits).frames.length, 1);
});

test("broken files: every error is an ImageDecodeError with the right code", () => {
  const image = randomImage(6, 5, 6, 8, seededRandom(2));
  const good = encodePng(image);
  const data = zlibStored(scanlines(image));
  const cases: [string, Uint8Array, string, RegExp][] = [
    ["not a PNG", Uint8Array.from([0x47, 0x49, 0x46, 0x38]), "bad_signature", /not a PNG/],
    ["first chunk not IHDR", pngFile([chunk("IEND")]), "corrupt", /not IHDR/],
    ["IHDR CRC", (() => { const f = good.slice(); f[29] ^= 1; return f; })(), "corrupt", /IHDR: CRC/],
    ["IDAT CRC", (() => { const f = good.slice(); f[f.length - 13] ^= 1; return f; })(), "corrupt", /IDAT: CRC/],
    ["bit depth 3", pngFile([ihdr(1, 1, 3, 0)]), "corrupt", /bit depth 3/],
    ["colour type 1", pngFile([ihdr(1, 1, 8, 1)]), "corrupt", /colour type 1/],
    ["16-bit palette", pngFile([ihdr(1, 1, 16, 3)]), "corrupt", /bit depth 16/],
    ["interlace 2", pngFile([chunk("IHDR", [...u32(1), ...u32(1), 8, 0, 0, 0, 2])]), "corrupt", /interlace/],
    ["zero width", pngFile([ihdr(0, 1, 8, 0)]), "corrupt", /size/],
    ["IHDR length", pngFile([chunk("IHDR", [...u32(1), ...u32(1), 8, 0, 0, 0])]), "corrupt", /length 12/],
    ["PLTE in a grey image", pngFile([ihdr(1, 1, 8, 0), chunk("PLTE", [1, 2, 3])]), "corrupt", /greyscale/],
    ["PLTE length", pngFile([ihdr(1, 1, 8, 3), chunk("PLTE", [1, 2])]), "corrupt", /PLTE: length 2/],
    ["palette image without PLTE", pngFile([ihdr(1, 1, 8, 3), ...idatChunks(zlibStored(Uint8Array.from([0, 0])))]), "corrupt", /without PLTE/],
    ["IDAT not consecutive", pngFile([ihdr(6, 5, 8, 6), ...idatChunks(data, 20).flatMap((c, i) => (i === 1 ? [chunk("tEXt", [65, 0]), c] : [c]))]), "corrupt", /(not consecutive|ends early)/],
    ["short image data", pngFile([ihdr(6, 5, 8, 6), ...idatChunks(zlibStored(scanlines(image).subarray(0, 40))), chunk("IEND")]), "corrupt", /before the last row/],
    ["zlib stream cut", pngFile([ihdr(6, 5, 8, 6), ...idatChunks(data.subarray(0, data.length - 2)), chunk("IEND")]), "corrupt", /ends early/],
    ["bad zlib data", pngFile([ihdr(6, 5, 8, 6), chunk("IDAT", [0x78, 0x01, 0xff]), chunk("IEND")]), "corrupt", /IDAT: corrupt: deflate block type 3/],
    ["filter type 5", pngFile([ihdr(1, 1, 8, 0), ...idatChunks(zlibStored(Uint8Array.from([5, 0]))), chunk("IEND")]), "corrupt", /filter type 5/],
    ["no IDAT", pngFile([ihdr(1, 1, 8, 0), chunk("IEND")]), "corrupt", /no IDAT/],
    ["IEND with data", pngFile([ihdr(1, 1, 8, 0), ...idatChunks(zlibStored(Uint8Array.from([0, 0]))), chunk("IEND", [0])]), "corrupt", /IEND: length 1/],
    ["chunk type not letters", pngFile([ihdr(1, 1, 8, 0), chunk("I1AT", [])]), "corrupt", /four letters/],
    ["no IEND", good.subarray(0, good.length - 12), "truncated", /before IEND/],
  ];
  for (const [name, file, code, pattern] of cases) {
    for (const step of [file.length, 1]) {
      const { error, sink } = decodeError(file, step);
      assert.equal(error.code, code, `${name}: ${error.message}`);
      assert.match(error.message, pattern, name);
      // Only a broken IEND comes after the frame's data (and its checks) ended.
      if (name !== "IEND with data") assert.equal(sink.frames.length, 0, `${name}: no frame may be complete`);
      assert.equal(sink.ended, false);
    }
  }
});

test("every prefix of a valid file is accepted by push and reported truncated by finish", () => {
  const random = seededRandom(4);
  for (const file of [encodePng(randomImage(5, 4, 3, 2, random), { palette: randomPalette(4, random), idatSize: 9 }), apng().file]) {
    for (let cut = 0; cut < file.length; cut++) {
      const { error } = decodeError(file.subarray(0, cut), 1);
      assert.equal(error.code, "truncated", `cut at ${cut}: ${error.message}`);
    }
  }
});

test("bytes after IEND are ignored; a failed decoder keeps throwing the same error", () => {
  const image = randomImage(3, 3, 0, 8, seededRandom(8));
  const sink = decode(concatBytes([encodePng(image), [1, 2, 3, 4, 5, 6, 7, 8, 9]]));
  assert.equal(sink.ended, true);
  const decoder = new PngDecoder(new FrameRecorder());
  let first: unknown;
  try {
    decoder.push(Uint8Array.from([1, 2, 3]));
  } catch (error) {
    first = error;
  }
  assert.ok(first instanceof ImageDecodeError);
  assert.throws(() => decoder.push(Uint8Array.from([4])), (error: unknown) => error === first);
  assert.throws(() => decoder.finish(), (error: unknown) => error === first);
});

// An APNG: 8×6 canvas, default image = frame 0, then two sub-frames (the second split over two fdATs).
function apng(options: { defaultInAnimation?: boolean; interlaced?: boolean; firstDispose?: number } = {}) {
  const random = seededRandom(21);
  const inAnimation = options.defaultInAnimation ?? true;
  const interlaced = options.interlaced ?? false;
  const full = randomImage(8, 6, 6, 8, random);
  const small = randomImage(3, 2, 6, 8, random);
  const tall = randomImage(2, 5, 6, 8, random);
  const z = (image: RawImage): Uint8Array => zlibStored(scanlines(image, interlaced));
  const tallData = z(tall);
  const sequence = { n: 0 };
  const seq = (): number => sequence.n++;
  const frames = inAnimation ? 3 : 2;
  const chunks = [ihdr(8, 6, 8, 6, interlaced), actl(frames, 3)];
  if (inAnimation) chunks.push(fctl({ sequence: seq(), width: 8, height: 6, delayNum: 0, delayDen: 0, dispose: options.firstDispose ?? 2, blend: 1 }));
  chunks.push(...idatChunks(z(full), 50));
  chunks.push(fctl({ sequence: seq(), width: 3, height: 2, left: 5, top: 4, delayNum: 1, delayDen: 0, dispose: 1, blend: 0 }));
  chunks.push(fdat(seq(), z(small)));
  chunks.push(chunk("tEXt", [65, 0, 66]));
  chunks.push(fctl({ sequence: seq(), width: 2, height: 5, left: 0, top: 1, delayNum: 33, delayDen: 1000, dispose: 2, blend: 1 }));
  chunks.push(fdat(seq(), tallData.subarray(0, 7)), fdat(seq(), tallData.subarray(7)));
  chunks.push(chunk("IEND"));
  return { file: pngFile(chunks), full, small, tall };
}

test("APNG with the default image as frame 0: frame regions, delays, dispose and blend ops, pixels", () => {
  for (const interlaced of [false, true]) {
    const { file, full, small, tall } = apng({ interlaced });
    for (const step of [file.length, 1, 5]) {
      const sink = decode(file, step);
      assert.deepEqual(sink.image, { width: 8, height: 6, frameCount: 3, loopCount: 3 });
      assert.deepEqual(
        sink.frames.map((f) => f.header),
        [
          // 0/0 s -> 0 ms -> 100 ms; PREVIOUS on the first frame -> BACKGROUND
          { left: 0, top: 0, width: 8, height: 6, delayMs: 100, dispose: Dispose.background, blend: Blend.over },
          { left: 5, top: 4, width: 3, height: 2, delayMs: 100, dispose: Dispose.background, blend: Blend.source }, // 1/100 s
          { left: 0, top: 1, width: 2, height: 5, delayMs: 33, dispose: Dispose.previous, blend: Blend.over },
        ],
      );
      assert.deepEqual(sink.frames[0]!.rgba, referenceRgba(full));
      assert.deepEqual(sink.frames[1]!.rgba, referenceRgba(small));
      assert.deepEqual(sink.frames[2]!.rgba, referenceRgba(tall));
      assert.equal(sink.ended, true);
    }
  }
  assert.equal(decode(apng({ firstDispose: 0 }).file).frames[0]!.header.dispose, Dispose.none);
});

test("APNG whose default image is not part of the animation: the IDAT image is skipped", () => {
  const { file, small, tall } = apng({ defaultInAnimation: false });
  const sink = decode(file, 3);
  assert.deepEqual(sink.image, { width: 8, height: 6, frameCount: 2, loopCount: 3 });
  assert.equal(sink.frames.length, 2);
  assert.deepEqual(sink.frames[0]!.rgba, referenceRgba(small));
  assert.deepEqual(sink.frames[1]!.rgba, referenceRgba(tall));
});

test("acTL after IDAT: the file is a still image and its fcTL/fdAT chunks are ignored", () => {
  const image = randomImage(4, 4, 0, 8, seededRandom(6));
  const file = pngFile([ihdr(4, 4, 8, 0), ...idatChunks(zlibStored(scanlines(image))), actl(1, 0), fctl({ sequence: 0, width: 4, height: 4 }), fdat(1, zlibStored(scanlines(image))), chunk("IEND")]);
  const sink = decode(file);
  assert.deepEqual(sink.image, { width: 4, height: 4, frameCount: 1, loopCount: 1 });
  assert.equal(sink.frames.length, 1);
});

test("broken APNGs: sequence numbers, regions, frame counts, ops, limits", () => {
  const image = randomImage(4, 4, 6, 8, seededRandom(10));
  const data = zlibStored(scanlines(image));
  const sub = zlibStored(scanlines(randomImage(2, 2, 6, 8, seededRandom(11))));
  const head = [ihdr(4, 4, 8, 6)];
  const cases: [string, Uint8Array[], string, RegExp][] = [
    ["too many frames", [...head, actl(2000, 0)], "too_many_frames", /2000 frames/],
    ["zero frames", [...head, actl(0, 0)], "corrupt", /0 frames/],
    ["fcTL sequence", [...head, actl(1, 0), fctl({ sequence: 1, width: 4, height: 4 })], "corrupt", /sequence number 1, expected 0/],
    ["fdAT sequence", [...head, actl(2, 0), fctl({ sequence: 0, width: 4, height: 4 }), ...idatChunks(data), fctl({ sequence: 1, width: 2, height: 2 }), fdat(5, sub)], "corrupt", /fdAT sequence number 5/],
    ["region outside canvas", [...head, actl(2, 0), ...idatChunks(data), fctl({ sequence: 0, width: 2, height: 2, left: 3 })], "corrupt", /outside/],
    ["default-image fcTL not full", [...head, actl(1, 0), fctl({ sequence: 0, width: 2, height: 4 })], "corrupt", /cover the canvas/],
    ["dispose op 3", [...head, actl(1, 0), fctl({ sequence: 0, width: 4, height: 4, dispose: 3 })], "corrupt", /dispose op 3/],
    ["blend op 2", [...head, actl(1, 0), fctl({ sequence: 0, width: 4, height: 4, blend: 2 })], "corrupt", /blend op 2/],
    ["more fcTLs than acTL says", [...head, actl(1, 0), fctl({ sequence: 0, width: 4, height: 4 }), ...idatChunks(data), fctl({ sequence: 1, width: 2, height: 2 })], "corrupt", /more fcTL/],
    ["fewer frames than acTL says", [...head, actl(2, 0), fctl({ sequence: 0, width: 4, height: 4 }), ...idatChunks(data), chunk("IEND")], "corrupt", /declares 2 frames, the file has 1/],
    ["fdAT without fcTL", [...head, actl(2, 0), fctl({ sequence: 0, width: 4, height: 4 }), ...idatChunks(data), fdat(1, sub)], "corrupt", /without an fcTL/],
    ["fcTL without data", [...head, actl(2, 0), fctl({ sequence: 0, width: 4, height: 4 }), ...idatChunks(data), fctl({ sequence: 1, width: 2, height: 2 }), chunk("IEND")], "corrupt", /without frame data/],
    ["fdAT before IDAT", [...head, actl(1, 0), fctl({ sequence: 0, width: 4, height: 4 }), fdat(1, data)], "corrupt", /before IDAT/],
    ["fdAT too short", [...head, actl(2, 0), ...idatChunks(data), fctl({ sequence: 0, width: 2, height: 2 }), chunk("fdAT", [0, 0])], "corrupt", /sequence number/],
  ];
  for (const [name, chunks, code, pattern] of cases) {
    const { error } = decodeError(pngFile(chunks));
    assert.equal(error.code, code, `${name}: ${error.message}`);
    assert.match(error.message, pattern, name);
  }
  const limits = { maxWidth: 256, maxHeight: 256, maxFrames: 2 };
  assert.equal(decodeError(apng().file, undefined, limits).error.code, "too_many_frames");
});
