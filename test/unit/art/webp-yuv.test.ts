// VP8's YUV 4:2:0 → RGBA rows (src/art/webp-yuv.ts yuvRowPairToRgba, two rows a call) against a
// reference written pixel by pixel from the formulas at the top of that file: for every frame size
// from 1×1 to 6×6 and a few odd long ones, opaque and with alpha from a byte plane or from an ARGB
// word's green channel; every delivered row of every pair, nothing written past a row, and nothing
// hangs on an empty frame.

import { test } from "node:test";
import assert from "node:assert/strict";
import { xorshiftRandom } from "../../support/bytes.js";
import { yuvRowPairToRgba } from "../../../src/art/webp-yuv.js";

interface Planes {
  y: Uint8ClampedArray;
  u: Uint8ClampedArray;
  v: Uint8ClampedArray;
  yStride: number;
  uvStride: number;
}

/** Random planes, with strides wider than the frame (as the decoder's macroblock-aligned planes are). */
function randomPlanes(width: number, height: number, seed: number): Planes {
  const random = xorshiftRandom(seed);
  const yStride = width + 3;
  const uvStride = ((width + 1) >> 1) + 2;
  const y = new Uint8ClampedArray(yStride * height);
  const u = new Uint8ClampedArray(uvStride * ((height + 1) >> 1));
  const v = new Uint8ClampedArray(u.length);
  const byte = (): number => Math.floor(random() * 256);
  for (let i = 0; i < y.length; i++) y[i] = byte();
  for (let i = 0; i < u.length; i++) {
    u[i] = byte();
    v[i] = byte();
  }
  return { y, u, v, yStride, uvStride };
}

/** The upsampled chroma sample of pixel (x, row): near sample n, its neighbours across the nearer edges, 9:3:3:1. */
function upsampled(plane: Uint8ClampedArray, stride: number, width: number, height: number, x: number, row: number): number {
  const columns = (width + 1) >> 1;
  const rows = (height + 1) >> 1;
  const clampColumn = (j: number): number => Math.min(Math.max(j, 0), columns - 1);
  const clampRow = (k: number): number => Math.min(Math.max(k, 0), rows - 1);
  const j = x >> 1;
  const k = row >> 1;
  const h = clampColumn(x & 1 ? j + 1 : j - 1);
  const o = clampRow(row & 1 ? k + 1 : k - 1);
  const at = (kk: number, jj: number): number => plane[kk * stride + jj]!;
  const n = at(k, j);
  return (((n + 3 * at(k, h) + 3 * at(o, j) + at(o, h) + 8) >> 3) + n) >> 1;
}

function channel(value: number): number {
  return Math.min(Math.max(value >> 6, 0), 255);
}

/** Pixel (x, row) as R, G, B, A bytes, straight from BT.601 in 14-bit fixed point. */
function referencePixel(planes: Planes, width: number, height: number, x: number, row: number, alphaValue: number): number[] {
  const u = upsampled(planes.u, planes.uvStride, width, height, x, row);
  const v = upsampled(planes.v, planes.uvStride, width, height, x, row);
  const luma = (planes.y[row * planes.yStride + x]! * 19077) >> 8;
  return [
    channel(luma + ((v * 26149) >> 8) - 14234),
    channel(luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708),
    channel(luma + ((u * 33050) >> 8) - 17685),
    alphaValue,
  ];
}

type AlphaSource = { kind: "opaque" } | { kind: "bytes"; values: Uint8Array } | { kind: "argb"; values: Int32Array };

function alphaSources(width: number, height: number, seed: number): AlphaSource[] {
  const random = xorshiftRandom(seed);
  const bytes = new Uint8Array(width * height);
  const argb = new Int32Array(width * height);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Math.floor(random() * 256);
    // Alpha in the green channel, bits 8..15; the other bits are noise the kernel must ignore.
    argb[i] = Math.floor(random() * 4294967296) | 0;
  }
  return [{ kind: "opaque" }, { kind: "bytes", values: bytes }, { kind: "argb", values: argb }];
}

function alphaAt(source: AlphaSource, index: number): number {
  if (source.kind === "opaque") return 255;
  if (source.kind === "bytes") return source.values[index]!;
  return (source.values[index]! >> 8) & 0xff;
}

/** The four bytes of RGBA word `x` of a row, in memory order (what the sink copies). */
function wordBytes(words: Uint32Array, x: number): number[] {
  const bytes = new Uint8Array(words.buffer, x * 4, 4);
  return [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
}

function checkFrame(width: number, height: number, seed: number): void {
  const planes = randomPlanes(width, height, seed);
  for (const source of alphaSources(width, height, seed + 1)) {
    // One word more than the row, holding a sentinel: the kernel writes `width` words, no more.
    const top = new Uint32Array(width + 1).fill(0x5a5a5a5a);
    const bottom = new Uint32Array(width + 1).fill(0x5a5a5a5a);
    const alpha = source.kind === "opaque" ? undefined : source.values;
    const shift = source.kind === "argb" ? 8 : 0;
    let delivered = 0;
    for (let row = -1; row < height; row += 2) {
      yuvRowPairToRgba(planes.y, planes.u, planes.v, planes.yStride, planes.uvStride, width, height, row, top, bottom, alpha, row * width, shift);
      for (const [r, words] of [[row, top], [row + 1, bottom]] as const) {
        if (r < 0 || r >= height) continue;
        delivered++;
        for (let x = 0; x < width; x++) {
          const expected = referencePixel(planes, width, height, x, r, alphaAt(source, r * width + x));
          assert.deepEqual(wordBytes(words, x), expected, `${width}×${height} ${source.kind}: pixel (${x}, ${r})`);
        }
      }
    }
    assert.equal(delivered, height, `${width}×${height} ${source.kind}: every row delivered once`);
    assert.deepEqual([top[width], bottom[width]], [0x5a5a5a5a, 0x5a5a5a5a], `${width}×${height} ${source.kind}: nothing written past the row`);
  }
}

test("two rows a call give the per-pixel reference for every size up to 6×6, opaque and with either alpha source", () => {
  for (let height = 1; height <= 6; height++) for (let width = 1; width <= 6; width++) checkFrame(width, height, width * 31 + height);
});

test("two rows a call give the per-pixel reference on long odd frames (17×3, 3×17, 33×9)", () => {
  checkFrame(17, 3, 5);
  checkFrame(3, 17, 6);
  checkFrame(33, 9, 7);
});

test("an empty frame writes nothing and returns", () => {
  const top = new Uint32Array([7]);
  const bottom = new Uint32Array([9]);
  const none = new Uint8ClampedArray(4);
  yuvRowPairToRgba(none, none, none, 2, 1, 0, 2, -1, top, bottom, undefined, 0, 0);
  yuvRowPairToRgba(none, none, none, 2, 1, 2, 0, -1, top, bottom, undefined, 0, 0);
  assert.deepEqual([top[0], bottom[0]], [7, 9]);
});
