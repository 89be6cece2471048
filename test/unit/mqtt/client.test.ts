// The MQTT 5 session on a virtual clock against a scripted peer: what the client sends, how it honours
// the broker's limits, keep-alive, reconnect with backoff, and delivery across reconnects.
// (Over 400 lines: one case per behaviour listed above.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { MqttClient, type MqttClientOptions, type SessionState } from "../../../src/mqtt/client.js";
import { encodePacket } from "../../../src/mqtt/encode.js";
import { MqttPublishError } from "../../../src/mqtt/outbox.js";
import type { MessageHandler } from "../../../src/mqtt/subscriptions.js";
import { MqttSubscribeError } from "../../../src/mqtt/subscriptions.js";
import { utf8Decode, utf8Encode } from "../../../src/util/utf8.js";
import { concatBytes } from "../../support/bytes.js";
import { ScriptedBroker, type BrokerScript } from "../../support/scripted-broker.js";
import { createVirtualHost, settle } from "../../support/virtual-host.js";

const KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";

function setup(script: BrokerScript = {}, overrides: Partial<MqttClientOptions> = {}) {
  const host = createVirtualHost(7);
  const broker = new ScriptedBroker(host, script);
  const client = new MqttClient(host, {
    transport: { secure: true, host: "broker.test", port: 8883, ca: "CA", certificate: "CERT", key: "KEY" },
    clientId: KEY,
    username: KEY,
    password: new Uint8Array(0),
    will: {
      topic: `makapix/player/${KEY}/status`,
      payload: utf8Encode(`{"player_key":"${KEY}","status":"offline"}`),
      qos: 1,
      retain: false,
    },
    ...overrides,
  });
  const states: SessionState[] = [];
  let readyCount = 0;
  client.observe({ stateChanged: (state) => states.push(state), ready: () => readyCount++ });
  return { host, broker, client, states, ready: () => readyCount };
}

function collector(): MessageHandler & { messages: { topic: string; text: string }[]; aborted: string[]; chunks: number } {
  let parts: Uint8Array[] = [];
  let topic = "";
  const handler = {
    messages: [] as { topic: string; text: string }[],
    aborted: [] as string[],
    chunks: 0,
    begin(t: string) {
      topic = t;
      parts = [];
    },
    data(chunk: Uint8Array) {
      handler.chunks++;
      parts.push(chunk.slice());
    },
    end() {
      const bytes = concatBytes(parts);
      handler.messages.push({ topic, text: utf8Decode(bytes, 0, bytes.length) });
    },
    abort(reason: string) {
      handler.aborted.push(reason);
    },
  };
  return handler;
}

test("connects with clean start, player key as user name, empty password, offline will and our limits", async () => {
  const { host, broker, client, states } = setup();
  client.start();
  assert.equal(client.state, "connecting");
  await host.timers.advance(0);
  assert.equal(client.state, "connected");
  assert.deepEqual(states, ["connecting", "connected"]);
  const connect = broker.receivedOfType(1)[0]!;
  assert.equal(connect.clientId, KEY);
  assert.equal(connect.cleanStart, true);
  assert.equal(connect.keepAlive, 60);
  assert.equal(connect.username, KEY);
  assert.deepEqual(connect.password, new Uint8Array(0));
  assert.equal(connect.will!.topic, `makapix/player/${KEY}/status`);
  assert.equal(connect.will!.qos, 1);
  assert.equal(connect.will!.retain, false);
  assert.equal(utf8Decode(connect.will!.payload, 0, connect.will!.payload.length), `{"player_key":"${KEY}","status":"offline"}`);
  assert.equal(connect.properties!.sessionExpiryInterval, 0);
  assert.equal(connect.properties!.maximumPacketSize, 256 * 1024);
  assert.ok(connect.properties!.receiveMaximum! >= 1);
  const connection = host.network.connections[0]!;
  assert.equal(connection.secure, true);
});

test("QoS 1 publish: 0x10 no-subscribers is a success, 0x87 not-authorized is an error the caller sees", async () => {
  const { host, client } = setup({ puback: (topic) => (topic.startsWith(`makapix/player/${KEY}/`) ? 0x10 : 0x87) });
  client.start();
  await host.timers.advance(0);
  const ok = await client.publish(`makapix/player/${KEY}/status`, '{"status":"online"}');
  assert.equal(ok.reasonCode, 0x10);
  await assert.rejects(client.publish("makapix/player/other/command", "x"), (error: unknown) => {
    assert.ok(error instanceof MqttPublishError);
    assert.equal(error.reasonCode, 0x87);
    assert.match(error.message, /not authorized \(0x87\)/);
    return true;
  });
});

test("in-flight QoS 1 messages never exceed the broker's Receive Maximum", async () => {
  const { host, broker, client } = setup({ connack: { reasonCode: 0, properties: { receiveMaximum: 2 } }, puback: () => undefined });
  client.start();
  await host.timers.advance(0);
  const results: number[] = [];
  for (let i = 0; i < 5; i++) void client.publish(`makapix/player/${KEY}/view`, `{"n":${i}}`).then((r) => results.push(r.reasonCode));
  await settle();
  let publishes = broker.receivedOfType(3);
  assert.equal(publishes.length, 2);
  broker.send({ type: 4, packetId: publishes[0]!.header.packetId!, reasonCode: 0 });
  await settle();
  publishes = broker.receivedOfType(3);
  assert.equal(publishes.length, 3);
  assert.deepEqual(results, [0]);
  const ids = new Set(publishes.map((p) => p.header.packetId));
  assert.equal(ids.size, 3, "packet ids are unique while in flight");
});

test("a message larger than the broker's Maximum Packet Size is refused before it is sent", async () => {
  const { host, broker, client } = setup({ connack: { reasonCode: 0, properties: { maximumPacketSize: 200 } } });
  client.start();
  await host.timers.advance(0);
  await assert.rejects(client.publish(`makapix/player/${KEY}/view`, new Uint8Array(300)), (error: unknown) => {
    assert.ok(error instanceof MqttPublishError);
    assert.equal(error.reasonCode, 0x95);
    return true;
  });
  assert.equal(broker.receivedOfType(3).length, 0);
  const small = await client.publish(`makapix/player/${KEY}/view`, new Uint8Array(50));
  assert.equal(small.reasonCode, 0);
});

test("topic aliases: a topic published again gets an alias with its name, later publishes send only the alias", async () => {
  const { host, broker, client } = setup({ connack: { reasonCode: 0, properties: { topicAliasMaximum: 2 } } });
  client.start();
  await host.timers.advance(0);
  const topic = `makapix/player/${KEY}/status`;
  await client.publish(topic, "a");
  await client.publish(topic, "b");
  await client.publish(topic, "c");
  const [first, second, third] = broker.receivedOfType(3);
  assert.equal(first!.header.topic, topic);
  assert.equal(first!.header.properties?.topicAlias, undefined, "a topic seen once is not aliased");
  assert.equal(second!.header.topic, topic);
  assert.equal(second!.header.properties!.topicAlias, 1);
  assert.equal(third!.header.topic, "");
  assert.equal(third!.header.properties!.topicAlias, 1);
});

test("topic aliases: one-shot topics (request/{uuid}) never take a slot, and the table stays small whatever the broker allows", async () => {
  const { host, broker, client } = setup({ connack: { reasonCode: 0, properties: { topicAliasMaximum: 1000 } } });
  client.start();
  await host.timers.advance(0);
  const status = `makapix/player/${KEY}/stable0`;
  await client.publish(status, "x");
  for (let n = 0; n < 50; n++) await client.publish(`makapix/player/${KEY}/request/${n}-uuid`, "{}", { oneShot: true });
  for (let n = 0; n < 3; n++) await client.publish(`makapix/player/${KEY}/request/unmarked-${n}`, "{}");
  const requests = broker.receivedOfType(3).slice(1);
  assert.ok(requests.every((p) => p.header.properties?.topicAlias === undefined), "no alias for one-shot topics, marked or not");
  const stable = Array.from({ length: 12 }, (_, n) => `makapix/player/${KEY}/stable${n}`);
  for (let round = 0; round < 3; round++) for (const topic of stable) await client.publish(topic, "x");
  const aliases = new Set(broker.receivedOfType(3).map((p) => p.header.properties?.topicAlias).filter((a) => a !== undefined));
  assert.deepEqual([...aliases].sort((a, b) => a! - b!), [1, 2, 3, 4, 5, 6, 7, 8], "at most 8 aliases, the fixed table");
  // stable0 was seen before the flood of requests: aliased on its next publish, alias only after that.
  assert.equal(broker.receivedOfType(3).filter((p) => p.header.topic === "" && p.header.properties!.topicAlias === 1).length, 2);
  assert.ok(broker.receivedOfType(3).some((p) => p.header.topic === status && p.header.properties?.topicAlias === 1));
});

test("incoming topic aliases are resolved and messages arrive as chunks while the payload streams", async () => {
  const { host, broker, client } = setup({ sliceBytes: 7 });
  client.start();
  await host.timers.advance(0);
  const handler = collector();
  await client.subscribe(`makapix/player/${KEY}/response/#`, handler);
  const topic = `makapix/player/${KEY}/response/r1`;
  const body = '{"success":true,"posts":[]}';
  broker.send({ type: 3, topic, qos: 1, retain: false, dup: false, packetId: 9, properties: { topicAlias: 3 }, payload: utf8Encode(body) });
  broker.send({ type: 3, topic: "", qos: 0, retain: false, dup: false, properties: { topicAlias: 3 }, payload: utf8Encode("{}") });
  await settle();
  assert.deepEqual(handler.messages, [
    { topic, text: body },
    { topic, text: "{}" },
  ]);
  assert.ok(handler.chunks > 3, "payload delivered in several chunks");
  const puback = broker.receivedOfType(4);
  assert.deepEqual(puback.map((p) => p.packetId), [9], "QoS 1 message acknowledged after delivery");
});

test("an unknown incoming topic alias is a protocol error: DISCONNECT 0x82 and reconnect", async () => {
  const { host, broker, client } = setup();
  client.start();
  await host.timers.advance(0);
  await client.subscribe("makapix/#", collector());
  broker.send({ type: 3, topic: "", qos: 0, retain: false, dup: false, properties: { topicAlias: 5 }, payload: new Uint8Array(1) });
  await settle();
  assert.equal(client.state, "reconnecting");
  assert.equal(client.lastError!.kind, "protocol");
  const disconnect = broker.receivedOfType(14)[0]!;
  assert.equal(disconnect.reasonCode, 0x82);
});

test("malformed bytes from the broker give a typed protocol error and a reconnect, not a crash", async () => {
  const { host, broker, client } = setup();
  client.start();
  await host.timers.advance(0);
  broker.sendBytes(new Uint8Array([0x20, 0xff, 0xff, 0xff, 0xff, 0x01]));
  await settle();
  assert.equal(client.state, "reconnecting");
  assert.equal(client.lastError!.kind, "protocol");
  await host.timers.advance(1000);
  assert.equal(client.state, "connected");
});

test("SUBACK failure rejects subscribe with the reason; success resolves with the granted QoS", async () => {
  const { host, client } = setup({ suback: (filter) => (filter.includes("forbidden") ? 0x87 : 1) });
  client.start();
  await host.timers.advance(0);
  assert.equal(await client.subscribe(`makapix/player/${KEY}/command`, collector()), 1);
  await assert.rejects(client.subscribe("forbidden/#", collector()), (error: unknown) => {
    assert.ok(error instanceof MqttSubscribeError);
    assert.equal(error.reasonCode, 0x87);
    return true;
  });
});

test("keep-alive: PINGREQ when idle, and a missing PINGRESP is a dead connection", async () => {
  const { host, broker, client } = setup({ pingresp: true }, { keepAliveSeconds: 60 });
  client.start();
  await host.timers.advance(0);
  await host.timers.advance(60_000);
  assert.ok(broker.receivedOfType(12).length >= 1, "PINGREQ sent within the keep-alive");
  assert.equal(client.state, "connected");
  broker.script.pingresp = false;
  const errors: string[] = [];
  client.observe({ stateChanged: (state, error) => error && errors.push(`${state} ${error.kind}: ${error.message}`) });
  const connectionsBefore = broker.sessions.length;
  // Idle 45 s → PINGREQ; no answer within 30 s → dead. Detected well inside 1.5 × keep-alive.
  await host.timers.advance(80_000);
  assert.equal(errors.length, 1, errors.join("; "));
  assert.match(errors[0]!, /^reconnecting timeout: no PINGRESP within 30000 ms/);
  assert.equal(broker.sessions.length, connectionsBefore + 1, "a fresh connection replaces the dead one");
});

test("the broker's Server Keep Alive replaces ours", async () => {
  const { host, broker, client } = setup({ connack: { reasonCode: 0, properties: { serverKeepAlive: 10 } } });
  client.start();
  await host.timers.advance(0);
  await host.timers.advance(10_000);
  assert.ok(broker.receivedOfType(12).length >= 1);
  assert.equal(client.broker!.keepAliveSeconds, 10);
});

test("no CONNACK in time is a timeout; refused CONNACK codes are reported by name", async () => {
  const silent = setup({ connack: false }, { connectTimeoutMs: 5000 });
  silent.client.start();
  await silent.host.timers.advance(5000);
  assert.equal(silent.client.state, "reconnecting");
  assert.equal(silent.client.lastError!.kind, "timeout");

  const refused = setup({ connack: { reasonCode: 0x87, properties: { reasonString: "revoked" } } });
  refused.client.start();
  await refused.host.timers.advance(0);
  assert.equal(refused.client.state, "reconnecting");
  assert.equal(refused.client.lastError!.kind, "connack");
  assert.equal(refused.client.lastError!.reasonCode, 0x87);
  assert.match(refused.client.lastError!.message, /not authorized \(0x87\): revoked/);
});

test("reconnect backoff doubles from 1 s with jitter, caps at 300 s, and resets after a connection stays up for a while", async () => {
  const { host, broker, client } = setup({ refuse: "alert certificate required", refuseCause: "tls" }, { healthyAfterMs: 30_000 });
  client.start();
  const delays: number[] = [];
  for (let attempt = 0; attempt < 12; attempt++) {
    await host.timers.advance(0);
    assert.equal(client.state, "reconnecting");
    const delay = host.timers.nextDueIn()!;
    delays.push(delay);
    await host.timers.advance(delay);
  }
  assert.equal(client.lastError!.kind, "tls");
  // Each advance also runs the next attempt, which the broker refuses at once: 12 waits, 13 failures.
  assert.equal(client.failedAttempts, 13);
  for (let i = 0; i < delays.length; i++) {
    const ceiling = Math.min(300_000, 1000 * 2 ** i);
    assert.ok(delays[i]! >= ceiling / 2 && delays[i]! <= ceiling, `attempt ${i}: ${delays[i]} within [${ceiling / 2}, ${ceiling}]`);
  }
  assert.ok(new Set(delays.slice(0, 8)).size > 1, "delays are jittered");
  broker.script.refuse = undefined;
  await host.timers.advance(host.timers.nextDueIn()!);
  assert.equal(client.state, "connected");
  assert.equal(client.failedAttempts, 13, "a CONNACK alone does not reset the backoff");
  await host.timers.advance(30_000);
  assert.equal(client.failedAttempts, 0, "a connection up for healthyAfterMs does");
  broker.drop();
  await settle();
  assert.ok(host.timers.nextDueIn()! <= 1000, "backoff starts again from 1 s after a healthy connection");
});

test("a connection that ends right after CONNACK backs off further instead of reconnecting every second (A)", async () => {
  const { host, broker, client } = setup();
  client.start();
  await host.timers.advance(0);
  const delays: number[] = [];
  for (let cycle = 0; cycle < 8; cycle++) {
    assert.equal(client.state, "connected");
    broker.send({ type: 14, reasonCode: 0x95 });
    await settle();
    const delay = host.timers.nextDueIn()!;
    delays.push(delay);
    await host.timers.advance(delay);
  }
  assert.equal(broker.sessions.length, 9);
  assert.ok(delays[7]! >= 64_000, `the 8th delay ${delays[7]} ms has grown (delays ${delays.join(", ")})`);
  assert.ok(client.failedAttempts >= 8);
});

test("after a reconnect: subscriptions are renewed, ready fires, unacknowledged QoS 1 messages are published again", async () => {
  const { host, broker, client, ready } = setup({ puback: () => undefined });
  client.start();
  await host.timers.advance(0);
  const handler = collector();
  await client.subscribe(`makapix/player/${KEY}/command`, handler);
  assert.equal(ready(), 1);
  const delivered = client.publish(`makapix/player/${KEY}/view`, '{"post_id":1}');
  await settle();
  assert.equal(broker.receivedOfType(3).length, 1);
  broker.send({ type: 3, topic: `makapix/player/${KEY}/command`, qos: 1, retain: false, dup: false, packetId: 3, payload: new Uint8Array(100) });
  broker.drop();
  await settle();
  assert.equal(client.state, "reconnecting");
  broker.script.puback = () => 0;
  await host.timers.advance(1000);
  assert.equal(client.state, "connected");
  assert.equal(broker.sessions.length, 2);
  const resubscribe = broker.receivedOfType(8);
  assert.deepEqual(resubscribe.map((s) => s.subscriptions[0]!.topicFilter), [`makapix/player/${KEY}/command`]);
  const republished = broker.receivedOfType(3);
  assert.equal(republished.length, 1);
  assert.equal(utf8Decode(republished[0]!.payload, 0, republished[0]!.payload.length), '{"post_id":1}');
  assert.equal((await delivered).reasonCode, 0);
  assert.equal(ready(), 2);
});

test("a connection lost mid-message aborts that message instead of delivering a partial one", async () => {
  const { host, broker, client } = setup();
  client.start();
  await host.timers.advance(0);
  const handler = collector();
  await client.subscribe(`makapix/player/${KEY}/response/#`, handler);
  const topic = `makapix/player/${KEY}/response/x`;
  const bytes = encodePacket({ type: 3, topic, qos: 1, retain: false, dup: false, packetId: 4, payload: new Uint8Array(5000) });
  broker.sendBytes(bytes.subarray(0, 2000));
  broker.drop();
  await settle();
  assert.equal(handler.messages.length, 0);
  assert.equal(handler.aborted.length, 1);
});

test("stop() sends DISCONNECT 0x00 (no will), cancels every timer and refuses queued messages", async () => {
  const { host, broker, client } = setup({ puback: () => undefined });
  client.start();
  await host.timers.advance(0);
  const pending = client.publish(`makapix/player/${KEY}/view`, "x");
  await settle();
  client.stop();
  await assert.rejects(pending, /client stopped/);
  const disconnect = broker.receivedOfType(14);
  assert.equal(disconnect.length, 1);
  assert.equal(disconnect[0]!.reasonCode, 0);
  assert.equal(client.state, "disconnected");
  assert.equal(host.timers.pending, 0);
});

test("a broker DISCONNECT is reported with its reason and the client reconnects", async () => {
  const { host, broker, client } = setup();
  client.start();
  await host.timers.advance(0);
  broker.send({ type: 14, reasonCode: 0x8e, properties: { reasonString: "taken over" } });
  await settle();
  assert.equal(client.lastError!.kind, "server");
  assert.match(client.lastError!.message, /session taken over \(0x8e\): taken over/);
  await host.timers.advance(1000);
  assert.equal(client.state, "connected");
});

test("the outbox is bounded: publishes beyond it are refused at once, the rest wait for a connection", async () => {
  const { host, client } = setup({}, { outboxMessages: 3 });
  const outcomes: string[] = [];
  for (let n = 1; n <= 4; n++) {
    client.publish("makapix/x", String(n)).then(
      () => outcomes.push(`${n} delivered`),
      (error: Error) => outcomes.push(`${n} refused: ${error.message}`),
    );
  }
  await settle();
  assert.equal(outcomes.length, 1);
  assert.match(outcomes[0]!, /^4 refused: outbox full/);
  client.start();
  await host.timers.advance(0);
  assert.deepEqual(outcomes.slice(1), ["1 delivered", "2 delivered", "3 delivered"]);
});
