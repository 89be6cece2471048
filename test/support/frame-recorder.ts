// An ImageSink for decoder tests: keeps each frame's region as RGBA and checks the contract on the way
// (rows inside the region, every pixel exactly once per frame, events in order). Portable.

import type { FrameHeader, ImageHeader, ImageSink } from "../../src/art/image.js";

export interface RecordedFrame {
  header: FrameHeader;
  /** The frame's region, width × height × 4 bytes. */
  rgba: Uint8Array;
  /** Rows as delivered: [y, x0, step, count]. */
  rows: [number, number, number, number][];
}

export class FrameRecorder implements ImageSink {
  image: ImageHeader | undefined;
  readonly frames: RecordedFrame[] = [];
  readonly events: string[] = [];
  ended = false;
  #open: { frame: RecordedFrame; written: Uint8Array } | undefined;

  header(header: ImageHeader): void {
    if (this.image) throw new Error("header() twice");
    this.image = { ...header };
    this.events.push("header");
  }

  frameStart(frame: FrameHeader): void {
    if (!this.image) throw new Error("frameStart() before header()");
    if (this.#open) throw new Error("frameStart() inside a frame");
    if (frame.left + frame.width > this.image.width || frame.top + frame.height > this.image.height) throw new Error("frame outside the canvas");
    const recorded: RecordedFrame = { header: { ...frame }, rgba: new Uint8Array(frame.width * frame.height * 4), rows: [] };
    this.#open = { frame: recorded, written: new Uint8Array(frame.width * frame.height) };
    this.events.push("frameStart");
  }

  row(y: number, x0: number, step: number, count: number, rgba: Uint8Array): void {
    const open = this.#open;
    if (!open) throw new Error("row() outside a frame");
    const { width, height } = open.frame.header;
    if (y < 0 || y >= height || count < 1 || x0 + (count - 1) * step >= width) throw new Error(`row ${y} (${x0}+${step}×${count}) outside ${width}×${height}`);
    for (let i = 0; i < count; i++) {
      const p = y * width + x0 + i * step;
      if (open.written[p]) throw new Error(`pixel ${x0 + i * step},${y} delivered twice`);
      open.written[p] = 1;
      open.frame.rgba.set(rgba.subarray(i * 4, i * 4 + 4), p * 4);
    }
    open.frame.rows.push([y, x0, step, count]);
  }

  frameEnd(): void {
    const open = this.#open;
    if (!open) throw new Error("frameEnd() outside a frame");
    const missing = open.written.indexOf(0);
    if (missing >= 0) throw new Error(`frameEnd() with pixel ${missing % open.frame.header.width},${Math.floor(missing / open.frame.header.width)} never delivered`);
    this.frames.push(open.frame);
    this.#open = undefined;
    this.events.push("frameEnd");
  }

  end(): void {
    if (this.#open) throw new Error("end() inside a frame");
    this.ended = true;
    this.events.push("end");
  }
}
