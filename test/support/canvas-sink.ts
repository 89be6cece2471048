// An ImageSink that keeps one full RGBA canvas, as a player without a compositor would: each frame's
// rows are copied into place (no blending, no disposal). Decoder benchmarks use it so that ours, like
// the peers that return a full RGBA buffer, produces every pixel; the XS memory workload uses its row
// hook to mark the heap halfway through a frame. Portable.

import type { FrameHeader, ImageHeader, ImageSink } from "../../src/art/image.js";

export class CanvasSink implements ImageSink {
  canvas = new Uint8Array(0);
  width = 0;
  /** Frames the header declared (0: unknown until the end). */
  frameCount = 0;
  /** Frames finished so far. */
  frames = 0;
  frame: FrameHeader | undefined;
  /** Rows of the current frame delivered so far. */
  rows = 0;
  onRow: ((rows: number, frame: FrameHeader) => void) | undefined;

  header(header: ImageHeader): void {
    this.width = header.width;
    this.frameCount = header.frameCount;
    if (this.canvas.length !== header.width * header.height * 4) this.canvas = new Uint8Array(header.width * header.height * 4);
  }

  frameStart(frame: FrameHeader): void {
    this.frame = frame;
    this.rows = 0;
  }

  row(y: number, x0: number, step: number, count: number, rgba: Uint8Array): void {
    const frame = this.frame!;
    const base = ((frame.top + y) * this.width + frame.left + x0) * 4;
    // The decoders hand over a row exactly `count` pixels long when step is 1: copied without a view.
    if (step === 1) this.canvas.set(rgba.length === count * 4 ? rgba : rgba.subarray(0, count * 4), base);
    else for (let i = 0; i < count; i++) this.canvas.set(rgba.subarray(i * 4, i * 4 + 4), base + i * step * 4);
    this.rows++;
    this.onRow?.(this.rows, frame);
  }

  frameEnd(): void {
    this.frames++;
  }

  end(): void {}
}
