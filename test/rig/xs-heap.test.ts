// Demonstrates test/xs/heap.ts: live-heap figures from inside XS move by what a workload holds, not
// by what it allocates and drops, so memory tests can assert bounds like "parser state < 8 KiB".
// Needs build/xsnap/bin/xsnap-heap (bash scripts/build-xsnap.sh) and `node scripts/build.mjs`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { measureInXs, projectRoot } from "../xs/heap.js";

const MiB = 1024 * 1024;

test("a held 1 MiB ArrayBuffer raises the live heap by at least 1 MiB; small garbage does not", async () => {
  const run = await measureInXs({ entry: join(projectRoot, "test/fixtures/xs-heap/hold-and-compute.ts") });
  const holding = run.delta("baseline", "holding 1 MiB");
  assert.ok(holding.liveBytes >= MiB, `held 1 MiB but live heap grew by ${holding.liveBytes} bytes`);
  assert.ok(holding.liveBytes < MiB + 4096, `live heap grew by ${holding.liveBytes} bytes, far more than 1 MiB`);
  const small = run.delta("holding 1 MiB", "after small workload");
  assert.ok(small.liveBytes < 1024, `a workload that keeps one number grew the live heap by ${small.liveBytes} bytes`);
});

test("script source works too, and dropping the buffer returns the memory", async () => {
  const run = await measureInXs({
    source: `
      heapMark("start");
      globalThis.buffer = new Uint8Array(256 * 1024);
      heapMark("holding");
      globalThis.buffer = undefined;
      heapMark("dropped");
    `,
  });
  assert.ok(run.delta("start", "holding").chunkBytes >= 256 * 1024);
  assert.ok(Math.abs(run.delta("start", "dropped").liveBytes) < 512);
  assert.ok(run.mark("holding").peakChunkBytes >= run.mark("holding").chunkBytes);
});

test("a workload that throws is reported with its error", async () => {
  await assert.rejects(measureInXs({ source: `heapMark("a"); throw new Error("workload broke");` }), /workload broke/);
});
