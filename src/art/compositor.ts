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

import type { CompositorKernels, RenderLayout } from "../ports.js";
import { tsCompositorKernels } from "./compositor-kernels.js";
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
  /** Native row compositing and rendering (src/ports.ts); the TypeScript ones by default. */
  kernels?: CompositorKernels;
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
  // XS finds a property by walking the object's properties in order: what row() reads comes first.
  private frame: FrameHeader | undefined;
  private rowOf: Int16Array = new Int16Array(0);
  private readonly kernels: CompositorKernels;
  private canvas: Uint8Array = new Uint8Array(0);
  /** Source column / row of each sampled point. */
  private sourceX: Int16Array = new Int16Array(0);
  private sampledWidth = 0;
  // Sampled rectangle [c0, c1) x [r0, r1) of the current frame's region.
  private c0 = 0;
  private c1 = 0;

  readonly geometry: PanelGeometry;
  private readonly options: CompositorOptions;
  private readonly orient: Orientation;
  private readonly background: number;
  /** Where the sampled canvas lands on the panel (after `header`). */
  private renderLayout: RenderLayout | undefined;
  /** The internal panel frame, allocated on first use (never when every frame goes to `frameBuffer`). */
  private panel: Uint8Array | undefined;

  private placement: Placement | undefined;
  private sampledHeight = 0;
  private saved: Uint8Array | undefined;
  /** Sampled column of each source column (NOT_SAMPLED if no panel pixel shows it); same for rows (rowOf). */
  private columnOf: Int16Array = new Int16Array(0);
  private sourceY: Int16Array = new Int16Array(0);
  /** Sampled column / row shown by each column / row of the scaled picture. */
  private pictureColumn: Int16Array = new Int16Array(0);
  private pictureRow: Int16Array = new Int16Array(0);

  private frameIndex = 0;
  private r0 = 0;
  private r1 = 0;
  private pendingDispose: Dispose = Dispose.none;

  constructor(options: CompositorOptions) {
    checkGeometry(options.geometry);
    this.options = options;
    this.geometry = options.geometry;
    this.orient = orientation(options.geometry);
    this.background = (options.background ?? 0) & 0xffffff;
    this.kernels = options.kernels ?? tsCompositorKernels;
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
    const { origin, stepX, stepY } = this.orient;
    const { left, top, width, height, logicalWidth, logicalHeight } = placement;
    this.renderLayout = { rowBytes: this.sampledWidth * 4, left, top, width, height, logicalWidth, logicalHeight, origin, stepX, stepY, background: this.background };
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
    const rowBase = sampledRow * this.sampledWidth * 4;
    this.kernels.compositeRow(this.canvas, this.sourceX, rowBase, this.c0, this.c1, frame.left + x0, step, count, rgba, frame.blend === Blend.over);
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
    const layout = this.renderLayout;
    if (!layout) throw new Error("compositor: render before header");
    this.kernels.render(target, this.canvas, this.pictureColumn, this.pictureRow, layout);
  }

  /** Copies the current region's sampled points from `source` into `into`, or clears them if no source. */
  private fillRegion(into: Uint8Array, source: Uint8Array | undefined): void {
    const rowBytes = this.sampledWidth * 4;
    const from = this.c0 * 4;
    const to = this.c1 * 4;
    for (let row = this.r0; row < this.r1; row++) {
      const base = row * rowBytes;
      if (source) into.set(source.subarray(base + from, base + to), base + from);
      else into.fill(0, base + from, base + to);
    }
  }
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
