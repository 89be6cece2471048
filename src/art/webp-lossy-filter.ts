// VP8 loop filter (RFC 6386 §15 and its reference decoder): applied to the whole reconstructed frame,
// macroblock by macroblock in raster order — left edge, inner vertical edges, top edge, inner
// horizontal edges. Works in place on the planes; no allocation.

function clampSigned(v: number): number {
  return v < -128 ? -128 : v > 127 ? 127 : v;
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Filters `count` positions along an edge. `at` is the first pixel after the edge (q0), `step`
 * crosses the edge (1 for a vertical edge, the stride for a horizontal one), `along` moves along it.
 */
export function filterSimpleEdge(plane: Uint8Array, at: number, step: number, along: number, count: number, limit: number): void {
  for (let i = 0; i < count; i++, at += along) {
    const p1 = plane[at - 2 * step]!;
    const p0 = plane[at - step]!;
    const q0 = plane[at]!;
    const q1 = plane[at + step]!;
    if (Math.abs(p0 - q0) * 2 + (Math.abs(p1 - q1) >> 1) > limit) continue;
    commonAdjust(plane, at, step, p1, p0, q0, q1, true);
  }
}

/** The common 4-tap adjustment; without outer taps (and no high edge variance) it also moves p1/q1. */
function commonAdjust(plane: Uint8Array, at: number, step: number, p1: number, p0: number, q0: number, q1: number, outerTaps: boolean): void {
  let a = 3 * (q0 - p0);
  if (outerTaps) a += clampSigned(p1 - q1);
  a = clampSigned(a);
  const f1 = (a + 4 > 127 ? 127 : a + 4) >> 3;
  const f2 = (a + 3 > 127 ? 127 : a + 3) >> 3;
  plane[at - step] = clamp255(p0 + f2);
  plane[at] = clamp255(q0 - f1);
  if (!outerTaps) {
    const a2 = (f1 + 1) >> 1;
    plane[at - 2 * step] = clamp255(p1 + a2);
    plane[at + step] = clamp255(q1 - a2);
  }
}

/**
 * Normal filter across an edge: `macroblockEdge` selects the stronger filter of macroblock edges.
 * `edgeLimit` is the full limit (2 × level + interior, + 4 on macroblock edges).
 */
export function filterNormalEdge(
  plane: Uint8Array,
  at: number,
  step: number,
  along: number,
  count: number,
  edgeLimit: number,
  interior: number,
  hevThreshold: number,
  macroblockEdge: boolean,
): void {
  for (let i = 0; i < count; i++, at += along) {
    const p3 = plane[at - 4 * step]!;
    const p2 = plane[at - 3 * step]!;
    const p1 = plane[at - 2 * step]!;
    const p0 = plane[at - step]!;
    const q0 = plane[at]!;
    const q1 = plane[at + step]!;
    const q2 = plane[at + 2 * step]!;
    const q3 = plane[at + 3 * step]!;
    if (Math.abs(p0 - q0) * 2 + (Math.abs(p1 - q1) >> 1) > edgeLimit) continue;
    if (
      Math.abs(p3 - p2) > interior ||
      Math.abs(p2 - p1) > interior ||
      Math.abs(p1 - p0) > interior ||
      Math.abs(q3 - q2) > interior ||
      Math.abs(q2 - q1) > interior ||
      Math.abs(q1 - q0) > interior
    ) {
      continue;
    }
    const highVariance = Math.abs(p1 - p0) > hevThreshold || Math.abs(q1 - q0) > hevThreshold;
    if (!macroblockEdge) {
      commonAdjust(plane, at, step, p1, p0, q0, q1, highVariance);
    } else if (highVariance) {
      commonAdjust(plane, at, step, p1, p0, q0, q1, true);
    } else {
      const w = clampSigned(clampSigned(p1 - q1) + 3 * (q0 - p0));
      let a = (27 * w + 63) >> 7;
      plane[at - step] = clamp255(p0 + a);
      plane[at] = clamp255(q0 - a);
      a = (18 * w + 63) >> 7;
      plane[at - 2 * step] = clamp255(p1 + a);
      plane[at + step] = clamp255(q1 - a);
      a = (9 * w + 63) >> 7;
      plane[at - 3 * step] = clamp255(p2 + a);
      plane[at + 2 * step] = clamp255(q2 - a);
    }
  }
}

export interface FilterPlanes {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
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
