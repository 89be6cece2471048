// Measures live heap inside the real XS engine, for memory tests run by Node (node --test).
//
// A workload (a TypeScript/JS entry bundled here, or plain script source) runs in
// build/xsnap/bin/xsnap-heap, an xsnap built with XS's mxReport switch: every garbage collection
// prints the chunk bytes and slots in use. The workload calls `heapMark(label)` (import it from
// test/xs/heap-mark.ts) at the points it chooses; each call collects garbage and records, right
// after that collection:
//   slots       live slots (XS's `currentHeapCount`); each slot is 32 bytes on this 64-bit host,
//               16 bytes on the ESP32
//   slotBytes   slots × slot size on this host
//   chunkBytes  live chunk bytes: contents of strings, ArrayBuffers, arrays, closures' variables...
//   liveBytes   slotBytes + chunkBytes
//   peakSlotBytes, peakChunkBytes  high-water marks since the engine started
//
// Why not @agoric/xsnap's worker API: its `evaluate` reports `currentHeapCount` (live slots, which is
// `slots` here) and `allocate` (`allocatedSpace`: memory reserved from the OS, which starts at ~42 MB
// and only grows when the 32 MiB initial chunk space is exhausted). A held 1 MiB ArrayBuffer changes
// neither noticeably, so the worker cannot bound a parser's memory; live chunk bytes can.
import { build } from "esbuild";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface HeapFigures {
  label: string;
  slots: number;
  slotBytes: number;
  chunkBytes: number;
  liveBytes: number;
  peakSlotBytes: number;
  peakChunkBytes: number;
}

export interface HeapDelta {
  slots: number;
  slotBytes: number;
  chunkBytes: number;
  liveBytes: number;
}

export interface HeapRun {
  marks: HeapFigures[];
  // Lines the workload printed (heap reports and markers removed).
  output: string[];
  // The figures recorded by heapMark(label); throws if the workload never reached that mark.
  mark(label: string): HeapFigures;
  // Growth of the live heap from one mark to another (negative when it shrank).
  delta(from: string, to: string): HeapDelta;
}

export type Workload = { entry: string } | { source: string };

export interface MeasureOptions {
  timeoutMs?: number;
}

function findProjectRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, "package.json")) || !existsSync(join(directory, "scripts/build-xsnap.sh"))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error("heap.ts: cannot find the project root (package.json + scripts/build-xsnap.sh)");
    directory = parent;
  }
  return directory;
}

export const projectRoot = findProjectRoot();
const xsnapHeapBinary = join(projectRoot, "build/xsnap/bin/xsnap-heap");
const xsnapBinary = join(projectRoot, "build/xsnap/bin/xsnap");

// Bundles a workload entry as one classic script (IIFE): no imports left for xsnap to resolve.
export async function bundleWorkload(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [resolve(entry)],
    bundle: true,
    format: "iife",
    platform: "neutral",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`bundling ${entry} produced no output`);
  return file.text;
}

function preamble(prefix: string): string {
  return `globalThis.heapMark = function heapMark(label) {
  gc();
  print(${JSON.stringify(prefix)} + " " + String(label));
};
`;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

function runScript(path: string, timeoutMs: number, binary = xsnapHeapBinary): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, [path], { stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
  });
}

const chunkReport = /^# Chunk collection: reserved \d+ used (\d+) peak (\d+) bytes/;
const slotReport = /^# Slot collection: reserved \d+ used (\d+) peak (\d+) bytes/;
const slotSizeOnHost = 32; // sizeof(txSlot) on 64-bit Linux; XS reports slot figures in bytes

function parseRun(stdout: string, prefix: string): { marks: HeapFigures[]; output: string[] } {
  const marks: HeapFigures[] = [];
  const output: string[] = [];
  let chunk = { used: 0, peak: 0 };
  let slot = { used: 0, peak: 0 };
  for (const line of stdout.split("\n")) {
    const chunkMatch = chunkReport.exec(line);
    const slotMatch = slotReport.exec(line);
    if (chunkMatch) chunk = { used: Number(chunkMatch[1]), peak: Number(chunkMatch[2]) };
    else if (slotMatch) slot = { used: Number(slotMatch[1]), peak: Number(slotMatch[2]) };
    else if (line.startsWith(`${prefix} `)) {
      marks.push({
        label: line.slice(prefix.length + 1),
        slots: slot.used / slotSizeOnHost,
        slotBytes: slot.used,
        chunkBytes: chunk.used,
        liveBytes: slot.used + chunk.used,
        peakSlotBytes: slot.peak,
        peakChunkBytes: chunk.peak,
      });
    } else if (line !== "" && !line.startsWith("# Chunk allocation") && !line.startsWith("# Slot allocation")) output.push(line);
  }
  return { marks, output };
}

// Runs the workload in xsnap-heap and returns the figures at each heapMark(label) it reached.
// Rejects if the workload throws, leaves a promise rejection unhandled, or times out.
export async function measureInXs(workload: Workload, options: MeasureOptions = {}): Promise<HeapRun> {
  if (!existsSync(xsnapHeapBinary)) throw new Error(`${xsnapHeapBinary} is missing: run bash scripts/build-xsnap.sh`);
  const source = "entry" in workload ? await bundleWorkload(workload.entry) : workload.source;
  const prefix = `xs-heap-${randomBytes(6).toString("hex")}`;
  const directory = mkdtempSync(join(tmpdir(), "xs-heap-"));
  const path = join(directory, "workload.js");
  try {
    writeFileSync(path, preamble(prefix) + source);
    const run = await runScript(path, options.timeoutMs ?? 60_000);
    const { marks, output } = parseRun(run.stdout, prefix);
    const problems = output.filter((line) => /^unhandled (exception|rejection)/.test(line));
    if (run.timedOut) problems.push(`timed out after ${options.timeoutMs ?? 60_000} ms`);
    else if (run.code !== 0) problems.push(`xsnap-heap exited with ${run.signal ?? `code ${run.code}`} ${run.stderr.trim()}`);
    if (problems.length) throw new Error(`workload failed in XS: ${problems.join("; ")}\n${output.slice(-20).join("\n")}`);
    const mark = (label: string): HeapFigures => {
      const found = marks.find((figures) => figures.label === label);
      if (!found) throw new Error(`no heapMark("${label}") in the run; marks: ${marks.map((m) => m.label).join(", ") || "none"}`);
      return found;
    };
    const delta = (from: string, to: string): HeapDelta => {
      const a = mark(from);
      const b = mark(to);
      return { slots: b.slots - a.slots, slotBytes: b.slotBytes - a.slotBytes, chunkBytes: b.chunkBytes - a.chunkBytes, liveBytes: b.liveBytes - a.liveBytes };
    };
    return { marks, output, mark, delta };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// Runs script source (e.g. a bundled workload with its input prepended) in the plain xsnap, for
// workloads that print results rather than measure memory. An uncaught exception makes xsnap print
// "unhandled exception" and exit non-zero; a workload should still print a closing line of its own
// and the caller check for it, so that a run that stopped early cannot pass.
export async function runInXsnap(source: string, options: MeasureOptions = {}): Promise<ProcessResult> {
  if (!existsSync(xsnapBinary)) throw new Error(`${xsnapBinary} is missing: run bash scripts/build-xsnap.sh`);
  const directory = mkdtempSync(join(tmpdir(), "xsnap-run-"));
  const path = join(directory, "workload.js");
  try {
    writeFileSync(path, source);
    return await runScript(path, options.timeoutMs ?? 60_000, xsnapBinary);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
