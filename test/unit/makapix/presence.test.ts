// Presence: online after connect, capabilities and state (retained) on every connect, heartbeat well
// inside the 3-minute offline window, status on artwork change, offline before a graceful stop.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Presence, type Capabilities, type DeviceState } from "../../../src/makapix/presence.js";
import { flashResident } from "../../support/flash-resident.js";
import { settle } from "../../support/virtual-host.js";
import { PLAYER_KEY, playerSession, publishedJson } from "../../support/makapix-fixture.js";

function capabilitiesTable(): Capabilities {
  return { pause: true, brightness: { min: 0, max: 100, step: 1 }, rotation: [0, 90, 180, 270], mirror: ["none", "horizontal"] };
}

async function presenceSession(capabilities = capabilitiesTable()) {
  const session = playerSession();
  const { host, broker, topics, client } = session;
  const state: DeviceState = { isPaused: false, brightness: 60, rotation: 0, mirror: "none" };
  const presence = new Presence(host, client, PLAYER_KEY, topics, {
    firmwareVersion: "0.1.0",
    capabilities,
    state: () => state,
  });
  const published = (suffix: string) =>
    broker.sessions
      .flat()
      .filter((packet) => packet.type === 3 && packet.header.topic.endsWith(suffix))
      .map((packet) => publishedJson(packet as Parameters<typeof publishedJson>[0]));
  return { ...session, presence, state, published };
}

test("the will is the offline status the service expects", () => {
  const { broker, client, host } = playerSession();
  client.start();
  return host.timers.advance(0).then(() => {
    const will = broker.receivedOfType(1)[0]!.will!;
    assert.equal(will.topic, `makapix/player/${PLAYER_KEY}/status`);
    assert.equal(will.qos, 1);
    assert.equal(will.retain, false);
    assert.deepEqual(JSON.parse(String.fromCharCode(...will.payload)), { player_key: PLAYER_KEY, status: "offline" });
  });
});

test("after connecting: online status, then capabilities and full state, both retained", async () => {
  const { host, client, published } = await presenceSession();
  client.start();
  await host.timers.advance(0);
  const [status] = published("/status");
  assert.deepEqual(status!.body, { player_key: PLAYER_KEY, status: "online", firmware_version: "0.1.0" });
  const [capabilities] = published("/capabilities");
  assert.equal(capabilities!.retain, true);
  assert.deepEqual(capabilities!.body, {
    features: { pause: {}, brightness: { min: 0, max: 100, step: 1 }, rotation: { values: [0, 90, 180, 270] }, mirror: { values: ["none", "horizontal"] } },
    firmware_version: "0.1.0",
  });
  const [state] = published("/state");
  assert.equal(state!.retain, true);
  assert.deepEqual(state!.body, { is_paused: false, brightness: 60, rotation: 0, mirror: "none" });
});

test("capabilities from a preloaded (flash-resident) table are published as they are", async () => {
  // The device passes its module-level CAPABILITIES table; in a preloaded app that lives in flash,
  // where JSON.stringify throws on it. Before the fix: no capabilities, and the session broke.
  const { host, client, published } = await presenceSession(flashResident(capabilitiesTable()));
  client.start();
  await host.timers.advance(0);
  const [capabilities] = published("/capabilities");
  assert.deepEqual(capabilities?.body, {
    features: { pause: {}, brightness: { min: 0, max: 100, step: 1 }, rotation: { values: [0, 90, 180, 270] }, mirror: { values: ["none", "horizontal"] } },
    firmware_version: "0.1.0",
  });
  assert.equal(client.state, "connected", "the session stays up");
  assert.equal(published("/state").length, 1, "and the state follows");
});

test("heartbeat every 60 s (well inside the 3-minute window), and a status on every artwork change", async () => {
  const { host, client, presence, published } = await presenceSession();
  client.start();
  await host.timers.advance(0);
  presence.artworkChanged(501);
  presence.artworkChanged(501);
  await settle();
  let statuses = published("/status");
  assert.equal(statuses.length, 2, "the same artwork again sends nothing");
  assert.equal(statuses[1]!.body["current_post_id"], 501);
  await host.timers.advance(180_000);
  statuses = published("/status");
  assert.equal(statuses.length, 5);
  assert.ok(statuses.every((s) => s.body["status"] === "online" && s.body["player_key"] === PLAYER_KEY));
});

test("state changes are published again; a reconnect announces everything again", async () => {
  const { host, broker, client, presence, state, published } = await presenceSession();
  client.start();
  await host.timers.advance(0);
  state.brightness = 30;
  state.isPaused = true;
  presence.stateChanged();
  await settle();
  assert.deepEqual(published("/state")[1]!.body, { is_paused: true, brightness: 30, rotation: 0, mirror: "none" });
  broker.drop();
  await host.timers.advance(1_000);
  assert.equal(client.state, "connected");
  assert.equal(published("/capabilities").length, 2);
  assert.equal(published("/state").length, 3);
  assert.equal(published("/status").length, 2);
});

test("goOffline publishes offline, waits for the broker, and stops the heartbeat", async () => {
  const { host, client, presence, published } = await presenceSession();
  client.start();
  await host.timers.advance(0);
  await presence.goOffline();
  const statuses = published("/status");
  assert.deepEqual(statuses[statuses.length - 1]!.body, { player_key: PLAYER_KEY, status: "offline" });
  client.stop();
  await host.timers.advance(300_000);
  assert.equal(published("/status").length, statuses.length, "no heartbeat after going offline");
  assert.equal(host.timers.pending, 0);
});

test("goOffline does not hang when the broker never acknowledges", async () => {
  const { host, broker, client, presence } = await presenceSession();
  client.start();
  await host.timers.advance(0);
  broker.script.puback = () => undefined;
  let done = false;
  void presence.goOffline().then(() => (done = true));
  await host.timers.advance(2_999);
  assert.equal(done, false);
  await host.timers.advance(1);
  assert.equal(done, true);
  assert.ok(host.log.has("offline status was not acknowledged"));
});
