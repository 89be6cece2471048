// The durable view journal with the ViewReporter: views survive reboots and broker restarts and reach
// the service exactly once, paced ≥ 5 s apart with their original timestamps; a `duplicate` ack is
// final; the journal is bounded. The service is played by a small model of its view rules (protocol
// sheet §4/§9: duplicate key (player, post, timestamp) for 60 s, set even when refused; then one view
// per 5 s), on the scripted broker and the virtual clock. A "reboot" abandons the reporter and the MQTT
// session and starts new ones on the same storage.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MqttClient } from "../../../src/mqtt/client.js";
import { offlineWill } from "../../../src/makapix/presence.js";
import { playerTopics } from "../../../src/makapix/topics.js";
import { ViewReporter, type ViewContext, type ViewReporterOptions } from "../../../src/makapix/views.js";
import { ViewJournal } from "../../../src/makapix/view-journal.js";
import { utf8Decode } from "../../../src/util/utf8.js";
import { ScriptedBroker, type ReceivedPublish } from "../../support/scripted-broker.js";
import { createVirtualHost, settle, type VirtualHost } from "../../support/virtual-host.js";
import { MemoryStorage } from "../../support/memory-storage.js";

const PLAYER_KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";
const TOPICS = playerTopics(PLAYER_KEY);
const ROTATION: ViewContext = { intent: "channel", playOrder: 2, channel: "promoted" };

interface SentView {
  at: number;
  postId: number;
  timestamp: string;
  requestAck: boolean;
}

/** The service's view handling: records, dedupes, rate-limits and acks (after `latencyMs`). */
class ServiceModel {
  readonly host: VirtualHost;
  readonly broker: ScriptedBroker;
  readonly sent: SentView[] = [];
  readonly recorded: { postId: number; timestamp: string }[] = [];
  readonly acks: string[] = [];
  latencyMs = 30;
  /** Records views but never acks (an ack lost with a crash or a broker restart). */
  silent = false;
  /** The next view is answered rate_limited whatever the pacing. */
  forceRateLimit = false;
  /** How much later than the broker's PUBACK the service takes each next view (a loaded service). */
  readonly takeDelaysMs: number[] = [];
  readonly #duplicateUntil = new Map<string, number>();
  #lastAccepted = Number.NEGATIVE_INFINITY;

  constructor(host: VirtualHost, broker: ScriptedBroker) {
    this.host = host;
    this.broker = broker;
    broker.script.onPublish = (publish) => {
      if (publish.header.topic !== TOPICS.view) return;
      const delay = this.takeDelaysMs.shift() ?? 0;
      if (delay === 0) this.#view(publish);
      else this.host.timers.set(() => this.#view(publish), delay);
    };
  }

  get recordedPosts(): number[] {
    return this.recorded.map((view) => view.postId);
  }

  #view(publish: ReceivedPublish): void {
    if (publish.header.topic !== TOPICS.view) return;
    const body = JSON.parse(utf8Decode(publish.payload, 0, publish.payload.length)) as { [key: string]: unknown };
    const now = this.host.timers.monotonicMs();
    const view = { at: now, postId: body["post_id"] as number, timestamp: body["timestamp"] as string, requestAck: body["request_ack"] === true };
    this.sent.push(view);
    const key = `${view.postId}:${view.timestamp}`;
    let answer: string;
    if ((this.#duplicateUntil.get(key) ?? 0) > now) {
      answer = '{"success":false,"error":"Duplicate view event","error_code":"duplicate"}';
    } else {
      this.#duplicateUntil.set(key, now + 60_000);
      if (this.forceRateLimit || now - this.#lastAccepted < 5_000) {
        this.forceRateLimit = false;
        answer = '{"success":false,"error":"Rate limit exceeded","error_code":"rate_limited"}';
      } else {
        this.#lastAccepted = now;
        this.recorded.push({ postId: view.postId, timestamp: view.timestamp });
        answer = '{"success":true}';
      }
    }
    if (!view.requestAck || this.silent) return;
    const connection = this.broker.connection;
    this.host.timers.set(() => {
      // An ack published into a connection that died meanwhile is lost, as with a restarting broker.
      if (this.broker.connection !== connection || !connection?.isOpen) return;
      this.acks.push(answer);
      this.broker.publishText(TOPICS.viewAck, answer);
    }, this.latencyMs);
  }
}

/** One boot of the device: an MQTT session and a reporter with a journal on `storage`. */
function boot(host: VirtualHost, storage: MemoryStorage, options: ViewReporterOptions = {}) {
  const client = new MqttClient(host, {
    transport: { secure: true, host: "broker.test", port: 8883, ca: "CA", certificate: "CERT", key: "KEY" },
    clientId: PLAYER_KEY,
    username: PLAYER_KEY,
    password: new Uint8Array(0),
    will: offlineWill(PLAYER_KEY, TOPICS),
  });
  const journal = new ViewJournal(storage, host.log);
  const reporter = new ViewReporter(host, client, PLAYER_KEY, TOPICS, { journal, ...options });
  void reporter.subscribe();
  client.start();
  /** A power cut: everything stops at once; only the storage remains. */
  const powerCut = () => {
    reporter.stop();
    client.stop();
  };
  return { client, reporter, journal, powerCut };
}

function world() {
  const host = createVirtualHost(5);
  const broker = new ScriptedBroker(host);
  const service = new ServiceModel(host, broker);
  const storage = new MemoryStorage();
  const journalKeys = () => storage.keys().filter((key) => key.startsWith("vj."));
  return { host, broker, service, storage, journalKeys };
}

function stampAt(host: VirtualHost): string {
  return new Date(host.timers.wallTimeMs()!).toISOString().slice(0, 19) + "Z";
}

function assertPaced(sent: SentView[]): void {
  for (let i = 1; i < sent.length; i++) assert.ok(sent[i]!.at - sent[i - 1]!.at >= 5_000, `views ${i - 1} and ${i} left ${sent[i]!.at - sent[i - 1]!.at} ms apart`);
}

test("views queued while offline survive a reboot: all delivered once, paced, with their original timestamps", async () => {
  const { host, broker, service, storage, journalKeys } = world();
  broker.script.refuse = "network down";
  const first = boot(host, storage);
  const stamps: string[] = [];
  for (let post = 1; post <= 4; post++) {
    first.reporter.report(post, ROTATION);
    stamps.push(stampAt(host));
    await host.timers.advance(10_000);
  }
  assert.equal(journalKeys().length, 4);
  first.powerCut();
  await host.timers.advance(3_000);
  broker.script.refuse = undefined;
  const second = boot(host, storage);
  assert.ok(host.log.has("4 view(s) from before the restart"));
  await host.timers.advance(60_000);
  assert.deepEqual(service.recordedPosts, [1, 2, 3, 4]);
  assert.deepEqual(service.recorded.map((view) => view.timestamp), stamps);
  assert.equal(service.sent.length, 4, "no view sent twice");
  assertPaced(service.sent);
  assert.deepEqual(journalKeys(), [], "acknowledged views leave the journal");
  assert.equal(second.reporter.statistics.acknowledged, 4);
  second.powerCut();
});

test("a service that takes a view late is not sent the next one early: no view is rate limited", async () => {
  const { host, service, storage, journalKeys } = world();
  const { reporter, powerCut } = boot(host, storage);
  await host.timers.advance(0);
  // The first view reaches the service 1.5 s after the broker took it, the next ones at once.
  service.takeDelaysMs.push(1_500);
  const stamps: string[] = [];
  for (let post = 1; post <= 3; post++) {
    reporter.report(post, ROTATION);
    stamps.push(stampAt(host));
  }
  await host.timers.advance(60_000);
  assert.deepEqual(service.acks, ['{"success":true}', '{"success":true}', '{"success":true}'], "no view refused as rate limited");
  assert.deepEqual(service.recorded.map((view) => `${view.postId} at ${view.timestamp}`), stamps.map((stamp, index) => `${index + 1} at ${stamp}`));
  assertPaced(service.sent);
  assert.deepEqual(journalKeys(), []);
  powerCut();
});

test("a view the service recorded but whose ack was lost to a reboot is replayed once, acked duplicate, never again", async () => {
  const { host, service, storage, journalKeys } = world();
  const first = boot(host, storage);
  await host.timers.advance(0);
  service.silent = true;
  first.reporter.report(7, ROTATION);
  await host.timers.advance(2_000);
  assert.deepEqual(service.recordedPosts, [7]);
  first.powerCut();
  service.silent = false;
  await host.timers.advance(8_000);
  const second = boot(host, storage);
  await host.timers.advance(120_000);
  assert.deepEqual(service.recordedPosts, [7], "recorded once");
  assert.deepEqual(service.acks, ['{"success":false,"error":"Duplicate view event","error_code":"duplicate"}']);
  assert.equal(service.sent.length, 2, "the replay, and nothing after the duplicate ack");
  assert.equal(service.sent[1]!.timestamp, service.sent[0]!.timestamp, "replayed with its original timestamp");
  assert.deepEqual(journalKeys(), []);
  second.powerCut();
});

test("a view whose PUBACK never came before the power cut is delivered after the reboot", async () => {
  const { host, broker, service, storage, journalKeys } = world();
  const first = boot(host, storage);
  await host.timers.advance(0);
  broker.script.puback = () => undefined;
  broker.script.onPublish = undefined; // the broker dies with the view: the service never sees it
  first.reporter.report(3, ROTATION);
  await host.timers.advance(1_000);
  first.powerCut();
  broker.script.puback = undefined;
  const service2 = new ServiceModel(host, broker);
  const second = boot(host, storage);
  await host.timers.advance(30_000);
  assert.deepEqual(service2.recordedPosts, [3]);
  assert.deepEqual(journalKeys(), []);
  assert.equal(service.sent.length, 0);
  second.powerCut();
});

test("a duplicate ack is final: the view leaves the journal and is not retried", async () => {
  const { host, broker, storage, journalKeys } = world();
  broker.script.onPublish = undefined;
  const { reporter, powerCut } = boot(host, storage);
  await host.timers.advance(0);
  reporter.report(9, { intent: "artwork", playOrder: 0, channel: "all" });
  await settle();
  broker.publishText(TOPICS.viewAck, '{"success":false,"error":"Duplicate view event","error_code":"duplicate"}');
  await host.timers.advance(120_000);
  const views = broker.sessions.flat().filter((p) => p.type === 3 && p.header.topic === TOPICS.view);
  assert.equal(views.length, 1);
  assert.deepEqual(journalKeys(), []);
  assert.equal(reporter.statistics.acknowledged, 1);
  powerCut();
});

test("a broker restart: the view awaiting its ack and those reported during the outage arrive once each", async () => {
  const { host, broker, service, storage, journalKeys } = world();
  const { reporter, client, powerCut } = boot(host, storage);
  await host.timers.advance(0);
  service.latencyMs = 500;
  reporter.report(1, ROTATION);
  await host.timers.advance(100);
  assert.deepEqual(service.recordedPosts, [1], "recorded; its ack is still on the way");
  broker.script.refuse = "broker restarting";
  broker.drop();
  await host.timers.advance(1_000);
  reporter.report(2, ROTATION);
  await host.timers.advance(5_000);
  reporter.report(3, ROTATION);
  await host.timers.advance(5_000);
  assert.notEqual(client.state, "connected");
  broker.script.refuse = undefined;
  await host.timers.advance(90_000);
  assert.equal(client.state, "connected");
  assert.deepEqual(service.recordedPosts, [1, 2, 3]);
  assert.equal(service.sent.filter((view) => view.postId === 1).length, 2, "view 1 was sent again (its ack was lost) and acked duplicate");
  assert.ok(service.acks.some((ack) => ack.includes("duplicate")));
  assertPaced(service.sent);
  assert.deepEqual(journalKeys(), []);
  powerCut();
});

test("an ack arriving in the same read as the PUBACK is not missed", async () => {
  const { host, service, storage, journalKeys } = world();
  service.latencyMs = 0;
  const { reporter, powerCut } = boot(host, storage);
  await host.timers.advance(0);
  for (let post = 1; post <= 3; post++) reporter.report(post, ROTATION);
  await host.timers.advance(30_000);
  assert.deepEqual(service.recordedPosts, [1, 2, 3]);
  assert.equal(service.sent.length, 3);
  assert.ok(!host.log.has("an ack nobody waited for"));
  assert.deepEqual(journalKeys(), []);
  powerCut();
});

test("the journal is bounded: the oldest views go first, each with a log line, and the rest survive a reboot", async () => {
  const { host, broker, service, storage, journalKeys } = world();
  broker.script.refuse = "down";
  const first = boot(host, storage);
  for (let post = 1; post <= 40; post++) {
    first.reporter.report(post, ROTATION);
    await host.timers.advance(1_000);
  }
  assert.equal(journalKeys().length, 32);
  assert.equal(host.log.lines.filter((line) => line.includes("dropped the view of post")).length, 8);
  first.powerCut();
  broker.script.refuse = undefined;
  const second = boot(host, storage);
  await host.timers.advance(400_000);
  assert.deepEqual(service.recordedPosts, Array.from({ length: 32 }, (_, i) => i + 9));
  assertPaced(service.sent);
  assert.deepEqual(journalKeys(), []);
  second.powerCut();
});

test("a rate-limited view is re-stamped in the journal before the old entry goes, and delivered once", async () => {
  const { host, service, storage, journalKeys } = world();
  const { reporter, powerCut } = boot(host, storage);
  await host.timers.advance(0);
  service.forceRateLimit = true;
  reporter.report(5, ROTATION);
  await host.timers.advance(1_000);
  assert.equal(journalKeys().length, 1);
  assert.equal(service.recorded.length, 0);
  const entry = new ViewJournal(storage, host.log).load();
  assert.notEqual(entry[0]!.timestamp, service.sent[0]!.timestamp, "the journal holds the new timestamp");
  await host.timers.advance(20_000);
  assert.deepEqual(service.recordedPosts, [5]);
  assert.deepEqual(journalKeys(), []);
  powerCut();
});

test("no subscriber (the service is down): the view is kept and sent again later", async () => {
  const { host, broker, service, storage, journalKeys } = world();
  let absent = true;
  broker.script.puback = (topic) => (topic === TOPICS.view && absent ? 0x10 : 0);
  const deliver = broker.script.onPublish!;
  broker.script.onPublish = (publish) => {
    if (!absent) deliver(publish);
  };
  const { reporter, powerCut } = boot(host, storage, { serviceAbsentRetryMs: 30_000 });
  await host.timers.advance(0);
  reporter.report(4, ROTATION);
  await host.timers.advance(10_000);
  assert.ok(host.log.has("the service is not listening"));
  assert.equal(journalKeys().length, 1);
  absent = false;
  await host.timers.advance(30_000);
  assert.deepEqual(service.recordedPosts, [4]);
  assert.equal(reporter.statistics.acknowledged, 1);
  assert.deepEqual(journalKeys(), []);
  powerCut();
});

test("damaged and stray journal entries are dropped with a log line; the others are replayed", async () => {
  const { host, service, storage, journalKeys } = world();
  const journal = new ViewJournal(storage, host.log);
  journal.load();
  journal.append(1, "2026-11-25T11:00:00Z", ROTATION);
  journal.append(2, "2026-11-25T11:00:10Z", { intent: "channel", playOrder: 0, channel: "by_user", channelUserSqid: "k3Xq" });
  journal.append(3, "2026-11-25T11:00:20Z", ROTATION);
  const torn = storage.read("vj.2")!;
  storage.write("vj.2", torn.subarray(0, torn.length >> 1));
  storage.write("vj.zz-bad", "junk");
  storage.write("other", "not ours");
  const { powerCut } = boot(host, storage);
  assert.ok(host.log.has("dropped a damaged journal entry"));
  assert.ok(host.log.has("dropped a stray journal key"));
  await host.timers.advance(30_000);
  assert.deepEqual(service.recordedPosts, [1, 3]);
  assert.deepEqual(journalKeys(), []);
  assert.deepEqual(storage.keys().sort(), ["other", "vjk"], "the journal keeps only whose views it holds");
  powerCut();
});

test("views journaled under another player key (before a factory reset and a new registration) are dropped, not sent as this player's", async () => {
  const { host, service, storage, journalKeys } = world();
  const previous = new ViewJournal(storage, host.log);
  previous.load("5d3c1b2a-0000-4000-8000-00000000abcd");
  previous.append(1, "2026-11-25T11:00:00Z", ROTATION);
  previous.append(2, "2026-11-25T11:00:10Z", ROTATION);
  const { reporter, powerCut } = boot(host, storage);
  assert.equal(host.log.lines.filter((line) => line.includes("a view earned under another player key")).length, 2);
  assert.equal(storage.readText("vjk"), PLAYER_KEY);
  reporter.report(3, ROTATION);
  await host.timers.advance(30_000);
  assert.deepEqual(service.recordedPosts, [3], "only this player's own view");
  assert.deepEqual(journalKeys(), []);
  powerCut();
  // The same player's views stay across a restart.
  new ViewJournal(storage, host.log).append(4, "2026-11-25T11:01:00Z", ROTATION);
  assert.deepEqual(new ViewJournal(storage, host.log).load(PLAYER_KEY).map((view) => view.postId), [4]);
});

test("a journal written with a larger bound is trimmed to its bound on load, oldest first", () => {
  const storage = new MemoryStorage();
  const log = createVirtualHost().log;
  const big = new ViewJournal(storage, log, { maximumEntries: 10 });
  big.load();
  for (let post = 1; post <= 10; post++) big.append(post, "2026-11-25T11:00:00Z", ROTATION);
  const small = new ViewJournal(storage, log, { maximumEntries: 4 });
  assert.deepEqual(small.load().map((view) => view.postId), [7, 8, 9, 10]);
  assert.equal(storage.keys().length, 4);
  assert.equal(log.lines.filter((line) => line.includes("the journal holds 4")).length, 6);
  // Ids continue after the newest, so order survives.
  small.append(11, "2026-11-25T11:01:00Z", ROTATION);
  assert.deepEqual(new ViewJournal(storage, log).load().map((view) => view.postId), [8, 9, 10, 11]);
});

test("when storage fails the view is still delivered from memory", async () => {
  const { host, service, journalKeys } = world();
  const full = new MemoryStorage({ maxTotalBytes: 10 });
  const { reporter, powerCut } = boot(host, full);
  await host.timers.advance(0);
  reporter.report(6, ROTATION);
  assert.ok(host.log.has("could not be journaled"));
  await host.timers.advance(10_000);
  assert.deepEqual(service.recordedPosts, [6]);
  assert.deepEqual(journalKeys(), []);
  powerCut();
});
