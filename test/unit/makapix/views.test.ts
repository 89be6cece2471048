// View reports: schema, pacing at more than 5 s, one ack-requesting view at a time, rate-limited views
// re-sent with a new timestamp, a bounded offline queue sent after reconnect with original timestamps.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ViewReporter, type ViewContext } from "../../../src/makapix/views.js";
import { settle } from "../../support/virtual-host.js";
import { PLAYER_KEY, playerSession, publishedJson } from "../../support/makapix-fixture.js";
import { concatBytes } from "../../support/bytes.js";
import { encodePacket } from "../../../src/mqtt/encode.js";
import { utf8Encode } from "../../../src/util/utf8.js";

const ROTATION: ViewContext = { intent: "channel", playOrder: 2, channel: "promoted" };

async function reporterSession(options = {}) {
  const session = playerSession();
  const { host, broker, topics, client } = session;
  const reporter = new ViewReporter(host, client, PLAYER_KEY, topics, options);
  void reporter.subscribe();
  client.start();
  await host.timers.advance(0);
  const views = () =>
    broker.sessions
      .flat()
      .filter((packet) => packet.type === 3 && packet.header.topic === topics.view)
      .map((packet) => publishedJson(packet as Parameters<typeof publishedJson>[0]).body);
  return { ...session, reporter, views };
}

test("a view carries the seven required fields, the channel context and the wall-clock timestamp", async () => {
  const { reporter, views } = await reporterSession();
  reporter.report(42, { intent: "channel", playOrder: 1, channel: "by_user", channelUserSqid: "k3Xq" });
  await settle();
  const [view] = views();
  assert.deepEqual(view, {
    post_id: 42,
    timestamp: "2026-11-25T12:00:00Z",
    timezone: "",
    intent: "channel",
    play_order: 1,
    channel: "by_user",
    player_key: PLAYER_KEY,
    channel_user_sqid: "k3Xq",
    request_ack: true,
  });
});

test("an unsynchronised clock sends the 1970 sentinel", async () => {
  const { host, reporter, views } = await reporterSession();
  host.timers.wallClockSynced = false;
  reporter.report(7, { intent: "artwork", playOrder: 0, channel: "all" });
  await settle();
  assert.equal(views()[0]!["timestamp"], "1970-01-01T00:00:00Z");
});

test("views leave at least 5 s apart however fast they are reported, and none is lost", async () => {
  const { host, broker, reporter } = await reporterSession();
  const sentAt: number[] = [];
  broker.script.onPublish = (publish) => {
    if (publish.header.topic.endsWith("/view")) sentAt.push(host.timers.monotonicMs());
  };
  for (let post = 1; post <= 5; post++) reporter.report(post, ROTATION);
  await host.timers.advance(60_000);
  assert.equal(sentAt.length, 5);
  for (let i = 1; i < sentAt.length; i++) assert.ok(sentAt[i]! - sentAt[i - 1]! >= 5_000, `gap ${sentAt[i]! - sentAt[i - 1]!} ms`);
  assert.equal(reporter.statistics.sent, 5);
});

test("only one ack-requesting view is outstanding; the next asks again once the ack came", async () => {
  const { host, broker, topics, reporter, views } = await reporterSession();
  reporter.report(1, ROTATION);
  reporter.report(2, ROTATION);
  await host.timers.advance(6_000);
  let sent = views();
  assert.equal(sent.length, 2);
  assert.equal(sent[0]!["request_ack"], true);
  assert.equal(sent[1]!["request_ack"], undefined, "the first ack is still outstanding");
  broker.publishText(topics.viewAck, '{"success":true}');
  reporter.report(3, ROTATION);
  await host.timers.advance(6_000);
  sent = views();
  assert.equal(sent[2]!["request_ack"], true);
  assert.equal(reporter.statistics.acknowledged, 1);
});

test("a rate-limited view is sent again later with a new timestamp", async () => {
  const { host, broker, topics, reporter, views } = await reporterSession();
  reporter.report(5, ROTATION);
  await settle();
  await host.timers.advance(2_000);
  broker.publishText(topics.viewAck, '{"success":false,"error":"Rate limit exceeded","error_code":"rate_limited"}');
  await host.timers.advance(10_000);
  const sent = views();
  assert.equal(sent.length, 2);
  assert.equal(sent[1]!["post_id"], 5);
  assert.notEqual(sent[1]!["timestamp"], sent[0]!["timestamp"]);
  assert.equal(sent[1]!["request_ack"], true);
});

test("a refused view is logged and not retried; a malformed ack is logged, not fatal", async () => {
  const { host, broker, topics, reporter, views } = await reporterSession();
  reporter.report(5, ROTATION);
  await settle();
  broker.publishText(topics.viewAck, '{"success":false,"error":"no such post","error_code":"post_not_found"}');
  await host.timers.advance(20_000);
  assert.equal(views().length, 1);
  assert.equal(reporter.statistics.refused, 1);
  assert.ok(host.log.has("post_not_found"));
  reporter.report(6, ROTATION);
  await settle();
  broker.publishText(topics.viewAck, "{not json");
  await settle();
  assert.ok(host.log.has("unreadable view ack"));
});

test("views reported while offline wait, keep their timestamps, and leave paced after reconnect", async () => {
  const { host, broker, client, reporter, views } = await reporterSession();
  broker.script.refuse = "connection refused";
  broker.drop();
  await settle();
  assert.equal(client.state, "reconnecting");
  const stamps: string[] = [];
  for (let post = 10; post < 13; post++) {
    reporter.report(post, ROTATION);
    stamps.push(new Date(host.timers.wallTimeMs()!).toISOString().slice(0, 19) + "Z");
    await host.timers.advance(61_000);
  }
  assert.equal(views().length, 0);
  broker.script.refuse = undefined;
  await host.timers.advance(400_000);
  assert.equal(client.state, "connected");
  const sent = views();
  assert.deepEqual(sent.map((v) => v["post_id"]), [10, 11, 12]);
  assert.deepEqual(sent.map((v) => v["timestamp"]), stamps);
});

test("the offline queue is bounded: the oldest views go first, counted as dropped", async () => {
  const { broker, client, reporter, host } = await reporterSession({ maximumQueued: 3 });
  broker.script.refuse = "down";
  broker.drop();
  await settle();
  for (let post = 1; post <= 5; post++) reporter.report(post, ROTATION);
  assert.equal(reporter.queued, 3);
  assert.equal(reporter.statistics.dropped, 2);
  assert.ok(host.log.has("queue full"));
  assert.equal(client.state, "reconnecting");
});

test("a rate-limited resend that overtakes a view in flight does not make that view go out twice", async () => {
  const { host, broker, topics, reporter, views } = await reporterSession();
  reporter.report(1, ROTATION);
  await settle();
  reporter.report(2, ROTATION);
  broker.script.puback = () => undefined; // view 2 will wait for its PUBACK
  await host.timers.advance(6_000);
  assert.equal(views().length, 2);
  broker.publishText(topics.viewAck, '{"success":false,"error_code":"rate_limited"}'); // the ack of view 1
  await settle();
  broker.script.puback = () => 0;
  const pending = broker.receivedOfType(3).filter((p) => p.header.topic === topics.view).pop()!;
  broker.send({ type: 4, packetId: pending.header.packetId!, reasonCode: 0 });
  await host.timers.advance(30_000);
  assert.deepEqual(views().map((v) => v["post_id"]), [1, 2, 1], "view 1 once more, view 2 only once");
});

test("an ack read together with the broker's PUBACK (one TCP read) is matched to its view", async () => {
  // The service answers within milliseconds; a device that polls its socket (the Moddable simulator:
  // every 20 ms) then reads the PUBACK and the ack in one go, before the publish promise settles.
  const { host, broker, topics, reporter, views } = await reporterSession();
  broker.script.puback = () => undefined; // the PUBACK goes out below, glued to the ack
  broker.script.onPublish = (publish) => {
    if (!publish.header.topic.endsWith("/view")) return;
    const sent = publishedJson(publish as Parameters<typeof publishedJson>[0]).body;
    if (sent["request_ack"] !== true) return;
    const ack = encodePacket({ type: 3, topic: topics.viewAck, qos: 0, retain: false, dup: false, payload: utf8Encode('{"success":true}') });
    broker.sendBytes(concatBytes([encodePacket({ type: 4, packetId: publish.header.packetId!, reasonCode: 0 }), ack]));
  };
  reporter.report(1, ROTATION);
  await settle();
  reporter.report(2, ROTATION);
  await host.timers.advance(30_000);
  assert.equal(reporter.statistics.acknowledged, 2);
  assert.deepEqual(views().map((v) => v["request_ack"]), [true, true], "view 2 asks for its ack: view 1's came");
  assert.ok(!host.log.has("nobody waited"), "the ack was not taken for a stray one");
  assert.ok(!host.log.has("no ack for the view"), "no ack timeout");
});
