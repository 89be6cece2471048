// The promoted feed client against a scripted API: web Post records become ArtworkPosts (relative art
// URLs on the API's origin), playlists and broken records are skipped, the page size bounds what is
// kept, the cursor goes back encoded, and statuses or broken pages are typed errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import { FeedPageReader, PromotedFeedClient, PromotedFeedError } from "../../../src/device/promoted-feed.js";
import { JsonError } from "../../../src/json/errors.js";
import { utf8Encode } from "../../../src/util/utf8.js";
import { createVirtualHost } from "../../support/virtual-host.js";
import { ScriptedApi, type ApiAnswer } from "../../support/scripted-api.js";

const webPost = (id: number, extra: { [key: string]: unknown } = {}) => ({
  id,
  storage_key: `00000000-0000-4000-8000-${String(id).padStart(12, "0")}`,
  public_sqid: `s${id}`,
  kind: "artwork",
  owner_id: 3,
  title: `Art ${id} \u{1F3A8}`,
  description: "x".repeat(3000),
  hashtags: ["pixel", "art"],
  art_url: `/api/vault/a1/b2/${id}.gif`,
  canvas: "64x64",
  width: 64,
  height: 64,
  file_bytes: 1234,
  frame_count: 4,
  uses_transparency: true,
  uses_alpha: false,
  dwell_time_ms: 30000,
  promoted: true,
  owner: { id: 3, handle: "artist", bio: null, badges: [{ badge: "early", granted_at: "2025-01-01T00:00:00Z" }] },
  ...extra,
});

function setup(answer: (path: string) => ApiAnswer, pageSize?: number) {
  const host = createVirtualHost(4);
  const api = new ScriptedApi(host, (call) => answer(call.path));
  const client = new PromotedFeedClient(host, { apiBase: "https://api.test:8443/api/", ca: "CA", ...(pageSize ? { pageSize } : {}) });
  return { host, api, client };
}

async function settled<T>(host: ReturnType<typeof createVirtualHost>, promise: Promise<T>): Promise<T> {
  await host.timers.advance(10);
  return promise;
}

test("a page of web posts becomes ArtworkPosts the pipeline can fetch, with the cursor", async () => {
  const { host, api, client } = setup(() => ({
    status: 200,
    json: { items: [webPost(1), webPost(2, { art_url: "https://vault.test/x/2.png", frame_count: 1, uses_transparency: false }), webPost(3, { art_url: "relative/3.png" })], next_cursor: "c/2+" },
  }));
  const page = await settled(host, client.fetchPage());
  assert.equal(api.calls[0]!.path, "/api/feed/promoted?limit=20");
  assert.deepEqual(page.posts[0], {
    kind: "artwork",
    postId: 1,
    storageKey: "00000000-0000-4000-8000-000000000001",
    storageShard: "",
    artUrl: "https://api.test:8443/api/vault/a1/b2/1.gif",
    width: 64,
    height: 64,
    frameCount: 4,
    dwellTimeMs: 30000,
    transparencyActual: true,
    alphaActual: false,
  });
  assert.equal((page.posts[1] as { artUrl?: string }).artUrl, "https://vault.test/x/2.png");
  assert.equal((page.posts[2] as { artUrl?: string }).artUrl, undefined, "an art URL that is neither absolute nor site-relative is dropped");
  assert.equal(page.hasMore, true);
  assert.equal(page.nextCursor, "c/2+");
  const next = client.queryPosts({ cursor: "c/2+", limit: 5 });
  await settled(host, next);
  assert.equal(api.calls[1]!.path, "/api/feed/promoted?limit=5&cursor=c%2F2%2B");
});

test("playlists, records without id or storage_key, non-objects and posts beyond the page size are skipped", async () => {
  const { host, client } = setup(() => ({
    status: 200,
    json: { items: [webPost(1, { kind: "playlist" }), { storage_key: "k" }, webPost(2, { storage_key: null }), 7, null, [1], webPost(3), webPost(4, { width: "wide" }), webPost(5), webPost(6)], next_cursor: null },
  }), 2);
  const page = await settled(host, client.fetchPage());
  assert.deepEqual(page.posts.map((p) => p.postId), [3, 5]);
  assert.equal(page.hasMore, false);
  assert.equal(page.nextCursor, undefined);
});

test("a 401 or 404 is a status error; a page that is not a page is malformed; no answer is network", async () => {
  const { host, api, client } = setup((path) => (path.includes("limit=20") ? { status: 401, json: { detail: "Not authenticated" } } : { status: 200, raw: '{"items": {}}' }));
  await assert.rejects(settled(host, client.fetchPage()), (error: unknown) => error instanceof PromotedFeedError && error.kind === "status" && error.status === 401);
  await assert.rejects(settled(host, client.fetchPage(undefined, 3)), (error: unknown) => error instanceof PromotedFeedError && error.kind === "malformed");
  api.offline = true;
  await assert.rejects(
    (async () => {
      const pending = client.fetchPage();
      await host.timers.advance(200_000);
      return pending;
    })(),
    (error: unknown) => error instanceof PromotedFeedError && error.kind === "network",
  );
});

test("the page reader refuses what a page cannot be, whatever the slicing", () => {
  const read = (text: string, slice = 3) => {
    const reader = new FeedPageReader(10, "https://o.test");
    const bytes = utf8Encode(text);
    for (let i = 0; i < bytes.length; i += slice) reader.push(bytes.subarray(i, i + slice));
    return reader.finish();
  };
  assert.deepEqual(read(JSON.stringify({ next_cursor: "9", items: [webPost(9)] }), 1).posts.map((p) => p.postId), [9]);
  for (const bad of ["[]", "null", "{}", '{"items": 3}', '{"items": [], "items": []}', '{"items": [], "next_cursor": {}}', '{"items": [', '{"items": []} x']) {
    assert.throws(() => read(bad), (error: unknown) => error instanceof JsonError, bad);
  }
});
