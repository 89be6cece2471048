// Memory of registration, measured inside XS (test/xs/heap.ts): a Registration costs its HTTP client's
// buffers and one reply parser, polling adds nothing that grows, and the credentials reply (three
// PEMs) is held only as the credential strings handed over.
// Needs build/xsnap/bin/xsnap-heap (bash scripts/build-xsnap.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { measureInXs, projectRoot } from "../xs/heap.js";

test("a Registration: fixed buffers while polling; the credentials are all it holds at the end", async (t) => {
  const run = await measureInXs({ entry: join(projectRoot, "test/fixtures/xs-heap/registration.ts") });
  const outcome = run.output.find((line) => line.startsWith("outcome "));
  assert.ok(outcome?.startsWith("outcome registered 10 "), `workload output: ${run.output.join(" | ")}`);
  assert.ok(outcome!.endsWith(" 0"), "no timer left");
  const ready = run.delta("before", "ready");
  const polling = run.delta("polling", "polling later");
  const registered = run.delta("ready", "registered");
  const after = run.delta("before", "after");
  t.diagnostic(`registration ready: ${ready.liveBytes} B (${ready.slots} slots + ${ready.chunkBytes} chunk B)`);
  t.diagnostic(`polling: after 4 404s ${run.delta("ready", "polling").liveBytes} B more than ready (first-use warm-up); 4 more polls: ${polling.liveBytes} B`);
  t.diagnostic(`credentials delivered: +${registered.liveBytes} B (${outcome})`);
  const again = run.delta("after", "after second");
  t.diagnostic(`after dropping it: ${after.liveBytes} B (first-use warm-up); a second registration from scratch leaves ${again.liveBytes} B more`);
  // HTTP client: 2 KiB read + 4 KiB head buffer; the reply parser's text buffer: 4096 units.
  assert.ok(ready.chunkBytes >= 6144, `buffers missing? ${ready.chunkBytes}`);
  assert.ok(run.output.includes("second registered"), run.output.join(" | "));
  // 315 slots of 32 B here (16 B on the ESP32) + 15 KiB of buffers.
  assert.ok(ready.liveBytes < 28 * 1024, `a Registration costs ${ready.liveBytes} bytes`);
  assert.ok(again.liveBytes < 2048, `a second registration leaves ${again.liveBytes} bytes behind`);
  assert.ok(polling.liveBytes < 1024, `polling grows by ${polling.liveBytes} bytes`);
  assert.ok(registered.liveBytes < 40 * 1024, `the registered state holds ${registered.liveBytes} bytes`);
});
