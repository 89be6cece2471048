// Node's side of test/oracle/xs-decode-workload.ts, for the PNG/WebP XS memory tests and benchmarks:
// the workload bundled with its input, and decode times measured inside build/xsnap/bin/xsnap.

import { join } from "node:path";
import type { NativeFormat } from "../../src/art/artwork.js";
import { bundleWorkload, projectRoot, runInXsnap } from "../xs/heap.js";

export interface DecodeWorkloadFile {
  name: string;
  bytes: Uint8Array;
  width: number;
  height: number;
}

/** Script source for xsnap or xsnap-heap: the input as a global, then the bundled workload. */
export async function decodeWorkloadSource(mode: "bench" | "memory", format: NativeFormat, files: DecodeWorkloadFile[], ms = 0): Promise<string> {
  const input = {
    mode,
    format,
    ms,
    files: files.map(({ name, bytes, width, height }) => ({ name, base64: Buffer.from(bytes).toString("base64"), width, height })),
  };
  const workload = await bundleWorkload(join(projectRoot, "test/oracle/xs-decode-workload.ts"));
  return `globalThis.DECODE_WORKLOAD = ${JSON.stringify(input)};\n${workload}`;
}

/** Milliseconds per decode of each file inside XS (at least `ms` of decoding per file), by name. */
export async function decodeTimesInXs(format: NativeFormat, files: DecodeWorkloadFile[], ms: number): Promise<Map<string, number>> {
  const run = await runInXsnap(await decodeWorkloadSource("bench", format, files, ms), { timeoutMs: 600_000 });
  const times = new Map<string, number>();
  for (const line of run.stdout.split("\n")) {
    if (!line.startsWith("DECODEBENCH ")) continue;
    const result = JSON.parse(line.slice("DECODEBENCH ".length)) as { name: string; ms: number };
    times.set(result.name, result.ms);
  }
  if (times.size !== files.length) throw new Error(`xsnap run failed (exit ${run.signal ?? run.code}): ${run.stderr || run.stdout.slice(-500)}`);
  return times;
}
