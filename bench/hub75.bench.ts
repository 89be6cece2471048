// HUB75 driver figures: refresh rate and DMA memory of our bit-plane layout for 64x32, 64x64 and
// 128x64 panels at 5-8 bits and 20 MHz, next to ESP32-HUB75-MatrixPanel-DMA's computed the same way
// (its model is in bench/hub75_bench.c), and the instructions one 64x64 frame push costs, measured
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
function instructions(mode: string, fn: string): number | undefined {
  if (spawnSync("valgrind", ["--version"]).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "hub75-bench-"));
  try {
    const out = join(dir, "callgrind.out");
    run("valgrind", ["--tool=callgrind", `--toggle-collect=${fn}`, `--callgrind-out-file=${out}`, binary, mode]);
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
console.log("## HUB75 refresh rate and DMA memory (20 MHz, double buffered)\n");
console.log("Peer: ESP32-HUB75-MatrixPanel-DMA, its refresh/memory model computed for the same panel (min refresh 60 Hz).\n");
console.log("| panel | bits | refresh (ours) | refresh (peer) | ratio | DMA KiB (ours) | DMA KiB (peer) | ratio | max OE duty (ours) |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const line of lines) {
  const [panel, depth, oursHz, oursBytes, duty, libHz, libBytes, transition] = line.split("\t");
  const peerHz = Number(libHz);
  const note = transition !== "0" ? ` (LSB-MSB transition ${transition})` : "";
  console.log(
    `| ${panel} | ${depth} | ${Number(oursHz).toFixed(0)} Hz | ${peerHz} Hz${note} | ${times(Number(oursHz), peerHz)} | ` +
      `${kib(Number(oursBytes))} | ${kib(Number(libBytes))} | ${times(Number(oursBytes), Number(libBytes))} | ` +
      `${(Number(duty) / 10).toFixed(1)} % |`,
  );
}

const ours = instructions("push", "hub75_push");
const peer = instructions("naive", "naive_push");
console.log("\n## Instructions per frame push (64x64, 8 bits, x86-64, callgrind Ir)\n");
if (ours === undefined || peer === undefined) {
  console.log("valgrind is not installed: instruction counts skipped.");
} else {
  console.log("| encoder | Ir per push | Ir per pixel | ratio |");
  console.log("|---|---|---|---|");
  console.log(`| hub75_push (spread table, 6 lookups per pixel pair) | ${ours} | ${(ours / 4096).toFixed(1)} | ${times(ours, peer)} |`);
  console.log(`| per-pixel, per-bit read-modify-write (peer) | ${peer} | ${(peer / 4096).toFixed(1)} | 1.00x |`);
}
