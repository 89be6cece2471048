// Runs inside XS for bench/gif.bench.ts (bundled by esbuild, inputs prepended as globals): times the
// GIF decoder + compositor on each input and prints one JSON line per input; in "memory" mode it
// decodes each input once, marking the live heap before and at every frame.
import { Compositor } from "../src/art/compositor.js";
import { GifDecoder } from "../src/art/gif.js";
import type { ImageSink } from "../src/art/image.js";
import { panelGeometry } from "../src/display/geometry.js";
import { heapMark } from "../test/xs/heap-mark.js";

interface Input {
  name: string;
  /** The file's bytes as a number array literal (string slicing is O(n) in XS, so no hex/base64). */
  bytes: number[];
}
const host = globalThis as unknown as {
  GIF_INPUTS: Input[];
  GIF_MODE: "time" | "memory";
  GIF_MIN_MS: number;
  print(text: string): void;
  performance: { now(): number };
};

/** Pushes the file in TCP-segment-sized chunks, as the artwork fetch would. */
function decode(bytes: Uint8Array, sink: ImageSink): void {
  const decoder = new GifDecoder(sink);
  for (let at = 0; at < bytes.length; at += 1460) decoder.push(bytes.subarray(at, at + 1460));
  decoder.finish();
}

const discard: ImageSink = { header() {}, frameStart() {}, row() {}, frameEnd() {}, end() {} };

for (const input of host.GIF_INPUTS) {
  const bytes = new Uint8Array(input.bytes);
  if (host.GIF_MODE === "memory") {
    // Live heap at the end of every frame (inside the callback, while the decoder holds everything).
    heapMark(`${input.name} input`);
    let frame = 0;
    const compositor = new Compositor({ geometry: panelGeometry("64x64"), onFrame: () => heapMark(`${input.name} frame ${frame++}`) });
    decode(bytes, compositor);
    continue;
  }
  const compositor = new Compositor({ geometry: panelGeometry("64x64"), onFrame() {} });
  const timings: Record<string, number> = {};
  for (const mode of ["decode", "panel"] as const) {
    const sink = mode === "panel" ? compositor : discard;
    decode(bytes, sink); // warm-up
    let runs = 0;
    const started = host.performance.now();
    let elapsed = 0;
    do {
      decode(bytes, sink);
      runs++;
      elapsed = host.performance.now() - started;
    } while (elapsed < host.GIF_MIN_MS);
    timings[mode] = elapsed / runs;
  }
  host.print(JSON.stringify({ name: input.name, decodeMs: timings.decode, panelMs: timings.panel }));
}
