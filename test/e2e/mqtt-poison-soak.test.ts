// Issue 13's soak, short enough for CI: Mosquitto delivering poison retained (and live) messages to a
// player that keeps publishing QoS 1 messages. The long version: bench/mqtt-soak.bench.ts.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startBroker, type TestBroker } from "../../tools/local-broker.js";
import { runPoisonSoak } from "../support/mqtt-poison-soak.js";

let broker: TestBroker;

before(async () => {
  broker = await startBroker();
});

after(async () => {
  await broker?.stop();
});

test("poison messages from Mosquitto: the session stays up, QoS 1 messages arrive once each, the poison is skipped", { timeout: 60_000 }, async () => {
  const result = await runPoisonSoak(broker, { durationMs: 15_000, publishIntervalMs: 50, poisonIntervalMs: 1000 });
  const summary = JSON.stringify({ ...result, log: result.log.slice(0, 20) }, null, 1);
  assert.ok(result.reconnects <= 1, summary);
  assert.equal(result.finalState, "connected", summary);
  assert.ok(result.published >= 200, summary);
  assert.equal(result.acknowledged, result.published, summary);
  assert.equal(result.missing, 0, summary);
  assert.equal(result.duplicated, 0, summary);
  assert.ok(result.discarded >= result.poisonSent, `every poison message skipped: ${summary}`);
  assert.equal(result.goodCommandsReceived, result.goodCommandsSent, summary);
  assert.ok(result.elapsedMs < 45_000, summary);
});
