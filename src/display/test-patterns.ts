// Test patterns for the panel wizard (src/device/panel-wizard.ts): pictures that make a wrong driver
// chip, scan mapping, clock phase or clock speed obvious to a person looking at the panel. Each is drawn
// into a caller-owned RGB888 frame in panel coordinates (no rotation: the wizard tunes the electronics,
// not the picture), with a short label naming the candidate on show.
//
// - "bars": eight full-height colour bars. A driver chip that needs set-up words stays dark, dim or
//   flickers until the right chip is chosen.
// - "rows": a closed one-pixel white frame, a colour block in each corner (red top left, green top right,
//   blue bottom left, yellow bottom right) and row numbers every 8 rows. A wrong scan mapping repeats,
//   interleaves or splits the rows, so the frame breaks and the numbers come out of order.
// - "stripes": one-pixel vertical stripes (white, black) inside a frame. With the wrong clock phase the
//   data is sampled a clock early or late: stripes smear or shift and an edge column goes missing.
// - "sweep": a vertical and a horizontal line moving across a dim grid (animated by `tick`). A clock too
//   fast for the panel or its cable shows as sparkles and broken lines.

import { drawCharacters, GLYPH_ADVANCE, GLYPH_HEIGHT } from "./font.js";

export type TestPattern = "bars" | "rows" | "stripes" | "sweep";

/** Bar colours left to right, 0xRRGGBB: the classic order, so a missing colour channel stands out. */
const BAR_COLORS: readonly number[] = Object.freeze([0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x808080]);
export const CORNER_COLORS = Object.freeze({ topLeft: 0xff0000, topRight: 0x00ff00, bottomLeft: 0x0000ff, bottomRight: 0xffff00 });
const WHITE = 0xffffff;
const GRID = 0x202020;
const LABEL = 0x6fa8ff;
const CORNER = 4;

/** Draws `pattern` with `label` into `frame` (width × height × 3). `tick` moves the animated patterns. */
export function drawTestPattern(frame: Uint8Array, width: number, height: number, pattern: TestPattern, label: string, tick = 0): void {
  frame.fill(0);
  switch (pattern) {
    case "bars":
      for (let x = 0; x < width; x++) fillRect(frame, width, x, 0, 1, height, BAR_COLORS[Math.floor((x * BAR_COLORS.length) / width)]!);
      drawText(frame, width, height, label, 1, 1, 0x000000, 0xffffff);
      return;
    case "rows":
      drawBorder(frame, width, height, WHITE);
      fillRect(frame, width, 0, 0, CORNER, CORNER, CORNER_COLORS.topLeft);
      fillRect(frame, width, width - CORNER, 0, CORNER, CORNER, CORNER_COLORS.topRight);
      fillRect(frame, width, 0, height - CORNER, CORNER, CORNER, CORNER_COLORS.bottomLeft);
      fillRect(frame, width, width - CORNER, height - CORNER, CORNER, CORNER, CORNER_COLORS.bottomRight);
      for (let row = 8; row + GLYPH_HEIGHT < height - 1; row += 8) drawText(frame, width, height, String(row), CORNER + 2, row + 1, WHITE, -1);
      drawText(frame, width, height, label, CORNER + 2, 1, LABEL, -1);
      return;
    case "stripes":
      for (let x = 0; x < width; x += 2) fillRect(frame, width, x, 0, 1, height, WHITE);
      drawBorder(frame, width, height, WHITE);
      drawText(frame, width, height, label, 2, Math.max(0, Math.floor((height - GLYPH_HEIGHT) / 2)), LABEL, 0x000000);
      return;
    case "sweep": {
      for (let x = 0; x < width; x += 8) fillRect(frame, width, x, 0, 1, height, GRID);
      for (let y = 0; y < height; y += 8) fillRect(frame, width, 0, y, width, 1, GRID);
      fillRect(frame, width, tick % width, 0, 1, height, WHITE);
      fillRect(frame, width, 0, tick % height, width, 1, 0x00ff00);
      drawText(frame, width, height, label, 1, 1, LABEL, 0x000000);
      return;
    }
  }
}

function fillRect(frame: Uint8Array, width: number, left: number, top: number, w: number, h: number, color: number): void {
  const red = (color >> 16) & 0xff;
  const green = (color >> 8) & 0xff;
  const blue = color & 0xff;
  const height = frame.length / (width * 3);
  for (let y = Math.max(0, top); y < Math.min(height, top + h); y++) {
    for (let x = Math.max(0, left); x < Math.min(width, left + w); x++) {
      const at = (y * width + x) * 3;
      frame[at] = red;
      frame[at + 1] = green;
      frame[at + 2] = blue;
    }
  }
}

function drawBorder(frame: Uint8Array, width: number, height: number, color: number): void {
  fillRect(frame, width, 0, 0, width, 1, color);
  fillRect(frame, width, 0, height - 1, width, 1, color);
  fillRect(frame, width, 0, 0, 1, height, color);
  fillRect(frame, width, width - 1, 0, 1, height, color);
}

/** Text in the 3×5 font at (left, top), cut at the frame's edge; `background` ≥ 0 fills the text's box. */
function drawText(frame: Uint8Array, width: number, height: number, text: string, left: number, top: number, color: number, background: number): void {
  const characters = Array.from(text);
  if (background >= 0) fillRect(frame, width, left - 1, top - 1, characters.length * GLYPH_ADVANCE + 1, GLYPH_HEIGHT + 2, background);
  drawCharacters(frame, width, height, characters, left, top, color);
}
