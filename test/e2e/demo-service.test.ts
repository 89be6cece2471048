// The demo Makapix service against a real Mosquitto configured like production, with MQTT.js as a
// player over mTLS (certificate from the broker's CA): requests, views, presence, commands, the
// control endpoint and the vault, as the firmware will meet them.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { SERVICE_USER, startBroker, type TestBroker } from "../../tools/local-broker.js";
import { startDemoService, type DemoService } from "../../tools/demo-service/service.js";
import { tlsFromCertsDir } from "../../tools/demo-service/vault.js";
import { pythonJson } from "../../tools/demo-service/python-json.js";
import type { ArtworkPost } from "../../tools/demo-service/catalogue-data.js";

let broker: TestBroker;
let service: DemoService;
let catalogueDir: string;
const clients: mqtt.MqttClient[] = [];

const VIEW_INTERVAL_MS = 1000;

before(async () => {
  catalogueDir = mkdtempSync(join(tmpdir(), "makapix-demo-catalogue-"));
  broker = await startBroker();
  service = await startDemoService({
    brokerUrl: `mqtt://127.0.0.1:${broker.servicePort}`,
    username: SERVICE_USER,
    password: broker.servicePassword,
    vaultDir: catalogueDir,
    vaultTls: tlsFromCertsDir(broker.certsDir),
    timing: { offlineAfterMs: 600, sweepIntervalMs: 100, viewIntervalMs: VIEW_INTERVAL_MS },
    limits: { requestsPerWindow: 100, commandsPerWindow: 20 },
  });
});

after(async () => {
  for (const client of clients) await client.endAsync(true);
  await service?.stop();
  await broker?.stop();
  rmSync(catalogueDir, { recursive: true, force: true });
});

interface Message {
  topic: string;
  text: string;
}

async function player(key = randomUUID()) {
  const credentials = broker.issuePlayer(key);
  const client = await mqtt.connectAsync(`mqtts://localhost:${broker.playerPort}`, {
    protocolVersion: 5,
    clientId: key,
    username: key,
    password: "",
    ca: credentials.ca,
    cert: credentials.certificate,
    key: credentials.key,
    reconnectPeriod: 0,
  });
  clients.push(client);
  const inbox: Message[] = [];
  client.on("message", (topic, payload) => inbox.push({ topic, text: payload.toString("utf8") }));
  const base = `makapix/player/${key}`;
  await client.subscribeAsync([`${base}/response/#`, `${base}/command`, `${base}/view/ack`], { qos: 1 });

  /** Publishes a raw request and waits for the message on response/{replyId}. */
  async function raw(topicId: string, text: string, replyId = topicId): Promise<Message> {
    const start = inbox.length;
    await client.publishAsync(`${base}/request/${topicId}`, text, { qos: 1 });
    return waitFor(`reply ${replyId}`, () => inbox.slice(start).find((m) => m.topic === `${base}/response/${replyId}`));
  }
  async function request(type: string, fields: { [key: string]: unknown } = {}): Promise<{ text: string; body: { [key: string]: any } }> {
    const id = randomUUID();
    const reply = await raw(id, JSON.stringify({ request_id: id, request_type: type, player_key: key, ...fields }));
    return { text: reply.text, body: JSON.parse(reply.text) };
  }
  return { key, base, client, inbox, raw, request };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts the `all` channel lists, newest id first. */
function listedIds(): number[] {
  const c = service.catalogue;
  return c.posts
    .filter((p) => p.visibility === "public" && !p.hashtags.some((t) => c.monitoredHashtags.includes(t)))
    .map((p) => p.postId)
    .sort((a, b) => b - a);
}

let alice: Awaited<ReturnType<typeof player>>;

test("query_posts pages through the channel with cursor and has_more; criteria and sorts apply", async () => {
  alice = await player();
  const seen: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const { body } = await alice.request("query_posts", { limit: 7, ...(cursor ? { cursor } : {}) });
    assert.equal(body.success, true);
    pages++;
    seen.push(...body.posts.map((p: { post_id: number }) => p.post_id));
    if (!body.has_more) {
      assert.ok(!("next_cursor" in body), "next_cursor only when has_more");
      break;
    }
    assert.equal(typeof body.next_cursor, "string");
    cursor = body.next_cursor;
  }
  assert.deepEqual(seen, listedIds(), "every listed post once, in server order");
  assert.equal(pages, Math.ceil(listedIds().length / 7));

  const small = await alice.request("query_posts", { criteria: [{ field: "kind", op: "eq", value: "artwork" }, { field: "width", op: "lte", value: 32 }, { field: "frame_count", op: "gt", value: 1 }], include_fields: ["width", "frame_count"] });
  assert.ok(small.body.posts.length > 0);
  for (const post of small.body.posts) {
    assert.equal(post.kind, "artwork");
    assert.ok(post.width <= 32 && post.frame_count > 1, JSON.stringify(post));
  }
  const seeded = async () => (await alice.request("query_posts", { sort: "random", random_seed: 42, limit: 50 })).body.posts.map((p: { post_id: number }) => p.post_id);
  const first = await seeded();
  assert.deepEqual(await seeded(), first, "the same seed gives the same order");
  assert.notDeepEqual(first, listedIds());
  const hashtag = await alice.request("query_posts", { channel: "hashtag", hashtag: " Animated " });
  assert.ok(hashtag.body.posts.length >= 5);
  assert.equal((await alice.request("query_posts", { channel: "hashtag" })).body.error_code, "missing_hashtag");
  assert.equal((await alice.request("query_posts", { channel: "by_user", user_handle: "nobody" })).body.error_code, "user_not_found");
  const byUser = await alice.request("query_posts", { channel: "by_user", user_sqid: "lM9en", include_fields: ["owner_handle"] });
  assert.ok(byUser.body.posts.every((p: { owner_handle: string }) => p.owner_handle === "lumen"));
});

test("replies are Python json.dumps text: ', ' and ': ' separators, \\u escapes, nulls omitted", async () => {
  const echo = await alice.request("echo", { echo_data: 'héllo ✨ "quoted" 👾' });
  assert.match(echo.text, /^\{"request_id": "[0-9a-f-]{36}", "success": true, "echo_data": "h\\u00e9llo \\u2728 \\"quoted\\" \\ud83d\\udc7e", "received_at": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z"\}$/);
  assert.equal(JSON.parse(echo.text).echo_data, 'héllo ✨ "quoted" 👾');

  const post = service.catalogue.posts.find((p) => p.title === "Dusk") as ArtworkPost;
  const got = await alice.request("get_post", { post_id: post.postId, include_fields: ["width", "height", "dwell_time_ms", "bogus"] });
  const url = `${service.vaultUrls.https}/${post.storageShard}/${post.storageKey}.webp`;
  assert.equal(
    got.text,
    `{"request_id": "${got.body.request_id}", "success": true, "post": {"post_id": ${post.postId}, "kind": "artwork", "created_at": "${post.createdAt}", ` +
      `"storage_key": "${post.storageKey}", "art_url": "${url}", "storage_shard": "${post.storageShard}", "native_format": "webp", "width": 128, "height": 64, "dwell_time_ms": 45000}}`,
  );
  const page = await alice.request("query_posts", { limit: 50 });
  assert.ok(!page.text.includes("null"), "no null anywhere in a query_posts reply");
  assert.ok(page.body.posts.some((p: { kind: string }) => p.kind === "playlist"), "playlists come back without asking");
  const comments = await alice.request("get_comments", { post_id: service.catalogue.posts.find((p) => p.title === "Dusk")!.postId });
  assert.ok(comments.text.includes('"next_cursor": null') && comments.text.includes('"error": null'), "get_comments keeps its nulls");
  assert.ok(/\\u65e5\\u6ca1/.test(comments.text), "non-ASCII comment bodies escaped");
  assert.ok(/^[\x20-\x7e]*$/.test(comments.text), "the wire text is plain ASCII");
});

test("validation failures come back as internal_error", async () => {
  const bad = [
    { limit: 0 },
    { limit: 51 },
    { criteria: [{ field: "width", op: "is_null" }] },
    { criteria: [{ field: "transparency_actual", op: "lt", value: true }] },
    { criteria: [{ field: "file_format", op: "eq", value: "jpeg" }] },
    { criteria: [{ field: "height", op: "in", value: [] }] },
    { criteria: [{ field: "colour", op: "eq", value: 1 }] },
    { criteria: Array.from({ length: 65 }, () => ({ field: "width", op: "gt", value: 1 })) },
    { channel: "everything" },
    { include_fields: "width" },
  ];
  for (const fields of bad) {
    const { body } = await alice.request("query_posts", fields);
    assert.equal(body.success, false, JSON.stringify(fields));
    assert.equal(body.error_code, "internal_error", JSON.stringify(fields));
    assert.match(body.error, /^Internal error: /);
  }
  const ok = await alice.request("query_posts", { criteria: [{ field: "unique_colors", op: "is_not_null" }, { field: "file_format", op: "in", value: ["bmp"] }, { field: "file_bytes", op: "gt", value: 100000 }] });
  assert.deepEqual(ok.body.posts.map((p: { post_id: number }) => p.post_id), [service.catalogue.posts.find((p) => p.title === "Plasma")!.postId], "only the 256x256 BMP rendition is over 100 kB");
});

test("bad JSON and missing ids are answered on response/unknown; the reply topic follows the payload's request_id", async () => {
  const notJson = await alice.raw("r1", "{not json", "unknown");
  assert.deepEqual(JSON.parse(notJson.text), { request_id: "unknown", success: false, error: "Invalid JSON in request payload", error_code: "invalid_json" });
  const noId = await alice.raw("r2", JSON.stringify({ request_type: "echo", player_key: alice.key, echo_data: "x" }), "unknown");
  assert.equal(JSON.parse(noId.text).error_code, "internal_error");
  const noType = await alice.raw("r3", JSON.stringify({ request_id: "r3", player_key: alice.key }));
  assert.equal(JSON.parse(noType.text).error_code, "invalid_request");
  const unknownType = await alice.raw("r4", JSON.stringify({ request_id: "r4", request_type: "teleport", player_key: alice.key }));
  assert.equal(JSON.parse(unknownType.text).error_code, "unknown_request_type");
  const moved = await alice.raw("topic-id", JSON.stringify({ request_id: "payload-id", request_type: "get_playset", player_key: alice.key, playset_name: "followed_artists" }), "payload-id");
  const playset = JSON.parse(moved.text);
  assert.equal(playset.success, true);
  assert.deepEqual(playset.channels[0], { type: "user", identifier: "lM9en", display_name: "@lumen" });
  const unknownPlayset = await alice.request("get_playset", { playset_name: "favourites" });
  assert.equal(unknownPlayset.body.error_code, "playset_not_found");
});

test("get_post refuses missing, deleted, hidden and unapproved posts with their codes", async () => {
  const id = (title: string) => service.catalogue.posts.find((p) => p.title === title)!.postId;
  const code = async (postId: number) => (await alice.request("get_post", { post_id: postId })).body.error_code;
  assert.equal(await code(999999), "not_found");
  assert.equal(await code(id("Removed")), "deleted");
  assert.equal(await code(id("Hidden by moderators")), "not_available");
  assert.equal(await code(id("Invisible")), "not_visible");
  assert.equal(await code(id("Night creature")), "content_not_approved");
  const playlist = await alice.request("get_post", { post_id: id("Night sky") });
  assert.deepEqual(Object.keys(playlist.body.post), ["post_id", "kind", "owner_handle", "created_at", "metadata_modified_at", "total_artworks", "dwell_time_ms"]);
  assert.equal(playlist.body.post.total_artworks, 3);
});

test("reactions are idempotent both ways and limited to 5 emoji per post", async () => {
  const postId = service.catalogue.posts.find((p) => p.title === "Checkers")!.postId;
  const react = async (emoji: string, type = "submit_reaction") => alice.request(type, { post_id: postId, emoji });
  const first = await react("🔥");
  assert.equal(first.text, `{"request_id": "${first.body.request_id}", "success": true, "error": null}`);
  await react("🔥");
  assert.deepEqual(service.reactionsOf(postId), ["🔥"]);
  for (const emoji of ["👍", "✨", "👾", "🎨"]) assert.equal((await react(emoji)).body.success, true);
  assert.equal((await react("🌙")).body.error_code, "reaction_limit_exceeded");
  assert.equal((await react("🔥")).body.success, true, "an existing emoji is still accepted at the limit");
  assert.equal((await react("🌙", "revoke_reaction")).body.success, true, "revoking what is not there succeeds");
  assert.equal((await react("👾", "revoke_reaction")).body.success, true);
  assert.equal((await react("🌙")).body.success, true);
  assert.equal(service.reactionsOf(postId).length, 5);
  assert.equal((await react("x".repeat(21))).body.error_code, "internal_error", "over 20 code points fails the schema");
  assert.equal((await react("   ")).body.error_code, "invalid_emoji");
  assert.equal((await alice.request("submit_reaction", { post_id: 999999, emoji: "🔥" })).body.error_code, "not_found");
  const mine = await alice.request("query_posts", { channel: "reactions", user_handle: "demo", limit: 2 });
  assert.equal(mine.body.posts[0].post_id, postId, "the latest reaction comes first");
  const next = await alice.request("query_posts", { channel: "reactions", user_handle: "demo", limit: 2, cursor: mine.body.next_cursor });
  assert.ok(!next.body.posts.some((p: { post_id: number }) => mine.body.posts.some((q: { post_id: number }) => q.post_id === p.post_id)));
});

test("views: ack on request, duplicate, rate_limited, schema-invalid dropped without ack, own posts not recorded", async () => {
  const bob = await player();
  const postId = service.catalogue.posts.find((p) => p.title === "Spinner")!.postId;
  const view = (fields: { [key: string]: unknown } = {}) => ({ post_id: postId, timestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"), timezone: "", intent: "channel", play_order: 0, channel: "all", player_key: bob.key, request_ack: true, ...fields });
  const send = async (body: unknown) => {
    const start = bob.inbox.length;
    await bob.client.publishAsync(`${bob.base}/view`, JSON.stringify(body), { qos: 1 });
    return () => bob.inbox.slice(start).find((m) => m.topic === `${bob.base}/view/ack`);
  };
  const first = view({ timestamp: "2026-01-01T10:00:00Z" });
  const ack1 = await waitFor("ack", await send(first));
  assert.equal(ack1.text, '{"success": true}');
  const ack2 = await waitFor("ack", await send(first));
  assert.deepEqual(JSON.parse(ack2.text), { success: false, error: "Duplicate view event", error_code: "duplicate" });
  const quick = view({ timestamp: "2026-01-01T10:00:01Z" });
  const ack3 = await waitFor("ack", await send(quick));
  assert.equal(JSON.parse(ack3.text).error_code, "rate_limited");
  await sleep(VIEW_INTERVAL_MS + 100);
  const ack4 = await waitFor("ack", await send(quick));
  assert.equal(JSON.parse(ack4.text).error_code, "duplicate", "a refused view re-sent with the same timestamp is lost");

  const { timezone: _omitted, ...missingField } = view({ timestamp: "2026-01-01T10:00:02Z" });
  const none = await send(missingField);
  const badOrder = await send(view({ timestamp: "2026-01-01T10:00:03Z", play_order: 3 }));
  await sleep(400);
  assert.equal(none(), undefined, "no ack for a schema failure");
  assert.equal(badOrder(), undefined);

  const mismatch = await waitFor("ack", await send(view({ player_key: randomUUID() })));
  assert.equal(JSON.parse(mismatch.text).error_code, "player_key_mismatch");
  const own = service.catalogue.posts.find((p) => p.title === "My first sprite")!.postId;
  const ownAck = await waitFor("ack", await send(view({ post_id: own, intent: "artwork", play_order: 2, timestamp: "2026-01-01T10:00:05Z" })));
  assert.equal(ownAck.text, '{"success": true}');
  await sleep(VIEW_INTERVAL_MS + 100);
  await send(view({ post_id: 999999, timestamp: "2026-01-01T10:00:06Z", request_ack: false }));
  await sleep(300);

  const views = service.views(bob.key);
  assert.equal(views.length, 1, "only the first view was recorded");
  assert.deepEqual({ ...views[0], receivedAt: "" }, { postId, timestamp: "2026-01-01T10:00:00Z", timezone: "", intent: "channel", playOrder: 0, channel: "all", receivedAt: "", viewType: "impression" });
  assert.deepEqual(
    service.viewLog(bob.key).map((v) => v.outcome),
    ["recorded", "duplicate", "rate_limited", "duplicate", "player_key_mismatch", "self_view", "post_not_found"],
  );
});

test("status: identified by the payload key, online until silent, then swept offline", async () => {
  const carol = await player();
  await carol.client.publishAsync(`${carol.base}/status`, JSON.stringify({ player_key: carol.key, current_post_id: 1002, firmware_version: "0.2.0" }), { qos: 1 });
  const status = await waitFor("online", () => service.statusOf(carol.key));
  assert.equal(status.status, "online", "a missing status counts as online");
  assert.equal(status.currentPostId, 1002);
  assert.equal(status.firmwareVersion, "0.2.0");
  await carol.client.publishAsync(`${carol.base}/status`, JSON.stringify({ status: "online", current_post_id: 7 }), { qos: 1 });
  await sleep(200);
  assert.equal(service.statusOf(carol.key)!.currentPostId, 1002, "a status without player_key is dropped");
  await waitFor("swept offline", () => service.statusOf(carol.key)!.status === "offline", 3000);
  await carol.client.publishAsync(`${carol.base}/status`, JSON.stringify({ player_key: carol.key, status: "online" }), { qos: 1 });
  await waitFor("online again", () => service.statusOf(carol.key)!.status === "online");
});

test("commands arrive as the service's envelope; capabilities, state and acks are stored; the command limit holds", async () => {
  const dave = await player();
  const id = await service.sendCommand(dave.key, "show_artwork", { post_id: 1002, title: null, storage_shard: "" });
  const message = await waitFor("command", () => dave.inbox.find((m) => m.topic === `${dave.base}/command`));
  const envelope = JSON.parse(message.text);
  assert.deepEqual(Object.keys(envelope), ["command_id", "command_type", "payload", "timestamp"]);
  assert.equal(envelope.command_id, id);
  assert.deepEqual(envelope.payload, { post_id: 1002, title: null, storage_shard: "" });
  assert.match(envelope.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
  assert.ok(message.text.includes('"command_type": "show_artwork", "payload": {"post_id": 1002, "title": null'));

  await dave.client.publishAsync(`${dave.base}/capabilities`, JSON.stringify({ features: { pause: {}, brightness: { min: 0, max: 100, step: 5 }, teleport: {} }, firmware_version: "0.3.0" }), { qos: 1 });
  await dave.client.publishAsync(`${dave.base}/state`, JSON.stringify({ is_paused: true, brightness: 40, rotation: 90 }), { qos: 1 });
  await dave.client.publishAsync(`${dave.base}/command/ack`, JSON.stringify({ command_id: id, status: "ok" }), { qos: 1 });
  await waitFor("state", () => service.player(dave.key)?.state.brightness === 40);
  assert.deepEqual(service.player(dave.key)!.capabilities, { pause: {}, brightness: { min: 0, max: 100, step: 5 } });
  assert.deepEqual(service.player(dave.key)!.state, { is_paused: true, brightness: 40 }, "rotation was not declared");
  await waitFor("ack", () => service.commands(dave.key)[0]!.ack?.status === "ok");
  await dave.client.publishAsync(`${dave.base}/capabilities`, "{}", { qos: 1 });
  await waitFor("state wiped", () => Object.keys(service.player(dave.key)!.state).length === 0);

  for (let i = 1; i < 20; i++) await service.sendCommand(dave.key, "swap_next");
  await assert.rejects(service.sendCommand(dave.key, "swap_next"), /more than 20 commands/);
  await waitFor("20 commands", () => dave.inbox.filter((m) => m.topic === `${dave.base}/command`).length === 20);
});

test("the HTTP control endpoint lists players, sends commands and switches authentication failures", async () => {
  const erin = await player();
  await erin.client.publishAsync(`${erin.base}/status`, JSON.stringify({ player_key: erin.key, status: "online" }), { qos: 1 });
  await waitFor("status", () => service.statusOf(erin.key));
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(service.controlUrl + path, { method, ...(body ? { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } } : {}) });
    return { status: response.status, body: (await response.json()) as any };
  };
  const list = await call("GET", "/players");
  assert.ok(list.body.some((p: { player_key: string; status: string }) => p.player_key === erin.key && p.status === "online"));
  const sent = await call("POST", `/players/${erin.key}/commands`, { command_type: "play_channel", payload: { channel_name: "promoted" } });
  assert.equal(sent.status, 202);
  const message = await waitFor("command", () => erin.inbox.find((m) => m.topic === `${erin.base}/command`));
  assert.equal(JSON.parse(message.text).command_id, sent.body.command_id);
  assert.equal((await call("POST", `/players/${erin.key}/commands`, { payload: {} })).status, 400);
  const details = await call("GET", `/players/${erin.key}`);
  assert.equal(details.body.commands[0].commandType, "play_channel");
  assert.equal((await call("GET", `/players/${randomUUID()}`)).status, 404);

  assert.equal((await call("POST", `/players/${erin.key}/authentication`, { fail: true })).status, 200);
  assert.equal((await erin.request("echo", { echo_data: "x" })).body.error_code, "authentication_failed");
  service.setAuthenticationFailure(erin.key, false);
  assert.equal((await erin.request("echo", { echo_data: "x" })).body.success, true);
});

test("echo is limited to 10 a minute and any player flooding requests gets rate_limit_exceeded", async () => {
  const frank = await player();
  const codes: string[] = [];
  for (let i = 0; i < 11; i++) codes.push((await frank.request("echo", { echo_data: String(i) })).body.error_code ?? "ok");
  assert.deepEqual(codes, [...Array(10).fill("ok"), "rate_limit_exceeded"]);
  const replies = await Promise.all(Array.from({ length: 100 }, () => frank.request("get_playset", { playset_name: "followed_artists" })));
  const limited = replies.filter((r) => r.body.error_code === "rate_limit_exceeded").length;
  assert.equal(limited, 100 - (100 - 11), "the 101st request of the window and later are refused");
  assert.ok(replies.every((r) => r.body.success === true || r.body.error_code === "rate_limit_exceeded"));
});

function get(url: string, ca?: string): Promise<{ status: number; headers: { [name: string]: string | string[] | undefined }; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith("https:") ? httpsRequest : httpRequest)(url, ca ? { ca } : {}, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on("error", reject);
    request.end();
  });
}

test("the vault serves native files and renditions over https and http, immutable, and 404s a missing rendition", async () => {
  const checkers = service.catalogue.posts.find((p) => p.title === "Checkers") as ArtworkPost;
  const { body } = await alice.request("get_post", { post_id: checkers.postId });
  const native = await get(body.post.art_url, service.vaultCaPem);
  assert.equal(native.status, 200);
  assert.equal(native.headers["content-type"], "image/png");
  assert.match(String(native.headers["cache-control"]), /immutable/);
  assert.deepEqual(native.body, readFileSync(join(service.catalogue.vaultDir, checkers.storageShard, `${checkers.storageKey}.png`)));
  const webp = await get(`${service.vaultUrls.http}/${checkers.storageShard}/${checkers.storageKey}.webp`);
  assert.equal(webp.status, 200);
  assert.equal(webp.headers["content-type"], "image/webp");
  assert.equal(webp.body.subarray(8, 12).toString("latin1"), "WEBP");
  assert.equal((await get(`${service.vaultUrls.https}/${checkers.storageShard}/${checkers.storageKey}.bmp`, service.vaultCaPem)).status, 404, "the missing rendition");
  assert.equal((await get(`${service.vaultUrls.http}/../../etc/passwd`)).status, 404);
  await assert.rejects(get(`${service.vaultUrls.https}/${checkers.storageShard}/${checkers.storageKey}.png`), /self-signed|certificate/, "https needs the dev CA");

  const emptyUrl = service.catalogue.posts.find((p) => p.kind === "artwork" && p.artUrlEmpty) as ArtworkPost;
  assert.equal((await alice.request("get_post", { post_id: emptyUrl.postId })).body.post.art_url, "");
  assert.equal((await get(`${service.vaultUrls.https}/${emptyUrl.storageShard}/${emptyUrl.storageKey}.gif`, service.vaultCaPem)).status, 200);
  assert.ok(service.vaultLog().some((entry) => entry.status === 404 && entry.path.endsWith(".bmp")));
  assert.equal(pythonJson({ a: [1, { b: null }] }), '{"a": [1, {"b": null}]}');
});
