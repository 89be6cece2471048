// The reply extractor on replies shaped like the service's (protocol sheet §3): records out as their
// objects close, the summary at the end, the same result for any slicing, and bad records rejected
// whole while the reply goes on — or the whole reply refused when its own shape is wrong.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { JsonError } from "../../../src/json/errors.js";
import type { Post } from "../../../src/makapix/posts.js";
import type { ChannelRecord, CommentRecord } from "../../../src/makapix/records.js";
import { ReplyExtractor, type ReplyExtractorOptions, type ReplySummary } from "../../../src/makapix/reply-extractor.js";
import { encodeText, feed, type Slicing } from "../../support/json-events.js";
import { expectedRecord, makePosts, queryPostsReply, serviceJson } from "../../support/makapix-replies.js";

interface Outcome {
  posts: Post[];
  comments: CommentRecord[];
  channels: ChannelRecord[];
  rejected: { code: string; path: string }[];
  summary?: ReplySummary;
  error?: { code: string; path: string; offset: number };
}

function extract(input: string | Uint8Array, slicing: Slicing = "whole", options: ReplyExtractorOptions = {}): Outcome {
  const outcome: Outcome = { posts: [], comments: [], channels: [], rejected: [] };
  const extractor = new ReplyExtractor(
    {
      post: (post) => outcome.posts.push(post),
      comment: (comment) => outcome.comments.push(comment),
      channel: (channel) => outcome.channels.push(channel),
      rejected: (error) => outcome.rejected.push({ code: error.code, path: error.path }),
    },
    options,
  );
  const bytes = typeof input === "string" ? encodeText(input) : input;
  try {
    feed((chunk) => extractor.push(chunk), bytes, slicing);
    outcome.summary = extractor.finish();
  } catch (error) {
    const e = error as JsonError;
    if (e.name !== "JsonError") throw error;
    outcome.error = { code: e.code, path: e.path, offset: e.offset };
  }
  return outcome;
}

function reply(fields: Record<string, unknown>): string {
  return serviceJson({ request_id: "r1", success: true, ...fields } as Parameters<typeof serviceJson>[0]);
}

const ARTWORK = { post_id: 7, kind: "artwork", storage_key: "k7", created_at: "2026-01-02T03:04:05+00:00" };

describe("query_posts", () => {
  const posts = makePosts(50, 1234, { extraWords: 3 });
  const text = serviceJson(queryPostsReply(posts));

  test("a full page of 50 posts with every include field: every record, in order, and the summary", () => {
    assert.ok(text.length > 25000, `fixture is ${text.length} bytes`);
    assert.ok(text.includes(", ") && text.includes(": ") && text.includes("\\u"), "service style");
    const outcome = extract(text);
    assert.equal(outcome.error, undefined);
    assert.deepEqual(outcome.posts, posts.map(expectedRecord));
    assert.ok(outcome.posts.some((post) => post.kind === "playlist") && outcome.posts.some((post) => post.kind === "artwork"));
    assert.deepEqual(outcome.summary, {
      requestId: "5f0c6d2e-8a1b-4c3d-9e4f-a0b1c2d3e4f5",
      success: true,
      nextCursor: "eyJvZmZzZXQiOiA1MH0=",
      hasMore: true,
      posts: 50,
      comments: 0,
      channels: 0,
      rejected: 0,
    });
  });

  test("one byte at a time and in odd chunks gives the identical result", () => {
    const whole = extract(text);
    assert.deepEqual(extract(text, "bytes"), whole);
    const cuts: number[] = [];
    for (let at = 1; at < text.length; at += 97) cuts.push(at);
    assert.deepEqual(extract(text, cuts), whole);
  });

  test("a small reply split at every byte gives the identical result", () => {
    const small = serviceJson(queryPostsReply(makePosts(2, 5, { extraWords: 1 })));
    const whole = extract(small);
    assert.equal(whole.posts.length, 2);
    for (let cut = 0; cut <= small.length; cut++) assert.deepEqual(extract(small, [cut]), whole, `cut at ${cut}`);
  });

  test("each record is delivered as soon as its object closes", () => {
    const delivered: number[] = [];
    const extractor = new ReplyExtractor({ post: (post) => delivered.push(post.postId) });
    const bytes = encodeText(reply({ posts: [ARTWORK, { ...ARTWORK, post_id: 8 }], has_more: false }));
    const firstClose = encodeText(reply({ posts: [ARTWORK] })).indexOf(0x7d); // the first '}' closes post 7
    extractor.push(bytes.subarray(0, firstClose));
    assert.deepEqual(delivered, []);
    extractor.push(bytes.subarray(firstClose, firstClose + 1));
    assert.deepEqual(delivered, [7]);
    extractor.push(bytes.subarray(firstClose + 1));
    assert.equal(extractor.finish().posts, 2);
    assert.equal(extractor.finish(), extractor.finish(), "finish() again returns the same summary");
    assert.deepEqual(delivered, [7, 8]);
  });

  test("unknown fields, however large or nested, are skipped; the known ones around them are read", () => {
    const huge = "\u00e9".repeat(30000);
    const post = { title: huge, nested: { a: [1, { storage_key: "not this one" }, [[]]], b: { c: {} } }, ...ARTWORK, extra: [huge], width: 64 };
    const outcome = extract(reply({ posts: [post], unknown_top: { posts: [ARTWORK] }, more: [[{ post_id: "x" }]] }));
    assert.equal(outcome.error, undefined);
    assert.deepEqual(outcome.posts, [{ postId: 7, kind: "artwork", storageKey: "k7", width: 64 }]);
  });

  test("null fields are absent; null elements are ignored", () => {
    const outcome = extract(reply({ posts: [null, { ...ARTWORK, width: null, owner_handle: null }], next_cursor: null, error: null }));
    assert.deepEqual(outcome.posts, [{ postId: 7, kind: "artwork", storageKey: "k7" }]);
    assert.deepEqual(outcome.rejected, []);
    assert.equal(outcome.summary?.nextCursor, undefined);
    assert.equal("error" in outcome.summary!, false);
  });

  test("a bad record is rejected whole, with its path; the rest of the reply is delivered", () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...ARTWORK, width: "64" }, "type", "posts[1].width"],
      [{ ...ARTWORK, width: 64.5 }, "type", "posts[1].width"],
      [{ ...ARTWORK, width: 0 }, "type", "posts[1].width"],
      [{ ...ARTWORK, post_id: -3 }, "type", "posts[1].post_id"],
      [{ ...ARTWORK, post_id: "7" }, "type", "posts[1].post_id"],
      [{ ...ARTWORK, kind: "video" }, "type", "posts[1].kind"],
      [{ ...ARTWORK, alpha_actual: 1 }, "type", "posts[1].alpha_actual"],
      [{ ...ARTWORK, storage_key: { a: 1 } }, "type", "posts[1].storage_key"],
      [{ ...ARTWORK, art_url: ["x"] }, "type", "posts[1].art_url"],
      [{ kind: "artwork", storage_key: "k" }, "missing", "posts[1].post_id"],
      [{ post_id: 9, kind: "artwork" }, "missing", "posts[1]"],
      [{ ...ARTWORK, storage_key: "k".repeat(129) }, "too_long", "posts[1].storage_key"],
      [{ ...ARTWORK, art_url: "u".repeat(513) }, "too_long", "posts[1].art_url"],
    ];
    for (const [bad, code, path] of cases) {
      const outcome = extract(reply({ posts: [ARTWORK, bad, { ...ARTWORK, post_id: 8 }] }), "bytes");
      assert.equal(outcome.error, undefined, path);
      assert.deepEqual(outcome.rejected, [{ code, path }], JSON.stringify(bad).slice(0, 80));
      assert.deepEqual(outcome.posts.map((post) => post.postId), [7, 8]);
      assert.equal(outcome.summary?.rejected, 1);
      assert.equal(outcome.summary?.posts, 2);
    }
  });

  test("elements that are not objects are rejected", () => {
    const outcome = extract(reply({ posts: [5, ARTWORK, "x", [ARTWORK], true] }));
    assert.deepEqual(outcome.rejected, [
      { code: "type", path: "posts[0]" },
      { code: "type", path: "posts[2]" },
      { code: "type", path: "posts[3]" },
      { code: "type", path: "posts[4]" },
    ]);
    assert.equal(outcome.posts.length, 1);
  });

  test("a post keeps only what the player uses: timestamps are skipped, an unknown native_format is left out, not rejected", () => {
    const full = { ...ARTWORK, listed_at: "2026-01-02T03:04:05+00:00", promoted_at: "x", metadata_modified_at: "x", artwork_modified_at: "x", native_format: "gif", width: 8 };
    const outcome = extract(reply({ posts: [full, { ...ARTWORK, post_id: 8, native_format: "avif" }] }));
    assert.deepEqual(outcome.rejected, []);
    assert.deepEqual(outcome.posts, [
      { postId: 7, kind: "artwork", storageKey: "k7", nativeFormat: "gif", width: 8 },
      { postId: 8, kind: "artwork", storageKey: "k7" },
    ]);
  });

  test("display text is truncated, identifiers are not", () => {
    const outcome = extract(reply({ posts: [{ ...ARTWORK, owner_handle: "h".repeat(100) }] }));
    const post = outcome.posts[0];
    assert.equal(post?.kind === "artwork" ? post.ownerHandle : undefined, "h".repeat(64));
  });

  test("duplicate keys: a known one rejects its record (not last-wins); unknown ones are ignored", () => {
    const text = '{"request_id": "r", "success": true, "posts": [{"post_id": 1, "kind": "artwork", "storage_key": "a", "storage_key": "b"}, ' +
      '{"post_id": 2, "kind": "artwork", "storage_key": "c", "x": 1, "x": 2}]}';
    const outcome = extract(text);
    assert.deepEqual(outcome.rejected, [{ code: "duplicate", path: "posts[0].storage_key" }]);
    assert.deepEqual(outcome.posts, [{ postId: 2, kind: "artwork", storageKey: "c" }]);
    assert.deepEqual(extract('{"success": true, "success": true}').error, { code: "duplicate", path: "success", offset: 26 });
    assert.equal(extract('{"success": true, "posts": [], "posts": []}').error?.code, "duplicate");
  });
});

describe("other replies", () => {
  test("get_post delivers its post", () => {
    const outcome = extract(reply({ post: { ...ARTWORK, kind: "playlist", total_artworks: 12, dwell_time_ms: 30000, owner_handle: "ann" } }));
    assert.deepEqual(outcome.posts, [
      { postId: 7, kind: "playlist", storageKey: "k7", totalArtworks: 12, dwellTimeMs: 30000, ownerHandle: "ann" },
    ]);
    assert.equal(outcome.summary?.posts, 1);
    assert.deepEqual(extract(reply({ post: { ...ARTWORK, height: -1 } })).rejected, [{ code: "type", path: "post.height" }]);
  });

  test("get_comments: anonymous authors, top-level comments, long bodies truncated to the chosen length", () => {
    const comment = {
      comment_id: "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b",
      post_id: 7,
      author_handle: null,
      body: "\u00e9".repeat(2000),
      depth: 0,
      parent_id: null,
      created_at: "2026-01-02T03:04:05.123456+00:00",
      deleted: false,
    };
    const reply2 = { ...comment, comment_id: "c2", author_handle: "bo", body: "hi \u{1f44b}", depth: 1, parent_id: comment.comment_id };
    const outcome = extract(reply({ comments: [comment, reply2], next_cursor: null, has_more: false }), [100, 4000], { commentBodyUnits: 300 });
    assert.deepEqual(outcome.comments, [
      { commentId: comment.comment_id, postId: 7, body: "\u00e9".repeat(300), depth: 0, createdAt: comment.created_at, deleted: false },
      { commentId: "c2", postId: 7, authorHandle: "bo", body: "hi \u{1f44b}", depth: 1, parentId: comment.comment_id, createdAt: comment.created_at, deleted: false },
    ]);
    assert.equal(outcome.summary?.comments, 2);
    assert.equal(outcome.summary?.hasMore, false);
  });

  test("get_playset: channels and the playset's modes", () => {
    const channels = [
      { type: "user", name: "by_user", identifier: "uSqId", display_name: "Ann \u00e9", weight: 2 },
      { type: "named", name: "promoted", display_name: "Promoted" },
      { type: "hashtag", identifier: "cats", display_name: "#cats", weight: 0.5 },
      { name: "no type" },
    ];
    const outcome = extract(reply({ playset_name: "followed_artists", channels, exposure_mode: "equal", pick_mode: "recency" }), "bytes");
    assert.deepEqual(outcome.channels, [
      { type: "user", name: "by_user", identifier: "uSqId", displayName: "Ann \u00e9", weight: 2 },
      { type: "named", name: "promoted", displayName: "Promoted" },
      { type: "hashtag", identifier: "cats", displayName: "#cats", weight: 0.5 },
    ]);
    assert.deepEqual(outcome.rejected, [{ code: "missing", path: "channels[3].type" }]);
    assert.equal(outcome.summary?.playsetName, "followed_artists");
    assert.equal(outcome.summary?.exposureMode, "equal");
    assert.equal(outcome.summary?.pickMode, "recency");
  });

  test("failures, reactions and echo", () => {
    const failure = extract('{"request_id": "r9", "success": false, "error": "Rate limit exceeded", "error_code": "rate_limit_exceeded"}');
    assert.deepEqual(failure.summary, {
      requestId: "r9", success: false, error: "Rate limit exceeded", errorCode: "rate_limit_exceeded", posts: 0, comments: 0, channels: 0, rejected: 0,
    });
    const reaction = extract('{"request_id": "r2", "success": true, "error": null}');
    assert.deepEqual(reaction.summary, { requestId: "r2", success: true, posts: 0, comments: 0, channels: 0, rejected: 0 });
    const echo = extract(reply({ echo_data: "ping \u00e9", received_at: "2026-01-02T03:04:05Z" }));
    assert.equal(echo.summary?.echoData, "ping \u00e9");
    assert.equal(extract(reply({ error: "e".repeat(1000) })).summary?.error, "e".repeat(256));
  });
});

describe("replies refused whole", () => {
  test("a wrong shape at the top level", () => {
    const cases: [string, string, string][] = [
      ["[]", "type", ""],
      ['"ok"', "type", ""],
      ["null", "type", ""],
      ['{"request_id": "r"}', "missing", "success"],
      ['{"success": "yes"}', "type", "success"],
      ['{"success": true, "has_more": 1}', "type", "has_more"],
      ['{"success": true, "request_id": 5}', "type", "request_id"],
      ['{"success": true, "request_id": {}}', "type", "request_id"],
      ['{"success": true, "posts": {}}', "type", "posts"],
      ['{"success": true, "posts": 3}', "type", "posts"],
      ['{"success": true, "post": []}', "type", "post"],
      ['{"success": true, "comments": "x"}', "type", "comments"],
      [`{"success": true, "next_cursor": "${"c".repeat(513)}"}`, "too_long", "next_cursor"],
    ];
    for (const [text, code, path] of cases) {
      const outcome = extract(text);
      assert.equal(outcome.error?.code, code, text.slice(0, 60));
      assert.equal(outcome.error?.path, path, text.slice(0, 60));
      assert.equal(outcome.summary, undefined);
    }
  });

  test("syntax errors, truncation, deep nesting and invalid UTF-8 anywhere", () => {
    const good = encodeText(reply({ posts: [ARTWORK, ARTWORK] }));
    for (let length = 0; length < good.length; length += 7) assert.equal(extract(good.subarray(0, length)).error?.code, "truncated");
    assert.equal(extract(reply({ posts: [ARTWORK] }).replace('"kind"', '"kind" "')).error?.code, "syntax");
    assert.equal(extract(reply({ posts: [ARTWORK] }) + " {}").error?.code, "syntax");
    assert.equal(extract('{"success": true, "x": ' + "[".repeat(40) + "]".repeat(40) + "}").error?.code, "depth");
    const invalid = good.slice();
    invalid[good.indexOf(0x6b) + 1] = 0xff; // inside the "kind" key
    assert.equal(extract(invalid).error?.code, "utf8");
  });

  test("after a failure, reset() makes the extractor reusable", () => {
    const posts: number[] = [];
    const extractor = new ReplyExtractor({ post: (post) => posts.push(post.postId) });
    assert.throws(() => extractor.push(encodeText('{"success": tru }')), { code: "syntax" });
    assert.throws(() => extractor.finish(), { code: "syntax" });
    extractor.reset();
    extractor.push(encodeText(reply({ posts: [ARTWORK] })));
    assert.equal(extractor.finish().posts, 1);
    extractor.reset();
    extractor.push(encodeText(reply({ post: ARTWORK })));
    assert.equal(extractor.finish().posts, 1);
    assert.deepEqual(posts, [7, 7]);
  });
});
