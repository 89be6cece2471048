// The MQTT session over a socket with a small send window that throws "would block" when written past
// the room it reported (the Moddable lwIP socket's behaviour): bursts arrive whole and in order on one
// connection; what does not fit the write queue is refused (one QoS 0 message) or ends the connection
// (a control packet) without losing a QoS 1 message.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MqttClient, type MqttClientOptions, type SessionState } from "../../../src/mqtt/client.js";
import { MqttPublishError } from "../../../src/mqtt/outbox.js";
import { utf8Decode, utf8Encode } from "../../../src/util/utf8.js";
import { ScriptedBroker, type BrokerScript } from "../../support/scripted-broker.js";
import { createVirtualHost, settle } from "../../support/virtual-host.js";

const KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";

function setup(window: number, script: BrokerScript = {}, overrides: Partial<MqttClientOptions> = {}) {
  const host = createVirtualHost(11);
  host.network.writableBytes = window;
  const broker = new ScriptedBroker(host, script);
  const client = new MqttClient(host, {
    transport: { secure: true, host: "broker.test", port: 8883, ca: "CA", certificate: "CERT", key: "KEY" },
    clientId: KEY,
    username: KEY,
    password: new Uint8Array(0),
    will: { topic: `makapix/player/${KEY}/status`, payload: utf8Encode(`{"player_key":"${KEY}","status":"offline"}`), qos: 1, retain: false },
    ...overrides,
  });
  const states: SessionState[] = [];
  client.observe({ stateChanged: (state) => states.push(state) });
  return { host, broker, client, states };
}

/** A distinct payload per message, `length` bytes of text. */
function payload(index: number, length: number): string {
  const head = `{"n":${index},"fill":"`;
  return head + String.fromCharCode(97 + (index % 26)).repeat(length - head.length - 2) + '"}';
}

function publishedTexts(broker: ScriptedBroker): string[] {
  return broker.receivedOfType(3).map((p) => utf8Decode(p.payload, 0, p.payload.length));
}

test("a burst of QoS 1 publishes 60 times the socket's window (7 times the write queue) arrives whole, in order, on one connection", async () => {
  const { host, broker, client, states } = setup(64, {}, { writeQueueBytes: 512 });
  client.start();
  await host.timers.advance(0);
  assert.equal(client.state, "connected", "the CONNECT (larger than the window) went out in pieces");
  const texts: string[] = [];
  const results: Promise<{ reasonCode: number }>[] = [];
  for (let i = 0; i < 24; i++) {
    const text = payload(i, 40 + ((i * 37) % 120));
    texts.push(text);
    results.push(client.publish(`makapix/player/${KEY}/view`, text));
  }
  const outcomes = await Promise.all(results);
  assert.deepEqual(outcomes.map((r) => r.reasonCode), new Array(24).fill(0), "every message acknowledged");
  assert.deepEqual(publishedTexts(broker), texts);
  assert.equal(broker.sessions.length, 1, "no reconnect");
  assert.deepEqual(states, ["connecting", "connected"]);
  assert.equal(client.lastError, undefined);
  const connection = host.network.connections[0]!;
  const written = connection.writeSizes.reduce((sum, size) => sum + size, 0);
  assert.ok(written > 60 * 64, `${written} bytes written through a 64-byte window`);
  assert.ok(connection.writeSizes.every((size) => size <= 64), "no write larger than the window");
});

test("a burst of QoS 0 publishes goes through the write queue whole and in order", async () => {
  const { host, broker, client } = setup(48);
  client.start();
  await host.timers.advance(0);
  const texts: string[] = [];
  for (let i = 0; i < 16; i++) {
    texts.push(payload(i, 30 + i * 11));
    await client.publish(`makapix/player/${KEY}/view`, texts[i]!, { qos: 0 });
  }
  for (let i = 0; i < 20 && publishedTexts(broker).length < texts.length; i++) await settle(); // the socket drains 48 bytes a turn
  assert.deepEqual(publishedTexts(broker), texts);
  assert.equal(broker.sessions.length, 1);
});

test("PUBACKs for the broker's messages queue behind our publishes and go out in order", async () => {
  const { host, broker, client } = setup(32);
  client.start();
  await host.timers.advance(0);
  const heard: string[] = [];
  await client.subscribe(`makapix/player/${KEY}/command`, {
    begin() {},
    data(chunk) {
      heard.push(utf8Decode(chunk, 0, chunk.length));
    },
    end() {},
    abort() {},
  });
  const sent: Promise<unknown>[] = [];
  for (let i = 0; i < 6; i++) {
    sent.push(client.publish(`makapix/player/${KEY}/view`, payload(i, 90)));
    broker.publishText(`makapix/player/${KEY}/command`, `{"c":${i}}`);
  }
  await Promise.all(sent);
  await settle();
  assert.equal(heard.length, 6);
  assert.deepEqual(broker.receivedOfType(4).map((p) => p.packetId), [1, 2, 3, 4, 5, 6], "every incoming message acknowledged once");
  assert.equal(publishedTexts(broker).length, 6);
  assert.equal(broker.sessions.length, 1);
});

test("a QoS 0 message that does not fit the write queue is refused; the session and the queue carry on", async () => {
  const { host, broker, client } = setup(64, {}, { writeQueueBytes: 256 });
  client.start();
  await host.timers.advance(0);
  const connection = host.network.connections[0]!;
  connection.pauseDraining();
  const first = payload(1, 200);
  await client.publish(`makapix/player/${KEY}/view`, first, { qos: 0 });
  await assert.rejects(client.publish(`makapix/player/${KEY}/view`, payload(2, 200), { qos: 0 }), (error: unknown) => {
    assert.ok(error instanceof MqttPublishError);
    assert.equal(error.reasonCode, 0x97);
    assert.match(error.message, /does not fit the write queue/);
    return true;
  });
  assert.equal(client.state, "connected");
  connection.resumeDraining();
  await settle();
  const later = payload(3, 150);
  await client.publish(`makapix/player/${KEY}/view`, later, { qos: 0 });
  await settle();
  assert.deepEqual(publishedTexts(broker), [first, later]);
  assert.equal(broker.sessions.length, 1);
});

test("a control packet that does not fit ends the connection with a clear cause; after the backoff every QoS 1 message arrives", async () => {
  let acknowledge = false;
  const { host, broker, client } = setup(64, { puback: () => (acknowledge ? 0 : undefined) }, { writeQueueBytes: 200 });
  client.start();
  await host.timers.advance(0);
  assert.equal(client.state, "connected", "a CONNECT of 243 bytes fits the 64-byte window plus the 200-byte queue");
  host.network.connections[0]!.pauseDraining(); // the link stalls
  const messages = [payload(1, 100), payload(2, 100), payload(3, 30)];
  const sent = messages.map((text) => client.publish(`makapix/player/${KEY}/view`, text));
  const filter = `makapix/player/${KEY}/${"x".repeat(100)}`;
  const subscribed = client.subscribe(filter, { begin() {}, data() {}, end() {}, abort() {} });
  await settle();
  assert.equal(client.state, "reconnecting");
  assert.equal(client.lastError!.kind, "socket");
  assert.match(client.lastError!.message, /write queue full/);
  assert.equal(client.failedAttempts, 1);
  acknowledge = true;
  await host.timers.advance(1000); // the first backoff is at most 1 s
  assert.equal(client.state, "connected", JSON.stringify(client.lastError));
  const results = await Promise.all(sent);
  assert.deepEqual(results.map((r) => r.reasonCode), [0, 0, 0]);
  assert.equal(await subscribed, 1);
  assert.deepEqual(publishedTexts(broker), messages, "the new connection carries every message, in order");
  assert.equal(broker.sessions.length, 2);
});

test("a topic alias is not kept for a message that was refused before reaching the broker", async () => {
  const { host, broker, client } = setup(64, { connack: { reasonCode: 0, properties: { topicAliasMaximum: 4 } } }, { writeQueueBytes: 256 });
  client.start();
  await host.timers.advance(0);
  host.network.connections[0]!.pauseDraining();
  const topic = `makapix/player/${KEY}/status`;
  await client.publish(`makapix/player/${KEY}/view`, payload(0, 250), { qos: 0 });
  await assert.rejects(client.publish(topic, payload(1, 200), { qos: 0 }), MqttPublishError);
  host.network.connections[0]!.resumeDraining();
  await settle();
  await client.publish(topic, "{}");
  const last = broker.receivedOfType(3).at(-1)!;
  assert.equal(last.header.topic, topic, "the first packet that reaches the broker names the topic");
});
