// A 3×5 pixel font for status screens on a 64×32 panel (16 characters a line, 5 lines). Upper case,
// digits and the punctuation status texts need; lower case is drawn as upper case. Each glyph is 15
// bits, row by row, most significant bit top-left, so the whole font is one small table.

const GLYPH_ROWS: { [character: string]: string } = Object.freeze({
  A: "010 101 111 101 101",
  B: "110 101 110 101 110",
  C: "011 100 100 100 011",
  D: "110 101 101 101 110",
  E: "111 100 110 100 111",
  F: "111 100 110 100 100",
  G: "011 100 101 101 011",
  H: "101 101 111 101 101",
  I: "111 010 010 010 111",
  J: "001 001 001 101 010",
  K: "101 101 110 101 101",
  L: "100 100 100 100 111",
  M: "101 111 111 101 101",
  N: "110 101 101 101 101",
  O: "010 101 101 101 010",
  P: "110 101 110 100 100",
  Q: "010 101 101 110 011",
  R: "110 101 110 101 101",
  S: "011 100 010 001 110",
  T: "111 010 010 010 010",
  U: "101 101 101 101 111",
  V: "101 101 101 101 010",
  W: "101 101 111 111 101",
  X: "101 101 010 101 101",
  Y: "101 101 010 010 010",
  Z: "111 001 010 100 111",
  "0": "111 101 101 101 111",
  "1": "010 110 010 010 111",
  "2": "110 001 010 100 111",
  "3": "110 001 010 001 110",
  "4": "101 101 111 001 001",
  "5": "111 100 110 001 110",
  "6": "011 100 111 101 111",
  "7": "111 001 010 010 010",
  "8": "111 101 111 101 111",
  "9": "111 101 111 001 110",
  " ": "000 000 000 000 000",
  "\u00a0": "000 000 000 000 000",
  ".": "000 000 000 000 010",
  ",": "000 000 000 010 100",
  ":": "000 010 000 010 000",
  "-": "000 000 111 000 000",
  "+": "000 010 111 010 000",
  "/": "001 001 010 100 100",
  "!": "010 010 010 000 010",
  "?": "110 001 010 000 010",
  "%": "101 001 010 100 101",
  "(": "001 010 010 010 001",
  ")": "100 010 010 010 100",
  "#": "101 111 101 111 101",
  "'": "010 010 000 000 000",
  "_": "000 000 000 000 111",
  "=": "000 111 000 111 000",
  "…": "000 000 000 000 101",
});

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;
/** Horizontal advance: the glyph and one pixel of space. */
export const GLYPH_ADVANCE = 4;

const GLYPHS = new Map<string, number>();
for (const [character, rows] of Object.entries(GLYPH_ROWS)) GLYPHS.set(character, Number.parseInt(rows.split(" ").join(""), 2));
const UNKNOWN = Number.parseInt("111101101101111", 2);

/** The 15-bit glyph of a character (unknown ones as a box). */
export function glyphOf(character: string): number {
  return GLYPHS.get(character) ?? GLYPHS.get(character.toUpperCase()) ?? UNKNOWN;
}

/** Whether pixel (x, y) of the glyph is lit. */
export function glyphPixel(glyph: number, x: number, y: number): boolean {
  return ((glyph >> (14 - (y * GLYPH_WIDTH + x))) & 1) === 1;
}

/**
 * Draws `characters` (one glyph each) into `frame` (width × height × 3) from (left, top) in 0xRRGGBB
 * `color`; pixels off the frame are skipped. The one glyph loop of the status screens and test patterns.
 */
export function drawCharacters(frame: Uint8Array, width: number, height: number, characters: readonly string[], left: number, top: number, color: number): void {
  const red = (color >> 16) & 0xff;
  const green = (color >> 8) & 0xff;
  const blue = color & 0xff;
  for (let index = 0; index < characters.length; index++) {
    const glyph = glyphOf(characters[index]!);
    for (let y = 0; y < GLYPH_HEIGHT; y++) {
      for (let x = 0; x < GLYPH_WIDTH; x++) {
        if (!glyphPixel(glyph, x, y)) continue;
        const px = left + index * GLYPH_ADVANCE + x;
        const py = top + y;
        if (px < 0 || py < 0 || px >= width || py >= height) continue;
        const at = (py * width + px) * 3;
        frame[at] = red;
        frame[at + 1] = green;
        frame[at + 2] = blue;
      }
    }
  }
}
