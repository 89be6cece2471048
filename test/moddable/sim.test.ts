// The simulator app end to end (moddable tier, part b): the firmware built with the real Moddable SDK,
// running in its simulator with every port bound to the SDK, against the project's Mosquitto (mTLS +
// ACL) and the demo Makapix service. It connects, queries, shows artworks whose views the service
// records, obeys swap_next from the service, and each artwork's panel frame (the sim host's frame
// dump) equals sharp's decoding of the vault file, sampled like the panel. Skipped without an SDK.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ArtworkPost } from "../../tools/demo-service/catalogue-data.js";
import type { DemoService } from "../../tools/demo-service/service.js";
import { projectRoot, sdkTools, startSimRun, type SimRun } from "../../tools/sim-run.js";
import { expectedPanel } from "../support/vault-reference.js";
import { waitFor } from "../support/wait.js";

const SIZE = 64;
const sdk = (await sdkTools()).findSdk();
let run: SimRun | undefined;
let hashtag = "";
/** The latest panel frame traced by the app, and the post on show when it was pushed. */
const frames: { postId: number | undefined; frame: Uint8Array }[] = [];
const appLines: string[] = [];

/** A hashtag whose public artworks are all opaque stills: a frame then has one right answer. */
function opaqueStillsTag(service: DemoService): string {
  const stills = (tag: string) =>
    service.catalogue.posts.filter((post): post is ArtworkPost => post.kind === "artwork" && post.visibility === "public" && post.hashtags.includes(tag));
  const tag = ["landscape", "pattern", "sprites"].find((name) => stills(name).length >= 3 && stills(name).every((post) => post.frameCount === 1 && !post.alphaActual && !post.transparencyActual));
  assert.ok(tag, "the demo catalogue has a hashtag of at least 3 opaque stills");
  return tag;
}

before(async () => {
  if (!sdk) return;
  run = await startSimRun({
    work: join(projectRoot, "build/sim-e2e"), // shared with sim-firmware.test (same app, its own config module)
    headless: true,
    traceFrames: true,
    logLevel: "info",
    deviceFor: (service) => {
      hashtag = opaqueStillsTag(service);
      // Nothing moves on by itself: only swap_next does.
      return { panel: { size: "64x64", brightness: 100 }, initialChannel: { name: "hashtag", hashtag }, scheduler: { dwellOverrideMs: 600_000 } };
    },
    onLine: (line) => {
      const frame = /^SIM-FRAME (\S+) ([0-9a-f]+)$/.exec(line);
      if (frame) frames.push({ postId: frame[1] === "-" ? undefined : Number(frame[1]), frame: Uint8Array.from(Buffer.from(frame[2]!, "hex")) });
      else appLines.push(line);
    },
  });
});

after(async () => {
  await run?.stop();
});

function differingPixels(a: Uint8Array, b: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i += 3) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) count++;
  return count;
}

const latest = () => frames[frames.length - 1];
const log = () => `app log (last 15 lines):\n${appLines.slice(-15).join("\n")}`;

test("the simulator app plays a channel over mTLS, obeys swap_next, and its frames equal sharp's decoding", { skip: sdk ? false : "no Moddable SDK", timeout: 240_000 }, async () => {
  const { service, playerKey } = run!;
  const shown: number[] = [];
  for (let step = 0; step < 3; step++) {
    const before = shown[shown.length - 1];
    await waitFor(`artwork ${step + 1} on the panel\n${log()}`, () => latest()?.postId !== undefined && latest()!.postId !== before, 90_000);
    const postId = latest()!.postId!;
    const post = service.catalogue.posts.find((candidate): candidate is ArtworkPost => candidate.kind === "artwork" && candidate.postId === postId);
    assert.ok(post, `post ${postId} is an artwork of the catalogue`);
    assert.ok(post.hashtags.includes(hashtag), `post ${postId} comes from #${hashtag}`);
    const expected = await expectedPanel(service, post, SIZE);
    await waitFor(`the frame of post ${postId} to equal sharp's decoding`, () => latest()!.postId === postId && differingPixels(latest()!.frame, expected) === 0, 20_000);
    shown.push(postId);
    // A view is earned after the minimum view time; then the website's Next moves on.
    await waitFor(`the service to record a view of post ${postId}\n${log()}`, () => service.views(playerKey).some((view) => view.postId === postId), 30_000);
    if (step < 2) await service.sendCommand(playerKey, "swap_next");
  }
  assert.equal(new Set(shown).size, 3, `three different artworks: ${shown.join(", ")}`);
  const acks = service.commands(playerKey).filter((sent) => sent.commandType === "swap_next");
  assert.equal(acks.length, 2);
  for (const sent of acks) assert.equal(sent.ack?.status, "ok");
  // Each view's ack came back and was matched: a view asks for one only when none is outstanding.
  const outcomes = service.viewLog(playerKey);
  assert.ok(outcomes.length >= 3, `${outcomes.length} views`);
  assert.deepEqual(outcomes.map((view) => `${view.postId} ${view.outcome} ${view.acked ? "ack asked" : "no ack asked"}`), outcomes.map((view) => `${view.postId} recorded ack asked`));
  assert.deepEqual(appLines.filter((line) => /views: (no ack|an ack nobody waited)/.test(line)), [], "every view ack reached the app in time");
});
