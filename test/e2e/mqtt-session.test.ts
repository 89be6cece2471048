// The MQTT session on the Node host against a real Mosquitto configured like the Makapix service
// (mTLS, certificate CN as user name, the service's ACL), with MQTT.js as the service side.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { MqttClient, type MqttClientOptions } from "../../src/mqtt/client.js";
import { MqttPublishError } from "../../src/mqtt/outbox.js";
import type { MessageHandler } from "../../src/mqtt/subscriptions.js";
import { utf8Encode } from "../../src/util/utf8.js";
import { createNodeHost, NodeLog } from "../../hosts/node/host.js";
import { connectAsService } from "../support/service-client.js";
import { waitFor } from "../support/wait.js";
import { createForeignAuthority, startBroker, type PlayerCredentials, type TestBroker } from "../../tools/local-broker.js";

let broker: TestBroker;
let service: mqtt.MqttClient;
const serviceInbox: { topic: string; text: string }[] = [];
const clients: MqttClient[] = [];

before(async () => {
  broker = await startBroker();
  service = await connectAsService(broker, { reconnectPeriod: 200 });
  service.on("message", (topic, payload) => serviceInbox.push({ topic, text: payload.toString() }));
  await service.subscribeAsync("makapix/player/+/status", { qos: 1 });
  await service.subscribeAsync("makapix/player/+/view", { qos: 1 });
});

after(async () => {
  for (const client of clients) client.stop();
  await service?.endAsync(true);
  await broker?.stop();
});

function player(credentials: PlayerCredentials | undefined, key: string, overrides: Partial<MqttClientOptions> = {}) {
  const lines: string[] = [];
  const host = createNodeHost(new NodeLog("debug", (line) => lines.push(line)));
  const client = new MqttClient(host, {
    transport: { secure: true, host: "localhost", port: broker.playerPort, ca: broker.caPem, ...(credentials ? { certificate: credentials.certificate, key: credentials.key } : {}) },
    clientId: key,
    username: key,
    password: new Uint8Array(0),
    will: { topic: `makapix/player/${key}/status`, payload: utf8Encode(`{"player_key":"${key}","status":"offline"}`), qos: 1, retain: false },
    backoff: { initialMs: 300, maximumMs: 2000 },
    ...overrides,
  });
  clients.push(client);
  return { client, host, lines };
}

function inbox(): MessageHandler & { messages: { topic: string; text: string }[] } {
  let topic = "";
  let text = "";
  const handler = {
    messages: [] as { topic: string; text: string }[],
    begin(t: string) {
      topic = t;
      text = "";
    },
    data(chunk: Uint8Array) {
      text += Buffer.from(chunk).toString("utf8");
    },
    end() {
      handler.messages.push({ topic, text });
    },
    abort() {},
  };
  return handler;
}

async function connected(client: MqttClient): Promise<void> {
  await new Promise<void>((resolve) => {
    client.observe({ ready: resolve });
    client.start();
  });
}

test("a player connects over mTLS and round-trips QoS 1 messages with the service", async () => {
  const key = randomUUID();
  const { client } = player(broker.issuePlayer(key), key);
  const responses = inbox();
  void client.subscribe(`makapix/player/${key}/response/#`, responses);
  await connected(client);
  assert.equal(client.state, "connected");
  assert.ok(client.broker!.topicAliasMaximum > 0, "Mosquitto offers topic aliases");

  const sent = await client.publish(`makapix/player/${key}/status`, `{"player_key":"${key}","status":"online"}`);
  assert.equal(sent.reasonCode, 0);
  await waitFor("status at the service", () => serviceInbox.some((m) => m.topic === `makapix/player/${key}/status`));

  // The second publish to the same topic goes out as an alias only; the broker must resolve it.
  await client.publish(`makapix/player/${key}/status`, `{"player_key":"${key}","status":"online","current_post_id":7}`);
  await waitFor("aliased status", () => serviceInbox.some((m) => m.text.includes('"current_post_id":7')));

  const big = JSON.stringify({ request_id: "r1", success: true, filler: "x".repeat(100_000) });
  await service.publishAsync(`makapix/player/${key}/response/r1`, big, { qos: 1 });
  await waitFor("response at the player", () => responses.messages.length === 1);
  assert.equal(responses.messages[0]!.topic, `makapix/player/${key}/response/r1`);
  assert.equal(responses.messages[0]!.text, big);

  const unheard = await client.publish(`makapix/player/${key}/request/abc`, '{"request_type":"echo"}');
  assert.equal(unheard.reasonCode, 0x10, "no subscriber: 0x10, still a success");
});

test("a player can neither publish as nor receive the messages of another player", async () => {
  const alice = randomUUID();
  const mallory = randomUUID();
  const a = player(broker.issuePlayer(alice), alice);
  const m = player(broker.issuePlayer(mallory), mallory);
  const aliceCommands = inbox();
  const snooped = inbox();
  void a.client.subscribe(`makapix/player/${alice}/command`, aliceCommands);
  // Mosquitto grants a forbidden SUBSCRIBE but never delivers on it.
  void m.client.subscribe(`makapix/player/${alice}/command`, snooped);
  void m.client.subscribe("makapix/#", snooped);
  await Promise.all([connected(a.client), connected(m.client)]);

  await service.publishAsync(`makapix/player/${alice}/command`, '{"command_type":"swap_next"}', { qos: 1 });
  await waitFor("command at alice", () => aliceCommands.messages.length === 1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(snooped.messages.length, 0, "mallory received nothing");

  await assert.rejects(m.client.publish(`makapix/player/${alice}/status`, '{"status":"offline"}'), (error: unknown) => {
    assert.ok(error instanceof MqttPublishError);
    assert.equal(error.reasonCode, 0x87);
    return true;
  });
  assert.equal(m.client.state, "connected", "a refused publish does not end the session");
});

test("a connection without a client certificate is refused and reported as a TLS failure", async () => {
  const key = randomUUID();
  const { client } = player(undefined, key);
  client.start();
  await waitFor("a refused attempt", () => client.lastError !== undefined);
  client.stop();
  assert.equal(client.lastError!.kind, "tls");
  assert.match(client.lastError!.message, /certificate/i);
});

test("a certificate from another CA is refused; a broker not signed by our CA is not trusted", async () => {
  const foreign = createForeignAuthority();
  try {
    const key = randomUUID();
    const stranger = player(foreign.issuePlayer(key), key);
    stranger.client.start();
    await waitFor("a refused attempt", () => stranger.client.lastError !== undefined);
    stranger.client.stop();
    assert.equal(stranger.client.lastError!.kind, "tls");
    assert.match(stranger.client.lastError!.message, /unknown ca|certificate|alert/i);

    const key2 = randomUUID();
    const own = broker.issuePlayer(key2);
    const wrongTrust = player({ ...own, ca: foreign.issuePlayer(key2).ca }, key2, {
      transport: { secure: true, host: "localhost", port: broker.playerPort, ca: foreign.issuePlayer(key2).ca, certificate: own.certificate, key: own.key },
    });
    wrongTrust.client.start();
    await waitFor("a refused attempt", () => wrongTrust.client.lastError !== undefined);
    wrongTrust.client.stop();
    assert.equal(wrongTrust.client.lastError!.kind, "tls");
    assert.match(wrongTrust.client.lastError!.message, /certificate|verify/i);
  } finally {
    foreign.dispose();
  }
});

test("after the broker is killed and restarted the player reconnects with backoff, resubscribes and delivers queued QoS 1 messages", async () => {
  const key = randomUUID();
  const { client } = player(broker.issuePlayer(key), key);
  const commands = inbox();
  void client.subscribe(`makapix/player/${key}/command`, commands);
  await connected(client);
  const states: string[] = [];
  let readyAgain = false;
  client.observe({ stateChanged: (state) => states.push(state), ready: () => (readyAgain = true) });

  await broker.kill();
  await waitFor("the player to notice", () => client.state === "reconnecting");
  // Queued while the broker is down. Retained (as `state` is in production), so the service can
  // check delivery whenever it is back, whichever of the two reconnects first.
  const state = JSON.stringify({ is_paused: false, brightness: 40, rotation: 0, mirror: "none" });
  const delivered = client.publish(`makapix/player/${key}/state`, state, { retain: true });
  await waitFor("two failed attempts", () => client.failedAttempts >= 2, 15_000);
  await broker.start();
  await waitFor("reconnected", () => readyAgain, 15_000);
  assert.ok(states.includes("reconnecting"));
  assert.ok((await delivered).reasonCode < 0x80);
  const retained = await new Promise<string>((resolve) => {
    const listener = (topic: string, payload: Buffer) => {
      if (topic !== `makapix/player/${key}/state`) return;
      service.off("message", listener);
      resolve(payload.toString());
    };
    service.on("message", listener);
    void waitFor("service back", () => service.connected).then(() => service.subscribeAsync(`makapix/player/${key}/state`, { qos: 1 }));
  });
  assert.equal(retained, state);

  await waitFor("service back", () => service.connected);
  await service.publishAsync(`makapix/player/${key}/command`, '{"command_type":"swap_back"}', { qos: 1 });
  await waitFor("command after resubscribe", () => commands.messages.length === 1);
});
