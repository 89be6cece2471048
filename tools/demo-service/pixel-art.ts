// Procedural pixel art for the demo catalogue: sprites, patterns, landscapes and a few animations,
// drawn into RGBA frames from a seeded random source so every run produces the same pictures.

import { pick, randomInt, type Random } from "./random.js";

/** RGBA frames of one picture; `delaysMs` has one entry per frame (empty for a still). */
export interface PixelArt {
  width: number;
  height: number;
  frames: Uint8Array[];
  delaysMs: number[];
}

/** 0xRRGGBBAA */
type Colour = number;

const PALETTES: readonly (readonly Colour[])[] = [
  [0x1a1c2cff, 0x5d275dff, 0xb13e53ff, 0xef7d57ff, 0xffcd75ff, 0xa7f070ff, 0x38b764ff, 0x257179ff],
  [0x29366fff, 0x3b5dc9ff, 0x41a6f6ff, 0x73eff7ff, 0xf4f4f4ff, 0x94b0c2ff, 0x566c86ff, 0x333c57ff],
  [0x2b0f54ff, 0xab1f65ff, 0xff4f69ff, 0xfff7f8ff, 0xff8142ff, 0xffda45ff, 0x3368dcff, 0x49e7ecff],
  [0x0f380fff, 0x306230ff, 0x8bac0fff, 0x9bbc0fff],
];

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 4);
  }
  set(x: number, y: number, colour: Colour): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    this.pixels[i] = colour >>> 24;
    this.pixels[i + 1] = (colour >>> 16) & 0xff;
    this.pixels[i + 2] = (colour >>> 8) & 0xff;
    this.pixels[i + 3] = colour & 0xff;
  }
  fill(colour: Colour): void {
    this.rect(0, 0, this.width, this.height, colour);
  }
  rect(x0: number, y0: number, w: number, h: number, colour: Colour): void {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.set(x, y, colour);
  }
  disc(cx: number, cy: number, r: number, colour: Colour): void {
    for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
      for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) this.set(x, y, colour);
      }
    }
  }
}

function still(canvas: Canvas): PixelArt {
  return { width: canvas.width, height: canvas.height, frames: [canvas.pixels], delaysMs: [] };
}

/** A mirrored "space invader" on a transparent background, `cells` × `cells` scaled to `size`. */
export function sprite(random: Random, size: number, cells = 8): PixelArt {
  const palette = pick(random, PALETTES);
  const body = palette[randomInt(random, 1, palette.length - 1)]!;
  const eye = palette[0]!;
  const canvas = new Canvas(size, size);
  const scale = size / cells;
  const half = Math.ceil(cells / 2);
  for (let cy = 1; cy < cells - 1; cy++) {
    for (let cx = 0; cx < half; cx++) {
      const on = random() < 0.55 - Math.abs(cy - cells / 2) * 0.04;
      if (!on) continue;
      const colour = cy === Math.floor(cells / 3) && cx === half - 2 ? eye : body;
      canvas.rect(cx * scale, cy * scale, scale, scale, colour);
      canvas.rect((cells - 1 - cx) * scale, cy * scale, scale, scale, colour);
    }
  }
  return still(canvas);
}

/** Two-colour checkerboard; `cell` pixels per square. */
export function checker(random: Random, width: number, height: number, cell: number): PixelArt {
  const palette = pick(random, PALETTES);
  const a = palette[0]!;
  const b = palette[randomInt(random, 2, palette.length - 1)]!;
  const canvas = new Canvas(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) canvas.set(x, y, (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? a : b);
  return still(canvas);
}

/** Sum-of-sines plasma quantised to a palette: many pixels, few colours. */
export function plasma(random: Random, width: number, height: number, phase = 0): PixelArt {
  const palette = pick(random, PALETTES);
  const fx = 0.05 + random() * 0.1;
  const fy = 0.05 + random() * 0.1;
  return still(plasmaCanvas(width, height, palette, fx, fy, phase));
}

function plasmaCanvas(width: number, height: number, palette: readonly Colour[], fx: number, fy: number, phase: number): Canvas {
  const canvas = new Canvas(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.sin(x * fx + phase) + Math.sin(y * fy + phase * 0.7) + Math.sin((x + y) * fx * 0.5 + phase * 1.3);
      const index = Math.min(palette.length - 1, Math.floor(((v + 3) / 6) * palette.length));
      canvas.set(x, y, palette[index]!);
    }
  }
  return canvas;
}

/** Sky bands, a sun, a mountain ridge and the ground. */
export function landscape(random: Random, width: number, height: number): PixelArt {
  const canvas = new Canvas(width, height);
  const sky = [0x29366fff, 0x3b5dc9ff, 0x41a6f6ff, 0x73eff7ff];
  const horizon = Math.floor(height * 0.7);
  for (let y = 0; y < horizon; y++) canvas.rect(0, y, width, 1, sky[Math.min(sky.length - 1, Math.floor((y / horizon) * sky.length))]!);
  canvas.disc(width * (0.2 + random() * 0.6), height * 0.25, Math.max(2, height / 8), 0xffcd75ff);
  let ridge = horizon - height * 0.2;
  for (let x = 0; x < width; x++) {
    ridge = Math.max(height * 0.3, Math.min(horizon, ridge + randomInt(random, -2, 2)));
    canvas.rect(x, Math.floor(ridge), 1, horizon - Math.floor(ridge), 0x566c86ff);
  }
  canvas.rect(0, horizon, width, height - horizon, 0x38b764ff);
  for (let i = 0; i < width / 6; i++) canvas.set(randomInt(random, 0, width - 1), randomInt(random, horizon, height - 1), 0x257179ff);
  return still(canvas);
}

/** A soft glow: partially transparent pixels (alpha between 0 and 255). */
export function glow(random: Random, size: number): PixelArt {
  const canvas = new Canvas(size, size);
  const colour = pick(random, PALETTES[2]!) & 0xffffff00;
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c) / (size / 2);
      const alpha = Math.max(0, Math.round((1 - d) * 4)) * 63;
      if (alpha > 0) canvas.set(x, y, colour | Math.min(255, alpha));
    }
  }
  return still(canvas);
}

/** Brick wall, fully opaque. */
export function bricks(random: Random, width: number, height: number): PixelArt {
  const canvas = new Canvas(width, height);
  canvas.fill(0x94b0c2ff);
  const brick = [0xb13e53ff, 0xef7d57ff, 0x5d275dff];
  for (let row = 0; row * 4 < height; row++) {
    const offset = row % 2 ? 4 : 0;
    for (let x = -offset; x < width; x += 8) canvas.rect(x, row * 4, 7, 3, pick(random, brick));
  }
  return still(canvas);
}

/** A ball bouncing on a transparent background. */
export function bounce(random: Random, width: number, height: number, frameCount: number, delayMs: number): PixelArt {
  const colour = pick(random, PALETTES[0]!.slice(2));
  const r = Math.max(2, Math.floor(Math.min(width, height) / 6));
  const frames: Uint8Array[] = [];
  for (let f = 0; f < frameCount; f++) {
    const canvas = new Canvas(width, height);
    const t = f / frameCount;
    const x = r + (width - 2 * r - 1) * t;
    const y = height - 1 - r - Math.abs(Math.sin(t * Math.PI * 2)) * (height - 2 * r - 1);
    canvas.disc(x, y, r, colour);
    canvas.rect(0, height - 1, width, 1, 0x333c57ff);
    frames.push(canvas.pixels);
  }
  return { width, height, frames, delaysMs: frames.map(() => delayMs) };
}

/** A rotating spoke wheel on a solid background. */
export function spinner(random: Random, size: number, frameCount: number, delayMs: number): PixelArt {
  const palette = pick(random, PALETTES);
  const frames: Uint8Array[] = [];
  const c = (size - 1) / 2;
  for (let f = 0; f < frameCount; f++) {
    const canvas = new Canvas(size, size);
    canvas.fill(palette[0]!);
    for (let spoke = 0; spoke < 4; spoke++) {
      const angle = (f / frameCount) * (Math.PI / 2) + (spoke * Math.PI) / 2;
      for (let d = 0; d < size / 2 - 1; d += 0.5) canvas.set(Math.round(c + Math.cos(angle) * d), Math.round(c + Math.sin(angle) * d), palette[1 + spoke]!);
    }
    frames.push(canvas.pixels);
  }
  return { width: size, height: size, frames, delaysMs: frames.map(() => delayMs) };
}

/** Stars scrolling left at three speeds; a long first frame (per-frame delays differ). */
export function starfield(random: Random, width: number, height: number, frameCount: number): PixelArt {
  const stars = Array.from({ length: Math.floor((width * height) / 40) }, () => ({
    x: random() * width,
    y: randomInt(random, 0, height - 1),
    speed: pick(random, [1, 2, 3]),
  }));
  const frames: Uint8Array[] = [];
  for (let f = 0; f < frameCount; f++) {
    const canvas = new Canvas(width, height);
    canvas.fill(0x1a1c2cff);
    for (const star of stars) canvas.set(Math.floor((star.x - f * star.speed + width * 10) % width), star.y, [0, 0x566c86ff, 0x94b0c2ff, 0xf4f4f4ff][star.speed]!);
    frames.push(canvas.pixels);
  }
  return { width, height, frames, delaysMs: frames.map((_, i) => (i === 0 ? 500 : 80)) };
}

/** The classic cellular fire, rising from the bottom row. */
export function fire(random: Random, width: number, height: number, frameCount: number): PixelArt {
  const ramp = [0x00000000, 0x5d275dff, 0xb13e53ff, 0xef7d57ff, 0xffcd75ff, 0xfff7f8ff];
  const heat = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) heat[(height - 1) * width + x] = ramp.length - 1;
  const frames: Uint8Array[] = [];
  for (let f = 0; f < frameCount + 8; f++) {
    for (let y = 0; y < height - 1; y++) {
      for (let x = 0; x < width; x++) {
        const below = heat[(y + 1) * width + Math.min(width - 1, Math.max(0, x + randomInt(random, -1, 1)))]!;
        heat[y * width + x] = Math.max(0, below - (random() < 0.45 ? 1 : 0));
      }
    }
    if (f < 8) continue; // let the fire rise before recording
    const canvas = new Canvas(width, height);
    for (let i = 0; i < heat.length; i++) canvas.set(i % width, Math.floor(i / width), ramp[heat[i]!]!);
    frames.push(canvas.pixels);
  }
  return { width, height, frames, delaysMs: frames.map(() => 100) };
}

/** A plasma whose phase moves: a full-colour animation on a large canvas. */
export function plasmaLoop(random: Random, width: number, height: number, frameCount: number): PixelArt {
  const palette = pick(random, PALETTES);
  const fx = 0.08 + random() * 0.05;
  const fy = 0.08 + random() * 0.05;
  const frames: Uint8Array[] = [];
  for (let f = 0; f < frameCount; f++) frames.push(plasmaCanvas(width, height, palette, fx, fy, (f / frameCount) * Math.PI * 2).pixels);
  return { width, height, frames, delaysMs: frames.map(() => 120) };
}

/** Pixels with alpha below 255 / strictly between 0 and 255, and distinct RGBA values, over all frames. */
export function pixelFacts(art: PixelArt): { transparent: boolean; partialAlpha: boolean; uniqueColours: number } {
  let transparent = false;
  let partialAlpha = false;
  const colours = new Set<number>();
  for (const frame of art.frames) {
    for (let i = 0; i < frame.length; i += 4) {
      const alpha = frame[i + 3]!;
      if (alpha < 255) transparent = true;
      if (alpha > 0 && alpha < 255) partialAlpha = true;
      colours.add(((frame[i]! << 24) | (frame[i + 1]! << 16) | (frame[i + 2]! << 8) | alpha) >>> 0);
    }
  }
  return { transparent, partialAlpha, uniqueColours: colours.size };
}

/** The frame composited onto white, RGB: what the GIF and BMP renditions show. */
export function flattenOnWhite(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array((frame.length / 4) * 3);
  for (let i = 0, o = 0; i < frame.length; i += 4, o += 3) {
    const alpha = frame[i + 3]!;
    for (let c = 0; c < 3; c++) out[o + c] = Math.round((frame[i + c]! * alpha + 255 * (255 - alpha)) / 255);
  }
  return out;
}
