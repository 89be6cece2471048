// The whole player's XS heap in the real engine: the simulator app (built instrumented with the
// Moddable SDK) plays 20 artworks of the demo service's "all" channel (GIF, PNG, WebP, BMP) as a
// large-class device on a 64×64 panel, and tools/sim-memory.ts splits its heap by stage. Figures in
// simulator bytes (32-byte slots) and converted to the ESP32 (16-byte slots; chunk bytes as they are,
// so an upper bound). Peers measured in the same run: xsnap (XS 13.3, test/xs/heap.ts) running the same
// device assembly and MQTT session on the virtual network (test/fixtures/xs-heap/device-session.ts,
// large class; no TLS there), and the memory classes' budgets. Skipped without an SDK.
//   node scripts/build.mjs && node bench/run.mjs sim-memory

import { join } from "node:path";
import { MEMORY_CLASSES } from "../src/device/memory-class.js";
import { bundleWorkload, measureInXs, projectRoot } from "../test/xs/heap.js";
import { sdkTools } from "../tools/sim-run.js";
import { heapOf, runMemorySession, SIMULATOR_SLOT_BYTES, stagesOf } from "../tools/sim-memory.js";

const ARTWORKS = 20;
const title = `## Player memory in the Moddable simulator (large class, 64×64 panel, ${ARTWORKS} artworks)`;

const sdk = (await sdkTools()).findSdk();
if (!sdk) {
  console.log(`\n${title}\n\nskipped: no Moddable SDK (set MODDABLE, or put the SDK copy in ../shared/moddable-sdk)`);
  process.exit(0);
}

const session = await runMemorySession({ memoryClass: "large", panel: "64x64", artworks: ARTWORKS, timeoutMs: 600_000 });
const xs = await measureInXs({ source: `globalThis.deviceSessionClass = "large";\n${await bundleWorkload(join(projectRoot, "test/fixtures/xs-heap/device-session.ts"))}` });
const onEsp32 = (delta: { slots: number; chunkBytes: number }) => delta.slots * 16 + delta.chunkBytes;
const xsPeers: { [stage: string]: number } = {
  "device assembly": onEsp32(xs.delta("baseline", "created")),
  "MQTT session": onEsp32(xs.delta("created", "connected")),
};

const large = MEMORY_CLASSES.large.heapBudgetBytes;
const small = MEMORY_CLASSES.small.heapBudgetBytes;
const formats = new Map<string, number>();
for (const { format } of session.shown) formats.set(format, (formats.get(format) ?? 0) + 1);
console.log(`\n${title}\n`);
console.log(`Shown: ${[...formats].map(([format, count]) => `${count} ${format}`).join(", ")}. xsnap: the same assembly and session on the virtual network (no TLS). Budgets: large ${large} B, small ${small} B.\n`);
console.log("| stage | how | simulator B | ESP32 B | xsnap ESP32 B | ESP32 / xsnap | of large budget |");
console.log("|---|---|---|---|---|---|---|");
for (const stage of stagesOf(session)) {
  const peer = Object.entries(xsPeers).find(([name]) => stage.stage.startsWith(name))?.[1];
  const share = `${((stage.bytes.esp32 / large) * 100).toFixed(1)} %`;
  console.log(`| ${stage.stage} | ${stage.how} | ${stage.bytes.simulator} | ${stage.bytes.esp32} | ${peer ?? "–"} | ${peer ? `${(stage.bytes.esp32 / peer).toFixed(2)}×` : "–"} | ${share} |`);
}
const peak = heapOf(session.session);
const stackSlots = session.session.stackPeakBytes / SIMULATOR_SLOT_BYTES;
console.log(`\nSession peak on the ESP32: ${peak.esp32} B = ${(peak.esp32 / large).toFixed(2)}× the large budget, ${(peak.esp32 / small).toFixed(2)}× the small one. Deepest stack: ${stackSlots} slots (${stackSlots * 16} B on the ESP32).`);
