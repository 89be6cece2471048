// Panel geometry: where a picture lands (integer scale, shrink-to-fit, centring), the nearest-neighbour
// rule, and how rotation and mirror move logical pixels on the physical panel.

import { test } from "node:test";
import assert from "node:assert/strict";
import { checkGeometry, orientation, panelGeometry, placePicture, sourceIndex, type PanelGeometry, type Rotation } from "../../../src/display/geometry.js";

const place = (w: number, h: number, geometry: PanelGeometry) => {
  const p = placePicture(w, h, geometry);
  return [p.width, p.height, p.left, p.top, p.scale];
};

test("integer scale: the largest k that fits both sides, centred", () => {
  assert.deepEqual(place(64, 64, panelGeometry("64x64")), [64, 64, 0, 0, 1]);
  assert.deepEqual(place(32, 32, panelGeometry("64x64")), [64, 64, 0, 0, 2]);
  assert.deepEqual(place(8, 8, panelGeometry("64x32")), [32, 32, 16, 0, 4]);
  assert.deepEqual(place(32, 16, panelGeometry("128x64")), [128, 64, 0, 0, 4]);
  assert.deepEqual(place(64, 32, panelGeometry("64x64")), [64, 32, 0, 16, 1]);
  assert.deepEqual(place(20, 20, panelGeometry("64x64")), [60, 60, 2, 2, 3]);
  assert.deepEqual(place(21, 10, panelGeometry("64x32")), [63, 30, 0, 1, 3], "odd leftovers go right/down");
  assert.deepEqual(place(64, 64, panelGeometry("128x32")), [32, 32, 48, 0, 0]);
});

test("larger than the panel: the limiting side fills it, the other keeps the aspect ratio (rounded)", () => {
  assert.deepEqual(place(128, 128, panelGeometry("64x64")), [64, 64, 0, 0, 0]);
  assert.deepEqual(place(256, 256, panelGeometry("128x64")), [64, 64, 32, 0, 0]);
  assert.deepEqual(place(256, 200, panelGeometry("64x64")), [64, 50, 0, 7, 0]);
  assert.deepEqual(place(100, 50, panelGeometry("64x32")), [64, 32, 0, 0, 0]);
  assert.deepEqual(place(100, 10, panelGeometry("64x64")), [64, 6, 0, 29, 0], "10 * 64 / 100 = 6.4 -> 6");
  assert.deepEqual(place(256, 3, panelGeometry("64x64")), [64, 1, 0, 31, 0], "never thinner than one pixel");
  assert.deepEqual(place(200, 256, panelGeometry("64x32")), [25, 32, 19, 0, 0], "200 * 32 / 256 = 25");
});

test("rotation 90/270 lays the picture out on the turned panel", () => {
  assert.deepEqual(place(32, 64, panelGeometry("64x32", 90)), [32, 64, 0, 0, 1]);
  assert.deepEqual(place(64, 32, panelGeometry("64x32", 270)), [32, 16, 0, 24, 0]);
  const p = placePicture(8, 8, panelGeometry("128x64", 90));
  assert.deepEqual([p.logicalWidth, p.logicalHeight, p.width, p.left, p.top], [64, 128, 64, 0, 32]);
});

test("nearest rule: the source pixel under the destination pixel's centre", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((d) => sourceIndex(d, 2, 6)), [0, 0, 0, 1, 1, 1], "integer scale 3");
  assert.deepEqual([0, 1, 63].map((d) => sourceIndex(d, 256, 64)), [2, 6, 254], "1/4: the centre of each 4-pixel block");
  assert.deepEqual([0, 1].map((d) => sourceIndex(d, 3, 2)), [0, 2]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((d) => sourceIndex(d, 10, 7)), [0, 2, 3, 5, 6, 7, 9]);
});

/** Physical (x, y) of every logical pixel of a 3x2 panel, logical row by row. */
function where(rotation: Rotation, mirror: boolean): string {
  const geometry: PanelGeometry = { width: 3, height: 2, rotation, mirror };
  const { origin, stepX, stepY } = orientation(geometry);
  const turned = rotation === 90 || rotation === 270;
  const lw = turned ? 2 : 3;
  const lh = turned ? 3 : 2;
  const out: string[] = [];
  for (let ly = 0; ly < lh; ly++) {
    const row: string[] = [];
    for (let lx = 0; lx < lw; lx++) {
      const index = origin + lx * stepX + ly * stepY;
      row.push(`${index % 3},${Math.floor(index / 3)}`);
    }
    out.push(row.join(" "));
  }
  return out.join(" / ");
}

test("rotation turns clockwise; mirror flips the logical picture left-right first", () => {
  assert.equal(where(0, false), "0,0 1,0 2,0 / 0,1 1,1 2,1");
  assert.equal(where(0, true), "2,0 1,0 0,0 / 2,1 1,1 0,1");
  // Turned clockwise: the logical top-left lands top-right, the logical left column becomes the top row.
  assert.equal(where(90, false), "2,0 2,1 / 1,0 1,1 / 0,0 0,1");
  assert.equal(where(180, false), "2,1 1,1 0,1 / 2,0 1,0 0,0");
  assert.equal(where(270, false), "0,1 0,0 / 1,1 1,0 / 2,1 2,0");
  assert.equal(where(90, true), "2,1 2,0 / 1,1 1,0 / 0,1 0,0");
  assert.equal(where(180, true), "0,1 1,1 2,1 / 0,0 1,0 2,0");
});

test("bad geometry is refused", () => {
  assert.throws(() => checkGeometry({ width: 0, height: 32, rotation: 0, mirror: false }), RangeError);
  assert.throws(() => checkGeometry({ width: 64.5, height: 32, rotation: 0, mirror: false }), RangeError);
  assert.throws(() => checkGeometry({ width: 64, height: 32, rotation: 45 as Rotation, mirror: false }), RangeError);
  checkGeometry(panelGeometry("128x64", 270, true));
});
