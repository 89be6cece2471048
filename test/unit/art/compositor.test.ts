// The compositor: panel frames from decoded frames — scaling, letterbox, centring, rotation, mirror,
// background, alpha, disposal — on exact pixel values. Includes GIFs decoded end to end (these run in
// XS too), one of them made by ImageMagick rather than by the test encoder.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Compositor } from "../../../src/art/compositor.js";
import { GifDecoder } from "../../../src/art/gif.js";
import { Blend, Dispose, type FrameHeader } from "../../../src/art/image.js";
import { panelGeometry, type PanelGeometry } from "../../../src/display/geometry.js";
import { encodeGif, type FrameSpec } from "../../support/gif-encode.js";
import { referencePanel } from "../../support/panel-reference.js";

interface Shown {
  frame: Uint8Array;
  delayMs: number;
  index: number;
}

function compositor(geometry: PanelGeometry, background?: number) {
  const shown: Shown[] = [];
  const sink = new Compositor({ geometry, ...(background === undefined ? {} : { background }), onFrame: (frame, delayMs, index) => shown.push({ frame: frame.slice(), delayMs, index }) });
  return { sink, shown };
}

function pixel(frame: Uint8Array, geometry: PanelGeometry, x: number, y: number): number[] {
  const at = (y * geometry.width + x) * 3;
  return [frame[at]!, frame[at + 1]!, frame[at + 2]!];
}

function decodeTo(bytes: Uint8Array, geometry: PanelGeometry, background?: number, chunkSize = bytes.length) {
  const { sink, shown } = compositor(geometry, background);
  const decoder = new GifDecoder(sink);
  for (let at = 0; at < bytes.length; at += chunkSize) decoder.push(bytes.subarray(at, at + chunkSize));
  decoder.finish();
  return { sink, shown };
}

const frameHeader = (region: Partial<FrameHeader> & { width: number; height: number }): FrameHeader => ({
  left: 0,
  top: 0,
  delayMs: 100,
  dispose: Dispose.none,
  blend: Blend.over,
  ...region,
});

/** Feeds a whole frame of RGBA (region width * height * 4) row by row. */
function drawFrame(sink: Compositor, header: FrameHeader, rgba: number[]): void {
  sink.frameStart(header);
  for (let y = 0; y < header.height; y++) sink.row(y, 0, 1, header.width, new Uint8Array(rgba.slice(y * header.width * 4, (y + 1) * header.width * 4)));
  sink.frameEnd();
}

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];
const WHITE = [255, 255, 255];
const BLACK = [0, 0, 0];
const QUAD = [...RED, ...GREEN, ...BLUE, ...WHITE];

test("a 2x2 picture on a 64x32 panel: scale 16, centred, black letterbox", () => {
  const geometry = panelGeometry("64x32");
  const { shown } = decodeTo(encodeGif({ width: 2, height: 2, globalPalette: QUAD, frames: [{ width: 2, height: 2, indices: [0, 1, 2, 3], delayCs: 25 }] }), geometry);
  assert.equal(shown.length, 1);
  const frame = shown[0]!.frame;
  assert.equal(frame.length, 64 * 32 * 3);
  assert.equal(shown[0]!.delayMs, 250);
  assert.deepEqual(pixel(frame, geometry, 0, 0), BLACK);
  assert.deepEqual(pixel(frame, geometry, 15, 31), BLACK);
  assert.deepEqual(pixel(frame, geometry, 16, 0), RED);
  assert.deepEqual(pixel(frame, geometry, 31, 15), RED);
  assert.deepEqual(pixel(frame, geometry, 32, 15), GREEN);
  assert.deepEqual(pixel(frame, geometry, 47, 0), GREEN);
  assert.deepEqual(pixel(frame, geometry, 16, 16), BLUE);
  assert.deepEqual(pixel(frame, geometry, 47, 31), WHITE);
  assert.deepEqual(pixel(frame, geometry, 48, 0), BLACK);
  assert.deepEqual(pixel(frame, geometry, 63, 31), BLACK);
});

test("background colour fills the letterbox and shows through transparent pixels", () => {
  const geometry = panelGeometry("64x64");
  const bytes = encodeGif({ width: 2, height: 1, globalPalette: QUAD, frames: [{ width: 2, height: 1, indices: [0, 3], transparentIndex: 3 }] });
  const { shown } = decodeTo(bytes, geometry, 0x102030);
  const frame = shown[0]!.frame;
  // 2x1 at scale 32: 64x32, top 16.
  assert.deepEqual(pixel(frame, geometry, 0, 0), [0x10, 0x20, 0x30]);
  assert.deepEqual(pixel(frame, geometry, 0, 16), RED);
  assert.deepEqual(pixel(frame, geometry, 32, 16), [0x10, 0x20, 0x30]);
  assert.deepEqual(pixel(frame, geometry, 63, 47), [0x10, 0x20, 0x30]);
  assert.deepEqual(pixel(frame, geometry, 31, 47), RED);
  assert.deepEqual(pixel(frame, geometry, 31, 48), [0x10, 0x20, 0x30]);
});

test("rotation 90 on a 64x32 panel: the picture stands on the turned panel", () => {
  const geometry = panelGeometry("64x32", 90);
  const { shown } = decodeTo(encodeGif({ width: 2, height: 2, globalPalette: QUAD, frames: [{ width: 2, height: 2, indices: [0, 1, 2, 3] }] }), geometry);
  const frame = shown[0]!.frame;
  // Logical 32x64, picture 32x32 at top 16; logical (lx, ly) -> physical (63 - ly, lx).
  assert.deepEqual(pixel(frame, geometry, 47, 0), RED);
  assert.deepEqual(pixel(frame, geometry, 32, 15), RED);
  assert.deepEqual(pixel(frame, geometry, 47, 16), GREEN);
  assert.deepEqual(pixel(frame, geometry, 31, 0), BLUE);
  assert.deepEqual(pixel(frame, geometry, 16, 31), WHITE);
  assert.deepEqual(pixel(frame, geometry, 15, 0), BLACK);
  assert.deepEqual(pixel(frame, geometry, 48, 0), BLACK);
});

test("every rotation and mirror, on every panel size, equals the plain reference model", () => {
  const palette: number[] = [];
  for (let i = 0; i < 64; i++) palette.push(i * 4, 255 - i * 4, (i * 37) & 255);
  const sizes: [number, number][] = [
    [5, 3],
    [64, 64],
    [100, 30],
    [40, 130],
  ];
  for (const [w, h] of sizes) {
    const indices: number[] = [];
    for (let i = 0; i < w * h; i++) indices.push((i * 7 + Math.floor(i / w)) % 64);
    const bytes = encodeGif({ width: w, height: h, globalPalette: palette, frames: [{ width: w, height: h, indices, transparentIndex: 5 }] });
    const canvas = new Uint8Array(w * h * 4);
    indices.forEach((index, i) => {
      if (index !== 5) canvas.set([palette[index * 3]!, palette[index * 3 + 1]!, palette[index * 3 + 2]!, 255], i * 4);
    });
    for (const size of ["64x32", "64x64", "128x32", "128x64"] as const) {
      for (const rotation of [0, 90, 180, 270] as const) {
        for (const mirror of [false, true]) {
          const geometry = panelGeometry(size, rotation, mirror);
          const { shown } = decodeTo(bytes, geometry, 0x0a0b0c);
          assert.deepEqual(shown[0]!.frame, referencePanel(canvas, w, h, geometry, 0x0a0b0c), `${w}x${h} on ${size} rotation ${rotation} mirror ${mirror}`);
        }
      }
    }
  }
});

test("downscaling keeps only the sampled points: 256x256 onto 64x64 shows source (4d + 2)", () => {
  const geometry = panelGeometry("64x64");
  const { sink, shown } = compositor(geometry);
  sink.header({ width: 256, height: 256, frameCount: 1, loopCount: 1 });
  assert.equal(sink.sampledCanvas.width, 64);
  assert.equal(sink.sampledCanvas.rgba.length, 64 * 64 * 4);
  sink.frameStart(frameHeader({ width: 256, height: 256 }));
  const row = new Uint8Array(256 * 4);
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) row.set([x, y, (x + y) & 255, 255], x * 4);
    sink.row(y, 0, 1, 256, row);
  }
  sink.frameEnd();
  const frame = shown[0]!.frame;
  for (const [dx, dy] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [63, 63],
    [17, 40],
  ] as const) {
    assert.deepEqual(pixel(frame, geometry, dx, dy), [4 * dx + 2, 4 * dy + 2, (4 + 4 * dx + 4 * dy) & 255]);
  }
});

test("alpha: partial alpha over the background, and straight-alpha 'over' on the canvas", () => {
  const geometry: PanelGeometry = { width: 2, height: 1, rotation: 0, mirror: false };
  const { sink, shown } = compositor(geometry, 0x0000ff);
  sink.header({ width: 2, height: 1, frameCount: 0, loopCount: 1 });
  drawFrame(sink, frameHeader({ width: 2, height: 1, blend: Blend.source }), [255, 0, 0, 128, 0, 0, 255, 255]);
  // 255 * 128 / 255 = 128 red; 255 * 127 / 255 = 127 blue.
  assert.deepEqual(pixel(shown[0]!.frame, geometry, 0, 0), [128, 0, 127]);
  assert.deepEqual(pixel(shown[0]!.frame, geometry, 1, 0), BLUE);
  // Half-transparent green over the opaque blue pixel: alpha stays 255, colours 128/127.
  drawFrame(sink, frameHeader({ width: 1, height: 1, left: 1 }), [0, 255, 0, 128]);
  assert.deepEqual(Array.from(sink.sampledCanvas.rgba.subarray(4, 8)), [0, 128, 127, 255]);
  // Over a half-transparent pixel: a = 64*255 + 128*191 = 40768 -> alpha 160.
  drawFrame(sink, frameHeader({ width: 1, height: 1 }), [0, 0, 0, 64]);
  assert.deepEqual(Array.from(sink.sampledCanvas.rgba.subarray(0, 4)), [153, 0, 0, 160]);
  // Transparent pixels leave the canvas alone with Blend.over, replace it with Blend.source.
  drawFrame(sink, frameHeader({ width: 2, height: 1 }), [9, 9, 9, 0, 9, 9, 9, 0]);
  assert.deepEqual(Array.from(sink.sampledCanvas.rgba.subarray(0, 8)), [153, 0, 0, 160, 0, 128, 127, 255]);
  drawFrame(sink, frameHeader({ width: 1, height: 1, blend: Blend.source }), [9, 9, 9, 0]);
  assert.deepEqual(Array.from(sink.sampledCanvas.rgba.subarray(0, 4)), [9, 9, 9, 0]);
  assert.deepEqual(pixel(shown[4]!.frame, geometry, 0, 0), BLUE);
});

test("disposal: none keeps, background clears the region, previous restores it", () => {
  const geometry: PanelGeometry = { width: 3, height: 3, rotation: 0, mirror: false };
  const frames: FrameSpec[] = [
    { width: 3, height: 3, indices: [0, 0, 0, 0, 0, 0, 0, 0, 0], dispose: 1 },
    { width: 1, height: 1, left: 1, top: 1, indices: [2], dispose: 3 },
    { width: 1, height: 1, left: 0, top: 0, indices: [1], dispose: 2 },
    { width: 1, height: 1, left: 2, top: 2, indices: [3], dispose: 3 },
    { width: 1, height: 1, left: 2, top: 0, indices: [3], dispose: 0 },
  ];
  const { shown } = decodeTo(encodeGif({ width: 3, height: 3, globalPalette: QUAD, frames }), geometry);
  const at = (index: number, x: number, y: number) => pixel(shown[index]!.frame, geometry, x, y);
  assert.equal(shown.length, 5);
  assert.deepEqual(at(1, 1, 1), BLUE);
  assert.deepEqual([at(2, 1, 1), at(2, 0, 0)], [RED, GREEN], "frame 2's 'previous' restored red at 1,1");
  assert.deepEqual([at(3, 0, 0), at(3, 2, 2)], [BLACK, WHITE], "frame 3's 'background' cleared 0,0 to transparent");
  assert.deepEqual([at(4, 2, 2), at(4, 2, 0), at(4, 1, 1)], [RED, WHITE, RED]);
});

test("Dispose.previous on the first frame restores the empty canvas", () => {
  const geometry: PanelGeometry = { width: 2, height: 1, rotation: 0, mirror: false };
  const frames: FrameSpec[] = [
    { width: 2, height: 1, indices: [0, 1], dispose: 3 },
    { width: 1, height: 1, indices: [2] },
  ];
  const { shown } = decodeTo(encodeGif({ width: 2, height: 1, globalPalette: QUAD, frames }), geometry, 0x010203);
  assert.deepEqual(pixel(shown[1]!.frame, geometry, 0, 0), BLUE);
  assert.deepEqual(pixel(shown[1]!.frame, geometry, 1, 0), [1, 2, 3]);
});

test("disposal and compositing work on the sampled points when shrinking", () => {
  const geometry = panelGeometry("64x32");
  const w = 200;
  const h = 100;
  const full: number[] = new Array(w * h).fill(1);
  const patch: number[] = new Array(50 * 40).fill(2);
  const frames: FrameSpec[] = [
    { width: w, height: h, indices: full },
    { width: 50, height: 40, left: 33, top: 21, indices: patch, dispose: 3 },
    { width: 10, height: 10, left: 150, top: 70, indices: new Array(100).fill(3), dispose: 2 },
    { width: 1, height: 1, indices: [1] },
  ];
  const bytes = encodeGif({ width: w, height: h, globalPalette: QUAD, frames });
  const { shown } = decodeTo(bytes, geometry);
  const canvas = new Uint8Array(w * h * 4);
  const paint = (left: number, top: number, width: number, height: number, rgba: number[]) => {
    for (let y = top; y < top + height; y++) for (let x = left; x < left + width; x++) canvas.set(rgba, (y * w + x) * 4);
  };
  paint(0, 0, w, h, [...GREEN, 255]);
  assert.deepEqual(shown[0]!.frame, referencePanel(canvas, w, h, geometry));
  paint(33, 21, 50, 40, [...BLUE, 255]);
  assert.deepEqual(shown[1]!.frame, referencePanel(canvas, w, h, geometry));
  paint(33, 21, 50, 40, [...GREEN, 255]);
  paint(150, 70, 10, 10, [...WHITE, 255]);
  assert.deepEqual(shown[2]!.frame, referencePanel(canvas, w, h, geometry));
  paint(150, 70, 10, 10, [0, 0, 0, 0]);
  assert.deepEqual(shown[3]!.frame, referencePanel(canvas, w, h, geometry));
});

test("sparse rows (x0, step) land on the right columns", () => {
  const geometry: PanelGeometry = { width: 8, height: 1, rotation: 0, mirror: false };
  const { sink, shown } = compositor(geometry);
  sink.header({ width: 8, height: 1, frameCount: 1, loopCount: 1 });
  sink.frameStart(frameHeader({ width: 8, height: 1, blend: Blend.source }));
  sink.row(0, 0, 8, 1, new Uint8Array([1, 1, 1, 255]));
  sink.row(0, 4, 8, 1, new Uint8Array([5, 5, 5, 255]));
  sink.row(0, 2, 4, 2, new Uint8Array([3, 3, 3, 255, 7, 7, 7, 255]));
  sink.row(0, 1, 2, 4, new Uint8Array([2, 2, 2, 255, 4, 4, 4, 255, 6, 6, 6, 255, 8, 8, 8, 255]));
  sink.frameEnd();
  assert.deepEqual(Array.from(shown[0]!.frame.filter((_, i) => i % 3 === 0)), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test("caller-owned frame buffers keep every frame; without them one internal buffer is reused", () => {
  const geometry = panelGeometry("64x32");
  const frames: FrameSpec[] = [0, 1, 2].map((index) => ({ width: 1, height: 1, indices: [index], delayCs: 3 + index }));
  const bytes = encodeGif({ width: 1, height: 1, globalPalette: QUAD, frames });
  const cache: Uint8Array[] = [];
  const received: Uint8Array[] = [];
  const sink = new Compositor({
    geometry,
    frameBuffer: (index) => (cache[index] = new Uint8Array(64 * 32 * 3)),
    onFrame: (frame, delayMs, index) => {
      assert.equal(frame, cache[index]);
      assert.equal(delayMs, 30 + 10 * index);
      received.push(frame);
    },
  });
  const decoder = new GifDecoder(sink);
  decoder.push(bytes);
  decoder.finish();
  assert.deepEqual(
    cache.map((frame) => pixel(frame, geometry, 16, 0)),
    [RED, GREEN, BLUE],
  );
  const internal: Uint8Array[] = [];
  const plain = new Compositor({ geometry, onFrame: (frame) => internal.push(frame) });
  const again = new GifDecoder(plain);
  again.push(bytes);
  again.finish();
  assert.equal(internal.length, 3);
  assert.equal(internal[0], internal[2], "the same buffer every time");
  assert.throws(() => plain.render(new Uint8Array(10)), RangeError);
});

test("a frame the frame cache does not want is not rendered: only its delay is passed on", () => {
  const geometry = panelGeometry("64x32");
  const frames: FrameSpec[] = [0, 1, 2].map((index) => ({ width: 1, height: 1, indices: [index], delayCs: 5 }));
  const kept = [new Uint8Array(64 * 32 * 3), new Uint8Array(64 * 32 * 3)];
  const received: { length: number; delayMs: number }[] = [];
  const sink = new Compositor({
    geometry,
    frameBuffer: (index) => (index === 1 ? undefined : kept[index === 0 ? 0 : 1]),
    onFrame: (frame, delayMs) => received.push({ length: frame.length, delayMs }),
  });
  const decoder = new GifDecoder(sink);
  decoder.push(encodeGif({ width: 1, height: 1, globalPalette: QUAD, frames }));
  decoder.finish();
  assert.deepEqual(received, [
    { length: 64 * 32 * 3, delayMs: 50 },
    { length: 0, delayMs: 50 },
    { length: 64 * 32 * 3, delayMs: 50 },
  ]);
  assert.deepEqual([pixel(kept[0]!, geometry, 16, 0), pixel(kept[1]!, geometry, 16, 0)], [RED, BLUE]);
});

test("a new header starts from an empty canvas", () => {
  const geometry: PanelGeometry = { width: 1, height: 1, rotation: 0, mirror: false };
  const { sink, shown } = compositor(geometry);
  sink.header({ width: 1, height: 1, frameCount: 1, loopCount: 1 });
  drawFrame(sink, frameHeader({ width: 1, height: 1 }), [200, 0, 0, 255]);
  sink.header({ width: 1, height: 1, frameCount: 1, loopCount: 1 });
  drawFrame(sink, frameHeader({ width: 1, height: 1 }), [0, 0, 0, 0]);
  assert.deepEqual(pixel(shown[1]!.frame, geometry, 0, 0), BLACK);
  assert.equal(shown[1]!.index, 0);
});

// 3x2, two frames, 20 cs, loop 0, made with ImageMagick 6.9:
//   convert -delay 20 -loop 0 ( -size 3x2 xc:red -fill lime -draw "point 1,0" -fill blue -draw "point 2,1" )
//           ( -size 3x2 xc:none -fill white -draw "point 0,0" ) -dispose none +map out.gif
// Its control extension comes before the NETSCAPE block, and frame 2 is mostly transparent.
const IMAGEMAGICK_GIF = [
  "47494638396103000200f20300ff000000ff000000ffffffff0000000000000000000000",
  "0021f904001400000021ff0b4e45545343415045322e3003010000002c00000000030002",
  "0000030408012c090021f90401140004002c000000000300020000030338b49b003b",
]
  .join("");

test("a GIF made by ImageMagick decodes to the expected panel frames", () => {
  const bytes = new Uint8Array(IMAGEMAGICK_GIF.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(IMAGEMAGICK_GIF.slice(i * 2, i * 2 + 2), 16);
  assert.equal(bytes.length, 106);
  const geometry = panelGeometry("64x32");
  for (const chunk of [bytes.length, 1]) {
    const { sink, shown } = decodeTo(bytes, geometry, 0, chunk);
    assert.equal(shown.length, 2);
    assert.deepEqual(
      shown.map((s) => s.delayMs),
      [200, 200],
    );
    assert.deepEqual(sink.layout && [sink.layout.width, sink.layout.height, sink.layout.left], [48, 32, 8]);
    const first = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255]);
    const second = first.slice();
    second.set([255, 255, 255, 255], 0);
    assert.deepEqual(shown[0]!.frame, referencePanel(first, 3, 2, geometry));
    assert.deepEqual(shown[1]!.frame, referencePanel(second, 3, 2, geometry));
    assert.deepEqual(pixel(shown[1]!.frame, geometry, 8, 0), WHITE);
    assert.deepEqual(pixel(shown[1]!.frame, geometry, 24, 0), GREEN);
  }
});
