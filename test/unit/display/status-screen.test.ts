// Status screens: wrapping, cutting, centring, and the glyphs themselves.

import { test } from "node:test";
import assert from "node:assert/strict";
import { glyphOf, glyphPixel } from "../../../src/display/font.js";
import { drawStatus, STATUS_COLORS, wrapText } from "../../../src/display/status-screen.js";

/** The frame as text: '#' for lit pixels. */
function ascii(frame: Uint8Array, width: number, height: number): string[] {
  const rows: string[] = [];
  for (let y = 0; y < height; y++) {
    let row = "";
    for (let x = 0; x < width; x++) row += frame[(y * width + x) * 3]! || frame[(y * width + x) * 3 + 1]! ? "#" : ".";
    rows.push(row);
  }
  return rows;
}

test("text wraps at spaces, splits over-long words, and ends with an ellipsis when cut", () => {
  assert.deepEqual(wrapText("connecting to makapix club", 16, 5), ["connecting to", "makapix club"]);
  assert.deepEqual(wrapText("certificate refused", 8, 5), ["certific", "ate", "refused"]);
  assert.deepEqual(wrapText("a b c d e f g h", 3, 2), ["a b", "c …"]);
  assert.deepEqual(wrapText("", 16, 5), []);
});

test("a no-break space keeps two words on one line and is drawn as a space", () => {
  assert.deepEqual(wrapText("site 15min\u00a0left", 10, 5), ["site", "15min\u00a0left"]);
  assert.deepEqual(wrapText("site 15min left", 10, 5), ["site 15min", "left"], "with plain spaces it would break");
  const nbsp = new Uint8Array(16 * 5 * 3);
  const plain = new Uint8Array(16 * 5 * 3);
  drawStatus(nbsp, 16, 5, "a\u00a0b", STATUS_COLORS.info);
  drawStatus(plain, 16, 5, "a b", STATUS_COLORS.info);
  assert.deepEqual(ascii(nbsp, 16, 5), ascii(plain, 16, 5));
});

test("an emoji is one character cell under both string models, and never cut in half", () => {
  const wave = "\u{1F44B}";
  assert.deepEqual(wrapText(`hi ${wave}${wave}${wave}${wave}`, 3, 5), ["hi", `${wave}${wave}${wave}`, wave]);
  assert.deepEqual(wrapText(`${wave} ${wave} ${wave} ${wave} ${wave}`, 3, 2), [`${wave} ${wave}`, `${wave} …`]);
  // Drawn: two cells (two unknown-glyph boxes), centred as two characters.
  const frame = new Uint8Array(16 * 5 * 3);
  drawStatus(frame, 16, 5, `${wave}${wave}`, STATUS_COLORS.info);
  assert.deepEqual(ascii(frame, 16, 5)[0], "....###.###.....");
});

test("glyphs: 'T' has a full top row and a centre stem; lower case draws as upper case", () => {
  const t = glyphOf("T");
  assert.deepEqual([0, 1, 2].map((x) => glyphPixel(t, x, 0)), [true, true, true]);
  assert.deepEqual([0, 1, 2].map((x) => glyphPixel(t, x, 4)), [false, true, false]);
  assert.equal(glyphOf("t"), t);
  assert.notEqual(glyphOf("\u0007"), glyphOf(" "), "unknown characters show as a box, not as nothing");
});

test("a message is drawn centred in its colour on the background", () => {
  const width = 16;
  const height = 9;
  const frame = new Uint8Array(width * height * 3).fill(7);
  drawStatus(frame, width, height, "HI", STATUS_COLORS.error);
  const rows = ascii(frame, width, height);
  assert.deepEqual(rows, [
    "................",
    "................",
    "....#.#.###.....",
    "....#.#..#......",
    "....###..#......",
    "....#.#..#......",
    "....#.#.###.....",
    "................",
    "................",
  ]);
  assert.deepEqual([...frame.subarray((2 * width + 4) * 3, (2 * width + 4) * 3 + 3)], [0xff, 0x40, 0x40]);
  assert.deepEqual([...frame.subarray(0, 3)], [0, 0, 0], "background replaced");
});

test("a long message on a 64×32 panel uses at most 4 lines and stays inside the frame", () => {
  const frame = new Uint8Array(64 * 32 * 3);
  drawStatus(frame, 64, 32, "The service blocked this player for now. Retrying in 120 s. Your credentials are kept.", STATUS_COLORS.warning);
  const rows = ascii(frame, 64, 32);
  const lit = rows.filter((row) => row.includes("#")).length;
  assert.ok(lit > 0 && lit <= 4 * 5, `${lit} rows lit`);
});
