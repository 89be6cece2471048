// The request broker on a virtual clock: correlation by request id, streamed replies, timeouts with
// bounded retries, late replies, typed failures, authentication back-off and the in-flight bound.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MakapixError } from "../../../src/makapix/errors.js";
import { encodePacket } from "../../../src/mqtt/encode.js";
import { utf8Encode } from "../../../src/util/utf8.js";
import { RequestBroker } from "../../../src/makapix/requests.js";
import { settle } from "../../support/virtual-host.js";
import type { ReceivedPublish } from "../../support/scripted-broker.js";
import { PLAYER_KEY, WholeReplyReader, playerSession, publishedJson } from "../../support/makapix-fixture.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A service that answers each request with `answer(body)` (undefined = stay silent). */
async function connected(answer: (body: { [key: string]: unknown }, publish: ReceivedPublish) => object | undefined, sliceBytes?: number) {
  const session = playerSession({ ...(sliceBytes ? { sliceBytes } : {}) });
  const { host, broker, topics, client } = session;
  const requests: { [key: string]: unknown }[] = [];
  broker.script.onPublish = (publish) => {
    if (!publish.header.topic.includes("/request/")) return;
    const { body } = publishedJson(publish);
    requests.push(body);
    const reply = answer(body, publish);
    if (reply) broker.publishText(`${topics.responsePrefix}${String(body["request_id"])}`, JSON.stringify(reply));
  };
  const requestBroker = new RequestBroker(host, client, PLAYER_KEY, topics);
  void requestBroker.subscribe();
  client.start();
  await host.timers.advance(0);
  return { ...session, requestBroker, requests };
}

test("a request goes to request/{uuid} with its fields, and the reply on response/{uuid} resolves it", async () => {
  const { broker, requestBroker, requests, topics } = await connected((body) => ({
    request_id: body["request_id"],
    success: true,
    posts: [],
    has_more: false,
  }), 3);
  const reply = await requestBroker.request("query_posts", { channel: "promoted", limit: 20 }, new WholeReplyReader());
  assert.deepEqual(reply["posts"], []);
  const [request] = requests;
  assert.match(String(request!["request_id"]), UUID_V4);
  assert.equal(request!["request_type"], "query_posts");
  assert.equal(request!["player_key"], PLAYER_KEY);
  assert.equal(request!["channel"], "promoted");
  const publish = broker.receivedOfType(3).find((p) => p.header.topic.includes("/request/"))!;
  assert.equal(publish.header.topic, topics.request(String(request!["request_id"])));
  assert.equal(publish.header.qos, 1);
});

test("success:false becomes a MakapixError carrying the service's error_code", async () => {
  const { requestBroker } = await connected((body) => ({ request_id: body["request_id"], success: false, error: "Post not found", error_code: "not_found" }));
  await assert.rejects(requestBroker.request("get_post", { post_id: 9 }, new WholeReplyReader()), (error: unknown) => {
    assert.ok(error instanceof MakapixError);
    assert.equal(error.code, "not_found");
    assert.match(error.message, /Post not found/);
    return true;
  });
});

test("no reply: asked again with a new id after 30 s, three attempts, then a timeout error", async () => {
  const { host, requestBroker, requests } = await connected(() => undefined);
  let outcome: unknown;
  requestBroker.request("get_playset", { playset_name: "followed_artists" }, new WholeReplyReader()).catch((error) => (outcome = error));
  await host.timers.advance(29_999);
  assert.equal(requests.length, 1);
  await host.timers.advance(1);
  assert.equal(requests.length, 2);
  assert.notEqual(requests[0]!["request_id"], requests[1]!["request_id"]);
  await host.timers.advance(60_000);
  assert.equal(requests.length, 3);
  assert.ok(outcome instanceof MakapixError);
  assert.equal((outcome as MakapixError).code, "timeout");
  assert.equal(requestBroker.inFlight, 0);
});

test("a late reply to an abandoned attempt is dropped with a log line; the current attempt still completes", async () => {
  let held: string | undefined;
  const { host, broker, topics, requestBroker, requests } = await connected((body) => {
    if (held === undefined) {
      held = String(body["request_id"]);
      return undefined;
    }
    return { request_id: body["request_id"], success: true, echo_data: "second" };
  });
  const pending = requestBroker.request("echo", { echo_data: "x" }, new WholeReplyReader());
  await host.timers.advance(30_000);
  assert.equal(requests.length, 2);
  const reply = await pending;
  assert.equal(reply["echo_data"], "second");
  broker.publishText(`${topics.responsePrefix}${held}`, JSON.stringify({ request_id: held, success: true, echo_data: "first" }));
  await settle();
  assert.ok(host.log.has("dropped a late or unknown reply"));
});

test("a reply that is not JSON is an invalid_reply error, not a crash", async () => {
  const { requestBroker, broker, topics, host } = await connected(() => undefined);
  const pending = requestBroker.request("get_post", { post_id: 1 }, new WholeReplyReader());
  await settle();
  const requestId = String(publishedJson(broker.receivedOfType(3).find((p) => p.header.topic.includes("/request/"))!).body["request_id"]);
  broker.publishText(`${topics.responsePrefix}${requestId}`, '{"request_id": "x", "success": tru');
  await assert.rejects(pending, (error: unknown) => error instanceof MakapixError && error.code === "invalid_reply");
  assert.equal(host.timers.pending > 0, true, "the session's own timers keep running");
});

test("authentication_failed: the observer is told, and requests fail fast until the back-off has passed", async () => {
  let answerWith = "authentication_failed";
  const { host, requestBroker, requests } = await connected((body) =>
    answerWith === "ok"
      ? { request_id: body["request_id"], success: true }
      : { request_id: body["request_id"], success: false, error: "Player blocked", error_code: answerWith },
  );
  const backoffs: number[] = [];
  requestBroker.observe({ authenticationFailed: (ms) => backoffs.push(ms) });
  await assert.rejects(requestBroker.request("query_posts", {}, new WholeReplyReader()), /authentication_failed/);
  assert.deepEqual(backoffs, [60_000]);
  await assert.rejects(requestBroker.request("query_posts", {}, new WholeReplyReader()), /retrying in 60 s/);
  assert.equal(requests.length, 1, "nothing is sent while blocked");
  await host.timers.advance(60_000);
  await assert.rejects(requestBroker.request("query_posts", {}, new WholeReplyReader()), /authentication_failed/);
  assert.deepEqual(backoffs, [60_000, 120_000], "the back-off doubles while the block lasts");
  await host.timers.advance(120_000);
  answerWith = "ok";
  const reply = await requestBroker.request("query_posts", {}, new WholeReplyReader());
  assert.equal(reply["success"], true);
});

test("rate_limit_exceeded is asked again after a pause; other failures are not retried", async () => {
  let refusals = 1;
  const { host, requestBroker, requests } = await connected((body) =>
    refusals-- > 0
      ? { request_id: body["request_id"], success: false, error: "slow down", error_code: "rate_limit_exceeded" }
      : { request_id: body["request_id"], success: true, echo_data: "ok" },
  );
  const pending = requestBroker.request("echo", { echo_data: "a" }, new WholeReplyReader());
  await settle();
  assert.equal(requests.length, 1);
  await host.timers.advance(4_999);
  assert.equal(requests.length, 1);
  await host.timers.advance(1);
  assert.equal((await pending)["echo_data"], "ok");
  assert.equal(requests.length, 2);
});

test("at most 4 requests in flight and 8 queued; beyond that 'busy'", async () => {
  const { host, requestBroker, requests, broker, topics } = await connected(() => undefined);
  const outcomes: string[] = [];
  for (let i = 0; i < 13; i++) {
    requestBroker.request("echo", { echo_data: String(i) }, new WholeReplyReader()).then(
      (reply) => outcomes.push(`ok ${String(reply["echo_data"])}`),
      (error: MakapixError) => outcomes.push(error.code),
    );
  }
  await settle();
  assert.equal(requests.length, 4);
  assert.equal(requestBroker.queued, 8);
  assert.deepEqual(outcomes, ["busy"]);
  const first = requests[0]!;
  broker.publishText(`${topics.responsePrefix}${String(first["request_id"])}`, JSON.stringify({ request_id: first["request_id"], success: true, echo_data: "0" }));
  await settle();
  assert.deepEqual(outcomes, ["busy", "ok 0"]);
  assert.equal(requests.length, 5, "a queued request goes out when one completes");
  requestBroker.cancelAll("stopping");
  await settle();
  assert.equal(outcomes.filter((o) => o === "publish_failed").length, 11);
  await host.timers.advance(120_000);
  assert.equal(requests.length, 5, "cancelled requests are not retried");
});

test("a reply cut by a lost connection is asked again on the new connection", async () => {
  let answered = 0;
  const { host, broker, topics, requestBroker } = await connected(() => undefined);
  broker.script.onPublish = (publish) => {
    if (!publish.header.topic.includes("/request/")) return;
    const { body } = publishedJson(publish);
    const text = JSON.stringify({ request_id: body["request_id"], success: true, echo_data: "y".repeat(3000) });
    answered++;
    if (answered === 1) {
      // Half the reply, then the broker dies.
      broker.sendBytes(encodeHalf(`${topics.responsePrefix}${String(body["request_id"])}`, text));
      broker.drop();
    } else {
      broker.publishText(`${topics.responsePrefix}${String(body["request_id"])}`, text);
    }
  };
  const reader = new WholeReplyReader();
  const pending = requestBroker.request("echo", { echo_data: "y" }, reader);
  await settle();
  await host.timers.advance(1_000); // reconnect (backoff ≤ 1 s)
  await host.timers.advance(30_000); // the first attempt times out and is sent again
  const reply = await pending;
  assert.equal(String(reply["echo_data"]).length, 3000);
  assert.equal(answered, 2);
});

function encodeHalf(topic: string, text: string): Uint8Array {
  const bytes = encodePacket({ type: 3, topic, qos: 1, retain: false, dup: false, packetId: 77, payload: utf8Encode(text) });
  return bytes.subarray(0, bytes.length >> 1);
}

test("several replies of one block step the back-off once; requests queued meanwhile fail fast", async () => {
  const held: { [key: string]: unknown }[] = [];
  const { host, broker, topics, requestBroker, requests } = await connected((body) => {
    held.push(body);
    return undefined;
  });
  const backoffs: number[] = [];
  requestBroker.observe({ authenticationFailed: (ms) => backoffs.push(ms) });
  const outcomes: string[] = [];
  for (let i = 0; i < 6; i++) requestBroker.request("echo", { echo_data: String(i) }, new WholeReplyReader()).catch((error: Error) => outcomes.push(error.message));
  await settle();
  assert.equal(requests.length, 4, "four in flight, two queued");
  // The service refuses all four that reached it.
  for (const body of held) {
    broker.publishText(`${topics.responsePrefix}${String(body["request_id"])}`, JSON.stringify({ request_id: body["request_id"], success: false, error: "blocked", error_code: "authentication_failed" }));
  }
  await host.timers.advance(10);
  assert.deepEqual(backoffs, [60_000], "one block, one step of the back-off");
  assert.equal(outcomes.length, 6);
  assert.equal(requests.length, 4, "the queued two were refused without being sent");
});
