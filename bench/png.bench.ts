// PNG decode throughput (source pixels per second) for Makapix-sized images (64×64, 128×128, 256×256
// RGBA pixel art written by sharp at its default compression): our decoder (src/art/png.ts with the
// TypeScript inflate) against pngjs (native zlib), fast-png (fflate) and upng-js (pako) in Node, and
// ours inside XS (build/xsnap/bin/xsnap), absolute and relative to ours in Node. Then the decoder's
// peak live heap in XS (xsnap-heap, 256×256). Every decoder produces full RGBA: ours into a canvas via
// its row sink, as a player would. Ratios > 1 mean ours is faster.
//   node scripts/build.mjs && node bench/run.mjs png

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode as fastPngDecode } from "fast-png";
import pngjs from "pngjs";
import sharp from "sharp";
import UPNG from "upng-js";
import type { FrameHeader, ImageSink } from "../src/art/image.js";
import { PngDecoder } from "../src/art/png.js";
import { pixelArt } from "../test/oracle/png-corpus.js";
import { toHexPieces } from "../test/oracle/xs-png-workload.js";
import { bundleWorkload, measureInXs, projectRoot } from "../test/xs/heap.js";

const SIZES = [64, 128, 256];
const NODE_MS = 700;
const XS_MS = 1500;

class CanvasSink implements ImageSink {
  canvas = new Uint8Array(0);
  width = 0;
  frame: FrameHeader | undefined;
  header(header: { width: number; height: number }): void {
    this.width = header.width;
    if (this.canvas.length !== header.width * header.height * 4) this.canvas = new Uint8Array(header.width * header.height * 4);
  }
  frameStart(frame: FrameHeader): void {
    this.frame = frame;
  }
  row(y: number, x0: number, step: number, count: number, rgba: Uint8Array): void {
    const base = ((this.frame!.top + y) * this.width + this.frame!.left + x0) * 4;
    if (step === 1) this.canvas.set(rgba.subarray(0, count * 4), base);
    else for (let i = 0; i < count; i++) this.canvas.set(rgba.subarray(i * 4, i * 4 + 4), base + i * step * 4);
  }
  frameEnd(): void {}
  end(): void {}
}

/** Milliseconds per call, after a warm-up, over at least `ms` of calls. */
function timePerCall(fn: () => unknown, ms: number): number {
  const warm = performance.now();
  while (performance.now() - warm < ms / 3) fn();
  globalThis.gc?.();
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < ms) {
    fn();
    runs++;
  }
  return (performance.now() - start) / runs;
}

const files = await Promise.all(
  SIZES.map(async (size) => ({
    size,
    bytes: new Uint8Array(await sharp(pixelArt(size, size, 5), { raw: { width: size, height: size, channels: 4 } }).png().toBuffer()),
  })),
);

const sink = new CanvasSink();
const node = files.map(({ size, bytes }) => {
  const buffer = Buffer.from(bytes);
  return {
    size,
    ours: timePerCall(() => {
      const decoder = new PngDecoder(sink);
      decoder.push(bytes);
      decoder.finish();
    }, NODE_MS),
    pngjs: timePerCall(() => pngjs.PNG.sync.read(buffer), NODE_MS),
    fastPng: timePerCall(() => fastPngDecode(bytes), NODE_MS),
    upng: timePerCall(() => UPNG.toRGBA8(UPNG.decode(bytes)), NODE_MS),
  };
});

// XS: the same files, decoded in 1 KiB pushes by test/oracle/xs-png-workload.ts.
const workload = await bundleWorkload(join(projectRoot, "test/oracle/xs-png-workload.ts"));
const directory = mkdtempSync(join(tmpdir(), "png-bench-"));
const xsMs = new Map<number, number>();
try {
  const input = { mode: "bench", ms: XS_MS, files: files.map(({ size, bytes }) => ({ name: String(size), hex: toHexPieces(bytes) })) };
  const path = join(directory, "bench.js");
  writeFileSync(path, `globalThis.PNG_WORKLOAD = ${JSON.stringify(input)};\n${workload}`);
  const run = spawnSync(join(projectRoot, "build/xsnap/bin/xsnap"), [path], { encoding: "utf8", timeout: 300_000 });
  for (const line of run.stdout.split("\n")) {
    if (!line.startsWith("PNGBENCH ")) continue;
    const result = JSON.parse(line.slice(9)) as { name: string; ms: number };
    xsMs.set(Number(result.name), result.ms);
  }
  if (xsMs.size !== files.length) throw new Error(`xsnap run failed: ${run.stderr || run.stdout.slice(-500)}`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}

const mpx = (size: number, ms: number): string => ((size * size) / ms / 1000).toFixed(2);
const ratio = (peer: number, ours: number): string => `${(peer / ours).toFixed(2)}×`;
console.log("\n## PNG decode throughput (source Mpx/s; ratio = peer time / our time, > 1: ours faster)\n");
console.log("| image | file | ours Node | pngjs | vs pngjs | fast-png | vs fast-png | upng-js | vs upng-js | ours XS | XS / Node |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const [i, result] of node.entries()) {
  const { size } = result;
  const xs = xsMs.get(size)!;
  console.log(
    `| ${size}×${size} RGBA | ${files[i]!.bytes.length} B | ${mpx(size, result.ours)} | ${mpx(size, result.pngjs)} | ${ratio(result.pngjs, result.ours)} | ${mpx(size, result.fastPng)} | ${ratio(result.fastPng, result.ours)} | ${mpx(size, result.upng)} | ${ratio(result.upng, result.ours)} | ${mpx(size, xs)} (${xs.toFixed(1)} ms) | ${(result.ours / xs).toFixed(3)}× |`,
  );
}

// Peak live heap of the decoder in XS: mid-decode of the 256×256 file, relative to just before it.
const largest = files[files.length - 1]!;
const memoryInput = { mode: "memory", ms: 0, files: [{ name: "png", hex: toHexPieces(largest.bytes) }] };
const memory = await measureInXs({ source: `globalThis.PNG_WORKLOAD = ${JSON.stringify(memoryInput)};\n${workload}` });
const during = memory.delta("png before", "png mid");
console.log(`\n## PNG decoder memory in XS (256×256 RGBA, mid-decode)\n`);
console.log("| live heap added | slots | chunk bytes | ESP32 estimate (16 B slots) | engine peak chunk bytes |");
console.log("|---|---|---|---|---|");
console.log(`| ${during.liveBytes} B | ${during.slots} | ${during.chunkBytes} B | ${during.slots * 16 + during.chunkBytes} B | ${memory.mark("png mid").peakChunkBytes} B |`);
