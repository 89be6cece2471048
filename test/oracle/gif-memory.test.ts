// Memory of the GIF decoder + compositor inside the real XS engine (test/xs/heap.ts): a 256x256
// animation onto a 128x64 panel must fit the budget docs/artwork.md states, and give it all back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { measureInXs, projectRoot } from "../xs/heap.js";

test("decoding a 256x256 GIF onto a 128x64 panel holds its documented buffers (< 90 KiB) in XS and releases it", async () => {
  const run = await measureInXs({ entry: join(projectRoot, "test/fixtures/xs-heap/gif-decode.ts") });
  const decoding = run.delta("input ready", "decoding");
  const done = run.delta("input ready", "done");
  // Device estimate: slots are 16 bytes on the ESP32, 32 here.
  const device = decoding.slots * 16 + decoding.chunkBytes;
  console.log(`gif decode in XS: live +${decoding.liveBytes} B while decoding (${decoding.chunkBytes} B chunks, ${decoding.slots} slots; ~${device} B on the device), +${done.liveBytes} B after`);
  // The fixed parts docs/artwork.md lists: LZW 16384 + colour tables 1536 + frame colours 1024 + rows
  // 1280 + header 16, sampled canvas 64x64x4 = 16384, saved copy 16384, panel frame 128x64x3 = 24576,
  // index maps 1536.
  const expected = 16384 + 1536 + 1024 + 1280 + 16 + 16384 + 16384 + 24576 + 1536;
  assert.ok(decoding.chunkBytes >= expected, `${decoding.chunkBytes} chunk bytes, less than the buffers alone (${expected})`);
  assert.ok(decoding.chunkBytes < expected + 1024, `${decoding.chunkBytes} chunk bytes, more than ${expected} + 1 KiB`);
  assert.ok(decoding.liveBytes < 90 * 1024, `${decoding.liveBytes} bytes while decoding`);
  assert.ok(done.liveBytes < 1024, `${done.liveBytes} bytes kept after the decoder was dropped`);
});
