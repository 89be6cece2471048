// The two memory classes: what each decodes, the budgets it gets, and that a small device's rendition
// choice never includes WebP while a large one's does.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseRenditions } from "../../../src/art/rendition.js";
import { AVAILABLE_DECODERS } from "../../../src/art/decoders.js";
import { FrameCache } from "../../../src/display/frame-cache.js";
import type { ArtworkPost } from "../../../src/art/artwork.js";
import { enabledDecoders, memoryClassProfile, MEMORY_CLASSES } from "../../../src/device/memory-class.js";

const webpAnimation: ArtworkPost = { kind: "artwork", postId: 1, storageKey: "k", storageShard: "", nativeFormat: "webp", frameCount: 12, alphaActual: true };
const webpStill: ArtworkPost = { kind: "artwork", postId: 2, storageKey: "s", storageShard: "", nativeFormat: "webp" };

function formatsFor(name: "small" | "large", post: ArtworkPost): string[] {
  const profile = MEMORY_CLASSES[name];
  return chooseRenditions(post, { vault: "https://vault.test", memoryClass: profile.name, decoders: enabledDecoders(profile, AVAILABLE_DECODERS) }).map((r) => r.format);
}

test("a small device decodes only the streaming formats; a large one WebP too", () => {
  assert.deepEqual(enabledDecoders(MEMORY_CLASSES.small, AVAILABLE_DECODERS), ["gif", "png", "bmp"]);
  assert.deepEqual(enabledDecoders(MEMORY_CLASSES.large, AVAILABLE_DECODERS), ["gif", "png", "bmp", "webp"]);
  assert.deepEqual(enabledDecoders(MEMORY_CLASSES.large, ["png", "gif"]), ["gif", "png"], "a build without a decoder leaves it out");
  assert.deepEqual(formatsFor("small", webpAnimation), ["gif"], "animated WebP art plays from its GIF rendition");
  assert.deepEqual(formatsFor("small", webpStill), ["png", "gif", "bmp"]);
  assert.deepEqual(formatsFor("large", webpAnimation), ["webp", "gif"]);
  assert.deepEqual(formatsFor("large", webpStill), ["webp", "png", "gif", "bmp"]);
});

test("each class has its budgets; a small device drives 64×32 and keeps four frames per artwork, a large one many", () => {
  const { small, large } = MEMORY_CLASSES;
  assert.equal(small.heapBudgetBytes, 155 * 1024, "what a no-PSRAM ESP32 leaves the XS heap beside Wi-Fi and a 64×32 panel's DMA at 8 bits (memory-class.ts)");
  assert.equal(small.frameCaches, 1, "one frame cache: the art on screen stops while the next loads");
  assert.equal(large.frameCaches, 2);
  assert.equal(large.heapBudgetBytes, 1024 * 1024);
  assert.equal(small.maximumPanelPixels, 64 * 32, "a 64×64 panel's DMA leaves a no-PSRAM board too little heap");
  assert.equal(large.maximumPanelPixels, 128 * 64);
  assert.equal(new FrameCache(64 * 32 * 3, small.frameBudgetBytes).maximumFrames, 4);
  assert.equal(new FrameCache(64 * 64 * 3, large.frameBudgetBytes).maximumFrames, 21);
  assert.equal(new FrameCache(128 * 64 * 3, large.frameBudgetBytes).maximumFrames, 10);
  // Two caches alternate (one on screen, one loading): together at most half the heap, the rest for decoding and the session.
  for (const profile of [small, large]) assert.ok(2 * profile.frameBudgetBytes <= profile.heapBudgetBytes / 2, profile.name);
});

test("the class table is frozen and a name from storage is looked up safely", () => {
  assert.ok(Object.isFrozen(MEMORY_CLASSES) && Object.isFrozen(MEMORY_CLASSES.small) && Object.isFrozen(MEMORY_CLASSES.small.decoders));
  assert.equal(memoryClassProfile("large"), MEMORY_CLASSES.large);
  for (const name of ["medium", "", undefined, "toString", "__proto__", 1]) assert.equal(memoryClassProfile(name), undefined, String(name));
});
