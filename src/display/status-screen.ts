// Status screens: short messages drawn on the panel when there is no art to show — connecting, the
// service blocked this player, the certificate was refused, no artwork. Words wrap to the panel width;
// what does not fit is cut with an ellipsis. Draws into a caller-owned RGB888 frame (no allocation).

import { drawCharacters, GLYPH_ADVANCE, GLYPH_HEIGHT } from "./font.js";
import { deepFreeze } from "../util/freeze.js";

export interface StatusStyle {
  /** Text colour, 0xRRGGBB. */
  color: number;
  background: number;
}

export const STATUS_COLORS = deepFreeze({
  info: { color: 0x6fa8ff, background: 0x000000 },
  warning: { color: 0xffb02e, background: 0x000000 },
  error: { color: 0xff4040, background: 0x000000 },
} as const);

const LINE_HEIGHT = GLYPH_HEIGHT + 2;

/**
 * Splits text into lines of at most `columns` characters, breaking at spaces where possible; a
 * no-break space (U+00A0) joins two words that must stay on one line (it is drawn as a space).
 * Characters are code points, counted and cut the same way under both string models (an emoji is
 * one glyph cell in Node and on the device, and is never cut in half).
 */
export function wrapText(text: string, columns: number, maximumLines: number): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  for (const word of text.split(/[^\S\u00a0]+/)) {
    if (word.length === 0) continue;
    let rest = Array.from(word);
    while (rest.length > 0) {
      const room = columns - (line.length > 0 ? line.length + 1 : 0);
      if (rest.length <= room) {
        line = line.length > 0 ? [...line, " ", ...rest] : rest;
        rest = [];
      } else if (line.length > 0 && rest.length <= columns) {
        lines.push(line.join(""));
        line = [];
      } else {
        // A word longer than a line is split.
        const take = line.length > 0 ? room : columns;
        if (take <= 0) {
          lines.push(line.join(""));
          line = [];
          continue;
        }
        const head = rest.slice(0, take);
        lines.push((line.length > 0 ? [...line, " ", ...head] : head).join(""));
        rest = rest.slice(take);
        line = [];
      }
    }
  }
  if (line.length > 0) lines.push(line.join(""));
  if (lines.length > maximumLines) {
    const kept = lines.slice(0, maximumLines);
    const last = Array.from(kept[maximumLines - 1]!);
    kept[maximumLines - 1] = (last.length >= columns ? last.slice(0, columns - 1) : last).join("") + "…";
    return kept;
  }
  return lines;
}

/** Fills `frame` (width × height × 3) with the message, centred. */
export function drawStatus(frame: Uint8Array, width: number, height: number, message: string, style: StatusStyle): void {
  const columns = Math.max(1, Math.floor((width + 1) / GLYPH_ADVANCE));
  const maximumLines = Math.max(1, Math.floor((height + 2) / LINE_HEIGHT));
  const lines = wrapText(message, columns, maximumLines);
  fill(frame, style.background);
  const top = Math.max(0, Math.floor((height - (lines.length * LINE_HEIGHT - 2)) / 2));
  lines.forEach((line, row) => {
    const characters = Array.from(line);
    const left = Math.max(0, Math.floor((width - (characters.length * GLYPH_ADVANCE - 1)) / 2));
    drawCharacters(frame, width, height, characters, left, top + row * LINE_HEIGHT, style.color);
  });
}

function fill(frame: Uint8Array, color: number): void {
  const red = (color >> 16) & 0xff;
  const green = (color >> 8) & 0xff;
  const blue = color & 0xff;
  for (let at = 0; at < frame.length; at += 3) {
    frame[at] = red;
    frame[at + 1] = green;
    frame[at + 2] = blue;
  }
}
