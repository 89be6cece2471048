// BMP decoder: every depth and header the vault or a user's file may have, both row orders, any
// slicing of the input, and typed errors for everything malformed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BmpDecoder } from "../../../src/art/bmp.js";
import { ImageDecodeError } from "../../../src/art/image.js";
import { encodeBmp, type BmpSpec } from "../../support/bmp-encode.js";
import { FrameRecorder } from "../../support/frame-recorder.js";

function decode(bytes: Uint8Array, slice = bytes.length): FrameRecorder {
  const sink = new FrameRecorder();
  const decoder = new BmpDecoder(sink);
  for (let at = 0; at < bytes.length; at += slice) decoder.push(bytes.subarray(at, at + slice));
  decoder.finish();
  return sink;
}

function rgbaOf(sink: FrameRecorder): number[] {
  return Array.from(sink.frames[0]!.rgba);
}

const PALETTE = [0x000000, 0xff0000, 0x00ff00, 0x0000ff, 0xffffff, 0x808080, 0x102030, 0xfedcba];

function expectedFromPalette(indices: number[], palette: number[]): number[] {
  return indices.flatMap((i) => [(palette[i]! >> 16) & 255, (palette[i]! >> 8) & 255, palette[i]! & 255, 255]);
}

for (const bpp of [1, 4, 8] as const) {
  test(`${bpp}-bit palette, bottom-up, odd width (row padding), at every slicing`, () => {
    const colours = 1 << Math.min(bpp, 3);
    const width = 7;
    const height = 5;
    const pixels = Array.from({ length: width * height }, (_, i) => (i * 3 + (i >> 2)) % colours);
    const palette = PALETTE.slice(0, colours);
    const bytes = encodeBmp({ width, height, bitsPerPixel: bpp, pixels, palette });
    const whole = decode(bytes);
    assert.deepEqual(whole.image, { width, height, frameCount: 1, loopCount: 1 });
    assert.deepEqual(rgbaOf(whole), expectedFromPalette(pixels, palette));
    for (const slice of [1, 2, 3, 7, 13]) assert.deepEqual(rgbaOf(decode(bytes, slice)), rgbaOf(whole), `slice ${slice}`);
    assert.equal(whole.ended, true);
  });
}

test("24-bit top-down and bottom-up give the same picture", () => {
  const width = 5;
  const height = 3;
  const pixels = Array.from({ length: width * height }, (_, i) => (i * 0x123457) & 0xffffff);
  const expected = pixels.flatMap((p) => [(p >> 16) & 255, (p >> 8) & 255, p & 255, 255]);
  assert.deepEqual(rgbaOf(decode(encodeBmp({ width, height, bitsPerPixel: 24, pixels }))), expected);
  assert.deepEqual(rgbaOf(decode(encodeBmp({ width, height, bitsPerPixel: 24, pixels, topDown: true }))), expected);
});

test("32-bit BI_RGB ignores the fourth byte; V5 bit fields with an alpha mask keep alpha", () => {
  const pixels = [0x00ff0000, 0x8000ff00, 0xff0000ff, 0x40ffffff];
  assert.deepEqual(rgbaOf(decode(encodeBmp({ width: 4, height: 1, bitsPerPixel: 32, pixels }))), [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
  const masks = [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000];
  for (const infoSize of [40, 108, 124] as const) {
    const bmp = encodeBmp({ width: 4, height: 1, bitsPerPixel: 32, pixels, masks, infoSize });
    assert.deepEqual(rgbaOf(decode(bmp)), [255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255, 255, 255, 255, 64], `header ${infoSize}`);
  }
});

test("16-bit: 5-5-5 by default, 5-6-5 with bit fields, scaled to full range", () => {
  const white555 = 0x7fff;
  const red555 = 0x7c00;
  assert.deepEqual(rgbaOf(decode(encodeBmp({ width: 2, height: 1, bitsPerPixel: 16, pixels: [white555, red555] }))), [255, 255, 255, 255, 255, 0, 0, 255]);
  const green565 = 0x07e0;
  const half565 = (16 << 11) | (32 << 5) | 16;
  const bmp = encodeBmp({ width: 2, height: 1, bitsPerPixel: 16, pixels: [green565, half565], masks: [0xf800, 0x07e0, 0x001f] });
  assert.deepEqual(rgbaOf(decode(bmp)), [0, 255, 0, 255, 132, 130, 132, 255], "bit replication: 16/31 → 132, 32/63 → 130");
});

test("OS/2 core headers (3-byte palette entries) and a gap before the pixels", () => {
  const pixels = [0, 1, 2, 3];
  const bmp = encodeBmp({ width: 2, height: 2, bitsPerPixel: 8, pixels, palette: PALETTE.slice(0, 4), infoSize: 12, gap: 5 });
  assert.deepEqual(rgbaOf(decode(bmp, 1)), expectedFromPalette(pixels, PALETTE));
});

function rejects(bytes: Uint8Array, code: ImageDecodeError["code"], pattern?: RegExp) {
  assert.throws(
    () => decode(bytes),
    (error: unknown) => {
      assert.ok(error instanceof ImageDecodeError, `not an ImageDecodeError: ${String(error)}`);
      assert.equal(error.code, code);
      if (pattern) assert.match(error.message, pattern);
      return true;
    },
  );
}

test("malformed files give typed errors: signature, size, depth, compression, palette, truncation", () => {
  const good: BmpSpec = { width: 4, height: 4, bitsPerPixel: 8, pixels: new Array(16).fill(1), palette: PALETTE.slice(0, 2) };
  const bmp = encodeBmp(good);
  const notBmp = bmp.slice();
  notBmp[0] = 0x50;
  rejects(notBmp, "bad_signature");
  rejects(encodeBmp({ ...good, width: 300, pixels: new Array(1200).fill(0) }), "too_large");
  const rle = bmp.slice();
  rle[30] = 1;
  rejects(rle, "unsupported", /compression 1/);
  const depth = bmp.slice();
  depth[28] = 7;
  rejects(depth, "corrupt", /7 bits per pixel/);
  rejects(encodeBmp({ ...good, pixels: new Array(16).fill(5) }), "corrupt", /palette index 5/);
  rejects(bmp.subarray(0, bmp.length - 3), "truncated", /3 of 4 rows/);
  rejects(bmp.subarray(0, 20), "truncated");
  const zero = bmp.slice();
  zero[18] = 0;
  rejects(zero, "corrupt");
  const inside = bmp.slice();
  inside[10] = 20;
  rejects(inside, "corrupt", /inside the headers/);
});
