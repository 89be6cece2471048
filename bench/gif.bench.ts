// GIF decode throughput: ours (decode only, and decode + 64x64 panel frames) against omggif and
// gifuct-js in Node, and ours inside XS (build/xsnap/bin/xsnap), plus XS peak memory (xsnap-heap).
// Inputs: animated GIFs made by sharp from a noisy pattern, 64x64, 128x128 and 256x256.
// Run: node scripts/build.mjs && node --expose-gc build/bench/gif.bench.js  (or node bench/run.mjs gif)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import omggif from "omggif";
import { decompressFrames, parseGIF } from "gifuct-js";
import { Compositor } from "../src/art/compositor.js";
import { GifDecoder } from "../src/art/gif.js";
import type { ImageSink } from "../src/art/image.js";
import { panelGeometry } from "../src/display/geometry.js";
import { sharpGif } from "../test/support/gif-corpus.js";
import { bundleWorkload, measureInXs, projectRoot } from "../test/xs/heap.js";

interface Input {
  name: string;
  width: number;
  height: number;
  frames: number;
  bytes: Uint8Array;
}

const MIN_MS = 400;

function time(run: () => void): number {
  run(); // warm-up
  (globalThis as { gc?: () => void }).gc?.();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let runs = 0;
    const started = performance.now();
    let elapsed = 0;
    do {
      run();
      runs++;
      elapsed = performance.now() - started;
    } while (elapsed < MIN_MS / 3);
    best = Math.min(best, elapsed / runs);
  }
  return best;
}

const discard: ImageSink = { header() {}, frameStart() {}, row() {}, frameEnd() {}, end() {} };

function ours(bytes: Uint8Array, sink: ImageSink): void {
  const decoder = new GifDecoder(sink);
  for (let at = 0; at < bytes.length; at += 1460) decoder.push(bytes.subarray(at, at + 1460));
  decoder.finish();
}

function withOmggif(bytes: Uint8Array): void {
  const reader = new omggif.GifReader(bytes);
  const canvas = new Uint8Array(reader.width * reader.height * 4);
  for (let i = 0; i < reader.numFrames(); i++) reader.decodeAndBlitFrameRGBA(i, canvas);
}

function withGifuct(bytes: Uint8Array): void {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  decompressFrames(parseGIF(buffer), true);
}

const inputs: Input[] = [];
for (const [size, frames] of [
  [64, 24],
  [128, 12],
  [256, 6],
] as const) {
  const delay = new Array<number>(frames).fill(100);
  const bytes = await sharpGif(size, size, frames, { loop: 0, delay }, { noisy: true, seed: size });
  inputs.push({ name: `${size}x${size}`, width: size, height: size, frames, bytes });
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const mpx = (input: Input, ms: number) => (input.width * input.height * input.frames) / (ms * 1000);

const node = new Map<string, { decode: number; panel: number }>();
console.log("\n### GIF decode, Node " + process.version + " (ms per file; Mpx/s = source pixels of all frames)\n");
console.log("| GIF | frames | bytes | ours decode | ours + 64x64 panel | panel frames/s | omggif | gifuct-js | ours vs omggif | ours vs gifuct-js |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const input of inputs) {
  const decode = time(() => ours(input.bytes, discard));
  const compositor = new Compositor({ geometry: panelGeometry("64x64"), onFrame() {} });
  const panel = time(() => ours(input.bytes, compositor));
  const omg = time(() => withOmggif(input.bytes));
  const uct = time(() => withGifuct(input.bytes));
  node.set(input.name, { decode, panel });
  console.log(
    `| ${input.name} | ${input.frames} | ${input.bytes.length} | ${fmt(decode, 2)} ms (${fmt(mpx(input, decode))} Mpx/s) | ${fmt(panel, 2)} ms (${fmt(mpx(input, panel))} Mpx/s) | ${fmt((input.frames * 1000) / panel, 0)} | ${fmt(omg, 2)} ms (${fmt(mpx(input, omg))} Mpx/s) | ${fmt(uct, 2)} ms (${fmt(mpx(input, uct))} Mpx/s) | ${fmt(omg / decode, 2)}x | ${fmt(uct / decode, 2)}x |`,
  );
}
console.log("\nRatios > 1 mean ours is faster (peer time / our decode-only time). omggif blits every frame onto an RGBA canvas; gifuct-js builds RGBA patches.");

// XS: the same inputs inside the real engine.
const directory = mkdtempSync(join(tmpdir(), "gif-bench-"));
try {
  const bundle = await bundleWorkload(join(projectRoot, "bench/gif-xs-workload.ts"));
  const globals = (mode: string) =>
    `globalThis.GIF_MODE = ${JSON.stringify(mode)}; globalThis.GIF_MIN_MS = 1000;\n` +
    `globalThis.GIF_INPUTS = ${JSON.stringify(inputs.map((input) => ({ name: input.name, bytes: Array.from(input.bytes) })))};\n`;
  const script = join(directory, "gif-xs.js");
  writeFileSync(script, globals("time") + bundle);
  const run = spawnSync(join(projectRoot, "build/xsnap/bin/xsnap"), [script], { encoding: "utf8", timeout: 300_000 });
  if (run.status !== 0) throw new Error(`xsnap failed: ${run.status} ${run.stderr} ${run.stdout}`);
  const results = run.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { name: string; decodeMs: number; panelMs: number });
  const memory = await measureInXs({ source: globals("memory") + bundle }, { timeoutMs: 300_000 });

  console.log("\n### GIF decode in XS (build/xsnap/bin/xsnap, XS 13.3 on this host)\n");
  console.log("| GIF | ours decode | ours + 64x64 panel | panel frames/s | XS vs ours in Node (decode) | XS vs ours in Node (panel) | XS live heap while decoding |");
  console.log("|---|---|---|---|---|---|---|");
  for (const result of results) {
    const input = inputs.find((i) => i.name === result.name)!;
    const inNode = node.get(result.name)!;
    // The largest live heap at any frame end, less what was live before the decoder existed (the
    // input bytes): what decoding this file needs at once.
    const before = memory.mark(`${result.name} input`);
    let live = 0;
    for (let frame = 0; frame < input.frames; frame++) live = Math.max(live, memory.mark(`${result.name} frame ${frame}`).liveBytes - before.liveBytes);
    console.log(
      `| ${result.name} | ${fmt(result.decodeMs, 1)} ms (${fmt(mpx(input, result.decodeMs), 2)} Mpx/s) | ${fmt(result.panelMs, 1)} ms (${fmt(mpx(input, result.panelMs), 2)} Mpx/s) | ${fmt((input.frames * 1000) / result.panelMs, 1)} | ${fmt(inNode.decode / result.decodeMs, 3)}x | ${fmt(inNode.panel / result.panelMs, 3)}x | ${fmt(live / 1024, 1)} KiB |`,
    );
  }
  console.log("\nXS ratios are Node time / XS time (< 1: XS is slower). Live heap: xsnap-heap after a collection at each frame end (slots are 32 B here, 16 B on the ESP32), minus the live heap before the decode.");
} finally {
  rmSync(directory, { recursive: true, force: true });
}
