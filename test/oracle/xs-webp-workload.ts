// Runs inside XS (bundled by test/xs/heap.ts's bundleWorkload; Node prepends the input as a global):
//   WEBP_WORKLOAD = { mode: "bench" | "memory", files: [{ name, hex, width, height }], ms }
// bench:  decodes each file repeatedly for `ms` milliseconds and prints `WEBPBENCH <json>` per file.
// memory: decodes each file once, calling heapMark("<name> before"), "<name> mid" (inside the sink,
//         halfway through the last frame's rows: the decoder holds everything it needs) and "<name> after".

import type { FrameHeader, ImageHeader, ImageSink } from "../../src/art/image.js";
import { WebpDecoder } from "../../src/art/webp.js";

interface WorkloadFile {
  name: string;
  /** The file as hex, in pieces of at most 2 KiB of text (XS indexes long strings slowly). */
  hex: string[];
  width: number;
  height: number;
}

declare const WEBP_WORKLOAD: { mode: "bench" | "memory"; files: WorkloadFile[]; ms: number };
declare function print(text: string): void;
declare function heapMark(label: string): void;

function fromHex(pieces: string[]): Uint8Array {
  let length = 0;
  for (const piece of pieces) length += piece.length / 2;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) for (let i = 0; i < piece.length; i += 2) bytes[at++] = parseInt(piece.substr(i, 2), 16);
  return bytes;
}

/** Keeps one canvas, as a player would (a fair comparison with decoders that return a full RGBA buffer). */
class CanvasSink implements ImageSink {
  canvas = new Uint8Array(0);
  width = 0;
  frame: FrameHeader | undefined;
  rows = 0;
  frames = 0;
  onRow: ((rows: number, frame: FrameHeader) => void) | undefined;
  header(header: ImageHeader): void {
    this.width = header.width;
    if (this.canvas.length !== header.width * header.height * 4) this.canvas = new Uint8Array(header.width * header.height * 4);
  }
  frameStart(frame: FrameHeader): void {
    this.frame = frame;
    this.rows = 0;
  }
  row(y: number, x0: number, _step: number, count: number, rgba: Uint8Array): void {
    const frame = this.frame!;
    this.canvas.set(rgba.subarray(0, count * 4), ((frame.top + y) * this.width + frame.left + x0) * 4);
    this.rows++;
    this.onRow?.(this.rows, frame);
  }
  frameEnd(): void {
    this.frames++;
  }
  end(): void {}
}

function decode(bytes: Uint8Array, sink: CanvasSink): void {
  const decoder = new WebpDecoder(sink);
  // 1 KiB pushes, like bytes arriving from a socket
  for (let at = 0; at < bytes.length; at += 1024) decoder.push(bytes.subarray(at, at + 1024));
  decoder.finish();
}

const files = (typeof WEBP_WORKLOAD === "undefined" ? [] : WEBP_WORKLOAD.files).map((file) => ({ ...file, bytes: fromHex(file.hex) }));
if (files.length > 0 && WEBP_WORKLOAD.mode === "bench") {
  for (const file of files) {
    const sink = new CanvasSink();
    decode(file.bytes, sink); // warm-up
    const start = performance.now();
    let runs = 0;
    while (performance.now() - start < WEBP_WORKLOAD.ms || runs < 3) {
      decode(file.bytes, sink);
      runs++;
    }
    const ms = (performance.now() - start) / runs;
    print(`WEBPBENCH ${JSON.stringify({ name: file.name, ms, runs })}`);
  }
} else if (files.length > 0) {
  // One function call per file: XS may keep a finished loop iteration's variables alive until reused.
  for (const file of files) measure(file.name, file.bytes, file.width, file.height);
}

function measure(name: string, bytes: Uint8Array, width: number, height: number): void {
  const sink = new CanvasSink();
  // The canvas belongs to the player, not to the decoder: allocated before the first mark.
  sink.canvas = new Uint8Array(width * height * 4);
  let marked = false;
  sink.onRow = (rows, frame) => {
    if (!marked && rows === Math.ceil(frame.height / 2)) {
      marked = true;
      heapMark(`${name} mid`);
    }
  };
  heapMark(`${name} before`);
  const decoder = new WebpDecoder(sink);
  for (let at = 0; at < bytes.length; at += 1024) decoder.push(bytes.subarray(at, at + 1024));
  decoder.finish();
  heapMark(`${name} after`);
  print(`decoded ${name}: ${sink.frames} frames ${typeof decoder}`);
}
