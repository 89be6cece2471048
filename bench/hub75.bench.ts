// HUB75 driver figures: refresh rate and DMA memory of our bit-plane layout for 64x32, 64x64, 128x32
// and 128x64 panels at 5-8 bits and 20 MHz, next to ESP32-HUB75-MatrixPanel-DMA's and esp-hub75's, each
// computed from its own documented model (bench/hub75_bench.c), and the instructions one 64x64 frame push costs, measured
// with valgrind's callgrind against a per-pixel, per-bit encoder (the drawPixel style) in the same run.
// The figures come from the C core itself (bench/hub75_bench.c, built by `make build/native/hub75_bench`).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const binary = "build/native/hub75_bench";

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.error?.message}`);
  }
  return result.stdout;
}

/** Instructions executed inside `fn` (callgrind Ir with collection toggled on that function only). */
function instructions(mode: string, ...functions: string[]): number | undefined {
  if (spawnSync("valgrind", ["--version"]).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "hub75-bench-"));
  try {
    const out = join(dir, "callgrind.out");
    run("valgrind", ["--tool=callgrind", ...functions.map((fn) => `--toggle-collect=${fn}`), `--callgrind-out-file=${out}`, binary, mode]);
    const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(out, "utf8"));
    return totals ? Number(totals[1]) : undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kib = (bytes: number): string => (bytes / 1024).toFixed(1);
const times = (ours: number, theirs: number): string => `${(ours / theirs).toFixed(2)}x`;

run("make", ["-s", binary]);
const lines = run(binary, ["table"]).trim().split("\n").slice(1);
console.log("## HUB75 refresh rate and DMA memory (20 MHz)\n");
console.log(
  "Peers, each computed from its own documented model for the same panel (bench/hub75_bench.c): " +
    "MPD = ESP32-HUB75-MatrixPanel-DMA (min refresh 60 Hz), esp-hub75 = esphome-libs/esp-hub75 (lsbMsbTransitionBit 1, min refresh 60 Hz). " +
    "KiB as single / double buffered; ratios are ours ÷ the better peer (refresh: higher is better; memory: single buffered, lower is better).\n",
);
console.log("| panel | bits | refresh (ours) | refresh (MPD) | refresh (esp-hub75) | ratio | DMA KiB (ours) | DMA KiB (MPD) | DMA KiB (esp-hub75) | ratio | max OE duty (ours) |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const line of lines) {
  const [panel, depth, oursHz, oursSingle, oursDouble, duty, mpdHz, mpdSingle, mpdDouble, mpdT, ehHz, ehSingle, ehDouble] = line.split("\t");
  const note = mpdT !== "0" ? ` (t = ${mpdT})` : "";
  const bestHz = Math.max(Number(mpdHz), Number(ehHz));
  const bestBytes = Math.min(Number(mpdSingle), Number(ehSingle));
  const pair = (single: string | undefined, double: string | undefined): string => `${kib(Number(single))} / ${kib(Number(double))}`;
  console.log(
    `| ${panel} | ${depth} | ${Number(oursHz).toFixed(0)} Hz | ${mpdHz} Hz${note} | ${ehHz} Hz | ${times(Number(oursHz), bestHz)} | ` +
      `${pair(oursSingle, oursDouble)} | ${pair(mpdSingle, mpdDouble)} | ${pair(ehSingle, ehDouble)} | ${times(Number(oursSingle), bestBytes)} | ` +
      `${(Number(duty) / 10).toFixed(1)} % |`,
  );
}

const quality = run(binary, ["quality"]).trim().split("\n").slice(1);
console.log("\n## HUB75 dim colours: error against the ideal (64x32, 8 bits, CIE 1931, panel model)\n");
console.log(
  "128 dim colours (L* 0.4-25, one hue), light integrated by the panel model vs. the unquantised CIE 1931 luminance, in output levels " +
    "(1 = one LSB step at 100 %). Peer: the same core without dithering (esp-hub75 lists temporal dithering as not implemented).\n",
);
console.log("| measured | brightness | mean error | max error | hue error mean / max | colours (pixels) > 5° off | shown black |");
console.log("|---|---|---|---|---|---|---|");
for (const line of quality) {
  const [how, brightness, mean, max, hueMean, hueMax, offHue, black, colours] = line.split("\t");
  console.log(
    `| ${how} | ${brightness} % | ${Number(mean).toFixed(3)} | ${Number(max).toFixed(3)} | ${Number(hueMean).toFixed(1)}° / ${Number(hueMax).toFixed(1)}° | ` +
      `${offHue} of ${colours} | ${black} |`,
  );
}

const ours = instructions("push", "hub75_push");
const peer = instructions("naive", "naive_push");
const dithered = instructions("push-dither", "hub75_push");
const still = instructions("push-still", "hub75_push_still", "hub75_hold");
console.log("\n## Instructions per frame push (64x64, 8 bits, x86-64, callgrind Ir)\n");
if (ours === undefined || peer === undefined || dithered === undefined || still === undefined) {
  console.log("valgrind is not installed: instruction counts skipped.");
} else {
  console.log("| encoder | Ir per push | Ir per pixel | ratio |");
  console.log("|---|---|---|---|");
  console.log(`| hub75_push (spread table, 6 lookups per pixel pair) | ${ours} | ${(ours / 4096).toFixed(1)} | ${times(ours, peer)} |`);
  console.log(`| hub75_push with dithering (threshold + 2 lookups per channel) | ${dithered} | ${(dithered / 4096).toFixed(1)} | ${times(dithered, peer)} |`);
  console.log(`| a still with temporal dithering (hub75_push_still + hub75_hold: two phases, once per still) | ${still} | ${(still / 4096).toFixed(1)} | ${times(still, peer)} |`);
  console.log(`| per-pixel, per-bit read-modify-write (peer) | ${peer} | ${(peer / 4096).toFixed(1)} | 1.00x |`);
}
