// What the native kernels' equivalence tests (test/native/*-kernels.test.ts) share: the SDK's xst
// built with the art and JSON kernels under AddressSanitizer and UBSan (scripts/build-xst.sh --art
// asan), and one run of a bundled workload inside it with its input as a global.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleWorkload, projectRoot } from "../xs/heap.js";

/** The xst-art-asan binary's path, built if needed; undefined without the Moddable SDK (the script's exit code 3). */
export function buildAsanXst(): string | undefined {
  const built = spawnSync("bash", [join(projectRoot, "scripts/build-xst.sh"), "--art", "asan"], { encoding: "utf8" });
  if (built.status === 3) return undefined;
  assert.equal(built.status, 0, `scripts/build-xst.sh --art asan failed:\n${built.stderr}`);
  return built.stdout.trim().split("\n").pop();
}

/** A file as 64-byte chunks of plain numbers, the JSON form the workloads take it in. */
export function jsonChunks(bytes: Uint8Array): number[][] {
  return Array.from({ length: Math.ceil(bytes.length / 64) }, (_, i) => Array.from(bytes.subarray(i * 64, i * 64 + 64)));
}

export interface AsanWorkload {
  /** The global the workload reads its input from. */
  global: string;
  input: unknown;
  /** The workload's path under the project (test/native/…-workload.ts). */
  workload: string;
  timeoutMs: number;
  /** An environment variable that, when set, names a file to write the workload's output to. */
  dumpVariable?: string;
}

/**
 * Runs the workload in `xst` (script written into `directory`), with any sanitizer report fatal, and
 * asserts that it exited 0. Returns its output, whole and as lines.
 */
export async function runAsanWorkload(xst: string, directory: string, { global, input, workload, timeoutMs, dumpVariable }: AsanWorkload): Promise<{ stdout: string; stderr: string; lines: string[] }> {
  const script = join(directory, `${global}.js`);
  writeFileSync(script, `globalThis.${global} = ${JSON.stringify(input)};\n${await bundleWorkload(join(projectRoot, workload))}`);
  const run = spawnSync(xst, ["-s", script], {
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0:abort_on_error=1", UBSAN_OPTIONS: "halt_on_error=1:print_stacktrace=1" },
  });
  const dump = dumpVariable ? process.env[dumpVariable] : undefined;
  if (dump) writeFileSync(dump, run.stdout);
  assert.equal(run.status, 0, `xst-art-asan failed (a sanitizer report or a crash):\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-6000)}`);
  return { stdout: run.stdout, stderr: run.stderr, lines: run.stdout.split("\n") };
}
