// A plain reference compositor for animations whose frames come from a decoder (ours or a reference
// decoder's), on a full RGBA canvas that starts transparent, written from the rules in docs/artwork.md
// without the compositor's sampling: a frame replaces its region (Blend.source) or is alpha-blended
// over it (Blend.over, straight alpha, exact integer rounding); after it is shown its region is left
// (Dispose.none), cleared to transparent (Dispose.background) or restored to what it was before the
// frame was drawn (Dispose.previous). Covers APNG and WebP animations. Portable.

import { Blend, Dispose, type FrameHeader } from "../../src/art/image.js";

/** The canvas after each frame (width × height × 4 bytes each). */
export function compose(width: number, height: number, frames: { header: FrameHeader; rgba: Uint8Array }[]): Uint8Array[] {
  let canvas = new Uint8Array(width * height * 4);
  const out: Uint8Array[] = [];
  for (const { header, rgba } of frames) {
    const saved = header.dispose === Dispose.previous ? canvas.slice() : undefined;
    for (let y = 0; y < header.height; y++) {
      for (let x = 0; x < header.width; x++) {
        const s = (y * header.width + x) * 4;
        const t = ((header.top + y) * width + header.left + x) * 4;
        const alpha = rgba[s + 3]!;
        if (header.blend === Blend.source || alpha === 255) canvas.set(rgba.subarray(s, s + 4), t);
        else if (alpha > 0) {
          const under = canvas[t + 3]!;
          const total = alpha * 255 + under * (255 - alpha);
          for (let c = 0; c < 3; c++) canvas[t + c] = Math.round((rgba[s + c]! * alpha * 255 + canvas[t + c]! * under * (255 - alpha)) / total);
          canvas[t + 3] = Math.round(total / 255);
        }
      }
    }
    out.push(canvas.slice());
    if (header.dispose === Dispose.background) {
      for (let y = 0; y < header.height; y++) canvas.fill(0, ((header.top + y) * width + header.left) * 4, ((header.top + y) * width + header.left + header.width) * 4);
    } else if (saved) canvas = saved;
  }
  return out;
}
