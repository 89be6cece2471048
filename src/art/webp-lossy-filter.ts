// VP8 loop filter (RFC 6386 §15 and its reference decoder): applied to the whole reconstructed frame,
// macroblock by macroblock in raster order — left edge, inner vertical edges, top edge, inner
// horizontal edges. Works in place on the planes; no allocation.
//
// Speed (XS): the planes are Uint8ClampedArrays, so a store clamps to 0..255 by itself; absolute
// values and signed clamps are written inline (a call, Math.abs included, costs more than the
// arithmetic); the outer taps are read only once the edge test passes.
// Speed (V8): pixel differences change sign at random, so an absolute value is taken without a
// branch, as (d ^ s) − s with s = d >> 31 (a mispredicted branch per test cost V8 about a third of the
// filter's time). Not d · ((d >> 31) | 1), which V8 runs as a checked multiply (overflow, and −0 when
// the product is 0). The six interior tests need no absolute value: |d| > interior is two compares
// whose branches are predicted, as nearly every position passes them. The normal filter runs
// 1.04–1.13× faster than with the multiply (256×256 lossy, in isolation); XS: +13 M instructions a
// 256×256 lossy frame (of ~1420 M).

/**
 * Filters `count` positions along an edge. `at` is the first pixel after the edge (q0), `step`
 * crosses the edge (1 for a vertical edge, the stride for a horizontal one), `along` moves along it.
 */
export function filterSimpleEdge(plane: Uint8ClampedArray, at: number, step: number, along: number, count: number, limit: number): void {
  const step2 = 2 * step;
  for (let i = 0; i < count; i++, at += along) {
    const p1 = plane[at - step2]!;
    const p0 = plane[at - step]!;
    const q0 = plane[at]!;
    const q1 = plane[at + step]!;
    const d = p0 - q0;
    const outer = p1 - q1;
    const sign = d >> 31;
    const outerSign = outer >> 31;
    if (((d ^ sign) - sign) * 2 + (((outer ^ outerSign) - outerSign) >> 1) > limit) continue;
    // The common adjustment with outer taps.
    let a = 3 * (q0 - p0) + (outer < -128 ? -128 : outer > 127 ? 127 : outer);
    a = a < -128 ? -128 : a > 127 ? 127 : a;
    plane[at - step] = p0 + ((a + 3 > 127 ? 127 : a + 3) >> 3);
    plane[at] = q0 - ((a + 4 > 127 ? 127 : a + 4) >> 3);
  }
}

/**
 * Normal filter across an edge: `macroblockEdge` selects the stronger filter of macroblock edges.
 * `edgeLimit` is the full limit (2 × level + interior, + 4 on macroblock edges).
 */
export function filterNormalEdge(
  plane: Uint8ClampedArray,
  at: number,
  step: number,
  along: number,
  count: number,
  edgeLimit: number,
  interior: number,
  hevThreshold: number,
  macroblockEdge: boolean,
): void {
  const step2 = 2 * step;
  const step3 = 3 * step;
  const step4 = 4 * step;
  const interiorBelow = -interior;
  for (let i = 0; i < count; i++, at += along) {
    const p1 = plane[at - step2]!;
    const p0 = plane[at - step]!;
    const q0 = plane[at]!;
    const q1 = plane[at + step]!;
    let d = p0 - q0;
    const outer = p1 - q1;
    let sign = d >> 31;
    const outerSign = outer >> 31;
    if (((d ^ sign) - sign) * 2 + (((outer ^ outerSign) - outerSign) >> 1) > edgeLimit) continue;
    // The interior tests, |d| > interior, as two compares: nearly every position passes them, so the
    // branches are predicted, and no absolute value is computed.
    const p1p0 = p1 - p0;
    if (p1p0 > interior || p1p0 < interiorBelow) continue;
    const q1q0 = q1 - q0;
    if (q1q0 > interior || q1q0 < interiorBelow) continue;
    const p2 = plane[at - step3]!;
    d = p2 - p1;
    if (d > interior || d < interiorBelow) continue;
    const q2 = plane[at + step2]!;
    d = q2 - q1;
    if (d > interior || d < interiorBelow) continue;
    d = plane[at - step4]! - p2;
    if (d > interior || d < interiorBelow) continue;
    d = plane[at + step3]! - q2;
    if (d > interior || d < interiorBelow) continue;
    // High edge variance: about 3 in 4 filtered positions, decided by either side, so with absolute values.
    sign = p1p0 >> 31;
    const q1q0Sign = q1q0 >> 31;
    const highVariance = (p1p0 ^ sign) - sign > hevThreshold || (q1q0 ^ q1q0Sign) - q1q0Sign > hevThreshold;
    if (macroblockEdge && !highVariance) {
      let w = 3 * (q0 - p0) + (outer < -128 ? -128 : outer > 127 ? 127 : outer);
      w = w < -128 ? -128 : w > 127 ? 127 : w;
      let a = (27 * w + 63) >> 7;
      plane[at - step] = p0 + a;
      plane[at] = q0 - a;
      a = (18 * w + 63) >> 7;
      plane[at - step2] = p1 + a;
      plane[at + step] = q1 - a;
      a = (9 * w + 63) >> 7;
      plane[at - step3] = p2 + a;
      plane[at + step2] = q2 - a;
      continue;
    }
    // The common adjustment: with outer taps when the variance is high, else it also moves p1 and q1.
    let a = 3 * (q0 - p0);
    if (highVariance) a += outer < -128 ? -128 : outer > 127 ? 127 : outer;
    a = a < -128 ? -128 : a > 127 ? 127 : a;
    const f1 = (a + 4 > 127 ? 127 : a + 4) >> 3;
    plane[at - step] = p0 + ((a + 3 > 127 ? 127 : a + 3) >> 3);
    plane[at] = q0 - f1;
    if (!highVariance) {
      const a2 = (f1 + 1) >> 1;
      plane[at - step2] = p1 + a2;
      plane[at + step] = q1 - a2;
    }
  }
}

export interface FilterPlanes {
  y: Uint8ClampedArray;
  u: Uint8ClampedArray;
  v: Uint8ClampedArray;
  yStride: number;
  uvStride: number;
}
/**
 * Filters one macroblock. `level` is its filter level (0 = none), `inner` whether its inner edges are
 * filtered (B_PRED or any non-zero coefficient), `simple` the frame's filter type.
 */
export function filterMacroblock(planes: FilterPlanes, mbx: number, mby: number, level: number, interior: number, hevThreshold: number, inner: boolean, simple: boolean): void {
  if (level === 0) return;
  const ys = planes.yStride;
  const y0 = mby * 16 * ys + mbx * 16;
  const mbLimit = (level + 2) * 2 + interior;
  const subLimit = level * 2 + interior;
  if (simple) {
    if (mbx > 0) filterSimpleEdge(planes.y, y0, 1, ys, 16, mbLimit);
    if (inner) for (let x = 4; x < 16; x += 4) filterSimpleEdge(planes.y, y0 + x, 1, ys, 16, subLimit);
    if (mby > 0) filterSimpleEdge(planes.y, y0, ys, 1, 16, mbLimit);
    if (inner) for (let y = 4; y < 16; y += 4) filterSimpleEdge(planes.y, y0 + y * ys, ys, 1, 16, subLimit);
    return;
  }
  const cs = planes.uvStride;
  const c0 = mby * 8 * cs + mbx * 8;
  if (mbx > 0) {
    filterNormalEdge(planes.y, y0, 1, ys, 16, mbLimit, interior, hevThreshold, true);
    filterNormalEdge(planes.u, c0, 1, cs, 8, mbLimit, interior, hevThreshold, true);
    filterNormalEdge(planes.v, c0, 1, cs, 8, mbLimit, interior, hevThreshold, true);
  }
  if (inner) {
    for (let x = 4; x < 16; x += 4) filterNormalEdge(planes.y, y0 + x, 1, ys, 16, subLimit, interior, hevThreshold, false);
    filterNormalEdge(planes.u, c0 + 4, 1, cs, 8, subLimit, interior, hevThreshold, false);
    filterNormalEdge(planes.v, c0 + 4, 1, cs, 8, subLimit, interior, hevThreshold, false);
  }
  if (mby > 0) {
    filterNormalEdge(planes.y, y0, ys, 1, 16, mbLimit, interior, hevThreshold, true);
    filterNormalEdge(planes.u, c0, cs, 1, 8, mbLimit, interior, hevThreshold, true);
    filterNormalEdge(planes.v, c0, cs, 1, 8, mbLimit, interior, hevThreshold, true);
  }
  if (inner) {
    for (let y = 4; y < 16; y += 4) filterNormalEdge(planes.y, y0 + y * ys, ys, 1, 16, subLimit, interior, hevThreshold, false);
    filterNormalEdge(planes.u, c0 + 4 * cs, cs, 1, 8, subLimit, interior, hevThreshold, false);
    filterNormalEdge(planes.v, c0 + 4 * cs, cs, 1, 8, subLimit, interior, hevThreshold, false);
  }
}
