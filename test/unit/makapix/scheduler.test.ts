// The scheduler on a virtual clock, with a catalogue answering query_posts and a stage the test drives
// (shown / loop completed / failed), as the artwork pipeline will.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { ArtworkPost, ArtworkStage, StageListener } from "../../../src/art/artwork.js";
import { Scheduler } from "../../../src/makapix/scheduler.js";
import type { Post, PostPage } from "../../../src/makapix/posts.js";
import type { RequestValue } from "../../../src/makapix/requests.js";
import { createVirtualHost, settle } from "../../support/virtual-host.js";

function artwork(postId: number, extra: Partial<ArtworkPost> = {}): ArtworkPost {
  return { kind: "artwork", postId, storageKey: `key-${postId}`, storageShard: "s1", ...extra };
}

/** query_posts over a list of posts per channel, with numeric cursors. */
function catalogue(channels: { [name: string]: Post[] }, options: { fail?: () => boolean } = {}) {
  const queries: { [key: string]: RequestValue }[] = [];
  const query = async (fields: { [key: string]: RequestValue }): Promise<PostPage> => {
    queries.push(fields);
    if (options.fail?.()) throw new Error("timeout: no reply");
    const name = String(fields["channel"]) + (fields["user_sqid"] ? `:${String(fields["user_sqid"])}` : "");
    const posts = channels[name] ?? [];
    const start = fields["cursor"] === undefined ? 0 : Number(fields["cursor"]);
    const limit = Number(fields["limit"]);
    const page = posts.slice(start, start + limit);
    const hasMore = start + limit < posts.length;
    return hasMore ? { posts: page, hasMore, nextCursor: String(start + limit) } : { posts: page, hasMore };
  };
  return { query, queries };
}

/** A stage that records what it was asked to show; the test answers for it. */
class RecordingStage implements ArtworkStage {
  shows: { postId: number; listener: StageListener }[] = [];
  paused = false;
  autoShow = true;
  animated = false;
  show(artwork: ArtworkPost, listener: StageListener): void {
    this.shows.push({ postId: artwork.postId, listener });
    if (this.autoShow) listener.shown({ animated: this.animated });
  }
  setPaused(paused: boolean): void {
    this.paused = paused;
  }
  get shown(): number[] {
    return this.shows.map((s) => s.postId);
  }
  get last(): StageListener {
    return this.shows[this.shows.length - 1]!.listener;
  }
}

function setup(channels: { [name: string]: Post[] }, options: ConstructorParameters<typeof Scheduler>[3] = {}, fail?: () => boolean) {
  const host = createVirtualHost(5);
  const stage = new RecordingStage();
  const { query, queries } = catalogue(channels, fail ? { fail } : {});
  const scheduler = new Scheduler(host, stage, query, { randomSeed: 4242, ...options });
  const views: number[] = [];
  const idle: string[] = [];
  const shownEvents: string[] = [];
  scheduler.observe({
    viewEarned: (postId) => views.push(postId),
    idle: (reason) => idle.push(reason),
    artworkShown: (art, context) => shownEvents.push(`${art.postId} ${context.intent} ${context.channel}`),
  });
  return { host, stage, scheduler, queries, views, idle, shownEvents };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => artwork(from + i));

test("plays a channel in order, one artwork per dwell time, asking only for art it can show", async () => {
  const { host, stage, scheduler, queries } = setup({ promoted: range(1, 5) }, { pageSize: 10 });
  scheduler.playChannel({ name: "promoted" });
  await settle();
  assert.deepEqual(stage.shown, [1]);
  const first = queries[0]!;
  assert.equal(first["channel"], "promoted");
  assert.equal(first["limit"], 10);
  assert.deepEqual(first["criteria"], [
    { field: "kind", op: "eq", value: "artwork" },
    { field: "width", op: "lte", value: 256 },
    { field: "height", op: "lte", value: 256 },
  ]);
  assert.ok((first["include_fields"] as string[]).includes("dwell_time_ms"));
  await host.timers.advance(29_999);
  assert.deepEqual(stage.shown, [1]);
  await host.timers.advance(1);
  assert.deepEqual(stage.shown, [1, 2]);
  await host.timers.advance(90_000);
  assert.deepEqual(stage.shown, [1, 2, 3, 4, 5]);
});

test("each artwork's dwell_time_ms is honoured, and playlists are skipped", async () => {
  const posts: Post[] = [artwork(1, { dwellTimeMs: 5_000 }), { kind: "playlist", postId: 2, totalArtworks: 9 }, artwork(3)];
  const { host, stage, scheduler } = setup({ all: posts });
  scheduler.playChannel({ name: "all" });
  await settle();
  await host.timers.advance(5_000);
  assert.deepEqual(stage.shown, [1, 3]);
});

test("the next page is fetched before the current one runs out, passing the cursor back", async () => {
  const { host, stage, scheduler, queries } = setup({ all: range(1, 30) }, { pageSize: 10, prefetchAt: 3 });
  scheduler.playChannel({ name: "all" });
  await settle();
  assert.equal(queries.length, 1);
  for (let i = 0; i < 6; i++) await host.timers.advance(30_000);
  assert.deepEqual(stage.shown, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(queries.length, 2, "prefetched while 3 artworks were still buffered");
  assert.equal(queries[1]!["cursor"], "10");
  for (let i = 0; i < 4; i++) await host.timers.advance(30_000);
  assert.deepEqual(stage.shown.slice(-4), [8, 9, 10, 11], "no gap at the page boundary");
});

test("an exhausted channel starts again from the top; an empty one goes idle and retries later", async () => {
  const small = setup({ all: range(1, 2) });
  small.scheduler.playChannel({ name: "all" });
  await settle();
  await small.host.timers.advance(60_000);
  assert.deepEqual(small.stage.shown, [1, 2, 1]);
  assert.equal(small.queries[small.queries.length - 1]!["cursor"], undefined);

  const empty = setup({});
  empty.scheduler.playChannel({ name: "hashtag", hashtag: "nothing" });
  await settle();
  assert.equal(empty.stage.shown.length, 0);
  assert.match(empty.idle[0]!, /no artwork this player can show/);
  const asked = empty.queries.length;
  await empty.host.timers.advance(5_000);
  assert.ok(empty.queries.length > asked, "asks again after the back-off");
});

test("random order sends the same seed with every page of the session", async () => {
  const { host, scheduler, queries } = setup({ all: range(1, 30) }, { pageSize: 5, prefetchAt: 2 });
  scheduler.playChannel({ name: "all", sort: "random" });
  await settle();
  await host.timers.advance(30_000 * 8);
  assert.ok(queries.length >= 3);
  assert.ok(queries.every((q) => q["sort"] === "random" && q["random_seed"] === 4242));
});

test("a view is earned after 5 s on screen, never for a failed load or an artwork skipped sooner", async () => {
  const { host, stage, scheduler, views } = setup({ all: range(1, 5) });
  stage.autoShow = false;
  scheduler.playChannel({ name: "all" });
  await settle();
  stage.last.failed("http 404");
  await settle();
  assert.deepEqual(stage.shown, [1, 2], "the failed artwork is skipped at once");
  stage.last.shown({ animated: false });
  await host.timers.advance(3_000);
  scheduler.step(1);
  await settle();
  stage.last.shown({ animated: false });
  await host.timers.advance(5_000);
  assert.deepEqual(views, [3]);
});

test("three failures in a row back off instead of spinning; a success resets the count", async () => {
  const { host, stage, scheduler, idle } = setup({ all: range(1, 20) });
  stage.autoShow = false;
  scheduler.playChannel({ name: "all" });
  await settle();
  for (let i = 0; i < 3; i++) {
    stage.last.failed("corrupt image");
    await settle();
  }
  assert.deepEqual(stage.shown, [1, 2, 3]);
  assert.match(idle[0]!, /3 artworks in a row failed/);
  await host.timers.advance(4_999);
  assert.equal(stage.shows.length, 3);
  await host.timers.advance(1);
  assert.equal(stage.shows.length, 4);
  stage.last.shown({ animated: false });
  stage.autoShow = true;
  await host.timers.advance(30_000);
  assert.equal(stage.shows.length, 5);
});

test("an animation plays at least one full loop even when the dwell time is shorter", async () => {
  const { host, stage, scheduler } = setup({ all: [artwork(1, { dwellTimeMs: 2_000 }), artwork(2)] });
  stage.animated = true;
  scheduler.playChannel({ name: "all" });
  await settle();
  await host.timers.advance(10_000);
  assert.deepEqual(stage.shown, [1], "dwell passed but no loop completed yet");
  stage.last.loopCompleted();
  await settle();
  assert.deepEqual(stage.shown, [1, 2]);
});

test("an artwork shown as a still that turns out animated (its second frame decoded later) still plays one full loop", async () => {
  const { host, stage, scheduler } = setup({ all: [artwork(1, { dwellTimeMs: 2_000 }), artwork(2)] });
  scheduler.playChannel({ name: "all" });
  await settle();
  await host.timers.advance(500);
  stage.last.animationFound?.();
  await host.timers.advance(10_000);
  assert.deepEqual(stage.shown, [1], "dwell passed but no loop completed yet");
  stage.last.loopCompleted();
  await settle();
  assert.deepEqual(stage.shown, [1, 2]);
});

test("pause freezes the dwell time and resume continues with what was left", async () => {
  const { host, stage, scheduler } = setup({ all: range(1, 3) });
  scheduler.playChannel({ name: "all" });
  await settle();
  await host.timers.advance(10_000);
  scheduler.setPaused(true);
  assert.equal(stage.paused, true);
  await host.timers.advance(600_000);
  assert.deepEqual(stage.shown, [1]);
  scheduler.setPaused(false);
  await host.timers.advance(19_999);
  assert.deepEqual(stage.shown, [1]);
  await host.timers.advance(1);
  assert.deepEqual(stage.shown, [1, 2]);
});

test("swap_back walks the history, swap_next returns through it, and a multi-step move skips without showing", async () => {
  const { host, stage, scheduler } = setup({ all: range(1, 20) });
  scheduler.playChannel({ name: "all" });
  await settle();
  await host.timers.advance(60_000);
  assert.deepEqual(stage.shown, [1, 2, 3]);
  scheduler.step(-2);
  assert.deepEqual(stage.shown, [1, 2, 3, 1]);
  scheduler.step(1);
  assert.deepEqual(stage.shown, [1, 2, 3, 1, 2]);
  scheduler.step(4); // 3 is in the history, then two new ones are skipped, the third is shown
  await settle();
  assert.deepEqual(stage.shown, [1, 2, 3, 1, 2, 6]);
  scheduler.step(-1);
  assert.deepEqual(stage.shown.slice(-1), [3], "skipped artworks are not in the history");
});

test("show_artwork shows it at once with intent artwork, then the channel carries on", async () => {
  const { host, stage, scheduler, shownEvents } = setup({ promoted: range(1, 5) });
  scheduler.playChannel({ name: "promoted" });
  await settle();
  scheduler.showArtwork({ postId: 99, storageKey: "k", storageShard: "", nativeFormat: "gif" });
  assert.deepEqual(stage.shown, [1, 99]);
  await host.timers.advance(30_000);
  assert.deepEqual(stage.shown, [1, 99, 2]);
  assert.deepEqual(shownEvents, ["1 channel promoted", "99 artwork artwork", "2 channel promoted"]);
});

test("a channel chosen while another's page is loading wins; the late page is not shown", async () => {
  const host = createVirtualHost(1);
  const stage = new RecordingStage();
  let releaseSlow: (() => void) | undefined;
  const query = (fields: { [key: string]: RequestValue }): Promise<PostPage> => {
    if (fields["channel"] === "all") return new Promise((resolve) => (releaseSlow = () => resolve({ posts: [artwork(1)], hasMore: false })));
    return Promise.resolve({ posts: [artwork(50)], hasMore: false });
  };
  const scheduler = new Scheduler(host, stage, query, { randomSeed: 1 });
  scheduler.playChannel({ name: "all" });
  await settle();
  scheduler.playChannel({ name: "promoted" });
  await settle();
  releaseSlow!();
  await settle();
  assert.deepEqual(stage.shown, [50]);
});

test("playsets: equal exposure alternates channels, manual weights set the share, deterministically", async () => {
  const channels = { "by_user:a": range(100, 140), "by_user:b": range(200, 240) };
  const equal = setup(channels);
  equal.scheduler.playPlayset({
    name: "followed_artists",
    exposureMode: "equal",
    pickMode: "recency",
    channels: [
      { type: "user", name: "a", identifier: "a", displayName: "A", weight: 5 },
      { type: "user", name: "b", identifier: "b", displayName: "B", weight: 1 },
    ],
  });
  await settle();
  await equal.host.timers.advance(30_000 * 5);
  assert.deepEqual(equal.stage.shown, [100, 200, 101, 201, 102, 202]);
  assert.ok(equal.queries.every((q) => q["sort"] === "created_at"));

  const manual = setup(channels);
  manual.scheduler.playPlayset({
    name: "mix",
    exposureMode: "manual",
    pickMode: "random",
    channels: [
      { type: "user", name: "a", identifier: "a", displayName: "A", weight: 3 },
      { type: "user", name: "b", identifier: "b", displayName: "B", weight: 1 },
      { type: "sdcard", name: "local", displayName: "SD" },
    ],
  });
  await settle();
  await manual.host.timers.advance(30_000 * 7);
  const fromA = manual.stage.shown.filter((id) => id < 200).length;
  assert.equal(manual.stage.shown.length, 8);
  assert.equal(fromA, 6, `3:1 share: ${manual.stage.shown.join(",")}`);
  assert.ok(manual.queries.every((q) => q["sort"] === "random" && q["random_seed"] === 4242));
});

test("a listing error is reported as idle and retried with back-off", async () => {
  let failing = true;
  const { host, stage, scheduler, idle } = setup({ all: range(1, 3) }, {}, () => failing);
  scheduler.playChannel({ name: "all" });
  await settle();
  assert.match(idle[0]!, /cannot list all: timeout/);
  failing = false;
  await host.timers.advance(5_000);
  assert.deepEqual(stage.shown, [1]);
});

test("the owner's seconds-per-artwork setting replaces each post's dwell_time_ms", async () => {
  const { host, stage, scheduler } = setup({ all: [artwork(1, { dwellTimeMs: 30_000 }), artwork(2, { dwellTimeMs: 30_000 })] }, { dwellOverrideMs: 4_000 });
  scheduler.playChannel({ name: "all" });
  await settle();
  await host.timers.advance(4_000);
  assert.deepEqual(stage.shown, [1, 2]);
});

test("an animation that never reports a loop (the panel showed a status) still moves on after a bound", async () => {
  const { host, stage, scheduler } = setup({ all: range(1, 3) }, { dwellOverrideMs: 10_000, loopWaitLimitMs: 60_000 });
  stage.animated = true;
  scheduler.playChannel({ name: "all" });
  await settle();
  await host.timers.advance(69_999);
  assert.deepEqual(stage.shown, [1]);
  await host.timers.advance(1);
  assert.deepEqual(stage.shown, [1, 2]);
});

test("a playset of many channels asks for small pages only when a channel's turn comes", async () => {
  const channels: { [name: string]: Post[] } = {};
  const entries = [];
  for (let c = 0; c < 64; c++) {
    channels[`by_user:u${c}`] = range(1000 * (c + 1), 1000 * (c + 1) + 9);
    entries.push({ type: "user" as const, name: `u${c}`, identifier: `u${c}`, displayName: `U${c}` });
  }
  const { host, stage, scheduler, queries } = setup(channels);
  scheduler.playPlayset({ name: "followed_artists", exposureMode: "equal", pickMode: "recency", channels: entries });
  await settle();
  for (let i = 0; i < 9; i++) await host.timers.advance(30_000);
  assert.equal(stage.shown.length, 10);
  assert.ok(queries.every((q) => q["limit"] === 1), "pages of one post: 64 channels share the two-page budget");
  assert.equal(queries.length, 10, "no channel is fetched ahead of its turn");
});
