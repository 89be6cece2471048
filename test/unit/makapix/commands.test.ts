// Commands from the website: every type validated and acknowledged, redeliveries acted on once,
// bursts coalesced, bad input acknowledged as error/unsupported without disturbing the player.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CommandDispatcher, type PlayerControls } from "../../../src/makapix/commands.js";
import type { Capabilities } from "../../../src/makapix/presence.js";
import { settle } from "../../support/virtual-host.js";
import { playerSession, publishedJson } from "../../support/makapix-fixture.js";

const FULL: Capabilities = { pause: true, brightness: { min: 0, max: 100, step: 1 }, rotation: [0, 90, 180, 270], mirror: ["none", "horizontal", "vertical"] };

function recordingControls() {
  const calls: string[] = [];
  const controls: PlayerControls = {
    step: (steps) => calls.push(`step ${steps}`),
    showArtwork: (artwork) => calls.push(`show ${artwork.postId} ${artwork.storageShard}/${artwork.storageKey}.${artwork.nativeFormat}`),
    playChannel: (channel) => calls.push(`channel ${channel.name}${channel.userSqid ? " " + channel.userSqid : ""}${channel.hashtag ? " #" + channel.hashtag : ""}`),
    playPlayset: (playset) => calls.push(`playset ${playset.name} ${playset.channels.length} ${playset.exposureMode}/${playset.pickMode}`),
    setPaused: (paused) => calls.push(`paused ${paused}`),
    setBrightness: (value) => calls.push(`brightness ${value}`),
    setRotation: (value) => calls.push(`rotation ${value}`),
    setMirror: (value) => calls.push(`mirror ${value}`),
  };
  return { calls, controls };
}

async function commandSession(capabilities: Capabilities = FULL) {
  const session = playerSession();
  const { host, broker, topics, client } = session;
  const { calls, controls } = recordingControls();
  const dispatcher = new CommandDispatcher(host, client, topics, controls, { capabilities });
  void dispatcher.subscribe();
  client.start();
  await host.timers.advance(0);
  let serial = 0;
  const send = async (type: string, payload: unknown, commandId = `c-${++serial}`) => {
    broker.publishText(topics.command, JSON.stringify({ command_id: commandId, command_type: type, payload, timestamp: "2026-11-25T12:00:00+00:00" }));
    await host.timers.advance(400);
    return commandId;
  };
  const acks = () =>
    broker.sessions
      .flat()
      .filter((packet) => packet.type === 3 && packet.header.topic === topics.commandAck)
      .map((packet) => publishedJson(packet as Parameters<typeof publishedJson>[0]).body);
  const lastAck = () => acks()[acks().length - 1];
  return { ...session, dispatcher, calls, send, acks, lastAck };
}

test("every command type in the sheet is acted on and acknowledged ok", async () => {
  const { send, calls, acks } = await commandSession();
  await send("swap_next", {});
  await send("swap_back", {});
  await send("show_artwork", { post_id: 77, title: null, storage_key: "abc-123", storage_shard: "", native_format: "gif", width: null, height: 64 });
  await send("show_artwork", { post_id: 78, storage_key: "k", storage_shard: "a1/b2" });
  await send("play_channel", { channel_name: "promoted" });
  await send("play_channel", { channel_name: "by_user", user_sqid: "x9Y", user_handle: "ann" });
  await send("play_channel", { channel_name: "hashtag", hashtag: "cats" });
  await send("play_playset", {
    playset_name: "followed_artists",
    channels: [{ type: "user", name: "ann", identifier: "x9Y", display_name: "Ann", weight: 2 }, { type: "named", name: "promoted", display_name: "Promoted" }],
    exposure_mode: "proportional",
    pick_mode: "random",
  });
  await send("set_paused", { paused: true });
  await send("set_brightness", { value: 40 });
  await send("set_rotation", { value: 180 });
  await send("set_mirror", { value: "horizontal" });
  assert.deepEqual(calls, [
    "step 1",
    "step -1",
    "show 77 /abc-123.gif",
    "show 78 a1/b2/k.png",
    "channel promoted",
    "channel by_user x9Y",
    "channel hashtag #cats",
    "playset followed_artists 2 proportional/random",
    "paused true",
    "brightness 40",
    "rotation 180",
    "mirror horizontal",
  ]);
  assert.equal(acks().length, 12);
  assert.ok(acks().every((ack) => ack["status"] === "ok" && /^c-\d+$/.test(String(ack["command_id"]))));
});

test("invalid payloads are acknowledged 'error' and change nothing", async () => {
  const { send, calls, lastAck } = await commandSession();
  const invalid: [string, unknown][] = [
    ["show_artwork", { storage_key: "k" }],
    ["show_artwork", { post_id: "12", storage_key: "k" }],
    ["show_artwork", { post_id: 1, storage_key: "k", native_format: "jpeg" }],
    ["play_channel", { channel_name: "by_user" }],
    ["play_channel", { channel_name: "moon" }],
    ["play_channel", { channel_name: "hashtag" }],
    ["play_playset", { playset_name: "p", channels: [] }],
    ["play_playset", { playset_name: "p", channels: [{ type: "tv", name: "x" }] }],
    ["play_playset", { playset_name: "p", channels: [{ type: "user", identifier: "a", weight: -1 }] }],
    ["set_paused", { paused: "yes" }],
    ["set_brightness", { value: 101 }],
    ["set_brightness", { value: 2.5 }],
    ["set_rotation", { value: 45 }],
    ["set_mirror", { value: "diagonal" }],
    ["swap_next", "not an object"],
  ];
  for (const [type, payload] of invalid) {
    const id = await send(type, payload);
    assert.deepEqual(lastAck(), { command_id: id, status: "error" }, `${type} ${JSON.stringify(payload)}`);
  }
  assert.deepEqual(calls, []);
});

test("unknown command types are 'unsupported', and so are settings the player did not declare", async () => {
  const { send, calls, lastAck } = await commandSession({ pause: false });
  let id = await send("reboot_now", {});
  assert.deepEqual(lastAck(), { command_id: id, status: "unsupported" });
  id = await send("set_brightness", { value: 10 });
  assert.deepEqual(lastAck(), { command_id: id, status: "unsupported" });
  id = await send("set_paused", { paused: true });
  assert.deepEqual(lastAck(), { command_id: id, status: "unsupported" });
  assert.deepEqual(calls, []);
  await send("swap_next", {});
  assert.deepEqual(calls, ["step 1"], "the player keeps running");
});

test("a redelivered command_id is acted on once and acknowledged again", async () => {
  const { send, calls, acks } = await commandSession();
  await send("set_brightness", { value: 20 }, "same-id");
  await send("set_brightness", { value: 20 }, "same-id");
  await send("swap_next", {}, "swap-id");
  await send("swap_next", {}, "swap-id");
  assert.deepEqual(calls, ["brightness 20", "step 1"]);
  assert.deepEqual(acks().map((a) => a["command_id"]), ["same-id", "same-id", "swap-id", "swap-id"]);
});

test("a burst of 300 swaps becomes a few moves of many steps, and a new destination cancels pending moves", async () => {
  const { host, broker, topics, calls, acks } = await commandSession();
  for (let i = 0; i < 300; i++) {
    broker.publishText(topics.command, JSON.stringify({ command_id: `b-${i}`, command_type: i % 10 === 9 ? "swap_back" : "swap_next", payload: {} }));
    if (i % 50 === 49) await host.timers.advance(100);
  }
  await host.timers.advance(1_000);
  const steps = calls.map((call) => Number(call.split(" ")[1]));
  assert.ok(calls.length <= 5, `${calls.length} moves: ${calls.join(", ")}`);
  assert.equal(steps.reduce((a, b) => a + b, 0), 240);
  assert.equal(acks().length, 300);
  calls.length = 0;
  broker.publishText(topics.command, JSON.stringify({ command_id: "n1", command_type: "swap_next", payload: {} }));
  broker.publishText(topics.command, JSON.stringify({ command_id: "n2", command_type: "play_channel", payload: { channel_name: "all" } }));
  await host.timers.advance(400);
  assert.deepEqual(calls, ["channel all"]);
});

test("malformed messages are logged without an ack; an oversized payload is acknowledged 'error'", async () => {
  const { host, broker, topics, send, calls, acks } = await commandSession();
  broker.publishText(topics.command, "{oops");
  broker.publishText(topics.command, JSON.stringify({ command_type: "swap_next" }));
  broker.publishText(topics.command, JSON.stringify({ command_id: "big", command_type: "play_playset", payload: { pad: "x".repeat(9000) } }));
  await settle();
  assert.deepEqual(acks(), [{ command_id: "big", status: "error" }], "only a command with a readable id can be acknowledged");
  assert.ok(host.log.has("unreadable command"));
  assert.ok(host.log.has("command_id: is required"));
  assert.ok(host.log.has("unreadable payload"));
  await send("swap_next", {});
  assert.deepEqual(calls, ["step 1"]);
});

test("a playset keeps the channels it knows: unknown types are left out, a missing name falls back to the identifier", async () => {
  const { send, calls, lastAck } = await commandSession();
  const id = await send("play_playset", {
    playset_name: "followed_artists",
    channels: [{ type: "user", identifier: "aN1", display_name: "Ann" }, { type: "radio", name: "fm" }],
  });
  assert.deepEqual(lastAck(), { command_id: id, status: "ok" });
  assert.deepEqual(calls, ["playset followed_artists 1 equal/recency"]);
});
