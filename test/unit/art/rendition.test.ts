// Rendition choice: which vault file to fetch for a post on a given device, best first.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseRenditions, vaultUrl, type RenditionOptions } from "../../../src/art/rendition.js";
import type { ArtworkPost } from "../../../src/art/artwork.js";

const VAULT = "https://vault.makapix.club";
const SMALL: RenditionOptions = { vault: VAULT, memoryClass: "small", decoders: ["gif", "png", "bmp", "webp"] };
const LARGE: RenditionOptions = { ...SMALL, memoryClass: "large" };

function post(extra: Partial<ArtworkPost>): ArtworkPost {
  return { kind: "artwork", postId: 1, storageKey: "k1", storageShard: "ab/cd", ...extra };
}

const summary = (list: ReturnType<typeof chooseRenditions>) => list.map((r) => `${r.format}${r.native ? "*" : ""}`);

test("the native file comes from art_url; renditions from the vault path with another extension", () => {
  const list = chooseRenditions(post({ nativeFormat: "png", artUrl: "https://vault.makapix.club/ab/cd/k1.png" }), SMALL);
  assert.equal(list[0]!.url, "https://vault.makapix.club/ab/cd/k1.png");
  assert.ok(list[0]!.native);
  assert.equal(list[1]!.url, "https://vault.makapix.club/ab/cd/k1.gif");
  assert.equal(vaultUrl(VAULT, { storageKey: "z", storageShard: "" }, "gif"), "https://vault.makapix.club/z.gif");
});

test("static opaque art: native first, then PNG, GIF; BMP last; WebP only with PSRAM", () => {
  assert.deepEqual(summary(chooseRenditions(post({ nativeFormat: "gif" }), SMALL)), ["gif*", "png", "bmp"]);
  assert.deepEqual(summary(chooseRenditions(post({ nativeFormat: "gif" }), LARGE)), ["gif*", "png", "webp", "bmp"]);
});

test("transparent art prefers renditions that keep alpha (GIF and BMP flatten it onto white)", () => {
  assert.deepEqual(summary(chooseRenditions(post({ nativeFormat: "png", alphaActual: true }), LARGE)), ["png*", "webp", "gif", "bmp"]);
});

test("native lossy/lossless WebP on a small device falls to streaming renditions", () => {
  assert.deepEqual(summary(chooseRenditions(post({ nativeFormat: "webp" }), SMALL)), ["png", "gif", "bmp"]);
  assert.deepEqual(summary(chooseRenditions(post({ nativeFormat: "webp", frameCount: 12 }), SMALL)), ["gif"]);
  assert.deepEqual(summary(chooseRenditions(post({ nativeFormat: "webp", frameCount: 12 }), LARGE)), ["webp*", "gif"]);
});

test("animated art: the native file (an APNG perhaps), then GIF, then WebP — no static renditions", () => {
  assert.deepEqual(summary(chooseRenditions(post({ nativeFormat: "png", frameCount: 8 }), LARGE)), ["png*", "gif", "webp"]);
  assert.deepEqual(summary(chooseRenditions(post({ nativeFormat: "png", frameCount: 8, transparencyActual: true }), LARGE)), ["png*", "webp", "gif"]);
});

test("a missing native_format is read from art_url, else assumed PNG; a build without a decoder skips it", () => {
  assert.deepEqual(summary(chooseRenditions(post({ artUrl: "https://v/x/k1.GIF" }), SMALL)), ["gif*", "png", "bmp"]);
  assert.deepEqual(summary(chooseRenditions(post({}), SMALL)), ["png*", "gif", "bmp"]);
  assert.deepEqual(summary(chooseRenditions(post({ nativeFormat: "gif" }), { ...SMALL, decoders: ["png"] })), ["png"]);
});
