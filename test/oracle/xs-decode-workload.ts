// Runs inside XS for the decoder benchmarks and XS memory tests (bundled and given its input by
// test/oracle/xs-decode.ts):
//   DECODE_WORKLOAD = { mode: "bench" | "memory", format, ms, files: [{ name, base64, width, height }] }
// Each file is decoded by createDecoder(format) into a CanvasSink in 1 KiB pushes, as from a socket.
// bench:  decodes each file repeatedly for `ms` milliseconds and prints `DECODEBENCH <json>` per file.
// memory: decodes each file once, calling heapMark("<name> before"), "<name> mid" (inside the sink,
//         halfway through the rows of the last frame — the first when the count is unknown — when
//         the decoder holds everything it needs) and "<name> after".
// The files travel as base64, decoded by xsnap's Base64 host object before any mark: XS walks a
// string from its start on every index, so decoding them in JavaScript would take seconds.

import { createDecoder } from "../../src/art/decoders.js";
import type { NativeFormat } from "../../src/art/artwork.js";
import { CanvasSink } from "../support/canvas-sink.js";

interface WorkloadFile {
  name: string;
  base64: string;
  width: number;
  height: number;
}

declare const DECODE_WORKLOAD: { mode: "bench" | "memory"; format: NativeFormat; ms: number; files: WorkloadFile[] };
declare const Base64: { decode(text: string): ArrayBuffer };
declare function print(text: string): void;
declare function heapMark(label: string): void;

const { format } = DECODE_WORKLOAD;

function decode(bytes: Uint8Array, sink: CanvasSink): void {
  const decoder = createDecoder(format, sink);
  for (let at = 0; at < bytes.length; at += 1024) decoder.push(bytes.subarray(at, at + 1024));
  decoder.finish();
}

function bench(name: string, bytes: Uint8Array): void {
  const sink = new CanvasSink();
  decode(bytes, sink); // warm-up
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < DECODE_WORKLOAD.ms || runs < 3) {
    decode(bytes, sink);
    runs++;
  }
  print(`DECODEBENCH ${JSON.stringify({ name, ms: (performance.now() - start) / runs, runs })}`);
}

function measure(name: string, bytes: Uint8Array, width: number, height: number): void {
  const sink = new CanvasSink();
  // The canvas belongs to the player, not to the decoder: allocated before the first mark.
  sink.canvas = new Uint8Array(width * height * 4);
  let marked = false;
  sink.onRow = (rows, frame) => {
    const lastFrame = sink.frameCount === 0 || sink.frames === sink.frameCount - 1;
    if (!marked && lastFrame && rows === Math.ceil(frame.height / 2)) {
      marked = true;
      heapMark(`${name} mid`);
    }
  };
  heapMark(`${name} before`);
  const decoder = createDecoder(format, sink);
  for (let at = 0; at < bytes.length; at += 1024) decoder.push(bytes.subarray(at, at + 1024));
  decoder.finish();
  heapMark(`${name} after`);
  print(`decoded ${name}: ${sink.frames} frames ${typeof decoder}`);
}

// One function call per file: XS may keep a finished loop iteration's variables alive until reused.
for (const file of DECODE_WORKLOAD.files) {
  const bytes = new Uint8Array(Base64.decode(file.base64));
  if (DECODE_WORKLOAD.mode === "bench") bench(file.name, bytes);
  else measure(file.name, bytes, file.width, file.height);
}
