// The whole player against real parts: Mosquitto configured like the service (mTLS, ACL), the demo
// Makapix service with its vault over HTTPS, and the virtual device (the firmware core on the Node host
// with the panel emulator). Connect → online → query posts → art on the panel → next-page prefetch →
// paced views → every command → broker restart → graceful stop.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { NodeLog } from "../../hosts/node/host.js";
import { createVirtualDevice, type VirtualDevice } from "../../hosts/node/virtual-device.js";
import { FIRMWARE_VERSION } from "../../src/device/firmware.js";
import { startBroker, type TestBroker } from "../../tools/local-broker.js";
import type { DemoService } from "../../tools/demo-service/service.js";
import { startServiceOn } from "../../tools/demo-stack.js";
import { waitFor } from "../support/wait.js";
import type { ArtworkPost } from "../../tools/demo-service/catalogue-data.js";

let broker: TestBroker;
let service: DemoService;
let device: VirtualDevice;
const key = randomUUID();
const logLines: string[] = [];

/** waitFor that shows the device's last log lines when it times out. */
const until = (what: string, predicate: () => boolean, timeoutMs = 15_000) => waitFor(what, predicate, timeoutMs, () => logLines.slice(-15).join("\n"));
const queries = () => service.requestLog().filter((entry) => entry.playerKey === key && entry.requestType === "query_posts");
const currentPost = () => device.player.scheduler.current?.postId;
const lastFrame = () => Buffer.from(device.panel.lastFrame).toString("base64");

before(async () => {
  broker = await startBroker();
  service = await startServiceOn(broker, {
    controlPort: false,
    limits: { requestsPerWindow: 1000 },
  });
  const credentials = broker.issuePlayer(key);
  device = createVirtualDevice({
    playerKey: key,
    broker: { host: "localhost", port: broker.playerPort },
    tls: credentials,
    vault: { url: service.vaultUrls.https, ca: broker.caPem },
    panelSize: "64x64",
    initialChannel: { name: "all" },
    // Short dwell and small pages so the test sees several artworks and a second page quickly.
    scheduler: { dwellOverrideMs: 1_200, minimumViewMs: 300, pageSize: 4, prefetchAt: 2 },
    mqtt: { backoff: { initialMs: 200, maximumMs: 1_000 } },
    log: new NodeLog("debug", (line) => logLines.push(line)),
  });
  device.start();
});

after(async () => {
  await device?.stop();
  await service?.stop();
  await broker?.stop();
});

test("after connecting the player is online, asks for art it can show and puts it on the panel", async () => {
  await until("online status", () => service.statusOf(key)?.status === "online");
  assert.equal(service.statusOf(key)!.firmwareVersion, FIRMWARE_VERSION);
  await until("an artwork on the panel", () => device.panel.stats.framesPushed > 1 && currentPost() !== undefined);
  await until("current_post_id reported", () => service.statusOf(key)?.currentPostId === currentPost());
  const record = service.player(key)!;
  assert.ok(record, "the service knows the player");
  assert.ok(queries().length >= 1);
  assert.ok(queries().every((q) => q.errorCode === null), "every query was valid for the service");
});

test("the next page is fetched before the first runs out, and views arrive at least 5 s apart", async () => {
  await until("a second page", () => queries().length >= 2, 20_000);
  await until("two views", () => service.views(key).length >= 2, 20_000);
  const views = service.views(key);
  for (let i = 1; i < views.length; i++) {
    const gap = Date.parse(views[i]!.receivedAt) - Date.parse(views[i - 1]!.receivedAt);
    assert.ok(gap >= 5_000, `views ${gap} ms apart`);
  }
  assert.ok(views.every((v) => v.intent === "channel" && v.channel === "all"));
  const refused = service.viewLog(key).filter((outcome) => JSON.stringify(outcome).includes("rate_limited"));
  assert.equal(refused.length, 0, "pacing means the service never refuses a view");
});

test("commands from the website: each is acknowledged and changes what the panel shows", async () => {
  const before = currentPost();
  const frame = lastFrame();
  await service.sendCommand(key, "swap_next", {});
  await until("swap_next to move on", () => currentPost() !== before);

  const target = service.catalogue.posts.find(
    (post): post is ArtworkPost => post.kind === "artwork" && post.visibility === "public" && post.postId !== currentPost(),
  )!;
  await service.sendCommand(key, "show_artwork", {
    post_id: target.postId,
    title: null,
    storage_key: target.storageKey,
    storage_shard: target.storageShard,
    native_format: target.nativeFormat,
    width: null,
    height: null,
  });
  await until("show_artwork", () => currentPost() === target.postId && lastFrame() !== frame);

  await service.sendCommand(key, "set_brightness", { value: 25 });
  await until("brightness 25", () => device.panel.brightness === 25);
  await service.sendCommand(key, "set_paused", { paused: true });
  await until("paused", () => device.player.scheduler.paused);
  await service.sendCommand(key, "set_paused", { paused: false });
  await service.sendCommand(key, "set_rotation", { value: 90 });
  await until("rotation", () => device.display.rotation === 90);
  await service.sendCommand(key, "set_mirror", { value: "horizontal" });
  await until("mirror", () => device.display.mirror === "horizontal");
  await service.sendCommand(key, "swap_back", {});
  const followed = service.catalogue.users.filter((user) => user.handle !== "demo").slice(0, 2);
  await service.sendCommand(key, "play_playset", {
    playset_name: "followed_artists",
    channels: followed.map((user) => ({ type: "user", name: user.handle, identifier: user.sqid, display_name: user.handle, weight: 1 })),
    exposure_mode: "equal",
    pick_mode: "recency",
  });
  await until("the playset's channels queried", () => queries().length >= 3);
  await service.sendCommand(key, "play_channel", { channel_name: "promoted" });
  await service.sendCommand(key, "play_channel", { channel_name: "by_user" });
  await service.sendCommand(key, "teleport", {});
  await until("every ack", () => service.commands(key).every((command) => command.ack !== undefined));
  const acks = service.commands(key).map((command) => `${command.commandType}:${command.ack!.status}`);
  assert.deepEqual(acks, [
    "swap_next:ok",
    "show_artwork:ok",
    "set_brightness:ok",
    "set_paused:ok",
    "set_paused:ok",
    "set_rotation:ok",
    "set_mirror:ok",
    "swap_back:ok",
    "play_playset:ok",
    "play_channel:ok",
    "play_channel:error",
    "teleport:unsupported",
  ]);
  await until("the promoted channel queried", () => logLines.some((line) => line.includes("loading post")) && queries().length >= 3);
  await until("state published", () => JSON.stringify(service.player(key)).includes('"brightness":25'));
});

test("typed requests: get_post, reactions, comments, the followed-artists playset and echo", async () => {
  const api = device.player.api;
  const artworks = service.catalogue.posts.filter((post): post is ArtworkPost => post.kind === "artwork");
  const visible = artworks.find((post) => post.visibility === "public")!;
  const post = await api.getPost(visible.postId, ["width", "height"]);
  assert.equal(post.postId, visible.postId);
  assert.equal(post.kind === "artwork" && post.storageKey, visible.storageKey);
  const deleted = artworks.find((candidate) => candidate.visibility === "deleted")!;
  await assert.rejects(api.getPost(deleted.postId), /^MakapixError: deleted:/);
  await assert.rejects(api.getPost(99_999_999), /not_found/);

  await api.submitReaction(visible.postId, "🔥");
  await api.submitReaction(visible.postId, "🔥"); // idempotent
  assert.ok(service.reactionsOf(visible.postId).includes("🔥"));
  await api.revokeReaction(visible.postId, "🔥");
  assert.ok(!service.reactionsOf(visible.postId).includes("🔥"));
  await assert.rejects(api.submitReaction(visible.postId, ""), /invalid_request: .*1–20 code points/);

  const commented = service.catalogue.comments[0]!.postId;
  const comments = await api.getComments(commented, { limit: 2 });
  assert.ok(comments.comments.length >= 1 && comments.comments.length <= 2);
  assert.ok(comments.comments.every((comment) => comment.postId === commented));

  const playset = await api.getPlayset("followed_artists");
  assert.equal(playset.name, "followed_artists");
  assert.ok(playset.channels.length >= 1, "the demo owner follows artists");
  assert.ok(playset.channels.every((channel) => channel.type === "user"));
  await assert.rejects(api.getPlayset("no_such_playset"), /playset_not_found/);

  const echo = await api.echo("ping");
  assert.equal(echo.echoData, "ping");
  assert.ok(echo.receivedAt.length > 0);
});

test("a broker restart: the player reconnects, announces itself again, and views are not lost", async () => {
  const viewsBefore = service.views(key).length;
  // A request in flight when the broker dies completes after the reconnect, or fails cleanly.
  const inFlight = device.player.api.getComments(service.catalogue.comments[0]!.postId, { limit: 5 }).then(
    (page) => `completed with ${page.comments.length} comments`,
    (error: Error) => `failed: ${error.message}`,
  );
  await broker.kill();
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await broker.start();
  await until("reconnected", () => device.player.client.state === "connected", 20_000);
  await until("online again", () => service.statusOf(key)?.status === "online");
  await until("views continue after the restart", () => service.views(key).length > viewsBefore, 25_000);
  const outcome = await inFlight;
  assert.match(outcome, /^completed with [1-5] comments$|^failed: MakapixError: timeout/);
});

test("a graceful stop publishes offline before disconnecting", async () => {
  await device.stop();
  await until("offline", () => service.statusOf(key)?.status === "offline", 5_000);
  assert.equal(device.host.timers.pending, 0, "no timer left running");
});
