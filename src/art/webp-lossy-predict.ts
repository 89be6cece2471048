// VP8 intra prediction and inverse transforms (RFC 6386 §12, §14), writing into a plane buffer.
// Prediction reads the macroblock's edges from small arrays the caller fills (so frame borders,
// 127 above and 129 to the left, need no special cases here); the residue is added with clamping.

// Whole-block modes (16×16 luma and 8×8 chroma) and 4×4 subblock modes, numbered as in RFC 6386 §11.
export const DC_PRED = 0;
export const V_PRED = 1;
export const H_PRED = 2;
export const TM_PRED = 3;
export const B_PRED = 4;

const B_DC_PRED = 0;
const B_TM_PRED = 1;
const B_VE_PRED = 2;
const B_HE_PRED = 3;
const B_LD_PRED = 4;
const B_RD_PRED = 5;
const B_VR_PRED = 6;
const B_VL_PRED = 7;
const B_HD_PRED = 8;

/**
 * Predicts a size×size block at `at` in `plane`. `above[0]` is the corner pixel P, `above[1 .. size]`
 * the row above; `left[0 .. size)` the column to the left. `hasAbove`/`hasLeft` say whether those
 * edges are inside the frame (DC prediction only averages real edges).
 */
export function predictBlock(plane: Uint8ClampedArray, at: number, stride: number, size: number, mode: number, above: Uint8Array, left: Uint8Array, hasAbove: boolean, hasLeft: boolean): void {
  switch (mode) {
    case DC_PRED: {
      let sum = 0;
      let shift = size === 16 ? 3 : 2;
      if (hasAbove) {
        for (let i = 1; i <= size; i++) sum += above[i]!;
        shift++;
      }
      if (hasLeft) {
        for (let i = 0; i < size; i++) sum += left[i]!;
        shift++;
      }
      const value = hasAbove || hasLeft ? (sum + (1 << (shift - 1))) >> shift : 128;
      for (let y = 0; y < size; y++) plane.fill(value, at + y * stride, at + y * stride + size);
      break;
    }
    case V_PRED: {
      const row = above.subarray(1, size + 1);
      for (let y = 0; y < size; y++) plane.set(row, at + y * stride);
      break;
    }
    case H_PRED:
      for (let y = 0; y < size; y++) plane.fill(left[y]!, at + y * stride, at + y * stride + size);
      break;
    default: {
      // TM_PRED: left + above - corner, clamped (by the plane). The row above minus the corner is read
      // once into locals, not once per pixel: a 16×16 block reads 16 values instead of 256 (XS: a host
      // call each; V8: the reconstruction of a 256×256 frame 1.08–1.28× faster, TM being its commonest mode).
      const corner = above[0]!;
      const a0 = above[1]! - corner;
      const a1 = above[2]! - corner;
      const a2 = above[3]! - corner;
      const a3 = above[4]! - corner;
      const a4 = above[5]! - corner;
      const a5 = above[6]! - corner;
      const a6 = above[7]! - corner;
      const a7 = above[8]! - corner;
      const wide = size === 16;
      let a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0, a15 = 0;
      if (wide) {
        a8 = above[9]! - corner;
        a9 = above[10]! - corner;
        a10 = above[11]! - corner;
        a11 = above[12]! - corner;
        a12 = above[13]! - corner;
        a13 = above[14]! - corner;
        a14 = above[15]! - corner;
        a15 = above[16]! - corner;
      }
      for (let y = 0, row = at; y < size; y++, row += stride) {
        const l = left[y]!;
        plane[row] = l + a0;
        plane[row + 1] = l + a1;
        plane[row + 2] = l + a2;
        plane[row + 3] = l + a3;
        plane[row + 4] = l + a4;
        plane[row + 5] = l + a5;
        plane[row + 6] = l + a6;
        plane[row + 7] = l + a7;
        if (wide) {
          plane[row + 8] = l + a8;
          plane[row + 9] = l + a9;
          plane[row + 10] = l + a10;
          plane[row + 11] = l + a11;
          plane[row + 12] = l + a12;
          plane[row + 13] = l + a13;
          plane[row + 14] = l + a14;
          plane[row + 15] = l + a15;
        }
      }
    }
  }
}

// The 3-tap and 2-tap averages of RFC 6386 §12.3, avg3(x, y, z) = (x + 2y + z + 2) >> 2 and
// avg2(x, y) = (x + y + 1) >> 1, are written out below: a call per pixel is dear in XS. A 4-pixel
// row is 4 stores, not a fill(): in V8 a typed array's fill() is a runtime call (~70 ns here, 20
// stores' worth), in XS it costs about 2 stores, so this is near even there.

/**
 * Predicts luma subblock (bx, by) of a macroblock, at `at` in `plane`. Its edge pixels, as named in
 * RFC 6386 §12.3 — left column L0..L3 (top to bottom), corner P, the 8 pixels above A0..A7 (4 above,
 * 4 above-right) — come from the plane inside the macroblock and from the macroblock's `above`
 * (corner, row above, 4 above-right) and `left` arrays on its edges; the right column's above-right
 * is always the macroblock's. Read straight into locals: a typed-array access is a host call in XS.
 */
export function predictSubblock(plane: Uint8ClampedArray, at: number, stride: number, mode: number, above: Uint8Array, left: Uint8Array, bx: number, by: number): void {
  const r0 = at;
  const r1 = at + stride;
  const r2 = at + 2 * stride;
  const r3 = at + 3 * stride;
  let l0: number, l1: number, l2: number, l3: number, p: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number;
  if (bx === 0) {
    l0 = left[by * 4]!;
    l1 = left[by * 4 + 1]!;
    l2 = left[by * 4 + 2]!;
    l3 = left[by * 4 + 3]!;
  } else {
    l0 = plane[r0 - 1]!;
    l1 = plane[r1 - 1]!;
    l2 = plane[r2 - 1]!;
    l3 = plane[r3 - 1]!;
  }
  if (by === 0) {
    const e = bx * 4;
    p = above[e]!;
    a0 = above[e + 1]!;
    a1 = above[e + 2]!;
    a2 = above[e + 3]!;
    a3 = above[e + 4]!;
    a4 = above[e + 5]!;
    a5 = above[e + 6]!;
    a6 = above[e + 7]!;
    a7 = above[e + 8]!;
  } else {
    const e = r0 - stride;
    p = bx === 0 ? left[by * 4 - 1]! : plane[e - 1]!;
    a0 = plane[e]!;
    a1 = plane[e + 1]!;
    a2 = plane[e + 2]!;
    a3 = plane[e + 3]!;
    if (bx < 3) {
      a4 = plane[e + 4]!;
      a5 = plane[e + 5]!;
      a6 = plane[e + 6]!;
      a7 = plane[e + 7]!;
    } else {
      a4 = above[17]!;
      a5 = above[18]!;
      a6 = above[19]!;
      a7 = above[20]!;
    }
  }
  switch (mode) {
    case B_DC_PRED: {
      const v = (a0 + a1 + a2 + a3 + l0 + l1 + l2 + l3 + 4) >> 3;
      plane[r0] = plane[r0 + 1] = plane[r0 + 2] = plane[r0 + 3] = v;
      plane[r1] = plane[r1 + 1] = plane[r1 + 2] = plane[r1 + 3] = v;
      plane[r2] = plane[r2 + 1] = plane[r2 + 2] = plane[r2 + 3] = v;
      plane[r3] = plane[r3 + 1] = plane[r3 + 2] = plane[r3 + 3] = v;
      break;
    }
    case B_TM_PRED: {
      // L + A - P (the plane clamps).
      let base = l0 - p;
      plane[r0] = base + a0;
      plane[r0 + 1] = base + a1;
      plane[r0 + 2] = base + a2;
      plane[r0 + 3] = base + a3;
      base = l1 - p;
      plane[r1] = base + a0;
      plane[r1 + 1] = base + a1;
      plane[r1 + 2] = base + a2;
      plane[r1 + 3] = base + a3;
      base = l2 - p;
      plane[r2] = base + a0;
      plane[r2 + 1] = base + a1;
      plane[r2 + 2] = base + a2;
      plane[r2 + 3] = base + a3;
      base = l3 - p;
      plane[r3] = base + a0;
      plane[r3 + 1] = base + a1;
      plane[r3 + 2] = base + a2;
      plane[r3 + 3] = base + a3;
      break;
    }
    case B_VE_PRED: {
      const v0 = (p + a0 + a0 + a1 + 2) >> 2;
      const v1 = (a0 + a1 + a1 + a2 + 2) >> 2;
      const v2 = (a1 + a2 + a2 + a3 + 2) >> 2;
      const v3 = (a2 + a3 + a3 + a4 + 2) >> 2;
      for (let y = 0; y < 4; y++) {
        const row = at + y * stride;
        plane[row] = v0;
        plane[row + 1] = v1;
        plane[row + 2] = v2;
        plane[row + 3] = v3;
      }
      break;
    }
    case B_HE_PRED: {
      let v = (p + l0 + l0 + l1 + 2) >> 2;
      plane[r0] = plane[r0 + 1] = plane[r0 + 2] = plane[r0 + 3] = v;
      v = (l0 + l1 + l1 + l2 + 2) >> 2;
      plane[r1] = plane[r1 + 1] = plane[r1 + 2] = plane[r1 + 3] = v;
      v = (l1 + l2 + l2 + l3 + 2) >> 2;
      plane[r2] = plane[r2 + 1] = plane[r2 + 2] = plane[r2 + 3] = v;
      v = (l2 + l3 + l3 + l3 + 2) >> 2;
      plane[r3] = plane[r3 + 1] = plane[r3 + 2] = plane[r3 + 3] = v;
      break;
    }
    case B_LD_PRED: {
      plane[r0] = (a0 + a1 + a1 + a2 + 2) >> 2;
      plane[r0 + 1] = plane[r1] = (a1 + a2 + a2 + a3 + 2) >> 2;
      plane[r0 + 2] = plane[r1 + 1] = plane[r2] = (a2 + a3 + a3 + a4 + 2) >> 2;
      plane[r0 + 3] = plane[r1 + 2] = plane[r2 + 1] = plane[r3] = (a3 + a4 + a4 + a5 + 2) >> 2;
      plane[r1 + 3] = plane[r2 + 2] = plane[r3 + 1] = (a4 + a5 + a5 + a6 + 2) >> 2;
      plane[r2 + 3] = plane[r3 + 2] = (a5 + a6 + a6 + a7 + 2) >> 2;
      plane[r3 + 3] = (a6 + a7 + a7 + a7 + 2) >> 2;
      break;
    }
    case B_RD_PRED:
      plane[r3] = (l3 + l2 + l2 + l1 + 2) >> 2;
      plane[r3 + 1] = plane[r2] = (l2 + l1 + l1 + l0 + 2) >> 2;
      plane[r3 + 2] = plane[r2 + 1] = plane[r1] = (l1 + l0 + l0 + p + 2) >> 2;
      plane[r3 + 3] = plane[r2 + 2] = plane[r1 + 1] = plane[r0] = (l0 + p + p + a0 + 2) >> 2;
      plane[r2 + 3] = plane[r1 + 2] = plane[r0 + 1] = (p + a0 + a0 + a1 + 2) >> 2;
      plane[r1 + 3] = plane[r0 + 2] = (a0 + a1 + a1 + a2 + 2) >> 2;
      plane[r0 + 3] = (a1 + a2 + a2 + a3 + 2) >> 2;
      break;
    case B_VR_PRED:
      plane[r3] = (l2 + l1 + l1 + l0 + 2) >> 2;
      plane[r2] = (l1 + l0 + l0 + p + 2) >> 2;
      plane[r3 + 1] = plane[r1] = (l0 + p + p + a0 + 2) >> 2;
      plane[r2 + 1] = plane[r0] = (p + a0 + 1) >> 1;
      plane[r3 + 2] = plane[r1 + 1] = (p + a0 + a0 + a1 + 2) >> 2;
      plane[r2 + 2] = plane[r0 + 1] = (a0 + a1 + 1) >> 1;
      plane[r3 + 3] = plane[r1 + 2] = (a0 + a1 + a1 + a2 + 2) >> 2;
      plane[r2 + 3] = plane[r0 + 2] = (a1 + a2 + 1) >> 1;
      plane[r1 + 3] = (a1 + a2 + a2 + a3 + 2) >> 2;
      plane[r0 + 3] = (a2 + a3 + 1) >> 1;
      break;
    case B_VL_PRED:
      plane[r0] = (a0 + a1 + 1) >> 1;
      plane[r1] = (a0 + a1 + a1 + a2 + 2) >> 2;
      plane[r2] = plane[r0 + 1] = (a1 + a2 + 1) >> 1;
      plane[r1 + 1] = plane[r3] = (a1 + a2 + a2 + a3 + 2) >> 2;
      plane[r2 + 1] = plane[r0 + 2] = (a2 + a3 + 1) >> 1;
      plane[r3 + 1] = plane[r1 + 2] = (a2 + a3 + a3 + a4 + 2) >> 2;
      plane[r2 + 2] = plane[r0 + 3] = (a3 + a4 + 1) >> 1;
      plane[r3 + 2] = plane[r1 + 3] = (a3 + a4 + a4 + a5 + 2) >> 2;
      plane[r2 + 3] = (a4 + a5 + a5 + a6 + 2) >> 2;
      plane[r3 + 3] = (a5 + a6 + a6 + a7 + 2) >> 2;
      break;
    case B_HD_PRED:
      plane[r3] = (l3 + l2 + 1) >> 1;
      plane[r3 + 1] = (l3 + l2 + l2 + l1 + 2) >> 2;
      plane[r2] = plane[r3 + 2] = (l2 + l1 + 1) >> 1;
      plane[r2 + 1] = plane[r3 + 3] = (l2 + l1 + l1 + l0 + 2) >> 2;
      plane[r2 + 2] = plane[r1] = (l1 + l0 + 1) >> 1;
      plane[r2 + 3] = plane[r1 + 1] = (l1 + l0 + l0 + p + 2) >> 2;
      plane[r1 + 2] = plane[r0] = (l0 + p + 1) >> 1;
      plane[r1 + 3] = plane[r0 + 1] = (l0 + p + p + a0 + 2) >> 2;
      plane[r0 + 2] = (p + a0 + a0 + a1 + 2) >> 2;
      plane[r0 + 3] = (a0 + a1 + a1 + a2 + 2) >> 2;
      break;
    default: // B_HU_PRED
      plane[r0] = (l0 + l1 + 1) >> 1;
      plane[r0 + 1] = (l0 + l1 + l1 + l2 + 2) >> 2;
      plane[r0 + 2] = plane[r1] = (l1 + l2 + 1) >> 1;
      plane[r0 + 3] = plane[r1 + 1] = (l1 + l2 + l2 + l3 + 2) >> 2;
      plane[r1 + 2] = plane[r2] = (l2 + l3 + 1) >> 1;
      plane[r1 + 3] = plane[r2 + 1] = (l2 + l3 + l3 + l3 + 2) >> 2;
      plane[r2 + 2] = plane[r2 + 3] = plane[r3] = plane[r3 + 1] = plane[r3 + 2] = plane[r3 + 3] = l3;
  }
}

const SQRT2_COS = 20091; // cos(π/8)·√2 − 1, in 1/65536
const SQRT2_SIN = 35468; // sin(π/8)·√2, in 1/65536

/** Adds the inverse DCT (RFC 6386 §14.4) of coeffs[from .. from+16) to a 4×4 block (the plane clamps). */
export function addInverseDct(coeffs: Int16Array, from: number, plane: Uint8ClampedArray, at: number, stride: number): void {
  // Vertical pass (columns) into locals, then horizontal (rows) with rounding: written out, as
  // scratch arrays and loops cost typed-array accesses and bytecodes in XS.
  let c0 = coeffs[from]!;
  let c1 = coeffs[from + 4]!;
  let c2 = coeffs[from + 8]!;
  let c3 = coeffs[from + 12]!;
  let a = c0 + c2;
  let b = c0 - c2;
  let c = ((c1 * SQRT2_SIN) >> 16) - (c3 + ((c3 * SQRT2_COS) >> 16));
  let d = c1 + ((c1 * SQRT2_COS) >> 16) + ((c3 * SQRT2_SIN) >> 16);
  const t00 = a + d;
  const t10 = b + c;
  const t20 = b - c;
  const t30 = a - d;
  c0 = coeffs[from + 1]!;
  c1 = coeffs[from + 5]!;
  c2 = coeffs[from + 9]!;
  c3 = coeffs[from + 13]!;
  a = c0 + c2;
  b = c0 - c2;
  c = ((c1 * SQRT2_SIN) >> 16) - (c3 + ((c3 * SQRT2_COS) >> 16));
  d = c1 + ((c1 * SQRT2_COS) >> 16) + ((c3 * SQRT2_SIN) >> 16);
  const t01 = a + d;
  const t11 = b + c;
  const t21 = b - c;
  const t31 = a - d;
  c0 = coeffs[from + 2]!;
  c1 = coeffs[from + 6]!;
  c2 = coeffs[from + 10]!;
  c3 = coeffs[from + 14]!;
  a = c0 + c2;
  b = c0 - c2;
  c = ((c1 * SQRT2_SIN) >> 16) - (c3 + ((c3 * SQRT2_COS) >> 16));
  d = c1 + ((c1 * SQRT2_COS) >> 16) + ((c3 * SQRT2_SIN) >> 16);
  const t02 = a + d;
  const t12 = b + c;
  const t22 = b - c;
  const t32 = a - d;
  c0 = coeffs[from + 3]!;
  c1 = coeffs[from + 7]!;
  c2 = coeffs[from + 11]!;
  c3 = coeffs[from + 15]!;
  a = c0 + c2;
  b = c0 - c2;
  c = ((c1 * SQRT2_SIN) >> 16) - (c3 + ((c3 * SQRT2_COS) >> 16));
  d = c1 + ((c1 * SQRT2_COS) >> 16) + ((c3 * SQRT2_SIN) >> 16);
  const t03 = a + d;
  const t13 = b + c;
  const t23 = b - c;
  const t33 = a - d;
  addRow(plane, at, t00, t01, t02, t03);
  addRow(plane, at + stride, t10, t11, t12, t13);
  addRow(plane, at + 2 * stride, t20, t21, t22, t23);
  addRow(plane, at + 3 * stride, t30, t31, t32, t33);
}

/** The horizontal pass of one row of the inverse DCT, added to the plane. */
function addRow(plane: Uint8ClampedArray, row: number, c0: number, c1: number, c2: number, c3: number): void {
  const a = c0 + c2;
  const b = c0 - c2;
  const c = ((c1 * SQRT2_SIN) >> 16) - (c3 + ((c3 * SQRT2_COS) >> 16));
  const d = c1 + ((c1 * SQRT2_COS) >> 16) + ((c3 * SQRT2_SIN) >> 16);
  plane[row] = plane[row]! + ((a + d + 4) >> 3);
  plane[row + 1] = plane[row + 1]! + ((b + c + 4) >> 3);
  plane[row + 2] = plane[row + 2]! + ((b - c + 4) >> 3);
  plane[row + 3] = plane[row + 3]! + ((a - d + 4) >> 3);
}

/** Adds a DC-only residue ((dc + 4) >> 3 everywhere, what the full inverse DCT gives) to a 4×4 block. */
export function addInverseDc(dc: number, plane: Uint8ClampedArray, at: number, stride: number): void {
  // Written out: in XS the loops' own bytecodes cost about what the additions do (−15 M instructions
  // a 256×256 lossy frame; V8 about even).
  const value = (dc + 4) >> 3;
  let row = at;
  plane[row] = plane[row]! + value;
  plane[row + 1] = plane[row + 1]! + value;
  plane[row + 2] = plane[row + 2]! + value;
  plane[row + 3] = plane[row + 3]! + value;
  row += stride;
  plane[row] = plane[row]! + value;
  plane[row + 1] = plane[row + 1]! + value;
  plane[row + 2] = plane[row + 2]! + value;
  plane[row + 3] = plane[row + 3]! + value;
  row += stride;
  plane[row] = plane[row]! + value;
  plane[row + 1] = plane[row + 1]! + value;
  plane[row + 2] = plane[row + 2]! + value;
  plane[row + 3] = plane[row + 3]! + value;
  row += stride;
  plane[row] = plane[row]! + value;
  plane[row + 1] = plane[row + 1]! + value;
  plane[row + 2] = plane[row + 2]! + value;
  plane[row + 3] = plane[row + 3]! + value;
}

/** Inverse Walsh-Hadamard transform of the Y2 block (RFC 6386 §14.3): its 16 outputs become the DC of each Y block. */
export function inverseWalsh(coeffs: Int16Array, from: number, scratch: Int32Array, out: Int16Array): void {
  for (let i = 0; i < 4; i++) {
    const a1 = coeffs[from + i]! + coeffs[from + 12 + i]!;
    const b1 = coeffs[from + 4 + i]! + coeffs[from + 8 + i]!;
    const c1 = coeffs[from + 4 + i]! - coeffs[from + 8 + i]!;
    const d1 = coeffs[from + i]! - coeffs[from + 12 + i]!;
    scratch[i] = a1 + b1;
    scratch[4 + i] = c1 + d1;
    scratch[8 + i] = a1 - b1;
    scratch[12 + i] = d1 - c1;
  }
  for (let i = 0; i < 4; i++) {
    const a1 = scratch[i * 4]! + scratch[i * 4 + 3]!;
    const b1 = scratch[i * 4 + 1]! + scratch[i * 4 + 2]!;
    const c1 = scratch[i * 4 + 1]! - scratch[i * 4 + 2]!;
    const d1 = scratch[i * 4]! - scratch[i * 4 + 3]!;
    // Output i*4 + k is the DC of Y block i*4 + k.
    out[(i * 4) * 16] = (a1 + b1 + 3) >> 3;
    out[(i * 4 + 1) * 16] = (c1 + d1 + 3) >> 3;
    out[(i * 4 + 2) * 16] = (a1 - b1 + 3) >> 3;
    out[(i * 4 + 3) * 16] = (d1 - c1 + 3) >> 3;
  }
}
