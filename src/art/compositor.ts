// The ImageSink that turns decoded frames into panel frames.
//
// Nearest-neighbour sampling picks a fixed set of canvas points, and compositing and disposal work pixel
// by pixel, so they commute with the sampling: only the canvas points some panel pixel shows are kept
// (the "sampled canvas", min(source, picture) points per axis, RGBA, starting transparent), plus a copy
// of them for Dispose.previous. Each finished frame is rendered to the panel: the sampled canvas
// composited onto the background colour, scaled and centred (src/display/geometry.ts), letterboxed in
// the background colour, mirrored and rotated.
//
// Panel frame format: RGB888, 3 bytes per pixel (R, G, B), rows top to bottom of the physical panel,
// pixels left to right, no padding: width * height * 3 bytes. Physical (x, y) is at (y * width + x) * 3.
//
// Alpha: the canvas is not premultiplied. Blend.over uses straight-alpha "over" with integer rounding:
//   a = sa*255 + da*(255 - sa);  out alpha = round(a / 255);  out colour = round((sc*sa*255 + dc*da*(255 - sa)) / a)
// and the panel shows round((c*a + background*(255 - a)) / 255). Alpha 0 and 255 take exact shortcuts.
//
// Memory (worst case, 128x64 panel showing a picture at least as large): sampled canvas
// 128*64*4 = 32 KiB, the Dispose.previous copy (allocated on first use) 32 KiB, index maps
// 2 * 256 * 2 + 2 * 128 * 2 bytes, and the internal panel frame 128*64*3 = 24 KiB unless every frame
// goes to a caller-owned buffer.

import { Blend, Dispose } from "./image.js";
import type { FrameHeader, ImageHeader, ImageSink } from "./image.js";
import { checkGeometry, orientation, placePicture, sourceIndex } from "../display/geometry.js";
import type { Orientation, PanelGeometry, Placement } from "../display/geometry.js";

/** Handed to onFrame for a frame the frameBuffer callback did not want. */
const NOT_RENDERED = new Uint8Array(0);

export interface CompositorOptions {
  geometry: PanelGeometry;
  /** Background colour 0xRRGGBB for letterbox and transparent pixels (default black). */
  background?: number;
  /** A finished panel frame. `frame` is only valid during the call unless it came from `frameBuffer`. */
  onFrame(frame: Uint8Array, delayMs: number, index: number): void;
  /**
   * Optional caller-owned buffer (width * height * 3 bytes) to render frame `index` into, e.g. a cache.
   * Returning undefined means the frame is not wanted (a thinned animation): it is not rendered, and
   * `onFrame` gets an empty array with its delay.
   */
  frameBuffer?(index: number): Uint8Array | undefined;
  /** The file is complete. */
  onEnd?(): void;
}

/** Read-only view of the sampled canvas, for tests and diagnostics. */
export interface SampledCanvas {
  width: number;
  height: number;
  /** RGBA, not premultiplied, width * height * 4. */
  rgba: Uint8Array;
  /** Source column / row of each sampled point. */
  sourceX: Int16Array;
  sourceY: Int16Array;
}

const NOT_SAMPLED = -1;

export class Compositor implements ImageSink {
  readonly geometry: PanelGeometry;
  private readonly options: CompositorOptions;
  private readonly orient: Orientation;
  private readonly backgroundR: number;
  private readonly backgroundG: number;
  private readonly backgroundB: number;
  /** The internal panel frame, allocated on first use (never when every frame goes to `frameBuffer`). */
  private panel: Uint8Array | undefined;

  private placement: Placement | undefined;
  private sampledWidth = 0;
  private sampledHeight = 0;
  private canvas: Uint8Array = new Uint8Array(0);
  private saved: Uint8Array | undefined;
  /** Sampled column of each source column (NOT_SAMPLED if no panel pixel shows it); same for rows. */
  private columnOf: Int16Array = new Int16Array(0);
  private rowOf: Int16Array = new Int16Array(0);
  /** Source column / row of each sampled point. */
  private sourceX: Int16Array = new Int16Array(0);
  private sourceY: Int16Array = new Int16Array(0);
  /** Sampled column / row shown by each column / row of the scaled picture. */
  private pictureColumn: Int16Array = new Int16Array(0);
  private pictureRow: Int16Array = new Int16Array(0);

  private frameIndex = 0;
  private frame: FrameHeader | undefined;
  // Sampled rectangle [c0, c1) x [r0, r1) of the current frame's region.
  private c0 = 0;
  private c1 = 0;
  private r0 = 0;
  private r1 = 0;
  private pendingDispose: Dispose = Dispose.none;

  constructor(options: CompositorOptions) {
    checkGeometry(options.geometry);
    this.options = options;
    this.geometry = options.geometry;
    this.orient = orientation(options.geometry);
    const background = options.background ?? 0;
    this.backgroundR = (background >> 16) & 255;
    this.backgroundG = (background >> 8) & 255;
    this.backgroundB = background & 255;
  }

  /** The picture's placement on the logical panel (after `header`). */
  get layout(): Placement | undefined {
    return this.placement;
  }

  get sampledCanvas(): SampledCanvas {
    return { width: this.sampledWidth, height: this.sampledHeight, rgba: this.canvas, sourceX: this.sourceX, sourceY: this.sourceY };
  }

  header(header: ImageHeader): void {
    const placement = placePicture(header.width, header.height, this.geometry);
    this.placement = placement;
    this.columnOf = sampleMap(header.width, placement.width, this.columnOf);
    this.rowOf = sampleMap(header.height, placement.height, this.rowOf);
    this.sampledWidth = Math.min(header.width, placement.width);
    this.sampledHeight = Math.min(header.height, placement.height);
    this.sourceX = inverseMap(this.columnOf, header.width, this.sampledWidth, this.sourceX);
    this.sourceY = inverseMap(this.rowOf, header.height, this.sampledHeight, this.sourceY);
    this.pictureColumn = pictureMap(header.width, placement.width, this.columnOf, this.pictureColumn);
    this.pictureRow = pictureMap(header.height, placement.height, this.rowOf, this.pictureRow);
    const bytes = this.sampledWidth * this.sampledHeight * 4;
    if (this.canvas.length !== bytes) this.canvas = new Uint8Array(bytes);
    else this.canvas.fill(0);
    if (this.saved && this.saved.length !== bytes) this.saved = undefined;
    this.frameIndex = 0;
    this.frame = undefined;
    this.pendingDispose = Dispose.none;
  }

  frameStart(frame: FrameHeader): void {
    if (!this.placement) throw new Error("compositor: frame before header");
    // The previous frame's disposal happens now, just before this frame is drawn.
    if (this.pendingDispose === Dispose.background) this.fillRegion(this.canvas, undefined);
    else if (this.pendingDispose === Dispose.previous && this.saved) this.fillRegion(this.canvas, this.saved);
    this.frame = frame;
    this.c0 = firstAtOrAfter(this.sourceX, frame.left);
    this.c1 = firstAtOrAfter(this.sourceX, frame.left + frame.width);
    this.r0 = firstAtOrAfter(this.sourceY, frame.top);
    this.r1 = firstAtOrAfter(this.sourceY, frame.top + frame.height);
    if (frame.dispose === Dispose.previous) {
      if (!this.saved) this.saved = new Uint8Array(this.canvas.length);
      this.fillRegion(this.saved, this.canvas);
    }
  }

  row(y: number, x0: number, step: number, count: number, rgba: Uint8Array): void {
    const frame = this.frame;
    if (!frame || y < 0 || y >= frame.height) return;
    const sampledRow = this.rowOf[frame.top + y];
    if (sampledRow === undefined || sampledRow === NOT_SAMPLED) return;
    const canvas = this.canvas;
    const sourceX = this.sourceX;
    const first = frame.left + x0;
    const over = frame.blend === Blend.over;
    const rowBase = sampledRow * this.sampledWidth * 4;
    // Visit only the sampled columns in the frame's region: cheaper than every delivered pixel.
    for (let column = this.c0; column < this.c1; column++) {
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
  }

  frameEnd(): void {
    const frame = this.frame;
    if (!frame) return;
    const index = this.frameIndex++;
    const target = this.options.frameBuffer ? this.options.frameBuffer(index) : (this.panel ??= new Uint8Array(this.geometry.width * this.geometry.height * 3));
    if (target) this.render(target);
    this.pendingDispose = frame.dispose;
    this.frame = undefined;
    this.options.onFrame(target ?? NOT_RENDERED, frame.delayMs, index);
  }

  end(): void {
    this.options.onEnd?.();
  }

  /** Renders the current canvas as a panel frame into `target` (width * height * 3 bytes, RGB888). */
  render(target: Uint8Array): void {
    const { width, height } = this.geometry;
    if (target.length !== width * height * 3) throw new RangeError(`panel frame needs ${width * height * 3} bytes, got ${target.length}`);
    const placement = this.placement;
    if (!placement) throw new Error("compositor: render before header");
    const { origin, stepX, stepY } = this.orient;
    const r = this.backgroundR;
    const g = this.backgroundG;
    const b = this.backgroundB;
    const canvas = this.canvas;
    const rowBytes = this.sampledWidth * 4;
    const { left, top, logicalWidth, logicalHeight } = placement;
    const right = left + placement.width;
    const bottom = top + placement.height;
    const pictureColumn = this.pictureColumn;
    const pictureRow = this.pictureRow;
    for (let ly = 0; ly < logicalHeight; ly++) {
      let p = (origin + ly * stepY) * 3;
      const step = stepX * 3;
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
  }

  /** Copies the current region's sampled points from `source` into `into`, or clears them if no source. */
  private fillRegion(into: Uint8Array, source: Uint8Array | undefined): void {
    const rowBytes = this.sampledWidth * 4;
    const from = this.c0 * 4;
    const to = this.c1 * 4;
    for (let row = this.r0; row < this.r1; row++) {
      const base = row * rowBytes;
      if (source) for (let i = base + from; i < base + to; i++) into[i] = source[i]!;
      else into.fill(0, base + from, base + to);
    }
  }
}

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

/** For each source index, the sampled index it becomes, or NOT_SAMPLED. */
function sampleMap(sourceSize: number, pictureSize: number, reuse: Int16Array): Int16Array {
  const map = reuse.length === sourceSize ? reuse : new Int16Array(sourceSize);
  map.fill(NOT_SAMPLED);
  let next = 0;
  let last = -1;
  for (let d = 0; d < pictureSize; d++) {
    const s = sourceIndex(d, sourceSize, pictureSize);
    if (s !== last) {
      map[s] = next++;
      last = s;
    }
  }
  return map;
}

function inverseMap(map: Int16Array, sourceSize: number, sampledSize: number, reuse: Int16Array): Int16Array {
  const inverse = reuse.length === sampledSize ? reuse : new Int16Array(sampledSize);
  for (let s = 0; s < sourceSize; s++) if (map[s] !== NOT_SAMPLED) inverse[map[s]!] = s;
  return inverse;
}

function pictureMap(sourceSize: number, pictureSize: number, map: Int16Array, reuse: Int16Array): Int16Array {
  const picture = reuse.length === pictureSize ? reuse : new Int16Array(pictureSize);
  for (let d = 0; d < pictureSize; d++) picture[d] = map[sourceIndex(d, sourceSize, pictureSize)]!;
  return picture;
}

/** The first index whose value is >= `value` in an ascending array (its length if none). */
function firstAtOrAfter(sorted: Int16Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
