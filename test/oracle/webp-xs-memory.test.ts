// Memory of the WebP decoder inside XS (Node drives xsnap-heap): the live heap it adds while decoding a
// 256×256 lossless file and a 128×128 lossy one with alpha, measured halfway through the frame's rows
// (everything the decoder holds is allocated by then). The bounds are the documented figures
// (docs/artwork.md, "WebP"): the whole frame (ARGB for VP8L, YUV planes for VP8), the compressed
// chunk as received (its buffer grows by doubling), and ~24 KiB of tables, rows and objects.

import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { measureInXs } from "../xs/heap.js";
import { decodeWorkloadSource } from "./xs-decode.js";
import { photoArt } from "./webp-corpus.js";

test("decoding a 256×256 lossless WebP and a 128×128 lossy one with alpha in XS stays within the documented memory", async () => {
  const lossless = new Uint8Array(await sharp(Buffer.from(photoArt(256, 256, 3, true)), { raw: { width: 256, height: 256, channels: 4 } }).webp({ lossless: true }).toBuffer());
  const lossy = new Uint8Array(await sharp(Buffer.from(photoArt(128, 128, 4, true)), { raw: { width: 128, height: 128, channels: 4 } }).webp({ quality: 80 }).toBuffer());
  const cases = [
    // frame ARGB 256 KiB + chunk buffer (≤ 2 × file) + 48 KiB tables/rows/objects
    { name: "lossless-256", bytes: lossless, width: 256, height: 256, bound: 256 * 1024 + 2 * lossless.length + 48 * 1024, floor: 256 * 1024 },
    // Y 16 KiB + U/V 8 KiB + alpha plane 16 KiB + ARGB for the VP8L alpha 64 KiB + chunk buffers + 48 KiB
    { name: "lossy-alpha-128", bytes: lossy, width: 128, height: 128, bound: 104 * 1024 + 2 * lossy.length + 48 * 1024, floor: 24 * 1024 },
  ];
  const report: string[] = [];
  for (const { name, bytes, width, height, bound, floor } of cases) {
    const source = await decodeWorkloadSource("memory", "webp", [{ name, bytes, width, height }]);
    const run = await measureInXs({ source }, { timeoutMs: 120_000 });
    const during = run.delta(`${name} before`, `${name} mid`);
    report.push(`${name} (${bytes.length} B file): ${during.liveBytes} B live mid-decode (${during.slots} slots, ${during.chunkBytes} B chunks; ESP32 estimate ${during.slots * 16 + during.chunkBytes} B), bound ${bound} B`);
    assert.ok(during.liveBytes > floor, `${name}: ${during.liveBytes} B cannot include the frame buffers: the mark missed the decode`);
    assert.ok(during.liveBytes < bound, `${name}: ${during.liveBytes} B live during decoding (bound ${bound})`);
    assert.ok(run.output.some((line) => line.startsWith(`decoded ${name}: 1 frames`)), run.output.join("\n"));
  }
  console.log(`webp decoder memory in XS:\n  ${report.join("\n  ")}`);
});
