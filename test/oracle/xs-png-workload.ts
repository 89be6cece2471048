// Runs inside XS (bundled by test/xs/heap.ts's bundleWorkload; Node prepends the input as a global):
//   PNG_WORKLOAD = { mode: "bench" | "memory", files: [{ name, hex }], ms }
// bench:  decodes each file repeatedly for `ms` milliseconds and prints `PNGBENCH <json>` per file.
// memory: decodes each file once, calling heapMark("<name> before"), "<name> mid" (inside the sink,
//         halfway through the last frame's rows, the decoder at full size) and "<name> after".

import type { FrameHeader, ImageHeader, ImageSink } from "../../src/art/image.js";
import { PngDecoder } from "../../src/art/png.js";

interface WorkloadFile {
  name: string;
  /** The file as hex, in pieces of at most 2 KiB of text (XS indexes long strings slowly). */
  hex: string[];
}

declare const PNG_WORKLOAD: { mode: "bench" | "memory"; files: WorkloadFile[]; ms: number };
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

/** How Node passes a file to this workload. */
export function toHexPieces(bytes: Uint8Array): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < bytes.length; at += 1024) {
    let piece = "";
    for (let i = at; i < Math.min(bytes.length, at + 1024); i++) piece += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
    pieces.push(piece);
  }
  return pieces;
}

/** Keeps one canvas, as a player would (a fair comparison with decoders that return a full RGBA buffer). */
class CanvasSink implements ImageSink {
  canvas = new Uint8Array(0);
  width = 0;
  frame: FrameHeader | undefined;
  rows = 0;
  frames = 0;
  frameCount = 0;
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
    if (step === 1) this.canvas.set(rgba.subarray(0, count * 4), base);
    else for (let i = 0; i < count; i++) this.canvas.set(rgba.subarray(i * 4, i * 4 + 4), base + i * step * 4);
    this.rows++;
    this.onRow?.(this.rows, frame);
  }
  frameEnd(): void {
    this.frames++;
  }
  end(): void {}
}

function decode(bytes: Uint8Array, sink: CanvasSink): void {
  const decoder = new PngDecoder(sink);
  // 1 KiB pushes, like bytes arriving from a socket
  for (let at = 0; at < bytes.length; at += 1024) decoder.push(bytes.subarray(at, at + 1024));
  decoder.finish();
}

const files = (typeof PNG_WORKLOAD === "undefined" ? [] : PNG_WORKLOAD.files).map((file) => ({ name: file.name, bytes: fromHex(file.hex) }));
if (files.length === 0) {
  // imported by Node for toHexPieces: nothing to run
} else if (PNG_WORKLOAD.mode === "bench") {
  for (const file of files) {
    const sink = new CanvasSink();
    decode(file.bytes, sink); // warm-up
    const start = performance.now();
    let runs = 0;
    while (performance.now() - start < PNG_WORKLOAD.ms || runs < 3) {
      decode(file.bytes, sink);
      runs++;
    }
    const ms = (performance.now() - start) / runs;
    print(`PNGBENCH ${JSON.stringify({ name: file.name, ms, runs })}`);
  }
} else {
  // One function call per file: XS may keep a finished loop iteration's variables alive until reused.
  for (const file of files) measure(file.name, file.bytes);
}

function measure(name: string, bytes: Uint8Array): void {
  const sink = new CanvasSink();
  const view = new DataView(bytes.buffer);
  // The canvas belongs to the player, not to the decoder: allocated before the first mark.
  sink.canvas = new Uint8Array(view.getUint32(16) * view.getUint32(20) * 4);
  let marked = false;
  sink.onRow = (rows, frame) => {
    if (!marked && sink.frames === sink.frameCount - 1 && rows === Math.ceil(frame.height / 2)) {
      marked = true;
      heapMark(`${name} mid`);
    }
  };
  heapMark(`${name} before`);
  const decoder = new PngDecoder(sink);
  for (let at = 0; at < bytes.length; at += 1024) decoder.push(bytes.subarray(at, at + 1024));
  decoder.finish();
  heapMark(`${name} after`);
  print(`decoded ${name}: ${sink.frames} frames ${typeof decoder}`);
}
