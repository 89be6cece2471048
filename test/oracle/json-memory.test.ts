// Memory proof for src/json/ in the real XS engine: parsing a query_posts reply of ~128 KiB and one
// of 1 MiB, fed in 1 KiB chunks, keeps the extractor's live heap under a fixed bound whatever the
// reply's size (the consumer keeps no records), while JSON.parse's result alone is many times larger.
// The figures are from a fresh engine, so they include what XS keeps after a first use (property keys
// and the like): an upper bound for every later reply.
// Needs build/xsnap/bin/xsnap-heap (bash scripts/build-xsnap.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { bundleWorkload, measureInXs, projectRoot, type HeapRun } from "../xs/heap.js";

/** The documented bound (docs/architecture.md, "JSON"): the extractor's live heap while parsing, on this 64-bit host. */
const EXTRACTOR_BOUND = 8192;

const workload = bundleWorkload(join(projectRoot, "test/fixtures/xs-heap/json-reply.ts"));

async function measure(replyBytes: number, sampleEvery: number): Promise<{ run: HeapRun; result: { bytes: number; posts: number; summaryPosts: number } }> {
  const source = `globalThis.replyBytes = ${replyBytes}; globalThis.sampleEvery = ${sampleEvery};\n${await workload}`;
  const run = await measureInXs({ source }, { timeoutMs: 120_000 });
  const line = run.output.find((entry) => entry.startsWith("result "));
  assert.ok(line, `the workload printed no result: ${run.output.join("\n")}`);
  return { run, result: JSON.parse(line.slice("result ".length)) };
}

/** The largest live-heap growth over "input ready" seen while the extractor existed, on this host and estimated for the ESP32 (16-byte slots). */
function peakDuringParse(run: HeapRun): { host: number; device: number } {
  const base = run.mark("input ready");
  let host = 0;
  let device = 0;
  for (const mark of run.marks) {
    if (mark.label !== "extractor created" && mark.label !== "during parse" && mark.label !== "parsed") continue;
    host = Math.max(host, mark.liveBytes - base.liveBytes);
    device = Math.max(device, (mark.slots - base.slots) * 16 + mark.chunkBytes - base.chunkBytes);
  }
  return { host, device };
}

for (const [name, size, sampleEvery] of [["128 KiB", 131072, 1], ["1 MiB", 1048576, 8]] as const) {
  test(`a ${name} query_posts reply: the extractor stays under ${EXTRACTOR_BOUND} bytes; JSON.parse needs many times more`, async () => {
    const { run, result } = await measure(size, sampleEvery);
    assert.ok(result.bytes >= size, `reply of ${result.bytes} bytes`);
    assert.ok(result.posts > 40 && result.posts === result.summaryPosts, `posts ${result.posts}`);
    const samples = run.marks.filter((mark) => mark.label === "during parse").length;
    assert.ok(samples >= result.bytes / 1024 / sampleEvery - 1, `${samples} samples`);
    const created = run.delta("input ready", "extractor created").liveBytes;
    const ours = peakDuringParse(run);
    const accumulated = run.delta("extractor dropped", "second extractor dropped").liveBytes;
    const jsonParse = run.delta("before JSON.parse", "JSON.parse value held").liveBytes;
    console.log(
      `json memory, ${name} reply (${result.bytes} bytes, ${result.posts} posts, 1 KiB chunks): ` +
        `extractor ${created} bytes when created, peak ${ours.host} bytes while parsing (~${ours.device} with the ESP32's 16-byte slots); ` +
        `JSON.parse value ${jsonParse} bytes (${(jsonParse / ours.host).toFixed(0)}x), plus the ${result.bytes}-byte text it needs as input`,
    );
    assert.ok(ours.host < EXTRACTOR_BOUND, `extractor peak ${ours.host} bytes ≥ ${EXTRACTOR_BOUND}`);
    assert.ok(Math.abs(accumulated) < 256, `a second parse left ${accumulated} more bytes live`);
    assert.ok(jsonParse > 10 * ours.host, `JSON.parse value ${jsonParse} bytes is not many times ${ours.host}`);
  });
}
