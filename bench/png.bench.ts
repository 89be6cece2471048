// PNG decode throughput (source pixels per second) for Makapix-sized images (64×64, 128×128, 256×256
// RGBA pixel art written by sharp at its default compression): our decoder (src/art/png.ts with the
// TypeScript inflate) against pngjs (native zlib), fast-png (fflate) and upng-js (pako) in Node, and
// ours inside XS (build/xsnap/bin/xsnap), absolute and relative to ours in Node. Then the decoder's
// peak live heap in XS (xsnap-heap, 256×256). Every decoder produces full RGBA: ours into a canvas via
// its row sink, as a player would. Ratios > 1 mean ours is faster.
//   node scripts/build.mjs && node bench/run.mjs png

import { decode as fastPngDecode } from "fast-png";
import pngjs from "pngjs";
import sharp from "sharp";
import UPNG from "upng-js";
import { PngDecoder } from "../src/art/png.js";
import { pixelArt } from "../test/oracle/png-corpus.js";
import { decodeTimesInXs, decodeWorkloadSource } from "../test/oracle/xs-decode.js";
import { CanvasSink } from "../test/support/canvas-sink.js";
import { measureInXs } from "../test/xs/heap.js";
import { timePerCall } from "./time-per-call.js";

const SIZES = [64, 128, 256];
const NODE_MS = 700;
const XS_MS = 1500;

const files = await Promise.all(
  SIZES.map(async (size) => ({
    size,
    bytes: new Uint8Array(await sharp(pixelArt(size, size, 5), { raw: { width: size, height: size, channels: 4 } }).png().toBuffer()),
  })),
);

const sink = new CanvasSink();
const node = [];
for (const { size, bytes } of files) {
  const buffer = Buffer.from(bytes);
  node.push({
    size,
    ours: await timePerCall(() => {
      const decoder = new PngDecoder(sink);
      decoder.push(bytes);
      decoder.finish();
    }, NODE_MS),
    pngjs: await timePerCall(() => pngjs.PNG.sync.read(buffer), NODE_MS),
    fastPng: await timePerCall(() => fastPngDecode(bytes), NODE_MS),
    upng: await timePerCall(() => UPNG.toRGBA8(UPNG.decode(bytes)), NODE_MS),
  });
}

// XS: the same files, decoded in 1 KiB pushes by test/oracle/xs-decode-workload.ts.
const workloadFiles = files.map(({ size, bytes }) => ({ name: String(size), bytes, width: size, height: size }));
const xsMs = await decodeTimesInXs("png", workloadFiles, XS_MS);

const mpx = (size: number, ms: number): string => ((size * size) / ms / 1000).toFixed(2);
const ratio = (peer: number, ours: number): string => `${(peer / ours).toFixed(2)}×`;
console.log("\n## PNG decode throughput (source Mpx/s; ratio = peer time / our time, > 1: ours faster)\n");
console.log("| image | file | ours Node | pngjs | vs pngjs | fast-png | vs fast-png | upng-js | vs upng-js | ours XS | XS / Node |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const [i, result] of node.entries()) {
  const { size } = result;
  const xs = xsMs.get(String(size))!;
  console.log(
    `| ${size}×${size} RGBA | ${files[i]!.bytes.length} B | ${mpx(size, result.ours)} | ${mpx(size, result.pngjs)} | ${ratio(result.pngjs, result.ours)} | ${mpx(size, result.fastPng)} | ${ratio(result.fastPng, result.ours)} | ${mpx(size, result.upng)} | ${ratio(result.upng, result.ours)} | ${mpx(size, xs)} (${xs.toFixed(1)} ms) | ${(result.ours / xs).toFixed(3)}× |`,
  );
}

// Peak live heap of the decoder in XS: mid-decode of the 256×256 file, relative to just before it.
const largest = files[files.length - 1]!;
const memory = await measureInXs({ source: await decodeWorkloadSource("memory", "png", [{ name: "png", bytes: largest.bytes, width: largest.size, height: largest.size }]) });
const during = memory.delta("png before", "png mid");
console.log(`\n## PNG decoder memory in XS (256×256 RGBA, mid-decode)\n`);
console.log("| live heap added | slots | chunk bytes | ESP32 estimate (16 B slots) | engine peak chunk bytes |");
console.log("|---|---|---|---|---|");
console.log(`| ${during.liveBytes} B | ${during.slots} | ${during.chunkBytes} B | ${during.slots * 16 + during.chunkBytes} B | ${memory.mark("png mid").peakChunkBytes} B |`);
