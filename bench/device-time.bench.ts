// Estimated time on an ESP32-S3 (240 MHz Xtensa LX7): each workload's x86-64 instructions in the SDK's
// own XS engine (xst, a release build without mxDebug: scripts/build-xst.sh), counted by valgrind's
// callgrind, divided by an assumed device rate. Method, rate and its uncertainty: docs/device-time.md.
// Each workload runs twice from a cold engine, with runs = 0 (engine start, script parse, input set-up)
// and runs = N; the figure is the difference / N, the workload's own instructions. Counts are
// deterministic (±0.1 %), so one pair of runs per workload is enough: callgrind is ~50× slower.
// Peers: the same xst run natively on this PC in the same bench (est. / this PC = the slowdown the
// assumed rate implies), and the goals (docs/device-time.md): estimated ms / goal, < 1 meets it.
//   DEVICE_X86_IPS=<x86-64 instructions per second of the device>  overrides the assumed rate
//   DEVICE_TIME_ONLY=<text>  only the rows whose name contains it (e.g. "GIF"), for a quicker look
// Run: node scripts/build.mjs && node bench/run.mjs device-time   (skipped without valgrind or an SDK)
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { photoArt } from "../test/oracle/webp-corpus.js";
import { pixelArt } from "../test/oracle/png-corpus.js";
import { encodeBmp } from "../test/support/bmp-encode.js";
import { sharpGif } from "../test/support/gif-corpus.js";
import { paletteArt } from "../test/support/webp-build.js";
import { bundleWorkload, projectRoot } from "../test/xs/heap.js";

/** Assumed: XS on the ESP32-S3 runs 100 M x86-64-instruction equivalents per second (docs/device-time.md). */
const DEVICE_X86_IPS = Number(process.env.DEVICE_X86_IPS ?? 100e6);

function skip(reason: string): never {
  console.log(`\n### Device-time estimate (ESP32-S3): skipped (${reason})`);
  process.exit(0);
}

if (spawnSync("valgrind", ["--version"]).status !== 0) skip("valgrind is not installed");
const built = spawnSync("bash", [join(projectRoot, "scripts/build-xst.sh")], { encoding: "utf8" });
if (built.status === 3) skip("no Moddable SDK: set MODDABLE or see scripts/moddable-sdk.sh");
if (built.status !== 0) throw new Error(`scripts/build-xst.sh failed:\n${built.stderr}`);
const xst = built.stdout.trim().split("\n").pop()!;
// The same engine with the C art kernels linked in (artNatives), for the rows "with native kernels".
const builtArt = spawnSync("bash", [join(projectRoot, "scripts/build-xst.sh"), "--art", "release"], { encoding: "utf8" });
if (builtArt.status !== 0) throw new Error(`scripts/build-xst.sh --art release failed:\n${builtArt.stderr}`);
const xstArt = builtArt.stdout.trim().split("\n").pop()!;
const engine = spawnSync(xst, ["-v"], { encoding: "utf8" }).stdout.trim();

const raw = (rgba: Uint8Array, size: number) => sharp(Buffer.from(rgba), { raw: { width: size, height: size, channels: 4 } });
const gif64 = await sharpGif(64, 64, 24, { loop: 0, delay: new Array<number>(24).fill(100) }, { noisy: true, seed: 64 });
const gif256 = await sharpGif(256, 256, 1, { loop: 0, delay: [100] }, { noisy: true, seed: 256 });
const png256 = new Uint8Array(await raw(pixelArt(256, 256, 5), 256).png().toBuffer());
// The same art with libpng's adaptive filters (sub/up/average/Paeth per row), as most encoders write
// PNGs: png256 (filter "none" on every row, sharp's default) leaves the row filters out.
const png256Filtered = new Uint8Array(await raw(pixelArt(256, 256, 5), 256).png({ adaptiveFiltering: true }).toBuffer());
// A 24-bit BMP of the same art (alpha dropped): BMP is the fourth format the service serves.
const bmpArt = pixelArt(256, 256, 5);
const bmp256 = encodeBmp({ width: 256, height: 256, bitsPerPixel: 24, pixels: Array.from({ length: 256 * 256 }, (_, i) => (bmpArt[i * 4]! << 16) | (bmpArt[i * 4 + 1]! << 8) | bmpArt[i * 4 + 2]!) });
const lossless256 = new Uint8Array(await raw(paletteArt(256, 256, 24, 256), 256).webp({ lossless: true }).toBuffer());
const lossy256 = new Uint8Array(await raw(photoArt(256, 256, 256, true), 256).webp({ quality: 80 }).toBuffer());

interface Row {
  name: string;
  workload: "gif" | "png" | "webp" | "bmp" | "compositor" | "json" | "jsonparse" | "page" | "page28";
  input: string;
  bytes?: Uint8Array;
  runs: number;
  /** The figure is per this many units of one run (frames of an animation). */
  per: number;
  goalMs?: number;
  /** With the C kernels (GIF LZW and colours, compositor, JSON strings; PNG: the SDK's miniz inflate; BMP rows), as the Moddable host runs it. */
  native?: boolean;
}
const rows: Row[] = [
  { name: "GIF 64×64 frame (24-frame file ÷ 24)", workload: "gif", input: `${gif64.length} B`, bytes: gif64, runs: 1, per: 24, goalMs: 20 },
  { name: "GIF 64×64 frame, native kernels", workload: "gif", input: `${gif64.length} B`, bytes: gif64, runs: 1, per: 24, goalMs: 20, native: true },
  { name: "GIF 256×256 first frame", workload: "gif", input: `${gif256.length} B`, bytes: gif256, runs: 1, per: 1, goalMs: 1000 },
  { name: "GIF 256×256 first frame, native kernels", workload: "gif", input: `${gif256.length} B`, bytes: gif256, runs: 1, per: 1, goalMs: 1000, native: true },
  { name: "PNG 256×256 first frame", workload: "png", input: `${png256.length} B`, bytes: png256, runs: 1, per: 1, goalMs: 1000 },
  { name: "WebP lossless 256×256 first frame", workload: "webp", input: `${lossless256.length} B`, bytes: lossless256, runs: 1, per: 1, goalMs: 1000 },
  { name: "WebP lossless 256×256 first frame, native kernels", workload: "webp", input: `${lossless256.length} B`, bytes: lossless256, runs: 1, per: 1, goalMs: 1000, native: true },
  { name: "WebP lossy 256×256 first frame", workload: "webp", input: `${lossy256.length} B`, bytes: lossy256, runs: 1, per: 1, goalMs: 1000 },
  { name: "WebP lossy 256×256 first frame, native kernels", workload: "webp", input: `${lossy256.length} B`, bytes: lossy256, runs: 1, per: 1, goalMs: 1000, native: true },
  { name: "compositor: 256×256 RGBA frame → 64×64 panel", workload: "compositor", input: "256 rows", runs: 4, per: 1 },
  { name: "compositor, native kernels", workload: "compositor", input: "256 rows", runs: 4, per: 1, native: true },
  { name: "PNG 256×256 first frame, native kernels (miniz inflate, filters, CRC, compositor)", workload: "png", input: `${png256.length} B`, bytes: png256, runs: 1, per: 1, goalMs: 1000, native: true },
  { name: "PNG 256×256 adaptive filters first frame", workload: "png", input: `${png256Filtered.length} B`, bytes: png256Filtered, runs: 1, per: 1, goalMs: 1000 },
  { name: "BMP 256×256 first frame (24-bit)", workload: "bmp", input: `${bmp256.length} B`, bytes: bmp256, runs: 1, per: 1, goalMs: 1000 },
  { name: "BMP 256×256 first frame (24-bit), native kernels (rows, compositor)", workload: "bmp", input: `${bmp256.length} B`, bytes: bmp256, runs: 1, per: 1, goalMs: 1000, native: true },
  { name: "PNG 256×256 adaptive filters first frame, native kernels", workload: "png", input: `${png256Filtered.length} B`, bytes: png256Filtered, runs: 1, per: 1, goalMs: 1000, native: true },
  { name: "JSON reply extractor, ~128 KiB query_posts reply", workload: "json", input: "131 KB", runs: 1, per: 1 },
  { name: "JSON reply extractor, native kernels", workload: "json", input: "131 KB", runs: 1, per: 1, native: true },
  { name: "JSON.parse of the same reply (peer)", workload: "jsonparse", input: "131 KB", runs: 2, per: 1 },
  { name: "50-post page (PostsReader)", workload: "page28", input: "~28 KB", runs: 2, per: 1, goalMs: 300 },
  { name: "50-post page, native kernels", workload: "page28", input: "~28 KB", runs: 2, per: 1, goalMs: 300, native: true },
  { name: "50-post page with titles, descriptions, reactions", workload: "page", input: "~41 KB", runs: 2, per: 1, goalMs: 300 },
  { name: "50-post page with titles…, native kernels", workload: "page", input: "~41 KB", runs: 2, per: 1, goalMs: 300, native: true },
];

const only = process.env.DEVICE_TIME_ONLY;
if (only) rows.splice(0, rows.length, ...rows.filter((row) => row.name.includes(only)));

const directory = mkdtempSync(join(tmpdir(), "device-time-"));
const bundle = await bundleWorkload(join(projectRoot, "bench/workloads/device-time.ts"));

/** The workload script with its input; the file as 64-byte number arrays (XS parses one long array literal in quadratic time). */
function writeScript(row: Row, runs: number): string {
  const script = join(directory, `${row.workload}${row.native ? "-native" : ""}-${runs}.js`);
  const chunks = row.bytes ? Array.from({ length: Math.ceil(row.bytes.length / 64) }, (_, i) => Array.from(row.bytes!.subarray(i * 64, i * 64 + 64))) : undefined;
  writeFileSync(script, `globalThis.DEVICE_TIME = ${JSON.stringify({ workload: row.workload, runs, chunks, native: row.native ?? false })};\n${bundle}`);
  return script;
}

/** Wall-clock ms of xst running the script natively on this PC, best of 3. */
function nativeMs(row: Row, script: string): number {
  let best = Infinity;
  for (let trial = 0; trial < 3; trial++) {
    const started = performance.now();
    const run = spawnSync(row.native ? xstArt : xst, ["-s", script], { encoding: "utf8", timeout: 120_000 });
    if (run.status !== 0) throw new Error(`xst failed on ${script}: ${run.stdout}${run.stderr}`);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** x86-64 instructions of one run of the script under callgrind (the whole process, start to exit). */
async function instructions(row: Row, runs: number): Promise<number> {
  const script = writeScript(row, runs);
  const out = join(directory, `${row.workload}${row.native ? "-native" : ""}-${runs}.callgrind`);
  let stdout = "";
  try {
    ({ stdout } = await promisify(execFile)("valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, row.native ? xstArt : xst, "-s", script], { encoding: "utf8", timeout: 900_000 }));
  } catch (error) {
    throw new Error(`xst under callgrind failed (${row.name}, runs ${runs}): ${String(error).slice(-2000)}`);
  }
  if (!stdout.includes("DEVICETIME ")) throw new Error(`xst did not finish (${row.name}, runs ${runs}): ${stdout}`);
  const total = /^summary: (\d+)$/m.exec(readFileSync(out, "utf8"));
  if (!total) throw new Error(`no callgrind summary for ${row.name}`);
  return Number(total[1]);
}

// The baseline and the measured run of a workload side by side (2 processes), one workload at a time.
// Then the peer: the same engine natively on this PC, enough runs for ~2 G instructions (about 0.2 s).
const results: { row: Row; baseline: number; each: number; pcMs: number }[] = [];
try {
  for (const row of rows) {
    const [baseline, measured] = await Promise.all([instructions(row, 0), instructions(row, row.runs)]);
    const each = (measured - baseline) / row.runs / row.per;
    const runs = Math.min(200, Math.max(1, Math.ceil(2e9 / (each * row.per))));
    const pcMs = (nativeMs(row, writeScript(row, runs)) - nativeMs(row, writeScript(row, 0))) / runs / row.per;
    results.push({ row, baseline, each, pcMs });
  }
} finally {
  if (!process.env.DEVICE_TIME_KEEP) rmSync(directory, { recursive: true, force: true });
}

const millions = (n: number) => (n / 1e6).toFixed(1);
const deviceMs = (n: number) => (n / DEVICE_X86_IPS) * 1000;
console.log(`\n### Device-time ESTIMATE, ESP32-S3 at 240 MHz (instructions counted in ${engine.split(",")[0]} xst, release, by callgrind)\n`);
console.log("| workload | input | x86-64 instructions (M) | baseline run (M) | xst on this PC, ms | est. ESP32-S3 ms | est. / this PC | goal | est. / goal |");
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
for (const { row, baseline, each, pcMs } of results) {
  const ms = deviceMs(each);
  const goal = row.goalMs === undefined ? "—" : `≤ ${row.goalMs} ms`;
  const ratio = row.goalMs === undefined ? "—" : `${(ms / row.goalMs).toFixed(1)}×`;
  console.log(`| ${row.name} | ${row.input} | ${millions(each)} | ${millions(baseline)} | ${pcMs.toFixed(2)} | ${ms.toFixed(ms < 100 ? 1 : 0)} | ${(ms / pcMs).toFixed(0)}× | ${goal} | ${ratio} |`);
}
console.log(
  `\nAn estimate, not a measurement: device ms = instructions / ${(DEVICE_X86_IPS / 1e6).toFixed(0)} M per second (assumed: 1.25 Xtensa instructions per x86-64 instruction at an effective IPC of 0.52 on a 240 MHz LX7; docs/device-time.md, override with DEVICE_X86_IPS). ` +
    "Each figure is one cold run (or the mean of a few) less the same script with no run; the baseline column is that script (engine start, parse, input). " +
    "xst on this PC: the same engine run natively (enough runs for ~0.2 s, best of 3, less its no-run script) (the measured peer; est. / this PC is the slowdown the assumed rate implies). " +
    "Decoders push 1 KiB chunks into a Compositor on a 64×64 panel, as played (PNG: the TypeScript inflater in the TypeScript row, the SDK's miniz through the Moddable host's Inflater port in the native row, as on the device); est. / goal < 1 meets the issue-15 goal.",
);
// The "JSON extraction ≥ 0.1× JSON.parse" in the device's engine: instructions, not PC time.
const parse = results.find(({ row }) => row.workload === "jsonparse");
const extraction = results.filter(({ row }) => row.workload === "json");
if (parse && extraction.length > 0) {
  console.log(
    "\nXS speed of the JSON reply extractor as a share of JSON.parse's on the same 128 KiB reply (instructions in xst, goal ≥ 0.1×): " +
      extraction.map(({ row, each }) => `${row.native ? "native kernels" : "TypeScript"} ${(parse.each / each).toFixed(3)}×`).join(", ") +
      ".",
  );
}
