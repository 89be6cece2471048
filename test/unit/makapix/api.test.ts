// Typed requests on the virtual host: replies in the service's text style are read by the streaming
// readers; bounds, bad records, broken replies and our own argument checks.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MakapixApi } from "../../../src/makapix/api.js";
import { MakapixError } from "../../../src/makapix/errors.js";
import { RequestBroker } from "../../../src/makapix/requests.js";
import { PLAYER_KEY, playerSession, publishedJson } from "../../support/makapix-fixture.js";
import { settle } from "../../support/virtual-host.js";
import { tsJsonKernels } from "../../../src/json/strings.js";
import type { JsonKernels } from "../../../src/ports.js";

/** A service answering each request with `reply(body)` as text (undefined: no answer). */
async function apiSession(reply: (body: { [key: string]: unknown }) => string | undefined, jsonKernels?: JsonKernels) {
  const { host, broker, topics, client } = playerSession({ sliceBytes: 5 });
  const sent: { [key: string]: unknown }[] = [];
  broker.script.onPublish = (publish) => {
    if (!publish.header.topic.includes("/request/")) return;
    const { body } = publishedJson(publish);
    sent.push(body);
    const text = reply(body);
    if (text !== undefined) broker.publishText(`${topics.responsePrefix}${String(body["request_id"])}`, text);
  };
  const requests = new RequestBroker(host, client, PLAYER_KEY, topics);
  void requests.subscribe();
  client.start();
  await host.timers.advance(0);
  return { host, api: new MakapixApi(requests, host.log, jsonKernels), sent };
}

const id = (body: { [key: string]: unknown }) => JSON.stringify(body["request_id"]);

test("get_post maps the post; a bad post is an invalid reply; not_found is typed", async () => {
  const { api } = await apiSession((body) =>
    body["post_id"] === 1
      ? `{"request_id": ${id(body)}, "success": true, "post": {"post_id": 1, "kind": "artwork", "storage_key": "k", "storage_shard": "a/b", "art_url": "https://v/a/b/k.gif", "native_format": "gif", "width": 64, "height": 32, "frame_count": 3, "unknown_field": [1, 2]}}`
      : body["post_id"] === 2
        ? `{"request_id": ${id(body)}, "success": true, "post": {"post_id": "two", "kind": "artwork"}}`
        : `{"request_id": ${id(body)}, "success": false, "error": "Post not found", "error_code": "not_found"}`,
  );
  assert.deepEqual(await api.getPost(1), {
    kind: "artwork",
    postId: 1,
    storageKey: "k",
    storageShard: "a/b",
    artUrl: "https://v/a/b/k.gif",
    nativeFormat: "gif",
    width: 64,
    height: 32,
    frameCount: 3,
  });
  await assert.rejects(api.getPost(2), (error: unknown) => error instanceof MakapixError && error.code === "invalid_reply");
  await assert.rejects(api.getPost(3), (error: unknown) => error instanceof MakapixError && error.code === "not_found");
});

test("get_comments keeps at most the page it asked for, with long bodies cut", async () => {
  const comment = (n: number) => `{"comment_id": "c${n}", "post_id": 5, "author_handle": null, "body": "${"é".repeat(900)}", "depth": 0, "parent_id": null, "created_at": "2026-01-01T00:00:00Z", "deleted": false}`;
  const { api, sent } = await apiSession((body) => `{"request_id": ${id(body)}, "success": true, "comments": [${[1, 2, 3, 4].map(comment).join(", ")}], "next_cursor": "4", "has_more": true}`);
  const page = await api.getComments(5, { limit: 3 });
  assert.equal(sent[0]!["limit"], 3);
  assert.equal(page.comments.length, 3, "a reply with more than asked for is cut to the page");
  assert.equal(page.comments[0]!.body!.length, 512);
  assert.equal(page.comments[0]!.authorHandle, undefined);
  assert.deepEqual([page.hasMore, page.nextCursor], [true, "4"]);
});

test("get_playset becomes a playset the scheduler can play; unknown channel types are left out", async () => {
  const { api } = await apiSession(
    (body) =>
      `{"request_id": ${id(body)}, "success": true, "playset_name": "followed_artists", "channels": [{"type": "user", "name": "ann", "identifier": "aN1", "display_name": "Ann", "weight": 3}, {"type": "tv", "name": "x", "display_name": "X"}], "exposure_mode": "proportional", "pick_mode": "random"}`,
  );
  assert.deepEqual(await api.getPlayset("followed_artists"), {
    name: "followed_artists",
    channels: [{ type: "user", name: "ann", identifier: "aN1", displayName: "Ann", weight: 3 }],
    exposureMode: "proportional",
    pickMode: "random",
  });
});

test("query_posts skips a malformed post but keeps the page; a cut reply is invalid", async () => {
  let cut = false;
  const { api, host } = await apiSession((body) => {
    const text = `{"request_id": ${id(body)}, "success": true, "posts": [{"post_id": 1, "kind": "artwork", "storage_key": "a"}, {"post_id": 2, "kind": "artwork", "width": "wide", "storage_key": "b"}, {"post_id": 3, "kind": "playlist", "total_artworks": 4}], "has_more": false}`;
    return cut ? text.slice(0, 60) : text;
  });
  const page = await api.queryPosts({ channel: "all", limit: 10 });
  assert.deepEqual(page.posts.map((post) => post.postId), [1, 3]);
  assert.equal(page.hasMore, false);
  assert.ok(host.log.has("skipped a post"));
  cut = true;
  await assert.rejects(api.queryPosts({ channel: "all" }), (error: unknown) => error instanceof MakapixError && error.code === "invalid_reply");
});

test("arguments the service would refuse fail at once, without a request", async () => {
  const { api, sent } = await apiSession(() => undefined);
  await assert.rejects(api.queryPosts({ limit: 51 }), /invalid_request: query_posts: limit must be 1–50/);
  await assert.rejects(api.getComments(1, { limit: 0 }), /limit must be 1–200/);
  await assert.rejects(api.submitReaction(1, "x".repeat(21)), /1–20 code points, not 21/);
  await assert.rejects(api.echo("y".repeat(513)), /at most 512/);
  await assert.rejects(api.getPost(0), /post_id 0/);
  await assert.rejects(api.getComments(-3), /get_comments: post_id -3/);
  await assert.rejects(api.revokeReaction(1.5, "x"), /revoke_reaction: post_id 1.5/);
  assert.equal(sent.length, 0);
  // A flag emoji is two code points (four UTF-16 units): accepted and sent.
  void api.submitReaction(1, "🇫🇷").catch(() => undefined);
  await settle();
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!["emoji"], "🇫🇷");
});

test("every request's reader gets the host's JSON kernels", async () => {
  // The TypeScript twin behind a counter: each reader's tokenizer asks it for its string scanner once.
  let scanners = 0;
  const kernels: JsonKernels = {
    createStringScanner: (text) => {
      scanners++;
      return tsJsonKernels.createStringScanner(text);
    },
    findName: tsJsonKernels.findName,
  };
  const { api } = await apiSession((body) => {
    const type = String(body["request_id"]);
    return `{"request_id": ${JSON.stringify(type)}, "success": true, "post": {"post_id": 1, "kind": "playlist"}, "posts": [], "comments": [], "channels": [], "echo_data": "e", "received_at": "t"}`;
  }, kernels);
  const calls: (() => Promise<unknown>)[] = [
    () => api.queryPosts({ channel: "all" }),
    () => api.getPost(1),
    () => api.getComments(1),
    () => api.getPlayset("followed_artists"),
    () => api.echo("e"),
    () => api.submitReaction(1, "x"),
    () => api.revokeReaction(1, "x"),
  ];
  for (const [index, call] of calls.entries()) {
    await call();
    assert.equal(scanners, index + 1, `request ${index} read without the kernels`);
  }
});
