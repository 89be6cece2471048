// Memory of the HTTP client, measured inside XS (test/xs/heap.ts): streaming a 1 MiB body holds only
// the client's fixed buffers and per-request bookkeeping, never the body.
// Needs build/xsnap/bin/xsnap-heap (bash scripts/build-xsnap.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { measureInXs, projectRoot } from "../xs/heap.js";

test("an HttpClient costs its buffers; streaming 1 MiB adds a few KiB of bookkeeping, not the body", async (t) => {
  const run = await measureInXs({ entry: join(projectRoot, "test/fixtures/xs-heap/http-stream.ts") });
  assert.ok(run.output.includes("outcome 200 1048576 0"), `workload output: ${run.output.join(" | ")}`);
  const client = run.delta("before client", "client ready");
  const streaming = run.delta("client ready", "mid-body");
  const after = run.delta("client ready", "after request");
  t.diagnostic(`client: ${client.liveBytes} B (${client.slots} slots + ${client.chunkBytes} chunk B)`);
  t.diagnostic(`mid-body: +${streaming.liveBytes} B (${streaming.slots} slots + ${streaming.chunkBytes} chunk B)`);
  t.diagnostic(`after: ${after.liveBytes} B`);
  // 2 KiB read buffer + 4 KiB head buffer + the client's objects and closures.
  assert.ok(client.chunkBytes >= 6144, `buffers missing? ${client.chunkBytes}`);
  assert.ok(client.liveBytes < 6144 + 6144, `client costs ${client.liveBytes} bytes`);
  // Mid-body: the request's objects, the sink, the promise, plus the virtual connection and scripted
  // exchange of the test itself. Body bytes would show up as chunk bytes: 512 KiB have passed by then.
  assert.ok(streaming.chunkBytes < 4096, `streaming holds ${streaming.chunkBytes} chunk bytes`);
  assert.ok(streaming.liveBytes < 16 * 1024, `streaming holds ${streaming.liveBytes} bytes`);
  assert.ok(after.liveBytes <= streaming.liveBytes, `a finished request leaves ${after.liveBytes} bytes behind`);
});
