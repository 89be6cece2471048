// The provisioning handler's memory in the real XS engine (test/xs/heap.ts), against the figures in
// docs/provisioning.md: about 10 KiB while it listens, plus the 16.6 KiB credential arena only while a
// set is being received, and nothing left behind by noise and bad requests. ESP32 figures count
// 16-byte slots (32 here). A failure to release the arena shows as "committed" over the limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { measureInXs, projectRoot, type HeapDelta } from "../xs/heap.js";

const onDevice = (delta: HeapDelta) => delta.slots * 16 + delta.chunkBytes;
const KiB = 1024;

test("provisioning holds under 12 KiB listening, the arena only while receiving, and nothing grows under noise", async () => {
  const run = await measureInXs({ entry: join(projectRoot, "test/fixtures/xs-heap/provisioning.ts") });
  assert.ok(run.output.some((line) => /^outcome replies \d+ errors \d+ receiving false$/.test(line)), run.output.join(" | "));
  const open = run.delta("baseline", "open");
  const receiving = run.delta("open", "receiving");
  const committed = run.delta("baseline", "committed");
  const noisy = run.delta("committed", "after-noise");
  for (const [label, delta] of [["open", open], ["receiving (more than open)", receiving], ["committed", committed], ["after noise (more than committed)", noisy]] as const) {
    console.log(`provisioning ${label}: ~${onDevice(delta)} B on the ESP32 (${delta.chunkBytes} B chunks + ${delta.slots} slots)`);
  }
  assert.ok(onDevice(open) < 12 * KiB, `listening: ${onDevice(open)} B`);
  assert.ok(receiving.chunkBytes >= 16 * KiB && onDevice(receiving) < 20 * KiB, `receiving: ${onDevice(receiving)} B`);
  assert.ok(onDevice(committed) < 12 * KiB, `after the commit the arena is gone: ${onDevice(committed)} B`);
  assert.ok(onDevice(noisy) < 1024, `noise and bad requests leave nothing behind: ${onDevice(noisy)} B`);
});
