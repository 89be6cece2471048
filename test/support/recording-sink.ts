// An ImageSink for decoder tests: records the header, each frame's header, the order rows came in,
// and each frame's region as RGBA. It fails loudly if a pixel comes twice, a row lies outside the
// region, or calls come out of order — the things the ImageSink contract promises. Portable.

import type { FrameHeader, ImageHeader, ImageSink } from "../../src/art/image.js";

export interface RecordedFrame {
  header: FrameHeader;
  /** Region rows in delivery order. */
  rows: number[];
  /** Region pixels, width * height * 4; pixels never delivered stay 0 and are flagged in `missing`. */
  rgba: Uint8Array;
  missing: number;
}

export class RecordingSink implements ImageSink {
  image: ImageHeader | undefined;
  frames: RecordedFrame[] = [];
  ended = false;
  private current: RecordedFrame | undefined;
  private seen = new Uint8Array(0);

  header(header: ImageHeader): void {
    if (this.image) throw new Error("header twice");
    this.image = { ...header };
  }

  frameStart(frame: FrameHeader): void {
    if (!this.image) throw new Error("frameStart before header");
    if (this.current) throw new Error("frameStart inside a frame");
    if (frame.left + frame.width > this.image.width || frame.top + frame.height > this.image.height) {
      throw new Error(`frame region ${frame.left},${frame.top} ${frame.width}x${frame.height} outside the canvas`);
    }
    this.current = { header: { ...frame }, rows: [], rgba: new Uint8Array(frame.width * frame.height * 4), missing: 0 };
    this.seen = new Uint8Array(frame.width * frame.height);
  }

  row(y: number, x0: number, step: number, count: number, rgba: Uint8Array): void {
    const frame = this.current;
    if (!frame) throw new Error("row outside a frame");
    const { width, height } = frame.header;
    if (y < 0 || y >= height) throw new Error(`row ${y} outside the region height ${height}`);
    frame.rows.push(y);
    for (let i = 0; i < count; i++) {
      const x = x0 + i * step;
      if (x >= width) throw new Error(`column ${x} outside the region width ${width}`);
      const at = y * width + x;
      if (this.seen[at]) throw new Error(`pixel ${x},${y} delivered twice`);
      this.seen[at] = 1;
      frame.rgba.set(rgba.subarray(i * 4, i * 4 + 4), at * 4);
    }
  }

  frameEnd(): void {
    const frame = this.current;
    if (!frame) throw new Error("frameEnd outside a frame");
    for (let i = 0; i < this.seen.length; i++) if (!this.seen[i]) frame.missing++;
    this.frames.push(frame);
    this.current = undefined;
  }

  end(): void {
    if (this.current) throw new Error("end inside a frame");
    this.ended = true;
  }

  /** RGBA of region pixel (x, y) of frame `index` as an array. */
  pixel(index: number, x: number, y: number): number[] {
    const frame = this.frames[index]!;
    const at = (y * frame.header.width + x) * 4;
    return Array.from(frame.rgba.subarray(at, at + 4));
  }
}
