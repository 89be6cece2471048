// The MQTT session against a broker that misbehaves or sends what the client cannot hold (issue 13):
// poison messages, failures in the middle of a read, packets out of order, the broker's Maximum Packet
// Size, unsubscribing, liveness without a keep-alive, outgoing aliases, and typed socket failures.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MqttClient, type MqttClientOptions } from "../../../src/mqtt/client.js";
import { encodePacket } from "../../../src/mqtt/encode.js";
import type { MessageHandler } from "../../../src/mqtt/subscriptions.js";
import { MqttSubscribeError } from "../../../src/mqtt/subscriptions.js";
import { utf8Decode, utf8Encode } from "../../../src/util/utf8.js";
import { concatBytes } from "../../support/bytes.js";
import { ScriptedBroker, type BrokerScript } from "../../support/scripted-broker.js";
import { createVirtualHost, settle } from "../../support/virtual-host.js";

const KEY = "5d2c9a10-7b3e-4f60-9e21-aa0b1c2d3e4f";
const COMMAND = `makapix/player/${KEY}/command`;
const RESPONSES = `makapix/player/${KEY}/response/#`;

function setup(script: BrokerScript = {}, overrides: Partial<MqttClientOptions> = {}) {
  const host = createVirtualHost(11);
  const broker = new ScriptedBroker(host, script);
  const client = new MqttClient(host, {
    transport: { secure: true, host: "broker.test", port: 8883, ca: "CA", certificate: "CERT", key: "KEY" },
    clientId: KEY,
    username: KEY,
    ...overrides,
  });
  return { host, broker, client };
}

function inbox(): MessageHandler & { texts: string[] } {
  let parts: Uint8Array[] = [];
  const handler = {
    texts: [] as string[],
    begin() {
      parts = [];
    },
    data(chunk: Uint8Array) {
      parts.push(chunk.slice());
    },
    end() {
      const bytes = concatBytes(parts);
      handler.texts.push(utf8Decode(bytes, 0, bytes.length));
    },
    abort() {},
  };
  return handler;
}

function openConnections(host: ReturnType<typeof createVirtualHost>): number {
  return host.network.connections.filter((connection) => connection.isOpen).length;
}

test("A: a message too large to hold (5 KiB user property, 33 user properties, 5,000-byte topic) is skipped, counted and acknowledged; the session stays", async () => {
  const { host, broker, client } = setup();
  const commands = inbox();
  const responses = inbox();
  client.start();
  await host.timers.advance(0);
  await client.subscribe(COMMAND, commands);
  await client.subscribe(RESPONSES, responses);
  const base = { type: 3 as const, retain: true, dup: false, payload: utf8Encode("{}") };
  broker.send({ ...base, topic: COMMAND, qos: 1, packetId: 21, properties: { userProperties: [["poison", "x".repeat(5 * 1024)]] } });
  broker.send({ ...base, topic: COMMAND, qos: 0, properties: { userProperties: Array.from({ length: 33 }, (_, i): [string, string] => [`k${i}`, "v"]) } });
  broker.send({ ...base, topic: `makapix/player/${KEY}/response/${"t".repeat(5000)}`, qos: 1, packetId: 22 });
  broker.publishText(COMMAND, '{"command_type":"swap_next"}');
  await settle();
  assert.equal(client.state, "connected");
  assert.equal(broker.sessions.length, 1, "no reconnect");
  assert.equal(client.discardedMessages, 3);
  assert.deepEqual(commands.texts, ['{"command_type":"swap_next"}']);
  assert.deepEqual(responses.texts, []);
  const pubacks = broker.receivedOfType(4).map((p) => `${p.packetId}:${p.reasonCode.toString(16)}`);
  assert.deepEqual(pubacks, ["21:83", "22:83", "1:0"], "skipped QoS 1 messages are acknowledged, so the broker's window does not fill");
  assert.ok(host.log.has("incoming message skipped"));
});

test("A: in-flight messages of a connection that keeps dying are not all sent again on every reconnect", async () => {
  const { host, broker, client } = setup({ connack: { reasonCode: 0, properties: { receiveMaximum: 4 } }, puback: () => undefined }, { backoff: { initialMs: 100, maximumMs: 100 } });
  client.start();
  await host.timers.advance(0);
  const results: number[] = [];
  for (let n = 0; n < 4; n++) void client.publish(`makapix/player/${KEY}/view`, `{"n":${n}}`).then((r) => results.push(r.reasonCode));
  await settle();
  assert.equal(broker.receivedOfType(3).length, 4);
  for (let cycle = 0; cycle < 5; cycle++) {
    broker.drop();
    await settle();
    await host.timers.advance(100);
    assert.equal(client.state, "connected");
    assert.equal(broker.receivedOfType(3).length, 1, `cycle ${cycle}: one message at a time until a PUBACK proves the connection`);
  }
  const total = broker.sessions.reduce((sum, session) => sum + session.filter((p) => p.type === 3).length, 0);
  assert.equal(total, 4 + 5, "4 messages, each cycle re-sending one (not 4 × 6 = 24)");
  broker.script.puback = () => 0;
  broker.drop();
  await settle();
  await host.timers.advance(100);
  await settle();
  assert.equal(results.length, 4, "all delivered once PUBACKs come");
  assert.equal(broker.receivedOfType(3).length, 4);
});

test("B: a DISCONNECT and garbage in one read: parsing stops at the first failure, one reconnect timer, nothing open after stop()", async () => {
  const { host, broker, client } = setup();
  client.start();
  await host.timers.advance(0);
  const states: string[] = [];
  client.observe({ stateChanged: (state, error) => states.push(`${state} ${error?.kind}`) });
  broker.sendBytes(concatBytes([encodePacket({ type: 14, reasonCode: 0x8e }), new Uint8Array([0x20, 0xff, 0xff, 0xff, 0xff, 0x01])]));
  await settle();
  assert.deepEqual(states, ["reconnecting server"], "one failure, the broker's");
  assert.equal(host.timers.pending, 1, "exactly one timer: the reconnect");
  await host.timers.advance(1000);
  assert.equal(broker.sessions.length, 2, "one new connection");
  client.stop();
  assert.equal(openConnections(host), 0);
  assert.equal(host.timers.pending, 0);
});

test("B: a CONNACK refusal followed by more packets and garbage in the same read is one failure", async () => {
  const { host, broker, client } = setup({ connack: false });
  const errors: string[] = [];
  client.observe({ stateChanged: (_, error) => error && errors.push(error.kind) });
  client.start();
  await host.timers.advance(0);
  broker.sendBytes(concatBytes([
    encodePacket({ type: 2, sessionPresent: false, reasonCode: 0x87 }),
    encodePacket({ type: 14, reasonCode: 0x8e }),
    new Uint8Array([0x00, 0x00]),
  ]));
  await settle();
  assert.deepEqual(errors, ["connack"]);
  assert.equal(host.timers.pending, 1);
  client.stop();
  assert.equal(openConnections(host), 0);
  assert.equal(host.timers.pending, 0);
});

test("C: a PUBLISH before CONNACK is a protocol error: not delivered, not acknowledged", async () => {
  const { host, broker, client } = setup({ connack: false });
  const commands = inbox();
  void client.subscribe(COMMAND, commands);
  client.start();
  await host.timers.advance(0);
  broker.publishText(COMMAND, '{"command_type":"swap_next"}');
  await settle();
  assert.deepEqual(commands.texts, []);
  assert.equal(broker.receivedOfType(4).length, 0);
  assert.equal(client.state, "reconnecting");
  assert.equal(client.lastError!.kind, "protocol");
  assert.match(client.lastError!.message, /PUBLISH before CONNACK/);
});

test("D: Session Present = 1 answering Clean Start = 1 closes the connection (MQTT-3.2.2-4)", async () => {
  const { host, client } = setup({ sessionPresent: true });
  client.start();
  await host.timers.advance(0);
  assert.equal(client.state, "reconnecting");
  assert.equal(client.lastError!.kind, "protocol");
  assert.match(client.lastError!.message, /Session Present/);
  assert.equal(openConnections(host), 0);
});

test("E: SUBSCRIBE and UNSUBSCRIBE larger than the broker's Maximum Packet Size are refused, not sent; the session stays", async () => {
  const { host, broker, client } = setup({ connack: { reasonCode: 0, properties: { maximumPacketSize: 40 } } });
  client.start();
  await host.timers.advance(0);
  const long = `makapix/player/${KEY}/response/#`;
  await assert.rejects(client.subscribe(long, inbox()), (error: unknown) => error instanceof MqttSubscribeError && error.reasonCode === 0x95);
  await assert.rejects(client.unsubscribe(long), (error: unknown) => error instanceof MqttSubscribeError && error.reasonCode === 0x95);
  assert.equal(broker.receivedOfType(8).length, 0);
  assert.equal(broker.receivedOfType(10).length, 0);
  assert.equal(await client.subscribe("s/#", inbox()), 1, "a small one still works");
  assert.equal(client.state, "connected");
});

test("F: unsubscribe sends UNSUBSCRIBE, resolves with the UNSUBACK reason, stops delivery and is not renewed on reconnect", async () => {
  const { host, broker, client } = setup({ unsuback: (filter) => (filter === "gone/#" ? 0x11 : filter === "locked/#" ? 0x87 : 0) });
  client.start();
  await host.timers.advance(0);
  const commands = inbox();
  await client.subscribe(COMMAND, commands);
  await client.subscribe(RESPONSES, inbox());
  assert.equal(await client.unsubscribe(COMMAND), 0);
  const unsubscribe = broker.receivedOfType(10);
  assert.deepEqual(unsubscribe.map((p) => p.topicFilters), [[COMMAND]]);
  assert.equal(await client.unsubscribe("gone/#"), 0x11);
  await assert.rejects(client.unsubscribe("locked/#"), (error: unknown) => error instanceof MqttSubscribeError && error.reasonCode === 0x87);
  broker.publishText(COMMAND, "late");
  await settle();
  assert.deepEqual(commands.texts, [], "nothing delivered after unsubscribe");
  broker.drop();
  await settle();
  await host.timers.advance(1000);
  assert.equal(client.state, "connected");
  assert.deepEqual(broker.receivedOfType(8).map((p) => p.subscriptions[0]!.topicFilter), [RESPONSES]);
  client.stop();
  assert.equal(await client.unsubscribe(RESPONSES), 0, "while disconnected: done at once");
});

test("G: with Server Keep Alive 0 the client still checks a quiet link, and notices a dead one", async () => {
  const { host, broker, client } = setup({ connack: { reasonCode: 0, properties: { serverKeepAlive: 0 } } }, { livenessQuietMs: 20_000 });
  const errors: string[] = [];
  client.observe({ stateChanged: (_, error) => error && errors.push(`${error.kind}: ${error.message}`) });
  client.start();
  await host.timers.advance(0);
  await host.timers.advance(21_000);
  assert.equal(broker.receivedOfType(12).length, 1, "PINGREQ after 20 s of silence");
  assert.equal(client.state, "connected");
  broker.script.pingresp = false;
  await host.timers.advance(21_000);
  assert.equal(broker.receivedOfType(12).length, 2);
  await host.timers.advance(9_000);
  assert.deepEqual(errors, ["timeout: no PINGRESP within 10000 ms: connection is dead"]);
  assert.equal(broker.sessions.length, 2, "a fresh connection replaces the dead one");
});

test("G: a long Server Keep Alive does not hide a dead link either", async () => {
  const { host, broker, client } = setup({ connack: { reasonCode: 0, properties: { serverKeepAlive: 65535 } }, pingresp: false });
  const errors: string[] = [];
  client.observe({ stateChanged: (_, error) => error && errors.push(error.kind) });
  client.start();
  await host.timers.advance(0);
  await host.timers.advance(59_000);
  assert.equal(broker.receivedOfType(12).length, 0);
  await host.timers.advance(31_000);
  assert.equal(broker.receivedOfType(12).length, 1, "PINGREQ after the default quiet period, 60 s");
  assert.deepEqual(errors, ["timeout"], "dead once the PINGRESP is 30 s late");
});

test("I: the socket's typed cause decides the error kind, not the words of its text", async () => {
  const tls = setup({ refuse: "handshake failed: connection closed", refuseCause: "tls" });
  tls.client.start();
  await tls.host.timers.advance(0);
  assert.equal(tls.client.lastError!.kind, "tls");
  assert.equal(tls.client.lastError!.message, "handshake failed: connection closed");
  assert.ok(tls.host.log.has("mqtt: tls: handshake failed"));
  assert.ok(!tls.host.log.has("tls: tls:"));

  const network = setup({ refuse: "certificate server unreachable (ssl verify alert)", refuseCause: "network" });
  network.client.start();
  await network.host.timers.advance(0);
  assert.equal(network.client.lastError!.kind, "socket");
});
