// The small memory class in the real engine (moddable tier): the simulator app, built instrumented with
// the Moddable SDK, plays a session of the demo service's "all" channel on a 64×32 panel (the largest
// the small class allows) with the small class's decoders (GIF, PNG, BMP; WebP posts come as their
// renditions), and its whole XS heap, converted to ESP32 sizes (16-byte slots), stays within the
// class's heap budget. How each figure is read: hosts/sim/memory.ts; the table: docs/hosts.md.
// Skipped without an SDK.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MEMORY_CLASSES } from "../../src/device/memory-class.js";
import { sdkTools, projectRoot } from "../../tools/sim-run.js";
import { heapOf, runMemorySession, SIMULATOR_SLOT_BYTES, stagesOf } from "../../tools/sim-memory.js";

const sdk = (await sdkTools()).findSdk();
const ARTWORKS = 12;

test("the small class plays a 64×32 GIF/PNG session within its heap budget (ESP32 sizes), and the app's stack within its manifest", { skip: sdk ? false : "no Moddable SDK", timeout: 420_000 }, async () => {
  const small = MEMORY_CLASSES.small;
  const session = await runMemorySession({ memoryClass: "small", panel: "64x32", artworks: ARTWORKS });
  for (const stage of stagesOf(session)) console.log(`# ${stage.stage}: ${stage.bytes.esp32} B on the ESP32 (${stage.bytes.simulator} B here; ${stage.how})`);

  assert.equal(session.shown.length, ARTWORKS);
  const formats = new Set(session.shown.map((artwork) => artwork.format));
  for (const format of formats) assert.ok(small.decoders.includes(format as never), `${format} is a small-class format`);
  assert.ok(formats.has("gif") && formats.has("png"), `GIF and PNG art was shown: ${[...formats].join(", ")}`);

  const peak = heapOf(session.session).esp32;
  assert.ok(peak <= small.heapBudgetBytes, `session peak ${peak} B (ESP32) over the small budget ${small.heapBudgetBytes} B`);
  // What stays live while an artwork plays, besides its frames: the decoder must not (it did: ~42 KB).
  const kept = stagesOf(session).find((stage) => stage.stage.startsWith("kept between artworks"))!;
  assert.ok(kept.bytes.esp32 <= 16 * 1024, `${kept.bytes.esp32} B kept between artworks besides the frame caches`);
  const caches = Math.max(...session.records.map((record) => record.frameCacheBytes ?? 0));
  assert.ok(caches <= small.frameCaches * small.frameBudgetBytes, `frame caches ${caches} B over ${small.frameCaches} frame budget(s)`);

  const manifest = JSON.parse(readFileSync(join(projectRoot, "hosts/sim/manifest.json"), "utf8")) as { creation: { stack: number } };
  const stackSlots = session.session.stackPeakBytes / SIMULATOR_SLOT_BYTES;
  assert.ok(stackSlots <= manifest.creation.stack * 0.8, `stack peak ${stackSlots} slots leaves under 20 % of the manifest's ${manifest.creation.stack}`);
});
