// Memory of the PNG decoder inside XS (Node drives xsnap-heap): the live heap the decoder adds while
// decoding the worst files a Makapix player sees (256×256; RGBA 16-bit Adam7 has the widest rows; a
// 256×256 APNG with many frames), measured halfway through the last frame. The bound is the documented
// worst case (docs/artwork.md): 32 KiB inflate window + ~5 KiB rows/palette + ~6 KiB tables and buffers
// + ~370 slots of objects (12 KiB on this 64-bit host).

import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { measureInXs } from "../xs/heap.js";
import { actl, chunk, fctl, fdat, idatChunks, ihdr, pngFile, scanlines } from "../support/png-encode.js";
import { pixelArt } from "./png-corpus.js";
import { decodeWorkloadSource } from "./xs-decode.js";

const BOUND = 60 * 1024;

async function files(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const art = pixelArt(256, 256, 4);
  const base = () => sharp(art, { raw: { width: 256, height: 256, channels: 4 } });
  const frames = 12;
  const chunks = [ihdr(256, 256, 8, 6), actl(frames, 0)];
  for (let i = 0, sequence = 0; i < frames; i++) {
    const raw = pixelArt(256, 256, 100 + i);
    const data = new Uint8Array(deflateSync(scanlines({ width: 256, height: 256, colourType: 6, bitDepth: 8, samples: raw })));
    chunks.push(fctl({ sequence: sequence++, width: 256, height: 256 }));
    if (i === 0) chunks.push(...idatChunks(data, 8192));
    else chunks.push(fdat(sequence++, data));
  }
  chunks.push(chunk("IEND"));
  return [
    { name: "rgba8", bytes: new Uint8Array(await base().png().toBuffer()) },
    { name: "rgba16-adam7", bytes: new Uint8Array(await base().toColourspace("rgb16").png({ progressive: true }).toBuffer()) },
    { name: "apng-12-frames", bytes: pngFile(chunks) },
  ];
}

test("decoding a 256×256 PNG/APNG in XS adds less than 60 KiB of live heap, whatever the format or frame count", async () => {
  const inputs = await files();
  const report: string[] = [];
  // One engine per file: XS may keep a returned call's locals reachable from the stack for a while.
  for (const { name, bytes } of inputs) {
    const source = await decodeWorkloadSource("memory", "png", [{ name, bytes, width: 256, height: 256 }]);
    const run = await measureInXs({ source }, { timeoutMs: 60_000 });
    const during = run.delta(`${name} before`, `${name} mid`);
    const after = run.delta(`${name} before`, `${name} after`);
    report.push(`${name}: ${during.liveBytes} B live mid-decode (${during.slots} slots, ${during.chunkBytes} B chunks; ESP32 estimate ${during.slots * 16 + during.chunkBytes} B), ${after.liveBytes} B after`);
    assert.ok(during.liveBytes > 32 * 1024, `${name}: ${during.liveBytes} B cannot include the 32 KiB window: the mark missed the decode`);
    assert.ok(during.liveBytes < BOUND, `${name}: ${during.liveBytes} B live during decoding`);
    assert.ok(after.liveBytes < BOUND, `${name}: ${after.liveBytes} B live after decoding`);
    if (name.startsWith("apng")) assert.ok(run.output.some((line) => line.startsWith(`decoded ${name}: 12 frames`)), run.output.join("\n"));
  }
  console.log(`png decoder memory in XS:\n  ${report.join("\n  ")}`);
});
