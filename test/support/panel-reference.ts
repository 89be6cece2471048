// A deliberately plain model of what the panel should show for a full RGBA canvas, written from the
// rules in docs/artwork.md without the compositor's tricks (no sampled canvas, no lookup tables, no
// stepping): for every physical pixel, undo the rotation and mirror, find the scaled picture's pixel,
// take the source pixel under its centre, composite onto the background. Portable.

import type { PanelGeometry } from "../../src/display/geometry.js";

export function referencePlacement(sourceWidth: number, sourceHeight: number, panelWidth: number, panelHeight: number) {
  let k = 1;
  while ((k + 1) * sourceWidth <= panelWidth && (k + 1) * sourceHeight <= panelHeight) k++;
  let width = k * sourceWidth;
  let height = k * sourceHeight;
  if (width > panelWidth || height > panelHeight) {
    // Shrink: the side that limits fills the panel; the other keeps the aspect ratio, rounded half up.
    if (panelWidth / sourceWidth <= panelHeight / sourceHeight) {
      width = panelWidth;
      height = Math.max(1, Math.round((sourceHeight * panelWidth) / sourceWidth));
    } else {
      height = panelHeight;
      width = Math.max(1, Math.round((sourceWidth * panelHeight) / sourceHeight));
    }
  }
  return { width, height, left: Math.floor((panelWidth - width) / 2), top: Math.floor((panelHeight - height) / 2) };
}

/** RGB888 panel frame for an RGBA canvas (width * height * 4), per the documented rules. */
export function referencePanel(canvas: Uint8Array, sourceWidth: number, sourceHeight: number, geometry: PanelGeometry, background = 0): Uint8Array {
  const { width: pw, height: ph, rotation, mirror } = geometry;
  const turned = rotation === 90 || rotation === 270;
  const lw = turned ? ph : pw;
  const lh = turned ? pw : ph;
  const place = referencePlacement(sourceWidth, sourceHeight, lw, lh);
  const bg = [(background >> 16) & 255, (background >> 8) & 255, background & 255];
  const out = new Uint8Array(pw * ph * 3);
  for (let py = 0; py < ph; py++) {
    for (let px = 0; px < pw; px++) {
      // Undo the clockwise turn, then the mirror.
      let lx: number;
      let ly: number;
      if (rotation === 90) [lx, ly] = [py, pw - 1 - px];
      else if (rotation === 180) [lx, ly] = [pw - 1 - px, ph - 1 - py];
      else if (rotation === 270) [lx, ly] = [ph - 1 - py, px];
      else [lx, ly] = [px, py];
      if (mirror) lx = lw - 1 - lx;
      let rgb = bg;
      const dx = lx - place.left;
      const dy = ly - place.top;
      if (dx >= 0 && dy >= 0 && dx < place.width && dy < place.height) {
        const sx = Math.floor(((dx + 0.5) * sourceWidth) / place.width);
        const sy = Math.floor(((dy + 0.5) * sourceHeight) / place.height);
        const at = (sy * sourceWidth + sx) * 4;
        const a = canvas[at + 3]!;
        rgb = [0, 1, 2].map((c) => Math.round((canvas[at + c]! * a + bg[c]! * (255 - a)) / 255));
      }
      out.set(rgb, (py * pw + px) * 3);
    }
  }
  return out;
}
