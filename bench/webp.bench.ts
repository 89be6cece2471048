// WebP decode throughput (source pixels per second) for Makapix-sized images (64×64, 128×128, 256×256;
// lossless pixel art and lossy q80 photo-like art with alpha, written by sharp): our decoder
// (src/art/webp.ts) against @jsquash/webp (libwebp compiled to WASM) in Node, and ours inside XS
// (build/xsnap/bin/xsnap), absolute and relative to ours in Node. Every decoder produces full RGBA:
// ours into a canvas via its row sink, as a player would. In Node, each decoder's best of trials
// interleaved with the other's, in each of NODE_PROCESSES processes; the table gives the median
// process and the range. Ratios > 1 mean ours is faster.
//   node scripts/build.mjs && node bench/run.mjs webp

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import decodeJsquash, { init as initJsquash } from "@jsquash/webp/decode.js";
import sharp from "sharp";
import { WebpDecoder } from "../src/art/webp.js";
import { photoArt } from "../test/oracle/webp-corpus.js";
import { decodeTimesInXs } from "../test/oracle/xs-decode.js";
import { CanvasSink } from "../test/support/canvas-sink.js";
import { paletteArt } from "../test/support/webp-build.js";
import { bestOfInterleaved } from "./time-per-call.js";

const SIZES = [64, 128, 256];
// One process's ratio swings by ±15 % for both decoders alike (the same file: ours 0.40–0.66 ms,
// @jsquash 0.18–0.31 ms in six processes on this machine, each the best of interleaved trials): where
// the code and the data land in memory differs per process. The median of several processes is the figure.
const NODE_PROCESSES = 5;
/** Set in the child processes, which time Node only and print their times as JSON. */
const CHILD = process.env["WEBP_BENCH_CHILD"] === "1";
// Node: ours and @jsquash in interleaved trials, each one's best trial (bench/time-per-call.ts).
const NODE_TRIALS = 9;
const NODE_TRIAL_MS = 120;
const XS_MS = 1500;

// @jsquash/webp under Node: the WASM file is read and compiled here and handed to its init().
const require = createRequire(import.meta.url);
const wasmApi = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<Parameters<typeof initJsquash>[0]> } }).WebAssembly;
await initJsquash(await wasmApi.compile(readFileSync(require.resolve("@jsquash/webp/codec/dec/webp_dec.wasm"))));

const files: { kind: string; size: number; bytes: Uint8Array }[] = [];
for (const size of SIZES) {
  const raw = (rgba: Uint8Array) => sharp(Buffer.from(rgba), { raw: { width: size, height: size, channels: 4 } });
  files.push({ kind: "lossless", size, bytes: new Uint8Array(await raw(paletteArt(size, size, 24, size)).webp({ lossless: true }).toBuffer()) });
  files.push({ kind: "lossy", size, bytes: new Uint8Array(await raw(photoArt(size, size, size, true)).webp({ quality: 80 }).toBuffer()) });
}

const sink = new CanvasSink();
// The last decoder stays referenced, as a player holds its current one. Otherwise the gc() before the
// timed trials (bestOfInterleaved) finds no decoder alive, V8 drops the object shapes its optimised
// code was built for, and throws that code away ("weak objects" deopts, 35 functions): the timing
// would then include re-optimising, slow on a loaded machine.
const held: { decoder?: WebpDecoder } = {};
const node: { ours: number; jsquash: number }[] = [];
for (const file of CHILD ? files : []) {
  const arrayBuffer = Uint8Array.from(file.bytes).buffer;
  const [ours, jsquash] = await bestOfInterleaved(
    [
      () => {
        const decoder = new WebpDecoder(sink);
        decoder.push(file.bytes);
        decoder.finish();
        held.decoder = decoder;
      },
      () => decodeJsquash(arrayBuffer),
    ],
    NODE_TRIALS,
    NODE_TRIAL_MS,
  );
  node.push({ ours: ours!, jsquash: jsquash! });
}

if (CHILD) {
  console.log(JSON.stringify(node));
  process.exit(0);
}

/** Each process's times per file (ms per decode). */
const processes: { ours: number; jsquash: number }[][] = [];
for (let run = 0; run < NODE_PROCESSES; run++) {
  const child = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url)], { env: { ...process.env, WEBP_BENCH_CHILD: "1" }, encoding: "utf8", maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`the Node timing process failed (exit ${child.status}):\n${child.stderr}`);
  processes.push(JSON.parse(child.stdout.trim().split("\n").pop()!) as { ours: number; jsquash: number }[]);
}
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

// XS: the same files, decoded in 1 KiB pushes by test/oracle/xs-decode-workload.ts.
const xsMs = await decodeTimesInXs(
  "webp",
  files.map(({ kind, size, bytes }) => ({ name: `${kind} ${size}`, bytes, width: size, height: size })),
  XS_MS,
);

const mpx = (size: number, ms: number): string => ((size * size) / ms / 1000).toFixed(2);
console.log(`\n## WebP decode throughput (source Mpx/s; ratio = peer time / our time, > 1: ours faster; Node: median of ${NODE_PROCESSES} processes)\n`);
console.log("| image | file | ours Node | @jsquash/webp (WASM) | vs @jsquash (range) | ours XS | XS / Node |");
console.log("|---|---|---|---|---|---|---|");
for (const [i, file] of files.entries()) {
  const ours = median(processes.map((times) => times[i]!.ours));
  const jsquash = median(processes.map((times) => times[i]!.jsquash));
  const ratios = processes.map((times) => times[i]!.jsquash / times[i]!.ours);
  const xs = xsMs.get(`${file.kind} ${file.size}`)!;
  console.log(
    `| ${file.size}×${file.size} ${file.kind} | ${file.bytes.length} B | ${mpx(file.size, ours)} | ${mpx(file.size, jsquash)} | ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${mpx(file.size, xs)} (${xs.toFixed(1)} ms) | ${(ours / xs).toFixed(3)}× |`,
  );
}
