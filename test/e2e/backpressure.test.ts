// ECMA-419 write backpressure on the Node host in "would block" mode (NodeNetwork writableBytes): the
// socket reports a small send window, throws "would block" past it, as the Moddable lwIP socket does,
// and reports room again only once Node has taken the bytes. Against real Mosquitto (mTLS + the
// service's ACL) a burst of QoS 1 publishes is acknowledged with no reconnect; the HTTP client sends a
// long request head over https; and the socket's own behaviour is checked against a TCP server.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createTcpServer, type AddressInfo, type Server } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import type { SessionState } from "../../src/mqtt/client.js";
import { HttpClient } from "../../src/net/http.js";
import type { MessageHandler } from "../../src/mqtt/subscriptions.js";
import type { SocketHandlers } from "../../src/ports.js";
import { utf8Encode } from "../../src/util/utf8.js";
import { createNodeHost, NodeLog } from "../../hosts/node/host.js";
import { NodeNetwork } from "../../hosts/node/network.js";
import { startBroker, type TestBroker } from "../../tools/local-broker.js";
import { connectAsService, playerClient } from "../support/service-client.js";
import { waitFor } from "../support/wait.js";

let broker: TestBroker;
let service: mqtt.MqttClient;
const serviceInbox: { topic: string; text: string }[] = [];
const stops: (() => Promise<void> | void)[] = [];

before(async () => {
  broker = await startBroker();
  service = await connectAsService(broker, { reconnectPeriod: 200 });
  service.on("message", (topic, payload) => serviceInbox.push({ topic, text: payload.toString() }));
  await service.subscribeAsync("makapix/player/+/view", { qos: 1 });
});

after(async () => {
  for (const stop of stops.reverse()) await stop();
  await service?.endAsync(true);
  await broker?.stop();
});

function listen(server: Server | ReturnType<typeof createHttpsServer>): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

test("would-block mode: the window is reported, a write past it throws 'would block', room comes back once Node took the bytes", async () => {
  const received: Buffer[] = [];
  const server = createTcpServer((socket) => socket.on("data", (data: Buffer) => received.push(data)));
  const port = await listen(server);
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const reports: number[] = [];
  const handlers: SocketHandlers = { onWritable: (count) => reports.push(count), onReadable() {}, onError() {} };

  const strict = new NodeNetwork({ writableBytes: 512 }).connectTcp({ host: "127.0.0.1", port }, handlers);
  stops.push(() => strict.close());
  await waitFor("connected", () => reports.length === 1);
  assert.deepEqual(reports, [512]);
  assert.throws(() => strict.write(new Uint8Array(513)), /would block/);
  strict.write(new Uint8Array(500).fill(1));
  assert.throws(() => strict.write(new Uint8Array(13)), /would block/, "500 of 512 bytes are in flight");
  strict.write(new Uint8Array(12).fill(2));
  await waitFor("room reported again", () => reports.length >= 2);
  assert.equal(reports.at(-1), 512);
  await waitFor("the server got every byte", () => Buffer.concat(received).length === 512);

  // The default (the demo's) never throws: Node buffers whatever it is given.
  const relaxedReports: number[] = [];
  const relaxed = new NodeNetwork().connectTcp({ host: "127.0.0.1", port }, { ...handlers, onWritable: (count) => relaxedReports.push(count) });
  stops.push(() => relaxed.close());
  await waitFor("connected", () => relaxedReports.length === 1);
  relaxed.write(new Uint8Array(200_000));
  await waitFor("the server got every byte", () => Buffer.concat(received).length === 200_512);
});

test("a player in would-block mode (128-byte window) publishes a burst of 60 QoS 1 messages over mTLS: all acknowledged, in order, zero reconnects", async () => {
  const key = randomUUID();
  const lines: string[] = [];
  const host = createNodeHost(new NodeLog("debug", (line) => lines.push(line)), { network: { writableBytes: 128 } });
  const client = playerClient(broker, host, key, {
    // The will makes the CONNECT larger than the window.
    will: { topic: `makapix/player/${key}/status`, payload: utf8Encode(`{"player_key":"${key}","status":"offline"}`), qos: 1, retain: false },
    backoff: { initialMs: 300, maximumMs: 2000 },
    outboxMessages: 64,
    outboxBytes: 256 * 1024,
    writeQueueBytes: 8 * 1024,
  });
  stops.push(() => client.stop());
  const states: SessionState[] = [];
  let ready = false;
  client.observe({ stateChanged: (state) => states.push(state), ready: () => (ready = true) });
  const responses: string[] = [];
  let current = "";
  const inbox: MessageHandler = {
    begin() {
      current = "";
    },
    data(chunk) {
      current += Buffer.from(chunk).toString("utf8");
    },
    end() {
      responses.push(current);
    },
    abort() {},
  };
  void client.subscribe(`makapix/player/${key}/response/#`, inbox);
  client.start();
  const context = () => lines.slice(-10).join("\n");
  await waitFor("connected and subscribed", () => ready, 15_000, context);

  const topic = `makapix/player/${key}/view`;
  const texts: string[] = [];
  for (let i = 0; i < 60; i++) texts.push(JSON.stringify({ n: i, fill: String.fromCharCode(97 + (i % 26)).repeat(500 + ((i * 397) % 3000)) }));
  const sent = texts.map((text) => client.publish(topic, text));
  // The service answers while the burst is going out: our PUBACKs share the backed-up socket.
  const replies: string[] = [];
  for (let i = 0; i < 10; i++) {
    replies.push(JSON.stringify({ request_id: `r${i}`, fill: "z".repeat(4000) }));
    void service.publishAsync(`makapix/player/${key}/response/r${i}`, replies[i]!, { qos: 1 });
  }
  const results = await Promise.all(sent);
  assert.deepEqual(results.map((r) => r.reasonCode), new Array(60).fill(0), "every message acknowledged by the broker");
  await waitFor("the burst at the service", () => serviceInbox.filter((m) => m.topic === topic).length === 60, 15_000, context);
  assert.deepEqual(serviceInbox.filter((m) => m.topic === topic).map((m) => m.text), texts, "whole and in order");
  await waitFor("the service's replies at the player", () => responses.length === 10, 15_000, context);
  assert.deepEqual(responses, replies);
  assert.deepEqual(states, ["connecting", "connected"], "zero reconnects");
  assert.equal(client.failedAttempts, 0);
  assert.ok(!lines.some((line) => line.includes("would block") || line.includes("reconnecting")), context());
  const bytes = texts.reduce((sum, text) => sum + text.length, 0);
  assert.ok(bytes > 500 * 128, `${bytes} bytes through a 128-byte window`);
});

test("the HTTP client in would-block mode (64-byte window) sends a 2 KB request head over https and reads the body", async () => {
  const certs = broker.certsDir;
  const seen: string[] = [];
  const server = createHttpsServer({ cert: readFileSync(join(certs, "broker.crt")), key: readFileSync(join(certs, "broker.key")) }, (request, response) => {
    seen.push(request.url ?? "");
    const body = `you asked for ${request.url?.length} characters`;
    response.writeHead(200, { "Content-Length": Buffer.byteLength(body) });
    response.end(body);
  });
  const port = await listen(server);
  stops.push(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const lines: string[] = [];
  const host = createNodeHost(new NodeLog("debug", (line) => lines.push(line)), { network: { writableBytes: 64 } });
  const client = new HttpClient(host, { ca: broker.caPem, attempts: 1 });
  const path = `/vault/${"p".repeat(1900)}.png`; // URLs are capped at 2048 characters
  const chunks: Buffer[] = [];
  const result = await client.get(`https://localhost:${port}${path}`, {
    begin() {},
    data: (chunk) => void chunks.push(Buffer.from(chunk)),
    end() {},
    abort() {},
  }).result;
  assert.equal(result.status, 200);
  assert.equal(result.attempts, 1);
  assert.deepEqual(seen, [path]);
  assert.equal(Buffer.concat(chunks).toString(), `you asked for ${path.length} characters`);
  assert.equal(host.timers.pending, 0);
});
