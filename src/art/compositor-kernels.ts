// The compositor's per-pixel kernels in TypeScript: the portable default and the oracle of the native
// twins (hosts/moddable/native/art_kernels.c; docs/native-kernels.md). The arithmetic is described in
// compositor.ts.

import type { CompositorKernels, RenderLayout } from "../ports.js";

export const tsCompositorKernels: CompositorKernels = Object.freeze({
  compositeRow(canvas: Uint8Array, sourceX: Int16Array, rowBase: number, c0: number, c1: number, first: number, step: number, count: number, rgba: Uint8Array, over: boolean): void {
    // Visit only the sampled columns in the frame's region: cheaper than every delivered pixel.
    for (let column = c0; column < c1; column++) {
      let i = sourceX[column]! - first;
      if (i < 0) continue;
      if (step !== 1) {
        if (i % step !== 0) continue;
        i = i / step;
      }
      if (i >= count) break;
      const s = i * 4;
      const d = rowBase + column * 4;
      const sa = rgba[s + 3]!;
      if (!over || sa === 255) {
        canvas[d] = rgba[s]!;
        canvas[d + 1] = rgba[s + 1]!;
        canvas[d + 2] = rgba[s + 2]!;
        canvas[d + 3] = sa;
      } else if (sa !== 0) {
        blendOver(canvas, d, rgba, s, sa);
      }
    }
  },

  render(target: Uint8Array, canvas: Uint8Array, pictureColumn: Int16Array, pictureRow: Int16Array, layout: RenderLayout): void {
    const { rowBytes, left, top, logicalWidth, logicalHeight, origin, stepX, stepY, background } = layout;
    const r = (background >> 16) & 255;
    const g = (background >> 8) & 255;
    const b = background & 255;
    const right = left + layout.width;
    const bottom = top + layout.height;
    const step = stepX * 3;
    for (let ly = 0; ly < logicalHeight; ly++) {
      let p = (origin + ly * stepY) * 3;
      const inside = ly >= top && ly < bottom;
      const base = inside ? pictureRow[ly - top]! * rowBytes : 0;
      for (let lx = 0; lx < logicalWidth; lx++, p += step) {
        if (!inside || lx < left || lx >= right) {
          target[p] = r;
          target[p + 1] = g;
          target[p + 2] = b;
          continue;
        }
        const s = base + pictureColumn[lx - left]! * 4;
        const a = canvas[s + 3]!;
        if (a === 255) {
          target[p] = canvas[s]!;
          target[p + 1] = canvas[s + 1]!;
          target[p + 2] = canvas[s + 2]!;
        } else if (a === 0) {
          target[p] = r;
          target[p + 1] = g;
          target[p + 2] = b;
        } else {
          const inverse = 255 - a;
          target[p] = Math.floor((canvas[s]! * a + r * inverse + 127) / 255);
          target[p + 1] = Math.floor((canvas[s + 1]! * a + g * inverse + 127) / 255);
          target[p + 2] = Math.floor((canvas[s + 2]! * a + b * inverse + 127) / 255);
        }
      }
    }
  },
});

/** Straight-alpha "over" of source pixel s onto canvas pixel d (0 < sa < 255). */
function blendOver(canvas: Uint8Array, d: number, rgba: Uint8Array, s: number, sa: number): void {
  const da = canvas[d + 3]!;
  const dw = da * (255 - sa);
  const sw = sa * 255;
  const total = sw + dw;
  const half = total >> 1;
  canvas[d] = Math.floor((rgba[s]! * sw + canvas[d]! * dw + half) / total);
  canvas[d + 1] = Math.floor((rgba[s + 1]! * sw + canvas[d + 1]! * dw + half) / total);
  canvas[d + 2] = Math.floor((rgba[s + 2]! * sw + canvas[d + 2]! * dw + half) / total);
  canvas[d + 3] = Math.floor((total + 127) / 255);
}
