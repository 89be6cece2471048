// An ImageSink for decoder tests: keeps every frame's region as RGBA exactly as the decoder delivered
// it (no compositing), and checks the contract: every pixel of a frame exactly once, rows in range.

import type { FrameHeader, ImageHeader, ImageSink } from "../../src/art/image.js";

export interface CapturedFrame {
  header: FrameHeader;
  /** frame.width × frame.height × 4 bytes. */
  rgba: Uint8Array;
}

export class CaptureSink implements ImageSink {
  image: ImageHeader | undefined;
  frames: CapturedFrame[] = [];
  ended = false;
  #current: CapturedFrame | undefined;
  #written: Uint8Array = new Uint8Array(0);

  header(header: ImageHeader): void {
    if (this.image) throw new Error("header delivered twice");
    this.image = { ...header };
  }

  frameStart(frame: FrameHeader): void {
    if (!this.image) throw new Error("frame before header");
    if (this.#current) throw new Error("frame started inside a frame");
    this.#current = { header: { ...frame }, rgba: new Uint8Array(frame.width * frame.height * 4) };
    this.#written = new Uint8Array(frame.width * frame.height);
  }

  row(y: number, x0: number, step: number, count: number, rgba: Uint8Array): void {
    const frame = this.#current;
    if (!frame) throw new Error("row outside a frame");
    const { width, height } = frame.header;
    if (y < 0 || y >= height) throw new Error(`row ${y} outside 0..${height - 1}`);
    for (let i = 0; i < count; i++) {
      const x = x0 + i * step;
      if (x < 0 || x >= width) throw new Error(`column ${x} outside 0..${width - 1}`);
      const pixel = y * width + x;
      if (this.#written[pixel]) throw new Error(`pixel ${x},${y} delivered twice`);
      this.#written[pixel] = 1;
      frame.rgba.set(rgba.subarray(i * 4, i * 4 + 4), pixel * 4);
    }
  }

  frameEnd(): void {
    const frame = this.#current;
    if (!frame) throw new Error("frameEnd outside a frame");
    const missing = this.#written.indexOf(0);
    if (missing >= 0) throw new Error(`pixel ${missing % frame.header.width},${Math.floor(missing / frame.header.width)} never delivered`);
    this.frames.push(frame);
    this.#current = undefined;
  }

  end(): void {
    if (this.#current) throw new Error("end inside a frame");
    this.ended = true;
  }
}
