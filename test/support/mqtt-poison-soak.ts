// The poison-message soak (issue 13): Mosquitto configured like the service holds retained messages the
// player cannot hold (a 5 KiB user property, 33 user properties) on topics the player
// subscribes to, and sends more of them live, while the player publishes a steady stream of QoS 1
// messages. The session must stay up, every message arrive exactly once, and the poison be skipped.
// Used by test/e2e/mqtt-poison-soak.test.ts (short, CI) and bench/mqtt-soak.bench.ts (long).

import { randomUUID } from "node:crypto";
import type mqtt from "mqtt";
import { createNodeHost, NodeLog } from "../../hosts/node/host.js";
import type { MessageHandler } from "../../src/mqtt/subscriptions.js";
import type { TestBroker } from "../../tools/local-broker.js";
import { connectAsService, playerClient } from "./service-client.js";
import { waitFor } from "./wait.js";

export interface SoakOptions {
  durationMs: number;
  /** One QoS 1 publish from the player every this many ms. */
  publishIntervalMs: number;
  /** The service sends a live poison message (and a good command) every this many ms. */
  poisonIntervalMs: number;
}

export interface SoakResult {
  elapsedMs: number;
  published: number;
  acknowledged: number;
  /** Messages that reached the service more than once, and not at all. */
  duplicated: number;
  missing: number;
  reconnects: number;
  poisonSent: number;
  discarded: number;
  goodCommandsSent: number;
  goodCommandsReceived: number;
  finalState: string;
  log: string[];
}

export async function runPoisonSoak(broker: TestBroker, options: SoakOptions): Promise<SoakResult> {
  const key = randomUUID();
  const base = `makapix/player/${key}`;
  const service: mqtt.MqttClient = await connectAsService(broker);
  const arrivals = new Map<number, number>();
  service.on("message", (topic, payload) => {
    if (topic !== `${base}/view`) return;
    const n = (JSON.parse(payload.toString()) as { n: number }).n;
    arrivals.set(n, (arrivals.get(n) ?? 0) + 1);
  });
  await service.subscribeAsync(`${base}/view`, { qos: 1 });
  const bigProperty = { poison: "x".repeat(5 * 1024) };
  const manyProperties: Record<string, string> = {};
  for (let i = 0; i < 33; i++) manyProperties[`k${i}`] = "v";
  // (A 5,000-byte topic is poison too, tested on the scripted broker: MQTT.js does not send one.)
  const poisons: [string, Record<string, string>][] = [
    [`${base}/command`, bigProperty],
    [`${base}/response/poison`, manyProperties],
  ];
  let poisonSent = 0;
  for (const [topic, userProperties] of poisons) {
    await service.publishAsync(topic, "{}", { qos: 1, retain: true, properties: { userProperties } });
    poisonSent++;
  }

  const log: string[] = [];
  const host = createNodeHost(new NodeLog("info", (line) => log.length < 200 && log.push(line)));
  const client = playerClient(broker, host, key);
  let reconnects = 0;
  client.observe({ stateChanged: (state) => state === "reconnecting" && reconnects++ });
  let goodCommandsReceived = 0;
  const commands: MessageHandler = { begin() {}, data() {}, end: () => goodCommandsReceived++, abort() {} };
  const ignore: MessageHandler = { begin() {}, data() {}, end() {}, abort() {} };
  void client.subscribe(`${base}/command`, commands);
  void client.subscribe(`${base}/response/#`, ignore);
  let ready = false;
  client.observe({ ready: () => (ready = true) });
  client.start();
  await waitFor("the player's session", () => ready, 15_000, () => log.join("\n"));

  const start = Date.now();
  let published = 0;
  let acknowledged = 0;
  let goodCommandsSent = 0;
  const deliveries: Promise<unknown>[] = [];
  let nextPoisonAt = start;
  while (Date.now() - start < options.durationMs) {
    const n = published++;
    deliveries.push(client.publish(`${base}/view`, JSON.stringify({ n }), { qos: 1 }).then(() => acknowledged++, () => undefined));
    if (Date.now() >= nextPoisonAt) {
      nextPoisonAt += options.poisonIntervalMs;
      const [topic, userProperties] = poisons[poisonSent % poisons.length]!;
      await service.publishAsync(topic, "{}", { qos: 1, properties: { userProperties } });
      poisonSent++;
      await service.publishAsync(`${base}/command`, '{"command_type":"swap_next"}', { qos: 1 });
      goodCommandsSent++;
    }
    await new Promise((resolve) => setTimeout(resolve, options.publishIntervalMs));
  }
  await Promise.all(deliveries);
  await waitFor("every acknowledged message at the service", () => arrivals.size >= acknowledged, 10_000).catch(() => undefined);
  await waitFor("the last good command", () => goodCommandsReceived >= goodCommandsSent, 5_000).catch(() => undefined);
  const elapsedMs = Date.now() - start;
  const finalState = client.state;
  const discarded = client.discardedMessages;
  client.stop();
  for (const [topic] of poisons) await service.publishAsync(topic, "", { qos: 1, retain: true });
  await service.endAsync(true);
  let duplicated = 0;
  let missing = 0;
  for (let n = 0; n < published; n++) {
    const count = arrivals.get(n) ?? 0;
    if (count === 0) missing++;
    else if (count > 1) duplicated++;
  }
  return {
    elapsedMs, published, acknowledged, duplicated, missing, reconnects, poisonSent, discarded,
    goodCommandsSent, goodCommandsReceived, finalState, log,
  };
}
